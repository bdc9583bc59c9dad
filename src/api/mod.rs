//! `vayu-engine`: the control API. Only this module knows HTTP-control JSON and SSE.
//!
//! ```text
//! transport (hyper, one thread) ── whole requests ── handler threads ── dispatch: security checks,
//!                                                                      routes, handlers, replies
//!                                                      └─ GET /stats/{id}: its own SSE thread
//! shared: EventLoop (workers), RunManager (runs, reporter), Store (writer thread, readers)
//! ```

mod collection_runs;
mod dispatch;
mod error;
mod handlers;
mod reply;
pub mod routes;
mod security;
mod sse;
mod transport;

use crate::engine::{EngineConfig, EventLoop, SelfGuard};
use crate::run::RunManager;
use crate::store::Store;
use error::ApiError;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use sse::{MAX_STREAMS, MAX_STREAMS_PER_RUN};

/// Under the systemd unit's `TimeoutStopSec` (40 s) with room for the abort and the last commit.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Runs at once by default: each holds script runtimes and buffers on every worker, so many
/// at once would take the machine's memory, and a load test wants the cores to itself anyway.
pub const DEFAULT_MAX_RUNS: usize = 16;

#[derive(Debug, Clone)]
pub struct DaemonConfig {
    pub bind: IpAddr,
    pub port: u16,
    pub db: PathBuf,
    pub workers: usize,
    pub pin_workers: bool,
    /// Required (as `Authorization: Bearer`) when set; must be set to bind a non-loopback address.
    pub token: Option<String>,
    pub allow_origins: Vec<String>,
    /// Threads answering API requests (SSE streams have their own).
    pub handler_threads: usize,
    /// API connections open at once (event streams included); over it: 503 with `Retry-After`.
    /// Lowered at start to a quarter of the open-file limit, which load runs need more.
    pub max_connections: usize,
    /// A request must arrive whole (head and body) within this from its first byte, else 408.
    pub request_timeout: Duration,
    /// A connection with no request for this long is closed.
    pub idle_timeout: Duration,
    /// Let runs and scripts send requests to this daemon's own address (refused by default:
    /// a script could read saved environments or start runs through it).
    pub allow_self_requests: bool,
    /// How long a shutdown lets runs and API requests finish before aborting them.
    pub shutdown_grace: Duration,
    /// Runs (load and collection) at once; more are refused with 429 and `Retry-After`.
    pub max_runs: usize,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 9876,
            db: PathBuf::from("vayu.db"),
            workers: 0,
            pin_workers: true,
            token: None,
            allow_origins: Vec::new(),
            handler_threads: 4,
            max_connections: 2048,
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            allow_self_requests: false,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            max_runs: DEFAULT_MAX_RUNS,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("binding {0} exposes the engine beyond this machine: give --token (or VAYU_TOKEN) so every request must carry it")]
    TokenRequired(IpAddr),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot start: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot listen on {addr}: {message}")]
    Listen { addr: SocketAddr, message: String },
}

/// What the handlers share.
pub struct AppState {
    pub engine: Arc<EventLoop>,
    pub runs: RunManager,
    pub store: Store,
    pub started: Instant,
    pub config: DaemonConfig,
    policy: security::Policy,
    stopping: AtomicBool,
    /// Held while a run is counted against `max_runs` and started, so the cap is exact.
    starting_run: parking_lot::Mutex<()>,
    /// Event streams open now (each holds a thread), capped in all and per run.
    streams: sse::OpenStreams,
}

impl AppState {
    pub fn shutting_down(&self) -> bool {
        self.stopping.load(SeqCst)
    }

    /// Starts a run with `start` unless `max_runs` are running: 429 then. Checked and started
    /// under one lock, so concurrent requests cannot overshoot the cap.
    pub(crate) fn start_counted<T>(
        &self,
        start: impl FnOnce() -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let _counting = self.starting_run.lock();
        let running = self.runs.active_runs().len();
        if running >= self.config.max_runs {
            return Err(ApiError::new(
                429,
                "too_many_runs",
                format!("{running} runs are running, the most this engine takes at once (--max-runs); wait for one to end or stop one"),
            ));
        }
        start()
    }
}

pub struct Daemon {
    state: Arc<AppState>,
    server: transport::Server,
    handlers: Vec<JoinHandle<()>>,
    addr: SocketAddr,
}

/// The control API's listener, with its limits.
fn listen(config: &DaemonConfig) -> Result<transport::Server, DaemonError> {
    let wanted = SocketAddr::new(config.bind, config.port);
    let limits = transport::Limits {
        max_connections: connection_cap(config.max_connections),
        request_timeout: config.request_timeout,
        idle_timeout: config.idle_timeout,
        max_body: security::MAX_BODY,
    };
    transport::Server::bind(wanted, limits, reply::refusal).map_err(|e| DaemonError::Listen {
        addr: wanted,
        message: e.to_string(),
    })
}

