//! `vayu-cli` as a user runs it: exit codes, text and JSON output.

use crate::support::vayu_cli;
use crate::support::{closed_port, TargetServer, TempDir};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_prints_the_response() {
    let server = TargetServer::start();
    let dir = TempDir::new("run");
    let file = dir.write(
        "req.json",
        &format!(
            r#"{{"method": "POST", "url": "{}", "body": {{"a": 1}}}}"#,
            server.url("/echo")
        ),
    );
    let out = vayu_cli(&["run", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("HTTP/1.1 200 OK\n"), "{text}");
    assert!(text.contains("timings: dns"), "{text}");
    assert!(text.contains("Content-Type: application/json"), "{text}");
    assert!(
        text.contains("\n  \"method\": \"POST\""),
        "body should be pretty-printed JSON: {text}"
    );
}

#[test]
fn run_json_is_one_object() {
    let server = TargetServer::start();
    let dir = TempDir::new("runjson");
    let file = dir.write(
        "req.json",
        &format!(r#"{{"url": "{}"}}"#, server.url("/status/404")),
    );
    let out = vayu_cli(&["run", "--json", &file]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("stdout is one JSON object");
    assert_eq!(v["ok"], true);
    assert_eq!(v["response"]["status"], 404);
    assert!(v["response"]["timings"]["total"].as_u64().unwrap() > 0);
}

#[test]
fn run_transport_error_exits_2_and_says_which() {
    let dir = TempDir::new("refused");
    let file = dir.write(
        "req.json",
        &format!(r#"{{"url": "http://127.0.0.1:{}/"}}"#, closed_port()),
    );
    let out = vayu_cli(&["run", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("connect error"), "{}", stderr(&out));
    let out = vayu_cli(&["run", "--json", &file]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["error"]["category"], "connect");
}

#[test]
fn run_bad_input_exits_2_and_names_the_field() {
    let dir = TempDir::new("bad");
    let file = dir.write("req.json", r#"{"url": "localhost:8080/x"}"#);
    let out = vayu_cli(&["run", &file]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("url:") && err.contains("http://localhost:8080/x"),
        "{err}"
    );

    let out = vayu_cli(&[
        "run",
        &dir.write("m.json", r#"{"url": "http://h/", "method": "FE TCH"}"#),
    ]);
    assert!(
        stderr(&out).contains("method: `FE TCH` is not an HTTP method"),
        "{}",
        stderr(&out)
    );

    let out = vayu_cli(&["run", &dir.write("j.json", "{not json")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not valid JSON"), "{}", stderr(&out));

    let out = vayu_cli(&["run", "/nonexistent/vayu/req.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read request file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn batch_summarises_and_counts() {
    let server = TargetServer::start();
    let dir = TempDir::new("batch");
    let a = dir.write(
        "a.json",
        &format!(r#"{{"url": "{}"}}"#, server.url("/status/200")),
    );
    let b = dir.write(
        "b.json",
        &format!(
            r#"[{{"url": "{}"}}, {{"url": "{}"}}]"#,
            server.url("/status/201"),
            server.url("/status/500")
        ),
    );
    let out = vayu_cli(&[
        "batch",
        &a,
        &b,
        "--repeat",
        "4",
        "--concurrency",
        "3",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["completed"], 12);
    assert_eq!(v["ok"], 8);
    assert_eq!(v["failed"], 4);
    assert_eq!(v["statusCodes"]["500"], 4);
    assert_eq!(
        server
            .stats
            .requests
            .load(std::sync::atomic::Ordering::SeqCst),
        12
    );

    let out = vayu_cli(&["batch", &a, "--repeat", "5"]);
    let text = stdout(&out);
    assert!(text.contains("ok / failed   5 / 0"), "{text}");
    assert!(text.contains("status codes  200: 5"), "{text}");
    assert!(text.contains("p99"), "{text}");
}

#[test]
fn version_and_help() {
    let out = vayu_cli(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("vayu-cli ") && text.contains("libcurl") && text.contains("commit"),
        "{text}"
    );
    for args in [&["--help"][..], &["run", "--help"], &["batch", "--help"]] {
        let out = vayu_cli(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stdout(&out).contains("Usage"), "{args:?}");
    }
}

fn open_db(path: &std::path::Path) -> (vayu::store::Store, vayu::store::Reader) {
    let store = vayu::store::Store::open(path).unwrap();
    let reader = store.reader().unwrap();
    (store, reader)
}

#[test]
fn run_with_db_records_a_design_run_in_full() {
    let server = TargetServer::start();
    let dir = TempDir::new("run-db");
    let db = dir.0.join("v.db");
    let file = dir.write(
        "req.json",
        &format!(r#"{{"name": "echo it", "url": "{}"}}"#, server.url("/echo")),
    );
    let out = vayu_cli(&["run", &file, "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let refused = dir.write(
        "refused.json",
        &format!(r#"{{"url": "http://127.0.0.1:{}/"}}"#, closed_port()),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vayu-cli"))
        .args(["run", &refused])
        .env("VAYU_DB", &db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let (_store, reader) = open_db(&db);
    let runs = reader.list_runs(&Default::default()).unwrap();
    assert_eq!(runs.total, 2);
    let failed = &runs.items[0];
    assert_eq!(
        (failed.run_type, failed.status),
        (vayu::store::RunType::Design, vayu::store::RunStatus::Failed)
    );
    assert!(
        failed.error.as_deref().unwrap().contains("connect"),
        "{:?}",
        failed.error
    );
    let ok = &runs.items[1];
    assert_eq!(ok.status, vayu::store::RunStatus::Completed);
    let results = reader.run_results(&ok.id, None, None).unwrap();
    assert_eq!(results.total, 1);
    let trace = results.items[0].trace_data.as_ref().unwrap();
    assert_eq!(trace["request"]["name"], "echo it");
    assert_eq!(trace["result"]["response"]["status"], 200);
    assert_eq!(results.items[0].status_code, Some(200));
}

#[test]
fn batch_with_db_records_a_load_run() {
    let server = TargetServer::start();
    let dir = TempDir::new("batch-db");
    let db = dir.0.join("v.db");
    let file = dir.write(
        "reqs.json",
        &format!(
            r#"[{{"url": "{}"}}, {{"url": "{}"}}]"#,
            server.url("/status/200"),
            server.url("/status/500")
        ),
    );
    let out = vayu_cli(&[
        "batch",
        &file,
        "--repeat",
        "250",
        "--concurrency",
        "8",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let (_store, reader) = open_db(&db);
    let runs = reader.list_runs(&Default::default()).unwrap();
    assert_eq!(runs.total, 1);
    let run = &runs.items[0];
    assert_eq!(
        (run.run_type, run.status),
        (
            vayu::store::RunType::Load,
            vayu::store::RunStatus::Completed
        )
    );
    assert_eq!(run.summary.as_ref().unwrap()["completed"], 500);
    assert_eq!(run.config["concurrency"], 8);
    let results = reader.run_results(&run.id, Some(1000), None).unwrap();
    let failures = results
        .items
        .iter()
        .filter(|r| r.status_code == Some(500))
        .count();
    let successes = results
        .items
        .iter()
        .filter(|r| r.status_code == Some(200))
        .count();
    assert_eq!(failures, 250, "every failure is recorded");
    // One in 100 successes per worker (each worker samples its own): 250 successes over the workers.
    assert!(
        (2..=4).contains(&successes),
        "{successes} successes sampled"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let dir = TempDir::new("not-db");
    let file = dir.write("req.json", r#"{"url": "http://127.0.0.1:1/"}"#);
    let notes = dir.write("notes.txt", "hello");
    let out = vayu_cli(&["run", &file, "--db", &notes]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("notes.txt") && stderr(&out).contains("not a SQLite database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "hello");
}

fn run_file(dir: &TempDir, url: &str, config: &str) -> String {
    dir.write(
        "run.json",
        &format!(r#"{{"request": {{"url": "{url}"}}, "config": {config}}}"#),
    )
}

#[test]
fn load_prints_a_json_report_and_exits_by_thresholds() {
    let server = TargetServer::start();
    let dir = TempDir::new("load");
    let file = run_file(
        &dir,
        &server.url("/echo"),
        r#"{"mode": "iterations", "iterations": 200, "concurrency": 4}"#,
    );
    let out = vayu_cli(&["load", &file, "--json", "--threshold", "errors<1%"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (
            v["status"].as_str(),
            v["completed"].as_u64(),
            v["mode"].as_str()
        ),
        (Some("completed"), Some(200), Some("iterations"))
    );
    assert_eq!(v["thresholds"][0]["ok"], true);

    let out = vayu_cli(&[
        "load",
        &file,
        "--iterations",
        "20",
        "--threshold",
        "p50<1us",
    ]);
    assert_eq!(out.status.code(), Some(1), "a violated threshold exits 1");
    let text = stdout(&out);
    assert!(text.contains("FAIL p50<1us"), "{text}");
    assert!(
        text.contains("requests      20 sent of 20 planned"),
        "{text}"
    );

    let out = vayu_cli(&["load", &file, "--rps", "50", "--duration", "1s", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (v["mode"].as_str(), v["requestsExpected"].as_u64()),
        (Some("open"), Some(50))
    );
}

#[test]
fn load_refuses_bad_run_files_naming_the_field() {
    let dir = TempDir::new("load-bad");
    let file = run_file(
        &dir,
        "http://127.0.0.1:1/",
        r#"{"duration": "3s", "targetRps": 10, "concurrency": 4}"#,
    );
    let out = vayu_cli(&["load", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("config.concurrency"),
        "{}",
        stderr(&out)
    );
    let out = vayu_cli(&["load", &file, "--threshold", "p95 under 5ms", "--rps", "5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("config.thresholds[0]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn load_with_db_records_status_metrics_and_report() {
    let server = TargetServer::start();
    let dir = TempDir::new("load-db");
    let db = dir.0.join("v.db");
    let file = run_file(
        &dir,
        &server.url("/echo"),
        r#"{"duration": "1.2s", "targetRps": 100}"#,
    );
    let out = vayu_cli(&["load", &file, "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_store, reader) = open_db(&db);
    let run = reader
        .list_runs(&Default::default())
        .unwrap()
        .items
        .remove(0);
    assert_eq!(run.status, vayu::store::RunStatus::Completed);
    assert_eq!(run.summary.unwrap()["requestsExpected"], 120);
    assert!(!reader
        .run_metrics(&run.id, Some("requests_sent"), None)
        .unwrap()
        .is_empty());
}

#[test]
fn load_stops_on_sigint_and_still_reports() {
    let server = TargetServer::start();
    let dir = TempDir::new("load-sigint");
    let file = run_file(
        &dir,
        &server.url("/delay/50"),
        r#"{"duration": "60s", "concurrency": 4, "gracefulStop": "2s"}"#,
    );
    let child = Command::new(env!("CARGO_BIN_EXE_vayu-cli"))
        .args(["load", &file, "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while server
        .stats
        .requests
        .load(std::sync::atomic::Ordering::SeqCst)
        < 10
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    crate::support::signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["status"], "stopped");
    assert_eq!(v["completed"], v["requestsSent"]);
    assert_eq!(
        v["aborted"], 0,
        "50 ms requests finish within a 2 s graceful stop"
    );
}

/// Issue 25 (4): a second Ctrl-C exited at once, without the report of what was done.
#[test]
fn a_second_sigint_aborts_in_flight_requests_and_still_reports() {
    let silent = crate::support::SilentServer::start();
    let dir = TempDir::new("load-sigint-twice");
    let file = run_file(
        &dir,
        &silent.url,
        r#"{"duration": "60s", "concurrency": 2, "gracefulStop": "1h", "timeout": 0}"#,
    );
    let child = Command::new(env!("CARGO_BIN_EXE_vayu-cli"))
        .args(["load", &file, "--json", "--workers", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both requests in flight (the Ctrl-C handler is set as the run starts).
    silent.wait_for_connections(2);
    for _ in 0..2 {
        crate::support::signal(&child, "INT");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["status"], "stopped");
    assert_eq!(v["requestsSent"], 2, "{v}");
    assert_eq!(
        v["aborted"], 2,
        "the two requests the server never answered: {v}"
    );
}

#[test]
fn run_prints_test_results_and_exits_1_on_a_failure() {
    let server = TargetServer::start();
    let dir = TempDir::new("run-scripts");
    let env = dir.write(
        "env.json",
        &format!(r#"{{"baseUrl": "{}", "expected": 200}}"#, server.url("")),
    );
    let file = dir.write(
        "req.json",
        r#"{"url": "{{baseUrl}}/status/{{expected}}",
            "testScript": ["pm.test('status is expected', () => pm.response.to.have.status(pm.environment.get('expected')));",
                           "console.log('code', pm.response.code);",
                           "pm.environment.set('last', pm.response.code);"]}"#,
    );
    let out = vayu_cli(&["run", &file, "--env", &env, "--save-env"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("PASS status is expected"), "{text}");
    assert!(text.contains("[log] code 200"), "{text}");
    assert!(
        text.contains("tests: 1 passed, 0 failed, 0 skipped"),
        "{text}"
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&env).unwrap()).unwrap();
    assert_eq!(saved["last"], 200, "--save-env writes the environment back");

    let failing = dir.write("fail.json", &format!(r#"{{"url": "{}", "testScript": "pm.test('ok', () => pm.expect(pm.response.code).to.equal(200));"}}"#, server.url("/status/503")));
    let out = vayu_cli(&["run", &failing]);
    assert_eq!(out.status.code(), Some(1), "a failed test exits 1");
    assert!(
        stdout(&out).contains("FAIL ok: expected 503 to equal 200"),
        "{}",
        stdout(&out)
    );
    let out = vayu_cli(&["run", &failing, "--json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["test"]["tests"][0]["passed"].as_bool()),
        (Some(false), Some(false))
    );

    let broken = dir.write(
        "broken.json",
        &format!(
            r#"{{"url": "{}", "testScript": ["var a = 1;", "a.b.c = 2;"]}}"#,
            server.url("/echo")
        ),
    );
    let out = vayu_cli(&["run", &broken]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("test script error at line 2"),
        "{}",
        stdout(&out)
    );

    let unresolved = dir.write("unresolved.json", r#"{"url": "{{nowhere}}/x"}"#);
    let out = vayu_cli(&["run", &unresolved]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("{{nowhere}}") && stderr(&out).contains("url"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn batch_reports_tests_per_name() {
    let server = TargetServer::start();
    let dir = TempDir::new("batch-scripts");
    let file = dir.write(
        "reqs.json",
        &format!(
            r#"[{{"url": "{}", "testScript": "pm.test('is 200', () => pm.response.to.have.status(200));"}},
                {{"url": "{}", "testScript": "pm.test('is 200', () => pm.response.to.have.status(200)); pm.test('json', () => pm.response.to.be.json);"}}]"#,
            server.url("/status/200"),
            server.url("/status/500")
        ),
    );
    let out = vayu_cli(&["batch", &file, "--repeat", "10", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "failed tests exit 1: {}",
        stderr(&out)
    );
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["tests"]["tests"]["is 200"]["passed"], 10);
    assert_eq!(v["tests"]["tests"]["is 200"]["failed"], 10);
    assert_eq!(v["tests"]["tests"]["json"]["failed"], 10);
    let text = stdout(&vayu_cli(&["batch", &file, "--repeat", "2"]));
    assert!(text.contains("tests         2 passed, 4 failed"), "{text}");
    assert!(text.contains("FAIL is 200: 2 passed, 2 failed"), "{text}");
}

#[test]
fn batch_runs_pre_request_scripts_before_every_send() {
    let server = TargetServer::start();
    let dir = TempDir::new("batch-pre");
    let file = dir.write(
        "req.json",
        &format!(
            r#"{{"url": "{}", "headers": {{"X-Seq": "{{{{seq}}}}"}},
                 "preRequestScript": "pm.environment.set('seq', pm.info.iteration); if (pm.info.iteration % 2) pm.execution.skipRequest();",
                 "testScript": "pm.test('sent even', () => pm.expect(Number(pm.response.json().headers.find(h => h[0] === 'x-seq')[1]) % 2).to.equal(0));"}}"#,
            server.url("/echo")
        ),
    );
    let out = vayu_cli(&["batch", &file, "--repeat", "20", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["completed"], 10, "odd sends are skipped by the script");
    assert_eq!(server.stats.path_count("/echo"), 10);
    assert_eq!(v["tests"]["scriptErrors"], 0);
    assert_eq!(v["tests"]["tests"]["sent even"]["passed"], 10);
}

#[test]
fn batch_scripts_send_requests_and_their_callbacks_are_tallied() {
    let server = TargetServer::start();
    let dir = TempDir::new("batch-send");
    let file = dir.write(
        "req.json",
        &format!(
            r#"{{"url": "{}",
                 "preRequestScript": "pm.sendRequest('{}', (e, r) => pm.test('pre side', () => pm.expect(r.code).to.equal(201)));",
                 "testScript": "pm.sendRequest('{}', (e, r) => pm.test('test side', () => pm.expect(r.code).to.equal(202)));"}}"#,
            server.url("/echo"),
            server.url("/status/201"),
            server.url("/status/202")
        ),
    );
    let out = vayu_cli(&[
        "batch",
        &file,
        "--repeat",
        "30",
        "--concurrency",
        "4",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v["completed"], 30,
        "side requests are not counted as the batch's"
    );
    assert_eq!(v["tests"]["tests"]["pre side"]["passed"], 30);
    assert_eq!(v["tests"]["tests"]["test side"]["passed"], 30);
    assert_eq!(v["tests"]["scriptErrors"], 0);
    for path in ["/echo", "/status/201", "/status/202"] {
        assert_eq!(server.stats.path_count(path), 30, "{path}");
    }
}

/// A daemon on a free loopback port with its database in `dir`, and its URL.
fn start_daemon(dir: &TempDir) -> (vayu::api::Daemon, String) {
    let daemon = vayu::api::Daemon::start(vayu::api::DaemonConfig {
        port: 0,
        db: dir.0.join("engine.db"),
        workers: 1,
        pin_workers: false,
        ..Default::default()
    })
    .unwrap();
    let engine = format!("http://{}", daemon.addr());
    (daemon, engine)
}

#[test]
fn run_and_load_through_an_engine() {
    let server = TargetServer::start();
    let dir = TempDir::new("engine-client");
    let (daemon, engine) = start_daemon(&dir);

    let req = dir.write("req.json", &format!(r#"{{"url": "{}", "testScript": "pm.test('is 200', () => pm.response.to.have.status(200));"}}"#, server.url("/echo")));
    let out = vayu_cli(&["run", &req, "--engine", &engine]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("PASS is 200"), "{}", stdout(&out));

    let run = dir.write("run.json", &format!(r#"{{"request": {{"url": "{}"}}, "config": {{"mode": "iterations", "iterations": 40, "concurrency": 4}}}}"#, server.url("/echo")));
    let out = vayu_cli(&[
        "load",
        &run,
        "--engine",
        &engine,
        "--json",
        "--threshold",
        "errors<1%",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (report["completed"].as_u64(), report["status"].as_str()),
        (Some(40), Some("completed"))
    );
    assert_eq!(report["thresholds"][0]["ok"], true);

    let bad = dir.write(
        "bad.json",
        &format!(
            r#"{{"request": {{"url": "{}"}}, "config": {{"duration": "1s"}}}}"#,
            server.url("/echo")
        ),
    );
    let out = vayu_cli(&["load", &bad, "--engine", &engine]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("config.targetRps"),
        "{}",
        stderr(&out)
    );

    let out = vayu_cli(&["run", &req, "--engine", &engine, "--db", "x.db"]);
    assert_eq!(out.status.code(), Some(2));
    daemon.shutdown();

    let out = vayu_cli(&[
        "run",
        &req,
        "--engine",
        &format!("http://127.0.0.1:{}", closed_port()),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot reach the engine"),
        "{}",
        stderr(&out)
    );
}

/// Runs `vayu-cli run` for `url` with exactly these proxy variables in its environment.
fn run_with_proxy_env(dir: &TempDir, url: &str, vars: &[(&str, &str)]) -> Output {
    let file = dir.write("req.json", &format!(r#"{{"url": "{url}"}}"#));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vayu-cli"));
    for (name, _) in std::env::vars() {
        if name.to_ascii_lowercase().ends_with("_proxy") {
            cmd.env_remove(name);
        }
    }
    cmd.args(["run", "--json", &file])
        .envs(vars.iter().copied())
        .output()
        .expect("vayu-cli runs")
}

#[test]
fn proxy_variables_are_honoured() {
    let target = TargetServer::start();
    let proxy = TargetServer::start();
    let dir = TempDir::new("proxyenv");
    let url = target.url("/status/201");
    let proxy_url = proxy.url("");

    let out = run_with_proxy_env(&dir, &url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        target.stats.path_count("/status/201"),
        1,
        "direct without a proxy variable"
    );

    let out = run_with_proxy_env(&dir, &url, &[("http_proxy", &proxy_url)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        proxy.stats.path_count("/status/201"),
        1,
        "sent through http_proxy"
    );
    assert_eq!(target.stats.path_count("/status/201"), 1);

    let out = run_with_proxy_env(
        &dir,
        &url,
        &[("http_proxy", &proxy_url), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        target.stats.path_count("/status/201"),
        2,
        "NO_PROXY exempts the host"
    );
    assert_eq!(proxy.stats.path_count("/status/201"), 1);
}

#[test]
fn load_runs_a_collection_flow_with_csv_data_locally_and_through_an_engine() {
    let server = TargetServer::start();
    let dir = TempDir::new("load-flow");
    let collection = serde_json::json!({
        "info": {"name": "Journey", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "login", "request": {"method": "POST", "url": "{{base}}/login/{{user}}"},
             "event": [{"listen": "test", "script": {"exec": ["pm.environment.set('token', pm.response.json().token);"]}}]},
            {"name": "me", "request": {"method": "GET", "url": "{{base}}/me",
             "header": [{"key": "Authorization", "value": "Bearer {{token}}"}]},
             "event": [{"listen": "test", "script": {"exec": ["pm.test('me', () => pm.expect(pm.response.json().user).to.eql(pm.iterationData.get('user')));"]}}]}
        ]
    });
    dir.write("journey.postman_collection.json", &collection.to_string());
    dir.write("users.csv", "user\nann\nbob\ncy\n");
    let run = dir.write(
        "run.json",
        &serde_json::json!({
            "flow": {"collection": "journey.postman_collection.json"},
            "data": "users.csv",
            "environment": {"base": server.url("")},
            "config": {"executor": "shared-iterations", "vus": 2, "iterations": 9}
        })
        .to_string(),
    );
    let out = vayu_cli(&["load", &run, "--threshold", "step:me p95<10s"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("iterations    9 completed"), "{text}");
    assert!(
        text.contains("data          3 rows (more iterations than rows"),
        "{text}"
    );
    assert!(text.contains("PASS me"), "{text}");
    assert_eq!(
        server.stats.path_count("/login/bob"),
        3,
        "rows handed out in turn"
    );

    // A step's threshold decides the exit code.
    let out = vayu_cli(&["load", &run, "--threshold", "step:me p95<1us"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // The same run file through a daemon: the CLI reads the files and sends their content.
    let (daemon, engine) = start_daemon(&dir);
    let out = vayu_cli(&["load", &run, "--engine", &engine, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["flow"]["iterations"], 9);
    assert_eq!(report["flow"]["steps"][1]["statusCodes"]["200"], 9);
    daemon.shutdown();

    let missing = dir.write(
        "missing.json",
        r#"{"flow": {"collection": "nope.json"}, "config": {"executor": "shared-iterations"}}"#,
    );
    let out = vayu_cli(&["load", &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("flow.collection"), "{}", stderr(&out));
}

/// Issue 26: a run whose every request failed looked fine: `p95<200ms (actual 0.000ms)` passed
/// over 15,000 connection errors and the summary began with the sent count.
#[test]
fn a_run_with_no_response_fails_its_latency_threshold_and_leads_with_its_failures() {
    let dir = TempDir::new("no-response");
    let url = format!("http://127.0.0.1:{}/", crate::support::closed_port());
    let file = run_file(&dir, &url, r#"{"mode": "iterations", "iterations": 20}"#);
    let out = vayu_cli(&[
        "load",
        &file,
        "--threshold",
        "p95<200ms",
        "--threshold",
        "errors<101%",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].starts_with("FAILED        20 of 20 requests (100.0%); most: connect (20,"),
        "{text}"
    );
    assert!(
        text.contains("FAIL p95<200ms (actual no response to measure)"),
        "{text}"
    );
    assert!(text.contains("ok   errors<101%"), "{text}");

    let request = dir.write("get.json", &format!(r#"{{"url": "{url}"}}"#));
    let out = vayu_cli(&["batch", &request, "--repeat", "5"]);
    assert!(
        stdout(&out).starts_with("FAILED        5 of 5 requests (100.0%)"),
        "{}",
        stdout(&out)
    );
}
