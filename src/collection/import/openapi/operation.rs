//! One operation into a Postman request item: its name (summary, else operationId in words,
//! else description, else the path), url (`{{baseUrl}}` or its own server, `:name` path variables, query
//! parameters), headers (parameters, `Content-Type`, `Accept`, cookies), body (the media
//! type's example, else one made from the schema) and the generated test.

use super::example::example;
use super::refs::Refs;
use super::{checks, value_text};
use serde_json::{json, Map, Value};

/// What an operation is converted with.
pub(super) struct Operation<'a> {
    pub(super) method: &'a str,
    pub(super) path: &'a str,
    pub(super) op: &'a Value,
    /// The path item's parameters, which the operation's own override (same name and place).
    pub(super) shared_parameters: &'a Value,
    /// `{{baseUrl}}`, or the path's or operation's own server.
    pub(super) host: String,
    /// The operation's auth, when it differs from the collection's.
    pub(super) auth: Option<Value>,
}

impl<'a> Operation<'a> {
    pub(super) fn item(&self, refs: &Refs<'a>) -> Value {
        let text = |k: &str| {
            self.op
                .get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        // Postman's "fallback" naming: summary, operationId in words, description, path.
        let name = text("summary")
            .map(str::to_string)
            .or_else(|| text("operationId").map(words))
            .or_else(|| text("description").map(str::to_string))
            .unwrap_or_else(|| self.path.to_string());
        let (mut header, query, path_values) = self.parameter_parts(refs);
        let mut request = Map::new();
        let body = self.body(refs, &mut header);
        if let Some(accept) = self.accept(refs) {
            header.push(json!({"key": "Accept", "value": accept}));
        }
        request.insert("method".into(), json!(self.method.to_uppercase()));
        request.insert("header".into(), Value::Array(header));
        request.insert("url".into(), self.url(query, &path_values));
        if let Some(body) = body {
            request.insert("body".into(), body);
        }
        if let Some(auth) = &self.auth {
            request.insert("auth".into(), auth.clone());
        }
        if let Some(d) = text("description") {
            request.insert("description".into(), json!(d));
        }
        let mut item = json!({"name": name, "request": request});
        if let Some(script) = self
            .op
            .get("responses")
            .and_then(|r| checks::test_script(refs, r))
        {
            item["event"] = json!([{"listen": "test", "script": {"type": "text/javascript", "exec": script.split('\n').collect::<Vec<_>>()}}]);
        }
        item
    }

    /// The parameters as headers (cookies joined into one `Cookie`), query entries and path
    /// values.
    fn parameter_parts(&self, refs: &Refs<'a>) -> (Vec<Value>, Vec<Value>, Map<String, Value>) {
        let mut header = Vec::new();
        let mut query = Vec::new();
        let mut cookies = Vec::new();
        let mut path_values = Map::new();
        for p in &self.parameters(refs) {
            let key = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let values = parameter_values(refs, p);
            let entry = |v: &String| json!({"key": key, "value": v});
            match p.get("in").and_then(Value::as_str) {
                Some("query") => query.extend(values.iter().map(entry)),
                Some("header") if !is_reserved_header(key) => {
                    header.extend(values.iter().map(entry))
                }
                Some("cookie") => cookies.push(format!("{key}={}", values.join(","))),
                Some("path") => {
                    path_values.insert(key.to_string(), json!(values.join(",")));
                }
                _ => {}
            }
        }
        if !cookies.is_empty() {
            header.push(json!({"key": "Cookie", "value": cookies.join("; ")}));
        }
        (header, query, path_values)
    }

    /// The path item's parameters overridden by the operation's, `$ref`s followed.
    fn parameters(&self, refs: &Refs<'a>) -> Vec<&'a Value> {
        let mut out: Vec<&'a Value> = Vec::new();
        let own: &'a Value = self.op.get("parameters").unwrap_or(&Value::Null);
        for list in [self.shared_parameters, own] {
            for p in list.as_array().into_iter().flatten() {
                let Some(p) = refs.resolve(p) else { continue };
                let same =
                    |q: &&Value| q.get("name") == p.get("name") && q.get("in") == p.get("in");
                out.retain(|q| !same(q));
                out.push(p);
            }
        }
        out
    }

    /// The url as Postman writes it: host, path segments with `:name` variables, query.
    fn url(&self, query: Vec<Value>, path_values: &Map<String, Value>) -> Value {
        let mut variables = Vec::new();
        let mut path = Vec::new();
        for segment in self.path.split('/').filter(|s| !s.is_empty()) {
            let whole = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
            match whole.filter(|n| !n.contains(['{', '}'])) {
                Some(name) => {
                    path.push(format!(":{name}"));
                    let value = path_values
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| json!("<string>"));
                    variables.push(json!({"key": name, "value": value}));
                }
                // `{name}` inside a segment: its value written in place.
                None => path.push(fill(segment, path_values)),
            }
        }
        json!({"host": [self.host], "path": path, "query": query, "variable": variables})
    }

    /// The request body from the first media type (JSON preferred), with its `Content-Type`.
    fn body(&self, refs: &Refs<'_>, header: &mut Vec<Value>) -> Option<Value> {
        let body = refs.resolve(self.op.get("requestBody")?)?;
        let content = body.get("content")?.as_object()?;
        let (media, spec) = content
            .iter()
            .find(|(m, _)| checks::is_json(m))
            .or_else(|| content.iter().next())?;
        header.push(json!({"key": "Content-Type", "value": media}));
        let value = media_example(refs, spec);
        let media = media.to_ascii_lowercase();
        Some(
            if media.starts_with("application/x-www-form-urlencoded")
                || media.starts_with("multipart/form-data")
            {
                let mode = if media.starts_with("multipart") {
                    "formdata"
                } else {
                    "urlencoded"
                };
                let fields: Vec<Value> = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| json!({"key": k, "value": value_text(v), "type": "text"}))
                    .collect();
                let mut body = Map::new();
                body.insert("mode".into(), json!(mode));
                body.insert(mode.into(), Value::Array(fields));
                Value::Object(body)
            } else if checks::is_json(&media) {
                // A string is written bare (`<string>`), as Postman writes it.
                let raw = match &value {
                    Value::String(text) => text.clone(),
                    other => serde_json::to_string_pretty(other).unwrap_or_default(),
                };
                json!({"mode": "raw", "raw": raw, "options": {"raw": {"language": "json"}}})
            } else {
                let language = if media.contains("xml") { "xml" } else { "text" };
                json!({"mode": "raw", "raw": value_text(&value), "options": {"raw": {"language": language}}})
            },
        )
    }

