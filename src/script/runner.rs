//! A request with scripts and variables, sent as a one-request engine job so that both scripts
//! run on the worker that handles it: pre-request script, variables, validation and send in
//! `next`, the test script in `completed`.

use super::design_job::DesignJob;
use super::host::{ran_other_scripts, with_host, Outgoing, ScriptInput, ScriptLimits, Step};
use super::native::{Plan, Seen};
use super::outcome::{
    Phase, ScriptContext, ScriptError, ScriptOutcome, ScriptRequest, ScriptResponse,
};
use super::variables::Variables;
use super::waiting::{Purpose, Waiting};
use crate::engine::EventLoop;
use crate::model::{HeaderSpec, RequestSpec, Response, TransferError, ValidationError};
use serde::Serialize;

/// The scripts of a request, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scripts {
    pub pre_request: Option<String>,
    pub test: Option<String>,
}

impl Scripts {
    pub fn of(spec: &RequestSpec) -> Scripts {
        let text = |s: &Option<crate::model::ScriptSource>| {
            s.as_ref()
                .map(|s| s.text())
                .filter(|t| !t.trim().is_empty())
        };
        Scripts {
            pre_request: text(&spec.pre_request_script),
            test: text(&spec.test_script),
        }
    }
}

/// What a scripted request came to. `variables` are the scopes after both scripts. The local
/// scope (`pm.variables.set`) lives for a run, as in a Newman run: a caller that runs several
/// requests as one run passes it on to the next; for a single request it ends here.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptedResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TransferError>,
    /// The request would not validate after the pre-request script and variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<ValidationError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_request: Option<ScriptOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<ScriptOutcome>,
    /// Variables that did not resolve and were sent as written.
    pub unresolved_variables: Vec<String>,
    pub variables: Variables,
}

impl ScriptedResult {
    /// Nothing happened yet.
    pub(crate) fn empty(variables: Variables) -> ScriptedResult {
        ScriptedResult {
            response: None,
            error: None,
            invalid: None,
            pre_request: None,
            test: None,
            unresolved_variables: Vec::new(),
            variables,
        }
    }

    pub fn failed_tests(&self) -> usize {
        [&self.pre_request, &self.test]
            .into_iter()
            .flatten()
            .map(|o| o.failed_tests())
            .sum()
    }

    pub fn script_errors(&self) -> usize {
        [&self.pre_request, &self.test]
            .into_iter()
            .flatten()
            .filter(|o| o.error.is_some())
            .count()
    }
}

/// A request as written, its scripts and its variables.
pub struct ScriptedRequest {
    pub spec: RequestSpec,
    pub variables: Variables,
    pub limits: ScriptLimits,
    pub iteration: u64,
    pub context: ScriptContext,
}

impl ScriptedRequest {
    pub fn new(spec: RequestSpec, variables: Variables) -> ScriptedRequest {
        ScriptedRequest {
            spec,
            variables,
            limits: ScriptLimits::default(),
            iteration: 0,
            context: ScriptContext::default(),
        }
    }

    /// Sends it through the engine and waits; both scripts run on the worker.
    pub fn send(self, engine: &EventLoop) -> ScriptedResult {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let variables = self.variables.clone();
        let job = DesignJob::new(self, tx);
        if !engine.submit_job(Box::new(job)) {
            return ScriptedResult {
                response: None,
                error: Some(TransferError::new(
                    crate::model::ErrorCategory::Aborted,
                    "the engine has stopped",
                )),
                invalid: None,
                pre_request: None,
                test: None,
                unresolved_variables: Vec::new(),
                variables,
            };
        }
        // A design job always replies, also when it fails (see its `Drop`).
        rx.recv().unwrap_or_else(|_| ScriptedResult {
            error: Some(TransferError::new(
                crate::model::ErrorCategory::Aborted,
                "the request's job ended without a reply",
            )),
            ..ScriptedResult::empty(variables)
        })
    }
}

