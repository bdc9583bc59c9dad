//! A HAR entry as the import reads it (`Exchange`), and correlation: a value a response gave
//! (a JSON body's string, or a token-like response header) that a later request sent back in
//! its url, headers or body is captured in the earlier step's test (`pm.environment.set`) and
//! sent as `{{variable}}` by the later ones. A value the requests had already sent before the
//! response gave it is not a correlation (the user typed it), and short or word-like values
//! are left alone, so ordinary data is not turned into variables.

use super::Correlation;
use serde_json::{json, Value};
use std::time::Duration;

/// One recorded request and what the response gave.
pub(super) struct Exchange {
    /// `METHOD /path`, as recorded (before variables are written in).
    pub(super) name: String,
    pub(super) method: String,
    pub(super) url: String,
    pub(super) headers: Vec<(String, String)>,
    /// The Postman body (raw text, urlencoded or form-data fields).
    pub(super) body: Option<Value>,
    pub(super) status: u16,
    response_headers: Vec<(String, String)>,
    response_text: String,
    response_mime: String,
    started: Option<time::OffsetDateTime>,
    /// The entry's total time, in milliseconds.
    time_ms: f64,
}

impl Exchange {
    pub(super) fn read(entry: &Value) -> Result<Exchange, String> {
        let request = entry.get("request").ok_or("the entry has no `request`")?;
        let text = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let url = text(request, "url");
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("`request.url` `{url}` is not an http(s) url"));
        }
        let response = entry.get("response").unwrap_or(&Value::Null);
        let content = response.get("content").unwrap_or(&Value::Null);
        let started = entry
            .get("startedDateTime")
            .and_then(Value::as_str)
            .and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            });
        let method = text(request, "method").to_ascii_uppercase();
        Ok(Exchange {
            name: name_of(&method, &url),
            method,
            url,
            headers: pairs(request.get("headers")),
            body: post_data(request.get("postData")),
            status: response.get("status").and_then(Value::as_u64).unwrap_or(0) as u16,
            response_headers: pairs(response.get("headers")),
            response_text: response_text(content),
            response_mime: text(content, "mimeType").to_ascii_lowercase(),
            started,
            time_ms: entry.get("time").and_then(Value::as_f64).unwrap_or(0.0),
        })
    }

    pub(super) fn host(&self) -> String {
        host_of(&self.url)
    }

    /// An image, script, style, font or media file, by its type or its url's extension.
    pub(super) fn is_static(&self) -> bool {
        const TYPES: [&str; 6] = [
            "image/",
            "font/",
            "text/css",
            "javascript",
            "video/",
            "audio/",
        ];
        const EXTENSIONS: [&str; 15] = [
            ".js", ".mjs", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
            ".woff", ".woff2", ".ttf", ".map", ".mp4",
        ];
        let path = self
            .url
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        self.method == "GET"
            && (TYPES.iter().any(|t| self.response_mime.contains(t))
                || EXTENSIONS.iter().any(|e| path.ends_with(e)))
    }

    /// The pause between this entry's end and `next`'s start, as recorded.
    pub(super) fn gap_before(&self, next: &Exchange) -> Duration {
        let (Some(a), Some(b)) = (self.started, next.started) else {
            return Duration::ZERO;
        };
        let gap_ms = (b - a).as_seconds_f64() * 1000.0 - self.time_ms;
        Duration::from_millis(gap_ms.max(0.0).round() as u64)
    }

    /// Everything the request sends that a variable may stand in: url, header values, and the
    /// body (`body_text`: the body as JSON text, written once per exchange by the caller).
    fn sends(&self, body_text: &str, value: &str) -> bool {
        self.url.contains(value)
            || self
                .headers
                .iter()
                .any(|(k, v)| !k.eq_ignore_ascii_case("cookie") && v.contains(value))
            || (!body_text.is_empty() && body_text.contains(&json_escaped(value)))
    }

    /// The body as JSON text, as `sends` searches it.
    fn body_text(&self) -> String {
        self.body
            .as_ref()
            .map_or_else(String::new, Value::to_string)
    }

    /// Writes `{{variable}}` wherever the request sends `value`.
    fn substitute(&mut self, value: &str, variable: &str) {
        let placeholder = format!("{{{{{variable}}}}}");
        self.url = self.url.replace(value, &placeholder);
        for (k, v) in &mut self.headers {
            if !k.eq_ignore_ascii_case("cookie") {
                *v = v.replace(value, &placeholder);
            }
        }
        if let Some(body) = &mut self.body {
            let text = body
                .to_string()
                .replace(&json_escaped(value), &json_escaped(&placeholder));
            if let Ok(replaced) = serde_json::from_str(&text) {
                *body = replaced;
            }
        }
    }

    /// Values the response gave that could be sent back, with the script that captures each.
    fn candidates(&self) -> Vec<Candidate> {
        let mut out = Vec::new();
        if self.response_mime.contains("json") {
            if let Ok(json) = serde_json::from_str::<Value>(&self.response_text) {
                json_leaves(&json, &mut Vec::new(), &mut out);
            }
        }
        for (name, value) in &self.response_headers {
            let lower = name.to_ascii_lowercase();
            if ["token", "csrf", "xsrf", "session", "auth"]
                .iter()
                .any(|w| lower.contains(w))
                && lower != "set-cookie"
            {
                out.push(Candidate {
                    value: value.clone(),
                    name: variable_name(name),
                    source: format!("header {name}"),
                    script: format!("pm.response.headers.get({})", json!(name)),
                });
            }
        }
        out.retain(|c| looks_generated(&c.value));
        out
    }
}

