//! The scenes listen: silence holds them still, loudness moves them, and a seed decides them.

use son1k_visual::{analyse, cover, render, Look, SceneKind, Timeline};

const RATE: u32 = 48_000;

/// `seconds` of a chord whose loudness swings between −40 and −3 dBFS every second, with a click
/// on each beat (120 BPM), then `silence` seconds of silence.
fn music(seconds: f32, silence: f32) -> (Vec<f32>, Timeline) {
    let n = (seconds * RATE as f32) as usize;
    let mut out: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let swing = 0.5 - 0.5 * (std::f32::consts::TAU * t).cos();
            let gain = 10f32.powf((-40.0 + 37.0 * swing) / 20.0);
            let chord: f32 = [110.0, 220.0, 330.0, 440.0, 880.0, 1760.0, 3520.0]
                .iter()
                .map(|f| (std::f32::consts::TAU * f * t).sin())
                .sum::<f32>()
                / 7.0;
            let since_beat = t % 0.5;
            let click = (-since_beat * 60.0).exp() * (std::f32::consts::TAU * 2500.0 * t).sin();
            gain * (chord + 0.5 * click)
        })
        .collect();
    out.extend(vec![0.0; (silence * RATE as f32) as usize]);
    let beats = (0..(seconds * 2.0) as usize)
        .map(|k| k as f64 * 0.5)
        .collect();
    (
        out,
        Timeline {
            beats,
            sections: vec![0.0, 2.0],
        },
    )
}

fn frames(
    kind: SceneKind,
    seed: u64,
    samples: &[f32],
    timeline: &Timeline,
    n: usize,
) -> Vec<Vec<u8>> {
    let track = analyse(samples, RATE, 30, n, timeline);
    let look = Look {
        width: 320,
        height: 180,
        fps: 30,
        scene: kind,
        seed,
    };
    let mut out = Vec::new();
    render(&track, &look, |_, c| {
        out.push(c.pixels().to_vec());
        Ok(())
    })
    .expect("render");
    out
}

fn mean(px: &[u8]) -> f64 {
    px.iter().map(|&p| f64::from(p)).sum::<f64>() / px.len() as f64
}

#[test]
fn silence_holds_every_scene_still_and_loudness_moves_it() {
    let (samples, timeline) = music(4.0, 1.5);
    let track = analyse(&samples, RATE, 30, 165, &timeline);
    for kind in [
        SceneKind::Spectrum,
        SceneKind::Particles,
        SceneKind::Rain,
        SceneKind::Auto,
    ] {
        let f = frames(kind, 7, &samples, &timeline, 165);
        // In the silence (from 4 s; two frames for the window to leave the sound) nothing moves.
        for k in 123..165 {
            assert!(
                f[k] == f[122],
                "{kind:?}: frame {k} differs from frame 122 in silence"
            );
        }
        // While the music plays, every frame moves.
        let still = (1..110).filter(|&k| f[k] == f[k - 1]).count();
        assert_eq!(
            still, 0,
            "{kind:?}: {still} frames did not move while music played"
        );
        // Brightness follows loudness: the loud half-seconds are brighter than the quiet ones.
        let mut levels: Vec<f32> = track.frames[..120].iter().map(|x| x.level).collect();
        levels.sort_by(f32::total_cmp);
        let (low, high) = (levels[36], levels[84]);
        let (mut loud, mut quiet) = (Vec::new(), Vec::new());
        for (frame, picture) in track.frames.iter().zip(&f).take(120) {
            if frame.level >= high {
                loud.push(mean(picture));
            } else if frame.level <= low {
                quiet.push(mean(picture));
            }
        }
        let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        assert!(!loud.is_empty() && !quiet.is_empty());
        assert!(
            avg(&loud) > avg(&quiet) * 1.2,
            "{kind:?}: loud frames {:.2} vs quiet {:.2}",
            avg(&loud),
            avg(&quiet)
        );
    }
}

#[test]
fn the_same_seed_draws_the_same_frames_and_the_cover_is_a_frame_at_another_size() {
    let (samples, timeline) = music(2.0, 0.0);
    for kind in [SceneKind::Particles, SceneKind::Rain] {
        let a = frames(kind, 11, &samples, &timeline, 60);
        let b = frames(kind, 11, &samples, &timeline, 60);
        let c = frames(kind, 12, &samples, &timeline, 60);
        assert!(a == b, "{kind:?}: the same seed drew different frames");
        assert!(a != c, "{kind:?}: another seed drew the same frames");
        let track = analyse(&samples, RATE, 30, 60, &timeline);
        let look = Look {
            width: 320,
            height: 180,
            fps: 30,
            scene: kind,
            seed: 11,
        };
        assert_eq!(cover(&track, &look, 40, 320, 180).pixels(), &a[40][..]);
        let big = cover(&track, &look, 40, 640, 640);
        assert_eq!((big.width(), big.height()), (640, 640));
        assert!(big.mean() > 0.5);
    }
}

#[test]
fn odd_sizes_and_frame_rates_are_refused() {
    let (samples, timeline) = music(0.5, 0.0);
    let track = analyse(&samples, RATE, 30, 10, &timeline);
    for (w, h, fps) in [(321, 180, 30), (0, 180, 30), (320, 9000, 30), (320, 180, 0)] {
        let look = Look {
            width: w,
            height: h,
            fps,
            scene: SceneKind::Spectrum,
            seed: 1,
        };
        let err = render(&track, &look, |_, _| Ok(()))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some(), "{w}×{h} at {fps} fps was accepted");
    }
}
