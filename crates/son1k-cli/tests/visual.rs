//! `son1k visual` as a user runs it: a generated song's music video (a stretch of it, with a
//! cover), probed with ffprobe; a missing ffmpeg, an unknown scene and a bad span refused
//! clearly. Without ffmpeg the video part prints SKIPPED, except under CI=true, where it fails.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn son1k(home: &Path, args: &[&str], ffmpeg: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_son1k"));
    cmd.args(args).env("SON1K_HOME", home);
    if let Some(f) = ffmpeg {
        cmd.env("SON1K_FFMPEG", f);
    }
    cmd.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn have_ffmpeg() -> bool {
    let found = Command::new("ffmpeg").arg("-version").output().is_ok();
    if !found && std::env::var("CI").as_deref() == Ok("true") {
        panic!("ffmpeg is missing; `make test` installs it");
    }
    if !found {
        eprintln!("SKIPPED: ffmpeg is not installed");
    }
    found
}

#[test]
fn a_songs_music_video_probes_as_1080p30_with_its_audio_and_a_cover() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let song = root.path().join("song");
    let o = son1k(
        &home,
        &[
            "generate",
            "cumbia alegre",
            "--seconds",
            "12",
            "--seed",
            "5",
            "--instruments",
            "builtin",
            "-o",
            song.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));

    // Refusals first: they need no encoder run.
    let o = son1k(
        &home,
        &[
            "visual",
            "render",
            song.to_str().unwrap(),
            "--scene",
            "milkdrop",
            "-o",
            "x.mp4",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("auto, spectrum, particles, rain"),
        "{}",
        text(&o.stderr)
    );
    let o = son1k(
        &home,
        &[
            "visual",
            "render",
            song.to_str().unwrap(),
            "--seconds",
            "5-2",
            "-o",
            "x.mp4",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let video = root.path().join("v.mp4");
    let o = son1k(
        &home,
        &[
            "visual",
            "render",
            song.to_str().unwrap(),
            "-o",
            video.to_str().unwrap(),
        ],
        Some("/nowhere/ffmpeg"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("ffmpeg was not found"),
        "{}",
        text(&o.stderr)
    );
    assert!(!video.exists());

    let o = son1k(&home, &["visual", "scenes"], None);
    assert!(text(&o.stdout).contains("rain"), "{}", text(&o.stdout));

    if !have_ffmpeg() {
        return;
    }
    let cover = root.path().join("cover.png");
    let o = son1k(
        &home,
        &[
            "visual",
            "render",
            song.to_str().unwrap(),
            "--seconds",
            "2-5",
            "-o",
            video.to_str().unwrap(),
            "--cover",
            cover.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["frames"], 90);
    assert_eq!(
        (report["width"].as_u64(), report["height"].as_u64()),
        (Some(1920), Some(1080))
    );
    assert!(report["beats"].as_u64().unwrap() >= 4, "{report}");
    let probe = |stream: &str, entries: &str| {
        let out = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-select_streams",
                stream,
                "-show_entries",
                entries,
            ])
            .args(["-of", "default=noprint_wrappers=1:nokey=1"])
            .arg(&video)
            .output()
            .unwrap();
        text(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        probe("v:0", "stream=width,height,r_frame_rate"),
        ["1920", "1080", "30/1"]
    );
    let seconds: f64 = probe("a:0", "stream=duration")[0].parse().unwrap();
    assert!((seconds - 3.0).abs() <= 0.05, "audio lasts {seconds} s");
    // The cover: a 3000×3000 RGB PNG (width and height are the IHDR's first two fields).
    let png = std::fs::read(&cover).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    assert_eq!((be(16), be(20)), (3000, 3000));

    // The render was a library job.
    let o = son1k(&home, &["jobs", "list", "--json"], None);
    assert!(
        text(&o.stdout).contains("visual-render"),
        "{}",
        text(&o.stdout)
    );
}
