//! Drives a worker's curl multi handle with `curl_multi_socket_action` and epoll.
//!
//! `curl_multi_perform` runs every transfer on every call (each reads the clock and checks its
//! socket), so its cost grows with the transfers in flight. With `socket_action`, libcurl tells
//! us which sockets to watch (socket callback → epoll) and when its next timeout is (timer
//! callback), and we hand it only the sockets that are ready.
//!
//! libcurl stops watching a keep-alive connection when its transfer ends and watches it again
//! when the next transfer reuses it: done literally, that is an `epoll_ctl` DEL and ADD per
//! request. Instead a connection socket stays registered while idle (an idle connection raises
//! no events), and re-watching with the same interest costs nothing. This is safe because
//! libcurl opens and closes connection sockets through our hooks ([`vayu_ffi::SocketHooks`]),
//! so a closed descriptor's state is forgotten before its number can be reused. If an idle
//! socket does raise an event (the server closed it), it is unregistered then.
//!
//! libcurl also asks us to watch a socketpair of its own while a multi handle has transfers
//! alive (the threaded resolver wakes it through the pair), and to stop when the last one ends.
//! In the open model at moderate rates that is every request: two `epoll_ctl` per request. The
//! pair lives as long as its multi handle, so it is *pinned*: kept registered like an idle
//! connection, and forgotten before its multi handle closes it.
//!
//! A worker drives several multi handles ("shards") through one epoll set. libcurl finds a
//! connection to reuse by scanning every connection it holds to the destination, so with
//! thousands of connections to one host that scan dominated (22% of CPU at 10,000
//! connections); shards keep each pool small. The epoll token carries the shard.

use super::transfer::{Collector, EasyHandle};
use curl::multi::{Easy2Handle, Events, Multi};
use curl::MultiError;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use vayu_ffi::{Epoll, ReadyList, SocketHooks, Waker};

/// The epoll token of the waker; sockets use `shard << 32 | descriptor`.
const WAKER_TOKEN: u64 = u64::MAX;
/// Multi handles per worker: 10,000 connections over 2 workers leave about 80 per pool.
pub(crate) const SHARDS: usize = 64;

fn token(shard: usize, fd: RawFd) -> u64 {
    ((shard as u64) << 32) | fd as u32 as u64
}
/// Timer value meaning "libcurl has no timeout pending".
const NO_TIMER: u64 = u64::MAX;

/// Opened through our hooks: we will hear when it is closed, so it may stay registered while idle.
const HOOKED: u16 = 1;
/// In the owning worker's epoll set.
const REGISTERED: u16 = 2;
/// libcurl currently wants events for it.
const WANTED: u16 = 4;
const READ: u16 = 8;
const WRITE: u16 = 16;
const INTEREST: u16 = READ | WRITE;
/// A multi handle's own socketpair: lives as long as the handle, so it may stay registered.
const PINNED: u16 = 32;
/// Kept registered while libcurl does not want it: a hooked connection or a pinned pair.
const KEEPABLE: u16 = HOOKED | PINNED;
/// The shard a registered descriptor's events go to, in the high byte.
const SHARD_SHIFT: u16 = 8;
const _: () = assert!(
    SHARDS <= 1 << (16 - SHARD_SHIFT),
    "the shard must fit the state's high byte"
);

/// Per-descriptor state, indexed by descriptor number. Process-wide because descriptor numbers
/// are; each socket belongs to one worker at a time. Atomics only because curl's callbacks must be
/// `Send`: every access to a socket's entry comes from the worker that owns the socket.
struct SocketTable {
    state: Box<[AtomicU16]>,
}

/// Descriptors above this are handled without the table (registered and removed eagerly).
const MAX_TRACKED_FDS: u64 = 1 << 22;

fn socket_table() -> &'static SocketTable {
    static TABLE: OnceLock<SocketTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let limit = vayu_ffi::raise_open_file_limit()
            .unwrap_or(1024)
            .clamp(1024, MAX_TRACKED_FDS);
        SocketTable {
            state: (0..limit).map(|_| AtomicU16::new(0)).collect(),
        }
    })
}

impl SocketTable {
    fn get(&self, fd: RawFd) -> Option<u16> {
        self.state
            .get(usize::try_from(fd).ok()?)
            .map(|s| s.load(Relaxed))
    }

    fn set(&self, fd: RawFd, value: u16) {
        if let Some(slot) = usize::try_from(fd).ok().and_then(|i| self.state.get(i)) {
            slot.store(value, Relaxed);
        }
    }
}

/// Installed on every easy handle (see `transfer::configure`).
pub(crate) static SOCKET_HOOKS: SocketHooks = SocketHooks {
    allowed: super::self_guard::allowed,
    opened: |fd| socket_table().set(fd, HOOKED),
    closed: |fd| socket_table().set(fd, 0),
};

