//! The job scheduler: persisted jobs run by a pool of workers with priorities, a concurrency
//! limit, progress events, prompt cancellation, retries with exponential backoff and jitter for
//! retryable errors, and a circuit breaker per job kind (engine). Interrupted jobs found on start
//! are re-queued (or failed after too many interruptions) — never lost, never run twice at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use son1k_store::{Job, JobStatus, Store};

use crate::AppError;

/// How a handler's work ended, when it did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailure {
    /// Worth trying again later (a busy endpoint, a transient I/O error).
    Retryable(String),
    /// Will fail the same way again (bad input, missing model).
    Fatal(String),
    /// The user cancelled; the handler stopped and cleaned up.
    Cancelled,
}

/// What a running handler can see and say.
pub struct JobContext {
    id: String,
    cancel: Arc<AtomicBool>,
    events: Sender<JobEvent>,
}

impl JobContext {
    /// Whether the user cancelled this job; long work checks this often and stops.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Reports progress (0–1) as an event.
    pub fn progress(&self, fraction: f64) {
        self.progress_stage(fraction, None);
    }

    /// Reports progress (0–1) with what the handler is doing now (`rendering drums`).
    pub fn progress_stage(&self, fraction: f64, stage: Option<&str>) {
        let _ = self.events.send(JobEvent::Progress {
            id: self.id.clone(),
            fraction: fraction.clamp(0.0, 1.0),
            stage: stage.map(str::to_string),
        });
    }

    /// The cancellation flag itself, for engines that poll an `AtomicBool`.
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }
}

/// Runs one kind of job.
pub type Handler = Arc<dyn Fn(&Job, &JobContext) -> Result<(), JobFailure> + Send + Sync>;

/// What the scheduler reports (the shell forwards these as Tauri events, the CLI as a bar).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JobEvent {
    /// A worker started the job.
    Started {
        /// Job id.
        id: String,
        /// Job kind.
        kind: String,
    },
    /// Progress 0–1.
    Progress {
        /// Job id.
        id: String,
        /// Fraction done.
        fraction: f64,
        /// What the job is doing, when the handler says.
        #[serde(skip_serializing_if = "Option::is_none")]
        stage: Option<String>,
    },
    /// The job left the worker.
    Finished {
        /// Job id.
        id: String,
        /// Its new status (queued again when a retry is scheduled).
        status: JobStatus,
        /// Why, when it did not succeed.
        error: Option<String>,
    },
}

/// Retry and circuit-breaker settings.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Attempts before a retryable failure becomes final.
    pub max_attempts: i64,
    /// First retry delay; doubles each attempt, with up to 50% random jitter.
    pub base_delay: Duration,
    /// Longest retry delay.
    pub max_delay: Duration,
    /// Consecutive failures of one kind that open its breaker.
    pub breaker_threshold: u32,
    /// How long an open breaker keeps that kind from running.
    pub breaker_cooldown: Duration,
    /// How often idle workers look for work.
    pub poll: Duration,
    /// A running job whose worker has not beaten for this long belongs to a dead process and
    /// is recovered (re-queued or failed).
    pub stale_after: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(120),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(60),
            poll: Duration::from_millis(100),
            stale_after: Duration::from_secs(10),
        }
    }
}

/// Default worker count: the machine's cores minus one (at least one).
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .max(1)
}

#[derive(Default)]
struct Breakers {
    /// kind → (consecutive failures, open until)
    state: HashMap<String, (u32, Option<Instant>)>,
}

impl Breakers {
    fn open_kinds(&mut self) -> Vec<String> {
        let now = Instant::now();
        self.state
            .iter_mut()
            .filter_map(|(k, (fails, until))| match until {
                Some(t) if *t > now => Some(k.clone()),
                Some(_) => {
                    // Half-open: let the next job through; one more failure reopens it.
                    *until = None;
                    *fails = fails.saturating_sub(1);
                    None
                }
                None => None,
            })
            .collect()
    }

    fn record(&mut self, kind: &str, ok: bool, policy: &Policy) {
        let entry = self.state.entry(kind.to_string()).or_insert((0, None));
        if ok {
            *entry = (0, None);
        } else {
            entry.0 += 1;
            if entry.0 >= policy.breaker_threshold {
                entry.1 = Some(Instant::now() + policy.breaker_cooldown);
            }
        }
    }
}

/// A running pool of workers.
pub struct Scheduler {
    db: PathBuf,
    stop: Arc<AtomicBool>,
    running: Arc<Mutex<HashMap<String, Arc<AtomicBool>>>>,
    workers: Vec<JoinHandle<()>>,
}

fn jitter(max: Duration) -> Duration {
    // No RNG dependency needed: the clock's nanoseconds are jitter enough between workers.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    max.mul_f64(f64::from(nanos % 1000) / 1000.0)
}

