//! Tuning, chroma and the key.

use serde::Serialize;
use son1k_core::{Key, Mode, PitchClass};

use crate::spectrum::Spectrogram;

/// The major key profile of Temperley's probabilistic model, estimated from the Kostka–Payne
/// corpus (the share of a key's segments in which each scale degree sounds). It weighs the scale
/// more evenly than Krumhansl's probe-tone ratings; on the real set of `son1k-bench analysis` it
/// reads more keys right than Temperley's older hand-set profile (85 % exact against 55 %).
const MAJOR: [f64; 12] = [
    0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400,
];
/// The minor profile of the same model, with the lowered seventh raised from 0.133 to 0.30:
/// the Kostka–Payne corpus is common-practice music, whose minor keys lean on harmonic minor's
/// leading tone, while the minor keys of popular music (and of the Generator's songs) are mostly
/// natural minor. With the raised seventh the real set reads 87.5 % of keys exactly instead of
/// 84.4 %, and the Generator's songs 95.8 % instead of 91.7 %.
const MINOR: [f64; 12] = [
    0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.300, 0.330,
];

/// How many harmonics a spectral peak is heard as (a peak at `f` votes for `f`, `f/2`, `f/3`
/// and `f/4` as the fundamental it may belong to).
const HARMONICS: u32 = 4;
/// How much each further harmonic's vote weighs against the one before it.
const HARMONIC_DECAY: f64 = 0.6;

/// A key estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyEstimate {
    /// The key.
    #[serde(serialize_with = "key_name")]
    pub key: Key,
    /// 0–1.
    pub confidence: f64,
    /// The reference A in Hz (440 for standard tuning).
    pub tuning_hz: f64,
    /// The summary chroma (C … B), normalised to sum 1.
    pub chroma: [f64; 12],
}

fn key_name<S: serde::Serializer>(k: &Key, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&k.to_string())
}

/// Spectral peaks of one frame between `lo` and `hi` Hz: (frequency, magnitude), refined by
/// parabolic interpolation on log magnitude.
fn peaks(spec: &Spectrogram, frame: &[f32], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let bin = spec.bin_hz(1);
    let (a, b) = (
        ((lo / bin) as usize).max(2),
        ((hi / bin) as usize).min(frame.len() - 2),
    );
    let floor = {
        let mut v: Vec<f32> = frame[a..b].to_vec();
        v.sort_by(|x, y| x.total_cmp(y));
        v.get(v.len() / 2).copied().unwrap_or(0.0) * 4.0
    };
    let mut out = Vec::new();
    for k in a..b {
        let m = frame[k];
        if m > floor && m > frame[k - 1] && m >= frame[k + 1] {
            let (l, c, r) = (
                f64::from(frame[k - 1].max(1e-12)).ln(),
                f64::from(m.max(1e-12)).ln(),
                f64::from(frame[k + 1].max(1e-12)).ln(),
            );
            let d = l - 2.0 * c + r;
            let off = if d.abs() > 1e-12 {
                0.5 * (l - r) / d
            } else {
                0.0
            };
            out.push(((k as f64 + off) * bin, f64::from(m)));
        }
    }
    out
}

/// The tuning reference: the magnitude-weighted circular mean of spectral peaks' deviation
/// from the equal-tempered grid around A440, as A's frequency.
pub fn tuning(spec: &Spectrogram) -> f64 {
    let (mut x, mut y) = (0.0f64, 0.0f64);
    // Tuning does not change within a song: every other frame is plenty.
    for frame in spec.mags.iter().step_by(2) {
        for (f, m) in peaks(spec, frame, 100.0, 2_000.0) {
            let semis = 12.0 * (f / 440.0).log2();
            let angle = 2.0 * std::f64::consts::PI * (semis - semis.round());
            x += m * angle.cos();
            y += m * angle.sin();
        }
    }
    if x == 0.0 && y == 0.0 {
        return 440.0;
    }
    let cents = y.atan2(x) / (2.0 * std::f64::consts::PI) * 100.0;
    440.0 * 2f64.powf(cents / 1200.0)
}

