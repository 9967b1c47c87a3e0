//! Spanish syllables: syllabification with diphthongs and hiatus, word stress, synalepha
//! between words, the sung syllables of a line and its metre (the line-end rule).
//!
//! The rules are those of Spanish verse manuals: a strong vowel (a, e, o) next to another strong
//! vowel is a hiatus; a weak vowel (i, u) without a written accent joins its neighbour in a
//! diphthong or triphthong; a written accent on the weak vowel breaks it. A word ending in a vowel
//! joins the next word beginning with a vowel (or with a silent h) into one syllable: the
//! synalepha, which is sung as one note as it is counted as one syllable.

use crate::lang::words_of;
use crate::phoneme::Phone;
use crate::Syllable;

/// One word split into syllables, with its stressed syllable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The syllables as written (lower-case, accents kept).
    pub syllables: Vec<String>,
    /// Index of the stressed syllable.
    pub stress: usize,
    /// The vowel sung on each syllable (`a e i o u`): its strong vowel, else its accented or
    /// last weak one ("ciu" → u, "cui" → i).
    pub vowels: Vec<char>,
    /// Whether the word begins with a vowel sound (a vowel, or h + vowel).
    pub opens_with_vowel: bool,
    /// Whether the word ends in a vowel sound.
    pub closes_with_vowel: bool,
}

