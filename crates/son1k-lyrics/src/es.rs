//! Spanish metre and rhyme: syllabification with diphthongs and hiatus, word stress, synalepha
//! between words, the line-end rule (+1 oxytone, −1 proparoxytone) and rhyme keys.
//!
//! The rules are those of Spanish verse manuals: a strong vowel (a, e, o) next to another strong
//! vowel is a hiatus; a weak vowel (i, u) without a written accent joins its neighbour in a
//! diphthong or triphthong; a written accent on the weak vowel breaks it. A word ending in a vowel
//! joins the next word beginning with a vowel (or with a silent h) into one metrical syllable.

/// One word split into syllables, with its stressed syllable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The syllables as written (lower-case, accents kept).
    pub syllables: Vec<String>,
    /// Index of the stressed syllable.
    pub stress: usize,
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

fn vowel_of(c: char) -> Option<(char, bool, bool)> {
    // (base vowel, strong, written accent)
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
    /// Syllables as spoken before the line-end rule (synalephas applied).
    pub phonetic: usize,
    /// How many synalephas joined words.
    pub synalephas: usize,
    /// Syllables after the last stress (0 aguda, 1 llana, 2+ esdrújula); `None` for no words.
    pub after_stress: Option<usize>,
    /// Metrical syllables for display, e.g. `Cuan-do-me-pa-ro‿a-…`.
    pub parts: Vec<String>,
}

/// Words of a line, letters and apostrophes only.
pub fn words_of(line: &str) -> Vec<&str> {
    line.split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect()
}

/// Counts the metrical syllables of a Spanish line.
pub fn metre(line: &str) -> LineMetre {
    let words: Vec<Word> = words_of(line).into_iter().filter_map(word).collect();
    let mut parts: Vec<String> = Vec::new();
    let mut synalephas = 0;
    let mut prev_open = false;
    for w in &words {
        let mut syl = w.syllables.iter();
        if prev_open && w.opens_with_vowel {
            if let (Some(first), Some(last)) = (syl.next(), parts.last_mut()) {
                last.push('‿');
                last.push_str(first);
                synalephas += 1;
            }
        }
        parts.extend(syl.cloned());
        prev_open = w.closes_with_vowel;
    }
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

/// Strips accents and writes sounds that spell alike the same way (b/v, c/z/s before e/i, ll/y,
/// qu/c/k, silent h), so rhyme compares sounds rather than spelling.
fn sound(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let front = matches!(next, Some('e' | 'i' | 'é' | 'í'));
        match c {
            'á' => out.push('a'),
            'é' => out.push('e'),
            'í' => out.push('i'),
            'ó' => out.push('o'),
            'ú' | 'ü' => out.push('u'),
            'v' | 'w' => out.push('b'),
            'z' => out.push('s'),
            'h' => {}
            'c' if next == Some('h') => {
                out.push('ĉ');
                i += 1;
            }
            'c' if front => out.push('s'),
            'c' | 'k' => out.push('k'),
            'q' => {
                out.push('k');
                if next == Some('u') {
                    i += 1;
                }
            }
            'g' if front => out.push('j'),
            'g' if next == Some('u') && matches!(chars.get(i + 2), Some('e' | 'i' | 'é' | 'í')) =>
            {
                out.push('g');
                i += 1;
            }
            'l' if next == Some('l') => {
                out.push('y');
                i += 1;
            }
            'x' => out.push_str("ks"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Consonant and assonant rhyme keys of a Spanish word or line (its last word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RhymeKey {
    /// Every sound from the stressed vowel on ("-ando" for "cantando").
    pub consonant: String,
    /// The vowels from the stressed one on, post-tonic weak glides dropped ("a-o").
    pub assonant: String,
}

/// The rhyme keys of the last word of `line`.
pub fn rhyme_key(line: &str) -> Option<RhymeKey> {
    let last = words_of(line).into_iter().last()?;
    let w = word(last)?;
    let stressed = &w.syllables[w.stress];
    // The stressed vowel inside the stressed syllable: the accented one, else the strong one,
    // else (ui, iu) the second weak vowel.
    let vs: Vec<(usize, char)> = stressed
        .char_indices()
        .filter(|(_, c)| vowel_of(*c).is_some() || *c == 'y')
        .collect();
    let pick = vs
        .iter()
        .find(|(_, c)| vowel_of(*c).is_some_and(|v| v.2))
        .or_else(|| vs.iter().find(|(_, c)| vowel_of(*c).is_some_and(|v| v.1)))
        .or_else(|| vs.iter().rfind(|(_, c)| vowel_of(*c).is_some()))
        .or(vs.first());
    let offset = pick.map(|p| p.0).unwrap_or(0);
    // Skip "qu"/"gu" silent u: the pick lands on the real vowel because u there is not picked
    // when a strong vowel follows.
    let mut tail = stressed[offset..].to_string();
    for s in &w.syllables[w.stress + 1..] {
        tail.push_str(s);
    }
    let consonant = sound(&tail);
    // Assonance: the stressed vowel, then one vowel per post-tonic syllable, skipping the
    // middle one of an esdrújula; final unstressed i sounds as e, u as o.
    let mut vowels: Vec<char> = Vec::new();
    if let Some((_, c)) = pick {
        vowels.push(vowel_of(*c).map(|v| v.0).unwrap_or('i'));
    }
    let post = &w.syllables[w.stress + 1..];
    for (k, s) in post.iter().enumerate() {
        if post.len() >= 2 && k + 1 < post.len() {
            continue;
        }
        let mut best: Option<(char, bool)> = None;
        let units = units(s);
        for (_, t) in units {
            if let Tok::Vowel { base, strong, .. } = t {
                if best.is_none_or(|b| strong && !b.1) {
                    best = Some((base, strong));
                }
            }
        }
        if let Some((v, _)) = best {
            vowels.push(match v {
                'i' => 'e',
                'u' => 'o',
                other => other,
            });
        }
    }
    let assonant = vowels
        .iter()
        .map(char::to_string)
        .collect::<Vec<_>>()
        .join("-");
    Some(RhymeKey {
        consonant,
        assonant,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn split(w: &str) -> String {
        word(w).unwrap().syllables.join("-")
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
    }

    #[test]
    fn finds_the_stress() {
        assert_eq!(word("corazón").unwrap().after_stress(), 0);
        assert_eq!(word("verde").unwrap().after_stress(), 1);
        assert_eq!(word("lágrimas").unwrap().after_stress(), 2);
        assert_eq!(word("amor").unwrap().after_stress(), 0);
        assert_eq!(word("estoy").unwrap().after_stress(), 0);
        assert_eq!(word("rápidamente").unwrap().after_stress(), 1);
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
    fn rhyme_keys() {
        let a = rhyme_key("cantando").unwrap();
        assert_eq!(a.consonant, "ando");
        assert_eq!(a.assonant, "a-o");
        assert_eq!(rhyme_key("llorando").unwrap().consonant, "ando");
        assert_eq!(rhyme_key("corazón").unwrap().consonant, "on");
        assert_eq!(rhyme_key("canción").unwrap().consonant, "on");
        assert_eq!(rhyme_key("cielo").unwrap().assonant, "e-o");
        assert_eq!(rhyme_key("lirio").unwrap().assonant, "i-o");
        assert_eq!(rhyme_key("lágrimas").unwrap().assonant, "a-a");
        assert_eq!(rhyme_key("Venus").unwrap().assonant, "e-o");
        assert_eq!(
            rhyme_key("voz").unwrap().consonant,
            rhyme_key("dos").unwrap().consonant
        );
    }
}
