//! The prompt builder: genre, mood, BPM, key, instruments, notes and the four knobs → one text
//! prompt, in Spanish or English.
//!
//! Expressivity gives the mood word; Trash, Garage and Rareza give the production phrases. The
//! same builder serves the Generator, Ghost Studio (fed by a demo's analysis) and the CLI.

use serde::{Deserialize, Serialize};

use crate::error::{check_len, check_range};
use crate::request::{BPM_RANGE, MAX_HINT_CHARS, MAX_PROMPT_CHARS};
use crate::{Genre, Key, Knob, Knobs, Lang, ValidationError};

/// Most instruments a prompt may list.
pub const MAX_INSTRUMENTS: usize = 16;
/// Longest instrument name, in characters.
pub const MAX_INSTRUMENT_CHARS: usize = 40;
/// Longest free-text note, in characters.
pub const MAX_NOTES_CHARS: usize = 1000;

/// Everything the prompt builder reads. Text fields are untrusted user input.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PromptInput {
    /// Genre, known (any spelling, es/en) or free text.
    #[serde(default)]
    pub genre: Option<String>,
    /// Extra mood words, free text.
    #[serde(default)]
    pub mood: Option<String>,
    /// Tempo in BPM, 40–240.
    #[serde(default)]
    pub bpm: Option<u32>,
    /// Key in any accepted spelling ("F# minor", "La menor").
    #[serde(default)]
    pub key: Option<String>,
    /// Instruments, in the order to mention them.
    #[serde(default)]
    pub instruments: Vec<String>,
    /// The four knobs.
    #[serde(default)]
    pub knobs: Knobs,
    /// The user's own notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// No vocals.
    #[serde(default)]
    pub instrumental: bool,
    /// Language of the prompt.
    #[serde(default)]
    pub lang: Lang,
}

/// Collapses whitespace (including newlines) and trims; `None` for an empty result.
fn clean(text: &Option<String>) -> Option<String> {
    let t = text
        .as_deref()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!t.is_empty()).then_some(t)
}

/// Joins items as natural language: "a, b and c" / "a, b y c".
fn join_list(items: &[String], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => {
            let conj = match lang {
                Lang::En => "and",
                // Spanish writes "e" before a word that starts with the sound /i/.
                Lang::Es => {
                    let l = last.to_lowercase();
                    if (l.starts_with('i') || l.starts_with("hi")) && !l.starts_with("hie") {
                        "e"
                    } else {
                        "y"
                    }
                }
            };
            format!("{} {conj} {last}", head.join(", "))
        }
    }
}

/// "a" or "an" before an English word, by its first sound.
fn article(word: &str) -> &'static str {
    let w = word.to_lowercase();
    let vowel = w.starts_with(['a', 'e', 'i', 'o', 'u']);
    let sounds_like_you = w.starts_with("eu") || w.starts_with("uni") || w.starts_with("use");
    if vowel && !sounds_like_you {
        "An"
    } else {
        "A"
    }
}

