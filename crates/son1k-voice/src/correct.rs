//! Pitch correction to a key: the voice's pitch is tracked (YIN, from son1k-analysis), each voiced
//! moment is pulled toward the nearest note of the key's scale, and the signal is re-synthesised
//! by pitch-synchronous overlap-add (TD-PSOLA): one grain per glottal period, taken around a pitch
//! mark and laid down at the corrected period's spacing. Grains keep the vocal tract's response,
//! so formants stay where they were; unvoiced sounds and silence pass through unchanged, and the
//! length never changes.

use serde::{Deserialize, Serialize};
use son1k_analysis::pitch::{yin, PitchFrame};
use son1k_audio::AudioBuffer;
use son1k_core::{Key, Mode};

use crate::VoiceError;

/// How a pitch correction behaves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PitchCorrection {
    /// The key whose scale notes the voice is pulled to.
    pub key: Key,
    /// How far toward the note, 0 (no change) … 1 (all the way).
    pub strength: f64,
    /// How quickly the correction follows a new note, in milliseconds (0 = at once, the hard
    /// "robotic" sound; 50–150 ms sounds natural).
    pub retune_ms: f64,
}

impl PitchCorrection {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), VoiceError> {
        crate::check("strength", self.strength, 0.0, 1.0)?;
        crate::check("retune_ms", self.retune_ms, 0.0, 1000.0)
    }
}

/// What a correction did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CorrectionReport {
    /// Share of the input's time that was voiced (0…1).
    pub voiced: f64,
    /// Mean absolute correction over voiced time, in cents.
    pub mean_cents: f64,
    /// Largest correction, in cents.
    pub max_cents: f64,
}

/// Lowest and highest pitch tracked, Hz.
const FMIN: f64 = 70.0;
const FMAX: f64 = 1000.0;
/// Tracking runs at about this rate (the input is decimated to it).
const TRACK_RATE: u32 = 11_025;
/// Tracker hop at the tracking rate (≈ 5.8 ms).
const TRACK_HOP: usize = 64;
/// Grain spacing where the voice is unvoiced, seconds.
const UNVOICED_STEP: f64 = 0.005;

/// Scale degrees (semitones above the tonic) of a mode.
fn scale(mode: Mode) -> [u8; 7] {
    match mode {
        Mode::Major => [0, 2, 4, 5, 7, 9, 11],
        Mode::Minor => [0, 2, 3, 5, 7, 8, 10],
    }
}

/// Semitones from `midi` (fractional) to the nearest note of `key`'s scale.
fn to_scale(midi: f64, key: Key) -> f64 {
    let degrees = scale(key.mode);
    let tonic = f64::from(key.tonic.semitone());
    let base = midi.floor() as i64;
    let mut best = f64::INFINITY;
    for note in (base - 2)..=(base + 2) {
        let pc = (note as f64 - tonic).rem_euclid(12.0).round() as u8 % 12;
        if degrees.contains(&pc) {
            let d = note as f64 - midi;
            if d.abs() < best.abs() {
                best = d;
            }
        }
    }
    if best.is_finite() {
        best
    } else {
        0.0
    }
}

/// Low-passes and keeps every `factor`-th sample (windowed-sinc FIR).
fn decimate(x: &[f32], factor: usize) -> Vec<f32> {
    if factor <= 1 {
        return x.to_vec();
    }
    let half = 8 * factor as isize;
    let cutoff = 0.45 / factor as f64;
    let taps: Vec<f32> = (-half..=half)
        .map(|i| {
            let t = i as f64;
            let sinc = if i == 0 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * t).sin() / (std::f64::consts::PI * t)
            };
            let w = 0.5 + 0.5 * (std::f64::consts::PI * t / (half + 1) as f64).cos();
            (sinc * w) as f32
        })
        .collect();
    (0..x.len().div_ceil(factor))
        .map(|j| {
            let c = (j * factor) as isize;
            let mut acc = 0.0f32;
            for (k, &h) in taps.iter().enumerate() {
                let i = c + k as isize - half;
                if i >= 0 && (i as usize) < x.len() {
                    acc += x[i as usize] * h;
                }
            }
            acc
        })
        .collect()
}

