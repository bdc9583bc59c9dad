//! Vayu: an HTTP load-testing and API-testing engine on libcurl.
//!
//! The modules below, grouped as the system is: what a request is and the engine that sends
//! it; scripts, flows and collections; load runs and the store; the daemon's API and the CLI;
//! small shared pieces. See docs/architecture.md for the map and the invariants.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]

// What a request is, and the engine that sends it.
pub mod engine;
pub mod model;

// Scripts (the `pm` sandbox), flows of scripted steps, and Postman collections on top of them.
pub mod collection;
pub mod flow;
pub mod script;

// Load runs (plans, pacing, the reporter, reports) and the embedded database.
pub(crate) mod recording;
pub mod run;
pub mod store;

// The two front doors: the daemon's control API (with its dashboard) and the CLI.
pub mod api;
pub mod cli;
pub mod ui;

// Small shared pieces.
pub mod clock;
pub(crate) mod fault;
pub mod logging;
pub mod version;
