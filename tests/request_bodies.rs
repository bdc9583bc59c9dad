//! Request bodies besides `body` (`formData`, `bodyFile`) and path variables, sent in design
//! mode through `POST /request` to a loopback target that echoes what it received.

use crate::api::api;
use crate::support::TargetServer;
use base64::Engine as _;
use serde_json::{json, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// What the echo target received, from a `POST /request` reply.
fn echoed(reply: &Value) -> Value {
    serde_json::from_str(reply["response"]["body"].as_str().unwrap()).unwrap()
}

use crate::support::echoed_header as header;

#[test]
fn form_data_sends_text_and_file_parts_as_multipart() {
    let server = TargetServer::start();
    let api = api();
    let file = [0u8, 1, 2, 0xff, b'\r', b'\n'];
    let r = api.post("/request", json!({
        "request": {"method": "POST", "url": server.url("/echo"), "formData": [
            {"key": "{{field}}", "value": "{{who}}"},
            {"key": "skipped", "value": "no", "disabled": true},
            {"key": "upload", "file": {"name": "a.bin", "contentType": "application/x-test", "base64": B64.encode(file)}}
        ]},
        "environment": {"field": "name", "who": "vayu"}
    }));
    assert_eq!(r.status, 200, "{}", r.body);
    let echo = echoed(&r.json());
    let content_type = header(&echo, "content-type");
    assert_eq!(content_type.len(), 1);
    let boundary = content_type[0]
        .strip_prefix("multipart/form-data; boundary=")
        .expect("a multipart type with its boundary");
    let mut expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nvayu\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.bin\"\r\n\
         Content-Type: application/x-test\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(&file);
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let sent = B64.decode(echo["bodyBase64"].as_str().unwrap()).unwrap();
    assert_eq!(sent, expected);
}

#[test]
fn body_file_sends_the_bytes_as_they_are() {
    let server = TargetServer::start();
    let api = api();
    let bytes: Vec<u8> = (0..=255u8).collect();
    let send = |request: Value| {
        let r = api.post("/request", json!({ "request": request }));
        assert_eq!(r.status, 200, "{}", r.body);
        echoed(&r.json())
    };
    let echo = send(json!({"method": "PUT", "url": server.url("/echo"),
        "bodyFile": {"name": "all.bin", "base64": B64.encode(&bytes)}}));
    assert_eq!(
        B64.decode(echo["bodyBase64"].as_str().unwrap()).unwrap(),
        bytes
    );
    assert_eq!(header(&echo, "content-type"), ["application/octet-stream"]);
    let echo = send(json!({"method": "PUT", "url": server.url("/echo"),
        "bodyFile": {"name": "p.png", "contentType": "image/png", "base64": B64.encode(&bytes)}}));
    assert_eq!(header(&echo, "content-type"), ["image/png"]);
    let echo = send(json!({"method": "PUT", "url": server.url("/echo"),
        "headers": {"Content-Type": "text/x-mine"},
        "bodyFile": {"name": "p.png", "contentType": "image/png", "base64": B64.encode(&bytes)}}));
    assert_eq!(
        header(&echo, "content-type"),
        ["text/x-mine"],
        "the request's own header wins"
    );
}

#[test]
fn path_variables_take_environment_values() {
    let server = TargetServer::start();
    let api = api();
    let r = api.post(
        "/request",
        json!({
            "request": {"url": format!("{}/:id/:other?q=:id", server.url("/echo")),
                        "pathVariables": {"id": "{{userId}}", "unused": "x"}},
            "environment": {"userId": "42 a"}
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    // The target answers /echo only; the path it saw is in its count.
    assert_eq!(v["response"]["status"], 404);
    assert_eq!(server.stats.path_count("/echo/42%20a/:other"), 1);
}

#[test]
fn conflicting_bodies_and_bad_base64_are_422s_naming_the_field() {
    let server = TargetServer::start();
    let api = api();
    let file = json!({"name": "f", "base64": "AAEC"});
    let cases = [
        (
            json!({"body": "x", "formData": [{"key": "a", "value": "1"}]}),
            "request.formData",
        ),
        (json!({"body": "x", "bodyFile": file}), "request.bodyFile"),
        (
            json!({"formData": [], "bodyFile": file}),
            "request.bodyFile",
        ),
        (
            json!({"formData": [{"key": "a", "value": "1"},
                                {"key": "f", "file": {"name": "f", "base64": "%%%"}}]}),
            "request.formData[1].file.base64",
        ),
        (
            json!({"bodyFile": {"name": "f", "base64": "***"}}),
            "request.bodyFile.base64",
        ),
        (
            json!({"formData": [{"key": "f", "file": {"name": "f"}}]}),
            "request.formData[0].file",
        ),
    ];
    for (extra, field) in cases {
        let mut request = json!({"method": "POST", "url": server.url("/echo")});
        request
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let r = api.post("/request", json!({ "request": request }));
        assert_eq!(r.status, 422, "{field}: {}", r.body);
        assert_eq!(r.json()["error"]["field"], field, "{}", r.body);
    }
    assert_eq!(server.stats.path_count("/echo"), 0, "nothing was sent");
}

#[test]
fn a_design_run_records_small_uploads_whole_and_large_ones_without_their_bytes() {
    let server = TargetServer::start();
    let api = api();
    let small = B64.encode([7u8; 1000]);
    let large = B64.encode(vec![7u8; 200 * 1024]);
    let r = api.post(
        "/request",
        json!({
            "request": {"method": "POST", "url": server.url("/echo"), "formData": [
                {"key": "small", "file": {"name": "s.bin", "base64": small}},
                {"key": "large", "file": {"name": "l.bin", "base64": large}}
            ]}
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let sent = B64
        .decode(echoed(&r.json())["bodyBase64"].as_str().unwrap())
        .unwrap();
    assert!(sent.len() > 200 * 1024, "the large file was sent whole");
    let run = api
        .get(&format!("/run/{}", r.json()["runId"].as_str().unwrap()))
        .json();
    let parts = &run["config"]["request"]["formData"];
    assert_eq!(parts[0]["file"]["base64"], json!(small));
    assert_eq!(
        parts[1]["file"],
        json!({"name": "l.bin", "base64": "", "omitted": true})
    );
    // Sent again as recorded, the file without its bytes is refused, not sent empty.
    let again = api.post("/request", json!({"request": run["config"]["request"]}));
    assert_eq!(again.status, 422, "{}", again.body);
    assert_eq!(
        again.json()["error"]["field"],
        "request.formData[1].file.omitted"
    );
}

#[test]
fn the_list_of_saved_requests_leaves_file_bytes_out_and_one_request_has_them() {
    let api = api();
    let file = json!({"name": "f.bin", "base64": B64.encode([1u8; 64])});
    let saved = api
        .post(
            "/requests",
            json!({"name": "upload", "method": "POST", "url": "http://127.0.0.1:1/", "bodyFile": file}),
        )
        .json();
    let id = saved["id"].as_str().unwrap();
    let listed = api.get("/requests").json();
    let item = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert_eq!(
        item["bodyFile"],
        json!({"name": "f.bin", "base64": "", "omitted": true})
    );
    assert_eq!(api.get(&format!("/requests/{id}")).json()["bodyFile"], file);
    // What the list shows cannot be saved back as the file.
    let mut listed_back = item.clone();
    for derived in ["id", "updatedAt"] {
        listed_back.as_object_mut().unwrap().remove(derived);
    }
    let refused = api.put(&format!("/requests/{id}"), listed_back);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["error"]["field"], "bodyFile.omitted");
}
