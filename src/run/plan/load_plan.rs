//! A run file checked into a [`LoadPlan`], ready to start: its pacing, its requests prepared
//! (or its flow), its limits, thresholds, scripts and recording policy. Every error names the
//! field.

use super::super::segment::Segment;
use super::super::threshold::Threshold;
use super::fields::{err, in_flight, record_policy, seconds, send_window, start_at};
use super::flow::{self, FlowPlan};
use super::mode::{Mode, SendWindow};
use super::spec::{LoadConfigSpec, RunSpec};
use super::{executor, shortcuts};
use crate::flow::FlowOptions;
use crate::model::duration::duration_from_json;
use crate::model::{PreparedRequest, RequestSpec, ValidationError};
use crate::script::{new_run, PreRequest, ResponseTest, Variables};
use crate::store::ResultPolicy;
use std::sync::Arc;
use std::time::Duration;

pub(super) const DEFAULT_GRACEFUL_STOP: Duration = Duration::from_secs(5);

/// A validated run, ready to start.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub mode: Mode,
    pub requests: Vec<Arc<PreparedRequest>>,
    /// Open model: sends beyond this many in flight are dropped (counted), never delayed.
    pub max_in_flight: u64,
    pub graceful_stop: Duration,
    /// Open model: how sends are timed to windows.
    pub send_window: SendWindow,
    /// This engine's part of a plan split over engines; its counts are already this part's.
    pub segment: Option<Arc<Segment>>,
    /// When the run starts, as ms since the Unix epoch, if not at once.
    pub start_at_ms: Option<u64>,
    pub thresholds: Vec<Threshold>,
    /// Test scripts by request index, when any request has one.
    pub tests: Option<Arc<Vec<Option<ResponseTest>>>>,
    /// Pre-request scripts by request index, when any request has one: each send of such a
    /// request runs its script and sends what it leaves.
    pub pre_requests: Option<Arc<Vec<Option<PreRequest>>>>,
    /// The run's environment; each worker's test scripts work on their own copy.
    pub variables: Variables,
    /// The run's scripts have runtimes of their own (`script::new_run`).
    pub script_run: u64,
    /// Which results are recorded, when the run has a database; `None` records none.
    pub record: Option<ResultPolicy>,
    /// The journey virtual users run; `None`: requests are paced one by one.
    pub flow: Option<Arc<FlowPlan>>,
}

impl LoadPlan {
    /// Requests a request run sends (`None` for flows: see `iterations_expected`, or when the
    /// run goes for a duration).
    pub fn requests_expected(&self) -> Option<u64> {
        self.flow.is_none().then(|| self.planned()).flatten()
    }

    /// Iterations a flow run starts, when the plan says.
    pub fn iterations_expected(&self) -> Option<u64> {
        self.flow.is_some().then(|| self.planned()).flatten()
    }

    /// The units (requests, or a flow's iterations) the mode plans, if it counts them.
    fn planned(&self) -> Option<u64> {
        self.mode.planned()
    }

    /// How long sending lasts (`None`: until the iterations are done).
    pub fn duration(&self) -> Option<Duration> {
        match &self.mode {
            Mode::Open(schedule) => Some(schedule.duration()),
            Mode::Closed { duration, .. } => Some(*duration),
            Mode::Iterations { limit, .. } | Mode::PerUserIterations { limit, .. } => *limit,
            Mode::RampingUsers { stages, .. } => Some(stages.iter().map(|(d, _)| *d).sum()),
        }
    }

    /// Whether sends follow a clock (the open model): latency is then corrected.
    pub fn is_open(&self) -> bool {
        matches!(self.mode, Mode::Open(_))
    }

    /// The average target rate of an open-model run.
    pub fn target_rps(&self) -> Option<f64> {
        match &self.mode {
            Mode::Open(schedule) => {
                Some(schedule.expected() as f64 / schedule.duration().as_secs_f64())
            }
            _ => None,
        }
    }

