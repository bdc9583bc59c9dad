//! Postman collections in and out of the store: an import becomes a tree of saved collections
//! (the collection and its folders) and requests, in order; an export gives back Collection
//! v2.1, with what was edited through the API (names, methods, urls, headers, scripts) and
//! everything else as imported. Import → export → import keeps what Vayu supports.

use super::import::{
    events, headers, import, parse_auth, path_variables, text, url_as_written, url_text,
    ImportError, ImportOptions,
};
use crate::model::{ApiKeyPlace, AuthSpec};
use crate::store::{new_id, CollectionTree, SavedRequest, TreeFolder, TreeRequest};
use serde_json::{json, Map, Value};

const SCHEMA_V21: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// A Postman collection as a tree to save, with new ids; refused as a run would refuse it.
pub fn to_tree(doc: &Value) -> Result<CollectionTree, ImportError> {
    // Saved in v2.1's shape (a v1 export converted), as a run would read it.
    let doc = super::shape::normalize(doc)?;
    let checked = import(
        &doc,
        &ImportOptions {
            skip_files: true,
            ..ImportOptions::default()
        },
    )?;
    let obj = doc.as_object().expect("import checked it is an object");
    let root_id = new_id("col");
    let mut tree = CollectionTree {
        folders: vec![TreeFolder {
            id: root_id.clone(),
            parent_id: None,
            name: checked.name.clone(),
            position: 0,
            postman: Some(without_items(obj)),
        }],
        requests: Vec::new(),
    };
    add_items(obj.get("item"), &root_id, &checked.name, &mut tree)?;
    Ok(tree)
}

fn without_items(obj: &Map<String, Value>) -> Value {
    let mut out = obj.clone();
    out.remove("item");
    Value::Object(out)
}

struct RequestColumns {
    /// With its `:name` path segments as written: their values are `path_variables`.
    url: String,
    path_variables: Option<Value>,
    method: String,
    headers: Vec<crate::model::HeaderSpec>,
    body: Option<Value>,
    /// As the API writes auth: `{"type": "noauth"}` for Postman's noauth, none to inherit.
    auth: Option<Value>,
}

/// The columns a Postman item's request is saved in: url, method, headers, a raw body and
/// auth. `None` for an item with no request.
fn request_fields(
    request: Option<&Value>,
    item_path: &str,
) -> Result<Option<RequestColumns>, ImportError> {
    Ok(Some(match request {
        Some(Value::String(url)) => RequestColumns {
            url: url.clone(),
            path_variables: None,
            method: "GET".to_string(),
            headers: Vec::new(),
            body: None,
            auth: None,
        },
        Some(Value::Object(r)) => {
            let err = |message: String| ImportError {
                path: item_path.to_string(),
                message,
            };
            let body = r.get("body").and_then(|b| {
                (text(b.get("mode")).as_deref() == Some("raw"))
                    .then(|| Value::String(text(b.get("raw")).unwrap_or_default()))
            });
            let auth = match r
                .get("auth")
                .map(|a| parse_auth(a, item_path))
                .transpose()?
            {
                Some(Some(None)) => Some(json!({"type": "noauth"})),
                Some(Some(Some(auth))) => serde_json::to_value(auth).ok(),
                Some(None) | None => None,
            };
            RequestColumns {
                url: url_as_written(r.get("url")).map_err(err)?,
                path_variables: path_variables(r.get("url")),
                method: text(r.get("method")).unwrap_or_else(|| "GET".into()),
                headers: headers(r.get("header")).map_err(err)?,
                body,
                auth,
            }
        }
        _ => return Ok(None),
    }))
}

fn add_items(
    list: Option<&Value>,
    parent: &str,
    path: &str,
    tree: &mut CollectionTree,
) -> Result<(), ImportError> {
    for (position, item) in list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(obj) = item.as_object() else {
            continue;
        };
        let name = text(obj.get("name")).unwrap_or_default();
        let item_path = format!("{path} / {name}");
        if obj.contains_key("item") {
            let id = new_id("col");
            tree.folders.push(TreeFolder {
                id: id.clone(),
                parent_id: Some(parent.to_string()),
                name,
                position: position as i64,
                postman: Some(without_items(obj)),
            });
            add_items(obj.get("item"), &id, &item_path, tree)?;
            continue;
        }
        let Some(columns) = request_fields(obj.get("request"), &item_path)? else {
            continue;
        };
        let (pre, test) = events(obj.get("event"), &item_path)?;
        let joined = |s: Vec<String>| (!s.is_empty()).then(|| s.join("\n"));
        tree.requests.push(TreeRequest {
            request: SavedRequest {
                id: new_id("req"),
                collection_id: Some(parent.to_string()),
                name,
                method: columns.method,
                url: columns.url,
                headers: serde_json::to_value(columns.headers).unwrap_or_default(),
                body: columns.body,
                auth: columns.auth,
                pre_request_script: joined(pre),
                post_request_script: joined(test),
                extras: crate::store::RequestExtras {
                    path_variables: columns.path_variables,
                    settings: super::saved_extras::item_settings(obj),
                    ..Default::default()
                },
                updated_at: 0,
            },
            position: position as i64,
            postman: Some(item.clone()),
        });
    }
    Ok(())
}

