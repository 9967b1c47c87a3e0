//! Prompt understanding: from a free-text prompt (Spanish or English) and the request's explicit
//! fields to a resolved [`Brief`] — style, tempo, key, length, instruments and mood.
//!
//! Explicit request fields always win over what the prompt says; what neither gives comes from the
//! style's defaults and the seed, and the brief records where each value came from.

use serde::{Deserialize, Serialize};

use son1k_core::{GenerationRequest, Genre, Key, Mode, PitchClass};

use crate::rng::Rng;
use crate::style::Style;

mod instruments;
pub use instruments::{instruments_in, Instrument};

/// Where a resolved value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// An explicit field of the request (a flag on the command line, a field in the UI).
    Request,
    /// Found in the prompt text.
    Prompt,
    /// Chosen by the engine (style default or the seed).
    Engine,
}

/// Mood words, mapped to an Expressivity-like value (0 sad … 100 ecstatic).
const MOOD_WORDS: [(&str, u8); 40] = [
    ("sad", 15),
    ("triste", 15),
    ("melancholic", 22),
    ("melancholy", 22),
    ("melancólica", 22),
    ("melancólico", 22),
    ("melancolica", 22),
    ("melancolico", 22),
    ("dark", 28),
    ("oscura", 28),
    ("oscuro", 28),
    ("sombre", 30),
    ("sombría", 30),
    ("sombrio", 30),
    ("calm", 40),
    ("tranquila", 40),
    ("tranquilo", 40),
    ("chill", 40),
    ("relaxed", 40),
    ("relajada", 40),
    ("relajado", 40),
    ("hopeful", 60),
    ("esperanzadora", 60),
    ("happy", 72),
    ("feliz", 72),
    ("alegre", 72),
    ("joyful", 72),
    ("uplifting", 75),
    ("energetic", 82),
    ("enérgica", 82),
    ("energica", 82),
    ("enérgico", 82),
    ("euphoric", 90),
    ("eufórica", 90),
    ("euforica", 90),
    ("aggressive", 88),
    ("agresiva", 88),
    ("agresivo", 88),
    ("explosive", 98),
    ("explosiva", 98),
];

/// Genre words beyond [`Genre`]'s own names (multi-word and common spellings).
const GENRE_WORDS: [(&str, Genre); 15] = [
    ("deep house", Genre::House),
    ("tech house", Genre::House),
    ("drum and bass", Genre::DrumAndBass),
    ("drum & bass", Genre::DrumAndBass),
    ("drum n bass", Genre::DrumAndBass),
    ("d&b", Genre::DrumAndBass),
    ("lo fi", Genre::LoFi),
    ("lo-fi", Genre::LoFi),
    ("hip hop", Genre::HipHop),
    ("r&b", Genre::RnB),
    ("reguetón", Genre::Reggaeton),
    ("música clásica", Genre::Classical),
    ("regional mexicano", Genre::Corridos),
    ("corridos tumbados", Genre::Corridos),
    ("son cubano", Genre::Salsa),
];

/// The resolved description of the song to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    /// The genre, when one was named.
    pub genre: Option<Genre>,
    /// The style family that drives the arrangement.
    pub style: Style,
    /// Where the genre came from.
    pub genre_source: Source,
    /// Tempo in BPM.
    pub bpm: u32,
    /// Where the tempo came from.
    pub bpm_source: Source,
    /// Key.
    pub key: Key,
    /// Where the key came from.
    pub key_source: Source,
    /// Length in seconds.
    pub seconds: f32,
    /// Where the length came from.
    pub seconds_source: Source,
    /// Mood on the Expressivity scale (0 sad … 100 ecstatic): the knob, nudged by mood words.
    pub mood: u8,
    /// Instruments the prompt named.
    pub instruments: Vec<Instrument>,
}

/// Default length when neither the request nor the prompt gives one.
pub const DEFAULT_SECONDS: f32 = 120.0;

/// Lower-case words of `text` with punctuation (other than `#`, `&`, `-`) turned to spaces.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, '#' | '&' | '-' | '♯' | '♭' | '.' | ':') {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out.push(' ');
    // Collapse runs of spaces so phrase matching sees single separators.
    let mut collapsed = String::with_capacity(out.len());
    let mut prev_space = false;
    for c in out.chars() {
        if c == ' ' {
            if !prev_space {
                collapsed.push(c);
            }
            prev_space = true;
        } else {
            collapsed.push(c);
            prev_space = false;
        }
    }
    collapsed
}

fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.contains(&format!(" {phrase} "))
}

