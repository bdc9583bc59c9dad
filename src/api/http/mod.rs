//! The control API's HTTP/1.1 server. One poller thread accepts connections and reads requests
//! without blocking; handler threads get only whole requests (head and body), so an idle or slow
//! client costs a socket, never a thread. Connections are capped (over the cap: 503 with
//! `Retry-After`), and a request must arrive whole within a deadline (else 408).
//!
//! It replaced tiny_http, which holds a thread per connection, leaves the body to be read on the
//! handler thread, has no connection cap and closes a slow request without a reply.
//!
//! ```text
//! accept ── poller (mio: read, parse, deadlines) ── whole Request ──▶ handler threads
//!              ▲                                                        │ respond()
//!              └────────── keep-alive connection comes back ◀───────────┘
//! ```

mod parse;
mod poller;

use crate::model::response::reason_phrase;
use crossbeam_channel::{Receiver, Sender};
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A reply is written within this, or the connection is dropped: a client that stops reading
/// holds a handler thread no longer.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections open at once, event streams included.
    pub max_connections: usize,
    /// From a request's first byte to its last.
    pub request_timeout: Duration,
    /// A connection waiting for its next request is closed after this.
    pub idle_timeout: Duration,
    pub max_body: usize,
}

/// A place in the connection cap, given back when the connection closes.
struct Permit(Arc<AtomicUsize>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}

/// A connection between requests, with what it sent past the last one.
struct Connection {
    stream: TcpStream,
    leftover: Vec<u8>,
    permit: Permit,
}

/// Where a keep-alive connection goes after its reply: back to the poller.
#[derive(Clone)]
struct Home {
    returns: Sender<Connection>,
    waker: Arc<mio::Waker>,
}

/// A whole request, read by the poller.
pub struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    keep_alive: bool,
    connection: Connection,
    home: Home,
}

impl Request {
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request target as sent: path and query.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// How many times a header appears.
    pub fn header_count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .count()
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Writes the reply; a keep-alive connection then goes back to the poller for its next request.
    pub fn respond(self, response: Response) -> io::Result<()> {
        let Request {
            keep_alive,
            mut connection,
            home,
            ..
        } = self;
        connection.stream.set_nonblocking(false)?;
        connection.stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        connection.stream.write_all(&response.encode(keep_alive))?;
        if keep_alive {
            connection.stream.set_nonblocking(true)?;
            // The poller may be gone (shutting down): the connection then just closes.
            if home.returns.send(connection).is_ok() {
                let _ = home.waker.wake();
            }
        }
        Ok(())
    }

    /// The connection, blocking, for a reply the caller writes itself (an event stream). It stays
    /// counted against the cap until the stream is dropped.
    pub fn into_stream(self) -> io::Result<Stream> {
        let Connection { stream, permit, .. } = self.connection;
        stream.set_nonblocking(false)?;
        stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        Ok(Stream {
            stream,
            _permit: permit,
        })
    }
}

/// A connection taken over by a handler.
pub struct Stream {
    stream: TcpStream,
    _permit: Permit,
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

pub struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    fn encode(&self, keep_alive: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 160);
        let _ = write!(
            out,
            "HTTP/1.1 {} {}\r\n",
            self.status,
            reason_phrase(self.status)
        );
        for (name, value) in &self.headers {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        // Browsers must take every reply as the type it says (a JSON error is not a page).
        out.extend_from_slice(b"X-Content-Type-Options: nosniff\r\n");
        // 1xx, 204 and 304 replies have no body and no length.
        if !(self.status < 200 || self.status == 204 || self.status == 304) {
            let _ = write!(out, "Content-Length: {}\r\n", self.body.len());
        }
        if !keep_alive {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

pub struct Server {
    addr: SocketAddr,
    requests: Receiver<Request>,
    open: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    waker: Arc<mio::Waker>,
    poller: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on `addr` and starts the poller thread.
    pub fn bind(addr: SocketAddr, limits: Limits) -> io::Result<Server> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let open = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (poller, waker, requests) =
            poller::start(listener, limits, Arc::clone(&open), Arc::clone(&stop))?;
        Ok(Server {
            addr,
            requests,
            open,
            stop,
            waker,
            poller: Some(poller),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whole requests, for the handler threads; disconnected once the server stops.
    pub fn requests(&self) -> Receiver<Request> {
        self.requests.clone()
    }

    /// Connections open now, streams included.
    pub fn open_connections(&self) -> usize {
        self.open.load(SeqCst)
    }

    /// Stops accepting and closes the connections waiting for a request; replies being written
    /// finish.
    pub fn stop(&mut self) {
        self.stop.store(true, SeqCst);
        let _ = self.waker.wake();
        if let Some(poller) = self.poller.take() {
            let _ = poller.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
