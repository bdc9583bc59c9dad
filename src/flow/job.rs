//! A virtual user as an engine job: it runs the flow's steps in order, iteration after
//! iteration, on the worker it was given. For each step: the delay, the pre-request scripts in
//! order, variables and the send, then the test scripts in order. Scripts that call
//! `pm.sendRequest` wait in the user's [`WaitingScripts`]; their requests are more transfers
//! of this job. The user owns its variables, its data row and its cookie jar (its script
//! runtime's), and follows Newman's rules: a script error does not stop the request, a skipped
//! request runs no tests, `setNextRequest` jumps by id or name (to a name it cannot find, or to
//! `null`, it ends the iteration), and with `bail` the first failure ends the run.
//!
//! A collection run's user runs its iterations one after another and owns its runtime. A load
//! run's users are paced: each runs one iteration when its owner (the run's share on a worker)
//! starts it, then idles; they share the share's runtime, each with its own cookie jar.

use super::digest;
use super::record::{FlowEvent, StepRecord};
use super::step::{BuiltRequest, Step};
use super::FlowOptions;
use crate::engine::{Job, Next, Outcome, SIDE_TAG};
use crate::model::{AuthSpec, ErrorCategory, RequestSpec, Response, TransferError};
use crate::script::{
    apply_request_update, cookie_header, dynamic_variable, end_run, jar_json, load_jar, new_run,
    run_script, script_request, script_response, store_cookies, Finished, NextRequest, NextSend,
    Phase, PhaseStep, Purpose, Scope, ScriptContext, ScriptError, ScriptInput, ScriptOutcome,
    ScriptRequest, ScriptResponse, Variables, Waiting, WaitingScripts,
};
use crossbeam_channel::Sender;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// The tag of a step's own request; `pm.sendRequest` transfers carry `SIDE_TAG`.
const MAIN: u64 = 0;

/// Where a user's events go: a channel to a collection run's reporter, or a buffer that a load
/// run's share drains after each call (it keeps counts, not records).
pub trait FlowSink: Send {
    fn event(&mut self, event: FlowEvent);
}

impl FlowSink for Sender<FlowEvent> {
    fn event(&mut self, event: FlowEvent) {
        let _ = self.send(event);
    }
}

impl FlowSink for Vec<FlowEvent> {
    fn event(&mut self, event: FlowEvent) {
        self.push(event);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Begin the step at `pos` (its delay first).
    StepStart,
    Delayed(Instant),
    /// Run script `index` of the phase next.
    Script(Phase, usize),
    /// Script `index` of the phase waits for its `pm.sendRequest` responses.
    Waiting(Phase, usize),
    Send,
    Sent,
    /// The step is over: report it and pick the next.
    StepEnd,
    /// The step's think time, then `then`.
    Thinking(Instant),
    /// A paced user between iterations.
    Idle,
    Done,
}

/// The step in progress.
struct Current {
    /// The request as written, then as the pre-request scripts leave it.
    spec: RequestSpec,
    /// What the script running now was given as `pm.request` (to fold its changes back).
    before: Option<ScriptRequest>,
    context_json: String,
    record: StepRecord,
    /// Where a script asked to go next; the last one asked wins.
    next: Option<NextRequest>,
    /// A pre-request script skipped the request, or `bail` met a failure: no more scripts.
    stop_scripts: bool,
    /// How the step's digest auth went out (see `flow::digest`).
    challenge: Challenge,
}

/// How a step's request went out as far as digest auth goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Challenge {
    /// No digest auth that waits for the server's nonce.
    None,
    /// Unsigned: the answer may be the server's challenge.
    Open,
    /// Signed with what an earlier challenge taught the step.
    Learned,
}

