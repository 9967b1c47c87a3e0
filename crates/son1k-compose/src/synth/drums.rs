//! Drum synthesis: a kit tuned to the key, rendered once and mixed into the stem by velocity.

use super::{Stereo, Tone};
use crate::compose::drum;
use crate::dsp::{self, sin_turns, soft_clip, wrap, Svf};
use crate::rng::Noise;
use crate::score::{Part, Score};

/// Pre-rendered drum sounds (one per kit piece), mixed into the stem by velocity.
struct Kit {
    pieces: Vec<(u8, Vec<f32>, f32)>, // (GM number, samples, pan)
}

/// The lowest frequency of pitch class `pc` at or above `floor` Hz.
fn tuned(pc: u8, floor: f32) -> f32 {
    let mut f = dsp::midi_hz(pc as f32 + 12.0);
    while f < floor {
        f *= 2.0;
    }
    f
}

/// Renders the kit with its pitched pieces tuned to the key (kick and toms on the tonic and fifth,
/// snare body on the fifth), as producers tune drums so they reinforce the key.
fn render_kit(sr: f32, tone: Tone, seed: u64, tonic: u8) -> Kit {
    let fifth = (tonic + 7) % 12;
    let kick_hz = tuned(tonic, 40.0);
    let snare_hz = tuned(fifth, 160.0);
    let rim_hz = tuned(tonic, 1400.0);
    let (tom_hi, tom_lo) = (tuned(fifth, 180.0), tuned(tonic, 100.0));
    let mut noise = Noise::new(seed ^ 0xd2u64);
    let secs = |s: f32| (s * sr) as usize;
    let mut pieces = Vec::new();
    // Kick: a falling sine with a click.
    let mut kick = vec![0.0; secs(0.5)];
    let mut ph = 0.0f32;
    let pitch_k = dsp::decay_coef(0.035, sr);
    let amp_k = dsp::decay_coef(0.22, sr);
    let (mut pe, mut ae) = (1.0f32, 1.0f32);
    for (i, k) in kick.iter_mut().enumerate() {
        pe *= pitch_k;
        ae *= amp_k;
        let f = kick_hz + 110.0 * pe;
        ph = wrap(ph + f / sr);
        let click = if i < secs(0.003) {
            noise.sample() * 0.4
        } else {
            0.0
        };
        *k = soft_clip((sin_turns(ph) * ae + click) * (1.3 + tone.drive)) * 0.95;
    }
    pieces.push((drum::KICK, kick, 0.0));
    // Snare: a tone plus bright noise.
    let mut snare = vec![0.0; secs(0.35)];
    let mut hp = Svf::new(1800.0, 0.1, sr);
    let (tk, nk) = (dsp::decay_coef(0.06, sr), dsp::decay_coef(0.11, sr));
    let (mut te, mut ne) = (1.0f32, 1.0f32);
    ph = 0.0;
    for s in snare.iter_mut() {
        te *= tk;
        ne *= nk;
        ph = wrap(ph + snare_hz / sr);
        let n = hp.step(noise.sample()).high;
        *s = 0.5 * sin_turns(ph) * te + 0.55 * n * ne;
    }
    pieces.push((drum::SNARE, snare, 0.05));
    // Clap: three quick bursts and a tail, band-passed.
    let mut clap = vec![0.0; secs(0.3)];
    let mut bp = Svf::new(1400.0, 0.4, sr);
    let ck = dsp::decay_coef(0.09, sr);
    let mut tail = 1.0f32;
    for (i, c) in clap.iter_mut().enumerate() {
        let t = i as f32 / sr;
        let burst = if t < 0.03 {
            let local = (t % 0.01) / 0.01;
            1.0 - local
        } else {
            tail *= ck;
            tail
        };
        *c = bp.step(noise.sample()).band * burst * 1.4;
    }
    pieces.push((drum::CLAP, clap, -0.05));
    // Hats and shaker: high-passed noise with short or long decays.
    let bright_hz = 6000.0 + 3000.0 * tone.bright;
    for (num, len, decay, pan, level) in [
        (drum::HAT, 0.12, 0.025, 0.3, 0.35),
        (drum::OPEN_HAT, 0.5, 0.16, 0.3, 0.3),
        (drum::SHAKER, 0.12, 0.04, -0.35, 0.22),
        (drum::CRASH, 2.5, 0.8, -0.3, 0.25),
    ] {
        let mut buf = vec![0.0; secs(len)];
        let mut hp = Svf::new(
            if num == drum::CRASH {
                4500.0
            } else {
                bright_hz
            },
            0.2,
            sr,
        );
        let k = dsp::decay_coef(decay, sr);
        let mut e = 1.0f32;
        for (i, s) in buf.iter_mut().enumerate() {
            let attack = if num == drum::SHAKER {
                (i as f32 / (0.008 * sr)).min(1.0)
            } else {
                1.0
            };
            e *= k;
            *s = hp.step(noise.sample()).high * e * attack * level;
        }
        pieces.push((num, buf, pan));
    }
    // Rim: a short woody click.
    let mut rim = vec![0.0; secs(0.08)];
    let rk = dsp::decay_coef(0.018, sr);
    let mut e = 1.0f32;
    ph = 0.0;
    for s in rim.iter_mut() {
        e *= rk;
        ph = wrap(ph + rim_hz / sr);
        *s = (0.6 * sin_turns(ph) + 0.3 * noise.sample()) * e;
    }
    pieces.push((drum::RIM, rim, -0.1));
    // Toms: falling sines.
    for (num, f0, pan) in [
        (drum::TOM_HIGH, tom_hi, 0.25),
        (drum::TOM_LOW, tom_lo, -0.25),
    ] {
        let mut buf = vec![0.0; secs(0.45)];
        let (pk, ak) = (dsp::decay_coef(0.12, sr), dsp::decay_coef(0.18, sr));
        let (mut pe, mut ae) = (1.0f32, 1.0f32);
        ph = 0.0;
        for s in buf.iter_mut() {
            pe *= pk;
            ae *= ak;
            ph = wrap(ph + f0 * (1.0 + 0.4 * pe) / sr);
            *s = 0.7 * sin_turns(ph) * ae;
        }
        pieces.push((num, buf, pan));
    }
    Kit { pieces }
}

