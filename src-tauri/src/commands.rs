//! The commands the UI invokes. Each parses its arguments and calls `son1k-app`; nothing else.

use serde::Serialize;
use son1k_app::{AppError, BuiltPrompt, PresetInfo, Studio, StudioInfo};
use son1k_core::{Lang, PromptInput, TierLimits};
use tauri::State;

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
