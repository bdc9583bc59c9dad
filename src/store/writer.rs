//! The writer thread owns the only write connection. Other threads send it commands and never
//! wait for it, except `flush` and the calls that return a value.
//!
//! Two queues: an unbounded one for what must not be lost (run rows, status changes, metrics,
//! failures, calls; all bounded in number by their producers), and a bounded one for samples of
//! successful results, which are dropped and counted when it is full. The writer always takes
//! from the must-keep queue first, so a run's row is written before any sample of it.
//! Commands are applied in batches: one IMMEDIATE transaction per `BATCH_WINDOW` or
//! `BATCH_ROWS` rows, whichever comes first; a call or flush ends a batch at once.

use super::error::StoreError;
use super::types::{MetricPoint, ResultRow, Run, RunStatus};
use super::unrecorded::{RunRow, Unrecorded};
use crossbeam_channel::{Receiver, Select, Sender, TryRecvError, TrySendError};
use rusqlite::{params, Connection};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BATCH_WINDOW: Duration = Duration::from_millis(100);
pub const BATCH_ROWS: usize = 5_000;
/// Success samples waiting for the writer; more are dropped (and counted).
pub const SAMPLE_QUEUE: usize = 65_536;

/// Runs on the write connection and returns the reply to send once the batch's commit is known:
/// a caller must not hear "done" before its write is visible to readers.
type Call = Box<dyn FnOnce(&Connection) -> Reply + Send>;
type Reply = Box<dyn FnOnce(Result<(), CommitFailure>) + Send>;

/// Why a batch was not committed.
#[derive(Debug, Clone)]
pub(crate) enum CommitFailure {
    /// The commit itself failed.
    NotCommitted(String),
    /// No write transaction could begin: the database cannot be written.
    Unwritable(String),
}

pub(crate) enum Command {
    /// A run's row or its status: committed in a batch of its own, retried until it commits.
    Run(RunRow),
    Metrics {
        run_id: String,
        points: Vec<MetricPoint>,
    },
    Result(ResultRow),
    /// Runs in the writer's transaction; used for saved-work CRUD, which replies on its own channel.
    Call(Call),
    Flush(Sender<()>),
    Shutdown,
}

/// A handle for sending writes. Cheap to clone; every clone feeds the same writer thread.
#[derive(Clone)]
pub struct StoreWriter {
    keep: Sender<Command>,
    samples: Sender<ResultRow>,
    counters: Arc<WriterCounters>,
    unrecorded: Unrecorded,
}

#[derive(Debug, Default)]
pub struct WriterCounters {
    /// Success samples dropped because the queue was full.
    pub dropped_samples: AtomicU64,
    /// Rows committed.
    pub rows_written: AtomicU64,
    /// Statements that failed (e.g. a result for a deleted run); logged, not retried.
    pub failed_statements: AtomicU64,
    /// Batches that found the database unwritable (no write transaction could begin).
    pub unwritable_batches: AtomicU64,
    /// Batches SQLite rolled back itself after a failed write (a full disk, an I/O error).
    pub rolled_back_batches: AtomicU64,
    /// What the latest failed write said.
    last_failure: parking_lot::Mutex<Option<String>>,
    /// Rows of each run that were not written (a failed statement, or a batch rolled back or
    /// not committed), by run id and table.
    lost_rows: parking_lot::Mutex<HashMap<(String, Table), u64>>,
}

impl WriterCounters {
    /// Writes that failed so far: failed statements and unwritable batches.
    pub fn failures(&self) -> u64 {
        self.failed_statements.load(Relaxed) + self.unwritable_batches.load(Relaxed)
    }

    /// What the latest failed write said.
    pub fn last_failure(&self) -> Option<String> {
        self.last_failure.lock().clone()
    }

    fn failed(&self, why: String) {
        *self.last_failure.lock() = Some(why);
    }

    /// Rows of run `id` in `table` that could not be written so far.
    pub fn lost_rows(&self, id: &str, table: Table) -> u64 {
        self.lost_rows
            .lock()
            .get(&(id.to_string(), table))
            .copied()
            .unwrap_or(0)
    }

