//! What a connection is doing, seen from outside hyper: shared (on the transport's one thread) by
//! its task, its IO (which sees bytes come and go) and its service (which sees requests). The
//! connection task reads it for its deadlines, the accept loop to find the connection idle
//! longest.

use super::{Limits, Permit, WRITE_TIMEOUT};
use std::cell::{Cell, RefCell};
use tokio::sync::Notify;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Waiting for a request, none of it come.
    Idle,
    /// Some of a request's head came: the request deadline runs.
    Reading,
    /// The service has the request (reading its body under the same deadline, then waiting for
    /// the handler), or its reply is being written.
    Handling,
}

/// Why a connection is asked to close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Closing {
    /// Its place in the cap went to a new connection (it was idle).
    Evicted,
    /// The server stops: close unless a request is being answered.
    Shutdown,
}

/// What a deadline that passed means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expired {
    /// Idle too long, or a reply not taken: closed without a word.
    Quietly,
    /// A request not whole in time: 408.
    Request,
}

pub(super) struct Watch {
    phase: Cell<Phase>,
    /// When the phase began (for `Reading`, the request's first byte).
    since: Cell<Instant>,
    /// When a write last found the client's receive window full, while it stays full.
    write_stalled: Cell<Option<Instant>>,
    /// The reply's body was taken whole by hyper: the next flush ends `Handling`.
    reply_encoded: Cell<bool>,
    /// When bytes of a next request came while this one was handled (pipelined): once the
    /// reply is out, that request is being read, not idle.
    next_came: Cell<Option<Instant>>,
    /// The transport refused this connection's request: it lingers before it closes.
    refused: Cell<bool>,
    closing: Cell<Option<Closing>>,
    /// Its place in the cap; taken early when it is evicted or lingers.
    permit: RefCell<Option<Permit>>,
    /// Wakes the connection task when a deadline may have moved earlier or it must close.
    pub(super) changed: Notify,
}

impl Watch {
    pub(super) fn new(permit: Permit) -> Watch {
        Watch {
            phase: Cell::new(Phase::Idle),
            since: Cell::new(Instant::now()),
            write_stalled: Cell::new(None),
            reply_encoded: Cell::new(false),
            next_came: Cell::new(None),
            refused: Cell::new(false),
            closing: Cell::new(None),
            permit: RefCell::new(Some(permit)),
            changed: Notify::new(),
        }
    }

    pub(super) fn phase(&self) -> Phase {
        self.phase.get()
    }

    /// How long it has been in its phase since (for the accept loop's longest idle).
    pub(super) fn since(&self) -> Instant {
        self.since.get()
    }

    fn enter(&self, phase: Phase) {
        self.phase.set(phase);
        self.since.set(Instant::now());
        self.changed.notify_one();
    }

    /// Bytes came from the client.
    pub(super) fn bytes_came(&self) {
        match self.phase.get() {
            Phase::Idle => self.enter(Phase::Reading),
            Phase::Handling if self.next_came.get().is_none() => {
                self.next_came.set(Some(Instant::now()));
            }
            _ => {}
        }
    }

    /// The service took a request; returns when its first byte came (its deadline's start).
    pub(super) fn request_taken(&self) -> Instant {
        let first_byte = match self.phase.get() {
            Phase::Reading => self.since.get(),
            // Read along with the request before it (pipelined): its time starts now.
            _ => Instant::now(),
        };
        self.reply_encoded.set(false);
        self.next_came.set(None);
        self.enter(Phase::Handling);
        first_byte
    }

    /// Hyper dropped the reply's body: all of it is in hyper's buffer.
    pub(super) fn reply_encoded(&self) {
        self.reply_encoded.set(true);
    }

    /// Everything written so far reached the socket.
    pub(super) fn flushed(&self) {
        if self.phase.get() == Phase::Handling && self.reply_encoded.replace(false) {
            match self.next_came.take() {
                // Its deadline runs from the first byte that came.
                Some(first_byte) => {
                    self.enter(Phase::Reading);
                    self.since.set(first_byte);
                }
                None => self.enter(Phase::Idle),
            }
        }
    }

    /// A write found the client's window full (`true`) or made progress (`false`).
    pub(super) fn write_blocked(&self, blocked: bool) {
        match (blocked, self.write_stalled.get()) {
            (true, None) => {
                self.write_stalled.set(Some(Instant::now()));
                self.changed.notify_one();
            }
            (false, Some(_)) => self.write_stalled.set(None),
            _ => {}
        }
    }