/// Per-sample view of the track: the period (samples) and correction ratio at any time.
struct Track {
    frames: Vec<PitchFrame>,
    /// Smoothed correction per frame, semitones (None when unvoiced).
    shift: Vec<Option<f64>>,
    rate: f64,
    frame_step: f64,
    first_time: f64,
}

impl Track {
    fn index(&self, sample: usize) -> Option<usize> {
        if self.frames.is_empty() {
            return None;
        }
        let t = sample as f64 / self.rate;
        let i = ((t - self.first_time) / self.frame_step).round();
        Some((i.max(0.0) as usize).min(self.frames.len() - 1))
    }

    /// The input's period in samples here, if voiced.
    fn period(&self, sample: usize) -> Option<f64> {
        let i = self.index(sample)?;
        self.shift[i]?;
        self.frames[i].hz.map(|hz| self.rate / hz)
    }

    /// Output frequency ÷ input frequency here.
    fn ratio(&self, sample: usize) -> f64 {
        self.index(sample)
            .and_then(|i| self.shift[i])
            .map_or(1.0, crate::ratio)
    }
}

/// Tracks the pitch of the mono mix and plans the correction.
fn plan(mono: &[f32], rate: u32, params: &PitchCorrection) -> Track {
    let factor = (rate / TRACK_RATE).max(1) as usize;
    let low = decimate(mono, factor);
    let track_rate = rate / factor as u32;
    let fmax = FMAX.min(f64::from(track_rate) * 0.4);
    let frames = yin(&low, track_rate, FMIN, fmax, TRACK_HOP);
    let frame_step = TRACK_HOP as f64 / f64::from(track_rate);
    let keep = if params.retune_ms <= 0.0 {
        0.0
    } else {
        (-frame_step / (params.retune_ms / 1000.0)).exp()
    };
    let mut shift = Vec::with_capacity(frames.len());
    let mut current: Option<f64> = None;
    for f in &frames {
        let next = match f.hz {
            Some(hz) if f.confidence > 0.5 => {
                let midi = 69.0 + 12.0 * (hz / 440.0).log2();
                let raw = to_scale(midi, params.key) * params.strength;
                Some(match current {
                    // A new voiced stretch starts on its target; within one, the correction glides.
                    None => raw,
                    Some(c) => keep * c + (1.0 - keep) * raw,
                })
            }
            _ => None,
        };
        current = next;
        shift.push(next);
    }
    Track {
        first_time: frames.first().map_or(0.0, |f| f.time),
        frames,
        shift,
        rate: f64::from(rate),
        frame_step,
    }
}

/// Pitch marks: one per period where voiced (on the waveform's peak), every 5 ms elsewhere.
fn marks(mono: &[f32], track: &Track, rate: u32) -> Vec<usize> {
    let step = (f64::from(rate) * UNVOICED_STEP).round().max(1.0) as usize;
    let mut out = vec![0usize];
    let mut pos = 0usize;
    while pos < mono.len() {
        let next = match track.period(pos) {
            Some(p) => {
                let p = p.max(2.0);
                let predicted = pos as f64 + p;
                let reach = (p / 4.0).max(1.0);
                let lo = ((predicted - reach).max(pos as f64 + p * 0.5)) as usize;
                let hi = ((predicted + reach) as usize).min(mono.len().saturating_sub(1));
                if lo > hi {
                    predicted.round() as usize
                } else {
                    (lo..=hi)
                        .max_by(|&a, &b| mono[a].total_cmp(&mono[b]))
                        .unwrap_or(predicted.round() as usize)
                }
            }
            None => pos + step,
        };
        if next >= mono.len() {
            break;
        }
        out.push(next);
        pos = next;
    }
    out.push(mono.len());
    out
}

