//! The test script generated for each operation: the status is one the document lists, and a
//! JSON body matches the response schema listed for that status
//! (`pm.response.to.have.jsonSchema`). Schemas are inlined (`$ref`s followed, a recursive one
//! cut to `{}`) and brought to the JSON Schema the sandbox's ajv 6 reads: OpenAPI's
//! `nullable` as a `null` type, `oneOf` as `anyOf` (an example often fits two branches that
//! the document meant as alternatives), formats and OpenAPI-only keywords left out.

use super::refs::{Refs, Walk};
use serde_json::{json, Map, Value};

const MAX_DEPTH: usize = 12;

/// The most schema text one operation's test carries.
const MAX_SCHEMA_TEXT: usize = 256 * 1024;

/// The test script for an operation's `responses`, or `None` when it lists none.
pub(super) fn test_script(refs: &Refs<'_>, responses: &Value) -> Option<String> {
    let responses = responses.as_object().filter(|r| !r.is_empty())?;
    let mut codes = Vec::new();
    let mut schemas = Map::new();
    // A schema whose walk ran out of its copy budget is incomplete: no check rather than a wrong one.
    let mut too_large = false;
    for (code, response) in responses {
        codes.push(code.to_ascii_uppercase());
        let schema = refs
            .resolve(response)
            .and_then(|r| r.get("content"))
            .and_then(Value::as_object)
            .and_then(|content| {
                content
                    .iter()
                    .find(|(media, _)| is_json(media))
                    .and_then(|(_, m)| m.get("schema"))
            });
        if let Some(schema) = schema {
            let mut walk = Walk::new();
            let converted = json_schema(refs, schema, 0, &mut walk);
            too_large |= walk.exhausted();
            schemas.insert(code.to_ascii_uppercase(), converted);
        }
    }
    let mut script = Vec::new();
    if !codes.iter().any(|c| c == "DEFAULT") {
        script.push(format!(
            "pm.test(\"Status code is one the document lists\", function () {{\n    pm.expect({}).to.match(/^({})$/);\n}});",
            "String(pm.response.code)",
            codes.iter().map(|c| c.replace('X', "\\d")).collect::<Vec<_>>().join("|")
        ));
    }
    let schemas_text = serde_json::to_string(&Value::Object(schemas)).unwrap_or_default();
    // Scripts are capped (1 MiB, `check_script_size`); a response schema that large is left
    // to the status test rather than failing the import.
    if too_large || schemas_text.len() > MAX_SCHEMA_TEXT {
        script.push(format!(
            "// The response schemas ({} KiB or more) are too large to check here.",
            schemas_text.len() / 1024
        ));
    } else if schemas_text != "{}" {
        script.push(format!(
            "var schemas = {};\nvar code = String(pm.response.code);\nvar schema = schemas[code] || schemas[code[0] + \"XX\"] || schemas.DEFAULT;\nif (schema && /json/i.test(pm.response.headers.get(\"Content-Type\") || \"\")) {{\n    pm.test(\"Body matches the response schema\", function () {{\n        pm.response.to.have.jsonSchema(schema);\n    }});\n}}",
            schemas_text
        ));
    }
    (!script.is_empty()).then(|| script.join("\n"))
}

pub(super) fn is_json(media: &str) -> bool {
    let media = media.to_ascii_lowercase();
    media.starts_with("application/json") || media.contains("+json") || media == "*/*"
}

/// Keywords ajv 6 validates with (draft 7), kept; everything else is dropped.
const KEEP: &[&str] = &[
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
];

fn json_schema(refs: &Refs<'_>, schema: &Value, depth: usize, stack: &mut Walk) -> Value {
    if !stack.visit() {
        return json!({});
    }
    let reference = schema
        .get("$ref")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(r) = &reference {
        if stack.contains(r) || depth > MAX_DEPTH {
            return json!({});
        }
        stack.push(r.clone());
    }
    let out = match refs.resolve(schema) {
        Some(Value::Object(map)) => convert(refs, map, depth, stack),
        _ => json!({}),
    };
    if reference.is_some() {
        stack.pop();
    }
    out
}

