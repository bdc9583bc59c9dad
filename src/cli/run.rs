//! `vayu-cli run`: one request, its full response.

use super::args::RunArgs;
use super::format::{bytes, micros};
use super::remote::Engine;
use super::{emit, request_file, CliError};
use crate::engine::{EngineConfig, EventLoop};
use crate::model::{BodyEncoding, Response};
use crate::recording as record;
use crate::script::{ScriptedRequest, ScriptedResult};
use std::process::ExitCode;

pub(super) fn run(args: RunArgs) -> Result<ExitCode, CliError> {
    let mut specs = request_file::load_specs(&args.file)?;
    if specs.len() != 1 {
        return Err(CliError::Input(format!(
            "request file `{}` holds {} requests; `run` sends one: use `vayu-cli batch` for a list",
            args.file,
            specs.len()
        )));
    }
    if args.save_env && args.env.is_none() {
        return Err(CliError::Input(
            "--save-env needs --env FILE to write to".into(),
        ));
    }
    let variables = request_file::load_environment(args.env.as_deref())?;
    let spec = specs.remove(0);
    let result = match &args.engine {
        Some(url) => send_through(url, &args, &spec, &variables)?,
        None => send_here(&args, spec, variables)?,
    };
    warn_unresolved(&result.unresolved_variables);
    if let Some(invalid) = &result.invalid {
        return Err(CliError::InvalidRequest {
            file: args.file.clone(),
            error: invalid.clone(),
        });
    }
    if let (true, Some(path)) = (args.save_env, &args.env) {
        request_file::save_environment(path, &result.variables.environment)?;
    }
    if args.json {
        let mut out = serde_json::to_value(&result).expect("a result always serialises");
        out["ok"] = serde_json::Value::Bool(
            result.error.is_none() && result.failed_tests() == 0 && result.script_errors() == 0,
        );
        emit(&format!("{out}\n"));
    } else {
        if let Some(response) = &result.response {
            emit(&render(response));
        }
        if result.pre_request.as_ref().is_some_and(|p| p.skip_request) {
            emit("not sent: the pre-request script called pm.execution.skipRequest()\n");
        }
        emit(&render_scripts(&result));
    }
    if let Some(error) = result.error {
        return Err(CliError::Transport(error));
    }
    Ok(if result.failed_tests() > 0 || result.script_errors() > 0 {
        ExitCode::from(EXIT_TESTS_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Variables no scope had are sent as written: said once, on stderr.
fn warn_unresolved(names: &[String]) {
    if names.is_empty() {
        return;
    }
    eprintln!(
        "vayu-cli: warning: unresolved variables sent as written: {}",
        names
            .iter()
            .map(|n| format!("{{{{{n}}}}}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// `--engine URL`: the daemon sends it (`POST /request`) and records it.
fn send_through(
    url: &str,
    args: &RunArgs,
    spec: &crate::model::RequestSpec,
    variables: &crate::script::Variables,
) -> Result<ScriptedResult, CliError> {
    if args.db.is_some() {
        return Err(CliError::Input(
            "--db cannot go with --engine: the engine records in its own database".into(),
        ));
    }
    let body = serde_json::json!({ "request": spec, "environment": variables.environment });
    let answer = Engine::new(url).call("POST", "/request", Some(&body))?;
    serde_json::from_value(answer)
        .map_err(|e| CliError::Input(format!("the engine's answer could not be read: {e}")))
}

/// Sent by an engine of one worker in this process; recorded with `--db`.
fn send_here(
    args: &RunArgs,
    spec: crate::model::RequestSpec,
    variables: crate::script::Variables,
) -> Result<ScriptedResult, CliError> {
    let store = record::open_store(args.db.as_deref())?;
    let engine = EventLoop::start(EngineConfig {
        workers: 1,
        pin_workers: false,
        ..EngineConfig::default()
    })?;
    let result = ScriptedRequest::new(spec.clone(), variables).send(&engine);
    if let Some(store) = store {
        record::record_design(&store.writer(), &spec, &result)?;
        store.close();
    }
    Ok(result)
}

/// Exit code when a test or a script failed.
pub(super) const EXIT_TESTS_FAILED: u8 = 1;

/// Test results, script errors and console output, after the response.
fn render_scripts(result: &ScriptedResult) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let outcomes = [("pre-request", &result.pre_request), ("test", &result.test)];
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (phase, outcome) in outcomes {
        let Some(outcome) = outcome else { continue };
        if !outcome.console.is_empty() {
            let _ = writeln!(out, "\n{phase} console:");
            for line in &outcome.console {
                let _ = writeln!(out, "  [{}] {}", line.level, line.message);
            }
        }
        if !outcome.tests.is_empty() {
            let _ = writeln!(out, "\n{phase} tests:");
        }
        for t in &outcome.tests {
            if t.skipped {
                skipped += 1;
                let _ = writeln!(out, "  SKIP {}", t.name);
            } else if t.passed {
                passed += 1;
                let _ = writeln!(out, "  PASS {}", t.name);
            } else {
                failed += 1;
                let _ = writeln!(
                    out,
                    "  FAIL {}: {}",
                    t.name,
                    t.error.as_deref().unwrap_or("failed")
                );
            }
        }
        if let Some(error) = &outcome.error {
            let _ = writeln!(out, "\n{error}");
        }
    }
    if passed + failed + skipped > 0 {
        let _ = writeln!(
            out,
            "\ntests: {passed} passed, {failed} failed, {skipped} skipped"
        );
    }
    out
}

/// The response as a person reads it: status, timings, headers, then the body.
fn render(r: &Response) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} {} {}", r.http_version, r.status, r.status_text);
    let t = &r.timings;
    let _ = writeln!(
        out,
        "time {} · size {} · {}",
        micros(t.total as f64),
        bytes(r.body_size),
        if r.remote_address.is_empty() {
            "-"
        } else {
            &r.remote_address
        }
    );
    let _ = writeln!(
        out,
        "timings: dns {} · connect {} · tls {} · first byte {} · download {}",
        micros(t.dns as f64),
        micros(t.connect as f64),
        micros(t.tls as f64),
        micros(t.first_byte as f64),
        micros(t.download as f64)
    );
    if r.redirect_count > 0 {
        let _ = writeln!(out, "redirects: {} → {}", r.redirect_count, r.effective_url);
    }
    out.push('\n');
    for h in &r.headers {
        let _ = writeln!(out, "{}: {}", h.name, h.value);
    }
    out.push('\n');
    if r.body_truncated {
        let _ = writeln!(
            out,
            "({} body over the engine's cap: counted, not kept)",
            bytes(r.body_size)
        );
    } else if r.body_encoding == BodyEncoding::Base64 {
        let _ = writeln!(
            out,
            "({} of binary data not shown; use --json for it in base64)",
            bytes(r.body_size)
        );
    } else if !r.body.is_empty() {
        out.push_str(&pretty_body(&r.body));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// JSON bodies pretty-printed; anything else as it came.
fn pretty_body(body: &str) -> String {
    let trimmed = body.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
            if let Ok(pretty) = serde_json::to_string_pretty(&value) {
                return pretty;
            }
        }
    }
    body.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_are_pretty_printed() {
        assert_eq!(
            pretty_body(r#"{"a":[1,2]}"#),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}"
        );
        assert_eq!(pretty_body("{not json"), "{not json");
        assert_eq!(pretty_body("plain"), "plain");
    }
}
