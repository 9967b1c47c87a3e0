//! The commands the UI invokes. Each parses its arguments and calls `son1k-app`; nothing else.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use son1k_app::{
    AppError, BuiltPrompt, GenerateOptions, GenerateReport, InstrumentChoice, PresetInfo, Studio,
    StudioInfo,
};
use son1k_core::{GenerationRequest, Lang, PromptInput, TierLimits};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::events::GenerationProgress;
use crate::songs::{self, SongSummary};

/// What the UI receives when a command fails: a stable code, a message for the user and, for
/// invalid input, the field to highlight.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct UiError {
    /// Stable machine-readable code, e.g. `invalid-input`.
    pub code: String,
    /// What went wrong and what to do, in one sentence.
    pub message: String,
    /// The offending field, for invalid input.
    pub field: Option<String>,
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        let field = match &e {
            AppError::Invalid(v) => Some(v.field.clone()),
            _ => None,
        };
        UiError {
            code: e.code().to_string(),
            message: e.to_string(),
            field,
        }
    }
}

impl UiError {
    pub(crate) fn new(code: &str, message: String) -> Self {
        UiError {
            code: code.into(),
            message,
            field: None,
        }
    }
}

/// A genre for the Generator's menu.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct GenreOption {
    /// Stable identifier.
    pub id: String,
    /// Name in the requested language.
    pub name: String,
}

/// Version, folders, engines, Ollama and audio devices (probes run off the UI thread).
#[tauri::command]
#[specta::specta]
pub async fn app_info(studio: State<'_, Studio>) -> Result<StudioInfo, UiError> {
    let studio = studio.inner().clone();
    tauri::async_runtime::spawn_blocking(move || studio.info())
        .await
        .map_err(|e| UiError {
            code: "internal".into(),
            message: format!("the environment check stopped unexpectedly: {e}"),
            field: None,
        })
}

/// The prompt for the given fields and knobs, with each knob's range description in
/// `display_lang` (the UI's language; the prompt itself is in `input.lang`).
#[tauri::command]
#[specta::specta]
pub fn build_prompt(
    studio: State<'_, Studio>,
    input: PromptInput,
    display_lang: Lang,
) -> Result<BuiltPrompt, UiError> {
    Ok(studio.build_prompt(&input, display_lang)?)
}

/// The tier table.
#[tauri::command]
#[specta::specta]
pub fn tiers(studio: State<'_, Studio>) -> Vec<TierLimits> {
    studio.tiers()
}

/// The built-in knob presets.
#[tauri::command]
#[specta::specta]
pub fn presets(studio: State<'_, Studio>) -> Vec<PresetInfo> {
    studio.presets()
}

/// The known genres, named in `lang`.
#[tauri::command]
#[specta::specta]
pub fn genres(studio: State<'_, Studio>, lang: Lang) -> Vec<GenreOption> {
    studio
        .genres(lang)
        .into_iter()
        .map(|(id, name)| GenreOption { id, name })
        .collect()
}

/// Generations in progress, keyed by the id the UI gave each, with the flag that cancels it.
#[derive(Default)]
pub struct Running(Mutex<HashMap<String, Arc<AtomicBool>>>);

impl Running {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<AtomicBool>>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Generates a song into a new folder under the songs folder, emitting [`GenerationProgress`]
/// events tagged with `id` (which [`cancel_generation`] takes) while it runs.
#[tauri::command]
#[specta::specta]
pub async fn generate(
    app: AppHandle,
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    request: GenerationRequest,
    instruments: InstrumentChoice,
) -> Result<GenerateReport, UiError> {
    let cancel = Arc::new(AtomicBool::new(false));
    if running.map().insert(id.clone(), cancel.clone()).is_some() {
        return Err(UiError::new(
            "busy",
            format!("a generation with id {id} is already running; wait for it or cancel it"),
        ));
    }
    let studio = studio.inner().clone();
    let task_id = id.clone();
    let result = tauri::async_runtime::spawn_blocking(move || {
        // Counted against the account's lease (FREE: 3 a UTC day), checked locally first — as
        // the CLI's generate does.
        if studio.quota_applies()? {
            studio.quota_check(request.quality)?;
        }
        let songs = songs::songs_dir(&studio);
        let out_dir = songs::reserve(&songs).map_err(|e| {
            UiError::new(
                "io",
                format!("could not create a folder in {}: {e}", songs.display()),
            )
        })?;
        let options = GenerateOptions {
            request,
            out_dir: out_dir.clone(),
            instruments,
        };
        // Forward the engine's progress, at most every 1% or when the stage changes.
        let mut last = (-1.0, String::new());
        let mut progress = |fraction: f64, stage: &str| {
            if fraction - last.0 < 0.01 && stage == last.1 && fraction < 1.0 {
                return;
            }
            last = (fraction, stage.to_string());
            let event = GenerationProgress {
                id: task_id.clone(),
                fraction,
                stage: stage.to_string(),
            };
            if let Err(e) = event.emit(&app) {
                eprintln!("son1k-studio: could not send generation progress: {e}");
            }
        };
        let report = studio.generate(&options, &mut progress, &cancel);
        if report.is_err() {
            // The take's folder is still empty: drop it so the list shows only finished takes.
            let _ = std::fs::remove_dir(&out_dir);
        }
        let report = report?;
        studio.count_generation(&report.job_id, &options.request)?;
        Ok(report)
    })
    .await;
    running.map().remove(&id);
    result.map_err(|e| {
        UiError::new(
            "internal",
            format!("the generation stopped unexpectedly: {e}"),
        )
    })?
}

/// Asks the task `id` (a generation, a produced backing, lyrics being written) to stop; false
/// when no such task is running.
#[tauri::command]
#[specta::specta]
pub fn cancel_generation(running: State<'_, Running>, id: String) -> bool {
    match running.map().get(&id) {
        Some(flag) => {
            flag.store(true, Ordering::SeqCst);
            true
        }
        None => false,
    }
}

/// The generated takes in the songs folder, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_songs(studio: State<'_, Studio>) -> Result<Vec<SongSummary>, UiError> {
    let songs = songs::songs_dir(studio.inner());
    tauri::async_runtime::spawn_blocking(move || {
        songs::list(&songs).map_err(|e| {
            UiError::new(
                "io",
                format!("could not read the songs folder {}: {e}", songs.display()),
            )
        })
    })
    .await
    .map_err(|e| {
        UiError::new(
            "internal",
            format!("listing songs stopped unexpectedly: {e}"),
        )
    })?
}

/// Shows `path` (a take's folder or file) in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn reveal_song(path: PathBuf) -> Result<(), UiError> {
    tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| {
        UiError::new(
            "open",
            format!("could not show {} in the file manager: {e}", path.display()),
        )
    })
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

/// Registers a cancellable task under `id`; fails when that id is already running.
pub(crate) fn start_task(running: &Running, id: &str) -> Result<Arc<AtomicBool>, UiError> {
    let cancel = Arc::new(AtomicBool::new(false));
    if running
        .map()
        .insert(id.to_string(), cancel.clone())
        .is_some()
    {
        return Err(UiError::new(
            "busy",
            format!("a task with id {id} is already running; wait for it or cancel it"),
        ));
    }
    Ok(cancel)
}

/// Forgets the task `id` (it finished).
pub(crate) fn end_task(running: &Running, id: &str) {
    running.map().remove(id);
}
