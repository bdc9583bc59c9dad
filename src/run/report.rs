//! The final report of a run: what was asked, what happened, and whether thresholds held.

use super::config::LoadPlan;
use super::stats::RunStats;
use super::threshold::{Measured, ThresholdResult};
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
    pub thresholds: Vec<ThresholdResult>,
    pub thresholds_ok: bool,
    /// Test script results per test name, when the run's requests have test scripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestTally>,
    /// What was recorded in the database (`config.record`), when the run had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<crate::store::RecordCounts>,
}

impl FinalReport {
    pub fn build(
        run_id: &str,
        status: RunStatus,
        error: Option<String>,
        plan: &LoadPlan,
        stats: &RunStats,
        elapsed: Duration,
    ) -> FinalReport {
        let t = &stats.transfers;
        let open = plan.target_rps().is_some();
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
        let measured = Measured {
            latency_quantile_us: {
                let h = primary.clone();
                Box::new(move |q| h.value_at_quantile(q) as f64)
            },
            latency_avg_us: primary.mean(),
            latency_min_us: primary.min() as f64,
            latency_max_us: primary.max() as f64,
            error_rate: stats.error_rate(),
            rps: achieved_rps,
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
        let thresholds: Vec<ThresholdResult> = plan
            .thresholds
            .iter()
            .map(|th| th.check(&measured))
            .collect();
        FinalReport {
            run_id: run_id.to_string(),
            status,
            mode: plan.mode_name().to_string(),
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
            thresholds_ok: thresholds.iter().all(|r| r.ok),
            thresholds,
            tests: (plan.tests.is_some() || plan.pre_requests.is_some())
                .then(|| stats.tests.clone()),
            recording: None,
        }
    }
}

fn serialize(h: &Histogram<u64>) -> String {
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