    pub fn mode_name(&self) -> &'static str {
        match self.mode {
            Mode::Open(_) => "open",
            Mode::Closed { .. } | Mode::RampingUsers { .. } => "closed",
            Mode::Iterations { .. } | Mode::PerUserIterations { .. } => "iterations",
        }
    }

    /// The k6 executor the run's pacing is.
    pub fn executor_name(&self) -> &'static str {
        match &self.mode {
            Mode::Open(schedule) if schedule.is_constant() => "constant-arrival-rate",
            Mode::Open(_) => "ramping-arrival-rate",
            Mode::Closed { .. } => "constant-vus",
            Mode::RampingUsers { .. } => "ramping-vus",
            Mode::Iterations { .. } => "shared-iterations",
            Mode::PerUserIterations { .. } => "per-vu-iterations",
        }
    }
}

/// Test and pre-request scripts by request index, each `None` when no request has one.
type RequestScripts = (
    Option<Arc<Vec<Option<ResponseTest>>>>,
    Option<Arc<Vec<Option<PreRequest>>>>,
);

impl RunSpec {
    /// Checks the whole run. `max_in_flight_default` is what the engine can hold (workers ×
    /// per-worker cap).
    pub fn prepare(&self, max_in_flight_default: u64) -> Result<LoadPlan, ValidationError> {
        let c = &self.config;
        let (mode, max_users) = pacing(c)?;
        let segment = segment(c)?;
        let start_at_ms = c
            .start_at
            .as_deref()
            .map(|at| start_at(at).map_err(|m| err("config.startAt", m)))
            .transpose()?;
        let (mode, max_users) = match &segment {
            Some(s) => (mode.segmented(s), max_users.map(|m| s.share(m).max(1))),
            None => (mode, max_users),
        };
        let users_only = matches!(
            mode,
            Mode::RampingUsers { .. } | Mode::PerUserIterations { .. }
        );
        let specs = self.sent_specs(users_only)?;
        let variables = self.environment()?;
        let timeout = timeout(c)?;
        let requests = self.prepared_requests(&specs, &variables, timeout)?;
        let max_in_flight = max_in_flight(c, &mode, segment.as_deref(), max_users)?
            .unwrap_or(max_in_flight_default);
        let (variables, flow) = self.flow_plan(users_only, &mode, timeout, variables)?;
        let graceful_stop = c
            .graceful_stop
            .as_ref()
            .map(|g| seconds("config.gracefulStop", g))
            .transpose()?
            .unwrap_or(DEFAULT_GRACEFUL_STOP);
        let send_window = send_window(c.send_window.as_ref(), &mode)?;
        let thresholds = thresholds(c, flow.as_deref())?;
        let (tests, pre_requests) = request_scripts(&specs, &variables, timeout);
        Ok(LoadPlan {
            record: record_policy(c.record.as_ref())?,
            mode,
            requests,
            max_in_flight,
            graceful_stop,
            send_window,
            segment,
            start_at_ms,
            thresholds,
            tests,
            pre_requests,
            variables,
            script_run: new_run(),
            flow,
        })
    }

