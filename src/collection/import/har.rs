//! HAR 1.2 recordings in (stub).

use super::{ImportError, Imported};
use serde_json::Value;
use std::time::Duration;

/// How think times are taken from a recording.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ThinkTime {
    #[default]
    Keep,
    None,
    Fixed(Duration),
}

#[derive(Debug, Clone, Default)]
pub struct HarOptions {
    pub think_time: ThinkTime,
    pub include_static: bool,
    pub only_hosts: Vec<String>,
}

pub(super) fn convert(_doc: &Value, _options: &HarOptions) -> Result<Imported, ImportError> {
    todo!()
}
