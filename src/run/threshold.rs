//! Pass/fail criteria checked at the end of a run, in k6's spirit: `p95<200ms`, `p99<1s`,
//! `avg<=150ms`, `errors<1%`, `rps>=900`, `checks>=99%`, `dropped==0`; for flows, on one step
//! (`step:login p95<200ms`) or on whole iterations (`iteration_duration p95<2s`). A violated
//! threshold makes `vayu-cli load` exit 1.

use crate::model::duration::parse_duration;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
enum Metric {
    /// Latency quantile (0..=1): the corrected latency for open-model runs, service time otherwise.
    Quantile(f64),
    Avg,
    Min,
    Max,
    /// Fraction of requests that failed (transport error or status ≥ 400).
    ErrorRate,
    /// Achieved requests per second.
    Rps,
    /// Fraction of test-script assertions that passed (k6's `checks`).
    Checks,
    /// Open-model sends dropped (k6's `dropped_iterations`).
    Dropped,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

/// What a threshold measures: the whole run, one step of its flow, or its iterations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Run,
    Step(usize),
    Iteration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub expr: String,
    pub scope: Scope,
    metric: Metric,
    op: Op,
    /// µs for latencies, a fraction for the error rate, requests/s for the rate.
    limit: f64,
}

/// What a finished run measured, in the units thresholds compare.
pub struct Measured {
    pub latency_quantile_us: Box<dyn Fn(f64) -> f64>,
    pub latency_avg_us: f64,
    pub latency_min_us: f64,
    pub latency_max_us: f64,
    /// Responses the latencies are measured over: a latency threshold over none fails.
    pub latency_count: u64,
    pub error_rate: f64,
    pub rps: f64,
    /// Passed / (passed + failed) assertions; 1 without any.
    pub checks_rate: f64,
    pub dropped: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ThresholdResult {
    pub threshold: String,
    pub ok: bool,
    /// The measured value, in the threshold's own unit ("ms", "%" or "/s").
    pub actual: String,
}

impl Threshold {
    /// Parses `expr`; a step's name must be one of `steps`, the flow's step names (`None`: the
    /// run has no flow).
    pub fn parse(expr: &str, steps: Option<&[String]>) -> Result<Threshold, String> {
        let (scope, rest) = scope_of(expr, steps)?;
        let mut threshold = Threshold::parse_metric(expr, rest)?;
        if scope == Scope::Iteration
            && !matches!(
                threshold.metric,
                Metric::Quantile(_) | Metric::Avg | Metric::Min | Metric::Max
            )
        {
            return Err(format!(
                "`{expr}`: iteration_duration takes a latency (p95, avg, min, max)"
            ));
        }
        if matches!(scope, Scope::Step(_)) && threshold.metric == Metric::Dropped {
            return Err(format!(
                "`{expr}`: iterations are dropped, not steps; use dropped_iterations on the run"
            ));
        }
        threshold.scope = scope;
        Ok(threshold)
    }

    fn parse_metric(expr: &str, text: &str) -> Result<Threshold, String> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (at, op, len) = ["<=", ">=", "==", "<", ">"]
            .iter()
            .filter_map(|sym| text.find(sym).map(|i| (i, *sym)))
            .min_by_key(|(i, sym)| (*i, std::cmp::Reverse(sym.len())))
            .map(|(i, sym)| {
                let op = match sym {
                    "<=" => Op::Le,
                    ">=" => Op::Ge,
                    "==" => Op::Eq,
                    "<" => Op::Lt,
                    _ => Op::Gt,
                };
                (i, op, sym.len())
            })
            .ok_or_else(|| format!("`{expr}` has no comparison; write e.g. \"p95<200ms\", \"errors<1%\" or \"rps>=900\""))?;
        let (name, value) = (&text[..at], &text[at + len..]);
        let metric = metric_named(expr, name)?;
        let limit = match metric {
            Metric::ErrorRate | Metric::Checks => match value.strip_suffix('%') {
                Some(pct) => pct.parse::<f64>().map(|p| p / 100.0).ok(),
                None => value
                    .parse::<f64>()
                    .ok()
                    .filter(|f| (0.0..=1.0).contains(f)),
            }
            .ok_or_else(|| {
                format!("`{expr}`: a rate is a percentage (\"1%\") or a fraction (0.01)")
            })?,
            Metric::Dropped => value
                .parse::<u64>()
                .map(|n| n as f64)
                .map_err(|_| format!("`{expr}`: dropped sends are a count (\"dropped==0\")"))?,
            Metric::Rps => value
                .parse::<f64>()
                .map_err(|_| format!("`{expr}`: the rate is a number of requests per second"))?,
            _ => parse_duration(value, 1.0)
                .map(|d| d.as_secs_f64() * 1e6)
                .map_err(|e| format!("`{expr}`: {e}"))?,
        };
        Ok(Threshold {
            expr: expr.trim().to_string(),
            scope: Scope::Run,
            metric,
            op,
            limit,
        })
    }

