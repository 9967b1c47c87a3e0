//! Pitch correction measured on voice-like signals: the pitch lands on the key's nearest scale
//! note, half strength goes half way (in cents), zero strength and unvoiced sound are untouched,
//! the length never changes and formants stay.

use son1k_audio::AudioBuffer;
use son1k_core::Key;
use son1k_voice::{correct_pitch, PitchCorrection, VoiceError};

mod common;

use common::{cents, mono, pitch, vowel_with_bandwidth, RATE};

/// A sustained "ah" at `f0` Hz under formants at 700 and 1200 Hz.
fn vowel(f0: f64, secs: f64) -> Vec<f32> {
    common::vowel(f0, &[700.0, 1200.0], secs)
}

fn key(name: &str) -> Key {
    name.parse().expect("key")
}

fn params(k: &str, strength: f64) -> PitchCorrection {
    PitchCorrection {
        key: key(k),
        strength,
        retune_ms: 0.0,
    }
}

#[test]
fn a_sharp_g_goes_to_a_in_a_minor_and_to_g_sharp_in_a_major() {
    // 425 Hz: 60 cents below A4 (440), 40 above G#4 (415.3). A minor has no G#: A is nearest.
    let input = mono(vowel(425.0, 1.5));
    let (minor, report) = correct_pitch(&input, &params("A minor", 1.0)).expect("correct");
    assert_eq!(minor.frames(), input.frames());
    let got = pitch(&minor.channels[0]);
    assert!(cents(got, 440.0).abs() < 5.0, "A minor: {got:.1} Hz");
    assert!(report.voiced > 0.8, "{report:?}");
    assert!((report.mean_cents - 60.0).abs() < 5.0, "{report:?}");

    let (major, _) = correct_pitch(&input, &params("A major", 1.0)).expect("correct");
    let got = pitch(&major.channels[0]);
    assert!(cents(got, 415.305).abs() < 5.0, "A major: {got:.1} Hz");
}

#[test]
fn half_strength_goes_half_way_and_a_low_voice_works() {
    let input = mono(vowel(425.0, 1.5));
    let (half, _) = correct_pitch(&input, &params("A minor", 0.5)).expect("correct");
    let moved = cents(pitch(&half.channels[0]), 425.0);
    assert!((moved - 30.0).abs() < 6.0, "moved {moved:.1} cents");
    // A baritone's 140 Hz (between C#3 138.6 and D3 146.8) in D major: C# is in the scale.
    let low = mono(vowel(140.0, 1.5));
    let (out, _) = correct_pitch(&low, &params("D major", 1.0)).expect("correct");
    let got = pitch(&out.channels[0]);
    assert!(cents(got, 138.59).abs() < 5.0, "D major: {got:.1} Hz");
}

#[test]
fn zero_strength_and_unvoiced_noise_pass_through_unchanged() {
    let input = mono(vowel(425.0, 1.0));
    let (same, report) = correct_pitch(&input, &params("A minor", 0.0)).expect("correct");
    let err = same.channels[0]
        .iter()
        .zip(&input.channels[0])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(err < 1e-4, "strength 0 changed the signal by {err}");
    assert_eq!(report.mean_cents, 0.0);

    let mut state = 0x9e37_79b9u32;
    let noise: Vec<f32> = (0..RATE as usize)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32 - 0.5) * 0.5
        })
        .collect();
    let (out, report) =
        correct_pitch(&mono(noise.clone()), &params("A minor", 1.0)).expect("correct");
    assert!(report.voiced < 0.1, "{report:?}");
    let err = out.channels[0]
        .iter()
        .zip(&noise)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(err < 1e-4, "unvoiced noise changed by {err}");
}

/// A voice at `f0` under one broad formant at `formant` Hz.
fn broad_vowel(f0: f64, formant: f64, secs: f64) -> Vec<f32> {
    vowel_with_bandwidth(f0, &[formant], 250.0, secs)
}

