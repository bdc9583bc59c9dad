//! Single requests through the engine: methods, headers, bodies, statuses, redirects, encodings,
//! failures, TLS and HTTP/2.

use crate::support::{closed_port, engine, engine_with, prepared, send, TargetServer};
use serde_json::{json, Value};
use std::time::Duration;
use vayu::engine::EngineConfig;
use vayu::model::{BodyEncoding, ErrorCategory};

fn echo_of(response: &vayu::model::Response) -> Value {
    serde_json::from_str(&response.body).expect("echo body is JSON")
}

use crate::support::echoed_header as header;

#[test]
fn every_method_reaches_the_server() {
    let server = TargetServer::start();
    let engine = engine();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let r = send(
            &engine,
            json!({"method": method, "url": server.url("/echo")}),
        )
        .unwrap();
        assert_eq!(r.status, 200, "{method}");
        assert_eq!(echo_of(&r)["method"], method);
    }
    let head = send(
        &engine,
        json!({"method": "HEAD", "url": server.url("/echo")}),
    )
    .unwrap();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // Issue 26: any token is a method, upper-cased as Postman sends it, with or without a body.
    for (method, body) in [
        ("purge", None),
        ("POSTMAN", Some(json!({"a": 1}))),
        ("PROPFIND", None),
    ] {
        let mut spec = json!({"method": method, "url": server.url("/echo")});
        if let Some(b) = &body {
            spec["body"] = b.clone();
        }
        let r = send(&engine, spec).unwrap();
        let echo = echo_of(&r);
        assert_eq!(echo["method"], method.to_ascii_uppercase());
        assert_eq!(
            echo["body"].as_str().unwrap().is_empty(),
            body.is_none(),
            "{echo}"
        );
    }
    assert_eq!(server.stats.path_count("/echo"), 10);
}

#[test]
fn headers_and_bodies_round_trip() {
    let server = TargetServer::start();
    let engine = engine();
    let r = send(
        &engine,
        json!({
            "method": "POST",
            "url": server.url("/echo?x=1&y=two"),
            "headers": [
                {"key": "X-Repeat", "value": "one"},
                {"key": "X-Off", "value": "no", "disabled": true},
                {"key": "X-Repeat", "value": "two"},
                {"key": "X-Empty", "value": ""}
            ],
            "body": {"name": "vayu", "n": [1, 2]}
        }),
    )
    .unwrap();
    let echo = echo_of(&r);
    assert_eq!(echo["uri"], "/echo?x=1&y=two");
    assert_eq!(header(&echo, "x-repeat"), ["one", "two"]);
    assert!(header(&echo, "x-off").is_empty());
    assert_eq!(header(&echo, "x-empty"), [""]);
    assert_eq!(header(&echo, "content-type"), ["application/json"]);
    assert!(header(&echo, "user-agent")[0].starts_with("Vayu/"));
    assert_eq!(
        serde_json::from_str::<Value>(echo["body"].as_str().unwrap()).unwrap(),
        json!({"name": "vayu", "n": [1, 2]})
    );

    let put = send(&engine, json!({"method": "PUT", "url": server.url("/echo"), "body": "plain text", "headers": {"User-Agent": "mine"}})).unwrap();
    let echo = echo_of(&put);
    assert_eq!(echo["body"], "plain text");
    assert_eq!(header(&echo, "user-agent"), ["mine"]);
    assert!(header(&echo, "content-type")
        .iter()
        .all(|t| *t != "application/json"));

    let big_body = "b".repeat(200_000);
    let r = send(
        &engine,
        json!({"method": "PATCH", "url": server.url("/echo"), "body": big_body}),
    )
    .unwrap();
    assert_eq!(echo_of(&r)["body"].as_str().unwrap().len(), 200_000);
}

