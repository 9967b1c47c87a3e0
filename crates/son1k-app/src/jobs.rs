//! Running work as library jobs from a façade call: enqueue, run with a scheduler in this process,
//! wait (also for rows another process's scheduler finishes), and collect the stored results.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::Duration;

use son1k_store::{Job, JobStatus, Store};

use crate::scheduler::{self, Handler, JobContext, JobEvent, JobFailure, Policy, Scheduler};
use crate::{AppError, Studio};

/// The work of one job: returns the JSON result stored with the job.
pub type Work =
    Arc<dyn Fn(&Job, &JobContext) -> Result<serde_json::Value, JobFailure> + Send + Sync>;

/// Where a batch of jobs stands.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchProgress {
    /// Jobs finished (done, failed or cancelled).
    pub done: usize,
    /// Jobs in the batch.
    pub total: usize,
    /// Overall fraction, counting running jobs' own progress.
    pub fraction: f64,
    /// The latest stage a running job reported.
    pub stage: Option<String>,
}

fn finished(s: JobStatus) -> bool {
    !matches!(s, JobStatus::Queued | JobStatus::Running)
}

/// Wraps work as a scheduler handler that stores the work's result with the job.
pub fn handler(db: &std::path::Path, work: Work) -> Handler {
    let db = db.to_path_buf();
    Arc::new(move |job, ctx| {
        let value = work(job, ctx)?;
        Store::open(&db)
            .and_then(|s| s.set_result(&job.id, &value))
            .map_err(|e| JobFailure::Retryable(e.to_string()))
    })
}

/// Runs every queued job of the kinds in `works` (including jobs re-queued after a crash) until
/// none is left queued or running; returns how many jobs finished. `progress(done, left)`.
pub fn drain(
    studio: &Studio,
    works: HashMap<String, Work>,
    progress: &mut dyn FnMut(usize, usize),
    cancel: &AtomicBool,
) -> Result<usize, AppError> {
    let lib = studio.library()?;
    let db = studio.paths().data_dir.join("library.db");
    let kinds: Vec<String> = works.keys().cloned().collect();
    let handlers: HashMap<String, Handler> = works
        .into_iter()
        .map(|(k, w)| (k, handler(&db, w)))
        .collect();
    let (sched, events) = Scheduler::start(
        &db,
        scheduler::default_concurrency(),
        handlers,
        Policy::default(),
    )?;
    let open = |lib: &Store| -> Result<usize, AppError> {
        Ok(lib
            .jobs()?
            .iter()
            .filter(|j| kinds.contains(&j.kind) && !finished(j.status))
            .count())
    };
    let mut done = 0;
    loop {
        if cancel.load(Ordering::Relaxed) {
            for j in lib.jobs()? {
                if kinds.contains(&j.kind) && !finished(j.status) {
                    sched.cancel(&j.id)?;
                }
            }
        }
        match events.recv_timeout(Duration::from_millis(250)) {
            Ok(JobEvent::Finished { status, .. }) if finished(status) => done += 1,
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let left = open(&lib)?;
        progress(done, left);
        if left == 0 {
            break;
        }
    }
    sched.shutdown();
    Ok(done)
}

/// Enqueues one `kind` job per payload, runs them and returns each job's result in order.
/// Setting `cancel` cancels every job of the batch that has not finished (a running handler is
/// told to stop; queued ones never start).
pub fn run(
    studio: &Studio,
    kind: &str,
    payloads: Vec<serde_json::Value>,
    work: Work,
    progress: &mut dyn FnMut(BatchProgress),
    cancel: &AtomicBool,
) -> Result<Vec<Result<serde_json::Value, AppError>>, AppError> {
    let lib = studio.library()?;
    let db = studio.paths().data_dir.join("library.db");
    let mut ids = Vec::with_capacity(payloads.len());
    for p in &payloads {
        ids.push(lib.enqueue(kind, p, 0)?.id);
    }
    let handlers = HashMap::from([(kind.to_string(), handler(&db, work))]);
    let (sched, events) = Scheduler::start(
        &db,
        scheduler::default_concurrency(),
        handlers,
        Policy::default(),
    )?;
    // Another process's scheduler may run some of these jobs (it shares the library), so
    // besides our own events, look at the rows themselves now and then.
    let mut pending: HashSet<&String> = ids.iter().collect();
    let mut running: HashMap<String, f64> = HashMap::new();
    let mut stage = None;
    let mut cancelled = false;
    while !pending.is_empty() {
        if !cancelled && cancel.load(Ordering::Relaxed) {
            cancelled = true;
            for id in &pending {
                sched.cancel(id)?;
            }
        }
        match events.recv_timeout(Duration::from_millis(250)) {
            Ok(JobEvent::Finished { id, status, .. }) if finished(status) => {
                running.remove(&id);
                pending.remove(&id);
            }
            Ok(JobEvent::Progress {
                id,
                fraction,
                stage: s,
            }) => {
                running.insert(id, fraction);
                if s.is_some() {
                    stage = s;
                }
            }
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => {
                pending.retain(|id| lib.job(id).map(|j| !finished(j.status)).unwrap_or(false));
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let done = ids.len() - pending.len();
        let partial: f64 = running
            .iter()
            .filter(|(id, _)| pending.contains(id))
            .map(|(_, f)| *f)
            .sum();
        progress(BatchProgress {
            done,
            total: ids.len(),
            fraction: ((done as f64 + partial) / ids.len().max(1) as f64).min(1.0),
            stage: stage.clone(),
        });
    }
    sched.shutdown();
    ids.iter()
        .map(|id| {
            let job = lib.job(id)?;
            Ok(match job.status {
                JobStatus::Done => Ok(lib.result(id)?.unwrap_or_default()),
                _ => Err(AppError::JobFailed {
                    kind: job.kind.clone(),
                    message: job
                        .error
                        .unwrap_or_else(|| format!("the {} job was cancelled", job.kind)),
                }),
            })
        })
        .collect()
}
