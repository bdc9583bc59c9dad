//! How a plan paces its sends: the [`Mode`] (open or closed model, k6's executors as pacing)
//! and, for the open model, the [`SendWindow`] its sends are timed to.

use super::super::schedule::Schedule;
use super::super::segment::Segment;
use std::sync::Arc;
use std::time::Duration;

/// How requests are paced.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Open model: sends follow the schedule whatever the responses do.
    Open(Schedule),
    /// Closed model: exactly `concurrency` requests in flight until `duration` has passed.
    Closed {
        concurrency: u64,
        duration: Duration,
    },
    /// Exactly `iterations` requests, at most `concurrency` at once, optionally within `limit`.
    Iterations {
        iterations: u64,
        concurrency: u64,
        limit: Option<Duration>,
    },
    /// Closed model with a changing number of users: from `start`, moving linearly to each
    /// stage's target over the stage (k6's ramping-vus). Flows only.
    RampingUsers {
        start: u64,
        stages: Vec<(Duration, u64)>,
    },
    /// Each of `users` users runs `iterations` iterations (k6's per-vu-iterations). Flows only.
    PerUserIterations {
        users: u64,
        iterations: u64,
        limit: Option<Duration>,
    },
}

impl Mode {
    /// This engine's part of the mode: its share of every count, its part of the schedule.
    pub fn segmented(self, segment: &Arc<Segment>) -> Mode {
        let share = |n: u64| segment.share(n);
        match self {
            Mode::Open(schedule) => Mode::Open(schedule.segmented(Arc::clone(segment))),
            Mode::Closed {
                concurrency,
                duration,
            } => Mode::Closed {
                concurrency: share(concurrency),
                duration,
            },
            Mode::Iterations {
                iterations,
                concurrency,
                limit,
            } => Mode::Iterations {
                iterations: share(iterations),
                concurrency: share(concurrency).max(1),
                limit,
            },
            Mode::RampingUsers { start, stages } => Mode::RampingUsers {
                start: share(start),
                stages: stages.into_iter().map(|(d, t)| (d, share(t))).collect(),
            },
            Mode::PerUserIterations {
                users,
                iterations,
                limit,
            } => Mode::PerUserIterations {
                users: share(users),
                iterations,
                limit,
            },
        }
    }

    /// The units (requests, or a flow's iterations) the mode plans, if it counts them.
    pub fn planned(&self) -> Option<u64> {
        match self {
            Mode::Open(schedule) => Some(schedule.expected()),
            Mode::Iterations { iterations, .. } => Some(*iterations),
            Mode::PerUserIterations {
                users, iterations, ..
            } => Some(users * iterations),
            Mode::Closed { .. } | Mode::RampingUsers { .. } => None,
        }
    }

    /// Users wanted `elapsed` into a ramping-users run (rounded to the nearest).
    pub fn users_at(start: u64, stages: &[(Duration, u64)], elapsed: Duration) -> u64 {
        let (mut from, mut at) = (start as f64, Duration::ZERO);
        for (duration, target) in stages {
            if elapsed < at + *duration {
                let into = (elapsed - at).as_secs_f64() / duration.as_secs_f64();
                return (from + (*target as f64 - from) * into).round() as u64;
            }
            from = *target as f64;
            at += *duration;
        }
        from as u64
    }
}

/// The longest `sendWindow`: longer ones would turn an arrival rate into bursts.
pub(super) const MAX_SEND_WINDOW: Duration = Duration::from_millis(100);

/// The window `"auto"` times a worker's sends to where they are at most this far apart. A worker
/// wakes about this late from a timer anyway (40–50 µs on the benchmark VM), so the corrected
/// latency hardly moves, and each wake-up serves one send or more instead of arming a timer
/// for each: 9–17% less CPU per request from 50,000/s (docs/benchmarks.md).
pub(crate) const DENSE_SEND_WINDOW: Duration = Duration::from_micros(50);

/// How an open-model run times its sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendWindow {
    /// Each send at its own time, except that a worker whose sends are at most
    /// [`DENSE_SEND_WINDOW`] apart times them to windows of that length.
    Auto,
    /// Windows of this length (zero: each send at its own time).
    Fixed(Duration),
}

impl SendWindow {
    /// The window of a send whose share sends the next one `gap()` later (`None`: no next one);
    /// only `Auto` asks.
    pub fn for_gap(self, gap: impl FnOnce() -> Option<Duration>) -> Duration {
        match self {
            SendWindow::Fixed(window) => window,
            SendWindow::Auto if gap().is_some_and(|g| g <= DENSE_SEND_WINDOW) => DENSE_SEND_WINDOW,
            SendWindow::Auto => Duration::ZERO,
        }
    }
}
