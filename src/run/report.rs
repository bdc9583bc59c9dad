//! The final report of a run: what was asked, what happened, and whether thresholds held.

use super::plan::{FlowPlan, LoadPlan};
use super::stats::{FlowStats, RunStats};
use super::threshold::{Measured, Scope, ThresholdResult};
use crate::engine::{ErrorCount, Percentiles};
use crate::script::TestTally;
use crate::store::RunStatus;
use base64::Engine as _;
use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyReport {
    /// Open model only: from each request's intended send time (coordinated-omission corrected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected: Option<Percentiles>,
    /// From the actual send to the last response byte (libcurl's total time).
    pub service: Percentiles,
}

/// Average phase durations over responses, µs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseAverages {
    pub dns: f64,
    pub connect: f64,
    pub tls: f64,
    pub first_byte: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FinalReport {
    pub run_id: String,
    pub status: RunStatus,
    /// "open", "closed" or "iterations".
    pub mode: String,
    /// The k6 executor the run's pacing is (e.g. "constant-arrival-rate").
    #[serde(default)]
    pub executor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_secs: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_expected: Option<u64>,
    pub requests_sent: u64,
    pub completed: u64,
    /// Responses with a status below 400.
    pub ok: u64,
    /// Transport errors (aborted included) and responses with a status of 400 or more.
    pub failed: u64,
    pub dropped: u64,
    pub aborted: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_rps: Option<f64>,
    /// Completed requests per second of the run's duration.
    pub achieved_rps: f64,
    pub error_rate: f64,
    pub latency_us: LatencyReport,
    pub status_codes: BTreeMap<u16, u64>,
    pub errors: Vec<ErrorCount>,
    pub timing_avg_us: PhaseAverages,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// The primary latency histogram (corrected for open-model runs, service time otherwise),
    /// HdrHistogram V2 + deflate, base64: reports of several engines merge exactly.
    pub histogram: String,
    /// Open-model runs: the service-time histogram, as `histogram`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_histogram: Option<String>,
    /// The part of a plan split over engines this run was (`config.segment`), "from:to".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    pub thresholds: Vec<ThresholdResult>,
    pub thresholds_ok: bool,
    /// Test script results per test name, when the run's requests have test scripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestTally>,
    /// What was recorded in the database (`config.record`), when the run had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<crate::store::RecordCounts>,
    /// Database writes failed while the run went (a full disk, a read-only file): what was
    /// recorded of it is incomplete. The run itself went on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_failed: Option<String>,
    /// How many of the run's results rows the database did not take (a full disk).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub results_not_recorded: u64,
    /// How many of the run's metrics rows the database did not take.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub metrics_not_recorded: u64,
    /// Flow runs: iterations and each step's numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<FlowReport>,
}

/// A flow run's iterations and steps. For flows `requestsExpected` and `dropped` count
/// iterations; the run's request counts hold every step's requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowReport {
    /// Iterations that ran to their end.
    pub iterations: u64,
    /// Arrival-rate executors: iterations due that found no free user.
    pub dropped_iterations: u64,
    /// Iterations the executor plans, when it counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations_expected: Option<u64>,
    /// From each iteration's intended start to its end.
    pub iteration_duration_us: Percentiles,
    /// The iteration durations' histogram, as the run's `histogram`.
    #[serde(default)]
    pub iteration_histogram: String,
    /// Virtual users created over the run.
    pub users: u64,
    /// Iteration data rows; past the last, iterations start again from the first.
    pub data_rows: usize,
    /// More iterations ran than there are data rows, so rows were read again.
    pub data_wrapped: bool,
    pub steps: Vec<StepReport>,
}

/// One step's requests over the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    pub name: String,
    pub requests_sent: u64,
    pub completed: u64,
    pub ok: u64,
    pub failed: u64,
    pub error_rate: f64,
    /// Corrected from when the step was due (arrival-rate executors), and service time.
    pub latency_us: LatencyReport,
    pub status_codes: BTreeMap<u16, u64>,
    pub errors: Vec<ErrorCount>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// The step's scripts' assertions per test name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestTally>,
    /// The step's primary latency histogram, as the run's `histogram`.
    pub histogram: String,
    /// Open-model runs: the step's service-time histogram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_histogram: Option<String>,
}

