//! How fast a worker lets its open-model jobs ([`Job::arrivals`](super::Job::arrivals)) grow
//! past the connections it already has.
//!
//! Opening connections is what costs. When a worker's sleep overruns (3–14 ms at times on a busy
//! VM), an open-model run owes it hundreds of sends at once; each started at once needed a new
//! connection, libcurl took 13–30 ms to open them in one call, more sends came due meanwhile,
//! and the run dropped sends at `maxInFlight` from 30,000/s on. Held back instead, those sends
//! go out on the connections the worker has as their transfers finish, late by what they
//! waited (the corrected latency shows it), while the pool grows at a bounded pace, so a
//! server that has slowed down still gets the connections it needs, 2,000 a second per worker.

use std::time::{Duration, Instant};

/// New connections a worker may open at once.
const BURST: f64 = 16.0;

/// Then one more this often (2 a millisecond): a server that slows down until it needs 500 more
/// connections per worker gets them in a quarter second, while a fast server's backlog, drained
/// in a millisecond or two by the pool it has, adds only a few. Tried at 70,000/s on the bench
/// VM: 16 and 1 per ms, 16 and 2, 8 and 4 held the rate; 32 and 10 per ms dropped sends again.
const EVERY: Duration = Duration::from_micros(500);

#[derive(Debug)]
pub(crate) struct ConnectionBudget {
    /// The most transfers ever in flight at once: the connections the worker opened (libcurl
    /// keeps them for reuse), so starts up to this many need no new one.
    high_water: usize,
    /// New connections that may open now.
    tokens: f64,
    refilled_at: Instant,
}

impl ConnectionBudget {
    pub(crate) fn new(now: Instant) -> ConnectionBudget {
        ConnectionBudget {
            high_water: 0,
            tokens: BURST,
            refilled_at: now,
        }
    }

    /// Whether one more transfer may start while `active` are in flight.
    pub(crate) fn allows(&mut self, active: usize, now: Instant) -> bool {
        if active < self.high_water {
            return true;
        }
        let earned = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64()
            / EVERY.as_secs_f64();
        self.tokens = (self.tokens + earned).min(BURST);
        self.refilled_at = now;
        self.tokens >= 1.0
    }

    /// A transfer started while `active` others were in flight.
    pub(crate) fn started(&mut self, active: usize) {
        if active >= self.high_water {
            self.tokens -= 1.0;
            self.high_water = active + 1;
        }
    }

    /// When the next new connection may open, after [`allows`](Self::allows) said no.
    pub(crate) fn next_at(&self) -> Instant {
        self.refilled_at + EVERY.mul_f64((1.0 - self.tokens).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_within_the_pool_are_free_and_growth_is_paced() {
        let t0 = Instant::now();
        let mut budget = ConnectionBudget::new(t0);
        let start = |budget: &mut ConnectionBudget, active: usize, now: Instant| {
            let allowed = budget.allows(active, now);
            if allowed {
                budget.started(active);
            }
            allowed
        };
        // A burst opens BURST connections, then none until a token is earned.
        let opened = (0..100).take_while(|&a| start(&mut budget, a, t0)).count();
        assert_eq!(opened, BURST as usize);
        assert!(!start(&mut budget, opened, t0));
        // Within the pool, starts never wait.
        assert!(start(&mut budget, 0, t0) && start(&mut budget, opened - 1, t0));
        // One more after EVERY; the wake-up time says when.
        assert_eq!(budget.next_at(), t0 + EVERY);
        assert!(start(&mut budget, opened, t0 + EVERY));
        assert!(!start(&mut budget, opened + 1, t0 + EVERY));
        // Never more than BURST saved up.
        let later = t0 + EVERY + Duration::from_secs(60);
        let more = (opened + 1..1000)
            .take_while(|&a| start(&mut budget, a, later))
            .count();
        assert_eq!(more, BURST as usize);
    }
}
