//! What one worker measured for one run over an interval, mergeable exactly.

use crate::engine::stats::{new_latency_histogram, LATENCY_MAX_US};
use crate::engine::{Outcome, TransferStats};
use crate::model::ErrorCategory;
use crate::script::TestTally;
use hdrhistogram::Histogram;

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
}

impl Default for RunStats {
    fn default() -> Self {
        RunStats {
            sent: 0,
            dropped: 0,
            transfers: TransferStats::default(),
            corrected_us: new_latency_histogram(),
            tests: TestTally::default(),
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
pub enum ShareMessage {
    /// Another 100 ms.
    Interval(Box<RunStats>),
    /// The share has ended (at the instant given); the last partial interval.
    Finished(Box<RunStats>, std::time::Instant),
    /// The share failed (its job panicked): the run fails with this reason. `Finished` follows.
    Failed(String),
}
