//! Token bucket: paces request starts at a target rate with a bounded burst.

use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// Tokens per second; `None` means unlimited.
    rate: Option<f64>,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// `rate` ≤ 0 means unlimited. `burst` ≤ 0 means one second's worth of tokens (at least 1).
    pub(crate) fn new(rate: f64, burst: f64, now: Instant) -> RateLimiter {
        let rate = (rate > 0.0 && rate.is_finite()).then_some(rate);
        let capacity = match rate {
            Some(_) if burst > 0.0 => burst.max(1.0),
            Some(r) => r.max(1.0),
            None => f64::INFINITY,
        };
        // Start with one token, not a full bucket: a fresh run should not open with a burst.
        RateLimiter {
            rate,
            capacity,
            tokens: 1.0f64.min(capacity),
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        if let Some(rate) = self.rate {
            let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
            self.tokens = (self.tokens + elapsed * rate).min(self.capacity);
            self.last = now;
        }
    }

    /// Takes one token if there is one.
    pub(crate) fn try_acquire(&mut self, now: Instant) -> bool {
        if self.rate.is_none() {
            return true;
        }
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Gives back a token taken for a start that did not happen.
    pub(crate) fn refund(&mut self) {
        if self.rate.is_some() {
            self.tokens = (self.tokens + 1.0).min(self.capacity);
        }
    }

    /// How long until the next token, or `None` if one is available now or the limiter is unlimited.
    pub(crate) fn wait_time(&mut self, now: Instant) -> Option<Duration> {
        let rate = self.rate?;
        self.refill(now);
        (self.tokens < 1.0).then(|| Duration::from_secs_f64((1.0 - self.tokens) / rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_always_grants() {
        let now = Instant::now();
        let mut l = RateLimiter::new(0.0, 0.0, now);
        assert!((0..10_000).all(|_| l.try_acquire(now)));
        assert_eq!(l.wait_time(now), None);
    }

    #[test]
    fn grants_at_the_rate_over_simulated_time() {
        let start = Instant::now();
        let mut l = RateLimiter::new(1000.0, 10.0, start);
        let mut granted = 0;
        // Ask every 100 µs for 1 simulated second: 1000 tokens plus the initial one.
        for step in 0..=10_000u64 {
            let now = start + Duration::from_micros(step * 100);
            while l.try_acquire(now) {
                granted += 1;
            }
        }
        assert!((1000..=1002).contains(&granted), "granted {granted}");
    }

    #[test]
    fn burst_caps_saved_tokens() {
        let start = Instant::now();
        let mut l = RateLimiter::new(100.0, 5.0, start);
        let later = start + Duration::from_secs(10);
        let burst = std::iter::from_fn(|| l.try_acquire(later).then_some(())).count();
        assert_eq!(burst, 5);
        let wait = l.wait_time(later).unwrap();
        assert!(
            wait <= Duration::from_millis(10) && wait > Duration::ZERO,
            "{wait:?}"
        );
    }
}
