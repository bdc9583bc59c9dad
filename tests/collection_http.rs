//! How a collection run sends its requests, as Newman sends them (issue 26): the
//! `protocolProfileBehavior` keys on redirects, cookies and bodies, cookies set on a redirect,
//! URLs encoded as postman-url-encoder encodes them, TLS versions and ciphers, and the
//! `vayu-cli collection run` flags for client certificates, extra CAs, the run's time limit,
//! cookie jar files, files outside the working directory, colour and verbose output. Requests go
//! to the loopback target's `/seq` (answers given in order, requests kept) or a mutual-TLS server.

use crate::support::mutual_tls::MutualTls;
use crate::support::target::Received;
use crate::support::vayu_cli;
use crate::support::{Reply, TargetServer, TempDir};
use serde_json::{json, Value};
use std::process::Output;
use vayu::collection::{import, ImportOptions, RunSummary};
use vayu::script::Variables;

fn collection(items: Vec<Value>) -> Value {
    json!({
        "info": {"name": "http", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": items,
    })
}

fn request(name: &str, method: &str, url: &str, body: Option<&str>, ppb: Value) -> Value {
    let mut request = json!({"method": method, "url": url});
    if let Some(body) = body {
        request["body"] = json!({"mode": "raw", "raw": body});
    }
    json!({"name": name, "request": request, "protocolProfileBehavior": ppb})
}

/// Runs `doc` with `{{base}}` the target's `/seq`, which answers with `replies` in order;
/// returns the summary and what the target received.
fn run(doc: Value, replies: Vec<Reply>) -> (RunSummary, Vec<Received>, TargetServer) {
    let server = TargetServer::start();
    server.stats.sequence.lock().unwrap().extend(replies);
    let mut variables = Variables::default();
    variables
        .environment
        .insert("base".into(), json!(server.url("/seq")));
    let summary = crate::support::run_collection_doc(&doc, variables);
    let received = server.stats.received.lock().unwrap().clone();
    (summary, received, server)
}

use crate::support::target::received_header as header;

fn sent(received: &[Received]) -> Vec<(String, String, String)> {
    received
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                String::from_utf8_lossy(&r.body).into_owned(),
            )
        })
        .collect()
}

