//! One worker thread: a libcurl multi handle, a command queue, a rate limiter and the jobs it runs.
//! It shares nothing mutable with other workers; other threads reach it only through its channel,
//! its multi-waker and its atomic counters.

use super::config::EngineConfig;
use super::connection_budget::ConnectionBudget;
use super::failure::transfer_error;
use super::job::{Job, Next, Outcome};
use super::rate_limiter::RateLimiter;
use super::reactor::{Reactor, SHARDS};
use super::transfer::{self, EasyHandle};
use crate::model::{ErrorCategory, PreparedRequest, Response, TransferError};
use crossbeam_channel::{Receiver, TryRecvError};
use curl::multi::Easy2Handle;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Called once with the result of a single request, on the worker thread: keep it short.
pub(super) type Completion = Box<dyn FnOnce(Result<Response, TransferError>) + Send>;

pub(crate) enum Command {
    Single {
        request: Arc<PreparedRequest>,
        done: Completion,
    },
    Job(Box<dyn Job>),
    /// Start nothing new; let in-flight transfers finish until `grace` has passed, then abort them.
    Stop {
        grace: Duration,
    },
}

/// Lock-free counters other threads read while the worker runs.
#[derive(Debug, Default)]
pub(super) struct WorkerCounters {
    /// Single requests sent to this worker and not started yet.
    pub queued: AtomicUsize,
    pub active: AtomicUsize,
    /// Transfers finished (response or error).
    pub processed: AtomicU64,
    /// Times the worker slept and woke: a busy loop shows up here.
    pub wakeups: AtomicU64,
    /// Finished transfers by outcome: [transport error, 1xx, 2xx, 3xx, 4xx, 5xx].
    pub by_class: [AtomicU64; 6],
    /// Responses by service time: `LATENCY_BUCKETS_US[i]` or less (the last: more than all).
    pub latency_buckets: [AtomicU64; LATENCY_BUCKETS_US.len() + 1],
    /// The responses' service times added up, µs.
    pub latency_sum_us: AtomicU64,
}

/// The upper bounds of the service-time buckets `/metrics` exports, µs (Prometheus's classic
/// histogram: bucket counts add up across engines, unlike percentiles).
pub const LATENCY_BUCKETS_US: [u64; 16] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

impl WorkerCounters {
    /// Counts a finished transfer: its status class and, for a response, its service time.
    fn count(&self, status: u16, total_us: u64) {
        let class = if (100..600).contains(&status) {
            (status / 100) as usize
        } else {
            0
        };
        self.by_class[class].fetch_add(1, Relaxed);
        if class > 0 {
            let bucket = LATENCY_BUCKETS_US.partition_point(|&b| b < total_us);
            self.latency_buckets[bucket].fetch_add(1, Relaxed);
            self.latency_sum_us.fetch_add(total_us, Relaxed);
        }
    }
}

/// Transfers a shard takes before the next one is used. To find an idle connection libcurl
/// compares the request with every connection of the pool, busy ones included: at 128, the
/// 64-connection closed model spent 5.6% of its instructions there; at 8, 1.9%.
const SHARD_FILL: usize = 8;

/// The same for transfers that may multiplex: their pool holds few connections, and streams
/// spread over shards would each need a connection of their own.
const SHARD_FILL_MULTIPLEXED: usize = 1024;

/// Remembered freed shards at most (more only means more idle connections than starts).
const MAX_FREED_SHARDS: usize = 65_536;

/// A wake-up with nothing scheduled still happens this often, as a safety net.
const MAX_POLL: Duration = Duration::from_secs(1);
/// How long an idle worker keeps its connections open: as long as the usual server keep-alive
/// (Node's and Apache's 5 s), so consecutive requests still reuse them.
const IDLE_CONNECTIONS_KEPT: Duration = Duration::from_secs(5);

struct Slot {
    handle: Easy2Handle<transfer::Collector>,
    /// The multi handle (shard) it was added to.
    shard: usize,
    request: Arc<PreparedRequest>,
    origin: Origin,
}

enum Origin {
    Single(Completion),
    Job { id: u64, tag: u64 },
}

/// An idle easy handle and the request it is still configured for, so the same request can be
/// sent again without setting its options anew.
struct IdleHandle {
    easy: EasyHandle,
    configured_for: Option<Arc<PreparedRequest>>,
}

