//! One plan split over several engines: three `vayu-cli load` processes, each with its segment
//! and one common start, then `vayu-cli report merge`.

use crate::support::vayu_cli as cli;
use crate::support::{TargetServer, TempDir};
use serde_json::{json, Value};
use std::process::Output;
use std::sync::atomic::Ordering::SeqCst;

use crate::support::stdout_json as json_of;

#[test]
fn three_engines_send_one_schedule_exactly_and_their_reports_merge() {
    let server = TargetServer::start();
    let dir = TempDir::new("segments");
    let run = dir.write(
        "run.json",
        &json!({"request": {"url": server.url("/echo")},
                "config": {"targetRps": 600, "duration": "3s"}})
        .to_string(),
    );
    let start = vayu::clock::rfc3339(vayu::clock::now_millis() + 2500);
    let engines: Vec<_> = (1..=3)
        .map(|i| {
            let segment = format!("{i}/3");
            let run = run.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                cli(&[
                    "load",
                    &run,
                    "--segment",
                    &segment,
                    "--start-at",
                    &start,
                    "--workers",
                    "1",
                    "--no-pin",
                    "--json",
                ])
            })
        })
        .collect();
    let outputs: Vec<Output> = engines.into_iter().map(|e| e.join().unwrap()).collect();
    let mut files = Vec::new();
    let mut sent = 0;
    for (i, out) in outputs.iter().enumerate() {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json_of(out);
        assert_eq!(report["requestsExpected"], 600, "each engine owns a third");
        assert_eq!(report["dropped"], 0);
        assert_eq!(report["segment"], ["0:1/3", "1/3:2/3", "2/3:1"][i]);
        sent += report["requestsSent"].as_u64().unwrap();
        files.push(dir.write(
            &format!("report-{i}.json"),
            &String::from_utf8_lossy(&out.stdout),
        ));
    }
    assert_eq!(sent, 1800, "the three parts are the whole schedule");
    assert_eq!(server.stats.requests.load(SeqCst), 1800);

    let merged = cli(&[
        "report",
        "merge",
        &files[0],
        &files[1],
        &files[2],
        "--json",
        "--threshold",
        "errors<1%",
    ]);
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    let report = json_of(&merged);
    assert_eq!(report["requestsSent"], 1800);
    assert_eq!(report["requestsExpected"], 1800);
    assert_eq!(report["partial"], false);
    assert_eq!(report["targetRps"], 600.0);
    let achieved = report["achievedRps"].as_f64().unwrap();
    assert!((achieved - 600.0).abs() <= 6.0, "merged rate {achieved}/s");
    assert_eq!(report["thresholds"][0]["ok"], true);

    // One engine's report missing: partial, naming its part, exit 2.
    let partial = cli(&["report", "merge", &files[0], &files[2], "--json"]);
    assert_eq!(partial.status.code(), Some(2));
    let report = json_of(&partial);
    assert_eq!(report["partial"], true);
    assert_eq!(report["missingSegments"], json!(["1/3:2/3"]));
}

#[test]
fn bad_segments_and_start_times_are_refused_naming_the_field() {
    let dir = TempDir::new("segments-bad");
    let run = dir.write(
        "run.json",
        &json!({"request": {"url": "http://127.0.0.1:1/"}, "config": {"targetRps": 10, "duration": "1s"}})
            .to_string(),
    );
    for (flags, field) in [
        (&["--segment", "4/3"][..], "config.segment"),
        (&["--segment", "1/4:1/2"][..], "config.segment"),
        (
            &["--start-at", "2001-01-01T00:00:00Z"][..],
            "config.startAt",
        ),
        (&["--start-at", "soon"][..], "config.startAt"),
    ] {
        let mut args = vec!["load", run.as_str()];
        args.extend_from_slice(flags);
        let out = cli(&args);
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(field), "{flags:?}: {err}");
    }
}

/// A `vayu-engine` process on a free port with its own database, killed when dropped.
struct EngineProcess {
    _child: crate::support::EngineProcess,
    base: String,
    _dir: TempDir,
}

impl EngineProcess {
    fn start() -> EngineProcess {
        let dir = TempDir::new("engine");
        let (child, base, _) = crate::support::spawn_engine(&dir.0.join("v.db"));
        EngineProcess {
            _child: child,
            base,
            _dir: dir,
        }
    }
}

