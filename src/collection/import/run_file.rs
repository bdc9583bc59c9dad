//! An import as a load run file: its requests as the run's `flow` steps (each with its
//! scripts, auth, body and think time), the collection's variables as the run's
//! `environment`, and one pass through the journey (mode `iterations`), to be scaled from there
//! (`docs/load.md`).

use super::{import, ImportError, ImportOptions, Imported};
use crate::flow::{Step, StepBody};
use crate::model::HeaderSpec;
use serde_json::{json, Map, Value};

/// The run file: `{"name", "flow": [...], "environment": {...}, "config": {...}}`.
pub fn run_file(imported: &Imported) -> Result<Value, ImportError> {
    let collection = import(
        &imported.collection,
        &ImportOptions {
            skip_files: true,
            ..ImportOptions::default()
        },
    )?;
    let mut flow = Vec::with_capacity(collection.steps.len());
    for (i, step) in collection.steps.iter().enumerate() {
        let mut written = flow_step(step)?;
        if let Some(think) = imported.think_times.get(i).filter(|t| !t.is_zero()) {
            written["thinkTime"] = json!(format!("{}ms", think.as_millis()));
        }
        flow.push(written);
    }
    Ok(json!({
        "name": collection.name,
        "flow": flow,
        "environment": collection.variables,
        // The shortcuts, so `vayu-cli load --rps N --duration D` turns it into a load test.
        "config": {"mode": "iterations", "iterations": 1, "concurrency": 1},
    }))
}

/// One step as a run file writes it: a request (`docs/cli.md`) with a full name.
fn flow_step(step: &Step) -> Result<Value, ImportError> {
    let mut request = step.request.clone();
    request.name = Some(step.full_name());
    let mut headers = request.headers.0.clone();
    request.body = match &step.body {
        StepBody::Raw => raw_body(step, &mut headers),
        StepBody::UrlEncoded(fields) => {
            crate::model::add_content_type(&mut headers, "application/x-www-form-urlencoded");
            Some(Value::String(urlencoded(fields)))
        }
        _ => {
            return Err(ImportError {
                path: step.full_name(),
                message: "a form-data, GraphQL or file body cannot be written as a run file's step; write the collection (-o) and run it as `\"flow\": {\"collection\": \"file\"}`".into(),
            })
        }
    };
    request.headers.0 = headers;
    let scripts = |list: &[String]| (!list.is_empty()).then(|| list.join("\n"));
    request.pre_request_script = scripts(&step.pre_request).map(crate::model::ScriptSource::Text);
    request.test_script = scripts(&step.test).map(crate::model::ScriptSource::Text);
    let mut value = serde_json::to_value(&request).unwrap_or_default();
    if let Value::Object(map) = &mut value {
        drop_empty(map);
    }
    Ok(value)
}

/// A raw body: JSON written as JSON (easier to edit), other text as text with the content
/// type its language set.
fn raw_body(step: &Step, headers: &mut Vec<HeaderSpec>) -> Option<Value> {
    let text = step.request.body.as_ref()?.as_str()?.to_string();
    if let Some(ct) = &step.raw_type {
        crate::model::add_content_type(headers, ct);
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(json @ (Value::Object(_) | Value::Array(_))) => Some(json),
        _ => Some(Value::String(text)),
    }
}

fn drop_empty(map: &mut Map<String, Value>) {
    if map
        .get("headers")
        .is_some_and(|h| h.as_array().is_some_and(Vec::is_empty))
    {
        map.remove("headers");
    }
}

/// Urlencoded fields as Newman encodes them, `{{variables}}` left to be substituted when sent.
fn urlencoded(fields: &[(String, String)]) -> String {
    let encode = |text: &str| {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let end = rest[start..]
                .find("}}")
                .map_or(rest.len(), |e| start + e + 2);
            out.push_str(&crate::model::auth::encode_unreserved(&rest[..start]));
            out.push_str(&rest[start..end]);
            rest = &rest[end..];
        }
        out.push_str(&crate::model::auth::encode_unreserved(rest));
        out
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}
