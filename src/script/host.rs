//! One QuickJS runtime per thread: the prelude evaluated once, each distinct script compiled
//! once and reused, and per-run state reset by the prelude's entry point. Limits: memory,
//! stack, and time per script (an interrupt handler checks a deadline).

use super::modules;
use super::native::Plan;
use super::outcome::{Phase, ScriptError, ScriptOutcome, ScriptRequest, ScriptResponse};
use super::reuse::{LastOutcome, VariablesJson};
use super::variables::Variables;
use rquickjs::context::EvalOptions;
use rquickjs::{CaughtError, Context, Ctx, Function, Persistent, Runtime, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

const PRELUDE: &str = include_str!("prelude.js");
/// The fast path in front of chai: a function expression the prelude calls (it takes it from
/// the global object, as it takes the module loader).
const FAST_PATH: &str = include_str!("fast_path.js");

/// The legacy Postman sandbox names a user script's body sees besides the globals (`pm`,
/// `console`), as the parameters of the function it is compiled into. The prelude builds only
/// those a script names (see [`legacy_names`]), in this order (bit `i` is name `i`).
const LEGACY_NAMES: [&str; 18] = [
    "tests",
    "globals",
    "environment",
    "data",
    "request",
    "responseCookies",
    "responseHeaders",
    "responseTime",
    "responseCode",
    "responseBody",
    "iteration",
    "postman",
    "_",
    "CryptoJS",
    "atob",
    "btoa",
    "tv4",
    "xml2Json",
];

/// Names only a test script has: a pre-request script may declare its own (`const responseBody`),
/// as in Postman, where a script's legacy names are parameters of the function it runs in too.
const TEST_ONLY: [&str; 5] = [
    "responseCookies",
    "responseHeaders",
    "responseTime",
    "responseCode",
    "responseBody",
];

/// The parameter list of the function a script of `phase` is compiled into.
fn parameters(phase: Phase) -> String {
    let names: Vec<&str> = LEGACY_NAMES
        .iter()
        .copied()
        .filter(|n| phase == Phase::Test || !TEST_ONLY.contains(n))
        .collect();
    names.join(", ")
}

/// The legacy names `source` may use as variables: each that appears as a whole identifier not
/// right after a `.` (a property such as `pm.request` is not the name). Words in strings and
/// comments, and a property after a line break, count too: a name counted that the script does
/// not use only costs building it, a name missed would be `undefined`.
fn legacy_names(source: &str) -> u32 {
    let bytes = source.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut mask = 0;
    for (bit, name) in LEGACY_NAMES.iter().enumerate() {
        let found = source.match_indices(name).any(|(at, _)| {
            let end = at + name.len();
            if at > 0 && word(bytes[at - 1]) || end < bytes.len() && word(bytes[end]) {
                return false;
            }
            // `a.name` is a property; `...name` spreads the variable.
            let before = &source[..at];
            !before.ends_with('.') || before.ends_with("...")
        });
        if found {
            mask |= 1 << bit;
        }
    }
    mask
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLimits {
    pub memory_bytes: usize,
    pub time: Duration,
    pub stack_bytes: usize,
}

impl Default for ScriptLimits {
    fn default() -> Self {
        ScriptLimits {
            memory_bytes: 64 * 1024 * 1024,
            time: Duration::from_secs(5),
            // chai and the collection SDK nest deeply; Rust threads have 2 MiB of stack.
            stack_bytes: 1024 * 1024,
        }
    }
}

/// Distinct scripts compiled per runtime at most; past it the cache starts over (a run with
/// endlessly varying scripts must not grow memory without bound).
const MAX_CACHED_SCRIPTS: usize = 256;

/// A compiled script, the legacy names it uses, and whether it has the native shape.
type Compiled = (Persistent<Function<'static>>, u32, bool);

pub(super) struct ScriptHost {
    // Field order is drop order: saved functions before the context and runtime they live in.
    /// Compiled scripts by source text, one map per phase (looked up by `&str`, no copy).
    /// With each, the legacy names it uses ([`legacy_names`]) and whether it has the shape
    /// `native.rs` checks without JavaScript.
    cache: [HashMap<String, Compiled>; 2],
    entry: Persistent<Function<'static>>,
    context: Context,
    /// Owned so it outlives everything above; never called after setup.
    _runtime: Runtime,
    deadline: Rc<Cell<Option<Instant>>>,
    /// Set when jobs a script queued were still coming after the time limit and could not be
    /// cut off: the runtime is replaced before the next script (see [`flush_jobs`]).
    poisoned: Rc<Cell<bool>>,
    limits: ScriptLimits,
    /// The cookie jar scripts and cookie calls use now (see [`user_run`]).
    jar: u64,
    variables_json: VariablesJson,
    last_outcome: LastOutcome,
    /// A script other than one of the shape `native.rs` checks has run in this runtime: it may
    /// have changed what JavaScript would say about such a script, so they all run here now.
    ran_others: bool,
}

/// Runtimes a thread keeps for runs in progress; past it the least recently used is dropped
/// (a phase of it still waiting for `pm.sendRequest` replies then fails).
const MAX_RUNTIMES: usize = 8;

struct Hosts {
    /// (run, last use, host).
    hosts: Vec<(u64, u64, ScriptHost)>,
    uses: u64,
}

thread_local! {
    static HOSTS: RefCell<Hosts> = const { RefCell::new(Hosts { hosts: Vec::new(), uses: 0 }) };
}

static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

/// A run id's low bits pick a cookie jar within the run's runtime: the virtual users of a load
/// run share one runtime per thread (a runtime costs about a megabyte and milliseconds to
/// start), each with its own jar. Jar 0 is the run's own.
const JAR_BITS: u32 = 24;
const JAR_MASK: u64 = (1 << JAR_BITS) - 1;

/// Virtual users one run can tell apart by jar.
pub const MAX_USERS: u64 = JAR_MASK;

/// A new run's id. Each run's scripts get their own runtime on each thread they run on, so
/// nothing a script does to built-ins or the global object reaches another run.
pub fn new_run() -> u64 {
    NEXT_RUN.fetch_add(1, Relaxed) << JAR_BITS
}

/// The id under which virtual user `user` (1 to [`MAX_USERS`]) of `run` runs its scripts: the
/// run's runtime, the user's cookie jar. [`end_run`] of it drops only the jar.
pub fn user_run(run: u64, user: u64) -> u64 {
    debug_assert!((1..=MAX_USERS).contains(&user));
    (run & !JAR_MASK) | (user & JAR_MASK)
}

/// Runs `f` with this thread's runtime for `run`, creating it on first use (or with new limits).
pub(crate) fn with_host<R>(
    run: u64,
    limits: ScriptLimits,
    f: impl FnOnce(&mut ScriptHost) -> R,
) -> Result<R, ScriptError> {
    HOSTS.with(|cell| {
        let mut hosts = cell.borrow_mut();
        hosts.uses += 1;
        let now = hosts.uses;
        let (jar, run) = (run & JAR_MASK, run & !JAR_MASK);
        let found = hosts
            .hosts
            .iter()
            .position(|(r, _, h)| *r == run && h.limits == limits);
        let at = match found {
            Some(at) => at,
            None => {
                hosts.hosts.retain(|(r, _, _)| *r != run);
                if hosts.hosts.len() >= MAX_RUNTIMES {
                    let oldest = (0..hosts.hosts.len())
                        .min_by_key(|&i| hosts.hosts[i].1)
                        .expect("not empty");
                    hosts.hosts.swap_remove(oldest);
                }
                hosts.hosts.push((run, now, ScriptHost::new(limits)?));
                hosts.hosts.len() - 1
            }
        };
        let entry = &mut hosts.hosts[at];
        entry.1 = now;
        entry.2.use_jar(jar);
        Ok(f(&mut entry.2))
    })
}

/// Whether a script other than one of the shape `native.rs` checks has run in this thread's
/// runtime of `run` (false when it has none yet).
pub(crate) fn ran_other_scripts(run: u64) -> bool {
    let run = run & !JAR_MASK;
    HOSTS.with(|cell| {
        let hosts = cell.borrow();
        hosts
            .hosts
            .iter()
            .any(|(r, _, h)| *r == run && h.ran_others)
    })
}

/// The run is over on this thread: its runtime goes (for a virtual user's id, its jar).
pub(crate) fn end_run(run: u64) {
    let (jar, run) = (run & JAR_MASK, run & !JAR_MASK);
    HOSTS.with(|cell| {
        let mut hosts = cell.borrow_mut();
        if jar == 0 {
            hosts.hosts.retain(|(r, _, _)| *r != run);
        } else if let Some((_, _, host)) = hosts.hosts.iter_mut().find(|(r, _, _)| *r == run) {
            host.drop_jar(jar);
        }
    });
}

fn setup_error(message: impl Into<String>) -> ScriptError {
    ScriptError {
        phase: "setup".into(),
        message: message.into(),
        line: None,
        name: None,
    }
}

/// Sets the runtime's interrupt handler (the script's time limit, `deadline`) and its promise
/// rejection tracker; returns the flag the tracker sets when a promise was rejected by running
/// out of memory (a job that could not allocate rejects its promise; nothing else would tell),
/// which the job runner reports.
fn guard(runtime: &Runtime, deadline: &Rc<Cell<Option<Instant>>>) -> Rc<Cell<bool>> {
    let exhausted = Rc::new(Cell::new(false));
    let flag = Rc::clone(&exhausted);
    runtime.set_host_promise_rejection_tracker(Some(Box::new(
        move |_ctx, _promise, reason: Value<'_>, handled| {
            let oom = reason.is_null()
                || reason.as_object().is_some_and(|o| {
                    o.get::<_, String>("message")
                        .is_ok_and(|m| m == "out of memory")
                });
            if oom && !handled {
                flag.set(true);
            }
        },
    )));
    let check = Rc::clone(deadline);
    runtime.set_interrupt_handler(Some(Box::new(move || {
        check.get().is_some_and(|d| Instant::now() >= d)
    })));
    exhausted
}

/// The prelude's `__vayu_drain_jobs`: runs the jobs a script queued (promise reactions,
/// `await`) until none is left; when the time limit runs out meanwhile, it ends them and says
/// so (the prelude makes that the script's error).
fn job_runner<'js>(
    ctx: &Ctx<'js>,
    deadline: &Rc<Cell<Option<Instant>>>,
    poisoned: &Rc<Cell<bool>>,
    exhausted: Rc<Cell<bool>>,
    limits: ScriptLimits,
) -> Result<Function<'js>, ScriptError> {
    let (clock, spoiled, time) = (Rc::clone(deadline), Rc::clone(poisoned), limits.time);
    let memory = limits.memory_bytes;
    Function::new(ctx.clone(), move |ctx: Ctx<'_>| -> Option<String> {
        while ctx.execute_pending_job() {
            if exhausted.replace(false) {
                // The runtime is rebuilt after this script (see `end_call`).
                flush_jobs(&ctx, &clock);
                clock.set(Some(Instant::now() + SETTLE_TIME));
                return Some(memory_message(memory));
            }
            if clock.get().is_some_and(|d| Instant::now() >= d) {
                if !flush_jobs(&ctx, &clock) {
                    spoiled.set(true);
                }
                // The prelude still has to write the results.
                clock.set(Some(Instant::now() + SETTLE_TIME));
                return Some(timeout_message(time));
            }
        }
        exhausted.replace(false).then(|| memory_message(memory))
    })
    .map_err(|e| setup_error(format!("cannot create the job runner: {e}")))
}

