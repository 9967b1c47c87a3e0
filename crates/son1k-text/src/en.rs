//! English syllables and stress from the CMU Pronouncing Dictionary (shipped in
//! `assets/cmudict/`, BSD-style licence beside it), with spelling rules for words it lacks.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::lang::words_of;
use crate::phoneme::{from_arpabet, Phone};
use crate::Syllable;

static CMUDICT: &str = include_str!("../../../assets/cmudict/cmudict.dict");

/// Word → phonemes of its first pronunciation.
fn dict() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static DICT: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
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
        words
    })
}

/// The dictionary's phonemes for a word as written in it (lower-case), if it has the word.
pub fn phones(word: &str) -> Option<&'static [&'static str]> {
    dict().get(word).map(Vec::as_slice)
}

/// Every word of the dictionary with its phonemes (first pronunciation), in no order.
pub fn entries() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    dict().iter().map(|(w, ph)| (*w, ph.as_slice()))
}

/// Whether an ARPAbet phoneme is a vowel (it carries a stress digit).
pub fn is_vowel(ph: &str) -> bool {
    ph.ends_with(['0', '1', '2'])
}

/// A word as the dictionary spells it: lower-case, `’` as `'`, no surrounding punctuation.
pub fn normalise(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .map(|c| if c == '’' { '\'' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// How a word is pronounced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pron {
    /// ARPAbet phonemes with stress digits (empty when guessed from spelling).
    pub phones: Vec<String>,
    /// Syllables.
    pub syllables: usize,
    /// Whether the word is not in the dictionary (found as stem + suffix, or by spelling).
    pub guessed: bool,
}

fn vowels_in(ph: &[&str]) -> usize {
    ph.iter().filter(|p| is_vowel(p)).count()
}

/// Looks a word up, falling back to a known stem plus suffix, then to spelling rules.
pub fn pron(word: &str) -> Option<Pron> {
    let w = normalise(word);
    if w.is_empty() || !w.chars().any(char::is_alphabetic) {
        return None;
    }
    let of = |ph: &[&str], guessed| Pron {
        phones: ph.iter().map(|s| s.to_string()).collect(),
        syllables: vowels_in(ph).max(1),
        guessed,
    };
    if let Some(ph) = phones(&w) {
        return Some(of(ph, false));
    }
    // A stem the dictionary knows plus a regular suffix keeps the stem's stress.
    for (suffix, extra) in [
        ("'s", &["Z"][..]),
        ("s", &["Z"][..]),
        ("ing", &["IH0", "NG"][..]),
        ("in'", &["IH0", "N"][..]),
        ("ly", &["L", "IY0"][..]),
        ("ness", &["N", "AH0", "S"][..]),
    ] {
        if let Some(ph) = w.strip_suffix(suffix).and_then(phones) {
            let mut all: Vec<&str> = ph.to_vec();
            all.extend_from_slice(extra);
            return Some(of(&all, true));
        }
    }
    Some(Pron {
        phones: Vec::new(),
        syllables: guess_syllables(&w),
        guessed: true,
    })
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

/// Syllables of an English line.
pub fn syllables(line: &str) -> usize {
    words_of(line)
        .into_iter()
        .filter_map(pron)
        .map(|p| p.syllables)
        .sum()
}

/// Whether any word of the line is missing from the dictionary (the count is then partly a guess).
pub fn has_guesses(line: &str) -> bool {
    words_of(line)
        .into_iter()
        .filter_map(pron)
        .any(|p| p.guessed)
}

/// One-syllable words sung without stress (articles, prepositions, pronouns, auxiliaries),
/// whatever stress the dictionary gives them.
const UNSTRESSED: [&str; 28] = [
    "a", "an", "the", "of", "to", "in", "on", "at", "and", "or", "but", "for", "with", "my",
    "your", "his", "her", "its", "our", "their", "is", "are", "was", "i", "you", "it", "as", "be",
];

/// Prefixes that leave the stress on the next syllable of a word the dictionary lacks.
const PREFIXES: [&str; 8] = ["a", "be", "de", "re", "un", "for", "in", "to"];

/// The vowel a singer sings for an ARPAbet vowel.
fn sung_vowel(ph: &str) -> char {
    match ph.trim_end_matches(['0', '1', '2']) {
        "AA" | "AE" | "AH" | "AW" | "AY" => 'a',
        "EH" | "ER" | "EY" => 'e',
        "IH" | "IY" => 'i',
        "AO" | "OW" | "OY" => 'o',
        _ => 'u',
    }
}

fn is_letter_vowel(c: char) -> bool {
    "aeiouy".contains(c)
}

/// Vowel-letter groups of a word as [start, end) char ranges (a leading y is a consonant).
fn letter_groups(chars: &[char]) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_letter_vowel(chars[i]) && !(chars[i] == 'y' && i == 0) {
            let s = i;
            while i < chars.len() && is_letter_vowel(chars[i]) {
                i += 1;
            }
            groups.push((s, i));
        } else {
            i += 1;
        }
    }
    groups
}

/// Cuts a written word into `n` pieces for `n` sung syllables: one per vowel-letter group
/// (a silent final e or "-es"/"-ed" joins the piece before; groups are split or joined to make
/// `n`), consonants between groups going to the next piece but for the first of a cluster.
/// When the letters cannot make `n` pieces, the last ones are `-` (the note holds on).
fn pieces(word: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut groups = letter_groups(&chars);
    // Silent endings: "love", "time", "loves", "moved" (but not "little", "the", "wanted").
    if groups.len() > n {
        if let Some(&(s, e)) = groups.last() {
            let single_e = e - s == 1 && chars[s] == 'e';
            let final_e = single_e && e == chars.len() && !word.ends_with("le");
            let es_ed = single_e && e + 1 == chars.len() && matches!(chars[e], 's' | 'd');
            if final_e || es_ed {
                groups.pop();
            }
        }
    }
    // Too many groups: join a lone interior e ("ev(e)ning"), else the last two.
    while groups.len() > n && groups.len() > 1 {
        let k = (1..groups.len() - 1)
            .find(|&k| groups[k].1 - groups[k].0 == 1 && chars[groups[k].0] == 'e')
            .unwrap_or(groups.len() - 1);
        let (_, e) = groups.remove(k);
        groups[k - 1].1 = e.max(groups[k - 1].1);
    }
    // Too few: split a group of several vowel letters ("be-ing", "i-de-a").
    while groups.len() < n {
        let Some(k) = groups.iter().rposition(|(s, e)| e - s > 1) else {
            break;
        };
        let (s, e) = groups[k];
        groups[k] = (s, s + 1);
        groups.insert(k + 1, (s + 1, e));
    }
    let mut starts = vec![0usize];
    for w in groups.windows(2) {
        let gap = w[1].0 - w[0].1;
        starts.push(if gap <= 1 { w[0].1 } else { w[0].1 + 1 });
    }
    let mut out: Vec<String> = (0..starts.len())
        .map(|k| {
            let end = starts.get(k + 1).copied().unwrap_or(chars.len());
            chars[starts[k]..end].iter().collect()
        })
        .collect();
    while out.len() < n {
        out.push("-".into());
    }
    out
}

/// The syllables a singer sings on one English word: the dictionary's count and stress (primary
/// stress; a one-syllable function word unstressed), the sung vowel of each, the spelling cut
/// into that many pieces.
pub fn word_syllables(word: &str) -> Vec<Syllable> {
    let w = normalise(word);
    let Some(p) = pron(&w) else {
        return Vec::new();
    };
    let n = p.syllables;
    let texts = pieces(&w, n);
    let sung: Vec<&str> = p
        .phones
        .iter()
        .map(String::as_str)
        .filter(|x| is_vowel(x))
        .collect();
    let stress: Option<usize> = if n == 1 {
        (!UNSTRESSED.contains(&w.as_str())).then_some(0)
    } else if sung.len() == n {
        sung.iter()
            .position(|x| x.ends_with('1'))
            .or_else(|| sung.iter().position(|x| x.ends_with('2')))
            .or(Some(0))
    } else if PREFIXES
        .iter()
        .any(|pre| w.starts_with(pre) && texts[0].len() <= pre.len())
    {
        Some(1)
    } else {
        Some(0)
    };
    let mut split = if sung.len() == n {
        split_phones(&p.phones)
    } else {
        Vec::new()
    };
    texts
        .into_iter()
        .enumerate()
        .map(|(k, text)| {
            let vowel = match sung.get(k) {
                Some(ph) if sung.len() == n => sung_vowel(ph),
                _ => text.chars().find(|c| "aeiou".contains(*c)).unwrap_or('i'),
            };
            let (onset, nucleus, coda) = match split.get_mut(k) {
                Some(s) => std::mem::take(s),
                None => spelled(&text),
            };
            Syllable {
                text,
                vowel,
                stressed: stress == Some(k),
                onset,
                nucleus,
                coda,
            }
        })
        .collect()
}

type Parts = (Vec<Phone>, Vec<Phone>, Vec<Phone>);

/// Whether consonants may begin an English syllable together (the onsets of English words:
/// s + stop or nasal, stop or f/th/sh + r, l or w, and s + stop + r/l/w).
fn legal_onset(c: &[Phone]) -> bool {
    use Phone::*;
    match c {
        [] => true,
        [x] => *x != Ng,
        [S, P | T | K | M | N | L | W | F] => true,
        [P | B | T | D | K | G | F | Th | Sh, Rx] => true,
        [P | B | K | G | F, L] => true,
        [T | D | K | G | Th, W] => true,
        [P | B | K | G | F | V | M | H, Y] => true,
        [S, P | T | K, Rx | L | W | Y] => true,
        _ => false,
    }
}

/// The dictionary's phonemes split into syllables, each (onset, nucleus, coda): one nucleus per
/// vowel, the consonants between two vowels going to the next syllable as far as English
/// onsets allow (maximal onset), the rest closing the syllable before.
fn split_phones(arpa: &[String]) -> Vec<Parts> {
    let mut groups: Vec<(Vec<Phone>, Vec<Phone>)> = Vec::new(); // (consonants before, nucleus)
    let mut pending: Vec<Phone> = Vec::new();
    for ph in arpa {
        let Some(ps) = from_arpabet(ph) else { continue };
        if is_vowel(ph) {
            groups.push((std::mem::take(&mut pending), ps.to_vec()));
        } else {
            pending.extend_from_slice(ps);
        }
    }
    let mut out: Vec<Parts> = Vec::with_capacity(groups.len());
    for (k, (cluster, nucleus)) in groups.into_iter().enumerate() {
        let cut = if k == 0 {
            0
        } else {
            (0..=cluster.len())
                .find(|&c| legal_onset(&cluster[c..]))
                .unwrap_or(cluster.len())
        };
        if let Some(prev) = out.last_mut() {
            prev.2.extend_from_slice(&cluster[..cut]);
        }
        out.push((cluster[cut..].to_vec(), nucleus, Vec::new()));
    }
    if let Some(last) = out.last_mut() {
        last.2.extend(pending);
    }
    out
}

/// Phonemes guessed from a syllable's spelling, for a word the dictionary lacks: common
/// digraphs (sh ch th ph ck ng wh qu, ee oo ou ai oa …), c and g soft before e/i/y, a silent
/// final e; vowels as in "cat, bed, sit, hot, cup".
fn spelled(text: &str) -> Parts {
    use Phone::*;
    let chars: Vec<char> = text.chars().filter(char::is_ascii_alphabetic).collect();
    let (mut onset, mut nucleus, mut coda) = (Vec::new(), Vec::new(), Vec::new());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let pair: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let (ph, vowel, used): (&[Phone], bool, usize) = match pair.as_str() {
            "sh" => (&[Sh], false, 2),
            "ch" => (&[Ch], false, 2),
            "th" => (&[Th], false, 2),
            "ph" => (&[F], false, 2),
            "ck" => (&[K], false, 2),
            "ng" => (&[Ng], false, 2),
            "wh" => (&[W], false, 2),
            "qu" => (&[K, W], false, 2),
            "ee" | "ea" | "ie" => (&[I], true, 2),
            "oo" => (&[U], true, 2),
            "ou" | "ow" => (&[A, U], true, 2),
            "ai" | "ay" | "ei" | "ey" => (&[E, I], true, 2),
            "oa" => (&[O, U], true, 2),
            "oi" | "oy" => (&[Oh, I], true, 2),
            "au" | "aw" => (&[Oh], true, 2),
            _ => {
                let soft = matches!(next, Some('e' | 'i' | 'y'));
                let last_e = c == 'e' && i + 1 == chars.len() && !nucleus.is_empty();
                match c {
                    _ if last_e => (&[][..], false, 1),
                    'a' => (&[Ae][..], true, 1),
                    'e' => (&[Eh][..], true, 1),
                    'i' => (&[Ih][..], true, 1),
                    'o' => (&[A][..], true, 1),
                    'u' => (&[Ax][..], true, 1),
                    'y' if i == 0 => (&[Y][..], false, 1),
                    'y' => (&[I][..], true, 1),
                    'b' => (&[B][..], false, 1),
                    'c' if soft => (&[S][..], false, 1),
                    'c' | 'k' | 'q' => (&[K][..], false, 1),
                    'd' => (&[D][..], false, 1),
                    'f' => (&[F][..], false, 1),
                    'g' if soft => (&[Jh][..], false, 1),
                    'g' => (&[G][..], false, 1),
                    'h' => (&[H][..], false, 1),
                    'j' => (&[Jh][..], false, 1),
                    'l' => (&[L][..], false, 1),
                    'm' => (&[M][..], false, 1),
                    'n' => (&[N][..], false, 1),
                    'p' => (&[P][..], false, 1),
                    'r' => (&[Rx][..], false, 1),
                    's' => (&[S][..], false, 1),
                    't' => (&[T][..], false, 1),
                    'v' => (&[V][..], false, 1),
                    'w' => (&[W][..], false, 1),
                    'x' => (&[K, S][..], false, 1),
                    'z' => (&[Z][..], false, 1),
                    _ => (&[][..], false, 1),
                }
            }
        };
        if vowel && coda.is_empty() {
            nucleus.extend_from_slice(ph);
        } else if nucleus.is_empty() {
            onset.extend_from_slice(ph);
        } else {
            coda.extend_from_slice(ph);
        }
        i += used;
    }
    (onset, nucleus, coda)
}

