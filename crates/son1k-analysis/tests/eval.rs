//! The evaluation measures the benchmark scores us and the peers with.

use son1k_analysis::eval::{
    beat_f_measure, key_error, tempo_error, within, KeyError, TempoError, BEAT_WINDOW_S,
};
use son1k_core::Key;

fn k(s: &str) -> Key {
    match s.parse() {
        Ok(k) => k,
        Err(e) => panic!("{s}: {e}"),
    }
}

#[test]
fn beat_f_measure_counts_beats_within_seventy_milliseconds_after_five_seconds() {
    let truth: Vec<f64> = (0..40).map(|i| f64::from(i) * 0.5).collect();
    assert_eq!(beat_f_measure(&truth, &truth, BEAT_WINDOW_S), 1.0);
    // 60 ms late is still a hit; 80 ms late is not.
    let late: Vec<f64> = truth.iter().map(|t| t + 0.06).collect();
    assert_eq!(beat_f_measure(&late, &truth, BEAT_WINDOW_S), 1.0);
    let later: Vec<f64> = truth.iter().map(|t| t + 0.08).collect();
    assert_eq!(beat_f_measure(&later, &truth, BEAT_WINDOW_S), 0.0);
    // Half the tempo: precision 1, recall 1/2, F = 2/3 (from 5 s on: 15 beats of 30 hit).
    let half: Vec<f64> = truth.iter().step_by(2).copied().collect();
    let f = beat_f_measure(&half, &truth, BEAT_WINDOW_S);
    assert!((f - 2.0 / 3.0).abs() < 1e-9, "{f}");
    // Off-beats score nothing; beats before 5 s do not count either way.
    let off: Vec<f64> = truth.iter().map(|t| t + 0.25).collect();
    assert_eq!(beat_f_measure(&off, &truth, BEAT_WINDOW_S), 0.0);
    let early: Vec<f64> = truth.iter().copied().filter(|t| *t < 5.0).collect();
    assert_eq!(beat_f_measure(&early, &truth, BEAT_WINDOW_S), 0.0);
    assert_eq!(beat_f_measure(&[], &truth, BEAT_WINDOW_S), 0.0);
}

#[test]
fn tempo_errors_are_classed_as_octave_triple_or_other() {
    assert!(within(102.0, 100.0, 0.02));
    assert!(!within(103.0, 100.0, 0.02));
    assert_eq!(tempo_error(103.0, 100.0), None);
    assert_eq!(tempo_error(201.0, 100.0), Some(TempoError::Octave));
    assert_eq!(tempo_error(49.0, 100.0), Some(TempoError::Octave));
    assert_eq!(tempo_error(150.0, 100.0), Some(TempoError::Triple));
    assert_eq!(tempo_error(300.0, 100.0), Some(TempoError::Triple));
    assert_eq!(tempo_error(125.0, 100.0), Some(TempoError::Other));
}

#[test]
fn key_errors_are_classed_as_fifth_relative_parallel_or_other() {
    assert_eq!(key_error(k("C major"), k("C major")), None);
    assert_eq!(key_error(k("G major"), k("C major")), Some(KeyError::Fifth));
    assert_eq!(key_error(k("F major"), k("C major")), Some(KeyError::Fifth));
    assert_eq!(
        key_error(k("A minor"), k("C major")),
        Some(KeyError::Relative)
    );
    assert_eq!(
        key_error(k("C major"), k("A minor")),
        Some(KeyError::Relative)
    );
    assert_eq!(
        key_error(k("C minor"), k("C major")),
        Some(KeyError::Parallel)
    );
    assert_eq!(key_error(k("D major"), k("C major")), Some(KeyError::Other));
    assert_eq!(key_error(k("E minor"), k("C major")), Some(KeyError::Other));
}
