//! API errors: a status and `{"error": {"code", "message", "field"?}}`.

use crate::model::ValidationError;
use crate::store::StoreError;
use serde_json::json;

#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// For 405: the methods the path takes.
    pub allow: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            allow: None,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "bad_request", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(404, "not_found", message)
    }

    /// 404 for a stored thing looked up by id: "run `run_1` does not exist".
    pub(crate) fn missing(kind: &str, id: &str) -> ApiError {
        ApiError::not_found(format!("{kind} `{id}` does not exist"))
    }

    pub(crate) fn too_large() -> ApiError {
        let mib = super::security::MAX_BODY / (1024 * 1024);
        ApiError::new(
            413,
            "too_large",
            format!("request bodies are limited to {mib} MiB"),
        )
    }

    pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(409, "conflict", message)
    }

    /// 422: a field of a well-formed body is wrong.
    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            field: Some(field.into()),
            ..ApiError::new(422, "invalid", message)
        }
    }

    pub(crate) fn invalid(e: ValidationError, prefix: &str) -> ApiError {
        let field = if e.field.is_empty() {
            prefix.trim_end_matches('.').to_string()
        } else {
            format!("{prefix}{}", e.field)
        };
        ApiError {
            field: (!field.is_empty()).then_some(field),
            ..ApiError::new(422, "invalid", e.message)
        }
    }

    pub(crate) fn body(&self) -> serde_json::Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(field) = &self.field {
            error["field"] = json!(field);
        }
        json!({ "error": error })
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound { .. } => ApiError::not_found(e.to_string()),
            StoreError::Conflict(m) => ApiError::conflict(m),
            StoreError::Unwritable(m) => ApiError::new(503, "store_unavailable", m),
            other => ApiError::new(500, "store", other.to_string()),
        }
    }
}
