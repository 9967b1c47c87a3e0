//! `son1k generate`: the "done when", bad input, and the library job it leaves.
#![allow(clippy::unwrap_used)]

mod common;
use common::{son1k_in, workdir};

#[test]
fn generate_twice_gives_identical_honest_songs_with_everything_beside_them() {
    let dir = workdir("generate", "done-when");
    let (a, b) = (dir.join("out"), dir.join("out2"));
    for out in [&a, &b] {
        let o = son1k_in(
            "generate",
            &[
                "generate",
                "deep house 124 bpm in F# minor",
                "--seconds",
                "20",
                "--seed",
                "3",
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("124 BPM in F# minor"), "{text}");
    }
    assert_eq!(
        std::fs::read(a.join("mix.wav")).unwrap(),
        std::fs::read(b.join("mix.wav")).unwrap()
    );
    for f in [
        "song.mid",
        "song.json",
        "stems/drums.wav",
        "stems/bass.wav",
        "stems/lead.wav",
    ] {
        assert!(a.join(f).is_file(), "{f} missing");
    }
    let o = son1k_in(
        "generate",
        &["analyze", a.join("mix.wav").to_str().unwrap(), "--json"],
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        (v["bpm"].as_f64().unwrap() - 124.0).abs() <= 2.48,
        "{}",
        v["bpm"]
    );
    assert_eq!(v["key"], "F# minor");
    // The generation is a job in the library, done, with its report.
    let o = son1k_in("generate", &["jobs", "list", "--json"]);
    let jobs: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(jobs
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["kind"] == "generate" && j["status"] == "done"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_refused_with_one_line_and_leaves_nothing() {
    let dir = workdir("generate", "bad");
    let out = dir.join("song");
    let cases: [&[&str]; 5] = [
        &["generate", "house", "--bpm", "999"],
        &["generate", "house", "--key", "H# major"],
        &["generate", "house", "--seconds", "2"],
        &["generate", "house", "--quality", "lossless"],
        &["generate", "house", "--lyrics", "/no/such/lyrics.txt"],
    ];
    for args in cases {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["-o", out.to_str().unwrap()]);
        let o = son1k_in("generate", &full);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(!out.exists(), "{args:?} left a folder behind");
    }
    let long = "x".repeat(2001);
    let o = son1k_in(
        "generate",
        &["generate", &long, "-o", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2000"));
    // An existing, non-empty folder is never overwritten.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let o = son1k_in(
        "generate",
        &["generate", "techno", "-o", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
    let o = son1k_in(
        "generate",
        &[
            "generate",
            "techno",
            "--instruments",
            "/no/such.sf2",
            "-o",
            dir.join("x").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such file"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_report_and_lyrics() {
    let dir = workdir("generate", "json");
    let lyrics = dir.join("letra.txt");
    std::fs::write(
        &lyrics,
        "[Verso]\nCamino solo por la ciudad\n[Coro]\nVuelve a mí\n",
    )
    .unwrap();
    let out = dir.join("song");
    let o = son1k_in(
        "generate",
        &[
            "generate",
            "bolero en sol mayor",
            "--lyrics",
            lyrics.to_str().unwrap(),
            "--seed",
            "5",
            "--quality",
            "high",
            "--json",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["key"], "G major");
    assert_eq!(r["seed"], 5);
    assert!(r["stems"].as_array().unwrap().iter().any(|s| s == "vocal"));
    assert!(r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "chorus"));
    assert!(r["realtime_factor"].as_f64().unwrap() > 1.0);
    let spec = hound::WavReader::open(out.join("mix.wav")).unwrap().spec();
    assert_eq!((spec.sample_rate, spec.bits_per_sample), (48_000, 24));
    let _ = std::fs::remove_dir_all(&dir);
}
