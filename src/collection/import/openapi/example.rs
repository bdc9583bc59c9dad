//! A value for a schema, as Postman's importer makes one by default ("Schema" resolution):
//! the schema's own `example`, `default`, `const` or first `enum` value when it has one, else a
//! placeholder naming its type and format (`<string>`, `<long>`, `<dateTime>`); objects with
//! every property, arrays with two items, `allOf` merged, the first of `oneOf` / `anyOf`.
//! `$ref`s are followed; a schema that contains itself stops at a depth, as Postman's does.

use super::refs::{Refs, Walk};
use serde_json::{json, Map, Value};

/// Nesting deeper than this is cut (a recursive schema, or an absurd one).
const MAX_DEPTH: usize = 10;

pub(super) fn example(refs: &Refs<'_>, schema: &Value) -> Value {
    value(refs, schema, 0, &mut Walk::new())
}

fn value(refs: &Refs<'_>, schema: &Value, depth: usize, stack: &mut Walk) -> Value {
    if !stack.visit() {
        return json!("<too large to make>");
    }
    let reference = schema.get("$ref").and_then(Value::as_str);
    if let Some(r) = reference {
        if stack.iter().any(|s| s == r) || depth > MAX_DEPTH {
            return json!(format!("<Circular reference to {r} detected>"));
        }
        stack.push(r.to_string());
    }
    let out = match refs.resolve(schema) {
        Some(resolved) => own_value(refs, resolved, depth, stack),
        None => json!("<unresolved reference>"),
    };
    if reference.is_some() {
        stack.pop();
    }
    out
}

fn own_value(refs: &Refs<'_>, schema: &Value, depth: usize, stack: &mut Walk) -> Value {
    if let Some(given) = given_value(schema) {
        return stack
            .copy(given)
            .unwrap_or_else(|| json!("<too large to make>"));
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        return merged(refs, schema, all, depth, stack);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|l| l.first())
        {
            return value(refs, first, depth + 1, stack);
        }
    }
    match type_of(schema).as_deref() {
        Some("object") => object(refs, schema, depth, stack),
        Some("array") => {
            let item = match schema.get("items") {
                Some(items) if depth < MAX_DEPTH => value(refs, items, depth + 1, stack),
                _ => json!("<string>"),
            };
            // The second item is a copy too: charged, so nested arrays cannot double without
            // bound.
            if stack.charge(&item) {
                json!([item.clone(), item])
            } else {
                json!([item])
            }
        }
        Some(kind) => json!(placeholder(
            kind,
            schema.get("format").and_then(Value::as_str)
        )),
        None if schema.get("properties").is_some() => object(refs, schema, depth, stack),
        None => json!("<string>"),
    }
}

/// The schema's own `example` (or 3.1's `examples`), `default`, `const` or first `enum`.
fn given_value(schema: &Value) -> Option<&Value> {
    if let Some(e) = schema.get("example") {
        return Some(e);
    }
    if let Some(first) = schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
    {
        return Some(first);
    }
    for key in ["default", "const"] {
        if let Some(v) = schema.get(key) {
            return Some(v);
        }
    }
    schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|l| l.iter().find(|v| !v.is_null()))
}

/// The type, from `type` (3.1 may list several; the first that is not `null`).
pub(super) fn type_of(schema: &Value) -> Option<String> {
    match schema.get("type")? {
        Value::String(t) => Some(t.clone()),
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_string),
        _ => None,
    }
}

fn object(refs: &Refs<'_>, schema: &Value, depth: usize, stack: &mut Walk) -> Value {
    let mut out = Map::new();
    if depth >= MAX_DEPTH {
        return Value::Object(out);
    }
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        // A response-only property is not sent.
        if refs.resolve(property).and_then(|p| p.get("readOnly")) == Some(&Value::Bool(true)) {
            continue;
        }
        out.insert(name.clone(), value(refs, property, depth + 1, stack));
    }
    Value::Object(out)
}

/// `allOf`: the parts' objects merged, the schema's own properties too.
fn merged(refs: &Refs<'_>, schema: &Value, all: &[Value], depth: usize, stack: &mut Walk) -> Value {
    let mut out = Map::new();
    let mut last = Value::Null;
    for part in all {
        match value(refs, part, depth + 1, stack) {
            Value::Object(map) => out.extend(map),
            other => last = other,
        }
    }
    if schema.get("properties").is_some() {
        if let Value::Object(own) = object(refs, schema, depth, stack) {
            out.extend(own);
        }
    }
    if out.is_empty() && !last.is_null() {
        return last;
    }
    Value::Object(out)
}

/// Postman's placeholder for a type and format.
fn placeholder(kind: &str, format: Option<&str>) -> String {
    let name = match (kind, format) {
        ("integer", Some("int64")) => "long",
        ("integer", _) => "integer",
        ("number", Some("float")) => "float",
        ("number", Some("double")) => "double",
        ("number", _) => "number",
        ("boolean", _) => "boolean",
        ("string", Some("date-time")) => "dateTime",
        ("string", Some(f)) => return format!("<{f}>"),
        (other, _) => other,
    };
    format!("<{name}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_from_examples_then_placeholders_with_refs_all_of_and_one_of() {
        let doc = json!({"components": {"schemas": {
            "Pet": {"type": "object", "properties": {
                "id": {"type": "integer", "format": "int64", "readOnly": true},
                "name": {"type": "string", "example": "Rex"},
                "born": {"type": "string", "format": "date-time"},
                "kind": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"type": "string"}]},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                "parent": {"$ref": "#/components/schemas/Pet"},
            }},
            "Cat": {"allOf": [{"type": "object", "properties": {"lives": {"type": "integer", "default": 9}}},
                               {"properties": {"indoor": {"type": "boolean"}}}]},
        }}});
        let refs = Refs { doc: &doc };
        let got = example(&refs, &json!({"$ref": "#/components/schemas/Pet"}));
        assert_eq!(
            got,
            json!({
                "name": "Rex",
                "born": "<dateTime>",
                "kind": {"lives": 9, "indoor": "<boolean>"},
                "tags": ["a", "a"],
                "parent": "<Circular reference to #/components/schemas/Pet detected>",
            })
        );
    }
}
