//! Flows at load: virtual users run a journey (log in, use the token, read a cookie) under each
//! of k6's executors; counted from the server's side and from the report, per step.

use crate::support::{engine_with, TargetServer, TempDir};
use serde_json::{json, Value};
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use vayu::engine::EngineConfig;
use vayu::run::{FinalReport, FlowReport, RunEvent, RunManager, RunSpec};
use vayu::store::{RunStatus, Store};

fn manager() -> RunManager {
    RunManager::new(Arc::new(engine_with(EngineConfig::default())), None).unwrap()
}

/// Log in as the data row's user and keep the token; a page that needs it (the server answers
/// 401 without the right one) and must name the same user; then a cookie set for the user,
/// which only that user's jar may send back.
fn journey(server: &TargetServer) -> Value {
    json!([
        {
            "name": "login",
            "method": "POST",
            "url": server.url("/login/{{user}}"),
            "testScript": "pm.test('logged in', () => pm.response.to.have.status(200)); pm.environment.set('token', pm.response.json().token);"
        },
        {
            "name": "me",
            "url": server.url("/me"),
            "headers": {"Authorization": "Bearer {{token}}"},
            "testScript": "pm.test('same user', () => pm.expect(pm.response.json().user).to.eql(pm.iterationData.get('user')));"
        },
        {
            "name": "set cookie",
            "method": "POST",
            "url": server.url("/respond"),
            "body": {"status": 200, "headers": {"Set-Cookie": "who={{user}}; Path=/"}, "body": "ok"}
        },
        {
            "name": "cookie back",
            "url": server.url("/echo"),
            "testScript": "const sent = pm.response.json().headers.filter(h => h[0].toLowerCase() === 'cookie').map(h => h[1]); pm.test('own cookie', () => pm.expect(sent).to.eql(['who=' + pm.iterationData.get('user')]));"
        }
    ])
}

fn rows() -> Value {
    json!([{"user": "ann"}, {"user": "bob"}, {"user": "cy"}, {"user": "dee"}, {"user": "eve"}])
}

fn run_spec(flow: Value, config: Value) -> RunSpec {
    RunSpec::from_json(&json!({"flow": flow, "data": rows(), "config": config}).to_string())
        .unwrap()
}

fn run(manager: &RunManager, spec: &RunSpec) -> FinalReport {
    manager.start(spec).unwrap().wait().expect("a final report")
}

fn flow(report: &FinalReport) -> &FlowReport {
    report.flow.as_ref().expect("a flow run reports its flow")
}

/// Every step's counts add up to the run's; no request failed and every check passed.
/// `me_before`: the server's count of `me` requests before the run.
fn assert_clean(report: &FinalReport, server: &TargetServer, me_before: u64) {
    let f = flow(report);
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.error);
    assert_eq!(
        report.status_codes.get(&401),
        None,
        "a step went without its token"
    );
    assert_eq!(
        server.stats.path_count("/me") - me_before,
        f.steps[1].completed
    );
    let by_steps: u64 = f.steps.iter().map(|s| s.completed).sum();
    assert_eq!(by_steps, report.completed, "steps add up to the run");
    assert_eq!(report.failed, 0, "{:?}", report.errors);
    let tests = report.tests.as_ref().expect("the steps have tests");
    assert_eq!(tests.failed(), 0, "{:?}", tests);
    assert_eq!(tests.script_errors, 0, "{:?}", tests.first_error);
    assert!(tests.passed() > 0);
    assert_eq!(
        tests.tests["same user"].passed, f.steps[1].completed,
        "every `me` step checked its user"
    );
}

