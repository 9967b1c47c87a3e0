//! The sung melody: lyric lines placed in the form and their syllables set to notes.

use super::Ctx;
use crate::form::{PlannedSection, SectionKind};
use crate::lyrics::{LyricSection, Syllable};
use crate::rng::Rng;
use crate::score::{Note, SectionSpan, SungSyllable};
use crate::theory;

/// One lyric line placed in the form: its syllables, first beat and length in bars.
#[derive(Debug, Clone)]
pub(super) struct LinePlan {
    syllables: Vec<Syllable>,
    start_bar: u32,
    bars: u32,
    kind: SectionKind,
}

fn line_bars(n: usize) -> u32 {
    if n <= 12 {
        2
    } else {
        4
    }
}

/// Sections from tagged lyrics: an instrumental intro and outro around the sung sections.
pub(super) fn plan_from_lyrics(sections: &[LyricSection]) -> (Vec<PlannedSection>, Vec<LinePlan>) {
    let mut planned = Vec::new();
    let mut lines = Vec::new();
    let mut bar = 0u32;
    if sections
        .first()
        .is_none_or(|s| s.kind != SectionKind::Intro)
    {
        planned.push(PlannedSection {
            kind: SectionKind::Intro,
            bars: 4,
            energy: SectionKind::Intro.base_energy(),
        });
        bar += 4;
    }
    let chorus_count = sections
        .iter()
        .filter(|s| s.kind == SectionKind::Chorus)
        .count();
    let mut chorus_seen = 0;
    for s in sections {
        let mut bars = 0;
        for l in &s.lines {
            let b = line_bars(l.len());
            lines.push(LinePlan {
                syllables: l.clone(),
                start_bar: bar + bars,
                bars: b,
                kind: s.kind,
            });
            bars += b;
        }
        let bars = bars.max(4).div_ceil(2) * 2;
        let mut energy = s.kind.base_energy();
        if s.kind == SectionKind::Chorus {
            chorus_seen += 1;
            if chorus_seen == chorus_count && chorus_count > 1 {
                energy = 1.0;
            }
        }
        planned.push(PlannedSection {
            kind: s.kind,
            bars,
            energy,
        });
        bar += bars;
    }
    if sections.last().is_none_or(|s| s.kind != SectionKind::Outro) {
        planned.push(PlannedSection {
            kind: SectionKind::Outro,
            bars: 4,
            energy: SectionKind::Outro.base_energy(),
        });
    }
    (planned, lines)
}

fn section_at<'a>(ctx: &Ctx<'a>, beat: f64) -> &'a SectionSpan {
    let i = ctx.sections.partition_point(|s| s.start <= beat + 1e-9);
    &ctx.sections[i.saturating_sub(1)]
}

/// Places each line's syllables on an eighth (or sixteenth) grid with stressed syllables on strong
/// beats, and picks pitches: stressed syllables on chord tones, line ends on stable degrees.
pub(super) fn sung_melody(ctx: &Ctx, lines: &[LinePlan]) -> (Vec<Note>, Vec<SungSyllable>) {
    let mut rng = Rng::stream(ctx.seed, "vocal");
    let mode = ctx.brief.key.mode;
    let tonic = 57 + ctx.tonic();
    let tonic = if tonic > 62 { tonic - 12 } else { tonic };
    let mut notes = Vec::new();
    let mut sung = Vec::new();
    let mut contours: Vec<(SectionKind, Vec<i32>)> = Vec::new();
    for line in lines {
        let n = line.syllables.len();
        if n == 0 {
            continue;
        }
        let beats = line.bars as f64 * 4.0;
        let grid = if n as f64 <= beats * 2.0 * 0.8 {
            0.5
        } else {
            0.25
        };
        let slots = (beats / grid) as usize;
        let usable = slots.saturating_sub((1.0 / grid) as usize).max(n);
        let strong_every = (2.0 / grid) as usize; // beats 1 and 3
        let beat_every = (1.0 / grid) as usize;
        // Even spread, then pull stressed syllables onto strong positions keeping order.
        let mut pos: Vec<usize> = (0..n).map(|i| i * usable / n).collect();
        for i in 0..n {
            if !line.syllables[i].stressed {
                continue;
            }
            let lo = if i == 0 { 0 } else { pos[i - 1] + 1 };
            let hi = if i + 1 == n { usable } else { pos[i + 1] - 1 };
            let best = (lo..=hi.max(lo))
                .filter(|p| p % beat_every == 0)
                .min_by_key(|p| {
                    let strong_bonus = if p % strong_every == 0 { 0 } else { 1 };
                    (p.abs_diff(pos[i]) * 2 + strong_bonus, *p)
                });
            if let Some(b) = best {
                pos[i] = b;
            }
        }
        // Contour per section kind: choruses sit higher.
        let base = match line.kind {
            SectionKind::Chorus => 4,
            SectionKind::Bridge => 3,
            _ => 1,
        };
        let contour = match contours.iter().find(|c| c.0 == line.kind) {
            Some(c) => c.1.clone(),
            None => {
                let c: Vec<i32> = (0..16)
                    .map(|_| match rng.below(6) {
                        0 | 1 => 1,
                        2 | 3 => -1,
                        4 => 0,
                        _ => 2,
                    })
                    .collect();
                contours.push((line.kind, c.clone()));
                c
            }
        };
        let line_start = line.start_bar as f64 * 4.0;
        let mut degree = base;
        for i in 0..n {
            let t = line_start + pos[i] as f64 * grid;
            let next_t = if i + 1 < n {
                line_start + pos[i + 1] as f64 * grid
            } else {
                line_start + beats - 0.5
            };
            let dur = (next_t - t).clamp(grid * 0.9, 2.0) * 0.95;
            degree = (degree + contour[i % contour.len()]).clamp(base - 3, base + 5);
            let mut pitch = theory::degree_to_midi(mode, tonic, degree);
            let syl = &line.syllables[i];
            if syl.stressed || i + 1 == n {
                let chord = ctx.chord_at(t);
                let pcs = if i + 1 == n {
                    vec![ctx.tonic() as u8, chord.root_pc(ctx.brief.key)]
                } else {
                    chord.pitch_classes(ctx.brief.key)
                };
                pitch = pcs
                    .iter()
                    .map(|pc| theory::nearest(*pc, pitch))
                    .min_by_key(|p| (p - pitch).abs())
                    .unwrap_or(pitch);
            }
            let section_energy = section_at(ctx, t).energy;
            let vel = ctx.vel(
                section_energy.max(0.6),
                if syl.stressed { 1.0 } else { 0.78 },
                &mut rng,
            );
            notes.push(Note {
                start: t,
                dur,
                pitch: pitch.clamp(0, 127) as u8,
                vel,
                vowel: Some(syl.vowel),
            });
            sung.push(SungSyllable {
                text: syl.text.clone(),
                start: t,
                pitch: pitch.clamp(0, 127) as u8,
                stressed: syl.stressed,
            });
        }
    }
    (notes, sung)
}