pub(crate) struct Reactor {
    // Field order is drop order: the multi handles go first, while the epoll instance their
    // socket callbacks unregister from is still open.
    multis: Vec<Multi>,
    epoll: Arc<Epoll>,
    ready: ReadyList,
    waker: Arc<Waker>,
    /// Each shard's next libcurl timeout, in ns since `base`, as its timer callback last set it.
    timers: Vec<Arc<AtomicU64>>,
    base: Instant,
    max_per_host: usize,
    /// The pinned descriptors of this reactor's multi handles, forgotten before they are closed.
    pinned: Arc<parking_lot::Mutex<Vec<RawFd>>>,
}

impl Reactor {
    pub(crate) fn new(max_per_host: usize) -> std::io::Result<Reactor> {
        let epoll = Arc::new(Epoll::new()?);
        let waker = Arc::new(Waker::new()?);
        epoll.add(waker.fd(), WAKER_TOKEN, true, false)?;
        Ok(Reactor {
            multis: Vec::with_capacity(SHARDS),
            epoll,
            ready: ReadyList::with_capacity(1024),
            waker,
            timers: Vec::with_capacity(SHARDS),
            base: Instant::now(),
            max_per_host,
            pinned: Arc::default(),
        })
    }

    /// Creates the shards up to and including `shard`, lowest first. Shards are created when
    /// first used: each multi handle costs two socketpairs and an IPv6 probe, and creating all
    /// of them up front made daemon start-up 40 ms instead of 11.
    fn create_shards_through(&mut self, shard: usize) -> Result<(), MultiError> {
        while self.multis.len() <= shard {
            let index = self.multis.len();
            let timer = Arc::new(AtomicU64::new(NO_TIMER));
            let mut multi = Multi::new();
            if self.max_per_host > 0 {
                multi.set_max_host_connections(self.max_per_host)?;
            }
            let (socket_epoll, pinned) = (Arc::clone(&self.epoll), Arc::clone(&self.pinned));
            // Both callbacks keep their panics (see `contained`).
            multi.socket_function(move |socket, events, _| {
                contained("socket", (), || {
                    if events.remove() {
                        unwant(&socket_epoll, socket);
                    } else {
                        pin_if_own(&pinned, socket);
                        want(
                            &socket_epoll,
                            index,
                            socket,
                            events.input(),
                            events.output(),
                        );
                    }
                })
            })?;
            let (timer_slot, base) = (Arc::clone(&timer), self.base);
            multi.timer_function(move |timeout| {
                contained("timer", false, || {
                    let at = timeout.map_or(NO_TIMER, |t| (base.elapsed() + t).as_nanos() as u64);
                    timer_slot.store(at, Relaxed);
                    true
                })
            })?;
            self.multis.push(multi);
            self.timers.push(timer);
        }
        Ok(())
    }

    /// Closes every connection the shards keep, by dropping the multi handles (they are made
    /// again on first use). Only with no transfer in flight.
    pub(crate) fn close_connections(&mut self) {
        for fd in self.pinned.lock().drain(..) {
            socket_table().set(fd, 0);
        }
        self.multis.clear();
        self.timers.clear();
    }

    pub(crate) fn multi(&self, shard: usize) -> &Multi {
        &self.multis[shard]
    }

    /// Adds a transfer to a shard's multi handle.
    pub(crate) fn add(
        &mut self,
        shard: usize,
        easy: EasyHandle,
    ) -> Result<Easy2Handle<Collector>, MultiError> {
        self.create_shards_through(shard)?;
        self.multis[shard].add2(easy)
    }

    /// The shards created so far, `0..shards_in_use()`: the only ones that may hold transfers.
    pub(crate) fn shards_in_use(&self) -> usize {
        self.multis.len()
    }

    /// Wakes this reactor's wait from another thread.
    pub(crate) fn waker(&self) -> Arc<Waker> {
        Arc::clone(&self.waker)
    }

    fn deadline_of(&self, shard: usize) -> Option<Instant> {
        match self.timers[shard].load(Relaxed) {
            NO_TIMER => None,
            ns => Some(self.base + Duration::from_nanos(ns)),
        }
    }

    /// When libcurl next wants to be called for its timeouts, over all shards, if ever.
    pub(crate) fn curl_deadline(&self) -> Option<Instant> {
        (0..self.multis.len())
            .filter_map(|s| self.deadline_of(s))
            .min()
    }

