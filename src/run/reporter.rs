//! The reporter thread: every 100 ms it merges what each run's shares measured, publishes a
//! snapshot to the run's subscribers, writes the run's metrics to the store once a second, and
//! finishes a run (final report, terminal status) when all its shares have ended.

use super::report::FinalReport;
use super::stats::{RunStats, ShareMessage};
use super::RunShared;
use crate::engine::Percentiles;
use crate::store::{now_ms, MetricPoint, RunStatus, StoreWriter, Table};
use crossbeam_channel::{Receiver, Sender};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(super) const TICK: Duration = Duration::from_millis(100);
const WINDOW: Duration = Duration::from_secs(1);
const METRICS_EVERY: Duration = Duration::from_secs(1);
/// Progress events a subscriber may fall behind by before it misses some.
const SUBSCRIBER_BACKLOG: usize = 256;

/// What a run's subscribers receive.
#[derive(Debug, Clone)]
pub enum RunEvent {
    Progress(Box<RunSnapshot>),
    /// The last event of a run.
    Complete(Box<FinalReport>),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyBrief {
    pub avg: f64,
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
}

impl From<Percentiles> for LatencyBrief {
    fn from(s: Percentiles) -> Self {
        LatencyBrief {
            avg: s.avg,
            p50: s.p50,
            p95: s.p95,
            p99: s.p99,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotLatency {
    pub last_second: LatencyBrief,
    pub cumulative: LatencyBrief,
    /// Open-model runs, whose two above are corrected (from the intended send): the service
    /// time (from the actual send), so a viewer sees both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_last_second: Option<LatencyBrief>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_cumulative: Option<LatencyBrief>,
}

/// A run's progress, as of one reporter tick. Latencies in µs: corrected for open-model runs,
/// service time otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSnapshot {
    pub run_id: String,
    pub elapsed_secs: f64,
    /// Completed requests per second over the last second.
    pub rps: f64,
    pub total_requests: u64,
    pub requests_sent: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_expected: Option<u64>,
    pub in_flight: u64,
    pub dropped: u64,
    pub aborted: u64,
    pub error_rate: f64,
    pub errors: BTreeMap<String, u64>,
    pub status_codes: BTreeMap<u16, u64>,
    pub latency_us: SnapshotLatency,
    /// Flow runs: iterations and the steps table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<FlowSnapshot>,
    /// A segment of a split plan: the last second's latency histogram (as a report's
    /// `histogram`), so a coordinator merges the engines' live percentiles exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_second_histogram: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowSnapshot {
    /// Iterations run to their end so far.
    pub iterations: u64,
    /// Iterations ended per second over the last second.
    pub iterations_per_sec: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations_expected: Option<u64>,
    /// Virtual users created so far.
    pub users: u64,
    pub steps: Vec<StepSnapshot>,
}

/// One step's numbers so far; latencies as the run's (corrected for arrival-rate executors).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepSnapshot {
    pub name: String,
    pub requests: u64,
    /// Completed per second over the last second.
    pub rps: f64,
    pub failed: u64,
    pub error_rate: f64,
    pub latency_us: SnapshotLatency,
}

pub(crate) enum Command {
    Track(Box<TrackedRun>),
    Subscribe {
        id: String,
        events: Sender<RunEvent>,
    },
}

pub(crate) struct TrackedRun {
    pub shared: Arc<RunShared>,
    pub reports: Receiver<ShareMessage>,
    pub shares: usize,
    pub subscribers: Vec<Sender<RunEvent>>,
    pub store: Option<StoreWriter>,
    /// Set when the run cannot go on as planned (an engine fault): it ends `failed`.
    pub failure: Option<String>,
    /// The latest snapshot, for readers that poll (the daemon's `GET /run/:id`).
    pub latest: Arc<Mutex<Option<RunSnapshot>>>,
}

struct RunState {
    run: TrackedRun,
    finished_shares: usize,
    cumulative: RunStats,
    /// The last second of ticks: (when the tick's interval began, what it held).
    window: VecDeque<(Instant, RunStats)>,
    last_tick: Instant,
    last_metrics: Instant,
    /// When the last share ended.
    ended_at: Option<Instant>,
}

pub(crate) fn spawn(
    commands: Receiver<Command>,
    active: Arc<Mutex<HashMap<String, Arc<RunShared>>>>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("vayu-reporter".into())
        .spawn(move || run(commands, active))
}

/// How long after a run ends the reporter gives freed memory back (when no run is going).
const RELEASE_DELAY: Duration = Duration::from_secs(1);

fn run(commands: Receiver<Command>, active: Arc<Mutex<HashMap<String, Arc<RunShared>>>>) {
    let mut runs: HashMap<String, RunState> = HashMap::new();
    let mut next_tick = Instant::now() + TICK;
    // When to give the memory freed by ended runs back to the system, if no run is going then.
    let mut release_at: Option<Instant> = None;
    loop {
        match commands.recv_deadline(next_tick) {
            Ok(Command::Track(run)) => {
                let now = Instant::now();
                let id = run.shared.id.clone();
                runs.insert(
                    id,
                    RunState {
                        run: *run,
                        finished_shares: 0,
                        cumulative: RunStats::default(),
                        window: VecDeque::new(),
                        last_tick: now,
                        last_metrics: now,
                        ended_at: None,
                    },
                );
                continue;
            }
            Ok(Command::Subscribe { id, events }) => {
                if let Some(state) = runs.get_mut(&id) {
                    state.run.subscribers.push(events);
                }
                continue;
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) if runs.is_empty() => return,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(next_tick.saturating_duration_since(Instant::now()))
            }
        }
        let now = Instant::now();
        next_tick = now + TICK;
        let done = tick_all(&mut runs, now);
        if !done.is_empty() {
            // A moment after the end: the workers drop their shares (and script runtimes) just
            // after they report finishing.
            release_at = Some(now + RELEASE_DELAY);
        }
        if runs.is_empty() && release_at.is_some_and(|at| now >= at) {
            release_at = None;
            vayu_ffi::release_free_memory();
        }
        for id in done {
            if let Some(state) = runs.remove(&id) {
                // Inactive before anyone hears it is complete.
                active.lock().remove(&id);
                finish(state, &id);
            }
        }
    }
}

/// Every run's tick; returns the runs that ended. A fault in one run's numbers fails that run,
/// not the reporter of every run.
fn tick_all(runs: &mut HashMap<String, RunState>, now: Instant) -> Vec<String> {
    let mut done = Vec::new();
    for (id, state) in runs.iter_mut() {
        match crate::fault::contain(|| state.tick(now)) {
            Ok(true) => done.push(id.clone()),
            Ok(false) => {}
            Err(what) => {
                let reason = format!("the run's reporter failed: {what}");
                state.run.failure.get_or_insert(reason);
                state.run.shared.request_stop();
                done.push(id.clone());
            }
        }
    }
    done
}

/// The run's final report; a run whose report cannot be built is recorded as failed.
fn finish(state: RunState, id: &str) {
    let store = state.run.store.clone();
    if let Err(what) = crate::fault::contain(|| state.finish()) {
        let reason = format!("the run's final report could not be built: {what}");
        log::error!("run {id}: {reason}");
        if let Some(store) = store {
            let _ = store.set_run_status(id, RunStatus::Failed, Some(now_ms()), None, Some(reason));
        }
    }
}

impl RunState {
    /// Takes in what the shares sent; returns whether every share has ended.
    fn tick(&mut self, now: Instant) -> bool {
        #[cfg(test)]
        if tests::PANIC_IN_TICK
            .lock()
            .take_if(|id| *id == self.run.shared.id)
            .is_some()
        {
            panic!("injected into the reporter's tick");
        }
        let mut interval = RunStats::default();
        while let Ok(message) = self.run.reports.try_recv() {
            match message {
                ShareMessage::Interval(stats) => interval.merge(&stats),
                ShareMessage::Failed(reason) => {
                    self.run.failure.get_or_insert(reason);
                }
                ShareMessage::Finished(stats, at) => {
                    interval.merge(&stats);
                    self.finished_shares += 1;
                    self.ended_at = Some(self.ended_at.map_or(at, |e| e.max(at)));
                }
            }
        }
        self.cumulative.merge(&interval);
        self.window.push_back((self.last_tick, interval));
        self.last_tick = now;
        while self
            .window
            .front()
            .is_some_and(|(start, _)| now.duration_since(*start) > WINDOW + TICK / 2)
        {
            self.window.pop_front();
        }
        let ended = self.finished_shares >= self.run.shares;
        if ended {
            // The run's last part second (all of a run shorter than a second) gets its point.
            self.write_metrics(&self.snapshot(now));
        } else {
            let snapshot = self.snapshot(now);
            if now.duration_since(self.last_metrics) >= METRICS_EVERY {
                self.last_metrics = now;
                self.write_metrics(&snapshot);
            }
            *self.run.latest.lock() = Some(snapshot.clone());
            self.run.subscribers.retain(|s| {
                match s.try_send(RunEvent::Progress(Box::new(snapshot.clone()))) {
                    Ok(()) | Err(crossbeam_channel::TrySendError::Full(_)) => true,
                    Err(crossbeam_channel::TrySendError::Disconnected(_)) => false,
                }
            });
        }
        ended
    }