impl Word {
    /// Syllables after the stressed one: 0 oxytone (aguda), 1 paroxytone (llana), 2 or more
    /// proparoxytone (esdrújula).
    pub fn after_stress(&self) -> usize {
        self.syllables.len().saturating_sub(self.stress + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Vowel {
        base: char,
        strong: bool,
        accent: bool,
    },
    Cons,
}

/// A vowel letter as (base vowel, strong, written accent); `None` for anything else.
pub fn vowel_of(c: char) -> Option<(char, bool, bool)> {
    Some(match c {
        'a' => ('a', true, false),
        'e' => ('e', true, false),
        'o' => ('o', true, false),
        'á' => ('a', true, true),
        'é' => ('e', true, true),
        'ó' => ('o', true, true),
        'i' => ('i', false, false),
        'u' | 'ü' => ('u', false, false),
        'í' => ('i', false, true),
        'ú' => ('u', false, true),
        _ => return None,
    })
}

/// Letters of a word as units: `ch`, `ll`, `rr` and `qu`/`gu` before e/i are one consonant.
fn units(word: &str) -> Vec<(String, Tok)> {
    let chars: Vec<char> = word.chars().collect();
    let mut out: Vec<(String, Tok)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after = chars.get(i + 2).copied();
        let front = |v: Option<char>| matches!(v, Some('e' | 'i' | 'é' | 'í'));
        // qu + e/i and gu + e/i: the u is silent.
        if (c == 'q' || c == 'g') && next == Some('u') && front(after) {
            out.push((format!("{c}u"), Tok::Cons));
            i += 2;
            continue;
        }
        if let Some(n) = next {
            if matches!((c, n), ('c', 'h') | ('l', 'l') | ('r', 'r')) {
                out.push((format!("{c}{n}"), Tok::Cons));
                i += 2;
                continue;
            }
        }
        if c == 'y' {
            // y is a consonant before a vowel, the vowel i otherwise ("hoy", "y", "muy").
            let before_vowel = next.and_then(vowel_of).is_some();
            let tok = if before_vowel {
                Tok::Cons
            } else {
                Tok::Vowel {
                    base: 'i',
                    strong: false,
                    accent: false,
                }
            };
            out.push(("y".into(), tok));
            i += 1;
            continue;
        }
        let tok = match vowel_of(c) {
            Some((base, strong, accent)) => Tok::Vowel {
                base,
                strong,
                accent,
            },
            None => Tok::Cons,
        };
        out.push((c.to_string(), tok));
        i += 1;
    }
    out
}

/// Whether two adjacent vowels share a syllable (diphthong) rather than form a hiatus.
fn joins(a: Tok, b: Tok) -> bool {
    match (a, b) {
        (
            Tok::Vowel {
                base: ba,
                strong: sa,
                accent: aa,
            },
            Tok::Vowel {
                base: bb,
                strong: sb,
                accent: ab,
            },
        ) => {
            if sa && sb {
                return false;
            }
            // An accented weak vowel keeps its own syllable ("día", "baúl").
            if (!sa && aa) || (!sb && ab) {
                return false;
            }
            // "chiita", "duunviro"
            !(ba == bb && !sa && !sb)
        }
        _ => false,
    }
}

fn inseparable(a: &str, b: &str) -> bool {
    matches!(
        (a, b),
        ("b" | "c" | "f" | "g" | "k" | "p", "l")
            | ("b" | "c" | "d" | "f" | "g" | "k" | "p" | "t", "r")
    )
}

/// The vowel sung on a nucleus: the strong vowel, else an accented weak one, else the last.
fn sung_vowel(nucleus: &[(String, Tok)]) -> char {
    let vs: Vec<(char, bool, bool)> = nucleus
        .iter()
        .filter_map(|(_, t)| match *t {
            Tok::Vowel {
                base,
                strong,
                accent,
            } => Some((base, strong, accent)),
            Tok::Cons => None,
        })
        .collect();
    vs.iter()
        .find(|v| v.1)
        .or_else(|| vs.iter().find(|v| v.2))
        .or(vs.last())
        .map_or('e', |v| v.0)
}

/// The vowels of a syllable or word as spoken, in order: (base vowel, strong, written accent).
/// A `y` counts as the vowel i where it is not a consonant ("hoy", "muy"); the silent u of
/// que/qui/gue/gui does not count.
pub fn vowels(text: &str) -> Vec<(char, bool, bool)> {
    units(&text.to_lowercase())
        .into_iter()
        .filter_map(|(_, t)| match t {
            Tok::Vowel {
                base,
                strong,
                accent,
            } => Some((base, strong, accent)),
            Tok::Cons => None,
        })
        .collect()
}

/// Splits one word (letters only) into syllables and finds its stress.
pub fn word(text: &str) -> Option<Word> {
    let lower: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphabetic())
        .collect();
    if lower.is_empty() {
        return None;
    }
    let u = units(&lower);
    // Nuclei: runs of vowels, split at hiatus.
    let mut nuclei: Vec<(usize, usize)> = Vec::new(); // [start, end) in units
    let mut i = 0;
    while i < u.len() {
        if matches!(u[i].1, Tok::Vowel { .. }) {
            let start = i;
            let mut end = i + 1;
            while end < u.len() && joins(u[end - 1].1, u[end].1) {
                end += 1;
            }
            nuclei.push((start, end));
            i = end;
        } else {
            i += 1;
        }
    }
    if nuclei.is_empty() {
        // Letters without a vowel ("sr", "y" handled above): one syllable, as spoken.
        return Some(Word {
            syllables: vec![lower],
            stress: 0,
            vowels: vec!['e'],
            opens_with_vowel: false,
            closes_with_vowel: false,
        });
    }
    // Boundaries between nuclei: maximise the onset within Spanish clusters.
    let mut cuts = Vec::new();
    for w in nuclei.windows(2) {
        let (gap_start, gap_end) = (w[0].1, w[1].0);
        let n = gap_end - gap_start;
        let cut = match n {
            0 | 1 => gap_start,
            _ => {
                let a = u[gap_end - 2].0.as_str();
                let b = u[gap_end - 1].0.as_str();
                if inseparable(a, b) {
                    gap_end - 2
                } else {
                    gap_end - 1
                }
            }
        };
        cuts.push(cut);
    }
    let mut syllables = Vec::with_capacity(nuclei.len());
    let mut from = 0;
    for &c in cuts.iter().chain(std::iter::once(&u.len())) {
        syllables.push(
            u[from..c]
                .iter()
                .map(|(s, _)| s.as_str())
                .collect::<String>(),
        );
        from = c;
    }
    let stress = stress_of(&lower, &u, &nuclei);
    let vowels = nuclei.iter().map(|&(s, e)| sung_vowel(&u[s..e])).collect();
    let first_letter = u.first().map(|(s, t)| (s.as_str(), *t));
    let opens_with_vowel = match first_letter {
        Some((_, Tok::Vowel { .. })) => true,
        // A silent h before a vowel, but not before a diphthong that starts with a weak vowel
        // ("hielo", "huevo" start with a consonant sound).
        Some(("h", _)) => match (u.get(1).map(|x| x.1), u.get(2).map(|x| x.1)) {
            (Some(Tok::Vowel { strong: false, .. }), Some(Tok::Vowel { strong: true, .. })) => {
                false
            }
            (Some(Tok::Vowel { .. }), _) => true,
            _ => false,
        },
        _ => false,
    };
    // "y" as the conjunction, or a word ending in a vowel letter.
    let closes_with_vowel = matches!(u.last().map(|x| x.1), Some(Tok::Vowel { .. }));
    Some(Word {
        syllables,
        stress,
        vowels,
        opens_with_vowel,
        closes_with_vowel,
    })
}

