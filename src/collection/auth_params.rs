//! Postman's parameters of the signing auth types (awsv4, ntlm, oauth1, hawk, jwt, edgegrid,
//! asap) to Vayu's [`AuthSpec`] and back. Vayu's fields carry Postman's names (camelCase, as
//! the v2.1 `[{key, value}]` lists and v2.0 objects have them), so both directions go through
//! serde; what is refused is refused here with the reason and what to do instead.

use super::import::{text, ImportError};
use crate::model::AuthSpec;
use crate::script::Scope;
use serde_json::{json, Map, Value};

/// How a parameter is read.
#[derive(Clone, Copy)]
enum Kind {
    /// Text; missing is empty.
    Text,
    /// Text whose absence means something (jwt's headerPrefix: absent is `Bearer`).
    Optional,
    /// `true` / `false`, as a JSON boolean or text.
    Bool,
}

use Kind::*;

/// Each signing type's parameters, as Postman names them.
// Kept whole: a table, one entry per auth type.
fn fields(kind: &str) -> Option<&'static [(&'static str, Kind)]> {
    Some(match kind {
        "awsv4" => &[
            ("accessKey", Text),
            ("secretKey", Text),
            ("region", Text),
            ("service", Text),
            ("sessionToken", Text),
        ],
        "ntlm" => &[
            ("username", Text),
            ("password", Text),
            ("domain", Text),
            ("workstation", Text),
        ],
        "oauth1" => &[
            ("consumerKey", Text),
            ("consumerSecret", Text),
            ("token", Text),
            ("tokenSecret", Text),
            ("privateKey", Text),
            ("signatureMethod", Text),
            ("timestamp", Text),
            ("nonce", Text),
            ("version", Text),
            ("realm", Text),
            ("callback", Text),
            ("verifier", Text),
            ("includeBodyHash", Bool),
            ("addParamsToHeader", Bool),
            ("addEmptyParamsToSign", Bool),
            ("disableHeaderEncoding", Bool),
        ],
        "hawk" => &[
            ("authId", Text),
            ("authKey", Text),
            ("algorithm", Text),
            ("user", Text),
            ("nonce", Text),
            ("extraData", Text),
            ("app", Text),
            ("delegation", Text),
            ("timestamp", Text),
            ("includePayloadHash", Bool),
        ],
        "jwt" => &[
            ("algorithm", Text),
            ("secret", Text),
            ("isSecretBase64Encoded", Bool),
            ("privateKey", Text),
            ("payload", Text),
            ("header", Text),
            ("addTokenTo", Optional),
            ("headerPrefix", Optional),
            ("queryParamKey", Text),
        ],
        "edgegrid" => &[
            ("accessToken", Text),
            ("clientToken", Text),
            ("clientSecret", Text),
            ("nonce", Text),
            ("timestamp", Text),
            ("baseURL", Text),
            ("headersToSign", Text),
            ("maxBodySize", Text),
        ],
        "asap" => &[
            ("alg", Text),
            ("kid", Text),
            ("iss", Text),
            ("exp", Text),
            ("aud", Text),
            ("sub", Text),
            ("privateKey", Text),
            ("claims", Text),
        ],
        _ => return None,
    })
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim() == "true",
        _ => false,
    }
}

/// A value still holding a `{{variable}}`: checked when the request is sent instead.
fn is_variable(v: &str) -> bool {
    v.contains("{{")
}

/// A signing auth from its Postman parameters; `None` when `kind` is not one of them.
pub(super) fn import(
    kind: &str,
    params: &Scope,
    path: &str,
) -> Option<Result<AuthSpec, ImportError>> {
    let list = fields(kind)?;
    let err = |message: String| ImportError {
        path: path.to_string(),
        message,
    };
    let mut obj = Map::new();
    obj.insert("type".into(), json!(kind));
    for (key, how) in list {
        let value = params.get(*key);
        match how {
            Bool => {
                obj.insert(key.to_string(), json!(truthy(value)));
            }
            Text => {
                obj.insert(key.to_string(), json!(text(value).unwrap_or_default()));
            }
            Optional => {
                if let Some(v) = text(value) {
                    obj.insert(key.to_string(), json!(v));
                }
            }
        }
    }
    let refused = refusal(kind, params, &obj);
    if let Some(message) = refused {
        return Some(Err(err(message)));
    }
    Some(
        serde_json::from_value::<AuthSpec>(Value::Object(obj))
            .map_err(|e| err(format!("{kind} auth: {e}"))),
    )
}

