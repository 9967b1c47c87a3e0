//! The pattern writer: how each harmony part plays its pattern, note by note, on the chord
//! sounding at each beat (montunos, arpeggios, strums, palm mutes, skanks, shells, oom-pah,
//! accordion lines, four-part strings).

use super::*;

/// Per-part writer: notes, its own random stream and the last voicing (for voice leading).
pub(super) struct W<'c, 'a> {
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
pub(super) fn bars(s: &SectionSpan) -> impl Iterator<Item = (u32, f64)> + '_ {
    let n = (s.beats / BAR).round() as u32;
    (0..n).map(move |b| (b, s.start + b as f64 * BAR))
}

/// Swung position of an 8th-note off-beat (`k` in 8ths within the bar).
pub(super) fn swung8(k: usize, swing: f64) -> f64 {
    let beat = (k / 2) as f64;
    if k % 2 == 1 {
        beat + 0.5 + swing
    } else {
        beat
    }
}

/// A guitar voicing of the chord at `t`: the root low on the E or A string, then fifths,
/// octaves and thirds upward, like a barre or open chord (5 or 6 strings).
pub(super) fn guitar_voicing(ctx: &Ctx, chord: Chord) -> Vec<i32> {
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

pub(super) fn play(ctx: &Ctx, l: &Layer) -> Part {
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

pub(super) fn write(w: &mut W, l: &Layer) {
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
                const PLAY: [u8; 16] = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1];
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
pub(super) fn next_change(ctx: &Ctx, t: f64) -> f64 {
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
pub(super) fn section_voicings(ctx: &Ctx, s: &SectionSpan) -> Vec<(usize, Vec<i32>, f64, f64)> {
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
