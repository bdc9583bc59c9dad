//! A batch: `total` requests cycling through a list, at most `concurrency` in flight engine-wide.
//! Each worker takes a share of the concurrency and claims request indices from one atomic
//! counter, so the count is exact however fast each worker goes.

use super::event_loop::EventLoop;
use super::job::{Job, Next, Outcome, SIDE_TAG};
use super::stats::{ErrorCount, Percentiles, TransferStats};
use crate::model::PreparedRequest;
use crossbeam_channel::Sender;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct BatchPlan {
    requests: Vec<Arc<PreparedRequest>>,
    total: usize,
    next_index: AtomicUsize,
}

/// What a share sends for one claimed request.
pub enum BeforeSend {
    /// The plan's request.
    AsPlanned,
    /// This one instead (e.g. as a pre-request script left it).
    Send(PreparedRequest),
    /// Nothing: the claimed request is not sent.
    Skip,
    /// Not yet: the observer hands it out later through [`OutcomeObserver::extra`], with the
    /// batch position as its tag.
    Later,
}

/// Transfers of an observer's own: scripts' side requests (tags with [`SIDE_TAG`]) and sends it
/// held back.
pub enum Extra {
    Start {
        tag: u64,
        request: Arc<PreparedRequest>,
    },
    /// Nothing to start before this instant (a script time limit).
    At(Instant),
    /// Nothing waiting.
    Idle,
}

/// Sees every send and outcome of one worker's share, on that worker: it must not block.
pub trait OutcomeObserver: Send {
    /// Before request `index` (its position in the batch's list) is sent, as the `seq`-th of the
    /// batch.
    fn before_send(&mut self, _index: usize, _seq: u64) -> BeforeSend {
        BeforeSend::AsPlanned
    }
    /// `index` is the request's position in the batch's list.
    fn observe(&mut self, index: usize, outcome: &Outcome);
    /// What to start of the observer's own, asked before every claim.
    fn extra(&mut self, _now: Instant) -> Extra {
        Extra::Idle
    }
    /// A side transfer (its tag has [`SIDE_TAG`]) finished.
    fn extra_completed(&mut self, _tag: u64, _outcome: &Outcome) {}
    /// Whether an outcome can give the observer transfers of its own to start (a script that
    /// sends): then the share stays until its last transfer is in, rather than ending early.
    fn may_send(&self) -> bool {
        false
    }
    /// Sends it holds that will go out later ([`BeforeSend::Later`]): they count against the
    /// share's concurrency.
    fn sends_pending(&self) -> usize {
        0
    }
    /// The share has ended.
    fn finish(self: Box<Self>) {}
}

pub(crate) struct BatchShare {
    plan: Arc<BatchPlan>,
    concurrency: usize,
    stats: TransferStats,
    observer: Option<Box<dyn OutcomeObserver>>,
    /// Outcomes carry the full response (for test scripts).
    full_responses: bool,
    results: Sender<TransferStats>,
}

impl Job for BatchShare {
    fn next(&mut self, now: Instant, in_flight: usize) -> Next {
        // Until then the share must not end: its observer has scripts waiting.
        let mut busy_until = None;
        if let Some(observer) = &mut self.observer {
            match observer.extra(now) {
                Extra::Start { tag, request } => return Next::Start { request, tag },
                Extra::At(t) => busy_until = Some(t),
                Extra::Idle => {}
            }
        }
        let pending = self.observer.as_ref().map_or(0, |o| o.sends_pending());
        if in_flight + pending >= self.concurrency {
            return busy_until.map_or(Next::Wait, Next::At);
        }
        loop {
            // Check before claiming, so the counter stops near `total` instead of running on.
            if self.plan.next_index.load(Relaxed) >= self.plan.total {
                return self.all_claimed(in_flight, busy_until);
            }
            let index = self.plan.next_index.fetch_add(1, Relaxed);
            if index >= self.plan.total {
                return self.all_claimed(in_flight, busy_until);
            }
            let planned = index % self.plan.requests.len();
            let request = match self
                .observer
                .as_mut()
                .map(|o| o.before_send(planned, index as u64))
            {
                None | Some(BeforeSend::AsPlanned) => Arc::clone(&self.plan.requests[planned]),
                Some(BeforeSend::Send(request)) => Arc::new(request),
                Some(BeforeSend::Skip) => continue,
                Some(BeforeSend::Later) => {
                    // Its script waits for side requests: start those now.
                    return self.next(now, in_flight);
                }
            };
            return Next::Start {
                request,
                tag: index as u64,
            };
        }
    }

