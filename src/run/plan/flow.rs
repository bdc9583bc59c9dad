//! A load run's journey: `flow` in the run file (a list of steps, or a Postman collection with
//! an optional folder), `data` rows, and what every virtual user starts from. Checked up front;
//! every error names the field.

use super::fields::err;
use crate::collection::{import, ImportOptions};
use crate::flow::{FlowOptions, Step, StepBody};
use crate::model::duration::duration_from_json;
use crate::model::{form_parts, Method, RequestSpec, ValidationError};
use crate::script::{Scope, Scripts, Variables};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// The journey every virtual user of a run follows.
#[derive(Debug)]
pub struct FlowPlan {
    pub steps: Arc<Vec<Step>>,
    /// The steps' names as reported (unique: a repeated name gets " #2", " #3", ...).
    pub names: Vec<String>,
    pub options: Arc<FlowOptions>,
    /// Iteration data: iteration `i` reads row `i` modulo their number (no row repeats until
    /// every row was read).
    pub data: Vec<Scope>,
}

/// `flow` as written: its steps, and the collection's variables when it is a collection.
pub(super) fn flow_steps(flow: &Value) -> Result<(Vec<Step>, Scope), ValidationError> {
    match flow {
        Value::Array(items) if items.is_empty() => {
            Err(err("flow", "the list is empty; add a step"))
        }
        Value::Array(items) => {
            let steps = items
                .iter()
                .enumerate()
                .map(|(i, item)| step_of(i, item))
                .collect::<Result<_, _>>()?;
            Ok((steps, Scope::new()))
        }
        Value::Object(map) => collection_steps(map),
        _ => Err(err(
            "flow",
            "must be a list of steps (requests) or {\"collection\": ..., \"folder\": ...}",
        )),
    }
}

fn think_time(field: &str, value: Option<&Value>) -> Result<Duration, ValidationError> {
    value
        .map(|v| {
            duration_from_json(v, 1000.0).map_err(|m| {
                err(
                    field,
                    format!("{m} (seconds, or a string such as \"500ms\")"),
                )
            })
        })
        .transpose()
        .map(Option::unwrap_or_default)
}

/// A step written in the run file: a request (as `request` takes) with an optional `thinkTime`.
fn step_of(i: usize, item: &Value) -> Result<Step, ValidationError> {
    let base = format!("flow[{i}]");
    let Value::Object(map) = item else {
        return Err(err(
            &base,
            "a step is a request object: {\"name\": ..., \"url\": ...}",
        ));
    };
    let mut map = map.clone();
    let think = think_time(
        &format!("{base}.thinkTime"),
        map.remove("thinkTime").as_ref(),
    )?;
    let de = Value::Object(map);
    let request: RequestSpec = serde_path_to_error::deserialize(&de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            base.clone()
        } else {
            format!("{base}.{path}")
        };
        err(&field, e.into_inner().to_string())
    })?;
    // Checked as written (variables may still be in it); a user checks it again once substituted.
    if !request.url.contains("{{") {
        request.prepare().map_err(|e| {
            let field = if e.field.is_empty() {
                base.clone()
            } else {
                format!("{base}.{}", e.field)
            };
            err(&field, e.message)
        })?;
    }
    let name = request
        .name
        .clone()
        .unwrap_or_else(|| format!("step {}", i + 1));
    Ok(request_step(request, name, think))
}

/// A request written in the run file as a flow step.
pub(super) fn request_step(mut request: RequestSpec, name: String, think_time: Duration) -> Step {
    let scripts = Scripts::of(&request);
    let body = decoded_body(&mut request);
    Step {
        id: String::new(),
        name,
        folders: Vec::new(),
        pre_request: scripts.pre_request.into_iter().collect(),
        test: scripts.test.into_iter().collect(),
        request,
        body,
        // The run file's body is sent as written, with any method.
        keep_body: true,
        raw_url: false,
        no_cookies: false,
        raw_type: None,
        think_time,
        description: String::new(),
        auth_owner: String::new(),
    }
}

