//! Batches: exact counts and the concurrency cap, checked from the server's side.

use crate::support::{closed_port, engine, prepared, TargetServer};
use serde_json::json;
use std::sync::atomic::Ordering::SeqCst;
use vayu::model::ErrorCategory;

#[test]
fn batch_of_10000_counts_exactly() {
    let server = TargetServer::start();
    let engine = engine();
    let report = engine.execute_batch(
        vec![prepared(json!({"url": server.url("/echo")}))],
        10_000,
        32,
    );
    assert_eq!(report.completed, 10_000);
    assert_eq!(report.ok, 10_000);
    assert_eq!(report.failed, 0);
    assert_eq!(report.status_codes.get(&200), Some(&10_000));
    assert_eq!(server.stats.requests.load(SeqCst), 10_000);
    assert!(report.latency_us.p50 > 0 && report.latency_us.p50 <= report.latency_us.p99);
    assert!(report.latency_us.p99 <= report.latency_us.max);
    assert_eq!(engine.total_processed(), 10_000);
}

#[test]
fn server_never_sees_more_connections_than_the_concurrency() {
    let server = TargetServer::start();
    let engine = engine();
    let report = engine.execute_batch(
        vec![prepared(json!({"url": server.url("/delay/5")}))],
        300,
        5,
    );
    assert_eq!(report.completed, 300);
    let max_connections = server.stats.max_open_connections.load(SeqCst);
    let max_in_flight = server.stats.max_in_flight.load(SeqCst);
    assert!(
        max_connections <= 5,
        "server saw {max_connections} connections at once"
    );
    assert!(
        max_in_flight <= 5,
        "server saw {max_in_flight} requests at once"
    );
    // Keep-alive: connections are reused rather than opened per request.
    assert!(server.stats.accepted_connections.load(SeqCst) <= 5);
    assert!(
        max_in_flight >= 2,
        "requests should overlap, saw at most {max_in_flight}"
    );
}

#[test]
fn http2_streams_share_one_connection_per_worker() {
    let server = TargetServer::start();
    let engine = engine();
    let report = engine.execute_batch(
        vec![prepared(
            json!({"url": server.url("/delay/2"), "httpVersion": "2-prior-knowledge"}),
        )],
        600,
        64,
    );
    assert_eq!(
        (report.completed, report.ok),
        (600, 600),
        "{:?}",
        report.errors
    );
    assert!(
        server.stats.max_in_flight.load(SeqCst) > 2,
        "streams should overlap on a connection"
    );
    // Two workers: one connection each, not one per shard or per transfer started together.
    let connections = server.stats.accepted_connections.load(SeqCst);
    assert_eq!(connections, 2, "server accepted {connections} connections");
}

#[test]
fn a_list_of_requests_is_cycled() {
    let server = TargetServer::start();
    let requests = vec![
        prepared(json!({"url": server.url("/status/200")})),
        prepared(json!({"url": server.url("/status/404")})),
    ];
    let report = engine().execute_batch(requests, 10, 3);
    assert_eq!(server.stats.path_count("/status/200"), 5);
    assert_eq!(server.stats.path_count("/status/404"), 5);
    assert_eq!((report.ok, report.failed), (5, 5));
    assert_eq!(report.status_codes.get(&404), Some(&5));
}

#[test]
fn transport_errors_are_counted_by_category() {
    let port = closed_port();
    let report = engine().execute_batch(
        vec![prepared(
            json!({"url": format!("http://127.0.0.1:{port}/")}),
        )],
        50,
        4,
    );
    assert_eq!(report.completed, 50);
    assert_eq!(report.failed, 50);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].category, ErrorCategory::Connect);
    assert_eq!(report.errors[0].count, 50);
    assert!(!report.errors[0].sample.is_empty());
}

#[test]
fn empty_batch_returns_at_once() {
    let report = engine().execute_batch(Vec::new(), 100, 4);
    assert_eq!(report.completed, 0);
}

/// Regression: the engine's per-worker cap on single requests (max_concurrent) also capped
/// batches and load runs, so asking for more concurrency than it silently delivered less.
#[test]
fn concurrency_above_the_engine_cap_is_delivered() {
    let server = TargetServer::start();
    let engine = crate::support::engine_with(vayu::engine::EngineConfig {
        max_concurrent: 4,
        ..Default::default()
    });
    let report = engine.execute_batch(
        vec![prepared(json!({"url": server.url("/delay/30")}))],
        120,
        12,
    );
    assert_eq!(report.completed, 120);
    let max = server.stats.max_in_flight.load(SeqCst);
    assert_eq!(
        max, 12,
        "the batch asked for 12 at once; the server saw {max}"
    );
}
