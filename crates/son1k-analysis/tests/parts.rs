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

/// A tone with `partials` harmonics falling as 1/h, at `hz`, `seconds` long.
fn harmonic_tone(hz: f64, partials: usize, seconds: f64, rate: u32, gain: f32) -> Vec<f32> {
    let n = (seconds * f64::from(rate)) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            let s: f64 = (1..=partials)
                .map(|h| (2.0 * std::f64::consts::PI * hz * h as f64 * t).sin() / h as f64)
                .sum();
            gain * s as f32 * 0.2
        })
        .collect()
}

#[test]
fn beats_are_reported_at_the_clicks_not_half_a_window_early() {
    let rate = 44_100u32;
    // A click (a 2 ms burst of a 3 kHz tone) every half second from 0.25 s, for 20 s.
    let mut sig = vec![0.0f32; rate as usize * 20];
    let clicks: Vec<f64> = (0..40).map(|i| 0.25 + 0.5 * f64::from(i)).collect();
    for &c in &clicks {
        let at = (c * f64::from(rate)) as usize;
        for k in 0..(rate as usize / 500) {
            let t = k as f64 / f64::from(rate);
            sig[at + k] += (0.8 * (2.0 * std::f64::consts::PI * 3000.0 * t).sin()) as f32;
        }
    }
    let buf = son1k_audio::AudioBuffer::new(rate, vec![sig]).unwrap();
    let a = son1k_analysis::analyze(&buf, std::path::Path::new("clicks.wav")).unwrap();
    assert!((a.bpm - 120.0).abs() < 1.0, "{}", a.bpm);
    let mut offsets: Vec<f64> = a
        .beats
        .iter()
        .map(|b| {
            let nearest = clicks
                .iter()
                .copied()
                .min_by(|x, y| (x - b).abs().total_cmp(&(y - b).abs()))
                .unwrap();
            b - nearest
        })
        .collect();
    offsets.sort_by(f64::total_cmp);
    let median = offsets[offsets.len() / 2];
    // Frames are timed at their centres, not their starts (which put every beat 73 ms early
    // here). A click this sharp still reads about 27 ms early: the flux rises as soon as it
    // enters a window's tail.
    assert!(
        median.abs() < 0.035,
        "beats sit {median:+.3} s from the clicks"
    );
}

#[test]
fn the_chroma_credits_a_rich_tone_to_its_fundamental_and_ignores_near_silence() {
    use son1k_analysis::key::{chroma, estimate, tuning};
    use son1k_analysis::spectrum::Spectrogram;
    let rate = 22_050u32;
    // A low A (110 Hz) with twelve harmonics: its 3rd and 6th harmonics are E's, its 5th a C#.
    let a = harmonic_tone(110.0, 12, 4.0, rate, 1.0);
    let spec = Spectrogram::compute(&a, rate, 8192, 8192);
    let c = chroma(&spec, tuning(&spec));
    let top = (0..12).max_by(|x, y| c[*x].total_cmp(&c[*y])).unwrap();
    assert_eq!(top, 9, "the strongest class is {top}, not A: {c:?}");
    // C major chords for four seconds, then eight seconds of an F# major chord 70 dB down (a
    // hum under the fade): the quiet part does not vote, so the key stays C major.
    let chord = |roots: &[f64], gain: f32, seconds: f64| -> Vec<f32> {
        let parts: Vec<Vec<f32>> = roots
            .iter()
            .map(|hz| harmonic_tone(*hz, 6, seconds, rate, gain))
            .collect();
        (0..parts[0].len())
            .map(|i| parts.iter().map(|p| p[i]).sum())
            .collect()
    };
    let mut song = Vec::new();
    for roots in [
        [261.63, 329.63, 392.0],
        [349.23, 440.0, 523.25],
        [392.0, 493.88, 587.33],
        [261.63, 329.63, 392.0],
    ] {
        song.extend(chord(&roots, 1.0, 1.0));
    }
    song.extend(chord(
        &[369.99, 466.16, 554.37],
        10f32.powf(-70.0 / 20.0),
        8.0,
    ));
    let k = estimate(&Spectrogram::compute(&song, rate, 8192, 8192));
    assert_eq!(k.key, "C major".parse().unwrap(), "{:?}", k.chroma);
}
