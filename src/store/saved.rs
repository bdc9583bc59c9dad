//! Writes of saved work (collections, requests, environments, key-value settings) and run
//! deletion. They go through the writer thread like everything else, and return their result.

use super::error::StoreError;
use super::reader::{collection, raw_request, COLLECTION_COLUMNS, REQUEST_COLUMNS};
use super::types::{Collection, Environment, RequestExtras, RunStatus, SavedRequest};
use super::writer::StoreWriter;
use super::{new_id, now_ms};
use rusqlite::{params, Connection, OptionalExtension};

/// The fields a client sets on a saved request; ids and times are the store's.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestFields {
    #[serde(default)]
    pub collection_id: Option<String>,
    pub name: String,
    #[serde(default = "default_method")]
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Option<serde_json::Value>,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    #[serde(default)]
    pub auth: Option<serde_json::Value>,
    #[serde(default)]
    pub pre_request_script: Option<String>,
    #[serde(default)]
    pub post_request_script: Option<String>,
    #[serde(default)]
    pub path_variables: Option<serde_json::Value>,
    #[serde(default)]
    pub form_data: Option<serde_json::Value>,
    #[serde(default)]
    pub body_file: Option<serde_json::Value>,
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
}

impl RequestFields {
    /// The fields kept in `requests.extras` (a JSON null is the same as leaving one out).
    pub fn extras(&self) -> RequestExtras {
        let given = |v: &Option<serde_json::Value>| v.clone().filter(|v| !v.is_null());
        RequestExtras {
            path_variables: given(&self.path_variables),
            form_data: given(&self.form_data),
            body_file: given(&self.body_file),
            settings: given(&self.settings),
        }
    }
}

fn default_method() -> String {
    "GET".into()
}

fn not_found(what: &'static str, id: &str) -> StoreError {
    StoreError::NotFound {
        what,
        id: id.to_string(),
    }
}

fn require_collection(conn: &Connection, id: Option<&str>) -> Result<(), StoreError> {
    if let Some(id) = id {
        let exists: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM collections WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(not_found("collection", id));
        }
    }
    Ok(())
}

fn to_text(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().map(|v| v.to_string())
}

impl StoreWriter {
    pub fn create_collection(
        &self,
        name: &str,
        parent_id: Option<&str>,
    ) -> Result<Collection, StoreError> {
        let now = now_ms();
        let c = Collection {
            id: new_id("col"),
            parent_id: parent_id.map(str::to_string),
            name: name.to_string(),
            created_at: now,
            updated_at: now,
        };
        self.call(move |conn| {
            require_collection(conn, c.parent_id.as_deref())?;
            conn.execute(
                "INSERT INTO collections (id, parent_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![c.id, c.parent_id, c.name, c.created_at, c.updated_at],
            )?;
            Ok(c)
        })
    }

