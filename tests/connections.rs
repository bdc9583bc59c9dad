//! Connection reuse and loss: the worker keeps idle keep-alive sockets registered with epoll, so
//! these pin that a closed connection, or a descriptor number reused by a new one, never leaves a
//! request waiting.

use crate::support::{engine, prepared, send, TargetServer};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

/// A server that answers one request per connection with keep-alive, then closes the idle
/// connection 30 ms later: the client finds its pooled connection dead.
fn closing_server() -> (String, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut served = 0;
        for stream in listener.incoming().take(4) {
            let mut stream = stream.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
                )
                .unwrap();
            served += 1;
            std::thread::sleep(Duration::from_millis(30));
        }
        served
    });
    (url, handle)
}

#[test]
fn idle_connection_closed_by_the_server_is_replaced() {
    let (url, server) = closing_server();
    let engine = engine();
    for _ in 0..4 {
        let r = send(&engine, json!({"url": url, "timeout": 5000})).unwrap();
        assert_eq!(r.body, "ok");
        // Let the server close the connection while it sits idle in the pool. Its socket then
        // reports end-of-file on every wait until it is unregistered: the workers must not spin.
        let before = engine.total_wakeups();
        std::thread::sleep(Duration::from_millis(100));
        let idle_wakeups = engine.total_wakeups() - before;
        assert!(idle_wakeups < 50, "{idle_wakeups} wake-ups while idle");
    }
    assert_eq!(server.join().unwrap(), 4);
}

#[test]
fn connection_close_on_every_response() {
    let server = TargetServer::start();
    let engine = engine();
    let report = engine.execute_batch(
        vec![
            prepared(json!({"url": server.url("/close"), "timeout": 5000})),
            prepared(json!({"url": server.url("/echo"), "timeout": 5000})),
        ],
        600,
        6,
    );
    assert_eq!(
        (report.completed, report.ok),
        (600, 600),
        "{:?}",
        report.errors
    );
    // Every /close response ends its connection, so descriptor numbers are reused constantly.
    assert!(server.stats.accepted_connections.load(SeqCst) >= 300);
}

/// Issue 25 (8): after large runs ~4,000 sockets stayed in CLOSE-WAIT for as long as the
/// daemon lived (libcurl keeps idle connections until its next transfer). An idle worker
/// closes its connections a few seconds after its last transfer; until then they are reused.
#[test]
fn idle_workers_close_their_connections_after_a_while_and_reuse_them_until_then() {
    let server = TargetServer::start();
    let engine = engine();
    for _ in 0..3 {
        let r = send(&engine, json!({"url": server.url("/echo")})).unwrap();
        assert_eq!(r.status, 200);
    }
    assert!(
        server.stats.accepted_connections.load(SeqCst) <= 2,
        "back-to-back requests reuse connections"
    );
    let batch = engine.execute_batch(vec![prepared(json!({"url": server.url("/echo")}))], 400, 40);
    assert_eq!(batch.completed, 400);
    // Connections were opened (read as a peak, not a count now: a slow machine may already be
    // past the idle time).
    assert!(server.stats.max_open_connections.load(SeqCst) >= 10);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while server.stats.open_connections.load(SeqCst) > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} connections still open 30 s after the last transfer",
            server.stats.open_connections.load(SeqCst)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // A request after that opens a connection again.
    assert_eq!(
        send(&engine, json!({"url": server.url("/echo")}))
            .unwrap()
            .status,
        200
    );
}
