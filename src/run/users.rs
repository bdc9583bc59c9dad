//! One worker's virtual users of a flow run, as one engine [`Job`]. Each user is a paced
//! [`FlowJob`]: it runs an iteration of the flow when this share starts one, then idles. The
//! share starts iterations as the run's executor says (on the open model's schedule, keeping
//! a number of users busy, or counting iterations), counts each step's requests and each
//! iteration, and reports to the reporter every 100 ms like a request share.
//!
//! Users are driven only when something happened to them (a ready queue and a timer heap), so
//! thousands of idle or waiting users cost nothing per call. They share this worker's script
//! runtime, each with its own variables and cookie jar.

use super::outbox::Outbox;
use super::plan::{FlowPlan, Mode};
use super::share::owed;
use super::split;
use super::stats::ShareMessage;
use super::RunShared;
use crate::engine::{Job, Next, Outcome, SIDE_TAG};
use crate::flow::{FlowEvent, FlowJob};
use crate::script::{end_run, user_run};
use crossbeam_channel::Sender;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Tags carry the user's index above the user's own tag (its `SIDE_TAG` bit kept).
const USER_SHIFT: u32 = 40;
const INNER_MASK: u64 = (1 << USER_SHIFT) - 1;

fn tag_of(user: usize, inner: u64) -> u64 {
    (inner & SIDE_TAG) | ((user as u64) << USER_SHIFT) | (inner & INNER_MASK)
}

fn user_of(tag: u64) -> usize {
    ((tag & !SIDE_TAG) >> USER_SHIFT) as usize
}

fn inner_of(tag: u64) -> u64 {
    tag & (SIDE_TAG | INNER_MASK)
}

/// How often a ramping-users share looks whether it should start more users.
const RAMP_CHECK: Duration = Duration::from_millis(10);

/// Iterations one call may start before it lets the worker serve its transfers (users whose
/// steps all end without a send would otherwise keep it here).
const STARTS_PER_CALL: usize = 1000;

struct User {
    job: FlowJob<Vec<FlowEvent>>,
    /// When the iteration in progress was due.
    due: Instant,
    /// Iterations it ran to their end.
    ran: u64,
    busy: bool,
    /// The timer it waits for (older heap entries for it are stale).
    wake: Option<Instant>,
}

/// What the executor wants next.
enum Starting {
    /// An iteration was started (or counted dropped): look again.
    Started,
    /// Nothing to start before then.
    Wait(Instant),
    /// No more iterations; sending ended then.
    End(Instant),
}

pub(crate) struct UserShare {
    shared: Arc<RunShared>,
    flow: Arc<FlowPlan>,
    worker: usize,
    workers: usize,
    /// Users this share may have: its part of the users (closed) or of `maxVUs` (open).
    limit: usize,
    users: Vec<User>,
    /// Users free for an iteration.
    idle: Vec<usize>,
    /// Users to drive: something happened to them.
    ready: VecDeque<usize>,
    timers: BinaryHeap<Reverse<(Instant, usize)>>,
    busy: usize,
    /// Open model: the next schedule index this share starts.
    next_k: u64,
    out: Outbox,
    settled: bool,
    recorder: Option<crate::recording::OutcomeRecorder>,
}

impl UserShare {
    pub(crate) fn new(
        shared: Arc<RunShared>,
        flow: Arc<FlowPlan>,
        worker: usize,
        workers: usize,
        limit: usize,
        reports: Sender<ShareMessage>,
    ) -> UserShare {
        UserShare {
            recorder: shared.recorder.clone(),
            out: Outbox::new(shared.start, reports),
            shared,
            flow,
            worker,
            workers,
            limit,
            // Reserved, not touched: pages a run never fills cost no memory.
            users: Vec::with_capacity(limit),
            idle: Vec::with_capacity(limit),
            ready: VecDeque::new(),
            timers: BinaryHeap::new(),
            busy: 0,
            next_k: worker as u64,
            settled: false,
        }
    }

