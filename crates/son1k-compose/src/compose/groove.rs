//! The drum part: the General MIDI kit numbers, each groove's 16-step patterns, fills and hits.

use super::{push, Ctx};
use crate::form::SectionKind;
use crate::rng::Rng;
use crate::score::{Part, Role};
use crate::style::{Groove, Sound};

/// General MIDI percussion numbers the kit uses.
pub mod drum {
    /// Bass drum.
    pub const KICK: u8 = 36;
    /// Side stick.
    pub const RIM: u8 = 37;
    /// Snare.
    pub const SNARE: u8 = 38;
    /// Hand clap.
    pub const CLAP: u8 = 39;
    /// Closed hi-hat.
    pub const HAT: u8 = 42;
    /// Open hi-hat.
    pub const OPEN_HAT: u8 = 46;
    /// Low tom.
    pub const TOM_LOW: u8 = 45;
    /// High tom.
    pub const TOM_HIGH: u8 = 50;
    /// Crash cymbal.
    pub const CRASH: u8 = 49;
    /// Shaker (maracas).
    pub const SHAKER: u8 = 70;
}

/// Parses a 16-step pattern: `X` accent, `x` normal, `o` ghost, anything else rest.
fn steps(pattern: &str) -> impl Iterator<Item = (usize, f32)> + '_ {
    pattern.bytes().enumerate().filter_map(|(i, b)| match b {
        b'X' => Some((i, 1.0)),
        b'x' => Some((i, 0.8)),
        b'o' => Some((i, 0.42)),
        _ => None,
    })
}

/// (kick, snare, clap, hat, open hat, rim, shaker) patterns of a groove.
fn groove_patterns(g: Groove) -> [&'static str; 7] {
    match g {
        Groove::Pop => [
            "x.....x.x.......",
            "....X.......X...",
            "",
            "x.x.x.x.x.x.x.x.",
            "..............x.",
            "",
            "",
        ],
        Groove::Rock => [
            "x.......x.x.....",
            "....X.......X...",
            "",
            "X.x.X.x.X.x.X.x.",
            "",
            "",
            "",
        ],
        Groove::BoomBap => [
            "x.......x.......",
            "....X.......X...",
            "",
            "x.o.x.o.x.o.x.o.",
            "",
            "",
            "",
        ],
        Groove::Trap => [
            "x.......x..xx...",
            "",
            "....X.......X...",
            "x.x.x.x.x.x.x.x.",
            "",
            "",
            "",
        ],
        Groove::Dembow => [
            "X...X...X...X...",
            "...x..x....x..x.",
            "",
            "x.x.x.x.x.x.x.x.",
            "",
            "",
            "",
        ],
        Groove::FourFloor => [
            "X...x...X...x...",
            "",
            "....x.......x...",
            "x.x.x.x.x.x.x.x.",
            "..x...x...x...x.",
            "",
            "",
        ],
        Groove::Techno => [
            "X...x...X...x...",
            "",
            "....x.......x...",
            "xoxoxoxoxoxoxoxo",
            "..x...x...x...x.",
            "",
            "",
        ],
        Groove::Ambient => [
            "x.......x.......",
            "",
            "",
            "",
            "",
            "....x.......x...",
            "x...x...x...x...",
        ],
        Groove::Cumbia => [
            "x.......x.......",
            "",
            "",
            "",
            "",
            "....x.......x...",
            "X.xxX.xxX.xxX.xx",
        ],
        Groove::Ballad => [
            "x.......x.....o.",
            "",
            "",
            "x.o.x.o.x.o.x.o.",
            "",
            "....x.......x...",
            "",
        ],
        Groove::Funk => [
            "x.x.......x..x..",
            "....X..o.o..X..o",
            "",
            "xoxoxoxoxoxoxoxo",
            "",
            "",
            "",
        ],
        Groove::Breakbeat => [
            "x.........x.....",
            "....X..o.o..X...",
            "",
            "x.x.x.x.x.x.x.x.",
            "",
            "",
            "",
        ],
    }
}

