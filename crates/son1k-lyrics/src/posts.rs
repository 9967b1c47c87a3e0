//! Nova Post Pilot's writer: social posts for a song's release, one platform and language at a
//! time, streamed from the local model as structured JSON.
//!
//! The model is told each platform's limits, but they are checked by code
//! ([`son1k_core::platform::check`]): an answer that breaks one is sent back once with what it
//! broke, and if the second answer still does, it is trimmed at a word boundary
//! ([`son1k_core::platform::fit`]). A post never leaves here too long.

use ollama_rs::generation::chat::ChatMessage;
use serde::{Deserialize, Serialize};
use son1k_core::platform::{self, Platform, Post};
use son1k_core::Lang;

use crate::ollama::{Cancel, Client};
use crate::song::start_of;
use crate::LyricsError;

/// What the studio knows about a song, for writing its posts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SongFacts {
    /// The song's title.
    pub title: String,
    /// Its genre, e.g. `bolero`.
    pub genre: String,
    /// Mood words, if known.
    pub mood: Option<String>,
    /// What the song is about (the prompt it was made from), if known.
    #[serde(default)]
    pub about: Option<String>,
    /// Tempo.
    pub bpm: Option<u32>,
    /// Key, like `A minor`.
    pub key: Option<String>,
    /// The chorus' hook line (its first line), if the song has lyrics.
    pub hook: Option<String>,
    /// A few lines of the lyrics (the chorus first).
    #[serde(default)]
    pub lyrics: Vec<String>,
    /// The release day, `YYYY-MM-DD`, if planned.
    pub release_date: Option<String>,
}

/// What the writer reports while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostEvent {
    /// A piece of the model's answer for this platform and language.
    Text {
        /// The platform being written.
        platform: Platform,
        /// The language.
        lang: Lang,
        /// The piece.
        text: String,
    },
    /// The answer broke a limit or was unreadable and is asked for again, with the reason.
    Retry {
        /// The platform being written.
        platform: Platform,
        /// The language.
        lang: Lang,
        /// What was wrong.
        why: String,
    },
}

/// A finished post and how it came to fit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WrittenPost {
    /// The post, within its platform's limits.
    pub post: Post,
    /// Whether the model was asked a second time.
    pub regenerated: bool,
    /// Whether code trimmed it (the second answer still broke a limit).
    pub trimmed: bool,
}

/// Every post of a request, and the model that wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostsWritten {
    /// The model used.
    pub model: String,
    /// The posts, platform by platform, each in the languages asked for.
    pub posts: Vec<WrittenPost>,
}

fn schema(p: Platform) -> serde_json::Value {
    let list = serde_json::json!({"type": "array", "items": {"type": "string"}});
    if p == Platform::Youtube {
        serde_json::json!({
            "type": "object",
            "properties": {"title": {"type": "string"}, "text": {"type": "string"},
                           "hashtags": list, "tags": list},
            "required": ["title", "text", "hashtags", "tags"]
        })
    } else {
        serde_json::json!({
            "type": "object",
            "properties": {"text": {"type": "string"}, "hashtags": list},
            "required": ["text", "hashtags"]
        })
    }
}

fn system_prompt(lang: Lang) -> &'static str {
    match lang {
        Lang::Es => "Eres community manager de artistas independientes. Escribes publicaciones para redes sociales sobre el lanzamiento de una canción, en español, con la voz del artista: concretas, cálidas, sin exagerar. Usas solo los datos que te dan; no inventas enlaces, fechas ni cifras, y no escribes URLs. Respondes solo con el objeto JSON que pide el esquema; los hashtags van sin # en su lista, no dentro del texto.",
        Lang::En => "You are a social media manager for independent artists. You write posts about a song's release, in English, in the artist's voice: concrete, warm, never overblown. You use only the facts given; you never invent links, dates or numbers, and you write no URLs. You answer only with the JSON object the schema asks for; hashtags go without # in their list, not inside the text.",
    }
}

