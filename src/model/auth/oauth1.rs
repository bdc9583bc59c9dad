//! OAuth 1.0 (postman-runtime `oauth1.js` over Postman's `node-oauth1`): the RFC 5849
//! signature (HMAC-SHA1/256/512, RSA-SHA1/256/512, PLAINTEXT) over the method, the base URL
//! and every parameter (query, a form body's fields, the `oauth_*` ones), sent in the
//! Authorization header (`addParamsToHeader`), else in a POST/PUT form body, else in the
//! query. Nonce (11 characters) and timestamp are generated when the auth leaves them empty;
//! `oauth_body_hash` is added for `includeBodyHash` when the body is not a form.
//!
//! Why not a library: `node-oauth1` needs Node's `crypto` (createHmac, createSign), which the
//! QuickJS sandbox does not have, and the Rust OAuth 1 crates (oauth1-request) have no realm,
//! no empty-parameter signing, no body hash and no SHA-256/512, all of which Postman sends.
//! The digests, HMAC, RSA and percent-encoding are the `hmac`, `sha1`, `sha2`, `rsa` and
//! `percent-encoding` crates'; what is here is the base string and where the parameters go.

use super::{
    b64, encode_unreserved, invalid, is_false, keys, random_text, unix_now, Outgoing, UrlParts,
    ALPHANUMERIC,
};
use crate::model::ValidationError;
use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OAuth1Auth {
    pub consumer_key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub consumer_secret: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token_secret: String,
    /// PEM, for the RSA methods.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub private_key: String,
    /// HMAC-SHA1 (the default), HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512,
    /// PLAINTEXT.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signature_method: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nonce: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub realm: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub callback: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub verifier: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub include_body_hash: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub add_params_to_header: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub add_empty_params_to_sign: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disable_header_encoding: bool,
}

const NONCE_CHARS: &[u8] = ALPHANUMERIC;

const OAUTH_PARAMS: [&str; 10] = [
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_signature",
    "oauth_callback",
    "oauth_verifier",
    "oauth_body_hash",
];

/// node-oauth1's `percentEncode`: RFC 3986's unreserved characters stay.
fn enc(text: &str) -> String {
    encode_unreserved(text)
}

/// Form decoding of one name or value (`+` is a space).
fn dec(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// `a=1&b&c=` as pairs; a name without `=` has no value.
fn decode_form(text: &str) -> Vec<(String, Option<String>)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (dec(k), Some(dec(v))),
            None => (dec(p), None),
        })
        .collect()
}

