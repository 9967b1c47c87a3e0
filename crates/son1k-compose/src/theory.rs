//! Harmony: roman-numeral chords, scales and voice leading.

use serde::{Deserialize, Serialize};

use son1k_core::{Key, Mode};

/// Chord qualities the composer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Quality {
    Major,
    Minor,
    Diminished,
    Sus4,
    Major7,
    Minor7,
    Dominant7,
    Minor9,
    Major9,
    /// Dominant ninth (jazz, funk).
    Dominant9,
    /// Half-diminished seventh (the minor key's ii in a ii–V).
    HalfDiminished,
}

impl Quality {
    /// Intervals above the root, in semitones.
    pub fn intervals(self) -> &'static [i32] {
        match self {
            Quality::Major => &[0, 4, 7],
            Quality::Minor => &[0, 3, 7],
            Quality::Diminished => &[0, 3, 6],
            Quality::Sus4 => &[0, 5, 7],
            Quality::Major7 => &[0, 4, 7, 11],
            Quality::Minor7 => &[0, 3, 7, 10],
            Quality::Dominant7 => &[0, 4, 7, 10],
            Quality::Minor9 => &[0, 3, 7, 10, 14],
            Quality::Major9 => &[0, 4, 7, 11, 14],
            Quality::Dominant9 => &[0, 4, 7, 10, 14],
            Quality::HalfDiminished => &[0, 3, 6, 10],
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Quality::Major => "",
            Quality::Minor => "m",
            Quality::Diminished => "dim",
            Quality::Sus4 => "sus4",
            Quality::Major7 => "maj7",
            Quality::Minor7 => "m7",
            Quality::Dominant7 => "7",
            Quality::Minor9 => "m9",
            Quality::Major9 => "maj9",
            Quality::Dominant9 => "9",
            Quality::HalfDiminished => "m7b5",
        }
    }

    /// The quality with a seventh added (triads only; others unchanged).
    pub fn with_seventh(self) -> Quality {
        match self {
            Quality::Major => Quality::Major7,
            Quality::Minor => Quality::Minor7,
            q => q,
        }
    }

    /// Whether the third is minor.
    pub fn is_minor(self) -> bool {
        matches!(
            self,
            Quality::Minor
                | Quality::Minor7
                | Quality::Minor9
                | Quality::Diminished
                | Quality::HalfDiminished
        )
    }
}

/// A chord relative to the key's tonic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chord {
    /// Root in semitones above the tonic (0–11).
    pub root: i32,
    /// Quality.
    pub quality: Quality,
}

const SHARP_NAMES: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B",
];

impl Chord {
    /// The chord on `root` semitones above the tonic.
    pub const fn new(root: i32, quality: Quality) -> Chord {
        Chord { root, quality }
    }

    /// Parses a roman numeral: optional `b`/`#`, `I`…`VII` (upper-case major, lower-case minor),
    /// then `7`, `maj7`, `dim`, `sus4`, `9`. `V7` is dominant, `i7` minor seventh.
    pub fn roman(s: &str) -> Option<Chord> {
        let (shift, rest): (i32, &str) = if let Some(r) = s.strip_prefix('b') {
            (-1, r)
        } else if let Some(r) = s.strip_prefix('#') {
            (1, r)
        } else {
            (0, s)
        };
        let numeral_len = rest
            .chars()
            .take_while(|c| matches!(c, 'i' | 'v' | 'I' | 'V'))
            .count();
        let (numeral, suffix) = rest.split_at(numeral_len);
        let degree: i32 = match numeral.to_ascii_uppercase().as_str() {
            "I" => 0,
            "II" => 2,
            "III" => 4,
            "IV" => 5,
            "V" => 7,
            "VI" => 9,
            "VII" => 11,
            _ => return None,
        };
        let minor = numeral.chars().all(|c| c.is_ascii_lowercase());
        let quality = match (minor, suffix) {
            (false, "") => Quality::Major,
            (true, "") => Quality::Minor,
            (_, "dim") => Quality::Diminished,
            (_, "sus4") => Quality::Sus4,
            (false, "maj7") => Quality::Major7,
            (false, "7") => Quality::Dominant7,
            (true, "7") => Quality::Minor7,
            (true, "9") => Quality::Minor9,
            (false, "9") | (false, "maj9") => Quality::Major9,
            (false, "dom9") => Quality::Dominant9,
            (true, "7b5") => Quality::HalfDiminished,
            _ => return None,
        };
        Some(Chord {
            root: (degree + shift).rem_euclid(12),
            quality,
        })
    }

    /// A whole progression ("i bVI bIII bVII"); `None` if any numeral is malformed.
    pub fn progression(s: &str) -> Option<Vec<Chord>> {
        s.split_whitespace().map(Chord::roman).collect()
    }

    /// Absolute pitch classes of the chord in `key`.
    pub fn pitch_classes(&self, key: Key) -> Vec<u8> {
        let tonic = key.tonic.semitone() as i32;
        self.quality
            .intervals()
            .iter()
            .map(|i| (tonic + self.root + i).rem_euclid(12) as u8)
            .collect()
    }

    /// Absolute root pitch class in `key`.
    pub fn root_pc(&self, key: Key) -> u8 {
        (key.tonic.semitone() as i32 + self.root).rem_euclid(12) as u8
    }

