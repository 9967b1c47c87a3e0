//! The instruments a prompt names, in Spanish and English.

use super::*;

/// An instrument the prompt asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)] // each variant is its own name
pub enum Instrument {
    Piano,
    ElectricPiano,
    /// A guitar of no named kind (the style picks nylon, steel, clean or distorted).
    Guitar,
    AcousticGuitar,
    ElectricGuitar,
    DistortedGuitar,
    /// The lead guitar of bachata, bolero and trío music.
    Requinto,
    /// The twelve-string rhythm guitar of regional Mexican music.
    BajoSexto,
    Strings,
    Violin,
    Cello,
    Orchestra,
    Brass,
    Trumpet,
    Trombone,
    Tuba,
    Horn,
    Sax,
    Flute,
    Clarinet,
    Oboe,
    Synth,
    Organ,
    Bells,
    Marimba,
    Harp,
    Accordion,
    /// An 808 sub bass.
    Bass808,
    /// Bongó (percussion: played by the drum writer).
    Bongo,
    /// Congas (percussion).
    Congas,
    /// Timbales (percussion).
    Timbales,
}

impl Instrument {
    /// Whether this is hand percussion, which the drum part (GM channel 10) plays.
    pub fn is_percussion(self) -> bool {
        matches!(
            self,
            Instrument::Bongo | Instrument::Congas | Instrument::Timbales
        )
    }

    /// Lower-case English name, for messages and `song.json`.
    pub fn id(self) -> &'static str {
        match self {
            Instrument::Piano => "piano",
            Instrument::ElectricPiano => "electric piano",
            Instrument::Guitar => "guitar",
            Instrument::AcousticGuitar => "acoustic guitar",
            Instrument::ElectricGuitar => "electric guitar",
            Instrument::DistortedGuitar => "distorted guitar",
            Instrument::Requinto => "requinto",
            Instrument::BajoSexto => "bajo sexto",
            Instrument::Strings => "strings",
            Instrument::Violin => "violin",
            Instrument::Cello => "cello",
            Instrument::Orchestra => "orchestra",
            Instrument::Brass => "brass",
            Instrument::Trumpet => "trumpet",
            Instrument::Trombone => "trombone",
            Instrument::Tuba => "tuba",
            Instrument::Horn => "horn",
            Instrument::Sax => "sax",
            Instrument::Flute => "flute",
            Instrument::Clarinet => "clarinet",
            Instrument::Oboe => "oboe",
            Instrument::Synth => "synth",
            Instrument::Organ => "organ",
            Instrument::Bells => "bells",
            Instrument::Marimba => "marimba",
            Instrument::Harp => "harp",
            Instrument::Accordion => "accordion",
            Instrument::Bass808 => "808",
            Instrument::Bongo => "bongó",
            Instrument::Congas => "congas",
            Instrument::Timbales => "timbales",
        }
    }
}

