//! Recording with no input device: a clear error, and the project is left as it was. ALSA is
//! pointed at an empty configuration (so it knows no device at all) before anything opens audio;
//! this file holds only this test, so the setting cannot reach another one.
#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use son1k_app::ghost::{self, TakeRecorder};
use son1k_app::{Paths, Studio};

#[test]
fn recording_without_an_input_device_says_so_and_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("son1k-no-device-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty-alsa.conf");
    std::fs::write(&empty, "").unwrap();
    std::env::set_var("ALSA_CONFIG_PATH", &empty);

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
