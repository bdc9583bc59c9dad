//! The request a user writes (JSON, camelCase) and the validated form the engine sends.

use super::auth::{self, CurlAuth};
use super::duration::{duration_from_json, json_kind};
use super::error::ValidationError;
use super::request_body::{FormDataSpec, InlineFile};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Requests without a `timeout` give up after this long, so a hung server cannot hold a run forever.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub(crate) const DEFAULT_MAX_REDIRECTS: u32 = 10;

/// A request as written in a request file or an API body. Nothing is checked yet: see [`RequestSpec::prepare`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default = "default_method")]
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: HeaderSpecs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// A multipart/form-data body (in place of `body`): text parts and inline files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_data: Option<Vec<FormDataSpec>>,
    /// A file's bytes as the body (in place of `body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<InlineFile>,
    /// Values for the URL's `:name` path segments (Postman's path variables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_variables: Option<BTreeMap<String, String>>,
    /// Milliseconds as a number, or a string with a unit ("5s"); 0 means no timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_redirects: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redirects: Option<i64>,
    /// Keep the method and body across 301, 302 and 303 redirects (Postman's
    /// `followOriginalHttpMethod`); by default they become a GET without a body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_original_http_method: Option<bool>,
    /// Keep sending `Authorization` when a redirect leads to another host (Postman's
    /// `followAuthorizationHeader`); by default it is dropped there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_authorization_header: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// TLS protocol versions not to use, as Postman names them (`TLSv1`, `TLSv1_1`, `TLSv1_2`,
    /// `TLSv1_3`; `SSLv2`/`SSLv3` are never used anyway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_disabled_protocols: Option<Vec<String>>,
    /// OpenSSL cipher names to offer, TLS 1.3 suites (`TLS_AES_128_GCM_SHA256`) included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cipher_selection: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthSpec>,
    /// JavaScript run before the request is built (docs/scripting.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_request_script: Option<ScriptSource>,
    /// JavaScript run on the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_script: Option<ScriptSource>,
}

/// A script as written: one string, or a list of lines as Postman exports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ScriptSource {
    Text(String),
    Lines(Vec<String>),
}

/// The longest script a request may carry. Each worker compiles and keeps every script of a run,
/// so a script's size is multiplied by the workers; real ones are kilobytes.
pub(crate) const MAX_SCRIPT_BYTES: usize = 1024 * 1024;

/// Refuses a script over [`MAX_SCRIPT_BYTES`], naming `field`.
pub(crate) fn check_script_size(field: &str, len: usize) -> Result<(), ValidationError> {
    if len > MAX_SCRIPT_BYTES {
        return Err(ValidationError::new(
            field,
            format!(
                "the script is {len} bytes, over the {} KiB a script may have; load large data as iteration data or from a response instead",
                MAX_SCRIPT_BYTES / 1024
            ),
        ));
    }
    Ok(())
}

