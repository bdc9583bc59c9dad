//! The endpoints. Each takes the parsed request and returns a reply or an `ApiError`.

use super::error::ApiError;
use super::http::Request;
use super::security::MAX_BODY;
use super::AppState;
use crate::model::RequestSpec;
use crate::recording::record_design;
use crate::run::{RunError, RunSpec};
use crate::script::{ScriptLimits, ScriptedRequest, Variables};
use crate::store::{RequestFields, RunFilter, RunStatus, RunType, StoreError};
use serde_json::{json, Value};

/// What an endpoint answers.
pub enum Reply {
    Json(u16, Value),
    /// 201 or 202 with a `Location`.
    Located(u16, Value, String),
    NoContent,
    Text(&'static str, String),
    /// A self-contained HTML page (a run's report): served with a policy that lets it load
    /// nothing.
    Page(String),
    /// A dashboard file (content type, content), served with a policy that allows only the
    /// engine's own origin.
    File(&'static str, &'static str),
    /// Hand the request to an SSE stream for this run.
    Stream(String),
}

impl Reply {
    /// 200 with a stored record as JSON.
    fn ok(record: impl serde::Serialize) -> Reply {
        Reply::Json(200, serde_json::to_value(record).unwrap_or_default())
    }

    /// 201 with the record just created and where it now lives.
    fn created(record: impl serde::Serialize, location: String) -> Reply {
        Reply::Located(
            201,
            serde_json::to_value(record).unwrap_or_default(),
            location,
        )
    }
}

/// The request body as JSON; a missing body is `null`.
pub fn read_json(req: &Request) -> Result<Value, ApiError> {
    let bytes = req.body();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

fn required(body: Value) -> Result<serde_json::Map<String, Value>, ApiError> {
    match body {
        Value::Object(map) => Ok(map),
        Value::Null => Err(ApiError::bad_request(
            "this endpoint needs a JSON object body",
        )),
        _ => Err(ApiError::bad_request("the body must be a JSON object")),
    }
}

/// Query parameters, split on `&` and `=` (the API's parameters need no percent-decoding).
pub fn query(url: &str) -> Vec<(&str, &str)> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .collect()
        })
        .unwrap_or_default()
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "query parameter `{name}` must be a non-negative number, got `{value}`"
        ))
    })
}

pub fn health(state: &AppState) -> Reply {
    Reply::Json(
        200,
        json!({
            "status": if state.shutting_down() { "stopping" } else { "ok" },
            "version": crate::version::VERSION,
            "commit": crate::version::GIT_COMMIT,
            "libcurl": crate::version::libcurl_version(),
            "workers": state.engine.worker_count(),
            "uptimeSecs": state.started.elapsed().as_secs_f64(),
            "activeRuns": state.runs.active_runs().len() + state.collection_runs.active_count(),
        }),
    )
}

pub fn config(state: &AppState) -> Reply {
    let c = state.engine.config();
    let limits = ScriptLimits::default();
    Reply::Json(
        200,
        json!({
            "bind": state.config.bind.to_string(),
            "port": state.config.port,
            "db": state.store.path().display().to_string(),
            "workers": state.engine.worker_count(),
            "pinWorkers": c.pin_workers,
            "maxConcurrentPerWorker": c.max_concurrent,
            "maxPerHost": c.max_per_host,
            "responseBodyCapBytes": c.body_cap,
            "userAgent": c.user_agent,
            "maxRequestBodyBytes": MAX_BODY,
            "openFileLimit": vayu_ffi::raise_open_file_limit().ok(),
            "tokenRequired": state.config.token.is_some(),
            "allowOrigins": state.config.allow_origins,
            "scriptLimits": {"memoryBytes": limits.memory_bytes, "timeMs": limits.time.as_millis() as u64, "stackBytes": limits.stack_bytes},
        }),
    )
}

