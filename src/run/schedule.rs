//! Open-model send times: a piecewise-linear rate over stages (a constant rate is one flat stage).
//! Request k (counting from 0 over the whole run) is due when the integral of the rate reaches
//! k + ½, so sends are evenly spaced, never bunched at second boundaries, and a run of R/s for D
//! seconds sends exactly R·D requests.
//!
//! With an execution segment (`segmented`), request k is this engine's k-th request: the
//! segment's k-th index of the whole schedule, sent at that index's time.

use super::segment::Segment;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub duration: Duration,
    /// Rate at the stage's start and end, requests per second; it moves linearly between them.
    pub from_rps: f64,
    pub to_rps: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    stages: Vec<Stage>,
    /// Requests due before each stage starts (the integral of the rate so far).
    count_before: Vec<f64>,
    /// Seconds from the run's start at which each stage starts.
    start_secs: Vec<f64>,
    total: f64,
    /// This engine's part of the whole schedule, when the plan is split over engines.
    segment: Option<Arc<Segment>>,
}

impl Schedule {
    pub fn new(stages: Vec<Stage>) -> Schedule {
        let (mut count, mut secs) = (0.0, 0.0);
        let mut count_before = Vec::with_capacity(stages.len());
        let mut start_secs = Vec::with_capacity(stages.len());
        for s in &stages {
            count_before.push(count);
            start_secs.push(secs);
            let d = s.duration.as_secs_f64();
            count += (s.from_rps + s.to_rps) / 2.0 * d;
            secs += d;
        }
        Schedule {
            stages,
            count_before,
            start_secs,
            total: count,
            segment: None,
        }
    }

    /// The part of this schedule a segment owns.
    pub fn segmented(self, segment: Arc<Segment>) -> Schedule {
        Schedule {
            segment: Some(segment),
            ..self
        }
    }

    /// The whole schedule's count mapped to this engine's part.
    fn own(&self, whole: u64) -> u64 {
        self.segment
            .as_ref()
            .map_or(whole, |s| s.owned_below(whole))
    }

    pub fn constant(rps: f64, duration: Duration) -> Schedule {
        Schedule::new(vec![Stage {
            duration,
            from_rps: rps,
            to_rps: rps,
        }])
    }

    /// One stage at one rate (k6's constant-arrival-rate).
    pub fn is_constant(&self) -> bool {
        matches!(&self.stages[..], [s] if s.from_rps == s.to_rps)
    }

    pub fn duration(&self) -> Duration {
        self.stages.iter().map(|s| s.duration).sum()
    }

    /// How many requests the schedule sends (this engine's part of them, when segmented).
    pub fn expected(&self) -> u64 {
        self.own(self.whole_expected())
    }

    fn whole_expected(&self) -> u64 {
        (self.total + 0.5).floor() as u64
    }

    /// The target rate at `t` from the start.
    pub fn rate_at(&self, t: Duration) -> f64 {
        let t = t.as_secs_f64();
        for (i, s) in self.stages.iter().enumerate() {
            let d = s.duration.as_secs_f64();
            let into = t - self.start_secs[i];
            if into < d {
                return s.from_rps + (s.to_rps - s.from_rps) * into / d.max(f64::MIN_POSITIVE);
            }
        }
        0.0
    }

    /// How many requests are due by `t` from the start: those with `send_time(k) <= t`, counted
    /// from the schedule's integral rather than one by one (a plan may hold billions).
    pub fn due_by(&self, t: Duration) -> u64 {
        self.own(self.whole_due_by(t))
    }

    fn whole_due_by(&self, t: Duration) -> u64 {
        let t = t.as_secs_f64();
        let i = self
            .start_secs
            .partition_point(|&s| s <= t)
            .saturating_sub(1);
        let Some(s) = self.stages.get(i) else {
            return 0;
        };
        let d = s.duration.as_secs_f64();
        let x = (t - self.start_secs[i]).clamp(0.0, d);
        let slope = (s.to_rps - s.from_rps) / d.max(f64::MIN_POSITIVE);
        let count = self.count_before[i] + s.from_rps * x + slope * x * x / 2.0;
        // Request k is due once the integral reaches k + 0.5.
        ((count + 0.5).floor().max(0.0) as u64).min(self.whole_expected())
    }

