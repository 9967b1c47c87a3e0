//! Style families: what a genre means for tempo, drums, bass, harmony and instrumentation.

use serde::{Deserialize, Serialize};

use son1k_core::{Genre, Mode};

mod params;

/// A style family. Every [`Genre`] maps to one; the family drives the arrangement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)] // each variant is its own name
pub enum Style {
    Pop,
    Rock,
    HipHop,
    Trap,
    Reggaeton,
    House,
    Techno,
    LoFi,
    Ambient,
    Cumbia,
    Ballad,
    Funk,
    DrumAndBass,
    Metal,
    #[serde(rename = "rnb")]
    RnB,
    Jazz,
    Blues,
    Classical,
    Country,
    Folk,
    Bolero,
    Dembow,
    Salsa,
    Bachata,
    Merengue,
    Reggae,
    Corridos,
}

/// Drum groove families (each with its kit and hand-percussion patterns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Groove {
    Pop,
    Rock,
    BoomBap,
    Trap,
    Dembow,
    FourFloor,
    Techno,
    Ambient,
    Cumbia,
    Ballad,
    Funk,
    Breakbeat,
    /// Boom bap's lazier cousin: swung, soft, with a shaker.
    LoFi,
    /// Double kick under the choruses.
    Metal,
    /// Swung sixteenth hats, laid-back kick.
    RnB,
    /// Dominican dembow: four-on-the-floor kick under the dembow claps, busy hats and timbales.
    DembowRd,
    /// Son clave 3-2, cáscara, conga tumbao, bongó martillo; cowbell in the chorus.
    Salsa,
    /// Bongó martillo and güira; cencerro in the chorus.
    Bachata,
    /// Tambora (low tom and rim), güira on sixteenths, four-on-the-floor kick.
    Merengue,
    /// Ride swing pattern with the hi-hat foot on 2 and 4.
    JazzSwing,
    /// Blues shuffle: swung eighths, backbeat.
    Shuffle,
    /// Reggae one drop: kick and rim together on beat 3.
    OneDrop,
    /// Country train beat: boom-chick with brushed snare eighths.
    CountryTrain,
    /// Light folk percussion: soft kick, tambourine on 2 and 4, shaker.
    Folk,
    /// Bolero: bongó and maracas.
    Bolero,
    /// Oom-pah polka for corridos and norteño.
    Polka,
    /// No drums at all (orchestral writing).
    None,
}

/// How the bass plays the harmony.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum BassLine {
    Eighths,
    Sparse,
    Sub808,
    Dembow,
    Offbeat,
    Rolling,
    Drone,
    RootFifth,
    /// A quarter note on every beat: chord tones on strong beats, chromatic approaches.
    Walking,
    Octaves,
    Long,
    /// Metal/rock: driving eighths on the low root.
    Driving,
    /// Trap 808: long sub notes that glide into the next.
    Glide808,
    /// R&B: syncopated sixteenths with octave pops.
    Syncopated,
    /// Dominican dembow: short stabs under the claps.
    DembowRd,
    /// Salsa tumbao: anticipated, on steps 6 and 12, never the downbeat.
    Tumbao,
    /// Bachata: syncopated on steps 0, 6, 8 and 14.
    Bachata,
    /// Merengue: root and fifth pushing the off-beats.
    Merengue,
    /// Reggae one drop: a phrase that rests on beat 1.
    OneDrop,
    /// Corridos: tuba/tololoche oom-pah, root on 1 and fifth on 3.
    OomPah,
    /// Country: alternating root and low fifth with walk-ups.
    Alternating,
    /// Blues boogie: root, third, fifth, sixth in swung eighths.
    Boogie,
    /// Half notes on the root and fifth (ballads, folk, classical cellos).
    Halves,
    /// Bolero: root, a pickup and the fifth.
    Bolero,
}

/// How the chord instrument plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Comping {
    Eighths,
    Power,
    Sparse,
    OffbeatStab,
    Arpeggio,
    Broken,
    Sixteenths,
    None,
}

/// Built-in instrument sounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Sound {
    Drums,
    SubBass,
    SawBass,
    FmBass,
    Reese,
    Piano,
    ElectricPiano,
    Organ,
    Clav,
    Pluck,
    PowerGuitar,
    NylonGuitar,
    SawPad,
    StringPad,
    SawLead,
    SquareLead,
    Bell,
    Flute,
    Brass,
    Acid,
    Accordion,
    Voice,
    /// Steel-string acoustic guitar (strummed folk and country, bajo sexto, requinto).
    SteelGuitar,
    /// Clean electric guitar (skanks, funk and R&B chops).
    CleanGuitar,
    /// High-gain guitar through an amp model (metal palm mutes and power chords).
    DistortedGuitar,
    Trumpet,
    Trombone,
    Sax,
    Violin,
    Cello,
    /// A bowed string section (orchestral writing).
    StringSection,
    Tuba,
    /// French horn.
    Horn,
    Oboe,
    Clarinet,
    Marimba,
    Harp,
    /// Upright (double) bass: jazz, bolero, salsa's baby bass.
    AcousticBass,
    /// Fingered electric bass.
    ElectricBass,
}