pub struct FlowJob<S: FlowSink = Sender<FlowEvent>> {
    steps: Arc<Vec<Step>>,
    options: Arc<FlowOptions>,
    /// The user's scripts' runtime and cookie jar (see `script::user_run`).
    run: u64,
    /// Runs one iteration when told ([`FlowJob::start_iteration`]), then idles.
    paced: bool,
    /// Where the state goes after `Thinking`.
    then: State,
    /// When the step in progress was due: the iteration's intended start for its first step
    /// (a paced user's owner gives it), else when the step began.
    step_due: Instant,
    first_step_due: Option<Instant>,
    variables: Variables,
    iteration: u64,
    /// The iteration whose start was reported.
    announced: Option<u64>,
    pos: usize,
    state: State,
    /// Boxed: a load run's idle users are many, and small without it.
    current: Option<Box<Current>>,
    waiting: WaitingScripts,
    /// Why the run ends early, once it must.
    stopped: Option<String>,
    events: S,
    finished: bool,
    /// When the run must end (`FlowOptions::run_timeout`, from the user's creation).
    deadline: Option<Instant>,
    /// `FlowOptions::cookie_jar` is still to be loaded (on the worker, where the runtime is).
    jar_to_load: bool,
    /// What each digest auth learned from the server's challenge, by where it is written.
    digests: std::collections::HashMap<String, digest::Learned>,
}

/// What the run reports when its time limit ends it (Newman says "callback timed out").
pub const RUN_TIMED_OUT: &str = "the run's time limit (--timeout) was reached";

impl FlowJob<Sender<FlowEvent>> {
    /// A user that runs `options.iterations` iterations, with a runtime of its own.
    pub fn new(
        steps: Arc<Vec<Step>>,
        options: Arc<FlowOptions>,
        variables: Variables,
        events: Sender<FlowEvent>,
    ) -> FlowJob {
        let state = if steps.is_empty() || options.iterations == 0 {
            State::Done
        } else {
            State::StepStart
        };
        FlowJob::with_state(steps, options, variables, new_run(), events, state)
    }
}

impl<S: FlowSink> FlowJob<S> {
    /// A paced user with script id `run` (a `script::user_run` of its owner's run): idle until
    /// [`FlowJob::start_iteration`].
    pub fn paced(
        steps: Arc<Vec<Step>>,
        options: Arc<FlowOptions>,
        variables: Variables,
        run: u64,
        events: S,
    ) -> FlowJob<S> {
        let mut user = FlowJob::with_state(steps, options, variables, run, events, State::Idle);
        user.paced = true;
        user
    }

    fn with_state(
        steps: Arc<Vec<Step>>,
        options: Arc<FlowOptions>,
        variables: Variables,
        run: u64,
        events: S,
        state: State,
    ) -> FlowJob<S> {
        FlowJob {
            steps,
            run,
            paced: false,
            then: State::Done,
            step_due: Instant::now(),
            first_step_due: None,
            variables,
            iteration: 0,
            announced: None,
            pos: 0,
            state,
            current: None,
            waiting: WaitingScripts::new(run).with_jar(),
            stopped: None,
            deadline: options.run_timeout.map(|t| Instant::now() + t),
            jar_to_load: options.cookie_jar.is_some(),
            digests: std::collections::HashMap::new(),
            events,
            finished: false,
            options,
        }
    }

    fn step(&self) -> &Step {
        &self.steps[self.pos]
    }

    /// A paced user starts iteration `iteration` with data row `data`; `due` is when it was
    /// meant to start (its first step's latency counts from there).
    pub fn start_iteration(&mut self, iteration: u64, data: Scope, due: Instant) {
        debug_assert!(self.is_idle());
        self.iteration = iteration;
        self.variables.data = data;
        self.pos = 0;
        self.first_step_due = Some(due);
        self.state = State::StepStart;
    }

    /// A paced user between iterations (or one that has not started).
    pub fn is_idle(&self) -> bool {
        self.state == State::Idle
    }

    /// The iteration in progress (or the last one run).
    pub fn iteration(&self) -> u64 {
        self.iteration
    }

    /// The step in progress.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// When the step in progress was due.
    pub fn step_due(&self) -> Instant {
        self.step_due
    }

    /// The events it reported since the last call, for a buffered sink's owner.
    pub fn events(&mut self) -> &mut S {
        &mut self.events
    }

