//! What the song does differently from what was asked, for `song.json` and the take's view:
//! every place where the engine overrode a request or fell back to something else (length, tempo,
//! key, genre, instruments), each with a stable code so front ends can say it in their language.

use serde::{Deserialize, Serialize};
use son1k_core::{GenerationRequest, Genre};

use crate::brief::{self, Brief, Source};
use crate::score::Score;

/// Which part of the request was overridden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum OverrideKind {
    /// The song's length.
    Length,
    /// The tempo.
    Bpm,
    /// The key.
    Key,
    /// The genre or the style family that plays it.
    Genre,
    /// An instrument the prompt named.
    Instrument,
}

/// Why the engine did something other than what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum OverrideReason {
    /// The lyrics need more time than the length asked for, so the song is longer.
    LyricsNeedMore,
    /// The value in the prompt is outside the range the engine accepts (tempo 40–240 BPM,
    /// length 5–600 s); the engine chose instead.
    OutOfRange,
    /// The genre field names a genre the engine does not know; the prompt or the engine chose.
    UnknownGenre,
    /// The genre has no arrangement of its own; the named style family plays it.
    StyleFamily,
    /// The form's field and the prompt disagree; the field wins.
    FieldWins,
    /// No part of the arrangement plays this instrument.
    NotPlayed,
}

/// One override or fallback: what was asked, what the song has, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Override {
    /// What was overridden.
    pub kind: OverrideKind,
    /// Why.
    pub reason: OverrideReason,
    /// What was asked for, as asked (`30`, `bachata`, `accordion`, `F# minor`).
    pub asked: String,
    /// What the song has instead (`46.2`, `pop`, `C major`; empty for an instrument not played).
    pub got: String,
    /// The engine's explanation in English (logs, `song.json` readers without a table).
    pub detail: String,
}

/// Genre words a prompt may hold that no style of the engine plays (checked against the prompt
/// reader too: a word it learns to read is no longer reported).
const UNSUPPORTED_GENRES: &[&str] = &[
    "tango",
    "flamenco",
    "samba",
    "bossa nova",
    "vallenato",
    "mariachi",
    "ranchera",
    "polka",
    "k-pop",
    "kpop",
    "j-pop",
    "gospel",
    "punk",
    "ska",
    "disco",
    "opera",
    "ópera",
    "dubstep",
    "grunge",
    "soul",
    "afrobeat",
    "afrobeats",
    "zouk",
    "kizomba",
    "forró",
    "forro",
    "bhangra",
    "celtic",
    "celta",
    "grime",
    "drill",
    "hardstyle",
    "trance",
    "garage rock",
    "emo",
    "swing",
    "bluegrass",
    "zydeco",
];