impl Sound {
    /// Every sound, for tests and listings.
    pub const ALL: [Sound; 39] = [
        Sound::Drums,
        Sound::SubBass,
        Sound::SawBass,
        Sound::FmBass,
        Sound::Reese,
        Sound::Piano,
        Sound::ElectricPiano,
        Sound::Organ,
        Sound::Clav,
        Sound::Pluck,
        Sound::PowerGuitar,
        Sound::NylonGuitar,
        Sound::SawPad,
        Sound::StringPad,
        Sound::SawLead,
        Sound::SquareLead,
        Sound::Bell,
        Sound::Flute,
        Sound::Brass,
        Sound::Acid,
        Sound::Accordion,
        Sound::Voice,
        Sound::SteelGuitar,
        Sound::CleanGuitar,
        Sound::DistortedGuitar,
        Sound::Trumpet,
        Sound::Trombone,
        Sound::Sax,
        Sound::Violin,
        Sound::Cello,
        Sound::StringSection,
        Sound::Tuba,
        Sound::Horn,
        Sound::Oboe,
        Sound::Clarinet,
        Sound::Marimba,
        Sound::Harp,
        Sound::AcousticBass,
        Sound::ElectricBass,
    ];

    /// Whether the sound is a bass instrument (plays an octave or two under the harmony).
    pub fn is_bass(self) -> bool {
        matches!(
            self,
            Sound::SubBass
                | Sound::SawBass
                | Sound::FmBass
                | Sound::Reese
                | Sound::Tuba
                | Sound::AcousticBass
                | Sound::ElectricBass
        )
    }

    /// The General MIDI program (0-based) closest to this sound (drums: 0 on channel 10).
    pub fn gm_program(self) -> u8 {
        match self {
            Sound::Drums => 0,
            Sound::SubBass => 38,
            Sound::SawBass => 38,
            Sound::FmBass => 39,
            Sound::Reese => 38,
            Sound::Piano => 0,
            Sound::ElectricPiano => 4,
            Sound::Organ => 16,
            Sound::Clav => 7,
            Sound::Pluck => 45,
            Sound::PowerGuitar => 29,
            Sound::NylonGuitar => 24,
            Sound::SawPad => 90,
            Sound::StringPad => 48,
            Sound::SawLead => 81,
            Sound::SquareLead => 80,
            Sound::Bell => 11,
            Sound::Flute => 73,
            Sound::Brass => 61,
            Sound::Acid => 87,
            Sound::Accordion => 21,
            Sound::Voice => 53,
            Sound::SteelGuitar => 25,
            Sound::CleanGuitar => 27,
            Sound::DistortedGuitar => 30,
            Sound::Trumpet => 56,
            Sound::Trombone => 57,
            Sound::Sax => 65,
            Sound::Violin => 40,
            Sound::Cello => 42,
            Sound::StringSection => 48,
            Sound::Tuba => 58,
            Sound::Horn => 60,
            Sound::Oboe => 68,
            Sound::Clarinet => 71,
            Sound::Marimba => 12,
            Sound::Harp => 46,
            Sound::AcousticBass => 32,
            Sound::ElectricBass => 33,
        }
    }
}

/// Everything a style decides.
#[derive(Debug, Clone, Copy)]
pub struct StyleParams {
    /// Tempo range used when neither the request nor the prompt gives one.
    pub bpm_range: (u32, u32),
    /// Mode used when the mood is balanced and no key is given.
    pub default_mode: Mode,
    /// Drum groove.
    pub groove: Groove,
    /// Bass line.
    pub bass: BassLine,
    /// Bass sound.
    pub bass_sound: Sound,
    /// Chord instrument pattern.
    pub comping: Comping,
    /// Chord instrument sound.
    pub keys_sound: Sound,
    /// Sustained pad, if any.
    pub pad: Option<Sound>,
    /// Lead sound.
    pub lead: Sound,
    /// Swing of off-beat sixteenths (0 straight … 0.33 triplet feel).
    pub swing: f32,
    /// Progressions for major keys (roman numerals, relative to the tonic).
    pub major: &'static [&'static str],
    /// Progressions for minor keys.
    pub minor: &'static [&'static str],
    /// Whether chords get sevenths by default.
    pub sevenths: bool,
}

