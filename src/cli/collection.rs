//! `vayu-cli collection run`: a Postman collection run with Newman's flags and reporters.

use super::args::CollectionRunArgs;
use super::{emit, request_file, CliError};
use crate::collection::{
    import, junit_xml, read_text, run_collection, run_options, CliOptions, CliReporter,
    ImportOptions, RunSummary,
};
use crate::engine::{EngineConfig, EventLoop};
use crate::flow::{parse_data, FlowOptions, RUN_TIMED_OUT};
use crate::model::TlsOptions;
use crate::script::{Scope, ScriptLimits};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

const REPORTERS: [&str; 4] = ["cli", "json", "junit", "html"];

pub(super) fn run(args: CollectionRunArgs) -> Result<ExitCode, CliError> {
    let reporters = reporters(&args.reporters)?;
    let collection = load_collection(&args)?;
    let variables = variables(&args)?;
    let data = iteration_data(args.iteration_data.as_deref())?;
    let iterations = args.iteration_count.unwrap_or(if data.is_empty() {
        1
    } else {
        data.len() as u64
    });
    let color = color(&args.color)?;
    // Extra CAs join the system's in a file of the run's own, removed when it ends.
    let ca_bundle = args
        .ssl_extra_ca_certs
        .as_deref()
        .map(super::ca_bundle::CaBundle::with_extra)
        .transpose()?;
    let options = flow_options(&args, iterations, data, &ca_bundle)?;

    let engine = EventLoop::start(EngineConfig {
        workers: 1,
        pin_workers: false,
        ..EngineConfig::default()
    })?;
    let cli = reporters.contains(&"cli");
    if cli {
        emit(&CliReporter::start(&collection));
    }
    let mut reporter = CliReporter::new(
        iterations,
        CliOptions {
            no_summary: args.reporter_cli_no_summary,
            no_failures: args.reporter_cli_no_failures,
            ascii: args.disable_unicode,
            color,
            verbose: args.verbose,
        },
    );
    let summary = run_collection(&engine, &collection, variables, options, |event, _| {
        if cli {
            emit(&reporter.event(event, &collection));
        }
    });
    if cli {
        emit(&reporter.summary(&summary));
    }
    write_reports(&args, &reporters, &summary)?;
    Ok(exit_code(&summary, &args))
}

/// `-r`: the reporters asked for, each one Vayu has.
fn reporters(list: &str) -> Result<Vec<&str>, CliError> {
    let reporters: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    if let Some(unknown) = reporters.iter().find(|r| !REPORTERS.contains(r)) {
        return Err(CliError::Input(format!(
            "reporter `{unknown}` is not known; use one or more of cli, json, junit, html (comma-separated)"
        )));
    }
    Ok(reporters)
}

/// The collection file, read and imported (its files relative to `--working-dir`).
fn load_collection(args: &CollectionRunArgs) -> Result<crate::collection::Collection, CliError> {
    let text = read_text(Path::new(&args.file))
        .map_err(|e| CliError::Input(format!("collection file: {e}")))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CliError::Input(format!(
            "collection file `{}` is not valid JSON: {e}",
            args.file
        ))
    })?;
    let working_dir = match &args.working_dir {
        Some(dir) => dir.into(),
        None => std::env::current_dir()?,
    };
    import(
        &doc,
        &ImportOptions {
            working_dir,
            folders: args.folder.clone(),
            skip_files: false,
            no_insecure_file_read: args.no_insecure_file_read,
        },
    )
    .map_err(|e| CliError::Input(format!("collection `{}`: {e}", args.file)))
}

