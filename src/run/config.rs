//! The run file (`vayu-cli load` reads it; `POST /run` will take it): what to send and how.
//! Checked up front; every error names the field.

use super::flow_plan;
pub use super::flow_plan::FlowPlan;
use super::schedule::{Schedule, Stage};
use super::segment::Segment;
use super::threshold::Threshold;
use crate::flow::FlowOptions;
use crate::model::duration::duration_from_json;
use crate::model::{PreparedRequest, RequestSpec, ValidationError};
use crate::script::{new_run, PreRequest, ResponseTest, Variables};
use crate::store::ResultPolicy;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_GRACEFUL_STOP: Duration = Duration::from_secs(5);

/// A load run as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestSpec>,
    /// Sent round-robin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Vec<RequestSpec>>,
    /// A journey: a list of steps (requests with `name`, scripts and `thinkTime`), or
    /// `{"collection": ..., "folder": ...}`. Every iteration of every virtual user runs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<serde_json::Value>,
    /// Iteration data rows for a flow: `[{"column": value}, ...]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    pub config: LoadConfigSpec,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadConfigSpec {
    /// k6's executor names and fields (see `executor.rs`); instead of `mode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vus: Option<u64>,
    /// Iterations per `timeUnit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "maxVUs")]
    pub max_vus: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "preAllocatedVUs"
    )]
    pub pre_allocated_vus: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "startVUs")]
    pub start_vus: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<serde_json::Value>,
    /// "constant" (default), "iterations" or "ramp_up".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Seconds as a number, or a string with a unit ("30s", "2m").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_rps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graceful_stop: Option<serde_json::Value>,
    /// Open model: sends due within one window of this length go out together at its end;
    /// `"auto"` (the default) windows only sends denser than [`DENSE_SEND_WINDOW`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_window: Option<serde_json::Value>,
    /// This engine's part of a plan split over several: "I/N" or "from:to" (`docs/distributed.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Every engine's segment boundaries, "0,1/4,1/2,1" (required with "from:to").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_sequence: Option<String>,
    /// When to start, RFC 3339 ("2026-11-22T08:00:00Z"): engines given the same instant follow
    /// one schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    /// Per-request timeout for every request of the run (overrides the requests' own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<String>,
    /// Which results are recorded in the database: `{"failures": true, "sampleEvery": 100}`
    /// (the default), `"all"` or `"none"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StageSpec {
    pub duration: serde_json::Value,
    /// Mode "ramp_up"'s rate at the stage's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rps: Option<f64>,
    /// An executor's target at the stage's end: virtual users, or iterations per `timeUnit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
}

/// How requests are paced.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Open model: sends follow the schedule whatever the responses do.
    Open(Schedule),
    /// Closed model: exactly `concurrency` requests in flight until `duration` has passed.
    Closed {
        concurrency: u64,
        duration: Duration,
    },
    /// Exactly `iterations` requests, at most `concurrency` at once, optionally within `limit`.
    Iterations {
        iterations: u64,
        concurrency: u64,
        limit: Option<Duration>,
    },
    /// Closed model with a changing number of users: from `start`, moving linearly to each
    /// stage's target over the stage (k6's ramping-vus). Flows only.
    RampingUsers {
        start: u64,
        stages: Vec<(Duration, u64)>,
    },
    /// Each of `users` users runs `iterations` iterations (k6's per-vu-iterations). Flows only.
    PerUserIterations {
        users: u64,
        iterations: u64,
        limit: Option<Duration>,
    },
}

impl Mode {
    /// This engine's part of the mode: its share of every count, its part of the schedule.
    pub fn segmented(self, segment: &Arc<Segment>) -> Mode {
        let share = |n: u64| segment.share(n);
        match self {
            Mode::Open(schedule) => Mode::Open(schedule.segmented(Arc::clone(segment))),
            Mode::Closed {
                concurrency,
                duration,
            } => Mode::Closed {
                concurrency: share(concurrency),
                duration,
            },
            Mode::Iterations {
                iterations,
                concurrency,
                limit,
            } => Mode::Iterations {
                iterations: share(iterations),
                concurrency: share(concurrency).max(1),
                limit,
            },
            Mode::RampingUsers { start, stages } => Mode::RampingUsers {
                start: share(start),
                stages: stages.into_iter().map(|(d, t)| (d, share(t))).collect(),
            },
            Mode::PerUserIterations {
                users,
                iterations,
                limit,
            } => Mode::PerUserIterations {
                users: share(users),
                iterations,
                limit,
            },
        }
    }