/// Prometheus text format: engine-wide counters, as monitored load boxes expect.
pub fn metrics(state: &AppState) -> Reply {
    use std::fmt::Write;
    let e = &state.engine;
    let mut out = String::new();
    let _ = writeln!(out, "# HELP vayu_requests_total Finished requests by outcome (class: 1xx..5xx, or error for transport failures).");
    let _ = writeln!(out, "# TYPE vayu_requests_total counter");
    for (i, n) in e.outcomes_by_class().iter().enumerate() {
        let class = if i == 0 {
            "error".to_string()
        } else {
            format!("{i}xx")
        };
        let _ = writeln!(out, "vayu_requests_total{{class=\"{class}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP vayu_in_flight Requests in flight.\n# TYPE vayu_in_flight gauge\nvayu_in_flight {}",
        e.active_count()
    );
    let _ = writeln!(out, "# HELP vayu_active_runs Load and collection runs running.\n# TYPE vayu_active_runs gauge\nvayu_active_runs {}", state.runs.active_runs().len() + state.collection_runs.active_count());
    let _ = writeln!(out, "# HELP vayu_queue_depth Single requests waiting per worker.\n# TYPE vayu_queue_depth gauge");
    for (i, depth) in e.queue_depths().iter().enumerate() {
        let _ = writeln!(out, "vayu_queue_depth{{worker=\"{i}\"}} {depth}");
    }
    let (buckets, sum_us) = e.latency_buckets();
    let _ = writeln!(out, "# HELP vayu_request_duration_seconds Service time of every response the engine received (send to last byte).\n# TYPE vayu_request_duration_seconds histogram");
    let mut cumulative = 0;
    for (i, n) in buckets.iter().enumerate() {
        cumulative += n;
        let le = crate::engine::LATENCY_BUCKETS_US
            .get(i)
            .map_or("+Inf".to_string(), |us| format!("{}", *us as f64 / 1e6));
        let _ = writeln!(
            out,
            "vayu_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
        );
    }
    let _ = writeln!(
        out,
        "vayu_request_duration_seconds_sum {:.6}\nvayu_request_duration_seconds_count {cumulative}",
        sum_us as f64 / 1e6
    );
    let _ = writeln!(out, "# HELP vayu_uptime_seconds Seconds since the engine started.\n# TYPE vayu_uptime_seconds gauge\nvayu_uptime_seconds {:.3}", state.started.elapsed().as_secs_f64());
    Reply::Text("text/plain; version=0.0.4", out)
}

/// `POST /request`: design mode, with scripts; recorded as a design run.
pub fn request(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let body = required(body)?;
    let reader = state.store.reader()?;
    let spec_json = match (body.get("request"), body.get("requestId")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give `request` or `requestId`, not both",
            ))
        }
        (Some(r), None) => r.clone(),
        (None, Some(Value::String(id))) => {
            let saved = reader
                .get_request(id)?
                .ok_or_else(|| ApiError::missing("request", id))?;
            let mut spec = json!({"name": saved.name, "method": saved.method, "url": saved.url, "headers": saved.headers});
            for (key, value) in [("body", saved.body), ("auth", saved.auth)] {
                if let Some(v) = value {
                    spec[key] = v;
                }
            }
            for (key, value) in [
                ("preRequestScript", saved.pre_request_script),
                ("testScript", saved.post_request_script),
            ] {
                if let Some(v) = value {
                    spec[key] = json!(v);
                }
            }
            spec
        }
        (None, Some(_)) => return Err(ApiError::field("requestId", "must be a string")),
        (None, None) => {
            return Err(ApiError::field(
                "request",
                "give the request inline (`request`) or saved (`requestId`)",
            ))
        }
    };
    let spec = RequestSpec::from_json(&spec_json.to_string())
        .map_err(|e| ApiError::invalid(e, "request."))?;
    let (environment, saved_env) = environment_of(&reader, &body)?;
    let mut variables = Variables::with_environment(environment);
    for (key, scope) in [
        ("collectionVariables", &mut variables.collection),
        ("globals", &mut variables.globals),
    ] {
        if let Some(Value::Object(map)) = body.get(key) {
            *scope = map.clone();
        }
    }
    let result = ScriptedRequest::new(spec.clone(), variables).send(&state.engine);
    if let Some(invalid) = &result.invalid {
        return Err(ApiError::invalid(invalid.clone(), "request."));
    }
    let writer = state.store.writer();
    let run_id = record_design(&writer, &spec, &result)?;
    if let Some(env) = saved_env {
        writer.update_environment(
            &env.id,
            &env.name,
            Value::Object(result.variables.environment.clone()),
        )?;
    }
    let mut out = serde_json::to_value(&result).unwrap_or_default();
    out["runId"] = json!(run_id);
    Ok(Reply::Json(200, out))
}

/// The environment a body gives inline (`environment`) or saved (`environmentId`), not both;
/// the saved one too, so what the scripts leave can be saved back.
pub(crate) fn environment_of(
    reader: &crate::store::Reader,
    body: &serde_json::Map<String, Value>,
) -> Result<(crate::script::Scope, Option<crate::store::Environment>), ApiError> {
    match (body.get("environment"), body.get("environmentId")) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "give `environment` or `environmentId`, not both",
        )),
        (Some(Value::Object(map)), None) => Ok((map.clone(), None)),
        (Some(_), None) => Err(ApiError::field(
            "environment",
            "must be an object of variables",
        )),
        (None, Some(Value::String(id))) => {
            let env = reader
                .get_environment(id)?
                .ok_or_else(|| ApiError::missing("environment", id))?;
            let scope = env.variables.as_object().cloned().unwrap_or_default();
            Ok((scope, Some(env)))
        }
        (None, Some(_)) => Err(ApiError::field("environmentId", "must be a string")),
        (None, None) => Ok((Default::default(), None)),
    }
}

