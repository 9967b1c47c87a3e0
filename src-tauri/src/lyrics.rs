//! Lyric Studio's commands: models, live metre and rhyme, write and rewrite against the local
//! Ollama with streaming ([`LyricsText`] events) and cancel (`cancel_generation` with the id).

use son1k_app::Studio;
use son1k_core::Lang;
use son1k_lyrics::tools::{Event as LyricsEvent, WriteRequest};
use son1k_lyrics::{Check, ModelInfo, Rewrite, Written};
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::commands::{blocking, end_task, start_task, Running, UiError};
use crate::events::LyricsText;

/// The models installed in the local Ollama (a clear error naming the address when it is not
/// running).
#[tauri::command]
#[specta::specta]
pub async fn lyrics_models(studio: State<'_, Studio>) -> Result<Vec<ModelInfo>, UiError> {
    let studio = studio.inner().clone();
    blocking("asking Ollama for its models", move || {
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
    let cancel = start_task(&running, &id)?;
    let studio = studio.inner().clone();
    let task = id.clone();
    let result = blocking("writing lyrics", move || {
        let mut on_event = |e: LyricsEvent| {
            let (text, retry) = match e {
                LyricsEvent::Text(t) => (t, false),
                LyricsEvent::Retry(why) => (why, true),
            };
            let event = LyricsText {
                id: task.clone(),
                text,
                retry,
            };
            if let Err(e) = event.emit(&app) {
                eprintln!("son1k-studio: could not send lyrics text: {e}");
            }
        };
        Ok(studio.lyrics_write(&request, &mut on_event, &cancel)?)
    })
    .await;
    end_task(&running, &id);
    result
}

/// Rewrites one line keeping its syllable count; cancellable with `id`.
#[tauri::command]
#[specta::specta]
pub async fn lyrics_rewrite(
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    model: Option<String>,
    line: String,
    lang: Lang,
    context: Vec<String>,
) -> Result<Rewrite, UiError> {
    let cancel = start_task(&running, &id)?;
    let studio = studio.inner().clone();
    let result = blocking("rewriting the line", move || {
        Ok(studio.lyrics_rewrite(model.as_deref(), &line, lang, &context, None, &cancel)?)
    })
    .await;
    end_task(&running, &id);
    result
}

/// The lyrics as text with `[Verse]`/`[Chorus]` tags, as the Generator reads them.
#[tauri::command]
#[specta::specta]
pub fn lyrics_tagged(lyrics: son1k_lyrics::Lyrics) -> String {
    lyrics.to_tagged_text()
}