    fn begin_step(&mut self, now: Instant) {
        if let Some(why) = self.cannot_begin() {
            self.stopped = Some(why);
            self.state = State::Done;
            return;
        }
        self.step_due = self.first_step_due.take().unwrap_or(now);
        // Once per iteration: a `setNextRequest` back to the first step is not a new one.
        // A paced user's owner announces its iterations and hands it their data rows.
        if !self.paced && self.announced != Some(self.iteration) {
            self.announced = Some(self.iteration);
            self.events.event(FlowEvent::Iteration {
                iteration: self.iteration,
            });
            self.variables.data = self.options.data_row(self.iteration);
        }
        let step = self.step();
        let context = ScriptContext {
            iteration_count: self.options.iterations,
            request_id: step.id.clone(),
            data: self.variables.data.clone(),
        };
        let mut spec = step.request.clone();
        spec.name = Some(step.name.clone());
        self.current = Some(Box::new(Current {
            spec,
            before: None,
            context_json: context.to_json(),
            record: new_record(self.iteration, self.pos),
            next: None,
            stop_scripts: false,
            challenge: Challenge::None,
        }));
        self.state = match self.options.delay {
            d if d.is_zero() => State::Script(Phase::PreRequest, 0),
            d => State::Delayed(now + d),
        };
    }

