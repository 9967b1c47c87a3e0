//! Effects measured on real signals.
#![allow(clippy::unwrap_used)]

use son1k_audio::fx::{process_buffer, Biquad, Chain, Effect, FilterKind, FxSpec};
use son1k_audio::{loudness, AudioBuffer};

const SR: u32 = 48_000;

fn sine(hz: f32, amp: f32, secs: f32, channels: usize) -> AudioBuffer {
    let n = (SR as f32 * secs) as usize;
    let c: Vec<f32> = (0..n)
        .map(|i| (2.0 * std::f32::consts::PI * hz * i as f32 / SR as f32).sin() * amp)
        .collect();
    AudioBuffer::new(SR, vec![c; channels]).unwrap()
}

fn run(spec: FxSpec, mut buf: AudioBuffer) -> AudioBuffer {
    let mut fx = spec.build(SR, buf.channel_count()).unwrap();
    process_buffer(fx.as_mut(), &mut buf, 256);
    buf
}

fn peak_of(c: &[f32]) -> f32 {
    c.iter().fold(0.0, |m, s| m.max(s.abs()))
}

/// Amplitude of `hz` in `c` (single-bin DFT).
fn amplitude(c: &[f32], hz: f32) -> f32 {
    let (mut re, mut im) = (0.0f64, 0.0f64);
    for (i, s) in c.iter().enumerate() {
        let ph = 2.0 * std::f64::consts::PI * f64::from(hz) * i as f64 / f64::from(SR);
        re += f64::from(*s) * ph.cos();
        im += f64::from(*s) * ph.sin();
    }
    (2.0 * (re * re + im * im).sqrt() / c.len() as f64) as f32
}

