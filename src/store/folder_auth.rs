//! The auth of a folder or collection, kept in its Postman JSON (`collections.postman`), where
//! collection runs and exports read it: the chain a request inherits from, and setting it.

use super::error::StoreError;
use super::now_ms;
use super::reader::Reader;
use super::tree::TreeFolder;
use super::writer::StoreWriter;
use rusqlite::{params, OptionalExtension};

impl Reader {
    /// The Postman JSON collection `id` keeps (its auth, variables, scripts), if any.
    pub fn folder_postman(&self, id: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<String> = self
            .conn
            .prepare_cached("SELECT postman FROM collections WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .flatten();
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// The collection `id` and the collections it sits in, nearest first (each with its Postman
    /// JSON); empty when there is no such collection.
    pub fn folder_chain(&self, id: &str) -> Result<Vec<TreeFolder>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "WITH RECURSIVE up(id, depth) AS (
                 SELECT id, 0 FROM collections WHERE id = ?1
                 UNION ALL SELECT c.parent_id, up.depth + 1 FROM collections c JOIN up ON c.id = up.id
                 WHERE c.parent_id IS NOT NULL AND up.depth < 1000)
             SELECT c.id, c.parent_id, c.name, c.position, c.postman
             FROM collections c JOIN up ON c.id = up.id ORDER BY up.depth",
        )?;
        let rows = st
            .query_map([id], super::tree::tree_folder)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

impl StoreWriter {
    /// Sets (a Postman auth object) or removes (`None`) the auth of collection `id`.
    pub fn set_folder_auth(
        &self,
        id: &str,
        auth: Option<serde_json::Value>,
    ) -> Result<(), StoreError> {
        let id = id.to_string();
        self.call(move |conn| {
            let postman: Option<Option<String>> = conn
                .query_row(
                    "SELECT postman FROM collections WHERE id = ?1",
                    [&id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(postman) = postman else {
                return Err(StoreError::NotFound {
                    what: "collection",
                    id,
                });
            };
            let mut obj = postman
                .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default();
            match auth {
                Some(a) => obj.insert("auth".into(), a),
                None => obj.remove("auth"),
            };
            conn.execute(
                "UPDATE collections SET postman = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, serde_json::Value::Object(obj).to_string(), now_ms()],
            )?;
            Ok(())
        })
    }
}
