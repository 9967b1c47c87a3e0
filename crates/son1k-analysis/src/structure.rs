//! Section boundaries from beat-synchronous features (self-similarity novelty), labelled A/B/….

use serde::{Deserialize, Serialize};

use crate::spectrum::Spectrogram;

/// A section of the song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// "A", "B", …: sections that sound alike share a letter.
    pub label: String,
}

/// Per-beat feature: 12 chroma bins and 6 log-band energies, unit length.
fn beat_features(spec: &Spectrogram, beats: &[usize]) -> Vec<Vec<f64>> {
    let bands = [
        (0.0, 150.0),
        (150.0, 400.0),
        (400.0, 1000.0),
        (1000.0, 2500.0),
        (2500.0, 6000.0),
        (6000.0, 11_000.0),
    ];
    let bin = spec.bin_hz(1);
    let pc_of: Vec<Option<usize>> = (0..spec.bins())
        .map(|k| {
            let f = k as f64 * bin;
            (80.0..4000.0).contains(&f).then(|| {
                ((69.0 + 12.0 * (f / 440.0).log2()).round() as i64).rem_euclid(12) as usize
            })
        })
        .collect();
    beats
        .windows(2)
        .map(|w| {
            let mut v = [0.0f64; 18];
            for frame in &spec.mags[w[0]..w[1].min(spec.mags.len())] {
                for (k, m) in frame.iter().enumerate() {
                    let m = f64::from(*m);
                    if let Some(pc) = pc_of[k] {
                        v[pc] += m;
                    }
                    let f = k as f64 * bin;
                    if let Some(b) = bands.iter().position(|(lo, hi)| f >= *lo && f < *hi) {
                        v[12 + b] += m * m;
                    }
                }
            }
            for e in &mut v[12..] {
                *e = (1.0 + *e).ln();
            }
            // Harmony and timbre weigh equally: each part is scaled to unit length first.
            for (range, weight) in [(0..12, 1.0), (12..18, 0.7)] {
                let norm = v[range.clone()]
                    .iter()
                    .map(|x| x * x)
                    .sum::<f64>()
                    .sqrt()
                    .max(1e-9);
                for x in &mut v[range] {
                    *x *= weight / norm;
                }
            }
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-9);
            v.iter().map(|x| x / norm).collect()
        })
        .collect()
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Finds section boundaries on the beat grid and labels similar sections alike.
pub fn sections(spec: &Spectrogram, beats: &[usize]) -> Vec<Section> {
    let fps = spec.frames_per_second();
    let end = spec.mags.len() as f64 / fps;
    let whole = |label: &str| {
        vec![Section {
            start: 0.0,
            end: (end * 1000.0).round() / 1000.0,
            label: label.into(),
        }]
    };
    if beats.len() < 34 {
        return whole("A");
    }
    let feats = beat_features(spec, beats);
    let n = feats.len();
    // Checkerboard kernel of 2×16 beats (four bars a side) slid along the self-similarity
    // diagonal: long enough that chord changes inside a phrase do not count as new sections.
    let half = 16.min(n / 4).max(2);
    let novelty: Vec<f64> = (0..n)
        .map(|i| {
            if i < half || i + half > n {
                return 0.0;
            }
            let mut s = 0.0;
            for a in i - half..i + half {
                for b in i - half..i + half {
                    let same_side = (a < i) == (b < i);
                    let sign = if same_side { 1.0 } else { -1.0 };
                    s += sign * cosine(&feats[a], &feats[b]);
                }
            }
            s
        })
        .collect();
    let mean = novelty.iter().sum::<f64>() / n as f64;
    let sd = (novelty.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    let mut bounds = vec![0usize];
    for i in 1..n.saturating_sub(1) {
        let is_peak = novelty[i] > novelty[i - 1] && novelty[i] >= novelty[i + 1];
        if is_peak && novelty[i] > mean + 1.5 * sd && i - bounds.last().copied().unwrap_or(0) >= 16
        {
            bounds.push(i);
        }
    }
    bounds.push(n);
    // Label: a section whose mean feature is close to an earlier label's takes that letter.
    let mut centroids: Vec<Vec<f64>> = Vec::new();
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut c = vec![0.0; 18];
        for f in &feats[a..b] {
            for (x, y) in c.iter_mut().zip(f) {
                *x += y;
            }
        }
        let norm = c.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-9);
        c.iter_mut().for_each(|x| *x /= norm);
        let label = match centroids.iter().position(|k| cosine(k, &c) > 0.95) {
            Some(i) => i,
            None => {
                centroids.push(c);
                centroids.len() - 1
            }
        };
        let letter = char::from(b'A' + (label.min(25) as u8)).to_string();
        let t = |beat: usize| {
            (spec.frame_time(beats[beat.min(beats.len() - 1)]) * 1000.0).round() / 1000.0
        };
        out.push(Section {
            start: if a == 0 { 0.0 } else { t(a) },
            end: if b == n {
                (end * 1000.0).round() / 1000.0
            } else {
                t(b)
            },
            label: letter,
        });
    }
    out
}
