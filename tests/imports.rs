//! Imports (issue 29): the corpus in `tests/imports/` converts as Postman's converters convert
//! it (their output's shape recorded next to each document) or as the document says, and every
//! kind of import runs: an OpenAPI document against the loopback target answering as its
//! operations say, HAR recordings replayed with their correlated values, curl commands sent as
//! curl would send them, `vayu-cli import --flow` as a load run. Nothing here leaves the
//! machine: the target's `/seq` answers in order and keeps what it received.

use crate::support::target::{received_header as header, Received};
use crate::support::vayu_cli;
use crate::support::{stdout_json, Reply, TargetServer, TempDir};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use vayu::collection::{convert, ConvertOptions, Format, RunSummary};
use vayu::script::Variables;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/imports");

fn corpus(path: &str) -> String {
    std::fs::read_to_string(Path::new(CORPUS).join(path)).expect("corpus file")
}

fn json_reply(code: u16, body: Value) -> Reply {
    Reply::new(
        code,
        &[("Content-Type", "application/json")],
        &body.to_string(),
    )
}

/// Runs a collection with these environment variables against a target answering `replies`.
fn run(
    doc: &Value,
    env: Value,
    server: &TargetServer,
    replies: Vec<Reply>,
) -> (RunSummary, Vec<Received>) {
    server.stats.sequence.lock().unwrap().extend(replies);
    let mut variables = Variables::default();
    for (k, v) in env.as_object().unwrap() {
        variables.environment.insert(k.clone(), v.clone());
    }
    let summary = crate::support::run_collection_doc(doc, variables);
    let received = std::mem::take(&mut *server.stats.received.lock().unwrap());
    (summary, received)
}

/// A collection's comparable shape, one line per request, as `shape.js` (the script the
/// `.postman.txt` files were made with, run on Postman's converters' output) writes it:
/// folder | name | method | path with :variables | query keys | header keys | body mode:keys.
fn shape(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(doc["item"].as_array().unwrap(), "", &mut out);
    out
}

fn walk(items: &[Value], folder: &str, out: &mut Vec<String>) {
    for i in items {
        let name = i["name"].as_str().unwrap_or_default();
        if let Some(inner) = i["item"].as_array() {
            let sub = if folder.is_empty() {
                name.to_string()
            } else {
                format!("{folder} / {name}")
            };
            walk(inner, &sub, out);
            continue;
        }
        let r = &i["request"];
        let url = &r["url"];
        let path = match url {
            Value::String(s) => s.clone(),
            _ => format!(
                "/{}",
                url["path"]
                    .as_array()
                    .map(|p| p
                        .iter()
                        .map(|s| s.as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("/"))
                    .unwrap_or_default()
            ),
        };
        let keys = |list: &Value, lower: bool| -> Vec<String> {
            list.as_array()
                .into_iter()
                .flatten()
                .map(|q| {
                    let k = q["key"].as_str().unwrap_or_default();
                    if lower {
                        k.to_lowercase()
                    } else {
                        k.to_string()
                    }
                })
                .collect()
        };
        let query = keys(&url["query"], false).join(",");
        let mut headers = keys(&r["header"], true);
        headers.sort();
        let body = &r["body"];
        let mode = body["mode"].as_str().unwrap_or_default();
        let body_keys = match mode {
            "raw" => {
                match serde_json::from_str::<Value>(body["raw"].as_str().unwrap_or_default()) {
                    Ok(Value::Object(map)) => {
                        let mut k: Vec<_> = map.keys().cloned().collect();
                        k.sort();
                        k.join(",")
                    }
                    Ok(Value::Array(_)) => "[array]".into(),
                    Ok(Value::String(_)) => "string".into(),
                    Ok(Value::Number(_)) => "number".into(),
                    Ok(Value::Bool(_)) => "boolean".into(),
                    Ok(Value::Null) => "object".into(),
                    Err(_) => "text".into(),
                }
            }
            "urlencoded" | "formdata" => {
                let mut k = keys(&body[mode], false);
                k.sort();
                k.join(",")
            }
            _ => String::new(),
        };
        out.push(format!(
            "{folder} | {name} | {} | {path} | q={query} | h={} | body={mode}:{body_keys}",
            r["method"].as_str().unwrap_or_default(),
            headers.join(",")
        ));
    }
}

/// What a corpus document imports as: its shape, checked against the recorded one.
fn assert_shape(document: &str, expected: &str) {
    let imported = convert(&corpus(document), None, &ConvertOptions::default())
        .unwrap_or_else(|e| panic!("{document}: {e}"));
    let want: Vec<String> = corpus(expected).lines().map(str::to_string).collect();
    let got = shape(&imported.collection);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(
            g,
            w,
            "{document}: request {} differs from {expected}",
            i + 1
        );
    }
    assert_eq!(got.len(), want.len(), "{document}: request count");
}

