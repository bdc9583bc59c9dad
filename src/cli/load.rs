//! `vayu-cli load`: a load run in-process, with a live progress bar and the final report.

use super::args::LoadArgs;
use super::format::{bytes, failure_lead, micros, percentile_line, status_and_error_lines};
use super::remote::Engine;
use super::{emit, CliError};
use crate::engine::{EngineConfig, EventLoop};
use crate::model::ValidationError;
use crate::recording as record;
use crate::run::{FinalReport, RunError, RunEvent, RunManager, RunSnapshot, RunSpec};
use crate::store::RunStatus;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

pub(super) const EXIT_THRESHOLD_FAILED: u8 = 1;
pub(super) const EXIT_STOPPED: u8 = 130;

pub(super) fn load(args: LoadArgs) -> Result<ExitCode, CliError> {
    let invalid = |error: ValidationError| CliError::InvalidRun {
        file: args.file.clone(),
        error,
    };
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::Input(format!("cannot read run file `{}`: {e}", args.file)))?;
    let mut spec = RunSpec::from_json(&text).map_err(invalid)?;
    apply_flags(&mut spec, &args);
    read_flow_files(&mut spec, &args.file).map_err(invalid)?;

    let bar = (!args.json && std::io::stderr().is_terminal()).then(|| progress_bar(&spec, &args));
    if let Some(urls) = &args.engines {
        return load_distributed(urls, &args, &spec, bar);
    }
    let mut progress = Progress {
        bar: bar.as_ref(),
        keep_series: args.report.is_some(),
        series: Vec::new(),
        second: -1,
        tail: None,
    };
    let report = match &args.engine {
        Some(url) => {
            if args.db.is_some() {
                return Err(CliError::Input(
                    "--db cannot go with --engine: the engine records in its own database".into(),
                ));
            }
            remote_load(&Engine::new(url), &spec, &mut progress)
        }
        None => local_load(&args, &spec, &mut progress),
    }
    .map_err(|e| match e {
        CliError::Remote(error) => invalid(error),
        other => other,
    })?;
    let series = progress.into_series();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    write_html_report(args.report.as_deref(), &report, &series)?;
    if args.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string(&report).expect("a report always serialises")
        ));
    } else {
        emit(&render(&report));
    }
    exit_code(report)
}

/// A failed run is an error; failed thresholds, then a stop, have their own exit codes.
fn exit_code(report: FinalReport) -> Result<ExitCode, CliError> {
    Ok(match report.status {
        RunStatus::Failed => {
            return Err(CliError::Run(format!(
                "run failed: {}",
                report.error.unwrap_or_default()
            )))
        }
        _ if !report.thresholds_ok => ExitCode::from(EXIT_THRESHOLD_FAILED),
        RunStatus::Stopped => ExitCode::from(EXIT_STOPPED),
        _ => ExitCode::SUCCESS,
    })
}

