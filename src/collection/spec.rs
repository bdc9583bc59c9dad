//! A collection run as `POST /run` takes it: deserialised once, unknown fields refused, each
//! bounded field checked; its run options are what `vayu-cli collection run`'s flags of the
//! same names come to (`run_options`, shared by both).

use crate::flow::{parse_data, FlowOptions};
use crate::model::ValidationError;
use crate::script::Scope;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// The most iterations one collection run may ask for.
pub(super) const MAX_ITERATIONS: u64 = 1_000_000;
/// The longest `delayRequest` (Newman's `--delay-request`), in milliseconds: ten minutes.
pub(super) const MAX_DELAY_MS: u64 = 600_000;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionRunSpec {
    /// A Postman collection, inline.
    #[serde(default)]
    pub collection: Option<serde_json::Map<String, Value>>,
    /// A saved collection's id.
    #[serde(default)]
    pub collection_id: Option<String>,
    #[serde(default)]
    pub environment: Option<Scope>,
    #[serde(default)]
    pub environment_id: Option<String>,
    #[serde(default)]
    pub globals: Option<Scope>,
    /// Default: one per data row, or 1.
    #[serde(default)]
    pub iterations: Option<u64>,
    /// Iteration data: rows, or a data file's text.
    #[serde(default)]
    pub data: Option<IterationData>,
    /// A folder's name or id, or a list of them (`--folder`).
    #[serde(default)]
    pub folder: Option<Folders>,
    #[serde(default)]
    pub bail: bool,
    /// Milliseconds before each request (`--delay-request`).
    #[serde(default)]
    pub delay_request: Option<u64>,
}

/// Iteration data as a body gives it: the rows, or the text of a data file (a JSON list of
/// rows, or CSV whose first line names the columns), read as `vayu-cli collection run -d` reads
/// one, so a browser can send the file it was given as it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum IterationData {
    Rows(Vec<Scope>),
    File(String),
}

impl IterationData {
    fn rows(&self) -> Result<Vec<Scope>, ValidationError> {
        match self {
            IterationData::Rows(rows) => Ok(rows.clone()),
            IterationData::File(text) => parse_data("", text)
                .map_err(|e| ValidationError::new("data", format!("read as a data file: {e}"))),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Folders {
    One(String),
    Many(Vec<String>),
}

impl CollectionRunSpec {
    pub fn from_value(value: Value) -> Result<CollectionRunSpec, ValidationError> {
        serde_path_to_error::deserialize(value).map_err(ValidationError::at_path)
    }

    /// The folders the run is limited to (none: the whole collection).
    pub fn folders(&self) -> Vec<String> {
        match &self.folder {
            None => Vec::new(),
            Some(Folders::One(name)) => vec![name.clone()],
            Some(Folders::Many(names)) => names.clone(),
        }
    }

    /// The options the run's fields set, checked.
    pub fn run_options(&self) -> Result<FlowOptions, ValidationError> {
        let data = match &self.data {
            Some(data) => data.rows()?,
            None => Vec::new(),
        };
        run_options(self.iterations, data, self.delay_request, self.bail)
    }
}

/// A collection run's options from Newman's iteration count, data rows, delay (ms) and bail,
/// bounded: what `POST /run` and `vayu-cli collection run` both start from.
pub fn run_options(
    iterations: Option<u64>,
    data: Vec<Scope>,
    delay_ms: Option<u64>,
    bail: bool,
) -> Result<FlowOptions, ValidationError> {
    let iterations = match iterations {
        None => data.len().max(1) as u64,
        Some(n) if (1..=MAX_ITERATIONS).contains(&n) => n,
        Some(_) => {
            return Err(ValidationError::new(
                "iterations",
                format!("must be a whole number from 1 to {MAX_ITERATIONS}"),
            ))
        }
    };
    let delay = delay_ms.unwrap_or(0);
    if delay > MAX_DELAY_MS {
        return Err(ValidationError::new(
            "delayRequest",
            format!("must be milliseconds from 0 to {MAX_DELAY_MS}"),
        ));
    }
    Ok(FlowOptions {
        iterations,
        data,
        delay: Duration::from_millis(delay),
        bail,
        ..FlowOptions::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_and_mistyped_fields_are_refused_naming_them() {
        let e = CollectionRunSpec::from_value(json!({"collectionId": "c", "iteration": 2}))
            .unwrap_err();
        assert!(e.message.contains("unknown field `iteration`"), "{e:?}");
        let e = CollectionRunSpec::from_value(json!({"bail": "yes"})).unwrap_err();
        assert_eq!(e.field, "bail");
        let e = CollectionRunSpec::from_value(json!({"folder": 3})).unwrap_err();
        assert_eq!(e.field, "folder");
    }

    #[test]
    fn data_may_be_a_data_files_text() {
        let spec = CollectionRunSpec::from_value(
            json!({"collectionId": "c", "data": "user,n\nada,1\n\"grace, h\",2\n"}),
        )
        .unwrap();
        let options = spec.run_options().unwrap();
        assert_eq!(options.iterations, 2);
        assert_eq!(options.data[1]["user"], json!("grace, h"));
        assert_eq!(options.data[1]["n"], json!(2));
        let spec = CollectionRunSpec::from_value(json!({"data": "[{\"a\": 1}]"})).unwrap();
        assert_eq!(spec.run_options().unwrap().data[0]["a"], json!(1));
        let spec = CollectionRunSpec::from_value(json!({"data": "[{\"a\": 1"})).unwrap();
        let e = spec.run_options().unwrap_err();
        assert_eq!(e.field, "data");
        assert!(e.message.contains("not valid JSON"), "{e:?}");
    }

    #[test]
    fn iterations_default_to_the_data_rows_and_are_bounded() {
        let spec = CollectionRunSpec::from_value(
            json!({"collectionId": "c", "data": [{"a": 1}, {"a": 2}], "folder": "F"}),
        )
        .unwrap();
        assert_eq!(spec.run_options().unwrap().iterations, 2);
        assert_eq!(spec.folders(), ["F"]);
        for (iterations, delay, field) in [
            (Some(0), None, "iterations"),
            (Some(MAX_ITERATIONS + 1), None, "iterations"),
            (None, Some(MAX_DELAY_MS + 1), "delayRequest"),
        ] {
            let e = run_options(iterations, Vec::new(), delay, false).unwrap_err();
            assert_eq!(e.field, field);
        }
        let o = run_options(Some(MAX_ITERATIONS), Vec::new(), Some(MAX_DELAY_MS), true).unwrap();
        assert_eq!(
            (o.iterations, o.delay.as_millis(), o.bail),
            (MAX_ITERATIONS, 600_000, true)
        );
    }
}
