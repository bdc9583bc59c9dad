//! What the store keeps, as plain types (JSON, camelCase, for the API).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunType {
    Design,
    Load,
    Collection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Pending,
    Running,
    Completed,
    Stopped,
    Failed,
}

impl RunType {
    pub fn as_str(self) -> &'static str {
        match self {
            RunType::Design => "design",
            RunType::Load => "load",
            RunType::Collection => "collection",
        }
    }

    pub fn parse(text: &str) -> Option<RunType> {
        [RunType::Design, RunType::Load, RunType::Collection]
            .into_iter()
            .find(|t| t.as_str() == text)
    }
}

impl RunStatus {
    pub const ALL: [RunStatus; 5] = [
        RunStatus::Pending,
        RunStatus::Running,
        RunStatus::Completed,
        RunStatus::Stopped,
        RunStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Stopped => "stopped",
            RunStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Completed, stopped and failed runs are over: their rows no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RunStatus::Completed | RunStatus::Stopped | RunStatus::Failed
        )
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A run as stored. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub id: String,
    pub request_id: Option<String>,
    pub environment_id: Option<String>,
    #[serde(rename = "type")]
    pub run_type: RunType,
    pub status: RunStatus,
    pub config: serde_json::Value,
    pub start_time: i64,
    pub end_time: Option<i64>,
    /// The final report of a finished run.
    pub summary: Option<serde_json::Value>,
    /// Why a run failed (or what stopped it).
    pub error: Option<String>,
}

/// One sample of a named metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricPoint {
    pub timestamp: i64,
    pub name: String,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<serde_json::Value>,
}

/// One recorded request result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultRow {
    /// Assigned by the database; 0 before insertion.
    #[serde(default)]
    pub id: i64,
    pub run_id: String,
    pub timestamp: i64,
    pub status_code: Option<u16>,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A saved request: the request as written (so `{{variables}}` survive) plus its scripts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedRequest {
    pub id: String,
    pub collection_id: Option<String>,
    pub name: String,
    pub method: String,
    pub url: String,
    pub headers: serde_json::Value,
    pub body: Option<serde_json::Value>,
    pub auth: Option<serde_json::Value>,
    pub pre_request_script: Option<String>,
    pub post_request_script: Option<String>,
    /// Path variables, form or file body, and settings (stored in `requests.extras`).
    #[serde(flatten)]
    pub extras: RequestExtras,
    pub updated_at: i64,
}

/// A saved request's fields beyond V1's columns, as the API reads and writes them: each
/// checked by the API before it is stored (docs/api.md), kept as JSON here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestExtras {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_variables: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_data: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<serde_json::Value>,
    /// `timeout`, `followRedirects`, `maxRedirects`, `followOriginalHttpMethod`, `insecure`,
    /// `httpVersion`, with `RequestSpec`'s meanings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<serde_json::Value>,
}

impl RequestExtras {
    /// The column's text: `None` when there is nothing to keep.
    pub(crate) fn column(&self) -> Option<String> {
        (*self != RequestExtras::default())
            .then(|| serde_json::to_string(self).expect("JSON values always serialise"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    pub id: String,
    pub name: String,
    pub variables: serde_json::Value,
    pub updated_at: i64,
}

/// One page of a longer list, with the total the filter matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// Which runs to list.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub status: Option<RunStatus>,
    pub run_type: Option<RunType>,
    /// Only runs whose run file (config) contains this text, compared case-insensitively (ASCII).
    pub text: Option<String>,
    /// At most this many (default 50, at most 1000).
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}