    pub fn check(&self, m: &Measured) -> ThresholdResult {
        let latency = matches!(
            self.metric,
            Metric::Quantile(_) | Metric::Avg | Metric::Min | Metric::Max
        );
        if latency && m.latency_count == 0 {
            // Every request failed before a response (or none was sent): a latency of 0 would
            // pass `p95<200ms` for a run that measured nothing.
            return ThresholdResult {
                threshold: self.expr.clone(),
                ok: false,
                actual: "no response to measure".into(),
            };
        }
        let (value, actual) = match self.metric {
            Metric::Quantile(q) => ms((m.latency_quantile_us)(q)),
            Metric::Avg => ms(m.latency_avg_us),
            Metric::Min => ms(m.latency_min_us),
            Metric::Max => ms(m.latency_max_us),
            Metric::ErrorRate => (m.error_rate, format!("{:.3}%", m.error_rate * 100.0)),
            Metric::Rps => (m.rps, format!("{:.1}/s", m.rps)),
            Metric::Checks => (m.checks_rate, format!("{:.3}%", m.checks_rate * 100.0)),
            Metric::Dropped => (m.dropped as f64, m.dropped.to_string()),
        };
        let ok = match self.op {
            Op::Lt => value < self.limit,
            Op::Le => value <= self.limit,
            Op::Gt => value > self.limit,
            Op::Ge => value >= self.limit,
            Op::Eq => value == self.limit,
        };
        ThresholdResult {
            threshold: self.expr.clone(),
            ok,
            actual,
        }
    }
}

/// `step:NAME METRIC OP VALUE` (the name may hold spaces: the metric is the last word before
/// the comparison), `iteration_duration METRIC OP VALUE`, or a run-wide expression.
fn scope_of<'a>(expr: &'a str, steps: Option<&[String]>) -> Result<(Scope, &'a str), String> {
    let trimmed = expr.trim();
    if let Some(rest) = trimmed.strip_prefix("iteration_duration") {
        if steps.is_none() {
            return Err(format!(
                "`{expr}`: iteration_duration is measured for flows only"
            ));
        }
        return Ok((Scope::Iteration, rest));
    }
    let Some(rest) = trimmed.strip_prefix("step:") else {
        return Ok((Scope::Run, trimmed));
    };
    let op = rest.find(['<', '>', '=']).ok_or_else(|| {
        format!("`{expr}` has no comparison; write e.g. \"step:login p95<200ms\"")
    })?;
    let (name, metric) = rest[..op]
        .trim_end()
        .rsplit_once(char::is_whitespace)
        .ok_or_else(|| format!("`{expr}`: write the step's name, a space, then the metric: \"step:login p95<200ms\""))?;
    let name = name.trim();
    let Some(steps) = steps else {
        return Err(format!(
            "`{expr}`: step thresholds are for runs with a `flow`"
        ));
    };
    let index = steps.iter().position(|n| n == name).ok_or_else(|| {
        format!(
            "`{expr}`: the flow has no step named `{name}`; its steps are {}",
            steps.join(", ")
        )
    })?;
    let metric_start = rest[..op].trim_end().len() - metric.len();
    Ok((Scope::Step(index), &rest[metric_start..]))
}

