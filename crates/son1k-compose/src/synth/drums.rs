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
    // Toms: falling sines (the pitch drops 40 % over the first hit), tuned to the key.
    let tom = |f0: f32, seconds: f32, decay: f32| {
        let mut buf = vec![0.0; secs(seconds)];
        let (pk, ak) = (dsp::decay_coef(0.12, sr), dsp::decay_coef(decay, sr));
        let (mut pe, mut ae, mut ph) = (1.0f32, 1.0f32, 0.0f32);
        for s in buf.iter_mut() {
            pe *= pk;
            ae *= ak;
            ph = wrap(ph + f0 * (1.0 + 0.4 * pe) / sr);
            *s = 0.7 * sin_turns(ph) * ae;
        }
        buf
    };
    pieces.push((drum::TOM_HIGH, tom(tom_hi, 0.45, 0.18), 0.25));
    pieces.push((drum::TOM_LOW, tom(tom_lo, 0.45, 0.18), -0.25));
    // More toms, tuned between the low and high ones.
    for (num, f0, pan) in [
        (drum::TOM_FLOOR, tuned(tonic, 70.0), -0.35),
        (drum::TOM_FLOOR_HIGH, tuned(fifth, 85.0), -0.3),
        (drum::TOM_MID, tuned(fifth, 125.0), 0.1),
        (drum::TOM_HIGH_MID, tuned(tonic, 150.0), 0.18),
    ] {
        pieces.push((num, tom(f0, 0.5, 0.2), pan));
    }
    // Hi-hat foot: a short "chick", darker than the stick.
    let mut foot = vec![0.0; secs(0.08)];
    let mut bp = Svf::new(5000.0, 0.3, sr);
    let fk = dsp::decay_coef(0.014, sr);
    let mut fe = 1.0f32;
    for s in foot.iter_mut() {
        fe *= fk;
        *s = bp.step(noise.sample()).band * fe * 0.6;
    }
    pieces.push((drum::HAT_FOOT, normalise(foot, 0.22), 0.3));
    pieces.push((drum::RIDE, ride(sr, &mut noise), 0.35));
    // Tambourine: jingles (bursts of very bright noise) over a short tail.
    let mut tamb = vec![0.0; secs(0.25)];
    let mut hp = Svf::new(7000.0, 0.4, sr);
    let tk = dsp::decay_coef(0.06, sr);
    let mut te = 1.0f32;
    for (i, s) in tamb.iter_mut().enumerate() {
        te *= tk;
        let jingle = 0.6 + 0.4 * sin_turns(i as f32 * 55.0 / sr);
        *s = hp.step(noise.sample()).high * te * jingle;
    }
    pieces.push((drum::TAMBOURINE, normalise(tamb, 0.3), -0.4));
    // Cowbell: two detuned hollow tones (the 808's 540/800 Hz pair).
    let bell = resonant(
        sr,
        &[(562.0, 0.12, 1.0), (845.0, 0.08, 0.7)],
        0.5,
        &mut noise,
        0.3,
    );
    pieces.push((drum::COWBELL, bell, 0.25));
    // Hand drums: high bongó (macho), low bongó (hembra), conga mute/slap and open, tumba.
    pieces.push((
        drum::BONGO_HIGH,
        membrane(sr, 430.0, 0.07, 0.6, &mut noise),
        0.3,
    ));
    pieces.push((
        drum::BONGO_LOW,
        membrane(sr, 300.0, 0.1, 0.4, &mut noise),
        0.2,
    ));
    pieces.push((
        drum::CONGA_MUTE,
        membrane(sr, 340.0, 0.035, 1.0, &mut noise),
        -0.3,
    ));
    pieces.push((
        drum::CONGA_OPEN,
        membrane(sr, 330.0, 0.16, 0.25, &mut noise),
        -0.3,
    ));
    pieces.push((
        drum::CONGA_LOW,
        membrane(sr, 215.0, 0.2, 0.2, &mut noise),
        -0.45,
    ));
    // Timbales: tuned heads with a ringing steel shell.
    let hi = resonant(
        sr,
        &[(720.0, 0.12, 1.0), (1850.0, 0.05, 0.35)],
        0.6,
        &mut noise,
        0.8,
    );
    pieces.push((drum::TIMBALE_HIGH, hi, 0.4));
    let lo = resonant(
        sr,
        &[(520.0, 0.15, 1.0), (1400.0, 0.06, 0.35)],
        0.7,
        &mut noise,
        0.8,
    );
    pieces.push((drum::TIMBALE_LOW, lo, 0.3));
    // Claves: one hard, high resonance.
    let claves = resonant(sr, &[(2500.0, 0.045, 1.0)], 0.25, &mut noise, 0.2);
    pieces.push((drum::CLAVES, claves, 0.1));
    // Cabasa: a short, bright rattle.
    let mut cab = vec![0.0; secs(0.1)];
    let mut hp = Svf::new(8000.0, 0.2, sr);
    let ck = dsp::decay_coef(0.025, sr);
    let mut ce = 1.0f32;
    for (i, s) in cab.iter_mut().enumerate() {
        ce *= ck;
        let attack = (i as f32 / (0.004 * sr)).min(1.0);
        *s = hp.step(noise.sample()).high * ce * attack;
    }
    pieces.push((drum::CABASA, normalise(cab, 0.25), -0.25));
    // Güiro / güira / guacharaca: a short scrape and a long one.
    pieces.push((drum::GUIRO_SHORT, scrape(sr, 5, 0.06, &mut noise), -0.3));
    pieces.push((drum::GUIRO_LONG, scrape(sr, 14, 0.22, &mut noise), -0.3));
    Kit { pieces }
}

