//! The metronome: a click exactly on every beat with the bar's first accented, count-in bars,
//! heard live beside the project (the same samples as an export that asks for it), and left
//! out of the export unless asked.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use son1k_app::ghost::{self, LiveOutput, Metronome, Mixing, VirtualOutput, METRONOME_TRACK};
use son1k_app::{Paths, Studio};

const RATE: u32 = 48_000;

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, s| m.max(s.abs()))
}

#[test]
fn a_click_starts_on_every_beat_and_the_bars_first_is_6_db_louder() {
    let m = Metronome::new(120.0, 3, -6.0, false).unwrap();
    let clicks = m.clicks(4.0, RATE);
    let l = &clicks.channels[0];
    assert_eq!(l.len(), 4 * RATE as usize);
    let beat = RATE as usize / 2;
    for k in 0..8 {
        let at = k * beat;
        assert_eq!(l[at], 0.0, "a click starts at zero phase");
        assert!(peak(&l[at..at + 200]) > 0.05, "beat {k} clicks");
        if k > 0 {
            assert_eq!(peak(&l[at - 100..at]), 0.0, "silence before beat {k}");
        }
        let p = peak(&l[at..at + beat / 2]);
        let want = if k % 3 == 0 { 0.501 } else { 0.251 };
        assert!((p - want).abs() < 0.02, "beat {k}: peak {p}, want {want}");
    }
}

#[test]
fn a_count_in_is_0_1_or_2_bars_and_settings_out_of_range_are_refused() {
    let m = Metronome::new(90.0, 4, -12.0, false).unwrap();
    let bar = (4.0 * 60.0 / 90.0 * f64::from(RATE)).ceil() as usize;
    assert_eq!(m.count_in(0, RATE).unwrap().channels[0].len(), 0);
    assert_eq!(m.count_in(1, RATE).unwrap().channels[0].len(), bar);
    assert_eq!(m.count_in(2, RATE).unwrap().channels[0].len(), 2 * bar);
    assert!(m.count_in(3, RATE).is_err());
    assert!(Metronome::new(10.0, 4, -6.0, false).is_err());
    assert!(Metronome::new(120.0, 0, -6.0, false).is_err());
    assert!(Metronome::new(120.0, 4, 3.0, false).is_err());
    // JSON (the screen's) is checked the same way.
    let ok: Metronome =
        serde_json::from_str(r#"{"bpm":97,"beats_per_bar":3,"level_db":-9,"in_export":true}"#)
            .unwrap();
    assert_eq!(ok, Metronome::new(97.0, 3, -9.0, true).unwrap());
    let e = serde_json::from_str::<Metronome>(
        r#"{"bpm":500,"beats_per_bar":4,"level_db":-6,"in_export":false}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("20–300"), "{e}");
}

#[test]
fn the_metronome_plays_live_beside_the_project_and_reaches_the_export_only_when_asked() {
    let dir = std::env::temp_dir().join(format!("son1k-metronome-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Clic").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let tone = dir.join("tone.wav");
    let n = 2 * RATE as usize;
    let t: Vec<f32> = (0..n)
        .map(|i| 0.1 * (std::f32::consts::TAU * 200.0 * i as f32 / RATE as f32).sin())
        .collect();
    let buf = son1k_audio::AudioBuffer::new(RATE, vec![t.clone(), t]).unwrap();
    son1k_audio::write_file(&tone, &buf, son1k_audio::SampleFormat::F32).unwrap();
    ghost::add(&studio, &project, &tone).unwrap();
    let mut m = Mixing::open(&studio, &project).unwrap();
    let render = |m: &mut Mixing, name: &str| {
        let out = dir.join(name);
        m.render(&out, son1k_audio::SampleFormat::F32).unwrap();
        son1k_audio::decode_file(&out).unwrap()
    };
    let plain = render(&mut m, "plain.wav");

    m.set_metronome(Some(Metronome::new(120.0, 4, -6.0, false).unwrap()))
        .unwrap();
    let without = render(&mut m, "without.wav");
    assert_eq!(
        without.channels, plain.channels,
        "not in the export unless asked"
    );

    m.set_metronome(Some(Metronome::new(120.0, 4, -6.0, true).unwrap()))
        .unwrap();
    let with = render(&mut m, "with.wav");
    // Neutral knobs: the master chain is empty, so the difference is the clicks alone.
    let diff: Vec<f32> = with.channels[0]
        .iter()
        .zip(&plain.channels[0])
        .map(|(a, b)| a - b)
        .collect();
    for k in 0..4 {
        let at = k * RATE as usize / 2;
        // The click track is centred: the pan law puts it 3 dB down on each side.
        assert!(peak(&diff[at..at + 500]) > 0.15, "click {k} in the export");
        assert!(
            peak(&diff[at + 4000..at + 20000]) < 1e-6,
            "silence after click {k}"
        );
    }

    // Live, on the virtual device: the same samples as the export with the metronome.
    let device = VirtualOutput::new("test output", 256);
    let monitor = device.monitor();
    m.play(LiveOutput::Virtual(device), 0.0, None, Arc::new(|_| {}))
        .unwrap();
    let player = m.player().unwrap();
    assert!(player
        .session()
        .tracks
        .iter()
        .any(|t| t.name == METRONOME_TRACK));
    let latency = player.latency_frames();
    assert!(monitor.wait_for((with.frames() + latency) as u64, Duration::from_secs(15)));
    let (_, played) = monitor.all();
    let live: Vec<f32> = played.chunks(2).map(|f| f[0]).collect();
    let first = live[latency..latency + with.frames()]
        .iter()
        .zip(&with.channels[0])
        .position(|(a, b)| a.to_bits() != b.to_bits());
    assert_eq!(first, None, "live and the export with the metronome differ");
    // Off again while playing: the session reloads without the click track.
    m.set_metronome(None).unwrap();
    assert_eq!(m.player().unwrap().session().tracks.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
