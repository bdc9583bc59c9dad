//! Recording design requests and batches as runs in the database (used by `vayu-cli` with
//! `--db` and by the daemon).

use crate::engine::{BatchReport, Outcome};
use crate::model::RequestSpec;
use crate::script::ScriptedResult;
use crate::store::{
    new_id, now_ms, resolve_path, ResultPolicy, ResultRecorder, ResultRow, Run, RunStatus, RunType,
    Store, StoreError, StoreWriter,
};

/// The store to record in: `--db` if given, else `VAYU_DB` if set, else none (the CLI does not
/// create databases unasked).
pub(crate) fn open_store(flag: Option<&str>) -> Result<Option<Store>, StoreError> {
    if flag.is_none() && std::env::var_os("VAYU_DB").is_none_or(|v| v.is_empty()) {
        return Ok(None);
    }
    Ok(Some(Store::open(resolve_path(flag))?))
}

fn new_run(run_type: RunType, status: RunStatus, config: serde_json::Value) -> Run {
    Run {
        id: new_id("run"),
        request_id: None,
        environment_id: None,
        run_type,
        status,
        config,
        start_time: now_ms(),
        end_time: None,
        summary: None,
        error: None,
    }
}

/// Files a recorded request keeps whole; a larger one is kept without its bytes (`omitted`),
/// so a design run's row does not grow by every upload sent.
const RECORDED_FILE_BYTES: usize = 64 * 1024;

/// `spec` as recorded: its uploaded files over [`RECORDED_FILE_BYTES`] without their bytes.
fn recorded_spec(spec: &RequestSpec) -> RequestSpec {
    let mut spec = spec.clone();
    let files = spec
        .form_data
        .iter_mut()
        .flatten()
        .filter_map(|p| p.file.as_mut())
        .chain(spec.body_file.as_mut());
    for file in files {
        // Base64 is 4 characters per 3 bytes.
        if file.base64.len() / 4 * 3 > RECORDED_FILE_BYTES {
            file.base64 = String::new();
            file.omitted = true;
        }
    }
    spec
}

/// Records one design-mode request in full: the request as written (large uploads without
/// their bytes), the response (or error), the scripts' tests and console output.
pub(crate) fn record_design(
    writer: &StoreWriter,
    spec: &RequestSpec,
    result: &ScriptedResult,
) -> Result<String, StoreError> {
    let spec = &recorded_spec(spec);
    let mut run = new_run(
        RunType::Design,
        RunStatus::Running,
        serde_json::json!({ "request": spec }),
    );
    let id = run.id.clone();
    let failure = match (&result.error, &result.invalid) {
        (Some(e), _) => Some(e.to_string()),
        (None, Some(invalid)) => Some(format!("invalid request: {invalid}")),
        (None, None) if result.response.is_none() => {
            Some("the pre-request script failed; nothing was sent".to_string())
        }
        _ => None,
    };
    let response = result.response.as_ref();
    let row = ResultRow {
        id: 0,
        run_id: id.clone(),
        timestamp: now_ms(),
        status_code: response.map(|r| r.status),
        latency_ms: response.map(|r| r.timings.total as f64 / 1000.0),
        error: failure.clone(),
        trace_data: Some(serde_json::json!({ "request": spec, "result": result })),
    };
    run.status = if failure.is_some() {
        RunStatus::Failed
    } else {
        RunStatus::Completed
    };
    run.end_time = Some(now_ms());
    run.error = failure;
    writer.create_run(run)?;
    writer.record_result(row)?;
    writer.flush()?;
    Ok(id)
}

/// One worker's side of a batch or load run's recording.
#[derive(Clone)]
pub(crate) struct OutcomeRecorder {
    recorder: ResultRecorder,
    run_id: String,
}

impl OutcomeRecorder {
    pub(crate) fn new(recorder: ResultRecorder, run_id: String) -> OutcomeRecorder {
        OutcomeRecorder { recorder, run_id }
    }

    pub(crate) fn counts(&self) -> crate::store::RecordCounts {
        self.recorder.counts()
    }

    pub(crate) fn record(&mut self, outcome: &Outcome) {
        self.record_traced(outcome, || None);
    }

    /// Records with `trace_data` (built only when the result is kept).
    pub(crate) fn record_traced(
        &mut self,
        outcome: &Outcome,
        trace: impl FnOnce() -> Option<serde_json::Value>,
    ) {
        let failed = outcome.error.is_some() || outcome.status >= 400;
        let run_id = &self.run_id;
        self.recorder.offer(failed, || ResultRow {
            id: 0,
            run_id: run_id.clone(),
            timestamp: now_ms(),
            status_code: (outcome.status > 0).then_some(outcome.status),
            latency_ms: outcome
                .error
                .is_none()
                .then(|| outcome.timings.total as f64 / 1000.0),
            error: outcome.error.as_ref().map(|e| e.to_string()),
            trace_data: trace(),
        });
    }
}

/// A batch being recorded as a `load` run.
pub(crate) struct BatchRecording {
    store: Store,
    run_id: String,
    recorder: ResultRecorder,
}

impl BatchRecording {
    pub(crate) fn start(
        store: Store,
        config: serde_json::Value,
    ) -> Result<BatchRecording, StoreError> {
        let writer = store.writer();
        let run = new_run(RunType::Load, RunStatus::Running, config);
        let run_id = run.id.clone();
        writer.create_run(run)?;
        let recorder = ResultRecorder::new(writer, ResultPolicy::default());
        Ok(BatchRecording {
            store,
            run_id,
            recorder,
        })
    }

    /// A per-worker recorder that offers each outcome to the result policy; never blocks.
    pub(crate) fn recorder(&self) -> OutcomeRecorder {
        OutcomeRecorder {
            recorder: self.recorder.clone(),
            run_id: self.run_id.clone(),
        }
    }

    /// Marks the run completed with the report as its summary, and commits everything.
    pub(crate) fn finish(self, report: &BatchReport) -> Result<String, StoreError> {
        let writer = self.store.writer();
        let summary = serde_json::to_value(report).expect("a report always serialises");
        writer.set_run_status(
            &self.run_id,
            RunStatus::Completed,
            Some(now_ms()),
            Some(summary),
            None,
        )?;
        writer.flush()?;
        self.store.close();
        Ok(self.run_id)
    }
}
