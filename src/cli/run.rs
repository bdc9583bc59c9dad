//! `vayu-cli run`: one request, its full response.

use super::args::RunArgs;
use super::format::{bytes, micros};
use super::{emit, record, request_file, CliError};
use crate::engine::{EngineConfig, EventLoop};
use crate::model::{BodyEncoding, Response};
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(args: RunArgs) -> Result<ExitCode, CliError> {
    let mut requests = request_file::load(&args.file)?;
    if requests.len() != 1 {
        return Err(CliError::Input(format!(
            "request file `{}` holds {} requests; `run` sends one: use `vayu-cli batch` for a list",
            args.file,
            requests.len()
        )));
    }
    let store = record::open_store(args.db.as_deref())?;
    let request = requests.remove(0);
    let engine = EventLoop::start(EngineConfig {
        workers: 1,
        pin_workers: false,
        ..EngineConfig::default()
    })?;
    let result = engine
        .submit_async(Arc::new(request.prepared.clone()))
        .wait();
    if let Some(store) = store {
        record::record_design(store, &request, &result)?;
    }
    if args.json {
        let out = match &result {
            Ok(response) => serde_json::json!({ "ok": true, "response": response }),
            Err(error) => serde_json::json!({ "ok": false, "error": error }),
        };
        emit(&format!("{out}\n"));
    }
    let response = result.map_err(CliError::Transport)?;
    if !args.json {
        emit(&render(&response));
    }
    Ok(ExitCode::SUCCESS)
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
