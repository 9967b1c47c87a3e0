//! The commands the UI invokes. Each parses its arguments and calls `son1k-app`; nothing else.
//! Long ones run through [`crate::tasks::run_task`], short blocking ones through
//! [`crate::tasks::off_thread`].

use std::path::PathBuf;

use serde::Serialize;
use son1k_app::{
    AppError, AudioSettings, BuiltPrompt, GenerateReport, InstrumentChoice, NextStep, PresetInfo,
    SongSummary, Studio, StudioInfo,
};
use son1k_core::{GenerationRequest, Lang, PromptInput, TierLimits};
use tauri::{AppHandle, State};

use crate::tasks::{off_thread, run_task, Running};

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
    /// Named values (`path`, `model`, `kind`…) the UI needs to say the error in its own
    /// language from `code`; `message` stays the English sentence, shown as its detail.
    pub params: std::collections::BTreeMap<String, String>,
    /// What the user can do about it, most useful first: the UI offers each as a button.
    pub next: Vec<NextStep>,
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        UiError {
            code: e.code().to_string(),
            message: e.summary(),
            field: e.field().map(String::from),
            params: e.params(),
            next: e.next_steps(),
        }
    }
}

impl UiError {
    pub(crate) fn new(code: &str, message: String) -> Self {
        UiError {
            code: code.into(),
            message,
            field: None,
            params: Default::default(),
            next: Vec::new(),
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
    off_thread(studio, "the environment check", move |studio| {
        Ok(studio.info())
    })
    .await
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

/// Generates a song into a new folder under the songs folder, emitting [`crate::events::TaskProgress`]
/// events tagged with `id` (which [`cancel_task`] takes) while it runs.
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
    let studio = studio.inner().clone();
    run_task(
        app,
        &running,
        id,
        "the generation",
        move |progress, cancel| {
            Ok(studio.generate_song(request, instruments, &mut |p| progress.report(p), cancel)?)
        },
    )
    .await
}

/// Asks the task `id` (a generation, a produced backing, lyrics being written) to stop; false
/// when no such task is running.
#[tauri::command]
#[specta::specta]
pub fn cancel_task(running: State<'_, Running>, id: String) -> bool {
    running.cancel(&id)
}

/// The generated takes in the songs folder, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_songs(studio: State<'_, Studio>) -> Result<Vec<SongSummary>, UiError> {
    off_thread(studio, "listing songs", move |studio| Ok(studio.songs()?)).await
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

/// The audio settings in force: the chosen output and input (by name; `null` follows the
/// system's default) and the output buffer.
#[tauri::command]
#[specta::specta]
pub async fn audio_settings(studio: State<'_, Studio>) -> Result<AudioSettings, UiError> {
    off_thread(studio, "reading the audio settings", move |studio| {
        Ok(studio.audio_settings()?)
    })
    .await
}

/// Saves and applies audio settings; returns what was saved (names trimmed, blank as default).
#[tauri::command]
#[specta::specta]
pub async fn set_audio_settings(
    studio: State<'_, Studio>,
    settings: AudioSettings,
) -> Result<AudioSettings, UiError> {
    off_thread(studio, "saving the audio settings", move |studio| {
        Ok(studio.set_audio_settings(settings)?)
    })
    .await
}
