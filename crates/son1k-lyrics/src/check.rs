//! Metre and rhyme of a whole lyric, without a model: per-line syllables and rhyme letters, the
//! rhyme scheme of each section, and rhyme suggestions for a word.
//!
//! Lines, sections, languages and syllables come from the one text model ([`son1k_text::read`]),
//! so each line's count is the number of notes the Generator sings on it.

use serde::Serialize;
use son1k_core::Lang;
pub use son1k_text::detect_lang;

use crate::song::SectionKind;
use crate::{en, es};

/// One line's measurements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LineCheck {
    /// The line as written.
    pub text: String,
    /// Sung syllables, one note each: Spanish with synalephas joined, English from the
    /// dictionary — the notes the Generator sings on this line.
    pub syllables: usize,
    /// Spanish only: the verse metre (the sung count, +1 after a final stress, −1 after an
    /// esdrújula), e.g. 8 for an octosílabo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metre: Option<usize>,
    /// The language whose rules measured the line (the lyric's, unless the line is clearly in
    /// the other one).
    pub language: Lang,
    /// The rhyme letter within its section (`A`, `B`, …), `-` when it rhymes with no other line.
    pub rhyme: String,
    /// `consonant`/`assonant` (Spanish) or `perfect`/`near` (English); absent when unrhymed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rhyme_kind: Option<&'static str>,
    /// Index of its section in `sections`.
    pub section: usize,
    /// The sung syllables as divided (Spanish; `‿` marks a synalepha).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// English only: some word was not in the dictionary, so the count is partly a guess.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub guessed: bool,
}

/// One section's rhyme scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SectionScheme {
    /// The section's kind.
    pub kind: SectionKind,
    /// Its letters in line order, e.g. `ABAB` (`-` for an unrhymed line).
    pub scheme: String,
    /// The first line's index in `lines`.
    pub first_line: usize,
}

/// The analysis `son1k lyrics check` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Check {
    /// The lyric's language (a line may be in the other one: see [`LineCheck::language`]).
    pub language: Lang,
    /// Every line in order.
    pub lines: Vec<LineCheck>,
    /// The scheme of each section.
    pub scheme: Vec<SectionScheme>,
}

struct Keys {
    strict: String,
    loose: String,
}

fn keys(line: &str, lang: Lang) -> Option<Keys> {
    match lang {
        Lang::Es => es::rhyme_key(line).map(|k| Keys {
            strict: k.consonant,
            loose: k.assonant,
        }),
        Lang::En => {
            let last = es::words_of(line).into_iter().last()?;
            en::pron(last).map(|p| Keys {
                strict: p.rhyme,
                loose: p.near,
            })
        }
    }
}

fn last_word(line: &str) -> String {
    es::words_of(line)
        .into_iter()
        .last()
        .unwrap_or_default()
        .to_lowercase()
}

/// The names of strict and loose rhyme in a language.
fn rhyme_names(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Es => ("consonant", "assonant"),
        Lang::En => ("perfect", "near"),
    }
}

