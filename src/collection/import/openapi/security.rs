//! `securitySchemes` into Postman auth, as Postman's importer names the variables the user
//! fills in (`{{apiKey}}`, `{{basicAuthUsername}}` / `{{basicAuthPassword}}`,
//! `{{bearerToken}}`); OAuth 2 and OpenID Connect as a bearer token in `{{accessToken}}`
//! (Vayu does not fetch tokens), an API key in a cookie as a `Cookie` header.

use super::refs::Refs;
use serde_json::{json, Value};

/// The auth a `security` list asks for: `Some(noauth)` for an empty list (or one whose
/// first choice is `{}`), `None` when no scheme it names can be written; the first
/// requirement is taken, and of it the first scheme (notes say what was left).
pub(super) fn auth(
    refs: &Refs<'_>,
    security: &Value,
    variables: &mut Vec<(String, String)>,
    notes: &mut Vec<String>,
) -> Option<Value> {
    let list = security.as_array()?;
    let Some(first) = list.first().and_then(Value::as_object) else {
        return Some(json!({"type": "noauth"}));
    };
    let Some((name, _scopes)) = first.iter().next() else {
        return Some(json!({"type": "noauth"}));
    };
    if first.len() > 1 {
        notes.push(format!(
            "a security requirement combines {} schemes; only `{name}` is applied",
            first.len()
        ));
    }
    let scheme = refs.target(&format!("#/components/securitySchemes/{}", escape(name)))?;
    let scheme = refs.resolve(scheme)?;
    let (auth, needs) = scheme_auth(scheme, name, notes)?;
    for var in needs {
        if !variables.iter().any(|(k, _)| k == var) {
            variables.push((var.to_string(), String::new()));
        }
    }
    Some(auth)
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// One scheme as Postman auth, and the variables it uses.
fn scheme_auth(
    scheme: &Value,
    name: &str,
    notes: &mut Vec<String>,
) -> Option<(Value, Vec<&'static str>)> {
    let kind = scheme
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let entry = |k: &str, v: &str| json!({"key": k, "value": v, "type": "string"});
    Some(match kind {
        "apiKey" => (api_key(scheme), vec!["apiKey"]),
        "http" => match scheme
            .get("scheme")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("basic") => (
                json!({"type": "basic", "basic": [entry("username", "{{basicAuthUsername}}"), entry("password", "{{basicAuthPassword}}")]}),
                vec!["basicAuthUsername", "basicAuthPassword"],
            ),
            Some("bearer") => (
                json!({"type": "bearer", "bearer": [entry("token", "{{bearerToken}}")]}),
                vec!["bearerToken"],
            ),
            other => {
                notes.push(format!(
                    "security scheme `{name}` (http {}) is not converted; set the request's auth yourself",
                    other.unwrap_or("without a scheme")
                ));
                return None;
            }
        },
        "oauth2" | "openIdConnect" => (
            json!({"type": "bearer", "bearer": [entry("token", "{{accessToken}}")]}),
            vec!["accessToken"],
        ),
        other => {
            notes.push(format!(
                "security scheme `{name}` of type `{other}` is not converted; set the request's auth yourself"
            ));
            return None;
        }
    })
}

/// An API key in `{{apiKey}}`: in a header, the query, or (a cookie) a `Cookie` header.
fn api_key(scheme: &Value) -> Value {
    let entry = |k: &str, v: &str| json!({"key": k, "value": v, "type": "string"});
    let key = scheme
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("api_key");
    let (key, value, place) = match scheme.get("in").and_then(Value::as_str) {
        Some("query") => (key.to_string(), "{{apiKey}}".to_string(), "query"),
        Some("cookie") => (
            "Cookie".to_string(),
            format!("{key}={{{{apiKey}}}}"),
            "header",
        ),
        _ => (key.to_string(), "{{apiKey}}".to_string(), "header"),
    };
    json!({"type": "apikey", "apikey": [entry("key", &key), entry("value", &value), entry("in", place)]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_become_postman_auth_with_the_variables_postman_names() {
        let doc = json!({"components": {"securitySchemes": {
            "key": {"type": "apiKey", "in": "cookie", "name": "sid"},
            "basic": {"type": "http", "scheme": "Basic"},
            "oauth": {"type": "oauth2", "flows": {}},
            "mutual": {"type": "mutualTLS"},
        }}});
        let refs = Refs { doc: &doc };
        let (mut vars, mut notes) = (Vec::new(), Vec::new());
        let cookie = auth(&refs, &json!([{"key": []}]), &mut vars, &mut notes).unwrap();
        assert_eq!(cookie["apikey"][1]["value"], "sid={{apiKey}}");
        assert_eq!(cookie["apikey"][0]["value"], "Cookie");
        let basic = auth(&refs, &json!([{"basic": []}]), &mut vars, &mut notes).unwrap();
        assert_eq!(basic["type"], "basic");
        let oauth = auth(&refs, &json!([{"oauth": ["read"]}]), &mut vars, &mut notes).unwrap();
        assert_eq!(oauth["bearer"][0]["value"], "{{accessToken}}");
        assert_eq!(
            auth(&refs, &json!([]), &mut vars, &mut notes).unwrap()["type"],
            "noauth"
        );
        assert_eq!(
            auth(&refs, &json!([{"mutual": []}]), &mut vars, &mut notes),
            None
        );
        let names: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "apiKey",
                "basicAuthUsername",
                "basicAuthPassword",
                "accessToken"
            ]
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
    }
}
