//! What a worker's share of a run owes the reporter: its interval stats every 100 ms, then
//! `Finished` once. A share dropped before that (its job panicked, or was never run) sends
//! `Failed` with the reason and then `Finished`, so the reporter never waits for it forever.

use super::stats::{RunStats, ShareMessage};
use crossbeam_channel::Sender;
use std::time::{Duration, Instant};

/// How often a share sends its interval stats to the reporter.
pub(super) const REPORT_INTERVAL: Duration = Duration::from_millis(100);

pub(crate) struct Outbox {
    /// What the share measured since its last report.
    pub interval: RunStats,
    pub next_report: Instant,
    reports: Sender<ShareMessage>,
    finished: bool,
    /// Why the share failed, when one of its calls panicked.
    failure: Option<String>,
}

impl Outbox {
    pub(super) fn new(start: Instant, reports: Sender<ShareMessage>) -> Outbox {
        Outbox {
            interval: RunStats::default(),
            next_report: start + REPORT_INTERVAL,
            reports,
            finished: false,
            failure: None,
        }
    }

    pub(super) fn report_if_due(&mut self, now: Instant) {
        if now >= self.next_report {
            let stats = std::mem::take(&mut self.interval);
            let _ = self.reports.send(ShareMessage::Interval(Box::new(stats)));
            while self.next_report <= now {
                self.next_report += REPORT_INTERVAL;
            }
        }
    }

    /// The share has ended: the last partial interval.
    pub(super) fn finish(&mut self) {
        self.finished = true;
        let stats = std::mem::take(&mut self.interval);
        let _ = self
            .reports
            .send(ShareMessage::Finished(Box::new(stats), Instant::now()));
    }

    /// One of the share's calls panicked; the share is dropped next and says so.
    pub(super) fn panicked(&mut self, reason: &str) {
        self.failure = Some(format!("a worker's share of the run failed: {reason}"));
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        if !self.finished {
            let reason = self.failure.take().unwrap_or_else(|| {
                "a worker's share of the run ended without finishing".to_string()
            });
            let _ = self.reports.send(ShareMessage::Failed(reason));
            self.finish();
        }
    }
}
