//! The bass part: each bass line's one-bar pattern, every note on the chord sounding at its own
//! beat (chords may change inside a bar), plus the walking bass that is written beat by beat.

use super::{push, Ctx};
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::score::{Part, Role};
use crate::style::{BassLine, Sound};
use crate::theory::{self, Chord};

/// Which note of the chord a pattern step plays.
#[derive(Debug, Clone, Copy, PartialEq)]
enum T {
    /// Root.
    R,
    /// Fifth above the root.
    F,
    /// Fifth below the root.
    Lf,
    /// Octave above the root.
    O,
    /// The chord's third.
    Th,
    /// The sixth above the root (boogie).
    Six,
    /// The chord's seventh, or the flat seventh (boogie).
    Sev,
    /// A half step under or over the next chord's root.
    A,
    /// The root of the chord one beat later (an anticipation).
    N,
    /// The fifth of the chord half a beat later (the tumbao's "and of 2").
    Nf,
}

/// The one-bar pattern of a bass line: (beat, length, note). Bar parity varies some lines.
fn pattern(line: BassLine, odd_bar: bool) -> &'static [(f64, f64, T)] {
    use T::*;
    match line {
        BassLine::Eighths => &[
            (0.0, 0.45, R),
            (0.5, 0.45, R),
            (1.0, 0.45, R),
            (1.5, 0.45, R),
            (2.0, 0.45, R),
            (2.5, 0.45, R),
            (3.0, 0.45, R),
            (3.5, 0.45, R),
        ],
        BassLine::Driving => &[
            (0.0, 0.45, R),
            (0.5, 0.45, R),
            (1.0, 0.45, R),
            (1.5, 0.45, R),
            (2.0, 0.45, R),
            (2.5, 0.45, R),
            (3.0, 0.45, R),
            (3.5, 0.2, R),
            (3.75, 0.2, R),
        ],
        BassLine::Sparse => &[(0.0, 1.5, R), (2.0, 0.9, R), (3.0, 0.9, F)],
        BassLine::Sub808 => &[(0.0, 1.2, R), (1.5, 0.4, R), (2.0, 0.7, R), (3.0, 0.8, R)],
        // Long, overlapping notes: the 808 slides from one into the next.
        BassLine::Glide808 => {
            if odd_bar {
                &[(0.0, 1.6, R), (1.5, 0.6, R), (2.0, 1.1, O), (3.0, 1.05, R)]
            } else {
                &[(0.0, 2.1, R), (2.0, 0.8, R), (2.75, 1.3, F)]
            }
        }
        BassLine::Dembow => &[
            (0.0, 0.9, R),
            (1.0, 0.9, R),
            (2.0, 0.9, R),
            (3.0, 0.7, R),
            (3.75, 0.2, F),
        ],
        BassLine::DembowRd => &[
            (0.0, 0.4, R),
            (0.75, 0.2, R),
            (1.5, 0.4, F),
            (2.0, 0.4, R),
            (2.75, 0.2, R),
            (3.5, 0.4, O),
        ],
        BassLine::Offbeat => &[
            (0.5, 0.35, R),
            (1.5, 0.35, R),
            (2.5, 0.35, R),
            (3.5, 0.35, O),
        ],
        BassLine::Rolling => &[
            (0.25, 0.2, R),
            (0.5, 0.2, R),
            (0.75, 0.2, R),
            (1.25, 0.2, R),
            (1.5, 0.2, R),
            (1.75, 0.2, R),
            (2.25, 0.2, R),
            (2.5, 0.2, R),
            (2.75, 0.2, R),
            (3.25, 0.2, R),
            (3.5, 0.2, O),
            (3.75, 0.2, R),
        ],
        BassLine::Drone => &[(0.0, 3.9, R)],
        BassLine::RootFifth => &[(0.0, 0.9, R), (1.5, 0.4, R), (2.0, 0.9, F), (3.5, 0.4, F)],
        // Funk: the one, 16th ghost notes and octave pops on the off-sixteenths (steps 0, 3,
        // 4, 6, 7, 10, 11, 12, 15), walking into the next chord.
        BassLine::Octaves => &[
            (0.0, 0.35, R),
            (0.75, 0.12, R),
            (1.0, 0.2, O),
            (1.5, 0.2, R),
            (1.75, 0.15, O),
            (2.5, 0.3, F),
            (2.75, 0.12, R),
            (3.0, 0.2, O),
            (3.75, 0.2, A),
        ],
        BassLine::Long => &[(0.0, 2.4, R), (2.5, 1.4, R)],
        BassLine::Syncopated => &[
            (0.0, 0.7, R),
            (0.75, 0.25, R),
            (1.5, 0.5, F),
            (2.5, 0.2, O),
            (2.75, 0.5, R),
            (3.5, 0.45, A),
        ],
        // Steps 6 and 12, tied over: the "and of 2" and the anticipated next root on 4.
        BassLine::Tumbao => &[(1.5, 1.45, Nf), (3.0, 2.45, N)],
        // Steps 0, 6, 8 and 14.
        BassLine::Bachata => &[(0.0, 1.0, R), (1.5, 0.45, F), (2.0, 1.4, O), (3.5, 0.45, N)],
        BassLine::Merengue => &[
            (0.0, 0.45, R),
            (1.5, 0.45, F),
            (2.0, 0.45, R),
            (2.5, 0.2, Th),
            (3.5, 0.45, F),
        ],
        // Nothing on the one; the weight on beat 3 with the drop.
        BassLine::OneDrop => &[
            (0.5, 0.45, R),
            (1.0, 0.9, R),
            (2.0, 0.9, F),
            (3.0, 0.45, Th),
            (3.5, 0.45, F),
        ],
        BassLine::OomPah => {
            if odd_bar {
                &[(0.0, 0.8, R), (2.0, 0.8, Lf)]
            } else {
                &[(0.0, 0.8, R), (2.0, 0.8, F)]
            }
        }
        BassLine::Alternating => &[
            (0.0, 0.9, R),
            (2.0, 0.9, Lf),
            (3.0, 0.45, Th),
            (3.5, 0.45, F),
        ],
        BassLine::Boogie => &[
            (0.0, 0.45, R),
            (0.5, 0.3, Th),
            (1.0, 0.45, F),
            (1.5, 0.3, Six),
            (2.0, 0.45, Sev),
            (2.5, 0.3, Six),
            (3.0, 0.45, F),
            (3.5, 0.3, Th),
        ],
        BassLine::Halves => &[(0.0, 1.9, R), (2.0, 1.9, F)],
        BassLine::Bolero => &[(0.0, 1.4, R), (1.5, 0.45, R), (2.0, 1.9, F)],
        // Written beat by beat (see `walking`).
        BassLine::Walking => &[],
    }
}

