//! The composed song as notes: what the synthesizer renders and the MIDI file stores.

use serde::{Deserialize, Serialize};

use son1k_core::Key;

use crate::form::SectionKind;
use crate::style::Sound;

/// A note. Times are in beats from the start of the song.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Start, in beats.
    pub start: f64,
    /// Length, in beats.
    pub dur: f64,
    /// MIDI pitch (drums: General MIDI percussion numbers).
    pub pitch: u8,
    /// Velocity 0–1.
    pub vel: f32,
    /// The vowel a guide voice sings on this note (`a e i o u`), for sung notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vowel: Option<char>,
}

/// What a part does in the arrangement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Role {
    Drums,
    Bass,
    Keys,
    Pad,
    Lead,
    Vocal,
}

/// One instrument's notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Stem name (`drums`, `bass`, `keys`, `pad`, `lead`, `vocal`).
    pub name: String,
    /// Role.
    pub role: Role,
    /// Sound.
    pub sound: Sound,
    /// Stereo position −1…1.
    pub pan: f32,
    /// Level in dB.
    pub gain_db: f32,
    /// Notes, sorted by start.
    pub notes: Vec<Note>,
}

/// A chord over a span of the song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChordSpan {
    /// Start, in beats.
    pub start: f64,
    /// Length, in beats.
    pub beats: f64,
    /// Symbol such as `F#m7`.
    pub symbol: String,
    /// Pitch classes (0 = C).
    pub pitch_classes: Vec<u8>,
}

/// A section of the song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionSpan {
    /// Kind.
    pub kind: SectionKind,
    /// A letter per distinct kind, in order of appearance (A, B, …).
    pub label: String,
    /// Start, in beats.
    pub start: f64,
    /// Length, in beats.
    pub beats: f64,
    /// Energy 0–1.
    pub energy: f32,
}

/// A sung syllable placed in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SungSyllable {
    /// The syllable's letters.
    pub text: String,
    /// Start, in beats.
    pub start: f64,
    /// MIDI pitch.
    pub pitch: u8,
    /// Stressed.
    pub stressed: bool,
}

/// A whole composed song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Tempo.
    pub bpm: u32,
    /// Key.
    pub key: Key,
    /// Beats per bar.
    pub beats_per_bar: u32,
    /// Sections in order.
    pub sections: Vec<SectionSpan>,
    /// Chords in order.
    pub chords: Vec<ChordSpan>,
    /// Instrument parts.
    pub parts: Vec<Part>,
    /// Sung syllables (empty for instrumentals).
    pub syllables: Vec<SungSyllable>,
    /// Beats of music (the last bar's end; the final chord rings after it).
    pub total_beats: f64,
    /// Length of the rendered audio, in seconds (music plus the ring-out).
    pub seconds: f64,
}

impl Score {
    /// Seconds per beat.
    pub fn beat_seconds(&self) -> f64 {
        60.0 / self.bpm as f64
    }

    /// Seconds at `beat`.
    pub fn time_of(&self, beat: f64) -> f64 {
        beat * self.beat_seconds()
    }
}
