//! What a script run produces, and the context it is given.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    PreRequest,
    Test,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::PreRequest => "pre-request",
            Phase::Test => "test",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    #[serde(default)]
    pub skipped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A failed test's error's name (`AssertionError`, `TypeError`, ...), as Newman reports it.
    #[serde(default, rename = "errorName", skip_serializing_if = "Option::is_none")]
    pub error_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleLine {
    pub level: String,
    pub message: String,
    /// The arguments as Newman's cli reporter shows them (Node's `util.inspect` of each,
    /// joined by `, `); only that reporter reads it.
    #[serde(default, skip_serializing)]
    pub shown: String,
    /// The tests the script had recorded when it logged this, to print both in order.
    #[serde(default, skip_serializing)]
    pub at: usize,
}

/// A script that could not run to its end: it did not parse, threw, or broke a limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{phase} script error{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
pub struct ScriptError {
    pub phase: String,
    pub message: String,
    /// The thrown error's name (`Error`, `TypeError`) when the script threw one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The request as a script sees and may change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptRequest {
    pub name: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// `None` also when a script removed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<crate::model::AuthSpec>,
    /// A collection request's description (the legacy `request.description`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// A form body's fields (urlencoded or multipart text fields), which the legacy
    /// `request.data` lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form: Vec<(String, String)>,
}

impl ScriptRequest {
    /// How the script receives it. Only strings inside, so serializing cannot fail.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptResponse {
    pub code: u16,
    pub status: String,
    /// The headers as the script receives them: `name:value`, a line each.
    pub header_block: String,
    /// Milliseconds.
    pub response_time: f64,
    pub response_size: u64,
}

/// Where in a run a script executes: what `pm.info` and `pm.iterationData` report besides the
/// iteration (which changes from response to response and is passed on its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptContext {
    pub iteration_count: u64,
    /// The request's id in its collection (`pm.info.requestId`); empty when it has none.
    pub request_id: String,
    /// This iteration's data row (`pm.iterationData`).
    pub data: super::variables::Scope,
}

impl Default for ScriptContext {
    fn default() -> Self {
        ScriptContext {
            iteration_count: 1,
            request_id: String::new(),
            data: Default::default(),
        }
    }
}

impl ScriptContext {
    /// How the script receives it; parsed there only if the script asks.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Where a script asked the run to go next (`pm.execution.setNextRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NextRequest {
    /// The request with this name.
    Named(String),
    /// `setNextRequest(null)`: end the run after this request.
    EndRun,
}

/// `pm.visualizer.set(template, data, options)`: kept on the result, rendered nowhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visualizer {
    pub template: String,
    #[serde(default)]
    pub data: serde_json::Value,
    #[serde(default)]
    pub options: serde_json::Value,
}

/// Everything one script run produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptOutcome {
    pub tests: Vec<TestResult>,
    pub console: Vec<ConsoleLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ScriptError>,
    /// `pm.execution.skipRequest()` in a pre-request script: the request is not sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_request: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_request: Option<NextRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visualizer: Option<Visualizer>,
}

impl ScriptOutcome {
    pub fn failed_tests(&self) -> usize {
        self.tests
            .iter()
            .filter(|t| !t.passed && !t.skipped)
            .count()
    }
}