    /// The units (requests, or a flow's iterations) the mode plans, if it counts them.
    pub fn planned(&self) -> Option<u64> {
        match self {
            Mode::Open(schedule) => Some(schedule.expected()),
            Mode::Iterations { iterations, .. } => Some(*iterations),
            Mode::PerUserIterations {
                users, iterations, ..
            } => Some(users * iterations),
            Mode::Closed { .. } | Mode::RampingUsers { .. } => None,
        }
    }

    /// Users wanted `elapsed` into a ramping-users run (rounded to the nearest).
    pub fn users_at(start: u64, stages: &[(Duration, u64)], elapsed: Duration) -> u64 {
        let (mut from, mut at) = (start as f64, Duration::ZERO);
        for (duration, target) in stages {
            if elapsed < at + *duration {
                let into = (elapsed - at).as_secs_f64() / duration.as_secs_f64();
                return (from + (*target as f64 - from) * into).round() as u64;
            }
            from = *target as f64;
            at += *duration;
        }
        from as u64
    }
}

/// A validated run, ready to start.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub mode: Mode,
    pub requests: Vec<Arc<PreparedRequest>>,
    /// Open model: sends beyond this many in flight are dropped (counted), never delayed.
    pub max_in_flight: u64,
    pub graceful_stop: Duration,
    /// Open model: how sends are timed to windows.
    pub send_window: SendWindow,
    /// This engine's part of a plan split over engines; its counts are already this part's.
    pub segment: Option<Arc<Segment>>,
    /// When the run starts, as ms since the Unix epoch, if not at once.
    pub start_at_ms: Option<u64>,
    pub thresholds: Vec<Threshold>,
    /// Test scripts by request index, when any request has one.
    pub tests: Option<Arc<Vec<Option<ResponseTest>>>>,
    /// Pre-request scripts by request index, when any request has one: each send of such a
    /// request runs its script and sends what it leaves.
    pub pre_requests: Option<Arc<Vec<Option<PreRequest>>>>,
    /// The run's environment; each worker's test scripts work on their own copy.
    pub variables: Variables,
    /// The run's scripts have runtimes of their own (`script::new_run`).
    pub script_run: u64,
    /// Which results are recorded, when the run has a database; `None` records none.
    pub record: Option<ResultPolicy>,
    /// The journey virtual users run; `None`: requests are paced one by one.
    pub flow: Option<Arc<FlowPlan>>,
}

impl LoadPlan {
    /// Requests a request run sends (`None` for flows: see `iterations_expected`, or when the
    /// run goes for a duration).
    pub fn requests_expected(&self) -> Option<u64> {
        self.flow.is_none().then(|| self.planned()).flatten()
    }

    /// Iterations a flow run starts, when the plan says.
    pub fn iterations_expected(&self) -> Option<u64> {
        self.flow.is_some().then(|| self.planned()).flatten()
    }

    /// The units (requests, or a flow's iterations) the mode plans, if it counts them.
    fn planned(&self) -> Option<u64> {
        self.mode.planned()
    }

    /// How long sending lasts (`None`: until the iterations are done).
    pub fn duration(&self) -> Option<Duration> {
        match &self.mode {
            Mode::Open(schedule) => Some(schedule.duration()),
            Mode::Closed { duration, .. } => Some(*duration),
            Mode::Iterations { limit, .. } | Mode::PerUserIterations { limit, .. } => *limit,
            Mode::RampingUsers { stages, .. } => Some(stages.iter().map(|(d, _)| *d).sum()),
        }
    }

    /// Whether sends follow a clock (the open model): latency is then corrected.
    pub fn is_open(&self) -> bool {
        matches!(self.mode, Mode::Open(_))
    }

