//! Contained faults: what a caught panic said, for the error a run or a reply carries.

/// Runs `work`, keeping a panic in it: what the panic said instead of `work`'s result. For the
/// places that must outlive a fault in what they run (a job, a callback, a handler, a batch).
pub(crate) fn contain<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|p| panic_text(&*p))
}

/// The message of a panic payload (`panic!` with a literal or a formatted string).
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}