/// Splits a URL into what is before its query, its query and its fragment.
fn split_url(url: &str) -> (&str, Option<&str>, &str) {
    let (rest, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    match rest.split_once('?') {
        Some((base, query)) => (base, Some(query), fragment),
        None => (rest, None, fragment),
    }
}

/// Drops the query parameters whose decoded name `drop` picks.
pub(crate) fn remove_query_params(url: &mut String, drop: impl Fn(&str) -> bool) {
    let (base, Some(query), fragment) = split_url(url) else {
        return;
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| !drop(&dec(p.split('=').next().unwrap_or(""))))
        .collect();
    *url = if kept.is_empty() {
        format!("{base}{fragment}")
    } else {
        format!("{base}?{}{fragment}", kept.join("&"))
    };
}

enum Method {
    Hmac(&'static str),
    Rsa(&'static str),
    Plaintext,
}

/// The methods Vayu signs with.
pub(crate) fn signature_method(name: &str) -> Option<&'static str> {
    const ALL: [&str; 7] = [
        "HMAC-SHA1",
        "HMAC-SHA256",
        "HMAC-SHA512",
        "RSA-SHA1",
        "RSA-SHA256",
        "RSA-SHA512",
        "PLAINTEXT",
    ];
    let name = if name.is_empty() { "HMAC-SHA1" } else { name };
    ALL.into_iter().find(|m| m.eq_ignore_ascii_case(name))
}

fn hmac_sign(hash: &str, key: &[u8], data: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
            .expect("HMAC takes keys of any length");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
    match hash {
        "SHA256" => run::<Hmac<Sha256>>(key, data),
        "SHA512" => run::<Hmac<Sha512>>(key, data),
        _ => run::<Hmac<Sha1>>(key, data),
    }
}

fn rsa_sign(hash: &str, pem: &str, data: &[u8]) -> Result<Vec<u8>, ValidationError> {
    use rsa::pkcs1v15::SigningKey;
    use rsa::signature::{SignatureEncoding, Signer};
    let key = keys::rsa_private_key(pem).map_err(|m| invalid("privateKey", m))?;
    Ok(match hash {
        "SHA256" => SigningKey::<Sha256>::new(key).sign(data).to_vec(),
        "SHA512" => SigningKey::<Sha512>::new(key).sign(data).to_vec(),
        _ => SigningKey::<Sha1>::new(key).sign(data).to_vec(),
    })
}

fn body_hash(hash: &str, body: &[u8]) -> String {
    match hash {
        "SHA256" => b64(&Sha256::digest(body)),
        "SHA512" => b64(&Sha512::digest(body)),
        _ => b64(&Sha1::digest(body)),
    }
}

impl OAuth1Auth {
    pub fn map_text(&self, f: &mut dyn FnMut(&str) -> String) -> OAuth1Auth {
        OAuth1Auth {
            consumer_key: f(&self.consumer_key),
            consumer_secret: f(&self.consumer_secret),
            token: f(&self.token),
            token_secret: f(&self.token_secret),
            private_key: f(&self.private_key),
            signature_method: f(&self.signature_method),
            timestamp: f(&self.timestamp),
            nonce: f(&self.nonce),
            version: f(&self.version),
            realm: f(&self.realm),
            callback: f(&self.callback),
            verifier: f(&self.verifier),
            ..self.clone()
        }
    }

    pub(super) fn apply(&self, out: &mut Outgoing) -> Result<(), ValidationError> {
        let name = signature_method(&self.signature_method).ok_or_else(|| {
            invalid(
                "signatureMethod",
                format!("`{}` is not an OAuth 1.0 signature method; use HMAC-SHA1/256/512, RSA-SHA1/256/512 or PLAINTEXT", self.signature_method),
            )
        })?;
        let method = match name.split_once('-') {
            Some(("HMAC", hash)) => Method::Hmac(hash),
            Some((_, hash)) => Method::Rsa(hash),
            None => Method::Plaintext,
        };
        let rsa = matches!(method, Method::Rsa(_));
        // postman-runtime sends the request unsigned without these.
        if self.consumer_key.is_empty()
            || (!rsa && self.consumer_secret.is_empty())
            || (rsa && self.private_key.is_empty())
        {
            return Ok(());
        }
        let form = out.is_form();
        strip_oauth_params(out, form);
        let mut params = self.oauth_params(name, &method, out, form);
        let (base_string, query) = base_string(out, &params, form);
        let key = format!("{}&{}", enc(&self.consumer_secret), enc(&self.token_secret));
        let signature = match method {
            Method::Plaintext => key,
            Method::Hmac(h) => b64(&hmac_sign(h, key.as_bytes(), base_string.as_bytes())),
            Method::Rsa(h) => b64(&rsa_sign(h, &self.private_key, base_string.as_bytes())?),
        };
        params.push(("oauth_signature", signature));
        // The query in RFC 3986 encoding, as the signature read it.
        if let Some(query) = query {
            let encoded: Vec<String> = decode_form(&query)
                .into_iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{}={}", enc(&k), enc(&v)),
                    None => enc(&k),
                })
                .collect();
            let (base, _, fragment) = split_url(out.url);
            *out.url = format!("{base}?{}{fragment}", encoded.join("&"));
        }
        self.place(out, &params, form);
        Ok(())
    }

    /// The `oauth_*` parameters to sign and send (the signature aside), as postman-runtime
    /// picks them: empty ones left out unless `addEmptyParamsToSign`, the extensions (body
    /// hash, callback, verifier) only with a value.
    fn oauth_params(
        &self,
        name: &'static str,
        method: &Method,
        out: &Outgoing,
        form: bool,
    ) -> Vec<(&'static str, String)> {
        let nonce = if self.nonce.is_empty() {
            random_text(11, NONCE_CHARS)
        } else {
            self.nonce.clone()
        };
        let timestamp = if self.timestamp.is_empty() {
            unix_now().to_string()
        } else {
            self.timestamp.clone()
        };
        // Without addEmptyParamsToSign, empty (or blank) parameters are left out entirely.
        let keep = |v: &str| {
            if self.add_empty_params_to_sign {
                Some(v.to_string())
            } else {
                (!v.trim().is_empty()).then(|| v.to_string())
            }
        };
        let hash = match method {
            Method::Hmac(h) | Method::Rsa(h) => Some(*h),
            Method::Plaintext => None,
        };
        let body_hash = match hash {
            Some(h) if self.include_body_hash && !form && !out.is_multipart() => {
                Some(body_hash(h, out.body.as_deref().unwrap_or_default()))
            }
            _ => None,
        };
        let mut params: Vec<(&str, String)> = [
            ("oauth_consumer_key", keep(&self.consumer_key)),
            ("oauth_token", keep(&self.token)),
            ("oauth_signature_method", Some(name.to_string())),
            ("oauth_timestamp", keep(&timestamp)),
            ("oauth_nonce", keep(&nonce)),
            ("oauth_version", keep(&self.version)),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect();
        // Extensions of the protocol: signed only when they have a value (postman-app-support#8737).
        for (k, v) in [
            ("oauth_body_hash", body_hash.unwrap_or_default()),
            ("oauth_callback", self.callback.clone()),
            ("oauth_verifier", self.verifier.clone()),
        ] {
            if let Some(v) = keep(&v).filter(|v| !v.is_empty()) {
                params.push((k, v));
            }
        }
        params
    }

    /// The signed parameters in the `Authorization` header (`addParamsToHeader`), else in a
    /// POST or PUT form body, else in the query.
    fn place(&self, out: &mut Outgoing, params: &[(&str, String)], form: bool) {
        let pairs = || params.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v)));
        if self.add_params_to_header {
            let mut fields = Vec::new();
            let raw = self.disable_header_encoding;
            let code = |t: &str| if raw { t.to_string() } else { enc(t) };
            if !self.realm.trim().is_empty() {
                fields.push(format!("realm=\"{}\"", code(&self.realm)));
            }
            for (k, v) in params {
                if !v.is_empty() {
                    fields.push(format!("{}=\"{}\"", code(k), code(v.trim())));
                }
            }
            out.headers.push((
                "Authorization".into(),
                format!("OAuth {}", fields.join(",")),
            ));
        } else if form && (out.method.contains("PUT") || out.method.contains("POST")) {
            let body = out.body.get_or_insert_with(Vec::new);
            for pair in pairs() {
                if !body.is_empty() {
                    body.push(b'&');
                }
                body.extend_from_slice(pair.as_bytes());
            }
        } else {
            let (base, query, fragment) = split_url(out.url);
            let mut all: Vec<String> = query
                .into_iter()
                .flat_map(|q| q.split('&'))
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            all.extend(pairs());
            *out.url = format!("{base}?{}{fragment}", all.join("&"));
        }
    }
}

