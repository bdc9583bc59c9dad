//! One worker's share of a run, as an engine [`Job`]. Open-model shares take every N-th request
//! of the schedule (worker i: requests i, i+N, ...), so together the workers follow it exactly
//! and each paces its own sends; closed and iteration shares keep their part of the concurrency.

use super::outbox::{Outbox, REPORT_INTERVAL};
use super::plan::{LoadPlan, Mode};
use super::stats::{RunStats, ShareMessage};
use super::RunShared;
use crate::engine::{BeforeSend, Extra, Job, Next, Outcome, SIDE_TAG};
use crate::script::ShareScripts;
use crossbeam_channel::Sender;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) struct RunShare {
    shared: Arc<RunShared>,
    workers: u64,
    /// Open model: the next schedule index this share sends. Closed and iterations: unused.
    next_k: u64,
    /// In-flight limit of this share: its part of `maxInFlight` or of the concurrency.
    limit: usize,
    out: Outbox,
    /// Open model: the sends still owed at the end have been counted as dropped.
    settled: bool,
    /// This worker's scripts, with its copy of the run's variables.
    scripts: ShareScripts,
    /// This worker's side of the run's results recording.
    recorder: Option<crate::recording::OutcomeRecorder>,
}

/// When a send due at `due` goes out: at once with a zero window, else at the end of the window
/// (counted from `start`) it falls in, with every other send due by then. Never early, so the
/// corrected latency, counted from `due`, includes the wait.
fn window_end(start: Instant, due: Instant, window: Duration) -> Instant {
    if window.is_zero() {
        return due;
    }
    let (offset, window) = ((due - start).as_nanos(), window.as_nanos());
    start
        + Duration::from_nanos(u64::try_from(offset.div_ceil(window) * window).unwrap_or(u64::MAX))
}

/// How many of a share's schedule indices (`next_k`, `next_k + workers`, ...) are below `end`:
/// counted, not walked, since an absurd plan can owe billions.
pub(super) fn owed(next_k: u64, end: u64, workers: u64) -> u64 {
    if next_k < end {
        (end - 1 - next_k) / workers + 1
    } else {
        0
    }
}

impl RunShare {
    pub(crate) fn new(
        shared: Arc<RunShared>,
        worker: usize,
        workers: usize,
        limit: usize,
        reports: Sender<ShareMessage>,
    ) -> RunShare {
        RunShare {
            recorder: shared.recorder.clone(),
            out: Outbox::new(shared.start, reports),
            scripts: ShareScripts::new(shared.plan.script_run, shared.plan.variables.clone()),
            shared,
            workers: workers as u64,
            next_k: worker as u64,
            limit,
            settled: false,
        }
    }

    /// At the end of an open-model run, sends that were due but never went out (the worker fell
    /// behind by more than the graceful stop) are dropped, so sent + dropped always equals what
    /// was planned. After a stop request they are simply not planned any more.
    fn settle(&mut self) {
        if std::mem::replace(&mut self.settled, true) || self.shared.stop_requested() {
            return;
        }
        if let Mode::Open(schedule) = &self.shared.plan.mode {
            let n = owed(self.next_k, schedule.expected(), self.workers);
            self.out.interval.dropped += n;
            self.next_k += n * self.workers;
        }
    }

    /// Nothing more to send: wait for what is in flight and for scripts still waiting for their
    /// `pm.sendRequest` responses (until `busy_until`), up to the graceful stop, then abort.
    fn wind_down(&mut self, now: Instant, in_flight: usize, stopped_at: Instant) -> Next {
        let busy_until = self.scripts.busy_until(now);
        let deadline = self.shared.graceful_end(stopped_at);
        if in_flight == 0 && (busy_until.is_none() || now >= deadline) {
            self.scripts.end(&mut self.out.interval.tests);
            return Next::Done;
        }
        if now >= deadline {
            self.scripts.end(&mut self.out.interval.tests);
            return Next::Abort;
        }
        Next::At(
            deadline
                .min(self.out.next_report)
                .min(busy_until.unwrap_or(deadline)),
        )
    }

