//! The embedded SQLite database: schema and migrations, the writer thread, typed queries.
//! Only this module knows SQL.
//!
//! ```text
//! Store::open(path) ── migrates, marks crashed runs failed, starts the writer thread
//!   .writer()  → StoreWriter (clone freely): runs, statuses, metrics, results, saved work
//!   .reader()  → Reader (one read-only connection each): runs, metrics, results, saved work
//! ```

mod error;
mod folder_auth;
mod open;
mod reader;
mod recorder;
mod request_postman;
mod saved;
pub mod schema;
mod tree;
mod types;
mod unrecorded;
mod writer;

pub use error::StoreError;
pub use open::{migrate, resolve_path};
pub use reader::{Reader, DEFAULT_PAGE, MAX_PAGE};
pub use recorder::{
    RecordCounts, ResultPolicy, ResultRecorder, DEFAULT_FAILURE_CAP, DEFAULT_SAMPLE_EVERY,
};
pub use request_postman::ItemEdit;
pub use saved::RequestFields;
pub use tree::{CollectionTree, TreeFolder, TreeRequest};
pub use types::*;
pub use unrecorded::Unrecorded;
#[cfg(test)]
pub(crate) use writer::WriterThread;
pub use writer::{StoreWriter, Table, WriterCounters, BATCH_ROWS, BATCH_WINDOW, SAMPLE_QUEUE};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{SystemTime, UNIX_EPOCH};

/// The reason recorded on runs found unfinished when the database is opened.
pub const RESTART_REASON: &str = "engine restarted";

pub struct Store {
    path: PathBuf,
    writer: StoreWriter,
    // Dropped last: shutting it down commits what is queued.
    thread: writer::WriterThread,
}

impl Store {
    /// Opens (creating and migrating as needed) the database at `path`, marks runs a crash left
    /// `pending` or `running` as failed, and starts the writer thread.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref().to_path_buf();
        let conn = open::open_for_writing(&path)?;
        conn.execute(
            "UPDATE runs SET status = 'failed', end_time = coalesce(end_time, ?1), error = ?2
             WHERE status IN ('pending', 'running')",
            rusqlite::params![now_ms(), RESTART_REASON],
        )?;
        let (thread, writer) =
            writer::WriterThread::start(conn).map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?;
        Ok(Store {
            path,
            writer,
            thread,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn writer(&self) -> StoreWriter {
        self.writer.clone()
    }

    /// A new read-only connection. Reads see every committed batch and never wait for the writer.
    pub fn reader(&self) -> Result<Reader, StoreError> {
        open::open_for_reading(&self.path)
            .map(|conn| Reader::new(conn, self.writer.unrecorded().clone()))
    }

    /// Commits everything queued and stops the writer thread.
    pub fn close(mut self) {
        self.thread.shutdown();
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A new id such as `run_0193a5c4e1f27b3c9d1e`: time-ordered (ms), then a per-process counter
/// mixed with the process id, so ids from one engine never collide and sort by creation.
pub fn new_id(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Relaxed);
    let salt = (std::process::id() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ n;
    format!(
        "{prefix}_{:012x}{:08x}",
        now_ms() as u64 & 0xffff_ffff_ffff,
        salt as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prefixed() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|_| new_id("run")).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids
            .iter()
            .all(|id| id.starts_with("run_") && id.len() == 24));
    }
}
