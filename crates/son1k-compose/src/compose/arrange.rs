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

/// Per-part writer: notes, its own random stream and the last voicing (for voice leading).
struct W<'c, 'a> {
    ctx: &'c Ctx<'a>,
    notes: Vec<Note>,
    rng: Rng,
    prev: Option<Vec<i32>>,
}

impl W<'_, '_> {
    fn note(&mut self, t: f64, dur: f64, pitch: i32, vel: f32) {
        let h = self.ctx.humanize(&mut self.rng);
        push(&mut self.notes, t + h, dur, pitch, vel);
    }

    fn vel(&mut self, s: &SectionSpan, accent: f32) -> f32 {
        let lift = if lifts(s) { 1.08 } else { 1.0 };
        (self.ctx.vel(s.energy, accent, &mut self.rng) * lift).min(1.0)
    }

    /// A voice-led voicing of `pcs` near `center`.
    fn voicing(&mut self, pcs: &[u8], center: i32) -> Vec<i32> {
        let v = theory::voice(pcs, self.prev.as_deref(), center);
        self.prev = Some(v.clone());
        v
    }

    /// A chord hit at `t`: the chord sounding at `t`, voiced near `center`.
    fn chord(&mut self, s: &SectionSpan, t: f64, dur: f64, center: i32, accent: f32) {
        let pcs = self.ctx.chord_at(t).pitch_classes(self.ctx.brief.key);
        let v = self.voicing(&pcs, center);
        let vel = self.vel(s, accent);
        for p in v {
            self.note(t, dur, p, vel);
        }
    }
}

/// Bar start beats of a section.
fn bars(s: &SectionSpan) -> impl Iterator<Item = (u32, f64)> + '_ {
    let n = (s.beats / BAR).round() as u32;
    (0..n).map(move |b| (b, s.start + b as f64 * BAR))
}

/// Swung position of an 8th-note off-beat (`k` in 8ths within the bar).
fn swung8(k: usize, swing: f64) -> f64 {
    let beat = (k / 2) as f64;
    if k % 2 == 1 {
        beat + 0.5 + swing
    } else {
        beat
    }
}

/// A guitar voicing of the chord at `t`: the root low on the E or A string, then fifths,
/// octaves and thirds upward, like a barre or open chord (5 or 6 strings).
fn guitar_voicing(ctx: &Ctx, chord: Chord) -> Vec<i32> {
    let pcs = chord.pitch_classes(ctx.brief.key);
    let root = chord.root_pc(ctx.brief.key);
    let r = if (root as i32 - 4).rem_euclid(12) <= 4 {
        theory::nearest(root, 42).clamp(40, 47) // E string: E–G#
    } else {
        theory::nearest(root, 47).clamp(45, 52) // A string: A–C#
    };
    let third = pcs.get(1).copied().unwrap_or(root);
    let fifth = pcs.get(2).copied().unwrap_or(root);
    let mut v = vec![r];
    let mut last = r;
    for pc in [fifth, root, third, fifth, root] {
        let mut p = theory::nearest(pc, last + 4);
        if p <= last {
            p += 12;
        }
        if p > 71 {
            break;
        }
        v.push(p);
        last = p;
    }
    v
}

fn play(ctx: &Ctx, l: &Layer) -> Part {
    let mut part = match l.pat {
        Pat::Comp(c) => keys(ctx, c, l.sound),
        Pat::Pad => pad(ctx, l.sound),
        _ => {
            let mut w = W {
                ctx,
                notes: Vec::new(),
                rng: Rng::stream(ctx.seed, &format!("arrange-{}", l.name)),
                prev: None,
            };
            write(&mut w, l);
            // The final chord rings into the tail.
            if !matches!(l.pat, Pat::Hits | Pat::PalmMute) {
                let pcs = ctx.chord_at(ctx.total_beats).pitch_classes(ctx.brief.key);
                let center = match l.pat {
                    Pat::Double { .. } | Pat::Counter { .. } => 0,
                    Pat::Power | Pat::OomPah | Pat::Strum | Pat::BachataRhythm => 52,
                    Pat::Arpeggio { center, .. } => center,
                    _ => 62,
                };
                if center > 0 {
                    for p in theory::voice(&pcs, w.prev.as_deref(), center) {
                        // Let it ring and decay before the file ends.
                        push(&mut w.notes, ctx.total_beats, 3.0, p, 0.6);
                    }
                }
            }
            Part {
                name: String::new(),
                role: l.role,
                sound: l.sound,
                pan: 0.0,
                gain_db: 0.0,
                notes: w.notes,
            }
        }
    };
    part.name = l.name.to_string();
    part.role = l.role;
    part.pan = l.pan;
    part.gain_db = l.gain_db;
    part
}