fn stress_of(lower: &str, u: &[(String, Tok)], nuclei: &[(usize, usize)]) -> usize {
    let n = nuclei.len();
    // Adverbs in -mente keep the stress of "mente".
    if n >= 3 && lower.ends_with("mente") {
        return n - 2;
    }
    for (k, &(s, e)) in nuclei.iter().enumerate() {
        if u[s..e]
            .iter()
            .any(|(_, t)| matches!(t, Tok::Vowel { accent: true, .. }))
        {
            return k;
        }
    }
    if n == 1 {
        return 0;
    }
    let last = lower.chars().last().unwrap_or('a');
    if matches!(last, 'a' | 'e' | 'i' | 'o' | 'u' | 'n' | 's') {
        n - 2
    } else {
        n - 1
    }
}

/// The metre of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMetre {
    /// Metrical syllables: phonological syllables − synalephas, +1 oxytone end, −1 proparoxytone.
    pub syllables: usize,
    /// Syllables as sung, before the line-end rule (synalephas applied): the notes of the line.
    pub phonetic: usize,
    /// How many synalephas joined words.
    pub synalephas: usize,
    /// Syllables after the last stress (0 aguda, 1 llana, 2+ esdrújula); `None` for no words.
    pub after_stress: Option<usize>,
    /// The sung syllables for display, e.g. `cuan-do-me-pa-ro‿a-…`.
    pub parts: Vec<String>,
}

/// Monosyllables Spanish says without stress (articles, prepositions, conjunctions, clitic
/// pronouns and possessives); their accented twins (mí, tú, él, sí, más, qué) are stressed.
const UNSTRESSED: [&str; 36] = [
    "el", "la", "lo", "los", "las", "de", "del", "al", "a", "en", "con", "por", "sin", "so",
    "tras", "y", "e", "o", "u", "ni", "que", "si", "mas", "me", "te", "se", "nos", "os", "le",
    "les", "mi", "mis", "tu", "tus", "su", "sus",
];

/// The syllables a singer sings on one word: its syllables, the lexical stress (none on an
/// unstressed monosyllable) and each one's vowel.
pub fn word_syllables(w: &Word) -> Vec<Syllable> {
    let weak = w.syllables.len() == 1 && UNSTRESSED.contains(&w.syllables[0].as_str());
    let mut prev_last: Option<char> = None;
    w.syllables
        .iter()
        .zip(&w.vowels)
        .enumerate()
        .map(|(k, (text, vowel))| {
            let (onset, nucleus, coda) = phonemes(text, k == 0, prev_last);
            prev_last = text.chars().last();
            Syllable {
                text: text.clone(),
                vowel: *vowel,
                stressed: k == w.stress && !weak,
                onset,
                nucleus,
                coda,
            }
        })
        .collect()
}

