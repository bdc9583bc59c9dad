//! `vayu-engine`: the daemon. See `vayu-engine --help`, docs/api.md and docs/deploy.md.

use argh::FromArgs;
use std::process::ExitCode;
use vayu::api::{Daemon, DaemonConfig};

/// Vayu's engine daemon: the control API (JSON, Server-Sent Events) with an embedded database.
#[derive(FromArgs)]
struct Args {
    /// address to listen on (default 127.0.0.1; any other address needs --token)
    #[argh(option, default = "String::from(\"127.0.0.1\")")]
    bind: String,
    /// port to listen on (default 9876; 0 picks a free one)
    #[argh(option, default = "9876")]
    port: u16,
    /// the SQLite database (default $VAYU_DB, else vayu.db)
    #[argh(option)]
    db: Option<String>,
    /// worker threads (default: one per core)
    #[argh(option, default = "0")]
    workers: usize,
    /// do not pin worker threads to cores
    #[argh(switch)]
    no_pin: bool,
    /// require `Authorization: Bearer TOKEN` on every request (default $VAYU_TOKEN)
    #[argh(option)]
    token: Option<String>,
    /// an Origin allowed to call the API from a browser (repeatable)
    #[argh(option)]
    allow_origin: Vec<String>,
    /// API connections open at once, event streams included (default 2048; more get 503)
    #[argh(option, default = "2048")]
    max_connections: usize,
    /// seconds a request may take to arrive whole, head and body (default 30; then 408)
    #[argh(option, default = "30")]
    request_timeout: u64,
    /// let runs and scripts send requests to this engine's own API (refused by default)
    #[argh(switch)]
    allow_self_requests: bool,
    /// seconds a shutdown lets runs finish before aborting them (default 20; a second signal aborts at once)
    #[argh(option, default = "20")]
    shutdown_grace: u64,
    /// runs (load and collection) at once (default 16; more get 429 with Retry-After)
    #[argh(option, default = "vayu::api::DEFAULT_MAX_RUNS")]
    max_runs: usize,
    /// print the version, git commit and libcurl version
    #[argh(switch)]
    version: bool,
}

fn main() -> ExitCode {
    vayu::logging::init(vayu::logging::Style::Timestamped);
    let args: Args = argh::from_env();
    if args.version {
        println!("vayu-engine {}", vayu::version::long_version());
        return ExitCode::SUCCESS;
    }
    let bind = match args.bind.parse() {
        Ok(ip) => ip,
        Err(_) => {
            eprintln!(
                "vayu-engine: error: --bind `{}` is not an IP address (e.g. 127.0.0.1 or ::1)",
                args.bind
            );
            return ExitCode::from(2);
        }
    };
    if args.max_connections == 0 || args.request_timeout == 0 || args.max_runs == 0 {
        eprintln!("vayu-engine: error: --max-connections, --request-timeout and --max-runs must be at least 1");
        return ExitCode::from(2);
    }
    let config = DaemonConfig {
        bind,
        port: args.port,
        db: vayu::store::resolve_path(args.db.as_deref()),
        workers: args.workers,
        pin_workers: !args.no_pin,
        token: args
            .token
            .or_else(|| std::env::var("VAYU_TOKEN").ok().filter(|t| !t.is_empty())),
        allow_origins: args.allow_origin,
        max_connections: args.max_connections,
        request_timeout: std::time::Duration::from_secs(args.request_timeout),
        allow_self_requests: args.allow_self_requests,
        shutdown_grace: std::time::Duration::from_secs(args.shutdown_grace),
        max_runs: args.max_runs,
        ..DaemonConfig::default()
    };
    // SIGTERM and SIGINT: the first stops gracefully, a second aborts what is in flight.
    let (signals, stop) = crossbeam_channel::unbounded();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = signals.send(());
    }) {
        eprintln!("vayu-engine: error: cannot handle signals: {e}");
        return ExitCode::from(2);
    }
    let daemon = match Daemon::start(config) {
        Ok(d) => d,
        Err(e) => {
            log::error!("cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    let _ = stop.recv();
    daemon.shutdown_or_abort(&stop);
    log::info!("exiting");
    ExitCode::SUCCESS
}
