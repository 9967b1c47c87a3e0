//! Effects: the building blocks of every chain (the knobs' own chain is son1k-knobs), usable
//! offline and in real time.
//!
//! Every effect is prepared once (allocation happens in [`FxSpec::build`]) and then processes
//! planar blocks in place without allocating, locking or touching files, so the same chain runs in
//! the audio callback and in offline mixdown and gives the same samples.

mod biquad;
mod dynamics;
mod modulation;
mod reverb;
mod tone;

pub use biquad::{Biquad, FilterKind};
pub use dynamics::{Compressor, Limiter};
pub use modulation::{Chorus, Delay, RingMod, Tape};
pub use reverb::Reverb;
pub use tone::{Bitcrusher, Gain, Noise, Pan, Saturation};

use serde::{Deserialize, Serialize};

use crate::AudioError;

/// A processor that works on planar blocks in place.
pub trait Effect: Send {
    /// Processes one block; every slice has the same length. Must not allocate.
    fn process(&mut self, block: &mut [&mut [f32]]);
    /// Clears internal state (delay lines, envelopes) as after a seek.
    fn reset(&mut self);
    /// Samples of latency this effect adds (look-ahead).
    fn latency(&self) -> usize {
        0
    }
}

/// Converts decibels to a linear factor.
pub fn db_to_gain(db: f32) -> f32 {
    libm::powf(10.0, db / 20.0)
}

/// Converts a linear factor to decibels (−inf for 0).
pub fn gain_to_db(g: f32) -> f32 {
    20.0 * libm::log10f(g.abs())
}

/// 20·log10(2): decibels per doubling.
const DB_PER_OCTAVE: f32 = 6.020_6;

/// Fast [`gain_to_db`] for positive normal numbers (error under 0.001 dB), for per-block work
/// in dynamics processors. Exponent from the float's bits, mantissa by a minimax polynomial.
pub fn fast_gain_to_db(g: f32) -> f32 {
    if g < f32::MIN_POSITIVE {
        return -1000.0;
    }
    let bits = g.to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000); // mantissa in [1, 2)
                                                                // log2(m) on [1, 2): least-squares quintic (max error 3.2e-5).
    let p = -2.786_889
        + m * (5.047_115
            + m * (-3.492_787 + m * (1.594_077 + m * (-0.404_918_23 + m * 0.043_434_673))));
    (exp as f32 + p) * DB_PER_OCTAVE
}

/// Fast [`db_to_gain`] (relative error under 1e-4) for −700…+700 dB.
pub fn fast_db_to_gain(db: f32) -> f32 {
    let x = (db / DB_PER_OCTAVE).clamp(-126.0, 126.0);
    let xi = x.floor();
    let f = x - xi; // [0, 1)
                    // 2^f on [0, 1): least-squares quintic (max error 2.4e-7).
    let p = 0.999_999_77
        + f * (0.693_156_8
            + f * (0.240_131_77 + f * (0.055_876_44 + f * (0.008_940_63 + f * 0.001_894_387))));
    f32::from_bits(((xi as i32 + 127) as u32) << 23) * p
}

