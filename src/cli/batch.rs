//! `vayu-cli batch`: many requests through the engine, then a summary.

use super::args::BatchArgs;
use super::format::{bytes, micros, status_and_error_lines};
use super::record::BatchRecording;
use super::{emit, record, request_file, CliError};
use crate::engine::{BatchReport, EngineConfig, EventLoop};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Batches shorter than this finish before a progress bar would be any use.
const PROGRESS_MIN_REQUESTS: usize = 1000;

pub fn batch(args: BatchArgs) -> Result<ExitCode, CliError> {
    if args.files.is_empty() {
        return Err(CliError::Input(
            "no request files given; usage: vayu-cli batch <files...>".into(),
        ));
    }
    if args.concurrency == 0 {
        return Err(CliError::Input("--concurrency must be at least 1".into()));
    }
    let mut loaded = Vec::new();
    for file in &args.files {
        loaded.extend(request_file::load(file)?);
    }
    let total = loaded.len().saturating_mul(args.repeat);
    let recording = match record::open_store(args.db.as_deref())? {
        Some(store) => Some(BatchRecording::start(
            store,
            serde_json::json!({
                "command": "batch",
                "files": args.files,
                "repeat": args.repeat,
                "concurrency": args.concurrency,
                "requests": loaded.iter().map(|r| &r.spec).collect::<Vec<_>>(),
            }),
        )?),
        None => None,
    };
    let requests: Vec<_> = loaded.into_iter().map(|r| Arc::new(r.prepared)).collect();
    let engine = EventLoop::start(EngineConfig {
        workers: args.workers,
        pin_workers: !args.no_pin,
        ..EngineConfig::default()
    })?;

    let show_progress =
        !args.json && total >= PROGRESS_MIN_REQUESTS && std::io::stderr().is_terminal();
    let report = std::thread::scope(|scope| {
        let runner = scope.spawn(|| {
            engine.execute_batch_observed(requests, total, args.concurrency, |_| {
                recording.as_ref().map(BatchRecording::observer)
            })
        });
        if show_progress {
            let bar = ProgressBar::new(total as u64).with_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} {elapsed}")
                    .expect("static template is valid"),
            );
            while !runner.is_finished() {
                bar.set_position(engine.total_processed());
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        }
        runner.join().expect("the batch thread does not panic")
    });

    if let Some(recording) = recording {
        recording.finish(&report)?;
    }
    if args.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string(&report).expect("a report always serialises")
        ));
    } else {
        emit(&render(&report, engine.worker_count()));
    }
    Ok(ExitCode::SUCCESS)
}

fn render(r: &BatchReport, workers: usize) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let l = &r.latency_us;
    let _ = writeln!(
        out,
        "requests      {} (concurrency {}, {} workers)",
        r.completed, r.concurrency, workers
    );
    let _ = writeln!(out, "ok / failed   {} / {}", r.ok, r.failed);
    let _ = writeln!(out, "wall time     {}", micros(r.wall_time_ms * 1000.0));
    let _ = writeln!(out, "requests/s    {:.1}", r.requests_per_second);
    let _ = writeln!(out, "received      {}", bytes(r.bytes_received));
    let _ = writeln!(
        out,
        "latency       min {} · avg {} · p50 {} · p90 {} · p95 {} · p99 {} · max {}",
        micros(l.min as f64),
        micros(l.avg),
        micros(l.p50 as f64),
        micros(l.p90 as f64),
        micros(l.p95 as f64),
        micros(l.p99 as f64),
        micros(l.max as f64)
    );
    out.push_str(&status_and_error_lines(&r.status_codes, &r.errors));
    out
}
