//! Hawk auth (postman-runtime `hawk.js`, which calls postman-request's Hawk client): the
//! `Authorization: Hawk id, ts, nonce, [hash], [ext], mac, [app, dlg]` header, made by the
//! Hawk protocol's own Rust crate. A nonce (6 characters) and timestamp (now) are generated
//! when the auth leaves them empty.

use super::{invalid, is_false, random_text, unix_now, Outgoing, UrlParts};
use crate::model::ValidationError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HawkAuth {
    pub auth_id: String,
    pub auth_key: String,
    /// `sha256` (the only one the Hawk crate and Vayu take; Postman also offers sha1).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub algorithm: String,
    /// Postman's field; its Hawk client does not send it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nonce: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub extra_data: String,
    /// Refused when set (see [`HAWK_APP_REFUSED`]); kept so an export gives it back.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub app: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub delegation: String,
    /// Seconds since the epoch.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub include_payload_hash: bool,
}

/// Hawk's nonce alphabet in postman-runtime.
const NONCE_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Why `app` and `delegation` are refused: Postman's Hawk client signs them (Oz's fields) and the
/// Hawk crate's MAC has no place for them, so the server would reject the signature.
pub(crate) const HAWK_APP_REFUSED: &str = "Hawk's app and delegation (Oz) fields are not supported: the signature would not cover them; clear them, or send the Authorization header from a pre-request script";

/// The digest algorithms Vayu signs Hawk with.
pub(crate) fn hawk_algorithm(name: &str) -> Option<hawk::DigestAlgorithm> {
    match name.to_ascii_lowercase().as_str() {
        "" | "sha256" => Some(hawk::DigestAlgorithm::Sha256),
        _ => None,
    }
}

impl HawkAuth {
    pub fn map_text(&self, f: &mut dyn FnMut(&str) -> String) -> HawkAuth {
        HawkAuth {
            auth_id: f(&self.auth_id),
            auth_key: f(&self.auth_key),
            algorithm: f(&self.algorithm),
            user: f(&self.user),
            nonce: f(&self.nonce),
            extra_data: f(&self.extra_data),
            app: f(&self.app),
            delegation: f(&self.delegation),
            timestamp: f(&self.timestamp),
            include_payload_hash: self.include_payload_hash,
        }
    }

    // Kept whole: Hawk's signing steps in the order postman-runtime takes them, each
    // value feeding the next; split, the steps would pass the same half-dozen values around.
    pub(super) fn apply(&self, out: &mut Outgoing) -> Result<(), ValidationError> {
        // postman-runtime sends the request unsigned when either is missing.
        if self.auth_id.is_empty() || self.auth_key.is_empty() {
            return Ok(());
        }
        let algorithm = hawk_algorithm(&self.algorithm).ok_or_else(|| {
            invalid(
                "algorithm",
                format!(
                    "`{}` is not a Hawk algorithm Vayu signs with; use sha256",
                    self.algorithm
                ),
            )
        })?;
        out.remove_header("authorization");
        let nonce = if self.nonce.is_empty() {
            random_text(6, NONCE_CHARS)
        } else {
            self.nonce.clone()
        };
        let ts = self
            .timestamp
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|t| *t != 0)
            .unwrap_or_else(unix_now);
        let hash = match (self.include_payload_hash, out.hashable_body()) {
            (true, Some(body)) => {
                let content_type = out
                    .header("content-type")
                    .map(|t| {
                        t.split(';')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .to_ascii_lowercase()
                    })
                    .unwrap_or_default();
                Some(
                    hawk::PayloadHasher::hash(content_type, algorithm, body)
                        .map_err(|e| invalid("includePayloadHash", e.to_string()))?,
                )
            }
            _ => None,
        };
        let key = hawk::Key::new(self.auth_key.as_bytes(), algorithm)
            .map_err(|e| invalid("authKey", e.to_string()))?;
        let credentials = hawk::Credentials {
            id: self.auth_id.clone(),
            key,
        };
        let url = UrlParts::parse(out.url);
        let resource = if url.path_query.is_empty() {
            "/"
        } else {
            url.path_query
        };
        if !self.app.is_empty() || !self.delegation.is_empty() {
            return Err(invalid("app", HAWK_APP_REFUSED));
        }
        let ext = (!self.extra_data.is_empty()).then_some(self.extra_data.as_str());
        let request =
            hawk::RequestBuilder::new(out.method, url.hostname(), url.effective_port(), resource)
                .hash(hash.as_deref())
                .ext(ext)
                .request();
        let time = std::time::UNIX_EPOCH
            .checked_add(std::time::Duration::from_secs(ts))
            .ok_or_else(|| {
                invalid(
                    "timestamp",
                    format!("{ts} is not a time in seconds since 1970"),
                )
            })?;
        let header = request
            .make_header_full(&credentials, time, nonce)
            .map_err(|e| invalid("authId", e.to_string()))?;
        out.headers
            .push(("Authorization".into(), format!("Hawk {header}")));
        Ok(())
    }
}