fn ms(us: f64) -> (f64, String) {
    (us, format!("{:.3}ms", us / 1000.0))
}

/// The metric a threshold names (`p95`, `avg`, `errors`, ...).
fn metric_named(expr: &str, name: &str) -> Result<Metric, String> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "avg" | "mean" => Metric::Avg,
        "min" => Metric::Min,
        "max" => Metric::Max,
        "med" | "median" => Metric::Quantile(0.5),
        "errors" | "error_rate" => Metric::ErrorRate,
        "rps" => Metric::Rps,
        "checks" => Metric::Checks,
        "dropped" | "dropped_iterations" => Metric::Dropped,
        other => {
            let p = other
                .strip_prefix('p')
                .map(|p| p.trim_start_matches('(').trim_end_matches(')'));
            match p.and_then(|p| p.parse::<f64>().ok()) {
                Some(p) if p > 0.0 && p <= 100.0 => Metric::Quantile(p / 100.0),
                _ => {
                    return Err(format!(
                        "`{expr}`: unknown metric `{name}`; use p50, p90, p95, p99, p99.9, avg, min, max, errors, rps, checks or dropped"
                    ))
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured() -> Measured {
        Measured {
            latency_quantile_us: Box::new(|q| q * 100_000.0), // p95 = 95 ms, p99 = 99 ms
            latency_avg_us: 50_000.0,
            latency_min_us: 1_000.0,
            latency_max_us: 100_000.0,
            latency_count: 100,
            error_rate: 0.005,
            rps: 950.0,
            checks_rate: 0.995,
            dropped: 3,
        }
    }

    #[test]
    fn a_latency_threshold_over_no_response_fails() {
        let none = Measured {
            latency_count: 0,
            latency_quantile_us: Box::new(|_| 0.0),
            latency_avg_us: 0.0,
            latency_min_us: 0.0,
            latency_max_us: 0.0,
            error_rate: 1.0,
            ..measured()
        };
        for expr in ["p95<200ms", "avg<1s", "max<1s", "min<1s"] {
            let r = Threshold::parse(expr, None).unwrap().check(&none);
            assert_eq!(
                (r.ok, r.actual.as_str()),
                (false, "no response to measure"),
                "{expr}"
            );
        }
        let errors = Threshold::parse("errors<101%", None).unwrap().check(&none);
        assert!(errors.ok, "other metrics are measured as before");
    }

    fn ok(expr: &str) -> bool {
        Threshold::parse(expr, None).unwrap().check(&measured()).ok
    }

    #[test]
    fn evaluates_k6_style_expressions() {
        assert!(ok("p95<200ms"));
        assert!(!ok("p95<90ms"));
        assert!(ok("p(99) <= 99ms"));
        assert!(ok("p99<1s"));
        assert!(ok("p99.9 < 100ms"));
        assert!(ok("avg<=50ms"));
        assert!(!ok("max<100ms"));
        assert!(ok("errors<1%"));
        assert!(!ok("errors<0.001"));
        assert!(ok("rps>=900"));
        assert!(!ok("rps>1000"));
        assert!(ok("p50<60")); // bare number: milliseconds
        assert!(ok("checks>=99%"));
        assert!(!ok("checks>99.9%"));
        assert!(ok("dropped==3"));
        assert!(!ok("dropped_iterations==0"));
        assert!(ok("dropped<10"));
    }

    #[test]
    fn reports_the_actual_value() {
        let r = Threshold::parse("errors<1%", None)
            .unwrap()
            .check(&measured());
        assert_eq!((r.ok, r.actual.as_str()), (true, "0.500%"));
        let r = Threshold::parse("p95<90ms", None)
            .unwrap()
            .check(&measured());
        assert_eq!(r.actual, "95.000ms");
    }

    #[test]
    fn bad_expressions_say_what_is_accepted() {
        for bad in [
            "p95",
            "latency<5ms",
            "p101<1s",
            "errors<5",
            "rps>=lots",
            "p95<soon",
            "dropped==some",
            "checks>=150%x",
        ] {
            let e = Threshold::parse(bad, None).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }
}
