//! The transport's thread: a current-thread tokio runtime that accepts connections, keeps the
//! connection cap and runs one task per connection (`conn::serve`). Everything here runs on that
//! one thread, so connection state is in `Cell`s, not locks.

use super::watch::{Closing, Phase, Watch};
use super::{conn, refuse, Exchange, Limits, Permit, Refusal, Render};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// How long `Server::stop` waits for the listener to be closed (the thread is never blocked, so
/// this is only a bound).
const STOP_WAIT: Duration = Duration::from_secs(5);

/// The stop request from another thread, and the answer that the listener is closed.
#[derive(Default)]
pub(super) struct Stop {
    requested: tokio::sync::Notify,
    closed: parking_lot::Mutex<bool>,
    closed_changed: parking_lot::Condvar,
}

impl Stop {
    pub(super) fn request(&self) {
        self.requested.notify_one();
        let mut closed = self.closed.lock();
        if !*closed {
            let _ = self.closed_changed.wait_for(&mut closed, STOP_WAIT);
        }
    }

    fn listener_closed(&self) {
        *self.closed.lock() = true;
        self.closed_changed.notify_all();
    }
}

/// What every connection task shares.
pub(super) struct Shared {
    pub(super) limits: Limits,
    pub(super) render: Render,
    open: Arc<AtomicUsize>,
    /// `None` once the server stops: requests read after that close their connection.
    pub(super) exchanges: Arc<parking_lot::Mutex<Option<crossbeam_channel::Sender<Exchange>>>>,
    conns: RefCell<HashMap<u64, Rc<Watch>>>,
    next_id: Cell<u64>,
    pub(super) lingering: Cell<usize>,
    /// Set while the cap is reached, so the log says so once, not per connection.
    at_cap: Cell<bool>,
}

impl Shared {
    pub(super) fn new(
        limits: Limits,
        render: Render,
        open: Arc<AtomicUsize>,
        exchanges: Arc<parking_lot::Mutex<Option<crossbeam_channel::Sender<Exchange>>>>,
    ) -> Shared {
        Shared {
            limits,
            render,
            open,
            exchanges,
            conns: RefCell::default(),
            next_id: Cell::new(0),
            lingering: Cell::new(0),
            at_cap: Cell::new(false),
        }
    }

    /// A connection task ended.
    pub(super) fn forget(&self, id: u64) {
        self.conns.borrow_mut().remove(&id);
    }
}

/// Starts the transport's thread on `listener`. `shared` is made on that thread: it holds the
/// connections' state, which never leaves it.
pub(super) fn start(
    listener: std::net::TcpListener,
    shared: impl FnOnce() -> Shared + Send + 'static,
    stop: Arc<Stop>,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    listener.set_nonblocking(true)?;
    let listener = {
        let _in_runtime = runtime.enter();
        TcpListener::from_std(listener)?
    };
    std::thread::Builder::new()
        .name("vayu-api-http".into())
        .spawn(move || {
            let tasks = tokio::task::LocalSet::new();
            tasks.block_on(&runtime, accept(listener, Rc::new(shared()), stop));
            // The connections still open (replies being written, event streams) finish.
            runtime.block_on(tasks);
        })?;
    Ok(())
}

async fn accept(listener: TcpListener, shared: Rc<Shared>, stop: Arc<Stop>) {
    loop {
        tokio::select! {
            _ = stop.requested.notified() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => admit(&shared, stream),
                Err(e) => {
                    // Out of descriptors, most likely: the backlog waits a little.
                    log::error!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
    drop(listener);
    stop.listener_closed();
    for watch in shared.conns.borrow().values() {
        watch.close(Closing::Shutdown);
    }
}

/// Serves a new connection, or refuses it (503) at the cap when no connection is idle to make
/// room: a server may close an idle keep-alive connection at any time (its client reconnects),
/// so idle clients alone cannot lock the API out.
fn admit(shared: &Rc<Shared>, stream: TcpStream) {
    let cap = shared.limits.max_connections;
    if shared.open.load(SeqCst) >= cap {
        if let Some(idle) = longest_idle(shared) {
            idle.close(Closing::Evicted);
        }
    }
    if shared.open.load(SeqCst) >= cap {
        if !shared.at_cap.replace(true) {
            log::warn!("{cap} API connections are open (the cap): new ones are answered 503");
        }
        let reply = refuse::encode(&(shared.render)(&Refusal::TooManyConnections(cap)));
        let shared = Rc::clone(shared);
        tokio::task::spawn_local(async move { refuse::linger(stream, Some(reply), &shared).await });
        return;
    }
    shared.at_cap.set(false);
    shared.open.fetch_add(1, SeqCst);
    let watch = Rc::new(Watch::new(Permit(Arc::clone(&shared.open))));
    let id = shared.next_id.get();
    shared.next_id.set(id + 1);
    shared.conns.borrow_mut().insert(id, Rc::clone(&watch));
    tokio::task::spawn_local(conn::serve(stream, watch, Rc::clone(shared), id));
}

/// The connection that has waited longest for a request, with none of it come yet.
fn longest_idle(shared: &Shared) -> Option<Rc<Watch>> {
    shared
        .conns
        .borrow()
        .values()
        .filter(|w| w.phase() == Phase::Idle && w.closing().is_none())
        .min_by_key(|w| w.since())
        .cloned()
}
