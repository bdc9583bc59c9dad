//! A Postman `auth` object into Vayu's `AuthSpec`: the plain kinds here, the signing kinds in
//! `collection/auth_params.rs`; a kind Vayu cannot send is refused naming the item.

use super::postman_request::text;
use super::ImportError;
use crate::model::auth::DigestAuth;
use crate::model::{ApiKeyPlace, AuthSpec};
use crate::script::Scope;
use serde_json::Value;

/// An `auth` object: `Some(None)` is `noauth`, `None` inherits (a null or `inherit` auth).
pub(crate) fn parse_auth(v: &Value, path: &str) -> Result<Option<Option<AuthSpec>>, ImportError> {
    let err = |message: String| ImportError {
        path: path.to_string(),
        message,
    };
    let Some(obj) = v.as_object() else {
        return Ok(None);
    };
    let kind = text(obj.get("type")).unwrap_or_default();
    let params = |kind: &str| params(obj, kind);
    Ok(Some(Some(match kind.as_str() {
        "inherit" | "" => return Ok(None),
        "noauth" => return Ok(Some(None)),
        "basic" => {
            let p = params("basic");
            AuthSpec::Basic {
                username: field(&p, "username"),
                password: field(&p, "password"),
            }
        }
        "bearer" => AuthSpec::Bearer {
            token: field(&params("bearer"), "token"),
        },
        "apikey" => {
            let p = params("apikey");
            AuthSpec::ApiKey {
                key: field(&p, "key"),
                value: field(&p, "value"),
                place: place(&p, "in", "query"),
            }
        }
        "digest" => digest(&params("digest")),
        "oauth2" => oauth2(&params("oauth2")).map_err(err)?,
        other => match crate::collection::auth_params::import(other, &params(other), path) {
            Some(signed) => signed?,
            None => {
                return Err(err(format!(
                    "auth type `{other}` is not supported; Vayu sends noauth, basic, bearer, apikey, digest, oauth2 (with an access token), awsv4, ntlm, oauth1, hawk, jwt, edgegrid and asap. Set the request's auth to one of those, or send the header yourself"
                )))
            }
        },
    })))
}

/// A kind's parameters: v2.1 lists `[{key, value}]`; v2.0 an object of fields.
fn params(obj: &serde_json::Map<String, Value>, kind: &str) -> Scope {
    match obj.get(kind) {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|p| {
                Some((
                    text(p.get("key"))?,
                    p.get("value").cloned().unwrap_or(Value::Null),
                ))
            })
            .collect(),
        Some(Value::Object(map)) => map.clone(),
        _ => Scope::new(),
    }
}

fn field(p: &Scope, key: &str) -> String {
    text(p.get(key)).unwrap_or_default()
}

/// Where a key or token goes: the query when `key` says `query`, else a header.
fn place(p: &Scope, key: &str, query: &str) -> ApiKeyPlace {
    match text(p.get(key)).as_deref() {
        Some(q) if q == query => ApiKeyPlace::Query,
        _ => ApiKeyPlace::Header,
    }
}

fn digest(p: &Scope) -> AuthSpec {
    AuthSpec::Digest(Box::new(DigestAuth {
        username: field(p, "username"),
        password: field(p, "password"),
        realm: field(p, "realm"),
        nonce: field(p, "nonce"),
        algorithm: field(p, "algorithm"),
        qop: field(p, "qop"),
        nonce_count: field(p, "nonceCount"),
        client_nonce: field(p, "clientNonce"),
        opaque: field(p, "opaque"),
    }))
}

fn oauth2(p: &Scope) -> Result<AuthSpec, String> {
    let access_token = field(p, "accessToken");
    if access_token.is_empty() {
        return Err("oauth2 auth has no access token; Vayu does not fetch tokens: get one and set `accessToken` (a {{variable}} is fine)".into());
    }
    Ok(AuthSpec::OAuth2 {
        access_token,
        place: place(p, "addTokenTo", "queryParams"),
        header_prefix: text(p.get("headerPrefix")).filter(|h| !h.is_empty()),
    })
}
