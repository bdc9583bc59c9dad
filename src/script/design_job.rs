//! A design request as a one-request engine job, so that every script runs on the worker that
//! sends: the pre-request script, variables, validation and send in `next`, the test script in
//! `completed`. A script phase that calls `pm.sendRequest` waits in the job's
//! [`WaitingScripts`]: its requests go out as more transfers of this job, each response is
//! handed back to the script's callback, and the phase ends when no callback is left, or fails at
//! the script time limit. When the request has scripts, its requests send the cookies of the
//! run's jar and store the ones responses set.

use super::host::{end_run, new_run, ScriptInput};
use super::outcome::{Phase, ScriptOutcome, ScriptRequest};
use super::runner::{
    apply_request_update, dynamic_variable, run_script, script_request, script_response,
    store_cookies, with_jar_cookies, PhaseStep, ScriptedRequest, ScriptedResult, Scripts,
};
use super::waiting::{Finished, NextSend, Purpose, Waiting, WaitingScripts};
use crate::engine::{Job, Next, Outcome, SIDE_TAG};
use crate::model::{ErrorCategory, Response, TransferError};
use crossbeam_channel::Sender;
use std::sync::Arc;
use std::time::Instant;

/// The tag of the request itself; side requests carry `SIDE_TAG`.
const MAIN: u64 = 0;

enum State {
    New,
    /// A script phase waits for the responses to its `pm.sendRequest` calls.
    Waiting,
    /// The pre-request phase is over: send the request.
    Ready,
    Sent {
        request: Box<ScriptRequest>,
    },
    Finished,
}

pub(crate) struct DesignJob {
    /// This request is a run of its own: its scripts get their own runtime.
    run: u64,
    /// The request has scripts: then its requests use the run's cookie jar (without scripts
    /// nothing could read the jar, and no runtime is made for it).
    jar: bool,
    request: ScriptedRequest,
    state: State,
    waiting: WaitingScripts,
    result: ScriptedResult,
    reply: Sender<ScriptedResult>,
}

impl DesignJob {
    pub(crate) fn new(request: ScriptedRequest, reply: Sender<ScriptedResult>) -> DesignJob {
        let result = ScriptedResult::empty(request.variables.clone());
        let run = new_run();
        let scripts = Scripts::of(&request.spec);
        let jar = scripts.pre_request.is_some() || scripts.test.is_some();
        let waiting = WaitingScripts::new(run);
        DesignJob {
            run,
            jar,
            request,
            state: State::New,
            waiting: if jar { waiting.with_jar() } else { waiting },
            result,
            reply,
        }
    }

    /// Runs one phase's script on the request as the phase sees it (and the response, for the
    /// test phase), and goes where its step leads.
    fn run_phase(
        &mut self,
        phase: Phase,
        source: &str,
        request: ScriptRequest,
        response: Option<Response>,
        now: Instant,
    ) {
        let script_response = response.as_ref().map(script_response);
        let r = &mut self.request;
        let input = ScriptInput {
            run: self.run,
            phase,
            source,
            request_json: &request.to_json(),
            context_json: &r.context.to_json(),
            iteration: r.iteration,
            response: script_response.as_ref(),
            body: response.as_ref().map_or("", |r| r.body.as_str()),
        };
        match run_script(&input, &mut r.variables, r.limits) {
            PhaseStep::Done(outcome, update) => {
                self.phase_done(phase, outcome, update, request, response)
            }
            PhaseStep::Waiting { phase: id, send } => {
                let waiting = Waiting {
                    phase,
                    id,
                    send,
                    purpose: Purpose::Design {
                        request,
                        response: response.map(Box::new),
                    },
                };
                self.waiting.add(waiting, now, self.request.limits);
                self.state = State::Waiting;
            }
        }
    }

    /// A phase that waited has ended.
    fn finished(&mut self, finished: Finished) {
        if let Finished::Design {
            phase,
            outcome,
            update,
            request,
            response,
        } = finished
        {
            self.phase_done(phase, outcome, update, request, response.map(|r| *r));
        }
    }

    fn phase_done(
        &mut self,
        phase: Phase,
        outcome: ScriptOutcome,
        update: Option<ScriptRequest>,
        request: ScriptRequest,
        response: Option<Response>,
    ) {
        match phase {
            Phase::PreRequest => {
                if let Some(after) = update {
                    self.request.spec = apply_request_update(&self.request.spec, &request, &after);
                }
                // A pre-request script that throws stops the request, as in Postman's runner,
                // and so does one that calls pm.execution.skipRequest().
                let stop = outcome.error.is_some() || outcome.skip_request;
                self.result.pre_request = Some(outcome);
                if stop {
                    self.finish_with_reply();
                } else {
                    self.state = State::Ready;
                }
            }
            Phase::Test => {
                self.result.test = Some(outcome);
                self.result.response = response;
                self.finish_with_reply();
            }
        }
    }

