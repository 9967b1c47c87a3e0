//! Recording with no input device: a clear error, and the project (or the Voice screen's folder)
//! is left as it was. ALSA is pointed at an empty configuration (so it knows no device at all)
//! before anything opens audio, once; this file holds only these tests, so
//! the setting cannot reach another one.
#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use son1k_app::ghost::{self, TakeRecorder};
use son1k_app::{Paths, Studio};

/// A fresh folder, with ALSA pointed at an empty configuration (set once for the process).
fn without_devices(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("son1k-no-device-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Set once, before either test opens audio (the other waits here until it is set).
    static EMPTY_ALSA: std::sync::Once = std::sync::Once::new();
    EMPTY_ALSA.call_once(|| {
        let empty =
            std::env::temp_dir().join(format!("son1k-empty-alsa-{}.conf", std::process::id()));
        std::fs::write(&empty, "").unwrap();
        std::env::set_var("ALSA_CONFIG_PATH", &empty);
    });
    dir
}

#[test]
fn recording_without_an_input_device_says_so_and_changes_nothing() {
    let dir = without_devices("project");

    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Sin micro").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let err = TakeRecorder::start(&studio, &project, |_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("no usable audio input device") || msg.contains("no audio input device"),
        "{msg}"
    );
    assert!(msg.contains("connect a microphone"), "{msg}");
    let takes: Vec<_> = std::fs::read_dir(folder.join("audio"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(takes.is_empty(), "no take file is left behind: {takes:?}");
    assert!(ghost::view(&studio, &project).unwrap().tracks.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_voice_take_without_an_input_device_says_so_and_leaves_no_file() {
    let dir = without_devices("voice");
    let studio = Studio::with_paths(Paths::under(&dir));
    let err = son1k_app::voice::record_take(&studio, |_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("connect a microphone"), "{msg}");
    assert_eq!(err.code(), "audio-device");
    let left: Vec<_> = std::fs::read_dir(son1k_app::voice::voice_dir(&studio))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "no take file is left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