/// `--engines`: the plan split over several daemons, their reports merged.
fn load_distributed(
    urls: &str,
    args: &LoadArgs,
    spec: &RunSpec,
    bar: Option<ProgressBar>,
) -> Result<ExitCode, CliError> {
    if args.engine.is_some() || args.db.is_some() {
        return Err(CliError::Input(
            "--engines cannot go with --engine or --db: each engine records its part".into(),
        ));
    }
    let merged = super::coordinator::load(urls, spec, &[], bar.as_ref()).map_err(|e| match e {
        CliError::Remote(error) => CliError::InvalidRun {
            file: args.file.clone(),
            error,
        },
        other => other,
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    write_html_report(args.report.as_deref(), &merged.report, &[])?;
    Ok(super::report::emit_merged(&merged, args.json))
}

/// Ctrl-C (or SIGTERM) once: `on_stop` runs (the run stops, in-flight requests get their
/// graceful stop); twice: `on_stop` again, which aborts them at once, and the report of what
/// was done still prints; a third time: exit at once.
pub(super) fn on_interrupt(on_stop: impl Fn() + Send + 'static) {
    let received = std::sync::atomic::AtomicUsize::new(0);
    let _ = ctrlc::set_handler(move || {
        if received.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 1 {
            std::process::exit(EXIT_STOPPED as i32);
        }
        on_stop();
    });
}

/// Runs in-process: an engine, a run manager, and the database when asked for.
fn local_load(
    args: &LoadArgs,
    spec: &RunSpec,
    progress: &mut Progress,
) -> Result<FinalReport, CliError> {
    let store = record::open_store(args.db.as_deref())?;
    let engine = EventLoop::start(EngineConfig {
        workers: args.workers,
        pin_workers: !args.no_pin,
        ..EngineConfig::default()
    })?;
    let manager = Arc::new(RunManager::new(
        Arc::new(engine),
        store.as_ref().map(|s| s.writer()),
    )?);
    let handle = manager.start(spec).map_err(|e| match e {
        RunError::Invalid(error) => CliError::Remote(error),
        other => CliError::Run(other.to_string()),
    })?;
    let (stop_manager, id) = (Arc::clone(&manager), handle.id.clone());
    on_interrupt(move || {
        stop_manager.stop(&id);
    });
    let report = loop {
        match handle.events.recv() {
            Ok(RunEvent::Progress(snapshot)) => progress.see(&snapshot),
            Ok(RunEvent::Complete(report)) => break *report,
            Err(_) => return Err(CliError::Run("the run ended without a report".into())),
        }
    };
    drop(handle);
    if let Ok(manager) = Arc::try_unwrap(manager) {
        drop(manager);
    }
    if let Some(store) = store {
        store.close();
    }
    Ok(report)
}

/// Runs on a daemon: starts the run there and follows its Server-Sent Events.
fn remote_load(
    engine: &Engine,
    spec: &RunSpec,
    progress: &mut Progress,
) -> Result<FinalReport, CliError> {
    let body = serde_json::to_value(spec).expect("a run spec always serialises");
    let started = engine.call("POST", "/run", Some(&body))?;
    let id = started["runId"].as_str().unwrap_or_default().to_string();
    let stopper = Engine::new(engine.base());
    let stop_id = id.clone();
    on_interrupt(move || {
        let _ = stopper.call("POST", &format!("/run/{stop_id}/stop"), None);
    });
    engine.follow_run(&id, |snapshot| progress.see(&snapshot))
}

/// What a run's snapshots feed: the progress bar, and a point a second for the HTML report.
struct Progress<'a> {
    bar: Option<&'a ProgressBar>,
    /// Whether points are kept (`--report`): about 2 KB a second of the run, which a soak
    /// without a report should not hold.
    keep_series: bool,
    series: Vec<crate::ui::SeriesPoint>,
    /// The last whole second of the run a point was taken for.
    second: i64,
    /// The latest snapshot's point when it was not taken: the run's last part second.
    tail: Option<crate::ui::SeriesPoint>,
}

impl Progress<'_> {
    fn see(&mut self, snapshot: &RunSnapshot) {
        if let Some(bar) = self.bar {
            update(bar, snapshot);
        }
        if !self.keep_series {
            return;
        }
        let second = snapshot.elapsed_secs.floor() as i64;
        let point = crate::ui::point_of(snapshot, crate::clock::now_millis());
        if second > self.second {
            self.second = second;
            self.series.push(point);
            self.tail = None;
        } else {
            self.tail = Some(point);
        }
    }

    /// A point a second, and the last one seen.
    fn into_series(self) -> Vec<crate::ui::SeriesPoint> {
        let mut series = self.series;
        series.extend(self.tail);
        series
    }
}

/// `--report FILE`: the run as one self-contained HTML page.
fn write_html_report(
    path: Option<&str>,
    report: &FinalReport,
    series: &[crate::ui::SeriesPoint],
) -> Result<(), CliError> {
    let Some(path) = path else {
        return Ok(());
    };
    std::fs::write(path, crate::ui::html_report(report, series))
        .map_err(|e| CliError::Input(format!("cannot write the HTML report `{path}`: {e}")))
}

