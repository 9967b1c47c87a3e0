//! The one text model for lyrics in Son1k Studio: which language a lyric and each of its lines
//! is in, what its section tags mean, and the syllables a singer sings on each line — Spanish by
//! the rules of verse (diphthongs, hiatus, stress, synalepha between words), English from the CMU
//! Pronouncing Dictionary — each with its stress and the vowel to sing. The Lyric Studio
//! (son1k-lyrics) counts with it and the Generator (son1k-compose) sings with it, so what the
//! editor counts is what the singer sings.
//!
//! - [`lang`]: [`detect_lang`] for a lyric, [`line_lang`] for one line of it.
//! - [`section`]: tags → [`SectionKind`] (one meaning per tag) and [`section::parse`].
//! - [`es`], [`en`]: words → syllables and stress; [`syllables`] for a line; [`read`] for a lyric.
//! - [`phoneme`]: the singer's phonemes; every [`Syllable`] carries its onset, nucleus and coda.
//!
//! It is not for rhyme, metre schemes or writing lyrics (son1k-lyrics), nor for melody or
//! timing (son1k-compose). No I/O: the dictionary is compiled in.
#![deny(missing_docs)]

pub mod en;
pub mod es;
pub mod lang;
pub mod lyric;
pub mod phoneme;
pub mod section;

use serde::{Deserialize, Serialize};
pub use son1k_core::Lang;

pub use lang::{detect_lang, line_lang, words_of};
pub use lyric::{read, Line, Lyric, SungSection};
pub use phoneme::{Manner, Phone};
pub use section::{Section, SectionKind};

/// One sung syllable: one note of the melody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Syllable {
    /// The letters of the syllable as written (lower-case); `‿` joins the parts of a Spanish
    /// synalepha (`ro‿a`), `-` continues a note where the spelling has no letters left.
    pub text: String,
    /// The vowel the guide voice sings: one of `a e i o u`.
    pub vowel: char,
    /// Sung with stress (lexical stress; never on an unstressed one-syllable function word).
    pub stressed: bool,
    /// The consonants sung before the nucleus (Spanish from the spelling, English from the
    /// dictionary); empty when the syllable starts on its vowel.
    #[serde(default)]
    pub onset: Vec<Phone>,
    /// The vowel, or the vowels of a diphthong or triphthong (`ue`, `a i`), in order; the one
    /// held is [`phoneme::held`]. Empty only for a `-` continuation.
    #[serde(default)]
    pub nucleus: Vec<Phone>,
    /// The consonants sung after the nucleus, at the end of the note.
    #[serde(default)]
    pub coda: Vec<Phone>,
}

impl Syllable {
    /// Every phoneme of the syllable in order: onset, nucleus, coda.
    pub fn phones(&self) -> impl Iterator<Item = Phone> + '_ {
        self.onset
            .iter()
            .chain(&self.nucleus)
            .chain(&self.coda)
            .copied()
    }
}

/// The sung syllables of one line in `lang`: Spanish with synalephas joined, English from the
/// dictionary. Punctuation and numbers are not sung.
pub fn syllables(line: &str, lang: Lang) -> Vec<Syllable> {
    match lang {
        Lang::Es => es::sung(line),
        Lang::En => en::sung(line),
    }
}

/// How many syllables (notes) one line has in `lang`: `syllables(line, lang).len()`.
pub fn syllable_count(line: &str, lang: Lang) -> usize {
    syllables(line, lang).len()
}