fn convert(refs: &Refs<'_>, map: &Map<String, Value>, depth: usize, stack: &mut Walk) -> Value {
    let mut out = Map::new();
    let sub = |v: &Value, stack: &mut Walk| json_schema(refs, v, depth + 1, stack);
    for (key, value) in map {
        match key.as_str() {
            // Charged: an enum or pattern copied at every reference could grow without bound;
            // past the budget the walk is exhausted and the check left out.
            k if KEEP.contains(&k) => {
                if let Some(copy) = stack.copy(value) {
                    out.insert(k.to_string(), copy);
                }
            }
            "properties" | "patternProperties" => {
                let props: Map<String, Value> = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, p)| (name.clone(), sub(p, stack)))
                    .collect();
                out.insert(key.clone(), Value::Object(props));
            }
            "items" | "not" | "additionalItems" => {
                out.insert(key.clone(), sub(value, stack));
            }
            "additionalProperties" if value.is_boolean() => {
                out.insert(key.clone(), value.clone());
            }
            "additionalProperties" => {
                out.insert(key.clone(), sub(value, stack));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| sub(v, stack))
                    .collect();
                let key = if key == "allOf" { "allOf" } else { "anyOf" };
                out.insert(key.to_string(), Value::Array(list));
            }
            _ => {}
        }
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(t)) = out.get("type").cloned() {
            out.insert("type".into(), json!([t, "null"]));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_that_fan_out_are_cut_by_the_budget_not_followed_exponentially() {
        // 40 levels, each with two properties referring to the next: 2^40 schemas unbounded.
        let mut schemas = serde_json::Map::new();
        for i in 0..40 {
            let next = json!({"$ref": format!("#/components/schemas/S{}", i + 1)});
            schemas.insert(
                format!("S{i}"),
                json!({"type": "object", "properties": {"a": next, "b": next}}),
            );
        }
        schemas.insert("S40".into(), json!({"type": "string"}));
        let doc = json!({"components": {"schemas": schemas}});
        let refs = Refs { doc: &doc };
        let responses = json!({"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}});
        let script = test_script(&refs, &responses).unwrap();
        assert!(script.len() < 2 * MAX_SCHEMA_TEXT, "{}", script.len());
        let made =
            super::super::example::example(&refs, &json!({"$ref": "#/components/schemas/S0"}));
        assert!(made.to_string().len() < 4 * 1024 * 1024);
    }

    /// A small document whose one large example (and enum) is referenced from a thousand
    /// properties through nested arrays would make gigabytes copied out whole: the copy budget
    /// cuts it, the example says so and the check is left out.
    #[test]
    fn a_large_example_referenced_everywhere_is_copied_within_the_budget() {
        let big = "x".repeat(100 * 1024);
        let mut properties = serde_json::Map::new();
        for i in 0..1000 {
            properties.insert(
                format!("p{i}"),
                json!({"$ref": "#/components/schemas/Deep"}),
            );
        }
        let doc = json!({"components": {"schemas": {
            "Top": {"type": "object", "properties": properties},
            "Deep": {"type": "array", "items": {"type": "array", "items": {"type": "array",
                "items": {"type": "string", "example": big, "enum": [big]}}}}
        }}});
        let refs = Refs { doc: &doc };
        let made =
            super::super::example::example(&refs, &json!({"$ref": "#/components/schemas/Top"}));
        let text = made.to_string();
        assert!(text.len() < 4 * 1024 * 1024, "{}", text.len());
        assert!(text.contains("<too large to make>"));
        let responses = json!({"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Top"}}}}});
        let script = test_script(&refs, &responses).unwrap();
        assert!(script.contains("too large to check"), "{script}");
    }

    #[test]
    fn the_script_lists_codes_and_inlines_schemas_for_ajv() {
        let doc = json!({"components": {"schemas": {"Pet": {
            "type": "object", "required": ["name"], "example": {"name": "x"},
            "properties": {"name": {"type": "string", "format": "uuid", "nullable": true},
                            "kids": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}}});
        let refs = Refs { doc: &doc };
        let responses = json!({
            "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
            "4XX": {"description": "bad"},
        });
        let script = test_script(&refs, &responses).unwrap();
        assert!(script.contains("/^(200|4\\d\\d)$/"), "{script}");
        assert!(script.contains(r#""200":{"type":"object","required":["name"],"properties":{"name":{"type":["string","null"]},"kids":{"type":"array","items":{}}}}"#), "{script}");
        let only_default = test_script(&refs, &json!({"default": {"description": "x"}}));
        assert_eq!(only_default, None);
    }
}