/// Candidate values looked for in later requests, at most, per recording.
const MAX_CANDIDATES: usize = 2_000;

/// A value a response gave, where, and how a script reads it.
struct Candidate {
    value: String,
    name: String,
    source: String,
    script: String,
}

/// Finds correlations in order, rewrites the later requests, and gives the capture lines to
/// add to each exchange's test.
pub(super) fn correlate(
    exchanges: &mut [Exchange],
    notes: &mut Vec<String>,
) -> (Vec<Correlation>, Vec<Vec<String>>) {
    let mut found: Vec<Correlation> = Vec::new();
    let mut captures = vec![Vec::new(); exchanges.len()];
    // Each body written as text once (again after a substitution), not once per look.
    let mut bodies: Vec<String> = exchanges.iter().map(Exchange::body_text).collect();
    // Each candidate is looked for in every exchange: bounded, so a recording whose responses
    // hold a hundred thousand ids does not take hours. Candidates come in order; the first
    // ones (logins, ids of the first pages) are the ones later requests send back.
    let mut looked = 0usize;
    for i in 0..exchanges.len() {
        for c in exchanges[i].candidates() {
            looked += 1;
            if looked > MAX_CANDIDATES {
                notes.push(format!("correlation looked at the first {MAX_CANDIDATES} values the responses gave; later ones are not carried into variables"));
                return (found, captures);
            }
            if found
                .iter()
                .any(|f| f.variable == c.name && f.from == exchanges[i].name.clone())
            {
                continue;
            }
            if (0..=i).any(|j| exchanges[j].sends(&bodies[j], &c.value)) {
                continue;
            }
            let users: Vec<usize> = (i + 1..exchanges.len())
                .filter(|&j| exchanges[j].sends(&bodies[j], &c.value))
                .collect();
            if users.is_empty() {
                continue;
            }
            let mut variable = c.name.clone();
            let mut n = 1;
            while found.iter().any(|f| f.variable == variable) {
                n += 1;
                variable = format!("{}_{n}", c.name);
            }
            for &j in &users {
                exchanges[j].substitute(&c.value, &variable);
                bodies[j] = exchanges[j].body_text();
            }
            captures[i].push(format!(
                "pm.environment.set({}, {});",
                json!(variable),
                c.script
            ));
            found.push(Correlation {
                variable,
                from: exchanges[i].name.clone(),
                source: c.source,
                used_by: users.iter().map(|&j| exchanges[j].name.clone()).collect(),
            });
        }
    }
    (found, captures)
}