    /// Variables, validation: the request to send, or the reply.
    fn send(&mut self) -> Next {
        let (run, limits) = (self.run, self.request.limits);
        let mut dynamic = |name: &str| dynamic_variable(run, limits, name);
        let (mut spec, unresolved) = self
            .request
            .variables
            .apply_with(&self.request.spec, &mut dynamic);
        self.result.unresolved_variables = unresolved;
        if self.jar {
            spec = with_jar_cookies(self.run, self.request.limits, spec);
        }
        match spec.prepare() {
            Ok(mut prepared) => {
                // The jar also takes the cookies of the redirects libcurl follows.
                prepared.keep_redirect_cookies = self.jar;
                self.state = State::Sent {
                    request: Box::new(script_request(&spec)),
                };
                Next::Start {
                    request: Arc::new(prepared),
                    tag: MAIN,
                }
            }
            Err(invalid) => {
                self.result.invalid = Some(invalid);
                self.finish_with_reply();
                Next::Done
            }
        }
    }

    /// The next `pm.sendRequest` to start, or when the phase runs out of time. A phase that
    /// ends here (time limit, or an invalid last request) moves the job on.
    fn next_waiting(&mut self, now: Instant) -> Option<Next> {
        let r = &mut self.request;
        for finished in self.waiting.expire(Some(now), &mut r.variables, r.limits) {
            self.finished(finished);
        }
        while matches!(self.state, State::Waiting) {
            let r = &mut self.request;
            match self.waiting.next(&mut r.variables, r.limits) {
                Some(NextSend::Start { tag, request }) => {
                    return Some(Next::Start { request, tag })
                }
                Some(NextSend::Finished(finished)) => self.finished(finished),
                None => return Some(self.waiting.deadline().map_or(Next::Wait, Next::At)),
            }
        }
        None
    }

    fn finish_with_reply(&mut self) {
        let mut result =
            std::mem::replace(&mut self.result, ScriptedResult::empty(Default::default()));
        result.variables = std::mem::take(&mut self.request.variables);
        self.state = State::Finished;
        end_run(self.run);
        let _ = self.reply.send(result);
    }
}

impl Job for DesignJob {
    fn next(&mut self, now: Instant, _in_flight: usize) -> Next {
        if matches!(self.state, State::New) {
            match Scripts::of(&self.request.spec).pre_request {
                Some(source) => {
                    let before = script_request(&self.request.spec);
                    self.run_phase(Phase::PreRequest, &source, before, None, now);
                }
                None => self.state = State::Ready,
            }
        }
        if matches!(self.state, State::Waiting) {
            if let Some(next) = self.next_waiting(now) {
                return next;
            }
        }
        match self.state {
            State::Ready => self.send(),
            State::Sent { .. } | State::Waiting => Next::Wait,
            State::New | State::Finished => Next::Done,
        }
    }

    fn completed(&mut self, tag: u64, outcome: Outcome) {
        if tag & SIDE_TAG != 0 {
            let r = &mut self.request;
            if let Some(finished) =
                self.waiting
                    .completed(tag, &outcome, &mut r.variables, r.limits)
            {
                self.finished(finished);
            }
            return;
        }
        let State::Sent { request } = std::mem::replace(&mut self.state, State::Finished) else {
            return;
        };
        let response = match (outcome.error, outcome.response) {
            (Some(error), _) => {
                self.result.error = Some(error);
                return self.finish_with_reply();
            }
            (None, response) => response.expect("design jobs ask for the full response"),
        };
        if self.jar {
            store_cookies(
                self.run,
                self.request.limits,
                &response.effective_url,
                &response,
            );
        }
        match Scripts::of(&self.request.spec).test {
            Some(source) => self.run_phase(
                Phase::Test,
                &source,
                *request,
                Some(response),
                Instant::now(),
            ),
            None => {
                self.result.response = Some(response);
                self.finish_with_reply();
            }
        }
    }

    fn wants_response(&self) -> bool {
        true
    }

    fn panicked(&mut self, reason: &str) {
        self.result.error = Some(TransferError::new(ErrorCategory::Aborted, reason));
    }

    fn finish(mut self: Box<Self>) {
        // A job the worker ends before it replied (engine stopping) still answers.
        if matches!(self.state, State::Finished) {
            return;
        }
        let r = &mut self.request;
        for finished in self.waiting.expire(None, &mut r.variables, r.limits) {
            if let Finished::Design { phase, outcome, .. } = finished {
                match phase {
                    Phase::PreRequest => self.result.pre_request = Some(outcome),
                    Phase::Test => self.result.test = Some(outcome),
                }
            }
        }
        self.result.error = Some(TransferError::new(
            ErrorCategory::Aborted,
            "the engine stopped before the request completed",
        ));
        self.finish_with_reply();
    }
}

/// A job dropped before it replied (it panicked) still answers, with what went wrong.
impl Drop for DesignJob {
    fn drop(&mut self) {
        if !matches!(self.state, State::Finished) {
            if self.result.error.is_none() {
                self.result.error = Some(TransferError::new(
                    ErrorCategory::Aborted,
                    "the request's job ended without a reply",
                ));
            }
            self.finish_with_reply();
        }
    }
}