fn owned(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn redirects_keep_or_change_the_method_as_follow_original_http_method_says() {
    let keep = json!({"followOriginalHttpMethod": true});
    let doc = collection(vec![
        request("post kept", "POST", "{{base}}/a", Some("b1"), keep.clone()),
        request("put to get", "PUT", "{{base}}/b", Some("b2"), json!({})),
        request("post 303 kept", "POST", "{{base}}/c", Some("b3"), keep),
        request("post 307", "POST", "{{base}}/d", Some("b4"), json!({})),
    ]);
    let hop = |code, to: &str| Reply::new(code, &[("Location", to)], "");
    let ok = || Reply::new(200, &[], "ok");
    let (summary, received, _server) = run(
        doc,
        vec![
            hop(302, "/seq/a2"),
            ok(),
            hop(301, "/seq/b2"),
            ok(),
            hop(303, "/seq/c2"),
            ok(),
            hop(307, "/seq/d2"),
            ok(),
        ],
    );
    assert!(!summary.failed(), "{:?}", summary.failures);
    // As Newman: GET without the body after 301/302/303 whatever the method, unless
    // followOriginalHttpMethod; 307 keeps both.
    assert_eq!(
        sent(&received),
        owned(&[
            ("POST", "/a", "b1"),
            ("POST", "/a2", "b1"),
            ("PUT", "/b", "b2"),
            ("GET", "/b2", ""),
            ("POST", "/c", "b3"),
            ("POST", "/c2", "b3"),
            ("POST", "/d", "b4"),
            ("POST", "/d2", "b4"),
        ])
    );
}

#[test]
fn authorization_goes_to_another_host_only_with_follow_authorization_header() {
    let server = TargetServer::start();
    // The other host is the same server by another name.
    let other = format!("http://localhost:{}/seq/other", server.http.port());
    server.stats.sequence.lock().unwrap().extend([
        Reply::new(302, &[("Location", other.as_str())], ""),
        Reply::new(200, &[], "ok"),
        Reply::new(302, &[("Location", other.as_str())], ""),
        Reply::new(200, &[], "ok"),
    ]);
    let with_auth = |name: &str, ppb: Value| {
        json!({"name": name, "protocolProfileBehavior": ppb, "request": {
            "method": "GET", "url": "{{base}}/start",
            "header": [{"key": "Authorization", "value": "Bearer t"}]}})
    };
    let doc = collection(vec![
        with_auth("dropped", json!({})),
        with_auth("kept", json!({"followAuthorizationHeader": true})),
    ]);
    let mut variables = Variables::default();
    variables
        .environment
        .insert("base".into(), json!(server.url("/seq")));
    let summary = crate::support::run_collection_doc(&doc, variables);
    assert!(!summary.failed(), "{:?}", summary.failures);
    let received = server.stats.received.lock().unwrap().clone();
    let auth: Vec<Option<&str>> = received
        .iter()
        .map(|r| header(r, "authorization"))
        .collect();
    assert_eq!(
        auth,
        vec![Some("Bearer t"), None, Some("Bearer t"), Some("Bearer t")]
    );
}

#[test]
fn a_cookie_set_on_a_redirect_goes_to_the_next_hop_the_jar_and_later_requests() {
    let doc = collection(vec![
        json!({"name": "login", "request": {"method": "POST", "url": "{{base}}/login"},
               "event": [{"listen": "test", "script": {"exec": [
                   "pm.test('in the jar', function () { pm.expect(pm.cookies.get('sid')).to.equal('s1'); });"]}}]}),
        json!({"name": "later", "request": {"method": "GET", "url": "{{base}}/later"}}),
    ]);
    let (summary, received, _server) = run(
        doc,
        vec![
            Reply::new(
                302,
                &[("Set-Cookie", "sid=s1; Path=/"), ("Location", "/seq/home")],
                "",
            ),
            Reply::new(200, &[("Set-Cookie", "seen=1; Path=/")], "home"),
            Reply::new(200, &[], "later"),
        ],
    );
    assert!(!summary.failed(), "{:?}", summary.failures);
    let cookies: Vec<Option<&str>> = received.iter().map(|r| header(r, "cookie")).collect();
    assert_eq!(cookies[0], None);
    assert_eq!(cookies[1], Some("sid=s1"), "the hop after the Set-Cookie");
    let later = cookies[2].unwrap_or_default();
    assert!(
        later.contains("sid=s1") && later.contains("seen=1"),
        "{later}"
    );
}

/// A redirect to another host takes none of the jar's cookies for the first one (libcurl sends
/// `CURLOPT_COOKIE` only to the request's own host; `localhost` is another host name).
#[test]
fn the_jar_cookies_of_one_host_do_not_follow_a_redirect_to_another() {
    let other = TargetServer::start();
    other
        .stats
        .sequence
        .lock()
        .unwrap()
        .push_back(Reply::new(200, &[], ""));
    let elsewhere = other.url("/seq/there").replace("127.0.0.1", "localhost");
    let doc = collection(vec![
        json!({"name": "set", "request": {"method": "GET", "url": "{{base}}/set"}}),
        json!({"name": "away", "request": {"method": "GET", "url": "{{base}}/away"}}),
    ]);
    let (summary, received, _server) = run(
        doc,
        vec![
            Reply::new(200, &[("Set-Cookie", "sid=s1; Path=/")], ""),
            Reply::new(302, &[("Location", elsewhere.as_str())], ""),
        ],
    );
    assert!(!summary.failed(), "{:?}", summary.failures);
    assert_eq!(
        header(&received[1], "cookie"),
        Some("sid=s1"),
        "its own host"
    );
    let there = other.stats.received.lock().unwrap().clone();
    assert_eq!(there.len(), 1, "the redirect was followed");
    assert_eq!(
        header(&there[0], "cookie"),
        None,
        "no cookie of 127.0.0.1 at localhost"
    );
}

#[test]
fn disable_cookies_neither_sends_the_jar_nor_stores_the_response_cookies() {
    let doc = collection(vec![
        request("set a", "GET", "{{base}}/a", None, json!({})),
        request(
            "off",
            "GET",
            "{{base}}/off",
            None,
            json!({"disableCookies": true}),
        ),
        request("after", "GET", "{{base}}/after", None, json!({})),
    ]);
    let (summary, received, _server) = run(
        doc,
        vec![
            Reply::new(200, &[("Set-Cookie", "a=1; Path=/")], ""),
            Reply::new(200, &[("Set-Cookie", "b=2; Path=/")], ""),
            Reply::new(200, &[], ""),
        ],
    );
    assert!(!summary.failed(), "{:?}", summary.failures);
    let cookies: Vec<Option<&str>> = received.iter().map(|r| header(r, "cookie")).collect();
    assert_eq!(cookies, vec![None, None, Some("a=1")]);
}

#[test]
fn head_and_get_send_their_bodies_with_disable_body_pruning() {
    let keep = json!({"disableBodyPruning": true});
    let doc = collection(vec![
        request(
            "head",
            "HEAD",
            "{{base}}/h",
            Some("head body"),
            keep.clone(),
        ),
        request("get", "GET", "{{base}}/g", Some("get body"), keep),
        request("pruned", "GET", "{{base}}/p", Some("dropped"), json!({})),
    ]);
    // The HEAD answer announces a length it does not send, as HEAD answers do.
    let (summary, received, _server) = run(
        doc,
        vec![
            Reply::new(200, &[("X-Length", "26")], ""),
            Reply::new(200, &[], "g"),
            Reply::new(200, &[], "p"),
        ],
    );
    assert!(!summary.failed(), "{:?}", summary.failures);
    assert_eq!(
        sent(&received),
        owned(&[
            ("HEAD", "/h", "head body"),
            ("GET", "/g", "get body"),
            ("GET", "/p", ""),
        ])
    );
}

#[test]
fn protocol_profile_behavior_is_inherited_and_keys_newman_ignores_are_ignored() {
    let doc = collection(vec![json!({
        "name": "folder",
        "protocolProfileBehavior": {"followRedirects": false, "aKeyFromTheFuture": [1]},
        "item": [
            request("inherits", "GET", "{{base}}/a", None,
                    json!({"insecureHTTPParser": true, "tlsPreferServerCiphers": true})),
            request("overrides", "GET", "{{base}}/b", None, json!({"followRedirects": true})),
        ],
    })]);
    let (summary, received, _server) = run(
        doc,
        vec![
            Reply::new(302, &[("Location", "/seq/a2")], ""),
            Reply::new(302, &[("Location", "/seq/b2")], ""),
            Reply::new(200, &[], ""),
        ],
    );
    assert!(!summary.failed(), "{:?}", summary.failures);
    let paths: Vec<&str> = received.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, vec!["/a", "/b", "/b2"]);
    let bad = collection(vec![request(
        "bad",
        "GET",
        "{{base}}/x",
        None,
        json!({"followRedirects": "yes"}),
    )]);
    let err = import(&bad, &ImportOptions::default()).unwrap_err();
    assert!(err.message.contains("followRedirects"), "{err}");
}

