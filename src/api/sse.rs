//! `GET /stats/{id}`: Server-Sent Events. A live run sends a `metrics` event per reporter tick
//! (100 ms) and a `complete` event with the final report; a finished run sends its stored series
//! and the `complete` event. A comment every 15 s keeps idle proxies from closing the stream.
//! Each stream has its own thread, so handler threads are never tied up by it.

use super::error::ApiError;
use super::AppState;
use crate::run::RunEvent;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Writes the stream with chunked framing, so the client sees where it ends.
struct EventWriter {
    out: Box<dyn Write + Send>,
}

impl EventWriter {
    fn start(request: tiny_http::Request) -> std::io::Result<EventWriter> {
        let mut out = request.into_writer();
        out.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        )?;
        out.flush()?;
        Ok(EventWriter { out })
    }

    fn chunk(&mut self, text: &str) -> std::io::Result<()> {
        write!(self.out, "{:x}\r\n{text}\r\n", text.len())?;
        self.out.flush()
    }

    fn event(&mut self, name: &str, data: &serde_json::Value) -> std::io::Result<()> {
        self.chunk(&format!("event: {name}\ndata: {data}\n\n"))
    }

    fn end(mut self) -> std::io::Result<()> {
        self.out.write_all(b"0\r\n\r\n")?;
        self.out.flush()
    }
}

/// Event streams open at once at most; each holds a thread. More are answered 503 with
/// `Retry-After`, so a client that opens stream after stream cannot exhaust the process.
pub const MAX_STREAMS: usize = 256;

/// Serves a stream on its own thread.
pub fn spawn(state: Arc<AppState>, request: tiny_http::Request, id: String) {
    use std::sync::atomic::Ordering::SeqCst;
    if state.streams.fetch_add(1, SeqCst) >= MAX_STREAMS {
        state.streams.fetch_sub(1, SeqCst);
        let error = ApiError::new(
            503,
            "too_many_streams",
            format!("{MAX_STREAMS} event streams are open; close one or retry later"),
        );
        let _ = super::respond_error(request, &error);
        return;
    }
    let counted = Arc::clone(&state);
    let spawned = std::thread::Builder::new()
        .name("vayu-sse".into())
        .spawn(move || {
            // The count goes down however the stream ends.
            struct Open<'a>(&'a AppState);
            impl Drop for Open<'_> {
                fn drop(&mut self) {
                    self.0
                        .streams
                        .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
            let _open = Open(&state);
            if let Err(e) = serve(&state, request, &id) {
                super::log::log(
                    super::log::Level::Debug,
                    format!("stats stream for {id} ended: {e}"),
                );
            }
        });
    if let Err(e) = spawned {
        counted.streams.fetch_sub(1, SeqCst);
        super::log::log(
            super::log::Level::Error,
            format!("cannot start a stats stream: {e}"),
        );
    }
}

fn serve(state: &AppState, request: tiny_http::Request, id: &str) -> std::io::Result<()> {
    // A collection run: a `request` event per request executed, then `complete`.
    if let Some(events) = state.collection_runs.subscribe(id) {
        let mut w = EventWriter::start(request)?;
        loop {
            match events.recv_timeout(KEEP_ALIVE) {
                Ok((name, data)) => {
                    w.event(name, &data)?;
                    if name == "complete" {
                        break;
                    }
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => w.chunk(": keep-alive\n\n")?,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            }
        }
        return w.end();
    }
    if let Some(events) = state.runs.subscribe(id) {
        let mut w = EventWriter::start(request)?;
        loop {
            match events.recv_timeout(KEEP_ALIVE) {
                Ok(RunEvent::Progress(snapshot)) => w.event(
                    "metrics",
                    &serde_json::to_value(&*snapshot).unwrap_or_default(),
                )?,
                Ok(RunEvent::Complete(report)) => {
                    w.event(
                        "complete",
                        &serde_json::to_value(&*report).unwrap_or_default(),
                    )?;
                    break;
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => w.chunk(": keep-alive\n\n")?,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            }
        }
        return w.end();
    }
    // Not active: finished (or never existed).
    let stored = state
        .store
        .reader()
        .map_err(std::io::Error::other)?
        .get_run(id)
        .map_err(std::io::Error::other)?;
    let Some(run) = stored else {
        let error = ApiError::missing("run", id);
        return super::respond_error(request, &error);
    };
    let points = state
        .store
        .reader()
        .map_err(std::io::Error::other)?
        .run_metrics(id, None, None)
        .map_err(std::io::Error::other)?;
    let mut series: BTreeMap<i64, serde_json::Map<String, serde_json::Value>> = BTreeMap::new();
    for p in points {
        series
            .entry(p.timestamp)
            .or_default()
            .insert(p.name, serde_json::json!(p.value));
    }
    let mut w = EventWriter::start(request)?;
    for (timestamp, values) in series {
        w.event(
            "metrics",
            &serde_json::json!({ "runId": id, "timestamp": timestamp, "metrics": values }),
        )?;
    }
    let complete = run.summary.clone().unwrap_or_else(
        || serde_json::json!({ "runId": id, "status": run.status, "error": run.error }),
    );
    w.event("complete", &complete)?;
    w.end()
}
