//! Nexus Visual through the façade: the live frames the Visual screen reads (the video's scenes
//! at the playhead), and the take playing through the engine on the default output device
//! (skipped with a note where the machine has none; `make test` provides a virtual one).
#![allow(clippy::unwrap_used)]

use std::sync::atomic::AtomicBool;

use son1k_app::visual::{Previews, Stage};
use son1k_app::webview::Served;
use son1k_app::{InstrumentChoice, Paths, Studio};
use son1k_core::GenerationRequest;

fn studio(tag: &str) -> (std::path::PathBuf, Studio, String) {
    let dir = std::env::temp_dir().join(format!("son1k-visual-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = Studio::with_paths(Paths::under(&dir));
    let mut request = GenerationRequest::new("merengue alegre 130 bpm");
    request.duration_secs = Some(6.0);
    request.seed = 2;
    s.generate_song(
        request,
        InstrumentChoice::BuiltIn,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    let take = s.songs().unwrap()[0].name.clone();
    (dir, s, take)
}

#[test]
fn live_frames_follow_the_playhead_and_bad_requests_are_refused() {
    let (dir, s, take) = studio("frames");
    let p = Previews::default();
    let a = p.frame(&s, &take, "particles", 3, 1.0, 320, 180).unwrap();
    assert_eq!(a.len(), 320 * 180 * 4);
    let b = p.frame(&s, &take, "particles", 3, 2.5, 320, 180).unwrap();
    assert_ne!(a, b, "the picture moved between 1 s and 2.5 s of music");
    // Back to 1 s replays the scene: the same picture as before.
    assert_eq!(
        p.frame(&s, &take, "particles", 3, 1.0, 320, 180).unwrap(),
        a
    );
    // Through the scheme's path, percent-encoded.
    let path = format!("/{}/particles/3/320x180/1000", take.replace(' ', "%20"));
    match p.serve(&s, &path) {
        Served::File { bytes, .. } => assert_eq!(bytes, a),
        _ => panic!("the frame was not served"),
    }
    assert!(matches!(p.serve(&s, "/x/y"), Served::BadPath));
    assert!(matches!(
        p.serve(&s, &format!("/{take}/milkdrop/1/320x180/0")),
        Served::Missing(_)
    ));
    assert!(p.frame(&s, &take, "rain", 1, 0.0, 5000, 10).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_stage_plays_a_take_through_the_engine() {
    let (dir, s, take) = studio("stage");
    let stage = Stage::default();
    let st = match stage.play(&s, &take, 1.0) {
        Ok(st) => st,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: no output device here ({e})");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    assert_eq!(st.song.as_deref(), Some(take.as_str()));
    // The position moves on from where it was asked to start (a loaded machine's device may be
    // slow to start: up to 10 s is allowed for it).
    let started = std::time::Instant::now();
    let mut now = stage.status();
    while now.seconds < 1.2 && started.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        now = stage.status();
    }
    assert!(now.playing, "{now:?}");
    assert!(now.seconds >= 1.2 && now.seconds < 6.5, "{now:?}");
    let stopped = stage.stop();
    assert!(!stopped.playing);
    assert!(!stage.status().playing);
    let _ = std::fs::remove_dir_all(&dir);
}