#[test]
fn a_journey_chains_its_token_and_cookies_under_every_executor() {
    let server = TargetServer::start();
    let manager = manager();
    let configs = [
        json!({"executor": "constant-vus", "vus": 4, "duration": "1s"}),
        json!({"executor": "ramping-vus", "startVUs": 0, "stages": [{"duration": "0.5s", "target": 4}, {"duration": "0.5s", "target": 0}]}),
        json!({"executor": "per-vu-iterations", "vus": 3, "iterations": 4}),
        json!({"executor": "shared-iterations", "vus": 4, "iterations": 25}),
        json!({"executor": "constant-arrival-rate", "rate": 40, "duration": "1s", "maxVUs": 20}),
        json!({"executor": "ramping-arrival-rate", "startRate": 10, "stages": [{"duration": "1s", "target": 50}], "maxVUs": 20}),
    ];
    for config in configs {
        let before = server.stats.path_count("/me");
        let report = run(&manager, &run_spec(journey(&server), config.clone()));
        let f = flow(&report);
        assert_clean(&report, &server, before);
        assert!(f.iterations > 0, "{config}: no iteration");
        assert_eq!(f.steps.len(), 4);
        assert_eq!(f.steps[0].name, "login");
        // Every iteration ran every step once.
        assert!(
            f.steps.iter().all(|s| s.completed == f.iterations),
            "{config}: {:?}",
            f.steps.iter().map(|s| s.completed).collect::<Vec<_>>()
        );
    }
}

#[test]
fn iteration_executors_run_exactly_their_count() {
    let server = TargetServer::start();
    let manager = manager();
    let report = run(
        &manager,
        &run_spec(
            journey(&server),
            json!({"executor": "per-vu-iterations", "vus": 3, "iterations": 4}),
        ),
    );
    assert_clean(&report, &server, 0);
    let f = flow(&report);
    assert_eq!((f.iterations, f.users), (12, 3));
    assert_eq!(f.iterations_expected, Some(12));
    assert_eq!(
        server.stats.path_count("/login/ann"),
        3,
        "rows go round: 12 iterations over 5 rows"
    );
    assert!(f.data_wrapped);

    let before = server.stats.path_count("/me");
    let report = run(
        &manager,
        &run_spec(
            journey(&server),
            json!({"executor": "shared-iterations", "vus": 4, "iterations": 25}),
        ),
    );
    assert_clean(&report, &server, before);
    assert_eq!(flow(&report).iterations, 25);
    assert!(flow(&report).users <= 4);
}

#[test]
fn arrival_rate_keeps_to_its_plan_and_counts_what_finds_no_free_user() {
    let server = TargetServer::start();
    let manager = manager();
    let step = |path: &str| json!([{"name": "page", "url": server.url(path)}]);
    // Enough users: every planned iteration starts.
    let report = run(
        &manager,
        &RunSpec::from_json(
            &json!({"flow": step("/echo"), "config": {"executor": "constant-arrival-rate", "rate": 100, "duration": "2s", "maxVUs": 50}}).to_string(),
        )
        .unwrap(),
    );
    let f = flow(&report);
    assert_eq!(f.iterations_expected, Some(200));
    assert_eq!(f.iterations + f.dropped_iterations, 200);
    assert!(f.iterations >= 198, "{} of 200", f.iterations);
    assert!(
        report.latency_us.corrected.is_some(),
        "open model: corrected latency"
    );

    // Two users for 50 iterations/s of 200 ms each: about 10/s start, the rest are dropped,
    // never started late.
    let report = run(
        &manager,
        &RunSpec::from_json(
            &json!({"flow": step("/delay/200"), "config": {"executor": "constant-arrival-rate", "rate": 50, "duration": "2s", "maxVUs": 2, "thresholds": ["dropped_iterations==0"]}}).to_string(),
        )
        .unwrap(),
    );
    let f = flow(&report);
    assert_eq!(f.iterations + f.dropped_iterations, 100);
    assert!(
        f.dropped_iterations >= 60,
        "dropped {}",
        f.dropped_iterations
    );
    assert!(f.users <= 2);
    assert!(
        !report.thresholds_ok,
        "the dropped iterations fail the threshold"
    );
    assert_eq!(server.stats.path_count("/delay/200"), f.iterations);
}

