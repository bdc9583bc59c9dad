//! Vayu: an HTTP load-testing and API-testing engine on libcurl.
//!
//! `model` holds plain request/response types, `engine` the worker threads that send them,
//! `cli` the `vayu-cli` commands. See docs/architecture.md for the map and the invariants.
// No unsafe code but one `unsafe impl` (a promise to vayu-ffi, see `engine/transfer.rs`).
#![deny(unsafe_code)]
#![warn(unreachable_pub)]

pub mod api;
pub mod cli;
pub mod clock;
pub mod collection;
pub mod engine;
pub mod fault;
pub mod flow;
pub mod logging;
pub mod model;
pub mod recording;
pub mod run;
pub mod script;
pub mod store;
pub mod ui;
pub mod version;
