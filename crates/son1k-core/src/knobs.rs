//! The four Ghost Studio knobs, their range descriptions (es/en) and the named presets.
//!
//! The meanings are the original studio's: Expressivity is the emotional axis (0 deeply sad → 50
//! balanced → 100 ecstatic), Trash is mix saturation and aggression, Garage is production character
//! (pristine → lo-fi → noise) and Rareza is how far the result departs from the original arrangement.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{error::check_range, Lang, ValidationError};

/// One of the four knobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Knob {
    /// The emotional axis: darker and softer below 50, brighter and driven above.
    Expressivity,
    /// Departure from the original arrangement.
    Rareza,
    /// Production character: pristine, warm, tape, lo-fi, noise.
    Garage,
    /// Mix saturation and aggression.
    Trash,
}

impl Knob {
    /// The four knobs in the order the studio shows them.
    pub const ALL: [Knob; 4] = [Knob::Expressivity, Knob::Rareza, Knob::Garage, Knob::Trash];

    /// Lower-case identifier, as used on the command line and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Knob::Expressivity => "expressivity",
            Knob::Rareza => "rareza",
            Knob::Garage => "garage",
            Knob::Trash => "trash",
        }
    }

    /// The knob's label in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Knob::Expressivity, Lang::En) => "Expressivity",
            (Knob::Expressivity, Lang::Es) => "Expresividad",
            (Knob::Rareza, Lang::En) => "Rareza (strangeness)",
            (Knob::Rareza, Lang::Es) => "Rareza",
            (Knob::Garage, _) => "Garage",
            (Knob::Trash, _) => "Trash",
        }
    }

    /// The description of the range `value` falls in, as shown under the knob.
    pub fn description(self, value: KnobValue, lang: Lang) -> &'static str {
        let band = self.band(value);
        let (en, es) = match self {
            Knob::Expressivity => EXPRESSIVITY[band],
            Knob::Rareza => RAREZA[band],
            Knob::Garage => GARAGE[band],
            Knob::Trash => TRASH[band],
        };
        match lang {
            Lang::En => en,
            Lang::Es => es,
        }
    }

    /// The phrase the prompt builder uses for `value` (mood words for Expressivity).
    pub fn prompt_phrase(self, value: KnobValue, lang: Lang) -> &'static str {
        let band = self.band(value);
        let (en, es) = match self {
            Knob::Expressivity => EXPRESSIVITY_MOOD[band],
            Knob::Rareza => RAREZA_PHRASE[band],
            Knob::Garage => GARAGE_PHRASE[band],
            Knob::Trash => TRASH_PHRASE[band],
        };
        match lang {
            Lang::En => en,
            Lang::Es => es,
        }
    }

    /// Index of the range `value` falls in: ten emotional anchors for Expressivity, five equal
    /// ranges (0–20, 21–40, 41–60, 61–80, 81–100) for the other knobs.
    pub fn band(self, value: KnobValue) -> usize {
        let v = usize::from(value.get());
        match self {
            // Anchors 0, 20, 30, …, 100 as in the original studio; values go to the nearest one.
            Knob::Expressivity => match v {
                0..=9 => 0,
                10..=24 => 1,
                25..=34 => 2,
                35..=44 => 3,
                45..=54 => 4,
                55..=64 => 5,
                65..=74 => 6,
                75..=84 => 7,
                85..=94 => 8,
                _ => 9,
            },
            _ => match v {
                0..=20 => 0,
                21..=40 => 1,
                41..=60 => 2,
                61..=80 => 3,
                _ => 4,
            },
        }
    }
}

impl FromStr for Knob {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "expressivity" | "expresividad" => Ok(Knob::Expressivity),
            "rareza" | "strangeness" => Ok(Knob::Rareza),
            "garage" => Ok(Knob::Garage),
            "trash" => Ok(Knob::Trash),
            _ => Err(ValidationError::new(
                "knob",
                format!("{s:?}"),
                "knob must be expressivity, rareza, garage or trash",
            )),
        }
    }
}

type Texts = (&'static str, &'static str);

const EXPRESSIVITY: [Texts; 10] = [
    (
        "Deeply sad: dark, soft and slow-moving",
        "Profundamente triste: oscuro, suave y pausado",
    ),
    (
        "Melancholic: minor colours, gentle dynamics",
        "Melancólico: colores menores, dinámica suave",
    ),
    ("Sombre: restrained and dark", "Sombrío: contenido y oscuro"),
    ("Calm: relaxed and warm", "Tranquilo: relajado y cálido"),
    (
        "Balanced: neutral, the sound as it is",
        "Equilibrado: neutro, el sonido tal cual",
    ),
    (
        "Hopeful: opening up and brightening",
        "Esperanzador: se abre y se ilumina",
    ),
    (
        "Joyful: bright harmony, lively rhythm",
        "Alegre: armonía brillante, ritmo vivo",
    ),
    (
        "Energetic: driving rhythm, punchy transients",
        "Enérgico: ritmo empujado, transitorios marcados",
    ),
    (
        "Euphoric: bright, dense and driven",
        "Eufórico: brillante, denso y empujado",
    ),
    (
        "Explosive: ecstatic, maximum drive",
        "Explosivo: extático, máximo empuje",
    ),
];