/// The run's values in the order the prelude reads them: the iteration, then for a test
/// script its response's code, status, responseTime and responseSize; then the legacy names
/// the script uses.
fn run_array<'js>(
    ctx: &Ctx<'js>,
    iteration: u64,
    meta: Option<(u16, &str, f64, f64)>,
    legacy: u32,
) -> rquickjs::Result<rquickjs::Array<'js>> {
    let run = rquickjs::Array::new(ctx.clone())?;
    run.set(0, iteration as f64)?;
    if let Some((code, status, time, size)) = meta {
        run.set(1, code as i32)?;
        run.set(2, status)?;
        run.set(3, time)?;
        run.set(4, size)?;
    }
    run.set(run.len(), legacy)?;
    Ok(run)
}

/// The script compiled in this runtime (wrapped in a function of the phase's parameters),
/// from the cache or compiled now; with the legacy names it uses. Notes in `ran_others` that a
/// script of another shape than the native one ran.
fn compiled<'js>(
    ctx: &Ctx<'js>,
    cache: &mut HashMap<String, Compiled>,
    phase: Phase,
    source: &str,
    limits: ScriptLimits,
    ran_others: &mut bool,
) -> Result<(Function<'js>, u32), ScriptError> {
    if cache.len() >= MAX_CACHED_SCRIPTS && !cache.contains_key(source) {
        cache.clear();
    }
    Ok(match cache.get(source) {
        Some((f, legacy, native)) => {
            *ran_others |= !native;
            let f = f.clone().restore(ctx);
            (f.map_err(|e| failure(ctx, phase, e, limits))?, *legacy)
        }
        None => {
            let mut options = EvalOptions::default();
            options.strict = false;
            options.backtrace_barrier = true;
            options.filename = Some(filename(phase).into());
            let wrapped = format!("(function ({}) {{ {source}\n}})", parameters(phase));
            let f: Function = ctx
                .eval_with_options(wrapped, options)
                .map_err(|e| failure(ctx, phase, e, limits))?;
            let legacy = legacy_names(source);
            let native = phase == Phase::Test && Plan::of(source).is_some();
            *ran_others |= !native;
            let saved = Persistent::save(ctx, f.clone());
            cache.insert(source.to_string(), (saved, legacy, native));
            (f, legacy)
        }
    })
}