/// A serialisable effect description (what a session file stores).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FxSpec {
    /// Gain in dB.
    Gain {
        /// Gain in dB.
        db: f32,
    },
    /// Constant-power pan, −1 (left) … +1 (right).
    Pan {
        /// Position.
        position: f32,
    },
    /// One biquad band of a parametric EQ.
    Eq {
        /// Filter shape.
        kind: FilterKind,
        /// Centre or corner frequency in Hz.
        freq: f32,
        /// Quality factor.
        #[serde(default = "default_q")]
        q: f32,
        /// Gain in dB (peaking and shelving kinds).
        #[serde(default)]
        gain_db: f32,
    },
    /// Feed-forward compressor.
    Compressor {
        /// Threshold in dBFS.
        threshold_db: f32,
        /// Ratio (≥ 1).
        ratio: f32,
        /// Attack in ms.
        #[serde(default = "default_attack")]
        attack_ms: f32,
        /// Release in ms.
        #[serde(default = "default_release")]
        release_ms: f32,
        /// Make-up gain in dB.
        #[serde(default)]
        makeup_db: f32,
    },
    /// Look-ahead brick-wall limiter.
    Limiter {
        /// Ceiling in dBFS (or dBTP with `true_peak`).
        ceiling_db: f32,
        /// Release in ms.
        #[serde(default = "default_limiter_release")]
        release_ms: f32,
        /// Limit inter-sample (true) peaks, estimated by 4× oversampling.
        #[serde(default)]
        true_peak: bool,
    },
    /// Algorithmic reverb (room).
    Reverb {
        /// Room size 0–1.
        room: f32,
        /// High-frequency damping 0–1.
        damping: f32,
        /// Wet level 0–1.
        wet: f32,
        /// Level of the unprocessed sound, 0–1; null: 1 − wet/2. A return bus's reverb sets
        /// 0 (only the reverb: the tracks' dry sound reaches the master on its own).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dry: Option<f32>,
    },
    /// Soft-clipping saturation.
    Saturation {
        /// Drive in dB before the curve.
        drive_db: f32,
        /// Dry/wet mix 0–1.
        #[serde(default = "one")]
        mix: f32,
    },
    /// Bit-depth and sample-rate reduction.
    Bitcrusher {
        /// Bits kept (1–24).
        bits: u32,
        /// Hold each sample for this many samples (1 = off).
        #[serde(default = "one_u32")]
        downsample: u32,
    },
    /// Added noise.
    Noise {
        /// Level in dBFS.
        level_db: f32,
        /// Pink (−3 dB/octave) instead of white.
        #[serde(default)]
        pink: bool,
        /// Seed (the same seed gives the same noise).
        #[serde(default)]
        seed: u64,
    },
    /// Tape wow and flutter.
    Tape {
        /// Depth 0–1.
        depth: f32,
    },
    /// Chorus.
    Chorus {
        /// Sweep depth 0–1.
        depth: f32,
        /// Sweep rate in Hz.
        rate_hz: f32,
        /// Dry/wet mix 0–1.
        mix: f32,
    },
    /// Ring modulation.
    RingMod {
        /// Carrier frequency in Hz.
        freq: f32,
        /// Dry/wet mix 0–1.
        mix: f32,
    },
    /// Feedback echo.
    Delay {
        /// Time between echoes in ms (1–2000).
        time_ms: f32,
        /// Share of each echo fed back into the next, 0–0.95.
        feedback: f32,
        /// Dry/wet mix 0–1.
        mix: f32,
    },
}

fn default_q() -> f32 {
    std::f32::consts::FRAC_1_SQRT_2
}
fn default_attack() -> f32 {
    10.0
}
fn default_release() -> f32 {
    100.0
}
fn default_limiter_release() -> f32 {
    50.0
}
fn one() -> f32 {
    1.0
}
fn one_u32() -> u32 {
    1
}

fn check(ok: bool, what: &str) -> Result<(), AudioError> {
    if ok {
        Ok(())
    } else {
        Err(AudioError::Invalid(format!(
            "effect parameter out of range: {what}"
        )))
    }
}

