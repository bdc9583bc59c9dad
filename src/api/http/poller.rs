//! The poller thread: accepts connections, reads requests as their bytes come (edge-triggered,
//! never blocking), hands whole ones to the handlers, and enforces the connection cap and the
//! deadlines. Between requests a connection is here; while its request is handled it is not.

use super::parse::{self, Parsed};
use super::{Connection, Home, Limits, Permit, Request};
use crate::api::error::ApiError;
use crate::api::log::{log, Level};
use crossbeam_channel::{Receiver, Sender};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
/// A refused connection is drained for this long before it is closed: closing a socket with
/// unread input resets it, and the client could lose the reply that says why.
const LINGER: Duration = Duration::from_secs(2);
/// Refused connections lingering at once at most; past this they are closed at once.
const MAX_LINGERING: usize = 1024;

enum State {
    /// Waiting for a request (`started`: some of it came). `continued`: `100 Continue` was sent.
    Reading {
        started: bool,
        continued: bool,
        permit: Permit,
    },
    /// Answered with an error and shut for writing; what it still sends is read and dropped.
    Lingering,
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    /// When it went idle, when its request's first byte came, or when it began to linger.
    since: Instant,
    state: State,
}

struct Poller {
    poll: Poll,
    listener: TcpListener,
    limits: Limits,
    open: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    conns: HashMap<Token, Conn>,
    next_token: usize,
    lingering: usize,
    /// Set while the cap is reached, so the log says so once, not per connection.
    at_cap: bool,
    requests: Sender<Request>,
    returns: Receiver<Connection>,
    home: Home,
}

pub(super) fn start(
    listener: std::net::TcpListener,
    limits: Limits,
    open: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> io::Result<(JoinHandle<()>, Arc<Waker>, Receiver<Request>)> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let (requests, handed) = crossbeam_channel::unbounded();
    let (returned, returns) = crossbeam_channel::unbounded();
    let poller = Poller {
        poll,
        listener,
        limits,
        open,
        stop,
        conns: HashMap::new(),
        next_token: 2,
        lingering: 0,
        at_cap: false,
        requests,
        returns,
        home: Home {
            returns: returned,
            waker: Arc::clone(&waker),
        },
    };
    let thread = std::thread::Builder::new()
        .name("vayu-api-poll".into())
        .spawn(move || poller.run())?;
    Ok((thread, waker, handed))
}

