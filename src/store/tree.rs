//! A saved collection as a tree: its folders (collections rows) and requests, in the order they
//! were imported, with the Postman fields that have no column (`postman`). Written in one call
//! of the writer; read back whole for export and for collection runs.

use super::error::StoreError;
use super::now_ms;
use super::reader::{raw_request, Reader, REQUEST_COLUMNS};
use super::types::SavedRequest;
use super::writer::StoreWriter;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// A folder, or the collection itself (no parent within the tree).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TreeFolder {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub position: i64,
    /// The Postman folder or collection without its items.
    pub postman: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TreeRequest {
    pub request: SavedRequest,
    pub position: i64,
    /// The Postman item as imported.
    pub postman: Option<serde_json::Value>,
}

/// The root folder first, then every folder under it, parents before children.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CollectionTree {
    pub folders: Vec<TreeFolder>,
    pub requests: Vec<TreeRequest>,
}

fn text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

impl StoreWriter {
    /// Saves a whole tree (ids given by the caller) at once.
    pub fn save_tree(&self, tree: CollectionTree) -> Result<(), StoreError> {
        self.call(move |conn| {
            let now = now_ms();
            for f in &tree.folders {
                conn.execute(
                    "INSERT INTO collections (id, parent_id, name, created_at, updated_at, position, postman)
                     VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
                    params![f.id, f.parent_id, f.name, now, f.position, text(&f.postman)],
                )?;
            }
            for t in &tree.requests {
                let r = &t.request;
                conn.execute(
                    &format!("INSERT INTO requests ({REQUEST_COLUMNS}, position, postman)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
                    params![
                        r.id,
                        r.collection_id,
                        r.name,
                        r.method,
                        r.url,
                        r.headers.to_string(),
                        text(&r.body),
                        text(&r.auth),
                        r.pre_request_script,
                        r.post_request_script,
                        now,
                        r.extras.column(),
                        t.position,
                        text(&t.postman)
                    ],
                )?;
            }
            Ok(())
        })
    }
}

impl Reader {
    /// The collection `id` with everything under it; `None` when there is no such collection.
    pub fn collection_tree(&self, id: &str) -> Result<Option<CollectionTree>, StoreError> {
        let exists = self
            .conn
            .query_row("SELECT 1 FROM collections WHERE id = ?1", [id], |_| Ok(()))
            .optional()?;
        if exists.is_none() {
            return Ok(None);
        }
        let mut st = self.conn.prepare_cached(
            "WITH RECURSIVE down(id, depth) AS (
                 SELECT id, 0 FROM collections WHERE id = ?1
                 UNION ALL SELECT c.id, down.depth + 1 FROM collections c JOIN down ON c.parent_id = down.id)
             SELECT c.id, CASE WHEN c.id = ?1 THEN NULL ELSE c.parent_id END, c.name, c.position, c.postman
             FROM collections c JOIN down ON c.id = down.id ORDER BY down.depth, c.position, c.name, c.id",
        )?;
        let folders = st
            .query_map([id], tree_folder)?
            .collect::<Result<Vec<_>, _>>()?;
        let mut requests = Vec::new();
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS}, position, postman FROM requests WHERE collection_id = ?1
             ORDER BY position, name, id"
        ))?;
        for folder in &folders {
            let rows = st
                .query_map([&folder.id], |r| {
                    let postman: Option<String> = r.get(13)?;
                    Ok((raw_request(r)?, r.get::<_, i64>(12)?, postman))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            for (raw, position, postman) in rows {
                requests.push(TreeRequest {
                    request: raw.into_request()?,
                    position,
                    postman: postman.and_then(|p| serde_json::from_str(&p).ok()),
                });
            }
        }
        Ok(Some(CollectionTree { folders, requests }))
    }
}

/// A folder from a row of `id, parent_id, name, position, postman`.
pub(super) fn tree_folder(r: &rusqlite::Row<'_>) -> rusqlite::Result<TreeFolder> {
    let postman: Option<String> = r.get(4)?;
    Ok(TreeFolder {
        id: r.get(0)?,
        parent_id: r.get(1)?,
        name: r.get(2)?,
        position: r.get(3)?,
        postman: postman.and_then(|p| serde_json::from_str(&p).ok()),
    })
}
