//! `GET /stats/{id}`: Server-Sent Events. A live run sends a `metrics` event per reporter tick
//! (100 ms) and a `complete` event with the final report; a finished run sends its stored series
//! and the `complete` event. A comment every 15 s keeps idle proxies from closing the stream.
//! Each stream has its own thread, so handler threads are never tied up by it.

use super::error::ApiError;
use super::reply::error_response;
use super::transport::{Responder, Response, StreamWriter};
use super::AppState;
use crate::run::RunEvent;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Writes the stream's events; the transport frames them (chunked), so the client sees where the
/// stream ends.
struct EventWriter {
    out: StreamWriter,
}

impl EventWriter {
    fn start(responder: Responder) -> EventWriter {
        let (response, out) = Response::stream(200);
        responder.respond(
            response
                .with_header("Content-Type", "text/event-stream")
                .with_header("Cache-Control", "no-cache")
                .with_header("Connection", "close"),
        );
        EventWriter { out }
    }

    fn chunk(&mut self, text: &str) -> std::io::Result<()> {
        self.out.send(text.to_string())
    }

    fn event(&mut self, name: &str, data: &serde_json::Value) -> std::io::Result<()> {
        self.chunk(&format!("event: {name}\ndata: {data}\n\n"))
    }

    /// The stream ends when its writer is dropped.
    fn end(self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Event streams open at once at most; each holds a thread. More are answered 503 with
/// `Retry-After`, so a client that opens stream after stream cannot exhaust the process.
pub const MAX_STREAMS: usize = 256;
/// Event streams of one run at most, so one run's watchers cannot take every stream.
pub const MAX_STREAMS_PER_RUN: usize = 32;

/// The streams open now, in all and per run.
#[derive(Default)]
pub(super) struct OpenStreams(Mutex<HashMap<String, usize>>);

/// One open stream's place, given back when dropped (however its thread ends).
struct StreamSlot<'a> {
    open: &'a OpenStreams,
    id: String,
}

impl OpenStreams {
    fn take(&self, id: &str) -> Result<(), ApiError> {
        let mut open = self.0.lock();
        let (all, this_run) = (
            open.values().sum::<usize>(),
            open.get(id).copied().unwrap_or(0),
        );
        if all >= MAX_STREAMS || this_run >= MAX_STREAMS_PER_RUN {
            let message = if this_run >= MAX_STREAMS_PER_RUN {
                format!("{MAX_STREAMS_PER_RUN} event streams of run `{id}` are open; close one or retry later")
            } else {
                format!("{MAX_STREAMS} event streams are open; close one or retry later")
            };
            return Err(ApiError::new(503, "too_many_streams", message));
        }
        *open.entry(id.to_string()).or_default() += 1;
        Ok(())
    }

    fn give_back(&self, id: &str) {
        let mut open = self.0.lock();
        if let Some(n) = open.get_mut(id) {
            *n -= 1;
            if *n == 0 {
                open.remove(id);
            }
        }
    }
}

impl Drop for StreamSlot<'_> {
    fn drop(&mut self) {
        self.open.give_back(&self.id);
    }
}

/// Serves a stream on its own thread. A panic while serving it ends that stream only.
pub(super) fn spawn(state: Arc<AppState>, responder: Responder, id: String) {
    if let Err(error) = state.streams.take(&id) {
        responder.respond(error_response(&error));
        return;
    }
    let (counted, stream_id) = (Arc::clone(&state), id.clone());
    let spawned = std::thread::Builder::new()
        .name("vayu-sse".into())
        .spawn(move || {
            let _slot = StreamSlot {
                open: &state.streams,
                id: id.clone(),
            };
            let (level, message) = match crate::fault::contain(|| serve(&state, responder, &id)) {
                Ok(Ok(())) => return,
                Ok(Err(e)) => (
                    log::Level::Debug,
                    format!("stats stream for {id} ended: {e}"),
                ),
                Err(what) => (
                    log::Level::Error,
                    format!("stats stream for {id} panicked and was closed: {what}"),
                ),
            };
            log::log!(level, "{}", message);
        });
    if let Err(e) = spawned {
        counted.streams.give_back(&stream_id);
        log::error!("cannot start a stats stream: {e}");
    }
}

