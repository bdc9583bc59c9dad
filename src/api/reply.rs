//! What an endpoint answers (`Reply`) and how a request's body and query are read; the one place
//! that turns replies and errors into the transport's `Response`s.

use super::error::ApiError;
use super::transport::{Refusal, Request, Response};
use serde_json::Value;

/// What an endpoint answers.
pub(super) enum Reply {
    Json(u16, Value),
    /// 201 or 202 with a `Location`.
    Located(u16, Value, String),
    NoContent,
    Text(&'static str, String),
    /// A self-contained HTML page (a run's report): served with a policy that lets it load
    /// nothing.
    Page(String),
    /// A dashboard file (content type, content), served with a policy that allows only the
    /// engine's own origin.
    File(&'static str, &'static str),
    /// Hand the request to an SSE stream for this run.
    Stream(String),
}

impl Reply {
    /// 200 with a stored record as JSON.
    pub(super) fn ok(record: impl serde::Serialize) -> Reply {
        Reply::Json(200, serde_json::to_value(record).unwrap_or_default())
    }

    /// 201 with the record just created and where it now lives.
    pub(super) fn created(record: impl serde::Serialize, location: String) -> Reply {
        Reply::Located(
            201,
            serde_json::to_value(record).unwrap_or_default(),
            location,
        )
    }
}

/// The request body as JSON; a missing body is `null`.
pub(super) fn read_json(req: &Request) -> Result<Value, ApiError> {
    let bytes = req.body();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

pub(super) fn required(body: Value) -> Result<serde_json::Map<String, Value>, ApiError> {
    match body {
        Value::Object(map) => Ok(map),
        Value::Null => Err(ApiError::bad_request(
            "this endpoint needs a JSON object body",
        )),
        _ => Err(ApiError::bad_request("the body must be a JSON object")),
    }
}

/// Query parameters, split on `&` and `=` (the API's parameters need no percent-decoding).
pub(super) fn query(url: &str) -> Vec<(&str, &str)> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "query parameter `{name}` must be a non-negative number, got `{value}`"
        ))
    })
}

fn json_response(status: u16, body: &Value) -> Response {
    Response::new(status, body.to_string()).with_header("Content-Type", "application/json")
}

/// The reply as sent. `Reply::Stream` is not one: its stream answers (`sse::spawn`).
pub(super) fn response(reply: Reply) -> Response {
    match reply {
        Reply::Json(status, body) => json_response(status, &body),
        Reply::Located(status, body, location) => {
            json_response(status, &body).with_header("Location", location)
        }
        Reply::NoContent => Response::new(204, ""),
        Reply::Text(content_type, text) => {
            Response::new(200, text).with_header("Content-Type", content_type)
        }
        Reply::Page(html) => Response::new(200, html)
            .with_header("Content-Type", "text/html; charset=utf-8")
            // Its own inline script and style only: the page loads nothing from anywhere.
            .with_header(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
            ),
        Reply::File(content_type, content) => Response::new(200, content.as_bytes())
            .with_header("Content-Type", content_type)
            .with_header("Cache-Control", "no-cache")
            .with_header(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            ),
        Reply::Stream(_) => unreachable!("a stream answers for itself (sse::spawn)"),
    }
}

/// An error as sent, with the headers its status calls for.
pub(super) fn error_response(error: &ApiError) -> Response {
    let mut response = json_response(error.status, &error.body());
    if let Some(allow) = &error.allow {
        response = response.with_header("Allow", allow.clone());
    }
    if error.status == 401 {
        response = response.with_header("WWW-Authenticate", "Bearer");
    }
    if error.status == 503 || error.status == 429 {
        response = response.with_header("Retry-After", "5");
    }
    response
}

/// What the transport refused, in the API's error format (`transport::Render`).
pub(super) fn refusal(refusal: &Refusal) -> Response {
    let error = match refusal {
        Refusal::TooManyConnections(cap) => {
            let error = ApiError::new(
                503,
                "too_many_connections",
                format!("the engine has {cap} API connections open, its cap; retry shortly, or reuse a connection"),
            );
            // Sooner than other 503s: a connection frees as soon as a client closes one.
            return json_response(503, &error.body()).with_header("Retry-After", "1");
        }
        Refusal::Timeout(after) => ApiError::new(
            408,
            "request_timeout",
            format!(
                "the request did not arrive whole within {} s; send the head and body at once",
                after.as_secs_f64()
            ),
        ),
        Refusal::TooLarge => ApiError::too_large(),
        Refusal::HeadTooLarge => ApiError::new(
            431,
            "head_too_large",
            format!(
                "the request head is over {} KiB or {} headers",
                super::transport::MAX_HEAD / 1024,
                super::transport::MAX_HEADERS
            ),
        ),
        Refusal::Malformed(message) => ApiError::bad_request(message.clone()),
        Refusal::UnsupportedEncoding(codings) => ApiError::new(
            501,
            "unsupported_encoding",
            format!("Transfer-Encoding `{codings}` is not supported; send the body as is with Content-Length, or chunked"),
        ),
    };
    json_response(error.status, &error.body())
}
