//! A pre-request script to run before every send of one request of a batch or load run, on the
//! worker that sends: what the script changes, and the variables it sets, are what that send
//! carries.

use super::host::ScriptInput;
use super::outcome::{Phase, ScriptContext, ScriptError, ScriptOutcome};
use super::runner::{
    abandon_script, apply_request_update, run_script, script_request, PhaseStep, Scripts,
};
use super::{ScriptLimits, Variables};
use crate::model::{PreparedRequest, RequestSpec};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct PreRequest {
    spec: RequestSpec,
    source: String,
    context_json: String,
    /// A run-wide timeout that replaces the request's own (`Some(None)`: no timeout).
    timeout: Option<Option<Duration>>,
}

impl PreRequest {
    /// The pre-request script of a request as written; `None` without one.
    pub fn of(spec: &RequestSpec) -> Option<PreRequest> {
        let source = Scripts::of(spec).pre_request?;
        Some(PreRequest {
            spec: spec.clone(),
            source,
            context_json: ScriptContext::default().to_json(),
            timeout: None,
        })
    }

    /// Sends made from this script use `timeout` instead of the request's own.
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> PreRequest {
        self.timeout = Some(timeout);
        self
    }

    /// Runs the script with this worker's variables and builds what to send: the request, or
    /// `None` when the script failed or skipped it (the outcome says which). Local variables
    /// (`pm.variables.set`) last for this send: sends of one worker interleave.
    pub fn run(
        &self,
        variables: &mut Variables,
        limits: ScriptLimits,
        iteration: u64,
    ) -> (ScriptOutcome, Option<PreparedRequest>) {
        let before = script_request(&self.spec);
        let input = ScriptInput {
            phase: Phase::PreRequest,
            source: &self.source,
            request_json: &before.to_json(),
            context_json: &self.context_json,
            iteration,
            response: None,
            body: "",
        };
        let (mut outcome, update) = match run_script(&input, variables, limits) {
            PhaseStep::Done(outcome, update) => (outcome, update),
            PhaseStep::Waiting { phase, .. } => (
                abandon_script(
                    Phase::PreRequest,
                    phase,
                    "pm.sendRequest is not available in batch and load runs yet \
                     (it works in vayu-cli run and the daemon's design requests)",
                    variables,
                    limits,
                ),
                None,
            ),
        };
        let spec = match update {
            Some(after) => apply_request_update(&self.spec, &before, &after),
            None => self.spec.clone(),
        };
        let (spec, _) = variables.apply(&spec);
        variables.local.clear();
        if outcome.error.is_some() || outcome.skip_request {
            return (outcome, None);
        }
        match spec.prepare() {
            Ok(mut prepared) => {
                if let Some(timeout) = self.timeout {
                    prepared.timeout = timeout;
                }
                (outcome, Some(prepared))
            }
            Err(invalid) => {
                outcome.error = Some(ScriptError {
                    phase: Phase::PreRequest.as_str().into(),
                    message: format!(
                        "after the pre-request script the request is invalid: {invalid}"
                    ),
                    line: None,
                });
                (outcome, None)
            }
        }
    }
}
