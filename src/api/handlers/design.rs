//! `POST /request`: one request in design mode, with its scripts, recorded as a design run.

use super::saved::environment_of;
use crate::api::error::ApiError;
use crate::api::reply::{required, Reply};
use crate::api::AppState;
use crate::model::RequestSpec;
use crate::recording::record_design;
use crate::script::{ScriptedRequest, Variables};
use serde_json::{json, Value};

/// A saved request as the spec `POST /request` sends.
fn saved_request(reader: &crate::store::Reader, id: &str) -> Result<Value, ApiError> {
    let saved = reader
        .get_request(id)?
        .ok_or_else(|| ApiError::missing("request", id))?;
    let mut spec = json!({"name": saved.name, "method": saved.method, "url": saved.url, "headers": saved.headers});
    let extras = saved.extras;
    // No auth of its own: the nearest folder's, as a run of its collection sends it; `noauth`
    // (its own or inherited) sends none.
    let auth = match (saved.auth, &saved.collection_id) {
        (Some(a), _) => Some(a),
        (None, Some(c)) => crate::collection::inherited_auth(&reader.folder_chain(c)?)
            .map(|inherited| inherited["auth"].clone()),
        (None, None) => None,
    }
    .filter(|a| a["type"] != "noauth");
    for (key, value) in [
        ("body", saved.body),
        ("auth", auth),
        ("pathVariables", extras.path_variables),
        ("formData", extras.form_data),
        ("bodyFile", extras.body_file),
    ] {
        if let Some(v) = value {
            spec[key] = v;
        }
    }
    // Settings are the request's own fields of the same names (checked when saved).
    if let Some(Value::Object(settings)) = extras.settings {
        for (key, value) in settings {
            spec[key] = value;
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
    Ok(spec)
}

/// `POST /request`: design mode, with scripts; recorded as a design run.
pub(crate) fn request(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let body = required(body)?;
    let reader = state.store.reader()?;
    let spec_json = match (body.get("request"), body.get("requestId")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give `request` or `requestId`, not both",
            ))
        }
        (Some(r), None) => r.clone(),
        (None, Some(Value::String(id))) => saved_request(&reader, id)?,
        (None, Some(_)) => return Err(ApiError::field("requestId", "must be a string")),
        (None, None) => {
            return Err(ApiError::field(
                "request",
                "give the request inline (`request`) or saved (`requestId`)",
            ))
        }
    };
    let spec = RequestSpec::from_value(spec_json).map_err(|e| ApiError::invalid(e, "request."))?;
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
