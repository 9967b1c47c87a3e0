//! Running work as library jobs from a façade call: enqueue, run with a scheduler in this process,
//! wait (also for rows another process's scheduler finishes), and collect the stored results.

use son1k_core::Progress;
use std::borrow::Cow;
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

impl BatchProgress {
    /// The batch's progress as the one progress type: its overall fraction and the running job's
    /// stage (`queued` until a job reports one).
    pub fn progress(&self) -> Progress {
        Progress::new(
            self.fraction as f32,
            match &self.stage {
                Some(s) => Cow::Owned(s.clone()),
                None => Cow::Borrowed("queued"),
            },
        )
    }
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
    let db = studio.paths().library_db();
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

/// Runs one `kind` job for `request` (see [`run`]) and reads its stored result as `T`; a job
/// that ended because `cancel` was set answers `cancelled()`.
pub fn run_one<T: serde::de::DeserializeOwned>(
    studio: &Studio,
    kind: &str,
    request: &impl serde::Serialize,
    work: Work,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
    cancelled: impl FnOnce() -> AppError,
) -> Result<T, AppError> {
    let failed = |message: String| AppError::JobFailed {
        kind: kind.into(),
        message,
    };
    let payload = serde_json::to_value(request).map_err(|e| failed(e.to_string()))?;
    let mut results = run(
        studio,
        kind,
        vec![payload],
        work,
        &mut |p| progress(p.progress()),
        cancel,
    )?;
    let value = match results.pop() {
        Some(Ok(v)) => v,
        Some(Err(_)) if cancel.load(Ordering::Relaxed) => return Err(cancelled()),
        Some(Err(e)) => return Err(e),
        None => return Err(failed("the job disappeared".into())),
    };
    serde_json::from_value(value)
        .map_err(|e| failed(format!("the job's report could not be read: {e}")))
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
    let db = studio.paths().library_db();
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
    let mut written: HashMap<String, f64> = HashMap::new();
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
                // Kept in the row too (every 2%), for `son1k jobs list` and the Dashboard,
                // which may be another process.
                let last = written.get(&id).copied().unwrap_or(0.0);
                if fraction - last >= 0.02 || (fraction >= 1.0 && last < 1.0) {
                    let _ = lib.set_progress(&id, fraction);
                    written.insert(id.clone(), fraction);
                }
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

/// A job as the Dashboard shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobView {
    /// Id.
    pub id: String,
    /// Kind (`generate`, `analyze`, …).
    pub kind: String,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub status: String,
    /// Progress, 0–1.
    pub progress: f64,
    /// What it works on: a generation's prompt, an analysed file.
    pub label: String,
    /// Why it failed.
    pub error: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_ms: f64,
}

impl From<&Job> for JobView {
    fn from(j: &Job) -> Self {
        let p = &j.payload;
        let label = ["prompt", "file", "name"]
            .iter()
            .find_map(|k| p[k].as_str().or_else(|| p["request"][k].as_str()))
            .unwrap_or_default()
            .to_string();
        JobView {
            id: j.id.clone(),
            kind: j.kind.clone(),
            status: j.status.as_str().to_string(),
            progress: j.progress,
            label,
            error: j.error.clone(),
            created_ms: j.created_ms as f64,
        }
    }
}

/// The `limit` newest jobs, newest first.
pub fn list(studio: &Studio, limit: usize) -> Result<Vec<JobView>, AppError> {
    Ok(studio
        .library()?
        .jobs()?
        .iter()
        .take(limit)
        .map(JobView::from)
        .collect())
}

/// Cancels a queued or running job, as `son1k jobs cancel` does: a running one stops promptly,
/// in whichever process runs it. Fails, naming its state, when the job is already finished.
pub fn cancel(studio: &Studio, id: &str) -> Result<(), AppError> {
    change(studio, id, "queued or running; nothing to cancel", |lib| {
        lib.finish(id, JobStatus::Cancelled, None)
    })
}

/// Queues a failed or cancelled job again, as `son1k jobs retry` does. Fails, naming its state,
/// when the job is queued, running or done.
pub fn retry(studio: &Studio, id: &str) -> Result<(), AppError> {
    change(
        studio,
        id,
        "failed or cancelled; only those can be retried",
        |lib| lib.requeue(id),
    )
}

/// Applies a state change to the job `id`; when the store refuses it (the job is in another
/// state), the error names that state and `needs`, the states that allow it.
fn change(
    studio: &Studio,
    id: &str,
    needs: &str,
    apply: impl FnOnce(&Store) -> Result<bool, son1k_store::StoreError>,
) -> Result<(), AppError> {
    let lib = studio.library()?;
    let job = lib.job(id)?;
    if apply(&lib)? {
        Ok(())
    } else {
        Err(AppError::Invalid(son1k_core::ValidationError::new(
            "job",
            id,
            format!("the job is {}, not {needs}", job.status.as_str()),
        )))
    }
}