struct ActiveJob {
    id: u64,
    job: Box<dyn Job>,
    in_flight: usize,
    /// It said [`Next::Done`]; it ends when `in_flight` reaches 0.
    done: bool,
    /// One of its calls panicked, with this message: it is told and dropped, its transfers
    /// aborted, and the worker goes on with the others.
    panicked: Option<String>,
}

pub(crate) struct Worker {
    config: Arc<EngineConfig>,
    commands: Receiver<Command>,
    counters: Arc<WorkerCounters>,
    // Field order is drop order: transfers (easy handles still added to the multi) go first,
    // then idle handles, then the multi handle they belong to.
    slots: Vec<Option<Slot>>,
    idle: Vec<IdleHandle>,
    reactor: Reactor,
    free_slots: Vec<usize>,
    limiter: RateLimiter,
    /// Paces the connections open-model jobs' transfers open beyond the pool (see its module).
    connections: ConnectionBudget,
    singles: VecDeque<(Arc<PreparedRequest>, Completion)>,
    jobs: Vec<ActiveJob>,
    next_job_id: u64,
    stop_deadline: Option<Instant>,
    /// Single requests in flight (they, unlike jobs, are capped by `max_concurrent`).
    singles_active: usize,
    /// Transfers in flight per shard.
    shard_active: [usize; SHARDS],
    /// Shards where a transfer just finished, most recent last: the next transfer goes there,
    /// to the idle connection it left, so shards do not each open connections of their own.
    freed_shards: Vec<usize>,
    finished: Vec<(usize, Result<(), curl::Error>)>,
    /// Since when the worker has had nothing to do, while it keeps connections.
    idle_since: Option<Instant>,
}

impl Worker {
    pub(crate) fn new(
        config: Arc<EngineConfig>,
        commands: Receiver<Command>,
        counters: Arc<WorkerCounters>,
        rate_share: f64,
        burst_share: f64,
    ) -> std::io::Result<Worker> {
        let reactor = Reactor::new(config.max_per_host)?;
        Ok(Worker {
            limiter: RateLimiter::new(rate_share, burst_share, Instant::now()),
            connections: ConnectionBudget::new(Instant::now()),
            config,
            commands,
            counters,
            slots: Vec::new(),
            idle: Vec::new(),
            reactor,
            free_slots: Vec::new(),
            singles: VecDeque::new(),
            jobs: Vec::new(),
            next_job_id: 0,
            stop_deadline: None,
            singles_active: 0,
            shard_active: [0; SHARDS],
            freed_shards: Vec::new(),
            finished: Vec::new(),
            idle_since: None,
        })
    }

    pub(crate) fn waker(&self) -> Arc<vayu_ffi::Waker> {
        self.reactor.waker()
    }

    pub(crate) fn run(mut self) {
        super::self_guard::install(std::sync::Arc::clone(&self.config.self_guard));
        loop {
            self.drain_commands();
            let now = Instant::now();
            if self.stop_deadline.is_some_and(|d| now >= d) {
                self.abort_all();
            }
            let wake_at = if self.stop_deadline.is_none() {
                self.start_ready(now)
            } else {
                None
            };
            self.reactor.run_due_timers();
            if self.collect_finished() > 0 {
                // Completions free capacity: refill before sleeping.
                continue;
            }
            self.end_finished_jobs();
            if self.stop_deadline.is_some() && self.active() == 0 {
                break;
            }
            let close_at = self.close_idle_connections(now);
            self.sleep(now, wake_at.into_iter().chain(close_at).min());
        }
        for job in std::mem::take(&mut self.jobs) {
            match job.panicked {
                Some(reason) => end_panicked(job.job, &reason),
                None => end_job(job.job),
            }
        }
    }

