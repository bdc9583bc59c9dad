//! The embedded database: schema, queries, migrations, the writer's batching and flush, the drop
//! policy, and surviving a SIGKILL.

use crate::support::TempDir;
use serde_json::json;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering::Relaxed;
use vayu::store::{
    new_id, now_ms, schema, ResultPolicy, ResultRecorder, ResultRow, Run, RunFilter, RunStatus,
    RunType, Store, StoreError, RESTART_REASON,
};

fn run(status: RunStatus, run_type: RunType, start_time: i64) -> Run {
    Run {
        id: new_id("run"),
        request_id: None,
        environment_id: None,
        run_type,
        status,
        config: json!({"mode": "constant"}),
        start_time,
        end_time: None,
        summary: None,
        error: None,
    }
}

fn result(run_id: &str, status_code: u16) -> ResultRow {
    ResultRow {
        id: 0,
        run_id: run_id.to_string(),
        timestamp: now_ms(),
        status_code: Some(status_code),
        latency_ms: Some(1.5),
        error: None,
        trace_data: None,
    }
}

#[test]
fn runs_metrics_and_results_round_trip() {
    let dir = TempDir::new("store-runs");
    let store = Store::open(dir.0.join("v.db")).unwrap();
    let w = store.writer();
    let a = run(RunStatus::Running, RunType::Load, 1000);
    let b = run(RunStatus::Completed, RunType::Design, 2000);
    let c = run(RunStatus::Running, RunType::Load, 3000);
    for r in [&a, &b, &c] {
        w.create_run(r.clone()).unwrap();
    }
    let point = |t, name: &str, value| vayu::store::MetricPoint {
        timestamp: t,
        name: name.into(),
        value,
        labels: None,
    };
    w.record_metrics(
        &a.id,
        vec![
            point(1100, "rps", 10.0),
            point(1100, "latency_p99", 5.0),
            point(1200, "rps", 12.0),
        ],
    )
    .unwrap();
    for code in [200, 500, 200] {
        w.record_result(result(&a.id, code)).unwrap();
    }
    w.set_run_status(
        &a.id,
        RunStatus::Completed,
        Some(5000),
        Some(json!({"total": 3})),
        None,
    )
    .unwrap();
    w.flush().unwrap();

    let r = store.reader().unwrap();
    let all = r.list_runs(&RunFilter::default()).unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(
        all.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [&c.id, &b.id, &a.id],
        "newest first"
    );
    let running = r
        .list_runs(&RunFilter {
            status: Some(RunStatus::Running),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(running.items.len(), 1);
    assert_eq!(running.items[0].id, c.id);
    let design = r
        .list_runs(&RunFilter {
            run_type: Some(RunType::Design),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(design.items[0].id, b.id);
    let paged = r
        .list_runs(&RunFilter {
            limit: Some(1),
            offset: Some(1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (paged.total, paged.items.len(), paged.items[0].id.as_str()),
        (3, 1, b.id.as_str())
    );

    let got = r.get_run(&a.id).unwrap().unwrap();
    assert_eq!(got.status, RunStatus::Completed);
    assert_eq!((got.start_time, got.end_time), (1000, Some(5000)));
    assert_eq!(got.summary, Some(json!({"total": 3})));
    assert_eq!(got.config, json!({"mode": "constant"}));
    assert!(r.get_run("run_missing").unwrap().is_none());

    assert_eq!(r.run_metrics(&a.id, None, None).unwrap().len(), 3);
    let rps = r.run_metrics(&a.id, Some("rps"), None).unwrap();
    assert_eq!(
        rps.iter().map(|p| p.value).collect::<Vec<_>>(),
        [10.0, 12.0]
    );
    assert_eq!(r.run_metrics(&a.id, None, Some(1100)).unwrap().len(), 1);

    let results = r.run_results(&a.id, Some(2), None).unwrap();
    assert_eq!((results.total, results.items.len()), (3, 2));
    assert_eq!(results.items[1].status_code, Some(500));
    assert_eq!(
        r.run_results(&a.id, Some(2), Some(2)).unwrap().items.len(),
        1
    );
}

#[test]
fn deleting_a_run_takes_its_metrics_and_results_and_refuses_live_runs() {
    let dir = TempDir::new("store-delete");
    let store = Store::open(dir.0.join("v.db")).unwrap();
    let w = store.writer();
    let live = run(RunStatus::Running, RunType::Load, 1);
    let done = run(RunStatus::Stopped, RunType::Load, 2);
    w.create_run(live.clone()).unwrap();
    w.create_run(done.clone()).unwrap();
    w.record_result(result(&done.id, 200)).unwrap();
    w.record_metrics(
        &done.id,
        vec![vayu::store::MetricPoint {
            timestamp: 1,
            name: "rps".into(),
            value: 1.0,
            labels: None,
        }],
    )
    .unwrap();
    assert!(matches!(
        w.delete_run(&live.id),
        Err(StoreError::Conflict(_))
    ));
    w.delete_run(&done.id).unwrap();
    assert!(matches!(
        w.delete_run(&done.id),
        Err(StoreError::NotFound { .. })
    ));
    let r = store.reader().unwrap();
    assert!(r.get_run(&done.id).unwrap().is_none());
    assert_eq!(r.run_results(&done.id, None, None).unwrap().total, 0);
    assert!(r.run_metrics(&done.id, None, None).unwrap().is_empty());
    assert!(r.get_run(&live.id).unwrap().is_some());
}

#[test]
fn saved_work_crud() {
    let dir = TempDir::new("store-crud");
    let store = Store::open(dir.0.join("v.db")).unwrap();
    let w = store.writer();
    let r = store.reader().unwrap();

    let api = w.create_collection("API", None).unwrap();
    let users = w.create_collection("users", Some(&api.id)).unwrap();
    let deep = w.create_collection("admin", Some(&users.id)).unwrap();
    assert_eq!(r.list_collections(None).unwrap(), vec![api.clone()]);
    assert_eq!(
        r.list_collections(Some(&api.id)).unwrap(),
        vec![users.clone()]
    );
    assert!(matches!(
        w.create_collection("x", Some("col_missing")),
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        matches!(
            w.update_collection(&api.id, "API", Some(&deep.id)),
            Err(StoreError::Conflict(_))
        ),
        "no cycles"
    );
    let renamed = w
        .update_collection(&deep.id, "administration", Some(&api.id))
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.parent_id.as_deref()),
        ("administration", Some(api.id.as_str()))
    );

    let fields: vayu::store::RequestFields = serde_json::from_value(json!({
        "collectionId": users.id, "name": "list users", "url": "http://127.0.0.1:1/users",
        "headers": [{"key": "Accept", "value": "application/json"}],
        "postRequestScript": "pm.test('ok', () => pm.response.to.have.status(200));"
    }))
    .unwrap();
    let saved = w.create_request(fields.clone()).unwrap();
    assert_eq!(saved.method, "GET");
    assert_eq!(r.get_request(&saved.id).unwrap().unwrap(), saved);
    assert_eq!(r.list_requests(Some(&users.id)).unwrap().len(), 1);
    let updated = w
        .update_request(
            &saved.id,
            vayu::store::RequestFields {
                method: "POST".into(),
                ..fields.clone()
            },
        )
        .unwrap();
    assert_eq!(updated.method, "POST");
    assert!(matches!(
        w.update_request("req_missing", fields.clone()),
        Err(StoreError::NotFound { .. })
    ));

    // Deleting a collection deletes what is inside it.
    w.delete_collection(&users.id).unwrap();
    assert!(r.get_request(&saved.id).unwrap().is_none());
    assert!(r.get_collection(&users.id).unwrap().is_none());

    let env = w
        .create_environment("dev", json!({"baseUrl": "http://127.0.0.1:8080"}))
        .unwrap();
    assert_eq!(r.list_environments().unwrap(), vec![env.clone()]);
    let env2 = w
        .update_environment(&env.id, "dev", json!({"baseUrl": "http://127.0.0.1:9090"}))
        .unwrap();
    assert_eq!(
        r.get_environment(&env.id).unwrap().unwrap().variables,
        env2.variables
    );
    w.delete_environment(&env.id).unwrap();
    assert!(r.get_environment(&env.id).unwrap().is_none());

    assert_eq!(r.kv_get("theme").unwrap(), None);
    w.kv_set("theme", json!("dark")).unwrap();
    w.kv_set("theme", json!({"name": "light"})).unwrap();
    assert_eq!(r.kv_get("theme").unwrap(), Some(json!({"name": "light"})));
}

#[test]
fn migrates_older_schemas_and_refuses_what_it_cannot_read() {
    let dir = TempDir::new("store-migrate");
    let path = dir.0.join("v.db");
    let store = Store::open(&path).unwrap();
    let kept = run(RunStatus::Completed, RunType::Load, 1);
    store.writer().create_run(kept.clone()).unwrap();
    store.close();

    // A future version 2 on top of this build's migrations: applied in place, data kept.
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    let mut next: Vec<&str> = schema::MIGRATIONS.to_vec();
    next.push("ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';");
    vayu::store::migrate(&mut conn, &path, &next).unwrap();
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::LATEST_VERSION + 1);
    let tags: String = conn
        .query_row("SELECT tags FROM runs WHERE id = ?1", [&kept.id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(tags, "[]");
    drop(conn);

    // Now the file is newer than this build: refused, naming the file.
    let err = Store::open(&path).err().expect("a newer schema is refused");
    assert!(
        matches!(err, StoreError::TooNew { found, .. } if found == schema::LATEST_VERSION + 1),
        "{err}"
    );
    assert!(
        err.to_string().contains("v.db") && err.to_string().contains("newer"),
        "{err}"
    );

    let text = dir.0.join("notes.txt");
    std::fs::write(&text, "these are not the tables you are looking for").unwrap();
    let err = Store::open(&text).err().expect("a text file is refused");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
    assert!(err.to_string().contains("notes.txt"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "these are not the tables you are looking for",
        "left untouched"
    );

    let foreign = dir.0.join("other.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (id INTEGER);")
        .unwrap();
    assert!(matches!(
        Store::open(&foreign),
        Err(StoreError::Foreign { .. })
    ));
}

#[test]
fn pragmas_are_set() {
    let dir = TempDir::new("store-pragmas");
    let path = dir.0.join("v.db");
    let store = Store::open(&path).unwrap();
    store.close();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn reader_reads_while_the_writer_commits() {
    let dir = TempDir::new("store-concurrent");
    let store = Store::open(dir.0.join("v.db")).unwrap();
    let w = store.writer();
    let r0 = run(RunStatus::Running, RunType::Load, 1);
    w.create_run(r0.clone()).unwrap();
    w.flush().unwrap();
    let total = 50_000u64;
    let producer = {
        let w = w.clone();
        let id = r0.id.clone();
        std::thread::spawn(move || {
            for i in 0..total {
                w.record_result(result(&id, 200 + (i % 3) as u16)).unwrap();
            }
            w.flush().unwrap();
        })
    };
    let reader = store.reader().unwrap();
    let mut seen = Vec::new();
    while !producer.is_finished() {
        seen.push(reader.run_results(&r0.id, Some(1), None).unwrap().total);
    }
    producer.join().unwrap();
    assert!(
        seen.windows(2).all(|p| p[0] <= p[1]),
        "a reader never sees rows disappear"
    );
    assert!(seen.len() > 1, "the reader ran during the writes");
    assert_eq!(
        reader.run_results(&r0.id, Some(1), None).unwrap().total,
        total
    );
}

#[test]
fn flush_waits_for_everything_sent_before_it() {
    let dir = TempDir::new("store-flush");
    let store = Store::open(dir.0.join("v.db")).unwrap();
    let w = store.writer();
    let reader = store.reader().unwrap();
    let r0 = run(RunStatus::Running, RunType::Load, 1);
    w.create_run(r0.clone()).unwrap();
    for round in 1..=5u64 {
        for _ in 0..100 {
            assert!(w.record_sample(result(&r0.id, 200)));
            w.record_result(result(&r0.id, 503)).unwrap();
        }
        w.flush().unwrap();
        // No waiting after flush: what was sent is committed and visible.
        assert_eq!(
            reader.run_results(&r0.id, Some(1), None).unwrap().total,
            round * 200
        );
    }
}

#[test]
fn full_sample_queue_drops_successes_but_never_failures() {
    let dir = TempDir::new("store-drops");
    let path = dir.0.join("v.db");
    let store = Store::open(&path).unwrap();
    let w = store.writer();
    let r0 = run(RunStatus::Running, RunType::Load, 1);
    w.create_run(r0.clone()).unwrap();
    w.flush().unwrap();
    // Another connection holds the write lock, as another process could: the writer stalls.
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let samples = vayu::store::SAMPLE_QUEUE as u64 + 20_000;
    let failures = 2_000u64;
    let mut accepted = 0;
    for i in 0..samples {
        if w.record_sample(result(&r0.id, 200)) {
            accepted += 1;
        }
        if i % (samples / failures) == 0 && i / (samples / failures) < failures {
            w.record_result(result(&r0.id, 500)).unwrap();
        }
    }
    let dropped = w.counters().dropped_samples.load(Relaxed);
    assert!(
        dropped >= 19_000,
        "{dropped} dropped: the queue holds {} samples",
        vayu::store::SAMPLE_QUEUE
    );
    assert_eq!(accepted + dropped, samples);
    blocker.execute_batch("ROLLBACK").unwrap();
    w.flush().unwrap();
    let page = store
        .reader()
        .unwrap()
        .run_results(&r0.id, Some(1), None)
        .unwrap();
    assert_eq!(
        page.total,
        accepted + failures,
        "every failure and every accepted sample is written"
    );
}

#[test]
fn result_policy_caps_failures_and_samples_successes() {
    let dir = TempDir::new("store-policy");
    let store = Store::open(dir.0.join("v.db")).unwrap();
    let w = store.writer();
    let r0 = run(RunStatus::Running, RunType::Load, 1);
    w.create_run(r0.clone()).unwrap();
    let policy = ResultPolicy {
        failure_cap: 25,
        sample_every: 10,
    };
    let mut worker_a = ResultRecorder::new(w.clone(), policy);
    let mut worker_b = worker_a.clone();
    let (mut kept_a, mut kept_b) = (0, 0);
    for _ in 0..100 {
        kept_a += worker_a.offer(false, || result(&r0.id, 200)) as u32;
        kept_a += worker_a.offer(true, || result(&r0.id, 500)) as u32;
        kept_b += worker_b.offer(true, || result(&r0.id, 500)) as u32;
    }
    w.flush().unwrap();
    // 10 of worker A's 100 successes; 25 failures in all, shared between the workers.
    assert_eq!(kept_a + kept_b, 35);
    let page = store
        .reader()
        .unwrap()
        .run_results(&r0.id, Some(1000), None)
        .unwrap();
    assert_eq!(
        page.items
            .iter()
            .filter(|r| r.status_code == Some(500))
            .count(),
        25
    );
    assert_eq!(
        page.items
            .iter()
            .filter(|r| r.status_code == Some(200))
            .count(),
        10
    );
}

/// Child side of `sigkill_mid_batch_loses_nothing_committed`: writes until killed, reporting each
/// committed total. Runs only when that test starts it.
#[test]
#[ignore = "started by sigkill_mid_batch_loses_nothing_committed"]
fn sigkill_child_writer() {
    let path = std::env::var("VAYU_TEST_CRASH_DB").expect("started by the crash test");
    let store = Store::open(&path).unwrap();
    let w = store.writer();
    let r0 = run(RunStatus::Running, RunType::Load, 1);
    w.create_run(r0.clone()).unwrap();
    let mut sent = 0u64;
    loop {
        for _ in 0..2_000 {
            w.record_result(result(&r0.id, 200)).unwrap();
            sent += 1;
        }
        w.flush().unwrap();
        println!("committed {sent}");
    }
}

#[test]
fn sigkill_mid_batch_loses_nothing_committed() {
    let dir = TempDir::new("store-crash");
    let path = dir.0.join("v.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::sigkill_child_writer",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("VAYU_TEST_CRASH_DB", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut committed = 0u64;
    let mut reports = 0;
    while reports < 5 {
        let line = lines.next().expect("the child reports progress").unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            committed = n.parse().unwrap();
            reports += 1;
        }
    }
    child.kill().unwrap(); // SIGKILL, mid-batch: the child never stops writing.
    child.wait().unwrap();

    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    let store = Store::open(&path).unwrap();
    let reader = store.reader().unwrap();
    let runs = reader.list_runs(&RunFilter::default()).unwrap();
    assert_eq!(runs.items.len(), 1);
    let interrupted = &runs.items[0];
    assert_eq!(interrupted.status, RunStatus::Failed);
    assert_eq!(interrupted.error.as_deref(), Some(RESTART_REASON));
    assert!(interrupted.end_time.is_some());
    let rows = reader
        .run_results(&interrupted.id, Some(1), None)
        .unwrap()
        .total;
    assert!(
        rows >= committed,
        "{rows} rows kept, {committed} were committed before the kill"
    );
}

#[test]
fn version_1_files_reach_version_2_with_their_runs_metrics_and_results() {
    let dir = TempDir::new("store-v1");
    let path = dir.0.join("v.db");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    vayu::store::migrate(&mut conn, &path, &schema::MIGRATIONS[..1]).unwrap();
    conn.execute_batch(
        "INSERT INTO runs (id, type, status, start_time) VALUES ('run_old', 'load', 'completed', 1);
         INSERT INTO metrics (run_id, timestamp, name, value) VALUES ('run_old', 1, 'rps', 5.0);
         INSERT INTO results (run_id, timestamp, status_code) VALUES ('run_old', 1, 200);
         INSERT INTO collections (id, name, created_at, updated_at) VALUES ('col_old', 'Old', 1, 1);",
    )
    .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let r = store.reader().unwrap();
    assert_eq!(
        r.get_run("run_old").unwrap().unwrap().run_type,
        RunType::Load
    );
    assert_eq!(
        r.run_results("run_old", None, None).unwrap().items.len(),
        1,
        "the rebuild of runs keeps results"
    );
    let tree = r.collection_tree("col_old").unwrap().unwrap();
    assert_eq!(tree.folders[0].name, "Old");
    store
        .writer()
        .create_run(run(RunStatus::Running, RunType::Collection, 2))
        .unwrap();
    store.writer().flush().unwrap();
    store.close();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let metrics: i64 = conn
        .query_row(
            "SELECT count(*) FROM metrics WHERE run_id = 'run_old'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(metrics, 1, "the rebuild of runs keeps metrics");
    let collection_runs: i64 = conn
        .query_row(
            "SELECT count(*) FROM runs WHERE type = 'collection'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(collection_runs, 1);
}

#[test]
fn a_damaged_file_is_refused_at_start_saying_what_to_do() {
    let dir = TempDir::new("damaged");
    let path = dir.0.join("v.db");
    let store = Store::open(&path).unwrap();
    let writer = store.writer();
    for i in 0..2000 {
        writer
            .create_run(run(RunStatus::Completed, RunType::Load, i))
            .unwrap();
    }
    store.close();
    // Garbage over the pages after the first (the header stays a SQLite header).
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 3 * 4096, "{} bytes", bytes.len());
    for (i, b) in bytes[4096..3 * 4096].iter_mut().enumerate() {
        *b = (i * 7 + 13) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();

    let err = Store::open(&path).err().expect("a damaged file is refused");
    assert!(matches!(err, StoreError::Damaged { .. }), "{err}");
    assert!(err.to_string().contains("move it aside"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_vayu-engine"))
        .args(["--port", "0", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is damaged"), "{stderr}");
}

/// A tmpfs of `size` mounted on a fresh directory, unmounted when dropped; `None` where this
/// process may not mount one (not root).
struct SmallDisk(TempDir);

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = TempDir::new("small-disk");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir.0)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk(dir))
    }

    /// Writes a file until the disk is full; returns its path.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.0 .0.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0 .0).status();
    }
}

/// Issue 25 (2): on a full disk, reports said nothing was lost while most rows were, runs the
/// API had accepted read as missing or stayed `running`, and saving work answered 409.
#[test]
fn a_full_disk_loses_no_run_says_what_rows_it_lost_and_writes_resume_when_space_returns() {
    let Some(disk) = SmallDisk::mount("2m") else {
        eprintln!("skipped: this test mounts a tmpfs, which needs root");
        return;
    };
    let server = crate::support::TargetServer::start();
    let db = disk.0 .0.join("v.db");
    let daemon = vayu::api::Daemon::start(vayu::api::DaemonConfig {
        port: 0,
        db: db.clone(),
        workers: 2,
        pin_workers: false,
        ..vayu::api::DaemonConfig::default()
    })
    .unwrap();
    let base = format!("http://{}", daemon.addr());
    let call = |method: &str, path: &str, body: Option<serde_json::Value>| {
        let mut easy = curl::easy::Easy::new();
        easy.url(&format!("{base}{path}")).unwrap();
        easy.custom_request(method).unwrap();
        if let Some(b) = body {
            let mut list = curl::easy::List::new();
            list.append("Content-Type: application/json").unwrap();
            easy.http_headers(list).unwrap();
            easy.post_fields_copy(b.to_string().as_bytes()).unwrap();
        }
        let mut out = Vec::new();
        {
            let mut t = easy.transfer();
            t.write_function(|d| {
                out.extend_from_slice(d);
                Ok(d.len())
            })
            .unwrap();
            t.perform().unwrap();
        }
        let status = easy.response_code().unwrap();
        (
            status,
            serde_json::from_slice::<serde_json::Value>(&out).unwrap_or_default(),
        )
    };
    let start_run = |iterations: u64| {
        let (status, body) = call(
            "POST",
            "/run",
            Some(json!({"request": {"url": server.url("/echo")},
            "config": {"mode": "iterations", "iterations": iterations, "concurrency": 4, "record": "all"}})),
        );
        assert_eq!(status, 202, "{body}");
        body["runId"].as_str().unwrap().to_string()
    };
    let finished = |id: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let (status, run) = call("GET", &format!("/run/{id}"), None);
            assert_eq!(status, 200, "an accepted run reads as missing: {run}");
            if !["pending", "running"].contains(&run["status"].as_str().unwrap()) {
                return run;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "run {id} never ended: {run}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    let results_in_db = |id: &str| -> u64 {
        let conn =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        conn.query_row(
            "SELECT count(*) FROM results WHERE run_id = ?1",
            [id],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as u64
    };

    // Recorded before the disk fills: it must all still be there after.
    let (status, env) = call(
        "POST",
        "/environments",
        Some(json!({"name": "before", "variables": {"a": 1}})),
    );
    assert_eq!(status, 201, "{env}");
    let before = start_run(100);
    assert_eq!(finished(&before)["status"], "completed");

    let filler = disk.fill();
    let runs: Vec<String> = (0..3).map(|_| start_run(3000)).collect();
    let mut lost = 0;
    for id in &runs {
        let run = finished(id);
        assert_eq!(run["status"], "completed", "{run}");
        let (status, report) = call("GET", &format!("/run/{id}/report"), None);
        assert_eq!(status, 200, "{report}");
        let not_recorded = report["resultsNotRecorded"].as_u64().unwrap_or(0);
        // Exactly: what is in the database and what the report says was lost are the whole run.
        assert_eq!(results_in_db(id) + not_recorded, 3000, "{report}");
        if not_recorded > 0 {
            assert!(
                report["recordingFailed"]
                    .as_str()
                    .unwrap()
                    .contains("could not be written"),
                "{report}"
            );
        }
        lost += not_recorded;
    }
    assert!(lost > 0, "the disk was full, yet nothing was lost");
    let (status, body) = call(
        "POST",
        "/environments",
        Some(json!({"name": "while full", "variables": {}})),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("store_unavailable")),
        "{body}"
    );

    // Space returns: the runs' rows reach the database, and writes succeed again.
    std::fs::remove_file(filler).unwrap();
    let (status, body) = call(
        "POST",
        "/environments",
        Some(json!({"name": "after", "variables": {}})),
    );
    assert_eq!(status, 201, "{body}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    for id in &runs {
        loop {
            let status: Option<String> = conn
                .query_row("SELECT status FROM runs WHERE id = ?1", [id], |r| r.get(0))
                .ok();
            if status.as_deref() == Some("completed") {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "run {id} is {status:?} in the database"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    assert_eq!(
        results_in_db(&before),
        100,
        "rows recorded before the disk filled are kept"
    );
    let (status, env) = call(
        "GET",
        &format!("/environments/{}", env["id"].as_str().unwrap()),
        None,
    );
    assert_eq!((status, &env["variables"]["a"]), (200, &json!(1)));
    daemon.shutdown();
}

#[test]
fn version_2_files_reach_version_3_with_their_requests() {
    let dir = TempDir::new("store-v2");
    let path = dir.0.join("v.db");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    vayu::store::migrate(&mut conn, &path, &schema::MIGRATIONS[..2]).unwrap();
    conn.execute_batch(
        "INSERT INTO requests (id, name, method, url, body, updated_at, position, postman)
         VALUES ('req_old', 'old', 'POST', 'http://h/', '\"text\"', 1, 0, NULL);",
    )
    .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let old = store
        .reader()
        .unwrap()
        .get_request("req_old")
        .unwrap()
        .unwrap();
    assert_eq!(old.body, Some(json!("text")));
    assert_eq!(old.extras, vayu::store::RequestExtras::default());
    let fields = vayu::store::RequestFields {
        name: "old".into(),
        method: "POST".into(),
        url: "http://h/:id".into(),
        path_variables: Some(json!({"id": "7"})),
        settings: Some(json!({"followRedirects": false})),
        ..Default::default()
    };
    let saved = store.writer().update_request("req_old", fields).unwrap();
    let read = store
        .reader()
        .unwrap()
        .get_request("req_old")
        .unwrap()
        .unwrap();
    assert_eq!(read, saved);
    assert_eq!(read.extras.path_variables, Some(json!({"id": "7"})));
    assert_eq!(
        read.extras.settings,
        Some(json!({"followRedirects": false}))
    );
    store.close();
}
