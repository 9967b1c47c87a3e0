//! The Dashboard's commands: the library (songs and projects) and the jobs, with cancel.

use son1k_app::jobs::JobView;
use son1k_app::library::Entry;
use son1k_app::Studio;
use tauri::State;

use crate::commands::UiError;
use crate::tasks::off_thread;

/// Songs and projects, newest first.
#[tauri::command]
#[specta::specta]
pub async fn library_entries(studio: State<'_, Studio>) -> Result<Vec<Entry>, UiError> {
    off_thread(studio, "reading the library", move |studio| {
        Ok(studio.library_entries()?)
    })
    .await
}

/// The newest jobs (at most 50), newest first.
#[tauri::command]
#[specta::specta]
pub async fn jobs_list(studio: State<'_, Studio>) -> Result<Vec<JobView>, UiError> {
    off_thread(studio, "reading the jobs", move |studio| {
        Ok(son1k_app::jobs::list(&studio, 50)?)
    })
    .await
}

/// Cancels a queued or running job (a running one stops promptly, wherever it runs).
#[tauri::command]
#[specta::specta]
pub async fn job_cancel(studio: State<'_, Studio>, id: String) -> Result<(), UiError> {
    off_thread(studio, "cancelling the job", move |studio| {
        Ok(son1k_app::jobs::cancel(&studio, &id)?)
    })
    .await
}
