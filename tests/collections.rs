//! Collection runs at parity with Newman: each collection in tests/collections/manifest.json was
//! run by Newman 6 against a local httpbin (`scripts/record-parity.sh`), which recorded every
//! request execution in order: the request as sent, the response, every assertion's outcome and
//! message, and script errors. This test runs the same collections through Vayu's flow executor
//! against the loopback target, which answers with the recorded responses in order, and
//! requires the same executions in the same order, the same requests on the wire (method, path
//! and query, the headers the collection sets, raw bodies), and the same outcomes and messages.
//! Each collection runs twice: as written, and after a round trip through the daemon's saved
//! form (import to a tree, export back), as the daemon runs an imported collection.

use crate::support::{engine_with, Reply, TargetServer};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use vayu::collection::{
    import, read_text, run_collection, to_doc, to_tree, variable_scope, ImportOptions,
};
use vayu::engine::EngineConfig;
use vayu::flow::{parse_data, FlowOptions};
use vayu::script::{Scope, TestResult, Variables};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    name: String,
    collection: String,
    #[serde(default)]
    environment: serde_json::Map<String, Value>,
    #[serde(default)]
    globals: serde_json::Map<String, Value>,
    /// An environment or globals file, read as `vayu-cli collection run -e / -g` reads it.
    environment_file: Option<String>,
    globals_file: Option<String>,
    iteration_data: Option<String>,
    iteration_count: Option<u64>,
    #[serde(default)]
    folder: Vec<String>,
    #[serde(default)]
    bail: bool,
    #[serde(default)]
    delay_request: u64,
    /// What Vayu lacks for this entry to match (a feature being built): the replay skips it and
    /// says so, unless COLLECTIONS_PENDING=1, which runs it too. Removed as the feature lands.
    pending: Option<String>,
    /// The collection sends dynamic variables (`{{$randomInt}}`, `{{$guid}}`): sent paths,
    /// headers and bodies are compared with their numbers and uuids masked.
    #[serde(default)]
    random_values: bool,
    /// Per request name, headers whose value cannot be the same on two runs (a signature over
    /// the host and port, a date, a random nonce or salt): compared by shape only, their first
    /// word (the scheme: `AWS4-HMAC-SHA256`, `OAuth`, `Hawk`, `Bearer`; a bare JWT's header
    /// segment) with digits as `0` (so a date matches a date).
    #[serde(default)]
    volatile_headers: std::collections::HashMap<String, Vec<String>>,
}

/// `text` with every uuid and every run of digits masked, for requests that send random values.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let uuid = token.len() == 36
            && token.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if uuid {
            out.push_str("<uuid>");
        } else if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str("<n>");
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