    /// The users a share of `workers` may need at most, for the run's mode.
    pub(crate) fn limit_of(mode: &Mode, max_in_flight: u64, workers: usize, i: usize) -> usize {
        match mode {
            Mode::Open(_) => split(max_in_flight, workers, i).max(1),
            Mode::Closed { concurrency, .. } | Mode::Iterations { concurrency, .. } => {
                split(*concurrency, workers, i)
            }
            Mode::PerUserIterations { users, .. } => split(*users, workers, i),
            Mode::RampingUsers { start, stages } => {
                let most = stages.iter().map(|(_, t)| *t).max().unwrap_or(0);
                split(most.max(*start), workers, i)
            }
        }
    }

    /// A free user: an idle one, or a new one while under `cap`.
    fn free_user(&mut self, cap: usize) -> Option<usize> {
        if let Some(u) = self.idle.pop() {
            return Some(u);
        }
        if self.users.len() >= cap.min(self.limit) {
            return None;
        }
        let u = self.users.len();
        let run = user_run(self.shared.plan.script_run, u as u64 + 1);
        let job = FlowJob::paced(
            Arc::clone(&self.flow.steps),
            Arc::clone(&self.flow.options),
            self.shared.plan.variables.clone(),
            run,
            Vec::new(),
        );
        self.out.interval.flow_mut().users += 1;
        self.users.push(User {
            job,
            due: self.shared.start,
            ran: 0,
            busy: false,
            wake: None,
        });
        Some(u)
    }

    /// User `u` starts iteration `iteration`, due at `due`, with its data row. A segment of a
    /// split plan reads the rows its part of the iterations would over the whole plan, so the
    /// engines stripe the rows between them instead of all reading the first ones.
    fn begin(&mut self, u: usize, due: Instant, iteration: u64) {
        let data = &self.flow.data;
        let row = if data.is_empty() {
            Default::default()
        } else {
            let whole = self.shared.plan.segment.as_ref();
            let index = whole.map_or(iteration, |s| s.global(iteration));
            data[(index % data.len() as u64) as usize].clone()
        };
        let user = &mut self.users[u];
        user.job.start_iteration(iteration, row, due);
        user.due = due;
        user.busy = true;
        self.busy += 1;
        self.out.interval.flow_mut().started += 1;
        self.ready.push_back(u);
    }

    /// Runs user `u` until it starts a transfer, waits or idles.
    fn drive(&mut self, u: usize, now: Instant) -> Option<Next> {
        let next = self.users[u].job.next(now, 0);
        self.take_events(u);
        match next {
            Next::Start { request, tag } => {
                if tag & SIDE_TAG == 0 {
                    let pos = self.users[u].job.position();
                    self.out.interval.sent += 1;
                    self.out.interval.flow_mut().step(pos).sent += 1;
                }
                // It may have more to start (a script's several `pm.sendRequest`s).
                self.ready.push_front(u);
                Some(Next::Start {
                    request,
                    tag: tag_of(u, tag),
                })
            }
            Next::At(at) => {
                self.users[u].wake = Some(at);
                self.timers.push(Reverse((at, u)));
                None
            }
            Next::Wait | Next::Done | Next::Abort => {
                let user = &self.users[u];
                if user.busy && (user.job.is_idle() || !matches!(next, Next::Wait)) {
                    self.iteration_done(u, now);
                }
                None
            }
        }
    }

    /// User `u` ran its iteration to the end: counted, timed, and free again (unless it has run
    /// all it should).
    fn iteration_done(&mut self, u: usize, now: Instant) {
        let user = &mut self.users[u];
        user.busy = false;
        user.ran += 1;
        let us = now.saturating_duration_since(user.due).as_micros() as u64;
        let more = match self.shared.plan.mode {
            Mode::PerUserIterations { iterations, .. } => user.ran < iterations,
            _ => true,
        };
        if more && user.job.is_idle() {
            self.idle.push(u);
        }
        self.busy -= 1;
        let flow = self.out.interval.flow_mut();
        flow.iterations += 1;
        flow.iteration_us
            .saturating_record(us.clamp(1, crate::engine::stats::LATENCY_MAX_US));
    }

