//! Musical keys: parsing from English and Spanish spellings, printing in a canonical form.
//!
//! Accepted: `F# minor`, `Gb min`, `Am`, `A`, `Bb major`, `C#m`, `F sharp minor`, `La menor`,
//! `sol mayor`, `Si bemol mayor`, `fa# m`, `Do sostenido menor`, `AM` (upper-case M means major).
//! Printed: `F# minor`, `Bb major` (English) or `Fa# menor`, `Sib mayor` (Spanish), with the
//! spelling musicians expect for that key.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::str::FromStr;

use crate::{Lang, ValidationError};

/// A pitch class, 0 = C … 11 = B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PitchClass(u8);

impl PitchClass {
    /// The pitch class `semitones` above C, wrapped to 0–11.
    pub fn new(semitones: i32) -> Self {
        PitchClass(semitones.rem_euclid(12) as u8)
    }

    /// Semitones above C (0–11).
    pub fn semitone(self) -> u8 {
        self.0
    }
}

/// Major or minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Major (Ionian).
    Major,
    /// Natural minor (Aeolian).
    Minor,
}

/// A key: a tonic and a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The tonic.
    pub tonic: PitchClass,
    /// Major or minor.
    pub mode: Mode,
}

// Spellings per pitch class, chosen per mode the way key signatures are usually written.
const MAJOR_EN: [&str; 12] = [
    "C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];
const MINOR_EN: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B",
];
const MAJOR_ES: [&str; 12] = [
    "Do", "Reb", "Re", "Mib", "Mi", "Fa", "Fa#", "Sol", "Lab", "La", "Sib", "Si",
];
const MINOR_ES: [&str; 12] = [
    "Do", "Do#", "Re", "Mib", "Mi", "Fa", "Fa#", "Sol", "Sol#", "La", "Sib", "Si",
];

impl Key {
    /// Builds a key from a tonic and a mode.
    pub fn new(tonic: PitchClass, mode: Mode) -> Self {
        Key { tonic, mode }
    }

    /// All 24 major and minor keys, C major first.
    pub fn all() -> Vec<Key> {
        (0..12)
            .flat_map(|s| [Mode::Major, Mode::Minor].map(|m| Key::new(PitchClass::new(s), m)))
            .collect()
    }

    /// The key's name in `lang`, e.g. `F# minor` or `Fa# menor`.
    pub fn name(&self, lang: Lang) -> String {
        let i = self.tonic.semitone() as usize;
        match (lang, self.mode) {
            (Lang::En, Mode::Major) => format!("{} major", MAJOR_EN[i]),
            (Lang::En, Mode::Minor) => format!("{} minor", MINOR_EN[i]),
            (Lang::Es, Mode::Major) => format!("{} mayor", MAJOR_ES[i]),
            (Lang::Es, Mode::Minor) => format!("{} menor", MINOR_ES[i]),
        }
    }

    /// The relative key (A minor ↔ C major).
    pub fn relative(&self) -> Key {
        match self.mode {
            Mode::Major => Key::new(
                PitchClass::new(self.tonic.semitone() as i32 - 3),
                Mode::Minor,
            ),
            Mode::Minor => Key::new(
                PitchClass::new(self.tonic.semitone() as i32 + 3),
                Mode::Major,
            ),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name(Lang::En))
    }
}

fn key_error(input: &str) -> ValidationError {
    ValidationError::new(
        "key",
        format!("{input:?}"),
        "key must be a note and a mode, such as \"F# minor\", \"Am\", \"Bb major\", \"La menor\" or \"sol mayor\"",
    )
}

/// Strips `prefix` (already lower-case) from `s`, returning the rest.
fn strip<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.strip_prefix(prefix)
}

impl FromStr for Key {
    type Err = ValidationError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let cleaned = input.trim().replace('♯', "#").replace('♭', "b");
        if cleaned.is_empty() || cleaned.chars().count() > 40 {
            return Err(key_error(input));
        }
        let lower = cleaned.to_lowercase();

        // Tonic: Spanish solfège first (do re mi fa sol la si), then English letters.
        const SOLFEGE: [(&str, i32); 7] = [
            ("sol", 7),
            ("do", 0),
            ("re", 2),
            ("mi", 4),
            ("fa", 5),
            ("la", 9),
            ("si", 11),
        ];
        const LETTERS: [(&str, i32); 7] = [
            ("c", 0),
            ("d", 2),
            ("e", 4),
            ("f", 5),
            ("g", 7),
            ("a", 9),
            ("b", 11),
        ];
        // No valid English spelling starts with a solfège syllable ("do" is never D + "o…"), so
        // trying solfège first is unambiguous.
        let (mut semis, mut rest) = SOLFEGE
            .iter()
            .chain(LETTERS.iter())
            .find_map(|(n, s)| strip(&lower, n).map(|r| (*s, r)))
            .ok_or_else(|| key_error(input))?;

