//! The built-in instruments: drum synthesis, subtractive and FM basses and leads, keys, pads,
//! a plucked string and a formant "guide voice". They need no sample files.

use crate::compose::drum;
use crate::dsp::{self, pulse, saw, sin_turns, soft_clip, wrap, OnePole, Svf};
use crate::rng::Noise;
use crate::score::{Note, Part, Score};
use crate::style::Sound;

/// Sound-shaping that the knobs feed into every instrument.
#[derive(Debug, Clone, Copy)]
pub struct Tone {
    /// 0 dark … 1 bright (Expressivity).
    pub bright: f32,
    /// 0 clean … 1 driven (Trash and Expressivity).
    pub drive: f32,
}

/// A stereo stem.
pub type Stereo = [Vec<f32>; 2];

/// Renders one part to a stereo stem of `frames` frames at `sr` Hz.
pub fn render_part(
    part: &Part,
    score: &Score,
    sr: u32,
    frames: usize,
    tone: Tone,
    seed: u64,
) -> Stereo {
    if part.sound == Sound::Drums {
        return render_drums(part, score, sr, frames, tone, seed);
    }
    let mut mono = vec![0.0f32; frames];
    let srf = sr as f32;
    let spb = score.beat_seconds() * sr as f64;
    let mut noise = Noise::new(seed ^ 0x5eed);
    let gain = dsp::db(part.gain_db);
    let notes = &part.notes;
    // Repeated notes (the same pitch, length and velocity step) sound the same, so each is
    // synthesized once and mixed in wherever it recurs: comping and pads repeat a lot.
    let mut cache: std::collections::HashMap<(u8, usize, u8, char), Vec<f32>> =
        std::collections::HashMap::new();
    let max_len = (patch(part.sound, tone).amp.release * srf * 6.0) as usize;
    for (i, n) in notes.iter().enumerate() {
        let start = (n.start * spb).round() as usize;
        if start >= frames {
            continue;
        }
        let len = ((n.dur * spb) as usize).max(16);
        // Monophonic glide for 808s: slide from the previous note when they touch.
        let glide_from = if part.sound == Sound::SubBass && i > 0 {
            let p = notes[i - 1];
            let gap = n.start - (p.start + p.dur);
            (gap.abs() < 0.1 && p.pitch != n.pitch).then_some(p.pitch)
        } else {
            None
        };
        let vel_step = (n.vel.clamp(0.0, 1.0) * 32.0).round() as u8;
        let mut note = *n;
        note.vel = vel_step as f32 / 32.0;
        let cacheable = glide_from.is_none() && !matches!(part.sound, Sound::NylonGuitar);
        let dest = &mut mono[start..];
        if !cacheable {
            render_voice(
                part.sound, &note, glide_from, len, dest, srf, gain, tone, &mut noise,
            );
            continue;
        }
        let key = (n.pitch, len, vel_step, n.vowel.unwrap_or(' '));
        let wave = cache.entry(key).or_insert_with(|| {
            let mut w = vec![0.0f32; len + max_len];
            render_voice(
                part.sound, &note, None, len, &mut w, srf, gain, tone, &mut noise,
            );
            // Trim the silent tail so mixing it in costs nothing.
            let end = w.iter().rposition(|x| *x != 0.0).map_or(0, |p| p + 1);
            w.truncate(end);
            w
        });
        for (o, x) in dest.iter_mut().zip(wave.iter()) {
            *o += *x;
        }
    }
    pan_to_stereo(mono, part.pan, part.sound, sr)
}

