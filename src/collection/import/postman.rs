//! Postman Collection v2.0 / v2.1 in (every other format is converted to it first): the items, in order, become flow steps with their url,
//! headers, body, auth (inherited from folders and the collection) and scripts (collection's,
//! then each folder's, then the request's own). What Vayu cannot send as Postman would is
//! refused here, with the item's path and what to do, before anything is sent.

use super::postman_auth::parse_auth;
use super::postman_request::{body, events, headers, text, url_text, variable_list};
use crate::flow::Step;
use crate::model::{AuthSpec, HeaderSpecs, Method, RequestSpec};
use crate::script::Scope;
use serde_json::Value;
use std::path::PathBuf;

/// A collection ready to run.
#[derive(Debug, Clone)]
pub struct Collection {
    pub id: String,
    pub name: String,
    /// The collection's variables (`pm.collectionVariables`).
    pub variables: Scope,
    pub steps: Vec<Step>,
}

/// Why a collection was refused: where, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ImportError {
    /// The item's path (folders and name), or the field for collection-level problems.
    pub path: String,
    pub message: String,
}

/// What the import reads besides the collection.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Where form-data and binary-body files are read from (Newman's `--working-dir`).
    pub working_dir: PathBuf,
    /// Run only the items under these folders (by name or id); empty: everything.
    pub folders: Vec<String>,
    /// Do not read form-data and body files (checking a collection to save it, not to run it).
    pub skip_files: bool,
    /// Refuse files outside `working_dir` (Newman's `--no-insecure-file-read`).
    pub no_insecure_file_read: bool,
}

/// What folders pass down to the items inside them.
#[derive(Clone, Default)]
struct Inherited {
    folders: Vec<String>,
    auth: Option<AuthSpec>,
    /// Where `auth` is written (the collection or a folder): the items that inherit it share it,
    /// as they share Postman's auth object.
    auth_owner: String,
    pre_request: Vec<String>,
    test: Vec<String>,
    /// Inside a folder `--folder` selected (or no selection).
    selected: bool,
    /// `protocolProfileBehavior` of the collection and folders, inner keys over outer ones
    /// (the collection SDK's `getProtocolProfileBehaviorResolved`).
    behavior: serde_json::Map<String, Value>,
}

pub fn import(doc: &Value, options: &ImportOptions) -> Result<Collection, ImportError> {
    let doc = crate::collection::shape::normalize(doc)?;
    let Some(obj) = doc.as_object() else {
        return Err(top(
            "is not a JSON object; export the collection from Postman as Collection v2.1".into(),
        ));
    };
    let (id, name) = identity(obj)?;
    let variables = variable_list(obj.get("variable"));
    let root = Inherited {
        selected: options.folders.is_empty(),
        ..Inherited::default()
    };
    let root = scope(obj, &root, &name, options, None)?;
    let mut steps = Vec::new();
    let mut found = Vec::new();
    items(obj.get("item"), &root, options, &mut steps, &mut found)?;
    if let Some(missing) = options.folders.iter().find(|f| !found.contains(f)) {
        return Err(ImportError {
            path: "--folder".into(),
            message: format!("no folder named `{missing}` in collection `{name}`"),
        });
    }
    Ok(Collection {
        id,
        name,
        variables,
        steps,
    })
}

/// A refusal of the collection as a whole.
fn top(message: String) -> ImportError {
    ImportError {
        path: "collection".into(),
        message,
    }
}

/// The collection's id and name, from `info` (checked to be v2.0 or v2.1).
fn identity(obj: &serde_json::Map<String, Value>) -> Result<(String, String), ImportError> {
    // Newman runs an object without `info` as a v2 collection (postman-collection reads its
    // `item`s); only `name` + `order` + `requests` make it v1 (converted by `normalize`).
    let no_info = serde_json::Map::new();
    let info = match obj.get("info") {
        // Newman runs such an object as an empty collection and passes; a file that is not a
        // collection at all is far likelier than a collection of nothing.
        None | Some(Value::Null) if !obj.contains_key("item") => {
            return Err(top("has neither `info` nor `item`, so it is not a Postman collection; export the collection from Postman as Collection v2.1".into()))
        }
        None | Some(Value::Null) => &no_info,
        Some(Value::Object(info)) => info,
        Some(_) => return Err(top("`info` must be an object".into())),
    };
    if let Some(schema) = info.get("schema") {
        let Some(schema) = schema.as_str() else {
            return Err(top("`info.schema` must be the schema URL (a string)".into()));
        };
        if !schema.contains("/v2.0.") && !schema.contains("/v2.1.") {
            return Err(top(format!(
                "schema `{schema}` is not Collection v2.0 or v2.1; re-export it as v2.1"
            )));
        }
    }
    let name = match info.get("name") {
        None => "collection".to_string(),
        Some(Value::String(n)) => n.clone(),
        Some(_) => return Err(top("`info.name` must be a string".into())),
    };
    let id = text(info.get("_postman_id"))
        .or_else(|| text(obj.get("id")))
        .unwrap_or_default();
    Ok((id, name))
}

