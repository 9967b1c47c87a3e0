//! The keys (comping, arpeggios, power chords) and the held pad, voice-led from chord to chord.

use super::{push, Ctx};
use crate::brief::Instrument;
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::score::{Part, Role};
use crate::style::{Comping, Sound, Style};
use crate::theory;

pub(super) fn is_keys(i: Instrument) -> bool {
    matches!(
        i,
        Instrument::Piano
            | Instrument::ElectricPiano
            | Instrument::Organ
            | Instrument::Guitar
            | Instrument::AcousticGuitar
            | Instrument::ElectricGuitar
            | Instrument::DistortedGuitar
            | Instrument::Marimba
            | Instrument::Accordion
    )
}

pub(super) fn keys(ctx: &Ctx, comping: Comping, sound: Sound) -> Part {
    let mut rng = Rng::stream(ctx.seed, "keys");
    let mut notes = Vec::new();
    let mut prev: Option<Vec<i32>> = None;
    for s in ctx.sections {
        let bars = (s.beats / 4.0) as u32;
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            // Every hit reads the chord at its own beat (chords may change inside a bar).
            let mut voicing_at = |t: f64| {
                let pcs = ctx.chord_at(t).pitch_classes(ctx.brief.key);
                let v = theory::voice(&pcs, prev.as_deref(), 62);
                prev = Some(v.clone());
                v
            };
            let hits: Vec<(f64, f64, f32)> = match comping {
                Comping::Eighths => (0..8)
                    .map(|k| (k as f64 * 0.5, 0.4, if k % 2 == 0 { 1.0 } else { 0.7 }))
                    .collect(),
                Comping::Power => {
                    if s.energy >= 0.8 {
                        vec![(0.0, 1.9, 1.0), (2.0, 1.9, 0.9)]
                    } else {
                        (0..8).map(|k| (k as f64 * 0.5, 0.3, 0.8)).collect()
                    }
                }
                Comping::Sparse => vec![(0.0, 1.5, 1.0), (2.5, 1.0, 0.8)],
                Comping::OffbeatStab => (0..4).map(|k| (k as f64 + 0.5, 0.3, 0.9)).collect(),
                Comping::Sixteenths => [0usize, 2, 4, 6, 7, 10, 12, 14, 15]
                    .iter()
                    .map(|k| (*k as f64 * 0.25, 0.15, if k % 4 == 0 { 1.0 } else { 0.7 }))
                    .collect(),
                Comping::Arpeggio | Comping::Broken => Vec::new(),
                Comping::None => Vec::new(),
            };
            let energy = s.energy;
            match comping {
                Comping::Arpeggio | Comping::Broken => {
                    // Broken chords: bass note, then the voicing up and down in eighths.
                    let step = if ctx.brief.bpm < 96 {
                        1.0
                    } else if ctx.feel.e > 0.75 && energy > 0.7 {
                        0.25
                    } else {
                        0.5
                    };
                    let n = (4.0 / step) as usize;
                    for k in 0..n {
                        let at = bar_start + k as f64 * step;
                        let voicing = voicing_at(at);
                        let root = theory::nearest(ctx.chord_at(at).root_pc(ctx.brief.key), 50);
                        let mut seq: Vec<i32> = vec![root];
                        seq.extend(voicing.iter().copied());
                        seq.extend(voicing.iter().rev().skip(1).copied());
                        let p = seq[k % seq.len()];
                        let t = bar_start + k as f64 * step + ctx.humanize(&mut rng);
                        let on_beat = (k as f64 * step).fract() == 0.0;
                        let accent = if k == 0 {
                            1.0
                        } else if on_beat {
                            0.8
                        } else {
                            0.5
                        };
                        let vel = ctx.vel(energy, accent, &mut rng);
                        push(&mut notes, t, step * 1.8, p, vel);
                    }
                }
                Comping::Power => {
                    for (at, dur, acc) in hits {
                        let root = theory::nearest(
                            ctx.chord_at(bar_start + at).root_pc(ctx.brief.key),
                            47,
                        );
                        let t = bar_start + at + ctx.humanize(&mut rng);
                        let vel = ctx.vel(energy, acc, &mut rng);
                        for p in [root, root + 7, root + 12] {
                            push(&mut notes, t, dur, p, vel);
                        }
                    }
                }
                _ => {
                    if energy < 0.35 && comping != Comping::Sparse {
                        // Quiet sections: the bar's chords held.
                        let vel = ctx.vel(energy, 0.9, &mut rng);
                        let mut t = bar_start;
                        while t < bar_start + 4.0 - 1e-9 {
                            let next = ctx
                                .chords
                                .iter()
                                .map(|c| c.0)
                                .find(|&c| c > t + 1e-6)
                                .unwrap_or(bar_start + 4.0)
                                .min(bar_start + 4.0);
                            for p in voicing_at(t) {
                                push(&mut notes, t, next - t - 0.2, p, vel);
                            }
                            t = next;
                        }
                        continue;
                    }
                    for (at, dur, acc) in hits {
                        let voicing = voicing_at(bar_start + at);
                        let t = bar_start + at + ctx.humanize(&mut rng);
                        let vel = ctx.vel(energy, acc, &mut rng);
                        for &p in &voicing {
                            push(&mut notes, t, dur, p, vel);
                        }
                    }
                }
            }
        }
    }
    let chord = ctx.chord_at(ctx.total_beats);
    for p in theory::voice(&chord.pitch_classes(ctx.brief.key), prev.as_deref(), 62) {
        push(&mut notes, ctx.total_beats, 4.0, p, 0.7);
    }
    Part {
        name: "keys".into(),
        role: Role::Keys,
        sound,
        pan: -0.25,
        gain_db: -5.0,
        notes,
    }
}

pub(super) fn pad(ctx: &Ctx, sound: Sound) -> Part {
    let mut notes = Vec::new();
    let mut prev: Option<Vec<i32>> = None;
    let mut rng = Rng::stream(ctx.seed, "pad");
    for s in ctx.sections {
        // Pads carry quiet sections and lift choruses; verses leave room.
        let plays = matches!(
            s.kind,
            SectionKind::Intro
                | SectionKind::Chorus
                | SectionKind::Bridge
                | SectionKind::Breakdown
                | SectionKind::Outro
                | SectionKind::PreChorus
        ) || ctx.brief.style == Style::Ambient;
        if !plays {
            prev = None;
            continue;
        }
        // One held chord per chord span (chords may change inside a bar or last several).
        let end = s.start + s.beats;
        let mut t = s.start;
        while t < end - 1e-9 {
            let next = ctx
                .chords
                .iter()
                .map(|c| c.0)
                .find(|&c| c > t + 1e-6)
                .unwrap_or(end)
                .min(end);
            let chord = ctx.chord_at(t);
            let v = theory::voice(&chord.pitch_classes(ctx.brief.key), prev.as_deref(), 67);
            let vel = ctx.vel(s.energy, 0.8, &mut rng);
            for &p in &v {
                push(&mut notes, t, next - t, p, vel);
            }
            prev = Some(v);
            t = next;
        }
    }
    let chord = ctx.chord_at(ctx.total_beats);
    for p in theory::voice(&chord.pitch_classes(ctx.brief.key), prev.as_deref(), 67) {
        push(&mut notes, ctx.total_beats, 4.0, p, 0.6);
    }
    Part {
        name: "pad".into(),
        role: Role::Pad,
        sound,
        pan: 0.2,
        gain_db: -9.0,
        notes,
    }
}
