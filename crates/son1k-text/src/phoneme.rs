//! The phonemes a singer sings: a small inventory shared by Spanish (from the spelling, by rule)
//! and English (from the CMU dictionary's ARPAbet), and how each syllable splits into onset
//! consonants, a nucleus (a vowel, or a diphthong or triphthong as a short run of vowels) and
//! coda consonants.
//!
//! Each phoneme has a short ASCII code (`k`, `rr`, `sh`, `ae` …), which is how it is written in
//! files ([`Phone::code`], [`Phone::from_code`]).

use serde::{Deserialize, Serialize};

/// How a phoneme is made, which is what a synthesizer needs to know about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Manner {
    /// A vowel (the voice through open formants).
    Vowel,
    /// A stop: closure, burst, aspiration (`p t k b d g`).
    Plosive,
    /// Turbulent noise (`f s sh th h x`, voiced `v z zh dh`).
    Fricative,
    /// A stop released into a fricative (`ch jh`).
    Affricate,
    /// Voice through the nose (`m n ny ng`).
    Nasal,
    /// `l`, the Spanish tap `r` and trill `rr`, the English `rx`.
    Liquid,
    /// A glide into or out of a vowel (`y w`).
    Glide,
}

macro_rules! phones {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $manner:ident, $voiced:literal; )*) => {
        /// One phoneme of the singer's inventory.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Phone {
            $( $(#[$doc])* $name, )*
        }

        impl Phone {
            /// Every phoneme, in inventory order.
            pub const ALL: &'static [Phone] = &[$(Phone::$name),*];

            /// The phoneme's ASCII code (`a`, `k`, `rr`, `sh` …).
            pub fn code(self) -> &'static str {
                match self { $(Phone::$name => $code,)* }
            }

            /// How it is made.
            pub fn manner(self) -> Manner {
                match self { $(Phone::$name => Manner::$manner,)* }
            }

            /// Whether the vocal folds sound through it.
            pub fn voiced(self) -> bool {
                match self { $(Phone::$name => $voiced,)* }
            }
        }
    };
}

phones! {
    /// Open a (Spanish a, English AA "father").
    A = "a", Vowel, true;
    /// English AE "cat".
    Ae = "ae", Vowel, true;
    /// English AH, the schwa and "cup".
    Ax = "ax", Vowel, true;
    /// Spanish e, the start of English EY.
    E = "e", Vowel, true;
    /// English EH "bed".
    Eh = "eh", Vowel, true;
    /// English ER "bird" (an r-coloured vowel).
    Er = "er", Vowel, true;
    /// Spanish i, English IY "see".
    I = "i", Vowel, true;
    /// English IH "sit".
    Ih = "ih", Vowel, true;
    /// Spanish o, the start of English OW.
    O = "o", Vowel, true;
    /// English AO "thought".
    Oh = "oh", Vowel, true;
    /// Spanish u, English UW "blue".
    U = "u", Vowel, true;
    /// English UH "book".
    Uh = "uh", Vowel, true;
    /// p.
    P = "p", Plosive, false;
    /// b (Spanish b and v).
    B = "b", Plosive, true;
    /// t.
    T = "t", Plosive, false;
    /// d.
    D = "d", Plosive, true;
    /// k (Spanish c, qu, k).
    K = "k", Plosive, false;
    /// g (Spanish g before a/o/u, gu before e/i).
    G = "g", Plosive, true;
    /// f.
    F = "f", Fricative, false;
    /// v (English).
    V = "v", Fricative, true;
    /// th "thin".
    Th = "th", Fricative, false;
    /// dh "this".
    Dh = "dh", Fricative, true;
    /// s (and Latin-American c before e/i and z).
    S = "s", Fricative, false;
    /// z.
    Z = "z", Fricative, true;
    /// sh "she".
    Sh = "sh", Fricative, false;
    /// zh "measure".
    Zh = "zh", Fricative, true;
    /// h "hat" (English; Spanish h is silent).
    H = "h", Fricative, false;
    /// The Spanish j (and g before e/i): a velar fricative.
    X = "x", Fricative, false;
    /// ch.
    Ch = "ch", Affricate, false;
    /// English j "judge".
    Jh = "jh", Affricate, true;
    /// m.
    M = "m", Nasal, true;
    /// n.
    N = "n", Nasal, true;
    /// Spanish ñ.
    Ny = "ny", Nasal, true;
    /// ng "sing".
    Ng = "ng", Nasal, true;
    /// l.
    L = "l", Liquid, true;
    /// The Spanish tap r ("pero").
    R = "r", Liquid, true;
    /// The Spanish trill rr ("perro", "rosa").
    Rr = "rr", Liquid, true;
    /// The English r, with its low third formant.
    Rx = "rx", Liquid, true;
    /// The glide y (Spanish y and ll before a vowel, English Y).
    Y = "y", Glide, true;
    /// The glide w.
    W = "w", Glide, true;
}