pub(crate) fn script_request(spec: &RequestSpec) -> ScriptRequest {
    ScriptRequest {
        name: spec.name.clone().unwrap_or_default(),
        method: spec.method.clone(),
        url: spec.url.clone(),
        headers: spec
            .headers
            .0
            .iter()
            .filter(|h| !h.disabled)
            .map(|h| (h.key.clone(), h.value.clone()))
            .collect(),
        body: spec.body.as_ref().map(|b| match b {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        auth: spec.auth.clone(),
        description: String::new(),
        form: Vec::new(),
    }
}

/// Folds what a pre-request script did to the request back into the spec.
pub(crate) fn apply_request_update(
    spec: &RequestSpec,
    before: &ScriptRequest,
    after: &ScriptRequest,
) -> RequestSpec {
    let mut out = spec.clone();
    out.method = after.method.clone();
    out.url = after.url.clone();
    if after.headers != before.headers {
        out.headers.0 = after
            .headers
            .iter()
            .map(|(k, v)| crate::model::HeaderSpec {
                key: k.clone(),
                value: v.clone(),
                disabled: false,
            })
            .collect();
    }
    if after.body != before.body {
        out.body = after.body.clone().map(serde_json::Value::String);
        // The script's body replaces the form or file the request was written with.
        out.form_data = None;
        out.body_file = None;
    }
    if after.auth != before.auth {
        out.auth.clone_from(&after.auth);
    }
    out
}

pub(crate) fn script_response(response: &Response) -> ScriptResponse {
    let mut header_block = String::with_capacity(
        response
            .headers
            .iter()
            .map(|h| h.name.len() + h.value.len() + 2)
            .sum(),
    );
    for (i, h) in response.headers.iter().enumerate() {
        if i > 0 {
            header_block.push('\n');
        }
        header_block.push_str(&h.name);
        header_block.push(':');
        header_block.push_str(&h.value);
    }
    ScriptResponse {
        code: response.status,
        status: response.status_text.clone(),
        header_block,
        response_time: response.timings.total as f64 / 1000.0,
        response_size: response.body_size,
    }
}

/// Where a script phase stands after a call into it. (A return value, moved once.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum PhaseStep {
    /// It ended: its outcome and the request as a pre-request script left it.
    Done(ScriptOutcome, Option<ScriptRequest>),
    /// It waits for the responses to its `pm.sendRequest` calls (see [`Step::Waiting`]).
    Waiting { phase: u64, send: Vec<Outgoing> },
}

/// Runs one script on this thread's host. When the phase ends, `variables` are as the script
/// left them.
pub(crate) fn run_script(
    input: &ScriptInput<'_>,
    variables: &mut Variables,
    limits: ScriptLimits,
) -> PhaseStep {
    phase_step(
        with_host(input.run, limits, |host| host.run(input, variables)),
        variables,
    )
}

/// Hands a waiting phase one response (or why its request failed).
#[allow(clippy::too_many_arguments)]
pub(crate) fn resume_script(
    run: u64,
    phase: Phase,
    waiting: u64,
    id: u64,
    reply: Result<(&ScriptResponse, &str), String>,
    variables: &mut Variables,
    limits: ScriptLimits,
) -> PhaseStep {
    phase_step(
        with_host(run, limits, |host| host.resume(phase, waiting, id, reply)),
        variables,
    )
}

/// The Cookie header run `run`'s jar has for `url`.
pub(crate) fn cookie_header(run: u64, limits: ScriptLimits, url: &str) -> String {
    with_host(run, limits, |host| host.cookie_header(url)).unwrap_or_default()
}

/// A fresh value of Postman's dynamic variable `name` (`$guid`, `$randomInt`, ...) from run
/// `run`'s runtime; `None` for a name the collection SDK does not know.
pub(crate) fn dynamic_variable(run: u64, limits: ScriptLimits, name: &str) -> Option<String> {
    with_host(run, limits, |host| host.dynamic_variable(name))
        .ok()
        .flatten()
}

/// The request with the Cookie header run `run`'s jar has for it, unless it sets its own.
pub(crate) fn with_jar_cookies(
    run: u64,
    limits: ScriptLimits,
    mut spec: RequestSpec,
) -> RequestSpec {
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

/// Starts run `run`'s jar from tough-cookie's JSON form.
pub(crate) fn load_jar(run: u64, limits: ScriptLimits, json: &str) -> Result<(), String> {
    with_host(run, limits, |host| host.load_jar(json)).map_err(|e| e.message)?
}

/// Run `run`'s jar in tough-cookie's JSON form.
pub(crate) fn jar_json(run: u64, limits: ScriptLimits) -> Option<String> {
    with_host(run, limits, |host| host.jar_json())
        .ok()
        .flatten()
}

/// Stores the cookies a response set in run `run`'s jar: those of the redirects it followed
/// first (each for the URL that set it, when the request kept them), then its own for `url`.
pub(crate) fn store_cookies(run: u64, limits: ScriptLimits, url: &str, response: &Response) {
    for hop in response
        .redirects
        .iter()
        .filter(|h| !h.set_cookies.is_empty())
    {
        let block: String = hop
            .set_cookies
            .iter()
            .map(|value| format!("Set-Cookie: {value}\n"))
            .collect();
        let _ = with_host(run, limits, |host| host.store_cookies(&hop.url, &block));
    }
    let sets_cookies = response
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("set-cookie"));
    if sets_cookies {
        let block = script_response(response).header_block;
        let _ = with_host(run, limits, |host| host.store_cookies(url, &block));
    }
}

/// Ends a waiting phase with an error, keeping the tests that ran.
pub(crate) fn abandon_script(
    run: u64,
    phase: Phase,
    waiting: u64,
    why: &str,
    variables: &mut Variables,
    limits: ScriptLimits,
) -> ScriptOutcome {
    match phase_step(
        with_host(run, limits, |host| host.abandon(phase, waiting, why)),
        variables,
    ) {
        PhaseStep::Done(outcome, _) => outcome,
        PhaseStep::Waiting { .. } => ScriptOutcome::default(),
    }
}

fn phase_step(step: Result<Step, ScriptError>, variables: &mut Variables) -> PhaseStep {
    match step {
        Ok(Step::Done(outcome, Some(update))) => {
            if let Some(changed) = update.variables {
                *variables = changed;
            }
            PhaseStep::Done(outcome, update.request)
        }
        Ok(Step::Done(outcome, None)) => PhaseStep::Done(outcome, None),
        Ok(Step::Waiting { phase, send }) => PhaseStep::Waiting { phase, send },
        Err(setup) => PhaseStep::Done(
            ScriptOutcome {
                error: Some(setup),
                ..ScriptOutcome::default()
            },
            None,
        ),
    }
}

/// A `pm.sendRequest` request as a Vayu request.
pub(crate) fn outgoing_spec(request: &ScriptRequest) -> RequestSpec {
    RequestSpec {
        method: request.method.clone(),
        url: request.url.clone(),
        headers: crate::model::HeaderSpecs(
            request
                .headers
                .iter()
                .map(|(key, value)| HeaderSpec {
                    key: key.clone(),
                    value: value.clone(),
                    disabled: false,
                })
                .collect(),
        ),
        body: request.body.clone().map(serde_json::Value::String),
        ..RequestSpec::default()
    }
}

/// A test script to run on every response of one request of a batch or load run.
#[derive(Debug, Clone)]
pub struct ResponseTest {
    pub source: String,
    /// The script checked without JavaScript while it passes, when it has that shape
    /// (`native.rs`).
    native: Option<Plan>,
    /// What the script sees as `pm.request` and `pm.info`, serialized once: the same for every
    /// response.
    request_json: String,
    context_json: String,
}

impl ResponseTest {
    /// The test script of a request as written, with variables substituted in what the script
    /// sees of the request; `None` without a test script.
    pub fn of(spec: &RequestSpec, variables: &Variables) -> Option<ResponseTest> {
        let source = Scripts::of(spec).test?;
        let (substituted, _) = variables.apply(spec);
        Some(ResponseTest {
            native: Plan::of(&source),
            source,
            request_json: script_request(&substituted).to_json(),
            context_json: ScriptContext::default().to_json(),
        })
    }

    /// Runs the script (of run `run`, see [`new_run`]) on a response with this worker's
    /// variables: its outcome, or a phase
    /// that waits for its `pm.sendRequest` responses (for the share's [`WaitingScripts`]).
    ///
    /// [`WaitingScripts`]: super::waiting::WaitingScripts
    pub fn run(
        &self,
        run: u64,
        response: &Response,
        variables: &mut Variables,
        limits: ScriptLimits,
        iteration: u64,
    ) -> Result<ScriptOutcome, Box<Waiting>> {
        if let Some(outcome) = self.passes_natively(run, response) {
            variables.local.clear();
            return Ok(outcome);
        }
        let script_response = script_response(response);
        let input = ScriptInput {
            run,
            phase: Phase::Test,
            source: &self.source,
            request_json: &self.request_json,
            context_json: &self.context_json,
            iteration,
            response: Some(&script_response),
            body: &response.body,
        };
        match run_script(&input, variables, limits) {
            PhaseStep::Done(outcome, _) => {
                variables.local.clear();
                Ok(outcome)
            }
            PhaseStep::Waiting { phase, send } => Err(Box::new(Waiting {
                phase: Phase::Test,
                id: phase,
                send,
                purpose: Purpose::Test,
            })),
        }
    }
}

impl ResponseTest {
    /// The outcome, when the script has the shape checked without JavaScript, passes on this
    /// response, and no other script ran in the run's runtime here (see `native.rs`).
    fn passes_natively(&self, run: u64, response: &Response) -> Option<ScriptOutcome> {
        let plan = self.native.as_ref()?;
        if ran_other_scripts(run) {
            return None;
        }
        plan.passes(&Seen {
            code: response.status,
            body: &response.body,
        })
    }
}

/// Passed, failed and skipped counts per test name, and script errors, over many responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestTally {
    pub tests: std::collections::BTreeMap<String, TestCounts>,
    pub script_errors: u64,
    /// The first script error seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<super::outcome::ScriptError>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TestCounts {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl TestTally {
    pub fn add(&mut self, outcome: &ScriptOutcome) {
        for t in &outcome.tests {
            // The names repeat from response to response: no copy of one already counted.
            if !self.tests.contains_key(&t.name) {
                self.tests.insert(t.name.clone(), TestCounts::default());
            }
            let Some(c) = self.tests.get_mut(&t.name) else {
                continue;
            };
            if t.skipped {
                c.skipped += 1;
            } else if t.passed {
                c.passed += 1;
            } else {
                c.failed += 1;
            }
        }
        if let Some(e) = &outcome.error {
            self.script_errors += 1;
            if self.first_error.is_none() {
                self.first_error = Some(e.clone());
            }
        }
    }

    pub fn merge(&mut self, other: &TestTally) {
        for (name, c) in &other.tests {
            let mine = self.tests.entry(name.clone()).or_default();
            mine.passed += c.passed;
            mine.failed += c.failed;
            mine.skipped += c.skipped;
        }
        self.script_errors += other.script_errors;
        if self.first_error.is_none() {
            self.first_error.clone_from(&other.first_error);
        }
    }

    pub fn passed(&self) -> u64 {
        self.tests.values().map(|c| c.passed).sum()
    }

    pub fn failed(&self) -> u64 {
        self.tests.values().map(|c| c.failed).sum()
    }
}
