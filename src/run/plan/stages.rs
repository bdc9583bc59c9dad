//! `config.stages`: the (duration, target) pairs of a ramp, and an open-model ramp as a
//! schedule. Both the shortcuts (`mode: "ramp_up"`) and k6's ramping executors use them.

use super::super::schedule::{Schedule, Stage};
use super::fields::{err, positive_duration};
use super::mode::Mode;
use super::spec::LoadConfigSpec;
use crate::model::ValidationError;
use std::time::Duration;

/// An open-model ramp: from `start` per second, moving linearly to each stage's rate over the
/// stage (k6's ramping arrival rate). `empty`: what to say when it would send nothing.
pub(super) fn ramp(
    start: f64,
    stages: Vec<(Duration, f64)>,
    empty: &str,
) -> Result<Mode, ValidationError> {
    let mut from = start;
    let stages = stages
        .into_iter()
        .map(|(duration, to)| {
            let stage = Stage {
                duration,
                from_rps: from,
                to_rps: to,
            };
            from = to;
            stage
        })
        .collect();
    let schedule = Schedule::new(stages);
    if schedule.expected() == 0 {
        return Err(err("config.stages", empty));
    }
    Ok(Mode::Open(schedule))
}

/// `config.stages` as (duration, target) pairs. Mode "ramp_up" writes targets as `targetRps`
/// (`rps`), an executor as `target`; the other field is refused. `who` names the one asking.
pub(super) fn stage_targets(
    c: &LoadConfigSpec,
    who: &str,
    rps: bool,
) -> Result<Vec<(Duration, f64)>, ValidationError> {
    let (key, other) = if rps {
        ("targetRps", "target")
    } else {
        ("target", "targetRps")
    };
    let specs = c
        .stages
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            err(
                "config.stages",
                format!("{who} needs stages: [{{\"duration\": \"30s\", \"{key}\": 100}}, ...]"),
            )
        })?;
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let duration = positive_duration(
                &format!("config.stages[{i}].duration"),
                Some(&s.duration),
                who,
            )?;
            let (wanted, refused) = if rps {
                (s.target_rps, s.target)
            } else {
                (s.target, s.target_rps)
            };
            if refused.is_some() {
                return Err(err(
                    &format!("config.stages[{i}].{other}"),
                    format!("{who}'s stages have `{key}`"),
                ));
            }
            let target = wanted.ok_or_else(|| {
                err(
                    &format!("config.stages[{i}].{key}"),
                    format!("each stage needs `{key}`"),
                )
            })?;
            Ok((duration, target))
        })
        .collect()
}
