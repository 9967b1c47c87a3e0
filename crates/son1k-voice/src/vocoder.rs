//! The phase vocoder: short-time Fourier analysis, identity phase locking, envelope correction or
//! replacement, overlap-add synthesis with exact window normalisation, then resampling.

use std::f32::consts::PI;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use realfft::num_complex::Complex32;
use realfft::RealFftPlanner;
use serde::{Deserialize, Serialize};

use crate::envelope::{self, Envelope};
use crate::resample::read_at_rate;

/// What drives the vocal tract in the output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Excitation {
    /// The input's own voice (pitch-shifted as asked).
    Voice,
    /// Noise through the voice's envelope: a whisper (seeded, so the same input gives the same output).
    Whisper {
        /// Seed of the noise phases.
        seed: u64,
    },
    /// A monotone pulse train at this frequency (Hz) through the voice's envelope: a robot.
    Robot {
        /// The robot's pitch in Hz.
        hz: f64,
    },
}

/// Frame size for a sample rate: about 46 ms at 44.1/48 kHz, 64 ms at 16 kHz.
fn frame_size(rate: u32) -> usize {
    if rate <= 24_000 {
        1024
    } else if rate <= 50_000 {
        2048
    } else {
        4096
    }
}

/// Frames analysed together in parallel before they are synthesised in order.
const ANALYSIS_BLOCK: usize = 64;

/// One analysed frame.
struct Analysis {
    m: i64,
    start: i64,
    mag: Vec<f32>,
    phase: Vec<f32>,
    /// The spectral envelope, when the transform needs it.
    envelope: Vec<f32>,
}

fn princarg(x: f32) -> f32 {
    x - 2.0 * PI * (x / (2.0 * PI)).round()
}

/// Shifts one channel's pitch by `semitones` and its formants by `formant` semitones, stretches it by
/// `stretch`, with the given excitation; the result has exactly `out_len` samples.
pub fn shift_channel(
    x: &[f32],
    rate: u32,
    semitones: f64,
    formant: f64,
    stretch: f64,
    excitation: Excitation,
    out_len: usize,
) -> Vec<f32> {
    let alpha = crate::ratio(semitones);
    let beta = (alpha / crate::ratio(formant)) as f32;
    let r = stretch * alpha;
    let n = frame_size(rate);
    let bins = n / 2 + 1;
    let hs = match excitation {
        Excitation::Robot { hz } => {
            ((f64::from(rate) / hz.clamp(40.0, 1000.0)).round() as usize).clamp(n / 16, n / 2)
        }
        _ => n / 4,
    };
    let ha = hs as f64 / r;
    let stretched_len = ((x.len() as f64) * r).ceil() as usize;

    let mut planner = RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(n);
    let ifft = planner.plan_fft_inverse(n);
    let window: Vec<f32> = (0..n)
        .map(|i| 0.5 - 0.5 * (2.0 * PI * i as f32 / n as f32).cos())
        .collect();

    let mut frame = vec![0.0f32; n];
    let mut spec = vec![Complex32::new(0.0, 0.0); bins];
    let mut synth_phase = vec![0.0f32; bins];
    let mut out_mag = vec![0.0f32; bins];
    let mut peaks: Vec<usize> = Vec::with_capacity(bins / 2);
    let mut rng = ChaCha8Rng::seed_from_u64(match excitation {
        Excitation::Whisper { seed } => seed,
        _ => 0,
    });
    let needs_env = (beta - 1.0).abs() > 1e-6 || !matches!(excitation, Excitation::Voice);

    // Output buffer with n samples of lead-in so that frames centred before time 0 fit.
    let mut out = vec![0.0f32; stretched_len + 2 * n];
    let mut wsum = vec![0.0f32; stretched_len + 2 * n];
    let first = -((n / hs) as i64) - 1;
    let last = (stretched_len / hs) as i64 + (n / hs) as i64 + 1;
    let mut prev: Option<Analysis> = None;

    // Frames are analysed (transform, magnitudes, phases, envelope) in parallel, a block at a
    // time; phase propagation and overlap-add then run in order.
    let frames: Vec<i64> = (first..=last).collect();
    for block in frames.chunks(ANALYSIS_BLOCK) {
        let analysed: Vec<Analysis> = block
            .par_iter()
            .map_init(
                || {
                    let mut planner = RealFftPlanner::<f32>::new();
                    let env = Envelope::new(&mut planner, n, rate);
                    (env, vec![0.0f32; n], vec![Complex32::new(0.0, 0.0); bins])
                },
                |(env, frame, spec), &m| {
                    let centre = (m as f64 * ha).round() as i64;
                    let start = centre - (n / 2) as i64;
                    for (i, f) in frame.iter_mut().enumerate() {
                        let idx = start + i as i64;
                        *f = if idx >= 0 && (idx as usize) < x.len() {
                            x[idx as usize] * window[i]
                        } else {
                            0.0
                        };
                    }
                    // Sizes match the plan, so the transform cannot fail.
                    let _ = fft.process(frame, spec);
                    let mag: Vec<f32> = spec.iter().map(|c| c.norm()).collect();
                    let phase = spec.iter().map(|c| c.arg()).collect();
                    let mut envelope = Vec::new();
                    if needs_env {
                        envelope = vec![0.0f32; bins];
                        env.measure(&mag, &mut envelope);
                    }
                    Analysis {
                        m,
                        start,
                        mag,
                        phase,
                        envelope,
                    }
                },
            )
            .collect();

        for a in analysed {
            let (m, mag, env_in) = (a.m, &a.mag, &a.envelope);
            match excitation {
                Excitation::Voice => match &prev {
                    None => synth_phase.copy_from_slice(&a.phase),
                    Some(p) => {
                        let hop_a = (a.start - p.start) as f32;
                        lock_phases(
                            mag,
                            &a.phase,
                            &p.phase,
                            &mut synth_phase,
                            &mut peaks,
                            hop_a,
                            hs as f32,
                            n,
                        );
                    }
                },
                Excitation::Whisper { .. } => {
                    for p in synth_phase.iter_mut() {
                        *p = rng.random_range(-PI..PI);
                    }
                }
                Excitation::Robot { .. } => {
                    // Zero phase about the frame's centre: one pulse per synthesis hop.
                    for (k, p) in synth_phase.iter_mut().enumerate() {
                        *p = if k % 2 == 0 { 0.0 } else { PI };
                    }
                }
            }

            if needs_env {
                for k in 0..bins {
                    let target = envelope::at(env_in, k as f32 * beta);
                    out_mag[k] = match excitation {
                        Excitation::Whisper { .. } => {
                            let hz = k as f32 * rate as f32 / n as f32;
                            target * (0.4 + 1.6 * (hz / 3000.0).min(1.0))
                        }
                        Excitation::Robot { .. } => target,
                        _ => mag[k] * (target / env_in[k].max(1e-12)).min(16.0),
                    };
                }
                if matches!(excitation, Excitation::Voice) {
                    // The envelope moves energy between frequencies; the frame's level stays.
                    let e_in: f32 = mag.iter().map(|v| v * v).sum();
                    let e_out: f32 = out_mag.iter().map(|v| v * v).sum();
                    if e_out > 1e-20 {
                        let g = (e_in / e_out).sqrt();
                        out_mag.iter_mut().for_each(|v| *v *= g);
                    }
                }
            } else {
                out_mag.copy_from_slice(mag);
            }
            for k in 0..bins {
                spec[k] = Complex32::from_polar(out_mag[k], synth_phase[k]);
            }
            spec[0].im = 0.0;
            spec[bins - 1].im = 0.0;
            let _ = ifft.process(&mut spec, &mut frame);

            let out_start = m * hs as i64 - (n / 2) as i64 + n as i64;
            let scale = 1.0 / n as f32;
            for i in 0..n {
                let idx = out_start + i as i64;
                if idx >= 0 && (idx as usize) < out.len() {
                    out[idx as usize] += frame[i] * scale * window[i];
                    wsum[idx as usize] += window[i] * window[i];
                }
            }
            prev = Some(a);
        }
    }

    let full = wsum.iter().fold(0.0f32, |m, &v| m.max(v));
    let stretched: Vec<f32> = out[n..n + stretched_len]
        .iter()
        .zip(&wsum[n..n + stretched_len])
        .map(|(&o, &w)| o / w.max(full * 0.1).max(1e-9))
        .collect();

    let mut y = if (alpha - 1.0).abs() > 1e-9 {
        read_at_rate(&stretched, alpha, out_len)
    } else {
        let mut s = stretched;
        s.resize(out_len, 0.0);
        s
    };
    match excitation {
        Excitation::Voice => {}
        Excitation::Whisper { .. } => match_rms(&mut y, x, 0.7),
        Excitation::Robot { .. } => match_rms(&mut y, x, 0.9),
    }
    y
}