    /// A worker with nothing to do for `IDLE_CONNECTIONS_KEPT` closes its connections: servers
    /// close idle ones on their side, and libcurl would keep each such socket (in CLOSE-WAIT)
    /// until its next transfer, which a daemon may never start. Its idle easy handles go too:
    /// each keeps the last request it sent and libcurl's copy of its body (a large run's would
    /// stay held). Returns when to look again.
    fn close_idle_connections(&mut self, now: Instant) -> Option<Instant> {
        let idle = self.active() == 0 && self.jobs.is_empty() && self.singles.is_empty();
        if !idle || self.reactor.shards_in_use() == 0 {
            self.idle_since = None;
            return None;
        }
        let close_at = *self.idle_since.get_or_insert(now) + IDLE_CONNECTIONS_KEPT;
        if now < close_at {
            return Some(close_at);
        }
        // Handles before the multi handles they were used with (the fields' drop order).
        self.idle.clear();
        self.reactor.close_connections();
        self.freed_shards.clear();
        self.idle_since = None;
        None
    }

    fn active(&self) -> usize {
        self.slots.len() - self.free_slots.len()
    }

    fn drain_commands(&mut self) {
        loop {
            match self.commands.try_recv() {
                Ok(Command::Single { request, done }) => {
                    if self.stop_deadline.is_some() {
                        self.counters.queued.fetch_sub(1, Relaxed);
                        call(done, Err(stopped()));
                    } else {
                        self.singles.push_back((request, done));
                    }
                }
                Ok(Command::Job(job)) => {
                    if self.stop_deadline.is_some() {
                        end_job(job);
                    } else {
                        self.next_job_id += 1;
                        self.jobs.push(ActiveJob {
                            id: self.next_job_id,
                            job,
                            in_flight: 0,
                            done: false,
                            panicked: None,
                        });
                    }
                }
                Ok(Command::Stop { grace }) => self.begin_stop(grace),
                Err(TryRecvError::Empty) => break,
                // The engine was dropped without a stop: wind down as if told to stop now.
                Err(TryRecvError::Disconnected) => {
                    self.begin_stop(Duration::ZERO);
                    break;
                }
            }
        }
    }

    fn begin_stop(&mut self, grace: Duration) {
        // A later stop may shorten the grace (an abort at shutdown), never lengthen it.
        let deadline = Instant::now() + grace;
        self.stop_deadline = Some(self.stop_deadline.map_or(deadline, |d| d.min(deadline)));
        for (_, done) in self.singles.drain(..) {
            self.counters.queued.fetch_sub(1, Relaxed);
            call(done, Err(stopped()));
        }
        for job in &mut self.jobs {
            job.done = true;
        }
    }

    /// Starts what is due, within the rate limit. Single requests are capped at `max_concurrent`
    /// in flight; jobs cap themselves (their concurrency or in-flight limit), so a run that asks
    /// for more concurrency than that gets it. Returns when to look again if something is
    /// scheduled for later.
    // Kept whole: the request path's loop: each job's sends in turn under the rate
    // limit and connection budget; its steps share the borrow of `self.jobs[j]`.
    fn start_ready(&mut self, now: Instant) -> Option<Instant> {
        let mut wake_at: Option<Instant> = None;
        let max = self.config.max_concurrent;
        while self.singles_active < max && !self.singles.is_empty() {
            if !self.limiter.try_acquire(now) {
                return self.limiter.wait_time(now).map(|w| now + w);
            }
            let (request, done) = self.singles.pop_front().expect("checked non-empty");
            self.counters.queued.fetch_sub(1, Relaxed);
            match self.start(request, Origin::Single(done)) {
                Ok(()) => self.singles_active += 1,
                Err((err, origin)) => self.fail_unstarted(origin, err),
            }
        }
        for j in 0..self.jobs.len() {
            let arrivals = self.jobs[j].job.arrivals();
            while !self.jobs[j].done {
                if arrivals && !self.connections.allows(self.active(), now) {
                    let at = self.connections.next_at();
                    wake_at = Some(wake_at.map_or(at, |w| w.min(at)));
                    break;
                }
                if !self.limiter.try_acquire(now) {
                    return self.limiter.wait_time(now).map(|w| now + w);
                }
                let job = &mut self.jobs[j];
                let next = match crate::fault::contain(|| job.job.next(now, job.in_flight)) {
                    Ok(next) => next,
                    Err(what) => {
                        self.limiter.refund();
                        job.done = true;
                        job.panicked = Some(panicked_in("next", &what));
                        break;
                    }
                };
                match next {
                    Next::Start { request, tag } => {
                        let origin = Origin::Job { id: job.id, tag };
                        job.in_flight += 1;
                        if arrivals {
                            // (Fields, not `active()`: `job` borrows `self.jobs`.)
                            self.connections
                                .started(self.slots.len() - self.free_slots.len());
                        }
                        if let Err((err, origin)) = self.start(request, origin) {
                            self.fail_unstarted(origin, err);
                        }
                    }
                    other => {
                        self.limiter.refund();
                        if arrivals {
                            self.connections.caught_up();
                        }
                        match other {
                            Next::At(t) => wake_at = Some(wake_at.map_or(t, |w| w.min(t))),
                            Next::Done => job.done = true,
                            Next::Abort => {
                                job.done = true;
                                let id = job.id;
                                self.abort_job(id);
                            }
                            Next::Wait | Next::Start { .. } => {}
                        }
                        break;
                    }
                }
            }
        }
        wake_at
    }

