//! The engine's front door: N pinned worker threads, round-robin submission, and clean shutdown.

use super::batch::{BatchReport, BatchShare, OutcomeObserver};
use super::config::EngineConfig;
use super::job::Job;
use super::worker::{Command, Completion, Worker, WorkerCounters};
use crate::model::{ErrorCategory, PreparedRequest, Response, TransferError};
use crossbeam_channel::{Receiver, Sender};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

struct WorkerHandle {
    commands: Sender<Command>,
    waker: Arc<vayu_ffi::Waker>,
    counters: Arc<WorkerCounters>,
    thread: Option<JoinHandle<()>>,
}

impl WorkerHandle {
    /// Queues a command and wakes the worker from its epoll wait. Gives the command back if
    /// the worker has exited.
    fn send(&self, command: Command) -> Result<(), Command> {
        self.commands.send(command).map_err(|e| e.into_inner())?;
        self.waker.wake();
        Ok(())
    }
}

pub struct EventLoop {
    config: Arc<EngineConfig>,
    workers: Vec<WorkerHandle>,
    next_worker: AtomicUsize,
}

/// A request submitted with [`EventLoop::submit_async`]; wait on it for the result.
pub struct PendingResponse {
    result: Receiver<Result<Response, TransferError>>,
}

impl PendingResponse {
    pub fn wait(self) -> Result<Response, TransferError> {
        self.result.recv().unwrap_or_else(|_| Err(lost()))
    }
}

fn lost() -> TransferError {
    TransferError::new(
        ErrorCategory::Aborted,
        "the engine stopped before the request completed",
    )
}

/// Starts worker `index` (pinned to `core` if given) and waits until it reports its waker.
fn spawn_worker(
    index: usize,
    config: &Arc<EngineConfig>,
    core: Option<core_affinity::CoreId>,
    rate_share: f64,
    burst_share: f64,
) -> std::io::Result<WorkerHandle> {
    let (commands, receiver) = crossbeam_channel::unbounded();
    let (waker_tx, waker_rx) = crossbeam_channel::bounded(1);
    let counters = Arc::new(WorkerCounters::default());
    let worker_counters = Arc::clone(&counters);
    let worker_config = Arc::clone(config);
    let thread = std::thread::Builder::new()
        .name(format!("vayu-worker-{index}"))
        .spawn(move || {
            if let Some(core) = core {
                core_affinity::set_for_current(core);
            }
            // Paced sends wake on timers: 1 µs of slack, not the default 50 µs.
            let _ = vayu_ffi::set_timer_slack(1_000);
            let worker = Worker::new(
                worker_config,
                receiver,
                worker_counters,
                rate_share,
                burst_share,
            );
            match worker {
                Ok(worker) => {
                    if waker_tx.send(Ok(worker.waker())).is_ok() {
                        worker.run();
                    }
                }
                Err(e) => {
                    let _ = waker_tx.send(Err(e));
                }
            }
        })?;
    let waker = waker_rx
        .recv()
        .map_err(|_| std::io::Error::other(format!("worker {index} died while starting")))??;
    Ok(WorkerHandle {
        commands,
        waker,
        counters,
        thread: Some(thread),
    })
}

