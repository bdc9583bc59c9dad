//! The schema and its migrations, keyed on `PRAGMA user_version`: version N is reached by running
//! `MIGRATIONS[0..N]` in order. Never edit a released migration; append a new one.

/// Version 1: the spec's tables, plus `runs.summary`/`runs.error` and the indexes the API's
/// queries use. Result and metric ids are rowids (no AUTOINCREMENT: its bookkeeping table
/// slows every insert, and ids are never reused while a row exists either way).
const V1: &str = r#"
CREATE TABLE collections (
    id          TEXT PRIMARY KEY,
    parent_id   TEXT REFERENCES collections(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX collections_by_parent ON collections(parent_id);

CREATE TABLE requests (
    id                  TEXT PRIMARY KEY,
    collection_id       TEXT REFERENCES collections(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    method              TEXT NOT NULL,
    url                 TEXT NOT NULL,
    headers             TEXT NOT NULL DEFAULT '[]',
    body                TEXT,
    auth                TEXT,
    pre_request_script  TEXT,
    post_request_script TEXT,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX requests_by_collection ON requests(collection_id);

CREATE TABLE environments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    variables   TEXT NOT NULL DEFAULT '{}',
    updated_at  INTEGER NOT NULL
);

CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    request_id      TEXT REFERENCES requests(id) ON DELETE SET NULL,
    environment_id  TEXT REFERENCES environments(id) ON DELETE SET NULL,
    type            TEXT NOT NULL CHECK (type IN ('design', 'load')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'stopped', 'failed')),
    config_snapshot TEXT NOT NULL DEFAULT '{}',
    start_time      INTEGER NOT NULL,
    end_time        INTEGER,
    summary         TEXT,
    error           TEXT
);
CREATE INDEX runs_by_start ON runs(start_time DESC);
CREATE INDEX runs_by_status_start ON runs(status, start_time DESC);

CREATE TABLE metrics (
    id          INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    timestamp   INTEGER NOT NULL,
    name        TEXT NOT NULL,
    value       REAL NOT NULL,
    labels      TEXT
);
CREATE INDEX metrics_by_run_time ON metrics(run_id, timestamp);

CREATE TABLE results (
    id          INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    timestamp   INTEGER NOT NULL,
    status_code INTEGER,
    latency_ms  REAL,
    error       TEXT,
    trace_data  TEXT
);
CREATE INDEX results_by_run ON results(run_id, id);

CREATE TABLE kv_store (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
"#;

/// Version 2: collection runs, and what a Postman import keeps. A CHECK cannot be altered, so
/// `runs` is rebuilt (SQLite's documented way; migrations run with foreign keys off, so the
/// rebuild deletes no metrics or results). `position` orders a collection's folders and
/// requests as they were imported; `postman` keeps the Postman fields Vayu has no column for
/// (body forms, auth, scripts and variables of folders, ids), so an export gives them back.
const V2: &str = r#"
CREATE TABLE runs_v2 (
    id              TEXT PRIMARY KEY,
    request_id      TEXT REFERENCES requests(id) ON DELETE SET NULL,
    environment_id  TEXT REFERENCES environments(id) ON DELETE SET NULL,
    type            TEXT NOT NULL CHECK (type IN ('design', 'load', 'collection')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'stopped', 'failed')),
    config_snapshot TEXT NOT NULL DEFAULT '{}',
    start_time      INTEGER NOT NULL,
    end_time        INTEGER,
    summary         TEXT,
    error           TEXT
);
INSERT INTO runs_v2 SELECT * FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
CREATE INDEX runs_by_start ON runs(start_time DESC);
CREATE INDEX runs_by_status_start ON runs(status, start_time DESC);

ALTER TABLE collections ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE collections ADD COLUMN postman TEXT;
ALTER TABLE requests ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN postman TEXT;
"#;

/// Version 3: what a saved request has beyond V1's columns (`pathVariables`, `formData`,
/// `bodyFile`, `settings`), as one JSON object, so the next such field needs no migration.
const V3: &str = r#"
ALTER TABLE requests ADD COLUMN extras TEXT;
"#;

pub const MIGRATIONS: &[&str] = &[V1, V2, V3];

/// The schema version this build creates and reads.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;
