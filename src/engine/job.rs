//! A job is one worker's share of a multi-request plan: a batch's, a load run's (paced requests
//! or virtual users), a design request's, a flow's.
//! The worker asks it what to start and tells it what finished; the job paces itself, so no
//! central thread pushes individual requests.

use crate::model::{PreparedRequest, Response, Timings, TransferError};
use std::sync::Arc;
use std::time::Instant;

/// Tags with this bit set mark a job's side transfers (a script's `pm.sendRequest`), which it
/// routes apart from its own sends.
pub const SIDE_TAG: u64 = 1 << 63;

/// What a job wants the worker to do next.
pub enum Next {
    /// Start this request now. `tag` comes back with its outcome (e.g. an index or intended send time).
    Start {
        request: Arc<PreparedRequest>,
        tag: u64,
    },
    /// Nothing to start before this instant.
    At(Instant),
    /// Nothing to start until one of this job's transfers completes.
    Wait,
    /// Nothing more will be started; the job ends when its in-flight transfers have completed.
    Done,
    /// End now: the job's in-flight transfers are aborted (reported with the `aborted` category).
    Abort,
}

/// What one transfer came to.
#[derive(Debug, Default)]
pub struct Outcome {
    /// HTTP status; 0 when the transfer failed.
    pub status: u16,
    pub error: Option<TransferError>,
    pub timings: Timings,
    /// Body bytes received (after decoding), counted also when not kept.
    pub body_size: u64,
    /// Request bytes written (headers and body, all requests of a redirect chain).
    pub bytes_sent: u64,
    /// Response header bytes plus body bytes.
    pub bytes_received: u64,
    /// The full response, only for jobs whose [`Job::wants_response`] is true.
    pub response: Option<Response>,
}

pub trait Job: Send {
    /// Called repeatedly while the worker has capacity. `in_flight` counts this job's running transfers.
    fn next(&mut self, now: Instant, in_flight: usize) -> Next;
    /// A transfer this job started has finished (or was aborted).
    fn completed(&mut self, tag: u64, outcome: Outcome);
    /// Whether outcomes should carry the full [`Response`] (costs a header parse and a body copy).
    fn wants_response(&self) -> bool {
        false
    }
    /// Whether its sends follow a clock (an open model), so a worker that overslept owes many at
    /// once: the worker then paces the new connections they would open (`connection_budget.rs`).
    fn arrivals(&self) -> bool {
        false
    }
    /// The job has ended: it returned [`Next::Done`] with nothing in flight, or the engine stopped.
    fn finish(self: Box<Self>);
    /// One of this job's calls panicked (`reason` says which and what): it is dropped next,
    /// without `finish`, its transfers aborted unheard. A job whose owner waits for it says
    /// so here or in its `Drop`, so the owner fails the work instead of waiting forever.
    fn panicked(&mut self, reason: &str) {
        let _ = reason;
    }
}