impl Daemon {
    /// Opens the database, starts the engine and the run manager, and starts listening.
    pub fn start(config: DaemonConfig) -> Result<Daemon, DaemonError> {
        if !config.bind.is_loopback() && config.token.is_none() {
            return Err(DaemonError::TokenRequired(config.bind));
        }
        let store = Store::open(&config.db)?;
        let server = listen(&config)?;
        let addr = server.addr();
        // Bound first, so the engine knows the address its runs and scripts may not reach.
        let self_guard = match config.allow_self_requests {
            true => SelfGuard::default(),
            false => SelfGuard::listener(addr),
        };
        let engine = Arc::new(EventLoop::start(EngineConfig {
            workers: config.workers,
            pin_workers: config.pin_workers,
            self_guard: Arc::new(self_guard),
            ..EngineConfig::default()
        })?);
        let runs = RunManager::new(Arc::clone(&engine), Some(store.writer()))?;
        let policy = security::Policy {
            bind: config.bind,
            token: config.token.clone(),
            allow_origins: config.allow_origins.clone(),
        };
        let state = Arc::new(AppState {
            engine,
            runs,
            store,
            started: Instant::now(),
            config: DaemonConfig {
                port: addr.port(),
                ..config
            },
            policy,
            stopping: AtomicBool::new(false),
            starting_run: Default::default(),
            streams: Default::default(),
        });
        let handlers = (0..state.config.handler_threads.max(1))
            .map(|i| {
                let (state, exchanges) = (Arc::clone(&state), server.exchanges());
                std::thread::Builder::new()
                    .name(format!("vayu-api-{i}"))
                    .spawn(move || exchanges.iter().for_each(|x| dispatch::handle(&state, x)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        log::info!(
            "vayu-engine {} listening on http://{addr} (database {})",
            crate::version::long_version(),
            state.store.path().display()
        );
        Ok(Daemon {
            state,
            server,
            handlers,
            addr,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// API connections open now, event streams included.
    pub fn open_connections(&self) -> usize {
        self.server.open_connections()
    }

    /// Stops accepting requests, stops active runs (they end `stopped`, in-flight requests get
    /// their graceful stop, but all of it within `shutdown_grace`), then aborts whatever is still
    /// in flight, and commits everything to the database.
    pub fn shutdown(self) {
        self.shutdown_or_abort(&crossbeam_channel::never());
    }

    /// `shutdown`, cut short by a message on `abort` (a second SIGTERM or SIGINT): what is in
    /// flight is aborted at once and the runs are recorded `stopped`.
    pub fn shutdown_or_abort(mut self, abort: &crossbeam_channel::Receiver<()>) {
        let grace = self.state.config.shutdown_grace;
        log::info!("shutting down: no new requests; stopping active runs (at most {} s, then aborted; a second signal aborts at once)", grace.as_secs_f64());
        self.state.stopping.store(true, SeqCst);
        // The handlers end once the requests already read are answered.
        self.server.stop();
        for id in self.state.runs.active_runs() {
            self.state.runs.stop(&id);
        }
        let deadline = Instant::now().checked_add(grace);
        let drained = self.wait_idle(|| {
            abort.try_recv().is_ok() || deadline.is_some_and(|d| Instant::now() >= d)
        });
        if !drained {
            log::warn!("aborting what is still in flight: the runs are recorded as stopped");
            self.state.engine.abort();
            let deadline = Instant::now() + ABORT_WAIT;
            if !self.wait_idle(|| Instant::now() >= deadline) {
                log::error!(
                    "runs or API requests still active {} s after the abort; exiting without them",
                    ABORT_WAIT.as_secs()
                );
            }
        }
        if let Err(e) = self.state.store.writer().flush() {
            log::error!("the database could not be flushed: {e}");
        }
        let Daemon {
            state, handlers, ..
        } = self;
        for h in handlers.into_iter().filter(|h| h.is_finished()) {
            let _ = h.join();
        }
        // The last reference ends the run manager (its reporter) and the engine (its workers)
        // here, before the log says so; an event stream's thread may still hold one.
        drop(state);
        log::info!("stopped");
    }

    /// Waits until no run and no API request is active (true), or until `give_up` says so
    /// (false).
    fn wait_idle(&self, give_up: impl Fn() -> bool) -> bool {
        loop {
            let idle = self.state.runs.active_runs().is_empty()
                && self.handlers.iter().all(|h| h.is_finished());
            if idle {
                return true;
            }
            if give_up() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// How long an aborted shutdown waits for the runs to be recorded.
const ABORT_WAIT: Duration = Duration::from_secs(5);

/// The connection cap, at most a quarter of the open-file limit: load runs need the rest.
fn connection_cap(wanted: usize) -> usize {
    let files = vayu_ffi::raise_open_file_limit().unwrap_or(1024);
    let cap = wanted.clamp(1, (files / 4).max(16) as usize);
    if cap < wanted {
        log::warn!("API connections capped at {cap}, a quarter of the open-file limit ({files}), not {wanted}");
    }
    cap
}