impl ScriptHost {
    pub(super) fn new(limits: ScriptLimits) -> Result<ScriptHost, ScriptError> {
        let runtime = Runtime::new()
            .map_err(|e| setup_error(format!("cannot create the JavaScript runtime: {e}")))?;
        runtime.set_memory_limit(limits.memory_bytes);
        runtime.set_max_stack_size(limits.stack_bytes);
        let deadline: Rc<Cell<Option<Instant>>> = Rc::new(Cell::new(None));
        let poisoned = Rc::new(Cell::new(false));
        let exhausted = guard(&runtime, &deadline);
        let context = Context::full(&runtime)
            .map_err(|e| setup_error(format!("cannot create the JavaScript context: {e}")))?;
        let entry = context.with(|ctx| -> Result<_, ScriptError> {
            // The prelude takes the loader for itself and removes it from the global object.
            let loader = Function::new(ctx.clone(), load_bundle)
                .map_err(|e| setup_error(format!("cannot create the module loader: {e}")))?;
            ctx.globals()
                .set("__vayu_load", loader)
                .map_err(|e| setup_error(e.to_string()))?;
            let mut options = EvalOptions::default();
            options.filename = Some("fast_path.js".into());
            let fast_path: Value = ctx.eval_with_options(FAST_PATH, options).map_err(|e| {
                setup_error(format!(
                    "the fast path failed: {}",
                    CaughtError::from_error(&ctx, e)
                ))
            })?;
            ctx.globals()
                .set("__vayu_fast_path", fast_path)
                .map_err(|e| setup_error(e.to_string()))?;
            let drain = job_runner(&ctx, &deadline, &poisoned, exhausted, limits)?;
            ctx.globals()
                .set("__vayu_drain_jobs", drain)
                .map_err(|e| setup_error(e.to_string()))?;
            ctx.eval::<(), _>(PRELUDE).map_err(|e| {
                setup_error(format!(
                    "the prelude failed: {}",
                    CaughtError::from_error(&ctx, e)
                ))
            })?;
            let entry: Function = ctx
                .globals()
                .get("__vayu_run")
                .map_err(|e| setup_error(e.to_string()))?;
            Ok(Persistent::save(&ctx, entry))
        })?;
        Ok(ScriptHost {
            cache: Default::default(),
            entry,
            context,
            _runtime: runtime,
            deadline,
            poisoned,
            limits,
            jar: 0,
            variables_json: VariablesJson::default(),
            last_outcome: LastOutcome::default(),
            ran_others: false,
        })
    }

