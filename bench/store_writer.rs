//! Sustained store-writer throughput: result rows per second from first send to committed.
//!
//! `cargo run --release --example store-writer -- [ROWS] [PRODUCERS]` (defaults 2,000,000 and 2).
//! Producers send through the must-keep queue (as failures and design results do), so no row
//! is dropped and every row sent is a row written; the figure is the writer's, not the queue's.

use std::time::Instant;
use vayu::store::{new_id, now_ms, ResultRow, Run, RunStatus, RunType, Store};

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args
        .next()
        .map_or(2_000_000, |a| a.parse().expect("ROWS is a number"));
    let producers: u64 = args
        .next()
        .map_or(2, |a| a.parse().expect("PRODUCERS is a number"));
    let dir = std::env::temp_dir().join(format!("vayu-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bench.db");

    let store = Store::open(&path).expect("open the database");
    let writer = store.writer();
    let run = Run {
        id: new_id("run"),
        request_id: None,
        environment_id: None,
        run_type: RunType::Load,
        status: RunStatus::Running,
        config: serde_json::json!({}),
        start_time: now_ms(),
        end_time: None,
        summary: None,
        error: None,
    };
    let run_id = run.id.clone();
    writer.create_run(run).unwrap();
    writer.flush().unwrap();

    let started = Instant::now();
    std::thread::scope(|scope| {
        for p in 0..producers {
            let writer = writer.clone();
            let run_id = run_id.clone();
            scope.spawn(move || {
                for i in 0..rows / producers {
                    let failed = i % 10 == 0;
                    writer
                        .record_result(ResultRow {
                            id: 0,
                            run_id: run_id.clone(),
                            timestamp: now_ms(),
                            status_code: Some(if failed { 503 } else { 200 }),
                            latency_ms: Some(1.0 + (i % 1000) as f64 / 100.0),
                            error: failed.then(|| format!("producer {p}: upstream unavailable")),
                            trace_data: None,
                        })
                        .unwrap();
                }
            });
        }
    });
    let sent = started.elapsed();
    writer.flush().unwrap();
    let committed = started.elapsed();
    let written = store
        .reader()
        .unwrap()
        .run_results(&run_id, Some(1), None)
        .unwrap()
        .total;
    store.close();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(
        written,
        rows / producers * producers,
        "every row sent was written"
    );
    println!(
        "{written} rows from {producers} producers: sent in {:.2} s, committed in {:.2} s: {:.0} rows/s ({:.1} MiB file)",
        sent.as_secs_f64(),
        committed.as_secs_f64(),
        written as f64 / committed.as_secs_f64(),
        size as f64 / 1048576.0
    );
}
