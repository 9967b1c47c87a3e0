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
}

/// Drum groove families.
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
    Walking,
    Octaves,
    Long,
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
}

impl Sound {
    /// Every sound, for tests and listings.
    pub const ALL: [Sound; 37] = [
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
    ];

    /// Whether the sound is a bass instrument (plays an octave or two under the harmony).
    pub fn is_bass(self) -> bool {
        matches!(
            self,
            Sound::SubBass | Sound::SawBass | Sound::FmBass | Sound::Reese | Sound::Tuba
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
    pub const ALL: [Style; 13] = [
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
    ];

    /// The family of a genre (no genre: pop).
    pub fn for_genre(genre: Option<Genre>) -> Style {
        let Some(g) = genre else {
            return Style::Pop;
        };
        match g {
            Genre::Pop | Genre::Country | Genre::Folk => Style::Pop,
            Genre::Rock | Genre::Metal | Genre::Blues => Style::Rock,
            Genre::HipHop | Genre::RnB => Style::HipHop,
            Genre::Trap => Style::Trap,
            Genre::Reggaeton | Genre::Latin | Genre::Dembow => Style::Reggaeton,
            Genre::Bachata | Genre::Merengue | Genre::Corridos => Style::Cumbia,
            Genre::House | Genre::Electronic => Style::House,
            Genre::Techno => Style::Techno,
            Genre::LoFi | Genre::Jazz => Style::LoFi,
            Genre::Ambient | Genre::Classical => Style::Ambient,
            Genre::Cumbia | Genre::Salsa | Genre::Reggae => Style::Cumbia,
            Genre::Bolero | Genre::Ballad => Style::Ballad,
            Genre::Funk => Style::Funk,
            Genre::DrumAndBass => Style::DrumAndBass,
        }
    }

    /// Lower-case id.
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
                B::Sub808,
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
                G::BoomBap,
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
                (60, 84),
                Mode::Major,
                G::Ballad,
                B::Walking,
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
        let promised = [
            Genre::Pop,
            Genre::Rock,
            Genre::HipHop,
            Genre::Trap,
            Genre::Reggaeton,
            Genre::House,
            Genre::LoFi,
            Genre::Ambient,
            Genre::Cumbia,
            Genre::Bolero,
            Genre::Funk,
            Genre::DrumAndBass,
        ];
        let families: std::collections::HashSet<Style> = promised
            .iter()
            .map(|g| Style::for_genre(Some(*g)))
            .collect();
        assert_eq!(families.len(), promised.len());
    }
}