/// The words (Spanish and English) for each instrument. A longer phrase is matched before the
/// shorter ones inside it, and consumes its words ("guitarra eléctrica" is an electric guitar,
/// not also a guitar; "piano eléctrico" is not also a piano).
pub(super) const INSTRUMENT_WORDS: &[(Instrument, &[&str])] = &[
    (Instrument::Piano, &["piano", "pianos", "pianito"]),
    (
        Instrument::ElectricPiano,
        &[
            "rhodes",
            "electric piano",
            "piano eléctrico",
            "piano electrico",
            "wurlitzer",
            "ep",
        ],
    ),
    (
        Instrument::Guitar,
        &["guitar", "guitars", "guitarra", "guitarras"],
    ),
    (
        Instrument::AcousticGuitar,
        &[
            "acoustic guitar",
            "acoustic guitars",
            "steel guitar",
            "nylon guitar",
            "classical guitar",
            "guitarra acústica",
            "guitarra acustica",
            "guitarras acústicas",
            "guitarras acusticas",
            "guitarra clásica",
            "guitarra clasica",
            "guitarra española",
        ],
    ),
    (
        Instrument::ElectricGuitar,
        &[
            "electric guitar",
            "electric guitars",
            "clean guitar",
            "guitarra eléctrica",
            "guitarra electrica",
            "guitarras eléctricas",
            "guitarras electricas",
        ],
    ),
    (
        Instrument::DistortedGuitar,
        &[
            "distorted guitar",
            "distorted guitars",
            "distortion guitar",
            "overdriven guitar",
            "guitarra distorsionada",
            "guitarras distorsionadas",
            "guitarra con distorsión",
            "guitarra con distorsion",
            "power chords",
        ],
    ),
    (Instrument::Requinto, &["requinto", "requintos"]),
    (
        Instrument::BajoSexto,
        &["bajo sexto", "bajosexto", "bajo quinto"],
    ),
    (
        Instrument::Strings,
        &["strings", "cuerdas", "string section"],
    ),
    (
        Instrument::Violin,
        &["violin", "violín", "violins", "violines", "viola", "fiddle"],
    ),
    (
        Instrument::Cello,
        &[
            "cello",
            "cellos",
            "chelo",
            "chelos",
            "violonchelo",
            "violoncello",
        ],
    ),
    (
        Instrument::Orchestra,
        &[
            "orchestra",
            "orquesta",
            "orchestral",
            "orquestal",
            "sinfónica",
            "symphonic",
        ],
    ),
    (
        Instrument::Brass,
        &["brass", "metales", "horns", "horn section"],
    ),
    (
        Instrument::Trumpet,
        &["trumpet", "trumpets", "trompeta", "trompetas"],
    ),
    (
        Instrument::Trombone,
        &["trombone", "trombones", "trombón", "trombon"],
    ),
    (
        Instrument::Tuba,
        &["tuba", "tubas", "sousaphone", "sousáfono"],
    ),
    (
        Instrument::Horn,
        &["french horn", "trompa", "corno", "corno francés"],
    ),
    (
        Instrument::Sax,
        &["sax", "saxophone", "saxo", "saxofón", "saxofon"],
    ),
    (Instrument::Flute, &["flute", "flauta", "flautas", "gaita"]),
    (Instrument::Clarinet, &["clarinet", "clarinete"]),
    (Instrument::Oboe, &["oboe", "oboes"]),
    (
        Instrument::Synth,
        &[
            "synth",
            "synths",
            "sintetizador",
            "sintetizadores",
            "synthesizer",
            "arp",
            "arpeggio",
        ],
    ),
    (Instrument::Organ, &["organ", "órgano", "organo", "hammond"]),
    (
        Instrument::Bells,
        &["bells", "campanas", "glockenspiel", "celesta", "music box"],
    ),
    (
        Instrument::Marimba,
        &["marimba", "marimbas", "vibraphone", "vibráfono"],
    ),
    (Instrument::Harp, &["harp", "arpa", "arpas"]),
    (
        Instrument::Accordion,
        &[
            "accordion",
            "acordeón",
            "acordeon",
            "acordeones",
            "acordión",
        ],
    ),
    (Instrument::Bass808, &["808", "808s", "bajo 808"]),
    (Instrument::Bongo, &["bongo", "bongos", "bongó", "bongós"]),
    (
        Instrument::Congas,
        &["conga", "congas", "tumbadora", "tumbadoras"],
    ),
    (Instrument::Timbales, &["timbal", "timbales"]),
];

/// Instruments named in the prompt, in a stable order. Longer phrases win over the words inside
/// them ("guitarra eléctrica" is an electric guitar only).
pub fn instruments_in(prompt: &str) -> Vec<Instrument> {
    let mut text = normalise(prompt);
    let mut phrases: Vec<(Instrument, &str)> = INSTRUMENT_WORDS
        .iter()
        .flat_map(|(i, words)| words.iter().map(move |w| (*i, *w)))
        .collect();
    // Most words first (then longest), so a phrase consumes its words before they match alone.
    phrases.sort_by_key(|(_, w)| {
        (
            std::cmp::Reverse(w.split(' ').count()),
            std::cmp::Reverse(w.len()),
        )
    });
    let mut found: Vec<Instrument> = Vec::new();
    for (i, w) in phrases {
        let needle = format!(" {w} ");
        if text.contains(&needle) {
            text = text.replace(&needle, " | ");
            if !found.contains(&i) {
                found.push(i);
            }
        }
    }
    INSTRUMENT_WORDS
        .iter()
        .map(|(i, _)| *i)
        .filter(|i| found.contains(i))
        .collect()
}