#[test]
fn urls_are_sent_as_newman_encodes_them() {
    let doc = collection(vec![
        request(
            "string",
            "GET",
            "{{base}}/a/./b/../c d?x=%2a&q={{unset}}&s=a b'\"\n",
            None,
            json!({}),
        ),
        json!({"name": "object", "request": {"method": "GET", "url": {
            "raw": "ignored", "host": ["{{base}}"], "path": ["o"],
            "query": [{"key": "a#b", "value": "c&d"}, {"key": "e=f", "value": "g"}]}}}),
        request(
            "raw",
            "GET",
            "{{base}}/r'x?q='a'",
            None,
            json!({"disableUrlEncoding": true}),
        ),
    ]);
    let (summary, received, _server) = run(
        doc,
        vec![
            Reply::new(200, &[], ""),
            Reply::new(200, &[], ""),
            Reply::new(200, &[], ""),
        ],
    );
    assert!(!summary.failed(), "{:?}", summary.failures);
    let paths: Vec<&str> = received.iter().map(|r| r.path.as_str()).collect();
    // What Newman 6.2.2 sent for the same URLs (src/flow/url.rs has the table).
    assert_eq!(
        paths,
        vec![
            "/a/./b/../c%20d?x=%2a&q={{unset}}&s=a%20b%27%22%0A",
            "/o?a%23b=c%26d&e%3Df=g",
            "/r'x?q='a'",
        ]
    );
}

