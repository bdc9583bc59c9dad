//! The control API against clients that misbehave: too many connections, requests that trickle
//! in or never finish, idle connections; and against ones that use HTTP/1.1 fully (pipelining,
//! chunked bodies, `Expect: 100-continue`). Raw sockets, so every byte is the test's.

use crate::support::{TargetServer, TempDir};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use vayu::api::{Daemon, DaemonConfig};

struct Engine {
    daemon: Option<Daemon>,
    addr: SocketAddr,
    _dir: TempDir,
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(d) = self.daemon.take() {
            d.shutdown();
        }
    }
}

impl Engine {
    fn start(config: DaemonConfig) -> Engine {
        let dir = TempDir::new("api-clients");
        let daemon = Daemon::start(DaemonConfig {
            port: 0,
            db: dir.0.join("v.db"),
            workers: 1,
            pin_workers: false,
            ..config
        })
        .expect("daemon starts");
        Engine {
            addr: daemon.addr(),
            daemon: Some(daemon),
            _dir: dir,
        }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(self.addr).unwrap();
        // A reply that never comes fails the test instead of hanging it.
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s
    }

    /// Waits (bounded) until the engine counts `n` open connections.
    fn wait_for_connections(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let daemon = self.daemon.as_ref().unwrap();
        while daemon.open_connections() != n {
            assert!(
                Instant::now() < deadline,
                "{} connections open, not {n}",
                daemon.open_connections()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn request(&self, method: &str, path: &str, body: &str) -> String {
        let content = if body.is_empty() {
            String::new()
        } else {
            format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            )
        };
        format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{content}\r\n{body}",
            self.addr
        )
    }
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

/// Reads one reply (head, then a body of its Content-Length).
fn read_reply(s: &mut TcpStream) -> Reply {
    let mut bytes = Vec::new();
    let mut byte = [0u8];
    while !bytes.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => bytes.push(byte[0]),
            other => panic!(
                "the reply ended early ({other:?}): {}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
    let head = String::from_utf8(bytes).unwrap();
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    s.read_exact(&mut body).unwrap();
    Reply {
        status: head[9..12].parse().unwrap(),
        head,
        body: String::from_utf8(body).unwrap(),
    }
}

fn error_code(reply: &Reply) -> String {
    let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    json["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Whether the engine closed the connection (read gives end of file or a reset).
fn closed(s: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    match s.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[test]
fn connections_over_the_cap_get_503_with_retry_after_and_the_cap_frees() {
    let engine = Engine::start(DaemonConfig {
        max_connections: 8,
        ..DaemonConfig::default()
    });
    // Eight connections each partway through a request: none is idle, so none makes room.
    let mut busy: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = engine.connect();
            s.write_all(b"GET /health HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    engine.wait_for_connections(8);
    let mut over = engine.connect();
    over.write_all(engine.request("GET", "/health", "").as_bytes())
        .unwrap();
    let refused = read_reply(&mut over);
    assert_eq!(refused.status, 503, "{}", refused.head);
    assert!(refused.head.contains("Retry-After: 1"), "{}", refused.head);
    assert_eq!(error_code(&refused), "too_many_connections");
    assert!(closed(&mut over), "the refused connection is closed");

    busy.pop();
    engine.wait_for_connections(7);
    let mut next = engine.connect();
    next.write_all(engine.request("GET", "/health", "").as_bytes())
        .unwrap();
    assert_eq!(read_reply(&mut next).status, 200, "a freed place is used");
    // The others still finish their requests.
    let rest = engine.request("GET", "/health", "");
    busy[0]
        .write_all(&rest.as_bytes()["GET /health HTTP/1.1\r\n".len()..])
        .unwrap();
    assert_eq!(read_reply(&mut busy[0]).status, 200);
}

/// Issue 25 (8): 2,048 idle connections locked the API out with 503 until they closed. At the
/// cap, the connection idle longest is closed to make room for a new one.
#[test]
fn idle_connections_at_the_cap_make_room_longest_idle_first() {
    let engine = Engine::start(DaemonConfig {
        max_connections: 8,
        ..DaemonConfig::default()
    });
    let mut idle: Vec<TcpStream> = (0..8)
        .map(|_| {
            let s = engine.connect();
            // Accepted in this order, so the first waited longest.
            std::thread::sleep(Duration::from_millis(5));
            s
        })
        .collect();
    engine.wait_for_connections(8);
    for round in 0..3 {
        let mut new = engine.connect();
        new.write_all(engine.request("GET", "/health", "").as_bytes())
            .unwrap();
        assert_eq!(read_reply(&mut new).status, 200, "round {round}");
        assert!(closed(&mut idle[round]), "the longest idle one made room");
        // Kept open: it is idle now too, the newest.
        idle.push(new);
    }
    // The ones still open still work.
    idle[7]
        .write_all(engine.request("GET", "/health", "").as_bytes())
        .unwrap();
    assert_eq!(read_reply(&mut idle[7]).status, 200);
}

#[test]
fn a_request_not_whole_by_its_deadline_gets_408_and_is_closed() {
    let engine = Engine::start(DaemonConfig {
        request_timeout: Duration::from_millis(500),
        ..DaemonConfig::default()
    });
    let whole = engine.request("POST", "/collections", r#"{"name": "slow"}"#);
    let head_end = whole.find("\r\n\r\n").unwrap();
    // A head cut short, and a whole head with a body cut short.
    for cut in [head_end - 5, head_end + 6] {
        let mut s = engine.connect();
        s.write_all(&whole.as_bytes()[..cut]).unwrap();
        let reply = read_reply(&mut s);
        assert_eq!(reply.status, 408, "cut at {cut}: {}", reply.head);
        assert_eq!(error_code(&reply), "request_timeout");
        assert!(reply.head.contains("Connection: close"), "{}", reply.head);
        assert!(closed(&mut s));
    }
    engine.wait_for_connections(0);
}

#[test]
fn slow_bodies_hold_no_handler_thread_and_finish_when_they_arrive() {
    let target = TargetServer::start();
    let engine = Engine::start(DaemonConfig {
        handler_threads: 1,
        ..DaemonConfig::default()
    });
    let body = r#"{"name": "trickled"}"#;
    let whole = engine.request("POST", "/collections", body);
    let cut = whole.len() - body.len() + 1;
    let mut slow: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = engine.connect();
            s.write_all(&whole.as_bytes()[..cut]).unwrap();
            s
        })
        .collect();
    engine.wait_for_connections(8);

    // With one handler thread and eight bodies unfinished, the API still answers, and a run
    // started now completes.
    let mut s = engine.connect();
    s.write_all(engine.request("GET", "/health", "").as_bytes())
        .unwrap();
    assert_eq!(read_reply(&mut s).status, 200);
    let run = format!(
        r#"{{"request": {{"url": "{}"}}, "config": {{"mode": "iterations", "iterations": 50, "concurrency": 2}}}}"#,
        target.url("/echo")
    );
    s.write_all(engine.request("POST", "/run", &run).as_bytes())
        .unwrap();
    let started = read_reply(&mut s);
    assert_eq!(started.status, 202, "{}", started.body);
    let id = serde_json::from_str::<serde_json::Value>(&started.body).unwrap()["runId"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        s.write_all(engine.request("GET", &format!("/run/{id}"), "").as_bytes())
            .unwrap();
        let run: serde_json::Value = serde_json::from_str(&read_reply(&mut s).body).unwrap();
        if run["status"] == "completed" {
            break;
        }
        assert!(Instant::now() < deadline, "the run did not complete: {run}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // The trickled bodies finish and are answered.
    for s in &mut slow {
        s.write_all(&whole.as_bytes()[cut..]).unwrap();
    }
    for s in &mut slow {
        let reply = read_reply(s);
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
}

#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let engine = Engine::start(DaemonConfig {
        idle_timeout: Duration::from_millis(300),
        ..DaemonConfig::default()
    });
    let mut s = engine.connect();
    s.write_all(engine.request("GET", "/health", "").as_bytes())
        .unwrap();
    assert_eq!(read_reply(&mut s).status, 200);
    // Idle after its reply: closed without a word.
    assert!(closed(&mut s));
    engine.wait_for_connections(0);
}

#[test]
fn pipelined_chunked_and_continued_requests_are_answered_in_order() {
    let engine = Engine::start(DaemonConfig::default());
    let mut s = engine.connect();
    // Two requests in one write: two replies, in order.
    let health = engine.request("GET", "/health", "");
    let missing = engine.request("GET", "/run/run_none", "");
    s.write_all(format!("{health}{missing}").as_bytes())
        .unwrap();
    assert_eq!(read_reply(&mut s).status, 200);
    assert_eq!(read_reply(&mut s).status, 404);

    // A chunked body, in pieces that split a chunk-size line.
    let head = format!(
        "POST /collections HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        engine.addr
    );
    for piece in [
        head.as_str(),
        "9\r\n{\"name\": ",
        "\r\n8",
        "\r\n\"chunks\"\r\n1\r\n}\r\n0\r\n\r\n",
    ] {
        s.write_all(piece.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let created = read_reply(&mut s);
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.body.contains("\"chunks\""), "{}", created.body);

    // `Expect: 100-continue`: the engine says go on, then answers.
    let body = r#"{"name": "continued"}"#;
    write!(
        s,
        "POST /collections HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        engine.addr,
        body.len()
    )
    .unwrap();
    let mut interim = [0u8; 25];
    s.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(body.as_bytes()).unwrap();
    assert_eq!(read_reply(&mut s).status, 201);
}

#[test]
fn a_body_over_the_limit_is_refused_before_it_is_sent() {
    let engine = Engine::start(DaemonConfig::default());
    let mut s = engine.connect();
    write!(
        s,
        "POST /collections HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        engine.addr,
        64 * 1024 * 1024
    )
    .unwrap();
    let reply = read_reply(&mut s);
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(error_code(&reply), "too_large");
    assert!(closed(&mut s));
}

/// Sends `raw` on a new connection and reads one reply; the connection is returned for more.
fn exchange(engine: &Engine, raw: &[u8]) -> (Reply, TcpStream) {
    let mut s = engine.connect();
    s.write_all(raw).unwrap();
    (read_reply(&mut s), s)
}

/// Moved from the hand-written server's parser tests (`api/http/parse.rs`), now against the
/// engine on the wire: a request is answered only once its body is in, and what follows it is the
/// next request.
#[test]
fn a_request_is_answered_only_once_its_body_is_in() {
    let engine = Engine::start(DaemonConfig::default());
    let whole = engine.request("POST", "/collections", r#"{"name": "pieces"}"#);
    let health = engine.request("GET", "/health", "");
    let head_end = whole.find("\r\n\r\n").unwrap();
    for cut in [5, head_end / 2, head_end + 2, whole.len() - 3] {
        let mut s = engine.connect();
        s.write_all(&whole.as_bytes()[..cut]).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut early = [0u8; 1];
        let waited = s.read(&mut early);
        assert!(
            matches!(&waited, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "cut at {cut}: answered early ({waited:?})"
        );
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(format!("{}{health}", &whole[cut..]).as_bytes())
            .unwrap();
        assert_eq!(read_reply(&mut s).status, 201, "cut at {cut}");
        assert_eq!(read_reply(&mut s).status, 200, "the pipelined rest");
    }
}

/// Moved from `api/http/parse.rs`: chunk extensions and trailer fields are taken and ignored.
#[test]
fn chunked_bodies_are_joined_and_trailers_skipped() {
    let engine = Engine::start(DaemonConfig::default());
    let raw = format!(
        "POST /collections HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n9;ext=1\r\n{{\"name\": \r\n8\r\n\"joined\"\r\n1\r\n}}\r\n0\r\nX-T: 1\r\n\r\n",
        engine.addr
    );
    let (reply, _) = exchange(&engine, raw.as_bytes());
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert!(reply.body.contains("\"joined\""), "{}", reply.body);
}

/// Moved from `api/http/parse.rs`: framing the engine cannot trust, or bodies over the limit,
/// are refused with a JSON error and the connection is closed; malformed HTTP never takes the
/// engine down.
#[test]
fn ambiguous_malformed_or_oversized_framing_is_refused_and_closed() {
    let engine = Engine::start(DaemonConfig::default());
    let host = engine.addr;
    let head = |fields: &str| {
        format!("POST /collections HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{fields}\r\n")
    };
    let mut long = format!("GET /health HTTP/1.1\r\nHost: {host}\r\nX: ");
    long.push_str(&"a".repeat(64 * 1024));
    long.push_str("\r\n\r\n");
    let cases = [
        (
            head("Content-Length: 2\r\nContent-Length: 3\r\n"),
            400,
            "bad_request",
        ),
        (head("Content-Length: -1\r\n"), 400, "bad_request"),
        // RFC 9112 §6.1: a request whose last coding is not chunked must be answered 400 (the
        // hand-written server answered 501).
        (head("Transfer-Encoding: gzip\r\n"), 400, "bad_request"),
        (
            head("Transfer-Encoding: gzip, chunked\r\n"),
            501,
            "unsupported_encoding",
        ),
        (
            head(&format!("Content-Length: {}\r\n", 8 * 1024 * 1024 + 1)),
            413,
            "too_large",
        ),
        (
            head("Transfer-Encoding: chunked\r\n") + "zz\r\n",
            400,
            "bad_request",
        ),
        ("NOT HTTP\r\n\r\n".to_string(), 400, "bad_request"),
        (long, 431, "head_too_large"),
    ];
    for (raw, status, code) in cases {
        let (reply, mut s) = exchange(&engine, raw.as_bytes());
        let first = raw.lines().take(4).collect::<Vec<_>>().join(" | ");
        assert_eq!(reply.status, status, "{first}: {}", reply.body);
        assert_eq!(error_code(&reply), code, "{first}");
        assert!(
            reply.head.contains("X-Content-Type-Options: nosniff"),
            "{}",
            reply.head
        );
        assert!(closed(&mut s), "{first}: closed");
    }
    // A chunked body past the limit is refused as it passes it.
    let mut s = engine.connect();
    s.write_all(head("Transfer-Encoding: chunked\r\n").as_bytes())
        .unwrap();
    let mut writer = s.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let chunk = format!("{:x}\r\n{}\r\n", 1024 * 1024, "a".repeat(1024 * 1024));
        // Fails once the engine has refused and closed: that is the point.
        for _ in 0..9 {
            if writer.write_all(chunk.as_bytes()).is_err() {
                return;
            }
        }
    });
    let reply = read_reply(&mut s);
    assert_eq!(
        (reply.status, error_code(&reply).as_str()),
        (413, "too_large")
    );
    let _ = sender.join();
    // Both lengths: hyper frames it by Transfer-Encoding alone and closes the connection after
    // the reply (RFC 9112 §6.3; the hand-written server refused it 400).
    let (reply, mut s) = exchange(
        &engine,
        format!(
            "{}0\r\n\r\n",
            head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")
        )
        .as_bytes(),
    );
    assert_eq!(
        reply.status, 400,
        "an empty body is no collection: {}",
        reply.body
    );
    assert!(closed(&mut s), "closed after a request with both lengths");
    // The engine goes on.
    let (reply, _) = exchange(&engine, engine.request("GET", "/health", "").as_bytes());
    assert_eq!(reply.status, 200);
}

/// Moved from `api/http/parse.rs`: HTTP/1.0 closes unless it asks to keep the connection alive,
/// HTTP/1.1 keeps it unless it asks to close.
#[test]
fn http10_closes_unless_it_asks_to_keep_alive() {
    let engine = Engine::start(DaemonConfig::default());
    let host = engine.addr;
    let (reply, mut s) = exchange(
        &engine,
        format!("GET /health HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes(),
    );
    assert_eq!(reply.status, 200);
    assert!(closed(&mut s), "HTTP/1.0 closes");
    let (reply, mut s) = exchange(
        &engine,
        format!("GET /health HTTP/1.0\r\nHost: {host}\r\nConnection: Keep-Alive\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(reply.status, 200);
    s.write_all(format!("GET /health HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes())
        .unwrap();
    assert_eq!(read_reply(&mut s).status, 200, "kept alive");
    let (reply, mut s) = exchange(
        &engine,
        format!("GET /health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!(reply.status, 200);
    assert!(closed(&mut s), "HTTP/1.1 with Connection: close closes");
}

/// No route takes HEAD: it is answered 405 with `Allow`, with the length its body would have but
/// no body (RFC 9110 §9.3.2), so the connection stays usable for the next request.
#[test]
fn head_requests_get_a_head_only() {
    let engine = Engine::start(DaemonConfig::default());
    let mut s = engine.connect();
    write!(s, "HEAD /health HTTP/1.1\r\nHost: {}\r\n\r\n", engine.addr).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 405"), "{head}");
    assert!(head.contains("Allow: GET\r\n"), "{head}");
    assert!(head.contains("Content-Length: "), "{head}");
    s.write_all(engine.request("GET", "/health", "").as_bytes())
        .unwrap();
    assert_eq!(read_reply(&mut s).status, 200, "no body came before it");
}

/// Graceful shutdown: a request already read is answered, a connection waiting for its next
/// request is closed, and no connection is accepted once `shutdown` has stopped the server.
#[test]
fn stopping_answers_requests_already_read_and_accepts_no_more() {
    let target = TargetServer::start();
    let mut engine = Engine::start(DaemonConfig::default());
    let mut idle = engine.connect();
    let mut busy = engine.connect();
    let design = format!(
        r#"{{"request": {{"url": "{}"}}}}"#,
        target.url("/delay/3000")
    );
    busy.write_all(engine.request("POST", "/request", &design).as_bytes())
        .unwrap();
    // The request is with its handler (it waits for the target) when the shutdown starts.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while target.stats.path_count("/delay/3000") == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the request never reached the target"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let daemon = engine.daemon.take().unwrap();
    let stopping = std::thread::spawn(move || daemon.shutdown());
    let reply = read_reply(&mut busy);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.head.contains("Connection: close"), "{}", reply.head);
    assert!(closed(&mut busy));
    assert!(closed(&mut idle), "the idle connection is closed");
    stopping.join().unwrap();
    assert!(
        TcpStream::connect(engine.addr).is_err(),
        "no connection is accepted after the shutdown"
    );
}