    /// Open model: the share's next schedule index when it is due; every send due while the
    /// in-flight limit is reached is dropped, never postponed.
    fn next_open(&mut self, now: Instant, in_flight: usize) -> Next {
        let start = self.shared.start;
        let Mode::Open(schedule) = &self.shared.plan.mode else {
            unreachable!("next_open is called for open-model runs")
        };
        loop {
            let Some(offset) = schedule.send_time(self.next_k) else {
                let end = start + schedule.duration();
                return self.wind_down(now, in_flight, end.min(now));
            };
            let due = start + offset;
            if due > now {
                let next_own = self.next_k + self.workers;
                let window = self
                    .shared
                    .plan
                    .send_window
                    .for_gap(|| Some(schedule.send_time(next_own)?.saturating_sub(offset)));
                let wake = window_end(start, due, window);
                return Next::At(wake.min(self.out.next_report));
            }
            // Sends whose pre-request scripts still wait count as in flight.
            if in_flight + self.scripts.sends_pending() >= self.limit {
                // Never postponed: a late send would hide the server's slowness. Every send
                // due by now is dropped at once (at absurd rates they are countless).
                let due = schedule.due_by(now.saturating_duration_since(start));
                // At least this one, which is due (the integral and its inverse may disagree
                // in the last bit).
                let n = owed(self.next_k, due, self.workers).max(1);
                self.out.interval.dropped += n;
                self.next_k += n * self.workers;
                continue;
            }
            let k = self.next_k;
            self.next_k += self.workers;
            if let Some(next) = start_send(
                &self.shared.plan,
                &mut self.scripts,
                &mut self.out.interval,
                k,
            ) {
                return next;
            }
        }
    }

    /// Closed model: a new send whenever the share is below its part of the concurrency.
    fn next_closed(&mut self, now: Instant, in_flight: usize) -> Next {
        loop {
            // Sends whose pre-request scripts still wait count as in flight.
            if in_flight + self.scripts.sends_pending() >= self.limit {
                return Next::At(self.out.next_report);
            }
            let k = self.next_k;
            self.next_k += self.workers;
            if let Some(next) = start_send(
                &self.shared.plan,
                &mut self.scripts,
                &mut self.out.interval,
                k,
            ) {
                return next;
            }
            if now + REPORT_INTERVAL < Instant::now() {
                // Every send is failing its script: let the reporter and the stop check in.
                return Next::At(Instant::now());
            }
        }
    }

    /// Iterations: the next index claimed from the counter all shares take from, so the total
    /// is exact.
    fn next_iteration(&mut self, now: Instant, in_flight: usize, iterations: u64) -> Next {
        loop {
            // Checked before claiming, so the shared counter stops near the total; and
            // before the limit, so a share with no users (fewer users than workers) ends.
            if self.shared.next_index.load(Relaxed) >= iterations {
                return self.wind_down(now, in_flight, now);
            }
            // Sends whose pre-request scripts still wait count as in flight.
            if in_flight + self.scripts.sends_pending() >= self.limit {
                return Next::At(self.out.next_report);
            }
            let index = self.shared.next_index.fetch_add(1, Relaxed);
            if index >= iterations {
                return self.wind_down(now, in_flight, now);
            }
            if let Some(next) = start_send(
                &self.shared.plan,
                &mut self.scripts,
                &mut self.out.interval,
                index,
            ) {
                return next;
            }
        }
    }
}