impl Scheduler {
    /// Recovers jobs a crash interrupted, then starts `concurrency` workers on the library at `db`.
    pub fn start(
        db: &Path,
        concurrency: usize,
        handlers: HashMap<String, Handler>,
        policy: Policy,
    ) -> Result<(Scheduler, Receiver<JobEvent>), AppError> {
        let store = Store::open(db)?;
        store.recover_interrupted(policy.max_attempts, policy.stale_after)?;
        drop(store);
        let (tx, rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let running: Arc<Mutex<HashMap<String, Arc<AtomicBool>>>> = Arc::default();
        let breakers: Arc<Mutex<Breakers>> = Arc::default();
        // Workers only take kinds they can run; other kinds wait for a scheduler that can.
        let kinds: Vec<String> = handlers.keys().cloned().collect();
        let handlers = Arc::new(handlers);
        let mut workers = Vec::new();
        // Cancellation from anywhere (another window, `son1k jobs cancel` in another process) is a
        // row update; this monitor turns it into the running handler's cancel flag.
        {
            let (store, stop, running) = (Store::open(db)?, stop.clone(), running.clone());
            let poll = policy.poll.max(Duration::from_millis(20));
            let monitor = std::thread::Builder::new()
                .name("son1k-job-monitor".into())
                .spawn(move || {
                    let mut last_recovery = Instant::now();
                    while !stop.load(Ordering::Relaxed) {
                        // Jobs of processes that died while this one runs are recovered too.
                        if last_recovery.elapsed() >= policy.stale_after / 2 {
                            let _ =
                                store.recover_interrupted(policy.max_attempts, policy.stale_after);
                            last_recovery = Instant::now();
                        }
                        let ids: Vec<(String, Arc<AtomicBool>)> = running
                            .lock()
                            .map(|r| r.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                            .unwrap_or_default();
                        let alive: Vec<String> = ids.iter().map(|(id, _)| id.clone()).collect();
                        let _ = store.heartbeat(&alive);
                        for (id, flag) in ids {
                            if store
                                .job(&id)
                                .is_ok_and(|j| j.status == JobStatus::Cancelled)
                            {
                                flag.store(true, Ordering::Relaxed);
                            }
                        }
                        std::thread::sleep(poll);
                    }
                })
                .map_err(|e| AppError::Io {
                    action: "could not start the job monitor",
                    path: db.to_path_buf(),
                    source: e,
                })?;
            workers.push(monitor);
        }
        for n in 0..concurrency.max(1) {
            let store = Store::open(db)?;
            let (tx, stop, running, breakers, handlers, kinds) = (
                tx.clone(),
                stop.clone(),
                running.clone(),
                breakers.clone(),
                handlers.clone(),
                kinds.clone(),
            );
            let worker = std::thread::Builder::new()
                .name(format!("son1k-job-worker-{n}"))
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let open = breakers
                            .lock()
                            .map(|mut b| b.open_kinds())
                            .unwrap_or_default();
                        let job = match store.claim_next_among(Some(&kinds), &open) {
                            Ok(Some(job)) => job,
                            Ok(None) | Err(_) => {
                                std::thread::sleep(policy.poll);
                                continue;
                            }
                        };
                        let cancel = Arc::new(AtomicBool::new(false));
                        if let Ok(mut r) = running.lock() {
                            r.insert(job.id.clone(), cancel.clone());
                        }
                        let _ = tx.send(JobEvent::Started {
                            id: job.id.clone(),
                            kind: job.kind.clone(),
                        });
                        let ctx = JobContext {
                            id: job.id.clone(),
                            cancel: cancel.clone(),
                            events: tx.clone(),
                        };
                        let result = match handlers.get(&job.kind) {
                            Some(h) => {
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    h(&job, &ctx)
                                }))
                                .unwrap_or_else(|_| {
                                    Err(JobFailure::Fatal(format!(
                                        "the {} engine crashed",
                                        job.kind
                                    )))
                                })
                            }
                            None => Err(JobFailure::Fatal(format!(
                                "no engine can run {} jobs",
                                job.kind
                            ))),
                        };
                        if let Ok(mut r) = running.lock() {
                            r.remove(&job.id);
                        }
                        let (status, error) = match result {
                            Ok(()) if cancel.load(Ordering::Relaxed) => {
                                (JobStatus::Cancelled, None)
                            }
                            Ok(()) => {
                                let _ = store.finish(&job.id, JobStatus::Done, None);
                                (JobStatus::Done, None)
                            }
                            Err(JobFailure::Cancelled) => {
                                let _ = store.finish(&job.id, JobStatus::Cancelled, None);
                                (JobStatus::Cancelled, None)
                            }
                            Err(JobFailure::Retryable(e)) if job.attempts < policy.max_attempts => {
                                let exp = policy
                                    .base_delay
                                    .saturating_mul(1 << (job.attempts - 1).clamp(0, 20));
                                let delay = exp.min(policy.max_delay);
                                let delay = delay + jitter(delay / 2);
                                let _ = store.retry_later(&job.id, delay, &e);
                                (JobStatus::Queued, Some(e))
                            }
                            Err(JobFailure::Retryable(e)) | Err(JobFailure::Fatal(e)) => {
                                let _ = store.finish(&job.id, JobStatus::Failed, Some(&e));
                                (JobStatus::Failed, Some(e))
                            }
                        };
                        if let Ok(mut b) = breakers.lock() {
                            b.record(
                                &job.kind,
                                !matches!(status, JobStatus::Failed | JobStatus::Queued),
                                &policy,
                            );
                        }
                        let _ = tx.send(JobEvent::Finished {
                            id: job.id,
                            status,
                            error,
                        });
                    }
                })
                .map_err(|e| AppError::Io {
                    action: "could not start a job worker",
                    path: db.to_path_buf(),
                    source: e,
                })?;
            workers.push(worker);
        }
        Ok((
            Scheduler {
                db: db.to_path_buf(),
                stop,
                running,
                workers,
            },
            rx,
        ))
    }

    /// Cancels a job: a queued one never starts; a running one is told to stop and is marked
    /// cancelled at once. Returns whether anything was cancelled.
    pub fn cancel(&self, id: &str) -> Result<bool, AppError> {
        let changed = Store::open(&self.db)?.finish(id, JobStatus::Cancelled, None)?;
        if let Ok(r) = self.running.lock() {
            if let Some(flag) = r.get(id) {
                flag.store(true, Ordering::Relaxed);
            }
        }
        Ok(changed)
    }

    /// Stops taking new jobs and waits for the running ones to finish.
    pub fn shutdown(self) {
        self.stop.store(true, Ordering::Relaxed);
        for w in self.workers {
            let _ = w.join();
        }
    }
}