/// A run file's `formData` or `bodyFile` decoded once, as the step's body, not on every send.
/// Only a request whose body design mode would send (one body form, not on HEAD) is decoded;
/// any other is left as written, and each send refuses it as design mode does.
fn decoded_body(request: &mut RequestSpec) -> StepBody {
    let sendable = Method::parse(&request.method)
        .is_ok_and(|method| request.inline_body(method).is_ok_and(|b| b.is_some()));
    if !sendable {
        return StepBody::Raw;
    }
    if let Some(parts) = request.form_data.take() {
        // Checked just above: `form_parts` cannot refuse them now.
        return form_parts(&parts).map_or(StepBody::Raw, StepBody::FormData);
    }
    match request.body_file.take().map(|f| f.body()) {
        Some(Ok((bytes, content_type))) => StepBody::File {
            bytes: Arc::new(bytes),
            content_type: Some(content_type),
        },
        _ => StepBody::Raw,
    }
}

fn collection_steps(map: &Map<String, Value>) -> Result<(Vec<Step>, Scope), ValidationError> {
    const FIELDS: [&str; 3] = ["collection", "folder", "thinkTime"];
    if let Some(k) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        let hint = if k == "collectionId" {
            "a saved collection is found by the daemon; send the run to it (`vayu-cli load --engine`)".to_string()
        } else {
            format!(
                "unknown field; a collection flow takes {}",
                FIELDS.join(", ")
            )
        };
        return Err(err(&format!("flow.{k}"), hint));
    }
    let doc = match map.get("collection") {
        Some(doc @ Value::Object(_)) => doc,
        Some(Value::String(_)) => {
            return Err(err(
                "flow.collection",
                "a file path is read by vayu-cli; through the API give the collection itself or collectionId",
            ))
        }
        Some(_) => return Err(err("flow.collection", "must be a Postman collection")),
        None => return Err(err("flow.collection", "give the collection the flow runs")),
    };
    let folders = match map.get("folder") {
        None => Vec::new(),
        Some(Value::String(f)) => vec![f.clone()],
        Some(_) => return Err(err("flow.folder", "must be a folder's name")),
    };
    let collection = import(
        doc,
        &ImportOptions {
            working_dir: std::env::current_dir().unwrap_or_default(),
            folders,
            skip_files: false,
            // A daemon must not send its host's files anywhere a request names: only those
            // under its working directory.
            no_insecure_file_read: true,
        },
    )
    .map_err(|e| err("flow.collection", e.to_string()))?;
    if collection.steps.is_empty() {
        return Err(err(
            "flow.collection",
            "the collection (or folder) has no request",
        ));
    }
    let think = think_time("flow.thinkTime", map.get("thinkTime"))?;
    let steps = collection
        .steps
        .into_iter()
        .map(|mut s| {
            s.think_time = think;
            s
        })
        .collect();
    Ok((steps, collection.variables))
}

/// Reported names: the step's path, made unique.
pub(super) fn step_names(steps: &[Step]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(steps.len());
    for step in steps {
        let base = step.full_name();
        let mut name = base.clone();
        let mut n = 1;
        while names.contains(&name) {
            n += 1;
            name = format!("{base} #{n}");
        }
        names.push(name);
    }
    names
}

/// `data`: a list of rows (objects). A file is read by the CLI, which puts its rows here.
pub(super) fn data_rows(data: Option<&Value>) -> Result<Vec<Scope>, ValidationError> {
    match data {
        None => Ok(Vec::new()),
        Some(Value::String(_)) => Err(err(
            "data",
            "a file path is read by vayu-cli; through the API give the rows: [{\"column\": value}, ...]",
        )),
        Some(rows) => crate::flow::json_rows(rows.clone()).map_err(|m| err("data", m)),
    }
}

/// The plan's variables with a collection's own under them.
pub(super) fn with_collection_variables(mut variables: Variables, collection: Scope) -> Variables {
    for (k, v) in collection {
        variables.collection.entry(k).or_insert(v);
    }
    variables
}
