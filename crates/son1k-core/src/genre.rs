//! Genres the Generator offers (the original's eight plus the ones our users ask for).

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{Lang, ValidationError};

/// A known genre. Free text is still accepted by the prompt builder; this list drives the
/// Generator's genre menu and lets Spanish and English spellings meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)] // each variant is its own name
pub enum Genre {
    Pop,
    Rock,
    Electronic,
    HipHop,
    Trap,
    Jazz,
    Classical,
    Latin,
    Country,
    Reggaeton,
    House,
    Techno,
    LoFi,
    Ambient,
    Cumbia,
    Bolero,
    Ballad,
    Funk,
    DrumAndBass,
    RnB,
    Metal,
    Folk,
    Blues,
    Reggae,
    Salsa,
    Bachata,
    Merengue,
    Dembow,
    Corridos,
}

/// (genre, id, English name, Spanish name, extra aliases)
const GENRES: [(Genre, &str, &str, &str, &[&str]); 29] = [
    (Genre::Pop, "pop", "pop", "pop", &[]),
    (Genre::Rock, "rock", "rock", "rock", &[]),
    (
        Genre::Electronic,
        "electronic",
        "electronic",
        "electrónica",
        &["electronica", "edm"],
    ),
    (
        Genre::HipHop,
        "hip-hop",
        "hip hop",
        "hip hop",
        &["hiphop", "rap"],
    ),
    (Genre::Trap, "trap", "trap", "trap", &[]),
    (Genre::Jazz, "jazz", "jazz", "jazz", &[]),
    (
        Genre::Classical,
        "classical",
        "classical",
        "clásica",
        &["clasica", "música clásica"],
    ),
    (
        Genre::Latin,
        "latin",
        "latin",
        "latina",
        &["latino", "música latina"],
    ),
    (Genre::Country, "country", "country", "country", &[]),
    (
        Genre::Reggaeton,
        "reggaeton",
        "reggaeton",
        "reguetón",
        &["regueton", "reggaetón"],
    ),
    (Genre::House, "house", "house", "house", &[]),
    (Genre::Techno, "techno", "techno", "techno", &["tecno"]),
    (Genre::LoFi, "lo-fi", "lo-fi", "lo-fi", &["lofi", "lo fi"]),
    (
        Genre::Ambient,
        "ambient",
        "ambient",
        "ambient",
        &["ambiental"],
    ),
    (Genre::Cumbia, "cumbia", "cumbia", "cumbia", &[]),
    (Genre::Bolero, "bolero", "bolero", "bolero", &[]),
    (Genre::Ballad, "ballad", "ballad", "balada", &[]),
    (Genre::Funk, "funk", "funk", "funk", &["funky"]),
    (
        Genre::DrumAndBass,
        "drum-and-bass",
        "drum & bass",
        "drum & bass",
        &["drum and bass", "dnb", "d&b"],
    ),
    (Genre::RnB, "rnb", "R&B", "R&B", &["r&b", "r and b"]),
    (Genre::Metal, "metal", "metal", "metal", &[]),
    (Genre::Folk, "folk", "folk", "folk", &[]),
    (Genre::Blues, "blues", "blues", "blues", &[]),
    (Genre::Reggae, "reggae", "reggae", "reggae", &[]),
    (
        Genre::Salsa,
        "salsa",
        "salsa",
        "salsa",
        &["son cubano", "timba"],
    ),
    (Genre::Bachata, "bachata", "bachata", "bachata", &[]),
    (Genre::Merengue, "merengue", "merengue", "merengue", &[]),
    (
        Genre::Dembow,
        "dembow",
        "dembow",
        "dembow",
        &["dembow dominicano"],
    ),
    (
        Genre::Corridos,
        "corridos",
        "corridos",
        "corridos",
        &[
            "corrido",
            "corridos tumbados",
            "corrido tumbado",
            "regional mexicano",
            "regional mexican",
            "norteño",
            "norteno",
        ],
    ),
];

impl Genre {
    /// Every known genre, in menu order.
    pub fn all() -> impl Iterator<Item = Genre> {
        GENRES.iter().map(|g| g.0)
    }

    fn row(
        self,
    ) -> &'static (
        Genre,
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
    ) {
        // GENRES lists every variant exactly once (checked by a test).
        GENRES.iter().find(|g| g.0 == self).unwrap_or(&GENRES[0])
    }

    /// Stable identifier, e.g. `hip-hop`.
    pub fn id(self) -> &'static str {
        self.row().1
    }

    /// The genre's name in `lang`.
    pub fn name(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.row().2,
            Lang::Es => self.row().3,
        }
    }
}

impl FromStr for Genre {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let want = s.trim().to_lowercase();
        GENRES
            .iter()
            .find(|(_, id, en, es, aliases)| {
                [*id, *en, *es]
                    .iter()
                    .chain(aliases.iter())
                    .any(|n| n.to_lowercase() == want)
            })
            .map(|g| g.0)
            .ok_or_else(|| {
                ValidationError::new(
                    "genre",
                    format!("{s:?}"),
                    "genre is not one of the known genres",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_one_row_and_parses_back() {
        let all: Vec<Genre> = Genre::all().collect();
        assert_eq!(all.len(), GENRES.len());
        for g in all {
            assert_eq!(GENRES.iter().filter(|r| r.0 == g).count(), 1);
            assert_eq!(g.id().parse::<Genre>().unwrap(), g);
            assert_eq!(g.name(Lang::Es).parse::<Genre>().unwrap(), g);
            assert_eq!(g.name(Lang::En).parse::<Genre>().unwrap(), g);
        }
        assert_eq!("Reguetón".parse::<Genre>().unwrap(), Genre::Reggaeton);
        assert_eq!("dnb".parse::<Genre>().unwrap(), Genre::DrumAndBass);
        assert!("polka-step".parse::<Genre>().is_err());
        assert_eq!("Norteño".parse::<Genre>().unwrap(), Genre::Corridos);
        assert_eq!(
            "regional mexicano".parse::<Genre>().unwrap(),
            Genre::Corridos
        );
        assert_eq!("dembow".parse::<Genre>().unwrap(), Genre::Dembow);
    }
}
