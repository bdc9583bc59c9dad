//! Reading request files: one request object, or a list of them.

use super::CliError;
use crate::model::{PreparedRequest, RequestSpec, ValidationError};

/// A request as written (kept for the record) and as it will be sent.
pub struct LoadedRequest {
    pub spec: RequestSpec,
    pub prepared: PreparedRequest,
}

/// Reads and validates every request in a file.
pub fn load(path: &str) -> Result<Vec<LoadedRequest>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("cannot read request file `{path}`: {e}")))?;
    let invalid = |error: ValidationError| CliError::InvalidRequest {
        file: path.to_string(),
        error,
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| invalid(ValidationError::new("", format!("not valid JSON: {e}"))))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        single => vec![single],
    };
    if items.is_empty() {
        return Err(CliError::Input(format!(
            "request file `{path}` holds an empty list; add a request"
        )));
    }
    let many = items.len() > 1;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = |mut e: ValidationError| {
                if many {
                    e.field = if e.field.is_empty() {
                        format!("[{i}]")
                    } else {
                        format!("[{i}].{}", e.field)
                    };
                }
                e
            };
            let spec = RequestSpec::from_json(&item.to_string()).map_err(|e| invalid(at(e)))?;
            let prepared = spec.prepare().map_err(|e| invalid(at(e)))?;
            Ok(LoadedRequest { spec, prepared })
        })
        .collect()
}
