//! A whole lyric read with the one model: sections, and each line's language and sung syllables.

use son1k_core::Lang;

use crate::section::{self, SectionKind};
use crate::{detect_lang, line_lang, syllables, Syllable};

/// One lyric line as it is sung.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line as written.
    pub text: String,
    /// The language whose rules split it.
    pub lang: Lang,
    /// Its sung syllables, one note each.
    pub syllables: Vec<Syllable>,
}

/// A section of a read lyric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SungSection {
    /// The kind its tag names (or its place, untagged).
    pub kind: SectionKind,
    /// Its lines; empty for a tag that stands alone.
    pub lines: Vec<Line>,
}

/// A lyric read for metre and melody alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lyric {
    /// The lyric's language: the one asked for, or the one [`detect_lang`] hears.
    pub lang: Lang,
    /// Its sections in order ([`section::parse`]).
    pub sections: Vec<SungSection>,
}

/// Reads a lyric: its sections ([`section::parse`]), each line in its own language
/// ([`line_lang`], defaulting to `lang` or, when `None`, to the detected language of the whole
/// text) and split into sung syllables ([`syllables`]).
pub fn read(text: &str, lang: Option<Lang>) -> Lyric {
    let lang = lang.unwrap_or_else(|| detect_lang(text));
    let sections = section::parse(text)
        .into_iter()
        .map(|s| SungSection {
            kind: s.kind,
            lines: s
                .lines
                .into_iter()
                .map(|text| {
                    let lang = line_lang(&text, lang);
                    Line {
                        syllables: syllables(&text, lang),
                        text,
                        lang,
                    }
                })
                .collect(),
        })
        .collect();
    Lyric { lang, sections }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bilingual_lyric_sings_each_line_in_its_language() {
        let l = read(
            "[Verse]\nCamino solo por la ciudad\ny el alma en la mano\n\n[Chorus]\nI don't want to let you go\n",
            None,
        );
        assert_eq!(l.lang, Lang::Es);
        let langs: Vec<Lang> = l
            .sections
            .iter()
            .flat_map(|s| s.lines.iter().map(|x| x.lang))
            .collect();
        assert_eq!(langs, [Lang::Es, Lang::Es, Lang::En]);
        let counts: Vec<usize> = l
            .sections
            .iter()
            .flat_map(|s| s.lines.iter().map(|x| x.syllables.len()))
            .collect();
        // y‿el al-ma‿en la ma-no: two synalephas.
        assert_eq!(counts, [9, 6, 7]);
    }
}
