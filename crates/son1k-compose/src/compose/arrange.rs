//! Which harmony instruments each genre uses and how they play: piano montunos, requinto
//! arpeggios, strummed steel guitars, palm-muted distorted guitars, jazz shells, clav stabs,
//! reggae skanks, oom-pah bajo sexto, accordion fills, four-part string writing with woodwind
//! and horn doubling. Also the instruments the prompt asked for: each becomes a part, and
//! [`unplayed`] says which (if any) the song could not play and why.
//!
//! Every pattern reads the chord sounding at each note's own beat ([`Ctx::chord_at`]): chords
//! may change inside a bar or be held across bars. Choruses (and other high-energy sections)
//! play denser, louder and higher than verses.

use son1k_core::{Genre, Mode};

use super::keys::{is_keys, keys, pad};
use super::sounds::{keys_sound, pad_sound};
use super::{push, Ctx};
use crate::brief::{Brief, Instrument};
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::score::{Note, Part, Role, Score, SectionSpan};
use crate::style::{Comping, Sound, Style, StyleParams};
use crate::theory::{self, Chord, Quality};

mod write;
use write::*;

#[cfg(test)]
mod tests;

const BAR: f64 = 4.0;

/// A family of harmony writing. Genres pick one; styles without their own keep the style's
/// comping and pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    /// The style's own comping and pad (pop, electronic, hip-hop, reggaeton…).
    Default,
    Rock,
    Metal,
    Jazz,
    Blues,
    Funk,
    RnB,
    Classical,
    Country,
    Folk,
    Ballad,
    Bolero,
    Salsa,
    Bachata,
    Merengue,
    Cumbia,
    Reggae,
    Corridos,
}

/// The harmony family of the brief's genre (or, with no genre, of its style).
pub(super) fn family(brief: &Brief) -> Family {
    match brief.genre {
        Some(Genre::Rock) => Family::Rock,
        Some(Genre::Metal) => Family::Metal,
        Some(Genre::Jazz) => Family::Jazz,
        Some(Genre::Blues) => Family::Blues,
        Some(Genre::Funk) => Family::Funk,
        Some(Genre::RnB) => Family::RnB,
        Some(Genre::Classical) => Family::Classical,
        Some(Genre::Country) => Family::Country,
        Some(Genre::Folk) => Family::Folk,
        Some(Genre::Ballad) => Family::Ballad,
        Some(Genre::Bolero) => Family::Bolero,
        Some(Genre::Salsa) => Family::Salsa,
        Some(Genre::Bachata) => Family::Bachata,
        Some(Genre::Merengue) => Family::Merengue,
        Some(Genre::Cumbia) => Family::Cumbia,
        Some(Genre::Reggae) => Family::Reggae,
        Some(Genre::Corridos) => Family::Corridos,
        Some(_) => Family::Default,
        None => match brief.style {
            Style::Rock => Family::Rock,
            Style::Cumbia => Family::Cumbia,
            Style::Ballad => Family::Ballad,
            Style::Funk => Family::Funk,
            _ => Family::Default,
        },
    }
}

/// The lead instrument a family prefers over the style's synth lead, if any.
pub(super) fn family_lead(brief: &Brief) -> Option<Sound> {
    Some(match family(brief) {
        Family::Metal => Sound::DistortedGuitar,
        Family::Jazz => Sound::Sax,
        Family::Blues => Sound::CleanGuitar,
        Family::Funk => Sound::Brass,
        Family::Classical => Sound::Violin,
        Family::Country => Sound::Violin,
        Family::Folk => Sound::Flute,
        Family::Ballad => Sound::Flute,
        Family::Bolero => Sound::NylonGuitar,
        Family::Salsa => Sound::Trumpet,
        Family::Bachata => Sound::SteelGuitar,
        Family::Merengue => Sound::Sax,
        Family::Cumbia => Sound::Flute,
        Family::Reggae => Sound::Organ,
        Family::Corridos => Sound::Trumpet,
        // Rock keeps the style's lead over its guitar.
        Family::Rock | Family::RnB | Family::Default => return None,
    })
}