    /// `Accept`: the first media type of the first success response that has a body (else of
    /// the first response that has one), as Postman adds it.
    fn accept(&self, refs: &Refs<'_>) -> Option<String> {
        let responses = self.op.get("responses")?.as_object()?;
        let media = |(code, response): (&String, &Value)| {
            let content = refs.resolve(response)?.get("content")?.as_object()?;
            Some((code.starts_with('2'), content.keys().next()?.clone()))
        };
        let all: Vec<(bool, String)> = responses.iter().filter_map(media).collect();
        all.iter()
            .find(|(success, _)| *success)
            .or_else(|| all.first())
            .map(|(_, m)| m.clone())
    }
}

/// A media type's `example`, its first `examples` value, or one made from its schema.
fn media_example(refs: &Refs<'_>, spec: &Value) -> Value {
    if let Some(e) = spec.get("example") {
        return e.clone();
    }
    if let Some(first) = spec
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|e| e.values().next())
    {
        if let Some(v) = refs.resolve(first).and_then(|e| e.get("value")) {
            return v.clone();
        }
    }
    spec.get("schema")
        .map_or(json!("<string>"), |s| example(refs, s))
}

/// A parameter's values as sent: its example(s) or its schema's; a list is one value per
/// item (query parameters repeat, as `explode` does by default).
fn parameter_values(refs: &Refs<'_>, p: &Value) -> Vec<String> {
    let value = p
        .get("example")
        .cloned()
        .or_else(|| {
            let first = p.get("examples")?.as_object()?.values().next()?;
            refs.resolve(first)?.get("value").cloned()
        })
        .or_else(|| p.get("schema").map(|s| example(refs, s)))
        .unwrap_or_else(|| json!("<string>"));
    match value {
        Value::Array(items) => items.iter().map(value_text).collect(),
        other => vec![value_text(&other)],
    }
}

/// Headers OpenAPI says a parameter does not set (the body, `responses` and security do).
fn is_reserved_header(name: &str) -> bool {
    ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
}

fn fill(segment: &str, values: &Map<String, Value>) -> String {
    let mut out = segment.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), &value_text(value));
    }
    out
}

/// An operationId in words, as Postman's importer writes it: `createUser` → `create User`,
/// `NASAMission` → `NASA Mission`, `create_user` → `create user`.
fn words(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '_' {
            let mut j = i;
            while j < chars.len() && chars[j] == '_' {
                j += 1;
            }
            match chars.get(j) {
                Some(n) if n.is_ascii_alphanumeric() => out.push(' '),
                _ => out.extend(&chars[i..j]),
            }
            i = j;
            continue;
        }
        out.push(c);
        let next = chars.get(i + 1).copied();
        let after = chars.get(i + 2).copied();
        let lower_upper = c.is_ascii_lowercase() && next.is_some_and(|n| n.is_ascii_uppercase());
        let acronym_end = c.is_ascii_uppercase()
            && next.is_some_and(|n| n.is_ascii_uppercase())
            && after.is_some_and(|a| a.is_ascii_lowercase());
        if lower_upper || acronym_end {
            out.push(' ');
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_named_in_words_as_postman_names_them() {
        assert_eq!(words("createUser"), "create User");
        assert_eq!(words("getNASAMission"), "get NASA Mission");
        assert_eq!(words("create__user_1"), "create user 1");
        assert_eq!(words("trailing_"), "trailing_");
    }
}
