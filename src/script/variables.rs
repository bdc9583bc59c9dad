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
        self.substitute_with(text, &mut no_dynamic_variables, unresolved)
    }

    /// [`substitute`](Self::substitute), with `dynamic` answering names no scope has that start
    /// with `$` (Postman's `{{$guid}}`, `{{$randomInt}}`, ...), a fresh value per occurrence.
    /// As postman-collection does: a name is taken exactly as written (no trimming), and a
    /// value that has `{{names}}` in it is substituted again, up to [`SUBSTITUTION_PASSES`].
    pub fn substitute_with(
        &self,
        text: &str,
        dynamic: &mut DynamicVariables<'_>,
        unresolved: &mut Vec<String>,
    ) -> String {
        let mut text = std::borrow::Cow::Borrowed(text);
        let mut passes = 0;
        while text.contains("{{") {
            let mut left = Vec::new();
            if passes == SUBSTITUTION_PASSES {
                // Out of passes (a value names itself): what is left is unresolved.
                Variables::default().substitute_once(&text, &mut no_dynamic_variables, &mut left);
            } else {
                let (next, replaced) = self.substitute_once(&text, dynamic, &mut left);
                if next.len() > MAX_SUBSTITUTED_BYTES {
                    // Values that name each other several times grow exponentially pass by
                    // pass (`x` = `{{x}}{{x}}`): stop before they take the process's memory,
                    // and leave the rest unresolved.
                    passes = SUBSTITUTION_PASSES;
                    continue;
                }
                text = std::borrow::Cow::Owned(next);
                passes += 1;
                if replaced {
                    continue;
                }
            }
            for name in left {
                if !unresolved.contains(&name) {
                    unresolved.push(name);
                }
            }
            break;
        }
        text.into_owned()
    }

    /// One pass over `text`, as postman-collection's `/\{\{([^{}]*?)}}/g`: whether anything
    /// was replaced.
    fn substitute_once(
        &self,
        text: &str,
        dynamic: &mut DynamicVariables<'_>,
        unresolved: &mut Vec<String>,
    ) -> (String, bool) {
        let mut out = String::with_capacity(text.len());
        let mut replaced = false;
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            out.push_str(&rest[..open]);
            let after = &rest[open + 2..];
            let name_len = after.find(['{', '}']).unwrap_or(after.len());
            if !after[name_len..].starts_with("}}") {
                // Not a name here; the regex tries again one character on (`{{{a}}`).
                out.push('{');
                rest = &rest[open + 1..];
                continue;
            }
            let name = &after[..name_len];
            let value = self
                .resolve(name)
                .or_else(|| name.starts_with('$').then(|| dynamic(name)).flatten());
            match value {
                Some(value) => {
                    out.push_str(&value);
                    replaced = true;
                }
                None => {
                    out.push_str(&rest[open..open + 4 + name_len]);
                    if !unresolved.iter().any(|u| u == name) {
                        unresolved.push(name.to_string());
                    }
                }
            }
            rest = &after[name_len + 2..];
        }
        out.push_str(rest);
        (out, replaced)
    }

    fn substitute_json(
        &self,
        value: &serde_json::Value,
        dynamic: &mut DynamicVariables<'_>,
        unresolved: &mut Vec<String>,
    ) -> serde_json::Value {
        match value {
            serde_json::Value::String(s) => {
                serde_json::Value::String(self.substitute_with(s, dynamic, unresolved))
            }
            serde_json::Value::Array(items) => items
                .iter()
                .map(|v| self.substitute_json(v, dynamic, unresolved))
                .collect(),
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    (
                        self.substitute_with(k, dynamic, unresolved),
                        self.substitute_json(v, dynamic, unresolved),
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
        self.apply_with(spec, &mut no_dynamic_variables)
    }

    /// [`apply`](Self::apply), with `dynamic` answering Postman's dynamic variables.
    pub fn apply_with(
        &self,
        spec: &RequestSpec,
        dynamic: &mut DynamicVariables<'_>,
    ) -> (RequestSpec, Vec<String>) {
        let mut unresolved = Vec::new();
        let mut out = spec.clone();
        let mut text =
            |t: &str, unresolved: &mut Vec<String>| self.substitute_with(t, dynamic, unresolved);
        out.url = text(&spec.url, &mut unresolved);
        out.headers.0 = spec
            .headers
            .0
            .iter()
            .map(|h| HeaderSpec {
                key: text(&h.key, &mut unresolved),
                value: text(&h.value, &mut unresolved),
                disabled: h.disabled,
            })
            .collect();
        out.auth = spec
            .auth
            .as_ref()
            .map(|a| a.map_text(|t| text(t, &mut unresolved)));
        out.body = spec
            .body
            .as_ref()
            .map(|b| self.substitute_json(b, dynamic, &mut unresolved));
        if let Some(vars) = &mut out.path_variables {
            vars.values_mut()
                .for_each(|v| *v = self.substitute_with(v, dynamic, &mut unresolved));
        }
        // Keys and text values of a form; a file's bytes are not text to substitute in.
        for part in out.form_data.iter_mut().flatten() {
            part.key = self.substitute_with(&part.key, dynamic, &mut unresolved);
            if let Some(v) = &mut part.value {
                *v = self.substitute_with(v, dynamic, &mut unresolved);
            }
        }
        (out, unresolved)
    }
}

/// Answers a dynamic variable's name (`$guid`) with a fresh value, or `None` for a name it
/// does not know.
pub type DynamicVariables<'a> = dyn FnMut(&str) -> Option<String> + 'a;

/// Passes of substitution: a value may name other variables (postman-collection's limit).
const SUBSTITUTION_PASSES: usize = 19;

/// The longest text substitution makes (16 MiB): past it, what is left stays unresolved.
const MAX_SUBSTITUTED_BYTES: usize = 16 << 20;

/// For callers without a script runtime: dynamic variables stay as written.
pub fn no_dynamic_variables(_: &str) -> Option<String> {
    None
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
        assert_eq!(unresolved, [" missing ", "missing"]);
    }

    #[test]
    fn names_are_taken_as_written_and_values_substituted_again() {
        let scope = |v: serde_json::Value| v.as_object().unwrap().clone();
        let v = Variables {
            collection: scope(json!({"a": "{{b}}", "b": "B{{c}}", "c": "C", " sp ": "SP",
                "sp": "nosp", "loop": "{{loop}}"})),
            ..Variables::default()
        };
        let mut unresolved = Vec::new();
        let out = v.substitute("{{a}}/{{ sp }}/{{{c}}}/{{a}b}}/{{loop}}", &mut unresolved);
        assert_eq!(out, "BC/SP/{C}/{{a}b}}/{{loop}}");
        assert_eq!(unresolved, ["loop"]);
    }

    #[test]
    fn values_that_name_each_other_do_not_grow_without_bound() {
        let scope = |v: serde_json::Value| v.as_object().unwrap().clone();
        let v = Variables {
            environment: scope(json!({"x": "{{x}}{{x}}{{x}}{{x}}"})),
            ..Variables::default()
        };
        let mut unresolved = Vec::new();
        let out = v.substitute("{{x}}", &mut unresolved);
        assert!(out.len() <= MAX_SUBSTITUTED_BYTES, "{}", out.len());
        assert_eq!(unresolved, ["x"]);
    }

    #[test]
    fn dynamic_variables_are_asked_for_each_occurrence_unless_a_scope_has_the_name() {
        let scope = |v: serde_json::Value| v.as_object().unwrap().clone();
        let v = Variables {
            environment: scope(json!({"$mine": "set", "inner": "{{$n}}"})),
            ..Variables::default()
        };
        let mut asked = 0;
        let mut dynamic = |name: &str| {
            asked += 1;
            (name == "$n").then(|| asked.to_string())
        };
        let mut unresolved = Vec::new();
        let out = v.substitute_with(
            "{{$n}},{{$n}},{{$mine}},{{inner}},{{$nope}},{{n}}",
            &mut dynamic,
            &mut unresolved,
        );
        assert_eq!(out, "1,2,set,4,{{$nope}},{{n}}");
        assert_eq!(unresolved, ["$nope", "n"]);
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
