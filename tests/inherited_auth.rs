//! Auth set on folders and collections: what `GET /requests/{id}` says a request inherits,
//! `GET`/`PUT /collections/{id}`'s `auth`, and design mode sending the inherited auth as
//! collection runs do.

use crate::api::{api, Api};
use crate::support::TargetServer;
use serde_json::{json, Value};

fn authorization_sent(api: &Api, request_id: &str, server: &TargetServer) -> Option<String> {
    let r = api.post(
        "/request",
        json!({"requestId": request_id, "environment": {"base": server.url("")}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let echo: Value = serde_json::from_str(r.json()["response"]["body"].as_str().unwrap()).unwrap();
    echo["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "authorization")
        .map(|h| h[1].as_str().unwrap().to_string())
}

#[test]
fn requests_inherit_the_nearest_folder_auth_in_design_mode_and_collections_set_it() {
    let server = TargetServer::start();
    let api = api();
    let doc = json!({
        "info": {"name": "auth tree", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "root-token", "type": "string"}]},
        "item": [{"name": "folder", "auth": {"type": "inherit"}, "item": [
            {"name": "echo", "request": {"method": "GET", "url": "{{base}}/echo"}}
        ]}]
    });
    let imported = api.post("/collections/import", doc).json();
    let root = imported["collections"][0].as_str().unwrap().to_string();
    let folder = imported["collections"][1].as_str().unwrap().to_string();
    let req = imported["requests"][0].as_str().unwrap().to_string();

    let read = api.get(&format!("/requests/{req}")).json();
    assert_eq!(read["auth"], Value::Null);
    assert_eq!(
        read["inheritedAuth"],
        json!({"auth": {"type": "bearer", "token": "root-token"}, "from": {"id": root, "name": "auth tree"}})
    );
    assert_eq!(
        api.get(&format!("/collections/{root}")).json()["auth"]["type"],
        "bearer"
    );
    assert_eq!(
        api.get(&format!("/collections/{folder}")).json()["auth"],
        Value::Null
    );
    assert_eq!(
        authorization_sent(&api, &req, &server).as_deref(),
        Some("Bearer root-token")
    );

    let basic = json!({"type": "basic", "username": "u", "password": "p"});
    let put = api.put(
        &format!("/collections/{folder}"),
        json!({"name": "folder", "parentId": root, "auth": basic}),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["auth"], basic);
    assert_eq!(
        api.get(&format!("/requests/{req}")).json()["inheritedAuth"]["from"],
        json!({"id": folder, "name": "folder"})
    );
    assert_eq!(
        authorization_sent(&api, &req, &server).as_deref(),
        Some("Basic dTpw")
    );
    let export = api.get(&format!("/collections/{root}/export")).json();
    assert_eq!(
        export["item"][0]["auth"]["type"], "basic",
        "runs and exports read it"
    );

    let put = api.put(
        &format!("/collections/{folder}"),
        json!({"name": "folder", "parentId": root, "auth": {"type": "noauth"}}),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(
        api.get(&format!("/requests/{req}")).json()["inheritedAuth"]["auth"],
        json!({"type": "noauth"})
    );
    assert_eq!(authorization_sent(&api, &req, &server), None);

    let put = api.put(
        &format!("/collections/{folder}"),
        json!({"name": "folder", "parentId": root, "auth": null}),
    );
    assert_eq!(put.json()["auth"], Value::Null);
    assert_eq!(
        authorization_sent(&api, &req, &server).as_deref(),
        Some("Bearer root-token")
    );

    let bad = api.put(
        &format!("/collections/{folder}"),
        json!({"name": "folder", "parentId": root, "auth": {"type": "bearer"}}),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.json()["error"]["field"], "auth");
    assert!(bad.body.contains("token"), "{}", bad.body);
    let loose = api
        .post(
            "/requests",
            json!({"name": "alone", "url": "{{base}}/echo"}),
        )
        .json();
    assert_eq!(
        api.get(&format!("/requests/{}", loose["id"].as_str().unwrap()))
            .json()["inheritedAuth"],
        Value::Null
    );
}

#[test]
fn a_requests_own_noauth_sends_none_under_a_folder_with_auth_and_survives_import_and_export() {
    let server = TargetServer::start();
    let api = api();
    let doc = json!({
        "info": {"name": "no auth here", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "root-token", "type": "string"}]},
        "item": [
            {"name": "public", "request": {"method": "GET", "url": "{{base}}/echo", "auth": {"type": "noauth"}}},
            {"name": "private", "request": {"method": "GET", "url": "{{base}}/echo"}}
        ]
    });
    let imported = api.post("/collections/import", doc).json();
    let root = imported["id"].as_str().unwrap().to_string();
    let public = imported["requests"][0].as_str().unwrap().to_string();
    let private = imported["requests"][1].as_str().unwrap().to_string();
    // Postman's noauth is said as such, not read as "inherit".
    assert_eq!(
        api.get(&format!("/requests/{public}")).json()["auth"],
        json!({"type": "noauth"})
    );
    assert_eq!(authorization_sent(&api, &public, &server), None);

    // Set through the API on the other request: sent as none, exported as Postman's noauth.
    let mut fields = api.get(&format!("/requests/{private}")).json();
    assert_eq!(
        fields["auth"],
        Value::Null,
        "no auth of its own: it inherits"
    );
    assert_eq!(
        authorization_sent(&api, &private, &server).as_deref(),
        Some("Bearer root-token")
    );
    fields["auth"] = json!({"type": "noauth"});
    let fields = json!({"name": fields["name"], "collectionId": fields["collectionId"], "url": fields["url"], "auth": fields["auth"]});
    let put = api.put(&format!("/requests/{private}"), fields.clone());
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(authorization_sent(&api, &private, &server), None);
    // An auth no run could send is refused when saved, naming the field.
    let mut bad = fields.clone();
    bad["auth"] = json!({"type": "bearer"});
    let refused = api.put(&format!("/requests/{private}"), bad);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["error"]["field"], "auth");
    assert!(refused.body.contains("token"), "{}", refused.body);
    let export = api.get(&format!("/collections/{root}/export")).json();
    for item in export["item"].as_array().unwrap() {
        assert_eq!(item["request"]["auth"], json!({"type": "noauth"}), "{item}");
    }
}

#[test]
fn a_collection_made_with_an_auth_gives_it_to_its_requests() {
    let server = TargetServer::start();
    let api = api();
    let made = api.post(
        "/collections",
        json!({"name": "with auth", "auth": {"type": "bearer", "token": "made-token"}}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        made.json()["auth"],
        json!({"type": "bearer", "token": "made-token"})
    );
    let req = api
        .post(
            "/requests",
            json!({"collectionId": id, "name": "echo", "url": "{{base}}/echo"}),
        )
        .json();
    assert_eq!(
        authorization_sent(&api, req["id"].as_str().unwrap(), &server).as_deref(),
        Some("Bearer made-token")
    );
    let bad = api.post(
        "/collections",
        json!({"name": "x", "auth": {"type": "bearer"}}),
    );
    assert_eq!(
        (bad.status, bad.json()["error"]["field"].as_str()),
        (422, Some("auth"))
    );
    let names: Vec<Value> = api.get("/collections").json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert!(
        !names.contains(&json!("x")),
        "nothing made when refused: {names:?}"
    );
}
