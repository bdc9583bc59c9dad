//! Engine settings: worker count, limits, and the defaults every transfer gets.

pub(crate) const DEFAULT_MAX_CONCURRENT: usize = 1000;
pub(crate) const DEFAULT_BODY_CAP: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    /// Pin worker i to core i (modulo the core count).
    pub pin_workers: bool,
    /// Transfers in flight per worker; more wait in the worker's queue.
    pub max_concurrent: usize,
    /// Connections per host per worker (libcurl queues transfers beyond it); 0 means no limit.
    pub max_per_host: usize,
    /// Engine-wide request starts per second, split evenly over the workers; 0 means unlimited.
    pub target_rps: f64,
    /// Token-bucket capacity in requests, engine-wide; 0 means one second's worth of `target_rps`.
    pub burst: f64,
    /// Response bytes kept per transfer; bytes beyond it are counted, not kept.
    pub body_cap: usize,
    pub user_agent: String,
    /// Proxy URL for every transfer (libcurl syntax, e.g. http://127.0.0.1:3128).
    pub proxy: Option<String>,
    /// Addresses transfers may not connect to: the daemon's own control API.
    pub self_guard: std::sync::Arc<super::SelfGuard>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            workers: 0,
            pin_workers: true,
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            max_per_host: 0,
            target_rps: 0.0,
            burst: 0.0,
            body_cap: DEFAULT_BODY_CAP,
            user_agent: format!("Vayu/{}", env!("CARGO_PKG_VERSION")),
            proxy: None,
            self_guard: Default::default(),
        }
    }
}

impl EngineConfig {
    /// The worker count this config asks for, with 0 resolved to the number of cores.
    pub fn worker_count(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    }
}

/// File descriptors kept back from requests for the engine's own use (epoll, eventfds, the
/// database, the control API's connections).
const RESERVED_FDS: u64 = 256;

/// Requests this process can hold in flight at once: each needs a connection, so a file
/// descriptor, and the open-file limit caps those. Plans asking for more are refused.
pub fn connection_limit() -> u64 {
    vayu_ffi::raise_open_file_limit()
        .map_or(1024, |limit| limit)
        .saturating_sub(RESERVED_FDS)
        .max(1)
}
