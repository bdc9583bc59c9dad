//! Imports: every format becomes a Postman Collection v2.1 document first (`openapi/`, `har`,
//! `curl`), so everything downstream (the saved tree, runs, load flows) reads one format
//! through one importer (`postman`). `detect` tells the formats apart when the caller does
//! not say; `run_file` writes an import as a load run's `flow`.

mod curl;
mod curl_item;
mod curl_words;
mod har;
mod har_correlate;
mod openapi;
mod postman;
mod postman_auth;
mod postman_request;
mod run_file;
mod yaml;

pub use har::{HarOptions, ThinkTime};
pub use postman::{import, Collection, ImportError, ImportOptions};
pub(crate) use postman_auth::parse_auth;
pub use postman_request::variable_list;
pub(crate) use postman_request::{events, headers, path_variables, text, url_as_written, url_text};
pub use run_file::run_file;

use serde::Serialize;
use serde_json::Value;
use std::time::Duration;
use yaml::parse_yaml;

/// The formats an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Postman,
    OpenApi,
    Har,
    Curl,
}

impl Format {
    /// A format by the name `--format` and the API's `format` take.
    pub fn parse(name: &str) -> Result<Format, ImportError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "postman" => Format::Postman,
            "openapi" | "swagger" => Format::OpenApi,
            "har" => Format::Har,
            "curl" => Format::Curl,
            other => {
                return Err(ImportError {
                    path: "format".into(),
                    message: format!(
                        "`{other}` is not a format Vayu imports; use openapi, har, curl or postman"
                    ),
                })
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Postman => "postman",
            Format::OpenApi => "openapi",
            Format::Har => "har",
            Format::Curl => "curl",
        }
    }
}

/// What the caller chose besides the format.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    pub har: HarOptions,
    /// The collection's name (default: the document's title, or the file's name).
    pub name: Option<String>,
}

/// What an import made: the collection, and what the user should know about it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub format: Format,
    /// A Postman Collection v2.1 document.
    pub collection: Value,
    /// A pause after each request, in order (HAR recordings: the gaps between entries).
    pub think_times: Vec<Duration>,
    pub report: ImportReport,
}

/// What an import could not carry over as written, and what it linked up.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// One line per thing left out or changed (an unknown curl flag, a skipped HAR entry, an
    /// OpenAPI feature not converted).
    pub notes: Vec<String>,
    /// Values a response gave that a later request sent back, now a variable.
    pub correlations: Vec<Correlation>,
}

/// A value a response gave that later requests sent back: set from the earlier response
/// (`pm.environment.set`) and sent as `{{variable}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Correlation {
    pub variable: String,
    /// The request whose response gives it (its name).
    pub from: String,
    /// Where in that response: `json token`, `header Location`, ...
    pub source: String,
    /// The requests that send it back.
    pub used_by: Vec<String>,
}

/// Reads `text` in `format` (detected when `None`) into a Postman collection.
pub fn convert(
    text: &str,
    format: Option<Format>,
    options: &ConvertOptions,
) -> Result<Imported, ImportError> {
    let format = match format {
        Some(f) => f,
        None => detect(text)?,
    };
    let mut imported = match format {
        Format::Postman => Imported {
            format,
            collection: parse_json(text, "the Postman collection")?,
            think_times: Vec::new(),
            report: ImportReport::default(),
        },
        Format::OpenApi => openapi::convert(&parse_document(text)?)?,
        Format::Har => har::convert(&parse_json(text, "the HAR recording")?, &options.har)?,
        Format::Curl => curl::convert(text)?,
    };
    if let Some(name) = &options.name {
        imported.collection["info"]["name"] = Value::String(name.clone());
    }
    // Checked as a run would check it, so what an import writes always runs.
    import(
        &imported.collection,
        &ImportOptions {
            skip_files: true,
            ..ImportOptions::default()
        },
    )?;
    Ok(imported)
}

/// Which format `text` is in, from its content.
pub fn detect(text: &str) -> Result<Format, ImportError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        if let Ok(doc) = serde_json::from_str::<Value>(trimmed) {
            return Ok(detect_document(&doc).unwrap_or(Format::Postman));
        }
    }
    if curl::looks_like_curl(trimmed) {
        return Ok(Format::Curl);
    }
    if let Ok(doc) = parse_yaml(trimmed) {
        if let Some(format) = detect_document(&doc) {
            return Ok(format);
        }
    }
    Err(ImportError {
        path: "format".into(),
        message: "cannot tell what this is: not a Postman collection, an OpenAPI document (JSON or YAML), a HAR recording or a curl command; give the format (--format / `format`)".into(),
    })
}

fn detect_document(doc: &Value) -> Option<Format> {
    let obj = doc.as_object()?;
    if obj.contains_key("openapi") || obj.contains_key("swagger") {
        Some(Format::OpenApi)
    } else if obj.get("log").and_then(|l| l.get("entries")).is_some() {
        Some(Format::Har)
    } else if obj.contains_key("info") || obj.contains_key("item") {
        Some(Format::Postman)
    } else {
        None
    }
}

fn parse_json(text: &str, what: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| ImportError {
        path: "document".into(),
        message: format!("{what} is not valid JSON: {e}"),
    })
}

/// An OpenAPI document: JSON, or YAML (anchors and merge keys resolved).
fn parse_document(text: &str) -> Result<Value, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('{') {
        return parse_json(text, "the OpenAPI document");
    }
    parse_yaml(text).map_err(|e| ImportError {
        path: "document".into(),
        message: format!("the OpenAPI document is neither JSON nor valid YAML: {e}"),
    })
}
