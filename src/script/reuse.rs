//! What a runtime's host keeps from one script run to the next, because a test script on every
//! response of a load run sees the same variables and writes the same results again and again:
//! the variables as JSON, and the last outcome parsed from the prelude's JSON. Each is a copy
//! checked against the new input, so a hit gives exactly what the work would have given.

use super::outcome::{Phase, ScriptOutcome};
use super::variables::Variables;

/// Inputs and results above this size are not kept: comparing them costs about what it saves,
/// and keeping them costs memory.
const MAX_KEPT: usize = 16 * 1024;

/// The variables as last handed to a script (when small enough to keep), and their JSON.
#[derive(Default)]
pub(super) struct VariablesJson {
    last: Option<Variables>,
    json: String,
}

impl VariablesJson {
    /// `variables` as JSON: the last text when they are the last ones, key order included
    /// (scripts see the order: `Object.keys`, `toObject()`).
    pub(super) fn of(&mut self, variables: &Variables) -> serde_json::Result<&str> {
        if self
            .last
            .as_ref()
            .is_some_and(|last| same_variables(last, variables))
        {
            return Ok(&self.json);
        }
        self.json = serde_json::to_string(variables)?;
        // Kept only when small: a large set costs about as much to compare as to write.
        self.last = (self.json.len() <= MAX_KEPT).then(|| variables.clone());
        Ok(&self.json)
    }
}

/// Equal scope by scope with the keys in the same order (`Map`'s `==` ignores the order).
fn same_variables(a: &Variables, b: &Variables) -> bool {
    [
        (&a.local, &b.local),
        (&a.data, &b.data),
        (&a.environment, &b.environment),
        (&a.collection, &b.collection),
        (&a.globals, &b.globals),
    ]
    .into_iter()
    .all(|(x, y)| same_map(x, y))
}

fn same_map(
    a: &serde_json::Map<String, serde_json::Value>,
    b: &serde_json::Map<String, serde_json::Value>,
) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .all(|((ka, va), (kb, vb))| ka == kb && same_value(va, vb))
}

fn same_value(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::{Array, Object};
    match (a, b) {
        (Object(x), Object(y)) => same_map(x, y),
        (Array(x), Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        _ => a == b,
    }
}

/// The last outcome the host parsed that changed neither the request nor the variables, with
/// the JSON it came from.
#[derive(Default)]
pub(super) struct LastOutcome {
    last: Option<(Phase, String, ScriptOutcome)>,
}

impl LastOutcome {
    /// The outcome of `json` if it is the last one's.
    pub(super) fn get(&self, phase: Phase, json: &str) -> Option<ScriptOutcome> {
        match &self.last {
            Some((p, text, outcome)) if *p == phase && text == json => Some(outcome.clone()),
            _ => None,
        }
    }

    /// Keeps `outcome`, parsed from `json`, for the next run.
    pub(super) fn keep(&mut self, phase: Phase, json: String, outcome: &ScriptOutcome) {
        self.last = (json.len() <= MAX_KEPT).then(|| (phase, json, outcome.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_json_is_the_json_of_the_variables_it_is_given() {
        let mut cache = VariablesJson::default();
        let mut v = Variables::default();
        let empty = cache.of(&v).unwrap().to_string();
        assert_eq!(empty, serde_json::to_string(&v).unwrap());
        assert_eq!(cache.of(&v).unwrap(), empty);
        v.environment.insert("a".into(), serde_json::json!(1));
        assert_eq!(cache.of(&v).unwrap(), serde_json::to_string(&v).unwrap());
        assert_ne!(cache.of(&v).unwrap(), empty);
        // The same keys in another order are other JSON.
        v.environment.insert("b".into(), serde_json::json!(2));
        let ab = cache.of(&v).unwrap().to_string();
        v.environment.shift_remove("a");
        v.environment.insert("a".into(), serde_json::json!(1));
        let ba = cache.of(&v).unwrap().to_string();
        assert_ne!(ab, ba);
        assert_eq!(ba, serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn an_outcome_is_reused_only_for_the_same_json_and_phase() {
        let mut cache = LastOutcome::default();
        let outcome = ScriptOutcome::default();
        cache.keep(Phase::Test, "{}".into(), &outcome);
        assert_eq!(cache.get(Phase::Test, "{}"), Some(outcome));
        assert_eq!(cache.get(Phase::PreRequest, "{}"), None);
        assert_eq!(cache.get(Phase::Test, "{ }"), None);
    }
}