/// String leaves of a JSON body, with the script path that reads each.
fn json_leaves(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Candidate>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                path.push(json!(k));
                json_leaves(child, path, out);
                path.pop();
            }
        }
        Value::Array(list) => {
            for (i, child) in list.iter().enumerate().take(50) {
                path.push(json!(i));
                json_leaves(child, path, out);
                path.pop();
            }
        }
        Value::String(s) => {
            // An `id` is named after what it identifies (`orders.0.id` → `orders_id`).
            let mut keys = path.iter().rev().filter_map(Value::as_str);
            let key = match keys.next().unwrap_or("value") {
                "id" => keys
                    .next()
                    .map_or("id".to_string(), |owner| format!("{owner}_id")),
                other => other.to_string(),
            };
            let key = key.as_str();
            let reads: String = path.iter().map(|p| format!("[{p}]")).collect();
            let dotted: Vec<String> = path
                .iter()
                .map(|p| p.to_string().trim_matches('"').to_string())
                .collect();
            out.push(Candidate {
                value: s.clone(),
                name: variable_name(key),
                source: format!("json {}", dotted.join(".")),
                script: format!("pm.response.json(){reads}"),
            });
        }
        _ => {}
    }
}

/// A token, id or key rather than a word: 8 characters or more, without spaces, with a digit
/// or 20 characters or more.
fn looks_generated(value: &str) -> bool {
    value.len() >= 8
        && !value.contains(char::is_whitespace)
        && (value.chars().any(|c| c.is_ascii_digit()) || value.len() >= 20)
}

/// A variable name from a JSON key or header name: letters, digits and `_`.
fn variable_name(key: &str) -> String {
    let name: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let name = name.trim_matches('_');
    if name.is_empty() {
        "value".into()
    } else {
        name.to_string()
    }
}

/// The value as it appears inside a JSON string.
fn json_escaped(value: &str) -> String {
    let quoted = json!(value).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// `METHOD /path`.
fn name_of(method: &str, url: &str) -> String {
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    format!("{method} {path}")
}

/// The URL's host, lower-case (IPv6 in brackets), as the filters compare hosts.
pub(super) fn host_of(url: &str) -> String {
    crate::model::auth::UrlParts::parse(url)
        .host
        .to_ascii_lowercase()
}

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| {
            Some((
                h.get("name")?.as_str()?.to_string(),
                h.get("value")?.as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// `postData`: its text as a raw body, or its params as urlencoded / form-data fields.
fn post_data(v: Option<&Value>) -> Option<Value> {
    let data = v?;
    let mime = data
        .get("mimeType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let params = data
        .get("params")
        .and_then(Value::as_array)
        .filter(|p| !p.is_empty());
    if let Some(text) = data
        .get("text")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        let language = if mime.contains("json") {
            "json"
        } else if mime.contains("xml") {
            "xml"
        } else {
            "text"
        };
        return Some(
            json!({"mode": "raw", "raw": text, "options": {"raw": {"language": language}}}),
        );
    }
    let params = params?;
    let mode = if mime.starts_with("multipart/") {
        "formdata"
    } else {
        "urlencoded"
    };
    let fields: Vec<Value> = params
        .iter()
        .map(|p| json!({"key": p.get("name").cloned().unwrap_or(json!("")), "value": p.get("value").cloned().unwrap_or(json!("")), "type": "text"}))
        .collect();
    let mut body = serde_json::Map::new();
    body.insert("mode".into(), json!(mode));
    body.insert(mode.into(), Value::Array(fields));
    Some(Value::Object(body))
}

/// The response body's text (base64 decoded when the recording encoded it).
fn response_text(content: &Value) -> String {
    let text = content
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if content.get("encoding").and_then(Value::as_str) == Some("base64") {
        use base64::Engine;
        return base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
    }
    text.to_string()
}