    /// Why the next step cannot begin: a stop was asked for, or the cookie jar to start from
    /// (loaded before the first step) cannot be read.
    fn cannot_begin(&mut self) -> Option<String> {
        if let Some(stop) = &self.options.stop {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Some("stopped on request".into());
            }
        }
        if std::mem::take(&mut self.jar_to_load) {
            let json = self.options.cookie_jar.as_deref().unwrap_or_default();
            if let Err(e) = load_jar(self.run, self.options.limits, json) {
                return Some(format!("the cookie jar (--cookie-jar) cannot be read: {e}"));
            }
        }
        None
    }

    /// Runs script `index` of `phase`, or moves past the phase when none is left.
    fn run_script(&mut self, phase: Phase, index: usize, now: Instant) {
        let steps = Arc::clone(&self.steps);
        let step = &steps[self.pos];
        let scripts = match phase {
            Phase::PreRequest => &step.pre_request,
            Phase::Test => &step.test,
        };
        let current = self.current.as_mut().expect("a step is in progress");
        if index >= scripts.len() || current.stop_scripts {
            self.state = match phase {
                Phase::PreRequest if current.stop_scripts => State::StepEnd,
                Phase::PreRequest => State::Send,
                Phase::Test => State::StepEnd,
            };
            return;
        }
        let mut request = match phase {
            Phase::PreRequest => script_request(&current.spec),
            Phase::Test => current
                .record
                .request
                .clone()
                .unwrap_or_else(|| script_request(&current.spec)),
        };
        let step = &self.steps[self.pos];
        request.description.clone_from(&step.description);
        request.form = step.form_fields(&self.variables);
        let response = current.record.response.as_ref();
        let script_response = response_for(response, phase);
        let input = ScriptInput {
            run: self.run,
            phase,
            source: &scripts[index],
            request_json: &request.to_json(),
            context_json: &current.context_json,
            iteration: self.iteration,
            response: script_response.as_ref(),
            body: response.map_or("", |r| r.body.as_str()),
        };
        current.before = Some(request);
        match run_script(&input, &mut self.variables, self.options.limits) {
            PhaseStep::Done(outcome, update) => self.script_done(phase, index, outcome, update),
            PhaseStep::Waiting { phase: id, send } => {
                let waiting = Waiting {
                    phase,
                    id,
                    send,
                    purpose: Purpose::Flow,
                };
                self.waiting.add(waiting, now, self.options.limits);
                self.state = State::Waiting(phase, index);
            }
        }
    }

    fn script_done(
        &mut self,
        phase: Phase,
        index: usize,
        mut outcome: ScriptOutcome,
        update: Option<ScriptRequest>,
    ) {
        let bail = self.options.bail;
        let current = self.current.as_mut().expect("a step is in progress");
        if let (Phase::PreRequest, Some(after), Some(before)) =
            (phase, update, current.before.take())
        {
            current.spec = apply_request_update(&current.spec, &before, &after);
        }
        if outcome.next_request.is_some() {
            current.next.clone_from(&outcome.next_request);
        }
        let failed = outcome.error.is_some() || outcome.failed_tests() > 0;
        if phase == Phase::PreRequest && outcome.skip_request {
            current.record.skipped = true;
            current.stop_scripts = true;
        }
        if bail && failed {
            // As Newman's --bail does: a failed assertion fails its script too.
            if outcome.error.is_none() {
                let first = outcome.tests.iter().find(|t| !t.passed && !t.skipped);
                outcome.error = Some(ScriptError {
                    phase: phase.as_str().into(),
                    message: first.and_then(|t| t.error.clone()).unwrap_or_default(),
                    line: None,
                    name: first.and_then(|t| t.error_name.clone()),
                });
            }
            current.stop_scripts = true;
            self.stopped
                .get_or_insert_with(|| "stopped at the first failure (--bail)".into());
        }
        match phase {
            Phase::PreRequest => current.record.pre_request.push(outcome),
            Phase::Test => current.record.test.push(outcome),
        }
        self.state = State::Script(phase, index + 1);
    }

    /// Builds the step's request with the user's variables and cookies: the transfer to start,
    /// or (invalid) straight to the test scripts.
    fn send(&mut self) -> Option<Next> {
        let current = self.current.as_mut().expect("a step is in progress");
        let step = &self.steps[self.pos];
        let mut spec = current.spec.clone();
        if let Some(timeout) = self.options.request_timeout {
            spec.timeout = Some(serde_json::json!(timeout.as_millis() as u64));
        }
        if self.options.insecure {
            spec.insecure = Some(true);
        }
        if self.options.ignore_redirects {
            spec.follow_redirects = Some(false);
        }
        // Only a digest auth looks up what it learned (no key made for other requests).
        current.challenge = if matches!(spec.auth, Some(AuthSpec::Digest(_))) {
            let learned = self.digests.get(&auth_key(step, self.pos));
            match (digest::prepare(&mut spec, learned), learned) {
                (true, _) => Challenge::Open,
                (false, Some(_)) => Challenge::Learned,
                (false, None) => Challenge::None,
            }
        } else {
            Challenge::None
        };
        let (run, limits) = (self.run, self.options.limits);
        let mut dynamic = |name: &str| dynamic_variable(run, limits, name);
        match step.build(&spec, &self.variables, &mut dynamic) {
            Ok(mut built) => {
                current.record.unresolved_variables = std::mem::take(&mut built.unresolved);
                let seen = as_sent(&mut built, step, &self.options, self.run, self.deadline);
                current.record.request = Some(seen);
                self.state = State::Sent;
                Some(Next::Start {
                    request: Arc::new(built.prepared),
                    tag: MAIN,
                })
            }
            Err((invalid, unresolved)) => {
                current.record.unresolved_variables = unresolved;
                current.record.error = Some(TransferError::new(
                    ErrorCategory::InvalidUrl,
                    format!("invalid request: {invalid}"),
                ));
                current.record.invalid = Some(invalid);
                self.request_failed();
                None
            }
        }
    }

    /// The step's response came: into the user's jar, and on to the test scripts; a digest
    /// challenge to an unsigned request sends it again, signed.
    fn responded(&mut self, response: Response) {
        let current = self.current.as_mut().expect("a step is in progress");
        if !self.steps[self.pos].no_cookies {
            store_cookies(
                self.run,
                self.options.limits,
                &response.effective_url,
                &response,
            );
        }
        match current.challenge {
            Challenge::Open => {
                if let Some(learned) = digest::challenge(&response) {
                    // As Newman: the unsigned send is a request of its own; the
                    // request goes again, signed, and the tests run after that one.
                    let mut attempt = current.record.clone();
                    attempt.response = Some(response);
                    attempt.auth_challenged = true;
                    current.record.pre_request.clear();
                    current.record.request = None;
                    let key = auth_key(&self.steps[self.pos], self.pos);
                    self.digests.insert(key, learned);
                    self.events.event(FlowEvent::Step(Box::new(attempt)));
                    self.state = State::Send;
                    return;
                }
            }
            Challenge::Learned => {
                let key = auth_key(&self.steps[self.pos], self.pos);
                if let Some(learned) = self.digests.get_mut(&key) {
                    digest::answered(learned);
                }
            }
            Challenge::None => {}
        }
        current.record.response = Some(response);
        self.state = State::Script(Phase::Test, 0);
    }

    /// The request failed: with `bail` the run ends after this step, otherwise its test
    /// scripts still run, as Newman's do.
    fn request_failed(&mut self) {
        if self.options.bail {
            self.stopped
                .get_or_insert_with(|| "stopped at the first failure (--bail)".into());
            self.state = State::StepEnd;
        } else {
            self.state = State::Script(Phase::Test, 0);
        }
    }

    /// Reports the step and picks the next one (or the next iteration, or the end), after the
    /// step's think time.
    fn end_step(&mut self, now: Instant) {
        let Some(current) = self.current.take() else {
            self.state = State::Done;
            return;
        };
        self.events.event(FlowEvent::Step(Box::new(current.record)));
        if self.stopped.is_some() {
            self.state = State::Done;
            return;
        }
        let think = self.step().think_time;
        self.pick_next(current.next);
        if !think.is_zero() && self.state != State::Done {
            self.then = self.state;
            self.state = State::Thinking(now + think);
        }
    }

    fn pick_next(&mut self, next: Option<NextRequest>) {
        let next = match next {
            None => Some(self.pos + 1),
            Some(NextRequest::EndRun) => None,
            Some(NextRequest::Named(name)) => self
                .steps
                .iter()
                .position(|s| !s.id.is_empty() && s.id == name)
                .or_else(|| self.steps.iter().position(|s| s.name == name)),
        };
        match next {
            Some(pos) if pos < self.steps.len() => self.pos = pos,
            _ if self.paced => {
                self.state = State::Idle;
                return;
            }
            _ => {
                self.pos = 0;
                self.iteration += 1;
                if self.iteration >= self.options.iterations {
                    self.state = State::Done;
                    return;
                }
            }
        }
        self.state = State::StepStart;
    }

    /// The next `pm.sendRequest` to start for a waiting script, or when it runs out of time.
    fn next_waiting(&mut self, now: Instant) -> Option<Next> {
        let limits = self.options.limits;
        for finished in self.waiting.expire(Some(now), &mut self.variables, limits) {
            self.finished_waiting(finished);
        }
        while matches!(self.state, State::Waiting(..)) {
            match self.waiting.next(&mut self.variables, limits) {
                Some(NextSend::Start { tag, request }) => {
                    return Some(Next::Start { request, tag })
                }
                Some(NextSend::Finished(finished)) => self.finished_waiting(finished),
                None => return Some(self.waiting.deadline().map_or(Next::Wait, Next::At)),
            }
        }
        None
    }

    fn finished_waiting(&mut self, finished: Finished) {
        if let (State::Waiting(phase, index), Finished::Flow { outcome, update }) =
            (self.state, finished)
        {
            self.script_done(phase, index, outcome, update);
        }
    }

    fn end(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        let cookie_jar = if self.options.export_cookie_jar {
            jar_json(self.run, self.options.limits)
        } else {
            None
        };
        end_run(self.run);
        self.events.event(FlowEvent::Finished {
            variables: Box::new(std::mem::take(&mut self.variables)),
            stopped: self.stopped.take(),
            cookie_jar,
        });
    }
}