impl ScriptSource {
    /// Its length in bytes as run (lines joined).
    pub fn len(&self) -> usize {
        match self {
            ScriptSource::Text(t) => t.len(),
            ScriptSource::Lines(lines) => lines.iter().map(|l| l.len() + 1).sum(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn text(&self) -> String {
        match self {
            ScriptSource::Text(t) => t.clone(),
            ScriptSource::Lines(lines) => lines.join("\n"),
        }
    }
}

fn default_method() -> String {
    "GET".into()
}

/// One header line. Files may write headers as an object or as Postman's list of `{key, value, disabled}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderSpec {
    pub key: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

/// Adds `Content-Type: value` unless an enabled header sets one: the type a body implies gives
/// way to the one the request says.
pub(crate) fn add_content_type(headers: &mut Vec<HeaderSpec>, value: &str) {
    if !headers
        .iter()
        .any(|h| !h.disabled && h.key.eq_ignore_ascii_case("content-type"))
    {
        headers.push(HeaderSpec {
            key: "Content-Type".into(),
            value: value.to_string(),
            disabled: false,
        });
    }
}

/// Headers in the order written; repeated names are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct HeaderSpecs(pub Vec<HeaderSpec>);

impl<'de> Deserialize<'de> for HeaderSpecs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        let scalar = |name: &str, v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Ok(s.clone()),
            serde_json::Value::Number(n) => Ok(n.to_string()),
            serde_json::Value::Bool(b) => Ok(b.to_string()),
            other => Err(D::Error::custom(format!(
                "header `{name}` has {} as its value; use a string",
                json_kind(other)
            ))),
        };
        match value {
            serde_json::Value::Null => Ok(HeaderSpecs::default()),
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    Ok(HeaderSpec {
                        key: k.clone(),
                        value: scalar(k, v)?,
                        disabled: false,
                    })
                })
                .collect::<Result<_, _>>()
                .map(HeaderSpecs),
            serde_json::Value::Array(items) => items
                .into_iter()
                .map(|item| serde_json::from_value::<HeaderSpec>(item).map_err(D::Error::custom))
                .collect::<Result<_, _>>()
                .map(HeaderSpecs),
            other => Err(D::Error::custom(format!(
                "headers must be an object {{\"Name\": \"value\"}} or a list of {{\"key\", \"value\", \"disabled\"}}, got {}",
                json_kind(&other)
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum AuthSpec {
    Basic {
        username: String,
        #[serde(default)]
        password: String,
    },
    Bearer {
        token: String,
    },
    /// A key and value sent as a header (the default) or a query parameter, as Postman's API key auth.
    #[serde(rename = "apikey")]
    ApiKey {
        key: String,
        #[serde(default)]
        value: String,
        #[serde(default, rename = "in", skip_serializing_if = "ApiKeyPlace::is_header")]
        place: ApiKeyPlace,
    },
    /// HTTP digest (RFC 7616): signed before sending when `realm` and `nonce` are given, else
    /// libcurl answers the server's challenge.
    Digest(Box<auth::DigestAuth>),
    /// OAuth 2.0 with an access token already obtained: sent as `<headerPrefix> <token>` in the
    /// Authorization header (the default), or as the `access_token` query parameter.
    #[serde(rename = "oauth2", rename_all = "camelCase")]
    OAuth2 {
        access_token: String,
        #[serde(default, rename = "in", skip_serializing_if = "ApiKeyPlace::is_header")]
        place: ApiKeyPlace,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header_prefix: Option<String>,
    },
    // The signing kinds, with Postman's parameter names (src/model/auth/); boxed so that
    // requests with the simple kinds stay small.
    /// AWS Signature v4, signed by libcurl.
    AwsV4(Box<auth::AwsV4Auth>),
    /// NTLM, answered by libcurl when the server challenges.
    Ntlm(Box<auth::NtlmAuth>),
    #[serde(rename = "oauth1")]
    OAuth1(Box<auth::OAuth1Auth>),
    Hawk(Box<auth::HawkAuth>),
    Jwt(Box<auth::JwtAuth>),
    /// Akamai EdgeGrid.
    EdgeGrid(Box<auth::EdgeGridAuth>),
    /// Atlassian S2S auth.
    Asap(Box<auth::AsapAuth>),
}

/// Where an API key or an OAuth 2.0 token goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKeyPlace {
    #[default]
    Header,
    Query,
}

impl ApiKeyPlace {
    pub(crate) fn is_header(&self) -> bool {
        *self == ApiKeyPlace::Header
    }
}

impl AuthSpec {
    /// Whether the auth is applied to the finished request (digest and the signing kinds),
    /// writing into its headers or URL.
    pub fn signs(&self) -> bool {
        !matches!(
            self,
            AuthSpec::Basic { .. }
                | AuthSpec::Bearer { .. }
                | AuthSpec::ApiKey { .. }
                | AuthSpec::OAuth2 { .. }
        )
    }

    /// Applies `f` to every text the auth holds (for `{{variable}}` substitution).
    pub fn map_text(&self, mut f: impl FnMut(&str) -> String) -> AuthSpec {
        match self {
            AuthSpec::Basic { username, password } => AuthSpec::Basic {
                username: f(username),
                password: f(password),
            },
            AuthSpec::Bearer { token } => AuthSpec::Bearer { token: f(token) },
            AuthSpec::ApiKey { key, value, place } => AuthSpec::ApiKey {
                key: f(key),
                value: f(value),
                place: *place,
            },
            AuthSpec::Digest(a) => AuthSpec::Digest(Box::new(a.map_text(&mut f))),
            AuthSpec::OAuth2 {
                access_token,
                place,
                header_prefix,
            } => AuthSpec::OAuth2 {
                access_token: f(access_token),
                place: *place,
                header_prefix: header_prefix.as_deref().map(&mut f),
            },
            AuthSpec::AwsV4(a) => AuthSpec::AwsV4(Box::new(a.map_text(&mut f))),
            AuthSpec::Ntlm(a) => AuthSpec::Ntlm(Box::new(a.map_text(&mut f))),
            AuthSpec::OAuth1(a) => AuthSpec::OAuth1(Box::new(a.map_text(&mut f))),
            AuthSpec::Hawk(a) => AuthSpec::Hawk(Box::new(a.map_text(&mut f))),
            AuthSpec::Jwt(a) => AuthSpec::Jwt(Box::new(a.map_text(&mut f))),
            AuthSpec::EdgeGrid(a) => AuthSpec::EdgeGrid(Box::new(a.map_text(&mut f))),
            AuthSpec::Asap(a) => AuthSpec::Asap(Box::new(a.map_text(&mut f))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Trace,
    /// Any other HTTP token (`PURGE`, `PROPFIND`, Postman's own `POSTMAN`): sent as written.
    Other(MethodToken),
}

/// The longest method name taken: far past any registered one, short enough to keep `Method`
/// `Copy` (it is read on every send).
const MAX_METHOD_LEN: usize = 31;

/// A method name that is an HTTP token (RFC 9110 §5.6.2), upper-cased as Postman sends it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MethodToken {
    len: u8,
    bytes: [u8; MAX_METHOD_LEN],
}

impl std::fmt::Debug for MethodToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl MethodToken {
    fn new(upper: &str) -> Option<MethodToken> {
        let tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if upper.is_empty() || upper.len() > MAX_METHOD_LEN || !upper.bytes().all(tchar) {
            return None;
        }
        let mut bytes = [0u8; MAX_METHOD_LEN];
        bytes[..upper.len()].copy_from_slice(upper.as_bytes());
        Some(MethodToken {
            len: upper.len() as u8,
            bytes,
        })
    }

    fn as_str(&self) -> &str {
        // Only ASCII token bytes are ever stored (see `new`).
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("GET")
    }
}

impl Method {
    const ALL: [Method; 8] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Options,
        Method::Trace,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Other(token) => token.as_str(),
        }
    }

    /// Any HTTP token, case-insensitively, as Postman and Newman take it (upper-cased).
    pub fn parse(text: &str) -> Result<Method, ValidationError> {
        let upper = text.trim().to_ascii_uppercase();
        if let Some(known) = Method::ALL.into_iter().find(|m| m.as_str() == upper) {
            return Ok(known);
        }
        MethodToken::new(&upper).map(Method::Other).ok_or_else(|| {
            ValidationError::new(
                "method",
                format!(
                    "`{text}` is not an HTTP method: a method is a token of at most {MAX_METHOD_LEN} letters, digits or !#$%&'*+-.^_`|~ (e.g. GET, POST, PURGE)"
                ),
            )
        })
    }
}

/// Which HTTP version to speak. `Auto` negotiates HTTP/2 over TLS (ALPN) and uses HTTP/1.1 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HttpVersionPref {
    #[default]
    Auto,
    Http10,
    Http11,
    Http2,
    /// HTTP/2 without upgrade or ALPN, as h2c servers and h2load expect.
    Http2PriorKnowledge,
}

impl HttpVersionPref {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let t = text.trim().to_ascii_lowercase();
        let t = t.strip_prefix("http/").unwrap_or(&t);
        Ok(match t {
            "auto" | "" => HttpVersionPref::Auto,
            "1.0" => HttpVersionPref::Http10,
            "1.1" | "1" => HttpVersionPref::Http11,
            "2" | "2.0" => HttpVersionPref::Http2,
            "2-prior-knowledge" | "h2c" => HttpVersionPref::Http2PriorKnowledge,
            _ => {
                return Err(ValidationError::new(
                    "httpVersion",
                    format!("`{text}` is not an HTTP version; use \"auto\", \"1.0\", \"1.1\", \"2\" or \"2-prior-knowledge\""),
                ))
            }
        })
    }
}

/// A validated request, ready for the engine: everything is checked and resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub method: Method,
    pub url: String,
    /// The URL's host, lower-cased, without brackets or port.
    pub host: String,
    /// Enabled headers in order, including the `Authorization` and `Content-Type` that auth and a JSON body imply.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// An auth libcurl carries out (digest, NTLM, AWS SigV4); boxed because it is rare and a
    /// prepared request is moved on the per-request path.
    pub curl_auth: Option<Box<CurlAuth>>,
    /// `None` means wait forever.
    pub timeout: Option<Duration>,
    pub follow_redirects: bool,
    pub max_redirects: u32,
    /// Keep method and body on 301/302/303 redirects.
    pub follow_original_method: bool,
    /// Keep `Authorization` on a redirect to another host.
    pub follow_authorization: bool,
    pub insecure: bool,
    pub http_version: HttpVersionPref,
    /// TLS settings beyond certificate checks; boxed, as most requests have none.
    pub tls: Option<Box<TlsOptions>>,
    /// Keep each redirect hop's `Set-Cookie` headers (see [`super::Response::redirects`]):
    /// only a request with a cookie jar asks.
    pub keep_redirect_cookies: bool,
    /// The jar's cookies for the URL, and that the cookies a redirect sets go with the next
    /// hops, as Postman sends them (libcurl's cookie engine, emptied before each transfer; only
    /// a request with a jar and no Cookie header of its own asks). `None`: no cookie engine.
    pub jar_cookies: Option<String>,
}