/// The phonemes of one Spanish syllable as written (`word_initial`: it starts the word;
/// `prev_last`: the last letter of the syllable before it in the word), by the rules of the
/// spelling with Latin-American seseo and yeísmo: c before e/i and z → s, qu → k, g before e/i
/// and j → x, gu before e/i → g, ll and consonant y → y, ñ → ny, ch → ch, h silent, v → b,
/// x → k s (s at the start of a word), r a trill at the start of a word and after l, n, s (and
/// rr), a tap elsewhere. The nucleus keeps every vowel of a diphthong (`ue`, `ai`).
pub fn phonemes(
    text: &str,
    word_initial: bool,
    prev_last: Option<char>,
) -> (Vec<Phone>, Vec<Phone>, Vec<Phone>) {
    let u = units(&text.to_lowercase());
    let (mut onset, mut nucleus, mut coda) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (letters, tok)) in u.iter().enumerate() {
        if let Tok::Vowel { base, .. } = *tok {
            nucleus.push(match base {
                'a' => Phone::A,
                'e' => Phone::E,
                'i' => Phone::I,
                'o' => Phone::O,
                _ => Phone::U,
            });
            continue;
        }
        let soft = matches!(
            u.get(i + 1),
            Some((
                _,
                Tok::Vowel {
                    base: 'e' | 'i',
                    ..
                }
            ))
        );
        let first = i == 0;
        let before = if first {
            prev_last
        } else {
            u[i - 1].0.chars().last()
        };
        let ph: &[Phone] = match letters.as_str() {
            "qu" | "k" => &[Phone::K],
            "gu" => &[Phone::G],
            "ch" => &[Phone::Ch],
            "ll" | "y" => &[Phone::Y],
            "rr" => &[Phone::Rr],
            "r" if (first && word_initial) || matches!(before, Some('l' | 'n' | 's')) => {
                &[Phone::Rr]
            }
            "r" => &[Phone::R],
            "b" | "v" => &[Phone::B],
            "c" if soft => &[Phone::S],
            "c" => &[Phone::K],
            "z" | "s" => &[Phone::S],
            "d" => &[Phone::D],
            "f" => &[Phone::F],
            "g" if soft => &[Phone::X],
            "g" => &[Phone::G],
            "j" => &[Phone::X],
            "h" => &[],
            "l" => &[Phone::L],
            "m" => &[Phone::M],
            "n" => &[Phone::N],
            "ñ" => &[Phone::Ny],
            "p" => &[Phone::P],
            "t" => &[Phone::T],
            "w" => &[Phone::W],
            "x" if first && word_initial => &[Phone::S],
            "x" => &[Phone::K, Phone::S],
            _ => &[],
        };
        if nucleus.is_empty() {
            onset.extend_from_slice(ph);
        } else {
            coda.extend_from_slice(ph);
        }
    }
    (onset, nucleus, coda)
}

/// Joins a word's first syllable onto the previous word's last (synalepha): `ro‿a`. The joined
/// syllable is stressed when either is, and sings the stressed one's vowel, else the more open.
fn join(prev: &mut Syllable, next: Syllable) {
    let open = |v: char| match v {
        'a' => 2,
        'e' | 'o' => 1,
        _ => 0,
    };
    let vowel = match (prev.stressed, next.stressed) {
        (true, false) => prev.vowel,
        (false, true) => next.vowel,
        _ if open(next.vowel) > open(prev.vowel) => next.vowel,
        _ => prev.vowel,
    };
    prev.text.push('‿');
    prev.text.push_str(&next.text);
    prev.vowel = vowel;
    prev.stressed |= next.stressed;
    // One nucleus: the vowels of both ("ro‿a" → o a), then the second's coda.
    prev.nucleus.extend(next.onset);
    prev.nucleus.extend(next.nucleus);
    prev.coda = next.coda;
}

