//! Style families: what a genre means for tempo, drums, bass, harmony and instrumentation.

use serde::{Deserialize, Serialize};

use son1k_core::{Genre, Mode};

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

    /// The style's parameters.
    pub fn params(self) -> StyleParams {
        use BassLine as B;
        use Comping as C;
        use Groove as G;
        use Sound as S;
        let p = |bpm_range,
                 default_mode,
                 groove,
                 bass,
                 bass_sound,
                 comping,
                 keys_sound,
                 pad,
                 lead,
                 swing,
                 major,
                 minor,
                 sevenths| StyleParams {
            bpm_range,
            default_mode,
            groove,
            bass,
            bass_sound,
            comping,
            keys_sound,
            pad,
            lead,
            swing,
            major,
            minor,
            sevenths,
        };
        match self {
            Style::Pop => p(
                (96, 124),
                Mode::Major,
                G::Pop,
                B::Eighths,
                S::SawBass,
                C::Eighths,
                S::Piano,
                Some(S::SawPad),
                S::Pluck,
                0.0,
                &["I V vi IV", "I vi IV V", "I IV vi V", "I V IV V"],
                &[
                    "i bVI bIII bVII",
                    "i iv bVI bVII",
                    "i bVI iv V",
                    "i bVII bVI bVII",
                ],
                false,
            ),
            Style::Rock => p(
                (100, 150),
                Mode::Major,
                G::Rock,
                B::Eighths,
                S::SawBass,
                C::Power,
                S::PowerGuitar,
                None,
                S::SawLead,
                0.0,
                &["I bVII IV I", "I IV V IV", "I V vi IV", "I IV I V"],
                &[
                    "i bVII bVI bVII",
                    "i bVI bVII i",
                    "i iv bVII i",
                    "i bIII bVII iv",
                ],
                false,
            ),
            Style::HipHop => p(
                (80, 98),
                Mode::Minor,
                G::BoomBap,
                B::Sparse,
                S::FmBass,
                C::Sparse,
                S::ElectricPiano,
                Some(S::StringPad),
                S::Bell,
                0.16,
                &["Imaj7 vi7 ii7 V7", "I iii IV V"],
                &["i7 iv7 bVImaj7 V7", "i7 bVI bVII i7", "i7 iv7 i7 V"],
                true,
            ),
            Style::Trap => p(
                (130, 160),
                Mode::Minor,
                G::Trap,
                B::Glide808,
                S::SubBass,
                C::None,
                S::Bell,
                Some(S::SawPad),
                S::Bell,
                0.0,
                &["I V vi IV", "vi IV I V"],
                &["i bVI i bVII", "i iv bVI V", "i bVI i V", "i i bVI bVII"],
                false,
            ),
            Style::Reggaeton => p(
                (88, 100),
                Mode::Minor,
                G::Dembow,
                B::Dembow,
                S::SubBass,
                C::Sparse,
                S::Pluck,
                Some(S::SawPad),
                S::SquareLead,
                0.0,
                &["I V vi IV", "vi IV I V", "I IV V IV"],
                &[
                    "i bVI bIII bVII",
                    "i bVII bVI bVII",
                    "i iv bVII bIII",
                    "i bVI bVII i",
                ],
                false,
            ),
            Style::House => p(
                (118, 128),
                Mode::Minor,
                G::FourFloor,
                B::Offbeat,
                S::SawBass,
                C::OffbeatStab,
                S::ElectricPiano,
                Some(S::StringPad),
                S::Pluck,
                0.0,
                &["Imaj7 vi7 ii7 V7", "I V vi IV", "Imaj7 IVmaj7 vi7 V"],
                &[
                    "i7 iv7 bVII bVImaj7",
                    "i7 bVII bVI bVII",
                    "i7 iv7 i7 V7",
                    "i7 bVImaj7 bVII i7",
                ],
                true,
            ),
            Style::Techno => p(
                (125, 140),
                Mode::Minor,
                G::Techno,
                B::Rolling,
                S::SawBass,
                C::None,
                S::Pluck,
                Some(S::SawPad),
                S::Acid,
                0.0,
                &["I I IV V", "I V IV I"],
                &["i i bVI bVII", "i i iv i", "i bVII i V"],
                false,
            ),
            Style::LoFi => p(
                (70, 90),
                Mode::Major,
                G::LoFi,
                B::Sparse,
                S::FmBass,
                C::Broken,
                S::ElectricPiano,
                Some(S::StringPad),
                S::Bell,
                0.2,
                &[
                    "ii7 V7 Imaj7 Imaj7",
                    "Imaj7 vi7 ii7 V7",
                    "IVmaj7 iii7 ii7 V7",
                ],
                &["i7 iv7 bVImaj7 V7", "i7 bVImaj7 iv7 V7", "i7 iv7 i7 bVII"],
                true,
            ),
            Style::Ambient => p(
                (60, 90),
                Mode::Major,
                G::Ambient,
                B::Drone,
                S::SubBass,
                C::Arpeggio,
                S::Bell,
                Some(S::StringPad),
                S::Flute,
                0.0,
                &["I IV vi IV", "I vi IV I", "Imaj7 IVmaj7 Imaj7 V"],
                &["i bVI bIII bVII", "i iv i bVI", "i bVImaj7 iv V"],
                false,
            ),
            Style::Cumbia => p(
                (86, 100),
                Mode::Minor,
                G::Cumbia,
                B::RootFifth,
                S::FmBass,
                C::OffbeatStab,
                S::Accordion,
                None,
                S::Flute,
                0.0,
                &["I IV V I", "I IV I V", "I I IV V"],
                &["i iv V i", "i bVII bVI V", "i V i iv", "i iv bVII V"],
                false,
            ),
            Style::Ballad => p(
                (60, 80),
                Mode::Major,
                G::Ballad,
                B::Halves,
                S::FmBass,
                C::Broken,
                S::NylonGuitar,
                Some(S::StringPad),
                S::Flute,
                0.0,
                &["Imaj7 vi7 ii7 V7", "I iii IV V", "I vi ii V"],
                &["i iv V i", "i bVI iv V", "i7 iv7 bVII bIIImaj7"],
                true,
            ),
            Style::Funk => p(
                (96, 116),
                Mode::Minor,
                G::Funk,
                B::Octaves,
                S::SawBass,
                C::Sixteenths,
                S::Clav,
                None,
                S::Brass,
                0.08,
                &["I7 IV7 I7 V7", "I7 I7 IV7 IV7"],
                &["i7 i7 iv7 V7", "i7 bVII i7 V7", "i7 iv7 bVII V7"],
                true,
            ),
            Style::DrumAndBass => p(
                (170, 176),
                Mode::Minor,
                G::Breakbeat,
                B::Long,
                S::Reese,
                C::None,
                S::ElectricPiano,
                Some(S::StringPad),
                S::Pluck,
                0.0,
                &["I V vi IV", "IVmaj7 V vi I"],
                &["i bVI bIII bVII", "i bVII bVI bVII", "i7 iv7 bVI V"],
                false,
            ),
            Style::Metal => p(
                (110, 160),
                Mode::Minor,
                G::Metal,
                B::Driving,
                S::SawBass,
                C::Power,
                S::DistortedGuitar,
                None,
                S::SawLead,
                0.0,
                &["I bVII bVI bVII", "I bVI bVII I", "I IV bVII I"],
                &[
                    "i bVI bVII i",
                    "i bVI iv bVII",
                    "i iv bVI bVII",
                    "i bVII bVI V",
                ],
                false,
            ),
            Style::RnB => p(
                (62, 96),
                Mode::Minor,
                G::RnB,
                B::Syncopated,
                S::FmBass,
                C::Sparse,
                S::ElectricPiano,
                Some(S::StringPad),
                S::Bell,
                0.14,
                &[
                    "Imaj7 iii7 vi7 IVmaj7",
                    "IVmaj7 iii7 ii7 Imaj7",
                    "Imaj9 vi9 ii9 V7",
                ],
                &[
                    "i9 iv7 bVImaj7 V7",
                    "i7 bVImaj7 bIIImaj7 bVII",
                    "i9 iv9 i9 V7",
                ],
                true,
            ),
            Style::Jazz => p(
                (100, 168),
                Mode::Major,
                G::JazzSwing,
                B::Walking,
                S::FmBass,
                C::Sparse,
                S::Piano,
                None,
                S::Sax,
                0.0,
                &[
                    "ii7 V7 Imaj7 Imaj7",
                    "Imaj7 vi7 ii7 V7",
                    "iii7 vi7 ii7 V7",
                    "Imaj9 IVmaj7 iii7 vi7",
                ],
                &["i7 iv7 V7 i7", "i9 iv7 bVII7 bIIImaj7", "iv7 bVII7 i7 V7"],
                true,
            ),
            Style::Blues => p(
                (70, 112),
                Mode::Major,
                G::Shuffle,
                B::Boogie,
                S::SawBass,
                C::Eighths,
                S::Piano,
                None,
                S::SawLead,
                0.0,
                &["I7 IV7 I7 I7", "IV7 IV7 I7 I7", "V7 IV7 I7 V7"],
                &["i7 iv7 i7 i7", "iv7 iv7 i7 i7", "V7 iv7 i7 V7"],
                true,
            ),
            Style::Classical => p(
                (60, 108),
                Mode::Major,
                G::None,
                B::Halves,
                S::Cello,
                C::Broken,
                S::StringSection,
                Some(S::StringPad),
                S::Flute,
                0.0,
                &["I IV V I", "I vi ii V", "I ii V I", "I V vi iii"],
                &["i iv V i", "i bVI iv V", "i iv bVII bIII"],
                false,
            ),
            Style::Country => p(
                (96, 128),
                Mode::Major,
                G::CountryTrain,
                B::Alternating,
                S::FmBass,
                C::Eighths,
                S::SteelGuitar,
                None,
                S::Pluck,
                0.0,
                &["I IV I V", "I V IV I", "I I IV V"],
                &["i iv i V", "i bVII bVI V"],
                false,
            ),
            Style::Folk => p(
                (80, 112),
                Mode::Major,
                G::Folk,
                B::Halves,
                S::FmBass,
                C::Arpeggio,
                S::SteelGuitar,
                None,
                S::Flute,
                0.0,
                &["I V vi IV", "I IV I V", "vi IV I V"],
                &["i bVII bVI bVII", "i bIII bVII iv", "i iv bVII i"],
                false,
            ),
            Style::Bolero => p(
                (70, 95),
                Mode::Minor,
                G::Bolero,
                B::Bolero,
                S::FmBass,
                C::Arpeggio,
                S::NylonGuitar,
                Some(S::StringPad),
                S::NylonGuitar,
                0.0,
                &["Imaj7 vi7 ii7 V7", "I I7 IV iv", "Imaj7 ii7 iii7 V7"],
                &["i7 iv7 V7 i7", "i iv bVI V7", "i7 bVImaj7 iv7 V7"],
                true,
            ),
            Style::Dembow => p(
                (112, 128),
                Mode::Minor,
                G::DembowRd,
                B::DembowRd,
                S::SubBass,
                C::OffbeatStab,
                S::Pluck,
                None,
                S::SquareLead,
                0.0,
                &["vi IV I V", "I vi IV V"],
                &["i bVII bVI V", "i iv i bVII", "i bVI bVII bVII"],
                false,
            ),
            Style::Salsa => p(
                (160, 196),
                Mode::Minor,
                G::Salsa,
                B::Tumbao,
                S::FmBass,
                C::OffbeatStab,
                S::Piano,
                None,
                S::Trumpet,
                0.0,
                &["I IV V IV", "ii7 V7 I I", "I vi ii V"],
                &["i iv V i", "i iv bVII bIII", "ii V7 i i"],
                false,
            ),
            Style::Bachata => p(
                (120, 136),
                Mode::Minor,
                G::Bachata,
                B::Bachata,
                S::FmBass,
                C::Arpeggio,
                S::NylonGuitar,
                None,
                S::NylonGuitar,
                0.0,
                &["I vi IV V", "I IV V IV", "I iii IV V"],
                &["i iv V i", "i bVI bVII i", "i iv bVII bIII"],
                false,
            ),
            Style::Merengue => p(
                (124, 156),
                Mode::Major,
                G::Merengue,
                B::Merengue,
                S::FmBass,
                C::OffbeatStab,
                S::Piano,
                None,
                S::Sax,
                0.0,
                &["I V V I", "I IV V I", "I vi IV V"],
                &["i V i iv", "i iv V i"],
                false,
            ),
            Style::Reggae => p(
                (64, 88),
                Mode::Minor,
                G::OneDrop,
                B::OneDrop,
                S::FmBass,
                C::OffbeatStab,
                S::CleanGuitar,
                None,
                S::Pluck,
                0.1,
                &["I IV I V", "I vi IV V", "I IV V IV"],
                &["i iv i bVII", "i bVII bVI bVII", "i iv bVII i"],
                false,
            ),
            Style::Corridos => p(
                (100, 140),
                Mode::Major,
                G::Polka,
                B::OomPah,
                S::Tuba,
                C::OffbeatStab,
                S::Accordion,
                None,
                S::SteelGuitar,
                0.0,
                &["I V V I", "I IV V I", "I I V V"],
                &["i V V i", "i iv V i", "i bVII bVI V"],
                false,
            ),
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
