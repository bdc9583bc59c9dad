//! Parity with Postman: the corpus in tests/parity/corpus.json was run by Newman 6 against a
//! local httpbin (`scripts/record-parity.sh`), which recorded each response and every test's
//! outcome and message in tests/parity/newman.json. This test gives each recorded response back
//! from the loopback target, runs the same scripts through Vayu in the same order (variables
//! carry from request to request, as in a Newman run) and requires the same outcomes, the same
//! messages and the same console output.

use crate::support::{engine_with, Reply, TargetServer};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use vayu::engine::EngineConfig;
use vayu::model::RequestSpec;
use vayu::script::{ScriptedRequest, TestResult, Variables};

#[derive(Deserialize)]
struct Corpus {
    environment: serde_json::Map<String, Value>,
    globals: serde_json::Map<String, Value>,
    /// The iteration data: one row, so one iteration.
    data: Vec<serde_json::Map<String, Value>>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Case {
    name: String,
    request: CaseRequest,
    #[serde(default)]
    pre_request: Vec<String>,
    test: Vec<String>,
}

#[derive(Deserialize)]
struct CaseRequest {
    path: String,
    method: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<String>,
    /// Vayu's form (`{"type": "basic", "username", "password"}`); the recording gives Newman
    /// Postman's.
    auth: Option<Value>,
}

#[derive(Deserialize)]
struct Recording {
    cases: Vec<Recorded>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recorded {
    name: String,
    response: Reply,
    /// What the case's `pm.sendRequest` calls received, by path.
    #[serde(default)]
    sent: Vec<Sent>,
    tests: Vec<RecordedTest>,
    pre_request_tests: Vec<RecordedTest>,
    /// What the case's scripts logged, pre-request then test (Postman's deprecation warnings
    /// for the legacy names among it).
    #[serde(default)]
    console: Vec<RecordedLine>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct RecordedLine {
    level: String,
    message: String,
}

#[derive(Deserialize)]
struct Sent {
    path: String,
    response: Reply,
}

#[derive(Deserialize, Debug)]
struct RecordedTest {
    name: String,
    passed: bool,
    skipped: bool,
    error: Option<String>,
}

fn load<T: serde::de::DeserializeOwned>(file: &str) -> T {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn same(actual: &TestResult, recorded: &RecordedTest) -> bool {
    actual.name == recorded.name
        && actual.skipped == recorded.skipped
        && (actual.passed && !actual.skipped) == recorded.passed
        && actual.error == recorded.error
}

/// Compares one script's tests with Newman's, by name (the corpus never repeats a name within
/// a script; `pm.sendRequest` callbacks run in the order responses arrive, which is not fixed);
/// returns how many matched.
fn compare(
    what: &str,
    actual: &[TestResult],
    recorded: &[RecordedTest],
    differences: &mut Vec<String>,
) -> usize {
    let mut matched = 0;
    for r in recorded {
        match actual.iter().find(|a| a.name == r.name) {
            Some(a) if same(a, r) => matched += 1,
            a => differences.push(format!("{what}: vayu {a:?}\n      newman {r:?}")),
        }
    }
    for a in actual {
        if !recorded.iter().any(|r| r.name == a.name) {
            differences.push(format!("{what}: vayu ran {a:?}, newman did not"));
        }
    }
    matched
}

#[test]
fn scripts_give_the_outcomes_and_messages_newman_gives() {
    let corpus: Corpus = load("tests/parity/corpus.json");
    let recording: Recording = load("tests/parity/newman.json");
    assert_eq!(
        corpus.cases.len(),
        recording.cases.len(),
        "tests/parity/newman.json is out of date: run scripts/record-parity.sh"
    );
    let server = TargetServer::start();
    let engine = engine_with(EngineConfig {
        workers: 1,
        ..EngineConfig::default()
    });
    let mut variables = Variables {
        environment: corpus.environment.clone(),
        globals: corpus.globals.clone(),
        data: corpus.data[0].clone(),
        ..Variables::default()
    };
    let (mut total, mut matched, mut differences) = (0, 0, Vec::new());
    for (i, (case, recorded)) in corpus.cases.iter().zip(&recording.cases).enumerate() {
        assert_eq!(case.name, recorded.name, "the recording is out of date");
        let (path, query) = case
            .request
            .path
            .split_once('?')
            .unwrap_or((&case.request.path, ""));
        let base = format!("/replay/{i}");
        let path = format!("{base}{path}");
        {
            let mut replies = server.stats.replies.lock().unwrap();
            replies.insert(path.clone(), recorded.response.clone());
            for sent in &recorded.sent {
                replies.insert(format!("{base}{}", sent.path), sent.response.clone());
            }
        }
        // As in the recording, `base` is where the scripts' pm.sendRequest calls go.
        variables
            .environment
            .insert("base".into(), json!(server.url(&base)));
        let url = if query.is_empty() {
            server.url(&path)
        } else {
            server.url(&format!("{path}?{query}"))
        };
        let mut request = json!({
            "name": case.name,
            "method": case.request.method.as_deref().unwrap_or("GET"),
            "url": url,
            "headers": case.request.headers,
            "testScript": case.test.join("\n"),
        });
        if let Some(body) = &case.request.body {
            request["body"] = json!(body);
        }
        if let Some(auth) = &case.request.auth {
            request["auth"] = auth.clone();
        }
        if !case.pre_request.is_empty() {
            request["preRequestScript"] = json!(case.pre_request.join("\n"));
        }
        let spec = RequestSpec::from_json(&request.to_string()).expect("corpus requests are valid");
        let mut scripted = ScriptedRequest::new(spec, variables.clone());
        // The recording script gives each item this id.
        scripted.context.request_id = format!("case-{i}");
        let result = scripted.send(&engine);
        assert!(
            result.response.is_some(),
            "{}: the request was not answered: {:?}",
            case.name,
            result.error
        );
        let pre = result.pre_request.clone().unwrap_or_default();
        let test = result.test.clone().unwrap_or_default();
        for (phase, outcome) in [("pre-request", &pre), ("test", &test)] {
            if let Some(e) = &outcome.error {
                differences.push(format!("{} ({phase}): script error {e}", case.name));
            }
        }
        total += recorded.tests.len() + recorded.pre_request_tests.len();
        matched += compare(
            &format!("{} (pre-request)", case.name),
            &pre.tests,
            &recorded.pre_request_tests,
            &mut differences,
        );
        matched += compare(&case.name, &test.tests, &recorded.tests, &mut differences);
        let console: Vec<RecordedLine> = pre
            .console
            .iter()
            .chain(&test.console)
            .map(|l| RecordedLine {
                level: l.level.clone(),
                message: l.message.clone(),
            })
            .collect();
        if console != recorded.console {
            differences.push(format!(
                "{}: console {console:?}\n      newman {:?}",
                case.name, recorded.console
            ));
        }
        variables = result.variables;
    }
    eprintln!("parity with Newman: {matched} of {total} assertions match");
    assert!(total >= 300, "the corpus has only {total} assertions");
    assert!(
        differences.is_empty(),
        "{matched} of {total} assertions match Newman; differences:\n{}",
        differences.join("\n")
    );
}