/// Builds the text prompt. Errors name the field, the value and the allowed range; the result is
/// never longer than the 2000 characters a [`crate::GenerationRequest`] accepts.
pub fn build_prompt(input: &PromptInput) -> Result<String, ValidationError> {
    let lang = input.lang;
    let genre = clean(&input.genre);
    let mood = clean(&input.mood);
    let notes = clean(&input.notes);
    if let Some(g) = &genre {
        check_len("genre", "the genre", g, MAX_HINT_CHARS)?;
    }
    if let Some(m) = &mood {
        check_len("mood", "the mood", m, MAX_HINT_CHARS)?;
    }
    if let Some(n) = &notes {
        check_len("notes", "notes", n, MAX_NOTES_CHARS)?;
    }
    if let Some(bpm) = input.bpm {
        check_range("bpm", "BPM", bpm, BPM_RANGE.0, BPM_RANGE.1)?;
    }
    let key = match clean(&input.key) {
        Some(k) => Some(k.parse::<Key>()?),
        None => None,
    };
    if input.instruments.len() > MAX_INSTRUMENTS {
        return Err(ValidationError::new(
            "instruments",
            format!("({} instruments)", input.instruments.len()),
            format!("at most {MAX_INSTRUMENTS} instruments may be listed"),
        ));
    }
    let mut instruments = Vec::new();
    for i in &input.instruments {
        if let Some(i) = clean(&Some(i.clone())) {
            check_len("instruments", "each instrument", &i, MAX_INSTRUMENT_CHARS)?;
            instruments.push(i);
        }
    }

    let genre_name = genre.map(|g| match g.parse::<Genre>() {
        Ok(known) => known.name(lang).to_string(),
        Err(_) => g,
    });
    let k = input.knobs;
    let feel = Knob::Expressivity.prompt_phrase(k.expressivity, lang);
    let production = [Knob::Trash, Knob::Garage, Knob::Rareza]
        .map(|knob| knob.prompt_phrase(k.get(knob), lang))
        .join("; ");

    let mut out = String::new();
    match lang {
        Lang::En => {
            let head = match &genre_name {
                Some(g) => format!("{feel} {g} song"),
                None => format!("{feel} song"),
            };
            out.push_str(&format!("{} {head}", article(&head)));
            if let Some(bpm) = input.bpm {
                out.push_str(&format!(" at {bpm} BPM"));
            }
            if let Some(key) = key {
                out.push_str(&format!(" in {}", key.name(lang)));
            }
            if !instruments.is_empty() {
                out.push_str(&format!(", featuring {}", join_list(&instruments, lang)));
            }
            out.push('.');
            if let Some(m) = &mood {
                out.push_str(&format!(" Mood: {m}."));
            }
            out.push_str(&format!(" Production: {production}."));
            out.push_str(if input.instrumental {
                " Instrumental, no vocals."
            } else {
                " With vocals."
            });
            if let Some(n) = &notes {
                out.push_str(&format!(" Notes: {n}"));
            }
        }
        Lang::Es => {
            out.push_str("Una canción");
            if let Some(g) = &genre_name {
                out.push_str(&format!(" de {g}"));
            }
            out.push_str(&format!(" {feel}"));
            if let Some(bpm) = input.bpm {
                out.push_str(&format!(" a {bpm} BPM"));
            }
            if let Some(key) = key {
                out.push_str(&format!(" en {}", key.name(lang)));
            }
            if !instruments.is_empty() {
                out.push_str(&format!(", con {}", join_list(&instruments, lang)));
            }
            out.push('.');
            if let Some(m) = &mood {
                out.push_str(&format!(" Ánimo: {m}."));
            }
            out.push_str(&format!(" Producción: {production}."));
            out.push_str(if input.instrumental {
                " Instrumental, sin voz."
            } else {
                " Con voz."
            });
            if let Some(n) = &notes {
                out.push_str(&format!(" Notas: {n}"));
            }
        }
    }
    check_len("prompt", "the built prompt", &out, MAX_PROMPT_CHARS)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KnobValue, Preset};

    fn input(lang: Lang) -> PromptInput {
        PromptInput {
            genre: Some("reggaeton".into()),
            mood: Some("nostalgic".into()),
            bpm: Some(92),
            key: Some("Gb min".into()),
            instruments: vec!["piano".into(), "strings".into(), "808".into()],
            knobs: Preset::Triste.knobs(),
            notes: Some("  a song about\nthe sea  ".into()),
            instrumental: false,
            lang,
        }
    }

    #[test]
    fn english_prompt_carries_every_field() {
        let p = build_prompt(&input(Lang::En)).unwrap();
        assert_eq!(
            p,
            "A melancholic reggaeton song at 92 BPM in F# minor, featuring piano, strings and 808. \
             Mood: nostalgic. Production: clean, polished mix; pristine digital production; \
             traditional arrangement. With vocals. Notes: a song about the sea"
        );
    }

    #[test]
    fn spanish_prompt_localises_genre_key_and_knobs() {
        let mut i = input(Lang::Es);
        i.instruments = vec!["guitarra".into(), "bajo".into(), "iluminación".into()];
        let p = build_prompt(&i).unwrap();
        assert!(
            p.starts_with("Una canción de reguetón melancólica a 92 BPM en Fa# menor"),
            "{p}"
        );
        assert!(p.contains("con guitarra, bajo e iluminación."), "{p}");
        assert!(p.contains("Producción: mezcla limpia y pulida"), "{p}");
        assert!(
            p.contains("Con voz.") && p.contains("Notas: a song about the sea"),
            "{p}"
        );
    }

    #[test]
    fn knobs_move_the_words() {
        let mut i = PromptInput {
            knobs: Preset::Agresivo.knobs(),
            ..Default::default()
        };
        let p = build_prompt(&i).unwrap();
        assert!(p.starts_with("A euphoric song."), "{p}");
        assert!(p.contains("aggressive, saturated mix"), "{p}");
        assert!(p.contains("heavy lo-fi sound"), "{p}");
        assert!(p.contains("highly experimental arrangement"), "{p}");
        i.knobs.trash = KnobValue::MAX;
        i.knobs.rareza = KnobValue::new(81).unwrap();
        let p = build_prompt(&i).unwrap();
        assert!(p.contains("extremely saturated mix"), "{p}");
        assert!(p.contains("radically transformed"), "{p}");
        i.knobs.expressivity = KnobValue::new(80).unwrap();
        assert!(build_prompt(&i).unwrap().starts_with("An energetic song."));
        i.instrumental = true;
        assert!(build_prompt(&i)
            .unwrap()
            .contains("Instrumental, no vocals."));
    }

    #[test]
    fn bad_fields_are_named() {
        let mut i = input(Lang::En);
        i.bpm = Some(9999);
        assert_eq!(build_prompt(&i).unwrap_err().rule, "BPM must be 40–240");
        let mut i = input(Lang::En);
        i.key = Some("H dorian".into());
        assert_eq!(build_prompt(&i).unwrap_err().field, "key");
        let mut i = input(Lang::En);
        i.notes = Some("x".repeat(1001));
        assert_eq!(build_prompt(&i).unwrap_err().field, "notes");
        let mut i = input(Lang::En);
        i.instruments = vec!["drum".into(); 17];
        assert_eq!(build_prompt(&i).unwrap_err().field, "instruments");
    }

    #[test]
    fn the_longest_allowed_input_still_fits_a_request() {
        let i = PromptInput {
            genre: Some("g".repeat(MAX_HINT_CHARS)),
            mood: Some("m".repeat(MAX_HINT_CHARS)),
            bpm: Some(240),
            key: Some("C# minor".into()),
            instruments: vec!["i".repeat(MAX_INSTRUMENT_CHARS); MAX_INSTRUMENTS],
            knobs: Preset::Agresivo.knobs(),
            notes: Some("n".repeat(MAX_NOTES_CHARS - 200)),
            instrumental: true,
            lang: Lang::Es,
        };
        let p = build_prompt(&i).unwrap();
        let mut r = crate::GenerationRequest::new(p);
        r.instrumental = true;
        r.validate().unwrap();
    }
}
