//! Spanish rhyme: consonant and assonant rhyme keys. Syllables, stress, synalepha and metre are
//! the one text model's ([`son1k_text::es`]), re-exported here.

pub use son1k_text::es::{metre, word, LineMetre, Word};
pub use son1k_text::words_of;

use son1k_text::es::{vowel_of, vowels as syllable_vowels};

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
        for (base, strong, _) in syllable_vowels(s) {
            if best.is_none_or(|b| strong && !b.1) {
                best = Some((base, strong));
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
