//! Per-response cost of a test script on one core, for each row of the `scripts` bench table:
//! `cargo run --release --example script-cost -- [RESPONSES] [ROW]` (default 200,000 responses,
//! row `typical`). Rows: `json` (`var j = pm.response.json();`), `status` (the status test),
//! `chai` (`pm.expect(1).to.eql(1)`), `both` (the status test and `eql` on a JSON field),
//! `typical` (the status test and `equal` on a JSON field), or any other text, taken as the
//! script itself. The response is a canned one, so only the script path is measured: context to
//! JSON, the cached compiled script, the pm API, results back. For instruction counts, run it
//! under callgrind with two response counts and divide the difference by theirs.

use std::time::Instant;
use vayu::model::{BodyEncoding, Header, RequestSpec, Response, Timings};
use vayu::script::{new_run, ResponseTest, ScriptLimits, Variables};

const STATUS: &str = "pm.test('status is 200', () => pm.response.to.have.status(200));";

/// The script of a named row, or the argument itself.
fn script(row: &str) -> String {
    match row {
        "json" => "var j = pm.response.json();".into(),
        "status" => STATUS.into(),
        "chai" => "pm.test('b', () => pm.expect(1).to.eql(1));".into(),
        "both" => format!(
            "{STATUS}\npm.test('has the user name', () => \
             pm.expect(pm.response.json().user.name).to.eql('Ada Lovelace'));"
        ),
        "typical" => format!(
            "{STATUS}\npm.test('has the user id', () => \
             pm.expect(pm.response.json().user.id).to.equal(42));"
        ),
        other => other.into(),
    }
}

/// The body nginx serves at `/json` in the peer benchmark (bench/nginx.conf), and its headers.
fn response() -> Response {
    let body = r#"{"user":{"id":42,"name":"Ada Lovelace","roles":["admin","dev"]},"ok":true}"#;
    let headers = [
        "Server: nginx",
        "Date: Fri, 20 Nov 2026 23:00:00 GMT",
        "Content-Type: application/json",
        "Content-Length: 73",
        "Connection: keep-alive",
    ];
    Response {
        status: 200,
        status_text: "OK".into(),
        http_version: "HTTP/1.1".into(),
        headers: headers
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
        effective_url: "http://127.0.0.1:8080/json".into(),
        redirect_count: 0,
        timings: Timings {
            total: 350,
            ..Timings::default()
        },
        redirects: Vec::new(),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .map_or(200_000, |a| a.parse().expect("RESPONSES is a number"));
    let source = script(&args.next().unwrap_or_else(|| "typical".into()));
    let spec = RequestSpec::from_json(
        &serde_json::json!({"url": "http://127.0.0.1:8080/json", "testScript": source}).to_string(),
    )
    .unwrap();
    let variables = Variables::default();
    let test = ResponseTest::of(&spec, &variables).expect("the request has a test script");
    let response = response();
    let mut vars = variables.clone();
    let limits = ScriptLimits::default();
    let run = new_run();
    // Warm up: creates the runtime, evaluates the prelude, compiles the script once.
    for i in 0..1000 {
        let Ok(outcome) = test.run(run, &response, &mut vars, limits, i) else {
            panic!("the script sends no requests");
        };
        assert_eq!(outcome.failed_tests(), 0, "{outcome:?}");
        assert_eq!(outcome.error, None);
    }
    let started = Instant::now();
    for i in 0..n {
        let outcome = test.run(run, &response, &mut vars, limits, i);
        debug_assert!(outcome.is_ok_and(|o| o.failed_tests() == 0));
    }
    let elapsed = started.elapsed();
    println!(
        "{n} responses in {:.3} s: {:.2} µs per response (one core)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
}