/// The chord's third and seventh (or flat seventh) above `root`.
fn third_and_seventh(chord: Chord) -> (i32, i32) {
    let iv = chord.quality.intervals();
    let third = iv.get(1).copied().unwrap_or(4);
    let seventh = iv.get(3).copied().filter(|x| *x < 12).unwrap_or(10);
    (third, seventh)
}

/// Brings `p` into the bass register around `center` (an octave either side).
fn in_range(p: i32, center: i32) -> i32 {
    let mut p = p;
    while p > center + 12 {
        p -= 12;
    }
    while p < center - 10 {
        p += 12;
    }
    p
}

/// A walking bass: a quarter note on every beat; the root where a chord starts, a chromatic
/// approach into the next chord, chord tones in between, stepping near the previous note.
fn walking(
    ctx: &Ctx,
    bar_start: f64,
    prev: &mut i32,
    center: i32,
    rng: &mut Rng,
) -> Vec<(f64, i32)> {
    let key = ctx.brief.key;
    let mut out = Vec::new();
    for i in 0..4 {
        let t = bar_start + i as f64;
        let chord = ctx.chord_at(t);
        let starts = i == 0 || ctx.chord_at(t - 0.5) != chord;
        let next = ctx.chord_at(t + 1.0);
        let changes_next = i == 3 || next != chord;
        let p = if starts {
            in_range(theory::nearest(chord.root_pc(key), *prev), center)
        } else if changes_next {
            let target = in_range(theory::nearest(next.root_pc(key), *prev), center);
            if rng.chance(0.25) {
                target + 7 - 12 * i32::from(target + 7 > center + 12) // the dominant's fifth
            } else if *prev > target {
                target + 1
            } else {
                target - 1
            }
        } else {
            let root = theory::nearest(chord.root_pc(key), *prev);
            let (third, seventh) = third_and_seventh(chord);
            let options = [root + third, root + 7, root + seventh, root - 12 + third];
            let mut best = options[0];
            for o in options {
                let o = in_range(o, center);
                if o != *prev && ((o - *prev).abs() < (best - *prev).abs() || best == *prev) {
                    best = o;
                }
            }
            if rng.chance(0.3) {
                in_range(options[(rng.below(3)) as usize], center)
            } else {
                best
            }
        };
        *prev = p;
        out.push((i as f64, p));
    }
    out
}

