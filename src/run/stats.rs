//! What one worker measured for one run over an interval, mergeable exactly.

use crate::engine::stats::{new_latency_histogram, LATENCY_MAX_US};
use crate::engine::{Outcome, TransferStats};
use crate::model::ErrorCategory;
use crate::script::TestTally;
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct RunStats {
    /// Requests started.
    pub sent: u64,
    /// Open model: sends skipped because `maxInFlight` requests were already in flight.
    pub dropped: u64,
    /// Completed transfers: statuses, errors (aborted included), service time, bytes, phases.
    pub transfers: TransferStats,
    /// Open model: from each request's intended send time to its completion (µs).
    pub corrected_us: Histogram<u64>,
    /// Test script results per test name.
    pub tests: TestTally,
    /// Flow runs: iterations and steps.
    pub flow: Option<Box<FlowStats>>,
}

/// What a flow run's users did: whole iterations, and each step's requests (the run's counts
/// above hold every step's).
#[derive(Debug, Clone)]
pub struct FlowStats {
    /// Iterations started.
    pub started: u64,
    /// Iterations that ran to their end.
    pub iterations: u64,
    /// Virtual users created.
    pub users: u64,
    /// From each iteration's intended start to its end (µs).
    pub iteration_us: Histogram<u64>,
    /// By step index; only steps that sent something in the interval.
    pub steps: BTreeMap<usize, RunStats>,
}

impl Default for FlowStats {
    fn default() -> Self {
        FlowStats {
            started: 0,
            iterations: 0,
            users: 0,
            iteration_us: new_latency_histogram(),
            steps: BTreeMap::new(),
        }
    }
}

impl FlowStats {
    pub fn step(&mut self, index: usize) -> &mut RunStats {
        self.steps.entry(index).or_default()
    }

    pub fn merge(&mut self, other: &FlowStats) {
        self.started += other.started;
        self.iterations += other.iterations;
        self.users += other.users;
        self.iteration_us
            .add(&other.iteration_us)
            .expect("histograms share bounds");
        for (i, step) in &other.steps {
            self.step(*i).merge(step);
        }
    }
}

impl Default for RunStats {
    fn default() -> Self {
        RunStats {
            sent: 0,
            dropped: 0,
            transfers: TransferStats::default(),
            corrected_us: new_latency_histogram(),
            tests: TestTally::default(),
            flow: None,
        }
    }
}

impl RunStats {
    pub fn record(&mut self, outcome: &Outcome, corrected_us: Option<u64>) {
        self.transfers.record(outcome);
        if let (None, Some(us)) = (&outcome.error, corrected_us) {
            self.corrected_us
                .saturating_record(us.clamp(1, LATENCY_MAX_US));
        }
    }

    pub fn merge(&mut self, other: &RunStats) {
        self.sent += other.sent;
        self.dropped += other.dropped;
        self.transfers.merge(&other.transfers);
        self.corrected_us
            .add(&other.corrected_us)
            .expect("histograms share bounds");
        self.tests.merge(&other.tests);
        if let Some(flow) = &other.flow {
            self.flow_mut().merge(flow);
        }
    }

    pub fn flow_mut(&mut self) -> &mut FlowStats {
        self.flow.get_or_insert_with(Box::default)
    }

    pub fn completed(&self) -> u64 {
        self.transfers.count
    }

    pub fn aborted(&self) -> u64 {
        self.transfers.errors_of(ErrorCategory::Aborted)
    }

    /// Failed requests (transport errors and statuses ≥ 400) over completed ones.
    pub fn error_rate(&self) -> f64 {
        if self.completed() == 0 {
            0.0
        } else {
            self.transfers.failed() as f64 / self.completed() as f64
        }
    }
}

/// What a worker's share tells the reporter.
pub(crate) enum ShareMessage {
    /// Another 100 ms.
    Interval(Box<RunStats>),
    /// The share has ended (at the instant given); the last partial interval.
    Finished(Box<RunStats>, std::time::Instant),
    /// The share failed (its job panicked): the run fails with this reason. `Finished` follows.
    Failed(String),
}
