//! The lyricist's tools on top of the client: write from a theme, rewrite a line keeping its
//! syllable count, continue a section, and read a music prompt into the Generator's fields.
//! Every answer is checked; a bad one gets one repair request, then a clear error.

use ollama_rs::generation::chat::ChatMessage;
use serde::{Deserialize, Serialize};
use son1k_core::Lang;

use crate::ollama::{Cancel, Client};
use crate::song::{lyrics_schema, start_of, validate, Lyrics};
use crate::stream::LyricStream;
use crate::LyricsError;

/// A line's sung syllables, as the Lyric Studio's check counts them and the Generator sings
/// them: by the rules of its own language when it is clearly in the other one.
fn line_syllables(line: &str, lang: Lang) -> usize {
    son1k_text::syllable_count(line, son1k_text::line_lang(line, lang))
}

/// What the tools report while they work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Readable text as the model writes it (tags and lines).
    Text(String),
    /// The last answer was rejected and the model is asked again, with the reason.
    Retry(String),
}

/// What to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WriteRequest {
    /// The theme, e.g. "desamor en la ciudad, bolero".
    pub theme: String,
    /// The language of the lyrics.
    pub lang: Lang,
    /// A style, e.g. "bolero" (optional).
    pub style: Option<String>,
    /// The model (the default when absent).
    pub model: Option<String>,
}

/// Finished lyrics and the model that wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Written {
    /// The model used.
    pub model: String,
    /// The lyrics.
    pub lyrics: Lyrics,
    /// Whether a repair request was needed.
    pub repaired: bool,
}

const REPAIR_LIMIT: usize = 400;

fn system_prompt(lang: Lang) -> &'static str {
    match lang {
        Lang::Es => "Eres letrista profesional. Escribes letras de canciones en español, con imágenes concretas, métrica regular y rima (consonante o asonante). Respondes solo con un objeto JSON: {\"title\", \"style\", \"language\": \"es\", \"sections\": [{\"kind\": \"verse|pre-chorus|chorus|bridge|outro\", \"lines\": [\"…\"]}]}. Sin etiquetas como [Verse] dentro de las líneas.",
        Lang::En => "You are a professional lyricist. You write song lyrics in English with concrete images, regular metre and rhyme. You answer only with one JSON object: {\"title\", \"style\", \"language\": \"en\", \"sections\": [{\"kind\": \"verse|pre-chorus|chorus|bridge|outro\", \"lines\": [\"…\"]}]}. No tags such as [Verse] inside lines.",
    }
}

fn write_prompt(req: &WriteRequest) -> String {
    let style = req.style.as_deref().unwrap_or("");
    match req.lang {
        Lang::Es => format!(
            "Escribe una canción sobre: {}.{} Estructura: verso, pre-coro, coro, verso, coro, puente, coro. Versos de 4 líneas, coro de 4 líneas que se repite igual.",
            req.theme,
            if style.is_empty() { String::new() } else { format!(" Estilo: {style}.") }
        ),
        Lang::En => format!(
            "Write a song about: {}.{} Structure: verse, pre-chorus, chorus, verse, chorus, bridge, chorus. 4-line verses, a 4-line chorus repeated the same each time.",
            req.theme,
            if style.is_empty() { String::new() } else { format!(" Style: {style}.") }
        ),
    }
}

fn repair_prompt(lang: Lang, why: &str) -> String {
    match lang {
        Lang::Es => format!("Esa respuesta no sirve: {why}. Responde de nuevo solo con el objeto JSON completo y válido que pide el esquema, sin texto alrededor."),
        Lang::En => format!("That answer cannot be used: {why}. Answer again with only the complete, valid JSON object the schema asks for, with no text around it."),
    }
}