    /// The average target rate of an open-model run.
    pub fn target_rps(&self) -> Option<f64> {
        match &self.mode {
            Mode::Open(schedule) => {
                Some(schedule.expected() as f64 / schedule.duration().as_secs_f64())
            }
            _ => None,
        }
    }

    pub fn mode_name(&self) -> &'static str {
        match self.mode {
            Mode::Open(_) => "open",
            Mode::Closed { .. } | Mode::RampingUsers { .. } => "closed",
            Mode::Iterations { .. } | Mode::PerUserIterations { .. } => "iterations",
        }
    }

    /// The k6 executor the run's pacing is.
    pub fn executor_name(&self) -> &'static str {
        match &self.mode {
            Mode::Open(schedule) if schedule.is_constant() => "constant-arrival-rate",
            Mode::Open(_) => "ramping-arrival-rate",
            Mode::Closed { .. } => "constant-vus",
            Mode::RampingUsers { .. } => "ramping-vus",
            Mode::Iterations { .. } => "shared-iterations",
            Mode::PerUserIterations { .. } => "per-vu-iterations",
        }
    }
}

fn err(field: &str, message: impl Into<String>) -> ValidationError {
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
fn start_at(text: &str) -> Result<u64, String> {
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

/// The longest `sendWindow`: longer ones would turn an arrival rate into bursts.
pub const MAX_SEND_WINDOW: Duration = Duration::from_millis(100);

/// The window `"auto"` times a worker's sends to where they are at most this far apart. A worker
/// wakes about this late from a timer anyway (40–50 µs on the benchmark VM), so the corrected
/// latency hardly moves, and each wake-up serves one send or more instead of arming a timer
/// for each: 9–17% less CPU per request from 50,000/s (docs/benchmarks.md).
pub const DENSE_SEND_WINDOW: Duration = Duration::from_micros(50);

/// How an open-model run times its sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendWindow {
    /// Each send at its own time, except that a worker whose sends are at most
    /// [`DENSE_SEND_WINDOW`] apart times them to windows of that length.
    Auto,
    /// Windows of this length (zero: each send at its own time).
    Fixed(Duration),
}

impl SendWindow {
    /// The window of a send whose share sends the next one `gap()` later (`None`: no next one);
    /// only `Auto` asks.
    pub fn for_gap(self, gap: impl FnOnce() -> Option<Duration>) -> Duration {
        match self {
            SendWindow::Fixed(window) => window,
            SendWindow::Auto if gap().is_some_and(|g| g <= DENSE_SEND_WINDOW) => DENSE_SEND_WINDOW,
            SendWindow::Auto => Duration::ZERO,
        }
    }
}

fn send_window(
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
pub const MAX_RATE: f64 = 1e9;

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
fn record_policy(
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
pub const MAX_ITERATIONS: u64 = 1_000_000_000_000;

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

impl RunSpec {
    pub fn from_json(text: &str) -> Result<RunSpec, ValidationError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            err(
                if path == "." { "" } else { &path },
                e.into_inner().to_string(),
            )
        })
    }

    /// The requests in the order they are sent.
    pub fn request_specs(&self) -> Vec<&RequestSpec> {
        self.request
            .iter()
            .chain(self.requests.iter().flatten())
            .collect()
    }

    /// Checks the whole run. `max_in_flight_default` is what the engine can hold (workers × per-worker cap).
    pub fn prepare(&self, max_in_flight_default: u64) -> Result<LoadPlan, ValidationError> {
        let c = &self.config;
        let (mode, max_users) = match &c.executor {
            Some(name) => {
                let e = super::executor::executor(c, name)?;
                (e.mode, e.max_users)
            }
            None => {
                super::executor::refuse_executor_fields(c)?;
                (legacy_mode(c)?, None)
            }
        };
        let segment = match (&c.segment, &c.segment_sequence) {
            (Some(segment), sequence) => Some(Arc::new(
                Segment::parse(segment, sequence.as_deref())
                    .map_err(|m| err("config.segment", m))?,
            )),
            (None, Some(_)) => {
                return Err(err(
                    "config.segmentSequence",
                    "applies with config.segment (this engine's part)",
                ))
            }
            (None, None) => None,
        };
        let start_at_ms = c
            .start_at
            .as_deref()
            .map(|at| start_at(at).map_err(|m| err("config.startAt", m)))
            .transpose()?;
        let (mode, max_users) = match &segment {
            Some(s) => (mode.segmented(s), max_users.map(|m| s.share(m).max(1))),
            None => (mode, max_users),
        };
        let users_only = matches!(
            mode,
            Mode::RampingUsers { .. } | Mode::PerUserIterations { .. }
        );
        let specs = match (&self.flow, &self.request, &self.requests) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(err(
                    "flow",
                    "give `flow` or `request` / `requests`, not both",
                ))
            }
            (Some(_), None, None) => Vec::new(),
            (None, Some(_), Some(_)) => {
                return Err(err("requests", "give `request` or `requests`, not both"))
            }
            (None, None, None) => {
                return Err(err(
                    "request",
                    "the run has no request; add `request`, a list `requests` or a `flow`",
                ))
            }
            (None, None, Some(list)) if list.is_empty() => {
                return Err(err("requests", "the list is empty; add a request"))
            }
            (None, None, Some(_)) if users_only => {
                return Err(err(
                    "requests",
                    format!("executor \"{}\" runs a flow: list the requests as `flow` steps (each iteration runs them all in order)", c.executor.as_deref().unwrap_or_default()),
                ))
            }
            _ if users_only => Vec::new(),
            _ => self.request_specs(),
        };
        if self.data.is_some() && self.flow.is_none() {
            return Err(err(
                "data",
                "iteration data is for a `flow`; a request reads variables from `environment`",
            ));
        }
        let variables = match &self.environment {
            None => Variables::default(),
            Some(serde_json::Value::Object(map)) => Variables::with_environment(map.clone()),
            Some(_) => {
                return Err(err(
                    "environment",
                    "must be an object of variables: {\"name\": \"value\"}",
                ))
            }
        };
        let timeout = c.timeout.as_ref().map(|t| {
            duration_from_json(t, 1.0).map_err(|m| {
                err(
                    "config.timeout",
                    format!("{m} (milliseconds, or a string such as \"5s\")"),
                )
            })
        });
        let timeout = timeout.transpose()?;
        let mut requests = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            let field = |e: ValidationError| {
                let base = if self.request.is_some() {
                    "request".to_string()
                } else {
                    format!("requests[{i}]")
                };
                err(
                    &if e.field.is_empty() {
                        base.clone()
                    } else {
                        format!("{base}.{}", e.field)
                    },
                    e.message,
                )
            };
            let (substituted, _) = variables.apply(spec);
            let mut prepared = substituted.prepare().map_err(field)?;
            if let Some(t) = timeout {
                prepared.timeout = (!t.is_zero()).then_some(t);
            }
            requests.push(Arc::new(prepared));
        }

        let max_in_flight = match c.max_in_flight {
            Some(0) => return Err(err("config.maxInFlight", "must be at least 1")),
            Some(n) if !matches!(mode, Mode::Open(_)) => {
                let _ = n;
                return Err(err("config.maxInFlight", "applies to open-model runs (targetRps or ramp_up); closed runs are capped by concurrency"));
            }
            Some(n) => in_flight("config.maxInFlight", n)?
                .min(segment.as_ref().map_or(u64::MAX, |s| s.share(n).max(1))),
            None => max_users.unwrap_or(max_in_flight_default),
        };
        let flow = match (&self.flow, users_only) {
            (Some(flow), _) => Some(flow_plan::flow_steps(flow)?),
            // One request under a users executor: a one-step flow.
            (None, true) => {
                let request = self
                    .request
                    .clone()
                    .ok_or_else(|| err("request", "the run has no request"))?;
                let name = request.name.clone().unwrap_or_else(|| "request".into());
                Some((
                    vec![flow_plan::request_step(request, name, Duration::ZERO)],
                    Default::default(),
                ))
            }
            (None, false) => None,
        };
        let (variables, flow) = match flow {
            Some((steps, collection_variables)) => {
                let names = flow_plan::step_names(&steps);
                let options = FlowOptions {
                    // What scripts see as `pm.info.iterationCount`; 0 for a duration.
                    iterations: mode.planned().unwrap_or(0),
                    request_timeout: timeout,
                    ..FlowOptions::default()
                };
                let plan = FlowPlan {
                    steps: Arc::new(steps),
                    names,
                    options: Arc::new(options),
                    data: flow_plan::data_rows(self.data.as_ref())?,
                };
                (
                    flow_plan::with_collection_variables(variables, collection_variables),
                    Some(Arc::new(plan)),
                )
            }
            None => (variables, None),
        };
        let graceful_stop = c
            .graceful_stop
            .as_ref()
            .map(|g| seconds("config.gracefulStop", g))
            .transpose()?
            .unwrap_or(DEFAULT_GRACEFUL_STOP);
        let send_window = send_window(c.send_window.as_ref(), &mode)?;
        let thresholds = c
            .thresholds
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Threshold::parse(t, flow.as_deref().map(|f| f.names.as_slice()))
                    .map_err(|m| err(&format!("config.thresholds[{i}]"), m))
            })
            .collect::<Result<_, _>>()?;
        let tests: Vec<Option<ResponseTest>> = specs
            .iter()
            .map(|spec| ResponseTest::of(spec, &variables))
            .collect();
        let tests = tests.iter().any(Option::is_some).then(|| Arc::new(tests));
        let pre_requests: Vec<Option<PreRequest>> = specs
            .iter()
            .map(|spec| {
                PreRequest::of(spec).map(|p| match timeout {
                    Some(t) => p.with_timeout((!t.is_zero()).then_some(t)),
                    None => p,
                })
            })
            .collect();
        let pre_requests = pre_requests
            .iter()
            .any(Option::is_some)
            .then(|| Arc::new(pre_requests));
        let record = record_policy(c.record.as_ref())?;
        Ok(LoadPlan {
            record,
            mode,
            requests,
            max_in_flight,
            graceful_stop,
            send_window,
            segment,
            start_at_ms,
            thresholds,
            tests,
            pre_requests,
            variables,
            script_run: new_run(),
            flow,
        })
    }
}

