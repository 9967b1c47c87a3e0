//! The instrumental lead: a one-bar motif per section kind, developed phrase by phrase.
//!
//! Every four bars make a phrase: the motif on the bar's chord, its sequence on the next chord,
//! a transformation (inversion, rhythmic variation or augmentation) and a cadence bar. Phrases
//! alternate call (ending off the tonic) and response (coming home). The register climbs from
//! the verse through the pre-chorus to the chorus, an octave above the verse; later passes of
//! a section vary the motif instead of copying it. Strong beats take tones of the chord that
//! sounds at that beat.

use super::{push, Ctx};
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::score::{Part, Role};
use crate::style::Sound;
use crate::theory;

/// A one-bar motif: (start in the bar in beats, length in beats, scale steps above its anchor).
type Motif = Vec<(f64, f64, i32)>;

fn make_motif(rng: &mut Rng, density: f32) -> Motif {
    // Rhythm: a grid of eighths (sixteenths when dense, quarters when calm), some rests.
    let grid = if density > 0.75 {
        0.25
    } else if density < 0.4 {
        1.0
    } else {
        0.5
    };
    let slots = (4.0 / grid) as usize;
    let fill = (0.2 + 0.75 * density).min(0.95);
    let mut out: Motif = Vec::new();
    let mut degree = 0;
    let mut k = 0;
    while k < slots {
        let on_beat = (k as f64 * grid).fract() == 0.0;
        if k == 0 || rng.chance(if on_beat { fill + 0.2 } else { fill }) {
            let len_slots = (1 + rng.below(if grid < 0.5 { 2 } else { 3 }) as usize).min(slots - k);
            if !out.is_empty() {
                degree += match rng.below(10) {
                    0..=3 => 1,
                    4..=6 => -1,
                    7 => 2,
                    8 => -2,
                    _ => 3,
                };
                degree = degree.clamp(-3, 5);
            }
            out.push((k as f64 * grid, len_slots as f64 * grid * 0.9, degree));
            k += len_slots;
        } else {
            k += 1;
        }
    }
    if out.len() < 2 {
        out = vec![(0.0, 1.8, 0), (2.0, 1.8, 2)];
    }
    out
}

/// The motif upside down (its contour mirrored around the anchor).
fn invert(m: &Motif) -> Motif {
    m.iter().map(|&(a, d, s)| (a, d, -s)).collect()
}

/// The motif with one note split in two or two notes joined.
fn vary_rhythm(m: &Motif, rng: &mut Rng) -> Motif {
    let mut out = m.clone();
    let i = rng.below(out.len() as u32) as usize;
    let (a, d, s) = out[i];
    if d >= 0.8 {
        let half = (d / 2.0 * 4.0).round() / 4.0;
        out[i] = (a, half * 0.9, s);
        out.insert(
            i + 1,
            (
                a + half,
                half * 0.9,
                s + if rng.chance(0.5) { 1 } else { -1 },
            ),
        );
    } else if i + 1 < out.len() {
        let next = out.remove(i + 1);
        out[i] = (a, next.0 + next.1 - a, s);
    } else {
        out[i] = (a, d, s + 1);
    }
    out
}

/// The motif's first notes at half speed.
fn augment(m: &Motif) -> Motif {
    m.iter()
        .filter(|n| n.0 < 2.0)
        .map(|&(a, d, s)| (a * 2.0, (d * 2.0).min(4.0 - a * 2.0), s))
        .collect()
}

/// The motif's first half, then a long note for the cadence (`None` marks the target note);
/// with Expressivity a pickup run leads into the next phrase.
fn cadence(m: &Motif, pickup: bool) -> Vec<(f64, f64, Option<i32>)> {
    let mut out: Vec<(f64, f64, Option<i32>)> = m
        .iter()
        .filter(|n| n.0 < 2.0)
        .map(|&(a, d, s)| (a, d.min(2.0 - a), Some(s)))
        .collect();
    if pickup {
        out.push((2.0, 1.0, None));
        for (k, st) in [(0, -2), (1, -1), (2, 0), (3, 1)] {
            out.push((3.0 + k as f64 * 0.25, 0.22, Some(st)));
        }
    } else {
        out.push((2.0, 1.8, None));
    }
    out
}

/// The scale degree of `pitch` (the nearest one at or below it).
fn degree_of(mode: son1k_core::Mode, tonic_midi: i32, pitch: i32) -> i32 {
    let mut d = ((pitch - tonic_midi) as f64 / 12.0 * 7.0).floor() as i32 - 1;
    while theory::degree_to_midi(mode, tonic_midi, d + 1) <= pitch {
        d += 1;
    }
    d
}

/// Where each section's lead sits, in scale degrees above the tonic: rising into the chorus.
fn register(kind: SectionKind) -> i32 {
    match kind {
        SectionKind::Intro | SectionKind::Outro => 2,
        SectionKind::Verse => 1,
        SectionKind::PreChorus => 4,
        SectionKind::Chorus => 8,
        SectionKind::Bridge => 5,
        SectionKind::Breakdown => 3,
    }
}

