//! Auth set on folders and collections (their Postman JSON), in the API's shape: what a saved
//! request inherits when it has none of its own, as collection runs inherit it.

use super::import::parse_auth;
use super::saved::postman_auth;
use crate::model::{AuthSpec, ValidationError};
use crate::store::TreeFolder;
use serde_json::{json, Value};

/// A Postman auth object as the API writes auth: `{"type": "noauth"}` for Postman's
/// `noauth`, `None` for `inherit` or no auth (look further up), or what cannot be read.
pub fn api_auth(postman: Option<&Value>) -> Option<Value> {
    match parse_auth(postman?, "").ok()?? {
        None => Some(json!({"type": "noauth"})),
        Some(auth) => serde_json::to_value(auth).ok(),
    }
}

/// An auth as the API takes it (a request's auth shapes, or `{"type": "noauth"}`) in
/// Postman's form; errors name the field under `auth`.
pub fn postman_auth_of(api: &Value) -> Result<Value, ValidationError> {
    if api.get("type").and_then(Value::as_str) == Some("noauth") {
        if let Some(other) = api
            .as_object()
            .and_then(|o| o.keys().find(|k| *k != "type"))
        {
            return Err(ValidationError::new(
                "auth",
                format!("a noauth auth has no `{other}`; send {{\"type\": \"noauth\"}}"),
            ));
        }
        return Ok(json!({"type": "noauth"}));
    }
    let auth: AuthSpec = serde_path_to_error::deserialize(api.clone())
        .map_err(ValidationError::at_path)
        .map_err(|e| {
            let field = match e.field.as_str() {
                "" => "auth".to_string(),
                inner => format!("auth.{inner}"),
            };
            ValidationError::new(field, e.message)
        })?;
    Ok(postman_auth(&auth))
}

/// The auth the nearest folder or collection of `chain` (nearest first) sets, as
/// `{"auth", "from": {"id", "name"}}`; `None` when none sets one.
pub fn inherited_auth(chain: &[TreeFolder]) -> Option<Value> {
    chain.iter().find_map(|folder| {
        let auth = api_auth(folder.postman.as_ref()?.get("auth"))?;
        Some(json!({"auth": auth, "from": {"id": folder.id, "name": folder.name}}))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(id: &str, auth: Option<Value>) -> TreeFolder {
        TreeFolder {
            id: id.into(),
            parent_id: None,
            name: format!("{id} name"),
            position: 0,
            postman: auth.map(|a| json!({"auth": a})),
        }
    }

    #[test]
    fn the_nearest_folder_with_an_auth_is_inherited_and_inherit_looks_further_up() {
        let bearer = json!({"type": "bearer", "bearer": [{"key": "token", "value": "t"}]});
        let chain = [
            folder("a", None),
            folder("b", Some(json!({"type": "inherit"}))),
            folder("c", Some(bearer)),
            folder("d", Some(json!({"type": "noauth"}))),
        ];
        assert_eq!(
            inherited_auth(&chain),
            Some(
                json!({"auth": {"type": "bearer", "token": "t"}, "from": {"id": "c", "name": "c name"}})
            )
        );
        assert_eq!(
            inherited_auth(&chain[3..]).unwrap()["auth"],
            json!({"type": "noauth"})
        );
        assert_eq!(inherited_auth(&chain[..2]), None);
    }

    #[test]
    fn api_auth_round_trips_through_postman_form() {
        let basic = json!({"type": "basic", "username": "u", "password": "p"});
        assert_eq!(
            api_auth(Some(&postman_auth_of(&basic).unwrap())),
            Some(basic)
        );
        assert_eq!(
            postman_auth_of(&json!({"type": "bearer"}))
                .unwrap_err()
                .field,
            "auth"
        );
        let unknown =
            postman_auth_of(&json!({"type": "bearer", "token": "t", "x": 1})).unwrap_err();
        assert!(unknown.message.contains("`x`"), "{unknown}");
    }
}