    pub(super) fn refuse(&self) {
        self.refused.set(true);
    }

    pub(super) fn was_refused(&self) -> bool {
        self.refused.get()
    }

    pub(super) fn close(&self, why: Closing) {
        if why == Closing::Evicted {
            self.give_back_place();
        }
        self.closing.set(Some(why));
        self.changed.notify_one();
    }

    pub(super) fn closing(&self) -> Option<Closing> {
        self.closing.get()
    }

    /// Gives its place in the cap back now (it is evicted, or only lingers).
    pub(super) fn give_back_place(&self) {
        self.permit.borrow_mut().take();
    }

    /// The next deadline: a stalled write's, else the phase's (none while the service has the
    /// request: it keeps the body's deadline itself, and a handler may take long).
    pub(super) fn deadline(&self, limits: &Limits) -> Option<Instant> {
        let phase = match self.phase.get() {
            Phase::Idle => Some(self.since.get() + limits.idle_timeout),
            Phase::Reading => Some(self.since.get() + limits.request_timeout),
            Phase::Handling => None,
        };
        let write = self.write_stalled.get().map(|t| t + WRITE_TIMEOUT);
        match (phase, write) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// What passed by `now`, if anything.
    pub(super) fn expired(&self, now: Instant, limits: &Limits) -> Option<Expired> {
        if self
            .write_stalled
            .get()
            .is_some_and(|t| t + WRITE_TIMEOUT <= now)
        {
            return Some(Expired::Quietly);
        }
        let since = self.since.get();
        match self.phase.get() {
            Phase::Idle if since + limits.idle_timeout <= now => Some(Expired::Quietly),
            Phase::Reading if since + limits.request_timeout <= now => Some(Expired::Request),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::time::Duration;

    fn limits() -> Limits {
        Limits {
            max_connections: 8,
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_body: 1024,
        }
    }

    #[test]
    fn a_connection_goes_idle_only_once_its_reply_is_written() {
        let open = Arc::new(AtomicUsize::new(1));
        let watch = Watch::new(Permit(Arc::clone(&open)));
        let limits = limits();
        assert_eq!(watch.phase(), Phase::Idle);
        watch.bytes_came();
        assert_eq!(watch.phase(), Phase::Reading);
        let first_byte = watch.since();
        assert_eq!(
            watch.deadline(&limits),
            Some(first_byte + limits.request_timeout)
        );
        assert_eq!(watch.request_taken(), first_byte, "the deadline's start");
        assert_eq!(watch.deadline(&limits), None, "a handler may take long");
        watch.flushed();
        assert_eq!(watch.phase(), Phase::Handling, "a flush mid-reply");
        watch.reply_encoded();
        watch.flushed();
        assert_eq!(watch.phase(), Phase::Idle);
        assert_eq!(
            watch.expired(watch.since() + limits.idle_timeout, &limits),
            Some(Expired::Quietly)
        );
        watch.close(Closing::Evicted);
        assert_eq!(
            open.load(SeqCst),
            0,
            "an evicted connection's place is free at once"
        );
    }

    #[test]
    fn a_pipelined_request_that_came_during_a_reply_is_read_not_idle() {
        let watch = Watch::new(Permit(Arc::new(AtomicUsize::new(1))));
        let limits = limits();
        watch.bytes_came();
        watch.request_taken();
        watch.bytes_came(); // part of the next request, while this one is handled
        let next_first_byte = watch.next_came.get().unwrap();
        watch.reply_encoded();
        watch.flushed();
        assert_eq!(
            watch.phase(),
            Phase::Reading,
            "not idle: a request is coming"
        );
        assert_eq!(
            watch.deadline(&limits),
            Some(next_first_byte + limits.request_timeout),
            "its deadline, from its first byte (a 408 when it is late)"
        );
        assert_eq!(watch.request_taken(), next_first_byte);
    }

    #[test]
    fn a_reply_the_client_does_not_take_expires_after_the_write_timeout() {
        let watch = Watch::new(Permit(Arc::new(AtomicUsize::new(1))));
        let limits = limits();
        watch.request_taken();
        watch.write_blocked(true);
        let stalled = watch.deadline(&limits).unwrap();
        assert_eq!(
            watch.expired(stalled - Duration::from_millis(1), &limits),
            None
        );
        assert_eq!(watch.expired(stalled, &limits), Some(Expired::Quietly));
        watch.write_blocked(false);
        assert_eq!(watch.deadline(&limits), None, "progress clears it");
    }
}