#[derive(Deserialize)]
struct Recording {
    executions: Vec<Execution>,
    failures: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Execution {
    name: String,
    iteration: u64,
    request: Option<SentRequest>,
    request_error: bool,
    response: Option<Reply>,
    assertions: Vec<Assertion>,
    script_errors: usize,
    /// The responses Newman was redirected from before `response`, in order.
    #[serde(default)]
    redirects: Vec<Redirect>,
}

/// A response a request was redirected from, and the request Newman sent next.
#[derive(Deserialize)]
struct Redirect {
    reply: Reply,
    next: HopRequest,
}

#[derive(Deserialize)]
struct HopRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct SentRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

#[derive(Deserialize, Debug)]
struct Assertion {
    name: String,
    passed: bool,
    skipped: bool,
    error: Option<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/collections")
}

/// A corpus file, decoded as the CLI decodes it (some are UTF-16 or start with a byte-order mark).
fn load<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    serde_json::from_str(&read_text(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn scope_file(kind: &str, file: &Option<String>, inline: &Scope) -> Scope {
    let mut scope = file.as_ref().map_or_else(Scope::new, |f| {
        variable_scope(kind, load(&dir().join(f))).unwrap_or_else(|e| panic!("{f}: {e}"))
    });
    scope.extend(inline.clone());
    scope
}

/// Headers the runtimes add on their own; the rest are the collection's and must match.
const RUNTIME_HEADERS: [&str; 8] = [
    "user-agent",
    "accept",
    "cache-control",
    "postman-token",
    "host",
    "accept-encoding",
    "connection",
    "content-length",
];

fn same_assertion(a: &TestResult, r: &Assertion) -> bool {
    a.name == r.name
        && a.skipped == r.skipped
        && (a.passed && !a.skipped) == r.passed
        && a.error == r.error
}

/// Runs one corpus entry through Vayu against recorded replies; returns the executions and the
/// differences from Newman's recording, and counts the assertions compared.
fn run_entry(entry: &Entry, saved: bool, compared: &mut usize) -> (usize, Vec<String>) {
    let recording: Recording = load(&dir().join("newman").join(format!("{}.json", entry.name)));
    let mut doc: Value = load(&dir().join(&entry.collection));
    if saved {
        // As the daemon runs an imported collection: saved as a tree, exported back.
        doc = match to_tree(&doc) {
            Ok(tree) => to_doc(&tree),
            Err(e) if entry.pending.is_some() => {
                return (0, vec![format!("{}: refused: {e}", entry.name)])
            }
            Err(e) => panic!("{}: {e}", entry.name),
        };
    }
    let collection = match import(
        &doc,
        &ImportOptions {
            working_dir: dir(),
            folders: entry.folder.clone(),
            skip_files: false,
            ..ImportOptions::default()
        },
    ) {
        Ok(collection) => collection,
        // Only a pending entry gets here (COLLECTIONS_PENDING=1): Vayu refuses what it lacks.
        Err(e) if entry.pending.is_some() => {
            return (0, vec![format!("{}: refused: {e}", entry.name)])
        }
        Err(e) => panic!("{}: {e}", entry.name),
    };
    let server = TargetServer::start();
    // Redirects first, each pointing back into the sequence, then the final response.
    let into_sequence = |mut reply: Reply| {
        for (k, v) in &mut reply.headers {
            if k.eq_ignore_ascii_case("location") && v.starts_with('/') {
                *v = format!("/seq{v}");
            }
        }
        reply
    };
    server
        .stats
        .sequence
        .lock()
        .unwrap()
        .extend(recording.executions.iter().flat_map(|e| {
            e.redirects
                .iter()
                .map(|r| into_sequence(r.reply.clone()))
                .chain(e.response.clone())
        }));
    let mut variables = Variables {
        environment: scope_file("environment", &entry.environment_file, &entry.environment),
        globals: scope_file("globals", &entry.globals_file, &entry.globals),
        ..Variables::default()
    };
    variables
        .environment
        .insert("baseUrl".into(), json!(server.url("/seq")));
    let data = entry.iteration_data.as_ref().map_or_else(Vec::new, |f| {
        parse_data(f, &read_text(&dir().join(f)).unwrap()).unwrap()
    });
    let options = FlowOptions {
        iterations: entry.iteration_count.unwrap_or(data.len().max(1) as u64),
        data,
        delay: std::time::Duration::from_millis(entry.delay_request),
        bail: entry.bail,
        ..FlowOptions::default()
    };
    let engine = engine_with(EngineConfig {
        workers: 1,
        ..EngineConfig::default()
    });
    let summary = run_collection(&engine, &collection, variables, options, |_, _| {});

    let mut differences = Vec::new();
    let ran: Vec<_> = summary
        .executions
        .iter()
        .filter(|e| !e.record.skipped)
        .collect();
    let order = |names: Vec<(String, u64)>| format!("{names:?}");
    let vayu_order = order(
        ran.iter()
            .map(|e| (e.name.clone(), e.record.iteration))
            .collect(),
    );
    let newman_order = order(
        recording
            .executions
            .iter()
            .map(|e| (e.name.clone(), e.iteration))
            .collect(),
    );
    if vayu_order != newman_order {
        differences.push(format!(
            "order: vayu {vayu_order}\n      newman {newman_order}"
        ));
        return (summary.executions.len(), differences);
    }
    let received = server.stats.received.lock().unwrap().clone();
    let mut wire = received.iter();
    for (e, r) in ran.iter().zip(&recording.executions) {
        let what = format!("{} {} (iteration {})", entry.name, r.name, r.iteration);
        if e.record.request_failed() != r.request_error {
            differences.push(format!(
                "{what}: request failed: vayu {:?}, newman {}",
                e.record.error, r.request_error
            ));
        }
        let status = e.record.response.as_ref().map(|x| x.status);
        if status != r.response.as_ref().map(|x| x.code) {
            differences.push(format!("{what}: status {status:?}"));
        }
        if let (Some(sent), false) = (&r.request, r.request_error) {
            let Some(got) = wire.next() else {
                differences.push(format!("{what}: Vayu did not send it (newman did)"));
                break;
            };
            let mask = |t: &str| {
                if entry.random_values {
                    masked(t)
                } else {
                    t.to_string()
                }
            };
            if got.method != sent.method || mask(&got.path) != mask(&sent.path) {
                differences.push(format!(
                    "{what}: sent {} {}, newman sent {} {}",
                    got.method, got.path, sent.method, sent.path
                ));
            }
            // Each redirect Newman followed: the same request next, with the same cookies
            // (those a redirect set included).
            for (i, redirect) in r.redirects.iter().enumerate() {
                let next = &redirect.next;
                let Some(hop) = wire.next() else {
                    differences.push(format!("{what}: redirect {i} not followed"));
                    break;
                };
                if hop.method != next.method || hop.path != next.path {
                    differences.push(format!(
                        "{what}: redirect {i}: sent {} {}, newman sent {} {}",
                        hop.method, hop.path, next.method, next.path
                    ));
                }
                // The same cookies; their order on a hop is libcurl's cookie engine's, not
                // tough-cookie's (documented in docs/collections.md).
                let cookie = |headers: &[(String, String)]| {
                    headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("cookie"))
                        .map(|(_, v)| {
                            let mut pairs: Vec<&str> = v.split("; ").collect();
                            pairs.sort_unstable();
                            pairs.join("; ")
                        })
                };
                if cookie(&hop.headers) != cookie(&next.headers) {
                    differences.push(format!(
                        "{what}: redirect {i}: cookie {:?}, newman {:?}",
                        cookie(&hop.headers),
                        cookie(&next.headers)
                    ));
                }
            }
            for (k, v) in &sent.headers {
                let name = k.to_ascii_lowercase();
                if RUNTIME_HEADERS.contains(&name.as_str()) {
                    continue;
                }
                let mine = got
                    .headers
                    .iter()
                    .find(|(gk, _)| *gk == name)
                    .map(|(_, v)| v);
                let volatile = entry
                    .volatile_headers
                    .get(&r.name)
                    .is_some_and(|names| names.iter().any(|n| n.eq_ignore_ascii_case(&name)));
                let base = |v: &str| {
                    if volatile {
                        // A JWT alone has no scheme word: its first segment (the JOSE header);
                        // a date is all one word: its digits may differ.
                        let word = v.split_whitespace().next().unwrap_or("");
                        let word = word.split('.').next().unwrap_or("");
                        word.replace(|c: char| c.is_ascii_digit(), "0")
                    } else {
                        v.split(';').next().unwrap_or("").trim().to_string()
                    }
                };
                if mine.map(|m| mask(&base(m))) != Some(mask(&base(v))) {
                    differences.push(format!("{what}: header {k}: vayu {mine:?}, newman {v:?}"));
                }
            }
            for (k, v) in &got.headers {
                let named = sent
                    .headers
                    .iter()
                    .any(|(sk, _)| sk.eq_ignore_ascii_case(k));
                // Newman's record leaves out the form types it sends; a file body Vayu labels
                // application/octet-stream (documented).
                let unrecorded_type = k == "content-type"
                    && !["urlencoded", "multipart/", "octet-stream"]
                        .iter()
                        .any(|t| v.contains(t));
                if (k == "authorization" || k == "cookie" || k.starts_with("x-") || unrecorded_type)
                    && !named
                {
                    differences.push(format!("{what}: vayu sent {k}: {v}, newman did not"));
                }
            }
            // Newman records raw bodies as text (form, GraphQL and file bodies it records
            // empty: the echoed bodies in the assertions check those); a body it pruned (a GET)
            // or that is disabled it records but did not send (no Content-Length, or 0).
            let form = got.headers.iter().any(|(k, v)| {
                k == "content-type" && (v.starts_with("multipart/") || v.contains("urlencoded"))
            });
            // A disabled body Newman records as written but sends with Content-Length: 0.
            let sent_body = sent
                .headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("content-length") && v != "0");
            let expected = if sent_body { sent.body.as_str() } else { "" };
            if !form
                && !sent.body.is_empty()
                && mask(&String::from_utf8_lossy(&got.body)) != mask(expected)
            {
                differences.push(format!(
                    "{what}: body {:?}, newman {expected:?}",
                    String::from_utf8_lossy(&got.body)
                ));
            }
        }
        let tests: Vec<&TestResult> = e.record.outcomes().flat_map(|o| &o.tests).collect();
        *compared += r.assertions.len();
        if tests.len() != r.assertions.len()
            || !tests
                .iter()
                .zip(&r.assertions)
                .all(|(a, r)| same_assertion(a, r))
        {
            differences.push(format!(
                "{what}: assertions\n      vayu {tests:?}\n      newman {:?}",
                r.assertions
            ));
        }
        let errors = e.record.outcomes().filter(|o| o.error.is_some()).count();
        if errors != r.script_errors {
            differences.push(format!(
                "{what}: {errors} script errors, newman {}",
                r.script_errors
            ));
        }
    }
    if summary.failures.len() != recording.failures {
        differences.push(format!(
            "{}: {} failures, newman {}: {:?}",
            entry.name,
            summary.failures.len(),
            recording.failures,
            summary.failures
        ));
    }
    (summary.executions.len(), differences)
}

#[test]
fn collections_run_as_newman_runs_them() {
    let manifest: Vec<Entry> = load(&dir().join("manifest.json"));
    assert!(
        manifest.len() >= 12,
        "the corpus has at least 12 collections"
    );
    let include_pending = std::env::var("COLLECTIONS_PENDING").is_ok_and(|v| v == "1");
    for entry in &manifest {
        if let Some(why) = &entry.pending {
            let what = if include_pending {
                "running"
            } else {
                "skipping"
            };
            eprintln!("{what} pending collection {}: {why}", entry.name);
        }
    }
    let (mut compared, mut differences, mut executions) = (0, Vec::new(), 0);
    for saved in [false, true] {
        for entry in &manifest {
            if entry.pending.is_some() && !include_pending {
                continue;
            }
            let (ran, d) = run_entry(entry, saved, &mut compared);
            executions += ran;
            let how = if saved {
                "imported and exported"
            } else {
                "as written"
            };
            differences.extend(d.into_iter().map(|d| format!("({how}) {d}")));
        }
    }
    assert!(compared > 160, "only {compared} assertions compared");
    assert!(
        differences.is_empty(),
        "{} differences from Newman over {executions} executions:\n  {}",
        differences.len(),
        differences.join("\n  ")
    );
}

#[test]
fn jumping_back_to_the_first_request_is_not_a_new_iteration() {
    let server = TargetServer::start();
    let doc = json!({
        "info": {"name": "loop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "first", "request": {"method": "GET", "url": server.url("/echo")}},
            {"name": "second", "request": {"method": "GET", "url": server.url("/echo")},
             "event": [{"listen": "test", "script": {"exec": [
                 "if (!pm.collectionVariables.get('again')) { pm.collectionVariables.set('again', '1'); pm.execution.setNextRequest('first'); }"
             ]}}]},
        ],
    });
    let summary = crate::support::run_collection_doc(&doc, Variables::default());
    let names: Vec<&str> = summary.executions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["first", "second", "first", "second"]);
    assert_eq!(summary.stats.iterations.total, 1);
}
