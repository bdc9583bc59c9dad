//! The run file's shortcuts (`mode`: "constant", "iterations", "ramp_up", with `targetRps`,
//! `concurrency`, `iterations`, `stages`) turned into the pacing k6's executors also come to,
//! in one place (as k6's `DeriveScenariosFromShortcuts`).

use super::super::schedule::Schedule;
use super::fields::{err, in_flight, iterations, positive_duration, rate};
use super::mode::Mode;
use super::spec::LoadConfigSpec;
use super::stages::{ramp, stage_targets};
use crate::model::ValidationError;

/// The pacing of a run file that uses the shortcuts (`mode`, `targetRps`, `concurrency`, ...)
/// instead of `executor`.
pub(super) fn mode(c: &LoadConfigSpec) -> Result<Mode, ValidationError> {
    let mode_name = c.mode.as_deref().unwrap_or("constant");
    forbid(
        c.stages.is_some() && mode_name != "ramp_up",
        "config.stages",
        "stages belong to mode \"ramp_up\"",
    )?;
    let mode = match mode_name {
        "constant" => constant(c)?,
        "iterations" => iterations_mode(c)?,
        "ramp_up" => ramp_up(c)?,
        other => {
            return Err(err(
                "config.mode",
                format!("`{other}` is not a mode; use \"constant\", \"iterations\" or \"ramp_up\""),
            ))
        }
    };
    forbid(
        c.start_rps.is_some() && mode_name != "ramp_up",
        "config.startRps",
        "startRps belongs to mode \"ramp_up\"",
    )?;
    Ok(mode)
}

/// A field the mode does not take, refused with why.
fn forbid(present: bool, field: &str, why: &str) -> Result<(), ValidationError> {
    if present {
        Err(err(field, why.to_string()))
    } else {
        Ok(())
    }
}

/// `"constant"`: `targetRps` (open model) or `concurrency` (closed model) for a duration.
fn constant(c: &LoadConfigSpec) -> Result<Mode, ValidationError> {
    let duration = positive_duration("config.duration", c.duration.as_ref(), "constant")?;
    forbid(
        c.iterations.is_some(),
        "config.iterations",
        "\"constant\" runs for a duration; use mode \"iterations\" for a count",
    )?;
    match (c.target_rps, c.concurrency) {
        (Some(_), Some(_)) => Err(err(
            "config.concurrency",
            "give targetRps (open model) or concurrency (closed model), not both; cap an open-model run's in-flight requests with maxInFlight",
        )),
        (Some(r), None) => {
            if rate("config.targetRps", r)? == 0.0 {
                return Err(err("config.targetRps", "must be above 0"));
            }
            Ok(Mode::Open(Schedule::constant(r, duration)))
        }
        (None, Some(0)) => Err(err("config.concurrency", "must be at least 1")),
        (None, Some(n)) => Ok(Mode::Closed {
            concurrency: in_flight("config.concurrency", n)?,
            duration,
        }),
        (None, None) => Err(err("config.targetRps", "mode \"constant\" needs targetRps (open model) or concurrency (closed model)")),
    }
}

/// `"iterations"`: a count of requests, `concurrency` at once, optionally within `duration`.
fn iterations_mode(c: &LoadConfigSpec) -> Result<Mode, ValidationError> {
    forbid(
        c.target_rps.is_some(),
        "config.targetRps",
        "mode \"iterations\" is paced by concurrency; remove targetRps",
    )?;
    let iterations = match c.iterations {
        Some(0) | None => {
            return Err(err(
                "config.iterations",
                "mode \"iterations\" needs iterations ≥ 1",
            ))
        }
        Some(n) => iterations("config.iterations", n)?,
    };
    let concurrency = in_flight("config.concurrency", c.concurrency.unwrap_or(1))?;
    if concurrency == 0 {
        return Err(err("config.concurrency", "must be at least 1"));
    }
    let limit = c
        .duration
        .as_ref()
        .map(|d| positive_duration("config.duration", Some(d), "iterations"))
        .transpose()?;
    Ok(Mode::Iterations {
        iterations,
        concurrency,
        limit,
    })
}

/// `"ramp_up"`: an open-model ramp from `startRps` through the stages' `targetRps`.
fn ramp_up(c: &LoadConfigSpec) -> Result<Mode, ValidationError> {
    forbid(
        c.duration.is_some(),
        "config.duration",
        "a ramp lasts as long as its stages; remove duration",
    )?;
    forbid(
        c.target_rps.is_some(),
        "config.targetRps",
        "a ramp's rates are in its stages; remove targetRps",
    )?;
    forbid(
        c.concurrency.is_some(),
        "config.concurrency",
        "a ramp is an open model; cap it with maxInFlight",
    )?;
    forbid(
        c.iterations.is_some(),
        "config.iterations",
        "a ramp runs for its stages; remove iterations",
    )?;
    let from = rate("config.startRps", c.start_rps.unwrap_or(0.0))?;
    let stages = stage_targets(c, "mode \"ramp_up\"", true)?
        .into_iter()
        .enumerate()
        .map(|(i, (duration, target))| {
            rate(&format!("config.stages[{i}].targetRps"), target).map(|r| (duration, r))
        })
        .collect::<Result<_, _>>()?;
    ramp(
        from,
        stages,
        "these stages send no request; raise a targetRps",
    )
}
