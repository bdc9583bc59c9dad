//! `config.executor`: k6's executors, with k6's names, fields and meaning, as pacing [`Mode`]s.
//! The arrival-rate executors are the open model (iterations started per `timeUnit`, whatever
//! the responses do; `maxVUs` caps the users, and an iteration that finds none free is
//! dropped); the VU executors are the closed model. Every error names the field.

use super::super::schedule::Schedule;
use super::fields::{err, in_flight, positive_duration, rate};
use super::mode::Mode;
use super::spec::LoadConfigSpec;
use super::stages::{ramp, stage_targets};
use crate::model::ValidationError;
use std::time::Duration;

/// k6's default `maxDuration` of the iteration executors.
const DEFAULT_MAX_DURATION: Duration = Duration::from_secs(600);

pub(super) const EXECUTORS: [&str; 6] = [
    "constant-arrival-rate",
    "ramping-arrival-rate",
    "constant-vus",
    "ramping-vus",
    "per-vu-iterations",
    "shared-iterations",
];

/// A config's executor as a mode, with the users an arrival-rate executor may use at most
/// (`maxVUs`, else `preAllocatedVUs`).
pub(super) struct Executor {
    pub mode: Mode,
    pub max_users: Option<u64>,
}

/// The fields of `config` that are set, by their names in the run file.
fn present(c: &LoadConfigSpec) -> Vec<&'static str> {
    [
        ("mode", c.mode.is_some()),
        ("targetRps", c.target_rps.is_some()),
        ("concurrency", c.concurrency.is_some()),
        ("startRps", c.start_rps.is_some()),
        ("maxInFlight", c.max_in_flight.is_some()),
        ("duration", c.duration.is_some()),
        ("iterations", c.iterations.is_some()),
        ("stages", c.stages.is_some()),
        ("vus", c.vus.is_some()),
        ("rate", c.rate.is_some()),
        ("timeUnit", c.time_unit.is_some()),
        ("maxVUs", c.max_vus.is_some()),
        ("preAllocatedVUs", c.pre_allocated_vus.is_some()),
        ("startVUs", c.start_vus.is_some()),
        ("startRate", c.start_rate.is_some()),
        ("maxDuration", c.max_duration.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect()
}

/// The executor fields (besides the common ones) each executor takes.
fn fields_of(executor: &str) -> &'static [&'static str] {
    match executor {
        "constant-arrival-rate" => &["rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs"],
        "ramping-arrival-rate" => &[
            "startRate",
            "timeUnit",
            "stages",
            "preAllocatedVUs",
            "maxVUs",
        ],
        "constant-vus" => &["vus", "duration"],
        "ramping-vus" => &["startVUs", "stages"],
        _ => &["vus", "iterations", "maxDuration"],
    }
}

