//! Lyrics for the melody: section tags, lines, syllables and stress, in Spanish and English.
//!
//! This is the composer's view of lyrics (how many notes, which ones fall on strong beats, which
//! vowel the guide voice sings); the Lyric Studio has its own, richer tools.

use serde::{Deserialize, Serialize};

use crate::form::SectionKind;

/// The language rules used to split syllables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LyricLang {
    /// Spanish.
    Es,
    /// English.
    En,
}

/// One sung syllable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Syllable {
    /// The letters of the syllable as written (lower-case).
    pub text: String,
    /// The vowel the guide voice sings: one of `a e i o u`.
    pub vowel: char,
    /// Lexically stressed.
    pub stressed: bool,
}

/// A tagged block of lyrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LyricSection {
    /// The section the tag names.
    pub kind: SectionKind,
    /// Lines, each split into syllables.
    pub lines: Vec<Vec<Syllable>>,
}

/// Guesses the language of a text: Spanish when it has Spanish letters or more Spanish function
/// words than English ones.
pub fn detect_lang(text: &str) -> LyricLang {
    if text.chars().any(|c| "ñáéíóú¿¡".contains(c)) {
        return LyricLang::Es;
    }
    const ES: [&str; 14] = [
        "el", "la", "los", "las", "que", "de", "y", "en", "mi", "tu", "un", "una", "por", "con",
    ];
    const EN: [&str; 14] = [
        "the", "and", "you", "i", "my", "your", "of", "to", "in", "is", "it", "me", "we", "on",
    ];
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let es = words.iter().filter(|w| ES.contains(w)).count();
    let en = words.iter().filter(|w| EN.contains(w)).count();
    if es > en {
        LyricLang::Es
    } else {
        LyricLang::En
    }
}

fn base_vowel(c: char) -> Option<char> {
    Some(match c {
        'a' | 'á' | 'à' | 'ä' => 'a',
        'e' | 'é' | 'è' | 'ë' => 'e',
        'i' | 'í' | 'ì' | 'ï' => 'i',
        'o' | 'ó' | 'ò' | 'ö' => 'o',
        'u' | 'ú' | 'ù' | 'ü' => 'u',
        _ => return None,
    })
}

fn is_accented(c: char) -> bool {
    "áéíóú".contains(c)
}

fn is_strong(c: char) -> bool {
    matches!(base_vowel(c), Some('a' | 'e' | 'o')) || "íú".contains(c)
}

const ES_CLUSTERS: [&str; 15] = [
    "pl", "pr", "bl", "br", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "tr", "ch", "ll", "rr",
];

/// Splits one Spanish word into syllables with its stress.
fn spanish_word(word: &str) -> Vec<Syllable> {
    let chars: Vec<char> = word.chars().collect();
    // Vowel nuclei as (start, end) char ranges.
    let mut nuclei: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let silent_u = c == 'u'
            && i > 0
            && matches!(chars[i - 1], 'q' | 'g')
            && matches!(
                chars.get(i + 1).and_then(|c| base_vowel(*c)),
                Some('e' | 'i')
            );
        let vowelish = base_vowel(c).is_some() || (c == 'y' && i + 1 == chars.len() && i > 0);
        if vowelish && !silent_u {
            let start = i;
            let mut end = i + 1;
            while end < chars.len() {
                let next = chars[end];
                if base_vowel(next).is_none() {
                    break;
                }
                let prev = chars[end - 1];
                // Hiatus: two strong vowels, or an accented i/u, break the group.
                if (is_strong(prev) && is_strong(next))
                    || "íú".contains(next)
                    || "íú".contains(prev)
                {
                    break;
                }
                end += 1;
            }
            nuclei.push((start, end));
            i = end;
        } else {
            i += 1;
        }
    }
    if nuclei.is_empty() {
        return Vec::new();
    }
    // Boundaries between nuclei.
    let mut starts = vec![0usize];
    for w in nuclei.windows(2) {
        let gap_start = w[0].1;
        let gap_end = w[1].0;
        let gap = gap_end - gap_start;
        let cut = match gap {
            0 => gap_end,
            1 => gap_start,
            2 => {
                let pair: String = chars[gap_start..gap_end].iter().collect();
                if ES_CLUSTERS.contains(&pair.as_str()) {
                    gap_start
                } else {
                    gap_start + 1
                }
            }
            _ => {
                let pair: String = chars[gap_end - 2..gap_end].iter().collect();
                if ES_CLUSTERS.contains(&pair.as_str()) {
                    gap_end - 2
                } else {
                    gap_end - 1
                }
            }
        };
        starts.push(cut);
    }
    let n = nuclei.len();
    let accented = nuclei
        .iter()
        .position(|&(s, e)| chars[s..e].iter().any(|c| is_accented(*c)));
    let last = chars.last().copied().unwrap_or(' ');
    let stress = accented.unwrap_or(if n == 1 {
        0
    } else if base_vowel(last).is_some() || matches!(last, 'n' | 's') {
        n - 2
    } else {
        n - 1
    });
    (0..n)
        .map(|k| {
            let end = starts.get(k + 1).copied().unwrap_or(chars.len());
            let (ns, ne) = nuclei[k];
            // The sung vowel: the strongest vowel of the nucleus.
            let vowel = chars[ns..ne]
                .iter()
                .filter_map(|c| base_vowel(*c))
                .max_by_key(|v| match v {
                    'a' => 3,
                    'o' | 'e' => 2,
                    _ => 1,
                })
                .unwrap_or('e');
            Syllable {
                text: chars[starts[k]..end].iter().collect(),
                vowel,
                stressed: k == stress,
            }
        })
        .collect()
}