/// `-e`, `-g`, `--env-var` and `--global-var`: the run's environment and globals.
fn variables(args: &CollectionRunArgs) -> Result<crate::script::Variables, CliError> {
    let mut variables = request_file::load_environment(args.environment.as_deref())?;
    variables.globals = request_file::load_scope(args.globals.as_deref(), "globals")?;
    for (flag, list, scope) in [
        ("--env-var", &args.env_var, &mut variables.environment),
        ("--global-var", &args.global_var, &mut variables.globals),
    ] {
        for pair in list {
            let (k, v) = pair.split_once('=').ok_or_else(|| {
                CliError::Input(format!("{flag} `{pair}`: write it as key=value"))
            })?;
            scope.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        }
    }
    Ok(variables)
}

/// `-d`: the iteration data rows (none without the flag).
fn iteration_data(path: Option<&str>) -> Result<Vec<Scope>, CliError> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let text =
        read_text(Path::new(path)).map_err(|e| CliError::Input(format!("iteration data: {e}")))?;
    parse_data(path, &text).map_err(|e| CliError::Input(format!("iteration data `{path}`: {e}")))
}

/// `--color on|off|auto` (auto: on a terminal, unless `NO_COLOR` is set).
fn color(flag: &str) -> Result<bool, CliError> {
    match flag {
        "on" => Ok(true),
        "off" => Ok(false),
        "auto" => {
            use std::io::IsTerminal;
            Ok(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        }
        other => Err(CliError::Input(format!(
            "--color `{other}`: use on, off or auto"
        ))),
    }
}

/// How the run goes, from Newman's flags.
fn flow_options(
    args: &CollectionRunArgs,
    iterations: u64,
    data: Vec<Scope>,
    ca_bundle: &Option<super::ca_bundle::CaBundle>,
) -> Result<FlowOptions, CliError> {
    let mut limits = ScriptLimits::default();
    if args.timeout_script > 0 {
        limits.time = Duration::from_millis(args.timeout_script);
    }
    let base =
        run_options(Some(iterations), data, Some(args.delay_request), args.bail).map_err(|e| {
            let flag = match e.field.as_str() {
                "iterations" => "--iteration-count",
                _ => "--delay-request",
            };
            CliError::Input(format!("{flag}: {}", e.message))
        })?;
    Ok(FlowOptions {
        limits,
        request_timeout: (args.timeout_request > 0)
            .then(|| Duration::from_millis(args.timeout_request)),
        insecure: args.insecure,
        ignore_redirects: args.ignore_redirects,
        stop: None,
        tls: client_tls(args, ca_bundle)?,
        run_timeout: (args.timeout > 0).then(|| Duration::from_millis(args.timeout)),
        cookie_jar: args.cookie_jar.as_deref().map(read_jar).transpose()?,
        export_cookie_jar: args.export_cookie_jar.is_some(),
        ..base
    })
}

/// The json, html and junit reports, the exported variables and the cookie jar, where the
/// flags say (a report without its path goes to `vayu/<collection>-<time>.<ext>`).
fn write_reports(
    args: &CollectionRunArgs,
    reporters: &[&str],
    summary: &RunSummary,
) -> Result<(), CliError> {
    let stamp = crate::clock::rfc3339(summary.started).replace([':', '.'], "-");
    let default_name =
        |ext: &str| format!("vayu/{}-{stamp}.{ext}", file_safe(&summary.collection.name));
    let reports: [(&str, &Option<String>, &str); 3] = [
        ("json", &args.reporter_json_export, "json"),
        ("html", &args.reporter_html_export, "html"),
        ("junit", &args.reporter_junit_export, "xml"),
    ];
    for (reporter, path, ext) in reports {
        if !reporters.contains(&reporter) {
            continue;
        }
        let path = path.clone().unwrap_or_else(|| default_name(ext));
        let text = match reporter {
            "json" => serde_json::to_string_pretty(&serde_json::json!({ "run": summary }))
                .expect("a summary always serialises"),
            "html" => {
                let run = serde_json::to_value(summary).expect("a summary always serialises");
                crate::ui::html_collection_report(&summary.collection.name, &run)
            }
            _ => junit_xml(summary),
        };
        write_file(&path, &text)?;
    }
    if let Some(path) = &args.export_environment {
        write_file(
            path,
            &postman_scope("environment", &summary.variables.environment),
        )?;
    }
    if let Some(path) = &args.export_globals {
        write_file(path, &postman_scope("globals", &summary.variables.globals))?;
    }
    if let (Some(path), Some(jar)) = (&args.export_cookie_jar, &summary.cookie_jar) {
        write_file(path, jar)?;
    }
    Ok(())
}

/// The client certificate and CA bundle the `--ssl-*` flags name, checked to be readable.
fn client_tls(
    args: &CollectionRunArgs,
    ca_bundle: &Option<super::ca_bundle::CaBundle>,
) -> Result<Option<TlsOptions>, CliError> {
    for (flag, file) in [
        ("--ssl-client-cert", &args.ssl_client_cert),
        ("--ssl-client-key", &args.ssl_client_key),
    ] {
        if let Some(file) = file {
            std::fs::metadata(file)
                .map_err(|e| CliError::Input(format!("{flag} `{file}`: {e}")))?;
        }
    }
    if args.ssl_client_key.is_some() && args.ssl_client_cert.is_none() {
        return Err(CliError::Input(
            "--ssl-client-key needs --ssl-client-cert (the certificate it belongs to)".into(),
        ));
    }
    let tls = TlsOptions {
        client_cert: args.ssl_client_cert.clone(),
        client_key: args.ssl_client_key.clone(),
        key_password: args.ssl_client_passphrase.clone(),
        ca_file: ca_bundle.as_ref().map(|b| b.path().to_string()),
        ..TlsOptions::default()
    };
    Ok((tls != TlsOptions::default()).then_some(tls))
}

/// A `--cookie-jar` file's text, checked to be a tough-cookie jar (an object with `cookies`).
fn read_jar(path: &str) -> Result<String, CliError> {
    let text =
        read_text(Path::new(path)).map_err(|e| CliError::Input(format!("--cookie-jar: {e}")))?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CliError::Input(format!("--cookie-jar `{path}` is not valid JSON: {e}")))?;
    if !doc.get("cookies").is_some_and(serde_json::Value::is_array) {
        return Err(CliError::Input(format!(
            "--cookie-jar `{path}` is not a cookie jar: expected tough-cookie's JSON (an object with a `cookies` list), as --export-cookie-jar writes it"
        )));
    }
    Ok(text)
}