    fn lose(&self, rows: &HashMap<(String, Table), u64>) {
        let mut lost = self.lost_rows.lock();
        for (run, n) in rows.iter().filter(|(_, n)| **n > 0) {
            *lost.entry(run.clone()).or_default() += n;
        }
    }
}

impl StoreWriter {
    fn send(&self, command: Command) -> Result<(), StoreError> {
        self.keep.send(command).map_err(|_| StoreError::WriterGone)
    }

    pub fn create_run(&self, run: Run) -> Result<(), StoreError> {
        self.send(Command::Run(RunRow::Create(run)))
    }

    /// Changes a run's status; a terminal status also sets its end time and summary or error.
    pub fn set_run_status(
        &self,
        id: &str,
        status: RunStatus,
        end_time: Option<i64>,
        summary: Option<serde_json::Value>,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        self.send(Command::Run(RunRow::Status {
            id: id.to_string(),
            status,
            end_time,
            summary,
            error,
        }))
    }

    pub fn record_metrics(&self, run_id: &str, points: Vec<MetricPoint>) -> Result<(), StoreError> {
        self.send(Command::Metrics {
            run_id: run_id.to_string(),
            points,
        })
    }

    /// A result that must be kept: a failure, or a design-mode request.
    pub fn record_result(&self, row: ResultRow) -> Result<(), StoreError> {
        self.send(Command::Result(row))
    }

    /// A sample of a successful result: never blocks; dropped (and counted) when the writer is behind.
    pub fn record_sample(&self, row: ResultRow) -> bool {
        match self.samples.try_send(row) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.counters.dropped_samples.fetch_add(1, Relaxed);
                false
            }
        }
    }

    /// Waits until everything sent before this call is committed.
    pub fn flush(&self) -> Result<(), StoreError> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.send(Command::Flush(tx))?;
        rx.recv().map_err(|_| StoreError::WriterGone)
    }

    /// Runs `f` on the write connection inside the writer's transaction and returns its result.
    pub(crate) fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.send(Command::Call(Box::new(move |conn| {
            let result = in_savepoint(conn, f);
            Box::new(move |commit: Result<(), CommitFailure>| {
                let commit = commit.map_err(|f| match f {
                    CommitFailure::NotCommitted(m) => StoreError::Conflict(m),
                    CommitFailure::Unwritable(m) => StoreError::Unwritable(m),
                });
                let _ = tx.send(commit.and(result));
            })
        })))?;
        rx.recv().map_err(|_| StoreError::WriterGone)?
    }

    pub fn counters(&self) -> &WriterCounters {
        &self.counters
    }

    /// Runs whose rows the database has not taken yet (see `unrecorded.rs`).
    pub fn unrecorded(&self) -> &Unrecorded {
        &self.unrecorded
    }
}

pub(crate) struct WriterThread {
    handle: Option<JoinHandle<()>>,
    keep: Sender<Command>,
}

impl WriterThread {
    pub(crate) fn start(conn: Connection) -> std::io::Result<(WriterThread, StoreWriter)> {
        let (keep, keep_rx) = crossbeam_channel::unbounded();
        let (samples, samples_rx) = crossbeam_channel::bounded(SAMPLE_QUEUE);
        let counters = Arc::new(WriterCounters::default());
        let thread_counters = Arc::clone(&counters);
        let unrecorded = Unrecorded::default();
        let thread_unrecorded = unrecorded.clone();
        let handle = std::thread::Builder::new()
            .name("vayu-store-writer".into())
            .spawn(move || {
                let queues = Queues {
                    keep: keep_rx,
                    samples: samples_rx,
                };
                Writer {
                    conn,
                    queues,
                    counters: thread_counters,
                    retry: RefCell::default(),
                    unrecorded: thread_unrecorded,
                }
                .run()
            })?;
        let writer = StoreWriter {
            keep: keep.clone(),
            samples,
            counters,
            unrecorded,
        };
        Ok((
            WriterThread {
                handle: Some(handle),
                keep,
            },
            writer,
        ))
    }

    /// Commits what is queued and stops the thread.
    pub(crate) fn shutdown(&mut self) {
        let _ = self.keep.send(Command::Shutdown);
        if let Some(handle) = self.handle.take() {
            if handle.join().is_err() {
                log::error!("the store writer thread panicked");
            }
        }
    }
}