/// An open-model ramp: from `start` per second, moving linearly to each stage's rate over the
/// stage (k6's ramping arrival rate). `empty`: what to say when it would send nothing.
pub(super) fn ramp(
    start: f64,
    stages: Vec<(Duration, f64)>,
    empty: &str,
) -> Result<Mode, ValidationError> {
    let mut from = start;
    let stages = stages
        .into_iter()
        .map(|(duration, to)| {
            let stage = Stage {
                duration,
                from_rps: from,
                to_rps: to,
            };
            from = to;
            stage
        })
        .collect();
    let schedule = Schedule::new(stages);
    if schedule.expected() == 0 {
        return Err(err("config.stages", empty));
    }
    Ok(Mode::Open(schedule))
}

/// `config.stages` as (duration, target) pairs. Mode "ramp_up" writes targets as `targetRps`
/// (`rps`), an executor as `target`; the other field is refused. `who` names the one asking.
pub(super) fn stage_targets(
    c: &LoadConfigSpec,
    who: &str,
    rps: bool,
) -> Result<Vec<(Duration, f64)>, ValidationError> {
    let (key, other) = if rps {
        ("targetRps", "target")
    } else {
        ("target", "targetRps")
    };
    let specs = c
        .stages
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            err(
                "config.stages",
                format!("{who} needs stages: [{{\"duration\": \"30s\", \"{key}\": 100}}, ...]"),
            )
        })?;
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let duration = positive_duration(
                &format!("config.stages[{i}].duration"),
                Some(&s.duration),
                who,
            )?;
            let (wanted, refused) = if rps {
                (s.target_rps, s.target)
            } else {
                (s.target, s.target_rps)
            };
            if refused.is_some() {
                return Err(err(
                    &format!("config.stages[{i}].{other}"),
                    format!("{who}'s stages have `{key}`"),
                ));
            }
            let target = wanted.ok_or_else(|| {
                err(
                    &format!("config.stages[{i}].{key}"),
                    format!("each stage needs `{key}`"),
                )
            })?;
            Ok((duration, target))
        })
        .collect()
}

