//! A request's examples (saved responses) in Postman's shape, the item's `response` list:
//! `name`, `originalRequest`, `status` (the reason phrase), `code`, `header`, `body`; and the
//! API's shape of one: `name`, `status` (the code), `statusText`, `headers`, `body`,
//! `originalRequest`.

use crate::model::{HeaderSpecs, ValidationError};
use serde_json::{json, Map, Value};

/// An example as `POST /requests/{id}/examples` takes it, checked.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewExample {
    pub name: String,
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<ExampleHeader>,
    #[serde(default)]
    pub body: String,
    /// The request sent, as `POST /request` takes it; read leniently (an example records what
    /// was sent, it is not sent again).
    #[serde(default)]
    pub request: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleHeader {
    pub key: String,
    pub value: String,
}

impl NewExample {
    /// Reads an example; errors name the field.
    pub fn from_value(value: Value) -> Result<NewExample, ValidationError> {
        let example: NewExample =
            serde_path_to_error::deserialize(value).map_err(ValidationError::at_path)?;
        if crate::model::is_blank(&example.name) {
            return Err(ValidationError::new("name", "give the example a name"));
        }
        if !(100..=999).contains(&example.status) {
            return Err(ValidationError::new(
                "status",
                format!("{} is not an HTTP status; use 100 to 999", example.status),
            ));
        }
        Ok(example)
    }

    /// The example in Postman's shape.
    pub fn to_postman(&self) -> Value {
        let header: Vec<Value> = self
            .headers
            .iter()
            .map(|h| json!({"key": h.key, "value": h.value}))
            .collect();
        let reason = crate::model::response::reason_phrase(self.status);
        json!({
            "name": self.name,
            "originalRequest": self.request.as_ref().map(original_request),
            "status": reason,
            "code": self.status,
            "header": header,
            "body": self.body,
        })
    }
}

/// The request an example was the answer to, as Postman writes it (method, url, headers, a
/// raw body): what of it reads as a request's fields.
fn original_request(request: &Map<String, Value>) -> Value {
    let text = |key: &str, default: &str| {
        request
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let headers = request
        .get("headers")
        .and_then(|h| serde_json::from_value::<HeaderSpecs>(h.clone()).ok())
        .unwrap_or_default();
    let header: Vec<Value> = headers
        .0
        .iter()
        .map(|h| json!({"key": h.key, "value": h.value, "disabled": h.disabled}))
        .collect();
    let mut out =
        json!({"method": text("method", "GET"), "header": header, "url": text("url", "")});
    match request.get("body") {
        None | Some(Value::Null) => {}
        Some(Value::String(raw)) => out["body"] = json!({"mode": "raw", "raw": raw}),
        Some(json_body) => {
            out["body"] = json!({"mode": "raw", "raw": json_body.to_string(),
                                 "options": {"raw": {"language": "json"}}})
        }
    }
    out
}

/// The examples of a Postman item in the API's shape.
pub fn api_examples(item: Option<&Value>) -> Vec<Value> {
    let list = item
        .and_then(|i| i.get("response"))
        .and_then(Value::as_array);
    list.into_iter().flatten().map(api_example).collect()
}

/// One Postman example in the API's shape (what it lacks given as empty).
pub fn api_example(example: &Value) -> Value {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let headers: Vec<Value> = match example.get("header") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_object)
            .map(|h| json!({"key": text(h.get("key")), "value": text(h.get("value"))}))
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "name": text(example.get("name")),
        "status": example.get("code").and_then(Value::as_u64),
        "statusText": text(example.get("status")),
        "headers": headers,
        "body": text(example.get("body")),
        "originalRequest": example.get("originalRequest").cloned().unwrap_or(Value::Null),
    })
}

/// The most examples one request keeps, and the most bytes they hold together (as JSON): every
/// read of the request, export and run of its collection carries them all.
const MAX_EXAMPLES: usize = 100;
const MAX_EXAMPLES_BYTES: usize = 16 * 1024 * 1024;

/// Appends `example` to the item's `response` list; returns its index, or why it cannot
/// (the request holds [`MAX_EXAMPLES`] or [`MAX_EXAMPLES_BYTES`] already).
pub fn add_example(item: &mut Map<String, Value>, example: Value) -> Result<usize, String> {
    let list = item.entry("response").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let list = list.as_array_mut().expect("made a list above");
    if list.len() >= MAX_EXAMPLES {
        return Err(format!(
            "the request has {MAX_EXAMPLES} examples, as many as one keeps; delete one first"
        ));
    }
    let bytes: usize = list
        .iter()
        .chain([&example])
        .map(|e| e.to_string().len())
        .sum();
    if bytes > MAX_EXAMPLES_BYTES {
        return Err(format!(
            "with this one the request's examples would hold {} KiB, over the {} MiB one request keeps; delete some, or save a shorter body",
            bytes / 1024,
            MAX_EXAMPLES_BYTES / (1024 * 1024)
        ));
    }
    list.push(example);
    Ok(list.len() - 1)
}

/// Removes the example at `index`; `false` when there is none there.
pub fn remove_example(item: &mut Map<String, Value>, index: usize) -> bool {
    match item.get_mut("response").and_then(Value::as_array_mut) {
        Some(list) if index < list.len() => {
            list.remove(index);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_keeps_a_bounded_number_and_size_of_examples() {
        let mut item = Map::new();
        for i in 0..MAX_EXAMPLES {
            assert_eq!(add_example(&mut item, json!({"name": "e"})), Ok(i));
        }
        let full = add_example(&mut item, json!({"name": "e"})).unwrap_err();
        assert!(full.contains("delete one"), "{full}");
        let mut item = Map::new();
        let half = json!({"body": "x".repeat(MAX_EXAMPLES_BYTES / 2)});
        assert_eq!(add_example(&mut item, half.clone()), Ok(0));
        let over = add_example(&mut item, half).unwrap_err();
        assert!(over.contains("MiB"), "{over}");
        assert_eq!(
            item["response"].as_array().unwrap().len(),
            1,
            "nothing added"
        );
    }

    #[test]
    fn an_example_round_trips_through_postman_shape() {
        let new = NewExample::from_value(json!({"name": "ok", "status": 404,
            "headers": [{"key": "A", "value": "1"}], "body": "nope",
            "request": {"method": "POST", "url": "http://h/x", "body": {"a": 1}}}))
        .unwrap();
        let postman = new.to_postman();
        assert_eq!(postman["status"], "Not Found");
        assert_eq!(postman["originalRequest"]["body"]["raw"], "{\"a\":1}");
        let api = api_example(&postman);
        assert_eq!(
            (
                api["status"].clone(),
                api["statusText"].clone(),
                api["headers"].clone()
            ),
            (
                json!(404),
                json!("Not Found"),
                json!([{"key": "A", "value": "1"}])
            )
        );
        let field = |v| NewExample::from_value(v).unwrap_err().field;
        assert_eq!(field(json!({"name": "x", "status": 42})), "status");
        assert_eq!(field(json!({"name": " ", "status": 200})), "name");
        assert_eq!(
            field(json!({"name": "x", "status": 200, "request": "GET /"})),
            "request"
        );
    }
}