/// The genre a prompt names: the earliest mention wins ("trap with a house feel" is trap).
pub fn genre_in(prompt: &str) -> Option<Genre> {
    let text = normalise(prompt);
    let mut best: Option<(usize, usize, Genre)> = None; // (position, -len, genre)
    let mut consider = |phrase: &str, g: Genre| {
        let needle = format!(" {} ", phrase.to_lowercase());
        if let Some(pos) = text.find(&needle) {
            let better = match best {
                None => true,
                Some((p, len, _)) => pos < p || (pos == p && needle.len() > len),
            };
            if better {
                best = Some((pos, needle.len(), g));
            }
        }
    };
    for (phrase, g) in GENRE_WORDS {
        consider(phrase, g);
    }
    for g in Genre::all() {
        consider(g.id(), g);
        consider(g.name(son1k_core::Lang::En), g);
        consider(g.name(son1k_core::Lang::Es), g);
    }
    // Aliases such as "rap", "edm", "dnb" go through the core parser word by word.
    for (i, w) in text.split(' ').enumerate().filter(|(_, w)| !w.is_empty()) {
        if let Ok(g) = w.parse::<Genre>() {
            let pos = text.split(' ').take(i).map(|s| s.len() + 1).sum::<usize>();
            if best.is_none_or(|(p, _, _)| pos < p) {
                best = Some((pos, w.len() + 2, g));
            }
        }
    }
    best.map(|b| b.2)
}

/// A tempo written in the prompt: "124 bpm", "124bpm", "a 90 bpm", "tempo 128", "128 pulsaciones".
pub fn bpm_in(prompt: &str) -> Option<u32> {
    let text = normalise(prompt);
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(num) = w.strip_suffix("bpm") {
            if let Ok(n) = num.parse::<u32>() {
                return Some(n);
            }
            if num.is_empty() && i > 0 {
                if let Ok(n) = words[i - 1].parse::<u32>() {
                    return Some(n);
                }
            }
        }
        if matches!(*w, "pulsaciones" | "ppm") && i > 0 {
            if let Ok(n) = words[i - 1].parse::<u32>() {
                return Some(n);
            }
        }
        if *w == "tempo" {
            if let Some(n) = words.get(i + 1).and_then(|n| n.parse::<u32>().ok()) {
                return Some(n);
            }
        }
    }
    None
}

/// A key written in the prompt: "in F# minor", "en la menor", "key of Bb", "tonalidad sol mayor",
/// or a bare "F# minor". Tries the longest phrases first so "F# minor" is not read as "F#".
pub fn key_in(prompt: &str) -> Option<Key> {
    let text = normalise(prompt);
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    const INTRO: [&str; 7] = ["in", "en", "of", "de", "key", "tonalidad", "tono"];
    const MODE_WORDS: [&str; 8] = [
        "minor", "major", "menor", "mayor", "min", "maj", "moll", "dur",
    ];
    // A candidate must end in a mode word, or follow a key-introducing word, or look like "C#m".
    for len in (1..=4).rev() {
        for start in 0..words.len().saturating_sub(len - 1) {
            let phrase = words[start..start + len].join(" ");
            let last = words[start + len - 1];
            let introduced = start > 0 && INTRO.contains(&words[start - 1]);
            let has_mode = MODE_WORDS.contains(&last);
            let compact = len == 1 && last.len() <= 3 && last.ends_with('m') && last.len() >= 2;
            if !(has_mode || introduced || compact) {
                continue;
            }
            // "in house" or "de la" must not read as keys: single words only count when they are
            // plainly note names.
            if len == 1 && !has_mode && !looks_like_note(last) {
                continue;
            }
            if let Ok(k) = phrase.parse::<Key>() {
                return Some(k);
            }
        }
    }
    None
}

fn looks_like_note(w: &str) -> bool {
    let w = w.trim_end_matches('m');
    let mut chars = w.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest: String = chars.collect();
    matches!(first, 'a'..='g') && matches!(rest.as_str(), "" | "#" | "b" | "♯" | "♭")
        || matches!(w, "do" | "re" | "mi" | "fa" | "sol" | "si")
}

/// A length in the prompt: "30 seconds", "90 s", "2 minutes", "3 min", "1:30", "2 minutos".
pub fn seconds_in(prompt: &str) -> Option<f32> {
    let text = normalise(prompt);
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        if let Some((m, s)) = w.split_once(':') {
            if let (Ok(m), Ok(s)) = (m.parse::<u32>(), s.parse::<u32>()) {
                if s < 60 && m < 60 {
                    return Some((m * 60 + s) as f32);
                }
            }
        }
        let unit_of = |u: &str| -> Option<f32> {
            match u {
                "s" | "sec" | "secs" | "second" | "seconds" | "seg" | "segs" | "segundo"
                | "segundos" => Some(1.0),
                "min" | "mins" | "minute" | "minutes" | "minuto" | "minutos" => Some(60.0),
                _ => None,
            }
        };
        // "30s", "2min"
        let digits: String = w
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if !digits.is_empty() && digits.len() < w.len() {
            if let (Ok(n), Some(u)) = (digits.parse::<f32>(), unit_of(&w[digits.len()..])) {
                return Some(n * u);
            }
        }
        if let Ok(n) = w.parse::<f32>() {
            if let Some(u) = words.get(i + 1).and_then(|u| unit_of(u)) {
                return Some(n * u);
            }
        }
    }
    None
}