/// Starts request `k` of the run (open model: its schedule index); the tag is `k`, from which
/// completion recovers the request and, for the open model, the intended send time. `None` when
/// its pre-request script failed or skipped it (the script's outcome is in the tally; nothing is
/// sent). A free function, so that it borrows only the fields it
/// needs while the caller holds the plan.
fn start_send(
    plan: &LoadPlan,
    scripts: &mut ShareScripts,
    interval: &mut RunStats,
    k: u64,
) -> Option<Next> {
    let index = (k % plan.requests.len() as u64) as usize;
    let request = match plan.pre_requests.as_ref().and_then(|p| p[index].as_ref()) {
        None => Arc::clone(&plan.requests[index]),
        Some(pre) => match scripts.before_send(pre, k, &mut interval.tests) {
            BeforeSend::Send(request) => Arc::new(request),
            BeforeSend::AsPlanned => Arc::clone(&plan.requests[index]),
            // Held back while the script waits for its side requests; it comes from `extra`.
            BeforeSend::Later | BeforeSend::Skip => return None,
        },
    };
    interval.sent += 1;
    Some(Next::Start { request, tag: k })
}

impl Job for RunShare {
    fn arrivals(&self) -> bool {
        self.shared.plan.is_open()
    }

    fn next(&mut self, now: Instant, in_flight: usize) -> Next {
        self.out.report_if_due(now);
        if let Some(wait) = self.shared.waiting_to_start(now) {
            return Next::At(wait.min(self.out.next_report));
        }
        // Scripts' side requests and sends held back for their pre-request scripts go first.
        if let Extra::Start { tag, request } = self.scripts.extra(now, &mut self.out.interval.tests)
        {
            if tag & SIDE_TAG == 0 {
                self.out.interval.sent += 1;
            }
            return Next::Start { request, tag };
        }
        if let Some(stopped_at) = self.shared.stopped_at(now) {
            if !self.shared.starts_late(now, stopped_at) {
                self.settle();
                return self.wind_down(now, in_flight, stopped_at);
            }
        }
        match &self.shared.plan.mode {
            Mode::Open(_) => self.next_open(now, in_flight),
            Mode::Closed { .. } => self.next_closed(now, in_flight),
            Mode::Iterations { iterations, .. } => self.next_iteration(now, in_flight, *iterations),
            // Users' modes: the run's plan gives them a flow, which user shares run.
            Mode::RampingUsers { .. } | Mode::PerUserIterations { .. } => {
                self.wind_down(now, in_flight, now)
            }
        }
    }

    fn completed(&mut self, tag: u64, outcome: Outcome) {
        if tag & SIDE_TAG != 0 {
            self.scripts
                .side_completed(tag, &outcome, &mut self.out.interval.tests);
            return;
        }
        let corrected = match &self.shared.plan.mode {
            Mode::Open(schedule) => schedule.send_time(tag).map(|offset| {
                let intended = self.shared.start + offset;
                Instant::now()
                    .saturating_duration_since(intended)
                    .as_micros() as u64
            }),
            _ => None,
        };
        self.out.interval.record(&outcome, corrected);
        if let Some(recorder) = &mut self.recorder {
            let requests = self.shared.plan.requests.len() as u64;
            recorder.record_traced(&outcome, || {
                Some(serde_json::json!({"request": tag % requests, "index": tag}))
            });
        }
        if let (Some(tests), Some(response)) = (&self.shared.plan.tests, &outcome.response) {
            if let Some(test) = &tests[(tag % tests.len() as u64) as usize] {
                self.scripts
                    .test(test, response, tag, &mut self.out.interval.tests);
            }
        }
    }

    fn wants_response(&self) -> bool {
        // pm.sendRequest replies need bodies too, from either kind of script.
        self.shared.plan.tests.is_some() || self.shared.plan.pre_requests.is_some()
    }

    fn finish(mut self: Box<Self>) {
        self.scripts.end(&mut self.out.interval.tests);
        self.out.finish();
    }