/// The pacing of a run file that uses `mode` (no `executor`).
fn legacy_mode(c: &LoadConfigSpec) -> Result<Mode, ValidationError> {
    let mode_name = c.mode.as_deref().unwrap_or("constant");
    let forbid = |present: bool, field: &str, why: &str| {
        if present {
            Err(err(field, why.to_string()))
        } else {
            Ok(())
        }
    };
    forbid(
        c.stages.is_some() && mode_name != "ramp_up",
        "config.stages",
        "stages belong to mode \"ramp_up\"",
    )?;
    let mode = match mode_name {
        "constant" => {
            let duration = positive_duration("config.duration", c.duration.as_ref(), mode_name)?;
            forbid(
                c.iterations.is_some(),
                "config.iterations",
                "\"constant\" runs for a duration; use mode \"iterations\" for a count",
            )?;
            match (c.target_rps, c.concurrency) {
                    (Some(_), Some(_)) => return Err(err(
                        "config.concurrency",
                        "give targetRps (open model) or concurrency (closed model), not both; cap an open-model run's in-flight requests with maxInFlight",
                    )),
                    (Some(r), None) => {
                        if rate("config.targetRps", r)? == 0.0 {
                            return Err(err("config.targetRps", "must be above 0"));
                        }
                        Mode::Open(Schedule::constant(r, duration))
                    }
                    (None, Some(0)) => return Err(err("config.concurrency", "must be at least 1")),
                    (None, Some(n)) => Mode::Closed {
                        concurrency: in_flight("config.concurrency", n)?,
                        duration,
                    },
                    (None, None) => return Err(err("config.targetRps", "mode \"constant\" needs targetRps (open model) or concurrency (closed model)")),
                }
        }
        "iterations" => {
            forbid(
                c.target_rps.is_some(),
                "config.targetRps",
                "mode \"iterations\" is paced by concurrency; remove targetRps",
            )?;
            let iterations = match c.iterations {
                Some(0) | None => {
                    return Err(err(
                        "config.iterations",
                        "mode \"iterations\" needs iterations ≥ 1",
                    ))
                }
                Some(n) => iterations("config.iterations", n)?,
            };
            let concurrency = in_flight("config.concurrency", c.concurrency.unwrap_or(1))?;
            if concurrency == 0 {
                return Err(err("config.concurrency", "must be at least 1"));
            }
            let limit = c
                .duration
                .as_ref()
                .map(|d| positive_duration("config.duration", Some(d), mode_name))
                .transpose()?;
            Mode::Iterations {
                iterations,
                concurrency,
                limit,
            }
        }
        "ramp_up" => {
            forbid(
                c.duration.is_some(),
                "config.duration",
                "a ramp lasts as long as its stages; remove duration",
            )?;
            forbid(
                c.target_rps.is_some(),
                "config.targetRps",
                "a ramp's rates are in its stages; remove targetRps",
            )?;
            forbid(
                c.concurrency.is_some(),
                "config.concurrency",
                "a ramp is an open model; cap it with maxInFlight",
            )?;
            forbid(
                c.iterations.is_some(),
                "config.iterations",
                "a ramp runs for its stages; remove iterations",
            )?;
            let from = rate("config.startRps", c.start_rps.unwrap_or(0.0))?;
            let stages = stage_targets(c, "mode \"ramp_up\"", true)?
                .into_iter()
                .enumerate()
                .map(|(i, (duration, target))| {
                    rate(&format!("config.stages[{i}].targetRps"), target).map(|r| (duration, r))
                })
                .collect::<Result<_, _>>()?;
            ramp(
                from,
                stages,
                "these stages send no request; raise a targetRps",
            )?
        }
        other => {
            return Err(err(
                "config.mode",
                format!("`{other}` is not a mode; use \"constant\", \"iterations\" or \"ramp_up\""),
            ))
        }
    };
    if c.start_rps.is_some() && mode_name != "ramp_up" {
        return Err(err(
            "config.startRps",
            "startRps belongs to mode \"ramp_up\"",
        ));
    }
    Ok(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(config: serde_json::Value) -> Result<LoadPlan, ValidationError> {
        let spec = serde_json::json!({"request": {"url": "http://127.0.0.1:1/"}, "config": config});
        RunSpec::from_json(&spec.to_string())?.prepare(1000)
    }

    fn field(config: serde_json::Value) -> String {
        plan(config).unwrap_err().field
    }

    #[test]
    fn modes() {
        let p = plan(serde_json::json!({"duration": "3s", "targetRps": 200})).unwrap();
        assert_eq!((p.requests_expected(), p.mode_name()), (Some(600), "open"));
        assert_eq!(p.target_rps(), Some(200.0));
        let p = plan(serde_json::json!({"duration": 10, "concurrency": 8})).unwrap();
        assert_eq!(
            p.mode,
            Mode::Closed {
                concurrency: 8,
                duration: Duration::from_secs(10)
            }
        );
        assert_eq!(p.requests_expected(), None);
        let p =
            plan(serde_json::json!({"mode": "iterations", "iterations": 500, "concurrency": 4}))
                .unwrap();
        assert_eq!(p.requests_expected(), Some(500));
        let p = plan(serde_json::json!({"mode": "ramp_up", "startRps": 10, "stages": [{"duration": "2s", "targetRps": 30}]})).unwrap();
        assert_eq!(p.requests_expected(), Some(40));
        assert_eq!(p.graceful_stop, DEFAULT_GRACEFUL_STOP);
        assert_eq!(p.max_in_flight, 1000);
    }

    #[test]
    fn contradictions_are_refused_naming_the_field() {
        assert_eq!(
            field(serde_json::json!({"duration": "3s"})),
            "config.targetRps"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "3s", "targetRps": 10, "concurrency": 2})),
            "config.concurrency"
        );
        assert_eq!(
            field(serde_json::json!({"targetRps": 10})),
            "config.duration"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "-3s", "targetRps": 10})),
            "config.duration"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "3s", "targetRps": -1})),
            "config.targetRps"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "iterations"})),
            "config.iterations"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "iterations", "iterations": 5, "targetRps": 3})),
            "config.targetRps"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "ramp_up", "duration": "3s", "stages": []})),
            "config.duration"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "ramp_up"})),
            "config.stages"
        );
        assert_eq!(
            field(
                serde_json::json!({"mode": "ramp_up", "stages": [{"duration": "1s", "targetRps": 0}]})
            ),
            "config.stages"
        );
        assert_eq!(
            field(
                serde_json::json!({"mode": "ramp_up", "stages": [{"duration": "0s", "targetRps": 5}]})
            ),
            "config.stages[0].duration"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "sometimes", "duration": "1s"})),
            "config.mode"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "1s", "concurrency": 2, "maxInFlight": 5})),
            "config.maxInFlight"
        );
        assert_eq!(
            field(
                serde_json::json!({"duration": "1s", "targetRps": 5, "thresholds": ["p95<1s", "p95"]})
            ),
            "config.thresholds[1]"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "1s", "targetRps": 5, "startRps": 1})),
            "config.startRps"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "1s", "targetRps": 5, "rate": 1})),
            "config.rate"
        );
    }

    #[test]
    fn requests_are_checked_and_the_timeout_applies_to_all() {
        let spec = serde_json::json!({"requests": [{"url": "http://127.0.0.1:1/"}, {"url": "nope"}], "config": {"duration": 1, "targetRps": 1}});
        let e = RunSpec::from_json(&spec.to_string())
            .unwrap()
            .prepare(10)
            .unwrap_err();
        assert_eq!(e.field, "requests[1].url");
        let spec = serde_json::json!({"requests": [{"url": "http://127.0.0.1:1/", "timeout": 100}], "config": {"duration": 1, "targetRps": 1, "timeout": "2s"}});
        let p = RunSpec::from_json(&spec.to_string())
            .unwrap()
            .prepare(10)
            .unwrap();
        assert_eq!(p.requests[0].timeout, Some(Duration::from_secs(2)));
        let spec = serde_json::json!({"config": {"duration": 1, "targetRps": 1}});
        assert_eq!(
            RunSpec::from_json(&spec.to_string())
                .unwrap()
                .prepare(10)
                .unwrap_err()
                .field,
            "request"
        );
    }
}
