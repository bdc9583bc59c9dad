//! Collections in the daemon: import (Postman, OpenAPI, HAR or curl → saved tree), export (saved tree → v2.1),
//! and functional runs (`POST /run` with a collection): the body checked here, the run started,
//! streamed, stopped and recorded by `run::RunManager` (`run/collection_runs.rs`).

use super::error::ApiError;
use super::reply::Reply;
use super::AppState;
use crate::collection::{
    convert, import, junit_xml, to_doc, to_tree, CollectionRunSpec, ConvertOptions, Format,
    HarOptions, ImportOptions, RunSummary, ThinkTime,
};
use crate::run::{CollectionRun, RunError};
use crate::script::Variables;
use crate::store::RunType;
use serde_json::{json, Map, Value};

/// `POST /collections/import`: a Postman collection export, an OpenAPI document or a HAR
/// recording (the body as it is, its format told from its content), or `{"format",
/// "content", ...}` with any of them or curl commands or YAML as text (bodies are JSON, as
/// everywhere in the API: `api/security.rs`); saved as a tree. The answer says what the import
/// left out or linked up (`report`).
pub(super) fn import_collection(state: &AppState, body: Value) -> Result<Reply, ApiError> {
    let (text, format, options) = import_input(body)?;
    let imported =
        convert(&text, format, &options).map_err(|e| ApiError::field(&e.path, e.message))?;
    let tree = to_tree(&imported.collection).map_err(|e| ApiError::field(&e.path, e.message))?;
    let id = tree.folders[0].id.clone();
    let answer = json!({
        "id": id,
        "collections": tree.folders.iter().map(|f| &f.id).collect::<Vec<_>>(),
        "requests": tree.requests.iter().map(|r| &r.request.id).collect::<Vec<_>>(),
        "format": imported.format,
        "report": imported.report,
    });
    state.store.writer().save_tree(tree)?;
    Ok(Reply::Located(201, answer, format!("/collections/{id}")))
}

/// Fields of the `{"format", "content"}` form.
const WRAPPER_FIELDS: [&str; 6] = [
    "format",
    "content",
    "name",
    "thinkTime",
    "includeStatic",
    "onlyHost",
];

/// The text to import, its format when named, and the options, from the body.
fn import_input(body: Value) -> Result<(String, Option<Format>, ConvertOptions), ApiError> {
    let wrapper = match body {
        Value::Object(map) if map.contains_key("format") || map.contains_key("content") => map,
        Value::Object(_) => return Ok((body.to_string(), None, ConvertOptions::default())),
        _ => {
            return Err(ApiError::bad_request(
                "the body must be a JSON object: a document, or {\"format\", \"content\"}",
            ))
        }
    };
    if let Some(k) = wrapper
        .keys()
        .find(|k| !WRAPPER_FIELDS.contains(&k.as_str()))
    {
        return Err(ApiError::field(
            k.as_str(),
            format!(
                "unknown field; with `format` or `content` the body takes {}",
                WRAPPER_FIELDS.join(", ")
            ),
        ));
    }
    let content = match wrapper.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(doc @ (Value::Object(_) | Value::Array(_))) => doc.to_string(),
        Some(_) => {
            return Err(ApiError::field(
                "content",
                "must be the document: text, or a JSON object",
            ))
        }
        None => return Err(ApiError::field("content", "give the document to import")),
    };
    let format = match wrapper.get("format") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => {
            Some(Format::parse(name).map_err(|e| ApiError::field("format", e.message))?)
        }
        Some(_) => {
            return Err(ApiError::field(
                "format",
                "must be openapi, har, curl or postman",
            ))
        }
    };
    let text_field = |key: &str| -> Result<Option<String>, ApiError> {
        match wrapper.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::field(key, "must be a string")),
        }
    };
    let options = ConvertOptions {
        har: har_options(&wrapper)?,
        name: text_field("name")?,
    };
    Ok((content, format, options))
}

/// The HAR options of the `{"format", "content"}` form.
fn har_options(wrapper: &Map<String, Value>) -> Result<HarOptions, ApiError> {
    let think_time = match wrapper.get("thinkTime") {
        None | Some(Value::Null) => ThinkTime::Keep,
        Some(Value::String(t)) => {
            ThinkTime::parse(t).map_err(|m| ApiError::field("thinkTime", m))?
        }
        Some(_) => {
            return Err(ApiError::field(
                "thinkTime",
                "must be a string: keep, none or a duration",
            ))
        }
    };
    let include_static = match wrapper.get("includeStatic") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::field("includeStatic", "must be true or false")),
    };
    let only_hosts = match wrapper.get("onlyHost") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) if list.iter().all(Value::is_string) => list
            .iter()
            .filter_map(|h| h.as_str().map(str::to_string))
            .collect(),
        Some(_) => return Err(ApiError::field("onlyHost", "must be a list of host names")),
    };
    Ok(HarOptions {
        think_time,
        include_static,
        only_hosts,
    })
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

/// The collection a run names: inline (`collection`) or saved (`collectionId`), as v2.1.
fn collection_doc(
    reader: &crate::store::Reader,
    spec: &CollectionRunSpec,
) -> Result<Value, ApiError> {
    Ok(match (&spec.collection, &spec.collection_id) {
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
    })
}

/// `POST /run` with `collection` or `collectionId`: checks everything, then runs it in the
/// background; `202` with the run's id.
pub(super) fn start(state: &AppState, body: Map<String, Value>) -> Result<Reply, ApiError> {
    let spec = CollectionRunSpec::from_value(Value::Object(body.clone()))
        .map_err(|e| ApiError::invalid(e, ""))?;
    let reader = state.store.reader()?;
    let doc = collection_doc(&reader, &spec)?;
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
    let options = spec.run_options().map_err(|e| ApiError::invalid(e, ""))?;
    // The run's config as stored: the body, an inline collection by its name.
    let mut config = body;
    if let Some(Value::Object(_)) = config.get("collection") {
        config.insert("collection".into(), json!({"name": collection.name}));
    }
    let id = state
        .runs
        .start_collection(CollectionRun {
            collection,
            variables,
            options,
            environment: saved_env.map(|env| (env.id, env.name)),
            config: Value::Object(config),
        })
        .map_err(|e| match e {
            RunError::Invalid(v) => ApiError::invalid(v, ""),
            RunError::Store(s) => s.into(),
            RunError::Engine(m) => ApiError::new(500, "engine", m),
        })?;
    Ok(Reply::Located(
        202,
        json!({"runId": id, "status": "running"}),
        format!("/run/{id}"),
    ))
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
