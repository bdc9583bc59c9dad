//! Saved work: collections, requests and environments (CRUD), and the environment a body names.

use crate::api::error::ApiError;
use crate::api::reply::{query, required, Reply};
use crate::api::AppState;
use crate::model::{RequestSettings, RequestSpec};
use crate::store::{RequestFields, StoreError};
use serde_json::{json, Value};

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

/// `GET /collections`: the top level, one level under `?parentId=`, or with `?all=true` every
/// collection and folder (a client drawing the whole tree in one call), or every folder under
/// `parentId` at any depth.
pub(crate) fn list_collections(state: &AppState, url: &str) -> Result<Reply, ApiError> {
    let params = query(url);
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let reader = state.store.reader()?;
    let listed = match (param("all").as_deref(), param("parentId")) {
        (Some("true"), None) => reader.list_all_collections()?,
        (Some("true"), Some(root)) => descendants(reader.list_all_collections()?, &root),
        (None | Some("false"), parent) => reader.list_collections(parent.as_deref())?,
        (Some(_), _) => return Err(ApiError::field("all", "must be true or false")),
    };
    let items = listed
        .into_iter()
        .map(|c| with_auth(&reader, c))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::Json(200, json!({ "items": items })))
}

/// The folders under `root` at any depth, from every collection and folder.
fn descendants(all: Vec<crate::store::Collection>, root: &str) -> Vec<crate::store::Collection> {
    let parents: std::collections::HashMap<&str, Option<&str>> = all
        .iter()
        .map(|c| (c.id.as_str(), c.parent_id.as_deref()))
        .collect();
    // The store refuses cycles; the walk is bounded by the number of folders all the same.
    let under_root = |c: &crate::store::Collection| {
        let mut at = c.parent_id.as_deref();
        for _ in 0..all.len() {
            match at {
                Some(p) if p == root => return true,
                Some(p) => at = parents.get(p).copied().flatten(),
                None => return false,
            }
        }
        false
    };
    let keep: Vec<bool> = all.iter().map(under_root).collect();
    all.into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
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

pub(crate) fn create_collection(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let map = required(body)?;
    only(&map, &["name", "parentId", "auth"])?;
    let auth = folder_auth_of(&map)?;
    let writer = state.store.writer();
    let c = writer
        .create_collection(&name_of(&map)?, optional_id(&map, "parentId")?.as_deref())
        .map_err(referenced("parentId", None))?;
    if let Some(Some(auth)) = auth {
        writer.set_folder_auth(&c.id, Some(auth))?;
    }
    let location = format!("/collections/{}", c.id);
    let answer = with_auth(&state.store.reader()?, c)?;
    Ok(Reply::Located(201, answer, location))
}

/// A body's `auth` for a folder, checked before anything is written: left out (`None`), null
/// to remove it (`Some(None)`), or the auth as Postman keeps it.
fn folder_auth_of(map: &serde_json::Map<String, Value>) -> Result<Option<Option<Value>>, ApiError> {
    match map.get("auth") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(a @ Value::Object(_)) => Ok(Some(Some(
            crate::collection::postman_auth_of(a).map_err(|e| ApiError::invalid(e, ""))?,
        ))),
        Some(_) => Err(ApiError::field(
            "auth",
            "must be an object such as {\"type\": \"bearer\", \"token\": \"...\"}, or null",
        )),
    }
}

pub(crate) fn get_collection(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let reader = state.store.reader()?;
    let c = reader
        .get_collection(id)?
        .ok_or_else(|| ApiError::missing("collection", id))?;
    Ok(Reply::Json(200, with_auth(&reader, c)?))
}

/// A collection as the API gives it: its own `auth` (from its Postman JSON) or null.
fn with_auth(
    reader: &crate::store::Reader,
    c: crate::store::Collection,
) -> Result<Value, ApiError> {
    let postman = reader.folder_postman(&c.id)?;
    let auth = crate::collection::api_auth(postman.as_ref().and_then(|p| p.get("auth")));
    let mut out = serde_json::to_value(c).unwrap_or_default();
    out["auth"] = auth.unwrap_or(Value::Null);
    Ok(out)
}

pub(crate) fn update_collection(
    state: &AppState,
    id: &str,
    body: Value,
) -> Result<Reply, ApiError> {
    let map = required(body)?;
    only(&map, &["name", "parentId", "auth"])?;
    let auth = folder_auth_of(&map)?;
    let writer = state.store.writer();
    let c = writer
        .update_collection(
            id,
            &name_of(&map)?,
            optional_id(&map, "parentId")?.as_deref(),
        )
        .map_err(referenced("parentId", Some(id)))?;
    if let Some(auth) = auth {
        writer.set_folder_auth(id, auth)?;
    }
    Ok(Reply::Json(200, with_auth(&state.store.reader()?, c)?))
}

pub(crate) fn delete_collection(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    state.store.writer().delete_collection(id)?;
    Ok(Reply::NoContent)
}

