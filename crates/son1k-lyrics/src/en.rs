//! English rhyme from the CMU Pronouncing Dictionary. Pronunciations, syllables and the spelling
//! rules for words the dictionary lacks are the one text model's ([`son1k_text::en`]); this adds
//! rhyme keys and rhyme search on top.

use std::collections::HashMap;
use std::sync::OnceLock;

use son1k_text::en::{entries, is_vowel, normalise, phones};
pub use son1k_text::en::{guess_syllables, has_guesses, syllables};

/// Perfect-rhyme key → dictionary words (lower-case letters only).
fn by_rhyme() -> &'static HashMap<String, Vec<&'static str>> {
    static INDEX: OnceLock<HashMap<String, Vec<&'static str>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut by_rhyme: HashMap<String, Vec<&'static str>> = HashMap::new();
        for (w, ph) in entries() {
            if w.chars().all(|c| c.is_ascii_lowercase()) {
                by_rhyme.entry(perfect_key(ph)).or_default().push(w);
            }
        }
        by_rhyme
    })
}

fn strip(ph: &str) -> &str {
    ph.trim_end_matches(['0', '1', '2'])
}

/// Index of the vowel that carries the rhyme: the last primary stress, else the last secondary,
/// else the last vowel.
fn rhyme_vowel<S: AsRef<str>>(ph: &[S]) -> Option<usize> {
    ph.iter()
        .rposition(|p| p.as_ref().ends_with('1'))
        .or_else(|| ph.iter().rposition(|p| p.as_ref().ends_with('2')))
        .or_else(|| ph.iter().rposition(|p| is_vowel(p.as_ref())))
}

fn perfect_key<S: AsRef<str>>(ph: &[S]) -> String {
    let all = |from: usize| {
        ph[from..]
            .iter()
            .map(|p| strip(p.as_ref()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match rhyme_vowel(ph) {
        Some(i) => all(i),
        None => ph.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" "),
    }
}

fn near_key<S: AsRef<str>>(ph: &[S]) -> String {
    match rhyme_vowel(ph) {
        Some(i) => ph[i..]
            .iter()
            .map(AsRef::as_ref)
            .filter(|p| is_vowel(p))
            .map(strip)
            .collect::<Vec<_>>()
            .join(" "),
        None => String::new(),
    }
}

/// How a word was found, with its rhyme keys.
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

/// Looks a word up ([`son1k_text::en::pron`]) and adds its rhyme keys: from the phonemes, or for
/// a word guessed from spelling alone, from its last vowel letters (`~` marks such a key).
pub fn pron(word: &str) -> Option<Pron> {
    let p = son1k_text::en::pron(word)?;
    let (rhyme, near) = if p.phones.is_empty() {
        spelling_keys(&normalise(word))
    } else {
        (perfect_key(&p.phones), near_key(&p.phones))
    };
    Some(Pron {
        phones: p.phones,
        syllables: p.syllables,
        guessed: p.guessed,
        rhyme,
        near,
    })
}

/// A spelling rhyme key: from the last vowel group on, collapsed.
fn spelling_keys(w: &str) -> (String, String) {
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
    (format!("~{tail}"), format!("~{near}"))
}

fn vowel_count(ph: &[&str]) -> usize {
    ph.iter().filter(|p| is_vowel(p)).count()
}

/// Words that rhyme perfectly with `word`, fewest syllables first, at most `limit`.
pub fn rhymes(word: &str, limit: usize) -> Vec<String> {
    let w = normalise(word);
    let Some(p) = pron(&w) else {
        return Vec::new();
    };
    let mut out: Vec<&str> = by_rhyme()
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
        let syl = phones(x).map(vowel_count).unwrap_or(1);
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
    let mut out: Vec<&str> = entries()
        .filter(|(x, ph)| {
            *x != w
                && x.len() > 2
                && x.chars().all(|c| c.is_ascii_lowercase())
                && vowel_count(ph) == p.syllables
                && ph.last().is_some_and(|q| is_vowel(q))
                    == p.phones.last().is_some_and(|q| is_vowel(q))
                && near_key(ph) == p.near
                && perfect_key(ph) != p.rhyme
        })
        .map(|(x, _)| x)
        .collect();
    out.sort_by_key(|x| (x.len(), x.to_string()));
    out.into_iter().take(limit).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rhymes_by_phonemes() {
        assert_eq!(pron("night").unwrap().rhyme, pron("light").unwrap().rhyme);
        assert_eq!(pron("heart").unwrap().rhyme, pron("apart").unwrap().rhyme);
        assert_ne!(pron("love").unwrap().rhyme, pron("move").unwrap().rhyme);
        let r = rhymes("love", 50);
        assert!(r.iter().any(|w| w == "above"), "{r:?}");
        assert!(r.iter().all(|w| w != "move"), "{r:?}");
    }

    #[test]
    fn guessed_words_rhyme_by_spelling() {
        let p = pron("zorbleflax").unwrap();
        assert!(p.guessed && p.rhyme.starts_with('~'), "{p:?}");
    }
}