/// Writes lyrics from a theme, streaming readable text through `on_event`.
pub async fn write(
    client: &Client,
    req: &WriteRequest,
    on_event: &mut (dyn FnMut(Event) + Send),
    cancel: &Cancel,
) -> Result<Written, LyricsError> {
    if req.theme.trim().is_empty() {
        return Err(LyricsError::Invalid(
            "the theme is empty: say what the song is about".into(),
        ));
    }
    let model = client.pick_model(req.model.as_deref()).await?;
    let schema = lyrics_schema();
    let style = req.style.clone().unwrap_or_default();
    let mut messages = vec![
        ChatMessage::system(system_prompt(req.lang).into()),
        ChatMessage::user(write_prompt(req)),
    ];
    let mut last_why = String::new();
    let mut last_raw = String::new();
    for attempt in 0..2 {
        let mut reader = LyricStream::new();
        let raw = client
            .chat(
                &model,
                messages.clone(),
                Some(&schema),
                &mut |tok| {
                    let text = reader.push(tok);
                    if !text.is_empty() {
                        on_event(Event::Text(text));
                    }
                },
                cancel,
            )
            .await?;
        match validate(&raw, req.lang, &style) {
            Ok(lyrics) => {
                return Ok(Written {
                    model,
                    lyrics,
                    repaired: attempt > 0,
                })
            }
            Err(why) => {
                if attempt == 0 {
                    on_event(Event::Retry(why.clone()));
                    messages.push(ChatMessage::assistant(start_of(&raw, REPAIR_LIMIT * 10)));
                    messages.push(ChatMessage::user(repair_prompt(req.lang, &why)));
                }
                last_why = why;
                last_raw = raw;
            }
        }
    }
    Err(LyricsError::InvalidAnswer {
        what: "lyrics JSON",
        why: last_why,
        start: start_of(&last_raw, 120),
    })
}

/// Asks for a small JSON object, validates it with `check`, and repairs once.
#[allow(clippy::too_many_arguments)]
async fn ask_json<T>(
    client: &Client,
    model: &str,
    messages: Vec<ChatMessage>,
    schema: &serde_json::Value,
    lang: Lang,
    what: &'static str,
    check: &dyn Fn(&serde_json::Value) -> Result<T, String>,
    cancel: &Cancel,
) -> Result<T, LyricsError> {
    let mut messages = messages;
    let mut last = (String::new(), String::new());
    for attempt in 0..2 {
        let raw = client
            .chat(model, messages.clone(), Some(schema), &mut |_| {}, cancel)
            .await?;
        let parsed = serde_json::from_str::<serde_json::Value>(raw.trim())
            .map_err(|e| format!("it is not valid JSON ({e})"))
            .and_then(|v| check(&v));
        match parsed {
            Ok(v) => return Ok(v),
            Err(why) => {
                if attempt == 0 {
                    messages.push(ChatMessage::assistant(start_of(&raw, REPAIR_LIMIT)));
                    messages.push(ChatMessage::user(repair_prompt(lang, &why)));
                }
                last = (why, raw);
            }
        }
    }
    Err(LyricsError::InvalidAnswer {
        what,
        why: last.0,
        start: start_of(&last.1, 120),
    })
}

fn string_list(v: &serde_json::Value, key: &str) -> Result<Vec<String>, String> {
    let list = v
        .get(key)
        .and_then(|l| l.as_array())
        .ok_or(format!("it has no \"{key}\" array"))?;
    let out: Vec<String> = list
        .iter()
        .filter_map(|x| x.as_str())
        .map(str::trim)
        .filter(|x| !(x.is_empty() || (x.starts_with('[') && x.ends_with(']'))))
        .map(str::to_string)
        .collect();
    if out.is_empty() {
        return Err(format!("its \"{key}\" array has no lines"));
    }
    Ok(out)
}

/// A rewritten line and how its count compares with the original's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rewrite {
    /// The new line (the closest one when no attempt matched).
    pub line: String,
    /// Its syllables.
    pub syllables: usize,
    /// The original's syllables, the target.
    pub target: usize,
    /// Whether it matches the target.
    pub matched: bool,
    /// How many answers were asked for.
    pub attempts: usize,
    /// The model used.
    pub model: String,
}

