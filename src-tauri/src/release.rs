//! Nova Post Pilot's commands (the Release screen): plan a release, write or regenerate posts
//! with the local Ollama (streamed as [`PostText`] events, cancellable with `cancel_task`),
//! hold an edited post to its limits, list and move calendar events, export and import `.ics`,
//! and show a release's folder. Each is one call into `son1k-app`.

use std::path::PathBuf;

use son1k_app::{
    EventView, ImportReport, PlanOptions, PlanReport, PostEvent, PostView, Posts, PostsRequest,
    ReleaseView, Studio,
};
use son1k_core::release::Month;
use son1k_core::{Date, Post};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::commands::UiError;
use crate::events::PostText;
use crate::tasks::{off_thread, run_task, Reporter, Running};

/// Sends a writer's event to the UI as a [`PostText`] tagged with the task's id.
fn forward(task: &Reporter, e: PostEvent) {
    let (platform, lang, text, retry) = match e {
        PostEvent::Text {
            platform,
            lang,
            text,
        } => (platform, lang, text, false),
        PostEvent::Retry {
            platform,
            lang,
            why,
        } => (platform, lang, why, true),
    };
    let event = PostText {
        id: task.id().to_string(),
        platform,
        lang,
        text,
        retry,
    };
    if let Err(e) = event.emit(task.app()) {
        eprintln!("son1k-studio: could not send post text: {e}");
    }
}

/// Plans a release: folder, calendar, clips and (with Ollama) posts; cancellable with `id`.
#[tauri::command]
#[specta::specta]
pub async fn release_plan(
    app: AppHandle,
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    options: PlanOptions,
) -> Result<PlanReport, UiError> {
    let studio = studio.inner().clone();
    run_task(
        app,
        &running,
        id,
        "planning the release",
        move |task, cancel| {
            let mut on_event = |e: PostEvent| forward(task, e);
            Ok(studio.release_plan(&options, &mut on_event, cancel)?)
        },
    )
    .await
}

/// Writes posts for a song (one platform and language regenerates one); cancellable with `id`.
#[tauri::command]
#[specta::specta]
pub async fn release_posts(
    app: AppHandle,
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    request: PostsRequest,
) -> Result<Posts, UiError> {
    let studio = studio.inner().clone();
    run_task(app, &running, id, "writing posts", move |task, cancel| {
        let mut on_event = |e: PostEvent| forward(task, e);
        Ok(studio.release_posts(&request, &mut on_event, cancel)?)
    })
    .await
}

/// A post the user edited, trimmed at a word boundary when it breaks its platform's limits.
#[tauri::command]
#[specta::specta]
pub fn release_edit_post(studio: State<'_, Studio>, post: Post) -> PostView {
    studio.release_edit_post(post)
}

/// Every planned release, newest first.
#[tauri::command]
#[specta::specta]
pub async fn releases(studio: State<'_, Studio>) -> Result<Vec<ReleaseView>, UiError> {
    off_thread(studio, "reading the releases", move |studio| {
        Ok(studio.releases()?)
    })
    .await
}

/// A release's calendar, by day.
#[tauri::command]
#[specta::specta]
pub async fn release_events(
    studio: State<'_, Studio>,
    release_id: String,
) -> Result<Vec<EventView>, UiError> {
    off_thread(studio, "reading the calendar", move |studio| {
        Ok(studio.release_events(&release_id)?)
    })
    .await
}

/// Every release's events in a month (`YYYY-MM`), by day.
#[tauri::command]
#[specta::specta]
pub async fn release_month(
    studio: State<'_, Studio>,
    month: Month,
) -> Result<Vec<EventView>, UiError> {
    off_thread(studio, "reading the calendar", move |studio| {
        Ok(studio.release_month(month)?)
    })
    .await
}

/// Moves an event to another day (the release's `release.ics` is rewritten).
#[tauri::command]
#[specta::specta]
pub async fn release_reschedule(
    studio: State<'_, Studio>,
    event_id: String,
    date: Date,
) -> Result<EventView, UiError> {
    off_thread(studio, "moving the event", move |studio| {
        Ok(studio.release_reschedule(&event_id, date)?)
    })
    .await
}

/// Writes a release's calendar to `path` (RFC 5545).
#[tauri::command]
#[specta::specta]
pub async fn release_export_ics(
    studio: State<'_, Studio>,
    release_id: String,
    path: PathBuf,
) -> Result<(), UiError> {
    off_thread(studio, "exporting the calendar", move |studio| {
        studio.release_export_ics(&release_id, &path)?;
        Ok(())
    })
    .await
}

/// Reads an `.ics` file into a release's calendar (events matched by UID).
#[tauri::command]
#[specta::specta]
pub async fn release_import_ics(
    studio: State<'_, Studio>,
    release_id: String,
    path: PathBuf,
) -> Result<ImportReport, UiError> {
    off_thread(studio, "importing the calendar", move |studio| {
        Ok(studio.release_import_ics(&release_id, &path)?)
    })
    .await
}

/// Asks the user where to save (`save`) or which `.ics` file to open; None when they cancel.
#[tauri::command]
#[specta::specta]
pub async fn pick_ics(
    app: AppHandle,
    save: bool,
    name: String,
) -> Result<Option<PathBuf>, UiError> {
    use tauri_plugin_dialog::DialogExt;
    crate::tasks::blocking("the file dialog", move || {
        let dialog = app
            .dialog()
            .file()
            .add_filter("iCalendar", &["ics"])
            .set_file_name(name);
        let picked = if save {
            dialog.blocking_save_file()
        } else {
            dialog.blocking_pick_file()
        };
        crate::ghost::chosen_path(picked)
    })
    .await
}

/// Opens the platform's upload page in the system browser (posting stays with the user).
#[tauri::command]
#[specta::specta]
pub fn open_upload_page(platform: son1k_core::Platform) -> Result<(), UiError> {
    tauri_plugin_opener::open_url(platform.upload_url(), None::<&str>).map_err(|e| {
        UiError::new(
            "open",
            format!(
                "could not open {} in the browser: {e}",
                platform.upload_url()
            ),
        )
    })
}