impl Drop for WriterThread {
    fn drop(&mut self) {
        self.shutdown();
    }
}

enum Item {
    Command(Command),
    Sample(ResultRow),
}

struct Writer {
    conn: Connection,
    queues: Queues,
    counters: Arc<WriterCounters>,
    /// Run rows not committed yet, in order; each batch begins with them.
    retry: RefCell<Vec<RunRow>>,
    unrecorded: Unrecorded,
}

/// How often run rows that did not commit are tried again while nothing else comes.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// The tables a run's rows go to, besides its own row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Results,
    Metrics,
}

/// What a batch holds that its end must account for.
#[derive(Default)]
struct Batch {
    /// Result and metric rows applied, by run and table.
    rows: HashMap<(String, Table), u64>,
    /// Run rows applied, in order.
    run_rows: Vec<RunRow>,
    /// Calls whose writes SQLite rolled back with the batch: they must hear so.
    rolled_back_calls: bool,
}

impl Batch {
    fn row_count(&self) -> usize {
        self.rows.values().sum::<u64>() as usize
    }
}

struct Queues {
    keep: Receiver<Command>,
    samples: Receiver<ResultRow>,
}

impl Writer {
    /// Applies batches until shut down. A panic inside a batch (a fault in this code or below
    /// it) rolls the batch back and answers its callers with the reason; the writer goes on.
    fn run(self) {
        let mut acks: Vec<Sender<()>> = Vec::new();
        let mut replies: Vec<Reply> = Vec::new();
        loop {
            let retrying = !self.retry.borrow().is_empty();
            let first = self.queues.next(retrying.then_some(RETRY_EVERY));
            if first.is_none() && !retrying {
                return;
            }
            match crate::fault::contain(|| self.batch(first, &mut acks, &mut replies)) {
                Ok(true) => return,
                Ok(false) => {}
                Err(what) => {
                    let why =
                        format!("the database writer failed ({what}); the batch was rolled back");
                    log::error!("store: {why}");
                    let _ = self.conn.execute_batch("ROLLBACK");
                    self.counters.failed(why.clone());
                    self.counters.rolled_back_batches.fetch_add(1, Relaxed);
                    for reply in replies.drain(..) {
                        reply(Err(CommitFailure::NotCommitted(why.clone())));
                    }
                    for ack in acks.drain(..) {
                        let _ = ack.send(());
                    }
                }
            }
        }
    }

    /// One batch: a transaction of the run rows still to retry, then what the queues hold, up to
    /// `BATCH_ROWS` or `BATCH_WINDOW`, then its callers answered. Returns whether the writer
    /// was told to shut down.
    fn batch(
        &self,
        first: Option<Item>,
        acks: &mut Vec<Sender<()>>,
        replies: &mut Vec<Reply>,
    ) -> bool {
        let mut shutdown = false;
        let mut begun = self.begin();
        let started = Instant::now();
        let mut batch = Batch::default();
        // First the run rows an earlier batch could not commit, so a run's rows stay in order.
        let retry = std::mem::take(&mut *self.retry.borrow_mut());
        for row in retry {
            self.apply_run_row(&self.conn, row, &mut batch);
        }
        let mut item = first;
        while let Some(next) = item.take() {
            shutdown |= matches!(next, Item::Command(Command::Shutdown));
            let ends_batch = self.apply_item(next, &mut batch, acks, replies);
            // After the item is applied, so the panic finds it in the batch.
            #[cfg(test)]
            if tests::PANIC_IN_BATCH
                .lock()
                .take_if(|path| Some(path.as_str()) == self.conn.path())
                .is_some()
            {
                panic!("injected into a batch");
            }
            if begun.is_ok() && self.conn.is_autocommit() {
                // SQLite rolled the transaction back itself (it does on a full disk or an
                // I/O error): the batch's rows so far are gone. Say so, and go on in a new
                // transaction rather than one statement at a time.
                let cause = self.counters.last_failure().unwrap_or_default();
                self.not_committed(&mut batch, &cause);
                begun = self.begin();
            }
            if ends_batch || batch.row_count() >= BATCH_ROWS {
                break;
            }
            let left = BATCH_WINDOW.saturating_sub(started.elapsed());
            if !left.is_zero() {
                item = self.queues.next(Some(left));
            }
        }
        let committed = self.commit(begun, &mut batch);
        let rolled_back = std::mem::take(&mut batch.rolled_back_calls);
        for reply in replies.drain(..) {
            reply(match &committed {
                Ok(()) if rolled_back => Err(CommitFailure::Unwritable(
                    "the database rolled the write back (a full disk or an I/O error); nothing was saved".into(),
                )),
                other => other.clone(),
            });
        }
        for ack in acks.drain(..) {
            let _ = ack.send(());
        }
        shutdown
    }

