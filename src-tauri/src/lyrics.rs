//! Lyric Studio's commands: models, live metre and rhyme, write and rewrite against the local
//! Ollama with streaming ([`LyricsText`] events) and cancel (`cancel_task` with the id).

use son1k_app::lyrics::{
    Check, Event as LyricsEvent, Lyrics, ModelInfo, Rewrite, WriteRequest, Written,
};
use son1k_app::Studio;
use son1k_core::Lang;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::commands::UiError;
use crate::events::LyricsText;
use crate::tasks::{off_thread, run_task, Running};

/// The models installed in the local Ollama (a clear error naming the address when it is not
/// running).
#[tauri::command]
#[specta::specta]
pub async fn lyrics_models(studio: State<'_, Studio>) -> Result<Vec<ModelInfo>, UiError> {
    off_thread(studio, "asking Ollama for its models", move |studio| {
        Ok(studio.lyrics_models()?)
    })
    .await
}

/// Syllables and rhyme letters per line, and each section's scheme (no model needed).
#[tauri::command]
#[specta::specta]
pub fn lyrics_check(studio: State<'_, Studio>, text: String, lang: Lang) -> Check {
    studio.lyrics_check(&text, lang)
}

/// Writes lyrics from a theme, streaming [`LyricsText`] events tagged with `id`.
#[tauri::command]
#[specta::specta]
pub async fn lyrics_write(
    app: AppHandle,
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    request: WriteRequest,
) -> Result<Written, UiError> {
    let studio = studio.inner().clone();
    run_task(app, &running, id, "writing lyrics", move |task, cancel| {
        let mut on_event = |e: LyricsEvent| {
            let (text, retry) = match e {
                LyricsEvent::Text(t) => (t, false),
                LyricsEvent::Retry(why) => (why, true),
            };
            let event = LyricsText {
                id: task.id().to_string(),
                text,
                retry,
            };
            if let Err(e) = event.emit(task.app()) {
                eprintln!("son1k-studio: could not send lyrics text: {e}");
            }
        };
        Ok(studio.lyrics_write(&request, &mut on_event, cancel)?)
    })
    .await
}

/// Rewrites one line keeping its syllable count; cancellable with `id`.
// A Tauri command takes its arguments one by one (the UI names them); the app handle, studio
// and task registry are injected.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
#[specta::specta]
pub async fn lyrics_rewrite(
    app: AppHandle,
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    model: Option<String>,
    line: String,
    lang: Lang,
    context: Vec<String>,
) -> Result<Rewrite, UiError> {
    let studio = studio.inner().clone();
    run_task(app, &running, id, "rewriting the line", move |_, cancel| {
        Ok(studio.lyrics_rewrite(model.as_deref(), &line, lang, &context, None, cancel)?)
    })
    .await
}

/// The lyrics as text with `[Verse]`/`[Chorus]` tags, as the Generator reads them.
#[tauri::command]
#[specta::specta]
pub fn lyrics_tagged(lyrics: Lyrics) -> String {
    lyrics.to_tagged_text()
}