/// A saved tree back as Collection v2.1.
pub fn to_doc(tree: &CollectionTree) -> Value {
    let root = &tree.folders[0];
    let mut doc = root
        .postman
        .as_ref()
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // An import may have had no `info`, or `info: null` (Newman runs such a collection).
    let info = doc.entry("info").or_insert(Value::Null);
    if !info.is_object() {
        *info = json!({});
    }
    let info = info.as_object_mut().expect("made an object above");
    info.insert("name".into(), json!(root.name));
    info.insert("schema".into(), json!(SCHEMA_V21));
    doc.insert("item".into(), Value::Array(children(tree, &root.id)));
    Value::Object(doc)
}

fn children(tree: &CollectionTree, parent: &str) -> Vec<Value> {
    let mut items: Vec<(i64, String, Value)> = Vec::new();
    for f in tree
        .folders
        .iter()
        .filter(|f| f.parent_id.as_deref() == Some(parent))
    {
        let mut obj = f
            .postman
            .as_ref()
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        obj.insert("name".into(), json!(f.name));
        obj.insert("item".into(), Value::Array(children(tree, &f.id)));
        items.push((f.position, f.name.clone(), Value::Object(obj)));
    }
    for r in tree
        .requests
        .iter()
        .filter(|r| r.request.collection_id.as_deref() == Some(parent))
    {
        items.push((r.position, r.request.name.clone(), request_item(r)));
    }
    items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    items.into_iter().map(|(_, _, v)| v).collect()
}

/// A saved request as a Postman item: the imported item with the columns written over it.
fn request_item(t: &TreeRequest) -> Value {
    let r = &t.request;
    let mut item = t
        .postman
        .as_ref()
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    item.insert("name".into(), json!(r.name));
    let mut request = match item.get("request") {
        Some(Value::Object(o)) => o.clone(),
        _ => Map::new(),
    };
    request.insert("method".into(), json!(r.method));
    let imported = t.postman.as_ref().and_then(|p| p.get("request"));
    let derived = request_fields(imported, "").ok().flatten();
    write_url(&mut request, r, derived.as_ref());
    let header: Vec<Value> = r
        .headers
        .as_array()
        .map(|h| h.to_vec())
        .or_else(|| {
            r.headers.as_object().map(|m| {
                m.iter()
                    .map(|(k, v)| json!({"key": k, "value": v}))
                    .collect()
            })
        })
        .unwrap_or_default();
    request.insert("header".into(), Value::Array(header));
    write_body_and_auth(&mut request, r, derived);
    super::saved_extras::write_extras(&mut item, &mut request, &r.extras);
    item.insert("request".into(), Value::Object(request));
    write_events(&mut item, r);
    Value::Object(item)
}

/// `raw` as a Postman url object with its `variable`s: `host`, `path` and `query` split out as
/// the Postman app exports them, since postman-collection (Newman) builds the url from those
/// parts and does not read `raw` in an object (`{"raw", "variable"}` alone sends no url).
fn url_object(raw: &str, variable: Vec<Value>) -> Value {
    let (rest, hash) = raw
        .split_once('#')
        .map_or((raw, None), |(r, h)| (r, Some(h)));
    let (base, query) = rest
        .split_once('?')
        .map_or((rest, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let path: Vec<&str> = match &base[path_start..] {
        "" => Vec::new(),
        p => p[1..].split('/').collect(),
    };
    let mut url =
        json!({"raw": raw, "host": [&base[..path_start]], "path": path, "variable": variable});
    if let Some(query) = query {
        let pairs: Vec<Value> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => json!({"key": k, "value": v}),
                None => json!({"key": p, "value": null}),
            })
            .collect();
        url["query"] = Value::Array(pairs);
    }
    if let Some(hash) = hash {
        url["hash"] = json!(hash);
    }
    url
}