impl FinalReport {
    // Kept whole: most of it is the report's struct literal, a field per line.
    pub fn build(
        run_id: &str,
        status: RunStatus,
        error: Option<String>,
        plan: &LoadPlan,
        stats: &RunStats,
        elapsed: Duration,
    ) -> FinalReport {
        let t = &stats.transfers;
        let open = plan.is_open();
        let primary = if open {
            &stats.corrected_us
        } else {
            &t.latency_us
        };
        let secs = elapsed.as_secs_f64();
        let achieved_rps = if secs > 0.0 {
            stats.completed() as f64 / secs
        } else {
            0.0
        };
        let responses = t.responses().max(1) as f64;
        let [dns, connect, tls, first_byte] = t.phase_sums_us.map(|sum| sum as f64 / responses);
        let thresholds = check_thresholds(plan, stats, secs);
        FinalReport {
            run_id: run_id.to_string(),
            status,
            mode: plan.mode_name().to_string(),
            executor: plan.executor_name().to_string(),
            error,
            duration_secs: secs,
            requests_expected: plan.requests_expected(),
            requests_sent: stats.sent,
            completed: stats.completed(),
            ok: t.ok,
            failed: t.failed(),
            dropped: stats.dropped,
            aborted: stats.aborted(),
            target_rps: plan.target_rps(),
            achieved_rps,
            error_rate: stats.error_rate(),
            latency_us: LatencyReport {
                corrected: open.then(|| Percentiles::of(&stats.corrected_us)),
                service: Percentiles::of(&t.latency_us),
            },
            status_codes: t.status_counts(),
            errors: t.errors(),
            timing_avg_us: PhaseAverages {
                dns,
                connect,
                tls,
                first_byte,
            },
            bytes_sent: t.wire_bytes_sent,
            bytes_received: t.wire_bytes_received,
            histogram: serialize(primary),
            service_histogram: open.then(|| serialize(&t.latency_us)),
            segment: plan.segment.as_ref().map(|s| s.to_string()),
            thresholds_ok: thresholds.iter().all(|r| r.ok),
            thresholds,
            tests: (plan.tests.is_some() || plan.pre_requests.is_some() || has_scripts(plan))
                .then(|| stats.tests.clone()),
            recording: None,
            recording_failed: None,
            results_not_recorded: 0,
            metrics_not_recorded: 0,
            flow: plan
                .flow
                .as_ref()
                .map(|flow| flow_report(plan, flow, stats, open)),
        }
    }
}

/// Each threshold against what it is about: the whole run, one step of the flow, or whole
/// iterations.
fn check_thresholds(plan: &LoadPlan, stats: &RunStats, secs: f64) -> Vec<ThresholdResult> {
    let open = plan.is_open();
    let run_measured = measured(stats, open, secs);
    let flow_stats = stats.flow.as_deref();
    let empty = RunStats::default();
    plan.thresholds
        .iter()
        .map(|th| match th.scope {
            Scope::Run => th.check(&run_measured),
            Scope::Step(i) => {
                let step = flow_stats.and_then(|f| f.steps.get(&i)).unwrap_or(&empty);
                th.check(&measured(step, open, secs))
            }
            Scope::Iteration => {
                let mut whole = measured(&empty, false, secs);
                if let Some(f) = flow_stats {
                    latency_of(&mut whole, &f.iteration_us);
                }
                th.check(&whole)
            }
        })
        .collect()
}

fn has_scripts(plan: &LoadPlan) -> bool {
    plan.flow.as_ref().is_some_and(|f| {
        f.steps
            .iter()
            .any(|s| !s.pre_request.is_empty() || !s.test.is_empty())
    })
}

/// What thresholds compare, from a run's (or a step's) numbers.
fn measured(stats: &RunStats, open: bool, secs: f64) -> Measured {
    let primary = if open {
        &stats.corrected_us
    } else {
        &stats.transfers.latency_us
    };
    let mut m = Measured {
        latency_quantile_us: Box::new(|_| 0.0),
        latency_avg_us: 0.0,
        latency_min_us: 0.0,
        latency_max_us: 0.0,
        latency_count: 0,
        error_rate: stats.error_rate(),
        rps: if secs > 0.0 {
            stats.completed() as f64 / secs
        } else {
            0.0
        },
        checks_rate: {
            let (passed, failed) = (stats.tests.passed(), stats.tests.failed());
            if passed + failed == 0 {
                1.0
            } else {
                passed as f64 / (passed + failed) as f64
            }
        },
        dropped: stats.dropped,
    };
    latency_of(&mut m, primary);
    m
}