/// Scales `y` to `gain` × the RMS of `reference`, never above −0.2 dBFS peak.
fn match_rms(y: &mut [f32], reference: &[f32], gain: f32) {
    let rms = |s: &[f32]| (s.iter().map(|v| v * v).sum::<f32>() / s.len().max(1) as f32).sqrt();
    let (ry, rr) = (rms(y), rms(reference));
    let peak = y.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if ry > 1e-9 && peak > 0.0 {
        let g = (gain * rr / ry).min(0.977 / peak);
        y.iter_mut().for_each(|v| *v *= g);
    }
}

/// Identity phase locking: each spectral peak advances at its measured instantaneous frequency,
/// the bins around it keep their analysed phase offsets from it (no phasiness on harmonics).
#[allow(clippy::too_many_arguments)]
fn lock_phases(
    mag: &[f32],
    phase: &[f32],
    prev_phase: &[f32],
    synth: &mut [f32],
    peaks: &mut Vec<usize>,
    hop_a: f32,
    hop_s: f32,
    n: usize,
) {
    let bins = mag.len();
    let advance = |k: usize| -> f32 {
        let omega = 2.0 * PI * k as f32 / n as f32;
        if hop_a.abs() < 0.5 {
            return omega;
        }
        let d = princarg(phase[k] - prev_phase[k] - omega * hop_a);
        omega + d / hop_a
    };
    peaks.clear();
    let floor = mag.iter().fold(0.0f32, |m, &v| m.max(v)) * 1e-6;
    for k in 2..bins.saturating_sub(2) {
        let v = mag[k];
        if v > floor && v > mag[k - 1] && v >= mag[k + 1] && v > mag[k - 2] && v >= mag[k + 2] {
            peaks.push(k);
        }
    }
    if peaks.is_empty() {
        for (k, s) in synth.iter_mut().enumerate() {
            *s = princarg(*s + advance(k) * hop_s);
        }
        return;
    }
    let mut lo = 0;
    for (i, &p) in peaks.iter().enumerate() {
        let hi = if i + 1 < peaks.len() {
            // Boundary at the lowest bin between this peak and the next.
            let next = peaks[i + 1];
            let mut b = p;
            for k in p..next {
                if mag[k] < mag[b] {
                    b = k;
                }
            }
            b
        } else {
            bins
        };
        let peak_phase = princarg(synth[p] + advance(p) * hop_s);
        for k in lo..hi {
            synth[k] = if k == p {
                peak_phase
            } else {
                princarg(peak_phase + phase[k] - phase[p])
            };
        }
        lo = hi;
    }
}
