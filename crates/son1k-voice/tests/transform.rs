//! The transform measured on real signals: pitch by YIN, envelopes by spectral peaks, lengths.

use son1k_voice::{transform, Preset, TransformParams, VoiceError};

mod common;

use common::{mono, pitch, vowel, RATE};

fn tone(hz: f64, secs: f64) -> Vec<f32> {
    let n = (secs * f64::from(RATE)) as usize;
    (0..n)
        .map(|i| {
            (0.5 * (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(RATE)).sin()) as f32
        })
        .collect()
}

/// The frequency (Hz) where the smoothed magnitude spectrum of the middle second is highest,
/// searched between `lo` and `hi` Hz.
fn envelope_peak(x: &[f32], lo: f64, hi: f64) -> f64 {
    let n = 8192;
    let start = x.len() / 2 - n / 2;
    let frame: Vec<f64> = (0..n)
        .map(|i| {
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos();
            f64::from(x[start + i]) * w
        })
        .collect();
    // Plain DFT magnitudes on a 10 Hz grid, smoothed over ±150 Hz to see the envelope, not harmonics.
    let grid: Vec<f64> = (0..=((hi - lo) / 10.0) as usize)
        .map(|j| lo + j as f64 * 10.0)
        .collect();
    let mags: Vec<f64> = grid
        .iter()
        .map(|&f| {
            let w = 2.0 * std::f64::consts::PI * f / f64::from(RATE);
            let (mut re, mut im) = (0.0, 0.0);
            for (i, v) in frame.iter().enumerate() {
                re += v * (w * i as f64).cos();
                im -= v * (w * i as f64).sin();
            }
            (re * re + im * im).sqrt()
        })
        .collect();
    let smooth: Vec<f64> = (0..mags.len())
        .map(|j| {
            let a = j.saturating_sub(15);
            let b = (j + 15).min(mags.len() - 1);
            mags[a..=b].iter().sum::<f64>() / (b - a + 1) as f64
        })
        .collect();
    let best = (0..smooth.len())
        .max_by(|&a, &b| smooth[a].total_cmp(&smooth[b]))
        .unwrap_or(0);
    grid[best]
}

fn semitones(a: f64, b: f64) -> f64 {
    12.0 * (b / a).log2()
}

#[test]
fn a_220_hz_tone_up_12_semitones_is_440_hz_with_the_same_length() {
    let input = mono(tone(220.0, 2.0));
    let out = transform(
        &input,
        &TransformParams {
            semitones: 12.0,
            ..Default::default()
        },
    )
    .expect("transform");
    assert_eq!(out.frames(), input.frames());
    assert_eq!(out.sample_rate, RATE);
    let hz = pitch(&out.channels[0]);
    assert!((hz - 440.0).abs() < 440.0 * 0.005, "pitch {hz} Hz");
    // Not silent, not exploded.
    let peak = out.peak();
    assert!(peak > 0.3 && peak < 0.8, "peak {peak}");
}

#[test]
fn pitch_shifts_land_within_five_cents_both_ways() {
    let input = mono(vowel(180.0, &[700.0, 1200.0], 1.5));
    for semis in [-7.0, -3.0, 2.0, 5.0] {
        let out = transform(
            &input,
            &TransformParams {
                semitones: semis,
                ..Default::default()
            },
        )
        .expect("transform");
        assert_eq!(out.frames(), input.frames());
        let got = semitones(180.0, pitch(&out.channels[0]));
        assert!((got - semis).abs() < 0.05, "asked {semis}, got {got:.3}");
    }
}

#[test]
fn pitch_shift_keeps_the_formant_where_it_was() {
    let input = mono(vowel(150.0, &[900.0], 2.0));
    let before = envelope_peak(&input.channels[0], 300.0, 3000.0);
    let out = transform(
        &input,
        &TransformParams {
            semitones: 5.0,
            ..Default::default()
        },
    )
    .expect("transform");
    let after = envelope_peak(&out.channels[0], 300.0, 3000.0);
    let moved = semitones(before, after);
    assert!(
        moved.abs() < 1.5,
        "formant moved {moved:.2} semitones ({before} → {after} Hz)"
    );
    // A plain resampler would have moved it by the full 5 semitones.
}