impl FxSpec {
    /// Builds the effect for `channels` channels at `sample_rate`, validating its parameters.
    pub fn build(&self, sample_rate: u32, channels: usize) -> Result<Box<dyn Effect>, AudioError> {
        let sr = sample_rate as f32;
        Ok(match *self {
            FxSpec::Gain { db } => {
                check(
                    db.is_finite() && (-120.0..=48.0).contains(&db),
                    "gain must be −120–48 dB",
                )?;
                Box::new(Gain::new(db))
            }
            FxSpec::Pan { position } => {
                check((-1.0..=1.0).contains(&position), "pan must be −1–1")?;
                Box::new(Pan::new(position))
            }
            FxSpec::Eq {
                kind,
                freq,
                q,
                gain_db,
            } => {
                check(
                    freq > 0.0 && freq < sr / 2.0,
                    "EQ frequency must be between 0 Hz and half the sample rate",
                )?;
                check(q > 0.01 && q <= 40.0, "EQ Q must be 0.01–40")?;
                check(
                    (-48.0..=48.0).contains(&gain_db),
                    "EQ gain must be −48–48 dB",
                )?;
                Box::new(Biquad::new(kind, sr, freq, q, gain_db, channels))
            }
            FxSpec::Compressor {
                threshold_db,
                ratio,
                attack_ms,
                release_ms,
                makeup_db,
            } => {
                check(
                    (-80.0..=0.0).contains(&threshold_db),
                    "compressor threshold must be −80–0 dB",
                )?;
                check(
                    (1.0..=100.0).contains(&ratio),
                    "compressor ratio must be 1–100",
                )?;
                check(
                    attack_ms >= 0.0 && release_ms > 0.0,
                    "compressor times must be positive",
                )?;
                Box::new(Compressor::new(
                    sr,
                    threshold_db,
                    ratio,
                    attack_ms,
                    release_ms,
                    makeup_db,
                ))
            }
            FxSpec::Limiter {
                ceiling_db,
                release_ms,
                true_peak,
            } => {
                check(
                    (-30.0..=0.0).contains(&ceiling_db),
                    "limiter ceiling must be −30–0 dB",
                )?;
                check(release_ms > 0.0, "limiter release must be positive")?;
                Box::new(Limiter::new(
                    sr, ceiling_db, release_ms, true_peak, channels,
                ))
            }
            FxSpec::Reverb {
                room,
                damping,
                wet,
                dry,
            } => {
                check(
                    (0.0..=1.0).contains(&room)
                        && (0.0..=1.0).contains(&damping)
                        && (0.0..=1.0).contains(&wet)
                        && dry.is_none_or(|d| (0.0..=1.0).contains(&d)),
                    "reverb values must be 0–1",
                )?;
                let dry = dry.unwrap_or(1.0 - wet * 0.5);
                Box::new(Reverb::new(sr, room, damping, wet, channels).with_dry(dry))
            }
            FxSpec::Saturation { drive_db, mix } => {
                check(
                    (0.0..=48.0).contains(&drive_db),
                    "saturation drive must be 0–48 dB",
                )?;
                check((0.0..=1.0).contains(&mix), "saturation mix must be 0–1")?;
                Box::new(Saturation::new(drive_db, mix))
            }
            FxSpec::Bitcrusher { bits, downsample } => {
                check((1..=24).contains(&bits), "bitcrusher bits must be 1–24")?;
                check(
                    (1..=256).contains(&downsample),
                    "bitcrusher downsample must be 1–256",
                )?;
                Box::new(Bitcrusher::new(bits, downsample, channels))
            }
            FxSpec::Noise {
                level_db,
                pink,
                seed,
            } => {
                check(
                    (-120.0..=0.0).contains(&level_db),
                    "noise level must be −120–0 dBFS",
                )?;
                Box::new(Noise::new(level_db, pink, seed, channels))
            }
            FxSpec::Tape { depth } => {
                check((0.0..=1.0).contains(&depth), "tape depth must be 0–1")?;
                Box::new(Tape::new(sr, depth, channels))
            }
            FxSpec::Chorus {
                depth,
                rate_hz,
                mix,
            } => {
                check(
                    (0.0..=1.0).contains(&depth) && (0.0..=1.0).contains(&mix),
                    "chorus depth and mix must be 0–1",
                )?;
                check(
                    rate_hz > 0.0 && rate_hz <= 20.0,
                    "chorus rate must be 0–20 Hz",
                )?;
                Box::new(Chorus::new(sr, depth, rate_hz, mix, channels))
            }
            FxSpec::RingMod { freq, mix } => {
                check(
                    freq > 0.0 && freq < sr / 2.0,
                    "ring modulator frequency must be between 0 Hz and half the sample rate",
                )?;
                check((0.0..=1.0).contains(&mix), "ring modulator mix must be 0–1")?;
                Box::new(RingMod::new(sr, freq, mix))
            }
            FxSpec::Delay {
                time_ms,
                feedback,
                mix,
            } => {
                check(
                    (1.0..=2000.0).contains(&time_ms),
                    "delay time must be 1–2000 ms",
                )?;
                check(
                    (0.0..=0.95).contains(&feedback),
                    "delay feedback must be 0–0.95",
                )?;
                check((0.0..=1.0).contains(&mix), "delay mix must be 0–1")?;
                Box::new(Delay::new(sr, time_ms, feedback, mix, channels))
            }
        })
    }
}

/// Effects run in order.
#[derive(Default)]
pub struct Chain {
    effects: Vec<Box<dyn Effect>>,
}

impl Chain {
    /// Builds a chain from specs.
    pub fn build(specs: &[FxSpec], sample_rate: u32, channels: usize) -> Result<Self, AudioError> {
        Ok(Chain {
            effects: specs
                .iter()
                .map(|s| s.build(sample_rate, channels))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Whether the chain does nothing.
    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    /// Total look-ahead latency in samples.
    pub fn latency(&self) -> usize {
        self.effects.iter().map(|e| e.latency()).sum()
    }
}

impl Effect for Chain {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        for e in &mut self.effects {
            e.process(block);
        }
    }

    fn reset(&mut self) {
        for e in &mut self.effects {
            e.reset();
        }
    }

    fn latency(&self) -> usize {
        Chain::latency(self)
    }
}

/// Runs `effect` over a whole buffer in blocks of `block` frames (offline use).
pub fn process_buffer(effect: &mut dyn Effect, buf: &mut crate::AudioBuffer, block: usize) {
    let frames = buf.frames();
    let mut start = 0;
    while start < frames {
        let end = (start + block).min(frames);
        let mut slices: Vec<&mut [f32]> = buf
            .channels
            .iter_mut()
            .map(|c| &mut c[start..end])
            .collect();
        effect.process(&mut slices);
        start = end;
    }
}