pub fn start_run(state: &AppState, body: Value) -> Result<Reply, ApiError> {
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
        return super::collection_runs::start(state, body);
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
    let spec: RunSpec = RunSpec::from_json(&Value::Object(body).to_string())
        .map_err(|e| ApiError::invalid(e, ""))?;
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

pub fn list_runs(state: &AppState, url: &str) -> Result<Reply, ApiError> {
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
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{other}`; use status, type, limit, offset"
                )))
            }
        }
    }
    Ok(Reply::ok(state.store.reader()?.list_runs(&filter)?))
}

pub fn get_run(state: &AppState, id: &str) -> Result<Reply, ApiError> {
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

pub fn run_report(state: &AppState, id: &str) -> Result<Reply, ApiError> {
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

/// `GET /ui/` and its files.
pub fn ui_file(name: &str) -> Result<Reply, ApiError> {
    crate::ui::asset(name)
        .map(|(content_type, content)| Reply::File(content_type, content))
        .ok_or_else(|| {
            ApiError::not_found(format!("the dashboard has no file `{name}`; open /ui/"))
        })
}

/// `GET /run/{id}/report.html`: a finished run's report as one self-contained page: a load
/// run's with its per-second metrics from the database, a collection run's with its requests.
pub fn run_report_html(state: &AppState, id: &str) -> Result<Reply, ApiError> {
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

pub fn stop_run(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    if state.runs.stop(id) || state.collection_runs.stop(id) {
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

pub fn delete_run(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    state.store.writer().delete_run(id)?;
    Ok(Reply::NoContent)
}

pub fn stats(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let active =
        state.runs.active_runs().iter().any(|r| r == id) || state.collection_runs.is_active(id);
    if !active && state.store.reader()?.get_run(id)?.is_none() {
        return Err(ApiError::missing("run", id));
    }
    Ok(Reply::Stream(id.to_string()))
}

// --- Saved work -----------------------------------------------------------------------------

/// Refuses fields the endpoint does not take (a typo should not be ignored silently).
fn only(map: &serde_json::Map<String, Value>, fields: &[&str]) -> Result<(), ApiError> {
    match map.keys().find(|k| !fields.contains(&k.as_str())) {
        Some(unknown) => Err(ApiError::field(
            unknown.clone(),
            format!("unknown field; use {}", fields.join(", ")),
        )),
        None => Ok(()),
    }
}

fn name_of(map: &serde_json::Map<String, Value>) -> Result<String, ApiError> {
    match map.get("name") {
        Some(Value::String(n)) if !crate::model::is_blank(n) => Ok(n.clone()),
        _ => Err(ApiError::field("name", "a non-empty string is required")),
    }
}

fn optional_id(
    map: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<String>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::field(key, "must be a string or null")),
    }
}

pub fn list_collections(state: &AppState, url: &str) -> Result<Reply, ApiError> {
    let parent = query(url)
        .into_iter()
        .find(|(k, _)| *k == "parentId")
        .map(|(_, v)| v.to_string());
    Ok(Reply::Json(
        200,
        json!({"items": state.store.reader()?.list_collections(parent.as_deref())?}),
    ))
}

/// A resource the body refers to (`parentId`, `collectionId`) that does not exist conflicts with
/// what is stored (409, naming the field); it is not a missing URL (404): the resource the URL
/// names (`url_id`) may well exist.
fn referenced<'a>(
    field: &'static str,
    url_id: Option<&'a str>,
) -> impl Fn(StoreError) -> ApiError + 'a {
    move |e| match e {
        StoreError::NotFound { what, id } if Some(id.as_str()) != url_id => ApiError {
            field: Some(field.into()),
            ..ApiError::conflict(format!(
                "{what} `{id}` does not exist; create it first, or leave out `{field}`"
            ))
        },
        other => other.into(),
    }
}

pub fn create_collection(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let map = required(body)?;
    only(&map, &["name", "parentId"])?;
    let c = state
        .store
        .writer()
        .create_collection(&name_of(&map)?, optional_id(&map, "parentId")?.as_deref())
        .map_err(referenced("parentId", None))?;
    let location = format!("/collections/{}", c.id);
    Ok(Reply::created(c, location))
}

pub fn get_collection(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let c = state
        .store
        .reader()?
        .get_collection(id)?
        .ok_or_else(|| ApiError::missing("collection", id))?;
    Ok(Reply::ok(c))
}

pub fn update_collection(state: &AppState, id: &str, body: Value) -> Result<Reply, ApiError> {
    let map = required(body)?;
    only(&map, &["name", "parentId"])?;
    let c = state
        .store
        .writer()
        .update_collection(
            id,
            &name_of(&map)?,
            optional_id(&map, "parentId")?.as_deref(),
        )
        .map_err(referenced("parentId", Some(id)))?;
    Ok(Reply::ok(c))
}

pub fn delete_collection(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    state.store.writer().delete_collection(id)?;
    Ok(Reply::NoContent)
}

fn request_fields(body: Value) -> Result<RequestFields, ApiError> {
    let fields: RequestFields = serde_json::from_value(Value::Object(required(body)?))
        .map_err(|e| ApiError::new(422, "invalid", e.to_string()))?;
    // Checked now: what does not depend on variables. The url and headers may hold {{names}}
    // and are checked when the request is sent.
    crate::model::Method::parse(&fields.method).map_err(|e| ApiError::invalid(e, ""))?;
    if fields
        .auth
        .as_ref()
        .is_some_and(|a| !a.is_object() && !a.is_null())
    {
        return Err(ApiError::field(
            "auth",
            "must be an object such as {\"type\": \"bearer\", \"token\": \"...\"}, or null",
        ));
    }
    if crate::model::is_blank(&fields.url) {
        return Err(ApiError::field("url", "is empty"));
    }
    let mut spec = json!({"method": fields.method, "url": fields.url, "headers": fields.headers.clone().unwrap_or(json!([]))});
    if let Some(b) = &fields.body {
        spec["body"] = b.clone();
    }
    RequestSpec::from_json(&spec.to_string()).map_err(|e| ApiError::invalid(e, ""))?;
    Ok(fields)
}

pub fn list_requests(state: &AppState, url: &str) -> Result<Reply, ApiError> {
    let collection = query(url)
        .into_iter()
        .find(|(k, _)| *k == "collectionId")
        .map(|(_, v)| v.to_string());
    Ok(Reply::Json(
        200,
        json!({"items": state.store.reader()?.list_requests(collection.as_deref())?}),
    ))
}

pub fn create_request(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let r = state
        .store
        .writer()
        .create_request(request_fields(body)?)
        .map_err(referenced("collectionId", None))?;
    let location = format!("/requests/{}", r.id);
    Ok(Reply::created(r, location))
}

pub fn get_request(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let r = state
        .store
        .reader()?
        .get_request(id)?
        .ok_or_else(|| ApiError::missing("request", id))?;
    Ok(Reply::ok(r))
}

pub fn update_request(state: &AppState, id: &str, body: Value) -> Result<Reply, ApiError> {
    let r = state
        .store
        .writer()
        .update_request(id, request_fields(body)?)
        .map_err(referenced("collectionId", Some(id)))?;
    Ok(Reply::ok(r))
}

pub fn delete_request(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    state.store.writer().delete_request(id)?;
    Ok(Reply::NoContent)
}

fn environment_fields(body: Value) -> Result<(String, Value), ApiError> {
    let map = required(body)?;
    only(&map, &["name", "variables"])?;
    let variables = match map.get("variables") {
        None => json!({}),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            return Err(ApiError::field(
                "variables",
                "must be an object of variables",
            ))
        }
    };
    Ok((name_of(&map)?, variables))
}

pub fn list_environments(state: &AppState) -> Result<Reply, ApiError> {
    Ok(Reply::Json(
        200,
        json!({"items": state.store.reader()?.list_environments()?}),
    ))
}

pub fn create_environment(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let (name, variables) = environment_fields(body)?;
    let e = state.store.writer().create_environment(&name, variables)?;
    let location = format!("/environments/{}", e.id);
    Ok(Reply::created(e, location))
}

pub fn get_environment(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let e = state
        .store
        .reader()?
        .get_environment(id)?
        .ok_or_else(|| ApiError::missing("environment", id))?;
    Ok(Reply::ok(e))
}

pub fn update_environment(state: &AppState, id: &str, body: Value) -> Result<Reply, ApiError> {
    let (name, variables) = environment_fields(body)?;
    let e = state
        .store
        .writer()
        .update_environment(id, &name, variables)?;
    Ok(Reply::ok(e))
}

pub fn delete_environment(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    state.store.writer().delete_environment(id)?;
    Ok(Reply::NoContent)
}