/// Constant-power pan; pads and pianos get width from a short Haas delay on one side.
fn pan_to_stereo(mono: Vec<f32>, pan: f32, sound: Sound, sr: u32) -> Stereo {
    let angle = (pan.clamp(-1.0, 1.0) + 1.0) * 0.125; // turns: 0 … 0.25
    let l = sin_turns(angle + 0.25); // cos
    let r = sin_turns(angle);
    let width_ms = match sound {
        Sound::SawPad | Sound::StringPad => 14.0,
        Sound::Piano | Sound::ElectricPiano | Sound::NylonGuitar | Sound::PowerGuitar => 7.0,
        _ => 0.0,
    };
    let delay = (width_ms / 1000.0 * sr as f32) as usize;
    let mut left = Vec::with_capacity(mono.len());
    let mut right = Vec::with_capacity(mono.len());
    for (i, &x) in mono.iter().enumerate() {
        left.push(x * l);
        let d = if i >= delay { mono[i - delay] } else { 0.0 };
        let y = if delay > 0 { 0.6 * x + 0.4 * d } else { x };
        right.push(y * r);
    }
    [left, right]
}

/// Amplitude envelope: linear attack, exponential decay to sustain, exponential release.
#[derive(Debug, Clone, Copy)]
struct Adsr {
    attack: f32,
    decay: f32,
    sustain: f32,
    release: f32,
}

/// Oscillator and filter recipe of a tonal sound.
#[derive(Debug, Clone, Copy)]
struct Patch {
    amp: Adsr,
    /// Low-pass cutoff (Hz) at rest, envelope amount (Hz), envelope decay (s), resonance.
    filter: Option<(f32, f32, f32, f32)>,
    /// Vibrato depth in semitones and rate in Hz.
    vibrato: (f32, f32),
    level: f32,
}

fn patch(sound: Sound, tone: Tone) -> Patch {
    let b = tone.bright;
    let a = |attack, decay, sustain, release| Adsr {
        attack,
        decay,
        sustain,
        release,
    };
    let p = |amp, filter, vibrato, level| Patch {
        amp,
        filter,
        vibrato,
        level,
    };
    match sound {
        Sound::SubBass => p(a(0.004, 1.2, 0.6, 0.12), None, (0.0, 0.0), 0.9),
        Sound::SawBass => p(
            a(0.003, 0.25, 0.7, 0.06),
            Some((180.0 + 220.0 * b, 900.0 + 1800.0 * b, 0.18, 0.35)),
            (0.0, 0.0),
            0.55,
        ),
        Sound::FmBass => p(a(0.003, 0.6, 0.5, 0.08), None, (0.0, 0.0), 0.75),
        Sound::Reese => p(
            a(0.01, 1.0, 0.85, 0.1),
            Some((350.0 + 400.0 * b, 300.0, 0.5, 0.25)),
            (0.0, 0.0),
            0.5,
        ),
        Sound::Piano => p(a(0.002, 1.4, 0.0, 0.1), None, (0.0, 0.0), 0.42),
        Sound::ElectricPiano => p(a(0.002, 1.8, 0.0, 0.2), None, (0.0, 0.0), 0.45),
        Sound::Organ => p(a(0.01, 0.1, 0.9, 0.08), None, (0.05, 6.0), 0.22),
        Sound::Clav => p(
            a(0.001, 0.25, 0.0, 0.05),
            Some((700.0, 2500.0 + 2500.0 * b, 0.08, 0.5)),
            (0.0, 0.0),
            0.35,
        ),
        Sound::Pluck => p(
            a(0.002, 0.35, 0.0, 0.12),
            Some((350.0, 2500.0 + 3500.0 * b, 0.12, 0.3)),
            (0.0, 0.0),
            0.38,
        ),
        Sound::PowerGuitar => p(
            a(0.003, 1.5, 0.6, 0.08),
            Some((1800.0 + 1800.0 * b, 0.0, 0.1, 0.2)),
            (0.0, 0.0),
            0.3,
        ),
        Sound::NylonGuitar => p(a(0.001, 1.2, 0.0, 0.15), None, (0.0, 0.0), 0.6),
        Sound::SawPad => p(
            a(0.35, 1.0, 0.85, 0.7),
            Some((900.0 + 1600.0 * b, 300.0, 1.0, 0.15)),
            (0.06, 4.5),
            0.16,
        ),
        Sound::StringPad => p(
            a(0.28, 1.0, 0.9, 0.6),
            Some((1500.0 + 2200.0 * b, 0.0, 1.0, 0.1)),
            (0.08, 5.2),
            0.15,
        ),
        Sound::SawLead => p(
            a(0.01, 0.4, 0.8, 0.12),
            Some((1200.0 + 2500.0 * b, 1200.0, 0.2, 0.3)),
            (0.15, 5.5),
            0.3,
        ),
        Sound::SquareLead => p(
            a(0.005, 0.3, 0.75, 0.1),
            Some((1500.0 + 2500.0 * b, 800.0, 0.15, 0.2)),
            (0.1, 5.5),
            0.3,
        ),
        Sound::Bell => p(a(0.001, 1.3, 0.0, 0.4), None, (0.0, 0.0), 0.35),
        Sound::Flute => p(a(0.06, 0.5, 0.85, 0.12), None, (0.2, 5.0), 0.45),
        Sound::Brass => p(
            a(0.03, 0.4, 0.8, 0.1),
            Some((400.0, 1800.0 + 2200.0 * b, 0.12, 0.15)),
            (0.12, 5.0),
            0.32,
        ),
        Sound::Acid => p(
            a(0.002, 0.3, 0.6, 0.05),
            Some((250.0 + 250.0 * b, 2500.0 + 2500.0 * b, 0.14, 0.85)),
            (0.0, 0.0),
            0.3,
        ),
        Sound::Accordion => p(
            a(0.03, 0.3, 0.9, 0.08),
            Some((2200.0 + 1500.0 * b, 0.0, 1.0, 0.1)),
            (0.0, 0.0),
            0.2,
        ),
        Sound::Voice => p(a(0.05, 0.4, 0.85, 0.12), None, (0.25, 5.3), 0.9),
        Sound::Drums => p(a(0.001, 0.1, 0.0, 0.01), None, (0.0, 0.0), 0.0),
    }
}

