//! The composed song as notes: what the synthesizer renders and the MIDI file stores.

use serde::{Deserialize, Serialize};

use son1k_core::Key;

use crate::form::SectionKind;
use crate::style::Sound;
use son1k_text::Phone;

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
    /// The sung syllable's phonemes (onset, nucleus, coda), for sung notes; absent in files
    /// written before the singer had consonants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phones: Option<SungPhones>,
}

/// Most phonemes a sung note carries; a longer syllable keeps its first ones.
const MAX_PHONES: usize = 14;

/// The phonemes of one sung syllable, kept inline so that a [`Note`] stays `Copy`: the onset
/// consonants, the nucleus (a vowel or a diphthong) and the coda consonants. Written in files as
/// their codes, `onset|nucleus|coda` (`k rr|u e|s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct SungPhones {
    phones: [Phone; MAX_PHONES],
    onset: u8,
    nucleus: u8,
    len: u8,
}

impl SungPhones {
    /// The phonemes of `onset`, `nucleus` and `coda` (the coda, then the onset, cut short when
    /// the three hold more than fourteen).
    pub fn new(onset: &[Phone], nucleus: &[Phone], coda: &[Phone]) -> SungPhones {
        let nucleus = &nucleus[..nucleus.len().min(4)];
        let onset = &onset[..onset.len().min(MAX_PHONES - nucleus.len()).min(5)];
        let room = MAX_PHONES - nucleus.len() - onset.len();
        let coda = &coda[..coda.len().min(room)];
        let mut phones = [Phone::A; MAX_PHONES];
        for (slot, p) in phones
            .iter_mut()
            .zip(onset.iter().chain(nucleus).chain(coda))
        {
            *slot = *p;
        }
        SungPhones {
            phones,
            onset: onset.len() as u8,
            nucleus: (onset.len() + nucleus.len()) as u8,
            len: (onset.len() + nucleus.len() + coda.len()) as u8,
        }
    }

    /// The consonants before the nucleus.
    pub fn onset(&self) -> &[Phone] {
        &self.phones[..self.onset as usize]
    }

    /// The vowel or vowels sung on the note.
    pub fn nucleus(&self) -> &[Phone] {
        &self.phones[self.onset as usize..self.nucleus as usize]
    }

    /// The consonants at the end of the note.
    pub fn coda(&self) -> &[Phone] {
        &self.phones[self.nucleus as usize..self.len as usize]
    }
}

impl From<SungPhones> for String {
    fn from(p: SungPhones) -> String {
        use son1k_text::phoneme::codes;
        format!(
            "{}|{}|{}",
            codes(p.onset()),
            codes(p.nucleus()),
            codes(p.coda())
        )
    }
}

impl TryFrom<String> for SungPhones {
    type Error = String;

    fn try_from(s: String) -> Result<SungPhones, String> {
        let parse = |part: &str| -> Result<Vec<Phone>, String> {
            part.split_whitespace()
                .map(|c| Phone::from_code(c).ok_or_else(|| format!("unknown phoneme {c:?}")))
                .collect()
        };
        let mut it = s.split('|');
        let (Some(o), Some(n), Some(c), None) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(format!("phonemes {s:?} are not onset|nucleus|coda"));
        };
        Ok(SungPhones::new(&parse(o)?, &parse(n)?, &parse(c)?))
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn notes_with_and_without_phonemes_round_trip() {
        let old = r#"{"start":0.0,"dur":1.0,"pitch":60,"vel":0.5,"vowel":"a"}"#;
        let n: Note = serde_json::from_str(old).unwrap();
        assert_eq!(n.phones, None);
        assert_eq!(serde_json::to_string(&n).unwrap(), old);
        let p = SungPhones::new(&[Phone::K, Phone::Rr], &[Phone::U, Phone::E], &[Phone::S]);
        let sung = Note {
            phones: Some(p),
            ..n
        };
        let json = serde_json::to_string(&sung).unwrap();
        assert!(json.contains(r#""phones":"k rr|u e|s""#), "{json}");
        let back: Note = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sung);
        assert_eq!(back.phones.unwrap().coda(), [Phone::S]);
        assert!(serde_json::from_str::<Note>(&json.replace("rr", "qq")).is_err());
    }
}