    /// Adds a transfer to the multi handle, reusing an idle easy handle.
    fn start(
        &mut self,
        request: Arc<PreparedRequest>,
        origin: Origin,
    ) -> Result<(), (TransferError, Origin)> {
        if request.host_is_reserved_invalid() {
            let message = format!(
                "Could not resolve host: {} (.invalid names never resolve; not looked up)",
                request.host
            );
            return Err((TransferError::new(ErrorCategory::Dns, message), origin));
        }
        let easy = match self.configured_handle(&request) {
            Ok(easy) => easy,
            Err(e) => return Err((e, origin)),
        };
        let index = self.free_slots.pop().unwrap_or_else(|| {
            self.slots.push(None);
            self.slots.len() - 1
        });
        let shard = self.pick_shard(&request);
        let mut handle = match self.reactor.add(shard, easy) {
            Ok(handle) => handle,
            Err(e) => {
                // The easy handle went down with the failed add; a fresh one replaces it later.
                self.free_slots.push(index);
                return Err((
                    TransferError::new(ErrorCategory::Protocol, e.description()),
                    origin,
                ));
            }
        };
        if let Err(e) = handle.set_token(index) {
            let _ = self.reactor.multi(shard).remove2(handle);
            self.free_slots.push(index);
            return Err((transfer_error(&e), origin));
        }
        self.slots[index] = Some(Slot {
            handle,
            shard,
            request,
            origin,
        });
        self.shard_active[shard] += 1;
        self.counters.active.fetch_add(1, Relaxed);
        Ok(())
    }

    /// An idle easy handle set up for `request`: only re-armed when it was last set up for the
    /// same request, else reset and configured (a new one when none is idle).
    fn configured_handle(
        &mut self,
        request: &Arc<PreparedRequest>,
    ) -> Result<curl::easy::Easy2<transfer::Collector>, TransferError> {
        let mut idle = match self.idle.pop() {
            // A handle whose cookie engine was on would send that engine's cookies.
            Some(idle)
                if !(idle.easy.get_ref().uses_cookie_engine() && request.jar_cookies.is_none()) =>
            {
                idle
            }
            _ => IdleHandle {
                easy: transfer::new_handle(&self.config),
                configured_for: None,
            },
        };
        match &idle.configured_for {
            Some(prev) if Arc::ptr_eq(prev, request) => transfer::rearm(&mut idle.easy),
            prev => {
                if prev.is_some() {
                    idle.easy.reset();
                }
                if let Err(e) = transfer::configure(&mut idle.easy, request, &self.config) {
                    idle.configured_for = None;
                    self.idle.push(idle);
                    return Err(transfer_error(&e));
                }
            }
        }
        Ok(idle.easy)
    }

    /// The shard for a new transfer: where one just finished (its connection is idle there);
    /// else the first shard with fewer than `SHARD_FILL` transfers, so a small run stays in one
    /// multi handle; else the least busy one, so a large run's connections spread evenly.
    /// HTTP/2 transfers fill a shard up to `SHARD_FILL_MULTIPLEXED`: libcurl multiplexes only
    /// within one multi handle, so spreading them would open a connection per shard.
    fn pick_shard(&mut self, request: &PreparedRequest) -> usize {
        if let Some(shard) = self.freed_shards.pop() {
            return shard;
        }
        let fill = if request.may_multiplex() {
            SHARD_FILL_MULTIPLEXED
        } else {
            SHARD_FILL
        };
        (0..SHARDS)
            .find(|&s| self.shard_active[s] < fill)
            .unwrap_or_else(|| {
                (0..SHARDS)
                    .min_by_key(|&s| self.shard_active[s])
                    .unwrap_or(0)
            })
    }

