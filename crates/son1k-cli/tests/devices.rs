//! Playback, recording and device listing through the real cpal path.
//!
//! These tests need an audio device. On machines without sound hardware, `make test` (and CI)
//! runs `scripts/virtual-audio.sh` first: a PulseAudio null sink as ALSA's default device, paced in
//! real time like a sound card.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn son1k(args: &[&str]) -> Output {
    common::son1k_in("dev", args)
}

fn workdir(name: &str) -> std::path::PathBuf {
    common::workdir("dev", name)
}

fn tone(path: &Path, secs: f32) {
    common::write_tone(path, 44_100, 2, secs, 440.0)
}

#[test]
fn devices_lists_a_default_output_and_input() {
    let o = son1k(&["devices", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "ok", "{v}");
    assert!(v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["is_default"] == true));
    assert!(v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["is_default"] == true));
}

#[test]
fn devices_chooses_an_output_and_a_buffer_refuses_bad_ones_and_forgets_them() {
    // Its own home: the other tests here play and record with the default choice.
    let home = workdir("choose");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_son1k"))
            .args(args)
            .env("SON1K_HOME", &home)
            .output()
            .unwrap()
    };
    let json = |o: &Output| -> serde_json::Value {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = json(&run(&[
        "devices", "--output", " pulse ", "--buffer", "128", "--json",
    ]));
    assert_eq!(v["settings"]["output"], "pulse", "{v}");
    assert_eq!(v["settings"]["buffer"], 128);
    assert!(v["outputs"].is_array(), "the list is still there: {v}");

    let o = run(&["devices"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("buffer 128 frames"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("pulse") && l.contains("(chosen")),
        "{text}"
    );

    for bad in ["100", "fast", "8192"] {
        let o = run(&["devices", "--buffer", bad]);
        assert_eq!(o.status.code(), Some(2), "--buffer {bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("buffer"));
    }
    let v = json(&run(&["devices", "--json"]));
    assert_eq!(
        v["settings"]["buffer"], 128,
        "a refused value changes nothing"
    );

    let v = json(&run(&["devices", "--reset", "--json"]));
    assert_eq!(v["settings"]["output"], serde_json::Value::Null);
    assert_eq!(v["settings"]["buffer"], 256);
    let v = json(&run(&["devices", "--buffer", "system", "--json"]));
    assert_eq!(v["settings"]["buffer"], serde_json::Value::Null);
    std::fs::remove_dir_all(home).unwrap();
}

#[test]
fn play_runs_the_real_callback_path_in_real_time() {
    let d = workdir("play");
    let f = d.join("tone.wav");
    tone(&f, 1.0);
    let start = Instant::now();
    let o = son1k(&["play", f.to_str().unwrap(), "--buffer", "512"]);
    let took = start.elapsed();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.starts_with("played 1.00 s"), "{text}");
    assert!(
        took >= Duration::from_millis(900),
        "the device paces playback: {took:?}"
    );
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn record_writes_a_take_of_the_asked_length() {
    let d = workdir("rec");
    let f = d.join("take.wav");
    let o = son1k(&["record", f.to_str().unwrap(), "--seconds", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = hound::WavReader::open(&f).unwrap();
    let secs = r.duration() as f64 / f64::from(r.spec().sample_rate);
    assert!((1.0..1.5).contains(&secs), "{secs}");
    assert!(!d.join("take.wav.recording").exists());
    assert!(
        son1k(&["record", d.join("x.flac").to_str().unwrap()])
            .status
            .code()
            == Some(2)
    );
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_recording_killed_with_sigkill_is_repaired_on_the_next_start() {
    let d = workdir("kill");
    let take = d.join("take.wav");
    let mut child = Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(["record", take.to_str().unwrap(), "--seconds", "60"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until about 2.5 s of stereo float audio has reached the file, then kill -9.
    let want = 58 + (2.5 * 44_100.0 * 8.0) as u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(&take).map(|m| m.len()).unwrap_or(0) < want {
        assert!(Instant::now() < deadline, "the recorder never wrote 2.5 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let rate = hound::WavReader::open(&take)
        .map(|r| r.spec().sample_rate)
        .unwrap_or(44_100);
    let captured = (std::fs::metadata(&take).unwrap().len() - 58) as f64 / (f64::from(rate) * 8.0);
    child.kill().unwrap(); // SIGKILL: no chance to finish the file
    child.wait().unwrap();
    assert!(
        d.join("take.wav.recording").exists(),
        "the marker survives the crash"
    );

    let o = son1k(&[
        "record",
        d.join("next.wav").to_str().unwrap(),
        "--seconds",
        "0.2",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("recovered an interrupted take") && text.contains("take.wav"),
        "{text}"
    );
    assert!(!d.join("take.wav.recording").exists());
    let r = hound::WavReader::open(&take).unwrap();
    let secs = r.duration() as f64 / f64::from(r.spec().sample_rate);
    assert!(
        secs >= captured - 1.0,
        "at most 1 s lost: kept {secs:.2} of {captured:.2} s"
    );
    assert_eq!(
        r.into_samples::<f32>().filter(Result::is_err).count(),
        0,
        "every frame reads back"
    );
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn no_device_is_a_clear_error_not_a_panic() {
    let d = workdir("nodev");
    let f = d.join("tone.wav");
    tone(&f, 0.2);
    let o = Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(["play", f.to_str().unwrap()])
        .env("ALSA_CONFIG_PATH", d.join("no-such-alsa.conf"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("no usable audio output device found"),
        "{err}"
    );
    std::fs::remove_dir_all(d).unwrap();
}
