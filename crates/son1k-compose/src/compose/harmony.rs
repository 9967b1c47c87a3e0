//! Harmony: the tonic chord and the choice of a section's chord progression.

use son1k_core::Mode;

use super::Feel;
use crate::brief::Brief;
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::theory::{Chord, Quality};

pub(super) fn tonic_chord(mode: Mode, sevenths: bool) -> Chord {
    let quality = match (mode, sevenths) {
        (Mode::Major, false) => Quality::Major,
        (Mode::Major, true) => Quality::Major7,
        (Mode::Minor, false) => Quality::Minor,
        (Mode::Minor, true) => Quality::Minor7,
    };
    Chord { root: 0, quality }
}

/// Picks a progression: Expressivity leans toward brighter (more major chords) or darker ones,
/// the seed breaks ties, Rareza swaps in borrowed chords and extensions.
pub(super) fn choose_progression(
    progs: &[&str],
    kind: SectionKind,
    feel: Feel,
    brief: &Brief,
    sevenths: bool,
    rng: &mut Rng,
) -> Vec<Chord> {
    let mut parsed: Vec<Vec<Chord>> = progs.iter().filter_map(|p| Chord::progression(p)).collect();
    if parsed.is_empty() {
        parsed.push(vec![tonic_chord(brief.key.mode, sevenths)]);
    }
    let brightness =
        |p: &Vec<Chord>| p.iter().filter(|c| !c.quality.is_minor()).count() as f32 / p.len() as f32;
    parsed.sort_by(|a, b| brightness(a).total_cmp(&brightness(b)));
    // Target position on the dark→bright list, jittered by the seed and the section.
    let jitter = rng.signed() * 0.35;
    let bias = match kind {
        SectionKind::Chorus => 0.1,
        SectionKind::Bridge => -0.1,
        _ => 0.0,
    };
    let pos = (feel.e + jitter + bias).clamp(0.0, 0.999);
    let mut prog = parsed[(pos * parsed.len() as f32) as usize].clone();
    // Rareza: borrowed chords (modal mixture) and colour tones.
    for (i, c) in prog.iter_mut().enumerate() {
        if i > 0 && rng.chance(feel.r * 0.45) {
            let borrowed: &[Chord] = match brief.key.mode {
                Mode::Major => &[
                    Chord {
                        root: 5,
                        quality: Quality::Minor,
                    },
                    Chord {
                        root: 8,
                        quality: Quality::Major,
                    },
                    Chord {
                        root: 10,
                        quality: Quality::Major,
                    },
                    Chord {
                        root: 3,
                        quality: Quality::Major,
                    },
                ],
                Mode::Minor => &[
                    Chord {
                        root: 5,
                        quality: Quality::Major,
                    },
                    Chord {
                        root: 1,
                        quality: Quality::Major,
                    },
                    Chord {
                        root: 2,
                        quality: Quality::Dominant7,
                    },
                    Chord {
                        root: 9,
                        quality: Quality::Diminished,
                    },
                ],
            };
            *c = *rng.pick(borrowed);
        }
        if rng.chance(feel.r * 0.6) {
            c.quality = match c.quality {
                Quality::Major => {
                    if rng.chance(0.5) {
                        Quality::Major9
                    } else {
                        Quality::Sus4
                    }
                }
                Quality::Minor | Quality::Minor7 => Quality::Minor9,
                q => q.with_seventh(),
            };
        }
    }
    prog
}
