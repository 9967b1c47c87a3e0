//! Metre and rhyme of a whole lyric, without a model: per-line syllables and rhyme letters, the
//! rhyme scheme of each section, and rhyme suggestions for a word.

use serde::Serialize;
use son1k_core::Lang;

use crate::song::{parse_tagged, SectionKind};
use crate::{en, es};

/// One line's measurements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LineCheck {
    /// The line as written.
    pub text: String,
    /// Metrical syllables (Spanish rules) or spoken syllables (English dictionary).
    pub syllables: usize,
    /// The rhyme letter within its section (`A`, `B`, …), `-` when it rhymes with no other line.
    pub rhyme: String,
    /// `consonant`/`assonant` (Spanish) or `perfect`/`near` (English); absent when unrhymed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rhyme_kind: Option<&'static str>,
    /// Index of its section in `sections`.
    pub section: usize,
    /// Syllables as divided for the count (Spanish; `‿` marks a synalepha).
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
    /// The language the rules came from.
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

/// Rhyme letters for a group of lines: a line takes the letter of the first earlier line it
/// rhymes with (strict rhyme preferred), a new letter if a later line rhymes with it, `-`
/// otherwise. Repeating the same word is not a rhyme.
fn letters(lines: &[&str], lang: Lang) -> Vec<(String, Option<&'static str>)> {
    let (strict_name, loose_name) = match lang {
        Lang::Es => ("consonant", "assonant"),
        Lang::En => ("perfect", "near"),
    };
    let ks: Vec<Option<Keys>> = lines.iter().map(|l| keys(l, lang)).collect();
    let words: Vec<String> = lines.iter().map(|l| last_word(l)).collect();
    let relation = |i: usize, j: usize| -> Option<&'static str> {
        let (a, b) = (ks[i].as_ref()?, ks[j].as_ref()?);
        if words[i].is_empty() || words[i] == words[j] {
            return None;
        }
        if a.strict == b.strict {
            Some(strict_name)
        } else if !a.loose.is_empty() && a.loose == b.loose {
            Some(loose_name)
        } else {
            None
        }
    };
    let mut out: Vec<(String, Option<&'static str>)> = Vec::with_capacity(lines.len());
    let mut next_letter = b'A';
    for i in 0..lines.len() {
        let earlier = (0..i)
            .filter_map(|j| relation(i, j).map(|r| (j, r)))
            .filter(|(j, _)| out[*j].0 != "-")
            .min_by_key(|(j, r)| (*r != strict_name, *j));
        if let Some((j, r)) = earlier {
            let letter = out[j].0.clone();
            out.push((letter, Some(r)));
            continue;
        }
        let later = (i + 1..lines.len())
            .filter_map(|j| relation(i, j))
            .min_by_key(|r| *r != strict_name);
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

/// Guesses the language of a lyric or word: Spanish when it has Spanish letters or more Spanish
/// function words than English ones; a single word is English when the dictionary knows it.
pub fn detect_lang(text: &str) -> Lang {
    if text.chars().any(|c| "ñáéíóúü¿¡ÑÁÉÍÓÚ".contains(c)) {
        return Lang::Es;
    }
    let lower = text.to_lowercase();
    let words = es::words_of(&lower);
    if words.len() == 1 {
        return if en::pron(words[0]).is_some_and(|p| !p.guessed) {
            Lang::En
        } else {
            Lang::Es
        };
    }
    const ES: [&str; 16] = [
        "el", "la", "los", "las", "que", "de", "y", "en", "mi", "tu", "un", "una", "por", "con",
        "no", "se",
    ];
    const EN: [&str; 16] = [
        "the", "and", "you", "i", "my", "your", "of", "to", "in", "is", "it", "me", "we", "on",
        "a", "be",
    ];
    let es_n = words.iter().filter(|w| ES.contains(w)).count();
    let en_n = words.iter().filter(|w| EN.contains(w)).count();
    if es_n > en_n {
        Lang::Es
    } else {
        Lang::En
    }
}

/// Counts one line's syllables in `lang`.
pub fn line_syllables(line: &str, lang: Lang) -> usize {
    match lang {
        Lang::Es => es::metre(line).syllables,
        Lang::En => en::syllables(line),
    }
}

/// Measures a lyric (tagged with `[Verse]`/`[Chorus]` or in blank-line stanzas).
pub fn check(text: &str, lang: Lang) -> Check {
    let sections = parse_tagged(text);
    let mut lines = Vec::new();
    let mut scheme = Vec::new();
    for (si, s) in sections.iter().enumerate() {
        let refs: Vec<&str> = s.lines.iter().map(String::as_str).collect();
        let ls = letters(&refs, lang);
        scheme.push(SectionScheme {
            kind: s.kind,
            scheme: ls.iter().map(|(l, _)| l.as_str()).collect(),
            first_line: lines.len(),
        });
        for (line, (letter, kind)) in s.lines.iter().zip(ls) {
            let (syllables, parts, guessed) = match lang {
                Lang::Es => {
                    let m = es::metre(line);
                    (m.syllables, m.parts, false)
                }
                Lang::En => (en::syllables(line), Vec::new(), en::has_guesses(line)),
            };
            lines.push(LineCheck {
                text: line.clone(),
                syllables,
                rhyme: letter,
                rhyme_kind: kind,
                section: si,
                parts,
                guessed,
            });
        }
    }
    Check {
        language: lang,
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
        assert_eq!(c.lines[0].syllables, 8);
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
    fn detects_the_language() {
        assert_eq!(detect_lang("Verde que te quiero verde"), Lang::Es);
        assert_eq!(detect_lang("I walk alone tonight in the rain"), Lang::En);
        assert_eq!(detect_lang("corazón"), Lang::Es);
        assert_eq!(detect_lang("night"), Lang::En);
    }

    #[test]
    fn suggests_rhymes() {
        let r = rhymes("corazón", Lang::Es, 20);
        assert!(r.strict.iter().any(|w| w == "canción"), "{r:?}");
        let r = rhymes("night", Lang::En, 30);
        assert!(r.strict.iter().any(|w| w == "light"), "{r:?}");
    }
}