/// Scales `buf` so its peak is `peak` (a silent buffer stays silent).
fn normalise(mut buf: Vec<f32>, peak: f32) -> Vec<f32> {
    let m = buf.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if m > 1e-6 {
        for x in buf.iter_mut() {
            *x *= peak / m;
        }
    }
    buf
}

/// A hand drum's membrane: a slightly falling fundamental with its first overtone (×1.59), and
/// for slaps and mutes a band-passed crack of noise; `decay` sets open (long) or muted (short).
fn membrane(sr: f32, f0: f32, decay: f32, slap: f32, noise: &mut Noise) -> Vec<f32> {
    let len = ((decay * 5.0 + 0.03) * sr) as usize;
    let mut buf = vec![0.0; len];
    let (ak, pk, nk) = (
        dsp::decay_coef(decay, sr),
        dsp::decay_coef(0.02, sr),
        dsp::decay_coef(0.012, sr),
    );
    let mut bp = Svf::new(f0 * 4.5, 0.5, sr);
    let (mut a, mut pe, mut ne) = (1.0f32, 1.0f32, 1.0f32);
    let (mut p1, mut p2) = (0.0f32, 0.0f32);
    for s in buf.iter_mut() {
        a *= ak;
        pe *= pk;
        ne *= nk;
        let f = f0 * (1.0 + 0.08 * pe);
        p1 = wrap(p1 + f / sr);
        p2 = wrap(p2 + f * 1.59 / sr);
        let crack = bp.step(noise.sample()).band * ne * slap;
        *s = (sin_turns(p1) + 0.35 * sin_turns(p2) * a) * a + crack * 2.0;
    }
    normalise(buf, 0.7)
}

/// A tuned resonant hit (claves, cowbell, timbale shell): partials with their own decays.
fn resonant(
    sr: f32,
    partials: &[(f32, f32, f32)],
    len: f32,
    noise: &mut Noise,
    click: f32,
) -> Vec<f32> {
    let mut buf = vec![0.0; (len * sr) as usize];
    for &(f, decay, level) in partials {
        let k = dsp::decay_coef(decay, sr);
        let mut e = level;
        let mut ph = 0.0f32;
        for s in buf.iter_mut() {
            ph = wrap(ph + f / sr);
            // A slightly squared sine: the bell's hollow edge.
            let x = sin_turns(ph);
            *s += soft_clip(x * 2.0) * e;
            e *= k;
        }
    }
    let mut hp = Svf::new(2500.0, 0.2, sr);
    for s in buf.iter_mut().take((0.004 * sr) as usize) {
        *s += hp.step(noise.sample()).high * click;
    }
    normalise(buf, 0.6)
}

/// A güiro scrape: a train of short band-passed noise ticks (`ticks` over `len` seconds).
fn scrape(sr: f32, ticks: usize, len: f32, noise: &mut Noise) -> Vec<f32> {
    let total = ((len + 0.03) * sr) as usize;
    let mut buf = vec![0.0; total];
    let mut bp = Svf::new(3800.0, 0.55, sr);
    let period = len / ticks as f32;
    let k = dsp::decay_coef(0.004, sr);
    let mut e = 0.0f32;
    let mut next_tick = 0.0f32;
    for (i, s) in buf.iter_mut().enumerate() {
        let t = i as f32 / sr;
        if t >= next_tick && t < len {
            e = 1.0;
            next_tick += period;
        }
        e *= k;
        // The scrape swells a little toward its middle.
        let swell = 0.6 + 0.4 * (std::f32::consts::PI * (t / len).min(1.0)).sin();
        *s = bp.step(noise.sample()).band * e * swell;
    }
    normalise(buf, 0.45)
}

/// The ride: a bright, long metallic wash (inharmonic square partials and noise) with a ping.
fn ride(sr: f32, noise: &mut Noise) -> Vec<f32> {
    let mut buf = vec![0.0; (1.8 * sr) as usize];
    let partials = [587.0f32, 845.0, 1253.0, 1571.0, 2204.0, 3017.0];
    let mut phases = [0.0f32; 6];
    let mut hp = Svf::new(3200.0, 0.3, sr);
    let (wk, pk) = (dsp::decay_coef(0.6, sr), dsp::decay_coef(0.09, sr));
    let (mut we, mut pe) = (1.0f32, 1.0f32);
    let mut ping = 0.0f32;
    for s in buf.iter_mut() {
        we *= wk;
        pe *= pk;
        let mut metal = 0.0;
        for (ph, f) in phases.iter_mut().zip(partials) {
            *ph = wrap(*ph + f / sr);
            metal += if *ph < 0.5 { 1.0 } else { -1.0 };
        }
        ping = wrap(ping + 4200.0 / sr);
        let wash = hp.step(metal * 0.12 + noise.sample() * 0.5).high;
        *s = wash * we + sin_turns(ping) * pe * 0.25;
    }
    normalise(buf, 0.3)
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
        for n in drum::ALL {
            let piece = kit.pieces.iter().find(|p| p.0 == n);
            let Some(piece) = piece else {
                panic!("piece {n} is missing from the kit");
            };
            let peak = piece.1.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            assert!(peak > 0.05 && peak <= 1.2, "piece {n}: {peak}");
        }
    }
}