fn request_fields(body: Value) -> Result<RequestFields, ApiError> {
    let mut body = required(body)?;
    // Derived from the rest (GET gives it); a client that writes back what it read sends it,
    // and it is ignored then. Anything but the string GET gave is a mistake.
    if body.remove("curl").is_some_and(|c| !c.is_string()) {
        return Err(ApiError::field(
            "curl",
            "is the read-only \"copy as curl\" string GET gives; leave it out or send it back as it was",
        ));
    }
    // Read-only like `curl`: what the request's folders give it, set on the folders.
    body.remove("inheritedAuth");
    // Examples are added and removed through /requests/{id}/examples.
    body.remove("examples");
    let mut fields: RequestFields = serde_json::from_value(Value::Object(body))
        .map_err(|e| ApiError::new(422, "invalid", e.to_string()))?;
    // Checked now: what does not depend on variables. The url and headers may hold {{names}}
    // and are checked when the request is sent.
    crate::model::Method::parse(&fields.method).map_err(|e| ApiError::invalid(e, ""))?;
    // An auth a run could not send would be dropped by the export, and the request would
    // inherit its folder's instead: refused now, naming its field.
    match &fields.auth {
        None | Some(Value::Null) => {}
        Some(a @ Value::Object(_)) => {
            crate::collection::postman_auth_of(a).map_err(|e| ApiError::invalid(e, ""))?;
        }
        Some(_) => {
            return Err(ApiError::field(
                "auth",
                "must be an object such as {\"type\": \"bearer\", \"token\": \"...\"}, {\"type\": \"noauth\"}, or null",
            ))
        }
    }
    if crate::model::is_blank(&fields.url) {
        return Err(ApiError::field("url", "is empty"));
    }
    let mut spec = json!({"method": fields.method, "url": fields.url, "headers": fields.headers.clone().unwrap_or(json!([]))});
    let extras = fields.extras();
    for (key, value) in [
        ("body", &fields.body),
        ("pathVariables", &extras.path_variables),
        ("formData", &extras.form_data),
        ("bodyFile", &extras.body_file),
    ] {
        if let Some(v) = value {
            spec[key] = v.clone();
        }
    }
    if let Some(settings) = extras.settings {
        let settings =
            RequestSettings::from_value(settings).map_err(|e| ApiError::invalid(e, "settings."))?;
        // Kept as read back: a null setting is one not set.
        fields.settings = serde_json::to_value(settings).ok();
    }
    let spec = RequestSpec::from_value(spec).map_err(|e| ApiError::invalid(e, ""))?;
    let method = crate::model::Method::parse(&spec.method).map_err(|e| ApiError::invalid(e, ""))?;
    spec.inline_body(method)
        .map_err(|e| ApiError::invalid(e, ""))?;
    Ok(fields)
}

/// `GET /requests`: the saved requests, their uploaded files without their bytes (`omitted`;
/// `GET /requests/{id}` has them), so a list stays small however large the files.
pub(crate) fn list_requests(state: &AppState, url: &str) -> Result<Reply, ApiError> {
    let collection = query(url)
        .into_iter()
        .find(|(k, _)| *k == "collectionId")
        .map(|(_, v)| v.to_string());
    let mut items = state.store.reader()?.list_requests(collection.as_deref())?;
    for r in &mut items {
        crate::model::omit_file_bytes(r.extras.form_data.as_mut(), r.extras.body_file.as_mut());
    }
    Ok(Reply::Json(200, json!({ "items": items })))
}

pub(crate) fn create_request(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let r = state
        .store
        .writer()
        .create_request(request_fields(body)?)
        .map_err(referenced("collectionId", None))?;
    let location = format!("/requests/{}", r.id);
    Ok(Reply::created(r, location))
}

pub(crate) fn get_request(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let r = state
        .store
        .reader()?
        .get_request(id)?
        .ok_or_else(|| ApiError::missing("request", id))?;
    let curl = crate::collection::saved_request_command(&r);
    let inherited = match &r.collection_id {
        Some(c) => crate::collection::inherited_auth(&state.store.reader()?.folder_chain(c)?),
        None => None,
    };
    let mut record = serde_json::to_value(r).unwrap_or_default();
    record["curl"] = json!(curl);
    record["inheritedAuth"] = inherited.unwrap_or(Value::Null);
    record["examples"] = super::examples::examples_of(&state.store.reader()?, id)?;
    Ok(Reply::Json(200, record))
}

pub(crate) fn update_request(state: &AppState, id: &str, body: Value) -> Result<Reply, ApiError> {
    let r = state
        .store
        .writer()
        .update_request(id, request_fields(body)?)
        .map_err(referenced("collectionId", Some(id)))?;
    Ok(Reply::ok(r))
}

pub(crate) fn delete_request(state: &AppState, id: &str) -> Result<Reply, ApiError> {
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

pub(crate) fn list_environments(state: &AppState) -> Result<Reply, ApiError> {
    Ok(Reply::Json(
        200,
        json!({"items": state.store.reader()?.list_environments()?}),
    ))
}

pub(crate) fn create_environment(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let (name, variables) = environment_fields(body)?;
    let e = state.store.writer().create_environment(&name, variables)?;
    let location = format!("/environments/{}", e.id);
    Ok(Reply::created(e, location))
}

pub(crate) fn get_environment(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    let e = state
        .store
        .reader()?
        .get_environment(id)?
        .ok_or_else(|| ApiError::missing("environment", id))?;
    Ok(Reply::ok(e))
}

pub(crate) fn update_environment(
    state: &AppState,
    id: &str,
    body: Value,
) -> Result<Reply, ApiError> {
    let (name, variables) = environment_fields(body)?;
    let e = state
        .store
        .writer()
        .update_environment(id, &name, variables)?;
    Ok(Reply::ok(e))
}

pub(crate) fn delete_environment(state: &AppState, id: &str) -> Result<Reply, ApiError> {
    state.store.writer().delete_environment(id)?;
    Ok(Reply::NoContent)
}
