//! Collections in the daemon: import (Postman v2.1 → saved tree), export (saved tree → v2.1),
//! and functional runs (`POST /run` with a collection). A run is one virtual user on the
//! engine plus one thread that folds its events into the store (a `results` row per request
//! executed, with its test outcomes; the summary at the end) and into the run's event streams.

use super::error::ApiError;
use super::reply::Reply;
use super::AppState;
use crate::collection::{
    import, junit_xml, run_collection, to_doc, to_tree, CollectionRunSpec, ImportOptions,
    RunSummary,
};
use crate::flow::{FlowEvent, FlowOptions};
use crate::script::Variables;
use crate::store::{new_id, now_ms, ResultRow, Run, RunStatus, RunType, StoreWriter};
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;

/// An event for a run's stream: its name and data.
pub(super) type StreamEvent = (&'static str, Value);

/// Collection runs in progress: how to stop each, and who listens.
#[derive(Default)]
pub struct CollectionRuns {
    active: Mutex<HashMap<String, Active>>,
}

struct Active {
    stop: Arc<AtomicBool>,
    subscribers: Vec<Sender<StreamEvent>>,
}

impl CollectionRuns {
    /// The run's events from now on, while it runs.
    pub fn subscribe(&self, id: &str) -> Option<Receiver<StreamEvent>> {
        let mut active = self.active.lock();
        let run = active.get_mut(id)?;
        let (tx, rx) = crossbeam_channel::unbounded();
        run.subscribers.push(tx);
        Some(rx)
    }

    pub fn is_active(&self, id: &str) -> bool {
        self.active.lock().contains_key(id)
    }

    /// Collection runs in progress.
    pub fn active_count(&self) -> usize {
        self.active.lock().len()
    }

    /// Asks every collection run to stop (the daemon is shutting down).
    pub fn stop_all(&self) {
        for run in self.active.lock().values() {
            run.stop.store(true, Relaxed);
        }
    }

    /// Asks a running collection run to stop before its next request.
    pub fn stop(&self, id: &str) -> bool {
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

/// `POST /collections/import`: a Postman collection export (the body) saved as a tree.
pub(super) fn import_collection(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let tree = to_tree(&body).map_err(|e| ApiError::field(&e.path, e.message))?;
    let id = tree.folders[0].id.clone();
    let answer = json!({
        "id": id,
        "collections": tree.folders.iter().map(|f| &f.id).collect::<Vec<_>>(),
        "requests": tree.requests.iter().map(|r| &r.request.id).collect::<Vec<_>>(),
    });
    state.store.writer().save_tree(tree)?;
    Ok(Reply::Located(201, answer, format!("/collections/{id}")))
}

/// `GET /collections/{id}/export`: the saved collection as Postman Collection v2.1.
pub(super) fn export_collection(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let tree = state
        .store
        .reader()?
        .collection_tree(id)?
        .ok_or_else(|| ApiError::missing("collection", id))?;
    Ok(Reply::Json(200, to_doc(&tree)))
}

/// `POST /run` with `collection` or `collectionId`: checks everything, then runs it in the
/// background; `202` with the run's id.
pub(super) fn start(state: &AppState, body: Map<String, Value>) -> Result<Reply, ApiError> {
    let spec = CollectionRunSpec::from_value(Value::Object(body.clone()))
        .map_err(|e| ApiError::invalid(e, ""))?;
    let reader = state.store.reader()?;
    let doc = match (&spec.collection, &spec.collection_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give `collection` or `collectionId`, not both",
            ))
        }
        (Some(doc), None) => Value::Object(doc.clone()),
        (None, Some(id)) => to_doc(
            &reader
                .collection_tree(id)?
                .ok_or_else(|| ApiError::missing("collection", id))?,
        ),
        (None, None) => {
            return Err(ApiError::field(
                "collection",
                "give a Postman collection (`collection`) or a saved one (`collectionId`)",
            ))
        }
    };
    let collection = import(
        &doc,
        &ImportOptions {
            working_dir: std::env::current_dir().unwrap_or_default(),
            folders: spec.folders(),
            skip_files: false,
            // A daemon must not send its host's files anywhere a request names: only those
            // under its working directory.
            no_insecure_file_read: true,
        },
    )
    .map_err(|e| ApiError::field("collection", e.to_string()))?;

    let (environment, saved_env) = super::handlers::saved::environment_of(&reader, &body)?;
    let mut variables = Variables::with_environment(environment);
    if let Some(globals) = &spec.globals {
        variables.globals = globals.clone();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let options = FlowOptions {
        stop: Some(Arc::clone(&stop)),
        ..spec.run_options().map_err(|e| ApiError::invalid(e, ""))?
    };
    let run = Started {
        collection,
        variables,
        options,
        stop,
        environment: saved_env.map(|env| (env.id, env.name)),
    };
    let id = record_and_spawn(state, body, run)?;
    Ok(Reply::Located(
        202,
        json!({"runId": id, "status": "running"}),
        format!("/run/{id}"),
    ))
}

/// A checked collection run, ready to go.
struct Started {
    collection: crate::collection::Collection,
    variables: Variables,
    options: FlowOptions,
    stop: Arc<AtomicBool>,
    /// The saved environment it runs with (id, name): what it leaves is saved back there.
    environment: Option<(String, String)>,
}

/// Records the run as running (its config: the body, an inline collection by its name) and
/// starts its thread; a thread that cannot start leaves the run recorded as failed.
fn record_and_spawn(
    state: &AppState,
    body: Map<String, Value>,
    run: Started,
) -> Result<String, ApiError> {
    let id = new_id("run");
    let writer = state.store.writer();
    let mut config = body;
    if let Some(Value::Object(_)) = config.get("collection") {
        config.insert("collection".into(), json!({"name": run.collection.name}));
    }
    writer.create_run(Run {
        id: id.clone(),
        request_id: None,
        environment_id: run.environment.as_ref().map(|(id, _)| id.clone()),
        run_type: RunType::Collection,
        status: RunStatus::Running,
        config: Value::Object(config),
        start_time: now_ms(),
        end_time: None,
        summary: None,
        error: None,
    })?;
    writer.flush()?;
    state.collection_runs.active.lock().insert(
        id.clone(),
        Active {
            stop: Arc::clone(&run.stop),
            subscribers: Vec::new(),
        },
    );
    let runs = Arc::clone(&state.collection_runs);
    let engine = Arc::clone(&state.engine);
    let run_id = id.clone();
    let thread_writer = writer.clone();
    let spawned = std::thread::Builder::new()
        .name("vayu-collection-run".into())
        .spawn(move || {
            let writer = thread_writer;
            let Started {
                collection,
                variables,
                options,
                environment,
                ..
            } = run;
            let summary = run_collection(&engine, &collection, variables, options, |event, _| {
                record(&writer, &runs, &run_id, event, &collection)
            });
            finish(&writer, &runs, &run_id, &summary, environment);
        });
    if let Err(e) = spawned {
        // Recorded as failed, not left running.
        let why = format!("cannot start the run: {e}");
        state.collection_runs.active.lock().remove(&id);
        writer.set_run_status(
            &id,
            RunStatus::Failed,
            Some(now_ms()),
            None,
            Some(why.clone()),
        )?;
        return Err(ApiError::new(500, "engine", why));
    }
    Ok(id)
}

/// One event: a request execution becomes a results row and a `request` stream event.
fn record(
    writer: &StoreWriter,
    runs: &CollectionRuns,
    id: &str,
    event: &FlowEvent,
    collection: &crate::collection::Collection,
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

/// `GET /run/{id}/junit`: a finished collection run's JUnit XML.
pub(super) fn junit(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let run = state
        .store
        .reader()?
        .get_run(id)?
        .ok_or_else(|| ApiError::missing("run", id))?;
    if run.run_type != RunType::Collection {
        return Err(ApiError::not_found(format!(
            "run `{id}` is a {} run; JUnit exists for collection runs",
            run.run_type.as_str()
        )));
    }
    let Some(summary) = run.summary else {
        return Err(ApiError::conflict(format!(
            "run `{id}` is {}; its JUnit exists when it ends",
            run.status
        )));
    };
    let summary: RunSummary = serde_json::from_value(summary).map_err(|e| {
        ApiError::new(
            500,
            "store",
            format!("the stored summary cannot be read: {e}"),
        )
    })?;
    Ok(Reply::Text("application/xml", junit_xml(&summary)))
}
