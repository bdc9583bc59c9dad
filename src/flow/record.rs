//! What a virtual user reports as it goes: one event per iteration started, one per step
//! executed, and one when it ends. Callers (the collection runner, the daemon) turn these into
//! reports; the executor knows nothing of them.

use crate::model::{Response, TransferError, ValidationError};
use crate::script::{ScriptOutcome, ScriptRequest, Variables};
use serde::{Deserialize, Serialize};
use std::time::SystemTime;

#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum FlowEvent {
    /// Iteration `iteration` (from 0) begins.
    Iteration { iteration: u64 },
    /// A step was executed (or skipped).
    Step(Box<StepRecord>),
    /// The virtual user is done: its variables as the scripts left them, and why it stopped
    /// early, if it did (`--bail`, or the engine stopping).
    Finished {
        /// Boxed: a load run's users each keep a buffer of events, sized by the largest.
        variables: Box<Variables>,
        stopped: Option<String>,
        /// The cookie jar in tough-cookie's JSON form, when the options asked for it.
        cookie_jar: Option<String>,
    },
}

/// One execution of one step.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    pub iteration: u64,
    /// The step's position in the flow.
    pub step: usize,
    pub started: SystemTime,
    /// What was sent, as the scripts saw it; `None` when nothing was built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<ScriptRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TransferError>,
    /// The request did not validate after scripts and variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<ValidationError>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unresolved_variables: Vec<String>,
    /// One outcome per script that ran, in order.
    pub pre_request: Vec<ScriptOutcome>,
    pub test: Vec<ScriptOutcome>,
    /// A pre-request script called `pm.execution.skipRequest()`: nothing was sent.
    pub skipped: bool,
    /// The unsigned send of a digest-auth request the server challenged: the request goes
    /// again, signed, as the step's next record (Newman counts both).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auth_challenged: bool,
}

impl StepRecord {
    pub fn outcomes(&self) -> impl Iterator<Item = &ScriptOutcome> {
        self.pre_request.iter().chain(&self.test)
    }

    /// The request failed: no response (transport error or an invalid request).
    pub fn request_failed(&self) -> bool {
        self.error.is_some() || self.invalid.is_some()
    }
}