#[test]
fn gain_and_constant_power_pan() {
    let out = run(FxSpec::Gain { db: -6.0206 }, sine(440.0, 0.8, 0.1, 1));
    assert!((peak_of(&out.channels[0]) - 0.4).abs() < 0.005);
    let centre = run(FxSpec::Pan { position: 0.0 }, sine(440.0, 1.0, 0.1, 2));
    let (l, r) = (peak_of(&centre.channels[0]), peak_of(&centre.channels[1]));
    assert!((l - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01 && (l - r).abs() < 1e-6);
    let left = run(FxSpec::Pan { position: -1.0 }, sine(440.0, 1.0, 0.1, 2));
    assert!(peak_of(&left.channels[1]) < 1e-6 && (peak_of(&left.channels[0]) - 1.0).abs() < 1e-3);
}

#[test]
fn eq_bands_shape_the_spectrum() {
    let peak = Biquad::new(FilterKind::Peak, SR as f32, 1000.0, 1.0, 6.0, 1);
    assert!((peak.response_db(1000.0, SR as f32) - 6.0).abs() < 0.05);
    assert!(peak.response_db(50.0, SR as f32).abs() < 0.3);
    let boosted = run(
        FxSpec::Eq {
            kind: FilterKind::Peak,
            freq: 1000.0,
            q: 1.0,
            gain_db: 6.0,
        },
        sine(1000.0, 0.25, 0.5, 1),
    );
    let a = amplitude(&boosted.channels[0][SR as usize / 10..], 1000.0);
    assert!((a / 0.25 - 1.995).abs() < 0.03, "{a}");
    let lp = run(
        FxSpec::Eq {
            kind: FilterKind::LowPass,
            freq: 1000.0,
            q: 0.707,
            gain_db: 0.0,
        },
        sine(10_000.0, 0.5, 0.5, 1),
    );
    assert!(
        amplitude(&lp.channels[0][4800..], 10_000.0) < 0.5 * 0.02,
        "−34 dB or more at 10 kHz"
    );
    let hs = Biquad::new(FilterKind::HighShelf, SR as f32, 4000.0, 0.707, -9.0, 1);
    assert!((hs.response_db(16_000.0, SR as f32) + 9.0).abs() < 0.6);
    let ls = Biquad::new(FilterKind::LowShelf, SR as f32, 200.0, 0.707, 4.0, 1);
    assert!((ls.response_db(30.0, SR as f32) - 4.0).abs() < 0.3);
}

#[test]
fn compressor_reduces_by_its_ratio() {
    // A −6 dBFS sine through threshold −20 dB, ratio 4: steady state ≈ −20 + 14/4 = −16.5 dBFS.
    let out = run(
        FxSpec::Compressor {
            threshold_db: -20.0,
            ratio: 4.0,
            attack_ms: 5.0,
            release_ms: 50.0,
            makeup_db: 0.0,
        },
        sine(500.0, 0.5, 1.0, 2),
    );
    let tail = &out.channels[0][SR as usize / 2..];
    let db = 20.0 * peak_of(tail).log10();
    assert!((db + 16.5).abs() < 0.7, "{db}");
    // Below threshold it is transparent.
    let quiet = run(
        FxSpec::Compressor {
            threshold_db: -20.0,
            ratio: 4.0,
            attack_ms: 5.0,
            release_ms: 50.0,
            makeup_db: 0.0,
        },
        sine(500.0, 0.01, 0.2, 1),
    );
    assert!((peak_of(&quiet.channels[0]) - 0.01).abs() < 1e-4);
}

#[test]
fn limiter_never_exceeds_its_ceiling() {
    // Loud, spiky material: a sine plus random impulses well above full scale.
    let mut buf = sine(220.0, 0.9, 1.0, 2);
    for (k, i) in (0..buf.frames()).step_by(997).enumerate() {
        buf.channels[k % 2][i] = 3.0;
    }
    let ceiling = -1.0f32;
    let out = run(
        FxSpec::Limiter {
            ceiling_db: ceiling,
            release_ms: 50.0,
            true_peak: false,
        },
        buf.clone(),
    );
    let limit = 10f32.powf(ceiling / 20.0);
    for c in &out.channels {
        assert!(peak_of(c) <= limit + 1e-6, "{}", peak_of(c));
    }
    // True-peak mode keeps inter-sample peaks under the ceiling too (measured by ebur128).
    let high = sine(11_000.0, 1.0, 1.0, 2);
    let out = run(
        FxSpec::Limiter {
            ceiling_db: ceiling,
            release_ms: 50.0,
            true_peak: true,
        },
        high,
    );
    let tp = loudness::measure(&out).unwrap().true_peak_dbtp.unwrap();
    assert!(tp <= ceiling as f64 + 0.1, "true peak {tp} dBTP");
}

#[test]
fn limiter_is_transparent_below_the_ceiling_apart_from_its_latency() {
    let src = sine(440.0, 0.3, 0.2, 1);
    let mut fx = FxSpec::Limiter {
        ceiling_db: -1.0,
        release_ms: 50.0,
        true_peak: false,
    }
    .build(SR, 1)
    .unwrap();
    let lat = fx.latency();
    let mut out = src.clone();
    process_buffer(fx.as_mut(), &mut out, 128);
    for i in lat..out.frames() {
        assert!((out.channels[0][i] - src.channels[0][i - lat]).abs() < 1e-6);
    }
}

#[test]
fn reverb_leaves_a_decaying_tail() {
    let mut imp = AudioBuffer::silent(SR, 2, SR as usize * 2);
    imp.channels[0][0] = 1.0;
    imp.channels[1][0] = 1.0;
    let out = run(
        FxSpec::Reverb {
            room: 0.8,
            damping: 0.3,
            wet: 0.5,
            dry: None,
        },
        imp,
    );
    let energy = |a: usize, b: usize| out.channels[0][a..b].iter().map(|s| s * s).sum::<f32>();
    let early = energy(SR as usize / 20, SR as usize / 4);
    let late = energy(SR as usize, SR as usize * 2);
    assert!(early > 1e-4, "a tail after the dry impulse: {early}");
    assert!(late < early, "and it decays: {late} vs {early}");
    assert_ne!(out.channels[0], out.channels[1], "stereo spread");
}

#[test]
fn saturation_adds_odd_harmonics_and_bitcrusher_quantises() {
    let clean = sine(200.0, 0.8, 0.5, 1);
    let sat = run(
        FxSpec::Saturation {
            drive_db: 18.0,
            mix: 1.0,
        },
        clean.clone(),
    );
    let h3 = amplitude(&sat.channels[0], 600.0) / amplitude(&sat.channels[0], 200.0);
    assert!(h3 > 0.05, "third harmonic {h3}");
    assert!(amplitude(&clean.channels[0], 600.0) < 1e-4);
    assert!(peak_of(&sat.channels[0]) <= 1.0 + 1e-6);
    let crushed = run(
        FxSpec::Bitcrusher {
            bits: 4,
            downsample: 4,
        },
        clean,
    );
    let mut levels: Vec<i32> = crushed.channels[0]
        .iter()
        .map(|s| (s * 1000.0).round() as i32)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    assert!(levels.len() <= 17, "{} levels", levels.len());
    assert!(
        crushed.channels[0]
            .chunks(4)
            .all(|c| c.iter().all(|s| *s == c[0])),
        "held for 4 samples"
    );
}

#[test]
fn noise_is_seeded_and_at_its_level() {
    let a = run(
        FxSpec::Noise {
            level_db: -30.0,
            pink: false,
            seed: 9,
        },
        AudioBuffer::silent(SR, 1, SR as usize),
    );
    let b = run(
        FxSpec::Noise {
            level_db: -30.0,
            pink: false,
            seed: 9,
        },
        AudioBuffer::silent(SR, 1, SR as usize),
    );
    assert_eq!(a, b);
    let rms = (a.channels[0].iter().map(|s| s * s).sum::<f32>() / SR as f32).sqrt();
    assert!((20.0 * rms.log10() + 30.0).abs() < 0.5, "{rms}");
    let pink = run(
        FxSpec::Noise {
            level_db: -30.0,
            pink: true,
            seed: 9,
        },
        AudioBuffer::silent(SR, 1, SR as usize),
    );
    assert!(amplitude(&pink.channels[0], 100.0) + amplitude(&pink.channels[0], 200.0) > 0.0);
}

#[test]
fn specs_parse_from_json_and_bad_values_are_refused() {
    let specs: Vec<FxSpec> = serde_json::from_str(
        r#"[{"type":"eq","kind":"peak","freq":1000,"gain_db":3},
            {"type":"compressor","threshold_db":-18,"ratio":3},
            {"type":"limiter","ceiling_db":-1,"true_peak":true}]"#,
    )
    .unwrap();
    let chain = Chain::build(&specs, SR, 2).unwrap();
    assert!(chain.latency() > 0);
    let bad = FxSpec::Eq {
        kind: FilterKind::Peak,
        freq: 30_000.0,
        q: 1.0,
        gain_db: 0.0,
    };
    let err = bad.build(SR, 2).err().unwrap();
    assert!(err.to_string().contains("frequency"), "{err}");
    assert!(FxSpec::Bitcrusher {
        bits: 0,
        downsample: 1
    }
    .build(SR, 1)
    .is_err());
}

