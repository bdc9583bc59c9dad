//! `vayu-cli collection run` end to end against the loopback target: the cli reporter's text,
//! exit codes as Newman's, the JUnit file (parsed), the json report, exported environments, and
//! refusals that name the item.

use crate::support::vayu_cli;
use crate::support::{TargetServer, TempDir};
use serde_json::{json, Value};

fn item(name: &str, url: &str, test: &str) -> Value {
    json!({"name": name, "request": {"method": "GET", "url": url},
           "event": [{"listen": "test", "script": {"exec": [test]}}]})
}

/// Two folders of requests; one assertion fails in the second iteration only.
fn collection() -> Value {
    json!({
        "info": {"name": "Shop", "_postman_id": "shop-1",
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "Browse", "item": [
                item("list", "{{base}}/echo?page={{page}}",
                     "pm.test('ok', function () { pm.response.to.have.status(200); }); pm.environment.set('seen', pm.iterationData.get('page'));"),
            ]},
            {"name": "Buy", "item": [
                item("missing", "{{base}}/status/404",
                     "pm.test('is 404', function () { pm.response.to.have.status(404); }); pm.test('page one only', function () { pm.expect(pm.iterationData.get('page')).to.equal(1); });"),
            ]},
        ],
    })
}

#[test]
fn a_collection_run_reports_like_newman_and_fails_with_exit_code_1() {
    let server = TargetServer::start();
    let dir = TempDir::new("collection-run");
    let file = dir.write("shop.json", &collection().to_string());
    let data = dir.write("data.csv", "page\n1\n2\n");
    let junit = dir.0.join("out/report.xml");
    let report = dir.0.join("out/report.json");
    let html = dir.0.join("out/report.html");
    let env_out = dir.0.join("env-out.json");
    let base = format!("base={}", server.url(""));
    let out = vayu_cli(&[
        "collection",
        "run",
        &file,
        "-d",
        &data,
        "--env-var",
        &base,
        "-r",
        "cli,junit,json,html",
        "--reporter-junit-export",
        junit.to_str().unwrap(),
        "--reporter-json-export",
        report.to_str().unwrap(),
        "--reporter-html-export",
        html.to_str().unwrap(),
        "--export-environment",
        env_out.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Iteration 2/2"), "{text}");
    assert!(
        text.contains("❏ Browse") && text.contains("↳ list"),
        "{text}"
    );
    assert!(text.contains("[200 OK,"), "{text}");
    assert!(text.contains("✓  is 404"), "{text}");
    assert!(text.contains("1. page one only"), "{text}");
    // Newman's failure table: the iteration under the failure's name in a run of several, the
    // detail column at the 22nd character, every line padded to the table's width.
    let table = text
        .split_once("\n\n  #  failure")
        .expect("a failure table")
        .1;
    let widths: Vec<usize> = table.lines().skip(1).map(|l| l.chars().count()).collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{table:?}");
    let trimmed: Vec<&str> = table.lines().map(str::trim_end).collect();
    assert_eq!(
        trimmed[1..],
        [
            "",
            " 1.  AssertionError  page one only",
            "     iteration: 2    expected 2 to equal 1",
            "                     at assertion:1 in test-script",
            "                     inside \"Buy / missing\"",
        ],
        "{text}"
    );
    let row = |name: &str| {
        text.lines()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("no {name} row in {text}"))
            .split('│')
            .map(|c| c.trim().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(row("assertions")[2..4], ["6".to_string(), "1".to_string()]);
    assert_eq!(row("requests")[2..4], ["4".to_string(), "0".to_string()]);

    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("the JUnit file parses");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    // As Newman writes it: one per request executed (checked against Newman 6.2.2), not the
    // assertions.
    assert_eq!(root.attribute("tests"), Some(row("requests")[2].as_str()));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2, "one suite per request");
    assert_eq!(suites[1].attribute("name"), Some("Buy / missing"));
    assert_eq!(suites[1].attribute("failures"), Some("1"));
    let cases: Vec<_> = suites[1]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2, "one testcase per assertion name");
    let failure = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(failure.attribute("message"), Some("expected 2 to equal 1"));

    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        json["run"]["stats"]["assertions"],
        json!({"total": 6, "failed": 1})
    );
    assert_eq!(json["run"]["executions"].as_array().unwrap().len(), 4);
    // As Newman writes them (checked against Newman 6.2.2): a script's assertions counted from
    // 0, and no iteration failed for what its assertions did.
    assert_eq!(
        json["run"]["failures"][0]["at"], "assertion:1 in test-script",
        "{}",
        json["run"]["failures"]
    );
    assert_eq!(
        json["run"]["stats"]["iterations"],
        json!({"total": 2, "failed": 0})
    );
    // The html reporter: one page whose data is the json reporter's.
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!doctype html>") && !page.contains("src=\"http"));
    assert_eq!(vayu::ui::embedded_data(&page).unwrap(), json);
    let env: Value = serde_json::from_str(&std::fs::read_to_string(&env_out).unwrap()).unwrap();
    assert!(
        env["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["key"] == "seen" && v["value"] == 2),
        "{env}"
    );

    let suppressed = vayu_cli(&[
        "collection",
        "run",
        &file,
        "-d",
        &data,
        "--env-var",
        &base,
        "--suppress-exit-code",
        "-r",
        "cli",
    ]);
    assert_eq!(suppressed.status.code(), Some(0));
    let one_folder = vayu_cli(&[
        "collection",
        "run",
        &file,
        "-d",
        &data,
        "--env-var",
        &base,
        "--folder",
        "Browse",
    ]);
    assert_eq!(
        one_folder.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one_folder.stdout)
    );
}

