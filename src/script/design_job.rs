//! A design request as a one-request engine job, so that every script runs on the worker that
//! sends: the pre-request script, variables, validation and send in `next`, the test script in
//! `completed`. A script phase that calls `pm.sendRequest` waits here: its requests go out as
//! more transfers of this job, each response is handed back to the script's callback, and the
//! phase ends when no callback is left, or fails at the script time limit. When the request has
//! scripts, its requests send the cookies of the run's jar and store the ones responses set.

use super::host::{end_run, new_run, Outgoing, ScriptInput};
use super::outcome::{Phase, ScriptOutcome, ScriptRequest};
use super::runner::{
    abandon_script, apply_request_update, cookie_header, outgoing_spec, resume_script, run_script,
    script_request, script_response, store_cookies, PhaseStep, ScriptedRequest, ScriptedResult,
    Scripts,
};
use super::ScriptLimits;
use crate::engine::{Job, Next, Outcome};
use crate::model::{ErrorCategory, HeaderSpec, RequestSpec, Response, TransferError};
use crossbeam_channel::Sender;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

/// The tag of the request itself; `pm.sendRequest` ids start at 1.
const MAIN: u64 = 0;

enum State {
    New,
    /// A script phase waits for the responses to its `pm.sendRequest` calls.
    Waiting(Box<Waiting>),
    /// The pre-request phase is over: send the request.
    Ready,
    Sent {
        request: ScriptRequest,
    },
    Finished,
}

struct Waiting {
    phase: Phase,
    /// The host's id for the phase.
    id: u64,
    /// Requests to start.
    queue: VecDeque<Outgoing>,
    /// Requests started and not yet answered.
    out: HashSet<u64>,
    /// When the phase fails if callbacks are still waiting.
    deadline: Instant,
    /// The request as the phase saw it.
    request: ScriptRequest,
    /// The test phase's response, for the result when the phase ends.
    response: Option<Response>,
}

pub(crate) struct DesignJob {
    /// This request is a run of its own: its scripts get their own runtime.
    run: u64,
    /// The run whose cookie jar its requests use (the same `run`), when it has scripts: without
    /// them nothing could read the jar, and no runtime is made for it.
    jar: Option<u64>,
    request: ScriptedRequest,
    state: State,
    result: ScriptedResult,
    reply: Sender<ScriptedResult>,
}

impl DesignJob {
    pub(crate) fn new(request: ScriptedRequest, reply: Sender<ScriptedResult>) -> DesignJob {
        let result = ScriptedResult::empty(request.variables.clone());
        let run = new_run();
        let scripts = Scripts::of(&request.spec);
        DesignJob {
            run,
            jar: (scripts.pre_request.is_some() || scripts.test.is_some()).then_some(run),
            request,
            state: State::New,
            result,
            reply,
        }
    }

    /// Starts the pre-request phase, if there is a script; otherwise the request is ready.
    fn begin(&mut self, now: Instant) {
        let Some(source) = Scripts::of(&self.request.spec).pre_request else {
            self.state = State::Ready;
            return;
        };
        let before = script_request(&self.request.spec);
        let r = &mut self.request;
        let input = ScriptInput {
            run: self.run,
            phase: Phase::PreRequest,
            source: &source,
            request_json: &before.to_json(),
            context_json: &r.context.to_json(),
            iteration: r.iteration,
            response: None,
            body: "",
        };
        let step = run_script(&input, &mut r.variables, r.limits);
        self.after(Phase::PreRequest, step, before, None, now);
    }