pub(super) fn bass(ctx: &Ctx, line: BassLine, sound: Sound) -> Part {
    let mut rng = Rng::stream(ctx.seed, "bass");
    let mut notes = Vec::new();
    let key = ctx.brief.key;
    let center = if sound == Sound::SubBass { 34 } else { 38 };
    let swing8 = ctx.brief.style.eighth_swing() as f64;
    let mut prev = theory::nearest(key.tonic.semitone(), center);
    for s in ctx.sections {
        let bars = (s.beats / 4.0) as u32;
        if s.energy < 0.3 && s.kind == SectionKind::Intro && line != BassLine::Drone {
            continue;
        }
        // Low energy: only the beats.
        let sparse = s.energy < 0.4;
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let song_bar = (bar_start / 4.0).round() as u32;
            if line == BassLine::Walking {
                for (at, pitch) in walking(ctx, bar_start, &mut prev, center, &mut rng) {
                    let t = bar_start + at + ctx.humanize(&mut rng) * 0.5;
                    let accent = if at == 0.0 || at == 2.0 { 1.0 } else { 0.85 };
                    let vel = ctx.vel(s.energy.max(0.5), accent, &mut rng);
                    push(&mut notes, t, 0.95, pitch, vel);
                }
                continue;
            }
            for &(at, dur, which) in pattern(line, song_bar % 2 == 1) {
                if sparse && at.fract() != 0.0 {
                    continue;
                }
                let beat = bar_start + at;
                // The chord this note belongs to (anticipations belong to the coming one).
                let chord = match which {
                    T::N => ctx.chord_at(beat + 1.0),
                    T::Nf => ctx.chord_at(beat + 0.5),
                    _ => ctx.chord_at(beat),
                };
                let root = theory::nearest(chord.root_pc(key), center);
                let (third, seventh) = third_and_seventh(chord);
                let pitch = match which {
                    T::R | T::N => root,
                    T::F | T::Nf => root + 7,
                    T::Lf => root - 5,
                    T::O => root + 12,
                    T::Th => root + third,
                    T::Six => root + 9,
                    T::Sev => root + seventh,
                    T::A => {
                        let next = ctx.chord_at(beat + dur.max(0.5) + 0.01);
                        let next_root = theory::nearest(next.root_pc(key), center);
                        if next_root > root {
                            next_root - 1
                        } else {
                            next_root + 1
                        }
                    }
                };
                let mut t = beat + ctx.humanize(&mut rng) * 0.5;
                if swing8 > 0.5 && (at * 2.0).fract() == 0.0 && at.fract() == 0.5 {
                    t += swing8 - 0.5;
                }
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
