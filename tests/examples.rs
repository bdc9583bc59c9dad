//! Examples (responses saved from a request): added and removed through the API, listed by
//! `GET /requests/{id}`, exported in Postman's shape, and kept from an import.

use crate::api::api;
use serde_json::{json, Value};

#[test]
fn examples_are_saved_listed_exported_and_deleted() {
    let api = api();
    let col = api.post("/collections", json!({"name": "ex"})).json();
    let col_id = col["id"].as_str().unwrap();
    let req = api
        .post(
            "/requests",
            json!({"collectionId": col_id, "name": "get", "url": "http://127.0.0.1:1/x"}),
        )
        .json();
    let id = req["id"].as_str().unwrap();
    assert_eq!(
        api.get(&format!("/requests/{id}")).json()["examples"],
        json!([])
    );

    let created = api.post(
        &format!("/requests/{id}/examples"),
        json!({"name": "found", "status": 200, "headers": [{"key": "Content-Type", "value": "application/json"}],
               "body": "{\"ok\":true}", "request": {"method": "GET", "url": "http://127.0.0.1:1/x"}}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.json(),
        json!({"index": 0, "name": "found", "status": 200, "statusText": "OK",
               "headers": [{"key": "Content-Type", "value": "application/json"}], "body": "{\"ok\":true}",
               "originalRequest": {"method": "GET", "url": "http://127.0.0.1:1/x", "header": []}})
    );
    let second = api.post(
        &format!("/requests/{id}/examples"),
        json!({"name": "gone", "status": 404}),
    );
    assert_eq!(second.json()["index"], 1);
    let listed = api.get(&format!("/requests/{id}")).json()["examples"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[1]["statusText"], "Not Found");

    let export = api.get(&format!("/collections/{col_id}/export")).json();
    let response = &export["item"][0]["response"];
    assert_eq!(response[0]["code"], 200);
    assert_eq!(response[0]["status"], "OK");
    assert_eq!(response[0]["header"][0]["key"], "Content-Type");
    assert_eq!(response[1]["name"], "gone");

    // A client writing back what it read (examples included) changes nothing of them.
    let mut saved = api.get(&format!("/requests/{id}")).json();
    saved["name"] = json!("renamed");
    for k in ["id", "updatedAt"] {
        saved.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(api.put(&format!("/requests/{id}"), saved).status, 200);
    assert_eq!(
        api.get(&format!("/requests/{id}")).json()["examples"],
        listed
    );

    assert_eq!(
        api.delete(&format!("/requests/{id}/examples/0")).status,
        204
    );
    let left = api.get(&format!("/requests/{id}")).json()["examples"].clone();
    assert_eq!(
        (left[0]["name"].clone(), left[0]["index"].clone()),
        (json!("gone"), json!(0))
    );
    assert_eq!(
        api.delete(&format!("/requests/{id}/examples/5")).status,
        404
    );
    assert_eq!(
        api.delete(&format!("/requests/{id}/examples/x")).status,
        404
    );
    assert_eq!(api.delete("/requests/req_missing/examples/0").status, 404);

    let bad = |body: Value| {
        let r = api.post(&format!("/requests/{id}/examples"), body);
        assert_eq!(r.status, 422, "{}", r.body);
        r.json()["error"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(bad(json!({"name": "x", "status": 42})), "status");
    assert_eq!(bad(json!({"name": "x", "status": "200"})), "status");
    assert_eq!(
        bad(json!({"name": "x", "status": 200, "headers": [{"key": "a"}]})),
        "headers[0]"
    );
    assert_eq!(
        api.post(
            "/requests/req_missing/examples",
            json!({"name": "x", "status": 200})
        )
        .status,
        404
    );
}

#[test]
fn examples_of_an_imported_collection_are_listed() {
    let api = api();
    let doc = json!({
        "info": {"name": "with examples", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "get", "request": {"method": "GET", "url": "http://127.0.0.1:1/x"},
                  "response": [{"name": "teapot", "code": 418, "status": "I'm a teapot",
                                "header": [{"key": "X", "value": "1"}], "body": "short and stout",
                                "originalRequest": {"method": "GET", "url": "http://127.0.0.1:1/x"}}]}]
    });
    let imported = api.post("/collections/import", doc).json();
    let id = imported["requests"][0].as_str().unwrap();
    let examples = api.get(&format!("/requests/{id}")).json()["examples"].clone();
    assert_eq!(
        examples,
        json!([{"index": 0, "name": "teapot", "status": 418, "statusText": "I'm a teapot",
                "headers": [{"key": "X", "value": "1"}], "body": "short and stout",
                "originalRequest": {"method": "GET", "url": "http://127.0.0.1:1/x"}}])
    );
}