impl<S: FlowSink> FlowJob<S> {
    /// The run's time limit is up: the step in progress (its request already failed, bounded by
    /// the limit) is reported and the run ends, as Newman's `--timeout` ends it.
    fn timed_out(&mut self) {
        self.stopped.get_or_insert_with(|| RUN_TIMED_OUT.into());
        let limits = self.options.limits;
        let _ = self.waiting.expire(None, &mut self.variables, limits);
        self.state = if self.current.is_some() {
            State::StepEnd
        } else {
            State::Done
        };
    }

    /// Moves the user on until it has to wait: a transfer, a timer, or the end.
    fn advance(&mut self, now: Instant, _in_flight: usize) -> Next {
        loop {
            match self.state {
                State::StepStart => self.begin_step(now),
                State::Delayed(at) if now < at => return Next::At(at),
                State::Delayed(_) => self.state = State::Script(Phase::PreRequest, 0),
                State::Script(phase, index) => self.run_script(phase, index, now),
                State::Waiting(..) => {
                    if let Some(next) = self.next_waiting(now) {
                        return next;
                    }
                }
                State::Send => {
                    if let Some(next) = self.send() {
                        return next;
                    }
                }
                State::Sent | State::Idle => return Next::Wait,
                State::StepEnd => self.end_step(now),
                State::Thinking(at) if now < at => return Next::At(at),
                State::Thinking(_) => self.state = self.then,
                State::Done => {
                    self.end();
                    return Next::Done;
                }
            }
        }
    }
}

