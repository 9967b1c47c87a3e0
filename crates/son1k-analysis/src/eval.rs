//! Evaluation measures for tempo, beats and key, as the MIR literature defines them: tempo within
//! a tolerance (Acc1, Acc2), the beat F-measure with a ±70 ms window, and the class of a tempo or
//! key error (octave, relative, parallel, fifth). The benchmark scores us and the peer tools with
//! the same functions.

use son1k_core::Key;

/// Whether `estimate` is within `tolerance` (a fraction, 0.04 for 4%) of `truth`.
pub fn within(estimate: f64, truth: f64, tolerance: f64) -> bool {
    truth > 0.0 && (estimate - truth).abs() <= tolerance * truth
}

/// The standard window of the beat F-measure: a beat counts when within 70 ms of a true beat.
pub const BEAT_WINDOW_S: f64 = 0.07;

/// Beats before this time are ignored by the beat F-measure (the usual convention: a tracker is
/// given five seconds to lock on).
pub const BEAT_SKIP_S: f64 = 5.0;

/// The beat F-measure of `estimate` against `truth` (times in seconds): each true beat matches at
/// most one estimated beat within `window` seconds; F = 2PR/(P+R). Beats before
/// [`BEAT_SKIP_S`] are ignored in both lists. 0 when either list is then empty.
pub fn beat_f_measure(estimate: &[f64], truth: &[f64], window: f64) -> f64 {
    let keep = |v: &[f64]| -> Vec<f64> {
        let mut v: Vec<f64> = v.iter().copied().filter(|t| *t >= BEAT_SKIP_S).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (est, tru) = (keep(estimate), keep(truth));
    if est.is_empty() || tru.is_empty() {
        return 0.0;
    }
    // Greedy matching in time order; optimal while beats are more than two windows apart,
    // which holds up to 428 BPM for the 70 ms window.
    let (mut i, mut j, mut hits) = (0usize, 0usize, 0usize);
    while i < est.len() && j < tru.len() {
        let d = est[i] - tru[j];
        if d.abs() <= window {
            hits += 1;
            i += 1;
            j += 1;
        } else if d < 0.0 {
            i += 1;
        } else {
            j += 1;
        }
    }
    if hits == 0 {
        return 0.0;
    }
    let p = hits as f64 / est.len() as f64;
    let r = hits as f64 / tru.len() as f64;
    2.0 * p * r / (p + r)
}

/// How a tempo estimate misses the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TempoError {
    /// Half or double the true tempo.
    Octave,
    /// A third, three times, two thirds or three halves of it (a triple-meter confusion).
    Triple,
    /// Anything else.
    Other,
}

/// The class of a tempo error, or `None` when the estimate is within 4% of the truth.
pub fn tempo_error(estimate: f64, truth: f64) -> Option<TempoError> {
    if within(estimate, truth, 0.04) {
        None
    } else if [2.0, 0.5].iter().any(|m| within(estimate, truth * m, 0.04)) {
        Some(TempoError::Octave)
    } else if [3.0, 1.0 / 3.0, 1.5, 2.0 / 3.0]
        .iter()
        .any(|m| within(estimate, truth * m, 0.04))
    {
        Some(TempoError::Triple)
    } else {
        Some(TempoError::Other)
    }
}

/// How a key estimate misses the truth (the MIREX classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// A fifth up or down in the same mode.
    Fifth,
    /// The relative major or minor.
    Relative,
    /// The same tonic in the other mode.
    Parallel,
    /// Anything else.
    Other,
}

/// The class of a key error, or `None` when the estimate is the true key.
pub fn key_error(estimate: Key, truth: Key) -> Option<KeyError> {
    let up =
        (i32::from(estimate.tonic.semitone()) - i32::from(truth.tonic.semitone())).rem_euclid(12);
    if estimate == truth {
        None
    } else if estimate.mode == truth.mode && (up == 7 || up == 5) {
        Some(KeyError::Fifth)
    } else if estimate == truth.relative() {
        Some(KeyError::Relative)
    } else if estimate.tonic == truth.tonic && estimate.mode != truth.mode {
        Some(KeyError::Parallel)
    } else {
        Some(KeyError::Other)
    }
}
