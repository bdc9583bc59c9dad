//! How fast a worker lets its open-model jobs ([`Job::arrivals`](super::Job::arrivals)) grow
//! past the connections it already has.
//!
//! Opening connections is what costs. When a worker's sleep overruns (3–14 ms at times on a busy
//! VM), an open-model run owes it hundreds of sends at once; each started at once needed a new
//! connection, libcurl took 13–30 ms to open them in one call, more sends came due meanwhile,
//! and the run dropped sends at `maxInFlight` from 30,000/s on. Held back instead, those sends
//! go out on the connections the worker has as their transfers finish, late by what they
//! waited (the corrected latency shows it), while the pool grows at a bounded pace. A pool that
//! has not caught up after `BEHIND` and started few of the held-back sends meanwhile (a server
//! that slowed down, or a run starting against a slow one) may open `BURST` more, so it soon
//! has what the server needs.

use std::time::{Duration, Instant};

/// New connections a worker may open at once.
const BURST: f64 = 16.0;

/// Then one more this often (2 a millisecond): a fast server's backlog, drained in a
/// millisecond or two by the pool it has, adds only a few. Tried at 70,000/s on the bench VM: 16
/// and 1 per ms, 16 and 2, 8 and 4 held the rate; 32 and 10 per ms dropped sends again.
const EVERY: Duration = Duration::from_micros(500);

/// Sends held back this long without the worker catching up, while its pool started fewer than
/// `BURST` of them: the pool is too small for what the server takes (it slowed down, or the run
/// starts against a slow one), and `BURST` more connections may open. A fast server's pool
/// drains a backlog at hundreds of sends a millisecond and never gets them. Against a server
/// answering in 200 ms at 5,000/s, without this the corrected p99 was 236 ms for a service p99
/// of 201 ms; granting a quarter of the pool instead made a fast server's pool grow without end.
const BEHIND: Duration = Duration::from_millis(1);

#[derive(Debug)]
pub(crate) struct ConnectionBudget {
    /// The most transfers ever in flight at once: the connections the worker opened (libcurl
    /// keeps them for reuse), so starts up to this many need no new one.
    high_water: usize,
    /// New connections that may open now.
    tokens: f64,
    refilled_at: Instant,
    /// Since when sends have been held back without the worker catching up, and how many
    /// started since.
    behind_since: Option<Instant>,
    started_behind: usize,
}

impl ConnectionBudget {
    pub(crate) fn new(now: Instant) -> ConnectionBudget {
        ConnectionBudget {
            high_water: 0,
            tokens: BURST,
            refilled_at: now,
            behind_since: None,
            started_behind: 0,
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
        if self.tokens >= 1.0 {
            return true;
        }
        let since = *self.behind_since.get_or_insert(now);
        if now.saturating_duration_since(since) < BEHIND {
            return false;
        }
        let slow = self.started_behind < BURST as usize;
        self.behind_since = Some(now);
        self.started_behind = 0;
        if slow {
            self.tokens += BURST;
        }
        slow
    }

    /// The job has nothing due: whatever was held back went out.
    pub(crate) fn caught_up(&mut self) {
        self.behind_since = None;
        self.started_behind = 0;
    }

    /// A transfer started while `active` others were in flight.
    pub(crate) fn started(&mut self, active: usize) {
        if self.behind_since.is_some() {
            self.started_behind += 1;
        }
        if active >= self.high_water {
            self.tokens -= 1.0;
            self.high_water = active + 1;
        }
    }

    /// When the next new connection may open, after [`allows`](Self::allows) said no.
    pub(crate) fn next_at(&self) -> Instant {
        let token = self.refilled_at + EVERY.mul_f64((1.0 - self.tokens).max(0.0));
        self.behind_since
            .map_or(token, |since| token.min(since + BEHIND))
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
        // Caught up, then held back a whole BEHIND while starting none: the two tokens earned
        // meanwhile, then BURST more at once.
        budget.caught_up();
        let t1 = t0 + EVERY;
        assert!(!start(&mut budget, opened + 1, t1));
        assert_eq!(budget.next_at(), t1 + EVERY);
        let pool = opened + 1;
        let grown = (pool..1000)
            .take_while(|&a| start(&mut budget, a, t1 + BEHIND))
            .count();
        assert_eq!(grown, 2 + BURST as usize);
        // Never more than BURST saved up.
        let pool = pool + grown;
        budget.caught_up();
        let later = t1 + Duration::from_secs(60);
        let more = (pool..1000)
            .take_while(|&a| start(&mut budget, a, later))
            .count();
        assert_eq!(more, BURST as usize);
    }

    #[test]
    fn a_pool_that_drains_its_backlog_gets_no_more_connections() {
        let t0 = Instant::now();
        let mut budget = ConnectionBudget::new(t0);
        for active in 0..BURST as usize {
            assert!(budget.allows(active, t0));
            budget.started(active);
        }
        let full = BURST as usize;
        assert!(!budget.allows(full, t0));
        // Within the millisecond, transfers finish and their slots take 40 held-back sends.
        for _ in 0..40 {
            assert!(budget.allows(full - 1, t0));
            budget.started(full - 1);
        }
        // Two tokens earned, then nothing: the pool keeps up, it is not too small.
        let t1 = t0 + BEHIND;
        assert!(budget.allows(full, t1));
        budget.started(full);
        assert!(budget.allows(full + 1, t1));
        budget.started(full + 1);
        assert!(!budget.allows(full + 2, t1));
    }
}