    /// The requests a request run sends (none for a flow, or under a users executor, which
    /// runs its one request as a flow); what the file gives that contradicts itself is refused.
    fn sent_specs(&self, users_only: bool) -> Result<Vec<&RequestSpec>, ValidationError> {
        let specs = match (&self.flow, &self.request, &self.requests) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(err(
                    "flow",
                    "give `flow` or `request` / `requests`, not both",
                ))
            }
            (Some(_), None, None) => Vec::new(),
            (None, Some(_), Some(_)) => {
                return Err(err("requests", "give `request` or `requests`, not both"))
            }
            (None, None, None) => {
                return Err(err(
                    "request",
                    "the run has no request; add `request`, a list `requests` or a `flow`",
                ))
            }
            (None, None, Some(list)) if list.is_empty() => {
                return Err(err("requests", "the list is empty; add a request"))
            }
            (None, None, Some(_)) if users_only => {
                return Err(err(
                    "requests",
                    format!("executor \"{}\" runs a flow: list the requests as `flow` steps (each iteration runs them all in order)", self.config.executor.as_deref().unwrap_or_default()),
                ))
            }
            _ if users_only => Vec::new(),
            _ => self.request_specs(),
        };
        if self.data.is_some() && self.flow.is_none() {
            return Err(err(
                "data",
                "iteration data is for a `flow`; a request reads variables from `environment`",
            ));
        }
        Ok(specs)
    }

    fn environment(&self) -> Result<Variables, ValidationError> {
        match &self.environment {
            None => Ok(Variables::default()),
            Some(serde_json::Value::Object(map)) => Ok(Variables::with_environment(map.clone())),
            Some(_) => Err(err(
                "environment",
                "must be an object of variables: {\"name\": \"value\"}",
            )),
        }
    }

    /// Each request with the environment substituted, validated, with the run's timeout.
    fn prepared_requests(
        &self,
        specs: &[&RequestSpec],
        variables: &Variables,
        timeout: Option<Duration>,
    ) -> Result<Vec<Arc<PreparedRequest>>, ValidationError> {
        let mut requests = Vec::with_capacity(specs.len());
        // Prepared once for every send: a dynamic variable ({{$guid}}) gets one value, from a
        // script runtime made only if one is named.
        let run = crate::script::new_run();
        let limits = crate::script::ScriptLimits::default();
        let mut dynamic = |name: &str| crate::script::dynamic_variable(run, limits, name);
        for (i, spec) in specs.iter().enumerate() {
            let field = |e: ValidationError| {
                let base = if self.request.is_some() {
                    "request".to_string()
                } else {
                    format!("requests[{i}]")
                };
                err(
                    &if e.field.is_empty() {
                        base.clone()
                    } else {
                        format!("{base}.{}", e.field)
                    },
                    e.message,
                )
            };
            let (substituted, _) = variables.apply_with(spec, &mut dynamic);
            let prepared = substituted.prepare().map_err(field);
            let Ok(mut prepared) = prepared else {
                crate::script::end_run(run);
                return prepared.map(|_| Vec::new());
            };
            if let Some(t) = timeout {
                prepared.timeout = (!t.is_zero()).then_some(t);
            }
            requests.push(Arc::new(prepared));
        }
        crate::script::end_run(run);
        Ok(requests)
    }

    /// The journey of a flow run (or a users executor's one request as a one-step flow), and
    /// the variables with its collection's.
    fn flow_plan(
        &self,
        users_only: bool,
        mode: &Mode,
        timeout: Option<Duration>,
        variables: Variables,
    ) -> Result<(Variables, Option<Arc<FlowPlan>>), ValidationError> {
        let (steps, collection_variables) = match (&self.flow, users_only) {
            (Some(flow), _) => flow::flow_steps(flow)?,
            (None, true) => {
                let request = self
                    .request
                    .clone()
                    .ok_or_else(|| err("request", "the run has no request"))?;
                let name = request.name.clone().unwrap_or_else(|| "request".into());
                (
                    vec![flow::request_step(request, name, Duration::ZERO)],
                    Default::default(),
                )
            }
            (None, false) => return Ok((variables, None)),
        };
        let names = flow::step_names(&steps);
        let options = FlowOptions {
            // What scripts see as `pm.info.iterationCount`; 0 for a duration.
            iterations: mode.planned().unwrap_or(0),
            request_timeout: timeout,
            ..FlowOptions::default()
        };
        let plan = FlowPlan {
            steps: Arc::new(steps),
            names,
            options: Arc::new(options),
            data: flow::data_rows(self.data.as_ref())?,
        };
        Ok((
            flow::with_collection_variables(variables, collection_variables),
            Some(Arc::new(plan)),
        ))
    }
}