impl Phone {
    /// The phoneme with this ASCII code.
    pub fn from_code(code: &str) -> Option<Phone> {
        Phone::ALL.iter().copied().find(|p| p.code() == code)
    }

    /// Whether it is a vowel.
    pub fn is_vowel(self) -> bool {
        self.manner() == Manner::Vowel
    }
}

impl Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Phone::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown phoneme {code:?}")))
    }
}

/// The index in `nucleus` of the vowel a singer holds: the first open one (not i/u-like), else
/// the last ("ciu" holds u, "ai" holds a, "ue" holds e).
pub fn held(nucleus: &[Phone]) -> usize {
    nucleus
        .iter()
        .position(|p| !matches!(p, Phone::I | Phone::U))
        .unwrap_or(nucleus.len().saturating_sub(1))
}

/// The ARPAbet phoneme (stress digit ignored) as the inventory's phonemes: one, or two for a
/// diphthong (AY → a i); `None` for a code ARPAbet does not have.
pub fn from_arpabet(ph: &str) -> Option<&'static [Phone]> {
    use Phone::*;
    Some(match ph.trim_end_matches(['0', '1', '2']) {
        "AA" => &[A],
        "AE" => &[Ae],
        "AH" => &[Ax],
        "AO" => &[Oh],
        "AW" => &[A, U],
        "AY" => &[A, I],
        "EH" => &[Eh],
        "ER" => &[Er],
        "EY" => &[E, I],
        "IH" => &[Ih],
        "IY" => &[I],
        "OW" => &[O, U],
        "OY" => &[Oh, I],
        "UH" => &[Uh],
        "UW" => &[U],
        "B" => &[B],
        "CH" => &[Ch],
        "D" => &[D],
        "DH" => &[Dh],
        "F" => &[F],
        "G" => &[G],
        "HH" => &[H],
        "JH" => &[Jh],
        "K" => &[K],
        "L" => &[L],
        "M" => &[M],
        "N" => &[N],
        "NG" => &[Ng],
        "P" => &[P],
        "R" => &[Rx],
        "S" => &[S],
        "SH" => &[Sh],
        "T" => &[T],
        "TH" => &[Th],
        "V" => &[V],
        "W" => &[W],
        "Y" => &[Y],
        "Z" => &[Z],
        "ZH" => &[Zh],
        _ => return None,
    })
}

/// Writes phonemes as their codes separated by spaces (`k rr a s`).
pub fn codes(phones: &[Phone]) -> String {
    phones
        .iter()
        .map(|p| p.code())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for p in Phone::ALL {
            assert_eq!(Phone::from_code(p.code()), Some(*p));
        }
        let mut all: Vec<&str> = Phone::ALL.iter().map(|p| p.code()).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), Phone::ALL.len());
        assert_eq!(from_arpabet("AY1"), Some(&[Phone::A, Phone::I][..]));
        assert_eq!(held(&[Phone::I, Phone::U]), 1);
        assert_eq!(held(&[Phone::U, Phone::E]), 1);
        assert_eq!(held(&[Phone::A, Phone::I]), 0);
    }
}