const EXPRESSIVITY_MOOD: [Texts; 10] = [
    ("deeply sad", "profundamente triste"),
    ("melancholic", "melancólica"),
    ("sombre", "sombría"),
    ("calm", "tranquila"),
    ("balanced", "equilibrada"),
    ("hopeful", "esperanzadora"),
    ("joyful", "alegre"),
    ("energetic", "enérgica"),
    ("euphoric", "eufórica"),
    ("explosive, ecstatic", "explosiva y extática"),
];

const TRASH: [Texts; 5] = [
    ("Clean and polished", "Limpio y pulido"),
    ("Slightly aggressive", "Ligeramente agresivo"),
    ("Moderate distortion", "Distorsión moderada"),
    ("Aggressive and saturated", "Agresivo y saturado"),
    (
        "Extreme saturation: bitcrush and noise",
        "Saturación extrema: bitcrush y ruido",
    ),
];

const TRASH_PHRASE: [Texts; 5] = [
    ("clean, polished mix", "mezcla limpia y pulida"),
    ("slightly aggressive mix", "mezcla ligeramente agresiva"),
    ("moderately distorted mix", "mezcla con distorsión moderada"),
    ("aggressive, saturated mix", "mezcla agresiva y saturada"),
    (
        "extremely saturated mix with bitcrushed noise",
        "mezcla extremadamente saturada con ruido bitcrush",
    ),
];

const GARAGE: [Texts; 5] = [
    ("Pristine digital", "Digital impecable"),
    ("Analog warmth", "Calidez analógica"),
    ("Vintage tape saturation", "Saturación de cinta vintage"),
    (
        "Heavy lo-fi: band limits, wow and hiss",
        "Lo-fi intenso: banda limitada, wow y siseo",
    ),
    (
        "Extreme distortion and noise",
        "Distorsión y ruido extremos",
    ),
];

const GARAGE_PHRASE: [Texts; 5] = [
    (
        "pristine digital production",
        "producción digital impecable",
    ),
    ("warm analog production", "producción analógica cálida"),
    ("vintage tape saturation", "saturación de cinta vintage"),
    (
        "heavy lo-fi sound with tape wow, hiss and a small room",
        "sonido lo-fi intenso con wow de cinta, siseo y sala pequeña",
    ),
    (
        "extreme distortion and noise",
        "distorsión y ruido extremos",
    ),
];

const RAREZA: [Texts; 5] = [
    (
        "Traditional, close to the source",
        "Tradicional, fiel al original",
    ),
    (
        "Subtle creative variations",
        "Variaciones creativas sutiles",
    ),
    ("Moderate experimentation", "Experimentación moderada"),
    ("Highly experimental", "Altamente experimental"),
    ("Radical transformation", "Transformación radical"),
];

const RAREZA_PHRASE: [Texts; 5] = [
    ("traditional arrangement", "arreglo tradicional"),
    (
        "arrangement with subtle creative variations",
        "arreglo con variaciones creativas sutiles",
    ),
    (
        "moderately experimental arrangement",
        "arreglo moderadamente experimental",
    ),
    (
        "highly experimental arrangement with unusual harmony",
        "arreglo altamente experimental con armonía inusual",
    ),
    (
        "radically transformed, avant-garde arrangement",
        "arreglo radicalmente transformado y vanguardista",
    ),
];

/// One knob's value, 0–100. It is checked when it is made (by [`KnobValue::new`], or when JSON is
/// read: a number above 100 is refused there), so holding one means it is in range and nothing
/// downstream checks or clamps it again. In JSON and TypeScript it is a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u8")]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(transparent))]
pub struct KnobValue(u8);

impl KnobValue {
    /// 0.
    pub const MIN: KnobValue = KnobValue(0);
    /// 50, the Expressivity knob's neutral point.
    pub const MID: KnobValue = KnobValue(50);
    /// 100.
    pub const MAX: KnobValue = KnobValue(100);

    /// The value `v`, refused outside 0–100.
    pub fn new(v: u32) -> Result<KnobValue, ValidationError> {
        check_range("knob", "a knob", v, 0, 100).map(|v| KnobValue(v as u8))
    }

