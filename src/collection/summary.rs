//! A collection run's results as Newman counts them: every step execution, the totals
//! (iterations, requests, scripts, assertions: executed and failed), response times, and the
//! list of failures. Reporters (cli, json, junit) and the daemon read it.

use super::import::Collection;
use crate::flow::{FlowEvent, StepRecord};
use crate::script::{Phase, ScriptOutcome, Variables};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Count {
    pub total: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub iterations: Count,
    pub items: Count,
    pub requests: Count,
    pub test_scripts: Count,
    pub prerequest_scripts: Count,
    pub assertions: Count,
}

/// One thing that failed, with where.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// The error's name, as Newman names it: `AssertionError` (or what a test threw), what a
    /// script threw (`Error`, `TypeError`), `Error` for a request that failed.
    pub kind: String,
    /// The assertion's name; empty for a script or request error.
    pub test: String,
    pub message: String,
    /// Where: `assertion:N in test-script`, `test-script`, `prerequest-script` or `request`.
    pub at: String,
    /// The step's full name (folders / name).
    pub source: String,
    pub iteration: u64,
}

/// One step execution with the step's names, as reporters show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub id: String,
    pub name: String,
    pub full_name: String,
    #[serde(flatten)]
    pub record: StepRecord,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub collection: CollectionInfo,
    pub stats: Stats,
    /// Milliseconds since the Unix epoch.
    pub started: u64,
    pub completed: u64,
    pub response_time: ResponseTimes,
    /// Response body bytes received.
    pub bytes_received: u64,
    pub executions: Vec<Execution>,
    pub failures: Vec<Failure>,
    /// Why the run ended early, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// The variables as the last script left them.
    #[serde(skip)]
    pub variables: Variables,
    /// The cookie jar at the end (tough-cookie's JSON form), when the run asked for it.
    #[serde(skip)]
    pub cookie_jar: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CollectionInfo {
    pub id: String,
    pub name: String,
}

/// Milliseconds over every response.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct ResponseTimes {
    pub average: f64,
    pub min: f64,
    pub max: f64,
    pub sd: f64,
}

impl RunSummary {
    pub fn new(collection: &Collection) -> RunSummary {
        let now = crate::clock::now_millis();
        RunSummary {
            collection: CollectionInfo {
                id: collection.id.clone(),
                name: collection.name.clone(),
            },
            stats: Stats::default(),
            started: now,
            completed: now,
            response_time: ResponseTimes::default(),
            bytes_received: 0,
            executions: Vec::new(),
            failures: Vec::new(),
            stopped: None,
            variables: Variables::default(),
            cookie_jar: None,
        }
    }

    /// Any failure: an assertion, a script, a request (Newman's exit code 1).
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }

    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.completed.saturating_sub(self.started))
    }

    /// Folds one event in.
    pub fn add(&mut self, event: FlowEvent, collection: &Collection) {
        match event {
            FlowEvent::Iteration { .. } => self.stats.iterations.total += 1,
            FlowEvent::Step(record) => self.add_step(*record, collection),
            FlowEvent::Finished {
                variables,
                stopped,
                cookie_jar,
            } => {
                self.variables = *variables;
                self.stopped = stopped;
                self.cookie_jar = cookie_jar;
                self.completed = crate::clock::now_millis();
                self.response_time = response_times(&self.executions);
            }
        }
    }

    fn add_step(&mut self, record: StepRecord, collection: &Collection) {
        let step = &collection.steps[record.step];
        let full_name = step.full_name();
        self.stats.items.total += 1;
        if !record.skipped {
            self.stats.requests.total += 1;
        }
        // In the order they happened, as Newman lists them: pre-request scripts, the request,
        // test scripts.
        let mut failures = Vec::new();
        for (phase, outcomes) in [
            (Phase::PreRequest, &record.pre_request),
            (Phase::Test, &record.test),
        ] {
            if phase == Phase::Test {
                if let Some(error) = &record.error {
                    self.stats.requests.failed += 1;
                    failures.push(Failure {
                        kind: "Error".into(),
                        test: String::new(),
                        message: error.message.clone(),
                        at: "request".into(),
                        source: full_name.clone(),
                        iteration: record.iteration,
                    });
                }
            }
            self.add_outcomes(phase, outcomes, &full_name, record.iteration, &mut failures);
        }
        // Newman counts an iteration failed only when the runtime fails it, never for what its
        // requests, scripts or assertions did: `iterations.failed` stays 0 here too.
        if !failures.is_empty() {
            self.stats.items.failed += 1;
        }
        self.failures.extend(failures);
        if let Some(r) = &record.response {
            self.bytes_received += r.body_size;
        }
        self.executions.push(Execution {
            id: step.id.clone(),
            name: step.name.clone(),
            full_name,
            record,
        });
    }

    /// Counts one phase's scripts and assertions, and lists their failures as Newman does.
    fn add_outcomes(
        &mut self,
        phase: Phase,
        outcomes: &[ScriptOutcome],
        source: &str,
        iteration: u64,
        failures: &mut Vec<Failure>,
    ) {
        let (count, at) = match phase {
            Phase::PreRequest => (&mut self.stats.prerequest_scripts, "prerequest-script"),
            Phase::Test => (&mut self.stats.test_scripts, "test-script"),
        };
        for outcome in outcomes {
            count.total += 1;
            for (i, t) in outcome.tests.iter().enumerate() {
                self.stats.assertions.total += 1;
                if !t.passed && !t.skipped {
                    self.stats.assertions.failed += 1;
                    failures.push(Failure {
                        kind: t
                            .error_name
                            .clone()
                            .unwrap_or_else(|| "AssertionError".into()),
                        test: t.name.clone(),
                        message: t.error.clone().unwrap_or_default(),
                        // Newman counts a script's assertions from 0.
                        at: format!("assertion:{i} in {at}"),
                        source: source.to_string(),
                        iteration,
                    });
                }
            }
            if let Some(e) = &outcome.error {
                count.failed += 1;
                // Newman names a script error by what was thrown and has no test for it.
                let kind = e.name.clone().unwrap_or_else(|| "Error".into());
                let message = e
                    .message
                    .strip_prefix(&format!("{kind}: "))
                    .unwrap_or(&e.message);
                failures.push(Failure {
                    kind,
                    test: String::new(),
                    message: message.to_string(),
                    at: at.into(),
                    source: source.to_string(),
                    iteration,
                });
            }
        }
    }
}

fn response_times(executions: &[Execution]) -> ResponseTimes {
    let times: Vec<f64> = executions
        .iter()
        .filter_map(|e| e.record.response.as_ref())
        .map(|r| r.timings.total as f64 / 1000.0)
        .collect();
    if times.is_empty() {
        return ResponseTimes::default();
    }
    let n = times.len() as f64;
    let average = times.iter().sum::<f64>() / n;
    let variance = times.iter().map(|t| (t - average).powi(2)).sum::<f64>() / n;
    ResponseTimes {
        average,
        min: times.iter().copied().fold(f64::INFINITY, f64::min),
        max: times.iter().copied().fold(0.0, f64::max),
        sd: variance.sqrt(),
    }
}