    fn primary<'a>(&self, stats: &'a RunStats) -> &'a hdrhistogram::Histogram<u64> {
        if self.run.shared.plan.is_open() {
            &stats.corrected_us
        } else {
            &stats.transfers.latency_us
        }
    }

    fn snapshot(&self, now: Instant) -> RunSnapshot {
        let mut last_second = RunStats::default();
        for (_, stats) in &self.window {
            last_second.merge(stats);
        }
        let span = self
            .window
            .front()
            .map_or(TICK, |(start, _)| now.duration_since(*start))
            .max(TICK);
        let c = &self.cumulative;
        let open = self.run.shared.plan.is_open();
        RunSnapshot {
            run_id: self.run.shared.id.clone(),
            elapsed_secs: now.duration_since(self.run.shared.start).as_secs_f64(),
            rps: last_second.completed() as f64 / span.as_secs_f64(),
            total_requests: c.completed(),
            requests_sent: c.sent,
            requests_expected: self.run.shared.plan.requests_expected(),
            in_flight: c.sent.saturating_sub(c.completed()),
            dropped: c.dropped,
            aborted: c.aborted(),
            error_rate: c.error_rate(),
            errors: c
                .transfers
                .errors()
                .into_iter()
                .map(|e| (e.category.to_string(), e.count))
                .collect(),
            status_codes: c.transfers.status_counts(),
            latency_us: SnapshotLatency {
                last_second: Percentiles::of(self.primary(&last_second)).into(),
                cumulative: Percentiles::of(self.primary(c)).into(),
                service_last_second: open
                    .then(|| Percentiles::of(&last_second.transfers.latency_us).into()),
                service_cumulative: open.then(|| Percentiles::of(&c.transfers.latency_us).into()),
            },
            flow: self.flow_snapshot(&last_second, span),
            last_second_histogram: self
                .run
                .shared
                .plan
                .segment
                .is_some()
                .then(|| super::report::serialize(self.primary(&last_second))),
        }
    }

    fn flow_snapshot(&self, last_second: &RunStats, span: Duration) -> Option<FlowSnapshot> {
        let plan = self.run.shared.plan.flow.as_ref()?;
        let empty = super::stats::FlowStats::default();
        let total = self.cumulative.flow.as_deref().unwrap_or(&empty);
        let recent = last_second.flow.as_deref().unwrap_or(&empty);
        let no_step = RunStats::default();
        let secs = span.as_secs_f64();
        let steps = plan
            .names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let all = total.steps.get(&i).unwrap_or(&no_step);
                let last = recent.steps.get(&i).unwrap_or(&no_step);
                StepSnapshot {
                    name: name.clone(),
                    requests: all.completed(),
                    rps: last.completed() as f64 / secs,
                    failed: all.transfers.failed(),
                    error_rate: all.error_rate(),
                    latency_us: SnapshotLatency {
                        last_second: Percentiles::of(self.primary(last)).into(),
                        cumulative: Percentiles::of(self.primary(all)).into(),
                        ..Default::default()
                    },
                }
            })
            .collect();
        Some(FlowSnapshot {
            iterations: total.iterations,
            iterations_per_sec: recent.iterations as f64 / secs,
            iterations_expected: self.run.shared.plan.iterations_expected(),
            users: total.users,
            steps,
        })
    }

    /// The spec's metric set, once a second. Latencies in ms, the error rate in percent.
    fn write_metrics(&self, s: &RunSnapshot) {
        let Some(store) = &self.run.store else { return };
        let t = now_ms();
        let mut points: Vec<MetricPoint> = snapshot_metrics(s)
            .into_iter()
            .map(|(name, value)| MetricPoint {
                timestamp: t,
                name: name.into(),
                value,
                labels: None,
            })
            .collect();
        // Each step's, labelled with its name.
        for step in s.flow.iter().flat_map(|f| &f.steps) {
            for (name, value) in step_metrics(step) {
                points.push(MetricPoint {
                    timestamp: t,
                    name: name.into(),
                    value,
                    labels: Some(serde_json::json!({"step": step.name})),
                });
            }
        }
        if let Err(e) = store.record_metrics(&s.run_id, points) {
            log::error!("run {}: metrics not recorded: {e}", s.run_id);
        }
    }

    /// Builds the final report, records the terminal status, and tells the subscribers.
    fn finish(self) {
        let shared = &self.run.shared;
        let elapsed = self
            .ended_at
            .unwrap_or_else(Instant::now)
            .saturating_duration_since(shared.start);
        let (status, error) = match (&self.run.failure, shared.stop_requested()) {
            (Some(reason), _) => (RunStatus::Failed, Some(reason.clone())),
            (None, true) => (
                RunStatus::Stopped,
                Some("stopped before its end".to_string()),
            ),
            (None, false) => (RunStatus::Completed, None),
        };
        let mut report = FinalReport::build(
            &shared.id,
            status,
            error.clone(),
            &shared.plan,
            &self.cumulative,
            elapsed,
        );
        report.recording = shared.recorder.as_ref().map(|r| r.counts());
        if let Some(store) = &self.run.store {
            // The final status is written below; flush first so its own batch's failures count.
            let _ = store.flush();
            let counters = store.counters();
            report.results_not_recorded = counters.lost_rows(&shared.id, Table::Results);
            report.metrics_not_recorded = counters.lost_rows(&shared.id, Table::Metrics);
            if report.results_not_recorded + report.metrics_not_recorded > 0 {
                report.recording_failed = Some(format!(
                    "{} results and {} metrics rows of the run could not be written ({}); what is recorded of it is incomplete",
                    report.results_not_recorded,
                    report.metrics_not_recorded,
                    counters.last_failure().unwrap_or_default()
                ));
            }
        }
        if let Some(store) = &self.run.store {
            let summary = serde_json::to_value(&report).ok();
            let recorded = store
                .set_run_status(&shared.id, status, Some(now_ms()), summary, error)
                .and_then(|()| store.flush());
            if let Err(e) = recorded {
                log::error!("run {}: final status not recorded: {e}", shared.id);
            }
        }
        for s in &self.run.subscribers {
            let _ = s.send_timeout(
                RunEvent::Complete(Box::new(report.clone())),
                Duration::from_secs(1),
            );
        }
    }
}

