//! `$ref`s inside one OpenAPI document (`#/components/...`): followed through chains, with a
//! bound so a loop of references ends. References to other files are not followed (an
//! import reads one document); they resolve to nothing and the import says so.

use serde_json::Value;

/// Chains longer than this are loops.
const MAX_CHAIN: usize = 32;

pub(super) struct Refs<'a> {
    pub(super) doc: &'a Value,
}

impl<'a> Refs<'a> {
    /// `v` itself, or what its `$ref` (chain) points at; `None` for a reference that points
    /// nowhere in the document.
    pub(super) fn resolve(&self, mut v: &'a Value) -> Option<&'a Value> {
        for _ in 0..MAX_CHAIN {
            match v.get("$ref").and_then(Value::as_str) {
                Some(pointer) => v = self.target(pointer)?,
                None => return Some(v),
            }
        }
        None
    }

    /// What a `#/...` pointer names (JSON Pointer, `~1` and `~0` unescaped).
    pub(super) fn target(&self, pointer: &str) -> Option<&'a Value> {
        let pointer = pointer.strip_prefix('#')?;
        let decoded = percent_encoding::percent_decode_str(pointer).decode_utf8_lossy();
        self.doc.pointer(&decoded)
    }
}

/// A walk through nested schemas: the `$ref`s it is inside (a schema that contains itself
/// stops there) and the schemas it may still visit. The budget bounds the work on a document
/// whose references fan out (each level referring to several of the next), which a depth limit
/// alone lets grow exponentially.
pub(super) struct Walk {
    inside: Vec<String>,
    left: usize,
    /// Bytes the walk may still copy out of the document (examples, defaults, enums).
    bytes_left: usize,
    /// A copy was refused: what the walk made is incomplete.
    exhausted: bool,
}

/// Schemas one example or one response check visits at most.
const BUDGET: usize = 20_000;

/// Bytes of the document's values (examples, defaults, enums) one example or one response
/// check copies at most: a small document can reference one large example from many places,
/// and an array's two items double it at each level, which the visit budget does not bound.
const COPY_BUDGET: usize = 1024 * 1024;

impl Walk {
    pub(super) fn new() -> Walk {
        Walk {
            inside: Vec::new(),
            left: BUDGET,
            bytes_left: COPY_BUDGET,
            exhausted: false,
        }
    }

    /// Counts one more schema; false when the budget is spent.
    pub(super) fn visit(&mut self) -> bool {
        self.left = self.left.saturating_sub(1);
        self.left > 0
    }

    /// A copy of `value`, charged to the copy budget; `None` when it would pass it.
    pub(super) fn copy(&mut self, value: &Value) -> Option<Value> {
        self.charge(value).then(|| value.clone())
    }

    /// Charges a copy of `value` made elsewhere; false (and the walk exhausted) when it would
    /// pass the budget.
    pub(super) fn charge(&mut self, value: &Value) -> bool {
        match size_within(value, self.bytes_left) {
            Some(size) => {
                self.bytes_left -= size;
                true
            }
            None => {
                self.exhausted = true;
                false
            }
        }
    }

    /// Whether a copy was refused, so what the walk made is incomplete.
    pub(super) fn exhausted(&self) -> bool {
        self.exhausted
    }
}

/// About the bytes `value` takes as JSON, if no more than `limit` (counting stops there, so a
/// large value costs no more to refuse than the limit).
fn size_within(value: &Value, limit: usize) -> Option<usize> {
    let mut size = 0usize;
    let mut todo = vec![value];
    while let Some(v) = todo.pop() {
        size += match v {
            Value::String(s) => s.len() + 2,
            Value::Array(items) => {
                todo.extend(items);
                2
            }
            Value::Object(map) => {
                for (key, item) in map {
                    size += key.len() + 4;
                    todo.push(item);
                }
                2
            }
            _ => 8,
        };
        if size > limit {
            return None;
        }
    }
    Some(size)
}

impl std::ops::Deref for Walk {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.inside
    }
}

impl std::ops::DerefMut for Walk {
    fn deref_mut(&mut self) -> &mut Vec<String> {
        &mut self.inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chains_are_followed_and_loops_and_other_files_give_nothing() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "L": {"$ref": "#/components/schemas/L"},
            "a/b": {"type": "integer"},
        }}});
        let refs = Refs { doc: &doc };
        let a = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(refs.resolve(&a), Some(&json!({"type": "string"})));
        assert_eq!(
            refs.resolve(&json!({"$ref": "#/components/schemas/L"})),
            None
        );
        assert_eq!(refs.resolve(&json!({"$ref": "other.yaml#/X"})), None);
        let escaped = json!({"$ref": "#/components/schemas/a~1b"});
        assert_eq!(refs.resolve(&escaped), Some(&json!({"type": "integer"})));
    }
}
