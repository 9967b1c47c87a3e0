//! The extractors one by one.
#![allow(clippy::unwrap_used)]

use son1k_analysis::key::{best_key, mirex_score};
use son1k_analysis::pitch::yin;
use son1k_core::Key;

fn k(s: &str) -> Key {
    s.parse().unwrap()
}

#[test]
fn yin_follows_a_gliding_voice_and_rests_on_silence() {
    let rate = 22_050;
    let mut sig = Vec::new();
    let mut phase = 0.0f64;
    for i in 0..rate {
        // 0–0.5 s at 220 Hz, then silence.
        let f = 220.0;
        phase += 2.0 * std::f64::consts::PI * f / f64::from(rate);
        sig.push(if i < rate / 2 {
            (phase.sin() * 0.5 + (2.0 * phase).sin() * 0.2) as f32
        } else {
            0.0
        });
    }
    let frames = yin(&sig, rate as u32, 60.0, 1000.0, 256);
    let voiced: Vec<f64> = frames
        .iter()
        .filter(|f| f.time < 0.4)
        .filter_map(|f| f.hz)
        .collect();
    assert!(!voiced.is_empty());
    for hz in voiced {
        assert!((hz - 220.0).abs() < 2.0, "{hz}");
    }
    assert!(frames
        .iter()
        .filter(|f| f.time > 0.7)
        .all(|f| f.hz.is_none()));
}

#[test]
fn key_profiles_and_mirex_scoring() {
    // A chroma with only the C major triad and scale tones prefers C major.
    let mut c = [0.0f64; 12];
    for (pc, w) in [
        (0, 3.0),
        (4, 2.0),
        (7, 2.5),
        (2, 1.0),
        (5, 1.0),
        (9, 1.0),
        (11, 1.0),
    ] {
        c[pc] = w;
    }
    assert_eq!(best_key(&c).0, k("C major"));
    assert_eq!(mirex_score(k("C major"), k("C major")), 1.0);
    assert_eq!(mirex_score(k("G major"), k("C major")), 0.5);
    assert_eq!(mirex_score(k("A minor"), k("C major")), 0.3);
    assert_eq!(mirex_score(k("C minor"), k("C major")), 0.2);
    assert_eq!(mirex_score(k("F# major"), k("C major")), 0.0);
}

#[test]
fn a_song_whose_second_half_changes_gets_two_kinds_of_section() {
    use son1k_analysis::corpus::{render, Pattern, SongSpec};
    let a = render(&SongSpec {
        bpm: 120.0,
        key: k("A minor"),
        pattern: Pattern::FourOnFloor,
        swing: 0.0,
        seconds: 24.0,
        noise_db: -60.0,
        seed: 1,
    });
    let b = render(&SongSpec {
        bpm: 120.0,
        key: k("Eb major"),
        pattern: Pattern::Backbeat,
        swing: 0.0,
        seconds: 24.0,
        noise_db: -60.0,
        seed: 2,
    });
    let mut joined = a.channels[0].clone();
    joined.extend_from_slice(&b.channels[0]);
    let audio = son1k_audio::AudioBuffer::new(a.sample_rate, vec![joined]).unwrap();
    let r = son1k_analysis::analyze(&audio, std::path::Path::new("two-halves")).unwrap();
    assert!(r.sections.len() >= 2, "{:?}", r.sections);
    let labels: std::collections::BTreeSet<&str> =
        r.sections.iter().map(|s| s.label.as_str()).collect();
    assert!(labels.len() >= 2, "{:?}", r.sections);
    // A boundary lands near the change at 24 s.
    assert!(
        r.sections.iter().any(|s| (s.start - 24.0).abs() < 2.5),
        "{:?}",
        r.sections
    );
    assert!(r.features.spectral_centroid_hz > 0.0 && r.features.onset_density > 1.0);
}
