//! What can go wrong with the database, said in terms a user can act on.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database `{path}` is not a SQLite database; point --db (or VAYU_DB) at a Vayu database or a new file")]
    NotSqlite { path: PathBuf },
    #[error("database `{path}` is a SQLite database but not a Vayu one (it has tables Vayu did not create); use another --db file")]
    Foreign { path: PathBuf },
    #[error("database `{path}` has schema version {found}, newer than this build knows ({latest}); use a newer vayu, or another --db file")]
    TooNew {
        path: PathBuf,
        found: u32,
        latest: u32,
    },
    #[error("database `{path}` is damaged ({detail}); move it aside and start with a new file (`sqlite3 <file> .recover` may save what it holds)")]
    Damaged { path: PathBuf, detail: String },
    #[error("database `{path}`: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database `{path}`: migrating from schema version {from} failed: {source}")]
    Migration {
        path: PathBuf,
        from: u32,
        source: rusqlite::Error,
    },
    #[error("database `{path}`: cannot read it: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database query failed: {0}")]
    Query(rusqlite::Error),
    #[error("stored JSON in {what} is invalid: {source}")]
    BadJson {
        what: &'static str,
        source: serde_json::Error,
    },
    #[error("the store's writer thread has stopped")]
    WriterGone,
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be written (read-only, disk full, I/O error): nothing was saved.
    #[error("{0}")]
    Unwritable(String),
}

/// Failures that mean the database cannot be written at all (read-only, full, failing disk) are
/// `Unwritable`; the rest are query failures.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        if cannot_write(&e) {
            StoreError::Unwritable(format!("the database cannot be written: {e}"))
        } else {
            StoreError::Query(e)
        }
    }
}

/// Whether `e` says the database cannot be written now (read-only, full, failing disk), as
/// opposed to a fault of the statement itself.
pub(crate) fn cannot_write(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        e.sqlite_error_code(),
        Some(ReadOnly | DiskFull | SystemIoFailure | CannotOpen)
    )
}
