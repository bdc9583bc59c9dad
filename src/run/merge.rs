//! One report from the reports of several engines that ran parts of one plan (`vayu-cli report
//! merge`). Counts add up; percentiles come from the merged histograms, never from averaging
//! percentiles; thresholds are checked on the merged numbers. Reports of segments that do not
//! cover the whole plan make a `partial` report that names what is missing.

use super::report::{
    deserialize_histogram, serialize, FinalReport, FlowReport, LatencyReport, PhaseAverages,
    StepReport,
};
use super::segment::missing_parts;
use super::threshold::{Measured, Scope, Threshold, ThresholdResult};
use crate::engine::{ErrorCount, Percentiles};
use crate::script::TestTally;
use crate::store::RunStatus;
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

/// A merged report: the run-level report, and what was missing from the plan.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergedReport {
    #[serde(flatten)]
    pub report: FinalReport,
    /// The reports' run ids, in the order given.
    pub merged_runs: Vec<String>,
    /// Some part of the plan has no report (an engine failed or was not given).
    pub partial: bool,
    /// The parts of the plan no report covers, "from:to".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_segments: Vec<String>,
}

// Kept whole: most of it is the merged report's struct literal, a field per line.
pub fn merge(reports: &[FinalReport], thresholds: &[String]) -> Result<MergedReport, String> {
    let first = reports.first().ok_or("give at least one report to merge")?;
    if let Some(other) = reports
        .iter()
        .find(|r| r.mode != first.mode || r.executor != first.executor)
    {
        return Err(format!(
            "run {} ({} model, {}) and run {} ({} model, {}) are not parts of one plan",
            first.run_id, first.mode, first.executor, other.run_id, other.mode, other.executor
        ));
    }
    let open = first.latency_us.corrected.is_some();
    let (primary, service) = merged_histograms(reports, open)?;
    let sum = |f: fn(&FinalReport) -> u64| reports.iter().map(f).sum::<u64>();
    let (completed, failed) = (sum(|r| r.completed), sum(|r| r.failed));
    let duration_secs = reports.iter().map(|r| r.duration_secs).fold(0.0, f64::max);
    let achieved_rps = if duration_secs > 0.0 {
        completed as f64 / duration_secs
    } else {
        0.0
    };
    let error_rate = if completed > 0 {
        failed as f64 / completed as f64
    } else {
        0.0
    };
    let tests = merge_tests(reports.iter().filter_map(|r| r.tests.as_ref()));
    let flow = merge_flows(reports)?;
    let segments: Vec<String> = reports.iter().filter_map(|r| r.segment.clone()).collect();
    let missing_segments = if segments.is_empty() {
        Vec::new()
    } else {
        missing_parts(&segments)?
    };

    let mut merged = FinalReport {
        run_id: reports
            .iter()
            .map(|r| r.run_id.as_str())
            .collect::<Vec<_>>()
            .join("+"),
        status: worst_status(reports),
        mode: first.mode.clone(),
        executor: first.executor.clone(),
        error: joined_errors(reports),
        duration_secs,
        requests_expected: reports
            .iter()
            .map(|r| r.requests_expected)
            .sum::<Option<u64>>(),
        requests_sent: sum(|r| r.requests_sent),
        completed,
        ok: sum(|r| r.ok),
        failed,
        dropped: sum(|r| r.dropped),
        aborted: sum(|r| r.aborted),
        target_rps: reports.iter().map(|r| r.target_rps).sum::<Option<f64>>(),
        achieved_rps,
        error_rate,
        latency_us: LatencyReport {
            corrected: open.then(|| Percentiles::of(&primary)),
            service: Percentiles::of(if open { &service } else { &primary }),
        },
        status_codes: add_maps(reports.iter().map(|r| &r.status_codes)),
        errors: merge_errors(reports.iter().flat_map(|r| &r.errors)),
        timing_avg_us: weighted_timings(reports),
        bytes_sent: sum(|r| r.bytes_sent),
        bytes_received: sum(|r| r.bytes_received),
        histogram: serialize(&primary),
        service_histogram: open.then(|| serialize(&service)),
        segment: None,
        thresholds: Vec::new(),
        thresholds_ok: true,
        tests,
        recording: None,
        recording_failed: None,
        results_not_recorded: 0,
        metrics_not_recorded: 0,
        flow,
    };
    merged.thresholds = check_thresholds(&merged, &threshold_list(reports, thresholds), &primary)?;
    merged.thresholds_ok = merged.thresholds.iter().all(|t| t.ok);
    Ok(MergedReport {
        merged_runs: reports.iter().map(|r| r.run_id.clone()).collect(),
        partial: !missing_segments.is_empty(),
        missing_segments,
        report: merged,
    })
}

