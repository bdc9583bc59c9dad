//! Typed queries on a read-only connection of their own, so reads never wait behind a batch.

use super::error::StoreError;
use super::types::{
    Collection, Environment, MetricPoint, Page, ResultRow, Run, RunFilter, RunStatus, RunType,
    SavedRequest,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 1000;

pub struct Reader {
    pub(super) conn: Connection,
    /// Runs whose latest rows the writer could not commit yet: they read as they will be.
    unrecorded: super::Unrecorded,
}

/// Parses a JSON column, naming it when the stored text is not JSON.
fn json(what: &'static str, text: Option<String>) -> Result<Option<serde_json::Value>, StoreError> {
    text.map(|t| serde_json::from_str(&t).map_err(|source| StoreError::BadJson { what, source }))
        .transpose()
}

struct RawRun {
    id: String,
    request_id: Option<String>,
    environment_id: Option<String>,
    run_type: String,
    status: String,
    config: String,
    start_time: i64,
    end_time: Option<i64>,
    summary: Option<String>,
    error: Option<String>,
}

const RUN_COLUMNS: &str =
    "id, request_id, environment_id, type, status, config_snapshot, start_time, end_time, summary, error";

fn raw_run(r: &Row<'_>) -> rusqlite::Result<RawRun> {
    Ok(RawRun {
        id: r.get(0)?,
        request_id: r.get(1)?,
        environment_id: r.get(2)?,
        run_type: r.get(3)?,
        status: r.get(4)?,
        config: r.get(5)?,
        start_time: r.get(6)?,
        end_time: r.get(7)?,
        summary: r.get(8)?,
        error: r.get(9)?,
    })
}

impl RawRun {
    fn into_run(self) -> Result<Run, StoreError> {
        Ok(Run {
            run_type: RunType::parse(&self.run_type).unwrap_or(RunType::Load),
            status: RunStatus::parse(&self.status).unwrap_or(RunStatus::Failed),
            config: json("runs.config_snapshot", Some(self.config))?.unwrap_or_default(),
            summary: json("runs.summary", self.summary)?,
            id: self.id,
            request_id: self.request_id,
            environment_id: self.environment_id,
            start_time: self.start_time,
            end_time: self.end_time,
            error: self.error,
        })
    }
}

fn page_bounds(limit: Option<u32>, offset: Option<u64>) -> (u32, u64) {
    (
        limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
        offset.unwrap_or(0),
    )
}

/// A run as the database has it.
pub(super) fn read_run(conn: &Connection, id: &str) -> Result<Option<Run>, StoreError> {
    let raw = conn
        .prepare_cached(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"))?
        .query_row([id], raw_run)
        .optional()?;
    raw.map(RawRun::into_run).transpose()
}

impl Reader {
    pub(crate) fn new(conn: Connection, unrecorded: super::Unrecorded) -> Reader {
        Reader { conn, unrecorded }
    }

    /// Runs newest first, filtered by status and type.
    pub fn list_runs(&self, filter: &RunFilter) -> Result<Page<Run>, StoreError> {
        let (limit, offset) = page_bounds(filter.limit, filter.offset);
        let status = filter.status.map(|s| s.as_str());
        let run_type = filter.run_type.map(|t| t.as_str());
        let text = filter.text.as_deref();
        // instr, not LIKE: the text is taken literally, `%` and `_` included.
        let condition = "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR type = ?2)
             AND (?3 IS NULL OR instr(lower(config_snapshot), lower(?3)) > 0)";
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM runs WHERE {condition}"))?
            .query_row(params![status, run_type, text], |r| r.get(0))?;
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE {condition} ORDER BY start_time DESC, id LIMIT ?4 OFFSET ?5"
        ))?;
        let raws = st
            .query_map(
                params![status, run_type, text, limit, offset as i64],
                raw_run,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let items = raws
            .into_iter()
            .map(|raw| raw.into_run().map(|run| self.unrecorded.latest(run)))
            .collect::<Result<_, StoreError>>()?;
        Ok(Page {
            items,
            total: total as u64,
            limit,
            offset,
        })
    }

    /// A run; one whose rows the database has not taken yet (a full disk) as it will be.
    pub fn get_run(&self, id: &str) -> Result<Option<Run>, StoreError> {
        Ok(self.unrecorded.overlay(id, read_run(&self.conn, id)?))
    }

    /// A run's metric series in time order, optionally one metric and only after `since` (ms).
    pub fn run_metrics(
        &self,
        run_id: &str,
        name: Option<&str>,
        since: Option<i64>,
    ) -> Result<Vec<MetricPoint>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT timestamp, name, value, labels FROM metrics
             WHERE run_id = ?1 AND (?2 IS NULL OR name = ?2) AND (?3 IS NULL OR timestamp > ?3)
             ORDER BY timestamp, id",
        )?;
        let rows = st
            .query_map(params![run_id, name, since], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(timestamp, name, value, labels)| {
                Ok(MetricPoint {
                    timestamp,
                    name,
                    value,
                    labels: json("metrics.labels", labels)?,
                })
            })
            .collect()
    }

    /// A run's recorded results in insertion order.
    pub fn run_results(
        &self,
        run_id: &str,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<Page<ResultRow>, StoreError> {
        let (limit, offset) = page_bounds(limit, offset);
        let total: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM results WHERE run_id = ?1")?
            .query_row([run_id], |r| r.get(0))?;
        let mut st = self.conn.prepare_cached(
            "SELECT id, timestamp, status_code, latency_ms, error, trace_data FROM results
             WHERE run_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3",
        )?;
        let rows = st
            .query_map(params![run_id, limit, offset as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<u16>>(2)?,
                    r.get::<_, Option<f64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let items = rows
            .into_iter()
            .map(|(id, timestamp, status_code, latency_ms, error, trace)| {
                Ok(ResultRow {
                    id,
                    run_id: run_id.to_string(),
                    timestamp,
                    status_code,
                    latency_ms,
                    error,
                    trace_data: json("results.trace_data", trace)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Page {
            items,
            total: total as u64,
            limit,
            offset,
        })
    }

    /// Every collection and folder, each with its `parent_id` (a client drawing the whole tree).
    pub fn list_all_collections(&self) -> Result<Vec<Collection>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, parent_id, name, created_at, updated_at FROM collections ORDER BY name, id",
        )?;
        let items = st.query_map([], collection)?.collect::<Result<_, _>>()?;
        Ok(items)
    }

    /// Collections under `parent_id` (top level when `None`), by name.
    pub fn list_collections(&self, parent_id: Option<&str>) -> Result<Vec<Collection>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, parent_id, name, created_at, updated_at FROM collections
             WHERE parent_id IS ?1 ORDER BY name, id",
        )?;
        let items = st
            .query_map([parent_id], collection)?
            .collect::<Result<_, _>>()?;
        Ok(items)
    }

    pub fn get_collection(&self, id: &str) -> Result<Option<Collection>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLLECTION_COLUMNS} FROM collections WHERE id = ?1"
            ))?
            .query_row([id], collection)
            .optional()?)
    }

    /// Saved requests, in one collection or all of them, by name.
    pub fn list_requests(
        &self,
        collection_id: Option<&str>,
    ) -> Result<Vec<SavedRequest>, StoreError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE ?1 IS NULL OR collection_id = ?1 ORDER BY name, id"
        ))?;
        let raws = st
            .query_map([collection_id], raw_request)?
            .collect::<Result<Vec<_>, _>>()?;
        raws.into_iter().map(RawRequest::into_request).collect()
    }

    pub fn get_request(&self, id: &str) -> Result<Option<SavedRequest>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {REQUEST_COLUMNS} FROM requests WHERE id = ?1"
            ))?
            .query_row([id], raw_request)
            .optional()?;
        raw.map(RawRequest::into_request).transpose()
    }

    pub fn list_environments(&self) -> Result<Vec<Environment>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, name, variables, updated_at FROM environments ORDER BY name, id",
        )?;
        let raws = st
            .query_map([], raw_environment)?
            .collect::<Result<Vec<_>, _>>()?;
        raws.into_iter().map(into_environment).collect()
    }

    pub fn get_environment(&self, id: &str) -> Result<Option<Environment>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(
                "SELECT id, name, variables, updated_at FROM environments WHERE id = ?1",
            )?
            .query_row([id], raw_environment)
            .optional()?;
        raw.map(into_environment).transpose()
    }

    pub fn kv_get(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM kv_store WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        json("kv_store.value", text)
    }
}