/// Summary harmonic pitch-class profile (HPCP) with the tuning compensated. Each frame's
/// spectral peaks between 50 Hz and 5 kHz vote, by their linear magnitude, for the pitch class
/// of every fundamental they may be a harmonic of (`f/h`, `h` = 1…4, the `h`-th weighing
/// 0.6^(h−1)), weighted by a cos² window on the distance to the semitone's centre. Each frame is
/// scaled so its strongest class is 1 (loud and quiet passages count alike), and the sum over
/// frames is normalised to sum 1. Working on peaks instead of every bin keeps noise and the
/// skirts of loud partials out of the profile.
pub fn chroma(spec: &Spectrogram, tuning_hz: f64) -> [f64; 12] {
    let mut total = [0.0f64; 12];
    let mut weights = [0.0f64; HARMONICS as usize];
    for (h, w) in weights.iter_mut().enumerate() {
        *w = HARMONIC_DECAY.powi(h as i32);
    }
    let frames: Vec<[f64; 12]> = spec
        .mags
        .iter()
        .map(|frame| {
            let mut c = [0.0f64; 12];
            for (f, m) in peaks(spec, frame, 50.0, 5_000.0) {
                for (h, w) in weights.iter().enumerate() {
                    let fundamental = f / (h + 1) as f64;
                    let midi = 69.0 + 12.0 * (fundamental / tuning_hz).log2();
                    let nearest = midi.round();
                    let closeness = (std::f64::consts::PI * (midi - nearest)).cos().powi(2);
                    c[(nearest as i64).rem_euclid(12) as usize] += w * closeness * m;
                }
            }
            c
        })
        .collect();
    // Frames 60 dB below the loudest (silence, hiss, the tail of a fade) do not vote: scaled
    // up to 1 they would count as much as the music.
    let strongest = |c: &[f64; 12]| c.iter().copied().fold(0.0f64, f64::max);
    let loudest = frames.iter().map(strongest).fold(0.0f64, f64::max);
    for c in &frames {
        let max = strongest(c);
        if max > 1e-9 && max >= loudest * 1e-3 {
            for (t, v) in total.iter_mut().zip(c) {
                *t += v / max;
            }
        }
    }
    let sum: f64 = total.iter().sum();
    if sum > 0.0 {
        for t in &mut total {
            *t /= sum;
        }
    }
    total
}

fn pearson(a: &[f64; 12], b: &[f64; 12]) -> f64 {
    let (ma, mb) = (a.iter().sum::<f64>() / 12.0, b.iter().sum::<f64>() / 12.0);
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        num += (a[i] - ma) * (b[i] - mb);
        da += (a[i] - ma).powi(2);
        db += (b[i] - mb).powi(2);
    }
    if da <= 0.0 || db <= 0.0 {
        0.0
    } else {
        num / (da * db).sqrt()
    }
}

/// Scores a chroma against the 24 rotated profiles; returns the best key and its confidence.
pub fn best_key(chroma: &[f64; 12]) -> (Key, f64) {
    let mut scores: Vec<(Key, f64)> = Vec::with_capacity(24);
    for tonic in 0..12 {
        for (mode, profile) in [(Mode::Major, &MAJOR), (Mode::Minor, &MINOR)] {
            let mut rotated = [0.0; 12];
            for (i, r) in rotated.iter_mut().enumerate() {
                *r = profile[(i + 12 - tonic) % 12];
            }
            scores.push((
                Key::new(PitchClass::new(tonic as i32), mode),
                pearson(chroma, &rotated),
            ));
        }
    }
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (key, best) = scores[0];
    let second = scores[1].1;
    // Confidence grows with the correlation and with the margin over the runner-up.
    let confidence =
        (best.max(0.0) * 0.5 + ((best - second) * 5.0).clamp(0.0, 1.0) * 0.5).clamp(0.0, 1.0);
    (key, confidence)
}

/// Tuning, chroma and key of a (long-window) spectrogram.
pub fn estimate(spec: &Spectrogram) -> KeyEstimate {
    let tuning_hz = tuning(spec);
    let chroma = chroma(spec, tuning_hz);
    let (key, confidence) = best_key(&chroma);
    KeyEstimate {
        key,
        confidence,
        tuning_hz,
        chroma,
    }
}

/// The MIREX key score of an estimate against the truth: 1 same key, 0.5 a fifth away (same
/// mode), 0.3 relative, 0.2 parallel, 0 otherwise.
pub fn mirex_score(estimate: Key, truth: Key) -> f64 {
    let (e, t) = (
        estimate.tonic.semitone() as i32,
        truth.tonic.semitone() as i32,
    );
    let up = (e - t).rem_euclid(12);
    if estimate == truth {
        1.0
    } else if estimate.mode == truth.mode && (up == 7 || up == 5) {
        0.5
    } else if estimate == truth.relative() {
        0.3
    } else if estimate.tonic == truth.tonic {
        0.2
    } else {
        0.0
    }
}
