//! Shared helpers for the integration tests.

pub mod mutual_tls;
pub mod target;

use std::path::PathBuf;
use std::sync::Arc;
use vayu::engine::{EngineConfig, EventLoop};
use vayu::model::{PreparedRequest, RequestSpec, Response, TransferError};

pub use target::{Reply, TargetServer};

/// An engine with two unpinned workers (unless the config names a count), as on the 2-core CI machine.
pub fn engine() -> EventLoop {
    engine_with(EngineConfig::default())
}

pub fn engine_with(config: EngineConfig) -> EventLoop {
    let workers = if config.workers == 0 {
        2
    } else {
        config.workers
    };
    EventLoop::start(EngineConfig {
        workers,
        pin_workers: false,
        ..config
    })
    .expect("engine starts")
}

/// Parses and validates a request written as JSON; panics on invalid input (tests write valid input).
pub fn prepared(json: serde_json::Value) -> Arc<PreparedRequest> {
    let spec = RequestSpec::from_json(&json.to_string()).expect("request JSON parses");
    Arc::new(spec.prepare().expect("request is valid"))
}

/// Runs a collection document (it must import) as `vayu-cli collection run` would with these
/// variables and default options, on a one-worker engine.
pub fn run_collection_doc(
    doc: &serde_json::Value,
    variables: vayu::script::Variables,
) -> vayu::collection::RunSummary {
    let collection = vayu::collection::import(doc, &vayu::collection::ImportOptions::default())
        .expect("the collection imports");
    let engine = engine_with(EngineConfig {
        workers: 1,
        ..EngineConfig::default()
    });
    vayu::collection::run_collection(
        &engine,
        &collection,
        variables,
        vayu::flow::FlowOptions::default(),
        |_, _| {},
    )
}

pub fn send(engine: &EventLoop, json: serde_json::Value) -> Result<Response, TransferError> {
    engine.submit_async(prepared(json)).wait()
}

/// A command's standard output read as JSON; what it printed, both streams, when it is not.
pub fn stdout_json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The values of header `name` (lower case) in the echo target's reply: what it received.
pub fn echoed_header<'a>(echo: &'a serde_json::Value, name: &str) -> Vec<&'a str> {
    echo["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|pair| pair[0] == name)
        .map(|pair| pair[1].as_str().unwrap())
        .collect()
}

/// A port on loopback with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("vayu-test-{}-{tag}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `vayu-cli` with `args`, run to its end: its exit status and output.
pub fn vayu_cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_vayu-cli"))
        .args(args)
        .output()
        .expect("vayu-cli runs")
}

/// A `vayu-engine` process on a free loopback port with its database at `db`: the child, its
/// base URL (read from its log), and a thread collecting the rest of its log (joined once it ends).
pub fn spawn_engine(
    db: &std::path::Path,
) -> (EngineProcess, String, std::thread::JoinHandle<Vec<String>>) {
    spawn_engine_with(db, &[])
}

/// `spawn_engine` with more flags.
pub fn spawn_engine_with(
    db: &std::path::Path,
    flags: &[&str],
) -> (EngineProcess, String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vayu-engine"))
        .args(["--port", "0", "--workers", "1", "--no-pin", "--db"])
        .arg(db)
        .args(flags)
        // Not the test's own stdout: a child left behind by a failed test would hold it open.
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the engine logs its address").unwrap();
        if let Some(at) = line.find("listening on ") {
            break line[at + "listening on ".len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_string();
        }
    };
    (
        EngineProcess(child),
        base,
        std::thread::spawn(move || lines.map_while(Result::ok).collect()),
    )
}

/// A `vayu-engine` child killed when dropped: a test that fails before its own `kill` leaves no
/// engine running (it would hold a port and a database until the machine's next reboot).
pub struct EngineProcess(pub std::process::Child);

impl std::ops::Deref for EngineProcess {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for EngineProcess {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for EngineProcess {
    fn drop(&mut self) {
        // Both fail harmlessly when the test already stopped and reaped it.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback server that accepts connections and never answers. It counts what it accepted,
/// so a test can wait until requests are in flight instead of sleeping; it stops when dropped.
pub struct SilentServer {
    pub url: String,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SilentServer {
    pub fn start() -> SilentServer {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let (accepted, stop) = (
            std::sync::Arc::new(AtomicUsize::new(0)),
            std::sync::Arc::new(AtomicBool::new(false)),
        );
        let (count, stopping) = (accepted.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stopping.load(SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        held.push(stream);
                        count.fetch_add(1, SeqCst);
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        SilentServer {
            url,
            accepted,
            stop,
        }
    }

    /// Waits (at most 30 s) until it has accepted `n` connections: requests are in flight.
    pub fn wait_for_connections(&self, n: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while self.accepted.load(std::sync::atomic::Ordering::SeqCst) < n {
            assert!(
                std::time::Instant::now() < deadline,
                "not {n} connections in 30 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Sends signal `name` (`TERM`, `INT`, `KILL`) to a child process.
pub fn signal(child: &std::process::Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name} failed");
}