/// Regression: the compressor's sub-blocks and the noise generator once depended on how the host
/// sliced the stream, so live playback and offline mixdown differed.
#[test]
fn every_effect_is_independent_of_block_size() {
    let specs: Vec<FxSpec> = serde_json::from_str(
        r#"[{"type":"gain","db":-2},{"type":"pan","position":0.4},
            {"type":"eq","kind":"high_shelf","freq":5000,"gain_db":-4},
            {"type":"compressor","threshold_db":-24,"ratio":6,"attack_ms":2,"release_ms":80},
            {"type":"limiter","ceiling_db":-3,"true_peak":true},
            {"type":"reverb","room":0.6,"damping":0.4,"wet":0.4},
            {"type":"saturation","drive_db":12,"mix":0.7},
            {"type":"bitcrusher","bits":8,"downsample":3},
            {"type":"noise","level_db":-40,"pink":true,"seed":3},
            {"type":"delay","time_ms":37,"feedback":0.5,"mix":0.4}]"#,
    )
    .unwrap();
    let src = sine(330.0, 0.7, 0.3, 2);
    let mut whole = src.clone();
    let mut a = Chain::build(&specs, SR, 2).unwrap();
    process_buffer(&mut a, &mut whole, 4096);
    let mut pieces = src.clone();
    let mut b = Chain::build(&specs, SR, 2).unwrap();
    let mut start = 0;
    for (k, n) in [1usize, 7, 64, 333, 1024].iter().cycle().enumerate() {
        if start >= pieces.frames() {
            break;
        }
        let end = (start + n + k % 3).min(pieces.frames());
        let mut slices: Vec<&mut [f32]> = pieces
            .channels
            .iter_mut()
            .map(|c| &mut c[start..end])
            .collect();
        b.process(&mut slices);
        start = end;
    }
    assert!(whole == pieces);
}

#[test]
fn fast_decibel_conversions_match_the_exact_ones() {
    use son1k_audio::fx::{db_to_gain, fast_db_to_gain, fast_gain_to_db, gain_to_db};
    let mut g = 1e-7f32;
    while g < 1e4 {
        let (fast, exact) = (fast_gain_to_db(g), gain_to_db(g));
        assert!((fast - exact).abs() < 0.002, "{g}: {fast} vs {exact}");
        g *= 1.013;
    }
    let mut db = -140.0f32;
    while db < 60.0 {
        let (fast, exact) = (fast_db_to_gain(db), db_to_gain(db));
        assert!(
            ((fast - exact) / exact).abs() < 2e-4,
            "{db}: {fast} vs {exact}"
        );
        db += 0.173;
    }
}

#[test]
fn delay_repeats_an_impulse_at_its_time_with_its_feedback() {
    let mut c = vec![0.0f32; SR as usize];
    c[100] = 1.0;
    let out = run(
        FxSpec::Delay {
            time_ms: 250.0,
            feedback: 0.5,
            mix: 0.5,
        },
        AudioBuffer::new(SR, vec![c]).unwrap(),
    );
    let o = &out.channels[0];
    let step = SR as usize / 4;
    // Dry at half level, then echoes every 250 ms, each half the one before.
    assert!((o[100] - 0.5).abs() < 1e-6, "{}", o[100]);
    assert!((o[100 + step] - 0.5).abs() < 1e-6, "{}", o[100 + step]);
    assert!((o[100 + 2 * step] - 0.25).abs() < 1e-6);
    assert!((o[100 + 3 * step] - 0.125).abs() < 1e-6);
    let elsewhere = o
        .iter()
        .enumerate()
        .filter(|(i, _)| (*i as isize - 100) % step as isize != 0)
        .fold(0.0f32, |m, (_, s)| m.max(s.abs()));
    assert_eq!(elsewhere, 0.0);
    assert!(FxSpec::Delay {
        time_ms: 250.0,
        feedback: 1.0,
        mix: 0.5
    }
    .build(SR, 1)
    .is_err());
}
