//! Parsers of the run file's fields: durations, rates, counts, times and the recording policy,
//! each bounded and each error naming its field.

use super::mode::{Mode, SendWindow, MAX_SEND_WINDOW};
use crate::model::duration::duration_from_json;
use crate::model::ValidationError;
use crate::store::ResultPolicy;
use std::time::Duration;

pub(super) fn err(field: &str, message: impl Into<String>) -> ValidationError {
    ValidationError::new(field, message)
}

pub(super) fn seconds(field: &str, value: &serde_json::Value) -> Result<Duration, ValidationError> {
    duration_from_json(value, 1000.0)
        .map_err(|m| err(field, format!("{m} (seconds, or a string such as \"30s\")")))
}

pub(super) fn positive_duration(
    field: &str,
    value: Option<&serde_json::Value>,
    mode: &str,
) -> Result<Duration, ValidationError> {
    let value =
        value.ok_or_else(|| err(field, format!("\"{mode}\" needs a duration, e.g. \"30s\"")))?;
    let d = seconds(field, value)?;
    if d.is_zero() {
        return Err(err(field, "must be longer than zero"));
    }
    Ok(d)
}

/// The latest `startAt` accepted, from now: a later one is more likely a typo than a plan.
const MAX_START_DELAY_MS: u64 = 24 * 3600 * 1000;

/// `startAt` as ms since the epoch: in the future (a little past is a clock skew, taken as now),
/// at most a day away.
pub(super) fn start_at(text: &str) -> Result<u64, String> {
    let at = crate::clock::parse_rfc3339(text)
        .ok_or_else(|| format!("`{text}` is not an RFC 3339 time such as 2026-11-22T08:00:00Z"))?;
    let now = crate::clock::now_millis();
    if at + 1000 < now {
        return Err(format!(
            "`{text}` has passed ({} s ago); give a time a few seconds ahead, the same on every engine",
            (now - at) / 1000
        ));
    }
    if at > now + MAX_START_DELAY_MS {
        return Err(format!("`{text}` is more than a day away"));
    }
    Ok(at)
}

pub(super) fn send_window(
    value: Option<&serde_json::Value>,
    mode: &Mode,
) -> Result<SendWindow, ValidationError> {
    let Some(value) = value else {
        return Ok(SendWindow::Auto);
    };
    if !matches!(mode, Mode::Open(_)) {
        return Err(err(
            "config.sendWindow",
            "applies to open-model runs (targetRps, ramp_up or the arrival-rate executors)",
        ));
    }
    if value.as_str() == Some("auto") {
        return Ok(SendWindow::Auto);
    }
    let window = duration_from_json(value, 1000.0).map_err(|m| {
        err(
            "config.sendWindow",
            format!("{m} (\"auto\", seconds, or a string such as \"1ms\")"),
        )
    })?;
    if window > MAX_SEND_WINDOW {
        return Err(err(
            "config.sendWindow",
            format!(
                "{} ms is over {} ms: a longer window turns the arrival rate into bursts",
                window.as_millis(),
                MAX_SEND_WINDOW.as_millis()
            ),
        ));
    }
    Ok(SendWindow::Fixed(window))
}

/// The highest rate a plan may ask for: far past what one engine sends (~10^5 per core), so
/// only an absurd plan meets it; the rest of its sends would only be counted as dropped.
pub(super) const MAX_RATE: f64 = 1e9;

pub(super) fn rate(field: &str, value: f64) -> Result<f64, ValidationError> {
    if !value.is_finite() || value < 0.0 {
        return Err(err(
            field,
            format!("{value} is not a rate; use a number of requests per second ≥ 0"),
        ));
    }
    if value > MAX_RATE {
        return Err(err(
            field,
            format!("{value} requests/s is over the limit of {MAX_RATE:e}: no engine sends that fast; split the load over engines"),
        ));
    }
    Ok(value)
}

/// `config.record`: which results a run with a database records.
pub(super) fn record_policy(
    value: Option<&serde_json::Value>,
) -> Result<Option<ResultPolicy>, ValidationError> {
    let bad = |m: &str| err("config.record", m.to_string());
    let usage = "use {\"failures\": true, \"sampleEvery\": 100}, \"all\" or \"none\"";
    match value {
        None => Ok(Some(ResultPolicy::default())),
        Some(serde_json::Value::String(s)) if s == "none" => Ok(None),
        Some(serde_json::Value::String(s)) if s == "all" => Ok(Some(ResultPolicy {
            failure_cap: u64::MAX,
            sample_every: 1,
        })),
        Some(serde_json::Value::Object(map)) => {
            if let Some(k) = map.keys().find(|k| *k != "failures" && *k != "sampleEvery") {
                return Err(bad(&format!("unknown field `{k}`; {usage}")));
            }
            let failures = match map.get("failures") {
                None => true,
                Some(serde_json::Value::Bool(b)) => *b,
                Some(_) => return Err(bad("`failures` must be true or false")),
            };
            let sample_every = match map.get("sampleEvery") {
                None => crate::store::DEFAULT_SAMPLE_EVERY,
                Some(n) => n.as_u64().ok_or_else(|| {
                    bad("`sampleEvery` must be a whole number ≥ 0 (0: no successes)")
                })?,
            };
            Ok(Some(ResultPolicy {
                failure_cap: if failures {
                    crate::store::DEFAULT_FAILURE_CAP
                } else {
                    0
                },
                sample_every,
            }))
        }
        Some(_) => Err(bad(usage)),
    }
}

/// Requests in flight at once are bounded by the connections the process can open.
/// The most iterations a run may plan: a trillion, days at the fastest rate one engine sends.
pub(super) const MAX_ITERATIONS: u64 = 1_000_000_000_000;

pub(super) fn iterations(field: &str, value: u64) -> Result<u64, ValidationError> {
    if value > MAX_ITERATIONS {
        return Err(err(
            field,
            format!("{value} is over the limit of {MAX_ITERATIONS:e} iterations; split the load over engines or runs"),
        ));
    }
    Ok(value)
}

pub(super) fn in_flight(field: &str, value: u64) -> Result<u64, ValidationError> {
    let limit = crate::engine::connection_limit();
    if value > limit {
        return Err(err(
            field,
            format!("{value} is over {limit}, the requests this machine can have in flight: each needs a connection (a file descriptor) and the open-file limit allows {}; raise it (ulimit -n) or ask for fewer", limit + 256),
        ));
    }
    Ok(value)
}