fn write(w: &mut W, l: &Layer) {
    let ctx = w.ctx;
    let key = ctx.brief.key;
    let beat_s = 60.0 / ctx.brief.bpm as f64;
    for s in ctx.sections {
        let lift = lifts(s);
        let hush = quiet(s);
        match l.pat {
            Pat::Comp(_) | Pat::Pad => {}
            Pat::Montuno => {
                // Two-bar montuno in 8ths: an octave-doubled line on chord tones that
                // anticipates, with the inner chord tones filling the off-beats.
                const PLAY: [u8; 16] = [1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1];
                const LINE: [usize; 16] = [0, 0, 1, 2, 0, 1, 2, 0, 0, 2, 1, 0, 2, 1, 0, 1];
                let center = if lift { 72 } else { 67 };
                for (b, bar) in bars(s) {
                    let half = (b % 2) as usize * 8;
                    for k in 0..8 {
                        let slot = half + k;
                        if PLAY[slot] == 0 || (hush && k % 2 == 1) {
                            continue;
                        }
                        let t = bar + k as f64 * 0.5;
                        let chord = ctx.chord_at(t);
                        let pcs = chord.pitch_classes(key);
                        let pc = pcs[LINE[slot] % pcs.len()];
                        let top = theory::nearest(pc, center);
                        let vel = w.vel(s, if k % 2 == 1 { 1.0 } else { 0.8 });
                        w.note(t, 0.4, top, vel);
                        w.note(t, 0.4, top - 12, vel * 0.9);
                        if lift || k % 2 == 1 {
                            // The chord tones between the octaves.
                            for &q in pcs.iter().filter(|q| **q != pc) {
                                let p = theory::nearest(q, top - 6);
                                if p > top - 12 && p < top {
                                    w.note(t, 0.35, p, vel * 0.75);
                                }
                            }
                        }
                    }
                }
            }
            Pat::Arpeggio { center, fast } => {
                let step = if fast && lift && ctx.brief.bpm <= 140 {
                    0.25
                } else if ctx.brief.bpm < 70 && !fast {
                    1.0 / 3.0
                } else {
                    0.5
                };
                let center = center + if lift { 5 } else { 0 };
                const SHAPE: [usize; 8] = [0, 1, 2, 3, 2, 1, 3, 1];
                for (_, bar) in bars(s) {
                    let n = (BAR / step).round() as usize;
                    for k in 0..n {
                        if hush && k % 2 == 1 {
                            continue;
                        }
                        let t = bar + k as f64 * step;
                        let chord = ctx.chord_at(t);
                        let pcs = chord.pitch_classes(key);
                        let v = theory::voice(&pcs, None, center);
                        let mut tones = v.clone();
                        if let Some(top) = v.first() {
                            tones.push(top + 12);
                        }
                        let idx = SHAPE[k % SHAPE.len()] % tones.len();
                        let accent = if k == 0 {
                            1.0
                        } else if (k as f64 * step).fract() == 0.0 {
                            0.85
                        } else {
                            0.65
                        };
                        let vel = w.vel(s, accent);
                        w.note(t, step * 1.6, tones[idx], vel);
                        w.prev = Some(v);
                    }
                }
            }
            Pat::Strum | Pat::BachataRhythm => {
                // Down strums low → high, up strums on the top strings high → low, a few ms
                // between strings.
                let gap = 0.011 / beat_s;
                let pattern: &[(f64, bool, f32)] = match (l.pat, lift, hush) {
                    (_, _, true) => &[(0.0, true, 0.9), (2.0, true, 0.8)],
                    (Pat::BachataRhythm, _, _) => &[
                        (0.0, true, 1.0),
                        (0.5, false, 0.5),
                        (1.0, true, 0.8),
                        (1.5, false, 0.5),
                        (2.0, true, 0.9),
                        (2.5, false, 0.5),
                        (3.0, true, 0.8),
                        (3.5, false, 0.6),
                    ],
                    (_, true, _) => &[
                        (0.0, true, 1.0),
                        (0.5, false, 0.6),
                        (1.0, true, 0.85),
                        (1.5, false, 0.65),
                        (2.0, true, 0.95),
                        (2.5, false, 0.6),
                        (3.0, true, 0.85),
                        (3.5, false, 0.7),
                    ],
                    _ => &[
                        (0.0, true, 1.0),
                        (1.0, true, 0.8),
                        (1.5, false, 0.55),
                        (2.5, false, 0.6),
                        (3.0, true, 0.8),
                        (3.5, false, 0.6),
                    ],
                };
                let muted_offbeats = l.pat == Pat::BachataRhythm;
                for (_, bar) in bars(s) {
                    for &(at, down, acc) in pattern {
                        let t = bar + at;
                        let chord = ctx.chord_at(t);
                        let mut v = guitar_voicing(ctx, chord);
                        let dur = if muted_offbeats && !down { 0.12 } else { 0.48 };
                        if !down {
                            v.reverse();
                            v.truncate(4);
                        }
                        let vel = w.vel(s, acc);
                        for (k, p) in v.iter().enumerate() {
                            let shade = 1.0 - 0.04 * k as f32;
                            w.note(t + k as f64 * gap, dur, *p, vel * shade);
                        }
                        w.prev = Some(v);
                    }
                }
            }
            Pat::Power => {
                for (_, bar) in bars(s) {
                    let hits: Vec<(f64, f64, f32)> = if hush {
                        vec![(0.0, 3.8, 0.9)]
                    } else if lift {
                        // Choruses: open, ringing 8ths with a 16th push into the next bar.
                        let mut v: Vec<(f64, f64, f32)> = (0..8)
                            .map(|k| (k as f64 * 0.5, 0.45, if k % 2 == 0 { 1.0 } else { 0.85 }))
                            .collect();
                        v.push((3.75, 0.2, 0.8));
                        v
                    } else {
                        (0..8).map(|k| (k as f64 * 0.5, 0.3, 0.8)).collect()
                    };
                    for (at, dur, acc) in hits {
                        let t = bar + at;
                        let root = theory::nearest(ctx.chord_at(t).root_pc(key), 45).clamp(40, 52);
                        let vel = w.vel(s, acc);
                        for p in [root, root + 7, root + 12] {
                            w.note(t, dur, p, vel);
                        }
                    }
                }
            }
            Pat::PalmMute => {
                // Low root (and fifth) palm-muted: short notes; choruses gallop in 16ths and
                // ring a power chord on each chord change.
                for (_, bar) in bars(s) {
                    let steps: Vec<(f64, f64, f32)> = if hush {
                        vec![(0.0, 3.8, 0.9)]
                    } else if lift {
                        (0..16)
                            .filter(|k| k % 4 != 1)
                            .map(|k| (k as f64 * 0.25, 0.16, if k % 4 == 0 { 1.0 } else { 0.8 }))
                            .collect()
                    } else {
                        (0..8)
                            .map(|k| (k as f64 * 0.5, 0.2, if k % 2 == 0 { 0.95 } else { 0.8 }))
                            .collect()
                    };
                    let mut last_root = -1;
                    for (at, dur, acc) in steps {
                        let t = bar + at;
                        let root = theory::nearest(ctx.chord_at(t).root_pc(key), 43).clamp(38, 49);
                        let vel = w.vel(s, acc);
                        let ring = lift && root != last_root;
                        last_root = root;
                        let d = if ring { 0.45 } else { dur };
                        w.note(t, d, root, vel);
                        w.note(t, d, root + 7, vel * 0.9);
                        if ring {
                            w.note(t, d, root + 12, vel * 0.85);
                        }
                    }
                }
            }
            Pat::Shell => {
                // Shells: 3rd and 7th (and the 9th in choruses) around middle C, comped on the
                // Charleston (1 and the swung and-of-2) with an anticipation now and then.
                let swing = 1.0 / 6.0;
                for (_, bar) in bars(s) {
                    let mut hits = vec![(0.0, 1.2, 1.0), (swung8(3, swing), 0.6, 0.85)];
                    if lift {
                        hits.push((swung8(7, swing), 0.5, 0.8));
                    } else if w.rng.chance(0.35) {
                        hits.push((swung8(5, swing), 0.4, 0.7));
                    }
                    if hush {
                        hits.truncate(1);
                    }
                    for (at, dur, acc) in hits {
                        let t = bar + at;
                        let chord = ctx.chord_at(t);
                        let pcs = extended(ctx, chord, lift);
                        let shell: Vec<u8> = pcs
                            .iter()
                            .skip(1)
                            .copied()
                            .filter(|q| {
                                // Drop the fifth: the shell is the 3rd, 7th and colour tones.
                                pcs.get(2) != Some(q)
                            })
                            .collect();
                        let shell = if shell.is_empty() { pcs.clone() } else { shell };
                        let v = w.voicing(&shell, 62);
                        let vel = w.vel(s, acc);
                        for p in v {
                            w.note(t, dur, p, vel);
                        }
                    }
                }
            }
            Pat::Stabs16 => {
                let steps: &[usize] = if hush {
                    &[0, 6]
                } else if lift {
                    &[0, 2, 3, 6, 7, 10, 12, 14, 15]
                } else {
                    &[0, 3, 6, 10, 12]
                };
                let center = if lift { 67 } else { 64 };
                for (_, bar) in bars(s) {
                    for &k in steps {
                        let t = bar + k as f64 * 0.25;
                        let pcs = extended(ctx, ctx.chord_at(t), false);
                        let v = w.voicing(&pcs, center);
                        let vel = w.vel(s, if k % 4 == 0 { 0.95 } else { 0.8 });
                        for p in v {
                            w.note(t, 0.14, p, vel);
                        }
                    }
                }
            }
            Pat::Skank { bubble } => {
                for (_, bar) in bars(s) {
                    let steps: &[usize] = match (bubble, lift) {
                        (true, _) => &[2, 6, 10, 14],
                        (false, true) => &[4, 12, 14],
                        (false, false) => &[4, 12],
                    };
                    let center = if bubble {
                        62
                    } else if lift {
                        70
                    } else {
                        66
                    };
                    for &k in steps {
                        if hush && k % 8 != 4 {
                            continue;
                        }
                        let t = bar + k as f64 * 0.25;
                        w.chord(s, t, if bubble { 0.3 } else { 0.2 }, center, 0.9);
                    }
                }
            }
            Pat::OomPah => {
                for (_, bar) in bars(s) {
                    let mut hits = vec![(1.0, 0.35, 0.9), (3.0, 0.35, 0.9)];
                    if lift {
                        hits.push((3.5, 0.2, 0.6));
                    }
                    for (at, dur, acc) in hits {
                        let t = bar + at;
                        let v = guitar_voicing(ctx, ctx.chord_at(t));
                        // Bajo sexto chords sit on the middle strings, not the low root.
                        let vel = w.vel(s, acc);
                        for (k, p) in v.iter().skip(1).enumerate() {
                            w.note(t + k as f64 * 0.008 / beat_s, dur, *p, vel);
                        }
                    }
                }
            }
            Pat::AccordionLine => {
                // Verses: held chord tones and a descending fill in thirds at each phrase end;
                // choruses: a syncopated riff in thirds.
                let scale = scale_pcs(ctx);
                let third_below = |p: i32| -> i32 {
                    let mut q = p - 3;
                    while q > p - 5 && !scale.contains(&((q.rem_euclid(12)) as u8)) {
                        q -= 1;
                    }
                    q
                };
                let center = if lift { 76 } else { 72 };
                for (b, bar) in bars(s) {
                    let chord = ctx.chord_at(bar);
                    let pcs = chord.pitch_classes(key);
                    let phrase_end = b % 4 == 3;
                    if lift && !hush {
                        const RIFF: [(f64, usize); 6] =
                            [(0.0, 2), (0.5, 1), (1.5, 0), (2.0, 1), (2.5, 2), (3.5, 1)];
                        for (at, idx) in RIFF {
                            let t = bar + at;
                            let pcs = ctx.chord_at(t).pitch_classes(key);
                            let top = theory::nearest(pcs[idx % pcs.len()], center);
                            let vel = w.vel(s, if at.fract() == 0.0 { 0.9 } else { 1.0 });
                            w.note(t, 0.45, top, vel);
                            w.note(t, 0.45, third_below(top), vel * 0.85);
                        }
                    } else if phrase_end && !hush {
                        // A run down the scale from the fifth, in 8ths, from beat 2.
                        let start = theory::nearest(pcs[2 % pcs.len()], center);
                        let mut p = start;
                        for k in 0..6 {
                            let t = bar + 1.0 + k as f64 * 0.5;
                            let vel = w.vel(s, 0.85);
                            w.note(t, 0.45, p, vel);
                            w.note(t, 0.45, third_below(p), vel * 0.8);
                            // The next scale tone down.
                            let mut q = p - 1;
                            while !scale.contains(&((q.rem_euclid(12)) as u8)) {
                                q -= 1;
                            }
                            p = q;
                        }
                    } else {
                        // Held chord tones, re-struck on each chord change.
                        let mut t = bar;
                        while t < bar + BAR - 1e-9 {
                            let next = next_change(ctx, t).min(bar + BAR);
                            let pcs = ctx.chord_at(t).pitch_classes(key);
                            let top = theory::nearest(pcs[1 % pcs.len()], center - 3);
                            let vel = w.vel(s, 0.7);
                            w.note(t, next - t - 0.05, top, vel);
                            w.note(t, next - t - 0.05, third_below(top), vel * 0.8);
                            t = next;
                        }
                    }
                }
            }
            Pat::Ep9 => {
                let hits: &[(f64, f64, f32)] = if lift {
                    &[
                        (0.0, 1.4, 1.0),
                        (1.5, 0.9, 0.75),
                        (2.5, 0.9, 0.85),
                        (3.5, 0.45, 0.7),
                    ]
                } else if hush {
                    &[(0.0, 3.8, 0.85)]
                } else {
                    &[(0.0, 2.4, 1.0), (2.5, 1.4, 0.8)]
                };
                for (_, bar) in bars(s) {
                    for &(at, dur, acc) in hits {
                        let t = bar + at;
                        let pcs = extended(ctx, ctx.chord_at(t), true);
                        let v = w.voicing(&pcs, if lift { 66 } else { 63 });
                        let vel = w.vel(s, acc);
                        for p in v {
                            w.note(t, dur, p, vel);
                        }
                    }
                }
            }
            Pat::BalladArp => {
                const SHAPE: [usize; 8] = [0, 2, 3, 1, 3, 2, 4, 2];
                for (_, bar) in bars(s) {
                    for k in 0..8 {
                        if hush && k % 2 == 1 {
                            continue;
                        }
                        let t = bar + k as f64 * 0.5;
                        let chord = ctx.chord_at(t);
                        let pcs = chord.pitch_classes(key);
                        let low = theory::nearest(chord.root_pc(key), 45);
                        let v = theory::voice(&pcs, w.prev.as_deref(), if lift { 69 } else { 64 });
                        let mut tones = vec![low, low + 7];
                        tones.extend(v.iter().copied());
                        let p = tones[SHAPE[k] % tones.len()];
                        let vel = w.vel(s, if k == 0 { 1.0 } else { 0.7 });
                        w.note(t, if k == 0 { 3.5 } else { 1.2 }, p, vel);
                        if lift && k == 0 {
                            // Choruses: the melody octave on the downbeat.
                            if let Some(top) = v.last() {
                                w.note(t, 1.8, top + 12, vel * 0.8);
                            }
                        }
                        w.prev = Some(v);
                    }
                }
            }
            Pat::Section => {
                // Four-part writing: the root below and three voice-led upper parts, held for
                // each chord; choruses re-bow in half notes with the top voice an octave up.
                for (_, v4, start, dur) in section_voicings(ctx, s) {
                    let vel = w.vel(s, 0.85);
                    let pieces: Vec<(f64, f64)> = if lift && dur >= 2.0 {
                        let mut v = Vec::new();
                        let mut t = start;
                        while t < start + dur - 1e-9 {
                            let d = (start + dur - t).min(2.0);
                            v.push((t, d));
                            t += d;
                        }
                        v
                    } else {
                        vec![(start, dur)]
                    };
                    for (t, d) in pieces {
                        for (i, p) in v4.iter().enumerate() {
                            let p = if lift && i == 3 { p + 12 } else { *p };
                            push(
                                &mut w.notes,
                                t,
                                d - 0.02,
                                p,
                                vel * if i == 0 { 0.9 } else { 1.0 },
                            );
                        }
                    }
                    w.prev = Some(v4[1..].to_vec());
                }
            }
            Pat::Double {
                voice,
                octave,
                lift_only,
            } => {
                if lift_only && !lift {
                    continue;
                }
                if hush {
                    continue;
                }
                for (_, v4, start, dur) in section_voicings(ctx, s) {
                    let vel = w.vel(s, 0.8);
                    let p = v4[voice.min(v4.len() - 1)] + octave;
                    push(&mut w.notes, start, dur - 0.05, p, vel);
                }
            }
            Pat::Hits => {
                // Brass: choruses get syncopated two-bar figures, verses one hit at the end of
                // every other bar.
                const FIG: [(f64, f64); 5] =
                    [(0.5, 0.4), (1.5, 0.3), (2.5, 0.9), (5.5, 0.4), (6.0, 1.4)];
                for (b, bar) in bars(s) {
                    let hits: Vec<(f64, f64)> = if lift {
                        FIG.iter()
                            .filter(|(at, _)| (*at >= 4.0) == (b % 2 == 1))
                            .map(|(at, d)| (at - if b % 2 == 1 { 4.0 } else { 0.0 }, *d))
                            .collect()
                    } else if !hush && b % 2 == 1 {
                        vec![(3.5, 0.4)]
                    } else {
                        Vec::new()
                    };
                    for (at, dur) in hits {
                        let t = bar + at;
                        let pcs = ctx.chord_at(t).pitch_classes(key);
                        let center = match l.sound {
                            Sound::Trombone => 60,
                            Sound::Sax => 67,
                            _ => 72,
                        };
                        let v = w.voicing(&pcs, center);
                        let vel = w.vel(s, 1.0);
                        // The top two voices: a section in thirds/sixths.
                        for p in v.iter().rev().take(2) {
                            w.note(t, dur, *p, vel);
                        }
                    }
                }
            }
            Pat::Counter { center } => {
                if hush && s.kind != SectionKind::Intro {
                    continue;
                }
                let mut t = s.start;
                let end = s.start + s.beats;
                let mut last = center;
                while t < end - 1e-9 {
                    let next = next_change(ctx, t).min(end);
                    let pcs = ctx.chord_at(t).pitch_classes(key);
                    // The chord tone nearest the last note: a smooth, slow line.
                    let p = pcs
                        .iter()
                        .map(|&q| theory::nearest(q, last))
                        .min_by_key(|p| ((p - last).abs(), *p))
                        .unwrap_or(last);
                    let p = if (p - center).abs() > 7 {
                        theory::nearest((p.rem_euclid(12)) as u8, center)
                    } else {
                        p
                    };
                    let vel = w.vel(s, 0.75);
                    w.note(t, next - t - 0.05, p + if lift { 12 } else { 0 }, vel);
                    last = p;
                    t = next;
                }
            }
            Pat::Boogie => {
                let swing = 1.0 / 6.0;
                let scale = scale_pcs(ctx);
                for (_, bar) in bars(s) {
                    for k in 0..8 {
                        if hush && k % 2 == 1 {
                            continue;
                        }
                        let t = bar + swung8(k, swing);
                        let chord = ctx.chord_at(t);
                        let root = theory::nearest(chord.root_pc(key), 43).clamp(40, 50);
                        let sixth_pc = (root + 9).rem_euclid(12) as u8;
                        let upper = if (k / 2) % 2 == 1 {
                            if scale.contains(&sixth_pc) {
                                root + 9
                            } else {
                                root + 8
                            }
                        } else {
                            root + 7
                        };
                        let vel = w.vel(s, if k % 2 == 0 { 0.95 } else { 0.7 });
                        w.note(t, 0.3, root, vel);
                        w.note(t, 0.3, upper, vel * 0.9);
                        if lift && k % 4 == 0 {
                            w.note(t, 0.3, root + 12, vel * 0.8);
                        }
                    }
                }
            }
        }
    }
}