#[test]
fn step_thresholds_and_iteration_duration_decide() {
    let server = TargetServer::start();
    let manager = manager();
    let flow_json = json!([
        {"name": "fast", "url": server.url("/echo")},
        {"name": "slow", "url": server.url("/delay/30"), "thinkTime": "10ms"}
    ]);
    let spec = RunSpec::from_json(
        &json!({"flow": flow_json, "config": {"executor": "shared-iterations", "vus": 2, "iterations": 10,
            "thresholds": ["step:slow p95<5ms", "step:fast p95<5s", "iteration_duration min>=40ms", "checks>=99%"]}})
        .to_string(),
    )
    .unwrap();
    let report = run(&manager, &spec);
    let results: Vec<bool> = report.thresholds.iter().map(|t| t.ok).collect();
    assert_eq!(
        results,
        [false, true, true, true],
        "{:?}",
        report.thresholds
    );
    assert!(!report.thresholds_ok);

    // A step the flow does not have is refused, naming the threshold.
    let bad = RunSpec::from_json(
        &json!({"flow": [{"name": "a", "url": server.url("/echo")}], "config": {"executor": "shared-iterations", "thresholds": ["step:b p95<1s"]}}).to_string(),
    )
    .unwrap();
    let error = bad.prepare(100).unwrap_err();
    assert_eq!(error.field, "config.thresholds[0]");
    assert!(
        error.message.contains("no step named `b`"),
        "{}",
        error.message
    );
}

#[test]
fn steps_reach_the_snapshots_and_the_database() {
    let server = TargetServer::start();
    let dir = TempDir::new("journey-store");
    let store = Store::open(dir.0.join("v.db")).unwrap();
    let manager = RunManager::new(
        Arc::new(engine_with(EngineConfig::default())),
        Some(store.writer()),
    )
    .unwrap();
    let spec = run_spec(
        journey(&server),
        json!({"executor": "constant-vus", "vus": 2, "duration": "1.5s", "record": "all"}),
    );
    let handle = manager.start(&spec).unwrap();
    let mut last = None;
    let report = loop {
        match handle.events.recv().unwrap() {
            RunEvent::Progress(p) => last = Some(p),
            RunEvent::Complete(report) => break report,
        }
    };
    let snapshot = last.expect("progress before the end");
    let steps = &snapshot.flow.as_ref().expect("a steps table").steps;
    assert_eq!(
        steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["login", "me", "set cookie", "cookie back"]
    );
    assert!(steps[0].requests > 0);
    store.writer().flush().unwrap();
    let reader = store.reader().unwrap();
    let metrics = reader
        .run_metrics(&handle.id, Some("total_requests"), None)
        .unwrap();
    assert!(metrics
        .iter()
        .any(|m| m.labels.as_ref().is_some_and(|l| l["step"] == "me")));
    let results = reader.run_results(&handle.id, Some(1000), None).unwrap();
    assert_eq!(results.items.len() as u64, report.completed.min(1000));
    let trace = results.items[0].trace_data.as_ref().expect("a trace");
    assert!(trace["step"].is_string() && trace["vu"].is_u64() && trace["iteration"].is_u64());
    assert_eq!(server.stats.requests.load(SeqCst), report.completed);
}