impl Poller {
    fn run(mut self) {
        let mut events = Events::with_capacity(256);
        let mut timeout = None;
        while !self.stop.load(SeqCst) {
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    log(Level::Error, format!("the API poller failed: {e}"));
                    std::thread::sleep(Duration::from_millis(100));
                }
                continue;
            }
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept(),
                    WAKER => self.take_returned(),
                    token => self.read(token),
                }
            }
            let now = Instant::now();
            timeout = self.expire(now).map(|at| at.saturating_duration_since(now));
        }
    }

    fn accept(&mut self) {
        loop {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Out of descriptors, most likely: the backlog waits for the next event.
                    log(Level::Error, format!("accepting a connection failed: {e}"));
                    return;
                }
            };
            // At the cap, the connection idle longest makes room (a server may close an idle
            // keep-alive connection at any time; its client reconnects): idle clients alone
            // cannot lock the API out.
            if self.open.load(SeqCst) >= self.limits.max_connections {
                if let Some(idle) = self.longest_idle() {
                    self.close(idle);
                }
            }
            if self.open.load(SeqCst) >= self.limits.max_connections {
                if !self.at_cap {
                    self.at_cap = true;
                    log(
                        Level::Warn,
                        format!(
                            "{} API connections are open (the cap): new ones are answered 503",
                            self.limits.max_connections
                        ),
                    );
                }
                let error = ApiError::new(
                    503,
                    "too_many_connections",
                    format!(
                        "the engine has {} API connections open, its cap; retry shortly, or reuse a connection",
                        self.limits.max_connections
                    ),
                );
                if self.lingering < MAX_LINGERING {
                    let token = self.add(stream, Vec::new(), State::Lingering);
                    self.refuse(token, &error);
                } else {
                    let mut stream = stream;
                    let _ = stream.write_all(&reply(&error));
                }
                continue;
            }
            self.at_cap = false;
            self.open.fetch_add(1, SeqCst);
            let permit = Permit(Arc::clone(&self.open));
            self.add(stream, Vec::new(), reading(permit));
        }
    }

    /// The connection that has waited longest for a request, with none of it come yet.
    fn longest_idle(&self) -> Option<Token> {
        self.conns
            .iter()
            .filter(|(_, c)| matches!(c.state, State::Reading { started: false, .. }))
            .min_by_key(|(_, c)| c.since)
            .map(|(token, _)| *token)
    }

    /// Connections back from a handler, each waiting for its next request.
    fn take_returned(&mut self) {
        while let Ok(connection) = self.returns.try_recv() {
            let Connection {
                stream,
                leftover,
                permit,
            } = connection;
            let token = self.add(TcpStream::from_std(stream), leftover, reading(permit));
            // A pipelined request may be whole already; new bytes raise an event on their own.
            if self.conns.get(&token).is_some_and(|c| !c.buf.is_empty()) {
                self.advance(token, false);
            }
        }
    }

    fn add(&mut self, mut stream: TcpStream, buf: Vec<u8>, state: State) -> Token {
        let token = Token(self.next_token);
        self.next_token += 1;
        if let Err(e) = self
            .poll
            .registry()
            .register(&mut stream, token, Interest::READABLE)
        {
            log(
                Level::Debug,
                format!("a connection could not be watched: {e}"),
            );
            return token;
        }
        if matches!(state, State::Lingering) {
            self.lingering += 1;
        }
        let since = Instant::now();
        self.conns.insert(
            token,
            Conn {
                stream,
                buf,
                since,
                state,
            },
        );
        token
    }

    /// Reads what a connection sent until it would block, then sees whether a request is whole.
    fn read(&mut self, token: Token) {
        let Some(conn) = self.conns.get_mut(&token) else {
            return;
        };
        let most = parse::MAX_HEAD + self.limits.max_body + 64 * 1024;
        let mut chunk = [0u8; 16 * 1024];
        let mut ended = false;
        loop {
            match conn.stream.read(&mut chunk) {
                Ok(0) => {
                    ended = true;
                    break;
                }
                Ok(_) if matches!(conn.state, State::Lingering) => {}
                Ok(n) => {
                    conn.buf.extend_from_slice(&chunk[..n]);
                    // Past any request allowed: the parse below refuses it; stop reading.
                    if conn.buf.len() > most {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    ended = true;
                    break;
                }
            }
        }
        if matches!(conn.state, State::Lingering) {
            if ended {
                self.close(token);
            }
            return;
        }
        self.advance(token, ended);
    }

    /// Parses what a reading connection holds: a whole request goes to the handlers, a bad one is
    /// refused, a partial one waits (and gets `100 Continue` if it asks).
    fn advance(&mut self, token: Token, ended: bool) {
        let Some(conn) = self.conns.get_mut(&token) else {
            return;
        };
        match parse::parse(&conn.buf, self.limits.max_body) {
            Parsed::Partial { .. } if ended => self.close(token),
            Parsed::Partial { .. } if conn.buf.len() > parse::MAX_HEAD + self.limits.max_body => {
                self.refuse(token, &ApiError::too_large())
            }
            Parsed::Partial { awaits_continue } => {
                let State::Reading {
                    started, continued, ..
                } = &mut conn.state
                else {
                    return;
                };
                if !*started && !conn.buf.is_empty() {
                    *started = true;
                    conn.since = Instant::now();
                }
                if awaits_continue && !*continued {
                    *continued = true;
                    // 25 bytes into an empty send buffer: a non-blocking write takes them whole.
                    let _ = conn.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
                }
            }
            Parsed::Complete { head, body, used } => {
                let Some(mut conn) = self.conns.remove(&token) else {
                    return;
                };
                let _ = self.poll.registry().deregister(&mut conn.stream);
                let State::Reading { permit, .. } = conn.state else {
                    return;
                };
                let leftover = conn.buf.split_off(used);
                let request = Request {
                    method: head.method,
                    url: head.target,
                    headers: head.headers,
                    body,
                    keep_alive: head.keep_alive,
                    connection: Connection {
                        stream: conn.stream.into(),
                        leftover,
                        permit,
                    },
                    home: self.home.clone(),
                };
                // Fails only when the handlers are gone (shutting down): the connection closes.
                let _ = self.requests.send(request);
            }
            Parsed::Refused(error) => self.refuse(token, &error),
        }
    }

    /// Answers with `error`, shuts the connection for writing and lets it linger, so the client
    /// reads the reply before the close. Its place in the cap is given back now.
    fn refuse(&mut self, token: Token, error: &ApiError) {
        let Some(conn) = self.conns.get_mut(&token) else {
            return;
        };
        // A small reply into a send buffer no request reply is using: the write takes it whole.
        let _ = conn.stream.write_all(&reply(error));
        let _ = conn.stream.shutdown(Shutdown::Write);
        log(
            Level::Debug,
            format!("a connection was refused: {}", error.message),
        );
        if !matches!(conn.state, State::Lingering) {
            if self.lingering >= MAX_LINGERING {
                self.close(token);
                return;
            }
            self.lingering += 1;
            conn.state = State::Lingering;
        }
        conn.since = Instant::now();
        conn.buf = Vec::new();
    }

    fn close(&mut self, token: Token) {
        if let Some(mut conn) = self.conns.remove(&token) {
            let _ = self.poll.registry().deregister(&mut conn.stream);
            if matches!(conn.state, State::Lingering) {
                self.lingering -= 1;
            }
        }
    }

    /// Closes idle connections, answers 408 to requests past their deadline, ends lingering;
    /// returns the next deadline.
    fn expire(&mut self, now: Instant) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut late = Vec::new();
        for (token, conn) in &self.conns {
            let deadline = conn.since
                + match conn.state {
                    State::Reading { started: true, .. } => self.limits.request_timeout,
                    State::Reading { started: false, .. } => self.limits.idle_timeout,
                    State::Lingering => LINGER,
                };
            if deadline <= now {
                late.push(*token);
            } else {
                next = Some(next.map_or(deadline, |n| n.min(deadline)));
            }
        }
        for token in late {
            match self.conns.get(&token).map(|c| &c.state) {
                Some(State::Reading { started: true, .. }) => {
                    let error = ApiError::new(
                        408,
                        "request_timeout",
                        format!(
                            "the request did not arrive whole within {} s; send the head and body at once",
                            self.limits.request_timeout.as_secs_f64()
                        ),
                    );
                    self.refuse(token, &error);
                    if self.conns.contains_key(&token) {
                        next = Some(next.map_or(now + LINGER, |n| n.min(now + LINGER)));
                    }
                }
                _ => self.close(token),
            }
        }
        next
    }
}

/// An error reply that closes the connection.
fn reply(error: &ApiError) -> Vec<u8> {
    let mut reply = super::Response::new(error.status, error.body().to_string().into_bytes())
        .with_header("Content-Type", "application/json");
    if error.status == 503 {
        reply = reply.with_header("Retry-After", "1");
    }
    reply.encode(false)
}

fn reading(permit: Permit) -> State {
    State::Reading {
        started: false,
        continued: false,
        permit,
    }
}
