//! A saved request's form or file body and settings written into its Postman item (its path
//! variables go with its url, `saved.rs`), so collection runs, load journeys and exports send
//! what design mode sends.
//!
//! Postman keeps only a path (`src`) for a file; the browser uploads the bytes instead, so a
//! file is written with its bytes under the Vayu-specific key `vayuBase64` next to `src` (the
//! file's name), which the flow's body builder reads in place of the file. Postman ignores the
//! key. Settings go to `protocolProfileBehavior` where Postman has a field for them
//! (`timeout` and `httpVersion` have none and stay design-mode only).

use crate::store::RequestExtras;
use serde_json::{json, Map, Value};

/// The item key holding a file's bytes (base64) beside Postman's `src`.
pub(crate) const INLINE_FILE_KEY: &str = "vayuBase64";

/// Writes `extras` over the item and its `request` (path variables go with the url, in
/// `saved::write_url`).
pub(super) fn write_extras(
    item: &mut Map<String, Value>,
    request: &mut Map<String, Value>,
    extras: &RequestExtras,
) {
    if let Some(Value::Array(parts)) = &extras.form_data {
        let formdata: Vec<Value> = parts.iter().map(form_part).collect();
        request.insert(
            "body".into(),
            json!({"mode": "formdata", "formdata": formdata}),
        );
    }
    if let Some(file) = &extras.body_file {
        let src = json!({"src": file["name"], INLINE_FILE_KEY: file["base64"]});
        request.insert("body".into(), json!({"mode": "file", "file": src}));
        if let Some(ct) = file["contentType"].as_str().filter(|c| !c.is_empty()) {
            add_content_type(request, ct);
        }
    }
    // Written when they differ from what the import derived (so an untouched import exports
    // as it came); then the settings own the keys they map to, a missing one removed.
    if extras.settings != item_settings(item) {
        let none = Map::new();
        let settings = extras.settings.as_ref().and_then(Value::as_object);
        write_settings(item, settings.unwrap_or(&none));
    }
}

/// One `formData` part as a Postman form-data field.
fn form_part(part: &Value) -> Value {
    let mut out = Map::new();
    out.insert("key".into(), part["key"].clone());
    let file = &part["file"];
    let content_type = part
        .get("contentType")
        .or_else(|| file.get("contentType"))
        .cloned();
    if file.is_object() {
        out.insert("type".into(), json!("file"));
        out.insert("src".into(), file["name"].clone());
        out.insert(INLINE_FILE_KEY.into(), file["base64"].clone());
    } else {
        out.insert("type".into(), json!("text"));
        out.insert(
            "value".into(),
            part.get("value").cloned().unwrap_or(json!("")),
        );
    }
    if let Some(ct) = content_type.filter(|c| !c.is_null()) {
        out.insert("contentType".into(), ct);
    }
    if part["disabled"] == json!(true) {
        out.insert("disabled".into(), json!(true));
    }
    Value::Object(out)
}

/// A file body's type as a header, unless the request sets one (Postman's file mode has none).
fn add_content_type(request: &mut Map<String, Value>, content_type: &str) {
    let headers = request.entry("header").or_insert_with(|| json!([]));
    let Some(list) = headers.as_array_mut() else {
        return;
    };
    let has_one = list.iter().any(|h| {
        h["disabled"] != json!(true)
            && h["key"]
                .as_str()
                .is_some_and(|k| k.eq_ignore_ascii_case("content-type"))
    });
    if !has_one {
        list.push(json!({"key": "Content-Type", "value": content_type}));
    }
}

/// The `protocolProfileBehavior` keys settings map to, with the same name.
const SAME_NAMED: [&str; 3] = [
    "followRedirects",
    "maxRedirects",
    "followOriginalHttpMethod",
];

/// The settings an item's own `protocolProfileBehavior` gives (`strictSSL` as `insecure`);
/// `None` when it gives none. A folder's are not the request's: runs inherit them.
pub(super) fn item_settings(item: &Map<String, Value>) -> Option<Value> {
    let behavior = item.get("protocolProfileBehavior")?.as_object()?;
    let mut settings = Map::new();
    for key in SAME_NAMED {
        match behavior.get(key) {
            Some(v @ Value::Bool(_)) if key != "maxRedirects" => {
                settings.insert(key.into(), v.clone());
            }
            Some(v @ Value::Number(_)) if key == "maxRedirects" => {
                settings.insert(key.into(), v.clone());
            }
            _ => {}
        }
    }
    if let Some(strict) = behavior.get("strictSSL").and_then(Value::as_bool) {
        settings.insert("insecure".into(), json!(!strict));
    }
    (!settings.is_empty()).then_some(Value::Object(settings))
}

/// Settings as the item's `protocolProfileBehavior` (what postman-runtime reads).
fn write_settings(item: &mut Map<String, Value>, settings: &Map<String, Value>) {
    let behavior = item
        .entry("protocolProfileBehavior")
        .or_insert_with(|| json!({}));
    let Some(behavior) = behavior.as_object_mut() else {
        return;
    };
    for key in SAME_NAMED {
        match settings.get(key).filter(|v| !v.is_null()) {
            Some(v) => behavior.insert(key.into(), v.clone()),
            None => behavior.remove(key),
        };
    }
    match settings.get("insecure").and_then(Value::as_bool) {
        Some(insecure) => behavior.insert("strictSSL".into(), json!(!insecure)),
        None => behavior.remove("strictSSL"),
    };
}