/// The parts' latency histograms added up: the primary one (corrected latency in an open model,
/// else service latency) and, in an open model, the service one.
fn merged_histograms(
    reports: &[FinalReport],
    open: bool,
) -> Result<(Histogram<u64>, Histogram<u64>), String> {
    let histogram = |r: &FinalReport, text: &str, what: &str| {
        deserialize_histogram(text)
            .ok_or_else(|| format!("run {}'s {what} histogram cannot be read", r.run_id))
    };
    let mut primary = Histogram::<u64>::new(3).expect("3 significant digits are valid");
    let mut service = primary.clone();
    for r in reports {
        add(&mut primary, &histogram(r, &r.histogram, "latency")?)?;
        if open {
            let text = r.service_histogram.as_deref().ok_or_else(|| {
                format!(
                    "run {} has no service histogram (made by an older Vayu)",
                    r.run_id
                )
            })?;
            add(&mut service, &histogram(r, text, "service")?)?;
        }
    }
    Ok((primary, service))
}

/// The worst of the parts' statuses: failed, then stopped, then completed.
fn worst_status(reports: &[FinalReport]) -> RunStatus {
    reports
        .iter()
        .map(|r| r.status)
        .max_by_key(|s| match s {
            RunStatus::Failed => 3,
            RunStatus::Stopped => 2,
            _ => 1,
        })
        .unwrap_or(RunStatus::Completed)
}

/// Every part's error, named by its run.
fn joined_errors(reports: &[FinalReport]) -> Option<String> {
    let errors: Vec<String> = reports
        .iter()
        .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.run_id)))
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}

/// The reports' own thresholds, then the ones given, each once.
fn threshold_list(reports: &[FinalReport], given: &[String]) -> Vec<String> {
    let mut exprs: Vec<String> = Vec::new();
    for e in reports
        .iter()
        .flat_map(|r| r.thresholds.iter().map(|t| t.threshold.clone()))
        .chain(given.iter().cloned())
    {
        if !exprs.contains(&e) {
            exprs.push(e);
        }
    }
    exprs
}

fn add(into: &mut Histogram<u64>, from: &Histogram<u64>) -> Result<(), String> {
    into.add(from)
        .map_err(|e| format!("histograms cannot be merged: {e:?}"))
}

fn add_maps<'a, K: Ord + Clone + 'a>(
    maps: impl Iterator<Item = &'a BTreeMap<K, u64>>,
) -> BTreeMap<K, u64> {
    let mut out = BTreeMap::new();
    for map in maps {
        for (k, n) in map {
            *out.entry(k.clone()).or_insert(0) += n;
        }
    }
    out
}

fn merge_errors<'a>(errors: impl Iterator<Item = &'a ErrorCount>) -> Vec<ErrorCount> {
    let mut out: Vec<ErrorCount> = Vec::new();
    for e in errors {
        match out.iter_mut().find(|o| o.category == e.category) {
            Some(o) => o.count += e.count,
            None => out.push(e.clone()),
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.count));
    out
}

fn merge_tests<'a>(tallies: impl Iterator<Item = &'a TestTally>) -> Option<TestTally> {
    tallies.fold(None, |out: Option<TestTally>, t| {
        let mut out = out.unwrap_or_default();
        out.merge(t);
        Some(out)
    })
}

/// Phase averages weighted by each report's completed requests.
fn weighted_timings(reports: &[FinalReport]) -> PhaseAverages {
    let total = reports.iter().map(|r| r.completed).sum::<u64>().max(1) as f64;
    let avg = |f: fn(&PhaseAverages) -> f64| {
        reports
            .iter()
            .map(|r| f(&r.timing_avg_us) * r.completed as f64)
            .sum::<f64>()
            / total
    };
    PhaseAverages {
        dns: avg(|t| t.dns),
        connect: avg(|t| t.connect),
        tls: avg(|t| t.tls),
        first_byte: avg(|t| t.first_byte),
    }
}

