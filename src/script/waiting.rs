//! Script phases that wait for their `pm.sendRequest` responses. A design job, and each worker's
//! share of a batch or load run, keeps one [`WaitingScripts`]: it hands out the requests to
//! start (tagged with the engine's `SIDE_TAG`, so the job can tell them from its own), takes
//! their outcomes back to the scripts' callbacks, and gives back each phase that ends, on its
//! last response or at the script time limit.

use super::host::Outgoing;
use super::outcome::{Phase, ScriptOutcome, ScriptRequest};
use super::pre_request::PreRequest;
use super::runner::{
    abandon_script, dynamic_variable, outgoing_spec, resume_script, script_response, store_cookies,
    with_jar_cookies, PhaseStep,
};
use super::{DynamicVariables, ScriptLimits, Variables};
use crate::engine::{Outcome, SIDE_TAG};
use crate::model::{PreparedRequest, Response};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

/// A script phase that ended while it waited for responses, or ran out of time. (A return
/// value, moved once.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum Finished {
    Test(ScriptOutcome),
    /// A pre-request phase of the send tagged `tag`: what to send, unless the script stopped it.
    PreRequest {
        tag: u64,
        outcome: ScriptOutcome,
        request: Option<PreparedRequest>,
    },
    /// A design request's phase, as the script left it: the design job takes it from there.
    Design {
        phase: Phase,
        outcome: ScriptOutcome,
        update: Option<ScriptRequest>,
        request: ScriptRequest,
        response: Option<Box<Response>>,
    },
    /// A flow step's phase, as the script left it: the flow job keeps the rest.
    Flow {
        outcome: ScriptOutcome,
        update: Option<ScriptRequest>,
    },
}

/// What a share should start next for its waiting scripts. (A return value, moved once.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum NextSend {
    Start {
        tag: u64,
        request: Arc<PreparedRequest>,
    },
    /// A phase ended without a transfer (its request was invalid and that was its last).
    Finished(Finished),
}

/// A phase that waits, as a script run left it; [`WaitingScripts::add`] takes it.
pub struct Waiting {
    pub(crate) phase: Phase,
    pub(crate) id: u64,
    pub(crate) send: Vec<Outgoing>,
    pub(crate) purpose: Purpose,
}

pub(crate) enum Purpose {
    Test,
    PreRequest {
        pre: Box<PreRequest>,
        before: ScriptRequest,
        tag: u64,
    },
    /// A design request's phase: the request as the phase saw it and, for the test phase, the
    /// response, for the result when it ends.
    Design {
        request: ScriptRequest,
        response: Option<Box<Response>>,
    },
    /// A flow step's phase: the flow job holds its request and response.
    Flow,
}

struct WaitingPhase {
    phase: Phase,
    deadline: Instant,
    purpose: Purpose,
}

pub(crate) struct WaitingScripts {
    /// The run whose scripts these are.
    run: u64,
    /// The run keeps a cookie jar (a design run with scripts): side requests send its cookies
    /// and store the ones they get.
    jar: bool,
    /// By the host's phase id.
    phases: HashMap<u64, WaitingPhase>,
    /// Requests to start, with their phase.
    queue: VecDeque<(u64, Outgoing)>,
    /// Requests out, by request id: their phase.
    out: HashMap<u64, u64>,
}

impl WaitingScripts {
    pub(crate) fn new(run: u64) -> WaitingScripts {
        WaitingScripts {
            run,
            jar: false,
            phases: HashMap::new(),
            queue: VecDeque::new(),
            out: HashMap::new(),
        }
    }

    /// Side requests use the run's cookie jar.
    pub(crate) fn with_jar(mut self) -> WaitingScripts {
        self.jar = true;
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.phases.is_empty()
    }

    /// Pre-request phases waiting: sends that will go out when they end.
    pub(crate) fn sends_waiting(&self) -> usize {
        self.phases
            .values()
            .filter(|p| matches!(p.purpose, Purpose::PreRequest { .. }))
            .count()
    }

    /// Takes a phase that waits; a pre-request phase says which send it is for (`tag`).
    pub(crate) fn add(&mut self, waiting: Waiting, now: Instant, limits: ScriptLimits) {
        let id = waiting.id;
        self.queue.extend(waiting.send.into_iter().map(|o| (id, o)));
        self.phases.entry(id).or_insert(WaitingPhase {
            phase: waiting.phase,
            deadline: now + limits.time,
            purpose: waiting.purpose,
        });
    }

