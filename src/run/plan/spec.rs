//! The run file as written (`vayu-cli load` reads it, `POST /run` takes it): what to send and
//! how, deserialised once; [`RunSpec::prepare`](super::load_plan) checks it into a plan.

use crate::model::{RequestSpec, ValidationError};
use serde::{Deserialize, Serialize};

/// A load run as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestSpec>,
    /// Sent round-robin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Vec<RequestSpec>>,
    /// A journey: a list of steps (requests with `name`, scripts and `thinkTime`), or
    /// `{"collection": ..., "folder": ...}`. Every iteration of every virtual user runs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<serde_json::Value>,
    /// Iteration data rows for a flow: `[{"column": value}, ...]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    pub config: LoadConfigSpec,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadConfigSpec {
    /// k6's executor names and fields (see `executor.rs`); instead of `mode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vus: Option<u64>,
    /// Iterations per `timeUnit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "maxVUs")]
    pub max_vus: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "preAllocatedVUs"
    )]
    pub pre_allocated_vus: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "startVUs")]
    pub start_vus: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<serde_json::Value>,
    /// "constant" (default), "iterations" or "ramp_up".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Seconds as a number, or a string with a unit ("30s", "2m").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_rps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graceful_stop: Option<serde_json::Value>,
    /// Open model: sends due within one window of this length go out together at its end;
    /// `"auto"` (the default) windows only sends denser than [`DENSE_SEND_WINDOW`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_window: Option<serde_json::Value>,
    /// This engine's part of a plan split over several: "I/N" or "from:to" (`docs/distributed.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Every engine's segment boundaries, "0,1/4,1/2,1" (required with "from:to").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_sequence: Option<String>,
    /// When to start, RFC 3339 ("2026-11-22T08:00:00Z"): engines given the same instant follow
    /// one schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    /// Per-request timeout for every request of the run (overrides the requests' own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<String>,
    /// Which results are recorded in the database: `{"failures": true, "sampleEvery": 100}`
    /// (the default), `"all"` or `"none"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StageSpec {
    pub duration: serde_json::Value,
    /// Mode "ramp_up"'s rate at the stage's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rps: Option<f64>,
    /// An executor's target at the stage's end: virtual users, or iterations per `timeUnit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
}

impl RunSpec {
    pub fn from_json(text: &str) -> Result<RunSpec, ValidationError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(ValidationError::at_path)
    }

    /// A run file the API has already parsed (its body), read once more into a `RunSpec`
    /// without writing it back out as text.
    pub fn from_value(value: serde_json::Value) -> Result<RunSpec, ValidationError> {
        serde_path_to_error::deserialize(value).map_err(ValidationError::at_path)
    }

    /// The requests in the order they are sent.
    pub fn request_specs(&self) -> Vec<&RequestSpec> {
        self.request
            .iter()
            .chain(self.requests.iter().flatten())
            .collect()
    }
}
