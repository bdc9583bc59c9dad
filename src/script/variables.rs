//! Variable scopes and `{{name}}` substitution in requests, in Postman's order of precedence.

use crate::model::{HeaderSpec, RequestSpec};
use serde::{Deserialize, Serialize};

pub type Scope = serde_json::Map<String, serde_json::Value>;

/// The scopes a script and a request see. `local` holds `pm.variables.set` values and lives for
/// a run; `data` is the iteration's data row (`pm.iterationData`), read-only to scripts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Variables {
    #[serde(default)]
    pub local: Scope,
    #[serde(default, skip_serializing_if = "Scope::is_empty")]
    pub data: Scope,
    #[serde(default)]
    pub environment: Scope,
    #[serde(default)]
    pub collection: Scope,
    #[serde(default)]
    pub globals: Scope,
}

impl Variables {
    pub fn with_environment(environment: Scope) -> Variables {
        Variables {
            environment,
            ..Variables::default()
        }
    }

    /// A variable's value as text: local, then the data row, environment, collection, globals.
    pub fn resolve(&self, name: &str) -> Option<String> {
        [
            &self.local,
            &self.data,
            &self.environment,
            &self.collection,
            &self.globals,
        ]
        .into_iter()
        .find_map(|scope| scope.get(name))
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// Replaces every `{{name}}` that resolves; unresolved names are left as written and
    /// appended to `unresolved`.
    pub fn substitute(&self, text: &str, unresolved: &mut Vec<String>) -> String {
        if !text.contains("{{") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            match after.find("}}") {
                Some(close) if !after[..close].contains('{') => {
                    let name = after[..close].trim();
                    match self.resolve(name) {
                        Some(value) => out.push_str(&value),
                        None => {
                            out.push_str(&rest[open..open + 2 + close + 2]);
                            if !unresolved.iter().any(|u| u == name) {
                                unresolved.push(name.to_string());
                            }
                        }
                    }
                    rest = &after[close + 2..];
                }
                _ => {
                    out.push_str("{{");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn substitute_json(
        &self,
        value: &serde_json::Value,
        unresolved: &mut Vec<String>,
    ) -> serde_json::Value {
        match value {
            serde_json::Value::String(s) => {
                serde_json::Value::String(self.substitute(s, unresolved))
            }
            serde_json::Value::Array(items) => items
                .iter()
                .map(|v| self.substitute_json(v, unresolved))
                .collect(),
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    (
                        self.substitute(k, unresolved),
                        self.substitute_json(v, unresolved),
                    )
                })
                .collect::<serde_json::Map<_, _>>()
                .into(),
            other => other.clone(),
        }
    }

    /// The request with variables substituted in its url, headers, body and auth. Returns the
    /// names that did not resolve (left as written), for a warning.
    pub fn apply(&self, spec: &RequestSpec) -> (RequestSpec, Vec<String>) {
        let mut unresolved = Vec::new();
        let mut out = spec.clone();
        out.url = self.substitute(&spec.url, &mut unresolved);
        out.headers.0 = spec
            .headers
            .0
            .iter()
            .map(|h| HeaderSpec {
                key: self.substitute(&h.key, &mut unresolved),
                value: self.substitute(&h.value, &mut unresolved),
                disabled: h.disabled,
            })
            .collect();
        out.body = spec
            .body
            .as_ref()
            .map(|b| self.substitute_json(b, &mut unresolved));
        out.auth = spec
            .auth
            .as_ref()
            .map(|a| a.map_text(|t| self.substitute(t, &mut unresolved)));
        (out, unresolved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AuthSpec;
    use serde_json::json;

    fn vars() -> Variables {
        let scope = |v: serde_json::Value| v.as_object().unwrap().clone();
        Variables {
            local: scope(json!({"who": "local"})),
            data: scope(json!({"who": "data"})),
            environment: scope(json!({"who": "env", "host": "127.0.0.1:8080", "n": 3})),
            collection: scope(json!({"who": "collection", "path": "users"})),
            globals: scope(json!({"who": "global", "token": "t0k"})),
        }
    }

    #[test]
    fn precedence_is_local_data_environment_collection_globals() {
        let mut v = vars();
        assert_eq!(v.resolve("who").as_deref(), Some("local"));
        v.local.clear();
        assert_eq!(v.resolve("who").as_deref(), Some("data"));
        v.data.clear();
        assert_eq!(v.resolve("who").as_deref(), Some("env"));
        v.environment.remove("who");
        assert_eq!(v.resolve("who").as_deref(), Some("collection"));
        v.collection.remove("who");
        assert_eq!(v.resolve("who").as_deref(), Some("global"));
        assert_eq!(v.resolve("n").as_deref(), Some("3"));
    }

    #[test]
    fn substitution_leaves_unresolved_names_and_reports_them() {
        let mut unresolved = Vec::new();
        let out = vars().substitute(
            "http://{{host}}/{{path}}/{{ missing }}?q={{missing}}&x={{",
            &mut unresolved,
        );
        assert_eq!(
            out,
            "http://127.0.0.1:8080/users/{{ missing }}?q={{missing}}&x={{"
        );
        assert_eq!(unresolved, ["missing"]);
    }

    #[test]
    fn requests_are_substituted_everywhere() {
        let spec = RequestSpec::from_json(
            r#"{"url": "http://{{host}}/{{path}}", "headers": {"X-Who": "{{who}}"},
                "body": {"name": "{{who}}", "list": ["{{path}}"]}, "auth": {"type": "bearer", "token": "{{token}}"}}"#,
        )
        .unwrap();
        let (out, unresolved) = vars().apply(&spec);
        assert!(unresolved.is_empty());
        assert_eq!(out.url, "http://127.0.0.1:8080/users");
        assert_eq!(out.headers.0[0].value, "local");
        assert_eq!(out.body, Some(json!({"name": "local", "list": ["users"]})));
        assert_eq!(
            out.auth,
            Some(AuthSpec::Bearer {
                token: "t0k".into()
            })
        );
    }
}
