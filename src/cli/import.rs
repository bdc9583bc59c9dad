//! `vayu-cli import` (OpenAPI, HAR, curl or Postman in; a collection or a load run file out)
//! and `vayu-cli export curl` (a collection's or request file's requests as curl commands).

use super::args::{ExportCurlArgs, ImportArgs};
use super::{emit, CliError};
use crate::collection::{
    convert, curl_command, import as import_collection, read_text, run_file, step_command,
    written_body, ConvertOptions, CurlBody, Format, HarOptions, ImportOptions, ImportReport,
    ThinkTime,
};
use crate::flow::{Step, StepBody};
use crate::script::Variables;
use std::io::Read;
use std::process::ExitCode;

pub(super) fn import(args: ImportArgs) -> Result<ExitCode, CliError> {
    if args.output.is_some() && args.flow.is_some() {
        return Err(CliError::Input(
            "give -o (a collection) or --flow (a run file), not both".into(),
        ));
    }
    let text = input_text(&args.file)?;
    let format = args
        .format
        .as_deref()
        .map(Format::parse)
        .transpose()
        .map_err(|e| CliError::Input(format!("--format: {}", e.message)))?;
    let options = ConvertOptions {
        har: HarOptions {
            think_time: ThinkTime::parse(&args.think_time).map_err(CliError::Input)?,
            include_static: args.include_static,
            only_hosts: args.only_host.clone(),
        },
        name: args.name.clone(),
    };
    let imported = convert(&text, format, &options)
        .map_err(|e| CliError::Input(format!("cannot import `{}`: {e}", args.file)))?;
    let (document, target) = match &args.flow {
        Some(path) => (
            run_file(&imported)
                .map_err(|e| CliError::Input(format!("cannot write the run file: {e}")))?,
            Some(path),
        ),
        None => (imported.collection.clone(), args.output.as_ref()),
    };
    let json = serde_json::to_string_pretty(&document).unwrap_or_default() + "\n";
    match target {
        Some(path) => std::fs::write(path, json)
            .map_err(|e| CliError::Input(format!("cannot write `{path}`: {e}")))?,
        None => emit(&json),
    }
    print_report(
        imported.format,
        &imported.report,
        target.map(String::as_str),
    );
    Ok(ExitCode::SUCCESS)
}

/// The file's text, or standard input's for `-`.
fn input_text(file: &str) -> Result<String, CliError> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Input(format!("cannot read standard input: {e}")))?;
        return Ok(text);
    }
    read_text(std::path::Path::new(file)).map_err(CliError::Input)
}

/// What was left out and linked up, on stderr (stdout may be the collection).
fn print_report(format: Format, report: &ImportReport, written: Option<&str>) {
    if let Some(path) = written {
        eprintln!("imported {} into {path}", format.name());
    }
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    for c in &report.correlations {
        eprintln!(
            "correlated: {{{{{}}}}} from `{}` ({}) is sent by {}",
            c.variable,
            c.from,
            c.source,
            c.used_by
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

pub(super) fn export_curl(args: ExportCurlArgs) -> Result<ExitCode, CliError> {
    let text = input_text(&args.file)?;
    if let Some(commands) = request_file_commands(&args.file, &text)? {
        emit(&(commands.join("\n\n") + "\n"));
        return Ok(ExitCode::SUCCESS);
    }
    let imported = convert(&text, None, &ConvertOptions::default())
        .map_err(|e| CliError::Input(format!("cannot read `{}`: {e}", args.file)))?;
    let collection = import_collection(
        &imported.collection,
        &ImportOptions {
            skip_files: true,
            ..ImportOptions::default()
        },
    )
    .map_err(|e| CliError::Input(format!("cannot read `{}`: {e}", args.file)))?;
    let variables = Variables {
        collection: collection.variables.clone(),
        ..Variables::default()
    };
    let chosen: Vec<&Step> = collection
        .steps
        .iter()
        .filter(|s| {
            args.request.is_empty()
                || args
                    .request
                    .iter()
                    .any(|r| *r == s.name || *r == s.full_name())
        })
        .collect();
    if chosen.is_empty() {
        return Err(CliError::Input(format!(
            "no request named {} in `{}`",
            args.request.join(" or "),
            args.file
        )));
    }
    let commands: Vec<String> = chosen
        .into_iter()
        .map(|s| {
            let step = if args.resolve {
                resolved(s, &variables)
            } else {
                s.clone()
            };
            format!("# {}\n{}", step.full_name(), step_command(&step))
        })
        .collect();
    emit(&(commands.join("\n\n") + "\n"));
    Ok(ExitCode::SUCCESS)
}

/// A request file (one request object or a list, as `vayu-cli run` takes) as commands;
/// `None` when the file is something else.
fn request_file_commands(file: &str, text: &str) -> Result<Option<Vec<String>>, CliError> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(None);
    };
    let is_request = |v: &serde_json::Value| {
        v.get("url").is_some() && v.get("item").is_none() && v.get("info").is_none()
    };
    let all = match &value {
        serde_json::Value::Array(list) => !list.is_empty() && list.iter().all(is_request),
        single => is_request(single),
    };
    if !all {
        return Ok(None);
    }
    let specs = super::request_file::load_specs(file)?;
    Ok(Some(
        specs
            .iter()
            .map(|r| {
                let mut headers = r.headers.0.clone();
                let body = written_body(r.body.as_ref(), &mut headers);
                let body = body.as_deref().map_or(CurlBody::None, CurlBody::Raw);
                curl_command(&r.method, &r.url, &headers, body, r.auth.as_ref())
            })
            .collect(),
    ))
}

/// The step with `{{variables}}` filled in where a command shows them.
fn resolved(step: &Step, variables: &Variables) -> Step {
    let sub = |t: &str| variables.substitute(t, &mut Vec::new());
    let mut out = step.clone();
    out.request.url = sub(&out.request.url);
    for h in &mut out.request.headers.0 {
        h.value = sub(&h.value);
    }
    if let Some(serde_json::Value::String(body)) = &out.request.body {
        out.request.body = Some(serde_json::Value::String(sub(body)));
    }
    if let StepBody::UrlEncoded(fields) = &mut out.body {
        for (k, v) in fields.iter_mut() {
            *k = sub(k);
            *v = sub(v);
        }
    }
    out
}