    fn use_jar(&mut self, jar: u64) {
        if self.jar != jar {
            self.jar = jar;
            self.call_hidden("__vayu_use_jar", jar);
        }
    }

    fn drop_jar(&mut self, jar: u64) {
        self.call_hidden("__vayu_drop_jar", jar);
        if self.jar == jar {
            self.jar = 0;
            self.call_hidden("__vayu_use_jar", 0);
        }
    }

    /// Calls one of the prelude's hidden jar functions with a jar id (they cannot fail).
    fn call_hidden(&mut self, name: &str, jar: u64) {
        self.context.with(|ctx| {
            if let Ok(f) = ctx.globals().get::<_, Function>(name) {
                let _: rquickjs::Result<()> = f.call((jar as f64,));
            }
        });
    }

    /// Runs one script. Failures of the script itself (syntax, a throw, a limit) are in the
    /// outcome's `error`; tests that ran before a throw are kept. The request and variables are
    /// handed over as JSON and parsed in the script only if it looks at them.
    pub(crate) fn run(&mut self, input: &ScriptInput<'_>, variables: &Variables) -> Step {
        let ScriptInput {
            run: _,
            phase,
            source,
            request_json,
            context_json,
            iteration,
            response,
            body,
        } = *input;
        let variables_json = match self.variables_json.of(variables) {
            Ok(v) => v,
            Err(e) => {
                return Step::Done(
                    failed(
                        phase,
                        format!("cannot pass the variables to the script: {e}"),
                        None,
                    ),
                    None,
                )
            }
        };
        let header_block = response.map_or("", |r| r.header_block.as_str());
        let meta = response.map(|r| {
            (
                r.code,
                r.status.as_str(),
                r.response_time,
                r.response_size as f64,
            )
        });
        let cache = &mut self.cache[phase as usize];
        self.deadline.set(Some(Instant::now() + self.limits.time));
        let limits = self.limits;
        let entry = self.entry.clone();
        let ran_others = &mut self.ran_others;
        let result = self.context.with(|ctx| -> Result<String, ScriptError> {
            let (script, legacy) = compiled(&ctx, cache, phase, source, limits, ran_others)?;
            let entry = entry
                .restore(&ctx)
                .map_err(|e| failure(&ctx, phase, e, limits))?;
            let run = run_array(&ctx, iteration, meta, legacy)
                .map_err(|e| failure(&ctx, phase, e, limits))?;
            entry
                .call((
                    script,
                    request_json,
                    context_json,
                    variables_json,
                    run,
                    header_block,
                    body,
                ))
                .map_err(|e| failure(&ctx, phase, e, limits))
        });
        self.end_call(phase, result)
    }

    /// Hands a waiting phase the response (or the failure) of one of its `pm.sendRequest`s and
    /// runs its callback; the phase may then wait for more, or end.
    pub(crate) fn resume(
        &mut self,
        phase: Phase,
        waiting: u64,
        id: u64,
        reply: Result<(&ScriptResponse, &str), String>,
    ) -> Step {
        self.deadline.set(Some(Instant::now() + self.limits.time));
        let limits = self.limits;
        let result = self.context.with(|ctx| -> Result<String, ScriptError> {
            let fail = |e| failure(&ctx, phase, e, limits);
            let resume: Function = ctx.globals().get("__vayu_resume").map_err(fail)?;
            let (error, meta, headers, body) = match reply {
                Ok((r, body)) => {
                    let meta = rquickjs::Array::new(ctx.clone()).map_err(fail)?;
                    meta.set(0, r.code as i32).map_err(fail)?;
                    meta.set(1, r.status.as_str()).map_err(fail)?;
                    meta.set(2, r.response_time).map_err(fail)?;
                    meta.set(3, r.response_size as f64).map_err(fail)?;
                    (None, meta.into_value(), r.header_block.clone(), body)
                }
                Err(message) => (
                    Some(message),
                    Value::new_null(ctx.clone()),
                    String::new(),
                    "",
                ),
            };
            resume
                .call((waiting as f64, id as f64, error, meta, headers, body))
                .map_err(fail)
        });
        self.end_call(phase, result)
    }

    /// The Cookie header the run's jar has for `url` (empty without a jar or cookies).
    pub(crate) fn cookie_header(&mut self, url: &str) -> String {
        self.context.with(|ctx| {
            ctx.globals()
                .get::<_, Function>("__vayu_cookie_header")
                .and_then(|f| f.call::<_, String>((url,)))
                .unwrap_or_default()
        })
    }

