//! The Dashboard's commands: the library (songs and projects) and the jobs, with cancel.

use son1k_app::jobs::JobView;
use son1k_app::library::Entry;
use son1k_app::Studio;
use tauri::State;

use crate::commands::{blocking, UiError};

/// Songs and projects, newest first.
#[tauri::command]
#[specta::specta]
pub async fn library_entries(studio: State<'_, Studio>) -> Result<Vec<Entry>, UiError> {
    let studio = studio.inner().clone();
    blocking("reading the library", move || Ok(studio.library_entries()?)).await
}

/// The newest jobs (at most 50), newest first.
#[tauri::command]
#[specta::specta]
pub async fn jobs_list(studio: State<'_, Studio>) -> Result<Vec<JobView>, UiError> {
    let studio = studio.inner().clone();
    blocking("reading the jobs", move || {
        Ok(son1k_app::jobs::list(&studio, 50)?)
    })
    .await
}

/// Cancels a queued or running job (a running one stops promptly, wherever it runs).
#[tauri::command]
#[specta::specta]
pub async fn job_cancel(studio: State<'_, Studio>, id: String) -> Result<(), UiError> {
    let studio = studio.inner().clone();
    blocking("cancelling the job", move || {
        Ok(son1k_app::jobs::cancel(&studio, &id)?)
    })
    .await
}