/// Flows: iterations add up; each step (by name, in the first report's order) merges exactly.
fn merge_flows(reports: &[FinalReport]) -> Result<Option<FlowReport>, String> {
    let flows: Vec<&FlowReport> = reports.iter().filter_map(|r| r.flow.as_ref()).collect();
    let Some(first) = flows.first() else {
        return Ok(None);
    };
    if flows.len() != reports.len() {
        return Err("some reports are of a flow and some are not: not parts of one plan".into());
    }
    let mut iterations = Histogram::<u64>::new(3).expect("valid");
    for f in &flows {
        if let Some(h) = deserialize_histogram(&f.iteration_histogram) {
            add(&mut iterations, &h)?;
        }
    }
    let steps = first
        .steps
        .iter()
        .map(|step| {
            let parts: Vec<&StepReport> = flows
                .iter()
                .filter_map(|f| f.steps.iter().find(|s| s.name == step.name))
                .collect();
            merge_step(&parts)
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Some(FlowReport {
        iterations: flows.iter().map(|f| f.iterations).sum(),
        dropped_iterations: flows.iter().map(|f| f.dropped_iterations).sum(),
        iterations_expected: flows.iter().map(|f| f.iterations_expected).sum(),
        iteration_duration_us: Percentiles::of(&iterations),
        iteration_histogram: serialize(&iterations),
        users: flows.iter().map(|f| f.users).sum(),
        data_rows: first.data_rows,
        data_wrapped: flows.iter().any(|f| f.data_wrapped),
        steps,
    }))
}

fn merge_step(parts: &[&StepReport]) -> Result<StepReport, String> {
    let first = parts[0];
    let open = first.latency_us.corrected.is_some();
    let read = |text: &str, p: &StepReport| {
        deserialize_histogram(text)
            .ok_or_else(|| format!("step `{}`'s histogram cannot be read", p.name))
    };
    let mut primary = Histogram::<u64>::new(3).expect("valid");
    let mut service = primary.clone();
    for p in parts {
        add(&mut primary, &read(&p.histogram, p)?)?;
        if open {
            let text = p.service_histogram.as_deref().ok_or_else(|| {
                format!(
                    "step `{}` has no service histogram (made by an older Vayu)",
                    p.name
                )
            })?;
            add(&mut service, &read(text, p)?)?;
        }
    }
    let sum = |f: fn(&StepReport) -> u64| parts.iter().map(|p| f(p)).sum::<u64>();
    let (completed, failed) = (sum(|s| s.completed), sum(|s| s.failed));
    Ok(StepReport {
        name: first.name.clone(),
        requests_sent: sum(|s| s.requests_sent),
        completed,
        ok: sum(|s| s.ok),
        failed,
        error_rate: if completed > 0 {
            failed as f64 / completed as f64
        } else {
            0.0
        },
        latency_us: LatencyReport {
            corrected: open.then(|| Percentiles::of(&primary)),
            service: Percentiles::of(if open { &service } else { &primary }),
        },
        status_codes: add_maps(parts.iter().map(|p| &p.status_codes)),
        errors: merge_errors(parts.iter().flat_map(|p| &p.errors)),
        bytes_sent: sum(|s| s.bytes_sent),
        bytes_received: sum(|s| s.bytes_received),
        tests: merge_tests(parts.iter().filter_map(|p| p.tests.as_ref())),
        histogram: serialize(&primary),
        service_histogram: open.then(|| serialize(&service)),
    })
}

fn check_thresholds(
    merged: &FinalReport,
    exprs: &[String],
    primary: &Histogram<u64>,
) -> Result<Vec<ThresholdResult>, String> {
    let steps: Option<Vec<String>> = merged
        .flow
        .as_ref()
        .map(|f| f.steps.iter().map(|s| s.name.clone()).collect());
    let measured = |h: Histogram<u64>, error_rate: f64, rps: f64, checks: f64| Measured {
        latency_avg_us: h.mean(),
        latency_min_us: h.min() as f64,
        latency_max_us: h.max() as f64,
        latency_count: h.len(),
        latency_quantile_us: Box::new(move |q| h.value_at_quantile(q) as f64),
        error_rate,
        rps,
        checks_rate: checks,
        dropped: merged.dropped,
    };
    exprs
        .iter()
        .map(|expr| {
            let t =
                Threshold::parse(expr, steps.as_deref()).map_err(|e| format!("threshold {e}"))?;
            let m = match t.scope {
                Scope::Run => measured(
                    primary.clone(),
                    merged.error_rate,
                    merged.achieved_rps,
                    checks_rate(merged.tests.as_ref()),
                ),
                Scope::Step(i) => {
                    let step = &merged.flow.as_ref().expect("a step scope has a flow").steps[i];
                    let h =
                        deserialize_histogram(&step.histogram).unwrap_or_else(|| primary.clone());
                    let rps = step.completed as f64 / merged.duration_secs.max(f64::MIN_POSITIVE);
                    measured(h, step.error_rate, rps, checks_rate(step.tests.as_ref()))
                }
                Scope::Iteration => {
                    let flow = merged.flow.as_ref().expect("an iteration scope has a flow");
                    let h = deserialize_histogram(&flow.iteration_histogram)
                        .unwrap_or_else(|| primary.clone());
                    measured(h, 0.0, 0.0, 1.0)
                }
            };
            Ok(t.check(&m))
        })
        .collect()
}

/// The share of checks that passed (1 with none), as a `checks` threshold reads it.
fn checks_rate(tests: Option<&TestTally>) -> f64 {
    let (passed, failed) = tests.map_or((0, 0), |t| {
        t.tests
            .values()
            .fold((0, 0), |(p, f), c| (p + c.passed, f + c.failed))
    });
    if passed + failed == 0 {
        1.0
    } else {
        passed as f64 / (passed + failed) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A closed-model report whose latencies are `samples`.
    fn report(id: &str, samples: &[u64]) -> FinalReport {
        let mut h = Histogram::<u64>::new(3).unwrap();
        for &s in samples {
            h.record(s).unwrap();
        }
        serde_json::from_value(serde_json::json!({
            "runId": id, "status": "completed", "mode": "closed", "executor": "constant-vus",
            "durationSecs": 1.0, "requestsSent": samples.len(), "completed": samples.len(),
            "ok": samples.len(), "failed": 0, "dropped": 0, "aborted": 0, "achievedRps": 0.0,
            "errorRate": 0.0, "latencyUs": {"service": Percentiles::of(&h)},
            "statusCodes": {"200": samples.len()}, "errors": [], "timingAvgUs": PhaseAverages::default(),
            "bytesSent": 0, "bytesReceived": 0, "histogram": serialize(&h),
            "thresholds": [{"threshold": "p99<50ms", "ok": true, "actual": ""}], "thresholdsOk": true,
        }))
        .unwrap()
    }

    #[test]
    fn merged_percentiles_are_those_of_one_histogram_of_every_sample() {
        // Three engines with very different latencies: averaging their percentiles would be far off.
        let parts: Vec<Vec<u64>> = vec![
            (1..=5000).map(|i| 100 + i % 900).collect(),
            (1..=3000).map(|i| 20_000 + i * 7).collect(),
            (1..=500).map(|i| 90_000 + i * 1000).collect(),
        ];
        let reports: Vec<FinalReport> = parts
            .iter()
            .enumerate()
            .map(|(i, s)| report(&format!("run_{i}"), s))
            .collect();
        let merged = merge(&reports, &["p95<1s".into()]).unwrap();
        let mut all = Histogram::<u64>::new(3).unwrap();
        for &s in parts.iter().flatten() {
            all.record(s).unwrap();
        }
        assert_eq!(merged.report.latency_us.service, Percentiles::of(&all));
        assert_eq!(merged.report.completed, 8500);
        assert_eq!(merged.report.status_codes[&200], 8500);
        // The reports' own threshold is checked again on the merged numbers, and fails there.
        let own = &merged.report.thresholds[0];
        assert_eq!((own.threshold.as_str(), own.ok), ("p99<50ms", false));
        assert!(merged.report.thresholds[1].ok);
        assert!(!merged.partial);
    }

    #[test]
    fn reports_of_different_plans_are_not_merged() {
        let mut other = report("run_b", &[1, 2, 3]);
        other.mode = "open".into();
        let e = merge(&[report("run_a", &[1]), other], &[]).unwrap_err();
        assert!(e.contains("not parts of one plan"), "{e}");
    }
}