/// Rewrites one line with the same number of sung syllables (synalephas joined), following an
/// optional instruction ("more hopeful"). Each answer is counted; a miss is sent back with the
/// count, up to three answers; the closest is returned with `matched: false` if none fits.
pub async fn rewrite_line(
    client: &Client,
    model: Option<&str>,
    line: &str,
    lang: Lang,
    context: &[String],
    instruction: Option<&str>,
    cancel: &Cancel,
) -> Result<Rewrite, LyricsError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(LyricsError::Invalid("the line to rewrite is empty".into()));
    }
    let model = client.pick_model(model).await?;
    let target = line_syllables(line, lang);
    let schema = serde_json::json!({
        "type": "object",
        "properties": {"line": {"type": "string"}},
        "required": ["line"]
    });
    let how = instruction.unwrap_or("");
    let ask = match lang {
        Lang::Es => format!(
            "Reescribe este verso con exactamente {target} sílabas métricas (cuenta sinalefas y la terminación aguda o esdrújula), mismo sentido{}: \"{line}\". Contexto:\n{}\nResponde {{\"line\": \"…\"}}.",
            if how.is_empty() { String::new() } else { format!(", {how}") },
            context.join("\n")
        ),
        Lang::En => format!(
            "Rewrite this line with exactly {target} syllables, same meaning{}: \"{line}\". Context:\n{}\nAnswer {{\"line\": \"…\"}}.",
            if how.is_empty() { String::new() } else { format!(", {how}") },
            context.join("\n")
        ),
    };
    let mut messages = vec![
        ChatMessage::system(system_prompt(lang).into()),
        ChatMessage::user(ask),
    ];
    let mut best: Option<(String, usize)> = None;
    for attempt in 1..=3 {
        let candidate = ask_json(
            client,
            &model,
            messages.clone(),
            &schema,
            lang,
            "rewrite JSON",
            &|v| {
                v.get("line")
                    .and_then(|l| l.as_str())
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .ok_or_else(|| "it has no non-empty \"line\" string".to_string())
            },
            cancel,
        )
        .await?;
        let n = line_syllables(&candidate, lang);
        if n == target {
            return Ok(Rewrite {
                line: candidate,
                syllables: n,
                target,
                matched: true,
                attempts: attempt,
                model,
            });
        }
        if best
            .as_ref()
            .is_none_or(|b| n.abs_diff(target) < b.1.abs_diff(target))
        {
            best = Some((candidate.clone(), n));
        }
        messages.push(ChatMessage::assistant(format!(
            "{{\"line\": {candidate:?}}}"
        )));
        messages.push(ChatMessage::user(match lang {
            Lang::Es => format!(
                "Ese verso tiene {n} sílabas métricas; necesito {target}. Inténtalo otra vez."
            ),
            Lang::En => format!("That line has {n} syllables; I need {target}. Try again."),
        }));
    }
    let (line, syllables) = best.unwrap_or_else(|| (line.to_string(), target));
    Ok(Rewrite {
        matched: syllables == target,
        line,
        syllables,
        target,
        attempts: 3,
        model,
    })
}

/// Continues a section: `count` new lines that follow `lines` in metre and rhyme.
pub async fn continue_section(
    client: &Client,
    model: Option<&str>,
    lines: &[String],
    lang: Lang,
    count: usize,
    cancel: &Cancel,
) -> Result<Vec<String>, LyricsError> {
    if lines.iter().all(|l| l.trim().is_empty()) {
        return Err(LyricsError::Invalid(
            "the section is empty: write a line or two first".into(),
        ));
    }
    let count = count.clamp(1, 16);
    let model = client.pick_model(model).await?;
    let schema = serde_json::json!({
        "type": "object",
        "properties": {"lines": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
        "required": ["lines"]
    });
    let counts: Vec<String> = lines
        .iter()
        .map(|l| line_syllables(l, lang).to_string())
        .collect();
    let ask = match lang {
        Lang::Es => format!(
            "Continúa esta sección con {count} versos nuevos, misma métrica ({} sílabas) y mismo esquema de rima:\n{}\nResponde {{\"lines\": [\"…\"]}} solo con los versos nuevos.",
            counts.join(", "),
            lines.join("\n")
        ),
        Lang::En => format!(
            "Continue this section with {count} new lines, same metre ({} syllables) and rhyme scheme:\n{}\nAnswer {{\"lines\": [\"…\"]}} with only the new lines.",
            counts.join(", "),
            lines.join("\n")
        ),
    };
    let messages = vec![
        ChatMessage::system(system_prompt(lang).into()),
        ChatMessage::user(ask),
    ];
    let mut out = ask_json(
        client,
        &model,
        messages,
        &schema,
        lang,
        "continuation JSON",
        &|v| string_list(v, "lines"),
        cancel,
    )
    .await?;
    out.truncate(count);
    Ok(out)
}

/// A music prompt read into the Generator's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PromptFields {
    /// A genre id the Generator knows (`bolero`, `rock`, …) or the model's word.
    pub genre: Option<String>,
    /// Mood words.
    pub mood: Option<String>,
    /// Tempo, 40–240 BPM.
    pub bpm: Option<u32>,
    /// Key, e.g. "A minor" (only keys the Generator can parse).
    pub key: Option<String>,
    /// Instruments named or implied.
    pub instruments: Vec<String>,
}