    /// A printable symbol such as `F#m7`.
    pub fn symbol(&self, key: Key) -> String {
        format!(
            "{}{}",
            SHARP_NAMES[self.root_pc(key) as usize],
            self.quality.suffix()
        )
    }
}

/// Scale steps (semitones above the tonic) of the key's mode.
pub fn scale(mode: Mode) -> [i32; 7] {
    match mode {
        Mode::Major => [0, 2, 4, 5, 7, 9, 11],
        Mode::Minor => [0, 2, 3, 5, 7, 8, 10],
    }
}

/// The MIDI note of scale degree `degree` (any integer; 7 = the tonic an octave up) above the
/// tonic placed at `tonic_midi`.
pub fn degree_to_midi(mode: Mode, tonic_midi: i32, degree: i32) -> i32 {
    let s = scale(mode);
    let octave = degree.div_euclid(7);
    tonic_midi + 12 * octave + s[degree.rem_euclid(7) as usize]
}

/// The MIDI note of pitch class `pc` nearest to `target`.
pub fn nearest(pc: u8, target: i32) -> i32 {
    let base = target - (target - pc as i32).rem_euclid(12);
    if target - base > 6 {
        base + 12
    } else {
        base
    }
}

/// Voices `pcs` near `center` so it moves as little as possible from `previous` (voice leading):
/// tries every octave placement within ±7 semitones of the centre and keeps the smoothest spread.
pub fn voice(pcs: &[u8], previous: Option<&[i32]>, center: i32) -> Vec<i32> {
    let n = pcs.len().min(5);
    let options: Vec<[i32; 2]> = pcs[..n]
        .iter()
        .map(|&pc| {
            let a = nearest(pc, center - 4);
            [a, a + 12]
        })
        .collect();
    let mut best: Option<(i64, Vec<i32>)> = None;
    for mask in 0..(1u32 << n) {
        let mut v: Vec<i32> = (0..n)
            .map(|i| options[i][((mask >> i) & 1) as usize])
            .collect();
        v.sort_unstable();
        let span = v[n - 1] - v[0];
        if span > 14 {
            continue;
        }
        // Neighbouring chord tones closer than a whole step sound muddy low down.
        let clusters = v.windows(2).filter(|w| w[1] - w[0] < 2).count() as i64;
        let movement: i64 = match previous {
            Some(prev) if !prev.is_empty() => v
                .iter()
                .map(|&x| prev.iter().map(|&p| (x - p).abs()).min().unwrap_or(0) as i64)
                .sum(),
            _ => v.iter().map(|&x| (x - center).abs() as i64).sum(),
        };
        let score = movement * 4 + clusters * 6 + ((v[0] + v[n - 1]) / 2 - center).abs() as i64;
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, v));
        }
    }
    best.map(|b| b.1).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use son1k_core::PitchClass;

    #[test]
    fn roman_numerals_parse_in_both_modes() {
        let prog = Chord::progression("i bVI bIII bVII").unwrap();
        let fs_minor = Key::new(PitchClass::new(6), Mode::Minor);
        let names: Vec<String> = prog.iter().map(|c| c.symbol(fs_minor)).collect();
        assert_eq!(names, ["F#m", "D", "A", "E"]);
        let c = Key::new(PitchClass::new(0), Mode::Major);
        assert_eq!(Chord::roman("V7").unwrap().symbol(c), "G7");
        assert_eq!(Chord::roman("ii7").unwrap().symbol(c), "Dm7");
        assert_eq!(
            Chord::roman("IVmaj7").unwrap().pitch_classes(c),
            [5, 9, 0, 4]
        );
        assert!(Chord::roman("VIII").is_none());
        assert!(Chord::progression("I V x").is_none());
    }

    #[test]
    fn every_style_progression_parses() {
        for s in crate::style::Style::ALL {
            let p = s.params();
            for prog in p.major.iter().chain(p.minor) {
                assert!(Chord::progression(prog).is_some(), "{s:?}: {prog}");
            }
        }
    }

    #[test]
    fn voice_leading_moves_little() {
        let c = Key::new(PitchClass::new(0), Mode::Major);
        let prog = Chord::progression("I V vi IV").unwrap();
        let mut prev: Option<Vec<i32>> = None;
        for ch in prog {
            let v = voice(&ch.pitch_classes(c), prev.as_deref(), 60);
            let pcs: Vec<u8> = v.iter().map(|n| n.rem_euclid(12) as u8).collect();
            for pc in ch.pitch_classes(c) {
                assert!(pcs.contains(&pc));
            }
            if let Some(p) = &prev {
                let moved: i32 = v
                    .iter()
                    .map(|x| p.iter().map(|y| (x - y).abs()).min().unwrap())
                    .sum();
                assert!(moved <= 6, "{p:?} -> {v:?}");
            }
            prev = Some(v);
        }
    }

    #[test]
    fn degrees_and_nearest() {
        assert_eq!(degree_to_midi(Mode::Minor, 57, 2), 60);
        assert_eq!(degree_to_midi(Mode::Major, 60, 7), 72);
        assert_eq!(degree_to_midi(Mode::Major, 60, -1), 59);
        assert_eq!(nearest(0, 59), 60);
        assert_eq!(nearest(11, 60), 59);
    }
}