/// The bass instrument a family prefers over the style's synth bass, if any.
pub(super) fn family_bass(brief: &Brief) -> Option<Sound> {
    Some(match family(brief) {
        Family::Jazz | Family::Bolero | Family::Folk | Family::Salsa => Sound::AcousticBass,
        Family::Metal
        | Family::Blues
        | Family::Funk
        | Family::Country
        | Family::Bachata
        | Family::Merengue
        | Family::Cumbia
        | Family::Reggae
        | Family::Ballad => Sound::ElectricBass,
        Family::Classical => Sound::Cello,
        Family::Corridos => Sound::Tuba,
        // Rock keeps the style's driven synth bass (it sits like an overdriven bass amp).
        Family::Rock | Family::RnB | Family::Default => return None,
    })
}

/// How a harmony part plays.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pat {
    /// The style's generic comping (keys.rs).
    Comp(Comping),
    /// The held pad (keys.rs).
    Pad,
    /// Salsa piano montuno: syncopated two-bar patterns in octaves.
    Montuno,
    /// Requinto / fingerpicked arpeggios on chord tones, 8ths (16ths when `fast` in choruses).
    Arpeggio { center: i32, fast: bool },
    /// Strummed guitar: down-up 8ths on guitar voicings.
    Strum,
    /// Bachata rhythm guitar: 8th strums with the off-beats muted.
    BachataRhythm,
    /// Rock power chords (root, fifth, octave).
    Power,
    /// Metal palm mutes on the low root (8ths, 16th gallops in choruses).
    PalmMute,
    /// Jazz shell voicings (3rd and 7th, 9th in choruses), swung Charleston comping.
    Shell,
    /// Funk clav / guitar 16th stabs.
    Stabs16,
    /// Reggae skank on beats 2 and 4 (guitar) or the off-beat bubble (organ).
    Skank { bubble: bool },
    /// Oom-pah: the chord on beats 2 and 4.
    OomPah,
    /// Accordion counter-melody in thirds with fills at phrase ends.
    AccordionLine,
    /// Electric piano with 7ths and 9ths, syncopated re-attacks.
    Ep9,
    /// Ballad piano: a low root and the chord broken upward in 8ths.
    BalladArp,
    /// Four-part string writing from the chord spans.
    Section,
    /// A woodwind or horn doubling one voice of the string writing (0 = lowest), an octave
    /// shift away, in lifted sections only when `lift_only`.
    Double {
        voice: usize,
        octave: i32,
        lift_only: bool,
    },
    /// Brass section hits on chord tones (salsa moñas, funk horns).
    Hits,
    /// A sustained counter-line on chord tones (violin, cello, woodwinds asked for).
    Counter { center: i32 },
    /// The blues boogie: root–fifth / root–sixth in swung 8ths on the low strings.
    Boogie,
}

#[derive(Debug, Clone, Copy)]
struct Layer {
    name: &'static str,
    role: Role,
    sound: Sound,
    pat: Pat,
    pan: f32,
    gain_db: f32,
}

fn layer(name: &'static str, sound: Sound, pat: Pat, pan: f32, gain_db: f32) -> Layer {
    let role = match pat {
        Pat::Pad | Pat::Section | Pat::Counter { .. } | Pat::Double { .. } => Role::Pad,
        _ => Role::Keys,
    };
    Layer {
        name,
        role,
        sound,
        pat,
        pan,
        gain_db,
    }
}

