//! Runs: start (`POST /run`), list, read, reports, stop, delete, and their event streams.

use super::saved::environment_of;
use crate::api::error::ApiError;
use crate::api::reply::{number, query, required, Reply};
use crate::api::AppState;
use crate::run::{RunError, RunSpec};
use crate::store::{RunFilter, RunStatus, RunType};
use serde_json::{json, Value};

pub(crate) fn start_run(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    if state.shutting_down() {
        return Err(ApiError::new(
            409,
            "stopping",
            "the engine is shutting down; no new runs start",
        ));
    }
    let body = required(body)?;
    state.start_counted(|| start_counted_run(state, body))
}

fn start_counted_run(
    state: &AppState,
    body: serde_json::Map<String, Value>,
) -> Result<Reply, ApiError> {
    if body.contains_key("collection") || body.contains_key("collectionId") {
        return crate::api::collection_runs::start(state, body);
    }
    let mut body = body;
    resolve_saved_collection(state, &mut body)?;
    if body.contains_key("environmentId") {
        // A load run reads a saved environment; each user works on its own copy, so nothing is
        // saved back.
        let (scope, _) = environment_of(&state.store.reader()?, &body)?;
        body.remove("environmentId");
        body.insert("environment".into(), Value::Object(scope));
    }
    let spec: RunSpec =
        RunSpec::from_value(Value::Object(body)).map_err(|e| ApiError::invalid(e, ""))?;
    let handle = state.runs.start(&spec).map_err(|e| match e {
        RunError::Invalid(v) => ApiError::invalid(v, ""),
        RunError::Store(s) => s.into(),
        RunError::Engine(m) => ApiError::new(500, "engine", m),
    })?;
    let id = handle.id.clone();
    // The run's events are for streams that subscribe; this handle is not read.
    drop(handle);
    // The run row is written by the batching writer: make it visible before answering, so a
    // client's next GET /run/{id} finds it.
    state.store.writer().flush()?;
    Ok(Reply::Located(
        202,
        json!({"runId": id, "status": "running"}),
        format!("/run/{id}"),
    ))
}

/// A load run's `flow: {"collectionId": ...}` runs a saved collection: it goes in as the
/// collection itself, as a run file would give it.
fn resolve_saved_collection(
    state: &AppState,
    body: &mut serde_json::Map<String, Value>,
) -> Result<(), ApiError> {
    let Some(Value::Object(flow)) = body.get_mut("flow") else {
        return Ok(());
    };
    let Some(id) = flow.remove("collectionId") else {
        return Ok(());
    };
    if flow.contains_key("collection") {
        return Err(ApiError::field(
            "flow.collectionId",
            "give `collection` or `collectionId`, not both",
        ));
    }
    let Value::String(id) = id else {
        return Err(ApiError::field("flow.collectionId", "must be a string"));
    };
    let tree = state
        .store
        .reader()?
        .collection_tree(&id)?
        .ok_or_else(|| ApiError::missing("collection", &id))?;
    flow.insert("collection".into(), crate::collection::to_doc(&tree));
    Ok(())
}