/// The limits of `p` as the model is told them.
fn limits_line(p: Platform, lang: Lang) -> String {
    let (limit, _) = p.text_limit();
    let tags = p.max_hashtags();
    let mut s = match (lang, p) {
        (Lang::Es, Platform::Youtube) => format!("Título de hasta {} caracteres; descripción (\"text\") de hasta {limit} caracteres con los hashtags; etiquetas (\"tags\") que sumen menos de {} caracteres", platform::YOUTUBE_TITLE_CHARS, platform::YOUTUBE_TAGS_CHARS),
        (Lang::En, Platform::Youtube) => format!("A title of at most {} characters; a description (\"text\") of at most {limit} characters with its hashtags; tags adding up to under {} characters", platform::YOUTUBE_TITLE_CHARS, platform::YOUTUBE_TAGS_CHARS),
        (Lang::Es, _) => format!("El texto con sus hashtags, como máximo {limit} caracteres"),
        (Lang::En, _) => format!("The text with its hashtags at most {limit} characters"),
    };
    if let Some(n) = tags {
        s.push_str(&match lang {
            Lang::Es => format!("; como máximo {n} hashtags"),
            Lang::En => format!("; at most {n} hashtags"),
        });
    }
    s.push('.');
    s
}

fn ask(facts: &SongFacts, p: Platform, lang: Lang) -> String {
    let mut lines = vec![format!("title: {}", facts.title)];
    if !facts.genre.trim().is_empty() {
        lines.push(format!("genre: {}", facts.genre));
    }
    if let Some(m) = &facts.mood {
        lines.push(format!("mood: {m}"));
    }
    if let Some(a) = &facts.about {
        lines.push(format!("about: {a}"));
    }
    if let Some(b) = facts.bpm {
        lines.push(format!("bpm: {b}"));
    }
    if let Some(k) = &facts.key {
        lines.push(format!("key: {k}"));
    }
    if let Some(h) = &facts.hook {
        lines.push(format!("hook line: \"{h}\""));
    }
    if !facts.lyrics.is_empty() {
        lines.push(format!("lyrics (excerpt):\n{}", facts.lyrics.join("\n")));
    }
    if let Some(d) = &facts.release_date {
        lines.push(format!("release date: {d}"));
    }
    let what = match (lang, p) {
        (Lang::Es, Platform::Youtube) => "un título, una descripción, hashtags y etiquetas para YouTube (el video o Short de la canción)".to_string(),
        (Lang::En, Platform::Youtube) => "a YouTube title, description, hashtags and tags (the song's video or Short)".to_string(),
        (Lang::Es, _) => format!("una publicación para {} que anuncie el lanzamiento", p.name()),
        (Lang::En, _) => format!("a {} post announcing the release", p.name()),
    };
    match lang {
        Lang::Es => format!(
            "Escribe {what}. {}\nLa canción:\n{}",
            limits_line(p, lang),
            lines.join("\n")
        ),
        Lang::En => format!(
            "Write {what}. {}\nThe song:\n{}",
            limits_line(p, lang),
            lines.join("\n")
        ),
    }
}

fn again_prompt(lang: Lang, why: &str) -> String {
    match lang {
        Lang::Es => format!("Esa respuesta no sirve: {why}. Escríbela de nuevo, más corta si hace falta, solo con el objeto JSON que pide el esquema."),
        Lang::En => format!("That answer cannot be used: {why}. Write it again, shorter where needed, as only the JSON object the schema asks for."),
    }
}

fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(|l| l.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a model's answer into a post for `p`: the text (required), hashtags cleaned and without
/// repeats, and for YouTube the title and tags, without the `<` and `>` YouTube refuses.
pub fn parse_post(raw: &str, p: Platform, lang: Lang) -> Result<Post, String> {
    let v: serde_json::Value =
        serde_json::from_str(raw.trim()).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let text = v
        .get("text")
        .and_then(|t| t.as_str())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or("it has no non-empty \"text\"")?;
    let no_angles = |s: &str| s.replace(['<', '>'], "");
    let mut hashtags: Vec<String> = Vec::new();
    for t in strings(&v, "hashtags")
        .iter()
        .filter_map(|t| platform::clean_hashtag(t))
    {
        if !hashtags.iter().any(|h| h.eq_ignore_ascii_case(&t)) {
            hashtags.push(t);
        }
    }
    let (title, tags, text) = if p == Platform::Youtube {
        let mut tags: Vec<String> = Vec::new();
        for t in strings(&v, "tags") {
            let t = no_angles(t.trim().trim_start_matches('#').trim());
            if !t.is_empty() && !tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
                tags.push(t);
            }
        }
        let title = v.get("title").and_then(|t| t.as_str()).unwrap_or("");
        (no_angles(title.trim()), tags, no_angles(text))
    } else {
        (String::new(), Vec::new(), text.to_string())
    };
    Ok(Post {
        platform: p,
        lang,
        title,
        text,
        hashtags,
        tags,
    })
}