const EN_UNSTRESSED: [&str; 28] = [
    "a", "an", "the", "of", "to", "in", "on", "at", "and", "or", "but", "for", "with", "my",
    "your", "his", "her", "its", "our", "their", "is", "are", "was", "i", "you", "it", "as", "be",
];
const EN_PREFIXES: [&str; 8] = ["a", "be", "de", "re", "un", "for", "in", "to"];

/// Splits one English word into syllables (vowel groups, silent final e) with a stress guess.
fn english_word(word: &str) -> Vec<Syllable> {
    let chars: Vec<char> = word.chars().collect();
    let is_v = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut nuclei: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_v(chars[i]) && !(chars[i] == 'y' && i == 0) {
            let s = i;
            while i < chars.len() && is_v(chars[i]) {
                i += 1;
            }
            nuclei.push((s, i));
        } else {
            i += 1;
        }
    }
    // Silent final e ("love", "time"), but not "-le" ("little") or a lone vowel ("the").
    if nuclei.len() > 1 {
        let (s, e) = nuclei[nuclei.len() - 1];
        let ends_e = e == chars.len() && e - s == 1 && chars[s] == 'e';
        let le = chars.len() >= 3 && chars[chars.len() - 2] == 'l' && ends_e;
        let es_ed = e + 1 == chars.len()
            && e - s == 1
            && chars[s] == 'e'
            && matches!(chars[e], 's' | 'd')
            && !matches!(
                chars.get(s.wrapping_sub(1)),
                Some('t' | 'd' | 's' | 'z' | 'c' | 'g')
            );
        if (ends_e && !le) || es_ed {
            nuclei.pop();
        }
    }
    if nuclei.is_empty() {
        return Vec::new();
    }
    let n = nuclei.len();
    let stress = if n == 1 {
        if EN_UNSTRESSED.contains(&word) {
            usize::MAX
        } else {
            0
        }
    } else if EN_PREFIXES
        .iter()
        .any(|p| word.starts_with(p) && nuclei[0].1 <= p.len())
    {
        1
    } else {
        0
    };
    let mut starts = vec![0usize];
    for w in nuclei.windows(2) {
        let gap = w[1].0 - w[0].1;
        starts.push(if gap <= 1 { w[0].1 } else { w[0].1 + 1 });
    }
    (0..n)
        .map(|k| {
            let end = starts.get(k + 1).copied().unwrap_or(chars.len());
            let (ns, ne) = nuclei[k];
            let vowel = chars[ns..ne]
                .iter()
                .find_map(|c| base_vowel(*c))
                .unwrap_or('i');
            Syllable {
                text: chars[starts[k]..end].iter().collect(),
                vowel,
                stressed: k == stress,
            }
        })
        .collect()
}

/// Syllables of one line of lyrics.
pub fn syllables(line: &str, lang: LyricLang) -> Vec<Syllable> {
    let lower = line.to_lowercase();
    lower
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            let w = w.trim_matches('\'');
            match lang {
                LyricLang::Es => spanish_word(w),
                LyricLang::En => english_word(w),
            }
        })
        .collect()
}

/// The section a tag names (`[Verse 2]`, `[Coro]`, `[Pre-Chorus]`, `[Puente]` …).
pub fn tag_kind(tag: &str) -> Option<SectionKind> {
    let t = tag.trim().to_lowercase();
    let t = t.trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == ':');
    Some(match t {
        "intro" | "introducción" | "introduccion" => SectionKind::Intro,
        "verse" | "verso" | "estrofa" => SectionKind::Verse,
        "pre-chorus" | "pre chorus" | "prechorus" | "precoro" | "pre-coro" | "pre coro" => {
            SectionKind::PreChorus
        }
        "chorus" | "coro" | "estribillo" | "hook" => SectionKind::Chorus,
        "bridge" | "puente" => SectionKind::Bridge,
        "outro" | "final" | "cierre" => SectionKind::Outro,
        _ => return None,
    })
}

/// Splits lyrics into sections. Tags (`[Verse]`) start sections; without tags, blank-line blocks
/// become sections and a block that repeats an earlier one is a chorus.
pub fn parse(lyrics: &str) -> Vec<LyricSection> {
    let lang = detect_lang(lyrics);
    let mut blocks: Vec<(Option<SectionKind>, Vec<String>)> = Vec::new();
    let mut current: (Option<SectionKind>, Vec<String>) = (None, Vec::new());
    let mut tagged = false;
    for raw in lyrics.lines() {
        let line = raw.trim();
        if let Some(tag) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if current.0.is_some() || !current.1.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            current.0 = Some(tag_kind(tag).unwrap_or(SectionKind::Verse));
            tagged = true;
            continue;
        }
        if line.is_empty() {
            if !tagged && !current.1.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.1.push(line.to_string());
    }
    if current.0.is_some() || !current.1.is_empty() {
        blocks.push(current);
    }
    let mut out: Vec<LyricSection> = Vec::new();
    let mut seen: Vec<Vec<String>> = Vec::new();
    for (kind, lines) in blocks {
        let kind = kind.unwrap_or_else(|| {
            if seen.contains(&lines) {
                SectionKind::Chorus
            } else {
                SectionKind::Verse
            }
        });
        seen.push(lines.clone());
        let lines: Vec<Vec<Syllable>> = lines
            .iter()
            .map(|l| syllables(l, lang))
            .filter(|s| !s.is_empty())
            .collect();
        if lines.is_empty() && !matches!(kind, SectionKind::Intro | SectionKind::Outro) {
            continue;
        }
        out.push(LyricSection { kind, lines });
    }
    out
}

#[cfg(test)]
mod tests {
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
}