#[test]
fn openapi_documents_import_as_postmans_converter_imports_them() {
    // The shape openapi-to-postmanv2 6.3.3 gives (Tags folder strategy), request for request.
    for doc in [
        "petstore-3.0.json",
        "petstore-3.1.yaml",
        "star-trek.json",
        "train-travel.yaml",
        "security.json",
        "shop.yaml",
    ] {
        let base = doc.rsplit_once('.').unwrap().0;
        assert_shape(
            &format!("openapi/{doc}"),
            &format!("openapi/{base}.postman.txt"),
        );
    }
    // Where Vayu makes what the document says and Postman does not (tests/imports/README.md).
    for doc in ["polymorphism.json", "server-variables.json"] {
        let base = doc.rsplit_once('.').unwrap().0;
        assert_shape(
            &format!("openapi/{doc}"),
            &format!("openapi/{base}.expected.txt"),
        );
    }
}

#[test]
fn githubs_api_description_imports_its_1223_operations() {
    use std::io::Read;
    let gz = std::fs::read(Path::new(CORPUS).join("openapi/github-api.json.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_string(&mut text)
        .unwrap();
    let imported = convert(&text, None, &ConvertOptions::default()).unwrap();
    let got = shape(&imported.collection);
    let want: Vec<String> = corpus("openapi/github-api.expected.txt")
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(got, want);
    // 1,109 as openapi-to-postmanv2 makes them; the rest use the document's body examples
    // (tests/imports/README.md).
    let postman = corpus("openapi/github-api.postman.txt");
    let same = postman.lines().zip(&got).filter(|(a, b)| a == b).count();
    assert_eq!((got.len(), same), (1223, 1109));
}

#[test]
fn curl_commands_from_public_docs_import_as_the_commands_say() {
    assert_shape("curl/public-docs.sh", "curl/public-docs.expected.txt");
    let postman = corpus("curl/public-docs.postman.txt");
    let ours = corpus("curl/public-docs.expected.txt");
    let same = postman
        .lines()
        .zip(ours.lines())
        .filter(|(a, b)| a == b)
        .count();
    // 14 of 20 as curl-to-postmanv2 makes them; the 6 others are listed in the README.
    assert_eq!((ours.lines().count(), same), (20, 14));
}

#[test]
fn formats_are_told_apart_by_their_content() {
    for (doc, format) in [
        ("openapi/petstore-3.1.yaml", Format::OpenApi),
        ("openapi/star-trek.json", Format::OpenApi),
        ("har/login-token.har", Format::Har),
        ("curl/public-docs.sh", Format::Curl),
    ] {
        assert_eq!(
            vayu::collection::detect(&corpus(doc)).unwrap(),
            format,
            "{doc}"
        );
    }
    let postman = r#"{"info": {"name": "x"}, "item": []}"#;
    assert_eq!(vayu::collection::detect(postman).unwrap(), Format::Postman);
    let err = vayu::collection::detect("hello: [world").unwrap_err();
    assert!(err.message.contains("cannot tell"), "{err}");
    let swagger = convert(
        r#"{"swagger": "2.0", "paths": {}}"#,
        None,
        &ConvertOptions::default(),
    )
    .unwrap_err();
    assert!(swagger.message.contains("Swagger 2.0"), "{swagger}");
}

/// The shop's replies, in the document's order, each as its operation documents it.
fn shop_replies(item_name: Option<&str>) -> Vec<Reply> {
    let item = match item_name {
        Some(name) => {
            json!({"id": 42, "name": name, "price": 9.5, "created": "2026-01-02T03:04:05Z"})
        }
        None => json!({"id": 42, "price": 9.5}),
    };
    vec![
        json_reply(200, json!({"token": "t-1", "expires": null})),
        json_reply(200, json!([item.clone()])),
        json_reply(201, item.clone()),
        json_reply(200, item),
        Reply::new(204, &[], ""),
        json_reply(200, json!({"status": "up"})),
    ]
}

#[test]
fn an_imported_openapi_document_runs_against_the_service_it_describes() {
    let server = TargetServer::start();
    let imported = convert(
        &corpus("openapi/shop.yaml"),
        None,
        &ConvertOptions::default(),
    )
    .unwrap();
    let env = json!({"port": server.http.port().to_string(), "bearerToken": "tok-9"});
    let (summary, received) = run(
        &imported.collection,
        env.clone(),
        &server,
        shop_replies(Some("Lamp")),
    );
    assert!(summary.failures.is_empty(), "{:#?}", summary.failures);
    // Status and schema tests on every operation with a JSON body (deleteItem: status only).
    assert_eq!(summary.stats.assertions.total, 11);
    let sent: Vec<String> = received
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        sent,
        [
            "POST /v1/login",
            "GET /v1/items?limit=10",
            "POST /v1/items",
            "GET /v1/items/42",
            "DELETE /v1/items/42",
            "GET /v1/health",
        ]
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&received[0].body).unwrap(),
        json!({"user": "ann", "password": "s3cret"})
    );
    assert_eq!(
        header(&received[0], "authorization"),
        None,
        "login is public (security: [])"
    );
    assert_eq!(header(&received[1], "authorization"), Some("Bearer tok-9"));
    assert_eq!(header(&received[1], "x-trace"), Some("trace-1"));
    assert_eq!(header(&received[1], "accept"), Some("application/json"));
    // The oneOf body is its first branch, made from the schema's examples.
    assert_eq!(
        serde_json::from_slice::<Value>(&received[2].body).unwrap(),
        json!({"kind": "book", "title": "Dune", "pages": 412})
    );
    assert_eq!(header(&received[5], "authorization"), None);

    // A service that breaks its schema fails the generated tests.
    let (summary, _) = run(&imported.collection, env, &server, shop_replies(None));
    let failed: Vec<&str> = summary.failures.iter().map(|f| f.test.as_str()).collect();
    assert_eq!(
        failed, ["Body matches the response schema"; 3],
        "{:#?}",
        summary.failures
    );
}

