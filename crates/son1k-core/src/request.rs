//! The validated request every song engine takes.

use serde::{Deserialize, Serialize};

use crate::error::{check_len, check_range};
use crate::{Key, Knobs, Quality, ValidationError};

/// Longest prompt accepted, in characters.
pub const MAX_PROMPT_CHARS: usize = 2000;
/// Longest lyrics accepted, in characters.
pub const MAX_LYRICS_CHARS: usize = 10_000;
/// Slowest and fastest tempo accepted, in BPM.
pub const BPM_RANGE: (u32, u32) = (40, 240);
/// Shortest and longest song accepted, in seconds.
pub const DURATION_RANGE: (f32, f32) = (5.0, 600.0);
/// Longest genre or mood hint accepted, in characters.
pub const MAX_HINT_CHARS: usize = 80;

/// What a song engine is asked to make. Build it, then call [`GenerationRequest::validate`]
/// before handing it to an engine: engines may assume a validated request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GenerationRequest {
    /// The text prompt, at most 2000 characters.
    pub prompt: String,
    /// Lyrics, with optional `[Verse]`/`[Chorus]` tags.
    #[serde(default)]
    pub lyrics: Option<String>,
    /// No vocals. With lyrics: the lyric's form (sections and lengths), nothing sung.
    #[serde(default)]
    pub instrumental: bool,
    /// Genre hint.
    #[serde(default)]
    pub genre: Option<String>,
    /// Mood hint.
    #[serde(default)]
    pub mood: Option<String>,
    /// Tempo in BPM, 40–240.
    #[serde(default)]
    pub bpm: Option<u32>,
    /// Key (written like `F# minor`).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub key: Option<Key>,
    /// Duration in seconds, 5–600.
    #[serde(default)]
    pub duration_secs: Option<f32>,
    /// The four Ghost Studio knobs.
    #[serde(default)]
    pub knobs: Knobs,
    /// Seed: the same request and seed give the same song.
    #[serde(default)]
    pub seed: u64,
    /// Export quality (gated by tier).
    #[serde(default)]
    pub quality: Quality,
}

impl GenerationRequest {
    /// A request for `prompt` with every other field at its default.
    pub fn new(prompt: impl Into<String>) -> Self {
        GenerationRequest {
            prompt: prompt.into(),
            lyrics: None,
            instrumental: false,
            genre: None,
            mood: None,
            bpm: None,
            key: None,
            duration_secs: None,
            knobs: Knobs::default(),
            seed: 0,
            quality: Quality::Standard,
        }
    }

    /// Checks every rule; the error names the field, the value and what is allowed.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.prompt.trim().is_empty() {
            return Err(ValidationError::new(
                "prompt",
                "\"\"",
                "the prompt must not be empty",
            ));
        }
        check_len("prompt", "the prompt", &self.prompt, MAX_PROMPT_CHARS)?;
        if let Some(lyrics) = &self.lyrics {
            // With `instrumental` the lyrics still shape the song (its sections and their
            // lengths) and nothing is sung: a backing track in the lyric's form.
            check_len("lyrics", "lyrics", lyrics, MAX_LYRICS_CHARS)?;
        }
        if let Some(genre) = &self.genre {
            check_len("genre", "the genre", genre, MAX_HINT_CHARS)?;
        }
        if let Some(mood) = &self.mood {
            check_len("mood", "the mood", mood, MAX_HINT_CHARS)?;
        }
        if let Some(bpm) = self.bpm {
            check_range("bpm", "BPM", bpm, BPM_RANGE.0, BPM_RANGE.1)?;
        }
        if let Some(d) = self.duration_secs {
            if !d.is_finite() {
                return Err(ValidationError::new(
                    "duration",
                    d,
                    "duration must be 5–600 seconds",
                ));
            }
            check_range(
                "duration",
                "duration (seconds)",
                d,
                DURATION_RANGE.0,
                DURATION_RANGE.1,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> GenerationRequest {
        let mut r = GenerationRequest::new("a dreamy synth-pop song about the sea");
        r.bpm = Some(120);
        r.duration_secs = Some(90.0);
        r.key = Some("F# minor".parse().unwrap());
        r
    }

    #[test]
    fn a_sensible_request_passes() {
        ok().validate().unwrap();
    }

    #[test]
    fn bpm_out_of_range_names_the_range() {
        let mut r = ok();
        r.bpm = Some(9999);
        let e = r.validate().unwrap_err();
        assert_eq!(e.field, "bpm");
        assert_eq!(e.to_string(), "invalid bpm 9999: BPM must be 40–240");
        r.bpm = Some(40);
        r.validate().unwrap();
        r.bpm = Some(39);
        assert!(r.validate().is_err());
    }

    #[test]
    fn prompt_limit_counts_characters_not_bytes() {
        let mut r = ok();
        r.prompt = "ñ".repeat(2000); // 4000 bytes, 2000 characters
        r.validate().unwrap();
        r.prompt.push('x');
        let e = r.validate().unwrap_err();
        assert_eq!(e.field, "prompt");
        assert!(
            e.to_string().contains("2001 characters") && e.rule.contains("2000"),
            "{e}"
        );
        r.prompt = "   ".into();
        assert_eq!(r.validate().unwrap_err().field, "prompt");
    }

    #[test]
    fn duration_and_instrumental_rules() {
        let mut r = ok();
        r.duration_secs = Some(4.9);
        assert_eq!(r.validate().unwrap_err().field, "duration");
        r.duration_secs = Some(f32::NAN);
        assert_eq!(r.validate().unwrap_err().field, "duration");
        r.duration_secs = Some(600.0);
        r.validate().unwrap();
        // Instrumental with lyrics: the lyric's form, no vocal.
        r.instrumental = true;
        r.lyrics = Some("[Verse]\nla la la".into());
        r.validate().unwrap();
        r.lyrics = Some("x".repeat(MAX_LYRICS_CHARS + 1));
        assert_eq!(r.validate().unwrap_err().field, "lyrics");
    }

    #[test]
    fn untrusted_json_is_validated() {
        let err = serde_json::from_str::<GenerationRequest>(
            r#"{"prompt":"x","knobs":{"expressivity":50,"rareza":200,"garage":0,"trash":0}}"#,
        )
        .expect_err("a knob above 100 cannot be read");
        assert!(err.to_string().contains("invalid rareza 200"), "{err}");
        let bad_key =
            serde_json::from_str::<GenerationRequest>(r#"{"prompt":"x","key":"Z major"}"#);
        assert!(bad_key.is_err());
    }
}