/// The run's pacing: from `executor` (k6's), or from the shortcuts; with the users an
/// arrival-rate executor may use at most.
fn pacing(c: &LoadConfigSpec) -> Result<(Mode, Option<u64>), ValidationError> {
    match &c.executor {
        Some(name) => {
            let e = executor::executor(c, name)?;
            Ok((e.mode, e.max_users))
        }
        None => {
            executor::refuse_executor_fields(c)?;
            Ok((shortcuts::mode(c)?, None))
        }
    }
}

/// This engine's part of a plan split over several, if it is one.
fn segment(c: &LoadConfigSpec) -> Result<Option<Arc<Segment>>, ValidationError> {
    match (&c.segment, &c.segment_sequence) {
        (Some(segment), sequence) => Ok(Some(Arc::new(
            Segment::parse(segment, sequence.as_deref()).map_err(|m| err("config.segment", m))?,
        ))),
        (None, Some(_)) => Err(err(
            "config.segmentSequence",
            "applies with config.segment (this engine's part)",
        )),
        (None, None) => Ok(None),
    }
}

fn timeout(c: &LoadConfigSpec) -> Result<Option<Duration>, ValidationError> {
    c.timeout
        .as_ref()
        .map(|t| {
            duration_from_json(t, 1.0).map_err(|m| {
                err(
                    "config.timeout",
                    format!("{m} (milliseconds, or a string such as \"5s\")"),
                )
            })
        })
        .transpose()
}

/// `config.maxInFlight` (open model only), else the users an arrival-rate executor may use;
/// `None`: what the engine can hold.
fn max_in_flight(
    c: &LoadConfigSpec,
    mode: &Mode,
    segment: Option<&Segment>,
    max_users: Option<u64>,
) -> Result<Option<u64>, ValidationError> {
    match c.max_in_flight {
        Some(0) => Err(err("config.maxInFlight", "must be at least 1")),
        Some(_) if !matches!(mode, Mode::Open(_)) => Err(err("config.maxInFlight", "applies to open-model runs (targetRps or ramp_up); closed runs are capped by concurrency")),
        Some(n) => Ok(Some(
            in_flight("config.maxInFlight", n)?
                .min(segment.map_or(u64::MAX, |s| s.share(n).max(1))),
        )),
        None => Ok(max_users),
    }
}

fn thresholds(
    c: &LoadConfigSpec,
    flow: Option<&FlowPlan>,
) -> Result<Vec<Threshold>, ValidationError> {
    c.thresholds
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Threshold::parse(t, flow.map(|f| f.names.as_slice()))
                .map_err(|m| err(&format!("config.thresholds[{i}]"), m))
        })
        .collect()
}