    /// Counts the tests of the steps user `u` reported; the records themselves are not kept.
    fn take_events(&mut self, u: usize) {
        let mut events = std::mem::take(self.users[u].job.events());
        for event in events.drain(..) {
            if let FlowEvent::Step(record) = event {
                for outcome in record.pre_request.iter().chain(&record.test) {
                    self.out.interval.tests.add(outcome);
                }
                // A request that could not be built (it never reached the engine) still counts
                // as its step's failed request, so a broken step cannot go unnoticed.
                let unsent = record.invalid.is_some().then(|| Outcome {
                    error: record.error.clone(),
                    ..Outcome::default()
                });
                if let Some(outcome) = &unsent {
                    self.out.interval.sent += 1;
                    self.out.interval.record(outcome, None);
                }
                let step = self.out.interval.flow_mut().step(record.step);
                for outcome in record.pre_request.iter().chain(&record.test) {
                    step.tests.add(outcome);
                }
                if let Some(outcome) = &unsent {
                    step.sent += 1;
                    step.record(outcome, None);
                }
            }
        }
        *self.users[u].job.events() = events;
    }

    fn iteration_number(&self) -> u64 {
        self.shared.next_iteration.fetch_add(1, Relaxed)
    }

    /// Starts the next iteration the executor wants now, if any.
    fn start_due(&mut self, now: Instant) -> Starting {
        let start = self.shared.start;
        if let Some(stopped_at) = self.shared.stopped_at(now) {
            if !self.shared.starts_late(now, stopped_at) {
                self.settle();
                return Starting::End(stopped_at);
            }
        }
        let wait = self.out.next_report;
        let shared = Arc::clone(&self.shared);
        match &shared.plan.mode {
            Mode::Open(schedule) => self.start_open(schedule, now),
            Mode::Closed { .. } => self.keep_busy(self.limit, now, wait),
            Mode::RampingUsers {
                start: from,
                stages,
            } => {
                let want = Mode::users_at(*from, stages, now.saturating_duration_since(start));
                let want = split(want, self.workers, self.worker);
                self.keep_busy(want, now, wait.min(now + RAMP_CHECK))
            }
            Mode::Iterations { iterations, .. } => self.start_iteration(*iterations, now, wait),
            Mode::PerUserIterations { .. } => match self.free_user(self.limit) {
                Some(u) => {
                    let iteration = self.iteration_number();
                    self.begin(u, now, iteration);
                    Starting::Started
                }
                // Every user has run its iterations or is running one.
                None => Starting::End(now),
            },
        }
    }

    /// Open model: the worker's next iteration when it is due, on a free user; with no user
    /// free, every iteration due by now is dropped, never delayed.
    fn start_open(&mut self, schedule: &super::schedule::Schedule, now: Instant) -> Starting {
        let start = self.shared.start;
        let Some(offset) = schedule.send_time(self.next_k) else {
            return Starting::End((start + schedule.duration()).min(now));
        };
        let due = start + offset;
        if due > now {
            return Starting::Wait(due);
        }
        match self.free_user(usize::MAX) {
            Some(u) => {
                self.next_k += self.workers as u64;
                let iteration = self.iteration_number();
                self.begin(u, due, iteration);
            }
            None => {
                let due = schedule.due_by(now.saturating_duration_since(start));
                let n = owed(self.next_k, due, self.workers as u64).max(1);
                self.out.interval.dropped += n;
                self.next_k += n * self.workers as u64;
            }
        }
        Starting::Started
    }

    /// Iterations: the next index claimed from the counter all workers take from.
    fn start_iteration(&mut self, iterations: u64, now: Instant, wait: Instant) -> Starting {
        // Checked before claiming, so the shared counter stops near the total; and before the
        // limit, so a worker with no users (fewer users than workers) ends.
        if self.shared.next_index.load(Relaxed) >= iterations {
            return Starting::End(now);
        }
        if self.busy >= self.limit {
            return Starting::Wait(wait);
        }
        let index = self.shared.next_index.fetch_add(1, Relaxed);
        if index >= iterations {
            return Starting::End(now);
        }
        match self.free_user(self.limit) {
            Some(u) => {
                self.begin(u, now, index);
                Starting::Started
            }
            // Not expected (fewer are busy than the limit); the claim is not lost.
            None => {
                self.out.interval.dropped += 1;
                Starting::Wait(wait)
            }
        }
    }