/// The files a run file names (a flow's collection, iteration data) are read here, relative
/// to the run file, and go in as their content: a daemon gets the same run as a local engine.
fn read_flow_files(spec: &mut RunSpec, run_file: &str) -> Result<(), ValidationError> {
    let dir = std::path::Path::new(run_file)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    let read = |field: &str, path: &str| {
        crate::collection::read_text(&dir.join(path)).map_err(|e| ValidationError::new(field, e))
    };
    if let Some(serde_json::Value::Object(flow)) = &mut spec.flow {
        if let Some(serde_json::Value::String(path)) = flow.get("collection").cloned() {
            let text = read("flow.collection", &path)?;
            let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                ValidationError::new("flow.collection", format!("`{path}` is not JSON: {e}"))
            })?;
            flow.insert("collection".into(), doc);
        }
    }
    if let Some(serde_json::Value::String(path)) = spec.data.clone() {
        let rows = crate::flow::parse_data(&path, &read("data", &path)?)
            .map_err(|m| ValidationError::new("data", format!("`{path}` {m}")))?;
        spec.data = Some(serde_json::Value::Array(
            rows.into_iter().map(serde_json::Value::Object).collect(),
        ));
    }
    Ok(())
}

/// Flags override the file: `--iterations` and `--rps` choose the mode; the run's own checks
/// then refuse contradictions (naming the config field).
fn apply_flags(spec: &mut RunSpec, args: &LoadArgs) {
    let c = &mut spec.config;
    c.segment = args.segment.clone().or(c.segment.take());
    c.segment_sequence = args.segment_sequence.clone().or(c.segment_sequence.take());
    c.start_at = args.start_at.clone().or(c.start_at.take());
    if c.executor.is_some() {
        // The executor's own fields; its checks refuse one it does not take.
        c.iterations = args.iterations.or(c.iterations);
        c.rate = args.rps.or(c.rate);
        c.vus = args.concurrency.or(c.vus);
        if let Some(d) = &args.duration {
            c.duration = Some(serde_json::Value::String(d.clone()));
        }
        c.thresholds.extend(args.threshold.iter().cloned());
        return;
    }
    if let Some(n) = args.iterations {
        c.mode = Some("iterations".into());
        c.iterations = Some(n);
        c.target_rps = None;
    }
    if let Some(rps) = args.rps {
        c.mode = Some("constant".into());
        c.target_rps = Some(rps);
        c.concurrency = None;
        c.iterations = None;
    }
    if let Some(n) = args.concurrency {
        c.concurrency = Some(n);
        if args.rps.is_none() && args.iterations.is_none() {
            c.target_rps = None;
        }
    }
    if let Some(d) = &args.duration {
        c.duration = Some(serde_json::Value::String(d.clone()));
    }
    c.thresholds.extend(args.threshold.iter().cloned());
}

fn progress_bar(spec: &RunSpec, args: &LoadArgs) -> ProgressBar {
    let by_count = spec.config.mode.as_deref() == Some("iterations")
        || matches!(
            spec.config.executor.as_deref(),
            Some("per-vu-iterations" | "shared-iterations")
        )
        || args.iterations.is_some();
    let bar = ProgressBar::new(0);
    let template = if by_count && spec.flow.is_some() {
        "{bar:30} {pos}/{len} iterations  {msg}"
    } else if by_count {
        "{bar:30} {pos}/{len} requests  {msg}"
    } else {
        "{bar:30} {elapsed_precise}  {msg}"
    };
    bar.set_style(ProgressStyle::with_template(template).expect("static template is valid"));
    bar
}

fn update(bar: &ProgressBar, s: &RunSnapshot) {
    let progress = match &s.flow {
        Some(flow) => flow.iterations_expected.map(|e| (flow.iterations, e)),
        None => s.requests_expected.map(|e| (s.requests_sent, e)),
    };
    match progress {
        Some((done, expected)) => {
            bar.set_length(expected);
            bar.set_position(done.min(expected));
        }
        None => {
            bar.set_length(100);
            bar.set_position(0);
        }
    }
    let mut message = format!(
        "{:.0}/s · p99 {} · errors {:.2}% · in flight {}{}",
        s.rps,
        micros(s.latency_us.last_second.p99 as f64),
        s.error_rate * 100.0,
        s.in_flight,
        if s.dropped > 0 {
            format!(" · dropped {}", s.dropped)
        } else {
            String::new()
        },
    );
    // Flows: the iterations, then a line per step.
    if let Some(flow) = &s.flow {
        use std::fmt::Write;
        let _ = write!(
            message,
            " · {} iterations ({:.0}/s) · {} users",
            flow.iterations, flow.iterations_per_sec, flow.users
        );
        for step in &flow.steps {
            let _ = write!(
                message,
                "\n    {:<24} {:>7.0}/s · p95 {} · {} failed",
                step.name,
                step.rps,
                micros(step.latency_us.last_second.p95 as f64),
                step.failed
            );
        }
    }
    bar.set_message(message);
}

