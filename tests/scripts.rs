//! Scripts: a data-driven corpus. Every file in tests/scripts/ holds a list of cases (a request,
//! an optional canned response, variables, scripts, and what must come out); one helper runs
//! them all in order against the loopback target, on one worker so that they share a runtime.

use crate::support::{engine_with, TargetServer};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use vayu::engine::EngineConfig;
use vayu::model::RequestSpec;
use vayu::script::{
    NextRequest, ScriptError, ScriptLimits, ScriptOutcome, ScriptedRequest, TestResult, Variables,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Case {
    name: String,
    /// What `/respond` answers: {status, headers, body}. Without it the request goes to `/echo`.
    respond: Option<Value>,
    /// Request fields to use instead of the defaults; `url` is a path on the target.
    request: Option<Value>,
    #[serde(default)]
    environment: Value,
    #[serde(default)]
    collection: Value,
    #[serde(default)]
    globals: Value,
    pre_request_script: Option<Value>,
    test_script: Option<Value>,
    limits: Option<Limits>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Limits {
    time_ms: Option<u64>,
    memory_mb: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Expect {
    tests: Option<Vec<ExpectedTest>>,
    pre_request_tests: Option<Vec<ExpectedTest>>,
    test_error: Option<ExpectedError>,
    pre_request_error: Option<ExpectedError>,
    console: Option<Vec<Value>>,
    environment: Option<Value>,
    globals: Option<Value>,
    unresolved: Option<Vec<String>>,
    #[serde(default)]
    not_sent: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExpectedTest {
    name: String,
    passed: bool,
    #[serde(default)]
    skipped: bool,
    error: Option<String>,
    error_contains: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExpectedError {
    message_contains: String,
    line: Option<u32>,
}

fn object(v: &Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn check_tests(
    what: &str,
    actual: &[TestResult],
    expected: &[ExpectedTest],
    problems: &mut Vec<String>,
) {
    if actual.len() != expected.len() {
        problems.push(format!(
            "{what}: {} tests ran, {} expected: {actual:?}",
            actual.len(),
            expected.len()
        ));
        return;
    }
    for (a, e) in actual.iter().zip(expected) {
        let error_ok = match (&e.error, &e.error_contains) {
            (Some(exact), _) => a.error.as_deref() == Some(exact.as_str()),
            (None, Some(part)) => a
                .error
                .as_deref()
                .is_some_and(|m| m.contains(part.as_str())),
            (None, None) => a.passed || a.error.is_some(),
        };
        if a.name != e.name || a.passed != e.passed || a.skipped != e.skipped || !error_ok {
            problems.push(format!(
                "{what}: got {a:?}, expected {} passed={} skipped={} error={:?}/{:?}",
                e.name, e.passed, e.skipped, e.error, e.error_contains
            ));
        }
    }
}

fn check_error(
    what: &str,
    actual: Option<&ScriptError>,
    expected: &Option<ExpectedError>,
    problems: &mut Vec<String>,
) {
    match (actual, expected) {
        (None, None) => {}
        (Some(a), None) => problems.push(format!("{what}: unexpected script error {a}")),
        (None, Some(e)) => problems.push(format!(
            "{what}: expected an error containing {:?}",
            e.message_contains
        )),
        (Some(a), Some(e)) => {
            if !a.message.contains(&e.message_contains) || (e.line.is_some() && a.line != e.line) {
                problems.push(format!(
                    "{what}: got error {a:?}, expected {:?} at line {:?}",
                    e.message_contains, e.line
                ));
            }
        }
    }
}

fn run_case(engine: &vayu::engine::EventLoop, server: &TargetServer, case: &Case) -> Vec<String> {
    let mut request = json!({"name": "corpus request", "url": server.url("/echo")});
    if let Some(canned) = &case.respond {
        request = json!({"name": "corpus request", "method": "POST", "url": server.url("/respond"), "body": canned});
    }
    if let Some(overrides) = &case.request {
        for (k, v) in object(overrides) {
            let v = if k == "url" {
                json!(server.url(v.as_str().unwrap()))
            } else {
                v
            };
            request[k] = v;
        }
    }
    if let Some(s) = &case.pre_request_script {
        request["preRequestScript"] = s.clone();
    }
    if let Some(s) = &case.test_script {
        request["testScript"] = s.clone();
    }
    let spec = RequestSpec::from_json(&request.to_string()).expect("corpus requests are valid");
    let variables = Variables {
        environment: object(&case.environment),
        collection: object(&case.collection),
        globals: object(&case.globals),
        ..Variables::default()
    };
    let mut scripted = ScriptedRequest::new(spec, variables);
    if let Some(l) = &case.limits {
        scripted.limits = ScriptLimits {
            time: l
                .time_ms
                .map_or(ScriptLimits::default().time, Duration::from_millis),
            memory_bytes: l
                .memory_mb
                .map_or(ScriptLimits::default().memory_bytes, |mb| mb * 1024 * 1024),
            ..ScriptLimits::default()
        };
    }
    let result = scripted.send(engine);
    let e = &case.expect;
    let mut problems = Vec::new();
    let empty = ScriptOutcome::default();
    let test = result.test.as_ref().unwrap_or(&empty);
    let pre = result.pre_request.as_ref().unwrap_or(&empty);
    if e.not_sent != result.response.is_none() {
        problems.push(format!(
            "sent: {}, expected sent: {}",
            result.response.is_some(),
            !e.not_sent
        ));
    }
    if let Some(expected) = &e.tests {
        check_tests("test script", &test.tests, expected, &mut problems);
    }
    if let Some(expected) = &e.pre_request_tests {
        check_tests("pre-request script", &pre.tests, expected, &mut problems);
    }
    check_error(
        "test script",
        test.error.as_ref(),
        &e.test_error,
        &mut problems,
    );
    check_error(
        "pre-request script",
        pre.error.as_ref(),
        &e.pre_request_error,
        &mut problems,
    );
    if let Some(console) = &e.console {
        let got = serde_json::to_value(&test.console).unwrap();
        if got != Value::Array(console.clone()) {
            problems.push(format!("console: got {got}"));
        }
    }
    if let Some(env) = &e.environment {
        if Value::Object(result.variables.environment.clone()) != *env {
            problems.push(format!(
                "environment: got {:?}",
                result.variables.environment
            ));
        }
    }
    if let Some(globals) = &e.globals {
        if Value::Object(result.variables.globals.clone()) != *globals {
            problems.push(format!("globals: got {:?}", result.variables.globals));
        }
    }
    if let Some(unresolved) = &e.unresolved {
        if &result.unresolved_variables != unresolved {
            problems.push(format!("unresolved: got {:?}", result.unresolved_variables));
        }
    }
    problems
}

/// A loopback target and an engine with one worker, so that every script of a test runs in the
/// same thread.
fn target_and_one_worker() -> (TargetServer, vayu::engine::EventLoop) {
    let server = TargetServer::start();
    let engine = engine_with(EngineConfig {
        workers: 1,
        ..EngineConfig::default()
    });
    (server, engine)
}

#[test]
fn corpus() {
    let (server, engine) = target_and_one_worker();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut ran, mut failures) = (0, Vec::new());
    for file in files {
        let cases: Vec<Case> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in &cases {
            ran += 1;
            for problem in run_case(&engine, &server, case) {
                failures.push(format!(
                    "{} / {}: {problem}",
                    file.file_name().unwrap().to_string_lossy(),
                    case.name
                ));
            }
        }
    }
    assert!(ran >= 30, "the corpus ran only {ran} cases");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn skip_request_next_request_and_visualizer_are_recorded_on_the_result() {
    let (server, engine) = target_and_one_worker();
    let skipped = RequestSpec::from_json(
        &json!({"url": server.url("/skipped"),
                "preRequestScript": "pm.execution.skipRequest();",
                "testScript": "pm.test('never runs', () => {});"})
        .to_string(),
    )
    .unwrap();
    let result = ScriptedRequest::new(skipped, Variables::default()).send(&engine);
    assert!(result.response.is_none() && result.error.is_none());
    assert!(result.pre_request.unwrap().skip_request);
    assert!(result.test.is_none(), "the test script does not run");
    assert_eq!(server.stats.path_count("/skipped"), 0, "nothing was sent");

    let flow = RequestSpec::from_json(
        &json!({"url": server.url("/echo"),
                "preRequestScript": "pm.execution.setNextRequest('login');",
                "testScript": "postman.setNextRequest(null); pm.visualizer.set('<p>{{n}}</p>', {n: 2});"})
        .to_string(),
    )
    .unwrap();
    let result = ScriptedRequest::new(flow, Variables::default()).send(&engine);
    assert!(result.response.is_some());
    assert_eq!(
        result.pre_request.unwrap().next_request,
        Some(NextRequest::Named("login".into()))
    );
    let test = result.test.unwrap();
    assert_eq!(test.next_request, Some(NextRequest::EndRun));
    let visualizer = test.visualizer.expect("the visualizer is kept");
    assert_eq!(
        (visualizer.template.as_str(), visualizer.data),
        ("<p>{{n}}</p>", json!({"n": 2}))
    );
}

fn send_scripted(
    engine: &vayu::engine::EventLoop,
    request: Value,
    limits: ScriptLimits,
) -> vayu::script::ScriptedResult {
    let spec = RequestSpec::from_json(&request.to_string()).unwrap();
    let mut scripted = ScriptedRequest::new(spec, Variables::default());
    scripted.limits = limits;
    scripted.send(engine)
}

#[test]
fn send_request_goes_through_the_engine_and_its_callbacks_run_before_the_phase_ends() {
    let (server, engine) = target_and_one_worker();
    let result = send_scripted(
        &engine,
        json!({
            "url": server.url("/status/200"),
            "preRequestScript": format!(
                "pm.sendRequest('{}', (err, res) => {{ pm.environment.set('token', res.text()); }});",
                server.url("/status/201")
            ),
            "testScript": [
                format!("pm.sendRequest({{url: '{}', method: 'POST', header: {{'X-Step': 'one'}}, body: {{mode: 'raw', raw: 'hi'}}}}, (err, res) => {{", server.url("/echo")),
                "  pm.test('posted', () => pm.expect(res.json().method).to.equal('POST'));",
                format!("  pm.sendRequest('{}').then(r => pm.test('nested promise', () => pm.expect(r.code).to.equal(404)));", server.url("/status/404")),
                "});",
                "pm.sendRequest('http://127.0.0.1:1/', (err, res) => pm.test('refused', () => { pm.expect(err).to.be.an('error'); pm.expect(res).to.be.undefined; }));",
                "pm.test('pre-request result seen', () => pm.expect(pm.environment.get('token')).to.be.a('string'));",
            ]
        }),
        ScriptLimits::default(),
    );
    assert!(result.response.is_some(), "{:?}", result.error);
    let test = result.test.expect("the test script ran");
    assert!(test.error.is_none(), "{:?}", test.error);
    // Callbacks run in the order responses arrive.
    let mut outcomes: Vec<_> = test
        .tests
        .iter()
        .map(|t| (t.name.as_str(), t.passed))
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            ("nested promise", true),
            ("posted", true),
            ("pre-request result seen", true),
            ("refused", true),
        ]
    );
    for path in ["/status/201", "/echo", "/status/404", "/status/200"] {
        assert_eq!(
            server.stats.path_count(path),
            1,
            "{path} was requested once"
        );
    }
}

#[test]
fn send_request_without_a_response_in_the_time_limit_fails_the_phase_and_keeps_its_tests() {
    let (server, engine) = target_and_one_worker();
    let limits = ScriptLimits {
        time: Duration::from_millis(300),
        ..ScriptLimits::default()
    };
    let result = send_scripted(
        &engine,
        json!({
            "url": server.url("/status/200"),
            "preRequestScript": format!(
                "pm.test('before', () => {{}}); pm.sendRequest('{}', () => pm.test('never', () => {{}}));",
                server.url("/delay/3000")
            ),
        }),
        limits,
    );
    let pre = result.pre_request.expect("the pre-request script ran");
    let error = pre.error.expect("the phase failed");
    assert!(error.message.contains("script time limit"), "{error}");
    assert_eq!(pre.tests.len(), 1, "the test that ran is kept");
    assert!(
        result.response.is_none(),
        "a failed pre-request phase stops the request"
    );
    assert_eq!(server.stats.path_count("/status/200"), 0);
}

#[test]
fn send_request_failing_before_it_starts_does_not_lose_the_requests_queued_after_it() {
    let (server, engine) = target_and_one_worker();
    let result = send_scripted(
        &engine,
        json!({
            "url": server.url("/status/200"),
            "testScript": format!(
                "pm.sendRequest('ftp://nowhere/', (err) => pm.test('invalid', () => pm.expect(err.message).to.include('invalid request'))); \
                 pm.sendRequest('{}', (err, res) => pm.test('second', () => pm.expect(res.code).to.equal(201)));",
                server.url("/status/201")
            ),
        }),
        ScriptLimits::default(),
    );
    let test = result.test.expect("the test script ran");
    assert!(test.error.is_none(), "{:?}", test.error);
    let mut names: Vec<_> = test
        .tests
        .iter()
        .map(|t| (t.name.as_str(), t.passed))
        .collect();
    names.sort();
    assert_eq!(names, [("invalid", true), ("second", true)]);
}

#[test]
fn what_a_script_does_to_built_ins_and_libraries_never_reaches_another_run() {
    let (server, engine) = target_and_one_worker();
    let polluting = json!({
        "url": server.url("/status/200"),
        "testScript": [
            "Object.prototype.leak = 1;",
            "Object.defineProperty(globalThis, 'hidden', {value: 2, enumerable: false});",
            "Array.prototype.map = function () { return 'broken'; };",
            "require('chai').Assertion.addProperty('pwned', function () {});",
            "pm.test('polluted here', () => pm.expect(({}).leak).to.equal(1));",
        ]
    });
    let result = send_scripted(&engine, polluting, ScriptLimits::default());
    assert!(result.test.unwrap().tests[0].passed);
    let clean = json!({
        "url": server.url("/status/200"),
        "testScript": [
            "pm.test('no prototype leak', () => pm.expect(({}).leak).to.be.undefined);",
            "pm.test('no hidden global', () => pm.expect(typeof hidden).to.equal('undefined'));",
            "pm.test('map works', () => pm.expect([1, 2].map(x => x * 2)).to.eql([2, 4]));",
            "pm.test('chai untouched', () => pm.expect(() => pm.expect(1).to.be.pwned).to.throw('Invalid Chai property'));",
        ]
    });
    let result = send_scripted(&engine, clean, ScriptLimits::default());
    let test = result.test.unwrap();
    assert!(test.error.is_none(), "{:?}", test.error);
    for t in &test.tests {
        assert!(t.passed, "{t:?}");
    }
    assert_eq!(test.tests.len(), 4);
}

#[test]
fn pre_request_scripts_read_and_change_the_auth_through_the_sdk() {
    let (server, engine) = target_and_one_worker();
    let sent_authorization = |pre: &str| {
        let result = send_scripted(
            &engine,
            json!({"url": server.url("/echo"), "auth": {"type": "basic", "username": "ada", "password": "pw"},
                   "preRequestScript": pre}),
            ScriptLimits::default(),
        );
        let pre = result.pre_request.expect("the script ran");
        let body: Value = result
            .response
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .unwrap_or(Value::Null);
        let authorization = body["headers"].as_array().and_then(|h| {
            h.iter()
                .find(|p| p[0] == "authorization")
                .map(|p| p[1].as_str().unwrap().to_string())
        });
        (pre, authorization)
    };
    let (pre, auth) = sent_authorization(
        "pm.test('reads basic', () => pm.expect(pm.request.auth.parameters().get('username')).to.equal('ada'));",
    );
    assert!(pre.tests[0].passed, "{:?}", pre.tests);
    assert_eq!(
        auth.as_deref(),
        Some("Basic YWRhOnB3"),
        "unchanged auth is sent as written"
    );
    let (_, auth) = sent_authorization(
        "pm.request.auth = {type: 'bearer', bearer: [{key: 'token', value: 'T0K'}]};",
    );
    assert_eq!(auth.as_deref(), Some("Bearer T0K"));
    let (_, auth) = sent_authorization("pm.request.auth = null;");
    assert_eq!(auth, None);
    let (_, auth) = sent_authorization(
        "pm.request.auth = {type: 'apikey', apikey: [{key: 'key', value: 'Authorization'}, {key: 'value', value: 'K1'}]};",
    );
    assert_eq!(
        auth.as_deref(),
        Some("K1"),
        "an API key in the header it names"
    );
    let (pre, auth) = sent_authorization("pm.request.auth = {type: 'kerberos', kerberos: []};");
    let error = pre
        .error
        .expect("an unsupported auth type fails the script");
    assert!(
        error.message.contains("\"kerberos\" is not supported"),
        "{error}"
    );
    assert_eq!(auth, None, "nothing was sent");
}

#[test]
fn a_design_run_keeps_a_cookie_jar_that_its_requests_send() {
    let (server, engine) = target_and_one_worker();
    let result = send_scripted(
        &engine,
        json!({
            "url": server.url("/echo"),
            "preRequestScript": [
                format!("pm.sendRequest('{}', () => {{}});", server.url("/cookies")),
                format!("pm.cookies.jar().set('{}', 'manual', 'm1');", server.url("/")),
            ],
            "testScript": [
                "const sent = pm.response.json().headers.find(h => h[0] === 'cookie')[1];",
                "pm.test('sent the jar', () => pm.expect(sent.split('; ')).to.have.members(['a=1', 'b=2', 'manual=m1']));",
                "pm.test('pm.cookies', () => pm.expect(pm.cookies.get('b')).to.equal('2'));",
                format!("pm.cookies.jar().unset('{}', 'a', () => pm.cookies.jar().getAll('{}', (e, all) => pm.test('unset', () => pm.expect(all.map(c => c.name)).to.have.members(['b', 'manual']))));", server.url("/"), server.url("/")),
            ]
        }),
        ScriptLimits::default(),
    );
    let test = result.test.expect("the test script ran");
    assert!(test.error.is_none(), "{:?}", test.error);
    assert_eq!(test.tests.len(), 3, "{:?}", test.tests);
    for t in &test.tests {
        assert!(t.passed, "{t:?}");
    }
    // A request without scripts has no jar: nothing is made for it.
    let plain = send_scripted(
        &engine,
        json!({"url": server.url("/echo")}),
        ScriptLimits::default(),
    );
    let body: Value = serde_json::from_str(&plain.response.unwrap().body).unwrap();
    assert!(!body["headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h[0] == "cookie"));
}