/// Why Vayu refuses a signing auth it imported (`fields`: its parameters), naming the setting
/// to change; `None` when it can sign it.
fn refusal(kind: &str, params: &Scope, fields: &Map<String, Value>) -> Option<String> {
    let field = |k: &str| {
        fields
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    match kind {
        "awsv4" if truthy(params.get("addAuthDataToQuery")) => Some(
            "awsv4 auth with `addAuthDataToQuery` (a presigned URL) is not supported: libcurl signs in the Authorization header. Turn \"Add auth data to\" to Request Headers".to_string(),
        ),
        "oauth1" => {
            let m = field("signatureMethod");
            (!is_variable(&m) && crate::model::auth::oauth1_method(&m).is_none()).then(|| {
                format!("oauth1 signature method `{m}` is not supported; use HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512 or PLAINTEXT")
            })
        }
        "hawk" => {
            let a = field("algorithm");
            if !is_variable(&a) && crate::model::auth::hawk_algorithm(&a).is_none() {
                Some(format!("hawk algorithm `{a}` is not supported (the Hawk crate signs sha256); set the algorithm to sha256 if the server accepts it"))
            } else if !field("app").is_empty() || !field("delegation").is_empty() {
                Some(crate::model::auth::HAWK_APP_REFUSED.to_string())
            } else {
                None
            }
        }
        "jwt" => {
            let a = field("algorithm");
            let place = field("addTokenTo");
            if !is_variable(&a) && crate::model::auth::jwt_algorithm(&a).is_none() {
                Some(jwt_refusal(&a))
            } else if !place.is_empty() && place != "header" && place != "queryParam" {
                Some(format!("jwt `addTokenTo` `{place}` is not one of header, queryParam"))
            } else {
                None
            }
        }
        "asap" => {
            let a = field("alg");
            (!a.is_empty() && !is_variable(&a) && (a.starts_with("HS") || crate::model::auth::jwt_algorithm(&a).is_none()))
                .then(|| jwt_refusal(&a))
        }
        _ => None,
    }
}

fn jwt_refusal(alg: &str) -> String {
    if alg == "ES512" {
        "JWT algorithm ES512 is not supported (the jsonwebtoken crate has no P-521); use ES256 or ES384, or an RS/PS algorithm".into()
    } else {
        format!("JWT algorithm `{alg}` is not supported; use HS256/384/512, RS256/384/512, PS256/384/512, ES256 or ES384")
    }
}

/// A signing auth in Postman's v2.1 form; `None` for the other kinds.
pub(super) fn export(auth: &AuthSpec) -> Option<Value> {
    let kind = match auth {
        AuthSpec::AwsV4(_) => "awsv4",
        AuthSpec::Ntlm(_) => "ntlm",
        AuthSpec::OAuth1(_) => "oauth1",
        AuthSpec::Hawk(_) => "hawk",
        AuthSpec::Jwt(_) => "jwt",
        AuthSpec::EdgeGrid(_) => "edgegrid",
        AuthSpec::Asap(_) => "asap",
        _ => return None,
    };
    let Ok(Value::Object(mut obj)) = serde_json::to_value(auth) else {
        return None;
    };
    obj.remove("type");
    let list: Vec<Value> = obj
        .into_iter()
        .map(|(key, value)| {
            let kind = if value.is_boolean() {
                "boolean"
            } else {
                "string"
            };
            json!({"key": key, "value": value, "type": kind})
        })
        .collect();
    Some(json!({"type": kind, kind: list}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(v: Value) -> Scope {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn postman_parameters_round_trip() {
        let params = scope(json!({
            "consumerKey": "ck", "consumerSecret": "{{secret}}", "signatureMethod": "HMAC-SHA256",
            "addParamsToHeader": true, "includeBodyHash": "false", "disableRetryRequest": true,
        }));
        let auth = import("oauth1", &params, "r").unwrap().unwrap();
        let AuthSpec::OAuth1(o) = &auth else {
            panic!("{auth:?}")
        };
        assert!(o.add_params_to_header && !o.include_body_hash);
        assert_eq!(o.consumer_secret, "{{secret}}");
        let back = export(&auth).unwrap();
        assert_eq!(back["type"], "oauth1");
        let list = back["oauth1"].as_array().unwrap();
        assert!(
            list.contains(&json!({"key": "addParamsToHeader", "value": true, "type": "boolean"}))
        );
        let again: Scope = list
            .iter()
            .map(|p| (p["key"].as_str().unwrap().to_string(), p["value"].clone()))
            .collect();
        assert_eq!(import("oauth1", &again, "r").unwrap().unwrap(), auth);
    }

    #[test]
    fn refusals_say_what_to_do() {
        let e = import(
            "awsv4",
            &scope(json!({"accessKey": "a", "addAuthDataToQuery": true})),
            "F / R",
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(e.path, "F / R");
        assert!(e.message.contains("Request Headers"), "{e}");
        let e = import("jwt", &scope(json!({"algorithm": "ES512"})), "R")
            .unwrap()
            .unwrap_err();
        assert!(e.message.contains("ES256"), "{e}");
        let e = import(
            "hawk",
            &scope(json!({"authId": "i", "algorithm": "sha1"})),
            "R",
        )
        .unwrap()
        .unwrap_err();
        assert!(e.message.contains("sha256"), "{e}");
        assert!(import("hawk", &scope(json!({"algorithm": "{{alg}}"})), "R")
            .unwrap()
            .is_ok());
        assert!(import("digest", &Scope::new(), "R").is_none());
    }
}
