//! The bass part: each bass line's one-bar pattern on the chord roots, fifths and approaches.

use super::{push, Ctx};
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::score::{Part, Role};
use crate::style::{BassLine, Sound};
use crate::theory;

pub(super) fn bass(ctx: &Ctx, line: BassLine, sound: Sound) -> Part {
    let mut rng = Rng::stream(ctx.seed, "bass");
    let mut notes = Vec::new();
    let center = if sound == Sound::SubBass { 34 } else { 38 };
    for s in ctx.sections {
        let bars = (s.beats / 4.0) as u32;
        if s.energy < 0.3 && s.kind == SectionKind::Intro && line != BassLine::Drone {
            continue;
        }
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let chord = ctx.chord_at(bar_start);
            let next = ctx.chord_at(bar_start + 4.0);
            let root = theory::nearest(chord.root_pc(ctx.brief.key), center);
            let fifth = root + 7;
            let octave = root + 12;
            let next_root = theory::nearest(next.root_pc(ctx.brief.key), center);
            let approach = if next_root > root {
                next_root - 1
            } else {
                next_root + 1
            };
            let pattern: &[(f64, f64, i32)] = match line {
                BassLine::Eighths => &[
                    (0.0, 0.45, 0),
                    (0.5, 0.45, 0),
                    (1.0, 0.45, 0),
                    (1.5, 0.45, 0),
                    (2.0, 0.45, 0),
                    (2.5, 0.45, 0),
                    (3.0, 0.45, 0),
                    (3.5, 0.45, 0),
                ],
                BassLine::Sparse => &[(0.0, 1.5, 0), (2.0, 0.9, 0), (3.0, 0.9, 1)],
                BassLine::Sub808 => &[(0.0, 1.2, 0), (1.5, 0.4, 0), (2.0, 0.7, 0), (3.0, 0.8, 0)],
                BassLine::Dembow => &[
                    (0.0, 0.9, 0),
                    (1.0, 0.9, 0),
                    (2.0, 0.9, 0),
                    (3.0, 0.7, 0),
                    (3.75, 0.2, 1),
                ],
                BassLine::Offbeat => &[
                    (0.5, 0.35, 0),
                    (1.5, 0.35, 0),
                    (2.5, 0.35, 0),
                    (3.5, 0.35, 2),
                ],
                BassLine::Rolling => &[
                    (0.25, 0.2, 0),
                    (0.5, 0.2, 0),
                    (0.75, 0.2, 0),
                    (1.25, 0.2, 0),
                    (1.5, 0.2, 0),
                    (1.75, 0.2, 0),
                    (2.25, 0.2, 0),
                    (2.5, 0.2, 0),
                    (2.75, 0.2, 0),
                    (3.25, 0.2, 0),
                    (3.5, 0.2, 2),
                    (3.75, 0.2, 0),
                ],
                BassLine::Drone => &[(0.0, 3.9, 0)],
                BassLine::RootFifth => {
                    &[(0.0, 0.9, 0), (1.5, 0.4, 0), (2.0, 0.9, 1), (3.5, 0.4, 1)]
                }
                BassLine::Walking => &[
                    (0.0, 0.95, 0),
                    (1.0, 0.95, 1),
                    (2.0, 0.95, 2),
                    (3.0, 0.95, 3),
                ],
                BassLine::Octaves => &[
                    (0.0, 0.3, 0),
                    (0.5, 0.2, 2),
                    (1.0, 0.3, 0),
                    (1.5, 0.2, 2),
                    (2.0, 0.3, 0),
                    (2.5, 0.2, 2),
                    (3.0, 0.3, 1),
                    (3.5, 0.2, 2),
                ],
                BassLine::Long => &[(0.0, 2.4, 0), (2.5, 1.4, 0)],
            };
            // Low energy: only the downbeats.
            let sparse = s.energy < 0.4;
            for &(at, dur, which) in pattern {
                if sparse && at.fract() != 0.0 {
                    continue;
                }
                let pitch = match which {
                    0 => root,
                    1 => fifth,
                    2 => octave,
                    _ => approach,
                };
                let t = bar_start + at + ctx.humanize(&mut rng) * 0.5;
                let accent = if at == 0.0 { 1.0 } else { 0.85 };
                let vel = ctx.vel(s.energy.max(0.5), accent, &mut rng);
                push(&mut notes, t, dur, pitch, vel);
            }
        }
    }
    let root = theory::nearest(ctx.tonic() as u8, center);
    push(&mut notes, ctx.total_beats, 3.0, root, 0.8);
    Part {
        name: "bass".into(),
        role: Role::Bass,
        sound,
        pan: 0.0,
        gain_db: -1.0,
        notes,
    }
}