/// The family's own harmony parts.
fn family_layers(ctx: &Ctx, params: &StyleParams) -> Vec<Layer> {
    use Pat as P;
    use Sound as S;
    match family(ctx.brief) {
        Family::Default => {
            let mut v = Vec::new();
            if params.comping != Comping::None || ctx.brief.instruments.iter().any(|i| is_keys(*i))
            {
                let comping = if params.comping == Comping::None {
                    Comping::Sparse
                } else {
                    params.comping
                };
                v.push(layer(
                    "keys",
                    keys_sound(ctx, params.keys_sound),
                    P::Comp(comping),
                    -0.25,
                    -5.0,
                ));
            }
            if let Some(s) = pad_sound(ctx, params.pad) {
                v.push(layer("pad", s, P::Pad, 0.2, -9.0));
            }
            v
        }
        Family::Rock => vec![
            // Palm-muted 8ths in verses, ringing power chords in choruses (keys.rs).
            layer(
                "guitar",
                S::PowerGuitar,
                P::Comp(Comping::Power),
                -0.35,
                -5.0,
            ),
        ],
        Family::Metal => vec![
            layer("guitar", S::DistortedGuitar, P::PalmMute, -0.7, -3.0),
            layer("guitar2", S::DistortedGuitar, P::PalmMute, 0.7, -3.5),
        ],
        Family::Jazz => vec![layer("keys", S::Piano, P::Shell, -0.2, -4.0)],
        Family::Blues => vec![
            layer("guitar", S::CleanGuitar, P::Boogie, -0.4, -5.0),
            layer("keys", S::Piano, P::Shell, 0.3, -6.0),
            layer("organ", S::Organ, P::Pad, 0.1, -14.0),
        ],
        Family::Funk => vec![
            layer("keys", S::Clav, P::Stabs16, -0.3, -5.0),
            layer("guitar", S::CleanGuitar, P::Stabs16, 0.4, -8.0),
            layer("brass", S::Trumpet, P::Hits, 0.15, -7.0),
        ],
        Family::RnB => {
            let mut v = vec![layer("keys", S::ElectricPiano, P::Ep9, -0.2, -4.0)];
            if let Some(s) = pad_sound(ctx, params.pad) {
                v.push(layer("pad", s, P::Pad, 0.2, -11.0));
            }
            v
        }
        Family::Classical => vec![
            layer("strings", S::StringSection, P::Section, -0.1, -2.0),
            layer(
                "woodwinds",
                S::Flute,
                P::Double {
                    voice: 3,
                    octave: 12,
                    lift_only: true,
                },
                0.35,
                -9.0,
            ),
            layer(
                "oboe",
                S::Oboe,
                P::Double {
                    voice: 2,
                    octave: 0,
                    lift_only: false,
                },
                0.25,
                -12.0,
            ),
            layer(
                "horn",
                S::Horn,
                P::Double {
                    voice: 1,
                    octave: 0,
                    lift_only: true,
                },
                -0.35,
                -10.0,
            ),
        ],
        Family::Country => vec![
            layer("guitar", S::SteelGuitar, P::Strum, -0.35, -4.0),
            layer("keys", S::Piano, P::Comp(Comping::Sparse), 0.3, -9.0),
        ],
        Family::Folk => vec![
            layer("guitar", S::SteelGuitar, P::Strum, -0.3, -4.0),
            layer(
                "guitar2",
                S::NylonGuitar,
                P::Arpeggio {
                    center: 62,
                    fast: false,
                },
                0.35,
                -7.0,
            ),
        ],
        Family::Ballad => vec![
            layer("keys", S::Piano, P::BalladArp, -0.15, -3.0),
            layer("strings", S::StringSection, P::Section, 0.2, -8.0),
        ],
        Family::Bolero => vec![
            layer(
                "requinto",
                S::NylonGuitar,
                P::Arpeggio {
                    center: 74,
                    fast: false,
                },
                0.35,
                -5.0,
            ),
            layer("guitar", S::NylonGuitar, P::BachataRhythm, -0.35, -6.0),
            layer("strings", S::StringSection, P::Section, 0.1, -12.0),
        ],
        Family::Salsa => vec![
            layer("keys", S::Piano, P::Montuno, -0.25, -3.0),
            layer("brass", S::Trumpet, P::Hits, 0.3, -6.0),
            layer("trombone", S::Trombone, P::Hits, 0.45, -8.0),
        ],
        Family::Bachata => vec![
            layer(
                "requinto",
                S::NylonGuitar,
                P::Arpeggio {
                    center: 76,
                    fast: true,
                },
                0.4,
                -4.0,
            ),
            layer("guitar", S::SteelGuitar, P::BachataRhythm, -0.4, -6.0),
        ],
        Family::Merengue => vec![
            layer("accordion", S::Accordion, P::AccordionLine, 0.3, -5.0),
            layer("keys", S::Piano, P::Comp(Comping::Eighths), -0.3, -7.0),
            layer("brass", S::Sax, P::Hits, 0.1, -9.0),
        ],
        Family::Cumbia => vec![
            layer("accordion", S::Accordion, P::AccordionLine, 0.3, -4.0),
            layer("keys", S::Piano, P::Comp(Comping::OffbeatStab), -0.3, -7.0),
            layer(
                "guitar",
                S::CleanGuitar,
                P::Skank { bubble: true },
                -0.5,
                -10.0,
            ),
        ],
        Family::Reggae => vec![
            layer(
                "guitar",
                S::CleanGuitar,
                P::Skank { bubble: false },
                -0.4,
                -5.0,
            ),
            layer("keys", S::Organ, P::Skank { bubble: true }, 0.35, -9.0),
        ],
        Family::Corridos => vec![
            layer("accordion", S::Accordion, P::AccordionLine, 0.3, -4.0),
            layer("bajo-sexto", S::SteelGuitar, P::OomPah, -0.35, -4.0),
            layer(
                "requinto",
                S::NylonGuitar,
                P::Arpeggio {
                    center: 72,
                    fast: false,
                },
                -0.1,
                -9.0,
            ),
        ],
    }
}