pub(super) fn drums(ctx: &Ctx, groove: Groove, swing: f32) -> Part {
    use drum::*;
    let mut rng = Rng::stream(ctx.seed, "drums");
    let pats = groove_patterns(groove);
    let voices = [KICK, SNARE, CLAP, HAT, OPEN_HAT, RIM, SHAKER];
    let mut notes = Vec::new();
    let e = ctx.feel.e;
    // Below 80 BPM sixteenth-note hats would read as double time; the grooves' own off-beat
    // hits (dembow snares, cumbia scrapers) always play.
    let slow = ctx.brief.bpm < 80;
    for s in ctx.sections {
        let bars = (s.beats / 4.0) as u32;
        for b in 0..bars {
            let bar_start = s.start + b as f64 * 4.0;
            let last_bar = b + 1 == bars && s.kind != SectionKind::Outro;
            let energy = s.energy;
            for (v, pat) in voices.iter().zip(pats.iter()) {
                // Energy decides which pieces play: intros and outros thin out.
                let plays = match *v {
                    KICK => energy >= 0.3 || groove == Groove::Ambient,
                    SNARE | CLAP => energy >= 0.45,
                    HAT => energy >= 0.3,
                    OPEN_HAT => energy >= 0.6,
                    _ => true,
                };
                if !plays {
                    continue;
                }
                for (step, accent) in steps(pat) {
                    if slow && step % 2 == 1 && *v == HAT {
                        continue;
                    }
                    if last_bar && step >= 8 && matches!(*v, SNARE | CLAP) && energy >= 0.45 {
                        continue; // the fill takes over
                    }
                    let mut t = bar_start + step as f64 * 0.25;
                    if step % 2 == 1 {
                        t += swing as f64 * 0.25;
                    }
                    t += ctx.humanize(&mut rng) * if *v == KICK { 0.3 } else { 1.0 };
                    let dur = if *v == OPEN_HAT { 0.5 } else { 0.25 };
                    let vel = ctx.vel(energy, accent, &mut rng);
                    push(&mut notes, t, dur, *v as i32, vel);
                }
            }
            // Denser hats with Expressivity in high-energy sections.
            if e > 0.72 && energy > 0.8 && !pats[3].is_empty() && groove != Groove::Techno && !slow
            {
                for step in (1..16).step_by(2) {
                    let t = bar_start + step as f64 * 0.25 + ctx.humanize(&mut rng);
                    let vel = ctx.vel(energy, 0.4, &mut rng);
                    push(&mut notes, t, 0.25, HAT as i32, vel);
                }
            }
            // Trap hi-hat rolls.
            if groove == Groove::Trap && energy >= 0.5 && rng.chance(0.5) {
                let at = bar_start + 2.0 + rng.below(2) as f64;
                for k in 0..8 {
                    let vel = ctx.vel(energy, 0.4 + 0.05 * k as f32, &mut rng);
                    push(&mut notes, at + k as f64 / 8.0, 0.1, HAT as i32, vel);
                }
            }
            // Rareza: displaced kicks and extra percussion.
            if ctx.feel.r > 0.4 && energy >= 0.45 && rng.chance(ctx.feel.r * 0.6) {
                let step = 1 + 2 * rng.below(8) as usize;
                let vel = ctx.vel(energy, 0.6, &mut rng);
                let piece = if rng.chance(0.5) { RIM } else { KICK };
                push(
                    &mut notes,
                    bar_start + step as f64 * 0.25,
                    0.25,
                    piece as i32,
                    vel,
                );
            }
            if b == 0 && s.energy >= 0.85 && s.start > 0.0 {
                let vel = ctx.vel(energy, 1.0, &mut rng);
                push(&mut notes, bar_start, 2.0, CRASH as i32, vel);
            }
            if last_bar && energy >= 0.45 {
                // A fill: snare and toms in sixteenths over the last two beats, rising.
                let dense = 4 + (4.0 * e) as usize;
                for k in 0..dense.min(8) {
                    let t = bar_start + 2.0 + k as f64 * (2.0 / dense.min(8) as f64);
                    let piece = match (k * 3) / dense.min(8) {
                        0 => SNARE,
                        1 => TOM_HIGH,
                        _ => TOM_LOW,
                    };
                    let vel = ctx.vel(energy, 0.6 + 0.05 * k as f32, &mut rng);
                    push(&mut notes, t, 0.25, piece as i32, vel);
                }
            }
        }
    }
    // The final hit.
    let vel = ctx.vel(0.9, 1.0, &mut rng);
    push(&mut notes, ctx.total_beats, 1.0, KICK as i32, vel);
    push(&mut notes, ctx.total_beats, 3.0, CRASH as i32, vel * 0.8);
    Part {
        name: "drums".into(),
        role: Role::Drums,
        sound: Sound::Drums,
        pan: 0.0,
        gain_db: 0.0,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use crate::brief::resolve;
    use crate::form::SectionKind;
    use crate::score::{Role, Score};
    use son1k_core::GenerationRequest;

    /// The song for `prompt` (seed, seconds).
    pub(crate) fn song(prompt: &str, seed: u64, seconds: f32) -> Score {
        let mut req = GenerationRequest::new(prompt);
        req.seed = seed;
        req.duration_secs = Some(seconds);
        super::super::compose(&resolve(&req), &req)
    }

    /// For each bar of the song's verses and choruses: the 16th steps where any of `pieces`
    /// sounds on a drum part.
    pub(crate) fn steps_per_bar(s: &Score, pieces: &[u8]) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for sec in s
            .sections
            .iter()
            .filter(|x| matches!(x.kind, SectionKind::Verse | SectionKind::Chorus))
        {
            let bars = (sec.beats / 4.0) as usize;
            for b in 0..bars {
                let start = sec.start + b as f64 * 4.0;
                let mut steps: Vec<usize> = s
                    .parts
                    .iter()
                    .filter(|p| p.role == Role::Drums)
                    .flat_map(|p| p.notes.iter())
                    .filter(|n| pieces.contains(&n.pitch))
                    .filter(|n| n.start >= start - 0.1 && n.start < start + 4.0 - 0.1)
                    .map(|n| (((n.start - start) * 4.0).round() as usize).min(15))
                    .collect();
                steps.sort_unstable();
                steps.dedup();
                out.push(steps);
            }
        }
        out
    }

    /// Share of `bars` that hold every step of `want`.
    pub(crate) fn share_with(bars: &[Vec<usize>], want: &[usize]) -> f64 {
        let hits = bars
            .iter()
            .filter(|b| want.iter().all(|w| b.contains(w)))
            .count();
        hits as f64 / bars.len().max(1) as f64
    }

    #[test]
    fn reggaeton_at_90_bpm_keeps_its_dembow() {
        let s = song("reggaeton 90 bpm en la menor", 4, 40.0);
        assert_eq!(s.bpm, 90);
        let kicks = steps_per_bar(&s, &[36]);
        let snares = steps_per_bar(&s, &[38, 39, 40]);
        assert!(kicks.len() >= 8, "{} bars", kicks.len());
        let k = share_with(&kicks, &[0, 4, 8, 12]);
        let sn = share_with(&snares, &[3, 6, 11, 14]);
        assert!(k >= 0.75 && sn >= 0.75, "kick {k}, snare {sn}: {snares:?}");
    }
}
