//! `--engine URL`: `run` and `load` through a running `vayu-engine`, over its control API.

use super::CliError;
use crate::model::ValidationError;
use crate::run::{FinalReport, RunSnapshot};
use serde_json::Value;
use std::time::Duration;

pub(super) struct Engine {
    base: String,
    token: Option<String>,
}

impl Engine {
    /// `url` is the engine's base URL (`http://127.0.0.1:9876`); the token comes from `VAYU_TOKEN`.
    pub(super) fn new(url: &str) -> Engine {
        Engine {
            base: url.trim_end_matches('/').to_string(),
            token: std::env::var("VAYU_TOKEN").ok().filter(|t| !t.is_empty()),
        }
    }

    pub(super) fn base(&self) -> &str {
        &self.base
    }

    fn easy(&self, path: &str) -> Result<curl::easy::Easy, CliError> {
        let mut easy = curl::easy::Easy::new();
        let setup = |easy: &mut curl::easy::Easy| -> Result<(), curl::Error> {
            easy.url(&format!("{}{path}", self.base))?;
            let mut headers = curl::easy::List::new();
            headers.append("Content-Type: application/json")?;
            if let Some(token) = &self.token {
                headers.append(&format!("Authorization: Bearer {token}"))?;
            }
            easy.http_headers(headers)?;
            easy.connect_timeout(Duration::from_secs(5))
        };
        setup(&mut easy)
            .map_err(|e| CliError::Input(format!("engine URL `{}`: {e}", self.base)))?;
        Ok(easy)
    }

    fn unreachable(&self, e: curl::Error) -> CliError {
        CliError::Input(format!(
            "cannot reach the engine at {}: {} (is vayu-engine running there?)",
            self.base,
            e.description()
        ))
    }

    /// Sends a request and returns the JSON answer of a 2xx, or the API's error as a CLI error.
    pub(super) fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, CliError> {
        let mut easy = self.easy(path)?;
        easy.custom_request(method)
            .map_err(|e| self.unreachable(e))?;
        if let Some(b) = body {
            easy.post_fields_copy(b.to_string().as_bytes())
                .map_err(|e| self.unreachable(e))?;
        }
        let mut data = Vec::new();
        {
            let mut t = easy.transfer();
            t.write_function(|d| {
                data.extend_from_slice(d);
                Ok(d.len())
            })
            .map_err(|e| self.unreachable(e))?;
            t.perform().map_err(|e| self.unreachable(e))?;
        }
        let status = easy.response_code().unwrap_or(0);
        let value: Value = serde_json::from_slice(&data).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let error = &value["error"];
        let message = error["message"]
            .as_str()
            .unwrap_or("the engine refused the request")
            .to_string();
        Err(match error["field"].as_str() {
            Some(field) => CliError::Remote(ValidationError::new(field, message)),
            None => CliError::Input(format!("the engine answered {status}: {message}")),
        })
    }

    /// Reads a Server-Sent Event stream, calling `on_event(name, data)` for each event; stops
    /// when the stream ends or `on_event` returns false.
    pub(super) fn stream(
        &self,
        path: &str,
        mut on_event: impl FnMut(&str, &str) -> bool,
    ) -> Result<(), CliError> {
        let mut easy = self.easy(path)?;
        // The stream sends at least a comment every 15 s: silence for 40 s means the engine is gone.
        easy.low_speed_limit(1)
            .and_then(|()| easy.low_speed_time(Duration::from_secs(40)))
            .map_err(|e| self.unreachable(e))?;
        let mut pending = String::new();
        // Set when `on_event` asked to stop: the write error that ends the transfer is ours.
        let mut stopped = false;
        let result = {
            let mut t = easy.transfer();
            t.write_function(|d| {
                pending.push_str(&String::from_utf8_lossy(d));
                while let Some(end) = pending.find("\n\n") {
                    let block: String = pending.drain(..end + 2).collect();
                    let event = block.lines().find_map(|l| l.strip_prefix("event: "));
                    let data = block.lines().find_map(|l| l.strip_prefix("data: "));
                    if let (Some(event), Some(data)) = (event, data) {
                        if !on_event(event, data) {
                            stopped = true;
                            return Ok(0); // ends the transfer
                        }
                    }
                }
                Ok(d.len())
            })
            .map_err(|e| self.unreachable(e))?;
            t.perform()
        };
        match result {
            Ok(()) => {}
            Err(e) if e.is_write_error() && stopped => {}
            Err(e) => return Err(self.unreachable(e)),
        }
        let status = easy.response_code().unwrap_or(0);
        if !(200..300).contains(&status) {
            return Err(CliError::Input(format!(
                "the engine answered {status} for the stats stream"
            )));
        }
        Ok(())
    }

    /// Follows run `id`'s event stream to its final report, handing each snapshot on.
    pub(super) fn follow_run(
        &self,
        id: &str,
        mut on_snapshot: impl FnMut(RunSnapshot),
    ) -> Result<FinalReport, CliError> {
        let mut report = None;
        self.stream(&format!("/stats/{id}"), |event, data| match event {
            "metrics" => {
                if let Ok(snapshot) = serde_json::from_str::<RunSnapshot>(data) {
                    on_snapshot(snapshot);
                }
                true
            }
            "complete" => {
                report = serde_json::from_str::<FinalReport>(data).ok();
                false
            }
            _ => true,
        })?;
        report.ok_or_else(|| {
            CliError::Run(format!(
                "the engine's stream for run {id} ended without a report"
            ))
        })
    }
}