#[test]
fn what_vayu_cannot_send_is_refused_before_anything_is_sent() {
    let server = TargetServer::start();
    let dir = TempDir::new("collection-refused");
    let mut c = collection();
    c["item"][1]["item"][0]["request"]["auth"] =
        json!({"type": "jwt", "jwt": [{"key": "algorithm", "value": "ES512"}]});
    let file = dir.write("c.json", &c.to_string());
    let base = format!("base={}", server.url(""));
    let out = vayu_cli(&["collection", "run", &file, "--env-var", &base]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("Buy / missing") && err.contains("ES512 is not supported"),
        "{err}"
    );
    assert_eq!(
        server
            .stats
            .requests
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );

    let bad_reporter = vayu_cli(&["collection", "run", &file, "-r", "html"]);
    assert_eq!(bad_reporter.status.code(), Some(2));
    let missing_folder = vayu_cli(&[
        "collection",
        "run",
        &dir.write("ok.json", &collection().to_string()),
        "--folder",
        "Nope",
    ]);
    assert!(String::from_utf8_lossy(&missing_folder.stderr).contains("no folder named `Nope`"));
}

#[test]
fn newman_output_flags_and_ignore_redirects() {
    let server = TargetServer::start();
    let dir = TempDir::new("collection-flags");
    let c = json!({
        "info": {"name": "Flags", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [item("hop", "{{base}}/redirect/1",
                      "pm.test('not followed', function () { pm.response.to.have.status(302); });")],
    });
    let file = dir.write("c.json", &c.to_string());
    let base = format!("base={}", server.url(""));
    let out = vayu_cli(&[
        "collection",
        "run",
        &file,
        "--env-var",
        &base,
        "--ignore-redirects",
        "--disable-unicode",
        "--reporter-cli-no-summary",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Newman's plain-text symbols.
    assert!(text.contains("Root hop"), "{text}");
    assert!(text.contains("Pass  not followed"), "{text}");
    // As Newman's: times under a millisecond keep their `µs`.
    assert!(!text.contains(['→', '↳', '✓', '┌', '│', '─']), "{text}");
    assert!(!text.contains("executed"), "no summary table: {text}");

    let followed = vayu_cli(&[
        "collection",
        "run",
        &file,
        "--env-var",
        &base,
        "-x",
        "--reporter-cli-no-failures",
    ]);
    let text = String::from_utf8_lossy(&followed.stdout);
    assert_eq!(
        followed.status.code(),
        Some(0),
        "-x suppresses the failure's exit code: {text}"
    );
    assert!(text.contains("1. not followed"), "{text}");
    assert!(!text.contains("AssertionError"), "no failure list: {text}");
}

/// Issue 25 (7): an `await` loop and an endless promise chain burnt the script time limit and
/// recorded nothing, so the run exited 0; polluting `Object.prototype` broke the next request's
/// results and its `pm.sendRequest` callbacks.
#[test]
fn endless_jobs_fail_their_request_and_the_run_and_prototype_pollution_spares_the_next_request() {
    let server = TargetServer::start();
    let dir = TempDir::new("collection-silent-failures");
    let url = server.url("/echo");
    let next = "pm.test('next is clean', () => pm.response.to.have.status(200)); \
                pm.sendRequest(pm.request.url.toString(), (err, res) => \
                pm.test('callback runs', () => pm.expect(res.code).to.equal(200)));";
    let doc = json!({
        "info": {"name": "Silent", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            item("await loop", &url, "(async () => { while (true) { await null; } })();"),
            item("promise chain", &url, "f = () => Promise.resolve().then(f); f();"),
            item("pollute", &url, "Object.prototype.foo = 1; Object.defineProperty(Object.prototype, 'get', {value: 5, writable: true, configurable: true}); Object.prototype.toJSON = function () { return 1; };"),
            item("after", &url, next),
        ],
    });
    let file = dir.write("silent.json", &doc.to_string());
    let out = vayu_cli(&["collection", "run", &file, "--timeout-script", "300"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // The chain keeps every promise it made: it may run out of memory before its time.
    let timed_out = text
        .matches("timed out after 300ms (the script time limit)")
        .count();
    let out_of_memory = text
        .matches("ran out of memory (the script memory limit is 64 MiB)")
        .count();
    assert!(timed_out >= 1 && timed_out + out_of_memory == 2, "{text}");
    assert!(text.contains("✓  next is clean"), "{text}");
    assert!(text.contains("✓  callback runs"), "{text}");
    assert_eq!(text.matches("⠄ Error in test-script").count(), 2, "{text}");
}

/// Regression (issue 26): a collection, environment, globals or data file with a byte-order
/// mark was "not valid JSON … line 1 column 1", UTF-16 files were unreadable, and globals as a
/// bare `[{key, value}]` list were refused; Newman reads all of them.
#[test]
fn files_with_byte_order_marks_utf16_and_bare_variable_lists_are_read() {
    let server = TargetServer::start();
    let dir = TempDir::new("collection-encodings");
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    };
    let utf16 = |text: &str, big_endian: bool| -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    };
    let bom = |text: &str| [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
    let c = json!({"item": [item("vars", "{{base}}/echo?e={{e}}&g={{g}}&d={{d}}",
        "pm.test('all read', function () { pm.expect(pm.variables.get('e') + pm.variables.get('g') + pm.variables.get('d')).to.equal('EGD'); });")]});
    let env =
        json!({"values": [{"key": "e", "value": "E"}, {"key": "base", "value": server.url("")}]});
    let globals = json!([{"key": "g", "value": "G"}]);
    for (tag, collection, environment) in [
        ("bom", bom(&c.to_string()), bom(&env.to_string())),
        (
            "le",
            utf16(&c.to_string(), false),
            utf16(&env.to_string(), false),
        ),
        (
            "be",
            utf16(&c.to_string(), true),
            utf16(&env.to_string(), true),
        ),
    ] {
        let out = vayu_cli(&[
            "collection",
            "run",
            &write(&format!("{tag}.json"), collection),
            "-e",
            &write(&format!("{tag}-env.json"), environment),
            "-g",
            &write("globals.json", bom(&globals.to_string())),
            "-d",
            &write("data.csv", utf16("d\r\nD\r\n", false)),
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{tag}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("✓  all read"), "{tag}: {stdout}");
    }
    let bare_utf16: Vec<u8> = c
        .to_string()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let out = vayu_cli(&["collection", "run", &write("bare.json", bare_utf16)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("UTF-16 without a byte-order mark"));
}

/// Regression (issue 26): a v1 collection (`requests` + `order`) was refused; Newman converts
/// it with postman-collection-transformer, and so does Vayu now.
#[test]
fn a_v1_collection_is_converted_and_runs() {
    let server = TargetServer::start();
    let dir = TempDir::new("collection-v1");
    let v1 = json!({
        "id": "v1-id", "name": "old", "order": ["r1"],
        "requests": [{"id": "r1", "name": "echo", "method": "GET", "url": "{{base}}/echo?v=1",
                      "headers": "X-Old: yes", "dataMode": "params", "data": [],
                      "tests": "tests['status is 200'] = responseCode.code === 200;"}],
    });
    let base = format!("base={}", server.url(""));
    let out = vayu_cli(&[
        "collection",
        "run",
        &dir.write("v1.json", &v1.to_string()),
        "--env-var",
        &base,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("→ echo") && stdout.contains("✓  status is 200"),
        "{stdout}"
    );
}

/// A failed test is named by its error, as Newman names it (checked against Newman 6.2.2):
/// chai's `AssertionError`, a thrown `Error`, a `TypeError`.
#[test]
fn failed_tests_are_named_by_their_errors_as_newman_names_them() {
    let server = TargetServer::start();
    let dir = TempDir::new("failure-names");
    let doc = json!({
        "info": {"name": "names", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "one", "request": {"method": "GET", "url": server.url("/echo")},
                  "event": [{"listen": "test", "script": {"exec": [
                      "pm.test('fails', () => pm.expect(1).to.eql(2));",
                      "pm.test('throws', () => { throw new Error('boom'); });",
                      "pm.test('type error', () => { null.x; });"
                  ]}}]}]
    });
    let file = dir.write("c.json", &doc.to_string());
    let report = dir.0.join("r.json");
    let out = vayu_cli(&[
        "collection",
        "run",
        &file,
        "-r",
        "cli,json",
        "--reporter-json-export",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let kinds: Vec<&str> = json["run"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        ["AssertionError", "Error", "TypeError"],
        "{}",
        json["run"]["failures"]
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" 3.  TypeError       type error"), "{text}");
}

#[test]
fn dynamic_variables_get_a_fresh_value_per_occurrence_in_url_headers_body_and_auth() {
    let server = TargetServer::start();
    let dir = TempDir::new("collection-dynamic");
    let request = json!({
        "method": "POST",
        "url": "{{base}}/echo?a={{$guid}}&b={{$guid}}&n={{$randomInt}}&t={{$timestamp}}&mine={{$mine}}&none={{$notAVariable}}",
        "header": [{"key": "X-Id", "value": "{{$randomUUID}}"}, {"key": "X-At", "value": "{{$isoTimestamp}}"}],
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{$randomAlphaNumeric}}"}]},
        "body": {"mode": "urlencoded", "urlencoded": [{"key": "email", "value": "{{$randomEmail}}"}]}
    });
    let test = "var e = pm.response.json(); pm.environment.set('uri', e.uri); pm.environment.set('headers', JSON.stringify(e.headers)); pm.environment.set('body', e.body);";
    let collection = json!({
        "info": {"name": "dynamic", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "$mine", "value": "set"}],
        "item": [{"name": "r", "request": request,
                  "event": [{"listen": "test", "script": {"exec": [test]}}]}]
    });
    let file = dir.write("dynamic.json", &collection.to_string());
    let env_out = dir.0.join("env.json");
    let base = format!("base={}", server.url(""));
    let out = vayu_cli(&[
        "collection",
        "run",
        &file,
        "--env-var",
        &base,
        "--export-environment",
        env_out.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env: Value = serde_json::from_str(&std::fs::read_to_string(&env_out).unwrap()).unwrap();
    let var = |name: &str| {
        env["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["key"] == name)
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let uri = var("uri");
    let query: std::collections::HashMap<String, String> = uri
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let is_uuid = |s: &str| {
        s.len() == 36 && s.split('-').map(str::len).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
    };
    assert!(is_uuid(&query["a"]) && is_uuid(&query["b"]), "{uri}");
    assert_ne!(query["a"], query["b"], "each occurrence is a new value");
    let n: u64 = query["n"].parse().unwrap();
    assert!(n <= 1000, "$randomInt is 0 to 1000: {n}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t: u64 = query["t"].parse().unwrap();
    assert!(
        t.abs_diff(now) < 300,
        "$timestamp is seconds since the epoch: {t}"
    );
    assert_eq!(
        query["mine"], "set",
        "a variable named $mine wins over the generator"
    );
    // Newman sends an unknown name in the query as written.
    assert_eq!(query["none"], "{{$notAVariable}}");
    let headers: Value = serde_json::from_str(&var("headers")).unwrap();
    let header = |name: &str| {
        headers
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("{name} in {headers}"))[1]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(is_uuid(&header("x-id")));
    assert!(header("x-at").ends_with('Z') && header("x-at").contains('T'));
    let token = header("authorization");
    assert!(
        token.starts_with("Bearer ") && token.len() == "Bearer ".len() + 1,
        "{token}"
    );
    let body = var("body");
    assert!(body.starts_with("email=") && body.contains("%40"), "{body}");
}

/// Console output and assertions in the order they came, each argument as Node's util.inspect
/// shows it, consecutive lines in one box, cut at 54 columns: Newman 6.2.2's output for the
/// same scripts (piped), from the box before the request to the end of the test script.
#[test]
fn console_output_and_assertions_print_as_newman_prints_them() {
    let server = TargetServer::start();
    let dir = TempDir::new("collection-console");
    let test = [
        "console.log('first'); pm.test('t1', function () {});",
        "console.log('second', 'x'); console.log('third');",
        "pm.test('t2', function () { throw new TypeError('bad'); });",
        "console.log({a: {b: {c: {d: 1}}}, s: \"q'uote\", n: null, u: undefined, arr: [1, 'a'], f: '[Function: f]', long: 'x'.repeat(70)});",
        "console.error('err', 5, true); console.log([1, 2, 3, 4, 5, 6, 7]);",
    ];
    let collection = json!({
        "info": {"name": "Ord", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "ok", "request": {"method": "GET", "url": "{{base}}/echo"}, "event": [
            {"listen": "prerequest", "script": {"exec": ["console.log('pre'); pm.test('in pre', function () {});"]}},
            {"listen": "test", "script": {"exec": test}}]}]
    });
    let file = dir.write("console.json", &collection.to_string());
    let base = format!("base={}", server.url(""));
    let out = vayu_cli(&["collection", "run", &file, "--env-var", &base]);
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let request = lines
        .iter()
        .position(|l| l.starts_with("  GET "))
        .expect("the request line");
    assert_eq!(
        lines[3..request],
        ["", "→ ok", "  ┌", "  │ 'pre'", "  └", "  ✓  in pre"],
        "{text}"
    );
    let newman = [
        "  ┌",
        "  │ 'first'",
        "  └",
        "  ✓  t1",
        "  ┌",
        "  │ 'second', 'x'",
        "  │ 'third'",
        "  └",
        "  1. t2",
        "  ┌",
        "  │ {",
        "  │   a: { b: { c: { d: 1 } } },",
        "  │   s: \"q'uote\",",
        "  │   n: null,",
        "  │   u: undefined,",
        "  │   arr: [ 1, 'a' ],",
        "  │   f: '[Function: f]',",
        "  │   long: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "  │ xxxxxxxxxxxxxxxxxxxxxxxxx'",
        "  │ }",
        "  │ 'err', 5, true",
        "  │ [",
        "  │   1, 2, 3, 4,",
        "  │   5, 6, 7",
        "  │ ]",
        "  └",
    ];
    assert_eq!(
        lines[request + 1..request + 1 + newman.len()],
        newman,
        "{text}"
    );
}