/// TLS versions, ciphers and certificates of a request, in libcurl's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// The lowest and highest TLS version allowed: 0 = TLS 1.0 … 3 = TLS 1.3.
    pub min_version: Option<u8>,
    pub max_version: Option<u8>,
    /// TLS 1.2 and older cipher list (`CURLOPT_SSL_CIPHER_LIST`).
    pub ciphers: Option<String>,
    /// TLS 1.3 suites (`CURLOPT_TLS13_CIPHERS`).
    pub tls13_ciphers: Option<String>,
    /// A client certificate and its key (PEM files), and the key's passphrase.
    pub client_cert: Option<String>,
    pub client_key: Option<String>,
    pub key_password: Option<String>,
    /// A CA bundle to verify servers with instead of the default one.
    pub ca_file: Option<String>,
}

impl TlsOptions {
    /// From Postman's `tlsDisabledProtocols` and `tlsCipherSelection`; `None` when both are unset.
    fn from_postman(
        disabled: Option<&[String]>,
        ciphers: Option<&[String]>,
    ) -> Result<Option<TlsOptions>, ValidationError> {
        if disabled.is_none() && ciphers.is_none() {
            return Ok(None);
        }
        let mut tls = TlsOptions::default();
        if let Some(disabled) = disabled {
            const VERSIONS: [&str; 4] = ["TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3"];
            for name in disabled {
                if !VERSIONS.contains(&name.as_str()) && name != "SSLv2" && name != "SSLv3" {
                    return Err(ValidationError::new(
                        "tlsDisabledProtocols",
                        format!("`{name}` is not a protocol; use SSLv2, SSLv3, TLSv1, TLSv1_1, TLSv1_2 or TLSv1_3"),
                    ));
                }
            }
            let allowed: Vec<u8> = (0..4u8)
                .filter(|v| !disabled.iter().any(|d| d == VERSIONS[*v as usize]))
                .collect();
            let (Some(&min), Some(&max)) = (allowed.first(), allowed.last()) else {
                return Err(ValidationError::new(
                    "tlsDisabledProtocols",
                    "every TLS version is disabled; leave at least one enabled",
                ));
            };
            // As OpenSSL's SSL_OP_NO_* flags: the versions from the lowest to the highest
            // enabled one are used, a disabled one between them too.
            tls.min_version = Some(min).filter(|v| *v > 0);
            tls.max_version = Some(max).filter(|v| *v < 3);
        }
        if let Some(ciphers) = ciphers {
            let (v13, older): (Vec<&String>, Vec<&String>) =
                ciphers.iter().partition(|c| c.starts_with("TLS_"));
            let join = |list: Vec<&String>| {
                (!list.is_empty()).then(|| {
                    list.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(":")
                })
            };
            tls.ciphers = join(older);
            tls.tls13_ciphers = join(v13);
        }
        Ok(Some(tls))
    }
}