    /// Applies one queued item to the open transaction. Returns whether it ends the batch: a
    /// command someone waits on (a flush, a call, shutting down) or a run row is committed at
    /// once.
    fn apply_item(
        &self,
        item: Item,
        batch: &mut Batch,
        acks: &mut Vec<Sender<()>>,
        replies: &mut Vec<Reply>,
    ) -> bool {
        let tx = &self.conn;
        match item {
            Item::Command(Command::Shutdown) => true,
            Item::Command(Command::Flush(ack)) => {
                acks.push(ack);
                // Samples sent before the flush are waiting in their own queue: take them.
                while let Ok(row) = self.queues.samples.try_recv() {
                    apply_result(tx, &row, &self.counters, batch);
                }
                true
            }
            Item::Command(Command::Call(call)) => {
                replies.push(call(tx));
                true
            }
            // A run's row is committed at once: a later batch that fails (a full disk rolls
            // a transaction back) must not take it along.
            Item::Command(Command::Run(row)) => {
                self.apply_run_row(tx, row, batch);
                true
            }
            Item::Command(command) => {
                apply(tx, command, &self.counters, batch);
                false
            }
            Item::Sample(row) => {
                apply_result(tx, &row, &self.counters, batch);
                false
            }
        }
    }

    /// Commits the batch's transaction; what a failed commit (or no transaction at all) lost is
    /// counted as not recorded.
    fn commit(&self, begun: Result<(), String>, batch: &mut Batch) -> Result<(), CommitFailure> {
        // Without a transaction each statement stood alone (and failed, counted).
        if let Err(why) = begun {
            self.not_committed(batch, &why);
            return Err(CommitFailure::Unwritable(why));
        }
        match self.conn.execute_batch("COMMIT") {
            Ok(()) => {
                self.counters
                    .rows_written
                    .fetch_add(batch.row_count() as u64, Relaxed);
                if !batch.run_rows.is_empty() && self.retry.borrow().is_empty() {
                    self.unrecorded.clear();
                }
                Ok(())
            }
            Err(e) => {
                let why = format!("the write was not committed: {e}");
                self.counters.failed(why.clone());
                let _ = self.conn.execute_batch("ROLLBACK");
                self.not_committed(batch, &why);
                Err(match super::error::cannot_write(&e) {
                    true => CommitFailure::Unwritable(why),
                    false => CommitFailure::NotCommitted(why),
                })
            }
        }
    }

    /// Applies a run row; one the database cannot take now (a full disk) is kept to retry.
    fn apply_run_row(&self, tx: &Connection, row: RunRow, batch: &mut Batch) {
        match apply_run_row(tx, &row) {
            Ok(_) => batch.run_rows.push(row),
            Err(e) if super::error::cannot_write(&e) => {
                self.counters.failed(e.to_string());
                self.keep_for_retry(row);
            }
            Err(e) => statement_failed(&self.counters, &e),
        }
    }

    /// What the batch applied is gone (rolled back, or not committed): its rows are counted
    /// as lost to their runs, its run rows kept to retry, its calls told.
    fn not_committed(&self, batch: &mut Batch, why: &str) {
        let rows = batch.row_count();
        let something = rows > 0 || !batch.run_rows.is_empty();
        if something && self.counters.rolled_back_batches.fetch_add(1, Relaxed) < 10 {
            log::error!(
                "store: {why}: {rows} rows of a batch are lost; run rows are kept and retried"
            );
        }
        self.counters.lose(&batch.rows);
        batch.rows.clear();
        for row in std::mem::take(&mut batch.run_rows) {
            self.keep_for_retry(row);
        }
        batch.rolled_back_calls = true;
    }