pub(super) fn render(r: &FinalReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "run {} {} after {:.2} s ({} model)",
        r.run_id, r.status, r.duration_secs, r.mode
    );
    out.push_str(&failure_lead(r.failed, r.completed, &r.errors));
    let expected = r
        .requests_expected
        .map_or(String::new(), |e| format!(" of {e} planned"));
    let _ = writeln!(
        out,
        "requests      {} sent{expected} · {} completed · {} dropped · {} aborted",
        r.requests_sent, r.completed, r.dropped, r.aborted
    );
    let _ = writeln!(
        out,
        "ok / failed   {} / {} ({:.2}% errors)",
        r.ok,
        r.failed,
        r.error_rate * 100.0
    );
    let target = r
        .target_rps
        .map_or(String::new(), |t| format!(" · target {t:.1}/s"));
    let _ = writeln!(
        out,
        "rate          {:.1}/s achieved{target}",
        r.achieved_rps
    );
    out.push_str(&render_latency(r));
    out.push_str(&status_and_error_lines(&r.status_codes, &r.errors));
    let _ = writeln!(
        out,
        "transferred   sent {} · received {}",
        bytes(r.bytes_sent),
        bytes(r.bytes_received)
    );
    if let Some(flow) = &r.flow {
        out.push_str(&render_flow(flow));
    }
    if let Some(tests) = &r.tests {
        out.push_str(&super::batch::render_tests(tests));
    }
    if let Some(why) = &r.recording_failed {
        let _ = writeln!(out, "recording     FAILED: {why}");
    }
    for (i, th) in r.thresholds.iter().enumerate() {
        let label = if i == 0 { "thresholds" } else { "" };
        let mark = if th.ok { "ok  " } else { "FAIL" };
        let _ = writeln!(
            out,
            "{label:<13} {mark} {} (actual {})",
            th.threshold, th.actual
        );
    }
    out
}

/// Latency percentiles (corrected and service time in an open model) and the phases' averages.
fn render_latency(r: &FinalReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if let Some(corrected) = &r.latency_us.corrected {
        let _ = writeln!(
            out,
            "latency       {}  (from intended send)",
            percentile_line(corrected)
        );
        let _ = writeln!(
            out,
            "service time  {}",
            percentile_line(&r.latency_us.service)
        );
    } else {
        let _ = writeln!(
            out,
            "latency       {}",
            percentile_line(&r.latency_us.service)
        );
    }
    let t = &r.timing_avg_us;
    let _ = writeln!(
        out,
        "phases (avg)  dns {} · connect {} · tls {} · first byte {}",
        micros(t.dns),
        micros(t.connect),
        micros(t.tls),
        micros(t.first_byte)
    );
    out
}

/// A flow run's iterations and its steps table.
fn render_flow(flow: &crate::run::FlowReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "iterations    {} completed · {} dropped · {} users · duration {}",
        flow.iterations,
        flow.dropped_iterations,
        flow.users,
        percentile_line(&flow.iteration_duration_us)
    );
    if flow.data_rows > 0 {
        let wrapped = if flow.data_wrapped {
            " (more iterations than rows: rows were read again from the first)"
        } else {
            ""
        };
        let _ = writeln!(out, "data          {} rows{wrapped}", flow.data_rows);
    }
    let width = flow
        .steps
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "steps         {:<width$}  {:>8}  {:>8}  {:>9}  {:>9}  {:>9}",
        "name", "requests", "failed", "p50", "p95", "p99"
    );
    for step in &flow.steps {
        let l = step
            .latency_us
            .corrected
            .as_ref()
            .unwrap_or(&step.latency_us.service);
        let _ = writeln!(
            out,
            "              {:<width$}  {:>8}  {:>8}  {:>9}  {:>9}  {:>9}",
            step.name,
            step.completed,
            step.failed,
            micros(l.p50 as f64),
            micros(l.p95 as f64),
            micros(l.p99 as f64)
        );
    }
    out
}
