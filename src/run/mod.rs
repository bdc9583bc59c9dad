//! Load runs: the run file, the pacing strategies and k6's executors (as engine jobs, one share
//! per worker: a `RunShare` paces requests, a `UserShare` runs a flow's virtual users), the
//! reporter, the final report and thresholds. `RunManager` ties them to an engine and a store.
//!
//! ```text
//! RunManager::start(spec) ── validate ── store: run row (pending → running)
//!     └─ engine.start_job: one share per worker ──(interval stats every 100 ms)──► reporter
//!  reporter ── snapshots → subscribers, metrics → store (1/s), final report → store + subscribers
//! ```

mod collection_runs;
#[cfg(test)]
mod faults;
mod merge;
mod outbox;
mod plan;
mod report;
mod reporter;
pub(crate) mod schedule;
pub(crate) mod segment;
mod share;
pub(crate) mod stats;
pub(crate) mod threshold;
mod users;

pub use crate::engine::Percentiles;
pub use collection_runs::{CollectionRun, StreamEvent};
pub use merge::{merge, MergedReport};
pub use plan::{LoadConfigSpec, LoadPlan, Mode, RunSpec, StageSpec};
pub use report::{
    deserialize_histogram, FinalReport, FlowReport, LatencyReport, PartialReport, PhaseAverages,
    StepReport,
};
pub use reporter::{
    snapshot_metrics, step_metrics, FlowSnapshot, LatencyBrief, RunEvent, RunSnapshot,
    SnapshotLatency, StepSnapshot,
};
pub use threshold::{Threshold, ThresholdResult};

use crate::engine::EventLoop;
use crate::model::ValidationError;
use crate::store::{new_id, now_ms, Run, RunStatus, RunType, StoreError, StoreWriter};
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use share::RunShare;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use users::UserShare;

const NOT_STOPPED: u64 = u64::MAX;

/// What every share of a run reads: the plan, the start, and whether to stop.
pub(crate) struct RunShared {
    pub id: String,
    pub start: Instant,
    pub plan: LoadPlan,
    /// Nanoseconds after `start` at which a stop was requested.
    stop_ns: AtomicU64,
    /// Iterations mode: the next request index, shared so the total is exact.
    pub next_index: AtomicU64,
    /// Flow runs: the next iteration's number (it picks the data row), over all workers.
    pub next_iteration: AtomicU64,
    /// A second stop: requests in flight are aborted at once instead of after the graceful stop.
    aborted: AtomicBool,
    /// Results recording (`config.record`), when the run has a database; each share clones it.
    pub recorder: Option<crate::recording::OutcomeRecorder>,
}

