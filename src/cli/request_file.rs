//! Reading request files (one request object, or a list of them) and environment files.

use super::CliError;
use crate::collection::{read_text, variable_scope};
use crate::model::{PreparedRequest, RequestSpec, ValidationError};
use crate::script::{Scope, Variables};

/// A request as written (kept for scripts and the record) and as it will be sent.
pub(super) struct LoadedRequest {
    pub spec: RequestSpec,
    pub prepared: PreparedRequest,
}

/// Reads every request in a file, as written.
pub(super) fn load_specs(path: &str) -> Result<Vec<RequestSpec>, CliError> {
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
            RequestSpec::from_json(&item.to_string()).map_err(|mut e| {
                if many {
                    e.field = if e.field.is_empty() {
                        format!("[{i}]")
                    } else {
                        format!("[{i}].{}", e.field)
                    };
                }
                invalid(e)
            })
        })
        .collect()
}

/// Reads every request in a file and validates it after substituting `variables`. Names that
/// did not resolve are added to `unresolved`.
pub(super) fn load(
    path: &str,
    variables: &Variables,
    unresolved: &mut Vec<String>,
) -> Result<Vec<LoadedRequest>, CliError> {
    let specs = load_specs(path)?;
    let many = specs.len() > 1;
    // Postman's dynamic variables ({{$guid}}) come from a script runtime, made only if asked.
    let run = crate::script::new_run();
    let limits = crate::script::ScriptLimits::default();
    let mut dynamic = |name: &str| crate::script::dynamic_variable(run, limits, name);
    let loaded = specs
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let (substituted, missing) = variables.apply_with(&spec, &mut dynamic);
            for name in missing {
                if !unresolved.contains(&name) {
                    unresolved.push(name);
                }
            }
            let prepared = substituted.prepare().map_err(|mut e| {
                if many {
                    e.field = format!("[{i}].{}", e.field);
                }
                CliError::InvalidRequest {
                    file: path.to_string(),
                    error: e,
                }
            })?;
            Ok(LoadedRequest { spec, prepared })
        })
        .collect();
    crate::script::end_run(run);
    loaded
}

/// Reads an environment file: a JSON object of variables, or a Postman environment export
/// (`{"name", "values": [{"key", "value"}]}`, or its bare `values` list), as Newman reads it.
pub(super) fn load_environment(path: Option<&str>) -> Result<Variables, CliError> {
    Ok(Variables::with_environment(load_scope(
        path,
        "environment",
    )?))
}

/// Reads a variable scope file (`kind`: `environment` or `globals`); see
/// [`crate::collection::variable_scope`] for the shapes taken.
pub(super) fn load_scope(path: Option<&str>, kind: &str) -> Result<Scope, CliError> {
    let Some(path) = path else {
        return Ok(Scope::new());
    };
    let bad = |what: String| CliError::Input(format!("{kind} file `{path}`: {what}"));
    let text = read_text(std::path::Path::new(path)).map_err(CliError::Input)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    variable_scope(kind, value).map_err(bad)
}

/// Writes an environment back as a JSON object of variables.
pub(super) fn save_environment(path: &str, environment: &Scope) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(environment).expect("variables always serialise");
    std::fs::write(path, text + "\n")
        .map_err(|e| CliError::Input(format!("cannot write environment file `{path}`: {e}")))
}