impl RequestSpec {
    /// Reads a request from JSON text; errors name the offending field.
    pub fn from_json(text: &str) -> Result<RequestSpec, ValidationError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(ValidationError::at_path)
    }

    /// A request already parsed (an API body's part), read without writing it back as text.
    pub fn from_value(value: serde_json::Value) -> Result<RequestSpec, ValidationError> {
        serde_path_to_error::deserialize(value).map_err(ValidationError::at_path)
    }

    /// Checks every field and resolves defaults. The first problem found is returned.
    pub fn prepare(&self) -> Result<PreparedRequest, ValidationError> {
        self.prepare_with(None)
    }

    /// [`prepare`](Self::prepare) with a body built elsewhere (a flow step's form, GraphQL or
    /// file body) and the Content-Type it implies (added unless the request sets one), in place
    /// of `body`: the auths that sign the body must see the one that is sent.
    pub fn prepare_with(
        &self,
        built_body: Option<(Vec<u8>, Option<String>)>,
    ) -> Result<PreparedRequest, ValidationError> {
        for (field, script) in [
            ("preRequestScript", &self.pre_request_script),
            ("testScript", &self.test_script),
        ] {
            check_script_size(field, script.as_ref().map_or(0, ScriptSource::len))?;
        }
        let method = Method::parse(&self.method)?;
        let mut url = match &self.path_variables {
            Some(vars) => super::resolve_path_variables(self.url.trim(), vars, true),
            None => self.url.trim().to_string(),
        };
        let host = check_url(&url)?;
        let mut headers = self.enabled_headers()?;
        // A flow's built body (its own form) wins; otherwise `formData` or `bodyFile`.
        let built_body = match built_body {
            Some(b) => Some(b),
            None => self.inline_body(method)?,
        };
        if let Some((name, value)) = self.simple_auth(&mut url)? {
            if !has_header(&headers, &name) {
                headers.push((name, value));
            }
        }
        let mut body = self.body_bytes(method, built_body, &mut headers)?;
        let curl_auth = self.sign(method, &mut url, &mut headers, &mut body)?;
        let timeout = self.checked_timeout()?;
        let max_redirects = self.checked_max_redirects()?;
        let http_version = match &self.http_version {
            None => HttpVersionPref::Auto,
            Some(v) => HttpVersionPref::parse(v)?,
        };
        let tls = TlsOptions::from_postman(
            self.tls_disabled_protocols.as_deref(),
            self.tls_cipher_selection.as_deref(),
        )?
        .map(Box::new);
        Ok(PreparedRequest {
            method,
            url,
            curl_auth,
            host,
            headers,
            body,
            timeout,
            follow_redirects: self.follow_redirects.unwrap_or(true),
            max_redirects,
            follow_original_method: self.follow_original_http_method.unwrap_or(false),
            follow_authorization: self.follow_authorization_header.unwrap_or(false),
            insecure: self.insecure.unwrap_or(false),
            http_version,
            tls,
            keep_redirect_cookies: false,
            jar_cookies: None,
        })
    }

    /// Applies a signing auth to the request as it will be sent; the headers and URL it wrote
    /// are checked as the request's own are. Returns what libcurl signs itself.
    fn sign(
        &self,
        method: Method,
        url: &mut String,
        headers: &mut Vec<(String, String)>,
        body: &mut Option<Vec<u8>>,
    ) -> Result<Option<Box<CurlAuth>>, ValidationError> {
        let Some(spec) = &self.auth else {
            return Ok(None);
        };
        let curl_auth = auth::apply(
            spec,
            &mut auth::Outgoing {
                method: method.as_str(),
                url,
                headers,
                body,
            },
        )?;
        if spec.signs() {
            // The signing auths write values from the collection (a `{{variable}}`, a data
            // row) into headers and the URL: checked as the request's own are, so none can
            // split the request.
            for (i, (name, value)) in headers.iter().enumerate() {
                check_header(i, name, value)
                    .map_err(|e| ValidationError::new("auth", e.message))?;
            }
            check_url(url).map_err(|e| ValidationError::new("auth", e.message))?;
        }
        Ok(curl_auth)
    }

    /// The enabled headers, each checked, names trimmed.
    fn enabled_headers(&self) -> Result<Vec<(String, String)>, ValidationError> {
        let mut headers = Vec::with_capacity(self.headers.0.len() + 2);
        for (i, h) in self.headers.0.iter().enumerate() {
            if h.disabled {
                continue;
            }
            check_header(i, &h.key, &h.value)?;
            headers.push((h.key.trim().to_string(), h.value.clone()));
        }
        Ok(headers)
    }

    /// The header a simple auth (basic, bearer, apikey, oauth2) adds, or its query parameter
    /// added to `url`; the signing auths are applied to the finished request instead.
    // Kept whole: one arm per auth type, each a few lines.
    fn simple_auth(&self, url: &mut String) -> Result<Option<(String, String)>, ValidationError> {
        let Some(auth) = &self.auth else {
            return Ok(None);
        };
        Ok(match auth {
            AuthSpec::Basic { username, password } => {
                if username.is_empty() {
                    return Err(ValidationError::new(
                        "auth.username",
                        "basic auth needs a username",
                    ));
                }
                let pair = format!("{username}:{password}");
                Some((
                    "Authorization".to_string(),
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(pair)
                    ),
                ))
            }
            AuthSpec::Bearer { token } => {
                check_one_line("auth.token", "bearer auth needs a non-empty token", token)?;
                Some(("Authorization".into(), format!("Bearer {token}")))
            }
            AuthSpec::ApiKey { key, value, place } => {
                check_one_line("auth.key", "API key auth needs a key name", key)?;
                match place {
                    ApiKeyPlace::Header => {
                        check_header(0, key, value)
                            .map_err(|e| ValidationError::new("auth.key", e.message))?;
                        Some((key.clone(), value.clone()))
                    }
                    ApiKeyPlace::Query => {
                        append_query(url, key, value);
                        None
                    }
                }
            }
            AuthSpec::OAuth2 {
                access_token,
                place,
                header_prefix,
            } => {
                check_one_line(
                    "auth.accessToken",
                    "OAuth 2.0 auth needs an access token",
                    access_token,
                )?;
                match place {
                    ApiKeyPlace::Header => {
                        let prefix = header_prefix.as_deref().unwrap_or("Bearer");
                        let value = format!("{prefix} {access_token}");
                        Some(("Authorization".into(), value.trim_start().to_string()))
                    }
                    ApiKeyPlace::Query => {
                        append_query(url, "access_token", access_token);
                        None
                    }
                }
            }
            AuthSpec::Digest(_)
            | AuthSpec::AwsV4(_)
            | AuthSpec::Ntlm(_)
            | AuthSpec::OAuth1(_)
            | AuthSpec::Hawk(_)
            | AuthSpec::Jwt(_)
            | AuthSpec::EdgeGrid(_)
            | AuthSpec::Asap(_) => None,
        })
    }

    /// The body's bytes: `built` (a flow step's form, GraphQL or file body, with the
    /// Content-Type it implies) in place of `body`, or `body` as text or as JSON.
    fn body_bytes(
        &self,
        method: Method,
        built: Option<(Vec<u8>, Option<String>)>,
        headers: &mut Vec<(String, String)>,
    ) -> Result<Option<Vec<u8>>, ValidationError> {
        let body = match &self.body {
            _ if built.is_some() => None,
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(text)) => Some(text.clone().into_bytes()),
            Some(json) => {
                if !has_header(headers, "content-type") {
                    headers.push(("Content-Type".into(), "application/json".into()));
                }
                Some(serde_json::to_vec(json).expect("a JSON value always serialises"))
            }
        };
        // A HEAD body written in the request is refused; a built one is a collection's that
        // asked for it (`disableBodyPruning`).
        if body.is_some() && method == Method::Head {
            return Err(ValidationError::new(
                "body",
                "a HEAD request cannot carry a body; remove `body` or use another method",
            ));
        }
        let Some((bytes, content_type)) = built else {
            return Ok(body);
        };
        if let Some(ct) = content_type {
            set_built_content_type(headers, ct);
        }
        Ok(Some(bytes))
    }

    /// `timeout`: the default when not given, none for 0.
    pub(crate) fn checked_timeout(&self) -> Result<Option<Duration>, ValidationError> {
        let Some(v) = &self.timeout else {
            return Ok(Some(DEFAULT_TIMEOUT));
        };
        let d = duration_from_json(v, 1.0).map_err(|m| {
            ValidationError::new(
                "timeout",
                format!("{m} (milliseconds, or a string such as \"5s\"; 0 for none)"),
            )
        })?;
        Ok((!d.is_zero()).then_some(d))
    }

    pub(crate) fn checked_max_redirects(&self) -> Result<u32, ValidationError> {
        match self.max_redirects {
            None => Ok(DEFAULT_MAX_REDIRECTS),
            Some(n) if (0..=1000).contains(&n) => Ok(n as u32),
            Some(n) => Err(ValidationError::new(
                "maxRedirects",
                format!("{n} is out of range; use 0 to 1000"),
            )),
        }
    }
}

