//! OpenAPI 3.0 and 3.1 documents (JSON or YAML) in, as Postman's importer converts them with
//! its "Tags" folder strategy: a folder per tag (an untagged operation stays at the top, as
//! Postman leaves it), one request per operation (`operation.rs`), `{{baseUrl}}`
//! and the server's variables as collection variables, auth from `securitySchemes`
//! (`security.rs`), values from examples or made from schemas (`example.rs`), and a test per
//! operation (`checks.rs`). Swagger 2.0 is refused with what to do.

mod checks;
mod example;
mod operation;
mod refs;
mod security;

use super::{Format, ImportError, ImportReport, Imported};
use operation::Operation;
use refs::Refs;
use serde_json::{json, Map, Value};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) fn convert(doc: &Value) -> Result<Imported, ImportError> {
    check_version(doc)?;
    let refs = Refs { doc };
    let mut report = ImportReport::default();
    let mut variables = Vec::new();
    let base_url = base_url(doc, &mut variables, &mut report.notes);
    variables.insert(0, ("baseUrl".to_string(), base_url));
    let root_auth = doc
        .get("security")
        .and_then(|s| security::auth(&refs, s, &mut variables, &mut report.notes));
    let mut folders: Vec<(String, String, Vec<Value>)> = tag_folders(doc);
    let mut untagged = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(item) = refs.resolve(item) else {
            report.notes.push(format!(
                "path `{path}` is a reference Vayu cannot follow (another file); left out"
            ));
            continue;
        };
        // In the document's order, as Postman's importer lists them.
        let operations = item.as_object().into_iter().flatten();
        for (method, op) in operations.filter(|(m, _)| METHODS.contains(&m.as_str())) {
            let method = method.as_str();
            let operation = Operation {
                method,
                path,
                op,
                shared_parameters: item.get("parameters").unwrap_or(&Value::Null),
                host: own_server(op, item, &mut variables, &mut report.notes)
                    .unwrap_or_else(|| "{{baseUrl}}".into()),
                auth: op
                    .get("security")
                    .and_then(|s| security::auth(&refs, s, &mut variables, &mut report.notes)),
            };
            let request = operation.item(&refs);
            let Some(folder) = first_tag(op) else {
                untagged.push(request);
                continue;
            };
            match folders.iter_mut().find(|(name, _, _)| *name == folder) {
                Some((_, _, items)) => items.push(request),
                None => folders.push((folder, String::new(), vec![request])),
            }
        }
    }
    Ok(Imported {
        format: Format::OpenApi,
        collection: collection(doc, folders, untagged, &variables, root_auth),
        think_times: Vec::new(),
        report,
    })
}

/// `{{baseUrl}}`: the first server's url (its variables added to `variables`), else `/`.
fn base_url(doc: &Value, variables: &mut Vec<(String, String)>, notes: &mut Vec<String>) -> String {
    server_url(doc.get("servers"), variables, notes).unwrap_or_else(|| {
        notes.push("the document names no server; set `baseUrl` to the service's address".into());
        "/".to_string()
    })
}

fn check_version(doc: &Value) -> Result<(), ImportError> {
    let err = |message: String| ImportError {
        path: "openapi".into(),
        message,
    };
    if doc.get("swagger").is_some() {
        return Err(err("this is a Swagger 2.0 document; Vayu imports OpenAPI 3.0 and 3.1: convert it first (swagger2openapi, or the Swagger Editor's \"Convert to OpenAPI 3\")".into()));
    }
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") || v.starts_with("3.1") => Ok(()),
        Some(v) => Err(err(format!("version `{v}` is not OpenAPI 3.0 or 3.1"))),
        None => Err(err(
            "`openapi` must be the version, such as \"3.0.3\" (a string)".into(),
        )),
    }
}

/// Folders for the document's `tags` in their order (a tag no operation uses stays empty and
/// is dropped at the end), with their descriptions.
fn tag_folders(doc: &Value) -> Vec<(String, String, Vec<Value>)> {
    doc.get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let name = t.get("name")?.as_str()?.to_string();
            let description = t
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Some((name, description.to_string(), Vec::new()))
        })
        .collect()
}

/// The operation's first tag: its folder.
fn first_tag(op: &Value) -> Option<String> {
    Some(op.get("tags")?.get(0)?.as_str()?.to_string())
}

/// The first server's url, `{name}` variables as `{{name}}` with their defaults added to
/// `variables`.
fn server_url(
    servers: Option<&Value>,
    variables: &mut Vec<(String, String)>,
    notes: &mut Vec<String>,
) -> Option<String> {
    let server = servers?.as_array()?.first()?;
    let url = server.get("url")?.as_str()?;
    for (name, var) in server
        .get("variables")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let default = var.get("default").map(value_text).unwrap_or_default();
        match variables.iter().find(|(k, _)| k == name) {
            Some((_, v)) if *v != default => notes.push(format!(
                "server variable `{name}` has two defaults (`{v}` and `{default}`); the first is kept"
            )),
            Some(_) => {}
            None => variables.push((name.clone(), default)),
        }
    }
    if url.starts_with('/') {
        notes.push(format!("the server url `{url}` is relative to where the document is served; put the service's address in front of it in `baseUrl`"));
    }
    Some(
        url.replace('{', "{{")
            .replace('}', "}}")
            .trim_end_matches('/')
            .to_string(),
    )
}

/// The operation's or its path's own server, when either names one.
fn own_server(
    op: &Value,
    item: &Value,
    variables: &mut Vec<(String, String)>,
    notes: &mut Vec<String>,
) -> Option<String> {
    server_url(op.get("servers"), variables, notes)
        .or_else(|| server_url(item.get("servers"), variables, notes))
}

fn collection(
    doc: &Value,
    folders: Vec<(String, String, Vec<Value>)>,
    untagged: Vec<Value>,
    variables: &[(String, String)],
    auth: Option<Value>,
) -> Value {
    let info = doc.get("info");
    let text = |k: &str| info.and_then(|i| i.get(k)).and_then(Value::as_str);
    let mut out = Map::new();
    out.insert(
        "info".into(),
        json!({
            "name": text("title").unwrap_or("OpenAPI"),
            "description": text("description").unwrap_or_default(),
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        }),
    );
    let items: Vec<Value> = folders
        .into_iter()
        .filter(|(_, _, items)| !items.is_empty())
        .map(|(name, description, item)| json!({"name": name, "description": description, "item": item}))
        .chain(untagged)
        .collect();
    out.insert("item".into(), Value::Array(items));
    if let Some(auth) = auth {
        out.insert("auth".into(), auth);
    }
    out.insert(
        "variable".into(),
        variables
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v, "type": "string"}))
            .collect(),
    );
    Value::Object(out)
}

/// A value as text in a url, header or form field: strings as they are, the rest as JSON.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
