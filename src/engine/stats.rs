//! Per-job transfer statistics: counts, status codes, error categories and an HdrHistogram of latency.
//! Each worker keeps its own and they are merged at the end, so percentiles are exact (to 3
//! significant digits), never averaged.

use super::job::Outcome;
use crate::model::ErrorCategory;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;

/// Latencies are recorded in µs from 1 µs to 60 s; slower ones are clamped to 60 s.
pub(crate) const LATENCY_MAX_US: u64 = 60_000_000;

pub(crate) fn new_latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, LATENCY_MAX_US, 3).expect("static histogram bounds are valid")
}

#[derive(Debug, Clone)]
pub struct TransferStats {
    pub count: u64,
    /// Responses with a status below 400.
    pub ok: u64,
    /// Body bytes received (decoded).
    pub bytes_received: u64,
    /// Request bytes sent and response bytes received on the wire (headers included).
    pub wire_bytes_sent: u64,
    pub wire_bytes_received: u64,
    /// Sums over responses of the dns, connect, tls and first-byte phases (µs), for averages.
    pub phase_sums_us: [u64; 4],
    /// Total time of every transfer that got a response, in µs.
    pub latency_us: Histogram<u64>,
    /// Index = status code (0..=599); other codes are counted at 0.
    status_counts: Vec<u64>,
    error_counts: [u64; ErrorCategory::ALL.len()],
    /// The first message seen per category, so a report can show what went wrong.
    error_samples: [Option<String>; ErrorCategory::ALL.len()],
}

impl Default for TransferStats {
    fn default() -> Self {
        TransferStats {
            count: 0,
            ok: 0,
            bytes_received: 0,
            wire_bytes_sent: 0,
            wire_bytes_received: 0,
            phase_sums_us: [0; 4],
            latency_us: new_latency_histogram(),
            status_counts: vec![0; 600],
            error_counts: [0; ErrorCategory::ALL.len()],
            error_samples: Default::default(),
        }
    }
}

impl TransferStats {
    pub fn record(&mut self, outcome: &Outcome) {
        self.count += 1;
        self.bytes_received += outcome.body_size;
        self.wire_bytes_sent += outcome.bytes_sent;
        self.wire_bytes_received += outcome.bytes_received;
        match &outcome.error {
            Some(err) => {
                let i = err.category.index();
                self.error_counts[i] += 1;
                if self.error_samples[i].is_none() {
                    self.error_samples[i] = Some(err.message.clone());
                }
            }
            None => {
                let status = outcome.status as usize;
                self.status_counts[if status < 600 { status } else { 0 }] += 1;
                if outcome.status < 400 {
                    self.ok += 1;
                }
                let t = &outcome.timings;
                for (sum, phase) in
                    self.phase_sums_us
                        .iter_mut()
                        .zip([t.dns, t.connect, t.tls, t.first_byte])
                {
                    *sum += phase;
                }
                self.latency_us
                    .saturating_record(outcome.timings.total.clamp(1, LATENCY_MAX_US));
            }
        }
    }

    pub fn merge(&mut self, other: &TransferStats) {
        self.count += other.count;
        self.ok += other.ok;
        self.bytes_received += other.bytes_received;
        self.wire_bytes_sent += other.wire_bytes_sent;
        self.wire_bytes_received += other.wire_bytes_received;
        for (a, b) in self.phase_sums_us.iter_mut().zip(other.phase_sums_us) {
            *a += b;
        }
        self.latency_us
            .add(&other.latency_us)
            .expect("histograms share bounds");
        for (a, b) in self.status_counts.iter_mut().zip(&other.status_counts) {
            *a += b;
        }
        for i in 0..self.error_counts.len() {
            self.error_counts[i] += other.error_counts[i];
            if self.error_samples[i].is_none() {
                self.error_samples[i].clone_from(&other.error_samples[i]);
            }
        }
    }

    /// Everything that was not a response below 400: transport errors and 4xx/5xx responses.
    pub fn failed(&self) -> u64 {
        self.count - self.ok
    }

    pub fn status_counts(&self) -> BTreeMap<u16, u64> {
        self.status_counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(code, n)| (code as u16, *n))
            .collect()
    }

    pub fn errors(&self) -> Vec<ErrorCount> {
        ErrorCategory::ALL
            .iter()
            .filter(|c| self.error_counts[c.index()] > 0)
            .map(|c| ErrorCount {
                category: *c,
                count: self.error_counts[c.index()],
                sample: self.error_samples[c.index()].clone().unwrap_or_default(),
            })
            .collect()
    }

    pub fn transport_errors(&self) -> u64 {
        self.error_counts.iter().sum()
    }

    pub fn errors_of(&self, category: ErrorCategory) -> u64 {
        self.error_counts[category.index()]
    }

    /// Responses received (any status), the transfers that have timings.
    pub fn responses(&self) -> u64 {
        self.count - self.transport_errors()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ErrorCount {
    pub category: ErrorCategory,
    pub count: u64,
    /// One libcurl message of this category.
    pub sample: String,
}

/// Latency percentiles in µs, read from a histogram (batch summaries, run reports, snapshots).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Percentiles {
    pub min: u64,
    pub avg: f64,
    pub p50: u64,
    pub p75: u64,
    pub p90: u64,
    pub p95: u64,
    pub p99: u64,
    pub p99_9: u64,
    pub max: u64,
}

impl Percentiles {
    pub fn of(h: &Histogram<u64>) -> Percentiles {
        if h.is_empty() {
            return Percentiles::default();
        }
        let q = |q| h.value_at_quantile(q);
        Percentiles {
            min: h.min(),
            avg: h.mean(),
            p50: q(0.5),
            p75: q(0.75),
            p90: q(0.9),
            p95: q(0.95),
            p99: q(0.99),
            p99_9: q(0.999),
            max: h.max(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Timings, TransferError};

    fn response(status: u16, total: u64) -> Outcome {
        Outcome {
            status,
            timings: Timings {
                total,
                ..Timings::default()
            },
            body_size: 10,
            ..Outcome::default()
        }
    }

    fn failure(category: ErrorCategory, message: &str) -> Outcome {
        Outcome {
            error: Some(TransferError::new(category, message)),
            ..Outcome::default()
        }
    }

    #[test]
    fn merge_is_exact() {
        let mut a = TransferStats::default();
        let mut b = TransferStats::default();
        for us in 1..=500u64 {
            a.record(&response(200, us * 1000));
        }
        for us in 501..=1000u64 {
            b.record(&response(200, us * 1000));
        }
        b.record(&response(503, 1000));
        b.record(&failure(ErrorCategory::Connect, "refused"));
        a.record(&failure(ErrorCategory::Connect, "first"));
        a.merge(&b);
        assert_eq!(a.count, 1003);
        assert_eq!(a.ok, 1000);
        assert_eq!(a.failed(), 3);
        assert_eq!(a.status_counts(), BTreeMap::from([(200, 1000), (503, 1)]));
        let errors = a.errors();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].count, errors[0].sample.as_str()), (2, "first"));
        let s = Percentiles::of(&a.latency_us);
        // 1001 samples: 1 ms (twice), 2 ms .. 1000 ms; the median is 500 ms to 3 significant digits.
        assert!((499_000..=501_000).contains(&s.p50), "{s:?}");
        assert!((989_000..=991_000).contains(&s.p99), "{s:?}");
    }
}
