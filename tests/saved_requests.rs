//! Saved requests through the API: path variables, form and file bodies and settings kept,
//! sent by design mode and by runs and exports of their collection; edits of imported
//! requests reaching runs and exports.

use crate::api::{api, Api};
use crate::support::target::Received;
use crate::support::TargetServer;
use base64::Engine as _;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Runs saved collection `id` once against `server` (as `{{base}}`) and waits for its end.
fn run_saved(api: &Api, id: &str, server: &TargetServer) -> Vec<Received> {
    let started = api.post(
        "/run",
        json!({"collectionId": id, "environment": {"base": server.url("/seq"), "userId": "42"}}),
    );
    assert_eq!(started.status, 202, "{}", started.body);
    let run_id = started.json()["runId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = api.get(&format!("/run/{run_id}")).json();
        if run["status"] != "running" {
            assert_eq!(run["status"], "completed", "{run}");
            break;
        }
        assert!(Instant::now() < deadline, "the run did not end: {run}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let received = server.stats.received.lock().unwrap().clone();
    received
}

use crate::support::target::received_header as header;

/// The parts of a multipart body, as (headers, content) byte strings.
fn parts(body: &[u8], content_type: &str) -> Vec<(String, Vec<u8>)> {
    let boundary = content_type.split("boundary=").nth(1).unwrap();
    let delimiter = format!("--{boundary}");
    let text = body.to_vec();
    let mut out = Vec::new();
    let mut rest = &text[..];
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let next = find(rest, delimiter.as_bytes()).unwrap();
        let part = &rest[2..next - 2];
        let split = find(part, b"\r\n\r\n").unwrap();
        out.push((
            String::from_utf8_lossy(&part[..split]).into_owned(),
            part[split + 4..].to_vec(),
        ));
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn saved_with_extras(collection_id: Option<&str>) -> Value {
    json!({
        "collectionId": collection_id, "name": "upload", "method": "POST",
        "url": "{{base}}/users/:id/files",
        "pathVariables": {"id": "{{userId}}"},
        "formData": [
            {"key": "note", "value": "hi {{userId}}"},
            {"key": "off", "value": "x", "disabled": true},
            {"key": "doc", "file": {"name": "d.bin", "contentType": "application/x-doc", "base64": B64.encode([0u8, 255, 7])}}
        ],
        "settings": {"followRedirects": false, "maxRedirects": 3, "insecure": true, "timeout": 5000, "httpVersion": "1.1"}
    })
}

fn assert_upload(r: &Received) {
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/users/42/files")
    );
    let ct = header(r, "content-type").unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let parts = parts(&r.body, ct);
    assert_eq!(parts.len(), 2, "the disabled part is left out");
    assert_eq!(parts[0].1, b"hi 42");
    assert!(parts[1].0.contains("filename=\"d.bin\""), "{}", parts[1].0);
    assert!(
        parts[1].0.contains("Content-Type: application/x-doc"),
        "{}",
        parts[1].0
    );
    assert_eq!(parts[1].1, [0u8, 255, 7]);
}

#[test]
fn saved_requests_keep_path_variables_forms_files_and_settings() {
    let server = TargetServer::start();
    let api = api();
    let created = api.post("/requests", saved_with_extras(None));
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let read = api.get(&format!("/requests/{id}")).json();
    for key in ["pathVariables", "formData", "settings"] {
        assert_eq!(read[key], saved_with_extras(None)[key], "{key}");
    }
    assert!(read.get("bodyFile").is_none());

    let r = api.post(
        "/request",
        json!({"requestId": id, "environment": {"base": server.url("/seq"), "userId": "42"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let received = server.stats.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_upload(&received[0]);

    let mut file_body = saved_with_extras(None);
    let o = file_body.as_object_mut().unwrap();
    o.remove("formData");
    o.insert("bodyFile".into(), json!({"name": "a", "base64": "AAE="}));
    let put = api.put(&format!("/requests/{id}"), file_body);
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["bodyFile"]["base64"], "AAE=");
    assert!(put.json().get("formData").is_none());

    let bad = |patch: Value| {
        let mut fields = saved_with_extras(None);
        fields
            .as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        let r = api.put(&format!("/requests/{id}"), fields);
        assert_eq!(r.status, 422, "{}", r.body);
        r.json()["error"]["field"].as_str().unwrap().to_string()
    };
    assert_eq!(
        bad(json!({"settings": {"httpVersion": "9"}})),
        "settings.httpVersion"
    );
    assert_eq!(bad(json!({"settings": {"proxy": "x"}})), "settings.proxy");
    assert_eq!(
        bad(json!({"formData": [{"key": "f", "file": {"name": "f", "base64": "!!"}}]})),
        "formData[0].file.base64"
    );
    assert_eq!(
        bad(json!({"bodyFile": {"name": "f", "base64": "AA=="}})),
        "bodyFile"
    );
}

#[test]
fn a_saved_collection_runs_and_exports_its_requests_forms_files_settings_and_path_variables() {
    let server = TargetServer::start();
    let api = api();
    let col = api.post("/collections", json!({"name": "uploads"})).json();
    let col_id = col["id"].as_str().unwrap();
    let created = api.post("/requests", saved_with_extras(Some(col_id)));
    assert_eq!(created.status, 201, "{}", created.body);
    let file = json!({"collectionId": col_id, "name": "raw file", "method": "PUT", "url": "{{base}}/blob",
                      "bodyFile": {"name": "b.png", "contentType": "image/png", "base64": B64.encode([9u8, 0, 9])}});
    assert_eq!(api.post("/requests", file).status, 201);

    let export = api.get(&format!("/collections/{col_id}/export")).json();
    let upload = &export["item"][1];
    assert_eq!(upload["name"], "upload");
    assert_eq!(
        upload["protocolProfileBehavior"],
        json!({"followRedirects": false, "maxRedirects": 3, "strictSSL": false})
    );
    assert_eq!(
        upload["request"]["url"]["variable"],
        json!([{"key": "id", "value": "{{userId}}"}])
    );
    // The parts Newman builds the url from, not `raw` alone (which it does not read).
    let url = &upload["request"]["url"];
    assert_eq!(
        (&url["host"], &url["path"]),
        (&json!(["{{base}}"]), &json!(["users", ":id", "files"])),
        "{url}"
    );
    assert_eq!(upload["request"]["body"]["mode"], "formdata");
    assert_eq!(upload["request"]["body"]["formdata"][2]["src"], "d.bin");

    let received = run_saved(&api, col_id, &server);
    assert_eq!(received.len(), 2, "{received:?}");
    let (blob, upload) = (&received[0], &received[1]);
    assert_eq!((blob.method.as_str(), blob.path.as_str()), ("PUT", "/blob"));
    assert_eq!(blob.body, [9u8, 0, 9]);
    assert_eq!(header(blob, "content-type"), Some("image/png"));
    assert_upload(upload);
}

/// Regression: `request_item` wrote the body and auth columns only for requests that were not
/// imported, so an imported request edited through the API ran and exported as imported.
#[test]
fn edited_body_and_auth_of_an_imported_request_are_what_runs_and_exports_send() {
    let server = TargetServer::start();
    let api = api();
    let doc = json!({
        "info": {"name": "imported", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "post", "request": {"method": "POST", "url": "{{base}}/p",
            "body": {"mode": "raw", "raw": "old"},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "old-token", "type": "string"}]}}}]
    });
    let imported = api.post("/collections/import", doc).json();
    let col_id = imported["id"].as_str().unwrap();
    let req_id = imported["requests"][0].as_str().unwrap();
    let mut saved = api.get(&format!("/requests/{req_id}")).json();
    for k in ["id", "updatedAt", "curl"] {
        saved.as_object_mut().unwrap().remove(k);
    }
    saved["body"] = json!("new");
    saved["auth"] = json!({"type": "basic", "username": "u", "password": "p"});
    let put = api.put(&format!("/requests/{req_id}"), saved);
    assert_eq!(put.status, 200, "{}", put.body);

    let export = api.get(&format!("/collections/{col_id}/export")).json();
    let request = &export["item"][0]["request"];
    assert_eq!(request["body"], json!({"mode": "raw", "raw": "new"}));
    assert_eq!(request["auth"]["type"], "basic");

    let received = run_saved(&api, col_id, &server);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, b"new");
    assert_eq!(header(&received[0], "authorization"), Some("Basic dTpw"));
}

