//! Opening a database file: refusing what is not ours, setting the pragmas, migrating.

use super::error::StoreError;
use super::schema::MIGRATIONS;
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection waits for another's write lock before giving up.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The database path: `--db` if given, else `VAYU_DB`, else `vayu.db` in the working directory.
pub fn resolve_path(flag: Option<&str>) -> PathBuf {
    flag.map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("VAYU_DB")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from("vayu.db"))
}

/// Opens (creating if needed) and migrates the database, returning a read-write connection.
pub(super) fn open_for_writing(path: &Path) -> Result<Connection, StoreError> {
    refuse_non_sqlite(path)?;
    let mut conn = Connection::open(path).map_err(|source| open_error(path, source))?;
    configure(&conn, path)?;
    refuse_damaged(&conn, path)?;
    migrate(&mut conn, path, MIGRATIONS)?;
    Ok(conn)
}

/// A damaged file is refused at open, not found out by a query in the middle of a run.
/// `quick_check` reads every page once (about a second per few GB) but skips the index
/// cross-checks of `integrity_check`.
fn refuse_damaged(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let verdict: Result<String, _> = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
    match verdict {
        Ok(v) if v == "ok" => Ok(()),
        Ok(detail) => Err(StoreError::Damaged {
            path: path.into(),
            detail,
        }),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Err(StoreError::Damaged {
                path: path.into(),
                detail: e.to_string(),
            })
        }
        Err(e) => Err(open_error(path, e)),
    }
}

/// Opens an existing, migrated database for reading only.
pub(super) fn open_for_reading(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn =
        Connection::open_with_flags(path, flags).map_err(|source| open_error(path, source))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|source| open_error(path, source))?;
    Ok(conn)
}

/// An existing non-empty file must start with SQLite's header; anything else is refused before
/// SQLite touches it.
fn refuse_non_sqlite(path: &Path) -> Result<(), StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.into(),
                source,
            })
        }
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(source) => {
                return Err(StoreError::Io {
                    path: path.into(),
                    source,
                })
            }
        }
    }
    if read == 0 || &header == SQLITE_HEADER {
        Ok(())
    } else {
        Err(StoreError::NotSqlite { path: path.into() })
    }
}

fn configure(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let err = |source| open_error(path, source);
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    // WAL: readers never wait for the writer. NORMAL: WAL is still crash-safe; only the last
    // commits before a power loss may be lost, never corrupted.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(open_error(path, rusqlite::Error::InvalidQuery));
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(err)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Brings the schema to `migrations.len()`, in one transaction. Takes the list as an argument so
/// the mechanism can be tested with more versions than have been released.
pub fn migrate(conn: &mut Connection, path: &Path, migrations: &[&str]) -> Result<(), StoreError> {
    let latest = migrations.len() as u32;
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|source| open_error(path, source))?;
    if version > latest {
        return Err(StoreError::TooNew {
            path: path.into(),
            found: version,
            latest,
        });
    }
    if version == latest {
        return Ok(());
    }
    if version == 0 {
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(|source| open_error(path, source))?;
        if tables > 0 {
            return Err(StoreError::Foreign { path: path.into() });
        }
    }
    let failed = |source| StoreError::Migration {
        path: path.into(),
        from: version,
        source,
    };
    // Foreign keys off while migrating (it cannot change inside a transaction), so a table can
    // be rebuilt without its DROP cascading; the keys are checked before the commit instead.
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(failed)?;
    let migrated = (|| {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for sql in &migrations[version as usize..] {
            tx.execute_batch(sql)?;
        }
        let broken: i64 =
            tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if broken > 0 {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
                Some(format!(
                    "{broken} rows break a foreign key after the migration"
                )),
            ));
        }
        tx.pragma_update(None, "user_version", latest)?;
        tx.commit()
    })();
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .map_err(failed)?;
    migrated.map_err(failed)
}

/// SQLite says "file is not a database" lazily, at the first statement: name the file instead.
fn open_error(path: &Path, source: rusqlite::Error) -> StoreError {
    if source.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        StoreError::NotSqlite { path: path.into() }
    } else {
        StoreError::Open {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_path_prefers_the_flag() {
        assert_eq!(resolve_path(Some("x.db")), PathBuf::from("x.db"));
    }

    #[test]
    fn latest_version_matches_the_list() {
        assert_eq!(
            crate::store::schema::LATEST_VERSION as usize,
            MIGRATIONS.len()
        );
    }
}