    /// Where a phase's step leads: more requests to send, the request, or the reply.
    fn after(
        &mut self,
        phase: Phase,
        step: PhaseStep,
        request: ScriptRequest,
        response: Option<Response>,
        now: Instant,
    ) {
        match step {
            PhaseStep::Waiting { phase: id, send } => {
                // A phase that waits again keeps its deadline, its requests out and those not
                // yet started (a request can fail, and be answered, before the next starts).
                let (deadline, mut queue, out) =
                    match std::mem::replace(&mut self.state, State::Finished) {
                        State::Waiting(w) if w.id == id => (w.deadline, w.queue, w.out),
                        _ => (
                            now + self.request.limits.time,
                            VecDeque::new(),
                            HashSet::new(),
                        ),
                    };
                queue.extend(send);
                self.state = State::Waiting(Box::new(Waiting {
                    phase,
                    id,
                    queue,
                    out,
                    deadline,
                    request,
                    response,
                }));
            }
            PhaseStep::Done(outcome, update) => {
                self.phase_done(phase, outcome, update, request, response)
            }
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
        let (spec, unresolved) = self.request.variables.apply(&self.request.spec);
        self.result.unresolved_variables = unresolved;
        let spec = with_jar_cookies(self.jar, self.request.limits, spec);
        match spec.prepare() {
            Ok(prepared) => {
                self.state = State::Sent {
                    request: script_request(&spec),
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

    /// The next `pm.sendRequest` to start, the time limit, or nothing to do until a response.
    fn next_waiting(&mut self, now: Instant) -> Next {
        loop {
            let State::Waiting(w) = &mut self.state else {
                return Next::Wait;
            };
            let Some(outgoing) = w.queue.pop_front() else {
                if now < w.deadline {
                    return Next::At(w.deadline);
                }
                self.time_out();
                return Next::Done;
            };
            let spec = with_jar_cookies(
                self.jar,
                self.request.limits,
                outgoing_spec(&outgoing.request),
            );
            match spec.prepare() {
                Ok(prepared) => {
                    w.out.insert(outgoing.id);
                    return Next::Start {
                        request: Arc::new(prepared),
                        tag: outgoing.id,
                    };
                }
                Err(invalid) => {
                    // As a failed request: the callback gets the error.
                    self.resume(outgoing.id, Err(format!("invalid request: {invalid}")), now);
                }
            }
        }
    }

    /// Hands the waiting phase one reply and goes where its step leads.
    fn resume(&mut self, id: u64, reply: Result<&Response, String>, now: Instant) {
        let State::Waiting(w) = std::mem::replace(&mut self.state, State::Finished) else {
            return;
        };
        if let (Some(run), Ok(response)) = (self.jar, &reply) {
            store_cookies(run, self.request.limits, &response.effective_url, response);
        }
        let script_reply = reply.map(|r| (script_response(r), r.body.as_str()));
        let r = &mut self.request;
        let step = resume_script(
            self.run,
            w.phase,
            w.id,
            id,
            script_reply
                .as_ref()
                .map(|(s, b)| (s, *b))
                .map_err(Clone::clone),
            &mut r.variables,
            r.limits,
        );
        let (phase, request, response) = (w.phase, w.request.clone(), w.response.clone());
        self.state = State::Waiting(w);
        self.after(phase, step, request, response, now);
    }

    /// The phase's callbacks did not all run within the script time limit.
    fn time_out(&mut self) {
        let State::Waiting(w) = std::mem::replace(&mut self.state, State::Finished) else {
            return;
        };
        let why = format!(
            "pm.sendRequest: {} response(s) still awaited when the script time limit ({:?}) ran out",
            w.out.len() + w.queue.len(),
            self.request.limits.time
        );
        let r = &mut self.request;
        let outcome = abandon_script(self.run, w.phase, w.id, &why, &mut r.variables, r.limits);
        self.phase_done(w.phase, outcome, None, w.request, w.response);
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

/// The request with the Cookie header its run's jar has for it, unless it sets its own.
fn with_jar_cookies(jar: Option<u64>, limits: ScriptLimits, mut spec: RequestSpec) -> RequestSpec {
    let Some(run) = jar else {
        return spec;
    };
    let has_own = spec
        .headers
        .0
        .iter()
        .any(|h| !h.disabled && h.key.eq_ignore_ascii_case("cookie"));
    if !has_own {
        let cookies = cookie_header(run, limits, &spec.url);
        if !cookies.is_empty() {
            spec.headers.0.push(HeaderSpec {
                key: "Cookie".into(),
                value: cookies,
                disabled: false,
            });
        }
    }
    spec
}

impl Job for DesignJob {
    fn next(&mut self, now: Instant, _in_flight: usize) -> Next {
        if matches!(self.state, State::New) {
            self.begin(now);
        }
        match self.state {
            State::Ready => self.send(),
            State::Waiting(_) => self.next_waiting(now),
            State::Sent { .. } => Next::Wait,
            State::New | State::Finished => Next::Done,
        }
    }

    fn completed(&mut self, tag: u64, outcome: Outcome) {
        let now = Instant::now();
        if tag != MAIN {
            let expected = match &mut self.state {
                State::Waiting(w) => w.out.remove(&tag),
                _ => false,
            };
            if expected {
                match (&outcome.error, &outcome.response) {
                    (None, Some(response)) => self.resume(tag, Ok(response), now),
                    (Some(error), _) => self.resume(tag, Err(error.to_string()), now),
                    (None, None) => self.resume(tag, Err("no response".into()), now),
                }
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
        if let Some(run) = self.jar {
            store_cookies(run, self.request.limits, &response.effective_url, &response);
        }
        let Some(source) = Scripts::of(&self.request.spec).test else {
            self.result.response = Some(response);
            return self.finish_with_reply();
        };
        let script_response = script_response(&response);
        let r = &mut self.request;
        let input = ScriptInput {
            run: self.run,
            phase: Phase::Test,
            source: &source,
            request_json: &request.to_json(),
            context_json: &r.context.to_json(),
            iteration: r.iteration,
            response: Some(&script_response),
            body: &response.body,
        };
        let step = run_script(&input, &mut r.variables, r.limits);
        self.after(Phase::Test, step, request, Some(response), now);
    }

    fn wants_response(&self) -> bool {
        true
    }

    fn finish(self: Box<Self>) {
        // A job the worker ends before it replied (engine stopping) still answers.
        if !matches!(self.state, State::Finished) {
            let mut result = self.result;
            let mut variables = self.request.variables;
            if let State::Waiting(w) = self.state {
                let why = "the engine stopped while pm.sendRequest responses were awaited";
                let outcome = abandon_script(
                    self.run,
                    w.phase,
                    w.id,
                    why,
                    &mut variables,
                    self.request.limits,
                );
                match w.phase {
                    Phase::PreRequest => result.pre_request = Some(outcome),
                    Phase::Test => result.test = Some(outcome),
                }
            }
            result.error = Some(TransferError::new(
                ErrorCategory::Aborted,
                "the engine stopped before the request completed",
            ));
            result.variables = variables;
            end_run(self.run);
            let _ = self.reply.send(result);
        }
    }
}
