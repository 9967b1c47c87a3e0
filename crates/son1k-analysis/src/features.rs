//! Energy and spectral features.

use serde::{Deserialize, Serialize};

use crate::spectrum::Spectrogram;

/// Summary features of a song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Features {
    /// RMS energy per half second, in dBFS.
    pub energy_db: Vec<f64>,
    /// Mean spectral centroid in Hz (brightness).
    pub spectral_centroid_hz: f64,
    /// Mean frequency below which 85% of the energy lies, in Hz.
    pub spectral_rolloff_hz: f64,
    /// Mean spectral flatness 0 (tonal) … 1 (noise).
    pub spectral_flatness: f64,
    /// Onsets per second.
    pub onset_density: f64,
}

/// Computes the features from the shared spectrogram and onset envelope.
pub fn compute(spec: &Spectrogram, onsets: &[f32]) -> Features {
    let n = spec.mags.len().max(1);
    let (mut centroid, mut rolloff, mut flatness) = (0.0, 0.0, 0.0);
    let mut energies = Vec::with_capacity(spec.mags.len());
    for frame in &spec.mags {
        let power: Vec<f64> = frame
            .iter()
            .map(|m| f64::from(*m) * f64::from(*m))
            .collect();
        let total: f64 = power.iter().sum();
        energies.push(total);
        if total <= 1e-12 {
            continue;
        }
        centroid += power
            .iter()
            .enumerate()
            .map(|(k, p)| spec.bin_hz(k) * p)
            .sum::<f64>()
            / total;
        let mut acc = 0.0;
        let mut roll = 0.0;
        for (k, p) in power.iter().enumerate() {
            acc += p;
            if acc >= 0.85 * total {
                roll = spec.bin_hz(k);
                break;
            }
        }
        rolloff += roll;
        let mean = total / power.len() as f64;
        let geo = (power.iter().map(|p| (p + 1e-12).ln()).sum::<f64>() / power.len() as f64).exp();
        flatness += (geo / mean).min(1.0);
    }
    // Energy per half second; the window's sum of squared magnitudes scales with its length.
    let per = ((spec.frames_per_second() * 0.5) as usize).max(1);
    let norm = (spec.size as f64 * spec.size as f64) * 0.375 / 2.0;
    let energy_db = energies
        .chunks(per)
        .map(|c| {
            let e = c.iter().sum::<f64>() / c.len() as f64 / norm;
            ((10.0 * e.max(1e-12).log10()) * 10.0).round() / 10.0
        })
        .collect();
    let mut count = 0;
    for t in 1..onsets.len().saturating_sub(1) {
        if onsets[t] > 0.15 && onsets[t] > onsets[t - 1] && onsets[t] >= onsets[t + 1] {
            count += 1;
        }
    }
    let seconds = spec.mags.len() as f64 / spec.frames_per_second();
    let r = |v: f64| (v * 10.0).round() / 10.0;
    Features {
        energy_db,
        spectral_centroid_hz: r(centroid / n as f64),
        spectral_rolloff_hz: r(rolloff / n as f64),
        spectral_flatness: (flatness / n as f64 * 1000.0).round() / 1000.0,
        onset_density: r(count as f64 / seconds.max(1e-9)),
    }
}
