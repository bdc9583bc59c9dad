//! Postman Collection v2.0 / v2.1 in: the items, in order, become flow steps with their url,
//! headers, body, auth (inherited from folders and the collection) and scripts (collection's,
//! then each folder's, then the request's own). What Vayu cannot send as Postman would is
//! refused here, with the item's path and what to do, before anything is sent.

use crate::flow::{FormPart, Step, StepBody};
use crate::model::auth::DigestAuth;
use crate::model::{ApiKeyPlace, AuthSpec, HeaderSpec, HeaderSpecs, Method, RequestSpec};
use crate::script::Scope;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    let top = |message: String| ImportError {
        path: "collection".into(),
        message,
    };
    let doc = super::shape::normalize(doc)?;
    let Some(obj) = doc.as_object() else {
        return Err(top(
            "is not a JSON object; export the collection from Postman as Collection v2.1".into(),
        ));
    };
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
    let id = text(obj.get("id")).unwrap_or_default();
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
    let method = match request.get("method") {
        None => "GET".to_string(),
        Some(Value::String(m)) => m.clone(),
        Some(_) => return Err(err("`method` must be a string such as \"GET\"".into())),
    };
    Method::parse(&method).map_err(|e| err(e.message))?;
    let url = url_text(request.get("url")).map_err(err)?;
    let headers = headers(request.get("header")).map_err(err)?;
    let (auth, auth_owner) = match request.get("auth").map(|a| parse_auth(a, path)) {
        Some(own) => match own? {
            Some(own) => (own, path.to_string()),
            None => (parent.auth.clone(), parent.auth_owner.clone()),
        },
        None => (parent.auth.clone(), parent.auth_owner.clone()),
    };
    let (raw, body) = body(request.get("body"), options).map_err(err)?;
    let mut behavior = parent.behavior.clone();
    if let Some(own) = obj
        .get("protocolProfileBehavior")
        .and_then(Value::as_object)
    {
        behavior.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let behavior = Behavior::read(&behavior).map_err(err)?;
    let (pre, test) = events(obj.get("event"), path)?;
    let spec = RequestSpec {
        name: Some(name.to_string()),
        method,
        url,
        headers: HeaderSpecs(headers),
        body: raw.as_ref().map(|(text, _)| Value::String(text.clone())),
        follow_redirects: behavior.follow_redirects,
        max_redirects: behavior.max_redirects,
        insecure: behavior.insecure,
        follow_original_http_method: behavior.follow_original_method,
        follow_authorization_header: behavior.follow_authorization,
        tls_disabled_protocols: behavior.tls_disabled_protocols,
        tls_cipher_selection: behavior.tls_cipher_selection,
        auth,
        ..RequestSpec::default()
    };
    Ok(Step {
        id,
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

pub(super) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn is_disabled(obj: &serde_json::Map<String, Value>) -> bool {
    obj.get("disabled")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// `variable` lists: `[{key, value, disabled}]`, values kept as written (strings mostly).
pub fn variable_list(v: Option<&Value>) -> Scope {
    let mut out = Scope::new();
    for item in v.and_then(Value::as_array).into_iter().flatten() {
        let Some(obj) = item.as_object() else {
            continue;
        };
        if is_disabled(obj) {
            continue;
        }
        if let Some(key) = text(obj.get("key")).or_else(|| text(obj.get("id"))) {
            out.insert(
                key,
                obj.get("value")
                    .cloned()
                    .unwrap_or(Value::String(String::new())),
            );
        }
    }
    out
}

/// Pre-request and test scripts of an `event` list, enabled and non-empty.
pub(super) fn events(
    v: Option<&Value>,
    path: &str,
) -> Result<(Vec<String>, Vec<String>), ImportError> {
    let (mut pre, mut test) = (Vec::new(), Vec::new());
    for event in v.and_then(Value::as_array).into_iter().flatten() {
        let Some(obj) = event.as_object() else {
            continue;
        };
        if is_disabled(obj) {
            continue;
        }
        let script = obj.get("script").and_then(Value::as_object);
        let source = match script.and_then(|s| s.get("exec")) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(lines)) => lines
                .iter()
                .map(|l| l.as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n"),
            _ => continue,
        };
        if source.trim().is_empty() {
            continue;
        }
        crate::model::request::check_script_size("script", source.len()).map_err(|e| {
            ImportError {
                path: path.into(),
                message: e.message,
            }
        })?;
        if let Some(t) = script.and_then(|s| text(s.get("type"))) {
            if t != "text/javascript" {
                return Err(ImportError {
                    path: path.into(),
                    message: format!(
                        "a script of type `{t}` cannot run; Vayu runs text/javascript"
                    ),
                });
            }
        }
        match obj.get("listen").and_then(Value::as_str) {
            Some("prerequest") => pre.push(source),
            Some("test") => test.push(source),
            Some(other) => {
                return Err(ImportError {
                    path: path.into(),
                    message: format!(
                    "event `{other}` is not supported; Vayu runs `prerequest` and `test` scripts"
                ),
                })
            }
            None => {}
        }
    }
    Ok((pre, test))
}

/// The url as text: a string as written, or an object's parts joined (disabled query
/// parameters dropped, `:name` path variables replaced by their values).
pub(super) fn url_text(v: Option<&Value>) -> Result<String, String> {
    let obj = match v {
        None | Some(Value::Null) => return Err("has no url".into()),
        Some(Value::String(s)) if crate::model::is_blank(s) => {
            return Err("the url is empty".into())
        }
        Some(Value::String(s)) => return Ok(s.clone()),
        Some(Value::Object(o)) => o,
        Some(_) => return Err("`url` must be a string or an object".into()),
    };
    let host_field = obj.get("host");
    if host_field.is_none() {
        return text(obj.get("raw")).ok_or_else(|| "the url has neither `raw` nor `host`".into());
    }
    let join = |v: Option<&Value>, sep: &str| -> String {
        match v {
            Some(Value::Array(parts)) => parts
                .iter()
                .map(|p| match p {
                    Value::Object(o) => text(o.get("value")).unwrap_or_default(),
                    other => text(Some(other)).unwrap_or_default(),
                })
                .collect::<Vec<_>>()
                .join(sep),
            other => text(other).unwrap_or_default(),
        }
    };
    let mut url = String::new();
    if let Some(protocol) = text(obj.get("protocol")) {
        url.push_str(protocol.trim_end_matches(':'));
        url.push_str("://");
    }
    url.push_str(&join(host_field, "."));
    if let Some(port) = text(obj.get("port")) {
        url.push(':');
        url.push_str(&port);
    }
    let variables = variable_list(obj.get("variable"));
    let path = match obj.get("path") {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| {
                let seg = match p {
                    Value::Object(o) => text(o.get("value")).unwrap_or_default(),
                    other => text(Some(other)).unwrap_or_default(),
                };
                match seg.strip_prefix(':').and_then(|n| variables.get(n)) {
                    Some(value) => text(Some(value)).unwrap_or_default(),
                    None => seg,
                }
            })
            .collect::<Vec<_>>()
            .join("/"),
        other => text(other).unwrap_or_default(),
    };
    if !path.is_empty() {
        if !path.starts_with('/') {
            url.push('/');
        }
        url.push_str(&path);
    }
    let query: Vec<String> = obj
        .get("query")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|q| !is_disabled(q))
        .map(|q| {
            // `&`, `#` and `=` written inside a key or value belong to it, as in Postman.
            let key = crate::flow::query_part(&text(q.get("key")).unwrap_or_default(), true);
            match q.get("value") {
                None | Some(Value::Null) => key,
                value => format!(
                    "{key}={}",
                    crate::flow::query_part(&text(value).unwrap_or_default(), false)
                ),
            }
        })
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    if let Some(hash) = text(obj.get("hash")).filter(|h| !h.is_empty()) {
        url.push('#');
        url.push_str(&hash);
    }
    Ok(url)
}

pub(super) fn headers(v: Option<&Value>) -> Result<Vec<HeaderSpec>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(block)) => Ok(block
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| HeaderSpec {
                key: k.trim().to_string(),
                value: v.trim().to_string(),
                disabled: false,
            })
            .collect()),
        Some(Value::Array(list)) => list
            .iter()
            .map(|h| match h.as_object() {
                Some(h)
                    if h.get("disabled")
                        .is_some_and(|d| !d.is_boolean() && !d.is_null()) =>
                {
                    Err("a `header` entry's `disabled` must be true or false".to_string())
                }
                Some(h)
                    if ["key", "value"].iter().any(|k| {
                        h.get(*k)
                            .is_some_and(|v| !v.is_null() && text(Some(v)).is_none())
                    }) =>
                {
                    Err("a `header` entry's `key` and `value` must be strings".to_string())
                }
                Some(h) => Ok(HeaderSpec {
                    key: text(h.get("key")).unwrap_or_default(),
                    value: text(h.get("value")).unwrap_or_default(),
                    disabled: is_disabled(h),
                }),
                None => Err("a `header` entry is not an object {key, value}".to_string()),
            })
            .collect(),
        Some(_) => Err("`header` must be a list of {key, value}".into()),
    }
}