    /// When the earliest phase runs out of time.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.phases.values().map(|p| p.deadline).min()
    }

    /// The next request to start, or a phase that ended without one.
    pub(crate) fn next(
        &mut self,
        variables: &mut Variables,
        limits: ScriptLimits,
    ) -> Option<NextSend> {
        while let Some((phase, outgoing)) = self.queue.pop_front() {
            let mut spec = outgoing_spec(&outgoing.request);
            if self.jar {
                spec = with_jar_cookies(self.run, limits, spec);
            }
            match spec.prepare() {
                Ok(mut prepared) => {
                    // The jar also takes the cookies of the redirects libcurl follows.
                    prepared.keep_redirect_cookies = self.jar;
                    self.out.insert(outgoing.id, phase);
                    return Some(NextSend::Start {
                        tag: SIDE_TAG | outgoing.id,
                        request: Arc::new(prepared),
                    });
                }
                Err(invalid) => {
                    let reply = Err(format!("invalid request: {invalid}"));
                    if let Some(done) = self.resume(phase, outgoing.id, reply, variables, limits) {
                        return Some(NextSend::Finished(done));
                    }
                }
            }
        }
        None
    }

    /// A `pm.sendRequest` transfer (tagged with [`SIDE_TAG`]) finished.
    pub(crate) fn completed(
        &mut self,
        tag: u64,
        outcome: &Outcome,
        variables: &mut Variables,
        limits: ScriptLimits,
    ) -> Option<Finished> {
        let id = tag & !SIDE_TAG;
        let phase = self.out.remove(&id)?;
        let reply = match (&outcome.error, &outcome.response) {
            (None, Some(response)) => {
                if self.jar {
                    store_cookies(self.run, limits, &response.effective_url, response);
                }
                Ok(response)
            }
            (Some(error), _) => Err(error.to_string()),
            (None, None) => Err("no response".to_string()),
        };
        self.resume(phase, id, reply, variables, limits)
    }

    /// Phases past the script time limit (all of them, with `now` = `None`: the run is ending)
    /// end now, failed, keeping the tests that ran.
    pub(crate) fn expire(
        &mut self,
        now: Option<Instant>,
        variables: &mut Variables,
        limits: ScriptLimits,
    ) -> Vec<Finished> {
        let late: Vec<u64> = self
            .phases
            .iter()
            .filter(|(_, p)| now.is_none_or(|now| p.deadline <= now))
            .map(|(id, _)| *id)
            .collect();
        let mut finished = Vec::new();
        for id in late {
            let Some(p) = self.phases.remove(&id) else {
                continue;
            };
            self.queue.retain(|(phase, _)| *phase != id);
            self.out.retain(|_, phase| *phase != id);
            let why = match now {
                Some(_) => format!(
                    "pm.sendRequest: responses still awaited when the script time limit ({:?}) ran out",
                    limits.time
                ),
                None => "pm.sendRequest: responses still awaited when the run ended".to_string(),
            };
            let outcome = abandon_script(self.run, p.phase, id, &why, variables, limits);
            let run = self.run;
            finished.push(finish(
                p.phase,
                p.purpose,
                PhaseStep::Done(outcome, None),
                variables,
                &mut |name| dynamic_variable(run, limits, name),
            ));
        }
        finished
    }

    fn resume(
        &mut self,
        id: u64,
        request_id: u64,
        reply: Result<&crate::model::Response, String>,
        variables: &mut Variables,
        limits: ScriptLimits,
    ) -> Option<Finished> {
        let phase = self.phases.get(&id)?.phase;
        let script_reply = reply.map(|r| (script_response(r), r.body.as_str()));
        let step = resume_script(
            self.run,
            phase,
            id,
            request_id,
            script_reply
                .as_ref()
                .map(|(s, b)| (s, *b))
                .map_err(Clone::clone),
            variables,
            limits,
        );
        match step {
            PhaseStep::Waiting { phase: again, send } => {
                self.queue.extend(send.into_iter().map(|o| (again, o)));
                None
            }
            done => {
                let p = self.phases.remove(&id)?;
                let run = self.run;
                Some(finish(p.phase, p.purpose, done, variables, &mut |name| {
                    dynamic_variable(run, limits, name)
                }))
            }
        }
    }
}

/// An ended phase, for what it was for; a pre-request phase's request is built with
/// `variables` (`dynamic` answering Postman's dynamic variables).
fn finish(
    phase: Phase,
    purpose: Purpose,
    step: PhaseStep,
    variables: &mut Variables,
    dynamic: &mut DynamicVariables<'_>,
) -> Finished {
    let PhaseStep::Done(outcome, update) = step else {
        unreachable!("only ended phases are finished")
    };
    match purpose {
        Purpose::Test => {
            variables.local.clear();
            Finished::Test(outcome)
        }
        Purpose::PreRequest { pre, before, tag } => {
            let (outcome, request) = pre.finish(outcome, &before, update, variables, dynamic);
            Finished::PreRequest {
                tag,
                outcome,
                request,
            }
        }
        Purpose::Design { request, response } => Finished::Design {
            phase,
            outcome,
            update,
            request,
            response,
        },
        Purpose::Flow => Finished::Flow { outcome, update },
    }
}