    /// A fresh value of Postman's dynamic variable `name` (`$guid`), from the collection SDK;
    /// `None` for a name it does not know.
    pub(crate) fn dynamic_variable(&mut self, name: &str) -> Option<String> {
        self.context.with(|ctx| {
            ctx.globals()
                .get::<_, Function>("__vayu_dynamic_variable")
                .and_then(|f| f.call::<_, Option<String>>((name,)))
                .ok()
                .flatten()
        })
    }

    /// Stores in the run's jar the cookies of a response from `url` (its headers as one block).
    pub(crate) fn store_cookies(&mut self, url: &str, block: &str) {
        self.deadline.set(Some(Instant::now() + self.limits.time));
        self.context.with(|ctx| {
            if let Ok(store) = ctx.globals().get::<_, Function>("__vayu_store_cookies") {
                let _: rquickjs::Result<()> = store.call((url, block));
            }
        });
        self.deadline.set(None);
    }

    /// Replaces the run's jar with one in tough-cookie's JSON form (Newman's `--cookie-jar`).
    pub(crate) fn load_jar(&mut self, json: &str) -> Result<(), String> {
        self.deadline.set(Some(Instant::now() + self.limits.time));
        let result = self.context.with(|ctx| {
            let load: Function = ctx
                .globals()
                .get("__vayu_load_jar")
                .map_err(|e| e.to_string())?;
            load.call::<_, ()>((json,)).map_err(|e| match e {
                rquickjs::Error::Exception => ctx
                    .catch()
                    .as_exception()
                    .and_then(|x| x.message())
                    .unwrap_or_else(|| "not a tough-cookie jar".into()),
                other => other.to_string(),
            })
        });
        self.deadline.set(None);
        result
    }

    /// The run's jar in tough-cookie's JSON form (Newman's `--export-cookie-jar`).
    pub(crate) fn jar_json(&mut self) -> Option<String> {
        self.deadline.set(Some(Instant::now() + self.limits.time));
        let json = self.context.with(|ctx| {
            ctx.globals()
                .get::<_, Function>("__vayu_jar_json")
                .and_then(|f| f.call::<_, String>(()))
                .ok()
        });
        self.deadline.set(None);
        json
    }

    /// Ends a waiting phase with an error (`why`), keeping the tests that ran.
    pub(crate) fn abandon(&mut self, phase: Phase, waiting: u64, why: &str) -> Step {
        self.deadline.set(Some(Instant::now() + self.limits.time));
        let limits = self.limits;
        let result = self.context.with(|ctx| -> Result<String, ScriptError> {
            let fail = |e| failure(&ctx, phase, e, limits);
            let abandon: Function = ctx.globals().get("__vayu_abandon").map_err(fail)?;
            abandon.call((waiting as f64, why)).map_err(fail)
        });
        self.end_call(phase, result)
    }

    fn end_call(&mut self, phase: Phase, result: Result<String, ScriptError>) -> Step {
        self.deadline.set(None);
        let threw = result.is_err();
        let mut step = match result {
            Ok(json) => self.parse_step(phase, json),
            Err(error) => Step::Done(
                ScriptOutcome {
                    error: Some(error),
                    ..ScriptOutcome::default()
                },
                None,
            ),
        };
        let mut fresh = self.poisoned.replace(false);
        if let Step::Done(ScriptOutcome { error: Some(e), .. }, _) = &mut step {
            if is_memory_exhaustion(&e.message) {
                // What the script kept may still fill the runtime, and QuickJS may be left in a
                // bad state: the run's next script starts from a fresh one.
                e.message = memory_message(self.limits.memory_bytes);
                fresh = true;
            }
        }
        // An exception no script can catch (the time limit) left the prelude mid-call: jobs
        // the script queued would run in the next script, and its globals would stay.
        if threw && !fresh {
            fresh = !self.settle();
        }
        if fresh {
            if let Ok(host) = ScriptHost::new(self.limits) {
                *self = host;
            }
        }
        step
    }

    /// The step the prelude's JSON says, reusing the last outcome when the JSON is the same (a
    /// test script on every response writes the same results again and again).
    fn parse_step(&mut self, phase: Phase, json: String) -> Step {
        let unchanged = || {
            Some(ScriptRequestUpdate {
                request: None,
                variables: None,
            })
        };
        if let Some(outcome) = self.last_outcome.get(phase, &json) {
            return Step::Done(outcome, unchanged());
        }
        let step = parse_step(phase, &json);
        if let Step::Done(outcome, Some(update)) = &step {
            if update.request.is_none() && update.variables.is_none() {
                self.last_outcome.keep(phase, json, outcome);
            }
        }
        step
    }

    /// Ends what a call cut short left behind: queued jobs (each stopped at its next interrupt
    /// check) and the script's globals. False when that did not work and the runtime must go.
    fn settle(&mut self) -> bool {
        let deadline = Rc::clone(&self.deadline);
        let settled = self.context.with(|ctx| {
            flush_jobs(&ctx, &deadline) && {
                deadline.set(Some(Instant::now() + SETTLE_TIME));
                ctx.globals()
                    .get::<_, Function>("__vayu_reset")
                    .and_then(|reset| reset.call::<_, ()>(()))
                    .is_ok()
            }
        });
        self.deadline.set(None);
        settled
    }
}