/// The prompt's words, lower case, punctuation as spaces, with a space at each end.
fn words_of(text: &str) -> String {
    let mut out = String::from(" ");
    for c in text.chars() {
        if c.is_alphanumeric() || c == '-' {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn has_phrase(words: &str, phrase: &str) -> bool {
    words.contains(&format!(" {phrase} "))
}

/// Lengths closer than this to the asked one are the asked length (bar rounding of the ring-out).
const LENGTH_SLACK_SECONDS: f64 = 0.5;

fn genre_word(g: Genre) -> String {
    g.id().to_string()
}

/// Every override and fallback of a song composed from `req` (through `brief`) into `score`;
/// `unplayed` are the instruments the arrangement does not play, with the reason.
pub fn find(
    req: &GenerationRequest,
    brief: &Brief,
    score: &Score,
    unplayed: &[(String, String)],
) -> Vec<Override> {
    let mut out = Vec::new();
    // Length: asked (field or prompt) against what came out.
    let asked_len = match brief.seconds_source {
        Source::Engine => None,
        _ => Some(brief.seconds as f64),
    };
    if let Some(asked) = asked_len {
        if score.seconds > asked + LENGTH_SLACK_SECONDS {
            out.push(Override {
                kind: OverrideKind::Length,
                reason: OverrideReason::LyricsNeedMore,
                asked: format!("{asked:.0}"),
                got: format!("{:.1}", score.seconds),
                detail: format!(
                    "{asked:.0} s were asked for; the lyrics need {:.1} s at {} BPM, so the song is longer",
                    score.seconds, score.bpm
                ),
            });
        }
    }
    if req.duration_secs.is_none() {
        if let Some(s) = brief::seconds_in(&req.prompt).filter(|s| !(5.0..=600.0).contains(s)) {
            out.push(Override {
                kind: OverrideKind::Length,
                reason: OverrideReason::OutOfRange,
                asked: format!("{s:.0}"),
                got: format!("{:.1}", score.seconds),
                detail: format!(
                    "the prompt asks for {s:.0} s, outside 5–600 s; the song is {:.1} s",
                    score.seconds
                ),
            });
        }
    }
    // Tempo.
    match (req.bpm, brief::bpm_in(&req.prompt)) {
        (Some(field), Some(p)) if p != field => out.push(Override {
            kind: OverrideKind::Bpm,
            reason: OverrideReason::FieldWins,
            asked: p.to_string(),
            got: score.bpm.to_string(),
            detail: format!("the prompt says {p} BPM, the tempo field {field}; the field wins"),
        }),
        (None, Some(p)) if !(40..=240).contains(&p) => out.push(Override {
            kind: OverrideKind::Bpm,
            reason: OverrideReason::OutOfRange,
            asked: p.to_string(),
            got: score.bpm.to_string(),
            detail: format!(
                "the prompt asks for {p} BPM, outside 40–240; the style chose {}",
                score.bpm
            ),
        }),
        _ => {}
    }
    // Key.
    if let (Some(field), Some(p)) = (req.key, brief::key_in(&req.prompt)) {
        if p != field {
            out.push(Override {
                kind: OverrideKind::Key,
                reason: OverrideReason::FieldWins,
                asked: p.to_string(),
                got: score.key.to_string(),
                detail: format!("the prompt says {p}, the key field {field}; the field wins"),
            });
        }
    }
    // Genre: a field the engine cannot read, a prompt that disagrees, a family standing in.
    let got_genre = brief
        .genre
        .map(genre_word)
        .unwrap_or_else(|| brief.style.id().to_string());
    if let Some(field) = req.genre.as_deref().filter(|g| !g.trim().is_empty()) {
        match field.parse::<Genre>() {
            Err(_) => out.push(Override {
                kind: OverrideKind::Genre,
                reason: OverrideReason::UnknownGenre,
                asked: field.to_string(),
                got: got_genre.clone(),
                detail: format!("the engine has no genre \"{field}\"; the song is {got_genre}"),
            }),
            Ok(g) => {
                if let Some(p) = brief::genre_in(&req.prompt).filter(|p| *p != g) {
                    out.push(Override {
                        kind: OverrideKind::Genre,
                        reason: OverrideReason::FieldWins,
                        asked: genre_word(p),
                        got: got_genre.clone(),
                        detail: format!(
                            "the prompt says {}, the genre field {}; the field wins",
                            p.id(),
                            g.id()
                        ),
                    });
                }
            }
        }
    }
    // Genres people name that the engine has no style for: said, never silently played as pop.
    if req.genre.as_deref().is_none_or(|g| g.trim().is_empty()) {
        let words = words_of(&req.prompt);
        for &name in UNSUPPORTED_GENRES {
            if has_phrase(&words, name) && brief::genre_in(name).is_none() {
                out.push(Override {
                    kind: OverrideKind::Genre,
                    reason: OverrideReason::UnknownGenre,
                    asked: name.to_string(),
                    got: got_genre.clone(),
                    detail: format!(
                        "the engine has no \"{name}\" style yet; the song is {got_genre}"
                    ),
                });
            }
        }
    }
    if let Some(g) = brief.genre {
        if brief.style.id() != g.id() {
            out.push(Override {
                kind: OverrideKind::Genre,
                reason: OverrideReason::StyleFamily,
                asked: g.id().to_string(),
                got: brief.style.id().to_string(),
                detail: format!(
                    "{} has no arrangement of its own yet; the {} style plays it",
                    g.id(),
                    brief.style.id()
                ),
            });
        }
    }
    // Instruments asked for but not played.
    for (id, why) in unplayed {
        out.push(Override {
            kind: OverrideKind::Instrument,
            reason: OverrideReason::NotPlayed,
            asked: id.clone(),
            got: String::new(),
            detail: why.clone(),
        });
    }
    out
}