#[test]
fn flow_control_and_the_user_cap_hold_at_load() {
    let server = TargetServer::start();
    let manager = manager();
    // Step "a" jumps over "b" to "c" by name; "d" skips its own request; "e" ends the iteration.
    let flow_json = json!([
        {"name": "a", "url": server.url("/echo?a"), "testScript": "pm.execution.setNextRequest('c');"},
        {"name": "b", "url": server.url("/echo?b")},
        {"name": "c", "url": server.url("/delay/5")},
        {"name": "d", "url": server.url("/echo?d"), "preRequestScript": "pm.execution.skipRequest();"},
        {"name": "e", "url": server.url("/echo?e"), "testScript": "postman.setNextRequest(null);"},
        {"name": "f", "url": server.url("/echo?f")}
    ]);
    let spec = RunSpec::from_json(
        &json!({"flow": flow_json, "config": {"executor": "ramping-vus", "startVUs": 0,
            "stages": [{"duration": "0.4s", "target": 3}, {"duration": "0.4s", "target": 3}]}})
        .to_string(),
    )
    .unwrap();
    let report = run(&manager, &spec);
    let f = flow(&report);
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.error);
    let counts: Vec<u64> = f.steps.iter().map(|s| s.completed).collect();
    let n = f.iterations;
    assert!(n > 0);
    assert_eq!(
        counts,
        [n, 0, n, 0, n, 0],
        "jumps, skips and ends as written"
    );
    assert!(
        server.stats.max_in_flight.load(SeqCst) <= 3,
        "never more users than the target"
    );
    assert!(f.users <= 3);

    // A stop ends the run without waiting for its duration; the run is `stopped`.
    let long = RunSpec::from_json(
        &json!({"flow": [{"name": "slow", "url": server.url("/delay/20")}],
                "config": {"executor": "constant-vus", "vus": 2, "duration": "60s"}})
        .to_string(),
    )
    .unwrap();
    let handle = manager.start(&long).unwrap();
    // Stopped once it has done something, however slow the machine is.
    let busy = handle.events.iter().any(|e| match e {
        RunEvent::Progress(p) => p.total_requests > 0,
        RunEvent::Complete(_) => false,
    });
    assert!(busy, "the run made progress");
    assert!(manager.stop(&handle.id));
    let report = handle.wait().expect("a final report");
    assert_eq!(report.status, RunStatus::Stopped);
    assert!(report.duration_secs < 30.0, "{}", report.duration_secs);
    assert!(flow(&report).iterations > 0);
}

#[test]
fn users_scripts_send_requests_and_bad_steps_fail_alone() {
    let server = TargetServer::start();
    let manager = manager();
    // Each user's pre-request script fetches its token with pm.sendRequest (a side transfer of
    // that user) before the step's own request; a step that resolves to a url Vayu cannot send
    // (ftp) fails alone, before anything is sent.
    let flow_json = json!([
        {"name": "me", "url": server.url("/me"), "headers": {"Authorization": "Bearer {{token}}"},
         "preRequestScript": format!("pm.sendRequest({{url: '{}' + pm.iterationData.get('user'), method: 'POST'}}, (err, res) => {{ pm.variables.set('token', res.json().token); }});", server.url("/login/")),
         "testScript": "pm.test('me', () => pm.expect(pm.response.json().user).to.eql(pm.iterationData.get('user')));"},
        {"name": "broken", "url": "{{bad}}/x"}
    ]);
    let spec = RunSpec::from_json(
        &json!({"flow": flow_json, "data": rows(), "environment": {"bad": "ftp://127.0.0.1:1"},
                "config": {"executor": "per-vu-iterations", "vus": 4, "iterations": 5}})
        .to_string(),
    )
    .unwrap();
    let report = run(&manager, &spec);
    let f = flow(&report);
    assert_eq!(report.status, RunStatus::Completed, "{:?}", report.error);
    assert_eq!(f.iterations, 20);
    assert_eq!(f.steps[0].completed, 20);
    assert_eq!(
        f.steps[0].status_codes.get(&200),
        Some(&20),
        "every token arrived first"
    );
    let tests = report.tests.as_ref().unwrap();
    assert_eq!(tests.tests["me"].passed, 20, "{tests:?}");
    assert_eq!(tests.script_errors, 0, "{:?}", tests.first_error);
    assert_eq!(
        server.stats.path_count("/login/ann"),
        4,
        "side requests: 20 over 5 rows"
    );
    let broken = &f.steps[1];
    assert_eq!(
        (broken.completed, broken.failed),
        (20, 20),
        "the broken step counts a failure for every attempt"
    );
    assert_eq!(broken.errors[0].category.to_string(), "invalid_url");
}