fn latency_of(m: &mut Measured, h: &Histogram<u64>) {
    let owned = h.clone();
    m.latency_quantile_us = Box::new(move |q| owned.value_at_quantile(q) as f64);
    m.latency_avg_us = h.mean();
    m.latency_min_us = h.min() as f64;
    m.latency_max_us = h.max() as f64;
    m.latency_count = h.len();
}

fn flow_report(plan: &LoadPlan, flow: &FlowPlan, stats: &RunStats, open: bool) -> FlowReport {
    let empty = FlowStats::default();
    let f = stats.flow.as_deref().unwrap_or(&empty);
    let no_step = RunStats::default();
    let steps = flow
        .names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let s = f.steps.get(&i).unwrap_or(&no_step);
            let t = &s.transfers;
            let has_scripts =
                !flow.steps[i].pre_request.is_empty() || !flow.steps[i].test.is_empty();
            StepReport {
                name: name.clone(),
                requests_sent: s.sent,
                completed: s.completed(),
                ok: t.ok,
                failed: t.failed(),
                error_rate: s.error_rate(),
                latency_us: LatencyReport {
                    corrected: open.then(|| Percentiles::of(&s.corrected_us)),
                    service: Percentiles::of(&t.latency_us),
                },
                status_codes: t.status_counts(),
                errors: t.errors(),
                bytes_sent: t.wire_bytes_sent,
                bytes_received: t.wire_bytes_received,
                tests: has_scripts.then(|| s.tests.clone()),
                histogram: serialize(if open { &s.corrected_us } else { &t.latency_us }),
                service_histogram: open.then(|| serialize(&t.latency_us)),
            }
        })
        .collect();
    FlowReport {
        iterations: f.iterations,
        dropped_iterations: stats.dropped,
        iterations_expected: plan.iterations_expected(),
        iteration_duration_us: Percentiles::of(&f.iteration_us),
        iteration_histogram: serialize(&f.iteration_us),
        users: f.users,
        data_rows: flow.data.len(),
        data_wrapped: !flow.data.is_empty() && f.started > flow.data.len() as u64,
        steps,
    }
}

pub(super) fn serialize(h: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    match V2DeflateSerializer::new().serialize(h, &mut bytes) {
        Ok(_) => base64::engine::general_purpose::STANDARD.encode(bytes),
        Err(_) => String::new(),
    }
}

/// Reads a report's `histogram` back, for merging reports of several engines.
pub fn deserialize_histogram(text: &str) -> Option<Histogram<u64>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    hdrhistogram::serialization::Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .ok()
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What is known of a run that ended without its final report (the engine was killed): built
/// from the metrics it recorded once a second, so it is as of its last recorded second.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartialReport {
    pub run_id: String,
    pub status: RunStatus,
    pub error: Option<String>,
    /// Always true: the numbers end at the last second the run recorded.
    pub partial: bool,
    /// Seconds from the first recorded second to the last.
    pub recorded_secs: f64,
    pub requests_sent: u64,
    pub completed: u64,
    pub dropped: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_expected: Option<u64>,
    /// Each recorded second's metrics, as the HTML report charts them (`ui::series`): `t` (ms
    /// since the epoch), `rps`, `latency_p50` (ms), `error_rate` (%), ...
    pub seconds: Vec<serde_json::Map<String, serde_json::Value>>,
}

impl PartialReport {
    /// From the run's recorded seconds, oldest first; `None` when it recorded none.
    pub fn from_seconds(
        run_id: &str,
        status: RunStatus,
        error: Option<String>,
        seconds: Vec<serde_json::Map<String, serde_json::Value>>,
    ) -> Option<PartialReport> {
        let time = |p: &serde_json::Map<String, serde_json::Value>| p["t"].as_i64().unwrap_or(0);
        let (first, last) = (time(seconds.first()?), seconds.last()?);
        let count = |name: &str| last.get(name).and_then(|v| v.as_f64()).map(|v| v as u64);
        Some(PartialReport {
            run_id: run_id.to_string(),
            status,
            error,
            partial: true,
            recorded_secs: (time(last) - first) as f64 / 1000.0,
            requests_sent: count("requests_sent").unwrap_or(0),
            completed: count("total_requests").unwrap_or(0),
            dropped: count("dropped").unwrap_or(0),
            requests_expected: count("requests_expected"),
            seconds,
        })
    }
}