fn serve(state: &AppState, responder: Responder, id: &str) -> std::io::Result<()> {
    #[cfg(test)]
    if tests::PANIC_IN_STREAM.lock().as_deref() == Some(id) {
        panic!("injected into the event stream of {id}");
    }
    // A collection run: a `request` event per request executed, then `complete`.
    if let Some(events) = state.runs.subscribe_collection(id) {
        return stream(responder, events, |(name, data)| {
            (name, data, name == "complete")
        });
    }
    if let Some(events) = state.runs.subscribe(id) {
        return stream(responder, events, |event| match event {
            RunEvent::Progress(snapshot) => (
                "metrics",
                serde_json::to_value(&*snapshot).unwrap_or_default(),
                false,
            ),
            RunEvent::Complete(report) => (
                "complete",
                serde_json::to_value(&*report).unwrap_or_default(),
                true,
            ),
        });
    }
    replay(state, responder, id)
}

/// An active run's events as they come, with a keep-alive comment when none came for a while,
/// until `event` says one is the last (`(name, data, last)`) or the run's channel closes.
fn stream<T>(
    responder: Responder,
    events: crossbeam_channel::Receiver<T>,
    event: impl Fn(T) -> (&'static str, serde_json::Value, bool),
) -> std::io::Result<()> {
    let mut w = EventWriter::start(responder);
    loop {
        match events.recv_timeout(KEEP_ALIVE) {
            Ok(item) => {
                let (name, data, last) = event(item);
                w.event(name, &data)?;
                if last {
                    break;
                }
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => w.chunk(": keep-alive\n\n")?,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        }
    }
    w.end()
}

/// A run that is not active (finished, or never existed): its recorded metrics, then its
/// summary as `complete`.
fn replay(state: &AppState, responder: Responder, id: &str) -> std::io::Result<()> {
    let stored = state
        .store
        .reader()
        .map_err(std::io::Error::other)?
        .get_run(id)
        .map_err(std::io::Error::other)?;
    let Some(run) = stored else {
        responder.respond(error_response(&ApiError::missing("run", id)));
        return Ok(());
    };
    let points = state
        .store
        .reader()
        .map_err(std::io::Error::other)?
        .run_metrics(id, None, None)
        .map_err(std::io::Error::other)?;
    let mut w = EventWriter::start(responder);
    for mut point in crate::ui::series(points) {
        let timestamp = point.remove("t");
        let steps = point.remove("steps");
        let mut event =
            serde_json::json!({ "runId": id, "timestamp": timestamp, "metrics": point });
        if let Some(steps) = steps {
            event["steps"] = steps;
        }
        w.event("metrics", &event)?;
    }
    let complete = run.summary.clone().unwrap_or_else(
        || serde_json::json!({ "runId": id, "status": run.status, "error": run.error }),
    );
    w.event("complete", &complete)?;
    w.end()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::api::{Daemon, DaemonConfig};
    use std::io::{Read, Write};

    /// A stream of this run panics as it starts (a test seam for fault containment).
    pub(crate) static PANIC_IN_STREAM: parking_lot::Mutex<Option<String>> =
        parking_lot::Mutex::new(None);

    fn call(daemon: &Daemon, method: &str, path: &str, body: &str) -> String {
        let mut s = std::net::TcpStream::connect(daemon.addr()).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            daemon.addr(),
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        reply
    }

    #[test]
    fn a_panicking_stream_closes_alone_and_gives_its_place_back() {
        let dir = std::env::temp_dir().join(format!("vayu-sse-panic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let daemon = Daemon::start(DaemonConfig {
            port: 0,
            db: dir.join("v.db"),
            workers: 1,
            pin_workers: false,
            ..DaemonConfig::default()
        })
        .unwrap();
        // A run that ends at once (its one request finds nothing listening on port 1).
        let started = call(
            &daemon,
            "POST",
            "/run",
            r#"{"request": {"url": "http://127.0.0.1:1/"}, "config": {"mode": "iterations", "iterations": 1}}"#,
        );
        let id = started
            .split("\"runId\":\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        *PANIC_IN_STREAM.lock() = Some(id.to_string());
        assert_eq!(
            call(&daemon, "GET", &format!("/stats/{id}"), ""),
            "",
            "closed without a reply"
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !daemon.state.streams.0.lock().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "its place is given back"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        *PANIC_IN_STREAM.lock() = None;
        let next = call(&daemon, "GET", &format!("/stats/{id}"), "");
        assert!(
            next.contains("event: complete"),
            "the next stream is served: {next}"
        );
        daemon.shutdown();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
