//! What a request came back with: status, headers, body and where the time went.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// Phases of one transfer in microseconds, from libcurl's `CURLINFO_*_TIME_T` values.
/// `connect` and `tls` are 0 when a kept-alive connection was reused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    /// Name resolution.
    pub dns: u64,
    /// TCP connect, after resolution.
    pub connect: u64,
    /// TLS handshake, after connect.
    pub tls: u64,
    /// From the request being ready to send until the first response byte (server time plus one round trip).
    pub first_byte: u64,
    /// From the first response byte to the last.
    pub download: u64,
    /// The whole transfer, redirects included.
    pub total: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyEncoding {
    /// `body` holds the bytes as text.
    #[default]
    Utf8,
    /// The bytes were not UTF-8: `body` holds them base64-encoded.
    Base64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub status: u16,
    pub status_text: String,
    /// "HTTP/1.0", "HTTP/1.1", "HTTP/2" or "HTTP/3".
    pub http_version: String,
    /// In arrival order, repeated names kept; only the final response's headers when redirects were followed.
    pub headers: Vec<Header>,
    pub body: String,
    pub body_encoding: BodyEncoding,
    /// Bytes received (after content decoding), also when the body was too large to keep.
    pub body_size: u64,
    /// The body went over the engine's cap and was counted but not kept: `body` is empty.
    pub body_truncated: bool,
    pub remote_address: String,
    pub effective_url: String,
    pub redirect_count: u32,
    pub timings: Timings,
    /// The responses before the last one, when the request asked to keep them
    /// (`PreparedRequest::keep_redirect_cookies`): each hop's URL and `Set-Cookie` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<RedirectHop>,
}

/// One response a redirect (or a `100 Continue`, or an auth challenge) was followed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectHop {
    /// The URL this response came from.
    pub url: String,
    pub status: u16,
    /// Its `Set-Cookie` header values, in order.
    pub set_cookies: Vec<String>,
}

impl Response {
    /// The first header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The body's bytes, decoding base64 where the body was not text.
    pub fn body_bytes(&self) -> Vec<u8> {
        match self.body_encoding {
            BodyEncoding::Utf8 => self.body.as_bytes().to_vec(),
            BodyEncoding::Base64 => base64::engine::general_purpose::STANDARD
                .decode(&self.body)
                .unwrap_or_default(),
        }
    }
}

/// Encodes body bytes for JSON: text when they are UTF-8, base64 otherwise.
pub(crate) fn encode_body(bytes: Vec<u8>) -> (String, BodyEncoding) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, BodyEncoding::Utf8),
        Err(e) => (
            base64::engine::general_purpose::STANDARD.encode(e.as_bytes()),
            BodyEncoding::Base64,
        ),
    }
}

/// The standard reason phrase, for HTTP/2 and later, which carry none on the wire.
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        418 => "I'm a teapot",
        422 => "Unprocessable Content",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_encoding_round_trip() {
        let (text, enc) = encode_body(b"hello".to_vec());
        assert_eq!((text.as_str(), enc), ("hello", BodyEncoding::Utf8));
        let bytes = vec![0xff, 0x00, 0x80];
        let (text, enc) = encode_body(bytes.clone());
        assert_eq!(enc, BodyEncoding::Base64);
        let r = Response {
            status: 200,
            status_text: "OK".into(),
            http_version: "HTTP/1.1".into(),
            headers: vec![],
            body: text,
            body_encoding: enc,
            body_size: 3,
            body_truncated: false,
            remote_address: String::new(),
            effective_url: String::new(),
            redirect_count: 0,
            timings: Timings::default(),
            redirects: Vec::new(),
        };
        assert_eq!(r.body_bytes(), bytes);
    }
}