#[test]
fn an_imported_requests_path_variables_and_settings_are_fields_of_their_own_and_runs_send_edits() {
    let server = TargetServer::start();
    let api = api();
    let url = json!({"raw": "{{base}}/users/:id", "host": ["{{base}}"], "path": ["users", ":id"],
                     "variable": [{"key": "id", "value": "{{userId}}"}]});
    let doc = json!({
        "info": {"name": "paths", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "user", "request": {"method": "GET", "url": url},
                  "protocolProfileBehavior": {"strictSSL": false, "disableBodyPruning": true}}]
    });
    let imported = api.post("/collections/import", doc).json();
    let col_id = imported["id"].as_str().unwrap();
    let req_id = imported["requests"][0].as_str().unwrap();
    let mut saved = api.get(&format!("/requests/{req_id}")).json();
    assert_eq!(saved["url"], "{{base}}/users/:id");
    assert_eq!(saved["pathVariables"], json!({"id": "{{userId}}"}));
    assert_eq!(saved["settings"], json!({"insecure": true}));
    let export = api.get(&format!("/collections/{col_id}/export")).json();
    assert_eq!(
        export["item"][0]["request"]["url"], url,
        "an untouched import exports as it came"
    );
    assert_eq!(
        export["item"][0]["protocolProfileBehavior"],
        json!({"strictSSL": false, "disableBodyPruning": true})
    );

    let r = api.post(
        "/request",
        json!({"requestId": req_id, "environment": {"base": server.url("/seq"), "userId": "42"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    for k in ["id", "updatedAt", "curl", "inheritedAuth", "examples"] {
        saved.as_object_mut().unwrap().remove(k);
    }
    saved["pathVariables"] = json!({"id": "7"});
    saved["settings"] = json!({"followRedirects": false});
    assert_eq!(api.put(&format!("/requests/{req_id}"), saved).status, 200);
    let export = api.get(&format!("/collections/{col_id}/export")).json();
    assert_eq!(
        export["item"][0]["protocolProfileBehavior"],
        json!({"followRedirects": false, "disableBodyPruning": true}),
        "settings own the keys they map to"
    );
    let received = run_saved(&api, col_id, &server);
    let paths: Vec<&str> = received.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/users/42", "/users/7"]);
}
