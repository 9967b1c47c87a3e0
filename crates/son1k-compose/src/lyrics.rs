//! Lyrics for the melody: the composer's view (how many notes, which ones fall on strong beats,
//! which vowel the guide voice sings) of the one text model, [`son1k_text`], which the Lyric
//! Studio counts with too — so each line gets as many notes as the Lyric Studio reports
//! syllables.
//!
//! Tags mean what [`son1k_text::section`] says (`[Intro]` is an intro, `[Hook]` a chorus, an
//! unknown tag a verse), mapped one to one onto the form's [`SectionKind`]; the form has no tag
//! for a breakdown. A tag with no lines is kept only for an intro or an outro (an instrumental
//! one, so the form adds no other); other empty sections are dropped.

use serde::{Deserialize, Serialize};
use son1k_text::SectionKind as Tag;

use crate::form::SectionKind;

/// The language whose rules split syllables.
pub use son1k_core::Lang as LyricLang;
/// One sung syllable: its letters, the vowel the guide voice sings, its stress.
pub use son1k_text::Syllable;

/// A tagged block of lyrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LyricSection {
    /// The section the tag names.
    pub kind: SectionKind,
    /// Lines, each split into syllables.
    pub lines: Vec<Vec<Syllable>>,
}

/// Guesses the language of a text ([`son1k_text::detect_lang`]).
pub fn detect_lang(text: &str) -> LyricLang {
    son1k_text::detect_lang(text)
}

/// Syllables of one line of lyrics, one note each ([`son1k_text::syllables`]).
pub fn syllables(line: &str, lang: LyricLang) -> Vec<Syllable> {
    son1k_text::syllables(line, lang)
}

fn form_kind(tag: Tag) -> SectionKind {
    match tag {
        Tag::Intro => SectionKind::Intro,
        Tag::Verse => SectionKind::Verse,
        Tag::PreChorus => SectionKind::PreChorus,
        Tag::Chorus => SectionKind::Chorus,
        Tag::Bridge => SectionKind::Bridge,
        Tag::Outro => SectionKind::Outro,
    }
}

/// The section a tag names (`[Verse 2]`, `[Coro]`, `[Pre-Chorus]`, `[Puente]` …).
pub fn tag_kind(tag: &str) -> Option<SectionKind> {
    Tag::parse(tag).map(form_kind)
}

/// Splits lyrics into sections ([`son1k_text::read`]): each line in its own language, split into
/// the syllables it is sung on.
pub fn parse(lyrics: &str) -> Vec<LyricSection> {
    son1k_text::read(lyrics, None)
        .sections
        .into_iter()
        .filter_map(|s| {
            let kind = form_kind(s.kind);
            let lines: Vec<Vec<Syllable>> = s
                .lines
                .into_iter()
                .map(|l| l.syllables)
                .filter(|l| !l.is_empty())
                .collect();
            let keep = !lines.is_empty() || matches!(kind, SectionKind::Intro | SectionKind::Outro);
            keep.then_some(LyricSection { kind, lines })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn split(word: &str, lang: LyricLang) -> Vec<String> {
        syllables(word, lang).into_iter().map(|s| s.text).collect()
    }

    fn stress(word: &str, lang: LyricLang) -> usize {
        syllables(word, lang)
            .iter()
            .position(|s| s.stressed)
            .unwrap()
    }

    #[test]
    fn spanish_syllables_and_stress() {
        use LyricLang::Es;
        assert_eq!(split("corazón", Es), ["co", "ra", "zón"]);
        assert_eq!(stress("corazón", Es), 2);
        assert_eq!(split("canción", Es), ["can", "ción"]);
        assert_eq!(split("noche", Es), ["no", "che"]);
        assert_eq!(stress("noche", Es), 0);
        assert_eq!(split("tristeza", Es), ["tris", "te", "za"]);
        assert_eq!(stress("tristeza", Es), 1);
        assert_eq!(split("poeta", Es), ["po", "e", "ta"]);
        assert_eq!(split("día", Es), ["dí", "a"]);
        assert_eq!(split("quiero", Es), ["quie", "ro"]);
        assert_eq!(split("ciudad", Es), ["ciu", "dad"]);
        assert_eq!(stress("ciudad", Es), 1);
        assert_eq!(split("hombre", Es), ["hom", "bre"]);
        assert_eq!(syllables("bailar contigo", Es).len(), 5);
        // One note where the vowels of two words join (synalepha), as the Lyric Studio counts.
        assert_eq!(split("mi estado", Es), ["mi‿es", "ta", "do"]);
    }

    #[test]
    fn english_syllables_and_stress() {
        use LyricLang::En;
        assert_eq!(syllables("love", En).len(), 1);
        assert_eq!(syllables("little", En).len(), 2);
        assert_eq!(syllables("tonight", En).len(), 2);
        assert_eq!(stress("tonight", En), 1);
        assert_eq!(stress("dancing", En), 0);
        assert_eq!(syllables("beautiful", En).len(), 3);
        let line = syllables("the night is young", En);
        assert_eq!(line.len(), 4);
        assert!(!line[0].stressed && line[1].stressed && !line[2].stressed && line[3].stressed);
    }

    #[test]
    fn languages_are_told_apart() {
        assert_eq!(detect_lang("Bailando en la noche contigo"), LyricLang::Es);
        assert_eq!(detect_lang("Dancing in the night with you"), LyricLang::En);
        assert_eq!(detect_lang("Mañana"), LyricLang::Es);
    }

    #[test]
    fn tags_and_untagged_blocks() {
        let l = "[Verse 1]\nCamino solo por la ciudad\nBuscando tu voz\n\n[Coro]\nVuelve a mí\n[Puente]\nY la noche cae\n";
        let s = parse(l);
        let kinds: Vec<SectionKind> = s.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            [SectionKind::Verse, SectionKind::Chorus, SectionKind::Bridge]
        );
        assert_eq!(s[0].lines.len(), 2);
        let untagged = "one two three\nfour five\n\nla la la\n\none two three\nfour five\n";
        let kinds: Vec<SectionKind> = parse(untagged).iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            [SectionKind::Verse, SectionKind::Verse, SectionKind::Chorus]
        );
    }

    #[test]
    fn intro_is_an_intro_and_lone_tags_stay_only_at_the_ends() {
        let s = parse("[Intro]\n[Verse]\nla noche y el mar\n[Solo]\n[Hook]\nI love you\n[Outro]\n");
        let kinds: Vec<SectionKind> = s.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            [
                SectionKind::Intro,
                SectionKind::Verse,
                SectionKind::Chorus,
                SectionKind::Outro
            ]
        );
        // The English hook is sung with English rules inside a Spanish lyric.
        assert_eq!(s[2].lines[0].len(), 3);
        assert_eq!(tag_kind("Intro"), Some(SectionKind::Intro));
    }
}