/// Newman's: 1 when anything failed or the run was cut short by `--timeout` (said on
/// stdout), unless `--suppress-exit-code`.
fn exit_code(summary: &RunSummary, args: &CollectionRunArgs) -> ExitCode {
    let timed_out = summary.stopped.as_deref() == Some(RUN_TIMED_OUT);
    if timed_out {
        emit(&format!(
            "error: the run did not finish within --timeout {} ms\n",
            args.timeout
        ));
    }
    if (summary.failed() || timed_out) && !args.suppress_exit_code {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn write_file(path: &str, text: &str) -> Result<(), CliError> {
    let p = std::path::Path::new(path);
    if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Input(format!("cannot create `{}`: {e}", dir.display())))?;
    }
    std::fs::write(p, text).map_err(|e| CliError::Input(format!("cannot write `{path}`: {e}")))
}

/// A variable scope in Postman's export format, as `newman --export-environment` writes it.
fn postman_scope(kind: &str, scope: &Scope) -> String {
    let values: Vec<serde_json::Value> = scope
        .iter()
        .map(|(k, v)| serde_json::json!({"key": k, "value": v, "type": "any", "enabled": true}))
        .collect();
    let doc = serde_json::json!({
        "name": kind,
        "values": values,
        "_postman_variable_scope": kind,
        "_postman_exported_at": crate::clock::rfc3339(crate::clock::now_millis()),
        "_postman_exported_using": format!("vayu-cli/{}", env!("CARGO_PKG_VERSION")),
    });
    serde_json::to_string_pretty(&doc).expect("a scope always serialises") + "\n"
}