/// The Content-Type a built body implies, unless the request sets one; a multipart type the
/// request sets gets the built body's boundary (the only one its parts are separated by).
fn set_built_content_type(headers: &mut Vec<(String, String)>, built: String) {
    let given = headers
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    match (given, built.split_once("; boundary=")) {
        (None, _) => headers.push(("Content-Type".into(), built)),
        (Some((_, value)), Some((_, boundary)))
            if value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/") =>
        {
            // Its own parameters stay (`multipart/related`'s `type`, `start`); the boundary is ours.
            let kept: Vec<&str> = value
                .split(';')
                .map(str::trim)
                .filter(|p| !p.to_ascii_lowercase().starts_with("boundary="))
                .collect();
            *value = format!("{}; boundary={boundary}", kept.join("; "));
        }
        (Some(_), _) => {}
    }
}

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// A credential must be non-empty and on one line (it goes into a header or the URL).
fn check_one_line(field: &str, what: &str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() || value.contains(['\r', '\n']) {
        return Err(ValidationError::new(field, format!("{what} on one line")));
    }
    Ok(())
}

/// Appends `key=value` to the URL's query (before any fragment), percent-encoding both.
pub(crate) fn append_query(url: &mut String, key: &str, value: &str) {
    let fragment = url.find('#').map(|i| url.split_off(i));
    let sep = if url.contains('?') {
        if url.ends_with('?') || url.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    url.push_str(sep);
    url.push_str(&percent_encode_query(key));
    url.push('=');
    url.push_str(&percent_encode_query(value));
    if let Some(f) = fragment {
        url.push_str(&f);
    }
}

/// Percent-encodes what may not appear as is in a query parameter.
pub fn percent_encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'!'
            | b'$'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b','
            | b';'
            | b':'
            | b'@'
            | b'/'
            | b'?' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Checks that a URL is absolute http(s) with a host, so a typo fails here with a clear message
/// rather than deep in libcurl. Returns the host, lower-cased.
fn check_url(url: &str) -> Result<String, ValidationError> {
    let err = |m: String| Err(ValidationError::new("url", m));
    let url = url.trim();
    if url.is_empty() {
        return err("is empty; write an absolute URL such as http://127.0.0.1:8080/path".into());
    }
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return err(format!(
            "`{url}` contains {c:?}; percent-encode spaces and control characters"
        ));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return err(format!(
            "`{url}` has no scheme; write it as http://{url} or https://{url}"
        ));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return err(format!(
            "scheme `{scheme}` is not supported; use http or https"
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':')),
            None => return err(format!("`{url}` has an unclosed IPv6 address bracket")),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return err(format!("`{url}` has no host"));
    }
    if let Some(p) = port {
        if !p.is_empty() && p.parse::<u16>().map_or(true, |n| n == 0) {
            return err(format!(
                "port `{p}` in `{url}` is not a number from 1 to 65535"
            ));
        }
    }
    Ok(host.to_ascii_lowercase())
}