    /// Renames or moves a collection. Moving it under itself or a descendant is refused.
    pub fn update_collection(
        &self,
        id: &str,
        name: &str,
        parent_id: Option<&str>,
    ) -> Result<Collection, StoreError> {
        let (id, name, parent_id) = (
            id.to_string(),
            name.to_string(),
            parent_id.map(str::to_string),
        );
        self.call(move |conn| {
            require_collection(conn, parent_id.as_deref())?;
            if let Some(parent) = &parent_id {
                let cycle: bool = conn.query_row(
                    "WITH RECURSIVE up(id, parent_id) AS (
                         SELECT id, parent_id FROM collections WHERE id = ?1
                         UNION ALL SELECT c.id, c.parent_id FROM collections c JOIN up ON c.id = up.parent_id)
                     SELECT EXISTS(SELECT 1 FROM up WHERE id = ?2)",
                    params![parent, id],
                    |r| r.get(0),
                )?;
                if cycle {
                    return Err(StoreError::Conflict(format!(
                        "collection `{id}` cannot be moved under `{parent}`, which is inside it"
                    )));
                }
            }
            let n = conn.execute(
                "UPDATE collections SET name = ?2, parent_id = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, name, parent_id, now_ms()],
            )?;
            if n == 0 {
                return Err(not_found("collection", &id));
            }
            Ok(conn.query_row(&format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE id = ?1"), [&id], collection)?)
        })
    }

    /// Deletes a collection with its sub-collections and their requests.
    pub fn delete_collection(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.call(move |conn| {
            match conn.execute("DELETE FROM collections WHERE id = ?1", [&id])? {
                0 => Err(not_found("collection", &id)),
                _ => Ok(()),
            }
        })
    }

    pub fn create_request(&self, fields: RequestFields) -> Result<SavedRequest, StoreError> {
        self.save_request(new_id("req"), fields, true)
    }

    pub fn update_request(
        &self,
        id: &str,
        fields: RequestFields,
    ) -> Result<SavedRequest, StoreError> {
        self.save_request(id.to_string(), fields, false)
    }

    fn save_request(
        &self,
        id: String,
        f: RequestFields,
        create: bool,
    ) -> Result<SavedRequest, StoreError> {
        self.call(move |conn| {
            require_collection(conn, f.collection_id.as_deref())?;
            let headers = f.headers.clone().unwrap_or_else(|| serde_json::json!([])).to_string();
            let values = params![
                id,
                f.collection_id,
                f.name,
                f.method,
                f.url,
                headers,
                to_text(&f.body),
                to_text(&f.auth),
                f.pre_request_script,
                f.post_request_script,
                now_ms(),
                f.extras().column()
            ];
            let n = if create {
                conn.execute(&format!("INSERT INTO requests ({REQUEST_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"), values)?
            } else {
                conn.execute(
                    "UPDATE requests SET collection_id = ?2, name = ?3, method = ?4, url = ?5, headers = ?6, body = ?7,
                     auth = ?8, pre_request_script = ?9, post_request_script = ?10, updated_at = ?11,
                     extras = ?12 WHERE id = ?1",
                    values,
                )?
            };
            if n == 0 {
                return Err(not_found("request", &id));
            }
            conn.query_row(&format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = ?1"), [&id], raw_request)?
                .into_request()
        })
    }

    pub fn delete_request(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.call(
            move |conn| match conn.execute("DELETE FROM requests WHERE id = ?1", [&id])? {
                0 => Err(not_found("request", &id)),
                _ => Ok(()),
            },
        )
    }

    pub fn create_environment(
        &self,
        name: &str,
        variables: serde_json::Value,
    ) -> Result<Environment, StoreError> {
        let env = Environment {
            id: new_id("env"),
            name: name.to_string(),
            variables,
            updated_at: now_ms(),
        };
        self.call(move |conn| {
            conn.execute(
                "INSERT INTO environments (id, name, variables, updated_at) VALUES (?1, ?2, ?3, ?4)",
                params![env.id, env.name, env.variables.to_string(), env.updated_at],
            )?;
            Ok(env)
        })
    }

    pub fn update_environment(
        &self,
        id: &str,
        name: &str,
        variables: serde_json::Value,
    ) -> Result<Environment, StoreError> {
        let env = Environment {
            id: id.to_string(),
            name: name.to_string(),
            variables,
            updated_at: now_ms(),
        };
        self.call(move |conn| {
            match conn.execute(
                "UPDATE environments SET name = ?2, variables = ?3, updated_at = ?4 WHERE id = ?1",
                params![env.id, env.name, env.variables.to_string(), env.updated_at],
            )? {
                0 => Err(not_found("environment", &env.id)),
                _ => Ok(env),
            }
        })
    }

    pub fn delete_environment(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.call(move |conn| {
            match conn.execute("DELETE FROM environments WHERE id = ?1", [&id])? {
                0 => Err(not_found("environment", &id)),
                _ => Ok(()),
            }
        })
    }

    pub fn kv_set(&self, key: &str, value: serde_json::Value) -> Result<(), StoreError> {
        let key = key.to_string();
        self.call(move |conn| {
            conn.execute(
                "INSERT INTO kv_store (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                params![key, value.to_string(), now_ms()],
            )?;
            Ok(())
        })
    }

    /// Deletes a finished run with its metrics and results. A run still pending or running is refused.
    pub fn delete_run(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_string();
        self.call(move |conn| {
            let status: Option<String> = conn
                .query_row("SELECT status FROM runs WHERE id = ?1", [&id], |r| r.get(0))
                .optional()?;
            match status.as_deref().and_then(RunStatus::parse) {
                None => Err(not_found("run", &id)),
                Some(s) if !s.is_terminal() => Err(StoreError::Conflict(format!(
                    "run `{id}` is {s}; stop it before deleting it"
                ))),
                Some(_) => {
                    conn.execute("DELETE FROM runs WHERE id = ?1", [&id])?;
                    Ok(())
                }
            }
        })
    }
}