/// The formant: centroid (450–950 Hz) of the envelope drawn through the harmonics' amplitudes.
fn formant(x: &[f32]) -> f64 {
    let f0 = pitch(x);
    let mid = &x[x.len() / 4..x.len() / 4 + 16384];
    let amp = |hz: f64| -> f64 {
        let w = 2.0 * std::f64::consts::PI * hz / f64::from(RATE);
        let (mut re, mut im) = (0.0f64, 0.0f64);
        for (i, &v) in mid.iter().enumerate() {
            let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / mid.len() as f64).cos();
            re += f64::from(v) * hann * (w * i as f64).cos();
            im += f64::from(v) * hann * (w * i as f64).sin();
        }
        (re * re + im * im).sqrt()
    };
    let harmonics: Vec<(f64, f64)> = (1..)
        .map(|k| k as f64 * f0)
        .take_while(|&f| f < 1400.0)
        .map(|f| (f, amp(f)))
        .collect();
    let (mut num, mut den) = (0.0, 0.0);
    for hz in 450..=950 {
        let hz = hz as f64;
        let Some(i) = harmonics
            .windows(2)
            .position(|w| w[0].0 <= hz && hz < w[1].0)
        else {
            continue;
        };
        let ((f1, a1), (f2, a2)) = (harmonics[i], harmonics[i + 1]);
        let e = a1 + (a2 - a1) * (hz - f1) / (f2 - f1);
        num += hz * e * e;
        den += e * e;
    }
    num / den
}

#[test]
fn stereo_channels_are_corrected_together_and_formants_stay() {
    // 153 Hz in C major goes down 71 cents to D3 (146.8 Hz). Resampling would take a 700 Hz
    // formant down with it; overlap-add of whole periods keeps it (within half that error).
    let left = broad_vowel(153.0, 700.0, 1.5);
    let right: Vec<f32> = left.iter().map(|v| v * 0.5).collect();
    let input = AudioBuffer {
        sample_rate: RATE,
        channels: vec![left, right],
    };
    let (out, _) = correct_pitch(&input, &params("C major", 1.0)).expect("correct");
    assert_eq!(out.channels.len(), 2);
    for (l, r) in out.channels[0].iter().zip(&out.channels[1]) {
        assert!((l * 0.5 - r).abs() < 1e-4);
    }
    let got = pitch(&out.channels[0]);
    assert!(cents(got, 146.83).abs() < 5.0, "C major: {got:.1} Hz");
    let before = formant(&input.channels[0]);
    let after = formant(&out.channels[0]);
    // What a resampler would give, measured the same way.
    let ratio = got / 153.0;
    let resampled: Vec<f32> = (0..input.frames())
        .map(|i| {
            let t = i as f64 * ratio;
            let j = t as usize;
            let f = (t - j as f64) as f32;
            let x = &input.channels[0];
            if j + 1 < x.len() {
                x[j] * (1.0 - f) + x[j + 1] * f
            } else {
                0.0
            }
        })
        .collect();
    let moved = formant(&resampled);
    // And a voice made at the new pitch under the same formant: what perfect correction gives,
    // measured the same way (the estimate depends a little on where the harmonics fall).
    let ideal = formant(&broad_vowel(got, 700.0, 1.5));
    eprintln!(
        "formant {before:.1} Hz → corrected {after:.1} Hz; ideal {ideal:.1} Hz, resampled {moved:.1} Hz"
    );
    assert!(
        (after - ideal).abs() < 0.5 * (moved - ideal).abs(),
        "formant {before:.1} → {after:.1} Hz (ideal {ideal:.1}, a resampler {moved:.1} Hz)"
    );
}

#[test]
fn bad_settings_and_empty_input_are_refused() {
    let input = mono(vowel(300.0, 0.5));
    let mut p = params("C major", 1.5);
    assert!(matches!(
        correct_pitch(&input, &p),
        Err(VoiceError::OutOfRange {
            name: "strength",
            ..
        })
    ));
    p.strength = 1.0;
    p.retune_ms = f64::NAN;
    assert!(matches!(
        correct_pitch(&input, &p),
        Err(VoiceError::OutOfRange {
            name: "retune_ms",
            ..
        })
    ));
    assert_eq!(
        correct_pitch(&mono(Vec::new()), &params("C major", 1.0)),
        Err(VoiceError::Empty)
    );
}

#[test]
fn the_transform_corrects_first_when_a_key_is_set() {
    // 425 Hz pulled to A4 in A minor, then up an octave: 880 Hz.
    let input = mono(vowel(425.0, 1.5));
    let params = son1k_voice::TransformParams {
        key: Some(key("A minor")),
        correct: 1.0,
        retune_ms: 0.0,
        semitones: 12.0,
        ..Default::default()
    };
    let out = son1k_voice::transform(&input, &params).expect("transform");
    let got = pitch(&out.channels[0]);
    assert!(cents(got, 880.0).abs() < 8.0, "{got:.1} Hz");
    let bad = son1k_voice::TransformParams {
        key: Some(key("A minor")),
        correct: -0.5,
        ..Default::default()
    };
    assert!(matches!(
        son1k_voice::transform(&input, &bad),
        Err(VoiceError::OutOfRange {
            name: "strength",
            ..
        })
    ));
}
