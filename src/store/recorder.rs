//! Which results of a load run are recorded: every failure up to a cap, and one success in
//! `sample_every`. Each worker holds its own `ResultRecorder`; the failure cap is shared.

use super::types::ResultRow;
use super::writer::StoreWriter;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

pub const DEFAULT_FAILURE_CAP: u64 = 10_000;
pub const DEFAULT_SAMPLE_EVERY: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultPolicy {
    /// Failures recorded per run at most.
    pub failure_cap: u64,
    /// Record one success in this many; 0 records none.
    pub sample_every: u64,
}

impl Default for ResultPolicy {
    fn default() -> Self {
        ResultPolicy {
            failure_cap: DEFAULT_FAILURE_CAP,
            sample_every: DEFAULT_SAMPLE_EVERY,
        }
    }
}

/// One worker's view of a run's recording. Never blocks: failures go to the writer's
/// unbounded queue (bounded in number by the cap), successes to its droppable sample queue.
#[derive(Clone)]
pub struct ResultRecorder {
    writer: StoreWriter,
    policy: ResultPolicy,
    /// Failures offered (recorded up to the cap), over all workers.
    failures_recorded: Arc<AtomicU64>,
    /// Successes queued for writing, over all workers.
    samples_queued: Arc<AtomicU64>,
    successes_seen: u64,
}

/// What a run's recording kept, for its report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordCounts {
    pub failures_recorded: u64,
    /// Failures past the cap, not recorded.
    pub failures_over_cap: u64,
    pub failure_cap: u64,
    /// Successes sampled and queued (a full queue drops samples; the writer counts those).
    pub successes_sampled: u64,
    pub sample_every: u64,
}

impl ResultRecorder {
    /// A recorder for one run; clone it for each worker (the failure count stays shared).
    pub fn new(writer: StoreWriter, policy: ResultPolicy) -> ResultRecorder {
        ResultRecorder {
            writer,
            policy,
            failures_recorded: Arc::new(AtomicU64::new(0)),
            samples_queued: Arc::new(AtomicU64::new(0)),
            successes_seen: 0,
        }
    }

    /// What was recorded so far, over every clone.
    pub fn counts(&self) -> RecordCounts {
        let failures = self.failures_recorded.load(Relaxed);
        let cap = self.policy.failure_cap;
        RecordCounts {
            failures_recorded: failures.min(cap),
            failures_over_cap: failures.saturating_sub(cap),
            failure_cap: cap,
            successes_sampled: self.samples_queued.load(Relaxed),
            sample_every: self.policy.sample_every,
        }
    }

    /// Offers a result; returns whether it was queued for writing.
    pub fn offer(&mut self, failed: bool, row: impl FnOnce() -> ResultRow) -> bool {
        if failed {
            if self.failures_recorded.fetch_add(1, Relaxed) >= self.policy.failure_cap {
                return false;
            }
            self.writer.record_result(row()).is_ok()
        } else {
            self.successes_seen += 1;
            if self.policy.sample_every == 0
                || self.successes_seen % self.policy.sample_every != 1 % self.policy.sample_every
            {
                return false;
            }
            let queued = self.writer.record_sample(row());
            if queued {
                self.samples_queued.fetch_add(1, Relaxed);
            }
            queued
        }
    }
}
