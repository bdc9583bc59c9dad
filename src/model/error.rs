//! Errors a request can end with: invalid input (before anything is sent) and transfer failures.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A request that cannot be sent as written. `field` is the JSON path of the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    /// A deserialisation error, named by the path of the field it is at.
    pub fn at_path<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> ValidationError {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        ValidationError::new(field, e.into_inner().to_string())
    }

    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a transfer produced no response. The set is closed so reports can count by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCategory {
    Dns,
    Connect,
    Timeout,
    Tls,
    Protocol,
    TooManyRedirects,
    InvalidUrl,
    BodyTooLarge,
    Aborted,
}

impl ErrorCategory {
    pub const ALL: [ErrorCategory; 9] = [
        ErrorCategory::Dns,
        ErrorCategory::Connect,
        ErrorCategory::Timeout,
        ErrorCategory::Tls,
        ErrorCategory::Protocol,
        ErrorCategory::TooManyRedirects,
        ErrorCategory::InvalidUrl,
        ErrorCategory::BodyTooLarge,
        ErrorCategory::Aborted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::Dns => "dns",
            ErrorCategory::Connect => "connect",
            ErrorCategory::Timeout => "timeout",
            ErrorCategory::Tls => "tls",
            ErrorCategory::Protocol => "protocol",
            ErrorCategory::TooManyRedirects => "too_many_redirects",
            ErrorCategory::InvalidUrl => "invalid_url",
            ErrorCategory::BodyTooLarge => "body_too_large",
            ErrorCategory::Aborted => "aborted",
        }
    }

    /// Position in [`ErrorCategory::ALL`], for fixed-size per-category counters.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A transfer that failed: its category and libcurl's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{category} error: {message}")]
pub struct TransferError {
    pub category: ErrorCategory,
    pub message: String,
}

impl TransferError {
    pub fn new(category: ErrorCategory, message: impl Into<String>) -> Self {
        TransferError {
            category,
            message: message.into(),
        }
    }
}