    /// When request `k` is due, from the start of the run; `None` past the end.
    pub fn send_time(&self, k: u64) -> Option<Duration> {
        let k = self.segment.as_ref().map_or(k, |s| s.global(k));
        let target = k as f64 + 0.5;
        if target > self.total {
            return None;
        }
        // The last stage whose start count is at most the target.
        let i = self
            .count_before
            .partition_point(|&c| c <= target)
            .saturating_sub(1);
        let s = &self.stages[i];
        let x = target - self.count_before[i];
        let d = s.duration.as_secs_f64();
        let slope = (s.to_rps - s.from_rps) / d;
        // Solve from·t + slope·t²/2 = x for the smallest t ≥ 0.
        let t = if slope.abs() < 1e-12 {
            x / s.from_rps
        } else {
            let disc = (s.from_rps * s.from_rps + 2.0 * slope * x).max(0.0);
            (-s.from_rps + disc.sqrt()) / slope
        };
        Some(Duration::from_secs_f64(
            self.start_secs[i] + t.clamp(0.0, d),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_of_a_schedule_send_all_of_it_once_at_its_times() {
        let whole = Schedule::constant(300.0, secs(2.0));
        let parts: Vec<Schedule> = (1..=3)
            .map(|i| {
                let segment = Segment::parse(&format!("{i}/3"), None).unwrap();
                whole.clone().segmented(Arc::new(segment))
            })
            .collect();
        assert_eq!(parts.iter().map(Schedule::expected).sum::<u64>(), 600);
        let mut times: Vec<Duration> = parts
            .iter()
            .flat_map(|p| (0..p.expected()).map(|k| p.send_time(k).unwrap()))
            .collect();
        times.sort();
        let all: Vec<Duration> = (0..600).map(|k| whole.send_time(k).unwrap()).collect();
        assert_eq!(times, all);
        for p in &parts {
            assert_eq!(p.expected(), 200);
            assert_eq!(p.due_by(secs(1.0)), 100);
        }
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn constant_rate_is_evenly_spaced_and_exact() {
        let s = Schedule::constant(200.0, secs(3.0));
        assert_eq!(s.expected(), 600);
        let times: Vec<f64> = (0..600)
            .map(|k| s.send_time(k).unwrap().as_secs_f64())
            .collect();
        assert!((times[0] - 0.0025).abs() < 1e-9);
        for pair in times.windows(2) {
            assert!((pair[1] - pair[0] - 0.005).abs() < 1e-9);
        }
        assert!(times[599] < 3.0);
        assert_eq!(s.send_time(600), None);
    }

    #[test]
    fn ramp_count_is_the_integral() {
        // From 0 to 100/s over 1 s (50 requests), then 100/s for 1 s (100 requests).
        let s = Schedule::new(vec![
            Stage {
                duration: secs(1.0),
                from_rps: 0.0,
                to_rps: 100.0,
            },
            Stage {
                duration: secs(1.0),
                from_rps: 100.0,
                to_rps: 100.0,
            },
        ]);
        assert_eq!(s.expected(), 150);
        let last = s.send_time(149).unwrap().as_secs_f64();
        assert!(last > 1.99 && last < 2.0, "{last}");
        assert_eq!(s.send_time(150), None);
        // Ramp: send times are increasing and denser towards the end of the first stage.
        let first_gap = s.send_time(1).unwrap() - s.send_time(0).unwrap();
        let late_gap = s.send_time(49).unwrap() - s.send_time(48).unwrap();
        assert!(first_gap > late_gap * 3, "{first_gap:?} vs {late_gap:?}");
        let times: Vec<_> = (0..150).map(|k| s.send_time(k).unwrap()).collect();
        assert!(times.windows(2).all(|p| p[0] < p[1]));
        assert!((s.rate_at(secs(0.5)) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn due_counts_match_send_times() {
        let ramp = Schedule::new(vec![
            Stage {
                duration: secs(2.0),
                from_rps: 10.0,
                to_rps: 50.0,
            },
            Stage {
                duration: secs(1.0),
                from_rps: 0.0,
                to_rps: 0.0,
            },
        ]);
        for ms in (0..3500).step_by(7) {
            let t = Duration::from_millis(ms);
            let counted = (0..ramp.expected())
                .filter(|&k| ramp.send_time(k).is_some_and(|s| s <= t))
                .count() as u64;
            let due = ramp.due_by(t);
            assert!(due.abs_diff(counted) <= 1, "at {ms} ms: {due} vs {counted}");
        }
        assert_eq!(ramp.due_by(secs(10.0)), ramp.expected());
    }

    #[test]
    fn ramp_down_and_idle_stage() {
        let s = Schedule::new(vec![
            Stage {
                duration: secs(2.0),
                from_rps: 100.0,
                to_rps: 0.0,
            },
            Stage {
                duration: secs(1.0),
                from_rps: 0.0,
                to_rps: 0.0,
            },
            Stage {
                duration: secs(1.0),
                from_rps: 10.0,
                to_rps: 10.0,
            },
        ]);
        assert_eq!(s.expected(), 110);
        let in_last = s.send_time(100).unwrap().as_secs_f64();
        assert!((3.0..4.0).contains(&in_last), "{in_last}");
        let in_ramp = s.send_time(99).unwrap().as_secs_f64();
        assert!(in_ramp < 2.0, "{in_ramp}");
    }
}
