//! Postman-style JavaScript on QuickJS: pre-request and test scripts with the `pm` API.
//!
//! Scripts run on the thread that asks (an engine worker, for load runs and design requests),
//! in that thread's own runtime (`host.rs`). `prelude.js` implements `pm` on the libraries that
//! Postman's sandbox ships (`modules.rs` embeds them); `variables.rs` the variable scopes and
//! `{{name}}` substitution; `runner.rs` the request-level flow.

mod design_job;
mod host;
pub(crate) mod modules;
mod native;
mod outcome;
mod pre_request;
mod reuse;
mod runner;
mod share_scripts;
mod variables;
mod waiting;

pub use host::{new_run, user_run, ScriptLimits, MAX_USERS};
pub use outcome::{
    ConsoleLine, NextRequest, Phase, ScriptContext, ScriptError, ScriptOutcome, ScriptRequest,
    ScriptResponse, TestResult, Visualizer,
};
pub use pre_request::PreRequest;
pub use runner::{ResponseTest, ScriptedRequest, ScriptedResult, Scripts, TestCounts, TestTally};
pub use share_scripts::ShareScripts;
pub use variables::{no_dynamic_variables, DynamicVariables, Scope, Variables};

// What the flow executor (src/flow/) drives scripts with.
pub(crate) use host::{end_run, ScriptInput};
pub(crate) use runner::{
    apply_request_update, cookie_header, dynamic_variable, jar_json, load_jar, run_script,
    script_request, script_response, store_cookies, PhaseStep,
};
pub(crate) use waiting::{Finished, NextSend, Purpose, Waiting, WaitingScripts};
