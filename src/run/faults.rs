//! Faults during a load run. Database faults (a full disk, a read-only file): the run goes on,
//! its report says that its recording failed, and what was committed before the fault stays. A
//! panic in the reporter (injected): that run fails with the reason, the next one completes.

use super::{RunManager, RunSpec};
use crate::engine::{EngineConfig, EventLoop};
use crate::store::{RunStatus, Store, WriterThread};
use rusqlite::Connection;
use std::io::{Read, Write};
use std::sync::Arc;

/// A loopback server answering every request `200 ok` on keep-alive connections.
fn ok_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                let mut pending = Vec::new();
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        return;
                    }
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        if stream.write_all(reply).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    port
}

/// A migrated database at a fresh path, and a writer on a connection set up by `pragma`.
fn store_with(
    name: &str,
    pragma: &str,
) -> (std::path::PathBuf, WriterThread, crate::store::StoreWriter) {
    let dir = std::env::temp_dir().join(format!("vayu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v.db");
    Store::open(&path).unwrap().close();
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(pragma).unwrap();
    let (thread, writer) = WriterThread::start(conn).unwrap();
    (path, thread, writer)
}

fn run_recording_everything(writer: crate::store::StoreWriter, port: u16) -> super::FinalReport {
    let engine = EventLoop::start(EngineConfig {
        workers: 1,
        pin_workers: false,
        ..EngineConfig::default()
    })
    .unwrap();
    let manager = RunManager::new(Arc::new(engine), Some(writer)).unwrap();
    let spec = RunSpec::from_json(
        &serde_json::json!({"request": {"url": format!("http://127.0.0.1:{port}/")},
            "config": {"mode": "iterations", "iterations": 20000, "concurrency": 8, "record": "all"}})
        .to_string(),
    )
    .unwrap();
    manager
        .start(&spec)
        .unwrap()
        .wait()
        .expect("a final report")
}

#[test]
fn a_full_disk_mid_run_fails_the_recording_not_the_run() {
    // SQLite's own size cap gives the error a full disk gives (SQLITE_FULL), on any machine.
    // 200 pages hold the run's row and more than a whole batch of results (at most 5,000 rows,
    // ~100 pages), but not all 20,000: the first batch commits, later ones fill the file.
    let pages: i64 = {
        let (path, mut thread, _) = store_with("full-probe", "SELECT 1;");
        thread.shutdown();
        let conn = Connection::open(&path).unwrap();
        conn.query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap()
    };
    let (path, mut thread, writer) =
        store_with("full", &format!("PRAGMA max_page_count = {};", pages + 200));
    let report = run_recording_everything(writer, ok_server());
    thread.shutdown();
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.error);
    assert_eq!(report.completed, 20000, "the run went on");
    let why = report
        .recording_failed
        .expect("the report says the recording failed");
    assert!(why.contains("full"), "{why}");
    let conn = Connection::open(&path).unwrap();
    let kept: i64 = conn
        .query_row("SELECT COUNT(*) FROM results", [], |r| r.get(0))
        .unwrap();
    assert!(
        kept > 0 && kept < 20000,
        "what was committed before the disk filled stays: {kept}"
    );
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn a_read_only_database_fails_the_recording_not_the_run() {
    let (_, mut thread, writer) = store_with("read-only", "PRAGMA query_only = ON;");
    let report = run_recording_everything(writer, ok_server());
    thread.shutdown();
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.error);
    assert_eq!(report.completed, 20000);
    let why = report
        .recording_failed
        .expect("the report says the recording failed");
    assert!(
        why.contains("cannot be written") || why.contains("readonly"),
        "{why}"
    );
}

/// A panic in the reporter's tick fails that run with the reason, and the next run on the same
/// manager completes.
#[test]
fn a_reporter_panic_fails_its_run_and_the_next_run_completes() {
    let port = ok_server();
    let engine = EventLoop::start(EngineConfig {
        workers: 1,
        pin_workers: false,
        ..EngineConfig::default()
    })
    .unwrap();
    let manager = RunManager::new(Arc::new(engine), None).unwrap();
    let spec = RunSpec::from_json(
        &serde_json::json!({"request": {"url": format!("http://127.0.0.1:{port}/")},
            "config": {"duration": "1s", "concurrency": 2}})
        .to_string(),
    )
    .unwrap();
    let handle = manager.start(&spec).unwrap();
    *super::reporter::tests::PANIC_IN_TICK.lock() = Some(handle.id.clone());
    let report = handle.wait().expect("a final report");
    assert_eq!(report.status, RunStatus::Failed);
    let why = report.error.unwrap_or_default();
    assert!(why.contains("injected into the reporter's tick"), "{why}");
    let next = manager
        .start(&spec)
        .unwrap()
        .wait()
        .expect("a final report");
    assert_eq!(next.status, RunStatus::Completed, "{:?}", next.error);
    assert!(next.completed > 0);
}
