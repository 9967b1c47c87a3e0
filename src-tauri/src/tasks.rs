//! Long work started from the UI, run one way: registered under the id the UI gave it (so that
//! `cancel_task` can stop it), run on the blocking pool, its progress sent to the UI as
//! throttled [`TaskProgress`] events, and forgotten when it ends, however it ends. Short
//! calls use [`off_thread`]: the blocking pool, without the registration.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use son1k_app::{Progress, Studio};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::commands::UiError;
use crate::events::TaskProgress;

/// Tasks in progress, keyed by the id the UI gave each, with the flag that cancels it.
#[derive(Default)]
pub struct Running(Mutex<HashMap<String, Arc<AtomicBool>>>);

impl Running {
    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<AtomicBool>>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a cancellable task under `id`; fails when that id is already running.
    fn start(&self, id: &str) -> Result<Arc<AtomicBool>, UiError> {
        let cancel = Arc::new(AtomicBool::new(false));
        if self.map().insert(id.to_string(), cancel.clone()).is_some() {
            return Err(UiError::new(
                "busy",
                format!("a task with id {id} is already running; wait for it or cancel it"),
            ));
        }
        Ok(cancel)
    }

    /// Forgets the task `id` (it finished).
    fn end(&self, id: &str) {
        self.map().remove(id);
    }

    /// Asks the task `id` to stop; false when no such task is running.
    pub(crate) fn cancel(&self, id: &str) -> bool {
        match self.map().get(id) {
            Some(flag) => {
                flag.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }
}

/// A task's progress on its way to the UI: at most one event per 1 % or per stage change, and
/// always the last one.
pub(crate) struct Reporter {
    app: AppHandle,
    id: String,
    last: Progress,
}

impl Reporter {
    /// Reports how far the work has got (the engines' own [`Progress`], sent on as is).
    pub(crate) fn report(&mut self, p: Progress) {
        if p.fraction - self.last.fraction < 0.01 && p.stage == self.last.stage && p.fraction < 1.0
        {
            return;
        }
        let event = TaskProgress {
            id: self.id.clone(),
            fraction: p.fraction,
            stage: p.stage.to_string(),
        };
        self.last = p;
        if let Err(e) = event.emit(&self.app) {
            eprintln!(
                "son1k-studio: could not send the progress of {}: {e}",
                self.id
            );
        }
    }

    /// The app, for tasks that send events of their own (lyrics text).
    pub(crate) fn app(&self) -> &AppHandle {
        &self.app
    }

    /// The id the UI gave the task.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

/// Runs `work` as the task `id`: cancellable through [`Running::cancel`] while it runs, with its
/// progress reported to the UI; `what` names it if the worker dies.
pub(crate) async fn run_task<T: Send + 'static>(
    app: AppHandle,
    running: &Running,
    id: String,
    what: &'static str,
    work: impl FnOnce(&mut Reporter, &AtomicBool) -> Result<T, UiError> + Send + 'static,
) -> Result<T, UiError> {
    let cancel = running.start(&id)?;
    let mut reporter = Reporter {
        app,
        id: id.clone(),
        // Below any real fraction, so that the first report is always sent.
        last: Progress {
            fraction: -1.0,
            stage: "".into(),
        },
    };
    let result = blocking(what, move || work(&mut reporter, &cancel)).await;
    running.end(&id);
    result
}

/// Runs blocking studio work off the UI thread; `what` names it if the worker dies.
pub(crate) async fn blocking<T: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> Result<T, UiError> + Send + 'static,
) -> Result<T, UiError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| UiError::new("internal", format!("{what} stopped unexpectedly: {e}")))?
}

/// Runs `f` with the studio off the UI thread (see [`blocking`]).
pub(crate) async fn off_thread<T: Send + 'static>(
    studio: State<'_, Studio>,
    what: &str,
    f: impl FnOnce(Studio) -> Result<T, UiError> + Send + 'static,
) -> Result<T, UiError> {
    let studio = studio.inner().clone();
    blocking(what, move || f(studio)).await
}