    /// Reports a transfer that could not even start.
    fn fail_unstarted(&mut self, origin: Origin, err: TransferError) {
        self.counters.processed.fetch_add(1, Relaxed);
        match origin {
            Origin::Single(done) => call(done, Err(err)),
            Origin::Job { id, tag } => self.job_completed(id, tag, failed_outcome(err)),
        }
    }

    fn collect_finished(&mut self) -> usize {
        let mut finished = std::mem::take(&mut self.finished);
        let slots = &self.slots;
        let in_use = self.reactor.shards_in_use();
        for shard in (0..in_use).filter(|&s| self.shard_active[s] > 0) {
            self.reactor.multi(shard).messages(|msg| {
                if let Ok(token) = msg.token() {
                    if let Some(Some(slot)) = slots.get(token) {
                        if let Some(result) = msg.result_for2(&slot.handle) {
                            finished.push((token, result));
                        }
                    }
                }
            });
        }
        let n = finished.len();
        for (token, result) in finished.drain(..) {
            self.complete(token, result.map_err(|e| transfer_error(&e)));
        }
        self.finished = finished;
        n
    }

    /// Takes a transfer out of the multi handle and delivers its outcome.
    fn complete(&mut self, token: usize, result: Result<(), TransferError>) {
        let Some(slot) = self.slots[token].take() else {
            return;
        };
        if matches!(slot.origin, Origin::Single(_)) {
            self.singles_active -= 1;
        }
        self.shard_active[slot.shard] -= 1;
        if self.freed_shards.len() < MAX_FREED_SHARDS {
            self.freed_shards.push(slot.shard);
        }
        self.free_slots.push(token);
        self.counters.active.fetch_sub(1, Relaxed);
        self.counters.processed.fetch_add(1, Relaxed);
        let mut easy = match self.reactor.multi(slot.shard).remove2(slot.handle) {
            Ok(easy) => easy,
            Err(e) => {
                log_worker_error("curl_multi_remove_handle", &e);
                let err = result.err().unwrap_or_else(|| {
                    TransferError::new(ErrorCategory::Protocol, e.description())
                });
                match slot.origin {
                    Origin::Single(done) => call(done, Err(err)),
                    Origin::Job { id, tag } => self.job_completed(id, tag, failed_outcome(err)),
                }
                return;
            }
        };
        let result = result.map_err(|e| transfer::explain(&easy, e));
        match slot.origin {
            Origin::Single(done) => {
                let result = result.map(|()| transfer::response(&mut easy));
                let (status, total_us) = result
                    .as_ref()
                    .map_or((0, 0), |r| (r.status, r.timings.total));
                self.counters.count(status, total_us);
                call(done, result)
            }
            Origin::Job { id, tag } => {
                let outcome = self.job_outcome(id, result, &mut easy);
                self.counters.count(outcome.status, outcome.timings.total);
                self.job_completed(id, tag, outcome);
            }
        }
        self.idle.push(IdleHandle {
            easy,
            configured_for: Some(slot.request),
        });
    }

    /// A job's transfer as an [`Outcome`]: the whole response only when the job wants it (its
    /// scripts read it), else just the status, timings and sizes.
    fn job_outcome(
        &self,
        id: u64,
        result: Result<(), TransferError>,
        easy: &mut curl::easy::Easy2<transfer::Collector>,
    ) -> Outcome {
        let wants_response = self.jobs.iter().any(|j| {
            j.id == id
                && j.panicked.is_none()
                && crate::fault::contain(|| j.job.wants_response()).unwrap_or(false)
        });
        let (bytes_sent, bytes_received) = transfer::wire_sizes(easy);
        let mut outcome = match result {
            Err(err) => failed_outcome(err),
            Ok(()) if wants_response => {
                let response = transfer::response(easy);
                Outcome {
                    status: response.status,
                    timings: response.timings,
                    body_size: response.body_size,
                    response: Some(response),
                    ..Outcome::default()
                }
            }
            Ok(()) => Outcome {
                status: transfer::status(easy),
                timings: transfer::timings(easy),
                body_size: easy.get_ref().body_size(),
                ..Outcome::default()
            },
        };
        outcome.bytes_sent = bytes_sent;
        outcome.bytes_received = bytes_received;
        outcome
    }

