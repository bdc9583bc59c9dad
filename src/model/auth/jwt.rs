//! JWT bearer auth (postman-runtime `jwt.js`): a token signed with the given header and
//! payload, sent as `<headerPrefix> <token>` in Authorization or as a query parameter. No
//! claim is added (no `iat`): the payload is sent as written.

use super::{invalid, is_false, keys, Outgoing};
use crate::model::ValidationError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JwtAuth {
    /// HS256/384/512, RS256/384/512, PS256/384/512, ES256/384.
    pub algorithm: String,
    /// The HMAC secret (HS algorithms).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub secret: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_secret_base64_encoded: bool,
    /// PEM (PKCS#8) for RS, PS and ES algorithms.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub private_key: String,
    /// The claims, JSON text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub payload: String,
    /// Extra JOSE header fields, JSON text; `alg` is always the algorithm's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub header: String,
    #[serde(default, skip_serializing_if = "JwtPlace::is_header")]
    pub add_token_to: JwtPlace,
    /// Default `Bearer`; empty sends the bare token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_prefix: Option<String>,
    /// The query parameter's name; default `token`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query_param_key: String,
}

/// Where the token goes, in Postman's words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JwtPlace {
    #[default]
    Header,
    QueryParam,
}

impl JwtPlace {
    fn is_header(&self) -> bool {
        *self == JwtPlace::Header
    }
}

/// JSON text as postman-runtime reads it: trimmed, empty for nothing.
pub(super) fn json_field(field: &str, text: &str) -> Result<Option<Value>, ValidationError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text)
        .map(Some)
        .map_err(|e| invalid(field, format!("is not JSON ({e})")))
}

impl JwtAuth {
    pub fn map_text(&self, f: &mut dyn FnMut(&str) -> String) -> JwtAuth {
        JwtAuth {
            algorithm: f(&self.algorithm),
            secret: f(&self.secret),
            is_secret_base64_encoded: self.is_secret_base64_encoded,
            private_key: f(&self.private_key),
            payload: f(&self.payload),
            header: f(&self.header),
            add_token_to: self.add_token_to,
            header_prefix: self.header_prefix.as_deref().map(&mut *f),
            query_param_key: f(&self.query_param_key),
        }
    }

    /// The signed token.
    pub(crate) fn token(&self) -> Result<String, ValidationError> {
        let algorithm = keys::jwt_algorithm(&self.algorithm).ok_or_else(|| {
            invalid(
                "algorithm",
                format!(
                    "`{}` is not an algorithm Vayu signs JWTs with; use HS256/384/512, RS256/384/512, PS256/384/512, ES256 or ES384",
                    self.algorithm
                ),
            )
        })?;
        let hs = self.algorithm.starts_with("HS");
        if hs && self.secret.is_empty() {
            return Err(invalid(
                "secret",
                "JWT auth with an HS algorithm needs a secret",
            ));
        }
        if !hs && self.private_key.trim().is_empty() {
            return Err(invalid(
                "privateKey",
                "JWT auth with this algorithm needs a private key",
            ));
        }
        let secret = if self.is_secret_base64_encoded {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(self.secret.trim())
                .map_err(|e| invalid("secret", format!("is not base64 ({e})")))?
        } else {
            self.secret.as_bytes().to_vec()
        };
        let key = keys::jwt_key(algorithm, &secret, &self.private_key)
            .map_err(|m| invalid("privateKey", m))?;
        let mut header = match json_field("header", &self.header)? {
            None => serde_json::Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(invalid("header", "must be a JSON object")),
        };
        header.insert("alg".into(), Value::String(self.algorithm.clone()));
        let payload = json_field("payload", &self.payload)?
            .unwrap_or_else(|| Value::Object(Default::default()));
        keys::compact_jws(&Value::Object(header), &payload, algorithm, &key)
            .map_err(|m| invalid("privateKey", m))
    }

    pub(super) fn apply(&self, out: &mut Outgoing) -> Result<(), ValidationError> {
        let token = self.token()?;
        match self.add_token_to {
            JwtPlace::Header => {
                out.remove_header("authorization");
                let prefix = self.header_prefix.as_deref().unwrap_or("Bearer");
                let value = if prefix.is_empty() {
                    token
                } else {
                    format!("{prefix} {token}")
                };
                out.headers.push(("Authorization".into(), value));
            }
            JwtPlace::QueryParam => {
                let key = if self.query_param_key.is_empty() {
                    "token"
                } else {
                    &self.query_param_key
                };
                super::oauth1::remove_query_params(out.url, |k| k == key);
                crate::model::request::append_query(out.url, key, &token);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::auth::sign_for_test;
    use crate::model::AuthSpec;

    #[test]
    fn hs256_token_is_jose_s_shape() {
        let auth = AuthSpec::Jwt(Box::new(JwtAuth {
            algorithm: "HS256".into(),
            secret: "s3cret".into(),
            payload: r#"{"sub": "42"}"#.into(),
            ..JwtAuth::default()
        }));
        let (_, headers, _) = sign_for_test(
            &auth,
            "GET",
            "http://h/x",
            &[("authorization", "stale")],
            None,
        );
        assert_eq!(headers.len(), 1);
        let token = headers[0].1.strip_prefix("Bearer ").unwrap();
        // {"alg":"HS256"} . {"sub":"42"}: no typ, no iat, compact JSON.
        assert!(
            token.starts_with("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9."),
            "{token}"
        );
    }

    #[test]
    fn query_placement_replaces_the_parameter() {
        let auth = AuthSpec::Jwt(Box::new(JwtAuth {
            algorithm: "HS384".into(),
            secret: "k".into(),
            add_token_to: JwtPlace::QueryParam,
            query_param_key: "jwt".into(),
            ..JwtAuth::default()
        }));
        let (url, headers, _) = sign_for_test(&auth, "GET", "http://h/x?jwt=old&a=1", &[], None);
        assert!(headers.is_empty());
        assert!(url.starts_with("http://h/x?a=1&jwt=eyJ"), "{url}");
    }
}
