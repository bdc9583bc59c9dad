//! The request engine: worker threads that each own a libcurl multi handle. Engine types are
//! plain: no JSON API, SQL or terminal code here.

mod batch;
pub(crate) mod config;
mod connection_budget;
mod event_loop;
mod failure;
pub(crate) mod job;
pub(crate) mod rate_limiter;
mod reactor;
mod redirect_hops;
mod self_guard;
pub(crate) mod stats;
mod transfer;
mod worker;

pub use batch::{BatchReport, BeforeSend, Extra, OutcomeObserver};
pub use config::{connection_limit, EngineConfig};
pub use event_loop::{EventLoop, PendingResponse};
pub use job::{Job, Next, Outcome, SIDE_TAG};
pub use self_guard::SelfGuard;
pub use stats::{ErrorCount, Percentiles, TransferStats};
pub use worker::LATENCY_BUCKETS_US;