/// Without `executor`, the k6 fields are refused (they mean nothing to `mode`).
pub(super) fn refuse_executor_fields(c: &LoadConfigSpec) -> Result<(), ValidationError> {
    let k6_only = [
        "vus",
        "rate",
        "timeUnit",
        "maxVUs",
        "preAllocatedVUs",
        "startVUs",
        "startRate",
        "maxDuration",
    ];
    match present(c).into_iter().find(|f| k6_only.contains(f)) {
        Some(field) => Err(err(
            &format!("config.{field}"),
            format!(
                "`{field}` belongs to an executor; add \"executor\" (one of {})",
                EXECUTORS.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

pub(super) fn executor(c: &LoadConfigSpec, name: &str) -> Result<Executor, ValidationError> {
    if !EXECUTORS.contains(&name) {
        return Err(err(
            "config.executor",
            format!(
                "`{name}` is not an executor; use one of {}",
                EXECUTORS.join(", ")
            ),
        ));
    }
    let allowed = fields_of(name);
    if let Some(field) = present(c).into_iter().find(|f| !allowed.contains(f)) {
        return Err(err(
            &format!("config.{field}"),
            format!(
                "executor \"{name}\" does not take `{field}`; it takes {}",
                allowed.join(", ")
            ),
        ));
    }
    let f = Fields::new(c, name)?;
    let mode = match name {
        "constant-arrival-rate" => constant_arrival_rate(&f)?,
        "ramping-arrival-rate" => ramping_arrival_rate(&f)?,
        "constant-vus" => Mode::Closed {
            concurrency: f.users("config.vus", c.vus)?,
            duration: positive_duration("config.duration", c.duration.as_ref(), name)?,
        },
        "ramping-vus" => ramping_vus(&f)?,
        "per-vu-iterations" => per_vu_iterations(&f)?,
        _ => shared_iterations(&f)?,
    };
    let max_users = match mode {
        Mode::Open(_) => f.max_users()?,
        _ => None,
    };
    Ok(Executor { mode, max_users })
}

/// The fields the executors share, read as k6 reads them.
struct Fields<'a> {
    c: &'a LoadConfigSpec,
    name: &'a str,
    /// `timeUnit` in seconds (default 1).
    time_unit: f64,
}

impl<'a> Fields<'a> {
    fn new(c: &'a LoadConfigSpec, name: &'a str) -> Result<Fields<'a>, ValidationError> {
        let time_unit = c
            .time_unit
            .as_ref()
            .map(|t| positive_duration("config.timeUnit", Some(t), name))
            .transpose()?
            .unwrap_or(Duration::from_secs(1))
            .as_secs_f64();
        Ok(Fields { c, name, time_unit })
    }

    /// A number of virtual users (default 1): at least 1, at most what can be in flight.
    fn users(&self, field: &str, value: Option<u64>) -> Result<u64, ValidationError> {
        let n = value.unwrap_or(1);
        if n == 0 {
            return Err(err(field, "must be at least 1"));
        }
        in_flight(field, n)
    }

    /// Iterations per `timeUnit` as iterations per second.
    fn per_second(&self, field: &str, value: f64) -> Result<f64, ValidationError> {
        rate(field, value / self.time_unit).map(|_| value / self.time_unit)
    }

    /// An arrival-rate executor's users at most: `maxVUs`, else `preAllocatedVUs`.
    fn max_users(&self) -> Result<Option<u64>, ValidationError> {
        let c = self.c;
        let pre = c
            .pre_allocated_vus
            .map(|n| self.users("config.preAllocatedVUs", Some(n)))
            .transpose()?;
        let max = c
            .max_vus
            .map(|n| self.users("config.maxVUs", Some(n)))
            .transpose()?;
        if let (Some(pre), Some(max)) = (pre, max) {
            if max < pre {
                return Err(err(
                    "config.maxVUs",
                    format!("{max} is below preAllocatedVUs ({pre})"),
                ));
            }
        }
        Ok(max.or(pre))
    }

    /// An iteration executor's time limit (k6's default 10 minutes).
    fn max_duration(&self) -> Result<Option<Duration>, ValidationError> {
        self.c
            .max_duration
            .as_ref()
            .map(|d| positive_duration("config.maxDuration", Some(d), self.name))
            .transpose()
            .map(|d| Some(d.unwrap_or(DEFAULT_MAX_DURATION)))
    }

    fn iterations(&self) -> Result<u64, ValidationError> {
        match self.c.iterations {
            Some(0) => Err(err("config.iterations", "must be at least 1")),
            other => super::fields::iterations("config.iterations", other.unwrap_or(1)),
        }
    }

    /// `stages` with each target checked by `check` (given its field).
    fn stages<T>(
        &self,
        check: impl Fn(&str, f64) -> Result<T, ValidationError>,
    ) -> Result<Vec<(Duration, T)>, ValidationError> {
        stage_targets(self.c, &format!("executor \"{}\"", self.name), false)?
            .into_iter()
            .enumerate()
            .map(|(i, (duration, target))| {
                check(&format!("config.stages[{i}].target"), target).map(|t| (duration, t))
            })
            .collect()
    }
}

fn constant_arrival_rate(f: &Fields<'_>) -> Result<Mode, ValidationError> {
    let duration = positive_duration("config.duration", f.c.duration.as_ref(), f.name)?;
    let r = f.c.rate.ok_or_else(|| {
        err(
            "config.rate",
            "executor \"constant-arrival-rate\" needs rate: iterations per timeUnit",
        )
    })?;
    let r = f.per_second("config.rate", r)?;
    if r == 0.0 {
        return Err(err("config.rate", "must be above 0"));
    }
    Ok(Mode::Open(Schedule::constant(r, duration)))
}

fn ramping_arrival_rate(f: &Fields<'_>) -> Result<Mode, ValidationError> {
    let from = f.per_second("config.startRate", f.c.start_rate.unwrap_or(0.0))?;
    let rates = f.stages(|field, target| f.per_second(field, target))?;
    ramp(
        from,
        rates,
        "these stages start no iteration; raise a target",
    )
}

fn ramping_vus(f: &Fields<'_>) -> Result<Mode, ValidationError> {
    let start = match f.c.start_vus {
        Some(n) => in_flight("config.startVUs", n)?,
        None => 1,
    };
    let stages = f.stages(|field, target| {
        if target.fract() != 0.0 || target < 0.0 {
            return Err(err(
                field,
                "a number of virtual users is a whole number ≥ 0",
            ));
        }
        in_flight(field, target as u64)
    })?;
    if start == 0 && stages.iter().all(|(_, t)| *t == 0) {
        return Err(err("config.stages", "every target is 0: no user would run"));
    }
    Ok(Mode::RampingUsers { start, stages })
}

fn per_vu_iterations(f: &Fields<'_>) -> Result<Mode, ValidationError> {
    let (users, iterations) = (f.users("config.vus", f.c.vus)?, f.iterations()?);
    if users.checked_mul(iterations).is_none() {
        return Err(err(
            "config.iterations",
            format!("{users} users × {iterations} iterations is past counting; ask for fewer"),
        ));
    }
    Ok(Mode::PerUserIterations {
        users,
        iterations,
        limit: f.max_duration()?,
    })
}

fn shared_iterations(f: &Fields<'_>) -> Result<Mode, ValidationError> {
    let iterations = f.iterations()?;
    let concurrency = f.users("config.vus", f.c.vus)?;
    if concurrency > iterations {
        return Err(err(
            "config.vus",
            format!("{concurrency} users for {iterations} iterations: some would never run one; give iterations ≥ vus"),
        ));
    }
    Ok(Mode::Iterations {
        iterations,
        concurrency,
        limit: f.max_duration()?,
    })
}

#[cfg(test)]
mod tests {
    use crate::run::plan::{LoadPlan, Mode, RunSpec};
    use std::time::Duration;

    fn plan(config: serde_json::Value) -> Result<LoadPlan, crate::model::ValidationError> {
        let spec = serde_json::json!({"request": {"url": "http://127.0.0.1:1/"}, "config": config});
        RunSpec::from_json(&spec.to_string())?.prepare(1000)
    }

    fn field(config: serde_json::Value) -> String {
        plan(config).unwrap_err().field
    }

    #[test]
    fn k6_executors_become_modes() {
        let p = plan(serde_json::json!({"executor": "constant-arrival-rate", "rate": 120, "timeUnit": "1m", "duration": "30s", "maxVUs": 7})).unwrap();
        assert_eq!(p.requests_expected(), Some(60));
        assert_eq!(p.max_in_flight, 7);
        assert_eq!(p.executor_name(), "constant-arrival-rate");
        let p = plan(serde_json::json!({"executor": "ramping-arrival-rate", "startRate": 0, "stages": [{"duration": "2s", "target": 10}]})).unwrap();
        assert_eq!(p.requests_expected(), Some(10));
        let p = plan(serde_json::json!({"executor": "constant-vus", "vus": 3, "duration": "1s"}))
            .unwrap();
        assert_eq!(
            p.mode,
            Mode::Closed {
                concurrency: 3,
                duration: Duration::from_secs(1)
            }
        );
        let p = plan(serde_json::json!({"executor": "ramping-vus", "startVUs": 0, "stages": [{"duration": "1s", "target": 4}, {"duration": "1s", "target": 0}]})).unwrap();
        assert_eq!(p.executor_name(), "ramping-vus");
        assert!(p.flow.is_some(), "users executors run flows");
        let p =
            plan(serde_json::json!({"executor": "per-vu-iterations", "vus": 2, "iterations": 5}))
                .unwrap();
        assert_eq!(
            (p.requests_expected(), p.iterations_expected()),
            (None, Some(10)),
            "a one-step flow counts iterations"
        );
        let p =
            plan(serde_json::json!({"executor": "shared-iterations", "vus": 2, "iterations": 5}))
                .unwrap();
        assert_eq!(p.requests_expected(), Some(5));
        assert_eq!(p.duration(), Some(Duration::from_secs(600)));
    }

    #[test]
    fn ramping_users_move_linearly_between_targets() {
        let stages = [
            (Duration::from_secs(10), 100),
            (Duration::from_secs(10), 100),
            (Duration::from_secs(5), 0),
        ];
        let at = |s: f64| Mode::users_at(0, &stages, Duration::from_secs_f64(s));
        assert_eq!(
            [at(0.0), at(2.5), at(10.0), at(15.0), at(22.5), at(30.0)],
            [0, 25, 100, 100, 50, 0]
        );
    }

    #[test]
    fn executor_errors_name_the_field() {
        assert_eq!(
            field(serde_json::json!({"executor": "constant-vus", "vus": 2})),
            "config.duration"
        );
        assert_eq!(
            field(
                serde_json::json!({"executor": "constant-vus", "vus": 2, "duration": "1s", "rate": 3})
            ),
            "config.rate"
        );
        assert_eq!(
            field(serde_json::json!({"executor": "warp", "duration": "1s"})),
            "config.executor"
        );
        assert_eq!(
            field(serde_json::json!({"executor": "constant-arrival-rate", "duration": "1s"})),
            "config.rate"
        );
        assert_eq!(
            field(
                serde_json::json!({"executor": "constant-arrival-rate", "duration": "1s", "rate": 5, "preAllocatedVUs": 4, "maxVUs": 2})
            ),
            "config.maxVUs"
        );
        assert_eq!(
            field(
                serde_json::json!({"executor": "ramping-vus", "stages": [{"duration": "1s", "target": 1.5}]})
            ),
            "config.stages[0].target"
        );
        assert_eq!(
            field(serde_json::json!({"executor": "ramping-vus", "stages": [{"duration": "1s"}]})),
            "config.stages[0].target"
        );
        assert_eq!(
            field(serde_json::json!({"executor": "shared-iterations", "vus": 5, "iterations": 2})),
            "config.vus"
        );
        assert_eq!(
            field(serde_json::json!({"executor": "shared-iterations", "mode": "iterations"})),
            "config.mode"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "1s", "concurrency": 1, "vus": 3})),
            "config.vus"
        );
        assert_eq!(
            field(
                serde_json::json!({"executor": "per-vu-iterations", "vus": 4, "iterations": u64::MAX / 2})
            ),
            "config.iterations"
        );
    }
}