impl<S: FlowSink> Job for FlowJob<S> {
    fn next(&mut self, now: Instant, in_flight: usize) -> Next {
        let Some(deadline) = self.deadline else {
            return self.advance(now, in_flight);
        };
        // Only while no request of the step is in flight: that one ends by the deadline.
        if now >= deadline && !matches!(self.state, State::Sent | State::Done | State::StepEnd) {
            self.timed_out();
        }
        match self.advance(now, in_flight) {
            Next::At(at) => Next::At(at.min(deadline)),
            Next::Wait if matches!(self.state, State::Waiting(..)) => Next::At(deadline),
            next => next,
        }
    }

    fn completed(&mut self, tag: u64, outcome: Outcome) {
        if tag & SIDE_TAG != 0 {
            let limits = self.options.limits;
            if let Some(finished) =
                self.waiting
                    .completed(tag, &outcome, &mut self.variables, limits)
            {
                self.finished_waiting(finished);
            }
            return;
        }
        if self.state != State::Sent {
            return;
        }
        let Some(current) = self.current.as_mut() else {
            return;
        };
        match (outcome.error, outcome.response) {
            (Some(error), _) => {
                current.record.error = Some(error);
                self.request_failed();
            }
            (None, response) => {
                self.responded(response.expect("flow jobs ask for the full response"))
            }
        }
    }

    fn wants_response(&self) -> bool {
        true
    }

    fn panicked(&mut self, reason: &str) {
        self.stopped = Some(format!("the run failed: {reason}"));
    }

    fn finish(mut self: Box<Self>) {
        self.stop();
    }
}

impl<S: FlowSink> FlowJob<S> {
    /// Ends the user now: the step in progress is reported (aborted, if its request had not
    /// completed) and the user says it ended.
    pub fn stop(&mut self) {
        if !self.finished && !matches!(self.state, State::Done | State::Idle) {
            // The engine stopped it: report the step in progress and say why it ended.
            let limits = self.options.limits;
            let _ = self.waiting.expire(None, &mut self.variables, limits);
            if let Some(current) = self.current.as_mut() {
                if current.record.response.is_none() && current.record.error.is_none() {
                    current.record.error = Some(TransferError::new(
                        ErrorCategory::Aborted,
                        "the engine stopped before the request completed",
                    ));
                }
            }
            self.stopped = Some("the engine stopped before the run completed".into());
            if let Some(current) = self.current.take() {
                self.events.event(FlowEvent::Step(Box::new(current.record)));
            }
        }
        self.end();
    }
}

/// The run's TLS settings (client certificate, extra CAs) under the step's own (versions,
/// ciphers).
fn merge_tls(prepared: &mut crate::model::PreparedRequest, run: &crate::model::TlsOptions) {
    let tls = prepared.tls.get_or_insert_with(Default::default);
    for (field, value) in [
        (&mut tls.client_cert, &run.client_cert),
        (&mut tls.client_key, &run.client_key),
        (&mut tls.key_password, &run.key_password),
        (&mut tls.ca_file, &run.ca_file),
    ] {
        if field.is_none() {
            field.clone_from(value);
        }
    }
}

/// A user dropped without ending (its job panicked) still says it ended, so its run is not
/// waited on forever.
impl<S: FlowSink> Drop for FlowJob<S> {
    fn drop(&mut self) {
        if !self.finished {
            self.stopped
                .get_or_insert_with(|| "the run ended without finishing".into());
            self.end();
        }
    }
}

