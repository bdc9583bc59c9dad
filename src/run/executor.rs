//! `config.executor`: k6's executors, with k6's names, fields and meaning, as pacing [`Mode`]s.
//! The arrival-rate executors are the open model (iterations started per `timeUnit`, whatever
//! the responses do; `maxVUs` caps the users, and an iteration that finds none free is
//! dropped); the VU executors are the closed model. Every error names the field.

use super::config::{
    in_flight, positive_duration, ramp, rate, stage_targets, LoadConfigSpec, Mode,
};
use super::schedule::Schedule;
use crate::model::ValidationError;
use std::time::Duration;

/// k6's default `maxDuration` of the iteration executors.
const DEFAULT_MAX_DURATION: Duration = Duration::from_secs(600);

pub const EXECUTORS: [&str; 6] = [
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

fn err(field: &str, message: impl Into<String>) -> ValidationError {
    ValidationError::new(field, message)
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
    let users = |field: &str, value: Option<u64>, default: u64| -> Result<u64, ValidationError> {
        let n = value.unwrap_or(default);
        if n == 0 {
            return Err(err(field, "must be at least 1"));
        }
        in_flight(field, n)
    };
    let time_unit = c
        .time_unit
        .as_ref()
        .map(|t| positive_duration("config.timeUnit", Some(t), name))
        .transpose()?
        .unwrap_or(Duration::from_secs(1))
        .as_secs_f64();
    let per_second =
        |field: &str, value: f64| rate(field, value / time_unit).map(|_| value / time_unit);
    let max_users = || -> Result<Option<u64>, ValidationError> {
        let pre = c
            .pre_allocated_vus
            .map(|n| users("config.preAllocatedVUs", Some(n), 1))
            .transpose()?;
        let max = c
            .max_vus
            .map(|n| users("config.maxVUs", Some(n), 1))
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
    };
    let max_duration = || {
        c.max_duration
            .as_ref()
            .map(|d| positive_duration("config.maxDuration", Some(d), name))
            .transpose()
            .map(|d| Some(d.unwrap_or(DEFAULT_MAX_DURATION)))
    };
    let iterations = || match c.iterations {
        Some(0) => Err(err("config.iterations", "must be at least 1")),
        other => super::config::iterations("config.iterations", other.unwrap_or(1)),
    };
    let mode = match name {
        "constant-arrival-rate" => {
            let duration = positive_duration("config.duration", c.duration.as_ref(), name)?;
            let r = c.rate.ok_or_else(|| {
                err(
                    "config.rate",
                    "executor \"constant-arrival-rate\" needs rate: iterations per timeUnit",
                )
            })?;
            let r = per_second("config.rate", r)?;
            if r == 0.0 {
                return Err(err("config.rate", "must be above 0"));
            }
            Mode::Open(Schedule::constant(r, duration))
        }
        "ramping-arrival-rate" => {
            let from = per_second("config.startRate", c.start_rate.unwrap_or(0.0))?;
            let rates = stage_targets(c, &format!("executor \"{name}\""), false)?
                .into_iter()
                .enumerate()
                .map(|(i, (duration, target))| {
                    per_second(&format!("config.stages[{i}].target"), target).map(|r| (duration, r))
                })
                .collect::<Result<_, _>>()?;
            ramp(
                from,
                rates,
                "these stages start no iteration; raise a target",
            )?
        }
        "constant-vus" => Mode::Closed {
            concurrency: users("config.vus", c.vus, 1)?,
            duration: positive_duration("config.duration", c.duration.as_ref(), name)?,
        },
        "ramping-vus" => {
            let start = match c.start_vus {
                Some(n) => in_flight("config.startVUs", n)?,
                None => 1,
            };
            let mut list = Vec::new();
            for (i, (duration, target)) in stage_targets(c, &format!("executor \"{name}\""), false)?
                .into_iter()
                .enumerate()
            {
                let field = format!("config.stages[{i}].target");
                if target.fract() != 0.0 || target < 0.0 {
                    return Err(err(
                        &field,
                        "a number of virtual users is a whole number ≥ 0",
                    ));
                }
                list.push((duration, in_flight(&field, target as u64)?));
            }
            if start == 0 && list.iter().all(|(_, t)| *t == 0) {
                return Err(err("config.stages", "every target is 0: no user would run"));
            }
            Mode::RampingUsers {
                start,
                stages: list,
            }
        }
        "per-vu-iterations" => {
            let (users, iterations) = (users("config.vus", c.vus, 1)?, iterations()?);
            if users.checked_mul(iterations).is_none() {
                return Err(err(
                    "config.iterations",
                    format!(
                        "{users} users × {iterations} iterations is past counting; ask for fewer"
                    ),
                ));
            }
            Mode::PerUserIterations {
                users,
                iterations,
                limit: max_duration()?,
            }
        }
        _ => {
            let iterations = iterations()?;
            let concurrency = users("config.vus", c.vus, 1)?;
            if concurrency > iterations {
                return Err(err(
                    "config.vus",
                    format!("{concurrency} users for {iterations} iterations: some would never run one; give iterations ≥ vus"),
                ));
            }
            Mode::Iterations {
                iterations,
                concurrency,
                limit: max_duration()?,
            }
        }
    };
    let max_users = if matches!(mode, Mode::Open(_)) {
        max_users()?
    } else {
        None
    };
    Ok(Executor { mode, max_users })
}

#[cfg(test)]
mod tests {
    use crate::run::config::{LoadPlan, Mode, RunSpec};
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
