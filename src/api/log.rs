//! The API's log calls, through the process's one logger (`crate::logging`), each counted as a
//! call site of its own caller's (the logger holds back a site that repeats itself).

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

#[track_caller]
pub fn log(level: Level, message: impl AsRef<str>) {
    let level = match level {
        Level::Error => log::Level::Error,
        Level::Warn => log::Level::Warn,
        Level::Info => log::Level::Info,
        Level::Debug => log::Level::Debug,
    };
    if level > log::max_level() {
        return;
    }
    let caller = std::panic::Location::caller();
    log::logger().log(
        &log::Record::builder()
            .args(format_args!("{}", message.as_ref()))
            .level(level)
            .target(module_path!())
            .file(Some(caller.file()))
            .line(Some(caller.line()))
            .build(),
    );
}
