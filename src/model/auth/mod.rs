//! Postman's auth types that sign the request or leave it to libcurl: AWS Signature v4, NTLM,
//! OAuth 1.0, Hawk, JWT, Akamai EdgeGrid and Atlassian ASAP, plus digest (signed when the
//! server's nonce is known, else handed to libcurl). Each module holds one auth's parameters (named as in Postman's collection format,
//! so a collection's auth maps onto them key for key) and how it changes the outgoing request,
//! following postman-runtime's `lib/authorizer/*.js` (what Newman 6 sends).
//!
//! Signing runs on the request as it goes out (method, url after substitution, headers, body
//! bytes): `RequestSpec::prepare_with` calls [`apply`] last.

mod asap;
mod aws;
mod digest;
mod edgegrid;
mod hawk;
mod jwt;
mod keys;
mod ntlm;
mod oauth1;

pub(crate) use hawk::{hawk_algorithm, HAWK_APP_REFUSED};
pub(crate) use keys::jwt_algorithm;
pub(crate) use oauth1::signature_method as oauth1_method;

pub(crate) use asap::AsapAuth;
pub(crate) use aws::AwsV4Auth;
pub(crate) use digest::DigestAuth;
pub(crate) use edgegrid::EdgeGridAuth;
pub(crate) use hawk::HawkAuth;
pub(crate) use jwt::JwtAuth;
pub(crate) use ntlm::NtlmAuth;
pub(crate) use oauth1::OAuth1Auth;

use super::error::ValidationError;
use super::request::AuthSpec;
use base64::Engine as _;

/// An auth libcurl carries out itself: it answers the server's challenge (digest, NTLM) or
/// signs every transfer (SigV4, with a fresh date each time a load run resends the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurlAuth {
    Digest {
        username: String,
        password: String,
    },
    /// `username` may be `DOMAIN\user`, which libcurl splits.
    Ntlm {
        username: String,
        password: String,
    },
    /// `provider` is libcurl's `aws:amz:<region>:<service>`.
    AwsSigV4 {
        access_key: String,
        secret_key: String,
        provider: String,
    },
}

/// The request as it goes out, for the auths that change or sign it.
pub(crate) struct Outgoing<'a> {
    pub method: &'a str,
    pub url: &'a mut String,
    pub headers: &'a mut Vec<(String, String)>,
    pub body: &'a mut Option<Vec<u8>>,
}

impl Outgoing<'_> {
    /// Drops every header named `name` (any case): the auths replace what the request set.
    pub(crate) fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body whose hash Postman's auths sign: none for form-data, which postman-runtime
    /// does not hash, nor for an empty body.
    pub(crate) fn hashable_body(&self) -> Option<&[u8]> {
        match self.body.as_deref() {
            Some(b) if !b.is_empty() && !self.is_multipart() => Some(b),
            _ => None,
        }
    }

    pub(crate) fn is_multipart(&self) -> bool {
        self.header("content-type").is_some_and(|t| {
            t.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
    }

    /// Whether the body is `application/x-www-form-urlencoded` (OAuth 1.0 signs its fields).
    pub(crate) fn is_form(&self) -> bool {
        self.body.is_some()
            && self.header("content-type").is_some_and(|t| {
                t.to_ascii_lowercase()
                    .contains("application/x-www-form-urlencoded")
            })
    }
}

/// Applies `auth` to the outgoing request when it is one of the signing kinds (or digest);
/// returns what libcurl must do. The simple kinds (basic, bearer, apikey, oauth2) are headers
/// `prepare` already added.
pub(crate) fn apply(
    auth: &AuthSpec,
    out: &mut Outgoing,
) -> Result<Option<Box<CurlAuth>>, ValidationError> {
    let curl = match auth {
        AuthSpec::Digest(a) => a.apply(out)?,
        AuthSpec::AwsV4(a) => Some(a.apply(out)?),
        AuthSpec::Ntlm(a) => Some(a.apply(out)?),
        AuthSpec::OAuth1(a) => a.apply(out).map(|()| None)?,
        AuthSpec::Hawk(a) => a.apply(out).map(|()| None)?,
        AuthSpec::Jwt(a) => a.apply(out).map(|()| None)?,
        AuthSpec::EdgeGrid(a) => a.apply(out).map(|()| None)?,
        AuthSpec::Asap(a) => a.apply(out).map(|()| None)?,
        AuthSpec::Basic { .. }
        | AuthSpec::Bearer { .. }
        | AuthSpec::ApiKey { .. }
        | AuthSpec::OAuth2 { .. } => None,
    };
    Ok(curl.map(Box::new))
}

/// The parts of an absolute http(s) URL the signatures cover.
pub(crate) struct UrlParts<'a> {
    /// Lower-case.
    pub scheme: String,
    /// The host as written (IPv6 in brackets), without user info or port.
    pub host: &'a str,
    /// The port written in the URL, if any.
    pub port: Option<u16>,
    /// Path and query, without the fragment; may be empty.
    pub path_query: &'a str,
}

impl<'a> UrlParts<'a> {
    pub(crate) fn parse(url: &'a str) -> UrlParts<'a> {
        let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
        let (host, port) = match host_port.rfind(':') {
            Some(i) if !host_port[i..].contains(']') => (&host_port[..i], &host_port[i + 1..]),
            _ => (host_port, ""),
        };
        let tail = &rest[end..];
        let path_query = tail.split('#').next().unwrap_or("");
        UrlParts {
            scheme: scheme.to_ascii_lowercase(),
            host,
            port: port.parse().ok(),
            path_query,
        }
    }

    /// The port the request goes to: as written, else the scheme's.
    pub(crate) fn effective_port(&self) -> u16 {
        self.port
            .unwrap_or(if self.scheme == "https" { 443 } else { 80 })
    }

    /// `host[:port]` as Node's `url.host` gives it (the port only when written).
    pub(crate) fn host_port(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.to_string(),
        }
    }

    /// The host without IPv6 brackets.
    pub(crate) fn hostname(&self) -> &'a str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }
}

/// RFC 3986's unreserved characters stay; everything else is percent-encoded (what Postman's
/// OAuth signing and Newman's urlencoded bodies both do).
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(crate) fn encode_unreserved(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, UNRESERVED).to_string()
}

/// The alphabet of Postman's random nonces (`randomString`).
pub(crate) const ALPHANUMERIC: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `n` random characters from `alphabet`, for nonces.
pub(crate) fn random_text(n: usize, alphabet: &[u8]) -> String {
    let mut bytes = vec![0u8; n];
    // getrandom fails only where the OS has no random source at all; a clock-seeded fallback
    // still gives distinct nonces.
    if getrandom::getrandom(&mut bytes).is_err() {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8 ^ i as u8;
        }
    }
    bytes
        .iter()
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect()
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A signing failure as a request error naming the auth field.
pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ValidationError {
    ValidationError::new(format!("auth.{field}"), message)
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// `apply` on a plain request, for the modules' tests.
#[cfg(test)]
pub(crate) fn sign_for_test(
    auth: &AuthSpec,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (String, Vec<(String, String)>, Option<Vec<u8>>) {
    let mut url = url.to_string();
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut body = body.map(|b| b.as_bytes().to_vec());
    apply(
        auth,
        &mut Outgoing {
            method,
            url: &mut url,
            headers: &mut headers,
            body: &mut body,
        },
    )
    .unwrap();
    (url, headers, body)
}
