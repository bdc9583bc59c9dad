//! The daemon's control API, against an engine started by the test on an ephemeral port.

use crate::support::{TargetServer, TempDir};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use vayu::api::{Daemon, DaemonConfig};

pub(crate) struct Api {
    daemon: Option<Daemon>,
    base: String,
    _dir: TempDir,
}

impl Drop for Api {
    fn drop(&mut self) {
        if let Some(d) = self.daemon.take() {
            d.shutdown();
        }
    }
}

fn api_with(config: DaemonConfig) -> Api {
    let dir = TempDir::new("api");
    let db = dir.0.join("v.db");
    let daemon = Daemon::start(DaemonConfig {
        port: 0,
        db,
        workers: 2,
        pin_workers: false,
        ..config
    })
    .expect("daemon starts");
    let base = format!("http://{}", daemon.addr());
    Api {
        daemon: Some(daemon),
        base,
        _dir: dir,
    }
}

pub(crate) fn api() -> Api {
    api_with(DaemonConfig::default())
}

pub(crate) struct Reply {
    pub(crate) status: u32,
    headers: Vec<String>,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.headers
            .iter()
            .find(|h| h.to_ascii_lowercase().starts_with(&prefix))
            .map(|h| h[prefix.len()..].trim().to_string())
    }

    fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

fn call(method: &str, url: &str, body: Option<&str>, extra: &[&str]) -> Reply {
    let mut easy = curl::easy::Easy::new();
    easy.url(url).unwrap();
    easy.custom_request(method).unwrap();
    let mut list = curl::easy::List::new();
    for h in extra {
        list.append(h).unwrap();
    }
    if let Some(b) = body {
        if !extra
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("content-type"))
        {
            list.append("Content-Type: application/json").unwrap();
        }
        easy.post_fields_copy(b.as_bytes()).unwrap();
    }
    easy.http_headers(list).unwrap();
    easy.timeout(Duration::from_secs(30)).unwrap();
    let (mut headers, mut data) = (Vec::new(), Vec::new());
    {
        let mut t = easy.transfer();
        t.header_function(|h| {
            headers.push(String::from_utf8_lossy(h).trim().to_string());
            true
        })
        .unwrap();
        t.write_function(|d| {
            data.extend_from_slice(d);
            Ok(d.len())
        })
        .unwrap();
        t.perform().unwrap();
    }
    Reply {
        status: easy.response_code().unwrap(),
        headers,
        body: String::from_utf8_lossy(&data).into_owned(),
    }
}

impl Api {
    pub(crate) fn get(&self, path: &str) -> Reply {
        call("GET", &format!("{}{path}", self.base), None, &[])
    }
    pub(crate) fn post(&self, path: &str, body: Value) -> Reply {
        call(
            "POST",
            &format!("{}{path}", self.base),
            Some(&body.to_string()),
            &[],
        )
    }
    pub(crate) fn put(&self, path: &str, body: Value) -> Reply {
        call(
            "PUT",
            &format!("{}{path}", self.base),
            Some(&body.to_string()),
            &[],
        )
    }
    pub(crate) fn delete(&self, path: &str) -> Reply {
        call("DELETE", &format!("{}{path}", self.base), None, &[])
    }
}

/// Parses an SSE body into (event, data) pairs.
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let event = block.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((event.to_string(), serde_json::from_str(data).unwrap()))
        })
        .collect()
}

#[test]
fn health_config_and_metrics() {
    let api = api();
    let h = api.get("/health");
    assert_eq!(h.status, 200);
    let v = h.json();
    assert_eq!(
        (
            v["status"].as_str(),
            v["workers"].as_u64(),
            v["activeRuns"].as_u64()
        ),
        (Some("ok"), Some(2), Some(0))
    );
    assert!(v["libcurl"].as_str().unwrap().starts_with('8'));
    let c = api.get("/config").json();
    assert_eq!(c["maxRequestBodyBytes"], 8 * 1024 * 1024);
    assert!(c["openFileLimit"].as_u64().unwrap() >= 1024);
    let m = api.get("/metrics");
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        m.body.contains("vayu_requests_total{class=\"2xx\"}")
            && m.body.contains("vayu_queue_depth{worker=\"1\"}"),
        "{}",
        m.body
    );
}