/// Formant frequencies (Hz) and gains for the sung vowels.
fn formants(vowel: char) -> [(f32, f32); 3] {
    match vowel {
        'a' => [(800.0, 1.0), (1150.0, 0.5), (2900.0, 0.15)],
        'e' => [(400.0, 1.0), (1700.0, 0.4), (2600.0, 0.2)],
        'i' => [(300.0, 1.0), (2200.0, 0.25), (3000.0, 0.15)],
        'o' => [(450.0, 1.0), (800.0, 0.6), (2830.0, 0.1)],
        _ => [(325.0, 1.0), (700.0, 0.3), (2530.0, 0.08)],
    }
}

/// Samples per processing block inside a voice (pitch modulation and filter sweeps update once
/// per block; everything else is per sample).
const BLK: usize = 64;

/// Renders one note of a tonal sound, adding into `out` (which starts at the note's onset).
#[allow(clippy::too_many_arguments)]
fn render_voice(
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
    // Karplus–Strong string for the nylon guitar.
    let mut ks: Vec<f32> = Vec::new();
    let mut ks_pos = 0usize;
    if sound == Sound::NylonGuitar {
        let n = ((sr / freq) as usize).max(2);
        ks = (0..n).map(|_| noise.sample()).collect();
        // Soften the excitation: a pluck, not a scrape.
        for i in 1..n {
            ks[i] = 0.5 * (ks[i] + ks[i - 1]);
        }
    }
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
    let driven = tone.drive > 0.05 && !matches!(sound, Sound::SubBass | Sound::PowerGuitar);

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
            Sound::NylonGuitar => {
                let len = ks.len();
                for x in b.iter_mut() {
                    let next = if ks_pos + 1 == len { 0 } else { ks_pos + 1 };
                    let y = 0.5 * (ks[ks_pos] + ks[next]) * 0.996;
                    ks[ks_pos] = y;
                    ks_pos = next;
                    *x = y;
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
                let (a, c) = (dt * d1, dt * d2);
                for x in b.iter_mut() {
                    ph[0] = wrap(ph[0] + a);
                    ph[1] = wrap(ph[1] + c);
                    *x = pulse(ph[0], a, 0.3) + pulse(ph[1], c, 0.3);
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
            flt.set(
                (cut + amount * filt_env * (0.4 + 0.6 * vel)) * (0.75 + 0.25 * key_track),
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

fn render_drums(
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
    use crate::style::Sound;
    use son1k_core::{Key, Mode, PitchClass};

    fn score_with(sound: Sound, pitch: u8) -> (Score, Part) {
        let part = Part {
            name: "x".into(),
            role: crate::score::Role::Lead,
            sound,
            pan: 0.0,
            gain_db: 0.0,
            notes: vec![Note {
                start: 0.0,
                dur: 2.0,
                pitch,
                vel: 0.9,
                vowel: Some('a'),
            }],
        };
        let score = Score {
            bpm: 120,
            key: Key::new(PitchClass::new(9), Mode::Minor),
            beats_per_bar: 4,
            sections: vec![],
            chords: vec![],
            parts: vec![part.clone()],
            syllables: vec![],
            total_beats: 4.0,
            seconds: 2.0,
        };
        (score, part)
    }

    /// The frequency with the strongest DFT bin among candidate notes.
    fn loudest_note(x: &[f32], sr: f32, candidates: &[u8]) -> u8 {
        *candidates
            .iter()
            .max_by(|a, b| {
                let power = |n: u8| {
                    let f = dsp::midi_hz(n as f32);
                    let (mut re, mut im) = (0.0f64, 0.0f64);
                    for (i, s) in x.iter().enumerate() {
                        let t = f * i as f32 / sr;
                        re += (*s * sin_turns(t + 0.25)) as f64;
                        im += (*s * sin_turns(t)) as f64;
                    }
                    re * re + im * im
                };
                power(**a).total_cmp(&power(**b))
            })
            .unwrap()
    }

    #[test]
    fn every_sound_plays_its_pitch_and_stays_in_range() {
        let tone = Tone {
            bright: 0.5,
            drive: 0.0,
        };
        for sound in [
            Sound::SubBass,
            Sound::SawBass,
            Sound::FmBass,
            Sound::Reese,
            Sound::Piano,
            Sound::ElectricPiano,
            Sound::Organ,
            Sound::Clav,
            Sound::Pluck,
            Sound::PowerGuitar,
            Sound::NylonGuitar,
            Sound::SawPad,
            Sound::StringPad,
            Sound::SawLead,
            Sound::SquareLead,
            Sound::Flute,
            Sound::Brass,
            Sound::Acid,
            Sound::Accordion,
            Sound::Voice,
        ] {
            let pitch = if matches!(
                sound,
                Sound::SubBass | Sound::SawBass | Sound::FmBass | Sound::Reese
            ) {
                45
            } else {
                69
            };
            let (score, part) = score_with(sound, pitch);
            let st = render_part(&part, &score, 44_100, 44_100 * 2, tone, 1);
            let peak = st[0]
                .iter()
                .chain(&st[1])
                .fold(0.0f32, |m, x| m.max(x.abs()));
            assert!(peak > 0.01 && peak < 1.5, "{sound:?} peak {peak}");
            assert!(st[0].iter().all(|x| x.is_finite()));
            let mono: Vec<f32> = st[0]
                .iter()
                .zip(&st[1])
                .map(|(a, b)| a + b)
                .skip(4_410)
                .take(4_410)
                .collect();
            let candidates: Vec<u8> = (pitch - 5..=pitch + 5).collect();
            assert_eq!(
                loudest_note(&mono, 44_100.0, &candidates),
                pitch,
                "{sound:?}"
            );
        }
    }

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