/// Rhyme letters for a group of lines, each in its language: a line takes the letter of the
/// first earlier line it rhymes with (strict rhyme preferred), a new letter if a later line
/// rhymes with it, `-` otherwise. Repeating the same word is not a rhyme, and lines in different
/// languages do not rhyme.
fn letters(lines: &[(&str, Lang)]) -> Vec<(String, Option<&'static str>)> {
    let ks: Vec<Option<Keys>> = lines.iter().map(|(l, lang)| keys(l, *lang)).collect();
    let words: Vec<String> = lines.iter().map(|(l, _)| last_word(l)).collect();
    let relation = |i: usize, j: usize| -> Option<&'static str> {
        let (a, b) = (ks[i].as_ref()?, ks[j].as_ref()?);
        if words[i].is_empty() || words[i] == words[j] || lines[i].1 != lines[j].1 {
            return None;
        }
        let (strict_name, loose_name) = rhyme_names(lines[i].1);
        if a.strict == b.strict {
            Some(strict_name)
        } else if !a.loose.is_empty() && a.loose == b.loose {
            Some(loose_name)
        } else {
            None
        }
    };
    let is_strict = |r: &str| r == "consonant" || r == "perfect";
    let mut out: Vec<(String, Option<&'static str>)> = Vec::with_capacity(lines.len());
    let mut next_letter = b'A';
    for i in 0..lines.len() {
        let earlier = (0..i)
            .filter_map(|j| relation(i, j).map(|r| (j, r)))
            .filter(|(j, _)| out[*j].0 != "-")
            .min_by_key(|(j, r)| (!is_strict(r), *j));
        if let Some((j, r)) = earlier {
            let letter = out[j].0.clone();
            out.push((letter, Some(r)));
            continue;
        }
        let later = (i + 1..lines.len())
            .filter_map(|j| relation(i, j))
            .min_by_key(|r| !is_strict(r));
        match later {
            Some(r) => {
                let letter = (next_letter as char).to_string();
                next_letter = if next_letter == b'Z' {
                    b'A'
                } else {
                    next_letter + 1
                };
                out.push((letter, Some(r)));
            }
            None => out.push(("-".into(), None)),
        }
    }
    out
}

/// Measures a lyric (tagged with `[Verse]`/`[Chorus]` or in blank-line stanzas) in `lang`;
/// a line clearly in the other language is measured by that language's rules, as it is sung.
pub fn check(text: &str, lang: Lang) -> Check {
    let lyric = son1k_text::read(text, Some(lang));
    let mut lines = Vec::new();
    let mut scheme = Vec::new();
    for s in lyric.sections.iter().filter(|s| !s.lines.is_empty()) {
        let refs: Vec<(&str, Lang)> = s.lines.iter().map(|l| (l.text.as_str(), l.lang)).collect();
        let ls = letters(&refs);
        let si = scheme.len();
        scheme.push(SectionScheme {
            kind: s.kind,
            scheme: ls.iter().map(|(l, _)| l.as_str()).collect(),
            first_line: lines.len(),
        });
        for (line, (letter, kind)) in s.lines.iter().zip(ls) {
            let (metre, parts, guessed) = match line.lang {
                Lang::Es => (
                    Some(es::metre(&line.text).syllables),
                    line.syllables.iter().map(|x| x.text.clone()).collect(),
                    false,
                ),
                Lang::En => (None, Vec::new(), en::has_guesses(&line.text)),
            };
            lines.push(LineCheck {
                text: line.text.clone(),
                syllables: line.syllables.len(),
                metre,
                language: line.lang,
                rhyme: letter,
                rhyme_kind: kind,
                section: si,
                parts,
                guessed,
            });
        }
    }
    Check {
        language: lyric.lang,
        lines,
        scheme,
    }
}

/// Rhyme suggestions for a word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rhymes {
    /// The word asked about.
    pub word: String,
    /// The language.
    pub language: Lang,
    /// Strict rhymes: Spanish consonant rhymes, English perfect rhymes.
    pub strict: Vec<String>,
    /// Loose rhymes: Spanish assonant rhymes (not consonant), English near rhymes.
    pub loose: Vec<String>,
}

static ES_WORDS: &str = include_str!("../../../assets/lexicon/es-words.txt");

fn es_lexicon() -> impl Iterator<Item = &'static str> {
    ES_WORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Suggests rhymes for `word`: English from the pronouncing dictionary, Spanish from the
