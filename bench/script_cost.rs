//! Per-response cost of a typical test script (status check plus a JSON property check) on one
//! core: `cargo run --release --example script-cost -- [RESPONSES]` (default 200,000).
//! The response is a canned one, so only the script path is measured: context to JSON, the
//! cached compiled script, the pm API, results back.

use std::time::Instant;
use vayu::model::{BodyEncoding, Header, RequestSpec, Response, Timings};
use vayu::script::{new_run, ResponseTest, ScriptLimits, Variables};

const SCRIPT: &str = "pm.test('status is 200', () => pm.response.to.have.status(200));\n\
                      pm.test('has the user id', () => pm.expect(pm.response.json().user.id).to.equal(42));";

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(200_000, |a| a.parse().expect("RESPONSES is a number"));
    let spec = RequestSpec::from_json(
        &serde_json::json!({"url": "http://127.0.0.1:8080/users/42", "testScript": SCRIPT})
            .to_string(),
    )
    .unwrap();
    let variables = Variables::default();
    let test = ResponseTest::of(&spec, &variables).expect("the request has a test script");
    let body = r#"{"user":{"id":42,"name":"Ada Lovelace","email":"ada@example.com","roles":["admin","dev"]},"ok":true}"#;
    let response = Response {
        status: 200,
        status_text: "OK".into(),
        http_version: "HTTP/1.1".into(),
        headers: [
            "Content-Type: application/json",
            "Content-Length: 98",
            "Server: nginx",
            "Date: Fri, 20 Nov 2026 23:00:00 GMT",
            "Connection: keep-alive",
        ]
        .iter()
        .map(|h| {
            let (name, value) = h.split_once(": ").unwrap();
            Header {
                name: name.into(),
                value: value.into(),
            }
        })
        .collect(),
        body: body.into(),
        body_encoding: BodyEncoding::Utf8,
        body_size: body.len() as u64,
        body_truncated: false,
        remote_address: "127.0.0.1:8080".into(),
        effective_url: "http://127.0.0.1:8080/users/42".into(),
        redirect_count: 0,
        timings: Timings {
            total: 350,
            ..Timings::default()
        },
        redirects: Vec::new(),
    };
    let mut vars = variables.clone();
    let limits = ScriptLimits::default();
    let run = new_run();
    // Warm up: creates the runtime, evaluates the prelude, compiles the script once.
    for i in 0..1000 {
        let Ok(outcome) = test.run(run, &response, &mut vars, limits, i) else {
            panic!("the script sends no requests");
        };
        assert_eq!(outcome.failed_tests(), 0, "{outcome:?}");
    }
    let started = Instant::now();
    for i in 0..n {
        let outcome = test.run(run, &response, &mut vars, limits, i);
        debug_assert!(outcome.is_ok_and(|o| o.tests.len() == 2));
    }
    let elapsed = started.elapsed();
    println!(
        "{n} responses in {:.3} s: {:.2} µs per response (one core)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
}