#[test]
fn tls_versions_and_ciphers_reach_the_handshake() {
    let server = TargetServer::start();
    let url = server.tls_url("/cookies");
    let item = |name: &str, ciphers: &str| {
        json!({"name": name, "request": {"method": "GET", "url": url},
               "protocolProfileBehavior": {"strictSSL": false,
                   "tlsDisabledProtocols": ["TLSv1", "TLSv1_1", "TLSv1_3"],
                   "tlsCipherSelection": [ciphers]}})
    };
    // The target (rustls) has TLS 1.2 AES-GCM suites and no CBC ones.
    let doc = collection(vec![
        item("gcm", "ECDHE-ECDSA-AES128-GCM-SHA256"),
        item("cbc", "ECDHE-ECDSA-AES128-SHA"),
    ]);
    let summary = crate::support::run_collection_doc(&doc, Variables::default());
    let outcome: Vec<(Option<u16>, bool)> = summary
        .executions
        .iter()
        .map(|e| {
            (
                e.record.response.as_ref().map(|r| r.status),
                e.record.error.is_some(),
            )
        })
        .collect();
    assert_eq!(outcome, vec![(Some(200), false), (None, true)]);
    let none_left = collection_with_tls(json!(["TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3"]));
    assert!(run_invalid(none_left).contains("every TLS version is disabled"));
}

fn collection_with_tls(disabled: Value) -> Value {
    collection(vec![
        json!({"name": "x", "request": {"method": "GET", "url": "https://127.0.0.1:1/"},
        "protocolProfileBehavior": {"tlsDisabledProtocols": disabled}}),
    ])
}

