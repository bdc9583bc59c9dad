//! The control API's transport: hyper 1 (HTTP/1.1) on a current-thread tokio runtime owned by one
//! thread. It reads requests whole (head and body) without blocking and hands them to the
//! handler threads as `Exchange`s, so an idle or slow client costs a socket, never a thread.
//! Around hyper it keeps what hyper leaves to its user: the connection cap (over it: 503 with
//! `Retry-After`, or the connection idle longest makes room), the request deadline (408), the idle
//! keep-alive timeout, the body limit (413, from the head when it can), a write deadline, and a
//! lingering close after a refusal so the client reads why.
//!
//! ```text
//! accept (cap) ── connection task: hyper + deadlines ── service: checks, body ──▶ handler threads
//!                     ▲                                       ▲                       │
//!                     └──── reply (or a stream's chunks) ◀────┴── Responder ◀─────────┘
//! ```
//!
//! It knows nothing of the application: its own refusals are `Refusal`s that the application
//! renders (`Render`), so the JSON error format has one home.

mod accept;
mod conn;
mod io;
mod refuse;
mod service;
mod watch;

use hyper::body::Bytes;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

/// A head larger than this is refused (431) before it is complete.
pub(super) const MAX_HEAD: usize = 64 * 1024;
/// Header fields a head may have; more are refused (431).
pub(super) const MAX_HEADERS: usize = 100;
/// A reply is taken by the client within this, or the connection is dropped: a client that stops
/// reading holds its connection (and an event stream its thread) no longer.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub(super) struct Limits {
    /// Connections open at once, event streams included.
    pub max_connections: usize,
    /// From a request's first byte to its last.
    pub request_timeout: Duration,
    /// A connection waiting for its next request is closed after this.
    pub idle_timeout: Duration,
    pub max_body: usize,
}

/// Why the transport answered a request itself, for the application to put in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The connection cap (`max_connections`) is reached and no connection is idle.
    TooManyConnections(usize),
    /// The request did not arrive whole within `request_timeout`.
    Timeout(Duration),
    /// The body is over `max_body`.
    TooLarge,
    /// A head over `MAX_HEAD` or `MAX_HEADERS`.
    HeadTooLarge,
    /// Not HTTP/1.1 hyper could parse, or a body whose framing broke.
    Malformed(String),
    /// A transfer coding other than `chunked` (as written).
    UnsupportedEncoding(String),
}

/// Renders a refusal as the reply the client gets (the application's error format).
pub(super) type Render = fn(&Refusal) -> Response;

/// A whole request.
pub(super) struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Request {
    pub(super) fn method(&self) -> &str {
        &self.method
    }

    /// The request target as sent: path and query.
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// The first header of this name (case-insensitive).
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// How many times a header appears.
    pub(super) fn header_count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    pub(super) fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A reply: whole, or a stream of chunks written by another thread (`Response::stream`).
pub(super) struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

enum Body {
    Full(Bytes),
    Stream(tokio::sync::mpsc::Receiver<Bytes>),
}

impl Response {
    pub(super) fn new(status: u16, body: impl Into<Bytes>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Body::Full(body.into()),
        }
    }

    /// A reply whose body the returned writer sends, chunk by chunk, until it is dropped.
    pub(super) fn stream(status: u16) -> (Response, StreamWriter) {
        // A few chunks of room: a client that stops reading fills it and the writer waits
        // (bounded by the write deadline, which drops the connection and so the receiver).
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let response = Response {
            status,
            headers: Vec::new(),
            body: Body::Stream(rx),
        };
        (response, StreamWriter(tx))
    }

    pub(super) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    pub(super) fn status(&self) -> u16 {
        self.status
    }
}

/// Sends a streamed reply's chunks from a thread of its own.
pub(super) struct StreamWriter(tokio::sync::mpsc::Sender<Bytes>);

impl StreamWriter {
    /// Blocks while the client is behind; fails once the connection is gone.
    pub(super) fn send(&self, chunk: impl Into<Bytes>) -> std::io::Result<()> {
        let chunk = chunk.into();
        // An empty chunk would end a chunked body early.
        if chunk.is_empty() {
            return Ok(());
        }
        self.0.blocking_send(chunk).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the client's connection is gone",
            )
        })
    }
}

/// Where a request's reply goes. Dropped without a reply, the connection is closed unanswered.
pub(super) struct Responder(tokio::sync::oneshot::Sender<Response>);

impl Responder {
    /// Hands the reply to the connection; if the client is gone, it is dropped.
    pub(super) fn respond(self, response: Response) {
        let _ = self.0.send(response);
    }
}

/// A whole request and where its reply goes, for a handler thread.
pub(super) struct Exchange {
    pub request: Request,
    pub responder: Responder,
}

pub(super) struct Server {
    addr: SocketAddr,
    exchanges: crossbeam_channel::Receiver<Exchange>,
    /// Taken at `stop`: the handler threads end once the requests already read are answered.
    sender: Arc<parking_lot::Mutex<Option<crossbeam_channel::Sender<Exchange>>>>,
    open: Arc<AtomicUsize>,
    stop: Arc<accept::Stop>,
    stopped: bool,
}

impl Server {
    /// Listens on `addr` and starts the transport's thread.
    pub(super) fn bind(
        addr: SocketAddr,
        limits: Limits,
        render: Render,
    ) -> std::io::Result<Server> {
        let listener = std::net::TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let (sender, exchanges) = crossbeam_channel::unbounded();
        let sender = Arc::new(parking_lot::Mutex::new(Some(sender)));
        let open = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(accept::Stop::default());
        let (counted, handlers) = (Arc::clone(&open), Arc::clone(&sender));
        accept::start(
            listener,
            move || accept::Shared::new(limits, render, counted, handlers),
            Arc::clone(&stop),
        )?;
        Ok(Server {
            addr,
            exchanges,
            sender,
            open,
            stop,
            stopped: false,
        })
    }

    pub(super) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whole requests, for the handler threads; disconnected once the server stops and they are
    /// all taken.
    pub(super) fn exchanges(&self) -> crossbeam_channel::Receiver<Exchange> {
        self.exchanges.clone()
    }

    /// Connections open now, streams included.
    pub(super) fn open_connections(&self) -> usize {
        self.open.load(SeqCst)
    }

    /// Stops accepting (the listener is closed when this returns) and closes the connections
    /// waiting for or partway through a request; requests already read are answered, and event
    /// streams go on until they end.
    pub(super) fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        self.sender.lock().take();
        self.stop.request();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A place in the connection cap, given back when dropped.
struct Permit(Arc<AtomicUsize>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}
