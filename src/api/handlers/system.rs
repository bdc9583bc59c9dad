//! `GET /health`, `GET /config`, `GET /metrics`: the engine itself.

use crate::api::reply::Reply;
use crate::api::security::MAX_BODY;
use crate::api::AppState;
use crate::script::ScriptLimits;
use serde_json::json;

pub(crate) fn health(state: &AppState) -> Reply {
    Reply::Json(
        200,
        json!({
            "status": if state.shutting_down() { "stopping" } else { "ok" },
            "version": crate::version::VERSION,
            "commit": crate::version::GIT_COMMIT,
            "libcurl": crate::version::libcurl_version(),
            "workers": state.engine.worker_count(),
            "uptimeSecs": state.started.elapsed().as_secs_f64(),
            "activeRuns": state.runs.active_runs().len(),
        }),
    )
}

pub(crate) fn config(state: &AppState) -> Reply {
    let c = state.engine.config();
    let limits = ScriptLimits::default();
    Reply::Json(
        200,
        json!({
            "bind": state.config.bind.to_string(),
            "port": state.config.port,
            "db": state.store.path().display().to_string(),
            "workers": state.engine.worker_count(),
            "pinWorkers": c.pin_workers,
            "maxConcurrentPerWorker": c.max_concurrent,
            "maxPerHost": c.max_per_host,
            "responseBodyCapBytes": c.body_cap,
            "userAgent": c.user_agent,
            "maxRequestBodyBytes": MAX_BODY,
            "openFileLimit": vayu_ffi::raise_open_file_limit().ok(),
            "tokenRequired": state.config.token.is_some(),
            "allowOrigins": state.config.allow_origins,
            "scriptLimits": {"memoryBytes": limits.memory_bytes, "timeMs": limits.time.as_millis() as u64, "stackBytes": limits.stack_bytes},
        }),
    )
}

/// Prometheus text format: engine-wide counters, as monitored load boxes expect.
pub(crate) fn metrics(state: &AppState) -> Reply {
    use std::fmt::Write;
    let e = &state.engine;
    let mut out = String::new();
    let _ = writeln!(out, "# HELP vayu_requests_total Finished requests by outcome (class: 1xx..5xx, or error for transport failures).");
    let _ = writeln!(out, "# TYPE vayu_requests_total counter");
    for (i, n) in e.outcomes_by_class().iter().enumerate() {
        let class = if i == 0 {
            "error".to_string()
        } else {
            format!("{i}xx")
        };
        let _ = writeln!(out, "vayu_requests_total{{class=\"{class}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP vayu_in_flight Requests in flight.\n# TYPE vayu_in_flight gauge\nvayu_in_flight {}",
        e.active_count()
    );
    let _ = writeln!(out, "# HELP vayu_active_runs Load and collection runs running.\n# TYPE vayu_active_runs gauge\nvayu_active_runs {}", state.runs.active_runs().len());
    let _ = writeln!(out, "# HELP vayu_queue_depth Single requests waiting per worker.\n# TYPE vayu_queue_depth gauge");
    for (i, depth) in e.queue_depths().iter().enumerate() {
        let _ = writeln!(out, "vayu_queue_depth{{worker=\"{i}\"}} {depth}");
    }
    let (buckets, sum_us) = e.latency_buckets();
    let _ = writeln!(out, "# HELP vayu_request_duration_seconds Service time of every response the engine received (send to last byte).\n# TYPE vayu_request_duration_seconds histogram");
    let mut cumulative = 0;
    for (i, n) in buckets.iter().enumerate() {
        cumulative += n;
        let le = crate::engine::LATENCY_BUCKETS_US
            .get(i)
            .map_or("+Inf".to_string(), |us| format!("{}", *us as f64 / 1e6));
        let _ = writeln!(
            out,
            "vayu_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
        );
    }
    let _ = writeln!(
        out,
        "vayu_request_duration_seconds_sum {:.6}\nvayu_request_duration_seconds_count {cumulative}",
        sum_us as f64 / 1e6
    );
    let _ = writeln!(out, "# HELP vayu_uptime_seconds Seconds since the engine started.\n# TYPE vayu_uptime_seconds gauge\nvayu_uptime_seconds {:.3}", state.started.elapsed().as_secs_f64());
    Reply::Text("text/plain; version=0.0.4", out)
}
