//! The four Ghost Studio knobs as an effect chain (DESIGN.md gives their meanings): the one
//! mapping from knob values to sound, applied by Ghost Studio (son1k-ghost) to a session and by
//! the Generator (son1k-compose) to its master bus — a floor below both, so neither depends on
//! the other for it.
//!
//! - **Expressivity** (0 deeply sad … 50 balanced … 100 ecstatic): below 50 the sound darkens
//!   and softens (high cut, gentle compression); above 50 it brightens and drives (presence,
//!   air, saturation, punchier compression).
//! - **Trash**: saturation and aggression; at the very top bit reduction and noise.
//! - **Garage**: pristine → analog warmth → vintage tape (wow and flutter, softened highs) → heavy
//!   lo-fi (band limits, hiss, a small room) → extreme distortion and noise.
//! - **Rareza**: timbral departure — chorus, then ring-modulated metallic layers.
//!
//! At Expressivity 50 with the other three at 0 the chain is empty: exactly transparent.

#![deny(missing_docs)]

use son1k_audio::fx::{process_buffer, Chain, FilterKind, FxSpec};
use son1k_audio::{AudioBuffer, AudioError};
use son1k_core::Knobs;

const Q: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// The chain for `knobs` (empty — exactly transparent — at Expressivity 50 with the rest at 0).
/// The values need no checking here: a `KnobValue` is 0–100 by construction. `seed` makes the
/// added noise reproducible.
pub fn chain(knobs: &Knobs, seed: u64) -> Vec<FxSpec> {
    let e = knobs.expressivity.fraction();
    let r = knobs.rareza.fraction();
    let g = knobs.garage.fraction();
    let t = knobs.trash.fraction();
    let mut fx = Vec::new();
    // Garage: warmth → tape → lo-fi → destroyed.
    if g > 0.0 {
        fx.push(FxSpec::Saturation {
            drive_db: 1.0 + 12.0 * g,
            mix: (0.15 + 0.7 * g).min(1.0),
        });
    }
    if g > 0.3 {
        fx.push(FxSpec::Tape {
            depth: ((g - 0.3) / 0.7).min(1.0),
        });
        fx.push(FxSpec::Eq {
            kind: FilterKind::HighShelf,
            freq: 7000.0,
            q: Q,
            gain_db: -3.0 - 6.0 * (g - 0.3),
        });
    }
    if g > 0.55 {
        let x = (g - 0.55) / 0.45;
        fx.push(FxSpec::Eq {
            kind: FilterKind::LowPass,
            freq: 11_000.0 - 8_000.0 * x,
            q: 0.8,
            gain_db: 0.0,
        });
        fx.push(FxSpec::Eq {
            kind: FilterKind::HighPass,
            freq: 60.0 + 200.0 * x,
            q: Q,
            gain_db: 0.0,
        });
        fx.push(FxSpec::Noise {
            level_db: -62.0 + 26.0 * x,
            pink: true,
            seed: seed ^ 0x9a7a,
        });
        fx.push(FxSpec::Reverb {
            room: 0.15,
            damping: 0.7,
            wet: 0.12 + 0.1 * x,
            dry: None,
        });
    }
    // Trash: saturation and aggression.
    if t > 0.0 {
        fx.push(FxSpec::Saturation {
            drive_db: 2.0 + 22.0 * t,
            mix: (0.2 + 0.8 * t).min(1.0),
        });
        fx.push(FxSpec::Compressor {
            threshold_db: -8.0 - 16.0 * t,
            ratio: 1.5 + 6.0 * t,
            attack_ms: 5.0,
            release_ms: 80.0,
            makeup_db: 6.0 * t,
        });
    }
    if t > 0.85 || g > 0.92 {
        let x = ((t - 0.85).max(g - 0.92) / 0.15).clamp(0.0, 1.0);
        fx.push(FxSpec::Bitcrusher {
            bits: (11.0 - 5.0 * x) as u32,
            downsample: 1 + (2.0 * x) as u32,
        });
        fx.push(FxSpec::Noise {
            level_db: -48.0 + 12.0 * x,
            pink: false,
            seed: seed ^ 0x7a54,
        });
    }
    // Rareza: timbral departure.
    if r > 0.0 {
        fx.push(FxSpec::Chorus {
            depth: (0.2 + 0.8 * r).min(1.0),
            rate_hz: 0.3 + 1.5 * r,
            mix: (0.25 + 0.6 * r).min(1.0),
        });
    }
    if r > 0.5 {
        fx.push(FxSpec::RingMod {
            freq: 30.0 + 400.0 * (r - 0.5),
            mix: (r - 0.5) * 0.8,
        });
    }
    // Expressivity: the emotional axis, neutral at 50.
    if e < 0.5 {
        let x = (0.5 - e) * 2.0; // 0 … 1 toward deeply sad
        fx.push(FxSpec::Eq {
            kind: FilterKind::HighShelf,
            freq: 3000.0,
            q: Q,
            gain_db: -9.0 * x,
        });
        fx.push(FxSpec::Eq {
            kind: FilterKind::LowPass,
            freq: 20_000.0 - 14_000.0 * x,
            q: Q,
            gain_db: 0.0,
        });
        fx.push(FxSpec::Compressor {
            threshold_db: -12.0 - 8.0 * x,
            ratio: 1.5 + x,
            attack_ms: 30.0,
            release_ms: 250.0,
            makeup_db: 0.0,
        });
    } else if e > 0.5 {
        let x = (e - 0.5) * 2.0; // 0 … 1 toward ecstatic
        fx.push(FxSpec::Eq {
            kind: FilterKind::Peak,
            freq: 3000.0,
            q: 0.9,
            gain_db: 4.0 * x,
        });
        fx.push(FxSpec::Eq {
            kind: FilterKind::HighShelf,
            freq: 9000.0,
            q: Q,
            gain_db: 5.0 * x,
        });
        fx.push(FxSpec::Saturation {
            drive_db: 6.0 * x,
            mix: 0.4 * x,
        });
        fx.push(FxSpec::Compressor {
            threshold_db: -10.0 - 8.0 * x,
            ratio: 1.5 + 2.5 * x,
            attack_ms: 10.0,
            release_ms: 120.0,
            makeup_db: 3.0 * x,
        });
    }
    fx
}

/// Applies the knobs to `audio`, keeping its length and alignment (the chain's look-ahead latency
/// is compensated).
pub fn apply(audio: &AudioBuffer, knobs: &Knobs, seed: u64) -> Result<AudioBuffer, AudioError> {
    let specs = chain(knobs, seed);
    if specs.is_empty() {
        return Ok(audio.clone());
    }
    let channels = audio.channel_count();
    let mut fx = Chain::build(&specs, audio.sample_rate, channels)?;
    let latency = fx.latency();
    let mut padded = audio.clone();
    for ch in padded.channels.iter_mut() {
        ch.extend(std::iter::repeat_n(0.0, latency));
    }
    process_buffer(&mut fx, &mut padded, 1024);
    for ch in padded.channels.iter_mut() {
        ch.drain(..latency);
    }
    Ok(padded)
}