#[test]
fn engines_coordinated_over_the_api_merge_and_a_lost_engine_leaves_a_partial_report() {
    let server = TargetServer::start();
    let dir = TempDir::new("engines");
    let run = dir.write(
        "run.json",
        &json!({"request": {"url": server.url("/echo")},
                "config": {"targetRps": 300, "duration": "2s", "thresholds": ["errors<1%"]}})
        .to_string(),
    );
    let engines: Vec<EngineProcess> = (0..3).map(|_| EngineProcess::start()).collect();
    let urls = engines
        .iter()
        .map(|e| e.base.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let out = cli(&["load", &run, "--engines", &urls, "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    assert_eq!(
        report["requestsSent"], 600,
        "the whole schedule over three engines"
    );
    assert_eq!(report["mergedRuns"].as_array().unwrap().len(), 3);
    assert_eq!(report["partial"], false);
    assert_eq!(report["thresholds"][0]["ok"], true);

    // The second engine dies a second into a 4 s run: the others finish, the report is partial.
    let run = dir.write(
        "long.json",
        &json!({"request": {"url": server.url("/echo")}, "config": {"targetRps": 300, "duration": "4s"}})
            .to_string(),
    );
    let cli_run = {
        let (run, urls) = (run.clone(), urls.clone());
        std::thread::spawn(move || cli(&["load", &run, "--engines", &urls, "--json"]))
    };
    let before = server.stats.requests.load(SeqCst);
    while server.stats.requests.load(SeqCst) < before + 100 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut engines = engines;
    let lost = engines.remove(1);
    drop(lost);
    let out = cli_run.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json_of(&out);
    assert_eq!(report["partial"], true);
    assert_eq!(report["missingSegments"], json!(["1/3:2/3"]));
    assert_eq!(report["mergedRuns"].as_array().unwrap().len(), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("engine lost"));
}

/// A server that stalls for 500 ms from its 100th request on: one engine and three segments of
/// the same plan (merged) show the stall alike in the corrected p99.
#[test]
fn three_segments_show_a_stall_in_the_corrected_p99_as_one_engine_does() {
    use vayu::run::{RunManager, RunSpec};
    let engine = crate::support::engine();
    let manager = RunManager::new(std::sync::Arc::new(engine), None).unwrap();
    let run = |server: &TargetServer, config: Value| {
        let spec = RunSpec::from_json(
            &json!({"request": {"url": server.url("/stall-once")}, "config": config}).to_string(),
        )
        .unwrap();
        manager.start(&spec).unwrap()
    };
    let plan = json!({"targetRps": 100, "duration": "3s"});
    let one = {
        let server = TargetServer::start();
        run(&server, plan.clone()).wait().unwrap()
    };
    let server = TargetServer::start();
    let start = vayu::clock::rfc3339(vayu::clock::now_millis() + 500);
    let handles: Vec<_> = (1..=3)
        .map(|i| {
            let mut config = plan.clone();
            config["segment"] = json!(format!("{i}/3"));
            config["startAt"] = json!(start);
            run(&server, config)
        })
        .collect();
    let parts: Vec<_> = handles.into_iter().map(|h| h.wait().unwrap()).collect();
    let merged = vayu::run::merge(&parts, &[]).unwrap().report;
    assert_eq!(
        merged.requests_sent + merged.dropped,
        one.requests_sent + one.dropped
    );
    let p99 = |r: &vayu::run::FinalReport| r.latency_us.corrected.as_ref().unwrap().p99;
    let (alone, split) = (p99(&one), p99(&merged));
    assert!(
        alone >= 300_000 && split >= 300_000,
        "one engine {alone} µs, three {split} µs"
    );
    let ratio = split as f64 / alone as f64;
    assert!(
        (0.75..=1.33).contains(&ratio),
        "one engine {alone} µs, three {split} µs"
    );
}

/// A segment's live snapshots carry the last second's histogram (a coordinator merges them);
/// a run that is not split sends none.
#[test]
fn a_segments_snapshots_carry_their_histogram() {
    use vayu::run::{RunEvent, RunManager, RunSpec};
    let server = TargetServer::start();
    let manager = RunManager::new(std::sync::Arc::new(crate::support::engine()), None).unwrap();
    let histogram_of = |config: Value| {
        let spec = RunSpec::from_json(
            &json!({"request": {"url": server.url("/echo")}, "config": config}).to_string(),
        )
        .unwrap();
        let handle = manager.start(&spec).unwrap();
        let mut found = None;
        for event in handle.events.iter() {
            match event {
                RunEvent::Progress(s) if s.total_requests > 0 => {
                    found = Some(s.last_second_histogram.clone());
                }
                RunEvent::Complete(_) => break,
                _ => {}
            }
        }
        found.expect("progress with requests")
    };
    let split = histogram_of(json!({"targetRps": 200, "duration": "1s", "segment": "1/2"}))
        .expect("a segment's snapshot has its histogram");
    let h = vayu::run::deserialize_histogram(&split).expect("it reads back");
    assert!(!h.is_empty());
    assert_eq!(
        histogram_of(json!({"targetRps": 200, "duration": "1s"})),
        None
    );
}

/// A flow's data rows are striped over the segments: each engine reads the rows its part of the
/// iterations would read over the whole plan, not all of them the first ones.
#[test]
fn segments_of_a_flow_stripe_its_data_rows() {
    use vayu::run::{RunManager, RunSpec};
    let server = TargetServer::start();
    let manager = RunManager::new(std::sync::Arc::new(crate::support::engine()), None).unwrap();
    let rows = json!([{"user": "ann"}, {"user": "bob"}, {"user": "cy"}, {"user": "dee"}]);
    for i in 1..=2 {
        let spec = RunSpec::from_json(
            &json!({"flow": [{"name": "login", "method": "POST", "url": server.url("/login/{{user}}")}],
                    "data": rows,
                    "config": {"executor": "shared-iterations", "vus": 1, "iterations": 4, "segment": format!("{i}/2")}})
            .to_string(),
        )
        .unwrap();
        let report = manager.start(&spec).unwrap().wait().unwrap();
        assert_eq!(
            report.flow.as_ref().unwrap().iterations,
            2,
            "half the iterations each"
        );
    }
    for user in ["ann", "bob", "cy", "dee"] {
        assert_eq!(
            server.stats.path_count(&format!("/login/{user}")),
            1,
            "{user}: each row once"
        );
    }
}
