//! One note of a tonal sound: oscillators (FM, detuned saws, pulses, a plucked string, formant
//! voice), envelope, filter sweep and drive.

use super::patch::{formants, patch};
use super::Tone;
use crate::dsp::{self, pulse, saw, sin_turns, soft_clip, wrap, OnePole, Svf};
use crate::rng::Noise;
use crate::score::Note;
use crate::style::Sound;

/// Samples per processing block inside a voice (pitch modulation and filter sweeps update once
/// per block; everything else is per sample).
const BLK: usize = 64;

/// Renders one note of a tonal sound, adding into `out` (which starts at the note's onset).
#[allow(clippy::too_many_arguments)]
pub(super) fn render_voice(
    sound: Sound,
    note: &Note,
    glide_from: Option<u8>,
    held: usize,
    out: &mut [f32],
    sr: f32,
    gain: f32,
    tone: Tone,
    noise: &mut Noise,
) {
    let p = patch(sound, tone);
    let release_len = (p.amp.release * sr * 6.0) as usize;
    let total = (held + release_len).min(out.len());
    if total == 0 {
        return;
    }
    let freq = dsp::midi_hz(note.pitch as f32);
    let vel = note.vel * note.vel * 0.8 + 0.2 * note.vel; // a gentle velocity curve
    let amp_scale = p.level * gain * vel;
    let attack_n = (p.amp.attack * sr).max(1.0);
    let decay_k = dsp::decay_coef(p.amp.decay, sr);
    let release_k = dsp::decay_coef(p.amp.release, sr);
    let sustain = p.amp.sustain;
    let mut decay_part = 1.0 - sustain; // the part above sustain that decays
    let mut level = 0.0f32;

    let mut filt = p.filter.map(|(c, _, _, r)| Svf::new(c, r, sr));
    let filt_env_kb = p
        .filter
        .map(|f| libm::powf(dsp::decay_coef(f.2, sr), BLK as f32))
        .unwrap_or(0.0);
    let mut filt_env = 1.0f32;
    let vib_depth = p.vibrato.0;
    let vib_rate = p.vibrato.1 / sr;
    let vib_delay = (0.25 * sr) as usize;

    let mut ph = [0.0f32; 4];
    let mut glide = glide_from
        .map(|g| dsp::midi_hz(g as f32) / freq)
        .unwrap_or(1.0);
    let glide_kb = libm::powf(dsp::decay_coef(0.05, sr), BLK as f32);
    let detune = |cents: f32| libm::powf(2.0, cents / 1200.0);
    let (d1, d2) = (detune(8.0), detune(-8.0));
    let (g1, g2) = (detune(3.0), detune(-3.0));
    let mut formant: Vec<(Svf, f32)> = if sound == Sound::Voice {
        formants(note.vowel.unwrap_or('a'))
            .iter()
            .map(|&(f, g)| (Svf::new(f, 0.82, sr), g))
            .collect()
    } else {
        Vec::new()
    };
    let mut breath = OnePole::new(2500.0, sr);
    // Karplus–Strong strings for the guitars and the harp: a noise burst in a tuned delay line
    // whose loop filter (`ks_blend`) and loss set brightness and sustain.
    let mut ks: Vec<f32> = Vec::new();
    let mut ks_pos = 0usize;
    let (ks_blend, ks_loss, ks_smooth) = match sound {
        Sound::NylonGuitar => (0.5, 0.996, 1),
        Sound::SteelGuitar => (0.3, 0.9975, 0),
        Sound::CleanGuitar => (0.4, 0.997, 0),
        Sound::DistortedGuitar => (0.35, 0.9985, 0),
        Sound::Harp => (0.5, 0.9992, 2),
        Sound::AcousticBass => (0.5, 0.9965, 3),
        Sound::ElectricBass => (0.45, 0.998, 2),
        _ => (0.5, 0.0, 0),
    };
    if ks_loss > 0.0 {
        let n = (libm::roundf(sr / freq - ks_blend) as usize).max(2);
        ks = (0..n).map(|_| noise.sample()).collect();
        // Soften the excitation: a pluck, not a scrape (a fingertip more than a pick).
        for _ in 0..ks_smooth {
            for i in 1..n {
                ks[i] = 0.5 * (ks[i] + ks[i - 1]);
            }
        }
        // The pick position: a comb that removes the harmonics with a node there.
        if sound == Sound::SteelGuitar || sound == Sound::CleanGuitar {
            let d = (n / 7).max(1);
            let orig = ks.clone();
            for i in 0..n {
                ks[i] = orig[i] - 0.6 * orig[(i + n - d) % n];
            }
        }
        // Remove the burst's DC so the string rings around zero.
        let mean = ks.iter().sum::<f32>() / n as f32;
        for x in ks.iter_mut() {
            *x -= mean;
        }
    }
    let mut inst = super::instrument::Body::new(sound, freq, vel, tone, sr);
    let fm_index_k = dsp::decay_coef(
        match sound {
            Sound::Piano => 0.25,
            Sound::ElectricPiano => 0.4,
            Sound::Bell => 0.9,
            _ => 0.3,
        },
        sr,
    );
    let mut fm_index = 1.0f32;
    let drive = 1.0 + 3.0 * tone.drive;
    let driven = tone.drive > 0.05
        && !matches!(
            sound,
            Sound::SubBass | Sound::PowerGuitar | Sound::DistortedGuitar
        );

    let mut env = [0.0f32; BLK];
    let mut buf = [0.0f32; BLK];
    let mut pos = 0usize;
    let mut finished = false;
    while pos < total && !finished {
        let n = BLK.min(total - pos);
        // Envelope for the block.
        for (k, e) in env[..n].iter_mut().enumerate() {
            let i = pos + k;
            if i < held {
                if (i as f32) < attack_n {
                    level = i as f32 / attack_n;
                } else {
                    decay_part *= decay_k;
                    level = sustain + (1.0 - sustain) * decay_part;
                }
            } else {
                level *= release_k;
            }
            *e = level;
        }
        if pos + n > held && level < 1e-3 {
            finished = true; // the release has faded below −60 dB: this block is the last
        }
        // Pitch for the block.
        let mut f = freq;
        if vib_depth > 0.0 && pos > vib_delay {
            f *= 1.0 + vib_depth * 0.0578 * sin_turns(pos as f32 * vib_rate);
        }
        if glide != 1.0 {
            glide = 1.0 + (glide - 1.0) * glide_kb;
            f *= glide;
        }
        let dt = f / sr;
        let b = &mut buf[..n];
        match sound {
            Sound::SubBass => {
                let g = 1.2 + 2.0 * tone.drive;
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt);
                    *x = soft_clip(sin_turns(ph[0]) * g) * 0.9;
                }
            }
            Sound::SawBass => {
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt);
                    ph[1] = wrap(ph[1] + dt * 0.5);
                    *x = saw(ph[0], dt) * 0.7 + pulse(ph[1], dt * 0.5, 0.5) * 0.5;
                }
            }
            Sound::FmBass | Sound::Piano | Sound::ElectricPiano | Sound::Bell => {
                let (ratio, index, second) = match sound {
                    Sound::FmBass => (1.0, 1.6, 0.0),
                    Sound::Piano => (1.0, 1.3, 0.35),
                    Sound::ElectricPiano => (1.0, 0.9, 0.0),
                    _ => (3.5, 2.5, 0.0),
                };
                let depth = index * (0.6 + 0.6 * vel) * 0.159;
                let tine = sound == Sound::ElectricPiano;
                for x in b.iter_mut() {
                    fm_index *= fm_index_k;
                    ph[1] = wrap(ph[1] + dt * ratio);
                    let m = sin_turns(ph[1]) * depth * (0.25 + fm_index);
                    ph[0] = wrap(ph[0] + dt);
                    let mut s = sin_turns(ph[0] + m);
                    if second > 0.0 {
                        ph[2] = wrap(ph[2] + dt * 2.0);
                        s += second * sin_turns(ph[2]) * fm_index;
                    }
                    if tine {
                        // The tine: a high partial that dies fast.
                        ph[3] = wrap(ph[3] + dt * 14.0);
                        s += 0.25 * sin_turns(ph[3]) * fm_index * fm_index;
                    }
                    *x = s;
                }
            }
            Sound::Reese | Sound::SawPad | Sound::StringPad | Sound::SawLead => {
                let (a, c) = (dt * d1, dt * d2);
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + a);
                    ph[1] = wrap(ph[1] + c);
                    *x = saw(ph[0], a) + saw(ph[1], c);
                }
            }
            Sound::Organ => {
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt);
                    *x = sin_turns(ph[0])
                        + 0.5 * sin_turns(ph[0] * 2.0)
                        + 0.3 * sin_turns(ph[0] * 3.0);
                }
            }
            Sound::Clav => {
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt);
                    *x = pulse(ph[0], dt, 0.22);
                }
            }
            Sound::Pluck | Sound::Acid | Sound::Brass => {
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt);
                    *x = saw(ph[0], dt);
                }
            }
            Sound::SquareLead => {
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt);
                    *x = pulse(ph[0], dt, 0.5);
                }
            }
            Sound::PowerGuitar => {
                // Two strings a few cents apart into an amp: the fundamental plus grit.
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt * g1);
                    ph[1] = wrap(ph[1] + dt * g2);
                    *x =
                        soft_clip((saw(ph[0], dt) + saw(ph[1], dt)) * 1.4 + sin_turns(ph[0]) * 0.8);
                }
            }
            Sound::NylonGuitar
            | Sound::SteelGuitar
            | Sound::CleanGuitar
            | Sound::DistortedGuitar
            | Sound::Harp
            | Sound::AcousticBass
            | Sound::ElectricBass => {
                let len = ks.len();
                let (a, c) = (1.0 - ks_blend, ks_blend);
                for x in b.iter_mut() {
                    let next = if ks_pos + 1 == len { 0 } else { ks_pos + 1 };
                    let y = (a * ks[ks_pos] + c * ks[next]) * ks_loss;
                    ks[ks_pos] = y;
                    ks_pos = next;
                    *x = inst.post(y);
                }
            }
            Sound::Trumpet
            | Sound::Trombone
            | Sound::Horn
            | Sound::Tuba
            | Sound::Violin
            | Sound::Cello
            | Sound::StringSection
            | Sound::Sax
            | Sound::Oboe
            | Sound::Clarinet
            | Sound::Marimba => {
                for x in b.iter_mut() {
                    *x = inst.tick(dt, noise);
                }
            }
            Sound::Flute => {
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt);
                    *x = sin_turns(ph[0])
                        + 0.12 * sin_turns(ph[0] * 2.0)
                        + 0.06 * breath.step(noise.sample());
                }
            }
            Sound::Accordion => {
                // Two reeds a few cents apart (their beating is the musette's shimmer), a third
                // quieter one an octave down, and the bellows' slow swell.
                let (a, c) = (dt * d1, dt * d2);
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + a);
                    ph[1] = wrap(ph[1] + c);
                    ph[2] = wrap(ph[2] + dt * 0.5);
                    *x = pulse(ph[0], a, 0.3) * 0.8
                        + saw(ph[1], c) * 0.6
                        + pulse(ph[2], dt * 0.5, 0.4) * 0.25;
                    *x *= inst.bellows();
                }
            }
            Sound::Voice => {
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + dt);
                    let src = saw(ph[0], dt) + 0.03 * noise.sample();
                    let mut y = 0.0;
                    for (fl, g) in formant.iter_mut() {
                        y += fl.step(src).band * *g;
                    }
                    *x = y * 0.8;
                }
            }
            Sound::Drums => b.fill(0.0),
        }
        if let (Some(flt), Some((cut, amount, _, res))) = (filt.as_mut(), p.filter) {
            let key_track = (f / 200.0).min(4.0);
            // Brass and bowed strings brighten with how hard they are played.
            let open = if inst.velocity_opens() {
                0.45 + 1.1 * vel
            } else {
                1.0
            };
            flt.set(
                (cut * open + amount * filt_env * (0.4 + 0.6 * vel)) * (0.75 + 0.25 * key_track),
                res,
                sr,
            );
            filt_env *= filt_env_kb;
            for x in b.iter_mut() {
                *x = flt.low(*x);
            }
        }
        if driven {
            let norm = 1.0 / drive.sqrt();
            for x in b.iter_mut() {
                *x = soft_clip(*x * drive) * norm;
            }
        }
        for ((o, x), e) in out[pos..pos + n].iter_mut().zip(b.iter()).zip(env.iter()) {
            *o += x * e * amp_scale;
        }
        pos += n;
    }
}
