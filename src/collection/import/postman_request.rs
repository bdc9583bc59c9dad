//! The parts of a Postman request item: url, headers, body (files read), scripts and
//! variable lists, each read as Newman reads it.

use super::{ImportError, ImportOptions};
use crate::flow::{FormPart, StepBody};
use crate::model::HeaderSpec;
use crate::script::Scope;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn is_disabled(obj: &serde_json::Map<String, Value>) -> bool {
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
pub(crate) fn events(
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
pub(crate) fn url_text(v: Option<&Value>) -> Result<String, String> {
    url_text_with(v, true)
}

/// [`url_text`] with its `:name` path segments kept, for a saved request, whose path
/// variables are a field of their own ([`path_variables`]).
pub(crate) fn url_as_written(v: Option<&Value>) -> Result<String, String> {
    url_text_with(v, false)
}

/// A url object's `variable` list as `{name: value}` (values as text); `None` when it has none.
pub(crate) fn path_variables(v: Option<&Value>) -> Option<Value> {
    let list = variable_list(v?.as_object()?.get("variable"));
    let vars: serde_json::Map<String, Value> = list
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(text(Some(v)).unwrap_or_default())))
        .collect();
    (!vars.is_empty()).then_some(Value::Object(vars))
}

fn url_text_with(v: Option<&Value>, resolve: bool) -> Result<String, String> {
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
        let raw = text(obj.get("raw")).ok_or("the url has neither `raw` nor `host`")?;
        if !resolve {
            return Ok(raw);
        }
        // As the collection SDK parses `raw` into a path whose `:name` segments `variable`
        // fills; values go in as written (substituted and encoded when sent).
        let variables: std::collections::BTreeMap<String, String> =
            variable_list(obj.get("variable"))
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), text(Some(v))?)))
                .collect();
        return Ok(crate::model::resolve_path_variables(
            &raw, &variables, false,
        ));
    }
    let mut url = String::new();
    if let Some(protocol) = text(obj.get("protocol")) {
        url.push_str(protocol.trim_end_matches(':'));
        url.push_str("://");
    }
    url.push_str(&joined(host_field, "."));
    if let Some(port) = text(obj.get("port")) {
        url.push(':');
        url.push_str(&port);
    }
    let path = url_path(obj, resolve);
    if !path.is_empty() {
        if !path.starts_with('/') {
            url.push('/');
        }
        url.push_str(&path);
    }
    let query = url_query(obj.get("query"));
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    if let Some(hash) = text(obj.get("hash")).filter(|h| !h.is_empty()) {
        url.push('#');
        url.push_str(&hash);
    }
    Ok(url)
}

/// A url part written as a list of strings (or `{value}` objects) or as one string.
fn joined(v: Option<&Value>, sep: &str) -> String {
    match v {
        Some(Value::Array(parts)) => parts.iter().map(part_text).collect::<Vec<_>>().join(sep),
        other => text(other).unwrap_or_default(),
    }
}

fn part_text(p: &Value) -> String {
    match p {
        Value::Object(o) => text(o.get("value")).unwrap_or_default(),
        other => text(Some(other)).unwrap_or_default(),
    }
}

/// The path, with `:name` segments replaced by the url's `variable` values (when `resolve`).
fn url_path(obj: &serde_json::Map<String, Value>, resolve: bool) -> String {
    let variables = if resolve {
        variable_list(obj.get("variable"))
    } else {
        Default::default()
    };
    match obj.get("path") {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| {
                let seg = part_text(p);
                match seg.strip_prefix(':').and_then(|n| variables.get(n)) {
                    Some(value) => text(Some(value)).unwrap_or_default(),
                    None => seg,
                }
            })
            .collect::<Vec<_>>()
            .join("/"),
        other => text(other).unwrap_or_default(),
    }
}