#[test]
fn auth_is_sent_as_a_header() {
    let server = TargetServer::start();
    let engine = engine();
    let r = send(
        &engine,
        json!({"url": server.url("/echo"), "auth": {"type": "bearer", "token": "s3cret"}}),
    )
    .unwrap();
    assert_eq!(header(&echo_of(&r), "authorization"), ["Bearer s3cret"]);

    let api_key = |place: &str| {
        let auth = json!({"type": "apikey", "key": "X-Key", "value": "k 1", "in": place});
        echo_of(
            &send(
                &engine,
                json!({"url": server.url("/echo?a=1"), "auth": auth}),
            )
            .unwrap(),
        )
    };
    assert_eq!(header(&api_key("header"), "x-key"), ["k 1"]);
    assert_eq!(api_key("query")["uri"], "/echo?a=1&X-Key=k%201");
    let oauth2 = json!({"type": "oauth2", "accessToken": "t0k", "headerPrefix": "Token"});
    let r = send(&engine, json!({"url": server.url("/echo"), "auth": oauth2})).unwrap();
    assert_eq!(header(&echo_of(&r), "authorization"), ["Token t0k"]);
}

#[test]
fn digest_auth_answers_the_challenge() {
    let server = TargetServer::start();
    let engine = engine();
    let digest = |password: &str| {
        send(
            &engine,
            json!({"url": server.url("/digest/ada/pw"),
                   "auth": {"type": "digest", "username": "ada", "password": password}}),
        )
        .unwrap()
    };
    let ok = digest("pw");
    assert_eq!((ok.status, ok.body.as_str()), (200, "digest ok"));
    assert_eq!(digest("wrong").status, 401);
    let none = send(&engine, json!({"url": server.url("/digest/ada/pw")})).unwrap();
    assert_eq!(none.status, 401, "without auth the challenge is the answer");
}

#[test]
fn status_codes_are_responses_not_errors() {
    let server = TargetServer::start();
    let engine = engine();
    for code in [201u16, 204, 400, 404, 418, 500, 503] {
        let r = send(
            &engine,
            json!({"url": server.url(&format!("/status/{code}"))}),
        )
        .unwrap();
        assert_eq!(r.status, code);
    }
    let r = send(&engine, json!({"url": server.url("/status/404")})).unwrap();
    assert_eq!(r.status_text, "Not Found");
    assert_eq!(r.http_version, "HTTP/1.1");
}

#[test]
fn redirects_are_followed_up_to_the_limit() {
    let server = TargetServer::start();
    let engine = engine();
    let r = send(&engine, json!({"url": server.url("/redirect/3")})).unwrap();
    assert_eq!((r.status, r.redirect_count), (200, 3));
    assert_eq!(r.body, "redirects done");
    assert!(
        r.effective_url.ends_with("/redirect/0"),
        "{}",
        r.effective_url
    );

    let r = send(
        &engine,
        json!({"url": server.url("/redirect/3"), "followRedirects": false}),
    )
    .unwrap();
    assert_eq!((r.status, r.redirect_count), (302, 0));
    assert_eq!(r.header("location"), Some("/redirect/2"));

    let err = send(
        &engine,
        json!({"url": server.url("/redirect/5"), "maxRedirects": 2}),
    )
    .unwrap_err();
    assert_eq!(err.category, ErrorCategory::TooManyRedirects, "{err}");
}

#[test]
fn gzip_and_chunked_bodies_are_decoded() {
    let server = TargetServer::start();
    let engine = engine();
    let r = send(&engine, json!({"url": server.url("/gzip")})).unwrap();
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(r.body, r#"{"gzipped":true}"#);

    let r = send(
        &engine,
        json!({"url": server.url("/chunked"), "httpVersion": "1.1"}),
    )
    .unwrap();
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.body, "0123456789".repeat(10));
    assert_eq!(r.body_size, 100);
}

#[test]
fn response_headers_keep_order_and_repeats() {
    let server = TargetServer::start();
    let r = send(&engine(), json!({"url": server.url("/cookies")})).unwrap();
    let names: Vec<_> = r
        .headers
        .iter()
        .filter(|h| h.name == "Set-Cookie" || h.name == "X-Between")
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("X-Between", "yes")
        ]
    );
}

#[test]
fn binary_bodies_come_back_as_base64() {
    let server = TargetServer::start();
    let r = send(&engine(), json!({"url": server.url("/binary")})).unwrap();
    assert_eq!(r.body_encoding, BodyEncoding::Base64);
    assert_eq!(r.body_bytes(), vec![0xff, 0xfe, 0x00, 0x80]);
}

