//! What `--version` and `/health` report.

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit this binary was built from (set by build.rs; "unknown" outside a checkout).
pub const GIT_COMMIT: &str = env!("VAYU_GIT_COMMIT");

/// The libcurl actually linked, read at run time so it cannot disagree with the binary.
pub fn libcurl_version() -> String {
    curl::Version::get().version().to_string()
}

/// "0.1.0 (commit 1a2b3c4d5e6f, libcurl 8.22.0)".
pub fn long_version() -> String {
    format!(
        "{VERSION} (commit {GIT_COMMIT}, libcurl {})",
        libcurl_version()
    )
}
