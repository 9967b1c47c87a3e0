//! The Ghost Studio screen's façade: a project opened by folder, a demo added, mix edits that are
//! saved at once and undo/redo in order, previews of non-WAV clips, loudness-matched A/B.
#![allow(clippy::unwrap_used)]

use son1k_app::ghost::{self, Mixing, TrackEdit};
use son1k_app::{Paths, Studio};

fn home(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-ghost-screen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A sine at `amp` for `seconds`, written as a 16-bit WAV (then re-read by the façade).
fn sine(path: &std::path::Path, amp: f32, seconds: f32) {
    let rate = 44_100;
    let frames = (seconds * rate as f32) as usize;
    let samples: Vec<f32> = (0..frames)
        .map(|i| amp * (2.0 * std::f32::consts::PI * 220.0 * i as f32 / rate as f32).sin())
        .collect();
    let buf = son1k_audio::AudioBuffer::from_interleaved(rate, 1, &samples).unwrap();
    son1k_audio::write_file(path, &buf, son1k_audio::SampleFormat::I16).unwrap();
}

#[test]
fn mix_edits_are_saved_at_once_and_undo_and_redo_in_order() {
    let dir = home("mix");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Mi demo").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let demo = dir.join("voz.wav");
    sine(&demo, 0.5, 3.0);
    ghost::add(&studio, &project, &demo).unwrap();

    let mut m = Mixing::open(&studio, &project).unwrap();
    let v = m.view();
    assert_eq!(v.name, "Mi demo");
    assert_eq!(v.tracks.len(), 1);
    assert_eq!(v.tracks[0].clips[0].file, "audio/voz.wav");
    assert!(!v.can_undo && !v.can_redo);

    let track = v.tracks[0].name.clone();
    m.apply(&TrackEdit::Gain {
        track: track.clone(),
        db: -6.0,
    })
    .unwrap();
    let v = m
        .apply(&TrackEdit::Mute {
            track: track.clone(),
            on: true,
        })
        .unwrap();
    assert!(v.can_undo && v.tracks[0].mute);
    // Saved at once: a fresh view from disk sees both edits.
    let disk = ghost::view(&studio, &project).unwrap();
    assert_eq!((disk.tracks[0].gain_db, disk.tracks[0].mute), (-6.0, true));

    let v = m.undo().unwrap();
    assert_eq!((v.tracks[0].gain_db, v.tracks[0].mute), (-6.0, false));
    let v = m.undo().unwrap();
    assert_eq!(v.tracks[0].gain_db, 0.0);
    assert!(!v.can_undo && v.can_redo);
    assert_eq!(
        ghost::view(&studio, &project).unwrap().tracks[0].gain_db,
        0.0
    );
    let v = m.redo().unwrap();
    assert_eq!(v.tracks[0].gain_db, -6.0);
    // A rejected edit changes nothing.
    assert!(m
        .apply(&TrackEdit::Solo {
            track: "nope".into(),
            on: true
        })
        .is_err());
    assert_eq!(m.view().tracks[0].gain_db, -6.0);
    // Out-of-range values are clamped, not stored.
    let v = m.apply(&TrackEdit::Pan { track, pan: 9.0 }).unwrap();
    assert_eq!(v.tracks[0].pan, 1.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ab_gains_bring_both_sides_to_the_quieter_loudness_and_paths_stay_inside() {
    let dir = home("ab");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("AB").unwrap();
    let project = folder.to_string_lossy().into_owned();
    sine(&folder.join("loud.wav"), 0.5, 3.0);
    sine(&folder.join("quiet.wav"), 0.125, 3.0);
    let (a, b) = ghost::ab_gains(&studio, &project, "loud.wav", "quiet.wav").unwrap();
    assert!((20.0 * a.log10() + 12.04).abs() < 0.2, "loud side gain {a}");
    assert!((b - 1.0).abs() < 1e-3, "quiet side gain {b}");
    for bad in ["../x.wav", "/etc/passwd", "a/../../b.wav", ""] {
        assert!(
            ghost::ab_gains(&studio, &project, bad, "quiet.wav").is_err(),
            "{bad}"
        );
        assert!(ghost::playable(&studio, &project, bad).is_err(), "{bad}");
    }
    assert_eq!(
        ghost::playable(&studio, &project, "loud.wav").unwrap(),
        "loud.wav"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