/// A subscriber's channel: bounded, so a reader that stops reading cannot grow memory.
pub(super) fn subscriber_channel() -> (Sender<RunEvent>, Receiver<RunEvent>) {
    crossbeam_channel::bounded(SUBSCRIBER_BACKLOG)
}

/// A snapshot's run-level metrics as the database records them once a second (and the HTML
/// report charts them): latencies in ms, the error rate in percent.
pub fn snapshot_metrics(s: &RunSnapshot) -> Vec<(&'static str, f64)> {
    let ms = |us: u64| us as f64 / 1000.0;
    let l = &s.latency_us.last_second;
    let mut points = vec![
        ("rps", s.rps),
        ("latency_avg", l.avg / 1000.0),
        ("latency_p50", ms(l.p50)),
        ("latency_p95", ms(l.p95)),
        ("latency_p99", ms(l.p99)),
        ("error_rate", s.error_rate * 100.0),
        ("total_requests", s.total_requests as f64),
        ("connections_active", s.in_flight as f64),
        ("requests_sent", s.requests_sent as f64),
        ("dropped", s.dropped as f64),
    ];
    if let Some(expected) = s.requests_expected {
        points.push(("requests_expected", expected as f64));
    }
    if let Some(flow) = &s.flow {
        points.push(("iterations", flow.iterations as f64));
        points.push(("iterations_per_sec", flow.iterations_per_sec));
    }
    points
}

/// A journey step's metrics as the database records them once a second, labelled with the
/// step's name.
pub fn step_metrics(step: &StepSnapshot) -> [(&'static str, f64); 6] {
    let ms = |us: u64| us as f64 / 1000.0;
    let l = &step.latency_us.last_second;
    [
        ("rps", step.rps),
        ("latency_p50", ms(l.p50)),
        ("latency_p95", ms(l.p95)),
        ("latency_p99", ms(l.p99)),
        ("error_rate", step.error_rate * 100.0),
        ("total_requests", step.requests as f64),
    ]
}

#[cfg(test)]
pub(crate) mod tests {
    /// A run's id: the reporter's next tick of that run panics (once).
    pub(crate) static PANIC_IN_TICK: parking_lot::Mutex<Option<String>> =
        parking_lot::Mutex::new(None);
}