/// Writes one post for `p` in `lang` with `model`: asked, checked against the platform's limits,
/// asked again once with what was wrong, then trimmed if it still does not fit.
pub async fn write_post(
    client: &Client,
    model: &str,
    facts: &SongFacts,
    p: Platform,
    lang: Lang,
    on_event: &mut (dyn FnMut(PostEvent) + Send),
    cancel: &Cancel,
) -> Result<WrittenPost, LyricsError> {
    let schema = schema(p);
    let mut messages = vec![
        ChatMessage::system(system_prompt(lang).into()),
        ChatMessage::user(ask(facts, p, lang)),
    ];
    let mut candidate: Option<Post> = None;
    let mut last = (String::new(), String::new());
    for attempt in 0..2 {
        let raw = client
            .chat(
                model,
                messages.clone(),
                Some(&schema),
                &mut |tok| {
                    on_event(PostEvent::Text {
                        platform: p,
                        lang,
                        text: tok.to_string(),
                    })
                },
                cancel,
            )
            .await?;
        let why = match parse_post(&raw, p, lang) {
            Ok(mut post) => {
                if post.platform == Platform::Youtube && post.title.is_empty() {
                    post.title = facts.title.clone();
                }
                let broken = platform::check(&post);
                if broken.is_empty() {
                    return Ok(WrittenPost {
                        post,
                        regenerated: attempt > 0,
                        trimmed: false,
                    });
                }
                candidate = Some(post);
                broken
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            Err(why) => why,
        };
        if attempt == 0 {
            on_event(PostEvent::Retry {
                platform: p,
                lang,
                why: why.clone(),
            });
            messages.push(ChatMessage::assistant(start_of(&raw, 6000)));
            messages.push(ChatMessage::user(again_prompt(lang, &why)));
        }
        last = (why, raw);
    }
    match candidate {
        Some(mut post) => {
            platform::fit(&mut post);
            if post.platform == Platform::Youtube && post.title.is_empty() {
                post.title = platform::trim_to(
                    &facts.title,
                    platform::YOUTUBE_TITLE_CHARS,
                    platform::Measure::Chars,
                );
            }
            Ok(WrittenPost {
                post,
                regenerated: true,
                trimmed: true,
            })
        }
        None => Err(LyricsError::InvalidAnswer {
            what: "post JSON",
            why: last.0,
            start: start_of(&last.1, 120),
        }),
    }
}

/// Writes a post for every platform in every language (platforms in the order given, each in
/// `langs`' order), with `model` or the default one.
pub async fn write_posts(
    client: &Client,
    model: Option<&str>,
    facts: &SongFacts,
    platforms: &[Platform],
    langs: &[Lang],
    on_event: &mut (dyn FnMut(PostEvent) + Send),
    cancel: &Cancel,
) -> Result<PostsWritten, LyricsError> {
    if facts.title.trim().is_empty() {
        return Err(LyricsError::Invalid(
            "the song has no title to post about".into(),
        ));
    }
    if platforms.is_empty() || langs.is_empty() {
        return Err(LyricsError::Invalid(
            "name at least one platform and one language".into(),
        ));
    }
    let model = client.pick_model(model).await?;
    let mut out = Vec::new();
    for &p in platforms {
        for &lang in langs {
            out.push(write_post(client, &model, facts, p, lang, on_event, cancel).await?);
        }
    }
    Ok(PostsWritten { model, posts: out })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn answers_are_read_and_cleaned() {
        let raw = r##"{"title":"Luna <official>","text":" Out now ","hashtags":["#Luna","luna","new music",""],"tags":["#bolero","Bolero","luna llena"]}"##;
        let p = parse_post(raw, Platform::Youtube, Lang::En).unwrap();
        assert_eq!(p.title, "Luna official");
        assert_eq!(p.text, "Out now");
        assert_eq!(p.hashtags, vec!["Luna", "newmusic"]);
        assert_eq!(p.tags, vec!["bolero", "luna llena"]);
        assert!(parse_post(r#"{"text":""}"#, Platform::X, Lang::En)
            .unwrap_err()
            .contains("\"text\""));
    }

    #[test]
    fn the_model_is_told_the_limits() {
        let a = ask(&SongFacts::default(), Platform::X, Lang::En);
        assert!(a.contains("280") && a.contains("at most 2 hashtags"), "{a}");
        let a = ask(&SongFacts::default(), Platform::Youtube, Lang::Es);
        assert!(a.contains("100") && a.contains("500"), "{a}");
    }
}