    /// Closed model: keeps `want` users busy.
    fn keep_busy(&mut self, want: usize, now: Instant, wait: Instant) -> Starting {
        if self.busy >= want {
            return Starting::Wait(wait);
        }
        match self.free_user(want.max(self.users.len())) {
            Some(u) => {
                let iteration = self.iteration_number();
                self.begin(u, now, iteration);
                Starting::Started
            }
            None => Starting::Wait(wait),
        }
    }

    /// At the end of an open-model run, iterations that were due but never started are dropped,
    /// so started + dropped always equals what was planned (as request shares do).
    fn settle(&mut self) {
        if std::mem::replace(&mut self.settled, true) || self.shared.stop_requested() {
            return;
        }
        if let Mode::Open(schedule) = &self.shared.plan.mode {
            let n = owed(self.next_k, schedule.expected(), self.workers as u64);
            self.out.interval.dropped += n;
            self.next_k += n * self.workers as u64;
        }
    }

    /// No more iterations start: the busy users finish theirs, up to the graceful stop.
    fn wind_down(&mut self, now: Instant, in_flight: usize, stopped_at: Instant) -> Next {
        if self.busy == 0 && in_flight == 0 {
            return Next::Done;
        }
        let deadline = self.shared.graceful_end(stopped_at);
        if now >= deadline {
            return Next::Abort;
        }
        self.wait_until(deadline)
    }

    /// Sleep until `at`, a user's timer or the next report, whichever comes first.
    fn wait_until(&self, at: Instant) -> Next {
        let timer = self.timers.peek().map(|Reverse((t, _))| *t);
        Next::At(at.min(self.out.next_report).min(timer.unwrap_or(at)))
    }
}

impl Job for UserShare {
    fn arrivals(&self) -> bool {
        self.shared.plan.is_open()
    }

    fn next(&mut self, now: Instant, in_flight: usize) -> Next {
        self.out.report_if_due(now);
        if let Some(wait) = self.shared.waiting_to_start(now) {
            return Next::At(wait.min(self.out.next_report));
        }
        while let Some(&Reverse((at, u))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            if self.users[u].wake == Some(at) {
                self.users[u].wake = None;
                self.ready.push_back(u);
            }
        }
        for _ in 0..STARTS_PER_CALL {
            while let Some(u) = self.ready.pop_front() {
                if let Some(next) = self.drive(u, now) {
                    return next;
                }
            }
            match self.start_due(now) {
                Starting::Started => {}
                Starting::Wait(at) => return self.wait_until(at),
                Starting::End(stopped_at) => return self.wind_down(now, in_flight, stopped_at),
            }
        }
        Next::At(now)
    }

    fn completed(&mut self, tag: u64, outcome: Outcome) {
        let (u, inner) = (user_of(tag), inner_of(tag));
        if u >= self.users.len() {
            return;
        }
        if inner & SIDE_TAG == 0 {
            let now = Instant::now();
            let user = &self.users[u];
            let pos = user.job.position();
            let corrected = self.shared.plan.is_open().then(|| {
                now.saturating_duration_since(user.job.step_due())
                    .as_micros() as u64
            });
            self.out.interval.record(&outcome, corrected);
            self.out
                .interval
                .flow_mut()
                .step(pos)
                .record(&outcome, corrected);
            if let Some(recorder) = &mut self.recorder {
                let (name, iteration) = (&self.flow.names[pos], user.job.iteration());
                let vu = u * self.workers + self.worker + 1;
                recorder.record_traced(&outcome, || {
                    Some(serde_json::json!({"step": name, "vu": vu, "iteration": iteration}))
                });
            }
        }
        self.users[u].job.completed(inner, outcome);
        self.ready.push_back(u);
    }

    fn wants_response(&self) -> bool {
        // Test scripts, cookies and the next step's variables read it.
        true
    }

    fn finish(mut self: Box<Self>) {
        for u in 0..self.users.len() {
            self.users[u].job.stop();
            self.take_events(u);
        }
        self.users.clear();
        end_run(self.shared.plan.script_run);
        self.out.finish();
    }

    fn panicked(&mut self, reason: &str) {
        self.out.panicked(reason);
    }
}