impl Style {
    /// Every style.
    pub const ALL: [Style; 27] = [
        Style::Pop,
        Style::Rock,
        Style::HipHop,
        Style::Trap,
        Style::Reggaeton,
        Style::House,
        Style::Techno,
        Style::LoFi,
        Style::Ambient,
        Style::Cumbia,
        Style::Ballad,
        Style::Funk,
        Style::DrumAndBass,
        Style::Metal,
        Style::RnB,
        Style::Jazz,
        Style::Blues,
        Style::Classical,
        Style::Country,
        Style::Folk,
        Style::Bolero,
        Style::Dembow,
        Style::Salsa,
        Style::Bachata,
        Style::Merengue,
        Style::Reggae,
        Style::Corridos,
    ];

    /// The family of a genre (no genre: pop).
    pub fn for_genre(genre: Option<Genre>) -> Style {
        let Some(g) = genre else {
            return Style::Pop;
        };
        match g {
            Genre::Pop => Style::Pop,
            Genre::Rock => Style::Rock,
            Genre::Metal => Style::Metal,
            Genre::Blues => Style::Blues,
            Genre::HipHop => Style::HipHop,
            Genre::RnB => Style::RnB,
            Genre::Trap => Style::Trap,
            Genre::Reggaeton | Genre::Latin => Style::Reggaeton,
            Genre::Dembow => Style::Dembow,
            Genre::House | Genre::Electronic => Style::House,
            Genre::Techno => Style::Techno,
            Genre::LoFi => Style::LoFi,
            Genre::Jazz => Style::Jazz,
            Genre::Ambient => Style::Ambient,
            Genre::Classical => Style::Classical,
            Genre::Cumbia => Style::Cumbia,
            Genre::Salsa => Style::Salsa,
            Genre::Reggae => Style::Reggae,
            Genre::Bachata => Style::Bachata,
            Genre::Merengue => Style::Merengue,
            Genre::Corridos => Style::Corridos,
            Genre::Country => Style::Country,
            Genre::Folk => Style::Folk,
            Genre::Bolero => Style::Bolero,
            Genre::Ballad => Style::Ballad,
            Genre::Funk => Style::Funk,
            Genre::DrumAndBass => Style::DrumAndBass,
        }
    }

    /// Lower-case id (also a [`Genre`] id, so `id().parse::<Genre>()` finds the family again).
    pub fn id(self) -> &'static str {
        match self {
            Style::Pop => "pop",
            Style::Rock => "rock",
            Style::HipHop => "hip-hop",
            Style::Trap => "trap",
            Style::Reggaeton => "reggaeton",
            Style::House => "house",
            Style::Techno => "techno",
            Style::LoFi => "lo-fi",
            Style::Ambient => "ambient",
            Style::Cumbia => "cumbia",
            Style::Ballad => "ballad",
            Style::Funk => "funk",
            Style::DrumAndBass => "drum-and-bass",
            Style::Metal => "metal",
            Style::RnB => "rnb",
            Style::Jazz => "jazz",
            Style::Blues => "blues",
            Style::Classical => "classical",
            Style::Country => "country",
            Style::Folk => "folk",
            Style::Bolero => "bolero",
            Style::Dembow => "dembow",
            Style::Salsa => "salsa",
            Style::Bachata => "bachata",
            Style::Merengue => "merengue",
            Style::Reggae => "reggae",
            Style::Corridos => "corridos",
        }
    }

    /// Where the off-beat eighth falls within the beat (0.5 straight; jazz, lo-fi and blues swing
    /// their eighths: 0.6 is a light jazz swing, 2/3 the triplet shuffle). Parts that play eighths read
    /// this to swing with the drums.
    pub fn eighth_swing(self) -> f32 {
        match self {
            Style::Jazz | Style::LoFi => 0.6,
            Style::Blues => 0.66,
            _ => 0.5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_genre_has_a_style_with_a_sane_tempo_range() {
        for g in Genre::all() {
            let s = Style::for_genre(Some(g));
            let (lo, hi) = s.params().bpm_range;
            assert!(40 <= lo && lo <= hi && hi <= 240, "{g:?}");
        }
        // The genres the Generator promises each get their own family.
        let promised: Vec<Genre> = Genre::all()
            .filter(|g| !matches!(g, Genre::Latin | Genre::Electronic))
            .collect();
        let families: std::collections::HashSet<Style> = promised
            .iter()
            .map(|g| Style::for_genre(Some(*g)))
            .collect();
        assert_eq!(families.len(), promised.len());
        assert_eq!(families.len(), Style::ALL.len());
        // Every style's id names its genre again (the bench asks for styles by id).
        for s in Style::ALL {
            let g: Genre = s.id().parse().unwrap();
            assert_eq!(Style::for_genre(Some(g)), s);
        }
    }
}
