//! The instrumental lead: two-bar motifs per section kind, varied and landed on chord tones.

use super::{push, Ctx};
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::score::{Part, Role};
use crate::style::Sound;
use crate::theory;

/// A two-bar motif: (start in beats, length in beats, scale step relative to the previous note).
type Motif = Vec<(f64, f64, i32)>;

fn make_motif(rng: &mut Rng, density: f32) -> Motif {
    // Rhythm: a grid of eighths (sixteenths when dense, quarters when calm), some rests.
    let grid = if density > 0.75 {
        0.25
    } else if density < 0.3 {
        1.0
    } else {
        0.5
    };
    let slots = (8.0 / grid) as usize;
    let fill = 0.45 + 0.35 * density;
    let mut out = Vec::new();
    let mut k = 0;
    while k < slots.saturating_sub(2) {
        let on_beat = (k as f64 * grid).fract() == 0.0;
        if rng.chance(if on_beat { fill + 0.2 } else { fill }) {
            let len_slots = 1 + rng.below(if grid < 0.5 { 2 } else { 3 }) as usize;
            let step = match rng.below(10) {
                0..=3 => 1,
                4..=6 => -1,
                7 => 2,
                8 => -2,
                _ => 0,
            };
            out.push((k as f64 * grid, len_slots as f64 * grid * 0.9, step));
            k += len_slots;
        } else {
            k += 1;
        }
    }
    if out.is_empty() {
        out.push((0.0, 2.0, 0));
    }
    out
}

pub(super) fn lead(ctx: &Ctx, sound: Sound, sung: bool) -> Part {
    let mut rng = Rng::stream(ctx.seed, "lead");
    let mode = ctx.brief.key.mode;
    let tonic = 60 + ctx.tonic();
    let tonic = if tonic > 66 { tonic - 12 } else { tonic };
    let mut notes = Vec::new();
    let mut motifs: Vec<(SectionKind, Motif)> = Vec::new();
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
                    | SectionKind::Bridge
                    | SectionKind::Breakdown
            )
        };
        if !plays {
            continue;
        }
        let density = (ctx.feel.e * 0.7 + s.energy * 0.4).min(1.0);
        let motif = match motifs.iter().find(|m| m.0 == s.kind) {
            Some(m) => m.1.clone(),
            None => {
                let m = make_motif(&mut rng, density);
                motifs.push((s.kind, m.clone()));
                m
            }
        };
        let register = if s.kind == SectionKind::Chorus { 4 } else { 2 };
        let bars = (s.beats / 4.0) as u32;
        let mut phrase = 0;
        while phrase * 2 < bars {
            let phrase_start = s.start + phrase as f64 * 8.0;
            let mut degree = register;
            let last_phrase_of_four = phrase % 4 == 3 || (phrase + 1) * 2 >= bars;
            for (i, &(at, dur, step)) in motif.iter().enumerate() {
                let t = phrase_start + at;
                if t >= s.start + s.beats {
                    break;
                }
                // Variation: the second phrase of each pair bends the motif's tail.
                let mut st = step;
                if phrase % 2 == 1 && i + 2 >= motif.len() {
                    st = -step;
                }
                degree = (degree + st).clamp(-2, 9);
                let mut pitch = theory::degree_to_midi(mode, tonic, degree);
                // Strong beats land on chord tones.
                if at.fract() == 0.0 && (at as i64) % 2 == 0 {
                    let chord = ctx.chord_at(t);
                    let pcs = chord.pitch_classes(ctx.brief.key);
                    pitch = pcs
                        .iter()
                        .map(|pc| theory::nearest(*pc, pitch))
                        .min_by_key(|p| (p - pitch).abs())
                        .unwrap_or(pitch);
                }
                // Phrase ends come home to the tonic.
                if last_phrase_of_four && i + 1 == motif.len() {
                    pitch = theory::nearest(ctx.tonic() as u8, pitch);
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
            phrase += 1;
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