/// The sounds that count as playing `i`.
fn sounds_for(i: Instrument) -> &'static [Sound] {
    use Sound as S;
    match i {
        Instrument::Piano => &[S::Piano],
        Instrument::ElectricPiano => &[S::ElectricPiano],
        Instrument::Guitar => &[
            S::NylonGuitar,
            S::SteelGuitar,
            S::CleanGuitar,
            S::PowerGuitar,
            S::DistortedGuitar,
        ],
        Instrument::AcousticGuitar => &[S::SteelGuitar, S::NylonGuitar],
        Instrument::ElectricGuitar => &[S::CleanGuitar, S::PowerGuitar, S::DistortedGuitar],
        Instrument::DistortedGuitar => &[S::DistortedGuitar, S::PowerGuitar],
        Instrument::Requinto => &[S::NylonGuitar, S::SteelGuitar],
        Instrument::BajoSexto => &[S::SteelGuitar],
        Instrument::Strings => &[S::StringSection, S::StringPad, S::Violin, S::Cello],
        Instrument::Violin => &[S::Violin, S::StringSection],
        Instrument::Cello => &[S::Cello, S::StringSection],
        Instrument::Orchestra => &[S::StringSection],
        Instrument::Brass => &[S::Brass, S::Trumpet, S::Trombone, S::Horn, S::Tuba],
        Instrument::Trumpet => &[S::Trumpet],
        Instrument::Trombone => &[S::Trombone],
        Instrument::Tuba => &[S::Tuba],
        Instrument::Horn => &[S::Horn],
        Instrument::Sax => &[S::Sax],
        Instrument::Flute => &[S::Flute],
        Instrument::Clarinet => &[S::Clarinet],
        Instrument::Oboe => &[S::Oboe],
        Instrument::Synth => &[S::SawLead, S::SawPad, S::SquareLead, S::Pluck, S::Acid],
        Instrument::Organ => &[S::Organ],
        Instrument::Bells => &[S::Bell],
        Instrument::Marimba => &[S::Marimba],
        Instrument::Harp => &[S::Harp],
        Instrument::Accordion => &[S::Accordion],
        Instrument::Bass808 => &[S::SubBass],
        Instrument::Bongo | Instrument::Congas | Instrument::Timbales => &[],
    }
}

/// General MIDI percussion numbers that count as playing a hand-percussion instrument.
fn drums_for(i: Instrument) -> &'static [u8] {
    match i {
        Instrument::Bongo => &[60, 61],
        Instrument::Congas => &[62, 63, 64],
        Instrument::Timbales => &[65, 66],
        _ => &[],
    }
}

