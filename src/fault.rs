//! Contained faults: what a caught panic said, for the error a run or a reply carries.

/// The message of a panic payload (`panic!` with a literal or a formatted string).
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}
