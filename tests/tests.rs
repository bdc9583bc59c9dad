//! The one integration-test binary: every module drives the engine or the CLI against loopback
//! servers it starts itself.

mod support;

mod api;
mod api_clients;
mod auth;
mod batch;
mod cli;
mod collection_cli;
mod collection_http;
mod collections;
mod connections;
mod distributed;
mod examples;
mod html_report;
mod imports;
mod inherited_auth;
mod journeys;
mod load;
mod parity;
mod readme;
mod request_bodies;
mod requests;
mod saved_requests;
mod scripts;
mod store;
mod tidy;
