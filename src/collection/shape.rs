//! What Newman runs that the v2 schema does not describe, brought to the v2.1 shape before
//! anything reads a collection: a v1 export (`requests` and `order`) converted as Newman
//! converts it, and `item` / `event` given as one object instead of a list (postman-collection's
//! PropertyList takes a single object as a list of one).

use super::import::ImportError;
use rquickjs::{CaughtError, Context, Function, Runtime, Value as JsValue};
use serde_json::Value;
use std::borrow::Cow;

/// The collection in v2.1's shape; borrowed when it already is.
pub(super) fn normalize(doc: &Value) -> Result<Cow<'_, Value>, ImportError> {
    let doc = match doc.as_object() {
        Some(obj) if is_v1(obj) => {
            // Newman prints a deprecation warning and converts it; so does Vayu, silently.
            Cow::Owned(to_v21(doc).map_err(|message| ImportError {
                path: "collection".into(),
                message: format!(
                    "is a Postman Collection v1 (it has `requests` and `order`) and converting it to v2.1 failed: {message}; open it in Postman and export it as Collection v2.1"
                ),
            })?)
        }
        _ => Cow::Borrowed(doc),
    };
    if !has_single_objects(&doc) {
        return Ok(doc);
    }
    let mut doc = doc.into_owned();
    listify(&mut doc);
    Ok(Cow::Owned(doc))
}

/// Newman's test (`util.isV1Collection`, the transformer's `isv1`): `name`, `order` and
/// `requests` all truthy in JavaScript's sense.
fn is_v1(obj: &serde_json::Map<String, Value>) -> bool {
    let truthy = |key: &str| match obj.get(key) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(_) => true,
    };
    truthy("name") && truthy("order") && truthy("requests")
}

/// postman-collection-transformer, bundled from js/package-lock.json, with the options Newman
/// gives it (`{inputVersion: '1.0.0', outputVersion: '2.1.0'}`), in a QuickJS runtime of its own.
fn to_v21(doc: &Value) -> Result<Value, String> {
    let source = crate::script::modules::source("postman-collection-transformer")
        .expect("the transformer is bundled");
    let runtime = Runtime::new().map_err(|e| e.to_string())?;
    // Bounds for a hostile file: the conversion is data in, data out.
    runtime.set_memory_limit(256 << 20);
    runtime.set_max_stack_size(1 << 20);
    let context = Context::full(&runtime).map_err(|e| e.to_string())?;
    context.with(|ctx| {
        let fail = |e: rquickjs::Error| match CaughtError::from_error(&ctx, e) {
            CaughtError::Exception(e) => e.message().unwrap_or_default(),
            CaughtError::Value(v) => format!("{v:?}"),
            CaughtError::Error(e) => e.to_string(),
        };
        let transformer: JsValue = ctx.eval(source).map_err(fail)?;
        let convert: Function = ctx
            .eval(
                "(function (transformer, input) {
                   var out, error;
                   transformer.convert(JSON.parse(input), { inputVersion: '1.0.0', outputVersion: '2.1.0' },
                     function (e, result) { error = e; out = result; });
                   if (error) throw error;
                   return JSON.stringify(out);
                 })",
            )
            .map_err(fail)?;
        let converted: String = convert
            .call((transformer, doc.to_string()))
            .map_err(fail)?;
        serde_json::from_str(&converted).map_err(|e| e.to_string())
    })
}

/// Whether any collection, folder or item has an `item` or `event` that is one object.
fn has_single_objects(v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    ["item", "event"]
        .iter()
        .any(|k| obj.get(*k).is_some_and(Value::is_object))
        || obj
            .get("item")
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(has_single_objects))
}

fn listify(v: &mut Value) {
    let Some(obj) = v.as_object_mut() else {
        return;
    };
    for key in ["item", "event"] {
        if let Some(one) = obj.get_mut(key).filter(|x| x.is_object()) {
            *one = Value::Array(vec![one.take()]);
        }
    }
    if let Some(Value::Array(items)) = obj.get_mut("item") {
        items.iter_mut().for_each(listify);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_item_and_event_objects_become_lists_of_one() {
        let event = json!({"listen": "test", "script": {"exec": "1"}});
        let doc =
            json!({"event": event, "item": [{"name": "F", "item": {"name": "r", "event": event}}]});
        let normal = normalize(&doc).unwrap();
        assert_eq!(normal["event"], json!([event]));
        assert_eq!(normal["item"][0]["item"][0]["event"], json!([event]));
        let listed = json!({"item": [{"name": "r", "event": [event]}]});
        assert!(matches!(normalize(&listed).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn only_name_order_and_requests_together_make_a_v1_collection() {
        let v1 = json!({"name": "n", "order": [], "requests": [], "folders": []});
        assert!(is_v1(v1.as_object().unwrap()));
        for not_v1 in [
            json!({"name": "", "order": [], "requests": []}),
            json!({"name": "n", "requests": []}),
        ] {
            assert!(!is_v1(not_v1.as_object().unwrap()));
        }
        let converted = normalize(&v1).unwrap();
        assert_eq!(converted["info"]["name"], "n");
        assert!(converted["info"]["schema"]
            .as_str()
            .unwrap()
            .contains("v2.1.0"));
    }
}