    fn keep_for_retry(&self, row: RunRow) {
        self.unrecorded.keep(&row, || {
            super::reader::read_run(&self.conn, row.id()).ok().flatten()
        });
        self.retry.borrow_mut().push(row);
    }
}

impl Writer {
    /// Begins the batch's IMMEDIATE transaction, waiting for as long as another process holds the
    /// write lock: the items already taken from the queues must not be lost. A database that
    /// cannot be written at all (read-only, full, failing) is not waited for: the batch goes on
    /// without a transaction, its writes fail and are counted, and its callers hear why.
    fn begin(&self) -> Result<(), String> {
        let mut attempts = 0u32;
        while let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE") {
            let busy = matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            );
            if !busy {
                let why = format!("the database cannot be written: {e}");
                self.counters.failed(why.clone());
                if self.counters.unwritable_batches.fetch_add(1, Relaxed) < 10 {
                    log::error!("store: {why}; writes are failing (runs go on unrecorded)");
                }
                return Err(why);
            }
            if attempts == 0 {
                log::warn!("store: cannot begin a write transaction ({e}); retrying until the database is free");
            }
            attempts += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        if attempts > 0 {
            log::info!("store: write transaction begun after {attempts} retries");
        }
        Ok(())
    }
}

impl Queues {
    /// The next item, must-keep commands first. `None` on timeout, or when every sender is gone
    /// (waiting forever when `timeout` is `None`).
    fn next(&self, timeout: Option<Duration>) -> Option<Item> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            match self.keep.try_recv() {
                Ok(command) => return Some(Item::Command(command)),
                Err(TryRecvError::Disconnected) => {
                    // No sender of commands is left: finish what samples remain, then stop.
                    return self.samples.try_recv().ok().map(Item::Sample);
                }
                Err(TryRecvError::Empty) => {}
            }
            if let Ok(row) = self.samples.try_recv() {
                return Some(Item::Sample(row));
            }
            let mut select = Select::new();
            select.recv(&self.keep);
            select.recv(&self.samples);
            let ready = match deadline {
                Some(d) => select.ready_deadline(d).ok(),
                None => Some(select.ready()),
            };
            ready?;
        }
    }
}

/// Runs `f` inside a savepoint of the batch's transaction, so a call that fails halfway leaves
/// nothing of itself behind.
fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch("SAVEPOINT call")?;
    let result = f(conn);
    if result.is_err() {
        conn.execute_batch("ROLLBACK TO call")?;
    }
    conn.execute_batch("RELEASE call")?;
    result
}

/// Applies one command inside the batch, counting its rows by run. A failing statement is
/// logged and counted (its rows lost to the run); the rest of the batch goes on.
fn apply(conn: &Connection, command: Command, counters: &WriterCounters, batch: &mut Batch) {
    match command {
        Command::Metrics { run_id, points } => {
            let result = conn
                .prepare_cached("INSERT INTO metrics (run_id, timestamp, name, value, labels) VALUES (?1, ?2, ?3, ?4, ?5)")
                .and_then(|mut st| {
                    let mut n = 0;
                    for p in &points {
                        n += st.execute(params![run_id, p.timestamp, p.name, p.value, p.labels.as_ref().map(|l| l.to_string())])?;
                    }
                    Ok(n)
                });
            count(
                result,
                (&run_id, Table::Metrics),
                points.len(),
                counters,
                batch,
            );
        }
        Command::Result(row) => apply_result(conn, &row, counters, batch),
        Command::Run(_) | Command::Call(_) | Command::Flush(_) | Command::Shutdown => {}
    }
}

fn apply_run_row(conn: &Connection, row: &RunRow) -> rusqlite::Result<usize> {
    match row {
        RunRow::Create(run) => conn
            .prepare_cached(
                "INSERT INTO runs (id, request_id, environment_id, type, status, config_snapshot, start_time, end_time, summary, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    run.id,
                    run.request_id,
                    run.environment_id,
                    run.run_type.as_str(),
                    run.status.as_str(),
                    run.config.to_string(),
                    run.start_time,
                    run.end_time,
                    run.summary.as_ref().map(|s| s.to_string()),
                    run.error,
                ])
            }),
        RunRow::Status { id, status, end_time, summary, error } => conn
            .prepare_cached(
                "UPDATE runs SET status = ?2, end_time = coalesce(?3, end_time),
                 summary = coalesce(?4, summary), error = coalesce(?5, error) WHERE id = ?1",
            )
            .and_then(|mut st| st.execute(params![id, status.as_str(), end_time, summary.as_ref().map(|s| s.to_string()), error])),
    }
}