    fn panicked(&mut self, reason: &str) {
        self.out.panicked(reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::plan::{LoadPlan, SendWindow, DENSE_SEND_WINDOW};
    use crate::run::schedule::Schedule;
    use crate::script::Variables;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn a_send_window_moves_sends_to_its_end_never_earlier() {
        let start = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(
            window_end(start, start + ms(3), Duration::ZERO),
            start + ms(3)
        );
        assert_eq!(window_end(start, start + ms(3), ms(5)), start + ms(5));
        assert_eq!(window_end(start, start + ms(5), ms(5)), start + ms(5));
        assert_eq!(window_end(start, start + ms(6), ms(5)), start + ms(10));
    }

    #[test]
    fn auto_windows_only_sends_denser_than_the_dense_window() {
        let us = Duration::from_micros;
        let auto = SendWindow::Auto;
        assert_eq!(auto.for_gap(|| Some(us(200))), Duration::ZERO);
        assert_eq!(auto.for_gap(|| Some(us(51))), Duration::ZERO);
        assert_eq!(auto.for_gap(|| Some(us(50))), DENSE_SEND_WINDOW);
        assert_eq!(auto.for_gap(|| Some(us(10))), DENSE_SEND_WINDOW);
        assert_eq!(auto.for_gap(|| None), Duration::ZERO);
        let fixed = SendWindow::Fixed(us(1_000));
        assert_eq!(fixed.for_gap(|| Some(us(10))), us(1_000));
        assert_eq!(fixed.for_gap(|| Some(us(10_000))), us(1_000));
        let precise = SendWindow::Fixed(Duration::ZERO);
        assert_eq!(precise.for_gap(|| Some(us(10))), Duration::ZERO);
    }

    fn shared(mode: Mode) -> Arc<RunShared> {
        shared_with(mode, SendWindow::Fixed(Duration::ZERO))
    }

    fn shared_with(mode: Mode, send_window: SendWindow) -> Arc<RunShared> {
        let request = crate::model::RequestSpec::from_json(r#"{"url": "http://127.0.0.1:1/"}"#)
            .unwrap()
            .prepare()
            .unwrap();
        Arc::new(RunShared {
            id: "run_test".into(),
            start: Instant::now(),
            plan: LoadPlan {
                mode,
                requests: vec![Arc::new(request)],
                max_in_flight: 10,
                graceful_stop: Duration::from_secs(1),
                send_window,
                segment: None,
                start_at_ms: None,
                thresholds: Vec::new(),
                tests: None,
                pre_requests: None,
                script_run: 0,
                variables: Variables::default(),
                record: None,
                flow: None,
            },
            stop_ns: AtomicU64::new(super::super::NOT_STOPPED),
            next_index: AtomicU64::new(0),
            next_iteration: AtomicU64::new(0),
            aborted: Default::default(),
            recorder: None,
        })
    }

    fn open_100_per_s_for(secs: u64) -> Arc<RunShared> {
        shared(Mode::Open(Schedule::constant(
            100.0,
            Duration::from_secs(secs),
        )))
    }

    #[test]
    fn auto_times_a_share_to_windows_only_where_its_own_sends_are_dense() {
        let run = shared_with(
            Mode::Open(Schedule::constant(40_000.0, Duration::from_secs(1))),
            SendWindow::Auto,
        );
        let first_due = run.start + Duration::from_nanos(12_500);
        let first_wake = |worker, workers| {
            let (tx, _rx) = crossbeam_channel::unbounded();
            let mut share = Box::new(RunShare::new(Arc::clone(&run), worker, workers, 10, tx));
            match share.next(run.start, 0) {
                Next::At(at) => at,
                _ => panic!("nothing is due at the start"),
            }
        };
        // One worker sends every 25 µs: its first send (due at 12.5 µs) waits for the window's end.
        assert_eq!(first_wake(0, 1), run.start + DENSE_SEND_WINDOW);
        // Four share the rate, each sending every 100 µs: each send goes at its own time.
        assert_eq!(first_wake(0, 4), first_due);
    }

    fn dropped_in(messages: &crossbeam_channel::Receiver<ShareMessage>) -> u64 {
        messages
            .try_iter()
            .map(|m| match m {
                ShareMessage::Interval(s) | ShareMessage::Finished(s, _) => s.dropped,
                ShareMessage::Failed(_) => 0,
            })
            .sum()
    }

    #[test]
    fn sends_never_made_by_the_end_count_as_dropped() {
        let run = open_100_per_s_for(1);
        let (tx, rx) = crossbeam_channel::unbounded();
        // Worker 0 of 2 owns requests 0, 2, ..., 98. It wakes only after the end and the 1 s
        // graceful stop: all 50 were missed.
        let mut share = Box::new(RunShare::new(Arc::clone(&run), 0, 2, 10, tx));
        let late = run.start + Duration::from_millis(2001);
        assert!(matches!(share.next(late, 0), Next::Done));
        share.finish();
        assert_eq!(dropped_in(&rx), 50);
    }

    #[test]
    fn sends_due_before_the_end_still_go_out_when_the_worker_wakes_just_after_it() {
        let run = open_100_per_s_for(1);
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut share = Box::new(RunShare::new(Arc::clone(&run), 0, 1, 1000, tx));
        // The worker first looks 50 µs after the end: all 100 sends (due 0..=990 ms) are overdue.
        let just_after = run.start + Duration::from_micros(1_000_050);
        let mut tags = Vec::new();
        while let Next::Start { tag, .. } = share.next(just_after, tags.len()) {
            tags.push(tag);
        }
        assert_eq!(tags, (0..100).collect::<Vec<_>>(), "made late, in order");
        for tag in &tags {
            share.completed(*tag, crate::engine::Outcome::default());
        }
        assert!(matches!(share.next(just_after, 0), Next::Done));
        share.finish();
        assert_eq!(dropped_in(&rx), 0);
    }

    #[test]
    fn a_stop_request_does_not_count_unsent_as_dropped() {
        let run = open_100_per_s_for(1);
        run.request_stop();
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut share = Box::new(RunShare::new(Arc::clone(&run), 0, 1, 10, tx));
        assert!(matches!(
            share.next(run.start + Duration::from_secs(2), 0),
            Next::Done
        ));
        share.finish();
        assert_eq!(dropped_in(&rx), 0);
    }

    #[test]
    fn a_share_dropped_unfinished_fails_the_run_instead_of_hanging_it() {
        let run = open_100_per_s_for(1);
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut share = Box::new(RunShare::new(Arc::clone(&run), 0, 1, 10, tx));
        share.panicked("a job panicked in `next`: boom");
        drop(share);
        let messages: Vec<_> = rx.try_iter().collect();
        assert!(
            matches!(&messages[..], [ShareMessage::Failed(reason), ShareMessage::Finished(..)] if reason.contains("boom"))
        );
    }

    #[test]
    fn countless_owed_sends_are_counted_not_walked() {
        // 10^12 requests/s for 1 s: walking them one by one would take hours.
        let run = shared(Mode::Open(Schedule::constant(1e12, Duration::from_secs(1))));
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut share = Box::new(RunShare::new(Arc::clone(&run), 1, 2, 2, tx));
        // Mid-run at the cap: everything due so far goes at once.
        assert!(matches!(
            share.next(run.start + Duration::from_millis(500), 2),
            Next::At(_)
        ));
        let mid = dropped_in(&rx);
        // After the end and the graceful stop: the rest, counted.
        assert!(matches!(
            share.next(run.start + Duration::from_secs(3), 0),
            Next::Done
        ));
        share.finish();
        let total = mid + dropped_in(&rx);
        assert_eq!(
            total, 500_000_000_000,
            "worker 1 of 2 owns every other send"
        );
    }

    #[test]
    fn overdue_sends_over_the_cap_are_dropped_not_delayed() {
        let run = open_100_per_s_for(10);
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut share = Box::new(RunShare::new(Arc::clone(&run), 0, 1, 2, tx));
        // 50 ms in, 5 sends are due; with 2 already in flight (the cap), all 5 are dropped and the
        // share waits for the next one rather than sending late.
        let now = run.start + Duration::from_millis(50);
        assert!(matches!(share.next(now, 2), Next::At(_)));
        assert!(
            matches!(share.next(now, 0), Next::At(_)),
            "the dropped sends are not retried"
        );
        share.finish();
        assert_eq!(dropped_in(&rx), 5);
    }
}
