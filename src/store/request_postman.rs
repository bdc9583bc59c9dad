//! A saved request's Postman item (`requests.postman`) edited in place, e.g. the examples
//! (`response` list) saved from responses. A request that was not imported gets an item here
//! holding only what was added; an export writes the request's columns over it.

use super::error::StoreError;
use super::now_ms;
use super::writer::StoreWriter;
use rusqlite::{params, OptionalExtension};
use serde_json::{Map, Value};

/// What an edit of a request's item does: changes it and returns `T`, or refuses.
pub type ItemEdit<T> = Box<dyn FnOnce(&mut Map<String, Value>) -> Result<T, StoreError> + Send>;

impl StoreWriter {
    /// Runs `edit` on request `id`'s Postman item and saves what it left, in one transaction.
    pub fn edit_request_item<T: Send + 'static>(
        &self,
        id: &str,
        edit: ItemEdit<T>,
    ) -> Result<T, StoreError> {
        let id = id.to_string();
        self.call(move |conn| {
            let postman: Option<Option<String>> = conn
                .query_row("SELECT postman FROM requests WHERE id = ?1", [&id], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(postman) = postman else {
                return Err(StoreError::NotFound {
                    what: "request",
                    id,
                });
            };
            let mut item = match postman {
                Some(text) => match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(map)) => map,
                    Ok(_) => Map::new(),
                    Err(source) => {
                        return Err(StoreError::BadJson {
                            what: "requests.postman",
                            source,
                        })
                    }
                },
                None => Map::new(),
            };
            let out = edit(&mut item)?;
            conn.execute(
                "UPDATE requests SET postman = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, Value::Object(item).to_string(), now_ms()],
            )?;
            Ok(out)
        })
    }
}

impl super::Reader {
    /// Request `id`'s Postman item: `None` when it has none (or there is no such request).
    pub fn request_item(&self, id: &str) -> Result<Option<Value>, StoreError> {
        let text: Option<Option<String>> = self
            .conn
            .query_row("SELECT postman FROM requests WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        text.flatten()
            .map(|t| {
                serde_json::from_str(&t).map_err(|source| StoreError::BadJson {
                    what: "requests.postman",
                    source,
                })
            })
            .transpose()
    }
}
