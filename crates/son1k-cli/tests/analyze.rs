//! `son1k analyze` on songs made for the test (never part of the evaluation corpus).
#![allow(clippy::unwrap_used)]

mod common;

use son1k_analysis::corpus::{render, Pattern, SongSpec};
use son1k_audio::{write_file, SampleFormat};

fn song(path: &std::path::Path, bpm: f64, key: &str, pattern: Pattern, seed: u64) {
    let spec = SongSpec {
        bpm,
        key: key.parse().unwrap(),
        pattern,
        swing: 0.0,
        seconds: 30.0,
        noise_db: -45.0,
        seed,
    };
    write_file(path, &render(&spec), SampleFormat::I16).unwrap();
}

#[test]
fn tempo_within_two_percent_and_the_exact_key() {
    let d = common::workdir("analyze", "one");
    let f = d.join("house.wav");
    // A kick on each beat, hats, and i–iv–V–i in F# minor.
    song(&f, 127.0, "F# minor", Pattern::FourOnFloor, 9_001);
    let o = common::son1k_in("analyze", &["analyze", f.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let bpm = v["bpm"].as_f64().unwrap();
    assert!((bpm - 127.0).abs() <= 127.0 * 0.02, "{bpm}");
    assert_eq!(v["key"], "F# minor");
    assert!((v["seconds"].as_f64().unwrap() - 30.0).abs() < 0.01);
    let beats = v["beats"].as_array().unwrap();
    assert!(
        (60..=66).contains(&beats.len()),
        "{} beats in 30 s at 127 BPM",
        beats.len()
    );
    // Beats fall on the kicks: every interval is one beat period (±30 ms).
    for w in beats.windows(2) {
        let gap = w[1].as_f64().unwrap() - w[0].as_f64().unwrap();
        assert!((gap - 60.0 / 127.0).abs() < 0.03, "{gap}");
    }
    assert_eq!(v["meter"], 4);
    assert!((v["tuning_hz"].as_f64().unwrap() - 440.0).abs() < 2.0);
    for field in [
        "bpm_confidence",
        "key_confidence",
        "lufs",
        "true_peak_db",
        "sections",
    ] {
        assert!(!v[field].is_null(), "{field}");
    }
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn several_files_give_an_array_and_bad_input_an_error() {
    let d = common::workdir("analyze", "many");
    let a = d.join("rock.wav");
    let b = d.join("ballad.wav");
    song(&a, 148.0, "E major", Pattern::Backbeat, 9_002);
    song(&b, 72.0, "Bb minor", Pattern::HalfTime, 9_003);
    let o = common::son1k_in(
        "analyze",
        &[
            "analyze",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["key"], "E major");
    assert_eq!(arr[1]["key"], "Bb minor");
    assert!((arr[0]["bpm"].as_f64().unwrap() - 148.0).abs() < 3.0);
    assert!((arr[1]["bpm"].as_f64().unwrap() - 72.0).abs() < 1.5);

    let junk = d.join("junk.mp3");
    std::fs::write(&junk, b"ID3 definitely not audio").unwrap();
    let o = common::son1k_in("analyze", &["analyze", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("junk.mp3"));
    let short = d.join("short.wav");
    common::write_tone(&short, 44_100, 1, 0.5, 440.0);
    let o = common::son1k_in("analyze", &["analyze", short.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("too short"));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn analyses_are_jobs_in_the_library() {
    let d = common::workdir("analyze", "jobs");
    let home = d.join("home");
    let f = d.join("song.wav");
    song(&f, 100.0, "G major", Pattern::Backbeat, 9_004);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_son1k"))
            .args(args)
            .env("SON1K_HOME", &home)
            .output()
            .unwrap()
    };
    // Two analyses at once on one library: each process gets its own result.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&["analyze", f.to_str().unwrap(), "--json"]));
        let b = s.spawn(|| run(&["analyze", f.to_str().unwrap(), "--json"]));
        (a.join().unwrap(), b.join().unwrap())
    });
    for o in [&a, &b] {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["key"], "G major");
    }
    let jobs: serde_json::Value =
        serde_json::from_slice(&run(&["jobs", "list", "--json"]).stdout).unwrap();
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs
        .iter()
        .all(|j| j["kind"] == "analyze" && j["status"] == "done" && j["attempts"] == 1));
    std::fs::remove_dir_all(d).unwrap();
}