pub(crate) const COLLECTION_COLUMNS: &str = "id, parent_id, name, created_at, updated_at";

pub(crate) fn collection(r: &Row<'_>) -> rusqlite::Result<Collection> {
    Ok(Collection {
        id: r.get(0)?,
        parent_id: r.get(1)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
    })
}

pub(crate) const REQUEST_COLUMNS: &str =
    "id, collection_id, name, method, url, headers, body, auth, pre_request_script, post_request_script, updated_at, extras";

pub(crate) struct RawRequest {
    id: String,
    collection_id: Option<String>,
    name: String,
    method: String,
    url: String,
    headers: String,
    body: Option<String>,
    auth: Option<String>,
    pre_request_script: Option<String>,
    post_request_script: Option<String>,
    updated_at: i64,
    extras: Option<String>,
}

pub(crate) fn raw_request(r: &Row<'_>) -> rusqlite::Result<RawRequest> {
    Ok(RawRequest {
        id: r.get(0)?,
        collection_id: r.get(1)?,
        name: r.get(2)?,
        method: r.get(3)?,
        url: r.get(4)?,
        headers: r.get(5)?,
        body: r.get(6)?,
        auth: r.get(7)?,
        pre_request_script: r.get(8)?,
        post_request_script: r.get(9)?,
        updated_at: r.get(10)?,
        extras: r.get(11)?,
    })
}

impl RawRequest {
    pub(crate) fn into_request(self) -> Result<SavedRequest, StoreError> {
        Ok(SavedRequest {
            headers: json("requests.headers", Some(self.headers))?.unwrap_or_default(),
            body: json("requests.body", self.body)?,
            auth: json("requests.auth", self.auth)?,
            extras: match self.extras {
                Some(t) => serde_json::from_str(&t).map_err(|source| StoreError::BadJson {
                    what: "requests.extras",
                    source,
                })?,
                None => Default::default(),
            },
            id: self.id,
            collection_id: self.collection_id,
            name: self.name,
            method: self.method,
            url: self.url,
            pre_request_script: self.pre_request_script,
            post_request_script: self.post_request_script,
            updated_at: self.updated_at,
        })
    }
}

type RawEnvironment = (String, String, String, i64);

fn raw_environment(r: &Row<'_>) -> rusqlite::Result<RawEnvironment> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn into_environment(
    (id, name, variables, updated_at): RawEnvironment,
) -> Result<Environment, StoreError> {
    Ok(Environment {
        id,
        name,
        variables: json("environments.variables", Some(variables))?.unwrap_or_default(),
        updated_at,
    })
}
