//! `vayu-cli batch`: many requests through the engine, then a summary.

use super::args::BatchArgs;
use super::format::{bytes, failure_lead, micros, percentile_line, status_and_error_lines};
use super::{emit, request_file, CliError};
use crate::engine::{
    BatchReport, BeforeSend, EngineConfig, EventLoop, Extra, Outcome, OutcomeObserver,
};
use crate::recording as record;
use crate::recording::{BatchRecording, OutcomeRecorder};
use crate::script::{new_run, PreRequest, ResponseTest, ShareScripts, TestTally};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Batches shorter than this finish before a progress bar would be any use.
const PROGRESS_MIN_REQUESTS: usize = 1000;

pub(super) fn batch(args: BatchArgs) -> Result<ExitCode, CliError> {
    check_args(&args)?;
    let variables = request_file::load_environment(args.env.as_deref())?;
    let loaded = load_requests(&args.files, &variables)?;
    let (tests, pre_requests) = scripts_of(&loaded, &variables);
    // Results of both kinds of script go in one tally.
    let has_tests = tests.is_some() || pre_requests.is_some();
    let script_run = new_run();
    let (tallies, tally_rx) = crossbeam_channel::unbounded();
    let total = loaded.len().saturating_mul(args.repeat);
    let recording = open_recording(&args, &loaded)?;
    let requests: Vec<_> = loaded.into_iter().map(|r| Arc::new(r.prepared)).collect();
    let engine = EventLoop::start(EngineConfig {
        workers: args.workers,
        pin_workers: !args.no_pin,
        ..EngineConfig::default()
    })?;

    let report = with_progress(&engine, total, !args.json, || {
        engine.execute_batch_observed(
            requests,
            total,
            args.concurrency,
            // pm.sendRequest replies need bodies too, from either kind of script.
            has_tests,
            |_| {
                let observer = BatchObserver {
                    recorder: recording.as_ref().map(BatchRecording::recorder),
                    tests: tests.clone(),
                    pre_requests: pre_requests.clone(),
                    scripts: ShareScripts::new(script_run, variables.clone()),
                    tally: TestTally::default(),
                    seen: 0,
                    tallies: tallies.clone(),
                };
                Some(Box::new(observer) as Box<dyn OutcomeObserver>)
            },
        )
    });

    drop(tallies);
    let tally = tally_rx.iter().fold(TestTally::default(), |mut all, t| {
        all.merge(&t);
        all
    });
    if let Some(recording) = recording {
        recording.finish(&report)?;
    }
    print_report(
        &args,
        &report,
        has_tests.then_some(&tally),
        engine.worker_count(),
    );
    Ok(if tally.failed() > 0 || tally.script_errors > 0 {
        ExitCode::from(super::run::EXIT_TESTS_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// The requests' test scripts and pre-request scripts, by request index; `None` when no
/// request has one of that kind (its observer then skips the lookup).
#[allow(clippy::type_complexity)]
fn scripts_of(
    loaded: &[request_file::LoadedRequest],
    variables: &crate::script::Variables,
) -> (
    Option<Arc<Vec<Option<ResponseTest>>>>,
    Option<Arc<Vec<Option<PreRequest>>>>,
) {
    let tests: Vec<_> = loaded
        .iter()
        .map(|r| ResponseTest::of(&r.spec, variables))
        .collect();
    let pre_requests: Vec<_> = loaded.iter().map(|r| PreRequest::of(&r.spec)).collect();
    (
        tests.iter().any(Option::is_some).then(|| Arc::new(tests)),
        pre_requests
            .iter()
            .any(Option::is_some)
            .then(|| Arc::new(pre_requests)),
    )
}

/// Runs `work` on a thread of its own while a progress bar follows the engine's counters (for
/// batches big enough, on a terminal, when `show`).
fn with_progress<T: Send>(
    engine: &EventLoop,
    total: usize,
    show: bool,
    work: impl FnOnce() -> T + Send,
) -> T {
    let show = show && total >= PROGRESS_MIN_REQUESTS && std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        let runner = scope.spawn(work);
        if show {
            progress(engine, total, || runner.is_finished());
        }
        runner.join().expect("the batch thread does not panic")
    })
}

/// The batch's row in the database (`--db`), with what was asked.
fn open_recording(
    args: &BatchArgs,
    loaded: &[request_file::LoadedRequest],
) -> Result<Option<BatchRecording>, CliError> {
    let Some(store) = record::open_store(args.db.as_deref())? else {
        return Ok(None);
    };
    let asked = serde_json::json!({
        "command": "batch",
        "files": args.files,
        "repeat": args.repeat,
        "concurrency": args.concurrency,
        "requests": loaded.iter().map(|r| &r.spec).collect::<Vec<_>>(),
    });
    Ok(Some(BatchRecording::start(store, asked)?))
}

/// The summary (`--json`: one JSON object), with the scripts' results when there were any.
fn print_report(args: &BatchArgs, report: &BatchReport, tests: Option<&TestTally>, workers: usize) {
    if args.json {
        let mut out = serde_json::to_value(report).expect("a report always serialises");
        if let Some(tally) = tests {
            out["tests"] = serde_json::to_value(tally).expect("a tally always serialises");
        }
        emit(&format!("{out}\n"));
    } else {
        emit(&render(report, workers));
        if let Some(tally) = tests {
            emit(&render_tests(tally));
        }
    }
}

/// The flags checked before anything is read or started.
fn check_args(args: &BatchArgs) -> Result<(), CliError> {
    if args.files.is_empty() {
        return Err(CliError::Input(
            "no request files given; usage: vayu-cli batch <files...>".into(),
        ));
    }
    if args.concurrency == 0 {
        return Err(CliError::Input("--concurrency must be at least 1".into()));
    }
    let limit = crate::engine::connection_limit();
    if args.concurrency as u64 > limit {
        return Err(CliError::Input(format!(
            "--concurrency {} is over {limit}, the requests this machine can have in flight: each needs a connection (a file descriptor); raise the open-file limit (ulimit -n) or ask for fewer",
            args.concurrency
        )));
    }
    Ok(())
}

/// Every request of every file, with the environment substituted; names that did not resolve
/// are said once.
fn load_requests(
    files: &[String],
    variables: &crate::script::Variables,
) -> Result<Vec<request_file::LoadedRequest>, CliError> {
    let mut loaded = Vec::new();
    let mut unresolved = Vec::new();
    for file in files {
        loaded.extend(request_file::load(file, variables, &mut unresolved)?);
    }
    if !unresolved.is_empty() {
        eprintln!(
            "vayu-cli: warning: unresolved variables sent as written: {}",
            unresolved.join(", ")
        );
    }
    Ok(loaded)
}

/// A progress bar of the requests the engine has finished, until `done`.
fn progress(engine: &EventLoop, total: usize, done: impl Fn() -> bool) {
    let bar = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {elapsed}")
            .expect("static template is valid"),
    );
    while !done() {
        bar.set_position(engine.total_processed());
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

/// One worker's view of a batch: runs pre-request scripts before sends and test scripts on
/// responses, on the worker, and records outcomes; its test tally goes back when the worker's
/// share ends.
struct BatchObserver {
    recorder: Option<OutcomeRecorder>,
    tests: Option<Arc<Vec<Option<ResponseTest>>>>,
    pre_requests: Option<Arc<Vec<Option<PreRequest>>>>,
    scripts: ShareScripts,
    tally: TestTally,
    seen: u64,
    tallies: crossbeam_channel::Sender<TestTally>,
}

impl OutcomeObserver for BatchObserver {
    fn before_send(&mut self, index: usize, seq: u64) -> BeforeSend {
        let Some(pre) = self.pre_requests.as_ref().and_then(|p| p[index].as_ref()) else {
            return BeforeSend::AsPlanned;
        };
        self.scripts.before_send(pre, seq, &mut self.tally)
    }

    fn extra(&mut self, now: Instant) -> Extra {
        self.scripts.extra(now, &mut self.tally)
    }

    fn extra_completed(&mut self, tag: u64, outcome: &Outcome) {
        self.scripts.side_completed(tag, outcome, &mut self.tally);
    }

    fn may_send(&self) -> bool {
        self.tests.is_some() || self.pre_requests.is_some()
    }

    fn sends_pending(&self) -> usize {
        self.scripts.sends_pending()
    }

    fn observe(&mut self, index: usize, outcome: &Outcome) {
        if let Some(recorder) = &mut self.recorder {
            recorder.record(outcome);
        }
        if let (Some(tests), Some(response)) = (&self.tests, &outcome.response) {
            if let Some(test) = &tests[index] {
                self.seen += 1;
                self.scripts
                    .test(test, response, self.seen, &mut self.tally);
            }
        }
    }

    fn finish(mut self: Box<Self>) {
        self.scripts.end(&mut self.tally);
        let _ = self.tallies.send(self.tally);
    }
}

/// Per test name: passed / failed over all responses, then script errors.
pub(super) fn render_tests(tally: &TestTally) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "tests         {} passed, {} failed",
        tally.passed(),
        tally.failed()
    );
    for (name, c) in &tally.tests {
        let mark = if c.failed > 0 { "FAIL" } else { "PASS" };
        let _ = writeln!(
            out,
            "  {mark} {name}: {} passed, {} failed{}",
            c.passed,
            c.failed,
            if c.skipped > 0 {
                format!(", {} skipped", c.skipped)
            } else {
                String::new()
            }
        );
    }
    if let Some(e) = &tally.first_error {
        let _ = writeln!(out, "script errors {} (first: {e})", tally.script_errors);
    }
    out
}

fn render(r: &BatchReport, workers: usize) -> String {
    use std::fmt::Write;
    let mut out = failure_lead(r.failed, r.completed, &r.errors);
    let _ = writeln!(
        out,
        "requests      {} (concurrency {}, {} workers)",
        r.completed, r.concurrency, workers
    );
    let _ = writeln!(out, "ok / failed   {} / {}", r.ok, r.failed);
    let _ = writeln!(out, "wall time     {}", micros(r.wall_time_ms * 1000.0));
    let _ = writeln!(out, "requests/s    {:.1}", r.requests_per_second);
    let _ = writeln!(out, "received      {}", bytes(r.bytes_received));
    let _ = writeln!(out, "latency       {}", percentile_line(&r.latency_us));
    out.push_str(&status_and_error_lines(&r.status_codes, &r.errors));
    out
}
