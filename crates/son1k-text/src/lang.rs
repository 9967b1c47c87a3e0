//! Which language's rules a text, or one line of it, is read with.

use son1k_core::Lang;

use crate::en;

/// Words of a line: runs of letters and apostrophes (`'` or `’`), each with at least one letter.
pub fn words_of(line: &str) -> Vec<&str> {
    line.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’'))
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect()
}

/// Function words only Spanish has (none of them is also an English word a lyric would use).
const ES: [&str; 24] = [
    "el", "la", "los", "las", "que", "de", "del", "y", "en", "mi", "tu", "su", "un", "una", "por",
    "con", "se", "es", "lo", "te", "para", "pero", "como", "al",
];

/// Function words only English has.
const EN: [&str; 24] = [
    "the", "and", "you", "i", "my", "your", "of", "to", "in", "is", "it", "we", "on", "be", "are",
    "was", "this", "that", "with", "for", "i'm", "don't", "it's", "what",
];

/// Evidence for each language: (Spanish, English). A word with a Spanish letter (ñ, an accent,
/// ü) or an opening ¿ ¡ counts for Spanish; each language's own function words count for it.
/// Words both languages share ("a", "me", "no") count for neither.
fn evidence(text: &str) -> (usize, usize) {
    let lower = text.to_lowercase().replace('’', "'");
    let marks = lower.chars().filter(|c| "¿¡".contains(*c)).count();
    let words = words_of(&lower);
    let es = words
        .iter()
        .filter(|w| ES.contains(w) || w.chars().any(|c| "ñáéíóúü".contains(c)))
        .count();
    let en = words.iter().filter(|w| EN.contains(w)).count();
    (es + marks, en)
}

/// Guesses the language of a lyric or a word: the language with more evidence (Spanish letters
/// and function words against English function words); a single word without it is English
/// when the pronouncing dictionary knows it, Spanish otherwise; anything else undecided is
/// English.
pub fn detect_lang(text: &str) -> Lang {
    let (es, en) = evidence(text);
    if es != en {
        return if es > en { Lang::Es } else { Lang::En };
    }
    let lower = text.to_lowercase();
    let words = words_of(&lower);
    if words.len() == 1 {
        return if en::pron(words[0]).is_some_and(|p| !p.guessed) {
            Lang::En
        } else {
            Lang::Es
        };
    }
    Lang::En
}

/// The language one line is sung in, inside a lyric in `lyric`: the other language only when the
/// line itself says so (more evidence for it, as in [`detect_lang`]), so a Spanish verse can have
/// an English chorus and a line without clues follows the lyric.
pub fn line_lang(line: &str, lyric: Lang) -> Lang {
    match evidence(line) {
        (es, en) if es > en => Lang::Es,
        (es, en) if en > es => Lang::En,
        _ => lyric,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lyrics_and_words() {
        assert_eq!(detect_lang("Bailando en la noche contigo"), Lang::Es);
        assert_eq!(detect_lang("Dancing in the night with you"), Lang::En);
        assert_eq!(detect_lang("Mañana"), Lang::Es);
        assert_eq!(detect_lang("Verde que te quiero verde"), Lang::Es);
        assert_eq!(detect_lang("I walk alone tonight in the rain"), Lang::En);
        assert_eq!(detect_lang("corazón"), Lang::Es);
        assert_eq!(detect_lang("night"), Lang::En);
    }

    #[test]
    fn lines_follow_the_lyric_unless_they_say_otherwise() {
        assert_eq!(line_lang("I don't want to let you go", Lang::Es), Lang::En);
        assert_eq!(line_lang("Vuelve a mí, corazón", Lang::En), Lang::Es);
        assert_eq!(line_lang("no me dejes", Lang::Es), Lang::Es);
        assert_eq!(line_lang("no me dejes", Lang::En), Lang::En);
        assert_eq!(words_of("Don’t stop, ¿vale?"), ["Don’t", "stop", "vale"]);
    }
}
