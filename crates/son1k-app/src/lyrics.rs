//! Lyric Studio through the façade: resolves `OLLAMA_HOST`, runs the son1k-lyrics tools on a
//! small runtime of their own (callers stay synchronous, as for every other façade call), and
//! turns lyrics into a Generator request.

use std::sync::atomic::AtomicBool;

use son1k_core::Lang;
use son1k_lyrics::ollama::block_on;
use son1k_lyrics::tools;
use son1k_lyrics::{Client, LyricsError, PromptFields, Timeouts};

// The Lyric Studio's types, for the front ends.
pub use son1k_lyrics::tools::{Event, WriteRequest};
pub use son1k_lyrics::{detect_lang, Check, Lyrics, ModelInfo, Rewrite, Rhymes, Written};

use crate::{ollama, AppError};

/// The Ollama address from `OLLAMA_HOST` (or the default), as `http://host:port`.
pub fn address() -> Result<String, AppError> {
    let setting = std::env::var("OLLAMA_HOST").ok();
    let setting = setting.as_deref().unwrap_or(ollama::DEFAULT_OLLAMA);
    let (host, port) = ollama::parse_host(setting).map_err(|e| {
        AppError::Lyrics(LyricsError::Invalid(format!(
            "OLLAMA_HOST is malformed: {e}"
        )))
    })?;
    Ok(ollama::url(&host, port))
}

fn client() -> Result<Client, AppError> {
    Ok(Client::new(&address()?, Timeouts::default())?)
}

fn run<T>(fut: impl std::future::Future<Output = Result<T, LyricsError>>) -> Result<T, AppError> {
    Ok(block_on(fut)??)
}

/// The installed models.
pub fn models() -> Result<Vec<ModelInfo>, AppError> {
    let c = client()?;
    run(c.models())
}

/// Which of `models` a write uses when none is asked for (qwen2.5 if installed, else the
/// first), without asking Ollama again.
pub fn default_among(models: &[ModelInfo]) -> Option<String> {
    son1k_lyrics::ollama::choose_model(models, None, "").ok()
}

/// The model a write would use (`wanted` if installed, else qwen2.5, else the first).
pub fn default_model(wanted: Option<&str>) -> Result<String, AppError> {
    let c = client()?;
    run(c.pick_model(wanted))
}

/// Writes lyrics from a theme, streaming events.
pub fn write(
    req: &WriteRequest,
    on_event: &mut (dyn FnMut(Event) + Send),
    cancel: &AtomicBool,
) -> Result<Written, AppError> {
    let c = client()?;
    run(tools::write(&c, req, on_event, cancel))
}

/// Rewrites one line keeping its syllable count.
pub fn rewrite(
    model: Option<&str>,
    line: &str,
    lang: Lang,
    context: &[String],
    instruction: Option<&str>,
    cancel: &AtomicBool,
) -> Result<Rewrite, AppError> {
    let c = client()?;
    run(tools::rewrite_line(
        &c,
        model,
        line,
        lang,
        context,
        instruction,
        cancel,
    ))
}

/// Continues a section with `count` lines.
pub fn continue_section(
    model: Option<&str>,
    lines: &[String],
    lang: Lang,
    count: usize,
    cancel: &AtomicBool,
) -> Result<Vec<String>, AppError> {
    let c = client()?;
    run(tools::continue_section(
        &c, model, lines, lang, count, cancel,
    ))
}

/// Reads a music prompt into the Generator's fields.
pub fn analyse_prompt(
    model: Option<&str>,
    prompt: &str,
    cancel: &AtomicBool,
) -> Result<PromptFields, AppError> {
    let c = client()?;
    run(tools::analyse_prompt(&c, model, prompt, cancel))
}

/// A Generator request carrying `lyrics` as tagged text and the fields read from a prompt.
pub fn to_request(
    prompt: &str,
    lyrics: &son1k_lyrics::Lyrics,
    fields: Option<&PromptFields>,
) -> Result<son1k_core::GenerationRequest, AppError> {
    let mut req = son1k_core::GenerationRequest::new(prompt.to_string());
    req.lyrics = Some(lyrics.to_tagged_text());
    if let Some(f) = fields {
        req.genre = f.genre.clone();
        req.mood = f.mood.clone();
        req.bpm = f.bpm;
        req.key = f.key.as_deref().and_then(|k| k.parse().ok());
    }
    req.validate()?;
    Ok(req)
}