/// shipped lexicon of common song words (consonant first, then assonant).
pub fn rhymes(word: &str, lang: Lang, limit: usize) -> Rhymes {
    let w = word.trim().to_lowercase();
    let (strict, loose) = match lang {
        Lang::En => {
            let strict = en::rhymes(&w, limit);
            let near = en::pron(&w).map(|p| p.near).unwrap_or_default();
            // Near rhymes: the same vowels from the stress on, other consonants.
            let loose = if near.is_empty() || near.starts_with('~') {
                Vec::new()
            } else {
                en::near_rhymes(&w, limit)
            };
            (strict, loose)
        }
        Lang::Es => {
            let Some(k) = es::rhyme_key(&w) else {
                return Rhymes {
                    word: w,
                    language: lang,
                    strict: Vec::new(),
                    loose: Vec::new(),
                };
            };
            let mut strict = Vec::new();
            let mut loose = Vec::new();
            for cand in es_lexicon() {
                if cand == w || cand.ends_with(&w) || w.ends_with(cand) {
                    continue;
                }
                let Some(ck) = es::rhyme_key(cand) else {
                    continue;
                };
                if ck.consonant == k.consonant {
                    strict.push(cand.to_string());
                } else if ck.assonant == k.assonant {
                    loose.push(cand.to_string());
                }
            }
            strict.truncate(limit);
            loose.truncate(limit);
            (strict, loose)
        }
    };
    Rhymes {
        word: w,
        language: lang,
        strict,
        loose,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn spanish_schemes_consonant_and_assonant() {
        let text = "[Verse]\nTe busco por la ciudad\ncon el alma en la mano\nno encuentro la verdad\ny todo lo que amamos\n";
        let c = check(text, Lang::Es);
        assert_eq!(c.scheme[0].scheme, "ABAB");
        assert_eq!(c.lines[0].rhyme_kind, Some("consonant"));
        // mano / amamos: a-o assonance only.
        assert_eq!(c.lines[3].rhyme_kind, Some("assonant"));
        // Sung: te-bus-co-por-la-ciu-dad, seven notes; the verse metre adds one for the final
        // stress (an octosílabo).
        assert_eq!((c.lines[0].syllables, c.lines[0].metre), (7, Some(8)));
        assert_eq!(c.lines[1].parts.join("-"), "con-el-al-ma‿en-la-ma-no");
    }

    #[test]
    fn english_schemes_by_phonemes() {
        let text = "I walk alone tonight\nthe city sleeps in rain\nI hold on to the light\nand whisper out your name\n\nno rhyme here\n";
        let c = check(text, Lang::En);
        assert_eq!(c.scheme.len(), 2);
        assert_eq!(c.scheme[0].scheme, "ABAB");
        assert_eq!(c.lines[0].rhyme_kind, Some("perfect"));
        // rain / name: the same stressed vowel, other consonants.
        assert_eq!(c.lines[1].rhyme_kind, Some("near"));
        assert_eq!(c.lines[3].rhyme_kind, Some("near"));
        assert_eq!(c.scheme[1].scheme, "-");
    }

    #[test]
    fn a_bilingual_lyric_is_measured_line_by_line() {
        let text = "[Verse]\nTe busco por la ciudad\nno encuentro la verdad\n\n[Chorus]\nI walk alone tonight\nI hold on to the light\n";
        let c = check(text, Lang::Es);
        let langs: Vec<Lang> = c.lines.iter().map(|l| l.language).collect();
        assert_eq!(langs, [Lang::Es, Lang::Es, Lang::En, Lang::En]);
        let counts: Vec<usize> = c.lines.iter().map(|l| l.syllables).collect();
        assert_eq!(counts, [7, 6, 6, 6]);
        assert_eq!(c.lines[2].metre, None);
        assert_eq!(c.scheme[1].scheme, "AA");
        assert_eq!(c.lines[3].rhyme_kind, Some("perfect"));
    }

    #[test]
    fn suggests_rhymes() {
        let r = rhymes("corazón", Lang::Es, 20);
        assert!(r.strict.iter().any(|w| w == "canción"), "{r:?}");
        let r = rhymes("night", Lang::En, 30);
        assert!(r.strict.iter().any(|w| w == "light"), "{r:?}");
    }
}