    fn job_completed(&mut self, id: u64, tag: u64, outcome: Outcome) {
        if let Some(job) = self.jobs.iter_mut().find(|j| j.id == id) {
            job.in_flight -= 1;
            if job.panicked.is_some() {
                return;
            }
            let job_ref = &mut job.job;
            if let Err(what) = crate::fault::contain(|| job_ref.completed(tag, outcome)) {
                job.done = true;
                job.panicked = Some(panicked_in("completed", &what));
            }
        }
    }

    fn end_finished_jobs(&mut self) {
        let mut i = 0;
        while i < self.jobs.len() {
            if let Some(reason) = self.jobs[i].panicked.take() {
                let job = self.jobs.swap_remove(i);
                // Its transfers end unheard (it is out of the list), then it hears why.
                self.abort_job(job.id);
                end_panicked(job.job, &reason);
            } else if self.jobs[i].done && self.jobs[i].in_flight == 0 {
                end_job(self.jobs.swap_remove(i).job);
            } else {
                i += 1;
            }
        }
    }

    /// Removes every in-flight transfer and reports it as aborted.
    fn abort_all(&mut self) {
        self.abort_where(|_| true);
    }

    /// Aborts the in-flight transfers of one job.
    fn abort_job(&mut self, id: u64) {
        self.abort_where(|origin| matches!(origin, Origin::Job { id: j, .. } if *j == id));
    }

    /// Removes the in-flight transfers whose origin matches and reports them as aborted.
    fn abort_where(&mut self, matches: impl Fn(&Origin) -> bool) {
        for token in 0..self.slots.len() {
            if self.slots[token]
                .as_ref()
                .is_some_and(|slot| matches(&slot.origin))
            {
                let err = TransferError::new(
                    ErrorCategory::Aborted,
                    "stopped before the response completed",
                );
                self.complete(token, Err(err));
            }
        }
    }

    fn sleep(&mut self, now: Instant, wake_at: Option<Instant>) {
        let curl_deadline = self.reactor.curl_deadline();
        if curl_deadline.is_some_and(|d| d <= now) {
            return;
        }
        let mut timeout = MAX_POLL;
        for deadline in [curl_deadline, wake_at, self.stop_deadline]
            .into_iter()
            .flatten()
        {
            timeout = timeout.min(deadline.saturating_duration_since(now));
        }
        self.reactor.wait(timeout);
        self.counters.wakeups.fetch_add(1, Relaxed);
    }
}

fn stopped() -> TransferError {
    TransferError::new(
        ErrorCategory::Aborted,
        "the engine is stopping; the request was not sent",
    )
}

fn failed_outcome(err: TransferError) -> Outcome {
    Outcome {
        error: Some(err),
        ..Outcome::default()
    }
}

/// A job's `finish`; one that panics is logged (the job's own drop guard tells its owner).
fn end_job(job: Box<dyn Job>) {
    if let Err(what) = crate::fault::contain(|| job.finish()) {
        log::error!("{}; the worker goes on", panicked_in("finish", &what));
    }
}

/// Tells a job that panicked why, and drops it; a second panic is only logged.
fn end_panicked(mut job: Box<dyn Job>, reason: &str) {
    log::error!("{reason}; the worker goes on");
    let told = crate::fault::contain(|| {
        job.panicked(reason);
        drop(job);
    });
    if told.is_err() {
        log::error!("a job panicked again while told it had panicked");
    }
}

/// What a caught panic in a job's `call` said, for the run's error.
fn panicked_in(call: &str, what: &str) -> String {
    format!("a job panicked in `{call}`: {what}")
}

/// Runs a completion callback; a panicking callback must not take the worker and its transfers down.
fn call(done: Completion, result: Result<Response, TransferError>) {
    if crate::fault::contain(|| done(result)).is_err() {
        log::error!("a request completion callback panicked; the worker goes on");
    }
}

fn log_worker_error(what: &str, err: &dyn std::fmt::Display) {
    log::error!("worker: {what} failed: {err}");
}