#[test]
fn timings_describe_the_transfer() {
    let server = TargetServer::start();
    let r = send(&engine(), json!({"url": server.url("/delay/30")})).unwrap();
    let t = r.timings;
    assert!(t.total >= 30_000, "{t:?}");
    assert!(t.first_byte >= 30_000 && t.first_byte <= t.total, "{t:?}");
    assert!(
        t.dns + t.connect + t.tls + t.first_byte + t.download <= t.total + 1_000,
        "{t:?}"
    );
    assert!(
        r.remote_address.starts_with("127.0.0.1:"),
        "{}",
        r.remote_address
    );
}

#[test]
fn slow_endpoint_hits_the_timeout() {
    let server = TargetServer::start();
    let err = send(
        &engine(),
        json!({"url": server.url("/delay/5000"), "timeout": 200}),
    )
    .unwrap_err();
    assert_eq!(err.category, ErrorCategory::Timeout, "{err}");
}

#[test]
fn refused_connection_is_a_connect_error() {
    let err = send(
        &engine(),
        json!({"url": format!("http://127.0.0.1:{}/", closed_port())}),
    )
    .unwrap_err();
    assert_eq!(err.category, ErrorCategory::Connect, "{err}");
    assert!(!err.message.is_empty());
}

#[test]
fn invalid_host_is_a_dns_error() {
    let err = send(&engine(), json!({"url": "http://no-such-host.invalid/"})).unwrap_err();
    assert_eq!(err.category, ErrorCategory::Dns, "{err}");
    assert!(err.message.contains("no-such-host.invalid"), "{err}");
}