/// The requests' test and pre-request scripts (a pre-request script's own sends take the
/// run's timeout).
fn request_scripts(
    specs: &[&RequestSpec],
    variables: &Variables,
    timeout: Option<Duration>,
) -> RequestScripts {
    let tests: Vec<Option<ResponseTest>> = specs
        .iter()
        .map(|spec| ResponseTest::of(spec, variables))
        .collect();
    let tests = tests.iter().any(Option::is_some).then(|| Arc::new(tests));
    let pre_requests: Vec<Option<PreRequest>> = specs
        .iter()
        .map(|spec| {
            PreRequest::of(spec).map(|p| match timeout {
                Some(t) => p.with_timeout((!t.is_zero()).then_some(t)),
                None => p,
            })
        })
        .collect();
    let pre_requests = pre_requests
        .iter()
        .any(Option::is_some)
        .then(|| Arc::new(pre_requests));
    (tests, pre_requests)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(config: serde_json::Value) -> Result<LoadPlan, ValidationError> {
        let spec = serde_json::json!({"request": {"url": "http://127.0.0.1:1/"}, "config": config});
        RunSpec::from_json(&spec.to_string())?.prepare(1000)
    }

    fn field(config: serde_json::Value) -> String {
        plan(config).unwrap_err().field
    }

    #[test]
    fn modes() {
        let p = plan(serde_json::json!({"duration": "3s", "targetRps": 200})).unwrap();
        assert_eq!((p.requests_expected(), p.mode_name()), (Some(600), "open"));
        assert_eq!(p.target_rps(), Some(200.0));
        let p = plan(serde_json::json!({"duration": 10, "concurrency": 8})).unwrap();
        assert_eq!(
            p.mode,
            Mode::Closed {
                concurrency: 8,
                duration: Duration::from_secs(10)
            }
        );
        assert_eq!(p.requests_expected(), None);
        let p =
            plan(serde_json::json!({"mode": "iterations", "iterations": 500, "concurrency": 4}))
                .unwrap();
        assert_eq!(p.requests_expected(), Some(500));
        let p = plan(serde_json::json!({"mode": "ramp_up", "startRps": 10, "stages": [{"duration": "2s", "targetRps": 30}]})).unwrap();
        assert_eq!(p.requests_expected(), Some(40));
        assert_eq!(p.graceful_stop, DEFAULT_GRACEFUL_STOP);
        assert_eq!(p.max_in_flight, 1000);
    }

    #[test]
    fn contradictions_are_refused_naming_the_field() {
        assert_eq!(
            field(serde_json::json!({"duration": "3s"})),
            "config.targetRps"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "3s", "targetRps": 10, "concurrency": 2})),
            "config.concurrency"
        );
        assert_eq!(
            field(serde_json::json!({"targetRps": 10})),
            "config.duration"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "-3s", "targetRps": 10})),
            "config.duration"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "3s", "targetRps": -1})),
            "config.targetRps"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "iterations"})),
            "config.iterations"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "iterations", "iterations": 5, "targetRps": 3})),
            "config.targetRps"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "ramp_up", "duration": "3s", "stages": []})),
            "config.duration"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "ramp_up"})),
            "config.stages"
        );
        assert_eq!(
            field(
                serde_json::json!({"mode": "ramp_up", "stages": [{"duration": "1s", "targetRps": 0}]})
            ),
            "config.stages"
        );
        assert_eq!(
            field(
                serde_json::json!({"mode": "ramp_up", "stages": [{"duration": "0s", "targetRps": 5}]})
            ),
            "config.stages[0].duration"
        );
        assert_eq!(
            field(serde_json::json!({"mode": "sometimes", "duration": "1s"})),
            "config.mode"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "1s", "concurrency": 2, "maxInFlight": 5})),
            "config.maxInFlight"
        );
        assert_eq!(
            field(
                serde_json::json!({"duration": "1s", "targetRps": 5, "thresholds": ["p95<1s", "p95"]})
            ),
            "config.thresholds[1]"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "1s", "targetRps": 5, "startRps": 1})),
            "config.startRps"
        );
        assert_eq!(
            field(serde_json::json!({"duration": "1s", "targetRps": 5, "rate": 1})),
            "config.rate"
        );
    }

    #[test]
    fn requests_are_checked_and_the_timeout_applies_to_all() {
        let spec = serde_json::json!({"requests": [{"url": "http://127.0.0.1:1/"}, {"url": "nope"}], "config": {"duration": 1, "targetRps": 1}});
        let e = RunSpec::from_json(&spec.to_string())
            .unwrap()
            .prepare(10)
            .unwrap_err();
        assert_eq!(e.field, "requests[1].url");
        let spec = serde_json::json!({"requests": [{"url": "http://127.0.0.1:1/", "timeout": 100}], "config": {"duration": 1, "targetRps": 1, "timeout": "2s"}});
        let p = RunSpec::from_json(&spec.to_string())
            .unwrap()
            .prepare(10)
            .unwrap();
        assert_eq!(p.requests[0].timeout, Some(Duration::from_secs(2)));
        let spec = serde_json::json!({"config": {"duration": 1, "targetRps": 1}});
        assert_eq!(
            RunSpec::from_json(&spec.to_string())
                .unwrap()
                .prepare(10)
                .unwrap_err()
                .field,
            "request"
        );
    }
}
