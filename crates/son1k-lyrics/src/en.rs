//! English syllables and rhyme from the CMU Pronouncing Dictionary (shipped in
//! `assets/cmudict/`, BSD-style licence beside it), with spelling rules for words it lacks.

use std::collections::HashMap;
use std::sync::OnceLock;

static CMUDICT: &str = include_str!("../../../assets/cmudict/cmudict.dict");

/// Word → phonemes (first pronunciation), and rhyme key → words.
struct Dict {
    words: HashMap<&'static str, Vec<&'static str>>,
    by_rhyme: HashMap<String, Vec<&'static str>>,
}

fn dict() -> &'static Dict {
    static DICT: OnceLock<Dict> = OnceLock::new();
    DICT.get_or_init(|| {
        let mut words: HashMap<&'static str, Vec<&'static str>> = HashMap::with_capacity(140_000);
        for line in CMUDICT.lines() {
            let line = line.split(" #").next().unwrap_or(line);
            let mut it = line.split_whitespace();
            let Some(head) = it.next() else { continue };
            if head.ends_with(')') {
                continue; // an alternative pronunciation "word(2)"
            }
            words.entry(head).or_insert_with(|| it.collect());
        }
        let mut by_rhyme: HashMap<String, Vec<&'static str>> = HashMap::new();
        for (w, ph) in &words {
            if w.chars().all(|c| c.is_ascii_lowercase()) {
                by_rhyme.entry(perfect_key(ph)).or_default().push(w);
            }
        }
        Dict { words, by_rhyme }
    })
}

fn is_vowel(ph: &str) -> bool {
    ph.ends_with(['0', '1', '2'])
}

fn strip(ph: &str) -> &str {
    ph.trim_end_matches(['0', '1', '2'])
}

/// Index of the vowel that carries the rhyme: the last primary stress, else the last secondary,
/// else the last vowel.
fn rhyme_vowel(ph: &[&str]) -> Option<usize> {
    ph.iter()
        .rposition(|p| p.ends_with('1'))
        .or_else(|| ph.iter().rposition(|p| p.ends_with('2')))
        .or_else(|| ph.iter().rposition(|p| is_vowel(p)))
}

fn perfect_key(ph: &[&str]) -> String {
    match rhyme_vowel(ph) {
        Some(i) => ph[i..]
            .iter()
            .map(|p| strip(p))
            .collect::<Vec<_>>()
            .join(" "),
        None => ph.join(" "),
    }
}

fn near_key(ph: &[&str]) -> String {
    match rhyme_vowel(ph) {
        Some(i) => ph[i..]
            .iter()
            .filter(|p| is_vowel(p))
            .map(|p| strip(p))
            .collect::<Vec<_>>()
            .join(" "),
        None => String::new(),
    }
}

/// How a word was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pron {
    /// ARPAbet phonemes with stress digits (empty when guessed from spelling).
    pub phones: Vec<String>,
    /// Syllables.
    pub syllables: usize,
    /// Whether the spelling rules guessed it (the word is not in the dictionary).
    pub guessed: bool,
    /// Perfect-rhyme key: phonemes from the stressed vowel on.
    pub rhyme: String,
    /// Near-rhyme key: the vowels from the stressed one on.
    pub near: String,
}