/// The syllables a singer sings on an English line, one note each.
pub fn sung(line: &str) -> Vec<Syllable> {
    words_of(line)
        .into_iter()
        .flat_map(word_syllables)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        sung(line).into_iter().map(|s| s.text).collect()
    }

    fn stress(word: &str) -> usize {
        word_syllables(word)
            .iter()
            .position(|s| s.stressed)
            .unwrap()
    }

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
        // A curly apostrophe is an apostrophe, not a word break.
        assert_eq!(syllables("Don’t stop"), 2);
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
    fn sung_syllables_follow_the_dictionary() {
        assert_eq!(texts("love"), ["love"]);
        assert_eq!(texts("little"), ["lit", "tle"]);
        assert_eq!(texts("fire"), ["fi", "re"]);
        assert_eq!(texts("being"), ["be", "ing"]);
        assert_eq!(texts("every"), ["e", "ve", "ry"]);
        assert_eq!(texts("evening"), ["eve", "ning"]);
        assert_eq!(texts("idea"), ["i", "de", "a"]);
        assert_eq!(texts("don't"), ["don't"]);
        assert_eq!(word_syllables("beautiful").len(), 3);
        assert_eq!(word_syllables("w").len(), 3);
        assert_eq!(stress("tonight"), 1);
        assert_eq!(stress("dancing"), 0);
        assert_eq!(stress("zorbleflax"), 0);
        let line = sung("the night is young");
        assert_eq!(line.len(), 4);
        let stressed: Vec<bool> = line.iter().map(|s| s.stressed).collect();
        assert_eq!(stressed, [false, true, false, true]);
        let vowels: String = sung("love me tonight").iter().map(|s| s.vowel).collect();
        assert_eq!(vowels, "aiaa");
        // Phonemes from the dictionary, split by maximal onset.
        let p = |w: &str| -> Vec<String> {
            use crate::phoneme::codes;
            word_syllables(w)
                .iter()
                .map(|s| {
                    format!(
                        "{}|{}|{}",
                        codes(&s.onset),
                        codes(&s.nucleus),
                        codes(&s.coda)
                    )
                })
                .collect()
        };
        assert_eq!(p("strengths"), ["s t rx|eh|ng k th s"]);
        assert_eq!(p("little"), ["l|ih|", "t|ax|l"]);
        assert_eq!(p("tonight"), ["t|ax|", "n|a i|t"]);
        assert_eq!(p("extra"), ["|eh|k", "s t rx|ax|"]);
        assert_eq!(p("shine"), ["sh|a i|n"]);
        assert_eq!(p("zorbleflax")[0].split('|').next(), Some("z"));
        // Every piece is the word's own letters, in order.
        for w in [
            "every",
            "evening",
            "business",
            "idea",
            "rhythm",
            "strengths",
        ] {
            let s = word_syllables(w);
            let joined: String = s.iter().map(|x| x.text.as_str()).collect();
            assert_eq!(joined.trim_end_matches('-'), w, "{s:?}");
            assert_eq!(s.len(), pron(w).unwrap().syllables, "{w}");
        }
    }
}