/// The error a collection's only request fails with before it is sent.
fn run_invalid(doc: Value) -> String {
    let summary = crate::support::run_collection_doc(&doc, Variables::default());
    summary.executions[0]
        .record
        .error
        .as_ref()
        .map(|e| e.message.clone())
        .unwrap_or_default()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn client_certificates_and_extra_cas_come_from_the_ssl_flags() {
    let server = MutualTls::start();
    let dir = TempDir::new("mtls");
    let file = dir.write(
        "c.json",
        &collection(vec![json!({"name": "mtls", "request": {"method": "GET",
            "url": format!("https://localhost:{}/", server.port)},
            "event": [{"listen": "test", "script": {"exec": [
                "pm.test('accepted', function () { pm.expect(pm.response.text()).to.equal('client certificate accepted'); });"]}}]})])
        .to_string(),
    );
    let ca = dir.write("ca.pem", &server.ca_pem);
    let cert = dir.write("client.pem", &server.client_cert_pem);
    let key = dir.write("client.key", &server.client_key_pem);
    let base = ["collection", "run", file.as_str()];
    let with = |extra: &[&str]| vayu_cli(&[&base[..], extra].concat());

    let ok = with(&[
        "--ssl-extra-ca-certs",
        &ca,
        "--ssl-client-cert",
        &cert,
        "--ssl-client-key",
        &key,
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    // Without the CA the server's certificate is not trusted; without the client certificate
    // the server refuses the handshake.
    let untrusted = with(&["--ssl-client-cert", &cert, "--ssl-client-key", &key]);
    assert_eq!(untrusted.status.code(), Some(1), "{}", text(&untrusted));
    let anonymous = with(&["--ssl-extra-ca-certs", &ca]);
    assert_eq!(anonymous.status.code(), Some(1), "{}", text(&anonymous));
    let not_pem = with(&["--ssl-extra-ca-certs", &file]);
    assert_eq!(not_pem.status.code(), Some(2), "{}", text(&not_pem));
}

#[test]
fn the_run_timeout_stops_the_run_and_fails_it() {
    let server = TargetServer::start();
    let dir = TempDir::new("run-timeout");
    let file = dir.write(
        "c.json",
        &collection(vec![
            json!({"name": "slow", "request": {"method": "GET", "url": server.url("/delay/60000")}}),
            json!({"name": "never", "request": {"method": "GET", "url": server.url("/echo")}}),
        ])
        .to_string(),
    );
    let started = std::time::Instant::now();
    let out = vayu_cli(&["collection", "run", &file, "--timeout", "500"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    // The request would take a minute: ending well before shows the run was cut at its limit
    // (a bound a busy machine cannot reach by slowness alone).
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{all}"
    );
    assert!(all.contains("--timeout"), "{all}");
    assert!(!all.contains("→ never"), "{all}");
    assert_eq!(server.stats.path_count("/echo"), 0);
}

#[test]
fn cookie_jar_files_are_read_and_written_as_newman_writes_them() {
    let server = TargetServer::start();
    server.stats.sequence.lock().unwrap().push_back(Reply::new(
        200,
        &[("Set-Cookie", "fresh=2; Path=/")],
        "",
    ));
    let dir = TempDir::new("cookie-jar");
    let file = dir.write(
        "c.json",
        &collection(vec![
            json!({"name": "one", "request": {"method": "GET", "url": server.url("/seq/one")}}),
        ])
        .to_string(),
    );
    // As `newman --export-cookie-jar` wrote it.
    let jar = dir.write(
        "jar.json",
        &json!({"version": "tough-cookie@4.1.3-postman.1", "storeType": "MemoryCookieStore",
            "rejectPublicSuffixes": false, "enableLooseMode": true, "cookies": [
            {"key": "pre", "value": "x", "domain": "127.0.0.1", "path": "/", "hostOnly": true,
             "creation": "2026-12-06T09:00:00.000Z", "lastAccessed": "2026-12-06T09:00:00.000Z"}]})
        .to_string(),
    );
    let out_jar = dir.0.join("out/jar.json");
    let out = vayu_cli(&[
        "collection",
        "run",
        &file,
        "--cookie-jar",
        &jar,
        "--export-cookie-jar",
        out_jar.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let received = server.stats.received.lock().unwrap().clone();
    assert_eq!(header(&received[0], "cookie"), Some("pre=x"));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out_jar).unwrap()).unwrap();
    assert_eq!(written["storeType"], "MemoryCookieStore");
    let keys: Vec<&str> = written["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["pre", "fresh"]);
    let bad = vayu_cli(&["collection", "run", &file, "--cookie-jar", &file]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

#[test]
fn no_insecure_file_read_refuses_files_outside_the_working_dir() {
    let dir = TempDir::new("file-read");
    std::fs::create_dir_all(dir.0.join("work")).unwrap();
    dir.write("outside.txt", "secret");
    let file = dir.write(
        "c.json",
        &collection(vec![json!({"name": "upload", "request": {"method": "POST",
            "url": "http://127.0.0.1:1/", "body": {"mode": "file", "file": {"src": "../outside.txt"}}}})])
        .to_string(),
    );
    let work = dir.0.join("work");
    let work = work.to_str().unwrap();
    let refused = vayu_cli(&[
        "collection",
        "run",
        &file,
        "--working-dir",
        work,
        "--no-insecure-file-read",
    ]);
    let all = text(&refused);
    assert_eq!(refused.status.code(), Some(2), "{all}");
    assert!(all.contains("outside the working directory"), "{all}");
    // Without the flag Newman reads it, and so does Vayu (the request then fails: port 1).
    let read = vayu_cli(&["collection", "run", &file, "--working-dir", work]);
    assert_eq!(read.status.code(), Some(1), "{}", text(&read));
}

#[test]
fn color_and_verbose_output_as_newman_prints_them() {
    let server = TargetServer::start();
    let dir = TempDir::new("verbose");
    let file = dir.write(
        "c.json",
        &collection(vec![json!({"name": "post", "request": {"method": "POST",
            "url": server.url("/echo"), "body": {"mode": "raw", "raw": "hello"}},
            "event": [{"listen": "test", "script": {"exec": ["pm.test('ok', function () {});"]}}]})])
        .to_string(),
    );
    let verbose = vayu_cli(&["collection", "run", &file, "--verbose", "--color", "off"]);
    let out = text(&verbose);
    assert_eq!(verbose.status.code(), Some(0), "{out}");
    for part in [
        "200 OK ★ ",
        " time ★ ",
        "┌ ↑ raw ★ 5B",
        "│ hello",
        "transfer-start",
    ] {
        assert!(out.contains(part), "{part:?} missing from\n{out}");
    }
    assert!(!out.contains('\x1b'), "{out}");
    let colored = text(&vayu_cli(&["collection", "run", &file, "--color", "on"]));
    assert!(colored.contains("\x1b[32m  ✓ \x1b[39m"), "{colored}");
    let bad = vayu_cli(&["collection", "run", &file, "--color", "sometimes"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

/// Digest auth without the server's nonce, as Newman runs it: the request goes unsigned, the
/// 401 challenge is a request of its own, the request goes again signed and its tests run once;
/// the next iteration signs at once with what it learned (the nonce count up by one).
#[test]
fn a_digest_challenge_is_answered_by_a_second_request_as_newman_does() {
    let server = TargetServer::start();
    let doc = collection(vec![json!({
        "name": "digest",
        "request": {"method": "GET", "url": server.url("/digest/user/pass"),
                    "auth": {"type": "digest", "digest": [
                        {"key": "username", "value": "user"}, {"key": "password", "value": "pass"}]}},
        "event": [{"listen": "test", "script": {"exec": [
            "pm.test('in', function () { pm.response.to.have.status(200); });"]}}]
    })]);
    let collection = vayu::collection::import(&doc, &ImportOptions::default()).unwrap();
    let engine = crate::support::engine();
    let options = vayu::flow::FlowOptions {
        iterations: 2,
        ..vayu::flow::FlowOptions::default()
    };
    let summary = vayu::collection::run_collection(
        &engine,
        &collection,
        Variables::default(),
        options,
        |_, _| {},
    );
    assert!(!summary.failed(), "{:?}", summary.failures);
    let seen: Vec<(u64, Option<u16>, bool, usize)> = summary
        .executions
        .iter()
        .map(|e| {
            let r = &e.record;
            let tests = r.outcomes().map(|o| o.tests.len()).sum();
            (
                r.iteration,
                r.response.as_ref().map(|x| x.status),
                r.auth_challenged,
                tests,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (0, Some(401), true, 0),
            (0, Some(200), false, 1),
            (1, Some(200), false, 1)
        ]
    );
    assert_eq!(
        summary.stats.requests.total, 3,
        "Newman counts the challenged send"
    );
    assert_eq!(summary.stats.assertions.total, 2);
    assert_eq!(server.stats.path_count("/digest/user/pass"), 3);
}
