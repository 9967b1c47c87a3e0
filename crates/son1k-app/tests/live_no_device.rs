//! Playing with no output device: a clear error whose code the screen turns into its "no audio
//! device" notice. ALSA is pointed at an empty configuration (so it knows no device at all)
//! before anything opens audio; this file holds only this test, so the setting reaches no other.
#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use std::sync::Arc;

use son1k_app::ghost::{self, LiveOutput, Mixing};
use son1k_app::{Paths, Studio};

#[test]
fn playing_without_an_output_device_says_so_with_the_audio_device_code() {
    let dir = std::env::temp_dir().join(format!("son1k-live-no-device-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty-alsa.conf");
    std::fs::write(&empty, "").unwrap();
    std::env::set_var("ALSA_CONFIG_PATH", &empty);
    let studio = Studio::with_paths(Paths::under(&dir.join("home")));
    let (folder, _) = studio.create_project("Sin salida").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let wav = dir.join("tono.wav");
    let tone: Vec<f32> = (0..24_000).map(|i| (i as f32 * 0.05).sin() * 0.3).collect();
    son1k_audio::write_file(
        &wav,
        &son1k_audio::AudioBuffer::new(48_000, vec![tone]).unwrap(),
        son1k_audio::SampleFormat::I16,
    )
    .unwrap();
    ghost::add(&studio, &project, &wav).unwrap();
    let mut m = Mixing::open(&studio, &project).unwrap();
    let e = m
        .play(LiveOutput::Default, 0.0, None, Arc::new(|_| {}))
        .unwrap_err();
    assert_eq!(e.code(), "audio-device", "{e}");
    assert!(e.to_string().contains("output device"), "{e}");
    assert!(m.player().is_none() && m.playback_frame().is_err());
    // The project is untouched and still renders.
    let out = dir.join("mix.wav");
    m.render(&out, son1k_audio::SampleFormat::I16).unwrap();
    assert!(out.is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