/// Checks and normalises the model's reading of a prompt: BPM in 40–240, a key the Generator
/// parses, a known genre's id when it matches.
pub fn prompt_fields(v: &serde_json::Value) -> Result<PromptFields, String> {
    let obj = v.as_object().ok_or("it is not a JSON object")?;
    let text = |k: &str| {
        obj.get(k)
            .and_then(|x| x.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("null") && *s != "unknown")
            .map(str::to_string)
    };
    let genre = text("genre").map(|g| match g.parse::<son1k_core::Genre>() {
        Ok(known) => known.id().to_string(),
        Err(_) => g.to_lowercase(),
    });
    let bpm = obj
        .get("bpm")
        .and_then(|b| b.as_f64().or_else(|| b.as_str()?.trim().parse().ok()))
        .map(|b| b.round())
        .filter(|b| (40.0..=240.0).contains(b))
        .map(|b| b as u32);
    let key = text("key")
        .and_then(|k| k.parse::<son1k_core::Key>().ok())
        .map(|k| k.to_string());
    let instruments = obj
        .get("instruments")
        .and_then(|i| i.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(PromptFields {
        genre,
        mood: text("mood"),
        bpm,
        key,
        instruments,
    })
}

/// Reads a free-text music prompt ("a slow bolero in A minor with requinto guitar") into
/// genre, mood, BPM, key and instruments, through `/api/generate` with a schema.
pub async fn analyse_prompt(
    client: &Client,
    model: Option<&str>,
    prompt: &str,
    cancel: &Cancel,
) -> Result<PromptFields, LyricsError> {
    if prompt.trim().is_empty() {
        return Err(LyricsError::Invalid("the prompt is empty".into()));
    }
    let model = client.pick_model(model).await?;
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "genre": {"type": "string"},
            "mood": {"type": "string"},
            "bpm": {"type": "integer"},
            "key": {"type": "string"},
            "instruments": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["genre", "mood", "bpm", "key", "instruments"]
    });
    let system = "You read music prompts (Spanish or English) for a song generator. Answer one JSON object: genre (one or two words), mood (a few words), bpm (integer 40-240, a typical tempo for the genre if none is given), key (like \"A minor\" or \"F# major\"; empty if unknown), instruments (list).";
    let mut last = (String::new(), String::new());
    for _ in 0..2 {
        let raw = client
            .generate(&model, system, prompt, &schema, cancel)
            .await?;
        match serde_json::from_str::<serde_json::Value>(raw.trim())
            .map_err(|e| format!("it is not valid JSON ({e})"))
            .and_then(|v| prompt_fields(&v))
        {
            Ok(f) => return Ok(f),
            Err(why) => last = (why, raw),
        }
    }
    Err(LyricsError::InvalidAnswer {
        what: "prompt fields JSON",
        why: last.0,
        start: start_of(&last.1, 120),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn prompt_fields_are_normalised() {
        let v = serde_json::json!({"genre": "Rock", "mood": "dark", "bpm": 400, "key": "la menor", "instruments": ["Guitar", ""]});
        let f = prompt_fields(&v).unwrap();
        assert_eq!(f.genre.as_deref(), Some("rock"));
        assert_eq!(f.bpm, None);
        assert!(f.key.is_some());
        assert_eq!(f.instruments, vec!["guitar"]);
    }
}