/// Corrects the pitch of every channel of `input` toward `params.key` (see the module notes).
/// The output has the input's rate, channels and length.
pub fn correct_pitch(
    input: &AudioBuffer,
    params: &PitchCorrection,
) -> Result<(AudioBuffer, CorrectionReport), VoiceError> {
    params.validate()?;
    let len = input.frames();
    if len == 0 {
        return Err(VoiceError::Empty);
    }
    let channels = input.channels.len().max(1) as f32;
    let mono: Vec<f32> = (0..len)
        .map(|i| input.channels.iter().map(|c| c[i]).sum::<f32>() / channels)
        .collect();
    let track = plan(&mono, input.sample_rate, params);
    let marks = marks(&mono, &track, input.sample_rate);

    // Synthesis marks: start where the analysis marks start and step by each analysis period ÷
    // the correction ratio there; each takes the grain of the analysis mark nearest to it.
    let mut grains: Vec<(usize, usize)> = Vec::new(); // (analysis mark index, output position)
    let mut ts = 0.0f64;
    let mut i = 0usize;
    while (ts as usize) < len {
        let t = ts as usize;
        while i + 1 < marks.len() - 1 && marks[i + 1].abs_diff(t) <= marks[i].abs_diff(t) {
            i += 1;
        }
        grains.push((i, t));
        let period = (marks[i + 1] - marks[i]).max(1) as f64;
        ts += period / track.ratio(marks[i]);
    }

    let mut out = vec![vec![0.0f32; len]; input.channels.len()];
    let mut weight = vec![0.0f32; len];
    for &(i, t) in &grains {
        let centre = marks[i];
        let left = if i == 0 { 0 } else { centre - marks[i - 1] };
        let right = marks[i + 1] - centre;
        let from = -(left as isize);
        for j in from..right as isize {
            let src = centre as isize + j;
            let dst = t as isize + j;
            if src < 0 || dst < 0 || src as usize >= len || dst as usize >= len {
                continue;
            }
            let w = if j < 0 {
                0.5 - 0.5 * (std::f32::consts::PI * (j + left as isize) as f32 / left as f32).cos()
            } else {
                0.5 + 0.5 * (std::f32::consts::PI * j as f32 / right as f32).cos()
            };
            for (o, c) in out.iter_mut().zip(&input.channels) {
                o[dst as usize] += c[src as usize] * w;
            }
            weight[dst as usize] += w;
        }
    }
    for (o, c) in out.iter_mut().zip(&input.channels) {
        for ((v, &w), &x) in o.iter_mut().zip(&weight).zip(c) {
            // Overlapping grains are normalised by their summed window; where none reaches
            // (never inside the signal), the input passes through.
            *v = if w > 1e-3 { *v / w } else { x };
        }
    }

    let voiced: Vec<f64> = track.shift.iter().flatten().map(|s| s * 100.0).collect();
    let report = CorrectionReport {
        voiced: voiced.len() as f64 / track.shift.len().max(1) as f64,
        mean_cents: voiced.iter().map(|c| c.abs()).sum::<f64>() / voiced.len().max(1) as f64,
        max_cents: voiced.iter().fold(0.0, |m: f64, c| m.max(c.abs())),
    };
    Ok((
        AudioBuffer {
            sample_rate: input.sample_rate,
            channels: out,
        },
        report,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use son1k_core::PitchClass;

    #[test]
    fn notes_go_to_the_nearest_scale_degree() {
        let a_minor = Key::new(PitchClass::new(9), Mode::Minor);
        let a_major = Key::new(PitchClass::new(9), Mode::Major);
        // G#4 = 68: not in A minor (G and A are), in A major.
        assert!((to_scale(68.4, a_minor) - 0.6).abs() < 1e-9);
        assert!((to_scale(68.4, a_major) + 0.4).abs() < 1e-9);
        assert!((to_scale(69.0, a_minor)).abs() < 1e-9);
        // Between E (64) and F (65), both in A minor: the nearer.
        assert!((to_scale(64.3, a_minor) + 0.3).abs() < 1e-9);
    }
}
