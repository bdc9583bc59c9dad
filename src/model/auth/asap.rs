//! Atlassian S2S (ASAP) auth (postman-runtime `asap.js`): a JWT signed with the service's
//! private key, with `iss`, `sub` (the issuer unless given), `aud`, `jti` (a fresh UUID),
//! `iat` (now) and `exp` (now + `exp` seconds, default an hour), sent as `Bearer <token>`.
//! Claims given in `claims` win over the fields of the same name.

use super::{invalid, jwt::json_field, keys, unix_now, Outgoing};
use crate::model::ValidationError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AsapAuth {
    /// RS256 (the default), RS384/512, PS256/384/512, ES256/384.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alg: String,
    pub kid: String,
    pub iss: String,
    /// Lifetime in seconds (default 3600).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub exp: String,
    pub aud: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sub: String,
    /// PKCS#8 PEM, or a `data:application/pkcs8;kid=<kid>;base64,<DER>` URI.
    pub private_key: String,
    /// Extra claims, JSON text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub claims: String,
}

/// `data:application/pkcs8;kid=<kid>;base64,<der>` (Atlassian's key files) as PEM.
fn key_from_data_uri(kid: &str, key: &str) -> Result<String, ValidationError> {
    let Some(rest) = key.strip_prefix("data:application/pkcs8;kid=") else {
        return Ok(key.to_string());
    };
    let bad = || {
        invalid(
            "privateKey",
            "is a malformed data URI; expected data:application/pkcs8;kid=<kid>;base64,<key>",
        )
    };
    let (uri_kid, der) = rest.split_once(";base64,").ok_or_else(bad)?;
    if uri_kid != kid {
        return Err(invalid(
            "privateKey",
            format!("the data URI's key id `{uri_kid}` is not the auth's kid `{kid}`"),
        ));
    }
    Ok(keys::normalize_pem(der))
}

/// A claim given as text or JSON, as text.
fn claim_text(claims: &serde_json::Map<String, Value>, name: &str) -> Option<Value> {
    claims
        .get(name)
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
        .cloned()
}

impl AsapAuth {
    pub fn map_text(&self, f: &mut dyn FnMut(&str) -> String) -> AsapAuth {
        AsapAuth {
            alg: f(&self.alg),
            kid: f(&self.kid),
            iss: f(&self.iss),
            exp: f(&self.exp),
            aud: f(&self.aud),
            sub: f(&self.sub),
            private_key: f(&self.private_key),
            claims: f(&self.claims),
        }
    }

    // Kept whole: the claims in the order postman-runtime's jose setters take them; each
    // default depends on the claims given.
    pub(super) fn apply(&self, out: &mut Outgoing) -> Result<(), ValidationError> {
        let mut claims = match json_field("claims", &self.claims)? {
            None => serde_json::Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(invalid("claims", "must be a JSON object")),
        };
        let text = |s: &str| (!s.is_empty()).then(|| Value::String(s.to_string()));
        let iss = claim_text(&claims, "iss").or_else(|| text(&self.iss));
        let sub = claim_text(&claims, "sub")
            .or_else(|| text(&self.sub))
            .or_else(|| iss.clone());
        let aud = claim_text(&claims, "aud").or_else(|| text(&self.aud));
        let kid = claim_text(&claims, "kid")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| self.kid.clone());
        let (Some(iss), Some(aud)) = (iss, aud) else {
            return Err(invalid(
                "iss",
                "ASAP auth needs an issuer (iss) and an audience (aud)",
            ));
        };
        if kid.is_empty() || self.private_key.trim().is_empty() {
            return Err(invalid(
                "kid",
                "ASAP auth needs a key id (kid) and a private key",
            ));
        }
        let alg = if self.alg.is_empty() {
            "RS256"
        } else {
            &self.alg
        };
        let algorithm = keys::jwt_algorithm(alg)
            .filter(|_| !alg.starts_with("HS"))
            .ok_or_else(|| {
                invalid(
                    "alg",
                    format!("`{alg}` is not an ASAP algorithm Vayu signs with; use RS256/384/512, PS256/384/512, ES256 or ES384"),
                )
            })?;
        let now = unix_now();
        let jti = claim_text(&claims, "jti")
            .unwrap_or_else(|| Value::String(uuid::Uuid::new_v4().to_string()));
        let iat = claim_text(&claims, "iat").unwrap_or_else(|| json!(now));
        let lifetime = leading_int(&self.exp).filter(|n| *n != 0).unwrap_or(3600);
        let exp = claim_text(&claims, "exp")
            .and_then(|v| match &v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => leading_int(s),
                _ => None,
            })
            .filter(|n| *n != 0)
            .unwrap_or((now as i64).saturating_add(lifetime));
        // jose's SignJWT setters, in the order postman-runtime calls them.
        claims.insert("iat".into(), iat);
        claims.insert("iss".into(), iss);
        claims.insert("sub".into(), sub.unwrap_or_default());
        claims.insert("jti".into(), jti);
        claims.insert("aud".into(), aud);
        claims.insert("exp".into(), json!(exp));
        let key_text = key_from_data_uri(&kid, &self.private_key.replace('\n', ""))?;
        let key = keys::jwt_key(algorithm, &[], &key_text).map_err(|m| invalid("privateKey", m))?;
        let token = keys::compact_jws(
            &json!({"alg": alg, "kid": kid}),
            &Value::Object(claims),
            algorithm,
            &key,
        )
        .map_err(|m| invalid("privateKey", m))?;
        out.remove_header("authorization");
        out.headers
            .push(("Authorization".into(), format!("Bearer {token}")));
        Ok(())
    }
}

/// JavaScript's `parseInt(text, 10)`: the leading integer, if any.
fn leading_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let sign = usize::from(t.starts_with(['-', '+']));
    let digits = t[sign..].chars().take_while(char::is_ascii_digit).count();
    t[..sign + digits].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_reads_the_leading_number() {
        assert_eq!(leading_int("600s"), Some(600));
        assert_eq!(leading_int(""), None);
        assert_eq!(leading_int("x1"), None);
    }

    #[test]
    fn data_uri_must_name_the_same_key() {
        assert!(key_from_data_uri("a", "data:application/pkcs8;kid=b;base64,QUJD").is_err());
        assert!(
            key_from_data_uri("a", "data:application/pkcs8;kid=a;base64,QUJD")
                .unwrap()
                .contains("QUJD")
        );
    }
}
