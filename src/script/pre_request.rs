//! A pre-request script to run before every send of one request of a batch or load run, on the
//! worker that sends: what the script changes, and the variables it sets, are what that send
//! carries.

use super::host::ScriptInput;
use super::outcome::{Phase, ScriptContext, ScriptError, ScriptOutcome, ScriptRequest};
use super::runner::{
    apply_request_update, dynamic_variable, run_script, script_request, PhaseStep, Scripts,
};
use super::waiting::{Purpose, Waiting};
use super::{DynamicVariables, ScriptLimits, Variables};
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

    /// Runs the script with this worker's variables and builds what to send for the send
    /// tagged `tag`: the request, or `None` when the script failed or skipped it (the outcome
    /// says which); or a phase that waits for its `pm.sendRequest` responses (for the share's
    /// [`WaitingScripts`](super::waiting::WaitingScripts)). Local variables
    /// (`pm.variables.set`) last for this send: sends of one worker interleave.
    #[allow(clippy::type_complexity)]
    pub fn run(
        &self,
        run: u64,
        variables: &mut Variables,
        limits: ScriptLimits,
        iteration: u64,
        tag: u64,
    ) -> Result<(ScriptOutcome, Option<PreparedRequest>), Box<Waiting>> {
        let before = script_request(&self.spec);
        let input = ScriptInput {
            run,
            phase: Phase::PreRequest,
            source: &self.source,
            request_json: &before.to_json(),
            context_json: &self.context_json,
            iteration,
            response: None,
            body: "",
        };
        match run_script(&input, variables, limits) {
            PhaseStep::Done(outcome, update) => {
                let mut dynamic = |name: &str| dynamic_variable(run, limits, name);
                Ok(self.finish(outcome, &before, update, variables, &mut dynamic))
            }
            PhaseStep::Waiting { phase, send } => Err(Box::new(Waiting {
                phase: Phase::PreRequest,
                id: phase,
                send,
                purpose: Purpose::PreRequest {
                    pre: Box::new(self.clone()),
                    before,
                    tag,
                },
            })),
        }
    }

    /// What to send once the script's phase has ended.
    pub(crate) fn finish(
        &self,
        mut outcome: ScriptOutcome,
        before: &ScriptRequest,
        update: Option<ScriptRequest>,
        variables: &mut Variables,
        dynamic: &mut DynamicVariables<'_>,
    ) -> (ScriptOutcome, Option<PreparedRequest>) {
        let spec = match update {
            Some(after) => apply_request_update(&self.spec, before, &after),
            None => self.spec.clone(),
        };
        let (spec, _) = variables.apply_with(&spec, dynamic);
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
                    name: None,
                });
                (outcome, None)
            }
        }
    }
}