/// The auth and scripts a collection or folder adds to what it inherits.
fn scope(
    obj: &serde_json::Map<String, Value>,
    parent: &Inherited,
    path: &str,
    options: &ImportOptions,
    folder: Option<&str>,
) -> Result<Inherited, ImportError> {
    let mut out = parent.clone();
    if let Some(name) = folder {
        out.folders.push(name.to_string());
        let id = text(obj.get("id")).unwrap_or_default();
        if options
            .folders
            .iter()
            .any(|f| f == name || (!id.is_empty() && *f == id))
        {
            out.selected = true;
        }
    }
    if let Some(auth) = obj.get("auth") {
        if let Some(auth) = parse_auth(auth, path)? {
            out.auth = auth;
            out.auth_owner = path.to_string();
        }
    }
    let (pre, test) = events(obj.get("event"), path)?;
    out.pre_request.extend(pre);
    out.test.extend(test);
    if let Some(own) = obj
        .get("protocolProfileBehavior")
        .and_then(Value::as_object)
    {
        out.behavior
            .extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Ok(out)
}

fn items(
    list: Option<&Value>,
    parent: &Inherited,
    options: &ImportOptions,
    steps: &mut Vec<Step>,
    found: &mut Vec<String>,
) -> Result<(), ImportError> {
    let Some(list) = list else { return Ok(()) };
    let Some(list) = list.as_array() else {
        return Err(ImportError {
            path: path_of(parent, "item"),
            message: "`item` must be a list".into(),
        });
    };
    for item in list {
        let Some(obj) = item.as_object() else {
            return Err(ImportError {
                path: path_of(parent, "item"),
                message: "an item is not an object".into(),
            });
        };
        let name = match obj.get("name") {
            None => String::new(),
            Some(Value::String(n)) => n.clone(),
            Some(_) => {
                return Err(ImportError {
                    path: path_of(parent, "item"),
                    message: "an item's `name` must be a string".into(),
                })
            }
        };
        let path = path_of(parent, &name);
        if obj.contains_key("item") && obj.contains_key("request") {
            return Err(ImportError {
                path,
                message: "has both `item` and `request`; an item is a folder or a request".into(),
            });
        }
        if obj.contains_key("item") {
            let id = text(obj.get("id")).unwrap_or_default();
            if let Some(f) = options.folders.iter().find(|f| **f == name || **f == id) {
                found.push(f.clone());
            }
            let inner = scope(obj, parent, &path, options, Some(&name))?;
            items(obj.get("item"), &inner, options, steps, found)?;
        } else if parent.selected {
            steps.push(step(obj, parent, &name, &path, options)?);
        }
    }
    Ok(())
}

fn path_of(parent: &Inherited, name: &str) -> String {
    let mut parts = parent.folders.clone();
    parts.push(name.to_string());
    parts.join(" / ")
}

fn step(
    obj: &serde_json::Map<String, Value>,
    parent: &Inherited,
    name: &str,
    path: &str,
    options: &ImportOptions,
) -> Result<Step, ImportError> {
    let err = |message: String| ImportError {
        path: path.to_string(),
        message,
    };
    let request = match obj.get("request") {
        Some(Value::String(url)) => serde_json::json!({"url": url, "method": "GET"}),
        Some(r @ Value::Object(_)) => r.clone(),
        _ => {
            return Err(err(
                "has neither `item` nor `request`; it is neither a folder nor a request".into(),
            ))
        }
    };
    let request = request.as_object().expect("an object");
    let mut spec = request_spec(request).map_err(err)?;
    let (auth, auth_owner) = own_auth(request, parent, path)?;
    let (raw, body) = body(request.get("body"), options).map_err(err)?;
    let mut behavior = parent.behavior.clone();
    if let Some(own) = obj
        .get("protocolProfileBehavior")
        .and_then(Value::as_object)
    {
        behavior.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let behavior = Behavior::read(&behavior).map_err(err)?;
    behavior.apply(&mut spec);
    spec.name = Some(name.to_string());
    spec.body = raw.as_ref().map(|(text, _)| Value::String(text.clone()));
    spec.auth = auth;
    let (pre, test) = events(obj.get("event"), path)?;
    Ok(Step {
        id: text(obj.get("id")).unwrap_or_default(),
        name: name.to_string(),
        folders: parent.folders.clone(),
        request: spec,
        body,
        pre_request: parent.pre_request.iter().cloned().chain(pre).collect(),
        test: parent.test.iter().cloned().chain(test).collect(),
        keep_body: behavior.keep_body,
        raw_url: behavior.raw_url,
        no_cookies: behavior.no_cookies,
        raw_type: raw.and_then(|(_, ct)| ct),
        think_time: std::time::Duration::ZERO,
        description: description(request.get("description")),
        auth_owner,
    })
}

/// The request's own auth and where it is written, or what it inherits.
fn own_auth(
    request: &serde_json::Map<String, Value>,
    parent: &Inherited,
    path: &str,
) -> Result<(Option<AuthSpec>, String), ImportError> {
    if let Some(own) = request.get("auth") {
        if let Some(own) = parse_auth(own, path)? {
            return Ok((own, path.to_string()));
        }
    }
    Ok((parent.auth.clone(), parent.auth_owner.clone()))
}

/// The method, url and headers of a request item (the rest is the caller's).
fn request_spec(request: &serde_json::Map<String, Value>) -> Result<RequestSpec, String> {
    let method = match request.get("method") {
        None => "GET".to_string(),
        Some(Value::String(m)) => m.clone(),
        Some(_) => return Err("`method` must be a string such as \"GET\"".into()),
    };
    Method::parse(&method).map_err(|e| e.message)?;
    Ok(RequestSpec {
        method,
        url: url_text(request.get("url"))?,
        headers: HeaderSpecs(headers(request.get("header"))?),
        ..RequestSpec::default()
    })
}

/// A description: a string, or v2's `{"content": ...}`.
fn description(v: Option<&Value>) -> String {
    match v {
        Some(Value::Object(d)) => text(d.get("content")),
        other => text(other),
    }
    .unwrap_or_default()
}

/// A request's resolved `protocolProfileBehavior`, as postman-runtime reads it.
#[derive(Default)]
struct Behavior {
    follow_redirects: Option<bool>,
    max_redirects: Option<i64>,
    insecure: Option<bool>,
    keep_body: bool,
    follow_original_method: Option<bool>,
    follow_authorization: Option<bool>,
    raw_url: bool,
    no_cookies: bool,
    tls_disabled_protocols: Option<Vec<String>>,
    tls_cipher_selection: Option<Vec<String>>,
}

impl Behavior {
    /// The settings a request carries itself (the rest shapes the step).
    fn apply(&self, spec: &mut RequestSpec) {
        spec.follow_redirects = self.follow_redirects;
        spec.max_redirects = self.max_redirects;
        spec.insecure = self.insecure;
        spec.follow_original_http_method = self.follow_original_method;
        spec.follow_authorization_header = self.follow_authorization;
        spec.tls_disabled_protocols = self.tls_disabled_protocols.clone();
        spec.tls_cipher_selection = self.tls_cipher_selection.clone();
    }

    /// Reads the keys Newman honours. Keys with no effect on how libcurl sends
    /// (`insecureHTTPParser`: libcurl's parser already takes what Node's lenient one does;
    /// `tlsPreferServerCiphers`: a server-side setting in Node, no effect on a client;
    /// `removeRefererHeaderOnRedirect`: libcurl adds no Referer; `disabledSystemHeaders`: Vayu
    /// adds none of Postman's system headers but User-Agent) and keys Newman does not know are
    /// ignored, as Newman ignores them. A known key with a value of the wrong type is refused.
    fn read(map: &serde_json::Map<String, Value>) -> Result<Behavior, String> {
        let mut b = Behavior::default();
        fn wrong<T>(key: &str, what: &str) -> Result<T, String> {
            Err(format!(
                "protocolProfileBehavior `{key}` must be {what}; fix it in the request's settings"
            ))
        }
        let names = |key: &str, v: &Value| -> Result<Vec<String>, String> {
            match v.as_array() {
                Some(list) if list.iter().all(Value::is_string) => Ok(list
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()),
                _ => wrong(key, "a list of names"),
            }
        };
        for (key, value) in map {
            let flag = value.as_bool();
            match key.as_str() {
                "followRedirects"
                | "disableBodyPruning"
                | "strictSSL"
                | "followOriginalHttpMethod"
                | "followAuthorizationHeader"
                | "disableUrlEncoding"
                | "disableCookies"
                    if flag.is_none() && !value.is_null() =>
                {
                    return wrong(key, "true or false")
                }
                "followRedirects" => b.follow_redirects = flag,
                "disableBodyPruning" => b.keep_body = flag.unwrap_or(false),
                "strictSSL" => b.insecure = flag.map(|strict| !strict),
                "followOriginalHttpMethod" => b.follow_original_method = flag,
                "followAuthorizationHeader" => b.follow_authorization = flag,
                "disableUrlEncoding" => b.raw_url = flag.unwrap_or(false),
                "disableCookies" => b.no_cookies = flag.unwrap_or(false),
                "maxRedirects" => match value {
                    Value::Number(n) => b.max_redirects = n.as_i64(),
                    Value::Null => {}
                    _ => return wrong(key, "a number"),
                },
                // Node reads these only when they are lists.
                "tlsDisabledProtocols" if value.is_array() => {
                    b.tls_disabled_protocols = Some(names(key, value)?)
                }
                "tlsCipherSelection" if value.is_array() => {
                    b.tls_cipher_selection = Some(names(key, value)?)
                }
                _ => {}
            }
        }
        Ok(b)
    }
}