/// How long the host lets jobs that outlived the time limit take to end, and the prelude take
/// to write a timed-out script's results.
const SETTLE_TIME: Duration = Duration::from_millis(100);

/// Runs the queued jobs of a script whose time ran out (`deadline` is past, so the interrupt
/// handler stops each within QuickJS's interrupt check interval, ending a chain that queues the
/// next). False when jobs are still coming after [`SETTLE_TIME`] (say, each job queues two):
/// only dropping the runtime ends those.
fn flush_jobs(ctx: &Ctx<'_>, deadline: &Cell<Option<Instant>>) -> bool {
    let stop = Instant::now() + SETTLE_TIME;
    deadline.set(Some(Instant::now()));
    while ctx.execute_pending_job() {
        if Instant::now() >= stop {
            return false;
        }
    }
    true
}

fn timeout_message(time: Duration) -> String {
    format!("timed out after {time:?} (the script time limit)")
}

fn memory_message(memory_bytes: usize) -> String {
    format!(
        "ran out of memory (the script memory limit is {} MiB)",
        memory_bytes / (1024 * 1024)
    )
}

/// QuickJS's ways of saying a script ran out of memory: its error, or `null` when it could not
/// even allocate that (by the time the host looks, the memory may be free again, so a `null`
/// thrown out of a script is taken for that).
fn is_memory_exhaustion(message: &str) -> bool {
    matches!(
        message,
        "null" | "out of memory" | "InternalError: out of memory"
    ) || message.starts_with("ran out of memory")
}

/// Where a call into a script left its phase. (A return value, moved once: not worth a box.)
#[allow(clippy::large_enum_variant)]
pub(crate) enum Step {
    /// The phase ended: its outcome and what it changed.
    Done(ScriptOutcome, Option<ScriptRequestUpdate>),
    /// The phase waits for the responses to its `pm.sendRequest` calls; `send` are the requests
    /// made since the last call. Resume it with each response by `phase` and request id.
    Waiting { phase: u64, send: Vec<Outgoing> },
}

/// A request a script made with `pm.sendRequest`.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct Outgoing {
    pub id: u64,
    pub request: ScriptRequest,
}

#[derive(serde::Deserialize)]
struct RawWaiting {
    phase: u64,
    send: Vec<Outgoing>,
}

fn parse_step(phase: Phase, json: &str) -> Step {
    if json.starts_with("{\"phase\":") {
        return match serde_json::from_str::<RawWaiting>(json) {
            Ok(w) => Step::Waiting {
                phase: w.phase,
                send: w.send,
            },
            Err(e) => Step::Done(
                failed(
                    phase,
                    format!("pm.sendRequest: the request could not be read: {e}"),
                    None,
                ),
                None,
            ),
        };
    }
    let (outcome, update) = parse_outcome(phase, json);
    Step::Done(outcome, update)
}

/// Evaluates one of the embedded library bundles and returns its exports (`undefined` for a
/// name that is not bundled). The prelude calls it once per library and runtime.
fn load_bundle<'js>(ctx: Ctx<'js>, name: String) -> rquickjs::Result<Value<'js>> {
    let Some(source) = modules::source(&name) else {
        return Ok(Value::new_undefined(ctx));
    };
    let mut options = EvalOptions::default();
    options.strict = false;
    options.filename = Some(format!("{name}.js"));
    ctx.eval_with_options(source, options)
}

/// What one script run is given besides the variables. The request and the context arrive as
/// JSON, parsed in the script only if it looks at them.
#[derive(Clone, Copy)]
pub(crate) struct ScriptInput<'a> {
    /// The run it belongs to (see [`new_run`]).
    pub run: u64,
    pub phase: Phase,
    pub source: &'a str,
    pub request_json: &'a str,
    pub context_json: &'a str,
    pub iteration: u64,
    pub response: Option<&'a ScriptResponse>,
    pub body: &'a str,
}

/// What the script changed: the request (pre-request scripts) and the variables, each only if
/// the script looked at it.
#[derive(Debug, Clone)]
pub(crate) struct ScriptRequestUpdate {
    pub request: Option<ScriptRequest>,
    pub variables: Option<Variables>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOutcome {
    tests: Vec<super::outcome::TestResult>,
    console: Vec<super::outcome::ConsoleLine>,
    error: Option<RawError>,
    #[serde(default)]
    skip_request: bool,
    next_request: Option<super::outcome::NextRequest>,
    visualizer: Option<super::outcome::Visualizer>,
    /// Present when a pre-request script looked at the request.
    request: Option<ScriptRequest>,
    /// Present when the script looked at the variables.
    variables: Option<Variables>,
}

#[derive(serde::Deserialize)]
struct RawError {
    message: String,
    stack: String,
    name: String,
}

fn parse_outcome(phase: Phase, json: &str) -> (ScriptOutcome, Option<ScriptRequestUpdate>) {
    match serde_json::from_str::<RawOutcome>(json) {
        Ok(raw) => {
            let error = raw.error.map(|e| ScriptError {
                phase: phase.as_str().into(),
                message: if e.name == "Error" || e.message.starts_with(&e.name) {
                    e.message
                } else {
                    format!("{}: {}", e.name, e.message)
                },
                line: line_of(phase, &e.stack),
                name: Some(e.name),
            });
            let outcome = ScriptOutcome {
                tests: raw.tests,
                console: raw.console,
                error,
                skip_request: raw.skip_request,
                next_request: raw.next_request,
                visualizer: raw.visualizer,
            };
            (
                outcome,
                Some(ScriptRequestUpdate {
                    request: raw.request,
                    variables: raw.variables,
                }),
            )
        }
        Err(e) => (
            failed(
                phase,
                format!("the script's results could not be read: {e}"),
                None,
            ),
            None,
        ),
    }
}

fn failed(phase: Phase, message: String, line: Option<u32>) -> ScriptOutcome {
    ScriptOutcome {
        error: Some(ScriptError {
            phase: phase.as_str().into(),
            message,
            line,
            name: None,
        }),
        ..ScriptOutcome::default()
    }
}

fn filename(phase: Phase) -> &'static str {
    match phase {
        Phase::PreRequest => "preRequestScript",
        Phase::Test => "testScript",
    }
}