/// The syllables a singer sings on a Spanish line, one note each: every word's syllables, with a
/// synalepha wherever a word ending in a vowel meets one beginning with a vowel or silent h.
pub fn sung(line: &str) -> Vec<Syllable> {
    sung_words(
        &words_of(line)
            .into_iter()
            .filter_map(word)
            .collect::<Vec<_>>(),
    )
    .0
}

/// The sung syllables of `words` and how many synalephas joined them.
fn sung_words(words: &[Word]) -> (Vec<Syllable>, usize) {
    let mut out: Vec<Syllable> = Vec::new();
    let mut synalephas = 0;
    let mut prev_open = false;
    for w in words {
        let mut syl = word_syllables(w).into_iter();
        if prev_open && w.opens_with_vowel {
            if let (Some(first), Some(last)) = (syl.next(), out.last_mut()) {
                join(last, first);
                synalephas += 1;
            }
        }
        out.extend(syl);
        prev_open = w.closes_with_vowel;
    }
    (out, synalephas)
}

/// The metre of a Spanish line: its sung syllables, then the line-end rule of verse.
pub fn metre(line: &str) -> LineMetre {
    let words: Vec<Word> = words_of(line).into_iter().filter_map(word).collect();
    let (sung, synalephas) = sung_words(&words);
    let parts: Vec<String> = sung.into_iter().map(|s| s.text).collect();
    let phonetic = parts.len();
    let after_stress = words.last().map(Word::after_stress);
    let syllables = match after_stress {
        Some(0) => phonetic + 1,
        Some(1) => phonetic,
        Some(_) => phonetic.saturating_sub(1),
        None => 0,
    };
    LineMetre {
        syllables,
        phonetic,
        synalephas,
        after_stress,
        parts,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn split(w: &str) -> String {
        word(w).unwrap().syllables.join("-")
    }

    fn texts(line: &str) -> Vec<String> {
        sung(line).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_words_with_clusters_diphthongs_and_hiatus() {
        assert_eq!(split("lugar"), "lu-gar");
        assert_eq!(split("mancha"), "man-cha");
        assert_eq!(split("quiero"), "quie-ro");
        assert_eq!(split("poeta"), "po-e-ta");
        assert_eq!(split("día"), "dí-a");
        assert_eq!(split("ciudad"), "ciu-dad");
        assert_eq!(split("instante"), "ins-tan-te");
        assert_eq!(split("hombre"), "hom-bre");
        assert_eq!(split("guerra"), "gue-rra");
        assert_eq!(split("buey"), "buey");
        assert_eq!(split("pingüino"), "pin-güi-no");
        assert_eq!(split("ahora"), "a-ho-ra");
        assert_eq!(split("corazón"), "co-ra-zón");
        assert_eq!(split("canción"), "can-ción");
        assert_eq!(split("tristeza"), "tris-te-za");
    }

    #[test]
    fn finds_the_stress() {
        assert_eq!(word("corazón").unwrap().after_stress(), 0);
        assert_eq!(word("verde").unwrap().after_stress(), 1);
        assert_eq!(word("lágrimas").unwrap().after_stress(), 2);
        assert_eq!(word("amor").unwrap().after_stress(), 0);
        assert_eq!(word("estoy").unwrap().after_stress(), 0);
        assert_eq!(word("rápidamente").unwrap().after_stress(), 1);
        assert_eq!(word("ciudad").unwrap().stress, 1);
        assert_eq!(word("noche").unwrap().stress, 0);
        assert_eq!(word("tristeza").unwrap().stress, 1);
    }

    #[test]
    fn sings_the_strong_vowel() {
        assert_eq!(word("ciudad").unwrap().vowels, ['u', 'a']);
        assert_eq!(word("cuidar").unwrap().vowels, ['i', 'a']);
        assert_eq!(word("quiero").unwrap().vowels, ['e', 'o']);
        assert_eq!(word("hoy").unwrap().vowels, ['o']);
        assert_eq!(word("día").unwrap().vowels, ['i', 'a']);
    }

    #[test]
    fn counts_known_verses() {
        assert_eq!(metre("En un lugar de la Mancha").syllables, 8);
        assert_eq!(metre("Verde que te quiero verde").syllables, 8);
        // Garcilaso, two synalephas: pa-ro‿a, mi‿es.
        let m = metre("Cuando me paro a contemplar mi estado");
        assert_eq!((m.syllables, m.synalephas), (11, 2), "{:?}", m.parts);
        // Lope: synalepha across a silent h (man-da‿ha-cer).
        assert_eq!(metre("Un soneto me manda hacer Violante").syllables, 11);
        // Oxytone end: +1.
        assert_eq!(metre("Caminante, no hay camino").syllables, 8);
        assert_eq!(metre("se hace camino al andar").syllables, 8);
        // Proparoxytone end: −1 (ca-yen-lá-gri-mas = 5 − 1 + …).
        assert_eq!(metre("mis lágrimas").syllables, 3);
    }

    #[test]
    fn sung_syllables_join_vowels_across_words() {
        assert_eq!(
            texts("Cuando me paro a contemplar mi estado"),
            ["cuan", "do", "me", "pa", "ro‿a", "con", "tem", "plar", "mi‿es", "ta", "do"]
        );
        // The line-end rule is verse, not singing: "mar" is one note.
        let m = metre("el barco sobre la mar");
        assert_eq!((m.phonetic, m.syllables), (7, 8));
        assert_eq!(sung("el barco sobre la mar").len(), 7);
        assert_eq!(sung("bailar contigo").len(), 5);
        // Unstressed monosyllables; the joined syllable takes the stressed vowel.
        let s = sung("Vuelve a mí");
        assert_eq!(texts("Vuelve a mí"), ["vuel", "ve‿a", "mí"]);
        assert_eq!(
            s.iter().map(|x| x.stressed).collect::<Vec<_>>(),
            [true, false, true]
        );
        assert_eq!(s[1].vowel, 'a');
        let s = sung("la noche");
        assert!(!s[0].stressed && s[1].stressed && !s[2].stressed);
        // hie-/hue- begin with a consonant sound: no synalepha.
        assert_eq!(sung("como hielo").len(), 4);
    }

    fn phones(line: &str) -> Vec<String> {
        use crate::phoneme::codes;
        sung(line)
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
    }

    #[test]
    fn phonemes_follow_the_spelling_rules() {
        assert_eq!(phones("corazón"), ["k|o|", "r|a|", "s|o|n"]);
        assert_eq!(phones("quiero"), ["k|i e|", "r|o|"]);
        assert_eq!(phones("guerra"), ["g|e|", "rr|a|"]);
        assert_eq!(phones("rosa"), ["rr|o|", "s|a|"]);
        assert_eq!(phones("honra"), ["|o|n", "rr|a|"]);
        assert_eq!(phones("gente"), ["x|e|n", "t|e|"]);
        assert_eq!(phones("llama"), ["y|a|", "m|a|"]);
        assert_eq!(phones("niño"), ["n|i|", "ny|o|"]);
        assert_eq!(phones("noche"), ["n|o|", "ch|e|"]);
        assert_eq!(phones("hoy"), ["|o i|"]);
        assert_eq!(phones("cielo"), ["s|i e|", "l|o|"]);
        assert_eq!(phones("examen"), ["|e|", "k s|a|", "m|e|n"]);
        assert_eq!(phones("vuelve"), ["b|u e|l", "b|e|"]);
        assert_eq!(phones("pingüino"), ["p|i|n", "g|u i|", "n|o|"]);
        // A synalepha sings both vowels in one nucleus, across a silent h.
        assert_eq!(phones("mi estado"), ["m|i e|s", "t|a|", "d|o|"]);
        assert_eq!(phones("manda hacer")[1], "d|a a|");
    }
}
