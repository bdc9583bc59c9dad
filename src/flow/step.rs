//! One step of a flow: a request as written (with `{{variables}}` still in it), its body in
//! the form it was written, and its scripts in the order they run. A virtual user substitutes
//! its variables and builds the request to send just before sending it.

use super::url::normalize_url;
pub use crate::model::FormPart;
use crate::model::{multipart_body, Method, PreparedRequest, RequestSpec, ValidationError};
use crate::script::{DynamicVariables, Variables};
use std::sync::Arc;

/// Methods whose body Postman drops unless `disableBodyPruning` is set.
const PRUNED_BODY_METHODS: [&str; 5] = ["GET", "HEAD", "COPY", "PURGE", "UNLOCK"];

#[derive(Debug, Clone)]
pub struct Step {
    /// The id setNextRequest may name (a collection item's id); may be empty.
    pub id: String,
    pub name: String,
    /// The folders it sits in, outermost first.
    pub folders: Vec<String>,
    /// Method, url, headers, raw body, auth, timeout and redirects; its scripts are not used
    /// (see `pre_request` and `test`).
    pub request: RequestSpec,
    /// A body in another form than raw text, built after substitution.
    pub body: StepBody,
    /// Pre-request scripts in the order they run (collection, folders, the request's own).
    pub pre_request: Vec<String>,
    pub test: Vec<String>,
    /// Send a body with GET and the like (Postman's `disableBodyPruning`).
    pub keep_body: bool,
    /// Send the URL as written, without percent-encoding (Postman's `disableUrlEncoding`).
    pub raw_url: bool,
    /// Neither send the jar's cookies nor store the response's (Postman's `disableCookies`).
    pub no_cookies: bool,
    /// The Content-Type a raw body implies (its language), sent with the body unless the
    /// request sets one.
    pub raw_type: Option<String>,
    /// A load run's pause after the step (the user reading the page), before the next one.
    pub think_time: std::time::Duration,
    /// The collection request's description, which legacy scripts read.
    pub description: String,
    /// Where the step's auth is written (the item, or the folder or collection it inherits it
    /// from): what a digest challenge teaches an auth, the steps sharing it learn.
    pub auth_owner: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum StepBody {
    /// No body, or the raw text in `request.body`.
    #[default]
    Raw,
    /// `application/x-www-form-urlencoded` fields.
    UrlEncoded(Vec<(String, String)>),
    /// `multipart/form-data` parts.
    FormData(Vec<FormPart>),
    /// A GraphQL query and its variables (JSON text), sent as JSON.
    GraphQl { query: String, variables: String },
    /// A file's bytes, sent as they are, with its type (else `application/octet-stream`)
    /// unless the request sets one.
    File {
        bytes: Arc<Vec<u8>>,
        content_type: Option<String>,
    },
}

/// A request built for sending: what to send, and what the scripts see of it.
pub struct BuiltRequest {
    pub spec: RequestSpec,
    pub prepared: PreparedRequest,
    pub unresolved: Vec<String>,
}

impl Step {
    /// The path reporters show: folders and name joined with " / ".
    pub fn full_name(&self) -> String {
        let mut parts = self.folders.clone();
        parts.push(self.name.clone());
        parts.join(" / ")
    }