    /// Runs libcurl's timeouts that are due. New transfers start this way: adding a handle sets
    /// a timeout of zero.
    pub(crate) fn run_due_timers(&self) {
        let now = Instant::now();
        for shard in 0..self.multis.len() {
            if self.deadline_of(shard).is_some_and(|d| d <= now) {
                // Cleared first: libcurl sets it again through the callback if it still needs one.
                self.timers[shard].store(NO_TIMER, Relaxed);
                if let Err(e) = self.multis[shard].timeout() {
                    log::error!("worker: curl_multi_socket_action (timeout) failed: {e}");
                }
            }
        }
    }

    /// Sleeps until a socket is ready, the waker is woken or `timeout` passes, then lets
    /// libcurl act on what happened.
    pub(crate) fn wait(&mut self, timeout: Duration) {
        if let Err(e) = self.epoll.wait(&mut self.ready, timeout) {
            log::error!("worker: epoll_wait failed: {e}");
            std::thread::sleep(Duration::from_millis(1));
            return;
        }
        let table = socket_table();
        let mut events = Events::new();
        for ready in self.ready.iter() {
            if ready.token == WAKER_TOKEN {
                self.waker.reset();
                continue;
            }
            let (shard, fd) = ((ready.token >> 32) as usize, ready.token as u32 as RawFd);
            if let Some(state) = table.get(fd) {
                if state & WANTED == 0 {
                    // An idle connection woke (the server closed it, or sent something unasked),
                    // or a pinned pair did: stop watching; libcurl finds out when it next uses it.
                    self.epoll.unwatch(fd);
                    table.set(fd, state & KEEPABLE);
                    continue;
                }
            }
            events
                .input(ready.readable)
                .output(ready.writable)
                .error(ready.error);
            // A socket libcurl closed earlier in this batch is unknown to it now: nothing to do.
            if let Some(multi) = self.multis.get(shard) {
                let _ = multi.action(fd, &events);
            }
        }
        self.run_due_timers();
    }
}

/// libcurl wants events for `fd`: register it unless it already is, with this interest.
fn want(epoll: &Epoll, shard: usize, fd: RawFd, readable: bool, writable: bool) {
    let table = socket_table();
    let state = table.get(fd).unwrap_or(0);
    let interest = if readable { READ } else { 0 } | if writable { WRITE } else { 0 };
    let owner = (shard as u16) << SHARD_SHIFT;
    let same_owner = state >> SHARD_SHIFT == shard as u16;
    if state & REGISTERED != 0 && state & INTEREST == interest && same_owner {
        table.set(fd, state | WANTED);
        return;
    }
    let result = if state & REGISTERED != 0 {
        epoll.modify(fd, token(shard, fd), readable, writable)
    } else {
        epoll.add(fd, token(shard, fd), readable, writable)
    };
    match result {
        Ok(()) => table.set(
            fd,
            owner | (state & KEEPABLE) | REGISTERED | WANTED | interest,
        ),
        Err(e) => log::error!("worker: cannot watch socket {fd}: {e}"),
    }
}

/// libcurl no longer wants events for `fd`. A hooked socket or a pinned pair stays registered
/// (see the module doc); anything else is removed now, since we would not hear of its closing.
fn unwant(epoll: &Epoll, fd: RawFd) {
    let table = socket_table();
    match table.get(fd) {
        Some(state) if state & KEEPABLE != 0 => table.set(fd, state & !WANTED),
        state => {
            epoll.unwatch(fd);
            table.set(fd, state.unwrap_or(0) & KEEPABLE);
        }
    }
}

/// Pins `fd` the first time libcurl wants it if it is not a connection (not opened through our
/// hooks) but a Unix-domain socket: a multi handle's own pair. One `getsockopt` per pair.
fn pin_if_own(pinned: &parking_lot::Mutex<Vec<RawFd>>, fd: RawFd) {
    let table = socket_table();
    let Some(state) = table.get(fd) else {
        return;
    };
    if state & KEEPABLE == 0 && vayu_ffi::is_unix_socket(fd) {
        table.set(fd, state | PINNED);
        pinned.lock().push(fd);
    }
}

impl Drop for Reactor {
    fn drop(&mut self) {
        // Forgotten while still open, so no other reactor can take the number meanwhile: the
        // multi handles' cleanup closes them (and may unwatch them eagerly first, harmlessly).
        for fd in self.pinned.lock().drain(..) {
            socket_table().set(fd, 0);
        }
        self.multis.clear();
    }
}

/// Runs a multi-handle callback, keeping a panic in it: curl-rust would store it and fail every
/// later callback on this worker thread. It is logged, and libcurl is told the callback failed.
fn contained<T>(callback: &str, failed: T, work: impl FnOnce() -> T) -> T {
    crate::fault::contain(work).unwrap_or_else(|what| {
        log::error!("worker: the {callback} callback panicked: {what}");
        failed
    })
}