/// A HAR corpus file with its recorded origin pointed at the target.
fn har_at(server: &TargetServer, name: &str) -> String {
    corpus(&format!("har/{name}")).replace("http://127.0.0.1:8080", &server.url(""))
}

/// The recorded responses of the entries a default import keeps, to replay in order.
fn recorded_replies(har: &str, keep: impl Fn(&str) -> bool) -> Vec<Reply> {
    let doc: Value = serde_json::from_str(har).unwrap();
    doc["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| keep(e["request"]["url"].as_str().unwrap()))
        .map(|e| {
            let r = &e["response"];
            let headers: Vec<(String, String)> = r["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h["name"].as_str().unwrap().to_string(),
                        h["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            Reply {
                code: r["status"].as_u64().unwrap() as u16,
                status: String::new(),
                headers,
                body: r["content"]["text"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

#[test]
fn a_har_recording_replays_with_the_values_a_response_gave_carried_to_later_requests() {
    let server = TargetServer::start();
    let har = har_at(&server, "login-token.har");
    let imported = convert(&har, None, &ConvertOptions::default()).unwrap();
    let report: Vec<(&str, &str)> = imported
        .report
        .correlations
        .iter()
        .map(|c| (c.variable.as_str(), c.source.as_str()))
        .collect();
    assert_eq!(
        report,
        [
            ("token", "json token"),
            ("userId", "json userId"),
            ("orders_id", "json orders.0.id"),
            ("X_Csrf_Token", "header X-Csrf-Token")
        ]
    );
    assert_eq!(
        imported
            .think_times
            .iter()
            .map(|t| t.as_millis())
            .collect::<Vec<_>>(),
        [1460, 2460, 460, 0]
    );
    // The service now hands out other values than the recording's: the replay must send those.
    let replies: Vec<Reply> = recorded_replies(&har, |_| true)
        .into_iter()
        .map(|mut r| {
            r.body = r
                .body
                .replace(
                    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlMTIz",
                    "fresh-token-0001",
                )
                .replace("u-8812734", "u-2000001")
                .replace("ord-99817262", "ord-30000003");
            for (k, v) in &mut r.headers {
                if k == "X-Csrf-Token" {
                    *v = "csrf-fresh-42".into();
                }
            }
            r
        })
        .collect();
    let (summary, received) = run(&imported.collection, json!({}), &server, replies);
    assert!(summary.failures.is_empty(), "{:#?}", summary.failures);
    let sent: Vec<String> = received
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        sent,
        [
            "POST /api/login",
            "GET /api/users/u-2000001/orders",
            "POST /api/orders/ord-30000003/cancel",
            "GET /api/orders/ord-30000003"
        ]
    );
    assert_eq!(
        header(&received[2], "authorization"),
        Some("Bearer fresh-token-0001")
    );
    assert_eq!(header(&received[2], "x-csrf-token"), Some("csrf-fresh-42"));
    assert_eq!(
        serde_json::from_slice::<Value>(&received[2].body).unwrap(),
        json!({"reason": "changed my mind", "user": "u-2000001"})
    );
    // The recorded Host (port 8080) and Connection are the engine's to write, not replayed.
    let host = format!("127.0.0.1:{}", server.http.port());
    assert_eq!(header(&received[0], "host"), Some(host.as_str()));
    assert_eq!(header(&received[0], "connection"), None);
}

#[test]
fn a_browser_recording_leaves_out_static_assets_and_other_hosts_unless_asked() {
    let server = TargetServer::start();
    let har = har_at(&server, "spa-browser.har");
    let imported = convert(&har, None, &ConvertOptions::default()).unwrap();
    let names: Vec<String> = shape(&imported.collection)
        .iter()
        .map(|l| l.split(" | ").nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "GET /seq/",
            "GET /seq/api/config",
            "GET /seq/api/products",
            "POST /seq/api/cart"
        ]
    );
    assert_eq!(
        imported.report.notes.len(),
        2,
        "{:?}",
        imported.report.notes
    );
    assert!(imported.report.notes[1].contains("www.google-analytics.com"));
    // HTTP/2 pseudo-headers, Host, Connection and Content-Length are the engine's to write.
    let first = &imported.collection["item"][0]["request"]["header"];
    let keys: Vec<&str> = first
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["User-Agent", "Accept"]);
    let replies = recorded_replies(&har, |u| {
        u.starts_with(&server.url("")) && !u.contains("/static/")
    });
    let (summary, received) = run(&imported.collection, json!({}), &server, replies);
    assert!(summary.failures.is_empty(), "{:#?}", summary.failures);
    assert_eq!(received.len(), 4);
    assert_eq!(received[3].body, br#"{"product": 7, "quantity": 1}"#);

    let every = ConvertOptions {
        har: vayu::collection::HarOptions {
            include_static: true,
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        shape(&convert(&har, None, &every).unwrap().collection).len(),
        8
    );
    let only = ConvertOptions {
        har: vayu::collection::HarOptions {
            only_hosts: vec!["www.google-analytics.com".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        shape(&convert(&har, None, &only).unwrap().collection).len(),
        1
    );
}

#[test]
fn a_recorded_form_login_replays_its_redirect_as_recorded() {
    let server = TargetServer::start();
    let har = har_at(&server, "form-login.har");
    let imported = convert(&har, None, &ConvertOptions::default()).unwrap();
    let replies = recorded_replies(&har, |_| true);
    let (summary, received) = run(&imported.collection, json!({}), &server, replies);
    assert!(summary.failures.is_empty(), "{:#?}", summary.failures);
    let sent: Vec<String> = received
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    // The 302 is not followed: the recording's next entry is the hop.
    assert_eq!(sent, ["POST /login", "GET /account", "POST /avatar"]);
    assert_eq!(received[0].body, b"user=ann&password=s3cret%20%26%20more");
    assert!(header(&received[2], "content-type")
        .unwrap()
        .starts_with("multipart/form-data"));
}

#[test]
fn curl_commands_are_sent_as_curl_would_send_them() {
    let server = TargetServer::start();
    let base = server.url("/seq");
    let commands = format!(
        "curl -X PUT '{base}/a?x=1' -H 'X-One: 1' -H 'X-Empty;' -u ann:pw -A agent/1 -b 'k=v' --json '{{\"a\":1}}'\n\
         curl {base}/b -d 'q=a%20b' -d n=2\n\
         curl -G {base}/c --data-urlencode 'q=a b&c-d.e_f~g'\n\
         curl -F 'name=ann' -F 'note=hi;type=text/plain' {base}/e --frobnicate\n"
    );
    let imported = convert(&commands, None, &ConvertOptions::default()).unwrap();
    assert_eq!(
        imported.report.notes,
        ["curl (line 4): `--frobnicate` is not a flag Vayu imports; it was left out"]
    );
    // Windows cmd quoting, as Chrome's "Copy as cURL (cmd)" writes it.
    let cmd = format!("curl ^\"{base}/d^\" ^\n  -H ^\"X-Cmd: yes^\" ^\n  --data-raw ^\"^{{^\\^\"k^\\^\":2^}}^\" -H ^\"Content-Type: application/json^\"\n");
    let mut collection = imported.collection.clone();
    let cmd_item = convert(&cmd, None, &ConvertOptions::default())
        .unwrap()
        .collection["item"][0]
        .clone();
    let items = collection["item"].as_array_mut().unwrap();
    items.insert(3, cmd_item);
    let replies = (0..5).map(|_| Reply::new(200, &[], "ok")).collect();
    let (summary, r) = run(&collection, json!({}), &server, replies);
    assert!(summary.failures.is_empty(), "{:#?}", summary.failures);
    assert_eq!(
        (r[0].method.as_str(), r[0].path.as_str()),
        ("PUT", "/a?x=1")
    );
    assert_eq!(header(&r[0], "x-one"), Some("1"));
    assert_eq!(header(&r[0], "x-empty"), Some(""));
    assert_eq!(header(&r[0], "authorization"), Some("Basic YW5uOnB3"));
    assert_eq!(header(&r[0], "user-agent"), Some("agent/1"));
    assert_eq!(header(&r[0], "cookie"), Some("k=v"));
    assert_eq!(header(&r[0], "content-type"), Some("application/json"));
    assert_eq!(r[0].body, br#"{"a":1}"#);
    assert_eq!(
        (r[1].method.as_str(), r[1].body.as_slice()),
        ("POST", b"q=a%20b&n=2".as_slice())
    );
    assert_eq!(
        header(&r[1], "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        (r[2].method.as_str(), r[2].path.as_str()),
        ("GET", "/c?q=a%20b%26c-d.e_f~g")
    );
    assert_eq!(
        (r[3].path.as_str(), r[3].body.as_slice()),
        ("/d", br#"{"k":2}"#.as_slice())
    );
    assert_eq!(header(&r[3], "x-cmd"), Some("yes"));
    let form = String::from_utf8_lossy(&r[4].body);
    assert!(
        form.contains("name=\"name\"\r\n\r\nann\r\n") && form.contains("Content-Type: text/plain"),
        "{form}"
    );

    let glob = convert(
        "curl 'http://127.0.0.1:1/[1-9].txt'",
        None,
        &ConvertOptions::default(),
    )
    .unwrap_err();
    assert!(glob.message.contains("glob"), "{glob}");
    let unquoted = convert(
        "curl 'http://127.0.0.1:1/",
        Some(Format::Curl),
        &ConvertOptions::default(),
    )
    .unwrap_err();
    assert!(unquoted.message.contains("does not close"), "{unquoted}");
}

#[test]
fn vayu_cli_imports_to_a_collection_or_a_run_file_and_the_run_file_runs() {
    let server = TargetServer::start();
    let dir = TempDir::new("imports-cli");
    let spec = dir.write(
        "shop.yaml",
        &corpus("openapi/shop.yaml").replace(
            "default: \"8080\"",
            &format!("default: \"{}\"", server.http.port()),
        ),
    );
    let collection = dir.0.join("shop.postman_collection.json");
    let out = vayu_cli(&["import", &spec, "-o", collection.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&collection).unwrap()).unwrap();
    assert_eq!(written["info"]["name"], "Shop");
    assert_eq!(shape(&written).len(), 6);

    let run_file = dir.0.join("run.json");
    let out = vayu_cli(&["import", &spec, "--flow", run_file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut run: Value =
        serde_json::from_str(&std::fs::read_to_string(&run_file).unwrap()).unwrap();
    assert_eq!(run["flow"].as_array().unwrap().len(), 6);
    assert_eq!(run["flow"][0]["name"], "auth / Log in");
    assert_eq!(run["environment"]["version"], "v1");
    // What the user fills in: the variables the document's security schemes left empty.
    assert_eq!(run["environment"]["bearerToken"], "");
    run["environment"]["bearerToken"] = json!("tok-1");
    std::fs::write(&run_file, run.to_string()).unwrap();
    server
        .stats
        .sequence
        .lock()
        .unwrap()
        .extend(shop_replies(Some("Lamp")));
    let out = vayu_cli(&[
        "load",
        run_file.to_str().unwrap(),
        "--json",
        "--workers",
        "1",
        "--no-pin",
    ]);
    let report = stdout_json(&out);
    assert!(out.status.success(), "{report:#}");
    let received = server.stats.received.lock().unwrap();
    assert_eq!(received.len(), 6);
    assert_eq!(received[3].path, "/v1/items/42");
    let tests = report["tests"]["tests"]
        .as_object()
        .unwrap_or_else(|| panic!("{report:#}"));
    let passed: u64 = tests.values().map(|t| t["passed"].as_u64().unwrap()).sum();
    let failed: u64 = tests.values().map(|t| t["failed"].as_u64().unwrap()).sum();
    assert_eq!((passed, failed), (11, 0), "{report:#}");
    drop(received);
    // The third command of the newcomer's path (docs/cli.md): the same file as a load test.
    let out = vayu_cli(&[
        "load",
        run_file.to_str().unwrap(),
        "--rps",
        "10",
        "--duration",
        "1s",
        "--json",
        "--workers",
        "1",
        "--no-pin",
    ]);
    let report = stdout_json(&out);
    assert_eq!(
        (
            report["executor"].as_str(),
            report["flow"]["iterations"].as_u64()
        ),
        (Some("constant-arrival-rate"), Some(10)),
        "{report:#}"
    );
    assert_eq!(report["requestsSent"], 60);
    server.stats.received.lock().unwrap().clear();

    // A curl command from standard input, and the reverse: the collection as curl commands.
    let mut child = Command::new(env!("CARGO_BIN_EXE_vayu-cli"))
        .args(["import", "-", "--format", "curl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"curl -sS http://127.0.0.1:1/x -H 'A: b'\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["item"][0]["request"]["header"][0]["key"], "A");
    assert!(String::from_utf8_lossy(&out.stderr).contains("`-s` ignored"));

    let out = vayu_cli(&[
        "export",
        "curl",
        collection.to_str().unwrap(),
        "--request",
        "Get an item",
        "--resolve",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let port = server.http.port();
    assert_eq!(
        text,
        format!("# items / Get an item\ncurl http://127.0.0.1:{port}/seq/v1/items/42 \\\n  -H 'Accept: application/json' \\\n  -H 'Authorization: Bearer {{{{bearerToken}}}}'\n")
    );
    // A request file (`vayu-cli run`'s) as a command, read back as the same words.
    let request = dir.write("req.json", r#"{"method": "POST", "url": "http://127.0.0.1:1/p?q=1", "headers": {"X-A": "it's"}, "auth": {"type": "bearer", "token": "t"}, "body": {"a": [1]}}"#);
    let out = vayu_cli(&["export", "curl", &request]);
    let words = shlex::split(&String::from_utf8_lossy(&out.stdout).replace("\\\n", "")).unwrap();
    assert_eq!(
        words,
        [
            "curl",
            "http://127.0.0.1:1/p?q=1",
            "-X",
            "POST",
            "-H",
            "X-A: it's",
            "-H",
            "Content-Type: application/json",
            "-H",
            "Authorization: Bearer t",
            "--data-raw",
            r#"{"a":[1]}"#
        ]
    );
    let bad = vayu_cli(&["import", &dir.write("x.txt", "hello"), "-o", "/dev/null"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot tell what this is"));
}

#[test]
fn the_api_imports_every_format_and_copies_a_saved_request_as_curl() {
    let db = TempDir::new("imports-api");
    let (mut engine, base, _log) = crate::support::spawn_engine(&db.0.join("vayu.db"));
    let post = |body: &str| -> (u16, Value) {
        let agent = ureq_like_post(&format!("{base}/collections/import"), body);
        (
            agent.0,
            serde_json::from_str(&agent.1).unwrap_or(Value::Null),
        )
    };
    // The body as it is (a HAR recording, a Postman collection as before), or text in
    // `content` (YAML; API bodies are JSON).
    let (status, yaml) = post(&json!({"content": corpus("openapi/shop.yaml")}).to_string());
    assert_eq!(
        (status, yaml["format"].as_str()),
        (201, Some("openapi")),
        "{yaml}"
    );
    assert_eq!(yaml["requests"].as_array().unwrap().len(), 6);
    let (status, har) = post(&corpus("har/login-token.har"));
    assert_eq!(
        (status, har["format"].as_str()),
        (201, Some("har")),
        "{har}"
    );
    assert_eq!(har["report"]["correlations"].as_array().unwrap().len(), 4);
    let (status, postman) = post(
        r#"{"info": {"name": "P"}, "item": [{"name": "r", "request": "http://127.0.0.1:1/"}]}"#,
    );
    assert_eq!(
        (status, postman["format"].as_str()),
        (201, Some("postman")),
        "{postman}"
    );
    // `format` and `content`: curl text, with a name.
    let wrapped = json!({"format": "curl", "name": "From docs", "content": "curl -X POST http://127.0.0.1:1/a -u ann:pw -d '{\"a\":1}' -H 'Content-Type: application/json'"});
    let (status, curl) = post(&wrapped.to_string());
    assert_eq!(status, 201, "{curl}");
    let exported = call_get(&format!(
        "{base}/collections/{}/export",
        curl["id"].as_str().unwrap()
    ));
    assert_eq!(exported["info"]["name"], "From docs");
    let request = call_get(&format!(
        "{base}/requests/{}",
        curl["requests"][0].as_str().unwrap()
    ));
    assert_eq!(
        request["curl"],
        "curl http://127.0.0.1:1/a \\\n  -X POST \\\n  -H 'Content-Type: application/json' \\\n  -u ann:pw \\\n  --data-raw '{\"a\":1}'"
    );
    // Written back as read (less the store's id and time), `curl` is ignored; of another
    // type, it is refused, naming it.
    let url = format!("{base}/requests/{}", curl["requests"][0].as_str().unwrap());
    let mut request = request.clone();
    let fields = request.as_object_mut().unwrap();
    fields.remove("id");
    fields.remove("updatedAt");
    let (status, answer) = http_call("PUT", &url, Some(&request.to_string()));
    assert_eq!(status, 200, "{answer}");
    let mut wrong = request.clone();
    wrong["curl"] = json!({});
    let (status, error) = http_call("PUT", &url, Some(&wrong.to_string()));
    assert_eq!(status, 422, "{error}");
    assert!(error.contains("\"field\":\"curl\""), "{error}");
    // Refusals name the field.
    for (body, field) in [
        (json!({"format": "xml", "content": "<a/>"}), "format"),
        (json!({"format": "curl"}), "content"),
        (
            json!({"content": "curl http://127.0.0.1:1/", "follow": true}),
            "follow",
        ),
        (
            json!({"format": "har", "content": {"log": {}}}),
            "log.entries",
        ),
    ] {
        let (status, error) = post(&body.to_string());
        assert_eq!(
            (status, error["error"]["field"].as_str()),
            (422, Some(field)),
            "{error}"
        );
    }
    let (status, error) = post(&json!({"content": "not a document"}).to_string());
    assert_eq!(
        (status, error["error"]["field"].as_str()),
        (422, Some("format")),
        "{error}"
    );
    assert_eq!(post("curl http://127.0.0.1:1/").0, 400, "bodies are JSON");
    engine.kill().unwrap();
    engine.wait().unwrap();
}

fn ureq_like_post(url: &str, body: &str) -> (u16, String) {
    http_call("POST", url, Some(body))
}

fn call_get(url: &str) -> Value {
    let (status, body) = http_call("GET", url, None);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// One call to the engine's API (JSON bodies), through libcurl.
fn http_call(method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    let mut easy = curl::easy::Easy::new();
    easy.url(url).unwrap();
    easy.custom_request(method).unwrap();
    let mut list = curl::easy::List::new();
    list.append("Content-Type: application/json").unwrap();
    easy.http_headers(list).unwrap();
    if let Some(b) = body {
        easy.post_fields_copy(b.as_bytes()).unwrap();
    }
    let mut data = Vec::new();
    {
        let mut t = easy.transfer();
        t.write_function(|d| {
            data.extend_from_slice(d);
            Ok(d.len())
        })
        .unwrap();
        t.perform().unwrap();
    }
    (
        easy.response_code().unwrap() as u16,
        String::from_utf8_lossy(&data).into_owned(),
    )
}
