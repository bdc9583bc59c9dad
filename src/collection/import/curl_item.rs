//! A curl command, as read, into a Postman request item: the method curl would use, the url
//! (refused when curl would expand it as a glob), headers, body (urlencoded fields, form-data,
//! or raw text with its content type), basic auth from `-u`, and `-L` / `-k` as the item's
//! `protocolProfileBehavior` (curl follows no redirect without `-L`).

use super::curl::CurlRequest;
use serde_json::{json, Map, Value};

impl CurlRequest {
    pub(super) fn item(&self) -> Result<Value, String> {
        let mut url = self
            .url
            .clone()
            .ok_or("the command has no url; give the url curl would fetch")?;
        if !self.globoff {
            refuse_glob(&url)?;
        }
        if !url.contains("://") {
            // curl's default scheme.
            url = format!("http://{url}");
        }
        let mut headers = self.ordered_headers();
        // Named by the url as written, before -G adds the data to it (as Postman names it).
        let name = url.clone();
        let body = self.body(&mut url, &mut headers);
        let method = self.method.clone().unwrap_or_else(|| {
            match (self.head, self.get, body.is_some()) {
                (true, _, _) => "HEAD",
                (_, false, true) => "POST",
                _ => "GET",
            }
            .to_string()
        });
        let mut request = Map::new();
        request.insert("method".into(), json!(method));
        request.insert(
            "header".into(),
            headers
                .iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect(),
        );
        if let Some(body) = body {
            request.insert("body".into(), body);
        }
        if let Some(user) = &self.user {
            request.insert("auth".into(), basic_auth(user));
        }
        request.insert("url".into(), json!(url));
        let mut behavior = json!({"followRedirects": self.follow});
        if self.insecure {
            behavior["strictSSL"] = json!(false);
        }
        Ok(json!({
            "name": name,
            "request": request,
            "protocolProfileBehavior": behavior,
        }))
    }

    /// Postman's order: User-Agent, the -H headers, then Cookie (and Referer, which it drops).
    fn ordered_headers(&self) -> Vec<(String, String)> {
        self.user_agent
            .iter()
            .map(|ua| ("User-Agent".to_string(), ua.clone()))
            .chain(self.headers.iter().cloned())
            .chain(
                self.cookie
                    .iter()
                    .map(|c| ("Cookie".to_string(), c.clone())),
            )
            .chain(
                self.referer
                    .iter()
                    .map(|r| ("Referer".to_string(), r.clone())),
            )
            .collect()
    }

    /// The body as Postman writes it; with `-G` the data goes to the url's query instead.
    fn body(&self, url: &mut String, headers: &mut Vec<(String, String)>) -> Option<Value> {
        if !self.json.is_empty() {
            for (name, value) in [
                ("Content-Type", "application/json"),
                ("Accept", "application/json"),
            ] {
                if !has_header(headers, name) {
                    headers.push((name.into(), value.into()));
                }
            }
            return Some(raw(self.json.concat(), "json"));
        }
        if !self.form.is_empty() {
            return Some(json!({"mode": "formdata", "formdata": self.form}));
        }
        if self.data.is_empty() {
            return None;
        }
        let data = self.data.join("&");
        if self.get {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&data);
            return None;
        }
        let content_type = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.to_ascii_lowercase());
        match content_type.as_deref() {
            None | Some("application/x-www-form-urlencoded") if is_form(&data) => {
                Some(json!({"mode": "urlencoded", "urlencoded": form_fields(&data)}))
            }
            None => {
                // What curl sends with -d and no Content-Type of the user's.
                headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
                Some(raw(data, "text"))
            }
            Some(ct) if ct.contains("json") => Some(raw(data, "json")),
            Some(ct) if ct.contains("xml") => Some(raw(data, "xml")),
            Some(_) => Some(raw(data, "text")),
        }
    }
}

/// `-u user:password` as Postman's basic auth (no `:`: an empty password).
fn basic_auth(user: &str) -> Value {
    let (username, password) = user.split_once(':').unwrap_or((user, ""));
    json!({"type": "basic", "basic": [
        {"key": "username", "value": username, "type": "string"},
        {"key": "password", "value": password, "type": "string"},
    ]})
}

pub(super) fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
}

fn raw(text: String, language: &str) -> Value {
    json!({"mode": "raw", "raw": text, "options": {"raw": {"language": language}}})
}

/// Whether `-d` data is `name=value` pairs joined by `&`.
fn is_form(data: &str) -> bool {
    data.split('&').all(|pair| {
        pair.split_once('=')
            .is_some_and(|(k, _)| !k.is_empty() && !k.contains([' ', '{', '"', '\n']))
    })
}

/// Form pairs as Postman's urlencoded fields, decoded (Vayu encodes them again when it sends).
fn form_fields(data: &str) -> Vec<Value> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    data.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| json!({"key": decode(k), "value": decode(v), "type": "text"}))
        .collect()
}

/// curl expands `[1-9]` ranges and `{a,b}` sets in a url into many requests; a collection
/// request is one, so such a url is refused (`{{variable}}` is Postman's, not a set).
fn refuse_glob(url: &str) -> Result<(), String> {
    let without_variables = url.replace("{{", "").replace("}}", "");
    let set = without_variables.split_once('{').is_some_and(|(_, rest)| {
        rest.split_once('}')
            .is_some_and(|(inner, _)| inner.contains(','))
    });
    let range = without_variables.split_once('[').is_some_and(|(_, rest)| {
        rest.split_once(']').is_some_and(|(inner, _)| {
            inner.split_once('-').is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.chars()
                        .chain(b.chars().take_while(|c| *c != ':'))
                        .all(|c| c.is_ascii_alphanumeric())
            })
        })
    });
    if set || range {
        return Err(format!(
            "the url `{url}` is a curl glob ({{a,b}} sets or [1-9] ranges), which curl expands into many requests; write one command per url, or pass -g if the brackets are meant literally"
        ));
    }
    Ok(())
}