    /// The nearest knob value to `v` (below 0 → 0, above 100 → 100): for values the code computes
    /// itself, such as a mood pulled toward the prompt's words.
    pub fn saturating(v: i32) -> KnobValue {
        KnobValue(v.clamp(0, 100) as u8)
    }

    /// The value, 0–100.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The value as a fraction, 0.0–1.0.
    pub fn fraction(self) -> f32 {
        f32::from(self.0) / 100.0
    }
}

impl TryFrom<u32> for KnobValue {
    type Error = ValidationError;

    fn try_from(v: u32) -> Result<Self, Self::Error> {
        KnobValue::new(v)
    }
}

impl From<KnobValue> for u8 {
    fn from(v: KnobValue) -> u8 {
        v.0
    }
}

impl std::fmt::Display for KnobValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The values of the four knobs, each 0–100 (a [`KnobValue`] cannot hold anything else). Read
/// from JSON through [`Knobs::new`], so a value out of range is refused with the knob's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Knobs {
    /// Expressivity (50 is neutral).
    pub expressivity: KnobValue,
    /// Rareza.
    pub rareza: KnobValue,
    /// Garage.
    pub garage: KnobValue,
    /// Trash.
    pub trash: KnobValue,
}

impl<'de> Deserialize<'de> for Knobs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The four numbers as written, checked by [`Knobs::new`].
        #[derive(Deserialize)]
        struct Written {
            expressivity: u32,
            rareza: u32,
            garage: u32,
            trash: u32,
        }
        let w = Written::deserialize(d)?;
        Knobs::new(w.expressivity, w.rareza, w.garage, w.trash).map_err(serde::de::Error::custom)
    }
}

impl Default for Knobs {
    /// The transparent setting: Expressivity 50, everything else 0.
    fn default() -> Self {
        Knobs {
            expressivity: KnobValue::MID,
            rareza: KnobValue::MIN,
            garage: KnobValue::MIN,
            trash: KnobValue::MIN,
        }
    }
}

impl Knobs {
    /// Builds knobs after checking that each value is 0–100.
    pub fn new(
        expressivity: u32,
        rareza: u32,
        garage: u32,
        trash: u32,
    ) -> Result<Self, ValidationError> {
        let mut k = Knobs::default();
        k.set(Knob::Expressivity, expressivity)?;
        k.set(Knob::Rareza, rareza)?;
        k.set(Knob::Garage, garage)?;
        k.set(Knob::Trash, trash)?;
        Ok(k)
    }

    /// The value of `knob`.
    pub fn get(&self, knob: Knob) -> KnobValue {
        match knob {
            Knob::Expressivity => self.expressivity,
            Knob::Rareza => self.rareza,
            Knob::Garage => self.garage,
            Knob::Trash => self.trash,
        }
    }

    /// Sets `knob` to `value`, refusing anything outside 0–100 (the error names the knob).
    pub fn set(&mut self, knob: Knob, value: u32) -> Result<(), ValidationError> {
        let v = KnobValue(check_range(knob.id(), knob.label(Lang::En), value, 0, 100)? as u8);
        match knob {
            Knob::Expressivity => self.expressivity = v,
            Knob::Rareza => self.rareza = v,
            Knob::Garage => self.garage = v,
            Knob::Trash => self.trash = v,
        }
        Ok(())
    }

    /// Whether these values leave the processing chain transparent (E50, T0, G0, R0).
    pub fn is_transparent(&self) -> bool {
        *self == Knobs::default()
    }
}

/// A named preset carried over from the original studio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Preset {
    /// Sad: E20 T10 G10 R20.
    Triste,
    /// Neutral: E50 T30 G30 R50.
    Neutral,
    /// Happy: E80 T40 G50 R60.
    Alegre,
    /// Aggressive: E90 T80 G70 R80.
    Agresivo,
}

impl Preset {
    /// All built-in presets.
    pub const ALL: [Preset; 4] = [
        Preset::Triste,
        Preset::Neutral,
        Preset::Alegre,
        Preset::Agresivo,
    ];

    /// The preset's knob values.
    pub fn knobs(self) -> Knobs {
        let (expressivity, trash, garage, rareza) = match self {
            Preset::Triste => (20, 10, 10, 20),
            Preset::Neutral => (50, 30, 30, 50),
            Preset::Alegre => (80, 40, 50, 60),
            Preset::Agresivo => (90, 80, 70, 80),
        };
        Knobs {
            expressivity: KnobValue(expressivity),
            rareza: KnobValue(rareza),
            garage: KnobValue(garage),
            trash: KnobValue(trash),
        }
    }