/// Content types Postman sets for a raw body's language.
fn raw_content_type(language: &str) -> Option<&'static str> {
    Some(match language {
        "json" => "application/json",
        "xml" => "application/xml",
        "html" => "text/html",
        "javascript" => "application/javascript",
        "text" => "text/plain",
        _ => return None,
    })
}

type RawBody = Option<(String, Option<String>)>;

fn body(v: Option<&Value>, options: &ImportOptions) -> Result<(RawBody, StepBody), String> {
    let Some(obj) = v.and_then(Value::as_object) else {
        return Ok((None, StepBody::Raw));
    };
    if is_disabled(obj) {
        return Ok((None, StepBody::Raw));
    }
    let mode = text(obj.get("mode")).unwrap_or_default();
    let fields = |key: &str| -> Vec<serde_json::Map<String, Value>> {
        obj.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .filter(|f| !is_disabled(f))
            .cloned()
            .collect()
    };
    Ok(match mode.as_str() {
        "" => (None, StepBody::Raw),
        "raw" => {
            let raw = text(obj.get("raw")).unwrap_or_default();
            let language = obj
                .get("options")
                .and_then(|o| o.get("raw"))
                .and_then(|r| r.get("language"))
                .and_then(Value::as_str)
                .map_or(Some("text/plain"), raw_content_type)
                .filter(|_| !raw.is_empty())
                .map(str::to_string);
            (Some((raw, language)), StepBody::Raw)
        }
        "urlencoded" => (
            None,
            StepBody::UrlEncoded(
                fields("urlencoded")
                    .iter()
                    .map(|f| {
                        (
                            text(f.get("key")).unwrap_or_default(),
                            text(f.get("value")).unwrap_or_default(),
                        )
                    })
                    .collect(),
            ),
        ),
        "formdata" => {
            let mut parts = Vec::new();
            for f in fields("formdata") {
                let key = text(f.get("key")).unwrap_or_default();
                let content_type = text(f.get("contentType")).filter(|c| !c.is_empty());
                if f.get("type").and_then(Value::as_str) == Some("file") {
                    let sources = match f.get("src") {
                        Some(Value::String(s)) => vec![s.clone()],
                        Some(Value::Array(list)) => {
                            list.iter().filter_map(|s| text(Some(s))).collect()
                        }
                        _ => return Err(format!("form-data file field `{key}` has no `src` file")),
                    };
                    for src in sources {
                        let (file_name, bytes) = read_file(options, &src)?;
                        parts.push(FormPart::File {
                            key: key.clone(),
                            file_name,
                            bytes,
                            content_type: content_type.clone(),
                        });
                    }
                } else {
                    parts.push(FormPart::Text {
                        key,
                        value: text(f.get("value")).unwrap_or_default(),
                        content_type,
                    });
                }
            }
            (None, StepBody::FormData(parts))
        }
        "graphql" => {
            let g = obj.get("graphql").and_then(Value::as_object);
            let query = g.and_then(|g| text(g.get("query"))).unwrap_or_default();
            let variables = match g.and_then(|g| g.get("variables")) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (None, StepBody::GraphQl { query, variables })
        }
        "file" => {
            let src = obj
                .get("file")
                .and_then(|f| text(f.get("src")))
                .ok_or("a file body has no `file.src`")?;
            let (_, bytes) = read_file(options, &src)?;
            (None, StepBody::File(bytes))
        }
        other => {
            return Err(format!(
            "body mode `{other}` is not supported; use raw, urlencoded, formdata, graphql or file"
        ))
        }
    })
}

