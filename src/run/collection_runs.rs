//! Collection runs under the run manager: each is one virtual user on the engine plus one thread
//! that folds its events into the store (a `results` row per request executed, with its test
//! outcomes; the summary at the end) and into the run's event streams. `RunManager` starts,
//! streams, stops and shuts them down with the load runs.

use crate::collection::{run_collection, Collection, RunSummary};
use crate::engine::EventLoop;
use crate::flow::{FlowEvent, FlowOptions};
use crate::script::Variables;
use crate::store::{new_id, now_ms, ResultRow, Run, RunStatus, RunType, StoreWriter};
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;

/// An event for a run's stream: its name and data.
pub type StreamEvent = (&'static str, Value);

/// Collection runs in progress: how to stop each, and who listens.
#[derive(Default)]
pub(crate) struct CollectionRuns {
    active: Mutex<HashMap<String, Active>>,
}

struct Active {
    stop: Arc<AtomicBool>,
    subscribers: Vec<Sender<StreamEvent>>,
}

/// The run's row, recorded as running (and flushed, so a client that reads it at once finds it).
fn record_started(writer: &StoreWriter, run: &CollectionRun) -> Result<String, super::RunError> {
    let id = new_id("run");
    writer.create_run(Run {
        id: id.clone(),
        request_id: None,
        environment_id: run.environment.as_ref().map(|(id, _)| id.clone()),
        run_type: RunType::Collection,
        status: RunStatus::Running,
        config: run.config.clone(),
        start_time: now_ms(),
        end_time: None,
        summary: None,
        error: None,
    })?;
    writer.flush()?;
    Ok(id)
}

impl CollectionRuns {
    /// The run's events from now on, while it runs.
    pub(super) fn subscribe(&self, id: &str) -> Option<Receiver<StreamEvent>> {
        let mut active = self.active.lock();
        let run = active.get_mut(id)?;
        let (tx, rx) = crossbeam_channel::unbounded();
        run.subscribers.push(tx);
        Some(rx)
    }

    /// Asks a running collection run to stop before its next request.
    pub(super) fn stop(&self, id: &str) -> bool {
        match self.active.lock().get(id) {
            Some(run) => {
                run.stop.store(true, Relaxed);
                true
            }
            None => false,
        }
    }

    fn publish(&self, id: &str, event: StreamEvent) {
        if let Some(run) = self.active.lock().get_mut(id) {
            run.subscribers.retain(|s| s.send(event.clone()).is_ok());
        }
    }
}

/// A checked collection run, ready to go.
pub struct CollectionRun {
    pub collection: Collection,
    pub variables: Variables,
    /// Its `stop` is set here.
    pub options: FlowOptions,
    /// The saved environment it runs with (id, name): what it leaves is saved back there.
    pub environment: Option<(String, String)>,
    /// What the store keeps as the run's config.
    pub config: Value,
}

impl CollectionRuns {
    /// Records the run as running and starts its thread; a thread that cannot start leaves the
    /// run recorded as failed.
    pub(crate) fn start(
        self: &Arc<Self>,
        engine: &Arc<EventLoop>,
        writer: &StoreWriter,
        run: CollectionRun,
    ) -> Result<String, super::RunError> {
        let id = record_started(writer, &run)?;
        let stop = Arc::new(AtomicBool::new(false));
        self.active.lock().insert(
            id.clone(),
            Active {
                stop: Arc::clone(&stop),
                subscribers: Vec::new(),
            },
        );
        let runs = Arc::clone(self);
        let engine = Arc::clone(engine);
        let run_id = id.clone();
        let thread_writer = writer.clone();
        let spawned = std::thread::Builder::new()
            .name("vayu-collection-run".into())
            .spawn(move || {
                let writer = thread_writer;
                let options = FlowOptions {
                    stop: Some(stop),
                    ..run.options
                };
                let collection = run.collection;
                let summary =
                    run_collection(&engine, &collection, run.variables, options, |event, _| {
                        record(&writer, &runs, &run_id, event, &collection)
                    });
                finish(&writer, &runs, &run_id, &summary, run.environment);
            });
        if let Err(e) = spawned {
            // Recorded as failed, not left running.
            let why = format!("cannot start the run: {e}");
            self.active.lock().remove(&id);
            writer.set_run_status(
                &id,
                RunStatus::Failed,
                Some(now_ms()),
                None,
                Some(why.clone()),
            )?;
            return Err(super::RunError::Engine(why));
        }
        Ok(id)
    }

    /// The ids of the runs in progress.
    pub(crate) fn active_ids(&self) -> Vec<String> {
        self.active.lock().keys().cloned().collect()
    }
}

/// One event: a request execution becomes a results row and a `request` stream event.
fn record(
    writer: &StoreWriter,
    runs: &CollectionRuns,
    id: &str,
    event: &FlowEvent,
    collection: &Collection,
) {
    let FlowEvent::Step(r) = event else { return };
    let step = &collection.steps[r.step];
    let assertions: Vec<Value> = r
        .outcomes()
        .flat_map(|o| &o.tests)
        .map(
            |t| json!({"name": t.name, "passed": t.passed, "skipped": t.skipped, "error": t.error}),
        )
        .collect();
    let script_errors: Vec<String> = r
        .outcomes()
        .filter_map(|o| o.error.as_ref().map(|e| e.to_string()))
        .collect();
    let status = r.response.as_ref().map(|x| x.status);
    let time_ms = r.response.as_ref().map(|x| x.timings.total as f64 / 1000.0);
    let trace = json!({
        "name": step.full_name(),
        "iteration": r.iteration,
        "method": r.request.as_ref().map(|q| &q.method),
        "url": r.request.as_ref().map(|q| &q.url),
        "skipped": r.skipped,
        "assertions": assertions,
        "scriptErrors": script_errors,
    });
    let _ = writer.record_result(ResultRow {
        id: 0,
        run_id: id.to_string(),
        timestamp: now_ms(),
        status_code: status,
        latency_ms: time_ms,
        error: r.error.as_ref().map(|e| e.to_string()),
        trace_data: Some(trace.clone()),
    });
    let mut data = trace;
    data["status"] = json!(status);
    data["timeMs"] = json!(time_ms);
    runs.publish(id, ("request", data));
}

fn finish(
    writer: &StoreWriter,
    runs: &CollectionRuns,
    id: &str,
    summary: &RunSummary,
    environment: Option<(String, String)>,
) {
    let value = serde_json::to_value(summary).unwrap_or_default();
    // A run stopped on request (or by a shutdown that then aborted it) is `stopped`.
    let requested = runs
        .active
        .lock()
        .get(id)
        .is_some_and(|run| run.stop.load(Relaxed));
    let status = match summary.stopped.as_deref() {
        Some(_) if requested => RunStatus::Stopped,
        Some(s) if s.starts_with("the engine") => RunStatus::Failed,
        Some("stopped on request") => RunStatus::Stopped,
        _ => RunStatus::Completed,
    };
    let error = (status != RunStatus::Completed)
        .then(|| summary.stopped.clone())
        .flatten();
    if let Some((env_id, name)) = environment {
        let _ = writer.update_environment(
            &env_id,
            &name,
            Value::Object(summary.variables.environment.clone()),
        );
    }
    let _ = writer.set_run_status(id, status, Some(now_ms()), Some(value), error);
    let _ = writer.flush();
    runs.publish(id, ("complete", json!({"runId": id, "status": status, "stats": summary.stats, "failures": summary.failures.len()})));
    runs.active.lock().remove(id);
}