/// The part a requested instrument gets when the family's own parts do not play it.
fn requested_layer(ctx: &Ctx, i: Instrument) -> Option<Layer> {
    use Pat as P;
    use Sound as S;
    let fam = family(ctx.brief);
    let guitar_pat = || match fam {
        Family::Rock => P::Power,
        Family::Metal => P::PalmMute,
        Family::Reggae | Family::Cumbia => P::Skank { bubble: false },
        Family::Funk | Family::RnB => P::Stabs16,
        Family::Jazz | Family::Blues => P::Shell,
        Family::Bachata | Family::Bolero | Family::Salsa | Family::Merengue => P::BachataRhythm,
        Family::Corridos => P::OomPah,
        _ => P::Strum,
    };
    let keys_pat = || match fam {
        Family::Jazz | Family::Blues => P::Shell,
        Family::Salsa => P::Montuno,
        Family::RnB => P::Ep9,
        Family::Ballad | Family::Bolero | Family::Classical => P::BalladArp,
        Family::Reggae => P::Skank { bubble: true },
        Family::Funk => P::Stabs16,
        _ => P::Comp(Comping::Sparse),
    };
    Some(match i {
        Instrument::Piano => layer("piano", S::Piano, keys_pat(), -0.2, -6.0),
        Instrument::ElectricPiano => layer("rhodes", S::ElectricPiano, keys_pat(), -0.2, -6.0),
        Instrument::Organ => layer("organ", S::Organ, P::Pad, 0.2, -10.0),
        Instrument::Guitar | Instrument::ElectricGuitar => {
            let sound = match fam {
                Family::Rock => S::PowerGuitar,
                Family::Metal => S::DistortedGuitar,
                Family::Bachata | Family::Bolero | Family::Salsa | Family::Folk => S::NylonGuitar,
                Family::Country | Family::Corridos | Family::Default | Family::Ballad
                    if i == Instrument::Guitar =>
                {
                    S::SteelGuitar
                }
                _ => S::CleanGuitar,
            };
            layer("guitar", sound, guitar_pat(), -0.4, -5.0)
        }
        Instrument::AcousticGuitar => {
            let sound = match fam {
                Family::Bachata | Family::Bolero | Family::Salsa | Family::Classical => {
                    S::NylonGuitar
                }
                _ => S::SteelGuitar,
            };
            let pat = match fam {
                Family::Bachata | Family::Bolero | Family::Classical => P::Arpeggio {
                    center: 64,
                    fast: false,
                },
                _ => P::Strum,
            };
            layer("acoustic", sound, pat, -0.4, -5.0)
        }
        Instrument::DistortedGuitar => {
            let pat = if fam == Family::Metal {
                P::PalmMute
            } else {
                P::Power
            };
            layer("guitar", S::DistortedGuitar, pat, -0.5, -5.0)
        }
        Instrument::Requinto => layer(
            "requinto",
            S::NylonGuitar,
            P::Arpeggio {
                center: 74,
                fast: true,
            },
            0.4,
            -6.0,
        ),
        Instrument::BajoSexto => layer("bajo-sexto", S::SteelGuitar, P::OomPah, -0.35, -5.0),
        Instrument::Strings | Instrument::Orchestra => {
            layer("strings", S::StringSection, P::Section, 0.15, -7.0)
        }
        Instrument::Violin => layer("violin", S::Violin, P::Counter { center: 76 }, 0.3, -9.0),
        Instrument::Cello => layer("cello", S::Cello, P::Counter { center: 52 }, -0.3, -7.0),
        Instrument::Brass | Instrument::Trumpet => layer("brass", S::Trumpet, P::Hits, 0.3, -7.0),
        Instrument::Trombone => layer("trombone", S::Trombone, P::Hits, 0.4, -7.0),
        Instrument::Horn => layer("horn", S::Horn, P::Counter { center: 62 }, -0.3, -9.0),
        Instrument::Sax => layer("sax", S::Sax, P::Hits, 0.2, -7.0),
        Instrument::Flute => layer("flute", S::Flute, P::Counter { center: 79 }, 0.35, -9.0),
        Instrument::Clarinet => layer(
            "clarinet",
            S::Clarinet,
            P::Counter { center: 67 },
            -0.25,
            -9.0,
        ),
        Instrument::Oboe => layer("oboe", S::Oboe, P::Counter { center: 74 }, 0.25, -10.0),
        Instrument::Synth => layer("synth", S::SawPad, P::Pad, 0.2, -10.0),
        Instrument::Bells => layer(
            "bells",
            S::Bell,
            P::Arpeggio {
                center: 79,
                fast: false,
            },
            0.3,
            -10.0,
        ),
        Instrument::Marimba => layer(
            "marimba",
            S::Marimba,
            P::Arpeggio {
                center: 72,
                fast: true,
            },
            0.3,
            -6.0,
        ),
        Instrument::Harp => layer(
            "harp",
            S::Harp,
            P::Arpeggio {
                center: 67,
                fast: false,
            },
            0.3,
            -6.0,
        ),
        Instrument::Accordion => layer("accordion", S::Accordion, P::AccordionLine, 0.3, -5.0),
        // The bass part plays these (sounds.rs), the drum part the hand percussion.
        Instrument::Tuba
        | Instrument::Bass808
        | Instrument::Bongo
        | Instrument::Congas
        | Instrument::Timbales => return None,
    })
}