    /// `request` (the step's, as a pre-request script left it) with `variables` substituted
    /// (`dynamic` answering Postman's `{{$guid}}` and the like), its body built, and validated.
    pub fn build(
        &self,
        request: &RequestSpec,
        variables: &Variables,
        dynamic: &mut DynamicVariables<'_>,
    ) -> Result<BuiltRequest, (ValidationError, Vec<String>)> {
        let (mut spec, mut unresolved) = variables.apply_with(request, dynamic);
        spec.url = normalize_url(&spec.url, !self.raw_url);
        let prune = !self.keep_body
            && PRUNED_BODY_METHODS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(spec.method.trim()));
        // A body a pre-request script wrote replaces the one the request was written with.
        let (bytes, content_type) = match spec.body {
            Some(_) => (None, None),
            None => self.body_bytes(variables, dynamic, &mut unresolved),
        };
        if prune {
            spec.body = None;
        }
        if let (Some(_), Some(ct)) = (&spec.body, &self.raw_type) {
            crate::model::add_content_type(&mut spec.headers.0, ct);
        }
        // `prepare` refuses a HEAD body written by hand; here the collection asked for it
        // (disableBodyPruning), so it goes in as a built body.
        let head_body = match (&spec.body, Method::parse(&spec.method)) {
            (Some(serde_json::Value::String(_)), Ok(Method::Head)) => spec.body.take(),
            _ => None,
        };
        // The built body goes in before auth is applied: the signing auths cover it.
        let built = match (&head_body, bytes.filter(|_| !prune)) {
            (_, Some(bytes)) => Some((bytes, content_type)),
            (Some(serde_json::Value::String(text)), None) => {
                Some((text.clone().into_bytes(), None))
            }
            _ => None,
        };
        let prepared = match spec.prepare_with(built) {
            Ok(p) => p,
            Err(e) => return Err((e, unresolved)),
        };
        if head_body.is_some() {
            spec.body = head_body;
        }
        Ok(BuiltRequest {
            spec,
            prepared,
            unresolved,
        })
    }

    /// The text fields of a form body, with variables substituted (what the legacy
    /// `request.data` shows); empty for other bodies.
    pub fn form_fields(&self, variables: &Variables) -> Vec<(String, String)> {
        let mut unresolved = Vec::new();
        let mut sub = |t: &str| variables.substitute(t, &mut unresolved);
        match &self.body {
            StepBody::UrlEncoded(fields) => fields.iter().map(|(k, v)| (sub(k), sub(v))).collect(),
            StepBody::FormData(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    FormPart::Text { key, value, .. } => Some((sub(key), sub(value))),
                    FormPart::File { .. } => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The body built from its form, with variables substituted, and the content type it implies.
    fn body_bytes(
        &self,
        variables: &Variables,
        dynamic: &mut DynamicVariables<'_>,
        unresolved: &mut Vec<String>,
    ) -> (Option<Vec<u8>>, Option<String>) {
        let mut sub = |t: &str, u: &mut Vec<String>| variables.substitute_with(t, dynamic, u);
        match &self.body {
            StepBody::Raw => (None, None),
            StepBody::UrlEncoded(fields) => {
                let text = fields
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}={}",
                            form_encode(&sub(k, unresolved)),
                            form_encode(&sub(v, unresolved))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("&");
                (
                    Some(text.into_bytes()),
                    Some("application/x-www-form-urlencoded".into()),
                )
            }
            StepBody::FormData(parts) => {
                let (body, content_type) = multipart_body(parts, &mut |t| sub(t, unresolved));
                (Some(body), content_type)
            }
            StepBody::GraphQl { query, variables } => {
                let vars_text = sub(variables, unresolved);
                let vars: serde_json::Value = if vars_text.trim().is_empty() {
                    serde_json::Value::Object(Default::default())
                } else {
                    serde_json::from_str(&vars_text).unwrap_or(serde_json::Value::String(vars_text))
                };
                let body = serde_json::json!({"query": sub(query, unresolved), "variables": vars});
                (
                    Some(body.to_string().into_bytes()),
                    Some("application/json".into()),
                )
            }
            // libcurl would label it a form; a file is bytes.
            StepBody::File {
                bytes,
                content_type,
            } => (
                Some(bytes.to_vec()),
                Some(
                    content_type
                        .clone()
                        .unwrap_or_else(|| "application/octet-stream".into()),
                ),
            ),
        }
    }
}

/// One key or value of an `application/x-www-form-urlencoded` body as Newman sends it: all but
/// RFC 3986's unreserved characters percent-encoded, a space as `%20` (not `+`).
fn form_encode(text: &str) -> String {
    crate::model::auth::encode_unreserved(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_encoded() {
        // What Newman 6.2.2 sent for `e mail` = `a@b.c !*'()~&=+/?:;,$[]#é`.
        assert_eq!(form_encode("e mail"), "e%20mail");
        assert_eq!(
            form_encode("a@b.c !*'()~&=+/?:;,$[]#é"),
            "a%40b.c%20%21%2A%27%28%29~%26%3D%2B%2F%3F%3A%3B%2C%24%5B%5D%23%C3%A9"
        );
    }
}