        // Accidentals, possibly separated by spaces or hyphens: #, b, sharp, flat, sostenido, bemol.
        loop {
            let trimmed = rest.trim_start_matches([' ', '-']);
            if let Some(r) = ["#", "sharp", "sostenido"]
                .iter()
                .find_map(|a| strip(trimmed, a))
            {
                semis += 1;
                rest = r;
            } else if let Some(r) = ["bemol", "flat"].iter().find_map(|a| strip(trimmed, a)) {
                semis -= 1;
                rest = r;
            } else if let Some(r) = strip(trimmed, "b") {
                semis -= 1;
                rest = r;
            } else {
                rest = trimmed;
                break;
            }
        }

        // Mode. Upper-case "M" alone means major (as in "AM"); lower-case "m" means minor.
        let mode = if rest.trim() == "m" && cleaned.ends_with('M') {
            Mode::Major
        } else {
            match rest.trim().trim_start_matches('-').trim() {
                "" | "maj" | "major" | "mayor" | "dur" | "ionian" | "jónico" | "jonico" => {
                    Mode::Major
                }
                "m" | "min" | "minor" | "menor" | "moll" | "aeolian" | "eólico" | "eolico" => {
                    Mode::Minor
                }
                _ => return Err(key_error(input)),
            }
        };
        Ok(Key::new(PitchClass::new(semis), mode))
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        s.parse::<Key>()
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .to_string()
    }

    #[test]
    fn parses_the_examples_from_the_issue() {
        assert_eq!(p("F# minor"), "F# minor");
        assert_eq!(p("Gb min"), "F# minor");
        assert_eq!(p("Am"), "A minor");
        assert_eq!(p("La menor"), "A minor");
        assert_eq!(p("sol mayor"), "G major");
    }

    #[test]
    fn parses_other_spellings() {
        assert_eq!(p("C"), "C major");
        assert_eq!(p("AM"), "A major");
        assert_eq!(p("Bb"), "Bb major");
        assert_eq!(p("bb minor"), "Bb minor");
        assert_eq!(p("A#"), "Bb major");
        assert_eq!(p("C#m"), "C# minor");
        assert_eq!(p("Db minor"), "C# minor");
        assert_eq!(p("F sharp minor"), "F# minor");
        assert_eq!(p("E flat major"), "Eb major");
        assert_eq!(p("Si bemol mayor"), "Bb major");
        assert_eq!(p("do sostenido menor"), "C# minor");
        assert_eq!(p("Fa# m"), "F# minor");
        assert_eq!(p("  D-minor "), "D minor");
        assert_eq!(p("E♭ maj"), "Eb major");
        assert_eq!(p("Cb"), "B major");
        assert_eq!(p("mi menor"), "E minor");
        assert_eq!(p("Re"), "D major");
    }

    #[test]
    fn rejects_nonsense_with_a_helpful_message() {
        for bad in ["", "H minor", "F# dorian blues", "x", "minor", "12"] {
            let err = bad.parse::<Key>().unwrap_err();
            assert_eq!(err.field, "key");
            assert!(err.rule.contains("F# minor"), "{err}");
        }
    }

    #[test]
    fn every_key_round_trips_in_both_languages() {
        let keys = Key::all();
        assert_eq!(keys.len(), 24);
        for k in keys {
            assert_eq!(k.name(Lang::En).parse::<Key>().unwrap(), k);
            assert_eq!(k.name(Lang::Es).parse::<Key>().unwrap(), k);
            assert_eq!(k.relative().relative(), k);
        }
        assert_eq!(
            "A minor".parse::<Key>().unwrap().relative().to_string(),
            "C major"
        );
        assert_eq!(
            "F# minor".parse::<Key>().unwrap().name(Lang::Es),
            "Fa# menor"
        );
    }

    #[test]
    fn serde_uses_the_printed_name() {
        let k: Key = serde_json::from_str("\"gb min\"").unwrap();
        assert_eq!(serde_json::to_string(&k).unwrap(), "\"F# minor\"");
        assert!(serde_json::from_str::<Key>("\"Q major\"").is_err());
    }
}