fn normalise(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .map(|c| if c == '’' { '\'' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

fn from_phones(ph: &[&str], guessed: bool) -> Pron {
    Pron {
        phones: ph.iter().map(|s| s.to_string()).collect(),
        syllables: ph.iter().filter(|p| is_vowel(p)).count().max(1),
        guessed,
        rhyme: perfect_key(ph),
        near: near_key(ph),
    }
}

/// Looks a word up, falling back to a known stem plus suffix, then to spelling rules.
pub fn pron(word: &str) -> Option<Pron> {
    let w = normalise(word);
    if w.is_empty() || !w.chars().any(char::is_alphabetic) {
        return None;
    }
    let d = dict();
    if let Some(ph) = d.words.get(w.as_str()) {
        return Some(from_phones(ph, false));
    }
    // A stem the dictionary knows plus a regular suffix keeps the stem's stress and rhyme.
    for (suffix, extra, phones) in [
        ("'s", 0, &["Z"][..]),
        ("s", 0, &["Z"][..]),
        ("ing", 1, &["IH0", "NG"][..]),
        ("in'", 1, &["IH0", "N"][..]),
        ("ly", 1, &["L", "IY0"][..]),
        ("ness", 1, &["N", "AH0", "S"][..]),
    ] {
        if let Some(stem) = w.strip_suffix(suffix) {
            if let Some(ph) = d.words.get(stem) {
                let mut all: Vec<&str> = ph.clone();
                all.extend_from_slice(phones);
                let mut p = from_phones(&all, true);
                p.syllables = ph.iter().filter(|p| is_vowel(p)).count() + extra;
                return Some(p);
            }
        }
    }
    Some(guess(&w))
}

/// Spelling rules for words the dictionary lacks: vowel groups, less a silent final e (but not
/// "-le" after a consonant), less "-ed" unless after t or d, less "-es" unless after a sibilant.
pub fn guess_syllables(w: &str) -> usize {
    let chars: Vec<char> = w.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if chars.is_empty() {
        return 1;
    }
    let is_v = |c: char| "aeiouy".contains(c);
    let mut count = 0;
    let mut prev = false;
    for (i, &c) in chars.iter().enumerate() {
        // y at the start of a word is a consonant ("yes").
        let v = is_v(c) && !(c == 'y' && i == 0);
        if v && !prev {
            count += 1;
        }
        prev = v;
    }
    let s: String = chars.iter().collect();
    let n = chars.len();
    let cons_before = |k: usize| n > k && !is_v(chars[n - 1 - k]);
    let silent_e = s.ends_with('e') && !s.ends_with("le") && !s.ends_with("ee");
    let silent_le = s.ends_with("le") && !cons_before(2);
    if (silent_e || silent_le) && n > 2 && count > 1 {
        count -= 1;
    }
    if s.ends_with("ed") && n > 3 && !matches!(chars[n - 3], 't' | 'd') && count > 1 {
        count -= 1;
    }
    if s.ends_with("es")
        && n > 3
        && !(s.ends_with("ses")
            || s.ends_with("xes")
            || s.ends_with("zes")
            || s.ends_with("ches")
            || s.ends_with("shes")
            || s.ends_with("ges")
            || s.ends_with("ces"))
        && count > 1
    {
        count -= 1;
    }
    // "-ia", "-io", "-ea" (e.g. "idea", "radio") are two syllables that the group count joins.
    for pair in ["ia", "io", "eo", "ua", "uo", "iu"] {
        if s.contains(pair) && !s.contains(&format!("t{pair}")) && !s.contains(&format!("s{pair}"))
        {
            count += 1;
        }
    }
    count.max(1)
}

fn guess(w: &str) -> Pron {
    // A spelling rhyme key: from the last vowel group on, collapsed.
    let chars: Vec<char> = w.chars().collect();
    let mut end = chars.len();
    while end > 1 && chars[end - 1] == 'e' {
        end -= 1; // silent final e
    }
    let core = &chars[..end];
    let last_v = core
        .iter()
        .rposition(|c| "aeiouy".contains(*c))
        .unwrap_or(0);
    let mut start = last_v;
    while start > 0 && "aeiouy".contains(core[start - 1]) {
        start -= 1;
    }
    let tail: String = chars[start..].iter().collect();
    let near: String = core[start..=last_v.min(core.len().saturating_sub(1))]
        .iter()
        .collect();
    Pron {
        phones: Vec::new(),
        syllables: guess_syllables(w),
        guessed: true,
        rhyme: format!("~{tail}"),
        near: format!("~{near}"),
    }
}

/// Syllables of an English line.
pub fn syllables(line: &str) -> usize {
    crate::es::words_of(line)
        .into_iter()
        .filter_map(pron)
        .map(|p| p.syllables)
        .sum()
}

/// Whether any word of the line is missing from the dictionary (the count is then partly a guess).
pub fn has_guesses(line: &str) -> bool {
    crate::es::words_of(line)
        .into_iter()
        .filter_map(pron)
        .any(|p| p.guessed)
}

/// Words that rhyme perfectly with `word`, fewest syllables first, at most `limit`.
pub fn rhymes(word: &str, limit: usize) -> Vec<String> {
    let w = normalise(word);
    let Some(p) = pron(&w) else {
        return Vec::new();
    };
    let d = dict();
    let mut out: Vec<&str> = d
        .by_rhyme
        .get(&p.rhyme)
        .map(|v| v.iter().copied().filter(|x| *x != w).collect())
        .unwrap_or_default();
    out.retain(|x| x.len() > 1);
    // The dictionary has no frequencies and many names; spelling the ending like the word
    // ("night": light, fight) is a good sign of a common word, so those come first.
    let ending: String = w
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    out.sort_by_key(|x| {
        let syl = d
            .words
            .get(x)
            .map(|ph| ph.iter().filter(|p| is_vowel(p)).count())
            .unwrap_or(1);
        (
            syl.abs_diff(p.syllables),
            !x.ends_with(&ending),
            x.len(),
            x.to_string(),
        )
    });
    out.into_iter().take(limit).map(str::to_string).collect()
}

/// Words with the same vowels from the stress on but other consonants (near rhymes), shortest
/// first, at most `limit`.
pub fn near_rhymes(word: &str, limit: usize) -> Vec<String> {
    let w = normalise(word);
    let Some(p) = pron(&w) else {
        return Vec::new();
    };
    let d = dict();
    let mut out: Vec<&str> = d
        .words
        .iter()
        .filter(|(x, ph)| {
            **x != w
                && x.len() > 2
                && x.chars().all(|c| c.is_ascii_lowercase())
                && ph.iter().filter(|q| is_vowel(q)).count() == p.syllables
                && ph.last().is_some_and(|q| is_vowel(q))
                    == p.phones.last().is_some_and(|q| is_vowel(q))
                && near_key(ph) == p.near
                && perfect_key(ph) != p.rhyme
        })
        .map(|(x, _)| *x)
        .collect();
    out.sort_by_key(|x| (x.len(), x.to_string()));
    out.into_iter().take(limit).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counts_lines_with_known_syllables() {
        // Shakespeare, Sonnet 18: iambic pentameter, ten syllables.
        assert_eq!(syllables("Shall I compare thee to a summer's day?"), 10);
        assert_eq!(
            syllables("Rough winds do shake the darling buds of May"),
            10
        );
        assert_eq!(syllables("Twinkle, twinkle, little star"), 7);
        assert_eq!(syllables("How I wonder what you are"), 7);
    }

    #[test]
    fn unknown_words_follow_spelling_rules() {
        let p = pron("zorbleflax").unwrap();
        assert!(p.guessed);
        assert_eq!(p.syllables, 3);
        assert_eq!(guess_syllables("snorkeled"), 2);
        assert_eq!(guess_syllables("blorked"), 1);
        assert_eq!(guess_syllables("glimbed"), 1);
        assert_eq!(guess_syllables("crandle"), 2);
    }

    #[test]
    fn rhymes_by_phonemes() {
        assert_eq!(pron("night").unwrap().rhyme, pron("light").unwrap().rhyme);
        assert_eq!(pron("heart").unwrap().rhyme, pron("apart").unwrap().rhyme);
        assert_ne!(pron("love").unwrap().rhyme, pron("move").unwrap().rhyme);
        let r = rhymes("love", 50);
        assert!(r.iter().any(|w| w == "above"), "{r:?}");
        assert!(r.iter().all(|w| w != "move"), "{r:?}");
    }
}