impl RunShared {
    /// When sending ended, if it has: a stop request, or the end of the run's duration.
    pub(crate) fn stopped_at(&self, now: Instant) -> Option<Instant> {
        let requested = match self.stop_ns.load(Relaxed) {
            NOT_STOPPED => None,
            ns => Some(self.start + Duration::from_nanos(ns)),
        };
        let end = self
            .plan
            .duration()
            .map(|d| self.start + d)
            .filter(|end| now >= *end);
        match (requested, end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Before a common start (`startAt`): the start, to wait for; `None` once it has come or
    /// the run was stopped.
    pub(crate) fn waiting_to_start(&self, now: Instant) -> Option<Instant> {
        (now < self.start && !self.stop_requested()).then_some(self.start)
    }

    /// Whether a share still starts what was due before the run's natural end: only an open
    /// model's sends (or iterations) due before it go out late (corrected latency counts the
    /// lateness), as they would mid-run, bounded by the graceful stop; a worker that wakes 50 µs
    /// after the end must not drop the send due 50 µs before it. Never after a stop request.
    pub(crate) fn starts_late(&self, now: Instant, stopped_at: Instant) -> bool {
        self.plan.is_open() && !self.stop_requested() && now < stopped_at + self.plan.graceful_stop
    }

    /// When a run that stopped sending at `stopped_at` aborts what is still in flight: after its
    /// graceful stop, or at once once aborted.
    pub(crate) fn graceful_end(&self, stopped_at: Instant) -> Instant {
        if self.aborted.load(Relaxed) {
            return stopped_at;
        }
        // A graceful stop is at most a year (`model::duration::MAX_DURATION`): no overflow.
        stopped_at + self.plan.graceful_stop
    }

    pub(crate) fn stop_requested(&self) -> bool {
        self.stop_ns.load(Relaxed) != NOT_STOPPED
    }

    fn request_stop(&self) {
        let ns = self.start.elapsed().as_nanos() as u64;
        let _ = self
            .stop_ns
            .compare_exchange(NOT_STOPPED, ns, Relaxed, Relaxed);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("could not start the run: {0}")]
    Engine(String),
}

/// A started run: its id and its events (progress every 100 ms, then the final report).
pub struct RunHandle {
    pub id: String,
    pub events: Receiver<RunEvent>,
}

impl RunHandle {
    /// Waits for the final report, skipping progress events.
    pub fn wait(&self) -> Option<FinalReport> {
        self.events.iter().find_map(|e| match e {
            RunEvent::Complete(report) => Some(*report),
            RunEvent::Progress(_) => None,
        })
    }
}

pub struct RunManager {
    engine: Arc<EventLoop>,
    store: Option<StoreWriter>,
    commands: Option<Sender<reporter::Command>>,
    active: Arc<Mutex<HashMap<String, Arc<RunShared>>>>,
    /// Collection runs (Newman's semantics, one virtual user each), beside the load runs.
    collections: Arc<collection_runs::CollectionRuns>,
    latest: Mutex<HashMap<String, Arc<Mutex<Option<RunSnapshot>>>>>,
    reporter: Option<JoinHandle<()>>,
}

impl RunManager {
    pub fn new(engine: Arc<EventLoop>, store: Option<StoreWriter>) -> std::io::Result<RunManager> {
        let (commands, receiver) = crossbeam_channel::unbounded();
        let active = Arc::new(Mutex::new(HashMap::new()));
        let reporter = reporter::spawn(receiver, Arc::clone(&active))?;
        Ok(RunManager {
            engine,
            store,
            commands: Some(commands),
            active,
            collections: Arc::default(),
            latest: Mutex::default(),
            reporter: Some(reporter),
        })
    }

    /// Starts a collection run (it needs the store it records into); its id.
    pub fn start_collection(&self, run: CollectionRun) -> Result<String, RunError> {
        let writer = self.store.as_ref().ok_or_else(|| {
            RunError::Engine(
                "collection runs are recorded: start the engine with a database".into(),
            )
        })?;
        self.collections.start(&self.engine, writer, run)
    }

    /// A collection run's events from now on, while it runs.
    pub fn subscribe_collection(&self, id: &str) -> Option<Receiver<StreamEvent>> {
        self.collections.subscribe(id)
    }

    /// In-flight requests the engine can hold: the default `maxInFlight` of open-model runs.
    pub fn engine_capacity(&self) -> u64 {
        (self.engine.config().max_concurrent * self.engine.worker_count()) as u64
    }

    /// Validates and starts a run; returns at once.
    pub fn start(&self, spec: &RunSpec) -> Result<RunHandle, RunError> {
        let plan = spec.prepare(self.engine_capacity())?;
        let id = new_id("run");
        if let Some(store) = &self.store {
            store.create_run(Run {
                id: id.clone(),
                request_id: None,
                environment_id: None,
                run_type: RunType::Load,
                status: RunStatus::Pending,
                config: serde_json::to_value(spec).unwrap_or_default(),
                start_time: now_ms(),
                end_time: None,
                summary: None,
                error: None,
            })?;
        }
        let workers = self.engine.worker_count();
        let shared = self.shared_state(&id, plan);
        if let Some(store) = &self.store {
            store.set_run_status(&id, RunStatus::Running, None, None, None)?;
        }
        let (reports, report_rx) = crossbeam_channel::unbounded();
        let started = self.start_shares(&shared, &reports);
        let failure = (started < workers).then(|| {
            format!("only {started} of {workers} workers took the run: the engine is stopping")
        });
        if failure.is_some() {
            shared.request_stop();
        }
        let (events_tx, events) = reporter::subscriber_channel();
        self.active.lock().insert(id.clone(), Arc::clone(&shared));
        let tracked = reporter::TrackedRun {
            shared,
            reports: report_rx,
            shares: workers,
            subscribers: vec![events_tx],
            store: self.store.clone(),
            failure,
            latest: self.latest_slot(&id),
        };
        self.send(reporter::Command::Track(Box::new(tracked)))?;
        Ok(RunHandle { id, events })
    }

    /// What the run's shares have in common: the plan, its start, its stop and its recorder.
    fn shared_state(&self, id: &str, plan: LoadPlan) -> Arc<RunShared> {
        let recorder = match (&self.store, plan.record) {
            (Some(store), Some(policy)) => Some(crate::recording::OutcomeRecorder::new(
                crate::store::ResultRecorder::new(store.clone(), policy),
                id.to_string(),
            )),
            _ => None,
        };
        // A common start (`startAt`): the shares wait for it; the schedule counts from it.
        let start = Instant::now()
            + Duration::from_millis(
                plan.start_at_ms
                    .map_or(0, |at| at.saturating_sub(crate::clock::now_millis())),
            );
        Arc::new(RunShared {
            id: id.to_string(),
            start,
            plan,
            stop_ns: AtomicU64::new(NOT_STOPPED),
            next_index: AtomicU64::new(0),
            next_iteration: AtomicU64::new(0),
            aborted: AtomicBool::new(false),
            recorder,
        })
    }

    /// Gives every worker its share of the run (a user share for flows, a request share
    /// otherwise); returns how many workers took one.
    fn start_shares(
        &self,
        shared: &Arc<RunShared>,
        reports: &Sender<stats::ShareMessage>,
    ) -> usize {
        let plan = &shared.plan;
        let workers = self.engine.worker_count();
        // Each open-model share at least 1: a share with no room would drop every send it owns.
        let limits: Vec<usize> = (0..workers)
            .map(|i| UserShare::limit_of(&plan.mode, plan.max_in_flight, workers, i))
            .collect();
        self.engine
            .start_job(|i, n| -> Box<dyn crate::engine::Job> {
                let (shared, reports) = (Arc::clone(shared), reports.clone());
                match &plan.flow {
                    Some(flow) => Box::new(UserShare::new(
                        shared,
                        Arc::clone(flow),
                        i,
                        n,
                        limits[i],
                        reports,
                    )),
                    None => Box::new(RunShare::new(shared, i, n, limits[i], reports)),
                }
            })
    }

    /// The slot the reporter keeps the run's latest snapshot in; only active runs' slots are kept.
    fn latest_slot(&self, id: &str) -> Arc<Mutex<Option<RunSnapshot>>> {
        let latest = Arc::new(Mutex::new(None));
        let mut all = self.latest.lock();
        let active = self.active.lock();
        all.retain(|run, _| active.contains_key(run));
        all.insert(id.to_string(), Arc::clone(&latest));
        latest
    }

    /// Asks a run to stop: nothing new is sent, in-flight requests get the run's graceful stop.
    /// Asked again, it aborts them at once (a second Ctrl-C). Returns false if no such run is
    /// active.
    pub fn stop(&self, id: &str) -> bool {
        match self.active.lock().get(id) {
            Some(run) => {
                if run.stop_requested() {
                    run.aborted.store(true, Relaxed);
                }
                run.request_stop();
                true
            }
            // A collection run stops before its next request.
            None => self.collections.stop(id),
        }
    }

    /// Another subscriber to an active run's events.
    pub fn subscribe(&self, id: &str) -> Option<Receiver<RunEvent>> {
        if !self.active.lock().contains_key(id) {
            return None;
        }
        let (tx, rx) = reporter::subscriber_channel();
        self.send(reporter::Command::Subscribe {
            id: id.to_string(),
            events: tx,
        })
        .ok()?;
        Some(rx)
    }

    /// The latest progress snapshot of an active run.
    pub fn progress(&self, id: &str) -> Option<RunSnapshot> {
        if !self.active.lock().contains_key(id) {
            return None;
        }
        self.latest
            .lock()
            .get(id)
            .and_then(|slot| slot.lock().clone())
    }

    /// The load and collection runs in progress.
    pub fn active_runs(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.active.lock().keys().cloned().collect();
        ids.extend(self.collections.active_ids());
        ids
    }

    fn send(&self, command: reporter::Command) -> Result<(), RunError> {
        self.commands
            .as_ref()
            .and_then(|c| c.send(command).ok())
            .ok_or_else(|| RunError::Engine("the reporter has stopped".into()))
    }
}

impl Drop for RunManager {
    /// Stops every active run and waits for the reporter to finish them.
    fn drop(&mut self) {
        for run in self.active.lock().values() {
            run.request_stop();
        }
        self.commands = None;
        if let Some(reporter) = self.reporter.take() {
            let _ = reporter.join();
        }
    }
}

/// Worker `i`'s part of `total` split over `n` workers; the parts add up to `total`.
fn split(total: u64, n: usize, i: usize) -> usize {
    let n = n as u64;
    (total / n + u64::from((i as u64) < total % n)) as usize
}