    /// The preset's name (the original's Spanish names are kept in both languages).
    pub fn name(self) -> &'static str {
        match self {
            Preset::Triste => "Triste",
            Preset::Neutral => "Neutral",
            Preset::Alegre => "Alegre",
            Preset::Agresivo => "Agresivo",
        }
    }
}

impl FromStr for Preset {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "triste" | "sad" => Ok(Preset::Triste),
            "neutral" => Ok(Preset::Neutral),
            "alegre" | "happy" => Ok(Preset::Alegre),
            "agresivo" | "aggressive" => Ok(Preset::Agresivo),
            _ => Err(ValidationError::new(
                "preset",
                format!("{s:?}"),
                "preset must be Triste, Neutral, Alegre or Agresivo",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: u32) -> KnobValue {
        KnobValue::new(n).expect("0–100")
    }

    #[test]
    fn presets_carry_the_original_values() {
        let k = Preset::Agresivo.knobs();
        assert_eq!(
            (k.expressivity, k.trash, k.garage, k.rareza),
            (v(90), v(80), v(70), v(80))
        );
        let k = Preset::Triste.knobs();
        assert_eq!(
            (k.expressivity, k.trash, k.garage, k.rareza),
            (v(20), v(10), v(10), v(20))
        );
        assert_eq!("sad".parse::<Preset>().unwrap(), Preset::Triste);
        assert!(Knobs::default().is_transparent());
        assert!(!Preset::Neutral.knobs().is_transparent());
    }

    #[test]
    fn out_of_range_names_knob_and_range() {
        let err = Knobs::new(50, 101, 0, 0).unwrap_err();
        assert_eq!(err.field, "rareza");
        assert_eq!(err.value, "101");
        assert!(err.rule.contains("0–100"), "{err}");
        let mut k = Knobs::default();
        assert!(k.set(Knob::Trash, 100).is_ok());
        assert_eq!(k.get(Knob::Trash), KnobValue::MAX);
    }

    #[test]
    fn descriptions_follow_the_emotional_axis() {
        let d = |n| Knob::Expressivity.description(v(n), Lang::En);
        assert!(d(0).starts_with("Deeply sad"));
        assert!(d(20).starts_with("Melancholic"));
        assert!(d(30).starts_with("Sombre"));
        assert!(d(50).starts_with("Balanced"));
        assert!(d(70).starts_with("Joyful"));
        assert!(d(100).starts_with("Explosive"));
        assert!(Knob::Expressivity
            .description(v(20), Lang::Es)
            .starts_with("Melancólico"));
        assert!(Knob::Garage.description(v(70), Lang::En).contains("lo-fi"));
        assert!(Knob::Trash
            .description(v(95), Lang::Es)
            .contains("bitcrush"));
        assert!(Knob::Rareza
            .description(v(0), Lang::En)
            .starts_with("Traditional"));
        // Every band boundary of the five-range knobs moves to the next description.
        for knob in [Knob::Rareza, Knob::Garage, Knob::Trash] {
            assert_ne!(
                knob.description(v(20), Lang::En),
                knob.description(v(21), Lang::En)
            );
            assert_ne!(
                knob.description(v(80), Lang::En),
                knob.description(v(81), Lang::En)
            );
        }
    }

    #[test]
    fn a_knob_value_outside_0_to_100_cannot_be_made_or_read() {
        assert!(KnobValue::new(101).is_err());
        assert_eq!(KnobValue::new(100).map(KnobValue::get), Ok(100));
        assert_eq!(KnobValue::saturating(-5), KnobValue::MIN);
        assert_eq!(KnobValue::saturating(140), KnobValue::MAX);
        // JSON: a plain number, refused above 100 (also above u8's range).
        let k: Knobs =
            serde_json::from_str(r#"{"expressivity":70,"rareza":0,"garage":35,"trash":100}"#)
                .expect("valid knobs");
        assert_eq!(k.garage, v(35));
        assert_eq!(
            serde_json::to_string(&k).expect("serialises"),
            r#"{"expressivity":70,"rareza":0,"garage":35,"trash":100}"#
        );
        for bad in [101, 255, 256, 100_000] {
            let json = format!(r#"{{"expressivity":50,"rareza":0,"garage":{bad},"trash":0}}"#);
            let err = serde_json::from_str::<Knobs>(&json).expect_err("out of range");
            assert!(err.to_string().contains("garage"), "{bad}: {err}");
            assert!(err.to_string().contains("0–100"), "{bad}: {err}");
        }
        assert!(serde_json::from_str::<Knobs>(
            r#"{"expressivity":-1,"rareza":0,"garage":0,"trash":0}"#
        )
        .is_err());
    }
}