#[test]
fn formant_shift_moves_the_envelope_and_keeps_the_pitch() {
    let input = mono(vowel(130.0, &[800.0], 2.0));
    let before = envelope_peak(&input.channels[0], 300.0, 3000.0);
    for shift in [4.0, -4.0] {
        let out = transform(
            &input,
            &TransformParams {
                formant: shift,
                ..Default::default()
            },
        )
        .expect("transform");
        let after = envelope_peak(&out.channels[0], 300.0, 3000.0);
        let moved = semitones(before, after);
        assert!(
            (moved - shift).abs() < 1.5,
            "asked {shift}, envelope moved {moved:.2} ({before} → {after} Hz)"
        );
        let hz = pitch(&out.channels[0]);
        assert!((hz - 130.0).abs() < 1.0, "pitch {hz}");
    }
}

#[test]
fn stretch_changes_length_not_pitch() {
    let input = mono(vowel(200.0, &[700.0, 1100.0], 1.0));
    for factor in [0.5, 1.5, 2.0] {
        let out = transform(
            &input,
            &TransformParams {
                stretch: factor,
                ..Default::default()
            },
        )
        .expect("transform");
        let want = (input.frames() as f64 * factor).round() as usize;
        assert_eq!(out.frames(), want);
        let hz = pitch(&out.channels[0]);
        assert!((hz - 200.0).abs() < 1.0, "stretch {factor}: pitch {hz}");
    }
}

#[test]
fn identity_is_transparent() {
    let input = mono(vowel(200.0, &[700.0, 1100.0], 1.0));
    // The identity controls copy the input exactly.
    let out = transform(&input, &TransformParams::default()).expect("transform");
    assert_eq!(out, input);
    // The phase vocoder itself at unity (analysis, phase locking, overlap-add) is transparent too.
    let x = &input.channels[0];
    let y = son1k_voice::shift_channel(
        x,
        RATE,
        0.0,
        0.0,
        1.0,
        son1k_voice::Excitation::Voice,
        x.len(),
    );
    let err: f32 = x.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum::<f32>();
    let energy: f32 = x.iter().map(|a| a * a).sum();
    let snr = 10.0 * (energy / err).log10();
    assert!(snr > 30.0, "identity SNR {snr:.1} dB");
}

#[test]
fn presets_do_what_they_say() {
    let input = mono(vowel(200.0, &[700.0, 1100.0], 1.5));
    let run = |p: Preset| {
        transform(
            &input,
            &TransformParams {
                preset: Some(p),
                ..Default::default()
            },
        )
        .expect("transform")
    };
    let deeper = run(Preset::Deeper);
    assert!((semitones(200.0, pitch(&deeper.channels[0])) + 3.0).abs() < 0.1);
    let brighter = run(Preset::Brighter);
    assert!((semitones(200.0, pitch(&brighter.channels[0])) - 2.0).abs() < 0.1);
    let robot = run(Preset::Robot);
    let robot_hz = pitch(&robot.channels[0]);
    assert!((robot_hz - 110.0).abs() < 3.0, "robot at {robot_hz} Hz");
    // A whisper has no pitch: YIN finds few voiced frames.
    let whisper = run(Preset::Whisper);
    let voiced = son1k_analysis::pitch::yin(&whisper.channels[0], RATE, 60.0, 1200.0, 512)
        .iter()
        .filter(|f| f.hz.is_some())
        .count();
    assert!(voiced < 5, "{voiced} voiced frames in a whisper");
    let choir = run(Preset::ChoirDouble);
    assert!((pitch(&choir.channels[0]) - 200.0).abs() < 3.0);
    for out in [deeper, brighter, robot, whisper, choir] {
        assert_eq!(out.frames(), input.frames());
        let p = out.peak();
        assert!(p > 0.05 && p <= 1.0, "peak {p}");
    }
}

#[test]
fn bad_controls_and_names_are_refused() {
    let input = mono(tone(220.0, 0.5));
    let err = transform(
        &input,
        &TransformParams {
            semitones: 40.0,
            ..Default::default()
        },
    )
    .expect_err("out of range");
    assert!(err
        .to_string()
        .contains("semitones must be between -24 and 24"));
    assert!(matches!(
        "yodel".parse::<Preset>(),
        Err(VoiceError::UnknownPreset(_))
    ));
    assert_eq!("Choir Double".parse::<Preset>(), Ok(Preset::ChoirDouble));
    let empty = mono(Vec::new());
    assert_eq!(
        transform(&empty, &TransformParams::default()),
        Err(VoiceError::Empty)
    );
}