/// Which auth a step's is, for what a digest challenge teaches it: where it is written, or the
/// step itself when that is not known (a run file's steps).
fn auth_key(step: &Step, pos: usize) -> String {
    if step.auth_owner.is_empty() {
        format!("#{pos}")
    } else {
        step.auth_owner.clone()
    }
}

/// The Host header of a request to `url`: its host and port, the port left out when it is the
/// scheme's default.
fn host_header(url: &str) -> Option<String> {
    if !url.contains("://") {
        return None;
    }
    let parts = crate::model::auth::UrlParts::parse(url);
    let default = if parts.scheme == "https" { 443 } else { 80 };
    let host = match parts.port {
        Some(p) if p == default => parts.host.to_string(),
        _ => parts.host_port(),
    };
    (!host.is_empty()).then_some(host)
}

/// The built request made ready to send: bounded by the run's deadline, with the run's TLS
/// options and the user's cookies from its jar; returns the request as test scripts see it
/// (with the Host header libcurl adds and the Cookie header sent).
fn as_sent(
    built: &mut BuiltRequest,
    step: &Step,
    options: &FlowOptions,
    run: u64,
    deadline: Option<Instant>,
) -> ScriptRequest {
    let prepared = &mut built.prepared;
    if let Some(deadline) = deadline {
        // The request may not outlast the run (at least a millisecond: 0 is none).
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(std::time::Duration::from_millis(1));
        prepared.timeout = Some(prepared.timeout.map_or(left, |t| t.min(left)));
    }
    if let Some(tls) = &options.tls {
        merge_tls(prepared, tls);
    }
    let has_own = prepared
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("cookie"));
    // The jar also takes the cookies of the redirects libcurl follows.
    prepared.keep_redirect_cookies = !step.no_cookies;
    let mut cookies = String::new();
    if !has_own && !step.no_cookies {
        cookies = cookie_header(run, options.limits, &prepared.url);
    }
    let mut seen = script_request(&built.spec);
    seen.url.clone_from(&prepared.url);
    seen.headers.clone_from(&prepared.headers);
    // The request as sent, as test scripts see it: with the Host header libcurl adds.
    if !seen
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("host"))
    {
        if let Some(host) = host_header(&prepared.url) {
            seen.headers.push(("Host".into(), host));
        }
    }
    if !cookies.is_empty() {
        seen.headers.push(("Cookie".into(), cookies.clone()));
    }
    if !has_own && !step.no_cookies {
        prepared.jar_cookies = Some(cookies);
    }
    seen
}

/// The response a script of `phase` sees. Without one (the request failed) test scripts
/// still get an empty `pm.response`, as Newman's do.
fn response_for(response: Option<&Response>, phase: Phase) -> Option<ScriptResponse> {
    match (response, phase) {
        (Some(r), _) => Some(script_response(r)),
        (None, Phase::Test) => Some(ScriptResponse {
            code: 0,
            status: String::new(),
            header_block: String::new(),
            response_time: 0.0,
            response_size: 0,
        }),
        (None, Phase::PreRequest) => None,
    }
}

/// The record of a step of `iteration` at position `step`, begun now, nothing happened yet.
fn new_record(iteration: u64, step: usize) -> StepRecord {
    StepRecord {
        iteration,
        step,
        started: SystemTime::now(),
        request: None,
        response: None,
        error: None,
        invalid: None,
        unresolved_variables: Vec::new(),
        pre_request: Vec::new(),
        test: Vec::new(),
        skipped: false,
        auth_challenged: false,
    }
}

#[cfg(test)]
mod host_tests {
    use super::host_header;

    #[test]
    fn the_host_header_is_the_authority_without_a_default_port() {
        assert_eq!(
            host_header("http://127.0.0.1:8080/a?b").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            host_header("http://u:p@example.test:80/").as_deref(),
            Some("example.test")
        );
        assert_eq!(host_header("https://[::1]:443").as_deref(), Some("[::1]"));
        assert_eq!(host_header("no scheme"), None);
    }
}