#[test]
fn self_signed_certificate_is_refused_unless_insecure() {
    let server = TargetServer::start();
    let engine = engine();
    let err = send(&engine, json!({"url": server.tls_url("/echo")})).unwrap_err();
    assert_eq!(err.category, ErrorCategory::Tls, "{err}");
    let r = send(
        &engine,
        json!({"url": server.tls_url("/echo"), "insecure": true}),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(r.timings.tls > 0, "{:?}", r.timings);
}

#[test]
fn http2_over_tls_and_prior_knowledge() {
    let server = TargetServer::start();
    let engine = engine();
    let r = send(
        &engine,
        json!({"url": server.tls_url("/echo"), "insecure": true}),
    )
    .unwrap();
    assert_eq!(
        r.http_version, "HTTP/2",
        "ALPN should pick h2 by default over TLS"
    );
    assert_eq!(echo_of(&r)["version"], "HTTP/2.0");
    assert_eq!(r.status_text, "OK");

    let r = send(
        &engine,
        json!({"url": server.tls_url("/echo"), "insecure": true, "httpVersion": "1.1"}),
    )
    .unwrap();
    assert_eq!(r.http_version, "HTTP/1.1");

    let r = send(
        &engine,
        json!({"url": server.url("/echo"), "httpVersion": "2-prior-knowledge"}),
    )
    .unwrap();
    assert_eq!(r.http_version, "HTTP/2");
    assert_eq!(echo_of(&r)["version"], "HTTP/2.0");
}

#[test]
fn body_over_the_cap_is_counted_not_kept() {
    let server = TargetServer::start();
    let engine = engine_with(EngineConfig {
        body_cap: 1024 * 1024,
        ..EngineConfig::default()
    });
    let size = 3 * 1024 * 1024 + 7;
    let r = send(
        &engine,
        json!({"url": server.url(&format!("/bytes/{size}"))}),
    )
    .unwrap();
    assert!(r.body_truncated);
    assert!(r.body.is_empty());
    assert_eq!(r.body_size, size as u64);
    let small = send(&engine, json!({"url": server.url("/bytes/1000")})).unwrap();
    assert!(!small.body_truncated);
    assert_eq!(small.body.len(), 1000);
}

#[test]
fn callbacks_and_counters() {
    let server = TargetServer::start();
    let engine = engine();
    let (tx, rx) = crossbeam_channel::unbounded();
    for _ in 0..20 {
        let tx = tx.clone();
        engine.submit(prepared(json!({"url": server.url("/echo")})), move |r| {
            tx.send(r.map(|r| r.status)).unwrap();
        });
    }
    let statuses: Vec<_> = (0..20)
        .map(|_| rx.recv_timeout(Duration::from_secs(30)).unwrap())
        .collect();
    assert!(statuses.iter().all(|s| *s == Ok(200)));
    assert_eq!(engine.total_processed(), 20);
    assert_eq!(engine.active_count(), 0);
    assert_eq!(engine.pending_count(), 0);
}

#[test]
fn stop_aborts_what_outlives_the_grace_period() {
    let server = TargetServer::start();
    let mut engine = engine();
    let slow = engine.submit_async(prepared(json!({"url": server.url("/delay/10000")})));
    let quick = engine.submit_async(prepared(json!({"url": server.url("/delay/10")})));
    // Wait until the slow request is on the wire, so the stop meets it in flight.
    while server.stats.path_count("/delay/10000") == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(quick.wait().unwrap().status, 200);
    engine.stop(Duration::from_millis(100));
    let err = slow.wait().unwrap_err();
    assert_eq!(err.category, ErrorCategory::Aborted, "{err}");
    let after = engine
        .submit_async(prepared(json!({"url": server.url("/echo")})))
        .wait()
        .unwrap_err();
    assert_eq!(after.category, ErrorCategory::Aborted);
}

/// Regression: curl-sys 0.4.91 defines HAVE_POLL_FINE, which libcurl 8.22 renamed HAVE_POLL, so the
/// vendored libcurl fell back to select(), which cannot watch a socket numbered 1024 or above.
#[test]
fn sockets_numbered_above_1024_work() {
    use std::os::fd::AsRawFd;
    let server = TargetServer::start();
    let engine = engine();
    // Take every free descriptor up to 1100, so the engine's next socket is numbered above it.
    let mut held = Vec::new();
    loop {
        let file = std::fs::File::open("/dev/null")
            .expect("open /dev/null (the soft open-file limit must exceed 1100)");
        let fd = file.as_raw_fd();
        held.push(file);
        if fd >= 1100 {
            break;
        }
    }
    // A delayed response, so libcurl has to wait on the socket rather than read at once.
    let result = send(&engine, json!({"url": server.url("/delay/50")}));
    drop(held);
    assert_eq!(result.unwrap().status, 200);
}

/// A job that panics in the call it is told to, and tells its owner when it is dropped.
struct PanickingJob {
    at: &'static str,
    request: std::sync::Arc<vayu::model::PreparedRequest>,
    sent: bool,
    dropped: crossbeam_channel::Sender<String>,
    reason: String,
}

impl vayu::engine::Job for PanickingJob {
    fn next(&mut self, _now: std::time::Instant, _in_flight: usize) -> vayu::engine::Next {
        if self.at == "next" {
            panic!("injected in next");
        }
        if self.sent {
            return vayu::engine::Next::Done;
        }
        self.sent = true;
        vayu::engine::Next::Start {
            request: std::sync::Arc::clone(&self.request),
            tag: 0,
        }
    }
    fn completed(&mut self, _tag: u64, _outcome: vayu::engine::Outcome) {
        if self.at == "completed" {
            panic!("injected in completed");
        }
    }
    fn finish(self: Box<Self>) {
        if self.at == "finish" {
            panic!("injected in finish");
        }
    }
    fn panicked(&mut self, reason: &str) {
        self.reason = reason.to_string();
    }
}

impl Drop for PanickingJob {
    fn drop(&mut self) {
        let _ = self.dropped.send(self.reason.clone());
    }
}

#[test]
fn a_panicking_job_is_contained_and_the_worker_goes_on() {
    let server = TargetServer::start();
    let engine = engine_with(EngineConfig {
        workers: 1,
        ..EngineConfig::default()
    });
    let request = prepared(json!({"url": server.url("/echo")}));
    for at in ["next", "completed", "finish"] {
        let (tx, rx) = crossbeam_channel::unbounded();
        assert!(engine.submit_job(Box::new(PanickingJob {
            at,
            request: std::sync::Arc::clone(&request),
            sent: false,
            dropped: tx,
            reason: String::new(),
        })));
        let reason = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("the job that panicked in {at} was never dropped"));
        if at != "finish" {
            assert!(
                reason.contains(&format!("injected in {at}")),
                "{at}: {reason:?}"
            );
        }
        // The same (only) worker still serves requests.
        let r = send(&engine, json!({"url": server.url("/echo")})).unwrap();
        assert_eq!(r.status, 200, "after a panic in {at}");
    }
}