impl PreparedRequest {
    /// RFC 6761 §6.4: names under `.invalid` never resolve, and resolvers should say so at once
    /// without asking a name server.
    pub fn host_is_reserved_invalid(&self) -> bool {
        let host = self.host.trim_end_matches('.');
        host == "invalid" || host.ends_with(".invalid")
    }

    /// Whether the request may share a connection with others (HTTP/2 streams): asked for
    /// explicitly, or `auto` over TLS, where ALPN usually picks HTTP/2.
    pub fn may_multiplex(&self) -> bool {
        match self.http_version {
            HttpVersionPref::Http2 | HttpVersionPref::Http2PriorKnowledge => true,
            HttpVersionPref::Auto => self
                .url
                .get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://")),
            HttpVersionPref::Http10 | HttpVersionPref::Http11 => false,
        }
    }
}

/// RFC 9110 token characters: what a header name may contain.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn check_header(index: usize, name: &str, value: &str) -> Result<(), ValidationError> {
    let field = format!("headers[{index}]");
    let name = name.trim();
    if name.is_empty() {
        return Err(ValidationError::new(field, "header name is empty"));
    }
    if let Some(c) = name.chars().find(|c| !is_token_char(*c)) {
        return Err(ValidationError::new(
            field,
            format!("header name `{name}` contains {c:?}; names may hold only letters, digits and !#$%&'*+-.^_`|~"),
        ));
    }
    if value.contains(['\r', '\n', '\0']) {
        return Err(ValidationError::new(
            field,
            format!("value of header `{name}` contains a line break or NUL; put it on one line"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepare(json: &str) -> Result<PreparedRequest, ValidationError> {
        RequestSpec::from_json(json)?.prepare()
    }

    fn field_of(json: &str) -> String {
        prepare(json).unwrap_err().field
    }

    #[test]
    fn values_a_signing_auth_writes_cannot_split_the_request() {
        for auth in [
            serde_json::json!({"type": "digest", "username": "u\r\nX-Evil: 1", "password": "p",
                               "realm": "r", "nonce": "n"}),
            serde_json::json!({"type": "jwt", "algorithm": "HS256", "secret": "s",
                               "headerPrefix": "Bearer\r\nX-Evil: 1"}),
        ] {
            let spec = RequestSpec::from_json(
                &serde_json::json!({"url": "http://127.0.0.1:1/", "auth": auth}).to_string(),
            )
            .unwrap();
            let e = spec.prepare().unwrap_err();
            assert_eq!(e.field, "auth", "{e:?}");
        }
    }

    #[test]
    fn defaults() {
        let r = prepare(r#"{"url": "http://127.0.0.1:1/x"}"#).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.timeout, Some(DEFAULT_TIMEOUT));
        assert!(r.follow_redirects);
        assert_eq!(r.max_redirects, DEFAULT_MAX_REDIRECTS);
        assert_eq!(r.http_version, HttpVersionPref::Auto);
    }

    #[test]
    fn headers_as_object_or_list() {
        let a = prepare(r#"{"url": "http://h/", "headers": {"X-A": "1", "X-N": 2}}"#).unwrap();
        assert_eq!(
            a.headers,
            vec![("X-A".into(), "1".into()), ("X-N".into(), "2".into())]
        );
        let b = prepare(
            r#"{"url": "http://h/", "headers": [{"key": "X-A", "value": "1"}, {"key": "X-B", "value": "2", "disabled": true}, {"key": "X-A", "value": "3"}]}"#,
        )
        .unwrap();
        assert_eq!(
            b.headers,
            vec![("X-A".into(), "1".into()), ("X-A".into(), "3".into())]
        );
    }

    #[test]
    fn json_body_sets_content_type_once() {
        let r = prepare(r#"{"method": "post", "url": "http://h/", "body": {"a": 1}}"#).unwrap();
        assert_eq!(r.body.as_deref(), Some(&b"{\"a\":1}"[..]));
        assert!(r
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        let r = prepare(r#"{"method": "POST", "url": "http://h/", "body": [1], "headers": {"content-type": "text/x"}}"#).unwrap();
        assert_eq!(r.headers, vec![("content-type".into(), "text/x".into())]);
    }

    #[test]
    fn auth_headers() {
        let r = prepare(
            r#"{"url": "http://h/", "auth": {"type": "basic", "username": "u", "password": "p"}}"#,
        )
        .unwrap();
        assert_eq!(
            r.headers,
            vec![("Authorization".into(), "Basic dTpw".into())]
        );
        let r =
            prepare(r#"{"url": "http://h/", "auth": {"type": "bearer", "token": "t"}}"#).unwrap();
        assert_eq!(r.headers, vec![("Authorization".into(), "Bearer t".into())]);
        assert_eq!(
            field_of(r#"{"url": "http://h/", "auth": {"type": "bearer", "token": ""}}"#),
            "auth.token"
        );
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            field_of(r#"{"url": "http://h/", "method": "FE TCH"}"#),
            "method"
        );
        assert_eq!(field_of(r#"{"url": "example.com/x"}"#), "url");
        assert_eq!(field_of(r#"{"url": "ftp://example.com/x"}"#), "url");
        assert_eq!(field_of(r#"{"url": "http:///x"}"#), "url");
        assert_eq!(field_of(r#"{"url": "http://h:99999/"}"#), "url");
        assert_eq!(
            field_of(r#"{"url": "http://h/", "headers": {"Bad Name": "v"}}"#),
            "headers[0]"
        );
        assert_eq!(
            field_of(r#"{"url": "http://h/", "timeout": -5}"#),
            "timeout"
        );
        assert_eq!(
            field_of(r#"{"url": "http://h/", "maxRedirects": -1}"#),
            "maxRedirects"
        );
        assert_eq!(
            field_of(r#"{"url": "http://h/", "httpVersion": "3.5"}"#),
            "httpVersion"
        );
        assert_eq!(
            field_of(r#"{"url": "http://h/", "followRedirects": "yes"}"#),
            "followRedirects"
        );
        assert_eq!(
            field_of(r#"{"url": "http://h/", "hedaers": {}}"#),
            "hedaers"
        );
        assert_eq!(field_of(r#"{"method": "GET"}"#), "");
    }

    #[test]
    fn error_messages_say_what_is_accepted() {
        let e = prepare(r#"{"url": "example.com"}"#).unwrap_err();
        assert!(e.message.contains("http://example.com"), "{e}");
        let e = prepare(r#"{"url": "http://h/", "method": "GET(1)"}"#).unwrap_err();
        assert!(e.message.contains("is not an HTTP method"), "{e}");
        let purge = prepare(r#"{"url": "http://h/", "method": "purge"}"#).unwrap();
        assert_eq!(purge.method.as_str(), "PURGE");
        assert_eq!(
            prepare(r#"{"url": "http://h/", "method": "POSTMAN"}"#)
                .unwrap()
                .method
                .as_str(),
            "POSTMAN"
        );
        let e = prepare(r#"{"url": "http://h/", "hedaers": {}}"#).unwrap_err();
        assert!(e.message.contains("unknown field `hedaers`"), "{e}");
    }

    #[test]
    fn ipv6_and_userinfo_urls() {
        assert!(prepare(r#"{"url": "http://[::1]:8080/x"}"#).is_ok());
        assert!(prepare(r#"{"url": "https://user:pw@h.example/x?q#f"}"#).is_ok());
        assert!(prepare(r#"{"url": "http://[::1/x"}"#).is_err());
    }

    #[test]
    fn host_is_extracted_and_invalid_tld_recognised() {
        let r = prepare(r#"{"url": "http://User@Nothing.INVALID:80/x"}"#).unwrap();
        assert_eq!(r.host, "nothing.invalid");
        assert!(r.host_is_reserved_invalid());
        assert!(!prepare(r#"{"url": "http://invalid.example/"}"#)
            .unwrap()
            .host_is_reserved_invalid());
        assert_eq!(
            prepare(r#"{"url": "http://[::1]:8/"}"#).unwrap().host,
            "::1"
        );
    }

    #[test]
    fn zero_timeout_means_none() {
        assert_eq!(
            prepare(r#"{"url": "http://h/", "timeout": 0}"#)
                .unwrap()
                .timeout,
            None
        );
        assert_eq!(
            prepare(r#"{"url": "http://h/", "timeout": "2s"}"#)
                .unwrap()
                .timeout,
            Some(Duration::from_secs(2))
        );
    }
}