/// The line of the user's script an error stack points at ("at <anonymous> (testScript:3:7)").
fn line_of(phase: Phase, stack: &str) -> Option<u32> {
    let name = filename(phase);
    let at = stack.find(&format!("{name}:"))? + name.len() + 1;
    let digits: String = stack[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Turns a QuickJS exception into a script error, naming timeouts and memory exhaustion.
fn failure(
    ctx: &Ctx<'_>,
    phase: Phase,
    error: rquickjs::Error,
    limits: ScriptLimits,
) -> ScriptError {
    let mut name = None;
    let (message, stack) = match CaughtError::from_error(ctx, error) {
        CaughtError::Exception(e) => {
            name = e.as_object().get::<_, String>("name").ok();
            (
                e.message().unwrap_or_default(),
                e.stack().unwrap_or_default(),
            )
        }
        // QuickJS's out-of-memory signature (see `is_memory_exhaustion`).
        CaughtError::Value(v) if v.is_null() => ("null".to_string(), String::new()),
        CaughtError::Value(v) => (format!("threw a non-Error value: {v:?}"), String::new()),
        CaughtError::Error(rquickjs::Error::Allocation) => {
            ("out of memory".to_string(), String::new())
        }
        CaughtError::Error(e) => (e.to_string(), String::new()),
    };
    let message = if message == "interrupted" {
        timeout_message(limits.time)
    } else if is_memory_exhaustion(&message) {
        memory_message(limits.memory_bytes)
    } else {
        message
    };
    ScriptError {
        phase: phase.as_str().into(),
        message,
        line: line_of(phase, &stack),
        name,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn limits(time_ms: u64, memory_mb: usize) -> ScriptLimits {
        ScriptLimits {
            time: Duration::from_millis(time_ms),
            memory_bytes: memory_mb * 1024 * 1024,
            ..ScriptLimits::default()
        }
    }

    /// Runs `source` as a test script on a 200 response and returns its outcome.
    fn run(host: &mut ScriptHost, source: &str) -> ScriptOutcome {
        test_outcome(host, source, 200, "OK", "{}")
    }

    /// `source`'s outcome as a test script on a JSON response with `code`, `status` and `body`.
    pub(crate) fn test_outcome(
        host: &mut ScriptHost,
        source: &str,
        code: u16,
        status: &str,
        body: &str,
    ) -> ScriptOutcome {
        let response = ScriptResponse {
            code,
            status: status.into(),
            header_block: "Content-Type:application/json".into(),
            response_time: 1.0,
            response_size: body.len() as u64,
        };
        let input = ScriptInput {
            run: 0,
            phase: Phase::Test,
            source,
            request_json: r#"{"name":"r","method":"GET","url":"http://127.0.0.1/","headers":[],"body":null}"#,
            context_json: r#"{"iterationCount":1,"requestId":"","data":{}}"#,
            iteration: 0,
            response: Some(&response),
            body,
        };
        match host.run(&input, &Variables::default()) {
            Step::Done(outcome, _) => outcome,
            Step::Waiting { .. } => panic!("the script waits"),
        }
    }

    const CLEAN: &str = "pm.test('clean', () => { pm.expect(typeof leaked).to.equal('undefined'); \
                         pm.expect([1]).to.have.lengthOf(1); pm.expect({a: 1}).to.deep.equal({a: 1}); });";

    fn assert_clean(host: &mut ScriptHost) {
        let next = run(host, CLEAN);
        assert_eq!(next.error, None);
        let names: Vec<_> = next.tests.iter().map(|t| (&t.name[..], t.passed)).collect();
        assert_eq!(names, [("clean", true)], "{next:?}");
    }

    fn assert_timed_out(outcome: &ScriptOutcome) {
        let error = outcome.error.as_ref().expect("a script error");
        assert_eq!(
            error.message, "timed out after 200ms (the script time limit)",
            "{outcome:?}"
        );
    }

    #[test]
    fn legacy_names_are_found_as_variables_and_not_as_properties() {
        let names = |source: &str| -> Vec<&str> {
            let mask = legacy_names(source);
            (0..LEGACY_NAMES.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| LEGACY_NAMES[i])
                .collect()
        };
        let fast = "pm.test('status is 200', () => pm.response.to.have.status(200));\n\
                    pm.test('id', () => pm.expect(pm.response.json().user.id).to.equal(42));";
        assert!(names(fast).is_empty());
        assert!(names("pm.request.headers; pm.environment.get('x'); pm.iterationData").is_empty());
        assert!(names("var testsDone = 1; myrequest(); request_id = 2;").is_empty());
        assert_eq!(
            names("tests['a'] = responseCode.code === 200;"),
            ["tests", "responseCode"]
        );
        // Counting a name the script does not use only costs; missing one would break it.
        assert_eq!(names("// the next line.\ntests['x'] = 1;"), ["tests"]);
        assert_eq!(
            names("f(...data); pm.request. environment"),
            ["environment", "data"]
        );
        assert_eq!(names("_.map([1], x => x); atob('eA==')"), ["_", "atob"]);
    }

    #[test]
    fn an_await_loop_fails_its_script_at_the_time_limit_and_the_next_runs_clean() {
        let mut host = ScriptHost::new(limits(200, 64)).unwrap();
        let started = Instant::now();
        let outcome = run(
            &mut host,
            "pm.test('before', () => {}); (async () => { while (true) { await null; } })();",
        );
        assert_timed_out(&outcome);
        assert_eq!(outcome.tests.len(), 1, "the test that ran is kept");
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_clean(&mut host);
    }

    #[test]
    fn an_endless_promise_chain_fails_its_script_at_the_time_limit_and_the_next_runs_clean() {
        let mut host = ScriptHost::new(limits(200, 64)).unwrap();
        // Each job queues the next and nothing is kept, so only the time limit ends it (a chain
        // whose promises resolve to the next one keeps them all, and may fill the memory first).
        let outcome = run(&mut host, "f = () => { Promise.resolve().then(f); }; f();");
        assert_timed_out(&outcome);
        assert_clean(&mut host);
        // Each job queues two: the queue cannot be emptied (it fills the memory first, or
        // outlives the time limit), so the runtime is replaced.
        let outcome = run(
            &mut host,
            "f = () => { Promise.resolve().then(f); Promise.resolve().then(f); }; f();",
        );
        let message = &outcome.error.as_ref().expect("a script error").message;
        assert!(
            message.starts_with("timed out") || message.starts_with("ran out of memory"),
            "{message}"
        );
        assert_clean(&mut host);
    }

    #[test]
    fn jobs_and_globals_of_a_timed_out_script_do_not_reach_the_next() {
        let mut host = ScriptHost::new(limits(200, 64)).unwrap();
        let outcome = run(
            &mut host,
            "Promise.resolve().then(() => pm.test('leaked', () => {})); leaked = 1; while (true) {}",
        );
        assert_timed_out(&outcome);
        assert_clean(&mut host);
    }

    #[test]
    fn running_out_of_memory_fails_its_script_and_the_next_runs_clean() {
        // The script keeps what it allocated where the prelude does not clean up, so that a
        // runtime that is not rebuilt fails the next script too. QuickJS reports the failure
        // as its error, or as a thrown null: out of the script, out of pm.test, or out of the
        // prelude writing the results.
        for script in [
            "keep(() => new Array(100000).fill('x'));",
            "keep(() => ({a: [1, 2]}));",
            "pm.test('fills', () => keep(() => ({a: [1, 2]})));",
        ] {
            let mut host = ScriptHost::new(limits(5000, 16)).unwrap();
            let source = format!(
                "Object.defineProperty(globalThis, 'big', {{value: []}}); \
                 function keep(make) {{ while (true) big.push(make()); }} {script}"
            );
            let outcome = run(&mut host, &source);
            let error = outcome.error.as_ref().expect("a script error");
            assert_eq!(
                error.message, "ran out of memory (the script memory limit is 16 MiB)",
                "{script}"
            );
            assert_clean(&mut host);
        }
    }

    #[test]
    fn object_prototype_pollution_breaks_neither_the_results_nor_the_libraries_of_later_scripts() {
        for pollution in [
            "Object.prototype.foo = 1;",
            "Object.defineProperty(Object.prototype, 'get', {value: 5, writable: true, configurable: true});",
            "Object.prototype.set = 5;",
            "Object.prototype.toJSON = function () { return 1; }; Array.prototype.toJSON = function () { return 2; };",
            "Object.prototype.toString = function () { return 'x'; }; Object.prototype.hasOwnProperty = function () { return true; };",
            "Object.prototype.error = 'inherited'; JSON.stringify = () => 1; JSON.parse = () => 2;",
        ] {
            let mut host = ScriptHost::new(limits(5000, 64)).unwrap();
            let outcome = run(&mut host, pollution);
            assert_eq!(outcome.error, None, "{pollution}");
            let next = run(
                &mut host,
                "pm.test('status', () => pm.response.to.have.status(200)); \
                 pm.test('sdk', () => pm.expect(pm.response.headers.get('Content-Type')).to.equal('application/json')); \
                 pm.test('fails', () => pm.expect(1).to.equal(2));",
            );
            assert_eq!(next.error, None, "{pollution}");
            let tests: Vec<_> = next
                .tests
                .iter()
                .map(|t| (&t.name[..], t.passed, t.error.as_deref()))
                .collect();
            assert_eq!(
                tests,
                [
                    ("status", true, None),
                    ("sdk", true, None),
                    ("fails", false, Some("expected 1 to equal 2"))
                ],
                "{pollution}"
            );
        }
    }
}