/// The mood value of the prompt's mood words (their mean), if any.
pub fn mood_in(text: &str) -> Option<u8> {
    let text = normalise(text);
    let hits: Vec<u32> = MOOD_WORDS
        .iter()
        .filter(|(w, _)| contains_phrase(&text, w))
        .map(|(_, v)| *v as u32)
        .collect();
    if hits.is_empty() {
        None
    } else {
        Some((hits.iter().sum::<u32>() / hits.len() as u32) as u8)
    }
}

/// Resolves a validated request into a brief. Deterministic for the request (including its seed).
pub fn resolve(req: &GenerationRequest) -> Brief {
    let mut rng = Rng::stream(req.seed, "brief");
    let (genre, genre_source) = match req.genre.as_deref().and_then(|g| g.parse::<Genre>().ok()) {
        Some(g) => (Some(g), Source::Request),
        None => match genre_in(&req.prompt) {
            Some(g) => (Some(g), Source::Prompt),
            None => (None, Source::Engine),
        },
    };
    let style = Style::for_genre(genre);
    let (bpm, bpm_source) = match (req.bpm, bpm_in(&req.prompt)) {
        (Some(b), _) => (b, Source::Request),
        (None, Some(b)) if (40..=240).contains(&b) => (b, Source::Prompt),
        _ => {
            let (lo, hi) = style.params().bpm_range;
            (lo + rng.below(hi - lo + 1), Source::Engine)
        }
    };
    // Mood: the Expressivity knob, pulled halfway toward mood words in the prompt or mood field.
    let words = format!("{} {}", req.prompt, req.mood.as_deref().unwrap_or(""));
    let knob = req.knobs.expressivity.get();
    let mood = match mood_in(&words) {
        Some(m) if knob == 50 => m,
        Some(m) => ((knob as u32 + m as u32) / 2) as u8,
        None => knob,
    };
    let (key, key_source) = match (req.key, key_in(&req.prompt)) {
        (Some(k), _) => (k, Source::Request),
        (None, Some(k)) => (k, Source::Prompt),
        _ => {
            let mode = if mood >= 58 {
                Mode::Major
            } else if mood <= 42 {
                Mode::Minor
            } else {
                style.params().default_mode
            };
            let tonic = PitchClass::new(rng.below(12) as i32);
            (Key::new(tonic, mode), Source::Engine)
        }
    };
    let (seconds, seconds_source) = match (req.duration_secs, seconds_in(&req.prompt)) {
        (Some(s), _) => (s, Source::Request),
        (None, Some(s)) if (5.0..=600.0).contains(&s) => (s, Source::Prompt),
        _ => (DEFAULT_SECONDS, Source::Engine),
    };
    Brief {
        genre,
        style,
        genre_source,
        bpm,
        bpm_source,
        key,
        key_source,
        seconds,
        seconds_source,
        mood,
        instruments: instruments_in(&req.prompt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    #[test]
    fn reads_genre_tempo_key_and_length_in_english() {
        let p = "deep house 124 bpm in F# minor, 20 seconds, with rhodes and strings";
        assert_eq!(genre_in(p), Some(Genre::House));
        assert_eq!(bpm_in(p), Some(124));
        assert_eq!(key_in(p), Some(key("F# minor")));
        assert_eq!(seconds_in(p), Some(20.0));
        assert_eq!(
            instruments_in(p),
            vec![Instrument::ElectricPiano, Instrument::Strings]
        );
    }

    #[test]
    fn reads_spanish_prompts() {
        let p = "una cumbia triste en la menor a 96 bpm de 2 minutos con guitarra";
        assert_eq!(genre_in(p), Some(Genre::Cumbia));
        assert_eq!(bpm_in(p), Some(96));
        assert_eq!(key_in(p), Some(key("A minor")));
        assert_eq!(seconds_in(p), Some(120.0));
        assert_eq!(instruments_in(p), vec![Instrument::Guitar]);
        assert_eq!(mood_in(p), Some(15));
        assert_eq!(key_in("bolero en sol mayor"), Some(key("G major")));
        assert_eq!(genre_in("reguetón lento"), Some(Genre::Reggaeton));
        assert_eq!(
            genre_in("a funky groove with clavinet and slap bass"),
            Some(Genre::Funk)
        );
        assert_eq!(genre_in("un corrido tumbado"), Some(Genre::Corridos));
        assert_eq!(
            genre_in("regional mexicano con acordeón"),
            Some(Genre::Corridos)
        );
        assert_eq!(genre_in("una bachata triste"), Some(Genre::Bachata));
    }

    #[test]
    fn reads_instrument_words_in_both_languages() {
        use Instrument as I;
        assert_eq!(
            instruments_in("cumbia con acordeón y guitarra eléctrica"),
            vec![I::ElectricGuitar, I::Accordion]
        );
        assert_eq!(
            instruments_in("metal con guitarras distorsionadas, bajo sexto y requinto"),
            vec![I::DistortedGuitar, I::Requinto, I::BajoSexto]
        );
        assert_eq!(
            instruments_in("trompeta, trombón, saxo, violín, chelo, cuerdas, orquesta, flauta"),
            vec![
                I::Strings,
                I::Violin,
                I::Cello,
                I::Orchestra,
                I::Trumpet,
                I::Trombone,
                I::Sax,
                I::Flute
            ]
        );
        assert_eq!(
            instruments_in("piano, órgano, sintetizador, 808, marimba, arpa, tuba"),
            vec![
                I::Piano,
                I::Tuba,
                I::Synth,
                I::Organ,
                I::Marimba,
                I::Harp,
                I::Bass808
            ]
        );
        assert_eq!(
            instruments_in("salsa with bongos, congas and timbales and a piano eléctrico"),
            vec![I::ElectricPiano, I::Bongo, I::Congas, I::Timbales]
        );
        assert_eq!(instruments_in("acoustic guitar"), vec![I::AcousticGuitar]);
        assert!(instruments_in("a song about the night").is_empty());
    }

    #[test]
    fn does_not_invent_keys_or_tempi() {
        assert_eq!(key_in("a house track in the style of the nineties"), None);
        assert_eq!(key_in("de la noche"), None);
        assert_eq!(bpm_in("a song about 1999"), None);
        assert_eq!(seconds_in("a song about 1999"), None);
        assert_eq!(genre_in("something nice"), None);
    }

    #[test]
    fn compact_and_spelled_out_forms() {
        assert_eq!(key_in("trap beat C#m 140bpm"), Some(key("C# minor")));
        assert_eq!(bpm_in("trap beat C#m 140bpm"), Some(140));
        assert_eq!(seconds_in("lofi 1:30 loop"), Some(90.0));
        assert_eq!(seconds_in("ambient 45s"), Some(45.0));
        assert_eq!(genre_in("drum & bass roller"), Some(Genre::DrumAndBass));
        assert_eq!(genre_in("chill lo-fi hip hop"), Some(Genre::LoFi));
        assert_eq!(key_in("key of Bb major please"), Some(key("Bb major")));
    }

    #[test]
    fn explicit_fields_override_the_prompt() {
        let mut req = GenerationRequest::new("techno 130 bpm in A minor, 30 seconds");
        req.bpm = Some(100);
        req.key = Some(key("C major"));
        req.genre = Some("funk".into());
        req.duration_secs = Some(12.0);
        let b = resolve(&req);
        assert_eq!((b.bpm, b.bpm_source), (100, Source::Request));
        assert_eq!((b.key, b.key_source), (key("C major"), Source::Request));
        assert_eq!(b.genre, Some(Genre::Funk));
        assert_eq!((b.seconds, b.seconds_source), (12.0, Source::Request));
        let plain = resolve(&GenerationRequest::new(
            "techno 130 bpm in A minor, 30 seconds",
        ));
        assert_eq!((plain.bpm, plain.bpm_source), (130, Source::Prompt));
        assert_eq!(plain.key, key("A minor"));
        assert_eq!(plain.seconds, 30.0);
    }

    #[test]
    fn engine_choices_follow_the_seed_and_the_style() {
        let mut a = GenerationRequest::new("a reggaeton song");
        a.seed = 1;
        let b1 = resolve(&a);
        assert_eq!(b1, resolve(&a));
        let (lo, hi) = b1.style.params().bpm_range;
        assert!((lo..=hi).contains(&b1.bpm));
        assert_eq!(b1.bpm_source, Source::Engine);
        let keys: std::collections::BTreeSet<u8> = (0..20)
            .map(|s| {
                a.seed = s;
                resolve(&a).key.tonic.semitone()
            })
            .collect();
        assert!(keys.len() > 4, "seeds should pick varied tonics: {keys:?}");
    }
}