fn read_file(options: &ImportOptions, src: &str) -> Result<(String, Arc<Vec<u8>>), String> {
    let working_dir = &options.working_dir;
    let path = working_dir.join(src);
    if options.no_insecure_file_read && !is_inside(&path, working_dir) {
        return Err(format!(
            "file `{src}` is outside the working directory `{}`, and files are read only from under it here (--no-insecure-file-read, and always for runs through the daemon and load runs); move it under the working directory",
            working_dir.display()
        ));
    }
    let bytes = if options.skip_files {
        Vec::new()
    } else {
        std::fs::read(&path).map_err(|e| {
            format!(
                "cannot read file `{}` ({e}); files are read relative to --working-dir (now `{}`)",
                path.display(),
                working_dir.display()
            )
        })?
    };
    let name = Path::new(src)
        .file_name()
        .map_or_else(|| src.to_string(), |n| n.to_string_lossy().into_owned());
    Ok((name, Arc::new(bytes)))
}

/// Whether `path` lies under `dir`, by their components with `.` and `..` resolved as written
/// (as Node's `path.resolve`, which Newman checks with; symbolic links are not followed).
fn is_inside(path: &Path, dir: &Path) -> bool {
    use std::path::Component;
    let absolute = |p: &Path| -> Vec<std::ffi::OsString> {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut parts = Vec::new();
        for c in p.components() {
            match c {
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(n) => parts.push(n.to_os_string()),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        parts
    };
    absolute(path).starts_with(&absolute(dir))
}

/// An `auth` object: `Some(None)` is `noauth`, `None` inherits (a null or `inherit` auth).
pub(super) fn parse_auth(v: &Value, path: &str) -> Result<Option<Option<AuthSpec>>, ImportError> {
    let err = |message: String| ImportError {
        path: path.to_string(),
        message,
    };
    let Some(obj) = v.as_object() else {
        return Ok(None);
    };
    let kind = text(obj.get("type")).unwrap_or_default();
    // v2.1 lists `[{key, value}]`; v2.0 an object of fields.
    let params = |kind: &str| -> Scope {
        match obj.get(kind) {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|p| {
                    Some((
                        text(p.get("key"))?,
                        p.get("value").cloned().unwrap_or(Value::Null),
                    ))
                })
                .collect(),
            Some(Value::Object(map)) => map.clone(),
            _ => Scope::new(),
        }
    };
    let field = |p: &Scope, key: &str| text(p.get(key)).unwrap_or_default();
    let place = |p: &Scope, key: &str, query: &str| match text(p.get(key)).as_deref() {
        Some(q) if q == query => ApiKeyPlace::Query,
        _ => ApiKeyPlace::Header,
    };
    Ok(Some(Some(match kind.as_str() {
        "inherit" | "" => return Ok(None),
        "noauth" => return Ok(Some(None)),
        "basic" => {
            let p = params("basic");
            AuthSpec::Basic {
                username: field(&p, "username"),
                password: field(&p, "password"),
            }
        }
        "bearer" => AuthSpec::Bearer {
            token: field(&params("bearer"), "token"),
        },
        "apikey" => {
            let p = params("apikey");
            AuthSpec::ApiKey {
                key: field(&p, "key"),
                value: field(&p, "value"),
                place: place(&p, "in", "query"),
            }
        }
        "digest" => {
            let p = params("digest");
            AuthSpec::Digest(Box::new(DigestAuth {
                username: field(&p, "username"),
                password: field(&p, "password"),
                realm: field(&p, "realm"),
                nonce: field(&p, "nonce"),
                algorithm: field(&p, "algorithm"),
                qop: field(&p, "qop"),
                nonce_count: field(&p, "nonceCount"),
                client_nonce: field(&p, "clientNonce"),
                opaque: field(&p, "opaque"),
            }))
        }
        "oauth2" => {
            let p = params("oauth2");
            let access_token = field(&p, "accessToken");
            if access_token.is_empty() {
                return Err(err("oauth2 auth has no access token; Vayu does not fetch tokens: get one and set `accessToken` (a {{variable}} is fine)".into()));
            }
            AuthSpec::OAuth2 {
                access_token,
                place: place(&p, "addTokenTo", "queryParams"),
                header_prefix: text(p.get("headerPrefix")).filter(|h| !h.is_empty()),
            }
        }
        other => match super::auth_params::import(other, &params(other), path) {
            Some(signed) => signed?,
            None => {
                return Err(err(format!(
                    "auth type `{other}` is not supported; Vayu sends noauth, basic, bearer, apikey, digest, oauth2 (with an access token), awsv4, ntlm, oauth1, hawk, jwt, edgegrid and asap. Set the request's auth to one of those, or send the header yourself"
                )))
            }
        },
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_inside_the_working_dir_are_told_apart() {
        let dir = Path::new("/w/d");
        assert!(is_inside(&dir.join("a/b.txt"), dir));
        assert!(is_inside(&dir.join("a/../b.txt"), dir));
        assert!(!is_inside(&dir.join("../b.txt"), dir));
        assert!(!is_inside(Path::new("/etc/passwd"), dir));
        assert!(!is_inside(Path::new("/w/dd/x"), dir));
    }
}
