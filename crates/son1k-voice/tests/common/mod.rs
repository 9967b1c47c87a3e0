//! Signals and measurements the voice tests share.
#![allow(dead_code)]

use son1k_audio::AudioBuffer;

/// The tests' sample rate.
pub const RATE: u32 = 44_100;

/// A sung vowel: a band-limited pulse train at `f0` through resonances at `formants` (Hz, bandwidth 90 Hz).
pub fn vowel(f0: f64, formants: &[f64], secs: f64) -> Vec<f32> {
    vowel_with_bandwidth(f0, formants, 90.0, secs)
}

/// [`vowel`] with resonances `bandwidth` Hz wide.
pub fn vowel_with_bandwidth(f0: f64, formants: &[f64], bandwidth: f64, secs: f64) -> Vec<f32> {
    let n = (secs * f64::from(RATE)) as usize;
    let rate = f64::from(RATE);
    let mut out = vec![0.0f64; n];
    let mut h = 1;
    while f0 * h as f64 <= 8000.0 {
        let f = f0 * h as f64;
        let amp: f64 = formants
            .iter()
            .map(|&fc| 1.0 / (1.0 + ((f - fc) / bandwidth).powi(2)))
            .sum::<f64>()
            + 0.01;
        for (i, o) in out.iter_mut().enumerate() {
            *o += amp * (2.0 * std::f64::consts::PI * f * i as f64 / rate + h as f64).sin();
        }
        h += 1;
    }
    let peak = out.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    out.iter().map(|v| (0.5 * v / peak) as f32).collect()
}

pub fn mono(samples: Vec<f32>) -> AudioBuffer {
    AudioBuffer {
        sample_rate: RATE,
        channels: vec![samples],
    }
}

/// Median YIN pitch over the middle of the signal.
pub fn pitch(x: &[f32]) -> f64 {
    let frames = son1k_analysis::pitch::yin(x, RATE, 60.0, 1200.0, 512);
    let mut hz: Vec<f64> = frames
        .iter()
        .skip(frames.len() / 5)
        .take(frames.len() * 3 / 5)
        .filter_map(|f| f.hz)
        .collect();
    assert!(!hz.is_empty(), "no voiced frames");
    hz.sort_by(|a, b| a.total_cmp(b));
    hz[hz.len() / 2]
}

/// The interval from `b` to `a` in cents.
pub fn cents(a: f64, b: f64) -> f64 {
    1200.0 * (a / b).log2()
}