/// The harmony parts (chords and counter-lines) of the song: the family's own, then one for
/// each instrument the prompt asked for that neither they nor the lead or bass play.
pub(super) fn harmony(ctx: &Ctx, params: &StyleParams, lead: Sound, bass: Sound) -> Vec<Part> {
    let mut layers = family_layers(ctx, params);
    for &i in &ctx.brief.instruments {
        let wanted = sounds_for(i);
        let taken = wanted.contains(&lead)
            || wanted.contains(&bass)
            || layers.iter().any(|l| wanted.contains(&l.sound));
        if taken {
            continue;
        }
        if let Some(mut l) = requested_layer(ctx, i) {
            // Stem names stay unique.
            if layers.iter().any(|x| x.name == l.name) {
                l.name = match l.name {
                    "guitar" => "guitar-2",
                    "strings" => "strings-2",
                    "brass" => "brass-2",
                    _ => "extra",
                };
            }
            if !layers.iter().any(|x| x.name == l.name) {
                layers.push(l);
            }
        }
    }
    layers.iter().map(|l| play(ctx, l)).collect()
}

/// Instruments the prompt asked for that no part of `score` plays, each with the reason.
pub fn unplayed(brief: &Brief, score: &Score) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for &i in &brief.instruments {
        if i.is_percussion() {
            let hits = drums_for(i);
            let played = score
                .parts
                .iter()
                .filter(|p| p.role == Role::Drums)
                .any(|p| p.notes.iter().any(|n| hits.contains(&n.pitch)));
            if !played {
                out.push((
                    i.id().to_string(),
                    format!(
                        "the {} drum groove has no {} pattern yet (hand percussion is played by \
                         the drum part only)",
                        brief.style.id(),
                        i.id()
                    ),
                ));
            }
            continue;
        }
        let wanted = sounds_for(i);
        if !score.parts.iter().any(|p| wanted.contains(&p.sound)) {
            out.push((
                i.id().to_string(),
                format!(
                    "no part of this {} arrangement has a {} sound",
                    brief.style.id(),
                    i.id()
                ),
            ));
        }
    }
    out
}

/// Whether a section lifts (choruses and other high-energy sections).
fn lifts(s: &SectionSpan) -> bool {
    s.kind == SectionKind::Chorus || s.energy >= 0.8
}

/// Whether a section is a quiet one (intro, outro, breakdown, or very low energy).
fn quiet(s: &SectionSpan) -> bool {
    matches!(
        s.kind,
        SectionKind::Intro | SectionKind::Outro | SectionKind::Breakdown
    ) || s.energy < 0.35
}

/// Pitch classes (absolute) of the scale.
fn scale_pcs(ctx: &Ctx) -> Vec<u8> {
    theory::scale(ctx.brief.key.mode)
        .iter()
        .map(|s| ((ctx.tonic() + s).rem_euclid(12)) as u8)
        .collect()
}

/// The chord's pitch classes with a diatonic 7th (and 9th) added: the extension comes from the
/// key's scale, so V gets a dominant 7th and I a major 7th in major.
fn extended(ctx: &Ctx, chord: Chord, ninth: bool) -> Vec<u8> {
    let mut pcs = chord.pitch_classes(ctx.brief.key);
    if chord.quality == Quality::Diminished || chord.quality == Quality::Sus4 {
        return pcs;
    }
    let scale = scale_pcs(ctx);
    let root = chord.root_pc(ctx.brief.key) as i32;
    let pick = |a: i32, b: i32| -> u8 {
        let (x, y) = (
            (root + a).rem_euclid(12) as u8,
            (root + b).rem_euclid(12) as u8,
        );
        if scale.contains(&x) {
            x
        } else if scale.contains(&y) {
            y
        } else {
            x
        }
    };
    let seventh = if chord.quality.intervals().len() >= 4 {
        None // already has one
    } else if chord.quality == Quality::Major
        && chord.root == 7
        && ctx.brief.key.mode == Mode::Minor
    {
        Some((root + 10).rem_euclid(12) as u8) // the harmonic-minor V7
    } else {
        Some(pick(10, 11))
    };
    if let Some(s) = seventh {
        if !pcs.contains(&s) {
            pcs.push(s);
        }
    }
    if ninth {
        let n = pick(2, 1);
        if !pcs.contains(&n) {
            pcs.push(n);
        }
    }
    pcs
}