/// The enabled query parameters, encoded and joined with `&`.
fn url_query(v: Option<&Value>) -> String {
    v.and_then(Value::as_array)
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
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn headers(v: Option<&Value>) -> Result<Vec<HeaderSpec>, String> {
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

pub(super) type RawBody = Option<(String, Option<String>)>;

pub(super) fn body(
    v: Option<&Value>,
    options: &ImportOptions,
) -> Result<(RawBody, StepBody), String> {
    let Some(obj) = v.and_then(Value::as_object) else {
        return Ok((None, StepBody::Raw));
    };
    if is_disabled(obj) {
        return Ok((None, StepBody::Raw));
    }
    let mode = text(obj.get("mode")).unwrap_or_default();
    Ok(match mode.as_str() {
        "" => (None, StepBody::Raw),
        "raw" => (Some(raw_body(obj)), StepBody::Raw),
        "urlencoded" => (
            None,
            StepBody::UrlEncoded(
                enabled_fields(obj, "urlencoded")
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
        "formdata" => (None, StepBody::FormData(form_parts(obj, options)?)),
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
        "file" => (None, file_body(obj, options)?),
        other => {
            return Err(format!(
            "body mode `{other}` is not supported; use raw, urlencoded, formdata, graphql or file"
        ))
        }
    })
}

/// A `file` body: the bytes a saved request keeps in the item, else the file `src` names.
fn file_body(
    obj: &serde_json::Map<String, Value>,
    options: &ImportOptions,
) -> Result<StepBody, String> {
    let file = obj.get("file").and_then(Value::as_object);
    let bytes = match file.and_then(inline_file) {
        Some(inline) => inline?,
        None => {
            let src = file
                .and_then(|f| text(f.get("src")))
                .ok_or("a file body has no `file.src`")?;
            read_file(options, &src)?.1
        }
    };
    Ok(StepBody::File {
        bytes,
        content_type: None,
    })
}

/// A raw body's text and the content type its language sets (none for an empty body).
fn raw_body(obj: &serde_json::Map<String, Value>) -> (String, Option<String>) {
    let raw = text(obj.get("raw")).unwrap_or_default();
    let language = obj
        .get("options")
        .and_then(|o| o.get("raw"))
        .and_then(|r| r.get("language"))
        .and_then(Value::as_str)
        .map_or(Some("text/plain"), raw_content_type)
        .filter(|_| !raw.is_empty())
        .map(str::to_string);
    (raw, language)
}

/// The enabled `{key, value}` fields of a urlencoded or form-data body.
fn enabled_fields(
    obj: &serde_json::Map<String, Value>,
    key: &str,
) -> Vec<serde_json::Map<String, Value>> {
    obj.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter(|f| !is_disabled(f))
        .cloned()
        .collect()
}

/// A form-data body's parts, files read (one part per file of a multi-file field).
fn form_parts(
    obj: &serde_json::Map<String, Value>,
    options: &ImportOptions,
) -> Result<Vec<FormPart>, String> {
    let mut parts = Vec::new();
    for f in enabled_fields(obj, "formdata") {
        let key = text(f.get("key")).unwrap_or_default();
        let content_type = text(f.get("contentType")).filter(|c| !c.is_empty());
        if f.get("type").and_then(Value::as_str) != Some("file") {
            parts.push(FormPart::Text {
                key,
                value: text(f.get("value")).unwrap_or_default(),
                content_type,
            });
            continue;
        }
        if let Some(bytes) = inline_file(&f) {
            parts.push(FormPart::File {
                file_name: text(f.get("src")).unwrap_or_else(|| key.clone()),
                key,
                bytes: bytes?,
                content_type,
            });
            continue;
        }
        let sources = match f.get("src") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(list)) => list.iter().filter_map(|s| text(Some(s))).collect(),
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
    }
    Ok(parts)
}

/// A file's bytes a saved request keeps in the item (`saved_extras::INLINE_FILE_KEY`), in
/// place of reading `src`; `None` when the item has none.
fn inline_file(obj: &serde_json::Map<String, Value>) -> Option<Result<Arc<Vec<u8>>, String>> {
    let base64 = obj.get(crate::collection::INLINE_FILE_KEY)?;
    let file = crate::model::InlineFile {
        name: String::new(),
        content_type: None,
        base64: base64.as_str().unwrap_or_default().to_string(),
        omitted: false,
    };
    Some(file.bytes("file").map(Arc::new).map_err(|e| e.to_string()))
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
