//! The files a collection run is given (collection, environment, globals, iteration data), read
//! as Newman 6 reads them: text in UTF-8 with or without a byte-order mark, or UTF-16 with one
//! (Windows tools write both), and variable scopes in every shape Newman's loader takes.

use super::import::text;
use crate::script::Scope;
use serde_json::Value;
use std::path::Path;

/// A file's text. Newman decodes what chardet names UTF-8 or UTF-16LE and strips the mark;
/// UTF-16BE it misreads (chardet's name for it is missing from Newman's map), which Vayu
/// decodes instead of failing on (docs/collections.md).
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    decode(&bytes).map_err(|e| format!("`{}` {e}", path.display()))
}

fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        if !rest.len().is_multiple_of(2) {
            return Err("is UTF-16 (it starts with a byte-order mark) but has an odd number of bytes; save it as UTF-8".to_string());
        }
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
        String::from_utf16(&units)
            .map_err(|_| "is not valid UTF-16 after its byte-order mark; save it as UTF-8".into())
    };
    let text = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec())
            .map_err(|_| "is not valid UTF-8 after its byte-order mark".to_string())?,
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes)?,
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes)?,
        // Text written as UTF-16 without a mark has NULs (as UTF-8 they are valid characters).
        _ if bytes.contains(&0) => {
            return Err(
                "holds NUL bytes: is it UTF-16 without a byte-order mark? Save it as UTF-8".into(),
            )
        }
        _ => String::from_utf8(bytes.to_vec()).map_err(|_| {
            "is not UTF-8 (nor UTF-16 with a byte-order mark); save it as UTF-8".to_string()
        })?,
    };
    Ok(text)
}

/// A variable scope (`kind` is `environment` or `globals`) as Newman's loader takes it: a
/// Postman export `{"values": [...]}`, the same wrapped as the Postman API returns it
/// (`{"environment": {...}}`), or a bare list `[{"key", "value"}]`. A variable with
/// `"disabled": true` is not there for `get`, `has` or `{{name}}` (postman-collection's
/// VariableScope skips it); `"enabled": false` is not a field postman-collection reads, so that
/// variable is as set as any other. Vayu also takes a plain object of variables, which Newman
/// reads as an empty scope.
pub fn variable_scope(kind: &str, value: Value) -> Result<Scope, String> {
    let value = match value {
        Value::Object(mut obj) if obj.get(kind).is_some_and(|v| v.is_object() || v.is_array()) => {
            obj.remove(kind).expect("checked above")
        }
        other => other,
    };
    let entries = match value {
        Value::Array(entries) => entries,
        Value::Object(mut obj) => match obj.remove("values") {
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err("`values` must be a list of {key, value}".into()),
            None => return Ok(obj),
        },
        _ => {
            return Err(format!(
            "expected a Postman {kind} export, a list of {{key, value}} or an object of variables"
        ))
        }
    };
    Ok(entries
        .iter()
        .filter_map(Value::as_object)
        .filter(|v| v.get("disabled") != Some(&Value::Bool(true)))
        .filter_map(|v| {
            Some((
                text(v.get("key"))?,
                v.get("value")
                    .cloned()
                    .unwrap_or(Value::String(String::new())),
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn byte_order_marks_are_read_as_newman_reads_them() {
        let json = "{\"a\": \"é\"}";
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(json.as_bytes());
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in json.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        for bytes in [utf8, le, be, json.as_bytes().to_vec()] {
            assert_eq!(decode(&bytes).unwrap(), json);
        }
        let bare_utf16: Vec<u8> = json.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(decode(&bare_utf16).unwrap_err().contains("UTF-16 without"));
        assert!(decode(&[0xFF, 0xFE, 0x41]).unwrap_err().contains("odd"));
    }

    #[test]
    fn disabled_variables_are_dropped_and_enabled_false_is_not() {
        let scope = variable_scope(
            "environment",
            json!({"values": [
                {"key": "a", "value": "A", "enabled": false},
                {"key": "b", "value": "B", "disabled": true},
                {"key": "c", "value": "C1"},
                {"key": "c", "value": "C2", "disabled": true},
            ]}),
        )
        .unwrap();
        assert_eq!(Value::Object(scope), json!({"a": "A", "c": "C1"}));
    }

    #[test]
    fn bare_lists_wrapped_exports_and_plain_objects_are_scopes() {
        let list = json!([{"key": "g", "value": "1"}]);
        assert_eq!(variable_scope("globals", list).unwrap()["g"], "1");
        let wrapped = json!({"globals": {"values": [{"key": "g", "value": "2"}]}});
        assert_eq!(variable_scope("globals", wrapped).unwrap()["g"], "2");
        assert_eq!(variable_scope("globals", json!({"g": 3})).unwrap()["g"], 3);
        assert!(variable_scope("globals", json!("x")).is_err());
    }
}
