//! Human-readable numbers for terminal output.

/// "850 µs", "12.3 ms", "1.25 s".
pub(super) fn micros(us: f64) -> String {
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

/// The summary lines for status codes and error categories, as `batch` and `load` print them.
/// The line a summary leads with when requests failed: how many, and the most common cause, so
/// a run against a target that is not up cannot read as fine. Empty when none failed.
pub(super) fn failure_lead(
    failed: u64,
    completed: u64,
    errors: &[crate::engine::ErrorCount],
) -> String {
    if failed == 0 {
        return String::new();
    }
    let share = failed as f64 * 100.0 / completed.max(1) as f64;
    let cause = errors
        .iter()
        .max_by_key(|e| e.count)
        .map_or(String::new(), |e| {
            format!("; most: {} ({}, {})", e.category, e.count, e.sample)
        });
    format!("FAILED        {failed} of {completed} requests ({share:.1}%){cause}\n")
}

pub(super) fn status_and_error_lines(
    codes: &std::collections::BTreeMap<u16, u64>,
    errors: &[crate::engine::ErrorCount],
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let codes: Vec<String> = codes
        .iter()
        .map(|(code, n)| format!("{code}: {n}"))
        .collect();
    let _ = writeln!(
        out,
        "status codes  {}",
        if codes.is_empty() {
            "-".into()
        } else {
            codes.join(", ")
        }
    );
    if errors.is_empty() {
        let _ = writeln!(out, "errors        -");
    }
    for (i, e) in errors.iter().enumerate() {
        let label = if i == 0 { "errors" } else { "" };
        let _ = writeln!(
            out,
            "{label:<13} {}: {} ({})",
            e.category, e.count, e.sample
        );
    }
    out
}

/// "min 30 µs · avg 691 µs · p50 613 µs · ... · max 3.42 ms".
pub(super) fn percentile_line(p: &crate::engine::Percentiles) -> String {
    format!(
        "min {} · avg {} · p50 {} · p90 {} · p95 {} · p99 {} · p99.9 {} · max {}",
        micros(p.min as f64),
        micros(p.avg),
        micros(p.p50 as f64),
        micros(p.p90 as f64),
        micros(p.p95 as f64),
        micros(p.p99 as f64),
        micros(p.p99_9 as f64),
        micros(p.max as f64)
    )
}

/// "512 B", "1.5 KiB", "3.2 MiB".
pub(super) fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(micros(850.0), "850 µs");
        assert_eq!(micros(12_345.0), "12.35 ms");
        assert_eq!(micros(1_250_000.0), "1.25 s");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
