//! `vayu-cli load --engines URL,URL,...`: one run split over several daemons. Each engine gets
//! its segment (`I/N`) and one common start; their event streams are followed at once; their
//! final reports are merged exactly (`run::merge`). An engine that fails or disappears leaves a
//! partial report naming its segment; Ctrl-C stops every engine. The live progress merges the
//! engines' last-second histograms, so its percentiles are exact too.

use super::load::on_interrupt;
use super::remote::Engine;
use super::CliError;
use crate::run::{FinalReport, MergedReport, RunSnapshot, RunSpec};
use indicatif::ProgressBar;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// How far ahead of now the common start is set: time to start the run on every engine.
const START_AHEAD: Duration = Duration::from_secs(3);

pub(super) fn load(
    urls: &str,
    spec: &RunSpec,
    thresholds: &[String],
    bar: Option<&ProgressBar>,
) -> Result<MergedReport, CliError> {
    let engines: Vec<Engine> = urls
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(Engine::new)
        .collect();
    if engines.is_empty() {
        return Err(CliError::Input(
            "--engines needs the engines' URLs, comma-separated".into(),
        ));
    }
    if spec.config.segment.is_some() || spec.config.segment_sequence.is_some() {
        return Err(CliError::Input(
            "--engines splits the plan itself: remove config.segment / --segment".into(),
        ));
    }
    check_versions(&engines)?;
    let n = engines.len();
    let targets = start_parts(&engines, spec)?;
    on_interrupt({
        let targets = targets.clone();
        move || stop_all(&targets)
    });
    let latest: Arc<Mutex<Vec<Option<RunSnapshot>>>> = Arc::new(Mutex::new(vec![None; n]));
    let followers: Vec<_> = targets
        .into_iter()
        .enumerate()
        .map(|(i, (url, id))| {
            let latest = Arc::clone(&latest);
            std::thread::spawn(move || follow(&Engine::new(&url), &id, i, &latest))
        })
        .collect();
    while followers.iter().any(|f| !f.is_finished()) {
        if let Some(bar) = bar {
            show(bar, &latest.lock(), n);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let reports = collect_reports(&engines, followers);
    if reports.is_empty() {
        return Err(CliError::Run("no engine returned a report".into()));
    }
    crate::run::merge(&reports, thresholds).map_err(CliError::Run)
}

/// Each engine's final report; an engine whose follower failed is said on stderr (the merged
/// report then names its segment as missing).
fn collect_reports(
    engines: &[Engine],
    followers: Vec<std::thread::JoinHandle<Result<FinalReport, CliError>>>,
) -> Vec<FinalReport> {
    let n = engines.len();
    let mut reports: Vec<FinalReport> = Vec::new();
    for (i, follower) in followers.into_iter().enumerate() {
        let lost = match follower.join() {
            Ok(Ok(report)) => {
                reports.push(report);
                continue;
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => "its follower failed".to_string(),
        };
        let engine = engines[i].base();
        eprintln!(
            "vayu-cli: engine lost: {engine} (segment {}/{n}): {lost}",
            i + 1
        );
    }
    reports
}

/// Starts every part (engine URL, run id) at one common start; if one refuses, stops those
/// already started.
fn start_parts(engines: &[Engine], spec: &RunSpec) -> Result<Vec<(String, String)>, CliError> {
    let n = engines.len();
    let start = spec.config.start_at.clone().unwrap_or_else(|| {
        crate::clock::rfc3339(crate::clock::now_millis() + START_AHEAD.as_millis() as u64)
    });
    let mut targets: Vec<(String, String)> = Vec::with_capacity(n);
    for (i, engine) in engines.iter().enumerate() {
        let mut part = spec.clone();
        part.config.segment = Some(format!("{}/{n}", i + 1));
        part.config.start_at = Some(start.clone());
        let body = serde_json::to_value(&part).expect("a run spec always serialises");
        match engine.call("POST", "/run", Some(&body)) {
            Ok(started) => targets.push((
                engine.base().to_string(),
                started["runId"].as_str().unwrap_or_default().to_string(),
            )),
            Err(e) => {
                stop_all(&targets);
                return Err(match e {
                    CliError::Input(m) => CliError::Input(format!("{}: {m}", engine.base())),
                    other => other,
                });
            }
        }
    }
    Ok(targets)
}

/// Every engine answers `/health` and runs the same build.
fn check_versions(engines: &[Engine]) -> Result<(), CliError> {
    let mut builds: Vec<(String, String)> = Vec::new();
    for engine in engines {
        let health = engine.call("GET", "/health", None)?;
        let build = format!(
            "{} ({})",
            health["version"].as_str().unwrap_or("?"),
            health["commit"].as_str().unwrap_or("?")
        );
        builds.push((engine.base().to_string(), build));
    }
    if builds.iter().any(|(_, b)| *b != builds[0].1) {
        let list: Vec<String> = builds.iter().map(|(u, b)| format!("{u}: {b}")).collect();
        return Err(CliError::Input(format!(
            "the engines run different builds, so their parts may not add up: {}",
            list.join(", ")
        )));
    }
    Ok(())
}

/// Stops each (engine URL, run id), as far as the engines answer.
fn stop_all(targets: &[(String, String)]) {
    for (url, id) in targets {
        let _ = Engine::new(url).call("POST", &format!("/run/{id}/stop"), None);
    }
}

/// Follows one engine's run to its final report, keeping its latest snapshot.
fn follow(
    engine: &Engine,
    id: &str,
    i: usize,
    latest: &Mutex<Vec<Option<RunSnapshot>>>,
) -> Result<FinalReport, CliError> {
    engine.follow_run(id, |snapshot| latest.lock()[i] = Some(snapshot))
}

/// The engines' progress together: counts and rates add up, and the last second's p99 comes
/// from the engines' merged histograms (each segment's snapshot carries its own).
fn show(bar: &ProgressBar, latest: &[Option<RunSnapshot>], n: usize) {
    let seen: Vec<&RunSnapshot> = latest.iter().flatten().collect();
    let sum = |f: fn(&RunSnapshot) -> u64| seen.iter().map(|s| f(s)).sum::<u64>();
    let expected = seen
        .iter()
        .map(|s| s.requests_expected)
        .sum::<Option<u64>>()
        .filter(|_| seen.len() == n);
    match expected {
        Some(e) => {
            bar.set_length(e);
            bar.set_position(sum(|s| s.requests_sent).min(e));
        }
        None => {
            bar.set_length(100);
            bar.set_position(0);
        }
    }
    let rps: f64 = seen.iter().map(|s| s.rps).sum();
    let mut merged =
        hdrhistogram::Histogram::<u64>::new(3).expect("3 significant digits are valid");
    for s in &seen {
        if let Some(h) = s
            .last_second_histogram
            .as_deref()
            .and_then(crate::run::deserialize_histogram)
        {
            let _ = merged.add(&h);
        }
    }
    bar.set_message(format!(
        "{} of {n} engines · {rps:.0}/s · p99 {} · in flight {} · dropped {}",
        seen.len(),
        super::format::micros(merged.value_at_quantile(0.99) as f64),
        sum(|s| s.in_flight),
        sum(|s| s.dropped),
    ));
}