fn apply_result(conn: &Connection, row: &ResultRow, counters: &WriterCounters, batch: &mut Batch) {
    let result = conn
        .prepare_cached(
            "INSERT INTO results (run_id, timestamp, status_code, latency_ms, error, trace_data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut st| {
            st.execute(params![
                row.run_id,
                row.timestamp,
                row.status_code,
                row.latency_ms,
                row.error,
                row.trace_data.as_ref().map(|t| t.to_string()),
            ])
        });
    count(result, (&row.run_id, Table::Results), 1, counters, batch);
}

/// A statement's rows go in the batch's count for their run, or, when it failed, are lost.
fn count(
    result: rusqlite::Result<usize>,
    (run_id, table): (&str, Table),
    rows: usize,
    counters: &WriterCounters,
    batch: &mut Batch,
) {
    let key = (run_id.to_string(), table);
    match result {
        Ok(n) => *batch.rows.entry(key).or_default() += n as u64,
        Err(e) => {
            statement_failed(counters, &e);
            counters.lose(&HashMap::from([(key, rows as u64)]));
        }
    }
}

fn statement_failed(counters: &WriterCounters, err: &rusqlite::Error) {
    counters.failed(err.to_string());
    // Log the first few; a run deleted mid-recording would otherwise flood the log.
    if counters.failed_statements.fetch_add(1, Relaxed) < 10 {
        log::error!("store: a write failed and was skipped: {err}");
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A database file's path: its writer's next batch panics (once).
    pub(crate) static PANIC_IN_BATCH: parking_lot::Mutex<Option<String>> =
        parking_lot::Mutex::new(None);

    /// A panic inside a batch (injected) rolls that batch back and answers its callers with the
    /// reason; the writer goes on, and later writes commit.
    #[test]
    fn a_panic_in_a_batch_fails_that_batch_and_the_writer_goes_on() {
        let dir = std::env::temp_dir().join(format!("vayu-writer-panic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v.db");
        crate::store::Store::open(&path).unwrap().close();
        let conn = Connection::open(&path).unwrap();
        let real_path = conn.path().unwrap().to_string();
        let (mut thread, writer) = WriterThread::start(conn).unwrap();
        *PANIC_IN_BATCH.lock() = Some(real_path);
        let err = writer.create_collection("lost", None).unwrap_err();
        assert!(err.to_string().contains("injected into a batch"), "{err}");
        let kept = writer
            .create_collection("kept", None)
            .expect("the writer goes on");
        assert_eq!(kept.name, "kept");
        writer.flush().unwrap();
        thread.shutdown();
        let conn = Connection::open(&path).unwrap();
        let names: Vec<String> = conn
            .prepare("SELECT name FROM collections")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(names, ["kept"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A database the writer cannot write (here: opened read-only, as SQLite opens a read-only
    /// file) fails its writes with a reason a client can act on, and answers every caller.
    #[test]
    fn an_unwritable_database_fails_writes_instead_of_hanging() {
        let dir = std::env::temp_dir().join(format!("vayu-unwritable-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v.db");
        crate::store::Store::open(&path).unwrap().close();
        let conn =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let (mut thread, writer) = WriterThread::start(conn).unwrap();
        writer
            .record_result(ResultRow {
                id: 0,
                run_id: "run_x".into(),
                timestamp: 0,
                status_code: Some(200),
                latency_ms: None,
                error: None,
                trace_data: None,
            })
            .unwrap();
        writer.flush().expect("a flush is answered");
        let err = writer.create_collection("c", None).unwrap_err();
        assert!(matches!(err, StoreError::Unwritable(_)), "{err}");
        assert!(err.to_string().contains("cannot be written"), "{err}");
        assert!(
            writer.counters().failed_statements.load(Relaxed) >= 1,
            "the result row failed, counted"
        );
        thread.shutdown();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