/// `/metrics`' latency histogram: classic cumulative buckets (they add up across engines),
/// one count per response, `+Inf` equal to the count.
#[test]
fn metrics_have_a_latency_histogram_counting_every_response() {
    let server = TargetServer::start();
    let api = api();
    for _ in 0..3 {
        let r = api.post("/request", json!({"request": {"url": server.url("/echo")}}));
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let body = api.get("/metrics").body;
    let value = |prefix: &str| -> f64 {
        body.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {body}"))
            .trim()
            .parse()
            .unwrap()
    };
    let buckets: Vec<f64> = body
        .lines()
        .filter(|l| l.starts_with("vayu_request_duration_seconds_bucket"))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(buckets.len(), 17, "{body}");
    assert!(
        buckets.windows(2).all(|w| w[0] <= w[1]),
        "cumulative: {buckets:?}"
    );
    assert_eq!(value("vayu_request_duration_seconds_count "), 3.0);
    assert_eq!(
        value("vayu_request_duration_seconds_bucket{le=\"+Inf\"} "),
        3.0
    );
    assert!(value("vayu_request_duration_seconds_sum ") > 0.0);
}

#[test]
fn design_requests_inline_and_saved() {
    let server = TargetServer::start();
    let api = api();
    let r = api.post(
        "/request",
        json!({"request": {"url": "{{base}}/status/201", "testScript": "pm.test('created', () => pm.response.to.have.status(201)); pm.environment.set('seen', pm.response.code);"},
               "environment": {"base": server.url("")}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["response"]["status"], 201);
    assert_eq!(v["test"]["tests"][0]["passed"], true);
    assert_eq!(v["variables"]["environment"]["seen"], 201);
    let run = api
        .get(&format!("/run/{}", v["runId"].as_str().unwrap()))
        .json();
    assert_eq!(
        (run["type"].as_str(), run["status"].as_str()),
        (Some("design"), Some("completed"))
    );

    let env = api.post(
        "/environments",
        json!({"name": "dev", "variables": {"base": server.url("")}}),
    );
    assert_eq!(env.status, 201);
    let env_id = env.json()["id"].as_str().unwrap().to_string();
    let saved = api.post("/requests", json!({"name": "echo", "url": "{{base}}/echo", "postRequestScript": "pm.environment.set('echoed', pm.response.json().method);"}));
    assert_eq!(saved.status, 201, "{}", saved.body);
    let req_id = saved.json()["id"].as_str().unwrap().to_string();
    let r = api.post(
        "/request",
        json!({"requestId": req_id, "environmentId": env_id}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        api.get(&format!("/environments/{env_id}")).json()["variables"]["echoed"],
        "GET",
        "a saved environment is written back"
    );
    // The Manager's history: design runs searched by their request's text.
    let found = |q: &str| {
        let list = api.get(&format!("/runs?type=design&q={q}")).json();
        let urls: Vec<String> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["config"]["request"]["url"].as_str().unwrap().to_string())
            .collect();
        (list["total"].as_u64().unwrap(), urls)
    };
    assert_eq!(
        found("%2Fstatus%2F201"),
        (1, vec!["{{base}}/status/201".to_string()])
    );
    assert_eq!(
        found("ECHO"),
        (1, vec!["{{base}}/echo".to_string()]),
        "case-insensitive"
    );
    assert_eq!(found("100%25").0, 0, "taken literally");
    assert_eq!(api.get(&format!("/runs?q={}", "x".repeat(257))).status, 400);
    assert_eq!(api.get("/runs?q=%FF").status, 400);

    assert_eq!(
        api.post("/request", json!({"request": {"url": "no-scheme"}}))
            .json()["error"]["field"],
        "request.url"
    );
    assert_eq!(
        api.post("/request", json!({"requestId": "req_missing"}))
            .status,
        404
    );
    let refused = api.post("/request", json!({"request": {"url": format!("http://127.0.0.1:{}/", crate::support::closed_port())}})).json();
    assert_eq!(
        refused["error"]["category"], "connect",
        "a transport failure is a result, not an API error"
    );
}

#[test]
fn run_lifecycle_with_sse() {
    let server = TargetServer::start();
    let api = api();
    let started = api.post("/run", json!({"request": {"url": server.url("/echo")}, "config": {"duration": "1s", "targetRps": 100}}));
    assert_eq!(started.status, 202, "{}", started.body);
    let id = started.json()["runId"].as_str().unwrap().to_string();
    assert_eq!(
        started.header("location").as_deref(),
        Some(format!("/run/{id}").as_str())
    );
    let running = api.get(&format!("/run/{id}"));
    assert_eq!(running.status, 200, "the run is visible at once");
    assert_eq!(
        api.get(&format!("/run/{id}/report")).status,
        409,
        "no report while running"
    );
    assert_eq!(api.get(&format!("/run/{id}/report.html")).status, 409);

    let stream = api.get(&format!("/stats/{id}"));
    assert!(stream
        .header("content-type")
        .unwrap()
        .starts_with("text/event-stream"));
    let evs = events(&stream.body);
    let metrics: Vec<&Value> = evs
        .iter()
        .filter(|(e, _)| e == "metrics")
        .map(|(_, d)| d)
        .collect();
    assert!(metrics.len() >= 3, "{} metrics events", metrics.len());
    let totals: Vec<u64> = metrics
        .iter()
        .map(|m| m["totalRequests"].as_u64().unwrap())
        .collect();
    assert!(
        totals.windows(2).all(|p| p[0] <= p[1]),
        "totals never decrease: {totals:?}"
    );
    let (last, report) = evs.last().unwrap();
    assert_eq!(last, "complete");
    assert_eq!(report["completed"], 100);

    assert_eq!(api.get(&format!("/run/{id}")).json()["status"], "completed");
    assert_eq!(
        api.get(&format!("/run/{id}/report")).json()["requestsSent"],
        100
    );
    // The HTML report: the same report (its seconds come from the database; a run of one
    // second records none), and a policy that lets the page load nothing.
    let page = api.get(&format!("/run/{id}/report.html"));
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .starts_with("default-src 'none'"));
    let data = vayu::ui::embedded_data(&page.body).expect("the page embeds its data");
    assert_eq!(data["report"], api.get(&format!("/run/{id}/report")).json());
    assert!(data["series"].is_array());
    let replay = events(&api.get(&format!("/stats/{id}")).body);
    assert_eq!(
        replay.last().unwrap().0,
        "complete",
        "a finished run replays and completes"
    );
    let listed = api.get("/runs?status=completed&type=load&limit=5").json();
    assert_eq!(listed["items"][0]["id"].as_str(), Some(id.as_str()));
    assert_eq!(
        api.post(&format!("/run/{id}/stop"), json!(null)).status,
        409
    );
    assert_eq!(api.delete(&format!("/run/{id}")).status, 204);
    assert_eq!(api.get(&format!("/run/{id}")).status, 404);
    assert_eq!(api.get(&format!("/stats/{id}")).status, 404);
}

#[test]
fn stopping_a_run_and_deleting_a_live_one() {
    let server = TargetServer::start();
    let api = api();
    let id = api.post("/run", json!({"request": {"url": server.url("/delay/20")}, "config": {"duration": "60s", "concurrency": 2}})).json()["runId"].as_str().unwrap().to_string();
    assert_eq!(
        api.delete(&format!("/run/{id}")).status,
        409,
        "a running run cannot be deleted"
    );
    let stop = api.post(&format!("/run/{id}/stop"), json!(null));
    assert_eq!(stop.status, 202, "{}", stop.body);
    let deadline = Instant::now() + Duration::from_secs(20);
    while api.get(&format!("/run/{id}")).json()["status"] == "running" && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(api.get(&format!("/run/{id}")).json()["status"], "stopped");
    assert_eq!(
        api.get(&format!("/run/{id}/report")).json()["status"],
        "stopped"
    );
}

#[test]
fn errors_are_json_with_the_right_status() {
    let api = api();
    let r = api.get("/nowhere");
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    let r = call("PATCH", &format!("{}/runs", api.base), None, &[]);
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow").as_deref(), Some("GET"));
    let r = call("POST", &format!("{}/run", api.base), Some("{not json"), &[]);
    assert_eq!((r.status, r.error_code().as_str()), (400, "bad_request"));
    let r = api.post("/run", json!({"request": {"url": "http://127.0.0.1:1/"}, "config": {"duration": "1s", "targetRps": 5, "concurrency": 2}}));
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (422, Some("config.concurrency"))
    );
    assert_eq!(api.get("/runs?status=sleeping").status, 400);
    assert_eq!(api.get("/run/run_missing").status, 404);
    assert_eq!(api.post("/run/run_missing/stop", json!(null)).status, 404);
    let r = call(
        "POST",
        &format!("{}/run", api.base),
        Some("{}"),
        &["Content-Type: text/plain"],
    );
    assert_eq!(r.status, 415);
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(9 * 1024 * 1024));
    let r = call("POST", &format!("{}/run", api.base), Some(&big), &[]);
    assert_eq!((r.status, r.error_code().as_str()), (413, "too_large"));
}

