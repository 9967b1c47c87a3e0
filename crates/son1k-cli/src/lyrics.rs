//! `son1k lyrics`: Lyric Studio from the command line (write with Ollama, check metre and rhyme,
//! rhyme suggestions, installed models).

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use son1k_app::lyrics::{Event, WriteRequest};
use son1k_app::Studio;
use son1k_core::Lang;

use crate::{interrupted, to_json, Failure};

#[derive(Subcommand)]
pub enum LyricsAction {
    /// Write lyrics about a theme with the local Ollama (streams the text; Ctrl+C cancels).
    Write {
        /// What the song is about, e.g. "desamor en la ciudad, bolero".
        theme: String,
        /// Language of the lyrics: es or en.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Style, e.g. bolero, synth-pop.
        #[arg(long)]
        style: Option<String>,
        /// Ollama model (default: qwen2.5 if installed, else the first installed).
        #[arg(long)]
        model: Option<String>,
        /// Print the structured object (title, style, language, sections[].lines) instead.
        #[arg(long)]
        json: bool,
    },
    /// Syllables per line, rhyme letters and each section's scheme ([Verse]/[Chorus] tags or stanzas).
    Check {
        /// The lyrics file.
        file: PathBuf,
        /// Language rules: es or en (guessed from the text when omitted).
        #[arg(long)]
        lang: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Rhyme suggestions for a word.
    Rhymes {
        /// The word.
        word: String,
        /// Language: es or en (guessed from the word when omitted).
        #[arg(long)]
        lang: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The models installed in Ollama (OLLAMA_HOST, default 127.0.0.1:11434).
    Models {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn lang_of(value: Option<&str>, text: &str) -> Result<Lang, Failure> {
    match value {
        Some(v) => Ok(v.parse()?),
        None => Ok(son1k_app::lyrics::detect_lang(text)),
    }
}

pub fn run(studio: &Studio, action: LyricsAction, out: &mut impl Write) -> Result<(), Failure> {
    match action {
        LyricsAction::Write {
            theme,
            lang,
            style,
            model,
            json,
        } => {
            let lang: Lang = lang.parse()?;
            if theme.trim().is_empty() {
                return Err(Failure {
                    code: 2,
                    message: "the theme is empty: say what the song is about".into(),
                });
            }
            let request = WriteRequest {
                theme,
                lang,
                style,
                model,
            };
            let stop = interrupted();
            let mut stdout = std::io::stdout();
            let written = studio.lyrics_write(
                &request,
                &mut |event| match event {
                    Event::Text(t) if !json => {
                        let _ = stdout.write_all(t.as_bytes());
                        let _ = stdout.flush();
                    }
                    Event::Retry(why) => {
                        let _ = writeln!(stdout);
                        eprintln!(
                            "son1k: the model's answer was unusable ({why}); asking it once more"
                        );
                    }
                    Event::Text(_) => {}
                },
                &stop,
            )?;
            if json {
                writeln!(out, "{}", to_json(&written.lyrics)?)?;
            } else {
                eprintln!(
                    "son1k: \"{}\" ({}, {}) by {}",
                    written.lyrics.title,
                    written.lyrics.style,
                    written.lyrics.language,
                    written.model
                );
            }
        }
        LyricsAction::Check { file, lang, json } => {
            let text = std::fs::read_to_string(&file).map_err(|e| Failure {
                code: 2,
                message: format!("could not read lyrics {}: {e}", file.display()),
            })?;
            let lang = lang_of(lang.as_deref(), &text)?;
            let check = studio.lyrics_check(&text, lang);
            if check.lines.is_empty() {
                return Err(Failure {
                    code: 2,
                    message: format!("{} has no lyric lines", file.display()),
                });
            }
            if json {
                writeln!(out, "{}", to_json(&check)?)?;
            } else {
                for (si, s) in check.scheme.iter().enumerate() {
                    if si > 0 {
                        writeln!(out)?;
                    }
                    writeln!(out, "{} {}", s.kind.tag(), s.scheme)?;
                    for l in check.lines.iter().filter(|l| l.section == si) {
                        let guess = if l.guessed { "~" } else { " " };
                        writeln!(out, "{:>3}{guess} {}  {}", l.syllables, l.rhyme, l.text)?;
                    }
                }
            }
        }
        LyricsAction::Rhymes { word, lang, json } => {
            if word.trim().is_empty() {
                return Err(Failure {
                    code: 2,
                    message: "give a word to rhyme with".into(),
                });
            }
            let lang = lang_of(lang.as_deref(), &word)?;
            let r = studio.lyrics_rhymes(&word, lang);
            if json {
                writeln!(out, "{}", to_json(&r)?)?;
            } else {
                let (strict, loose) = match lang {
                    Lang::Es => ("consonant", "assonant"),
                    Lang::En => ("perfect", "near"),
                };
                let list = |v: &[String]| {
                    if v.is_empty() {
                        "(none found)".to_string()
                    } else {
                        v.join(", ")
                    }
                };
                writeln!(out, "{strict}: {}", list(&r.strict))?;
                writeln!(out, "{loose}: {}", list(&r.loose))?;
            }
        }
        LyricsAction::Models { json } => {
            let models = studio.lyrics_models()?;
            if json {
                writeln!(out, "{}", to_json(&models)?)?;
            } else if models.is_empty() {
                writeln!(out, "no models installed — run \"ollama pull qwen2.5\"")?;
            } else {
                let default = son1k_app::lyrics::default_among(&models);
                for m in &models {
                    let mark = if default.as_deref() == Some(m.name.as_str()) {
                        "  (default)"
                    } else {
                        ""
                    };
                    writeln!(out, "{:<28} {:>6.1} GB{mark}", m.name, m.size as f64 / 1e9)?;
                }
            }
        }
    }
    Ok(())
}