/// The request's own `Authorization` and any `oauth_*` parameters already in its query or
/// form body go: the signature replaces them.
fn strip_oauth_params(out: &mut Outgoing, form: bool) {
    out.remove_header("authorization");
    remove_query_params(out.url, |k| OAUTH_PARAMS.contains(&k));
    if form {
        let body = String::from_utf8_lossy(out.body.as_deref().unwrap_or_default()).into_owned();
        let kept: Vec<&str> = body
            .split('&')
            .filter(|p| !OAUTH_PARAMS.contains(&dec(p.split('=').next().unwrap_or("")).as_str()))
            .collect();
        *out.body = Some(kept.join("&").into_bytes());
    }
}

/// OAuth 1.0's signature base string (RFC 5849 3.4.1): the method, the base URL (default ports
/// left out), and every query, oauth and form parameter encoded and sorted; with the request's
/// query, which is sent re-encoded as it was read.
fn base_string(out: &Outgoing, params: &[(&str, String)], form: bool) -> (String, Option<String>) {
    let url = UrlParts::parse(out.url);
    let host = match url.port {
        None | Some(80) | Some(443) => url.host.to_ascii_lowercase(),
        Some(p) => format!("{}:{p}", url.host.to_ascii_lowercase()),
    };
    let (path, query) = match url.path_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url.path_query, None),
    };
    let base_url = format!(
        "{}://{host}{}",
        url.scheme,
        if path.is_empty() { "/" } else { path }
    );
    let query_pairs = query.map(decode_form).unwrap_or_default();
    let body_pairs = if form {
        decode_form(&String::from_utf8_lossy(
            out.body.as_deref().unwrap_or_default(),
        ))
    } else {
        Vec::new()
    };
    let mut sortable: Vec<(String, String)> = query_pairs
        .iter()
        .cloned()
        .chain(params.iter().map(|(k, v)| (k.to_string(), Some(v.clone()))))
        .chain(body_pairs)
        .filter(|(k, _)| k != "oauth_signature")
        .map(|(k, v)| (enc(&k), enc(v.as_deref().unwrap_or(""))))
        .collect();
    sortable.sort_by(|a, b| format!("{} {}", a.0, a.1).cmp(&format!("{} {}", b.0, b.1)));
    let normalized = sortable
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let base = format!(
        "{}&{}&{}",
        enc(&out.method.to_ascii_uppercase()),
        enc(&base_url),
        enc(&normalized)
    );
    (base, query.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::auth::sign_for_test;
    use crate::model::AuthSpec;

    /// OAuth Core 1.0, Appendix A.5: the photos request's HMAC-SHA1 signature.
    #[test]
    fn oauth_core_appendix_a_signature() {
        let auth = AuthSpec::OAuth1(Box::new(OAuth1Auth {
            consumer_key: "dpf43f3p2l4k3l03".into(),
            consumer_secret: "kd94hf93k423kf44".into(),
            token: "nnch734d00sl2jdk".into(),
            token_secret: "pfkkdhi9sl3r4s00".into(),
            signature_method: "HMAC-SHA1".into(),
            timestamp: "1191242096".into(),
            nonce: "kllo9940pd9333jh".into(),
            version: "1.0".into(),
            add_params_to_header: true,
            ..OAuth1Auth::default()
        }));
        let (url, headers, _) = sign_for_test(
            &auth,
            "GET",
            "http://photos.example.net/photos?file=vacation.jpg&size=original",
            &[],
            None,
        );
        assert_eq!(
            url,
            "http://photos.example.net/photos?file=vacation.jpg&size=original"
        );
        let header = &headers[0].1;
        assert!(
            header.ends_with(",oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D\""),
            "{header}"
        );
        assert!(header.starts_with("OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\",oauth_token="));
    }

    #[test]
    fn query_placement_and_plaintext() {
        let auth = AuthSpec::OAuth1(Box::new(OAuth1Auth {
            consumer_key: "ck".into(),
            consumer_secret: "c s".into(),
            signature_method: "PLAINTEXT".into(),
            timestamp: "1".into(),
            nonce: "n".into(),
            ..OAuth1Auth::default()
        }));
        let (url, _, _) = sign_for_test(&auth, "GET", "http://h/p?oauth_nonce=old#f", &[], None);
        assert_eq!(
            url,
            "http://h/p?oauth_consumer_key=ck&oauth_signature_method=PLAINTEXT&oauth_timestamp=1&oauth_nonce=n&oauth_signature=c%2520s%26#f"
        );
    }

    #[test]
    fn form_body_carries_the_parameters_on_post() {
        let auth = AuthSpec::OAuth1(Box::new(OAuth1Auth {
            consumer_key: "ck".into(),
            consumer_secret: "cs".into(),
            timestamp: "1".into(),
            nonce: "n".into(),
            ..OAuth1Auth::default()
        }));
        let (url, _, body) = sign_for_test(
            &auth,
            "POST",
            "http://h/p",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some("a=1"),
        );
        assert_eq!(url, "http://h/p");
        let body = String::from_utf8(body.unwrap()).unwrap();
        assert!(body.starts_with("a=1&oauth_consumer_key=ck&"), "{body}");
        assert!(body.contains("&oauth_signature="), "{body}");
    }
}