#[test]
fn saved_work_crud() {
    let api = api();
    let parent = api.post("/collections", json!({"name": "API"})).json();
    let pid = parent["id"].as_str().unwrap();
    let child = api.post("/collections", json!({"name": "users", "parentId": pid}));
    assert_eq!(child.status, 201);
    let cid = child.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.get(&format!("/collections?parentId={pid}")).json()["items"][0]["id"].as_str(),
        Some(cid.as_str())
    );
    // The top level alone by default; every collection and folder with `all=true`.
    let ids = |path: &str| -> Vec<(String, Value)> {
        api.get(path).json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["id"].as_str().unwrap().to_string(), c["parentId"].clone()))
            .collect()
    };
    assert!(!ids("/collections").iter().any(|(id, _)| *id == cid));
    let all = ids("/collections?all=true");
    assert!(all.contains(&(cid.clone(), json!(pid))), "{all:?}");
    assert!(all.contains(&(pid.to_string(), Value::Null)), "{all:?}");
    let grandchild = api
        .post("/collections", json!({"name": "deep", "parentId": cid}))
        .json();
    let under = ids(&format!("/collections?all=true&parentId={pid}"));
    assert_eq!(
        under
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
            .len(),
        2,
        "the folder and its folder, not the collection itself: {under:?}"
    );
    assert!(under.contains(&(grandchild["id"].as_str().unwrap().to_string(), json!(cid))));
    let r = api.get("/collections?all=yes");
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (422, Some("all"))
    );
    assert_eq!(
        api.put(
            &format!("/collections/{cid}"),
            json!({"name": "people", "parentId": pid})
        )
        .json()["name"],
        "people"
    );
    assert_eq!(api.post("/collections", json!({"name": ""})).status, 422);
    // A missing resource the body names conflicts (409, naming the field); 404 is for the URL.
    let orphan = api.post(
        "/collections",
        json!({"name": "x", "parentId": "col_missing"}),
    );
    assert_eq!(orphan.status, 409, "{}", orphan.body);
    assert_eq!(orphan.json()["error"]["field"], "parentId");
    let orphan = api.post(
        "/requests",
        json!({"name": "x", "url": "http://127.0.0.1:1/", "collectionId": "col_missing"}),
    );
    assert_eq!(orphan.status, 409, "{}", orphan.body);
    assert_eq!(orphan.json()["error"]["field"], "collectionId");
    // Blank is what the contract's pattern says: U+0085 is white space, U+FEFF too.
    assert_eq!(
        api.post("/collections", json!({"name": "\u{85}\u{feff}"}))
            .status,
        422
    );

    let req = api.post("/requests", json!({"collectionId": cid, "name": "list", "method": "GET", "url": "http://127.0.0.1:1/users"}));
    assert_eq!(req.status, 201, "{}", req.body);
    let rid = req.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.get(&format!("/requests?collectionId={cid}")).json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(api.put(&format!("/requests/{rid}"), json!({"collectionId": cid, "name": "list", "method": "POST", "url": "http://127.0.0.1:1/users"})).json()["method"], "POST");
    let bad = api.post(
        "/requests",
        json!({"name": "bad", "url": "http://h/", "method": "FE TCH"}),
    );
    assert_eq!(bad.json()["error"]["field"], "method", "{}", bad.body);
    assert_eq!(api.delete(&format!("/collections/{pid}")).status, 204);
    assert_eq!(
        api.get(&format!("/requests/{rid}")).status,
        404,
        "deleting a collection deletes what is inside it"
    );

    let env = api
        .post(
            "/environments",
            json!({"name": "dev", "variables": {"a": 1}}),
        )
        .json();
    let eid = env["id"].as_str().unwrap();
    assert_eq!(
        api.get("/environments").json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        api.put(
            &format!("/environments/{eid}"),
            json!({"name": "prod", "variables": {"a": 2}})
        )
        .json()["variables"]["a"],
        2
    );
    assert_eq!(
        api.put(
            &format!("/environments/{eid}"),
            json!({"name": "prod", "variables": [1]})
        )
        .status,
        422
    );
    assert_eq!(api.delete(&format!("/environments/{eid}")).status, 204);
    assert_eq!(api.delete(&format!("/environments/{eid}")).status, 404);
}

#[test]
fn security_refusals() {
    let api = api_with(DaemonConfig {
        allow_origins: vec!["http://app.local".into()],
        ..DaemonConfig::default()
    });
    let url = format!("{}/health", api.base);
    assert_eq!(
        call("GET", &url, None, &["Host: evil.example"]).error_code(),
        "forbidden_host"
    );
    assert_eq!(
        call("GET", &url, None, &["Host: localhost:9876"]).status,
        200
    );
    assert_eq!(call("GET", &url, None, &["Host: [::1]:9876"]).status, 200);
    assert_eq!(
        call("GET", &url, None, &["Origin: http://evil.example"]).status,
        403
    );
    assert_eq!(
        call("GET", &url, None, &["Origin: http://app.local"]).status,
        200
    );

    let locked = api_with(DaemonConfig {
        token: Some("s3cret".into()),
        ..DaemonConfig::default()
    });
    let url = format!("{}/health", locked.base);
    let r = call("GET", &url, None, &[]);
    assert_eq!(
        (r.status, r.header("www-authenticate").as_deref()),
        (401, Some("Bearer"))
    );
    assert_eq!(
        call("GET", &url, None, &["Authorization: Bearer wrong"]).status,
        401
    );
    assert_eq!(
        call("GET", &url, None, &["Authorization: Bearer s3cret"]).status,
        200
    );
    // With a token, any Host (a Service name, a pod address); without the token, still 401.
    assert_eq!(
        call(
            "GET",
            &url,
            None,
            &[
                "Authorization: Bearer s3cret",
                "Host: vayu-engine.default.svc:9876"
            ]
        )
        .status,
        200
    );
    assert_eq!(
        call("GET", &url, None, &["Host: vayu-engine.default.svc:9876"]).status,
        401
    );

    let exposed = Daemon::start(DaemonConfig {
        bind: "0.0.0.0".parse().unwrap(),
        port: 0,
        ..DaemonConfig::default()
    });
    assert!(exposed
        .err()
        .expect("refused without a token")
        .to_string()
        .contains("--token"));
}

#[test]
fn sigterm_during_a_run_leaves_it_stopped() {
    let server = TargetServer::start();
    let dir = TempDir::new("sigterm");
    let db = dir.0.join("v.db");
    let (mut child, base, drain) = crate::support::spawn_engine(&db);
    let started = call("POST", &format!("{base}/run"), Some(&json!({"request": {"url": server.url("/delay/10")}, "config": {"duration": "60s", "targetRps": 50}}).to_string()), &[]);
    let id = started.json()["runId"].as_str().unwrap().to_string();
    while server
        .stats
        .requests
        .load(std::sync::atomic::Ordering::SeqCst)
        < 5
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let t0 = Instant::now();
    crate::support::signal(&child, "TERM");
    let status = child.wait().unwrap();
    drain.join().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        t0.elapsed() < Duration::from_secs(10),
        "shut down in {:?}",
        t0.elapsed()
    );
    let store = vayu::store::Store::open(&db).unwrap();
    let run = store.reader().unwrap().get_run(&id).unwrap().unwrap();
    assert_eq!(run.status, vayu::store::RunStatus::Stopped);
    assert!(run.summary.is_some());
}

#[test]
fn every_route_is_described_in_openapi() {
    let spec = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.yaml"),
    )
    .unwrap();
    let mut described = std::collections::HashSet::new();
    let mut path = None;
    for line in spec.lines() {
        if let Some(p) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
            path = Some(format!("/{p}"));
        } else if let (Some(p), Some(m)) = (
            &path,
            line.strip_prefix("    ").and_then(|l| l.strip_suffix(':')),
        ) {
            if ["get", "post", "put", "delete", "patch"].contains(&m) {
                described.insert((m.to_ascii_uppercase(), p.clone()));
            }
        } else if !line.starts_with(' ') && !line.is_empty() {
            path = None;
        }
    }
    let missing: Vec<_> = vayu::api::routes::ROUTES
        .iter()
        .filter(|(m, p, _)| !described.contains(&(m.to_string(), p.to_string())))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from docs/openapi.yaml: {missing:?}"
    );
    assert!(described.len() >= vayu::api::routes::ROUTES.len());
}

/// A collection with a folder, collection-level variables and scripts, for the daemon tests.
fn shop_collection() -> Value {
    let item = |name: &str, path: &str, test: &str| {
        json!({"name": name, "id": format!("id-{name}"),
               "request": {"method": "GET", "url": {"raw": format!("{{{{base}}}}{path}"), "host": ["{{base}}"], "path": path.trim_start_matches('/').split('/').collect::<Vec<_>>()}},
               "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [test]}}]})
    };
    json!({
        "info": {"_postman_id": "shop", "name": "Shop",
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "greeting", "value": "hi"}],
        "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": ["pm.variables.set('from', 'collection');"]}}],
        "item": [
            item("first", "/echo", "pm.test('ok', function () { pm.response.to.have.status(200); }); pm.environment.set('seen', pm.collectionVariables.get('greeting'));"),
            {"name": "Folder", "item": [
                item("second", "/status/404", "pm.test('is 404', function () { pm.response.to.have.status(404); }); pm.test('collection script ran', function () { pm.expect(pm.variables.get('from')).to.equal('collection'); });"),
            ]},
        ],
    })
}