/// The beat of the next chord change after `t` (or the end of the song).
fn next_change(ctx: &Ctx, t: f64) -> f64 {
    ctx.chords
        .iter()
        .map(|c| c.0)
        .find(|&c| c > t + 1e-6)
        .unwrap_or(ctx.total_beats)
        .min(ctx.total_beats)
}

/// The string writing of a section: for each chord span inside it, four voices (the root low,
/// then three voice-led parts) with start and length. Deterministic, so the woodwinds and horn
/// can double the same voices.
fn section_voicings(ctx: &Ctx, s: &SectionSpan) -> Vec<(usize, Vec<i32>, f64, f64)> {
    let key = ctx.brief.key;
    let end = s.start + s.beats;
    let mut out = Vec::new();
    let mut prev: Option<Vec<i32>> = None;
    let mut t = s.start;
    let mut i = 0;
    while t < end - 1e-9 {
        let next = next_change(ctx, t).min(end);
        let chord = ctx.chord_at(t);
        let pcs = chord.pitch_classes(key);
        let upper = theory::voice(&pcs, prev.as_deref(), 64);
        let bass = theory::nearest(chord.root_pc(key), 48);
        let mut v = vec![bass];
        v.extend(upper.iter().take(3).copied());
        while v.len() < 4 {
            let top = *v.last().unwrap_or(&60);
            v.push(top + 12);
        }
        prev = Some(upper);
        out.push((i, v, t, next - t));
        i += 1;
        t = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::resolve;
    use crate::compose::compose;
    use son1k_core::GenerationRequest;

    fn score(prompt: &str, seed: u64) -> (Brief, Score) {
        let mut req = GenerationRequest::new(prompt);
        req.seed = seed;
        req.duration_secs = Some(40.0);
        let b = resolve(&req);
        let s = compose(&b, &req);
        (b, s)
    }

    fn programs(s: &Score) -> Vec<u8> {
        s.parts
            .iter()
            .filter(|p| p.role != Role::Drums && !p.notes.is_empty())
            .map(|p| p.sound.gm_program())
            .collect()
    }

    fn part<'s>(s: &'s Score, name: &str) -> &'s Part {
        s.parts
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no {name} part in {:?}", names(s)))
    }

    fn names(s: &Score) -> Vec<String> {
        s.parts.iter().map(|p| p.name.clone()).collect()
    }

    /// Share of a part's onsets that fall off the beat.
    fn offbeat_share(p: &Part) -> f64 {
        let off = p
            .notes
            .iter()
            .filter(|n| {
                let f = n.start - n.start.round();
                f.abs() > 0.1
            })
            .count();
        off as f64 / p.notes.len().max(1) as f64
    }

    #[test]
    fn asked_for_instruments_are_played_or_explained() {
        let (b, s) = score("cumbia con acordeón", 1);
        assert!(b.instruments.contains(&Instrument::Accordion));
        assert!(programs(&s).contains(&21), "{:?}", names(&s));
        assert!(unplayed(&b, &s).is_empty());
        // A pop song gets the accordion, trumpet, cello and marimba it asks for.
        let (b, s) = score(
            "pop song with accordion, trumpet, cello, marimba and a tuba",
            2,
        );
        let progs = programs(&s);
        for gm in [21, 56, 42, 12, 58] {
            assert!(progs.contains(&gm), "GM {gm} missing from {progs:?}");
        }
        assert!(unplayed(&b, &s).is_empty(), "{:?}", unplayed(&b, &s));
        // Spanish words for every melodic and harmonic instrument are played.
        let (b, s) = score(
            "balada con guitarra acústica, violín, flauta, arpa, órgano y saxo",
            3,
        );
        assert_eq!(b.instruments.len(), 6, "{:?}", b.instruments);
        assert!(unplayed(&b, &s).is_empty(), "{:?}", unplayed(&b, &s));
        // Hand percussion the groove does not play is reported with a reason.
        let (b, s) = score("techno con bongós", 4);
        let u = unplayed(&b, &s);
        assert_eq!(u.len(), 1, "{u:?}");
        assert_eq!(u[0].0, "bongó");
        assert!(u[0].1.contains("drum"), "{}", u[0].1);
    }

    #[test]
    fn each_family_plays_its_defining_harmony_instruments() {
        // Salsa: a piano montuno, syncopated, in octaves.
        let (_, s) = score("salsa en re menor", 5);
        let montuno = part(&s, "keys");
        assert_eq!(montuno.sound.gm_program(), 0);
        assert!(offbeat_share(montuno) > 0.4, "{}", offbeat_share(montuno));
        assert!(programs(&s).contains(&56), "salsa trumpets");
        // Classical: string section, woodwinds and horn.
        let (_, s) = score("música clásica", 5);
        let progs = programs(&s);
        assert!(progs.contains(&48), "{progs:?}");
        assert!(progs.iter().any(|p| (68..=73).contains(p)), "{progs:?}");
        assert!(progs.contains(&60), "{progs:?}");
        // Metal: palm-muted distorted guitars on the low root.
        let (_, s) = score("metal in E minor", 5);
        let g = part(&s, "guitar");
        assert!(matches!(g.sound.gm_program(), 29 | 30));
        let short = g.notes.iter().filter(|n| n.dur <= 0.25).count();
        assert!(short * 2 > g.notes.len(), "palm mutes are short notes");
        assert!(g.notes.iter().all(|n| n.pitch <= 64));
        // Rock: power chords (root, fifth, octave).
        let (_, s) = score("rock 120 bpm in A major", 5);
        let g = part(&s, "guitar");
        assert_eq!(g.sound.gm_program(), 29);
        // Bachata: requinto arpeggios (one note at a time) and a rhythm guitar.
        let (_, s) = score("una bachata triste", 5);
        let r = part(&s, "requinto");
        assert!(matches!(r.sound.gm_program(), 24 | 25));
        let mut starts: Vec<f64> = r.notes.iter().map(|n| n.start).collect();
        starts.dedup_by(|a, b| (*a - *b).abs() < 0.05);
        assert!(starts.len() * 10 >= r.notes.len() * 9, "arpeggiated");
        // Country and folk: strummed steel-string guitar.
        for p in ["country song", "folk song"] {
            let (_, s) = score(p, 5);
            assert_eq!(part(&s, "guitar").sound.gm_program(), 25, "{p}");
        }
        // Corridos: accordion and a bajo sexto on beats 2 and 4.
        let (_, s) = score("un corrido tumbado", 5);
        assert!(programs(&s).contains(&21));
        let bs = part(&s, "bajo-sexto");
        let on_2_4 = bs
            .notes
            .iter()
            .filter(|n| {
                let b = n.start.rem_euclid(4.0);
                (b - 1.0).abs() < 0.1 || (b - 3.0).abs() < 0.1
            })
            .count();
        assert!(
            on_2_4 * 10 >= bs.notes.len() * 8,
            "{on_2_4}/{}",
            bs.notes.len()
        );
        // Reggae: the skank is off the beat.
        let (_, s) = score("reggae roots", 5);
        let g = part(&s, "guitar");
        assert!(g.notes.iter().all(|n| {
            let b = n.start.rem_euclid(4.0);
            (b - 1.0).abs() < 0.1
                || (b - 3.0).abs() < 0.1
                || (b - 3.5).abs() < 0.1
                || n.start >= s.total_beats
        }));
        // Jazz: shells with sevenths; funk: clav stabs; r&b: electric piano.
        let (_, s) = score("jazz trio", 5);
        assert_eq!(part(&s, "keys").sound.gm_program(), 0);
        assert_eq!(part(&s, "lead").sound.gm_program(), 65);
        let (_, s) = score("funk in E minor", 5);
        assert_eq!(part(&s, "keys").sound.gm_program(), 7);
        let (_, s) = score("r&b slow jam", 5);
        assert_eq!(part(&s, "keys").sound.gm_program(), 4);
    }

    #[test]
    fn families_give_distinct_keys_parts_and_choruses_lift() {
        let prompts = [
            "pop",
            "rock",
            "metal",
            "jazz",
            "blues",
            "funk",
            "r&b",
            "country",
            "folk",
            "ballad",
            "bolero",
            "salsa",
            "bachata",
            "merengue",
            "cumbia",
            "reggae",
            "corridos",
            "classical",
        ];
        let songs: Vec<(&str, Score)> = prompts.iter().map(|p| (*p, score(p, 11).1)).collect();
        for (i, (a, sa)) in songs.iter().enumerate() {
            let ka: Vec<&Part> = sa.parts.iter().filter(|p| p.role == Role::Keys).collect();
            for (b, sb) in &songs[i + 1..] {
                let kb: Vec<&Part> = sb.parts.iter().filter(|p| p.role == Role::Keys).collect();
                assert_ne!(ka, kb, "{a} and {b} have the same harmony parts");
            }
        }
        // Choruses are denser than verses (notes per beat over the harmony parts); rock's
        // choruses ring sustained power chords instead (fewer, longer notes).
        for (name, s) in songs.iter().filter(|(n, _)| *n != "rock") {
            let density = |kind: SectionKind| {
                let sec = s.sections.iter().find(|x| x.kind == kind)?;
                let n: usize = s
                    .parts
                    .iter()
                    .filter(|p| matches!(p.role, Role::Keys | Role::Pad))
                    .map(|p| {
                        p.notes
                            .iter()
                            .filter(|n| n.start >= sec.start && n.start < sec.start + sec.beats)
                            .count()
                    })
                    .sum();
                Some(n as f64 / sec.beats)
            };
            if let (Some(v), Some(c)) = (density(SectionKind::Verse), density(SectionKind::Chorus))
            {
                assert!(c >= v, "{name}: chorus {c} vs verse {v}");
            }
        }
    }
}