pub(crate) fn list_runs(state: &AppState, url: &str) -> Result<Reply, ApiError> {
    let mut filter = RunFilter::default();
    for (key, value) in query(url) {
        match key {
            "status" => {
                filter.status = Some(RunStatus::parse(value).ok_or_else(|| {
                    ApiError::bad_request(format!(
                    "status `{value}` is not one of pending, running, completed, stopped, failed"
                ))
                })?)
            }
            "type" => {
                filter.run_type = Some(RunType::parse(value).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "type `{value}` is not design, load or collection"
                    ))
                })?)
            }
            "limit" => {
                let limit: u32 = number("limit", value)?;
                if !(1..=crate::store::MAX_PAGE).contains(&limit) {
                    return Err(ApiError::bad_request(format!(
                        "query parameter `limit` must be from 1 to {}, got {limit}",
                        crate::store::MAX_PAGE
                    )));
                }
                filter.limit = Some(limit);
            }
            "offset" => {
                let offset: u64 = number("offset", value)?;
                if offset > i64::MAX as u64 {
                    return Err(ApiError::bad_request(format!(
                        "query parameter `offset` must be at most {}, got {offset}",
                        i64::MAX
                    )));
                }
                filter.offset = Some(offset);
            }
            "q" => filter.text = Some(search_text(value)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{other}`; use status, type, q, limit, offset"
                )))
            }
        }
    }
    Ok(Reply::ok(state.store.reader()?.list_runs(&filter)?))
}

/// The longest `q` the runs list takes: a search, not a document.
const MAX_SEARCH: usize = 256;

/// `q`: percent-decoded (`+` is a space, as a form sends it), at most [`MAX_SEARCH`] characters.
fn search_text(value: &str) -> Result<String, ApiError> {
    let text = percent_encoding::percent_decode_str(&value.replace('+', " "))
        .decode_utf8()
        .map_err(|_| ApiError::bad_request("query parameter `q` is not percent-encoded UTF-8"))?
        .into_owned();
    if text.chars().count() > MAX_SEARCH {
        return Err(ApiError::bad_request(format!(
            "query parameter `q` must be at most {MAX_SEARCH} characters"
        )));
    }
    Ok(text)
}

pub(crate) fn get_run(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let run = state
        .store
        .reader()?
        .get_run(id)?
        .ok_or_else(|| ApiError::missing("run", id))?;
    let mut out = serde_json::to_value(&run).unwrap_or_default();
    if let Some(progress) = state.runs.progress(id) {
        out["progress"] = serde_json::to_value(progress).unwrap_or_default();
    }
    Ok(Reply::Json(200, out))
}

pub(crate) fn run_report(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let reader = state.store.reader()?;
    let run = reader
        .get_run(id)?
        .ok_or_else(|| ApiError::missing("run", id))?;
    match run.summary {
        Some(summary) => Ok(Reply::Json(200, summary)),
        None if !run.status.is_terminal() => Err(ApiError::conflict(format!(
            "run `{id}` is {}; its report exists when it ends",
            run.status
        ))),
        // Ended without its report (the engine was killed): what its recorded seconds say.
        None => {
            let seconds = crate::ui::series(reader.run_metrics(id, None, None)?);
            crate::run::PartialReport::from_seconds(id, run.status, run.error, seconds)
                .map(|partial| Reply::Json(200, serde_json::to_value(partial).unwrap_or_default()))
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "run `{id}` ended {} without a report, and recorded no second to make one from",
                        run.status
                    ))
                })
        }
    }
}

/// `GET /run/{id}/report.html`: a finished run's report as one self-contained page: a load
/// run's with its per-second metrics from the database, a collection run's with its requests.
pub(crate) fn run_report_html(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let Reply::Json(_, summary) = run_report(state, id)? else {
        unreachable!("run_report answers JSON")
    };
    // A collection run's summary (Newman's counts) is not a load report: its own page.
    if summary.get("executions").is_some() {
        let name = summary["collection"]["name"]
            .as_str()
            .unwrap_or(id)
            .to_string();
        return Ok(Reply::Page(crate::ui::html_collection_report(
            &name, &summary,
        )));
    }
    let report: crate::run::FinalReport = serde_json::from_value(summary)
        .map_err(|_| ApiError::not_found(format!("run `{id}` has no load or collection report")))?;
    let series = crate::ui::series(state.store.reader()?.run_metrics(id, None, None)?);
    Ok(Reply::Page(crate::ui::html_report(&report, &series)))
}

pub(crate) fn stop_run(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    if state.runs.stop(id) {
        return Ok(Reply::Json(202, json!({"runId": id, "status": "stopping"})));
    }
    match state.store.reader()?.get_run(id)? {
        Some(run) => Err(ApiError::conflict(format!(
            "run `{id}` is {}; only running runs can be stopped",
            run.status
        ))),
        None => Err(ApiError::missing("run", id)),
    }
}

pub(crate) fn delete_run(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    state.store.writer().delete_run(id)?;
    Ok(Reply::NoContent)
}

pub(crate) fn stats(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let active = state.runs.active_runs().iter().any(|r| r == id);
    if !active && state.store.reader()?.get_run(id)?.is_none() {
        return Err(ApiError::missing("run", id));
    }
    Ok(Reply::Stream(id.to_string()))
}