impl EventLoop {
    /// Starts the worker threads. Each creates its own multi handle and epoll instance and
    /// reports back its waker.
    pub fn start(config: EngineConfig) -> std::io::Result<EventLoop> {
        curl::init();
        vayu_ffi::tune_allocator();
        if let Err(e) = vayu_ffi::raise_open_file_limit() {
            log::warn!(
                "could not raise the open-file limit ({e}); many connections may fail to open"
            );
        }
        let config = Arc::new(config);
        let n = config.worker_count();
        let cores = if config.pin_workers {
            core_affinity::get_core_ids().unwrap_or_default()
        } else {
            Vec::new()
        };
        let rate_share = config.target_rps / n as f64;
        let burst_share = config.burst / n as f64;
        let mut workers = Vec::with_capacity(n);
        for index in 0..n {
            let core = (!cores.is_empty()).then(|| cores[index % cores.len()]);
            workers.push(spawn_worker(index, &config, core, rate_share, burst_share)?);
        }
        Ok(EventLoop {
            config,
            workers,
            next_worker: AtomicUsize::new(0),
        })
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    pub fn worker_count(&self) -> usize {
        self.workers.len()
    }

    /// Sends one request to the next worker in turn; `done` runs on that worker with the result.
    pub fn submit(
        &self,
        request: Arc<PreparedRequest>,
        done: impl FnOnce(Result<Response, TransferError>) + Send + 'static,
    ) {
        let index = self.next_worker.fetch_add(1, Relaxed) % self.workers.len();
        let worker = &self.workers[index];
        worker.counters.queued.fetch_add(1, Relaxed);
        let done: Completion = Box::new(done);
        if let Err(command) = worker.send(Command::Single { request, done }) {
            worker.counters.queued.fetch_sub(1, Relaxed);
            if let Command::Single { done, .. } = command {
                done(Err(lost()));
            }
        }
    }

    pub fn submit_async(&self, request: Arc<PreparedRequest>) -> PendingResponse {
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.submit(request, move |result| {
            let _ = tx.send(result);
        });
        PendingResponse { result: rx }
    }

    /// Gives one job to the next worker in turn (a single scripted request, for example).
    /// Returns false, after finishing the job, if that worker has stopped.
    pub fn submit_job(&self, job: Box<dyn Job>) -> bool {
        let index = self.next_worker.fetch_add(1, Relaxed) % self.workers.len();
        match self.workers[index].send(Command::Job(job)) {
            Ok(()) => true,
            Err(Command::Job(job)) => {
                job.finish();
                false
            }
            Err(_) => false,
        }
    }

    /// Gives every worker its own job, built by `make(worker_index, worker_count)`.
    /// Returns how many workers took one (a worker that has stopped takes none).
    pub fn start_job(&self, mut make: impl FnMut(usize, usize) -> Box<dyn Job>) -> usize {
        let n = self.workers.len();
        let mut started = 0;
        for (i, worker) in self.workers.iter().enumerate() {
            match worker.send(Command::Job(make(i, n))) {
                Ok(()) => started += 1,
                Err(Command::Job(job)) => job.finish(),
                Err(_) => {}
            }
        }
        started
    }

    /// Sends `total` requests (cycling through `requests`) with at most `concurrency` in flight
    /// across all workers, and waits for all of them.
    pub fn execute_batch(
        &self,
        requests: Vec<Arc<PreparedRequest>>,
        total: usize,
        concurrency: usize,
    ) -> BatchReport {
        BatchShare::run(self, requests, total, concurrency, false, |_| None)
    }

    /// [`EventLoop::execute_batch`], with `observer(worker_index)` giving each worker an observer
    /// that sees every outcome of its share (on the worker thread: it must not block). With
    /// `full_responses`, outcomes carry the whole response.
    pub fn execute_batch_observed(
        &self,
        requests: Vec<Arc<PreparedRequest>>,
        total: usize,
        concurrency: usize,
        full_responses: bool,
        observer: impl FnMut(usize) -> Option<Box<dyn OutcomeObserver>>,
    ) -> BatchReport {
        BatchShare::run(self, requests, total, concurrency, full_responses, observer)
    }

    /// Transfers running now, over all workers.
    pub fn active_count(&self) -> usize {
        self.workers
            .iter()
            .map(|w| w.counters.active.load(Relaxed))
            .sum()
    }

    /// Single requests submitted but not started yet.
    pub fn pending_count(&self) -> usize {
        self.workers
            .iter()
            .map(|w| w.counters.queued.load(Relaxed))
            .sum()
    }

    /// Transfers finished (with a response or an error) since start.
    pub fn total_processed(&self) -> u64 {
        self.workers
            .iter()
            .map(|w| w.counters.processed.load(Relaxed))
            .sum()
    }

    /// Finished transfers by outcome since start: [transport error, 1xx, 2xx, 3xx, 4xx, 5xx].
    pub fn outcomes_by_class(&self) -> [u64; 6] {
        let mut total = [0u64; 6];
        for w in &self.workers {
            for (t, c) in total.iter_mut().zip(&w.counters.by_class) {
                *t += c.load(Relaxed);
            }
        }
        total
    }

    /// Responses by service time over every worker: counts per bucket of
    /// [`LATENCY_BUCKETS_US`](super::worker::LATENCY_BUCKETS_US) (the last: above all), and the
    /// sum of the times, µs.
    pub fn latency_buckets(&self) -> (Vec<u64>, u64) {
        let mut counts = vec![0u64; super::worker::LATENCY_BUCKETS_US.len() + 1];
        let mut sum = 0;
        for w in &self.workers {
            for (t, c) in counts.iter_mut().zip(&w.counters.latency_buckets) {
                *t += c.load(Relaxed);
            }
            sum += w.counters.latency_sum_us.load(Relaxed);
        }
        (counts, sum)
    }

    /// Single requests queued per worker, for monitoring.
    pub fn queue_depths(&self) -> Vec<usize> {
        self.workers
            .iter()
            .map(|w| w.counters.queued.load(Relaxed))
            .collect()
    }

    /// Times the workers slept and woke since start.
    pub fn total_wakeups(&self) -> u64 {
        self.workers
            .iter()
            .map(|w| w.counters.wakeups.load(Relaxed))
            .sum()
    }

    /// Aborts every transfer and job at once and ends the workers (shutdown past its grace):
    /// each job ends as the engine stopping it, so runs are recorded `stopped`. The engine
    /// takes no more work; `stop` still joins the threads.
    pub fn abort(&self) {
        for worker in &self.workers {
            let _ = worker.send(Command::Stop {
                grace: Duration::ZERO,
            });
        }
    }

    /// Stops every worker: nothing new starts, in-flight transfers get `grace` to finish and are
    /// then aborted. Returns when all worker threads have exited. Calling it again does nothing.
    pub fn stop(&mut self, grace: Duration) {
        for worker in &self.workers {
            let _ = worker.send(Command::Stop { grace });
        }
        for worker in &mut self.workers {
            if let Some(thread) = worker.thread.take() {
                if thread.join().is_err() {
                    log::error!("a worker thread panicked");
                }
            }
        }
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        self.stop(Duration::ZERO);
    }
}