#[test]
fn collections_import_export_and_run_with_results_sse_report_and_junit() {
    let server = TargetServer::start();
    let api = api();
    let imported = api.post("/collections/import", shop_collection());
    assert_eq!(imported.status, 201, "{}", imported.body);
    let ids = imported.json();
    assert_eq!(ids["collections"].as_array().unwrap().len(), 2);
    assert_eq!(ids["requests"].as_array().unwrap().len(), 2);
    let id = ids["id"].as_str().unwrap().to_string();
    assert_eq!(
        api.get(&format!("/collections/{id}")).json()["name"],
        "Shop"
    );

    // Import → export → import → export gives the same collection.
    let exported = api.get(&format!("/collections/{id}/export"));
    assert_eq!(exported.status, 200, "{}", exported.body);
    let first = exported.json();
    assert_eq!(first["item"][1]["item"][0]["name"], "second");
    assert_eq!(first["variable"][0]["key"], "greeting");
    let again = api.post("/collections/import", first.clone()).json();
    let second = api
        .get(&format!(
            "/collections/{}/export",
            again["id"].as_str().unwrap()
        ))
        .json();
    assert_eq!(first, second, "import → export is lossless");

    // An edit through the API shows in the export.
    let req_id = ids["requests"][0].as_str().unwrap();
    let mut saved = api.get(&format!("/requests/{req_id}")).json();
    saved["postRequestScript"] = json!("pm.test('edited', function () {});");
    for k in ["id", "updatedAt"] {
        saved.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(api.put(&format!("/requests/{req_id}"), saved).status, 200);
    let edited = api.get(&format!("/collections/{id}/export")).json();
    assert_eq!(
        edited["item"][0]["event"][0]["script"]["exec"][0],
        "pm.test('edited', function () {});"
    );
    let mut restore = shop_collection();
    restore["info"]["name"] = json!("Shop run");
    let run_tree = api.post("/collections/import", restore).json();

    let started = api.post(
        "/run",
        json!({"collectionId": run_tree["id"], "environment": {"base": server.url("")}, "iterations": 2}),
    );
    assert_eq!(started.status, 202, "{}", started.body);
    let run_id = started.json()["runId"].as_str().unwrap().to_string();
    let stream = api.get(&format!("/stats/{run_id}"));
    let evs = events(&stream.body);
    let deadline = Instant::now() + Duration::from_secs(30);
    let run = loop {
        let run = api.get(&format!("/run/{run_id}")).json();
        if run["status"] != "running" || Instant::now() > deadline {
            break run;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(run["status"], "completed", "{run}");
    assert_eq!(run["type"], "collection");
    // The stream either followed the run live (a `request` event per request) or replayed it
    // after it ended; either way it ends with `complete`.
    assert_eq!(
        evs.last().map(|e| e.0.as_str()),
        Some("complete"),
        "{evs:?}"
    );
    if evs.len() > 1 {
        // Joined mid-run, it may have missed the first requests, never the names.
        assert!(
            evs[..evs.len() - 1]
                .iter()
                .all(|e| e.0 == "request" && e.1["name"].is_string()),
            "{evs:?}"
        );
    }
    let report = api.get(&format!("/run/{run_id}/report")).json();
    assert_eq!(
        report["stats"]["requests"],
        json!({"total": 4, "failed": 0})
    );
    assert_eq!(
        report["stats"]["assertions"],
        json!({"total": 6, "failed": 0})
    );
    let junit = api.get(&format!("/run/{run_id}/junit"));
    assert_eq!(junit.status, 200, "{}", junit.body);
    let doc = roxmltree::Document::parse(&junit.body).expect("JUnit parses");
    // One per request executed, as Newman counts them (4), not the assertions (6).
    assert_eq!(doc.root_element().attribute("tests"), Some("4"));
    // The HTML report of a collection run: its own page, embedding the same summary.
    let page = api.get(&format!("/run/{run_id}/report.html"));
    assert_eq!(page.status, 200, "{}", page.body);
    let data = vayu::ui::embedded_data(&page.body).expect("the page embeds its data");
    assert_eq!(data["run"], report);

    let db = rusqlite::Connection::open(api._dir.0.join("v.db")).unwrap();
    let rows: Vec<(i64, String)> = db
        .prepare("SELECT status_code, trace_data FROM results WHERE run_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([&run_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        [200, 404, 200, 404]
    );
    let trace: Value = serde_json::from_str(&rows[1].1).unwrap();
    assert_eq!(trace["name"], "Folder / second");
    assert_eq!(trace["assertions"][1]["name"], "collection script ran");

    // Bad input is a 4xx that names what is wrong.
    assert_eq!(
        api.post("/run", json!({"collectionId": "col_nope"})).status,
        404
    );
    // A presigned AWS URL is what Vayu still refuses of Postman's auths.
    let mut presigned = shop_collection();
    presigned["item"][0]["request"]["auth"] =
        json!({"type": "awsv4", "awsv4": [{"key": "addAuthDataToQuery", "value": true}]});
    let refused = api.post("/run", json!({"collection": presigned}));
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("first") && refused.body.contains("addAuthDataToQuery"),
        "{}",
        refused.body
    );
    let bad = api.post("/collections/import", json!({"name": "not postman"}));
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(
        api.post("/run", json!({"collectionId": id, "iterations": 0}))
            .status,
        422
    );
    assert_eq!(api.get("/run/nope/junit").status, 404);
}

#[test]
fn the_contract_holds_where_schemathesis_found_it_did_not() {
    let api = api();
    assert_eq!(
        api.get("/runs?limit=1001").status,
        400,
        "limit is 1 to 1000"
    );
    assert_eq!(api.get("/runs?limit=0").status, 400);
    assert_eq!(api.get("/runs?offset=99999999999999999999").status, 400);
    let typo = api.post("/collections", json!({"name": "a", "parnetId": null}));
    assert_eq!(
        (typo.status, typo.json()["error"]["field"].as_str()),
        (422, Some("parnetId"))
    );
    let env = api.post("/environments", json!({"name": "e", "vars": {}}));
    assert_eq!(env.status, 422, "{}", env.body);
    let wrong = call(
        "OPTIONS",
        &format!("{}/collections/import", api.base),
        None,
        &[],
    );
    assert_eq!(wrong.status, 405);
    assert_eq!(
        wrong.header("allow").as_deref(),
        Some("POST"),
        "not also /collections/{{id}}'s"
    );
    let bad_auth = api.post(
        "/requests",
        json!({"name": "r", "url": "http://127.0.0.1:1/", "auth": ["x"]}),
    );
    assert_eq!(bad_auth.status, 422);
    let both = api.post(
        "/collections/import",
        json!({"info": {"name": "c"}, "item": [{"name": "x", "item": [], "request": "http://127.0.0.1:1/"}]}),
    );
    assert_eq!(both.status, 422, "{}", both.body);
}

#[test]
fn event_streams_are_capped_per_run_and_in_all_and_the_cap_frees_when_they_close() {
    use std::io::{Read, Write};
    use vayu::api::{MAX_STREAMS, MAX_STREAMS_PER_RUN};
    let server = TargetServer::start();
    let api = api();
    let start_run = || {
        let started = api.post(
            "/run",
            json!({"request": {"url": server.url("/echo")}, "config": {"duration": "60s", "targetRps": 1}}),
        );
        started.json()["runId"].as_str().unwrap().to_string()
    };
    let addr = api.base.trim_start_matches("http://").to_string();
    let open = |id: &str| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(s, "GET /stats/{id} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut head = [0u8; 12];
        s.read_exact(&mut head).unwrap();
        (s, String::from_utf8_lossy(&head).to_string())
    };
    let runs: Vec<String> = (0..MAX_STREAMS / MAX_STREAMS_PER_RUN + 1)
        .map(|_| start_run())
        .collect();
    let first: Vec<_> = (0..MAX_STREAMS_PER_RUN).map(|_| open(&runs[0])).collect();
    assert!(
        first.iter().all(|(_, head)| head.ends_with("200")),
        "every stream of a run up to its cap opens"
    );
    let (_, over) = open(&runs[0]);
    assert!(over.ends_with("503"), "one over the run's cap: {over}");
    let mut others: Vec<_> = runs[1..runs.len() - 1]
        .iter()
        .flat_map(|id| {
            (0..MAX_STREAMS_PER_RUN)
                .map(|_| open(id))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        others.iter().all(|(_, head)| head.ends_with("200")),
        "other runs' streams open up to the cap in all"
    );
    let (_, over) = open(runs.last().unwrap());
    assert!(over.ends_with("503"), "one over the cap in all: {over}");
    others.truncate(MAX_STREAMS_PER_RUN);
    drop(first);
    // Closed streams leave when their next write fails (a keep-alive every 15 s at most).
    let deadline = Instant::now() + Duration::from_secs(40);
    let reopened = loop {
        let (_, head) = open(&runs[0]);
        if head.ends_with("200") || Instant::now() > deadline {
            break head;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(reopened.ends_with("200"), "the cap frees: {reopened}");
    for id in &runs {
        assert_eq!(api.post(&format!("/run/{id}/stop"), json!({})).status, 202);
    }
}

#[test]
fn shutting_down_stops_collection_runs_and_records_them_stopped() {
    let server = TargetServer::start();
    let mut api = api();
    let started = api.post(
        "/run",
        json!({"collection": shop_collection(), "environment": {"base": server.url("")},
               "iterations": 1000, "delayRequest": 20}),
    );
    assert_eq!(started.status, 202, "{}", started.body);
    let id = started.json()["runId"].as_str().unwrap().to_string();
    assert_eq!(api.get("/health").json()["activeRuns"], 1);
    api.daemon.take().unwrap().shutdown();
    let db = rusqlite::Connection::open(api._dir.0.join("v.db")).unwrap();
    let status: String = db
        .query_row("SELECT status FROM runs WHERE id = ?1", [&id], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "stopped");
}

#[test]
fn a_saved_collection_runs_at_load_with_steps_in_the_stream_and_the_report() {
    let server = TargetServer::start();
    let api = api();
    let imported = api.post("/collections/import", shop_collection());
    let id = imported.json()["id"].as_str().unwrap().to_string();
    let started = api.post(
        "/run",
        json!({"flow": {"collectionId": id}, "environment": {"base": server.url("")},
               "config": {"executor": "per-vu-iterations", "vus": 2, "iterations": 3,
                          "thresholds": ["step:Folder / second p95<10s", "checks>=100%"]}}),
    );
    assert_eq!(started.status, 202, "{}", started.body);
    let run_id = started.json()["runId"].as_str().unwrap().to_string();
    let evs = events(&api.get(&format!("/stats/{run_id}")).body);
    let (last, report) = evs.last().unwrap();
    assert_eq!(last, "complete");
    assert_eq!(report["status"], "completed", "{report}");
    assert_eq!(report["flow"]["iterations"], 6);
    let steps = report["flow"]["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["first", "Folder / second"]);
    assert_eq!(steps[1]["statusCodes"]["404"], 6);
    assert_eq!(report["thresholdsOk"], true, "{}", report["thresholds"]);
    assert_eq!(server.stats.path_count("/status/404"), 6);

    // While a run goes, each progress event carries the steps table. This one reads a saved
    // environment.
    let env = api.post(
        "/environments",
        json!({"name": "local", "variables": {"base": server.url("")}}),
    );
    let env_id = env.json()["id"].as_str().unwrap().to_string();
    let started = api.post(
        "/run",
        json!({"flow": {"collectionId": id}, "environmentId": env_id,
               "config": {"executor": "constant-vus", "vus": 2, "duration": "1s"}}),
    );
    assert_eq!(started.status, 202, "{}", started.body);
    let run_id = started.json()["runId"].as_str().unwrap().to_string();
    let evs = events(&api.get(&format!("/stats/{run_id}")).body);
    let progress: Vec<&Value> = evs
        .iter()
        .filter(|(e, _)| e == "metrics")
        .map(|(_, d)| d)
        .collect();
    assert!(progress.len() >= 3, "{} progress events", progress.len());
    let last = progress.last().unwrap();
    assert_eq!(last["flow"]["steps"][1]["name"], "Folder / second");
    assert!(last["flow"]["steps"][0]["requests"].as_u64().unwrap() > 0);

    // Replayed, each second keeps the run's metrics and its steps' apart.
    let replay = events(&api.get(&format!("/stats/{run_id}")).body);
    let (_, report) = replay.last().unwrap();
    let (_, end) = replay.iter().rfind(|(e, _)| e == "metrics").unwrap();
    let completed = report["completed"].as_f64().unwrap();
    assert_eq!(end["metrics"]["total_requests"].as_f64(), Some(completed));
    let by_step: f64 = ["first", "Folder / second"]
        .iter()
        .map(|s| end["steps"][s]["total_requests"].as_f64().unwrap())
        .sum();
    assert_eq!(by_step, completed, "{end}");
    // The saved environment's `base` reached every request.
    assert!(
        report["statusCodes"]["200"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert_eq!(report["errors"], json!([]), "{report}");

    // A saved collection that does not exist, and both ways at once, are refused by field.
    let missing = api.post(
        "/run",
        json!({"flow": {"collectionId": "col_nope"}, "config": {"executor": "shared-iterations"}}),
    );
    assert_eq!(missing.status, 404, "{}", missing.body);
    let both = api.post(
        "/run",
        json!({"flow": {"collectionId": id, "collection": shop_collection()}, "config": {"executor": "shared-iterations"}}),
    );
    assert_eq!(both.status, 422, "{}", both.body);
    assert_eq!(both.json()["error"]["field"], "flow.collectionId");
}

/// `GET /run/{id}/report.html` charts the seconds the database recorded for the run.
#[test]
fn the_html_report_charts_the_recorded_seconds() {
    let server = TargetServer::start();
    let api = api();
    let started = api.post(
        "/run",
        json!({"request": {"url": server.url("/echo")}, "config": {"duration": "2500ms", "targetRps": 50}}),
    );
    let id = started.json()["runId"].as_str().unwrap().to_string();
    // The stream ends when the run does.
    assert_eq!(
        events(&api.get(&format!("/stats/{id}")).body)
            .last()
            .unwrap()
            .0,
        "complete"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let seconds = loop {
        let page = api.get(&format!("/run/{id}/report.html"));
        let data = vayu::ui::embedded_data(&page.body).expect("the page embeds its data");
        let seconds = data["series"].as_array().unwrap().clone();
        if seconds.len() >= 2 || Instant::now() > deadline {
            break seconds;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(seconds.len() >= 2, "{seconds:?}");
    assert!(seconds
        .iter()
        .all(|s| s["t"].is_number() && s["rps"].is_number()));
}

/// The dashboard's files: served without the token (they hold no data; the page asks for it and
/// sends it on every API call), with a policy that allows only the engine's own origin; calls
/// from that origin pass the Origin check, others' still do not.
#[test]
fn the_dashboard_is_served_with_a_strict_policy_and_its_origin_may_call_the_api() {
    let api = api_with(DaemonConfig {
        token: Some("s3cret".into()),
        ..DaemonConfig::default()
    });
    let page = call("GET", &format!("{}/ui/", api.base), None, &[]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let policy = page.header("content-security-policy").unwrap();
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    assert!(page
        .body
        .contains(r#"<script type="module" src="/ui/manager.js">"#));
    for (file, kind) in [
        ("app.js", "text/javascript"),
        ("manager.js", "text/javascript"),
        ("editor.js", "text/javascript"),
        ("manager.css", "text/css"),
        ("uPlot.js", "text/javascript"),
        ("app.css", "text/css"),
    ] {
        let r = call("GET", &format!("{}/ui/{file}", api.base), None, &[]);
        assert_eq!(
            (r.status, r.header("content-type").as_deref()),
            (200, Some(kind)),
            "{file}"
        );
    }
    assert_eq!(
        call("GET", &format!("{}/ui/nope.js", api.base), None, &[]).status,
        404
    );
    // The data still needs the token.
    assert_eq!(
        call("GET", &format!("{}/runs", api.base), None, &[]).status,
        401
    );

    let host = api.base.trim_start_matches("http://").to_string();
    let own = format!("Origin: http://{host}");
    let auth = "Authorization: Bearer s3cret";
    let created = call(
        "POST",
        &format!("{}/collections", api.base),
        Some(r#"{"name": "from the dashboard"}"#),
        &[&own, auth, "Content-Type: application/json"],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let foreign = call(
        "POST",
        &format!("{}/collections", api.base),
        Some(r#"{"name": "from elsewhere"}"#),
        &[
            "Origin: http://evil.example",
            auth,
            "Content-Type: application/json",
        ],
    );
    assert_eq!(foreign.error_code(), "forbidden_origin");
}

/// Issue 25 (3): a script's `pm.sendRequest` read saved environments and started runs through
/// the engine's own API, in design mode, load runs and collection runs.
#[test]
fn scripts_and_runs_cannot_reach_the_engines_own_api() {
    let server = TargetServer::start();
    let api = api_with(DaemonConfig {
        token: Some("s3cret".into()),
        ..DaemonConfig::default()
    });
    let auth = "Authorization: Bearer s3cret";
    let secret = call(
        "POST",
        &format!("{}/environments", api.base),
        Some(r#"{"name": "prod", "variables": {"password": "hunter2"}}"#),
        &[auth],
    );
    assert_eq!(secret.status, 201, "{}", secret.body);
    let run_count = || {
        call("GET", &format!("{}/runs", api.base), None, &[auth]).json()["total"]
            .as_u64()
            .unwrap()
    };
    let runs_before = run_count();
    // Each way a script reaches a URL: the engine's address as bound, as `localhost`, and a
    // redirect from another server to it.
    let targets = [
        format!("{}/environments", api.base),
        format!(
            "http://localhost:{}/environments",
            api.base.rsplit(':').next().unwrap()
        ),
        server.url(&format!("/redirect-to?url={}/environments", api.base)),
    ];
    for target in &targets {
        let script = format!(
            "pm.sendRequest({{url: {target:?}, header: {{Authorization: 'Bearer s3cret'}}}}, (err, res) => {{ pm.environment.set('err', err ? String(err.message || err) : ''); pm.environment.set('body', res ? res.text() : ''); }});"
        );
        let r = call(
            "POST",
            &format!("{}/request", api.base),
            Some(
                &json!({"request": {"url": server.url("/echo"), "testScript": script}}).to_string(),
            ),
            &[auth],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let vars = &r.json()["variables"]["environment"];
        assert!(
            vars["err"]
                .as_str()
                .unwrap()
                .contains("--allow-self-requests"),
            "{target}: {vars}"
        );
        assert!(
            !vars["body"].as_str().unwrap().contains("hunter2"),
            "{vars}"
        );
    }
    // The request itself, in design mode and in a load run.
    let direct = call(
        "POST",
        &format!("{}/request", api.base),
        Some(&json!({"request": {"url": format!("{}/health", api.base)}}).to_string()),
        &[auth],
    )
    .json();
    assert_eq!(direct["error"]["category"], "connect", "{direct}");
    assert!(
        direct["error"]["message"]
            .as_str()
            .unwrap()
            .contains("own control API"),
        "{direct}"
    );
    let start_run = format!(
        "pm.sendRequest({{url: '{}/run', method: 'POST', header: {{'Content-Type': 'application/json'}}, body: {{mode: 'raw', raw: JSON.stringify({{request: {{url: '{}'}}, config: {{mode: 'iterations', iterations: 1}}}})}}}}, () => {{}});",
        api.base,
        server.url("/echo")
    );
    let load = call("POST", &format!("{}/run", api.base), Some(&json!({"request": {"url": server.url("/echo"), "testScript": start_run}, "config": {"mode": "iterations", "iterations": 3}}).to_string()), &[auth]);
    assert_eq!(load.status, 202, "{}", load.body);
    let load_id = load.json()["runId"].as_str().unwrap().to_string();
    let self_load = call("POST", &format!("{}/run", api.base), Some(&json!({"request": {"url": format!("{}/health", api.base)}, "config": {"mode": "iterations", "iterations": 2}}).to_string()), &[auth]);
    let self_id = self_load.json()["runId"].as_str().unwrap().to_string();
    for id in [&load_id, &self_id] {
        let run = call("GET", &format!("{}/run/{id}", api.base), None, &[auth]);
        assert_eq!(run.status, 200);
    }
    // A collection run whose script starts a run.
    let collection = json!({
        "info": {"name": "Reach", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "one", "request": {"method": "GET", "url": server.url("/echo")},
                  "event": [{"listen": "test", "script": {"exec": [start_run]}}]}]
    });
    let collection_run = call(
        "POST",
        &format!("{}/run", api.base),
        Some(&json!({"collection": collection}).to_string()),
        &[auth],
    );
    assert_eq!(collection_run.status, 202, "{}", collection_run.body);
    let collection_id = collection_run.json()["runId"].as_str().unwrap().to_string();
    let wait = |id: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let run = call("GET", &format!("{}/run/{id}", api.base), None, &[auth]).json();
            if !["pending", "running"].contains(&run["status"].as_str().unwrap_or_default()) {
                return run;
            }
            assert!(Instant::now() < deadline, "{run}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    for id in [&load_id, &collection_id] {
        assert_eq!(wait(id)["status"], "completed");
    }
    assert_eq!(wait(&self_id)["status"], "completed");
    let report = call(
        "GET",
        &format!("{}/run/{self_id}/report", api.base),
        None,
        &[auth],
    )
    .json();
    assert_eq!(report["failed"], 2, "{report}");
    // The three runs this test started itself, plus the design requests'; none from a script.
    assert_eq!(
        run_count() - runs_before,
        3 + targets.len() as u64 + 1,
        "a script started a run"
    );

    // Side requests never carry the engine's token unless the script wrote it.
    let echoed = call("POST", &format!("{}/request", api.base), Some(&json!({"request": {"url": server.url("/echo"), "testScript": format!("pm.sendRequest({:?}, (err, res) => pm.environment.set('seen', res.text()));", server.url("/echo"))}}).to_string()), &[auth]).json();
    assert!(
        !echoed["variables"]["environment"]["seen"]
            .as_str()
            .unwrap()
            .contains("s3cret"),
        "{echoed}"
    );
}

#[test]
fn allow_self_requests_lets_runs_reach_the_engines_own_api() {
    let api = api_with(DaemonConfig {
        allow_self_requests: true,
        ..DaemonConfig::default()
    });
    let r = api.post(
        "/request",
        json!({"request": {"url": format!("{}/health", api.base)}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["response"]["status"], 200, "{}", r.body);
}

/// Starts a run on `base` against the silent server, its requests with no timeout; its id.
fn run_against_silence(
    base: &str,
    silent: &crate::support::SilentServer,
    graceful_stop: &str,
) -> String {
    let started = call("POST", &format!("{base}/run"), Some(&json!({"request": {"url": silent.url, "timeout": 0}, "config": {"duration": "60s", "targetRps": 20, "gracefulStop": graceful_stop}}).to_string()), &[]);
    assert_eq!(started.status, 202, "{}", started.body);
    started.json()["runId"].as_str().unwrap().to_string()
}

/// A run as the database at `db` has it, once the engine that wrote it has exited.
fn stored_run(db: &std::path::Path, id: &str) -> vayu::store::Run {
    let store = vayu::store::Store::open(db).unwrap();
    let reader = store.reader().unwrap();
    reader.get_run(id).unwrap().unwrap()
}

/// Sends an engine `signals` SIGTERMs (300 ms apart); it must exit 0 within 15 s (a bound for
/// a hang, not a speed). Its log.
fn terminate(
    mut child: crate::support::EngineProcess,
    log: std::thread::JoinHandle<Vec<String>>,
    signals: usize,
) -> Vec<String> {
    let t0 = Instant::now();
    for i in 0..signals {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(300));
        }
        crate::support::signal(&child, "TERM");
    }
    let status = child.wait().unwrap();
    let elapsed = t0.elapsed();
    let log = log.join().unwrap();
    assert_eq!(status.code(), Some(0), "{log:#?}");
    assert!(
        elapsed < Duration::from_secs(15),
        "shut down in {elapsed:?}: {log:#?}"
    );
    log
}

/// Issue 25 (4): with an endless graceful stop and no request timeout against a server that
/// never answers, SIGTERM never ended the daemon.
#[test]
fn shutdown_is_bounded_by_its_grace_even_with_an_endless_graceful_stop() {
    let silent = crate::support::SilentServer::start();
    let dir = TempDir::new("grace");
    let db = dir.0.join("v.db");
    let (child, base, log) = crate::support::spawn_engine_with(&db, &["--shutdown-grace", "1"]);
    let id = run_against_silence(&base, &silent, "8000h");
    let collection = json!({
        "info": {"name": "Silent", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "never answered", "request": {"method": "GET", "url": silent.url}}]
    });
    let collection_run = call(
        "POST",
        &format!("{base}/run"),
        Some(&json!({"collection": collection}).to_string()),
        &[],
    );
    assert_eq!(collection_run.status, 202, "{}", collection_run.body);
    let collection_id = collection_run.json()["runId"].as_str().unwrap().to_string();
    // Requests in flight, so the shutdown has something its grace cannot drain.
    silent.wait_for_connections(1);
    // 1 s of grace, up to 5 s for the abort.
    let log = terminate(child, log, 1);
    assert!(
        log.iter()
            .any(|l| l.contains("aborting what is still in flight")),
        "{log:#?}"
    );
    let last = log.iter().rev().take(2).collect::<Vec<_>>();
    assert!(
        last[0].contains("exiting") && last[1].contains("stopped"),
        "{log:#?}"
    );
    for id in [&id, &collection_id] {
        let run = stored_run(&db, id);
        assert_eq!(
            run.status,
            vayu::store::RunStatus::Stopped,
            "{id}: {:?}",
            run.error
        );
        assert!(run.summary.is_some(), "{id}");
    }
}

#[test]
fn a_second_sigterm_aborts_the_shutdown_at_once() {
    let silent = crate::support::SilentServer::start();
    let dir = TempDir::new("second-signal");
    let db = dir.0.join("v.db");
    // The default grace (20 s) would hold the run; the second signal does not wait for it.
    let (child, base, log) = crate::support::spawn_engine(&db);
    let id = run_against_silence(&base, &silent, "1h");
    silent.wait_for_connections(1);
    // The first signal alone would wait out the 20 s grace.
    terminate(child, log, 2);
    assert_eq!(stored_run(&db, &id).status, vayu::store::RunStatus::Stopped);
}

/// Issue 25 (5): a duration of 1e300 answered `500 internal` from a caught panic
/// (`Duration::from_secs_f64`). Every duration field has an upper bound, refused with a 422.
#[test]
fn huge_durations_are_refused_naming_the_field() {
    let server = TargetServer::start();
    let api = api();
    let url = server.url("/echo");
    let cases = [
        (
            "config.duration",
            json!({"request": {"url": url}, "config": {"duration": "HUGE", "targetRps": 1}}),
        ),
        (
            "config.gracefulStop",
            json!({"request": {"url": url}, "config": {"duration": "1s", "targetRps": 1, "gracefulStop": "HUGE"}}),
        ),
        (
            "config.sendWindow",
            json!({"request": {"url": url}, "config": {"duration": "1s", "targetRps": 1, "sendWindow": "HUGE"}}),
        ),
        (
            "config.timeUnit",
            json!({"request": {"url": url}, "config": {"executor": "constant-arrival-rate", "rate": 1, "duration": "1s", "timeUnit": "HUGE"}}),
        ),
        (
            "config.maxDuration",
            json!({"request": {"url": url}, "config": {"executor": "shared-iterations", "maxDuration": "HUGE"}}),
        ),
        (
            "config.timeout",
            json!({"request": {"url": url}, "config": {"mode": "iterations", "iterations": 1, "timeout": "HUGE"}}),
        ),
        (
            "request.timeout",
            json!({"request": {"url": url, "timeout": "HUGE"}, "config": {"mode": "iterations", "iterations": 1}}),
        ),
        (
            "flow[0].thinkTime",
            json!({"flow": [{"url": url, "thinkTime": "HUGE"}], "config": {"executor": "shared-iterations"}}),
        ),
    ];
    for huge in [
        json!(1e300),
        json!("99999999999999999999999h"),
        json!("8761h"),
    ] {
        for (field, body) in &cases {
            let body = body.to_string().replace("\"HUGE\"", &huge.to_string());
            let r = call("POST", &format!("{}/run", api.base), Some(&body), &[]);
            assert_eq!(r.status, 422, "{field} = {huge}: {}", r.body);
            assert_eq!(r.json()["error"]["field"], *field, "{}", r.body);
            assert!(r.body.contains("at most 8760h"), "{}", r.body);
        }
        let design = call(
            "POST",
            &format!("{}/request", api.base),
            Some(&json!({"request": {"url": url, "timeout": huge}}).to_string()),
            &[],
        );
        assert_eq!(design.status, 422, "{}", design.body);
        assert_eq!(design.json()["error"]["field"], "request.timeout");
    }
    for config in [
        json!({"mode": "iterations", "iterations": 10_000_000_000_000u64}),
        json!({"executor": "shared-iterations", "iterations": 10_000_000_000_000u64}),
        json!({"executor": "per-vu-iterations", "iterations": u64::MAX}),
    ] {
        let r = api.post("/run", json!({"request": {"url": url}, "config": config}));
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(
            r.json()["error"]["field"],
            "config.iterations",
            "{}",
            r.body
        );
    }
    assert_eq!(api.get("/health").status, 200);
}

/// Issue 25 (6): concurrent runs were unlimited (60 of 60 accepted), each holding memory on
/// every worker.
#[test]
fn runs_over_the_cap_get_429_with_retry_after_until_one_ends() {
    let server = TargetServer::start();
    let api = api_with(DaemonConfig {
        max_runs: 2,
        // The collection run waits 60 s for its reply: the test's shutdown aborts it.
        shutdown_grace: Duration::from_millis(100),
        ..DaemonConfig::default()
    });
    let long = json!({"request": {"url": server.url("/echo")}, "config": {"duration": "60s", "targetRps": 1}});
    let first = api.post("/run", long.clone());
    assert_eq!(first.status, 202, "{}", first.body);
    let collection = json!({"collection": {"info": {"name": "slow", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "slow", "request": {"method": "GET", "url": server.url("/delay/60000")}}]}});
    assert_eq!(
        api.post("/run", collection.clone()).status,
        202,
        "a collection run counts too"
    );
    for body in [long.clone(), collection] {
        let refused = api.post("/run", body);
        assert_eq!(refused.status, 429, "{}", refused.body);
        assert_eq!(refused.error_code(), "too_many_runs");
        assert_eq!(refused.header("retry-after").as_deref(), Some("5"));
    }
    let id = first.json()["runId"].as_str().unwrap().to_string();
    assert_eq!(api.post(&format!("/run/{id}/stop"), json!({})).status, 202);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let again = api.post("/run", long.clone());
        if again.status == 202 {
            break;
        }
        assert_eq!(again.status, 429, "{}", again.body);
        assert!(Instant::now() < deadline, "the cap never freed a place");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Issue 25 (8): two Host headers were accepted (RFC 9112 says 400), and API replies had no
/// `X-Content-Type-Options: nosniff`.
#[test]
fn two_host_headers_get_400_and_every_reply_says_nosniff() {
    use std::io::{Read, Write};
    let api = api();
    let addr = api.base.trim_start_matches("http://").to_string();
    let raw = |request: String| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    let two = raw(format!(
        "GET /health HTTP/1.1\r\nHost: {addr}\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    ));
    assert!(two.starts_with("HTTP/1.1 400"), "{two}");
    assert!(two.contains("more than one Host"), "{two}");
    for path in ["/health", "/nope", "/ui/"] {
        let reply = raw(format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        ));
        assert!(
            reply.contains("X-Content-Type-Options: nosniff\r\n"),
            "{path}: {reply}"
        );
    }
}

/// Issue 25 (6): a run body of 8 MB cost ~300 MB of memory, most of it a script compiled on
/// every worker. A script has a size limit, refused naming the field.
#[test]
fn oversized_scripts_are_refused_naming_the_field() {
    let api = api();
    let script = format!("// {}", "x".repeat(2 * 1024 * 1024));
    let run = api.post("/run", json!({"request": {"url": "http://127.0.0.1:1/", "testScript": script}, "config": {"mode": "iterations", "iterations": 1}}));
    assert_eq!(run.status, 422, "{}", run.body);
    assert_eq!(run.json()["error"]["field"], "request.testScript");
    assert!(run.body.contains("1024 KiB"), "{}", run.body);
    let design = api.post(
        "/request",
        json!({"request": {"url": "http://127.0.0.1:1/", "preRequestScript": script}}),
    );
    assert_eq!(design.status, 422, "{}", design.body);
    assert_eq!(design.json()["error"]["field"], "request.preRequestScript");
    let collection = api.post("/collections/import", json!({"info": {"name": "big", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "one", "request": {"method": "GET", "url": "http://127.0.0.1:1/"}, "event": [{"listen": "test", "script": {"exec": [script]}}]}]}));
    assert_eq!(collection.status, 422, "{}", collection.body);
    assert!(collection.body.contains("1024 KiB"), "{}", collection.body);
}

/// Issue 25 (8): a run killed with the engine had no report at all. Its report is made from
/// the seconds it recorded, and says it is partial.
#[test]
fn a_run_killed_with_the_engine_has_a_partial_report_from_its_recorded_seconds() {
    let server = TargetServer::start();
    let dir = TempDir::new("killed");
    let db = dir.0.join("v.db");
    let (mut child, base, _log) = crate::support::spawn_engine(&db);
    let started = call("POST", &format!("{base}/run"), Some(&json!({"request": {"url": server.url("/echo")}, "config": {"duration": "60s", "targetRps": 50}}).to_string()), &[]);
    let id = started.json()["runId"].as_str().unwrap().to_string();
    // Until the database has at least two recorded seconds of it.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let recorded: i64 = rusqlite::Connection::open(&db)
            .and_then(|c| {
                c.query_row(
                    "SELECT count(*) FROM metrics WHERE run_id = ?1 AND name = 'requests_sent'",
                    [&id],
                    |r| r.get(0),
                )
            })
            .unwrap_or(0);
        if recorded >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "no seconds recorded");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (mut child, base, _log) = crate::support::spawn_engine(&db);
    let report = call("GET", &format!("{base}/run/{id}/report"), None, &[]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(report.status, 200, "{}", report.body);
    let report = report.json();
    assert_eq!(report["partial"], true, "{report}");
    assert_eq!(report["status"], "failed");
    assert_eq!(report["error"], vayu::store::RESTART_REASON);
    assert!(report["requestsSent"].as_u64().unwrap() >= 50, "{report}");
    assert!(report["seconds"].as_array().unwrap().len() >= 2, "{report}");
    assert_eq!(report["requestsExpected"], 3000);
}

/// Found by the contract fuzzing: a collection imported with `info: null` (or none, which
/// Newman runs) failed its export with a 500.
#[test]
fn a_collection_imported_without_info_exports() {
    let api = api();
    for doc in [
        json!({"info": null, "item": [{"name": "one", "request": "http://127.0.0.1:1/"}]}),
        json!({"item": {"name": "one", "request": "http://127.0.0.1:1/"}}),
    ] {
        let imported = api.post("/collections/import", doc.clone());
        assert_eq!(imported.status, 201, "{doc}: {}", imported.body);
        let id = imported.json()["id"].as_str().unwrap().to_string();
        let exported = api.get(&format!("/collections/{id}/export"));
        assert_eq!(exported.status, 200, "{doc}: {}", exported.body);
        let exported = exported.json();
        assert!(exported["info"]["name"].is_string(), "{exported}");
        assert_eq!(exported["item"][0]["name"], "one", "{exported}");
    }
}

/// A collection run through the daemon reads files only under the daemon's working directory:
/// a request body naming any other file of the host is refused before anything is sent.
#[test]
fn a_collection_run_cannot_send_a_file_from_outside_the_working_directory() {
    let api = api();
    let outside = std::env::temp_dir().join("vayu-outside.txt");
    std::fs::write(&outside, "secret").unwrap();
    let collection = json!({
        "info": {"name": "Files", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "upload", "request": {"method": "POST", "url": "http://127.0.0.1:1/",
                  "body": {"mode": "file", "file": {"src": outside.to_str().unwrap()}}}}]
    });
    let refused = api.post("/run", json!({"collection": collection}));
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("outside the working directory"),
        "{}",
        refused.body
    );
    let _ = std::fs::remove_file(outside);
}

/// Schemathesis found it: a collection whose request method is a number was saved (the schema
/// says a string). It is refused, naming the request.
#[test]
fn a_collection_with_a_method_that_is_not_a_string_is_refused() {
    let api = api();
    let refused = api.post(
        "/collections/import",
        json!({"info": {"name": "C"}, "item": [{"name": "r", "request": {"method": 468, "url": "http://127.0.0.1:1/"}}]}),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("`method` must be a string"),
        "{}",
        refused.body
    );
}