pub(super) fn render_drums(
    part: &Part,
    score: &Score,
    sr: u32,
    frames: usize,
    tone: Tone,
    seed: u64,
) -> Stereo {
    let kit = render_kit(sr as f32, tone, seed, score.key.tonic.semitone());
    let spb = score.beat_seconds() * sr as f64;
    let gain = dsp::db(part.gain_db);
    let mut l = vec![0.0f32; frames];
    let mut r = vec![0.0f32; frames];
    for n in &part.notes {
        let Some((_, samples, pan)) = kit.pieces.iter().find(|p| p.0 == n.pitch) else {
            continue;
        };
        let start = (n.start * spb).round() as usize;
        if start >= frames {
            continue;
        }
        let v = (n.vel * n.vel * 0.7 + 0.3 * n.vel) * gain;
        let angle = (pan + 1.0) * 0.125;
        let (gl, gr) = (sin_turns(angle + 0.25) * v, sin_turns(angle) * v);
        // Open hats are choked by the next closed hat.
        let mut len = samples.len();
        if n.pitch == drum::OPEN_HAT {
            let choke = (n.dur * spb) as usize;
            len = len.min(choke.max(1));
        }
        let end = (start + len).min(frames);
        for (k, (ol, or)) in l[start..end]
            .iter_mut()
            .zip(r[start..end].iter_mut())
            .enumerate()
        {
            let s = samples[k];
            *ol += s * gl;
            *or += s * gr;
        }
    }
    [l, r]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kit_has_every_piece_the_composer_uses() {
        let kit = render_kit(
            44_100.0,
            Tone {
                bright: 0.5,
                drive: 0.0,
            },
            1,
            9,
        );
        for n in [
            drum::KICK,
            drum::SNARE,
            drum::CLAP,
            drum::HAT,
            drum::OPEN_HAT,
            drum::RIM,
            drum::SHAKER,
            drum::CRASH,
            drum::TOM_LOW,
            drum::TOM_HIGH,
        ] {
            let piece = kit.pieces.iter().find(|p| p.0 == n).unwrap();
            let peak = piece.1.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            assert!(peak > 0.05 && peak <= 1.2, "piece {n}: {peak}");
        }
    }
}