/// The url and path variables written into the item's request unless they are what the import
/// derived from it (an untouched import keeps its url object): with path variables as a url
/// object, else as text when it differs from what the item's url sends.
fn write_url(request: &mut Map<String, Value>, r: &SavedRequest, derived: Option<&RequestColumns>) {
    let vars = &r.extras.path_variables;
    // A request item written as a bare url string has no `url` key in the map rebuilt here.
    let untouched = derived.is_some_and(|c| c.url == r.url && c.path_variables == *vars);
    if untouched && request.contains_key("url") {
        return;
    }
    match vars {
        Some(Value::Object(vars)) => {
            let variable: Vec<Value> = vars
                .iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            request.insert("url".into(), url_object(&r.url, variable));
        }
        _ if url_text(request.get("url")).ok().as_deref() != Some(r.url.as_str()) => {
            request.insert("url".into(), json!(r.url));
        }
        _ => {}
    }
}

/// The body and auth columns written into the item's request when they differ from what the
/// import derived from it (as `write_events` does for scripts): an imported request edited
/// through the API runs and exports as edited, an untouched one as it came.
fn write_body_and_auth(
    request: &mut Map<String, Value>,
    r: &SavedRequest,
    derived: Option<RequestColumns>,
) {
    let (body, auth) = derived.map_or((None, None), |c| (c.body, c.auth));
    if r.body != body {
        match &r.body {
            Some(body) => {
                let raw = body
                    .as_str()
                    .map_or_else(|| body.to_string(), str::to_string);
                request.insert("body".into(), json!({"mode": "raw", "raw": raw}));
            }
            None => {
                request.remove("body");
            }
        }
    }
    if r.auth != auth {
        match r.auth.as_ref().map(super::folder_auth::postman_auth_of) {
            Some(Ok(a)) => {
                request.insert("auth".into(), a);
            }
            // Unreadable auth was refused when saved; none means "inherit", as in Postman.
            _ => {
                request.remove("auth");
            }
        }
    }
}

/// The request's scripts as the item's events, when they differ from the imported ones (so an
/// untouched import exports as it came).
fn write_events(item: &mut Map<String, Value>, r: &SavedRequest) {
    let (own_pre, own_test) = events(item.get("event"), "").unwrap_or_default();
    let joined = |s: Vec<String>| (!s.is_empty()).then(|| s.join("\n"));
    if joined(own_pre) != r.pre_request_script || joined(own_test) != r.post_request_script {
        let mut event: Vec<Value> = Vec::new();
        for (listen, script) in [
            ("prerequest", &r.pre_request_script),
            ("test", &r.post_request_script),
        ] {
            if let Some(s) = script {
                event.push(json!({"listen": listen, "script": {"type": "text/javascript", "exec": s.split('\n').collect::<Vec<_>>()}}));
            }
        }
        item.insert("event".into(), Value::Array(event));
    }
}

/// Vayu's auth in Postman's v2.1 form.
// Kept whole: one arm per auth type.
pub(super) fn postman_auth(auth: &AuthSpec) -> Value {
    let list = |pairs: &[(&str, &str)]| -> Value {
        pairs
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v, "type": "string"}))
            .collect()
    };
    let place = |p: &ApiKeyPlace, query: &'static str| match p {
        ApiKeyPlace::Header => "header",
        ApiKeyPlace::Query => query,
    };
    match auth {
        AuthSpec::Basic { username, password } => {
            json!({"type": "basic", "basic": list(&[("username", username), ("password", password)])})
        }
        AuthSpec::Bearer { token } => {
            json!({"type": "bearer", "bearer": list(&[("token", token)])})
        }
        AuthSpec::ApiKey {
            key,
            value,
            place: p,
        } => {
            json!({"type": "apikey", "apikey": list(&[("key", key), ("value", value), ("in", place(p, "query"))])})
        }
        AuthSpec::Digest(a) => {
            let fields = [
                ("username", &a.username),
                ("password", &a.password),
                ("realm", &a.realm),
                ("nonce", &a.nonce),
                ("algorithm", &a.algorithm),
                ("qop", &a.qop),
                ("nonceCount", &a.nonce_count),
                ("clientNonce", &a.client_nonce),
                ("opaque", &a.opaque),
            ];
            let given: Vec<(&str, &str)> = fields
                .iter()
                .filter(|(k, v)| matches!(*k, "username" | "password") || !v.is_empty())
                .map(|(k, v)| (*k, v.as_str()))
                .collect();
            json!({"type": "digest", "digest": list(&given)})
        }
        AuthSpec::OAuth2 {
            access_token,
            place: p,
            header_prefix,
        } => {
            let mut pairs = vec![
                ("accessToken", access_token.as_str()),
                ("addTokenTo", place(p, "queryParams")),
            ];
            if let Some(h) = header_prefix {
                pairs.push(("headerPrefix", h));
            }
            json!({"type": "oauth2", "oauth2": list(&pairs)})
        }
        signed => super::auth_params::export(signed).unwrap_or(Value::Null),
    }
}
