//! The flow executor: a flow is an ordered list of steps (requests with their scripts), run by
//! a virtual user that owns its variable scopes, its iteration data row and its cookie jar.
//! `job.rs` is the user as an engine job; `step.rs` a step and how its request is built;
//! `data.rs` iteration data; `record.rs` what the user reports. Collection runs use one user;
//! nothing here knows about reporters or the CLI.

mod data;
mod digest;
mod job;
mod record;
mod step;
mod url;

pub use data::{json_rows, parse_data};
pub use job::{FlowJob, RUN_TIMED_OUT};
pub use record::{FlowEvent, StepRecord};
pub use step::{BuiltRequest, FormPart, Step, StepBody};
pub(crate) use url::{encode_path, query_part};

use crate::script::{Scope, ScriptLimits};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// How a virtual user runs its flow.
#[derive(Debug, Clone)]
pub struct FlowOptions {
    pub iterations: u64,
    /// Iteration data rows; iteration `i` reads row `i`, or the last row past the end (as
    /// Newman does). Empty: no data.
    pub data: Vec<Scope>,
    /// Wait this long before each step.
    pub delay: Duration,
    /// End the run at the first failure (assertion, script error or request error).
    pub bail: bool,
    pub limits: ScriptLimits,
    /// Overrides every step's own timeout.
    pub request_timeout: Option<Duration>,
    /// Do not verify TLS certificates.
    pub insecure: bool,
    /// Follow no redirects, whatever the steps say.
    pub ignore_redirects: bool,
    /// Set to end the run before its next step (a user's stop).
    pub stop: Option<Arc<AtomicBool>>,
    /// A client certificate and extra CAs for every request (Newman's `--ssl-*` flags).
    pub tls: Option<crate::model::TlsOptions>,
    /// The whole run's time limit (Newman's `--timeout`): past it the request in flight fails
    /// and the run ends.
    pub run_timeout: Option<Duration>,
    /// A cookie jar to start with, in tough-cookie's JSON form (Newman's `--cookie-jar`).
    pub cookie_jar: Option<String>,
    /// Report the jar at the end, in tough-cookie's JSON form (`--export-cookie-jar`).
    pub export_cookie_jar: bool,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            iterations: 1,
            data: Vec::new(),
            delay: Duration::ZERO,
            bail: false,
            limits: ScriptLimits::default(),
            request_timeout: None,
            insecure: false,
            ignore_redirects: false,
            stop: None,
            tls: None,
            run_timeout: None,
            cookie_jar: None,
            export_cookie_jar: false,
        }
    }
}

impl FlowOptions {
    pub fn data_row(&self, iteration: u64) -> Scope {
        let i = (iteration as usize).min(self.data.len().saturating_sub(1));
        self.data.get(i).cloned().unwrap_or_default()
    }
}