pub(super) fn lead(ctx: &Ctx, sound: Sound, sung: bool) -> Part {
    let mut rng = Rng::stream(ctx.seed, "lead");
    let mode = ctx.brief.key.mode;
    let key = ctx.brief.key;
    let tonic = 60 + ctx.tonic();
    let tonic = if tonic > 66 { tonic - 12 } else { tonic };
    let mut notes = Vec::new();
    let mut motifs: Vec<(SectionKind, Motif, u32)> = Vec::new();
    for s in ctx.sections {
        // The lead answers the singer: with vocals it only plays intros, bridges and outros.
        let plays = if sung {
            matches!(
                s.kind,
                SectionKind::Intro
                    | SectionKind::Bridge
                    | SectionKind::Breakdown
                    | SectionKind::Outro
            ) && s.energy > 0.25
        } else {
            matches!(
                s.kind,
                SectionKind::Chorus
                    | SectionKind::Verse
                    | SectionKind::PreChorus
                    | SectionKind::Bridge
                    | SectionKind::Breakdown
            )
        };
        if !plays {
            continue;
        }
        let density = (ctx.feel.e * 0.7 + s.energy * 0.4).min(1.0);
        // The motif of the section kind; `pass` counts how often the kind has played.
        let (motif, pass) = match motifs.iter_mut().find(|m| m.0 == s.kind) {
            Some(m) => {
                m.2 += 1;
                (m.1.clone(), m.2)
            }
            None => {
                let m = make_motif(&mut rng, density);
                motifs.push((s.kind, m.clone(), 0));
                (m, 0)
            }
        };
        let bars = (s.beats / 4.0).round() as u32;
        let base = register(s.kind);
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let phrase = b / 4;
            let in_phrase = b % 4;
            let last_bar = b + 1 == bars;
            // The pre-chorus climbs a step each phrase; answers sit a little lower.
            let climb = if s.kind == SectionKind::PreChorus {
                phrase as i32
            } else {
                0
            };
            let reg = base + climb - (phrase % 2) as i32;
            let chord = ctx.chord_at(bar_start);
            let pcs = chord.pitch_classes(key);
            let anchor_pitch = pcs
                .iter()
                .map(|pc| theory::nearest(*pc, theory::degree_to_midi(mode, tonic, reg)))
                .min_by_key(|p| (p - theory::degree_to_midi(mode, tonic, reg)).abs())
                .unwrap_or(tonic);
            let anchor = degree_of(mode, tonic, anchor_pitch);
            let answer = phrase % 2 == 1 || last_bar;
            let cell: Vec<(f64, f64, Option<i32>)> = if in_phrase == 3 || last_bar {
                cadence(&motif, !last_bar && density > 0.7)
            } else {
                let m = match (in_phrase, pass > 0 || phrase > 1) {
                    (0, _) => motif.clone(),
                    (1, false) => motif.clone(),
                    (1, true) => vary_rhythm(&motif, &mut rng),
                    _ => match rng.below(3) {
                        0 => invert(&motif),
                        1 => augment(&motif),
                        _ => vary_rhythm(&invert(&motif), &mut rng),
                    },
                };
                m.into_iter().map(|(a, d, st)| (a, d, Some(st))).collect()
            };
            for (at, dur, step) in cell {
                let t = bar_start + at;
                if t >= s.start + s.beats {
                    break;
                }
                let mut pitch = match step {
                    Some(st) => theory::degree_to_midi(mode, tonic, anchor + st),
                    None => {
                        // Cadence: answers come home to the tonic, calls stop on the 2nd or 5th.
                        let target = if answer {
                            7 * ((anchor + 3).div_euclid(7))
                        } else if rng.chance(0.5) {
                            7 * anchor.div_euclid(7) + 4
                        } else {
                            7 * anchor.div_euclid(7) + 1
                        };
                        theory::degree_to_midi(mode, tonic, target)
                    }
                };
                // Strong beats land on the tones of the chord sounding there.
                let strong = at.fract() == 0.0 && (at as i64) % 2 == 0;
                if strong && step.is_some() {
                    let c = ctx.chord_at(t);
                    pitch = c
                        .pitch_classes(key)
                        .iter()
                        .map(|pc| theory::nearest(*pc, pitch))
                        .min_by_key(|p| (p - pitch).abs())
                        .unwrap_or(pitch);
                }
                // Rareza: chromatic neighbours.
                if ctx.feel.r > 0.3 && rng.chance(ctx.feel.r * 0.15) && at.fract() != 0.0 {
                    pitch += if rng.chance(0.5) { 1 } else { -1 };
                }
                let vel = ctx.vel(
                    s.energy,
                    if at.fract() == 0.0 { 1.0 } else { 0.8 },
                    &mut rng,
                );
                push(
                    &mut notes,
                    t + ctx.humanize(&mut rng) * 0.5,
                    dur,
                    pitch,
                    vel,
                );
            }
        }
    }
    Part {
        name: "lead".into(),
        role: Role::Lead,
        sound,
        pan: 0.15,
        gain_db: -6.0,
        notes,
    }
}