    fn completed(&mut self, tag: u64, outcome: Outcome) {
        if tag & SIDE_TAG != 0 {
            if let Some(observer) = &mut self.observer {
                observer.extra_completed(tag, &outcome);
            }
            return;
        }
        self.stats.record(&outcome);
        if let Some(observer) = &mut self.observer {
            observer.observe(tag as usize % self.plan.requests.len(), &outcome);
        }
    }

    fn wants_response(&self) -> bool {
        self.full_responses
    }

    fn finish(self: Box<Self>) {
        if let Some(observer) = self.observer {
            observer.finish();
        }
        let _ = self.results.send(self.stats);
    }
}

impl BatchShare {
    /// Every request is claimed: the share ends, unless its observer's scripts may still send.
    fn all_claimed(&self, in_flight: usize, busy_until: Option<Instant>) -> Next {
        match busy_until {
            Some(t) => Next::At(t),
            None if in_flight > 0 && self.observer.as_ref().is_some_and(|o| o.may_send()) => {
                Next::Wait
            }
            None => Next::Done,
        }
    }

    pub(crate) fn run(
        engine: &EventLoop,
        requests: Vec<Arc<PreparedRequest>>,
        total: usize,
        concurrency: usize,
        full_responses: bool,
        mut observer: impl FnMut(usize) -> Option<Box<dyn OutcomeObserver>>,
    ) -> BatchReport {
        let started = Instant::now();
        let total = if requests.is_empty() { 0 } else { total };
        let concurrency = concurrency.max(1);
        let plan = Arc::new(BatchPlan {
            requests,
            total,
            next_index: AtomicUsize::new(0),
        });
        let (results, collected) = crossbeam_channel::unbounded();
        let shares = engine.start_job(|i, n| {
            Box::new(BatchShare {
                plan: Arc::clone(&plan),
                // Spread the concurrency so the workers' shares add up to exactly `concurrency`.
                concurrency: concurrency / n + usize::from(i < concurrency % n),
                stats: TransferStats::default(),
                observer: observer(i),
                full_responses,
                results: results.clone(),
            })
        });
        drop(results);
        let mut stats = TransferStats::default();
        for share in collected.iter().take(shares) {
            stats.merge(&share);
        }
        BatchReport::new(&stats, total, concurrency, started.elapsed())
    }
}

/// The summary of a finished batch. Latencies are µs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchReport {
    pub requested: usize,
    pub completed: u64,
    pub ok: u64,
    pub failed: u64,
    pub concurrency: usize,
    pub wall_time_ms: f64,
    pub requests_per_second: f64,
    pub bytes_received: u64,
    pub latency_us: Percentiles,
    pub status_codes: BTreeMap<u16, u64>,
    pub errors: Vec<ErrorCount>,
}

impl BatchReport {
    fn new(
        stats: &TransferStats,
        requested: usize,
        concurrency: usize,
        wall: Duration,
    ) -> BatchReport {
        let secs = wall.as_secs_f64();
        BatchReport {
            requested,
            completed: stats.count,
            ok: stats.ok,
            failed: stats.failed(),
            concurrency,
            wall_time_ms: secs * 1000.0,
            requests_per_second: if secs > 0.0 {
                stats.count as f64 / secs
            } else {
                0.0
            },
            bytes_received: stats.bytes_received,
            latency_us: Percentiles::of(&stats.latency_us),
            status_codes: stats.status_counts(),
            errors: stats.errors(),
        }
    }
}
