//! `son1k voice` and `son1k models` through the real binary.

mod common;

use common::{son1k_in, workdir, write_tone};

const SUITE: &str = "voice";

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn transform_up_an_octave_keeps_the_length() {
    let dir = workdir(SUITE, "octave");
    let input = dir.join("in.wav");
    let output = dir.join("out.wav");
    write_tone(&input, 44_100, 1, 2.0, 220.0);
    let o = son1k_in(
        SUITE,
        &[
            "voice",
            "transform",
            input.to_str().unwrap_or_default(),
            "-o",
            output.to_str().unwrap_or_default(),
            "--semitones",
            "12",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!((report["seconds_out"].as_f64().unwrap_or(0.0) - 2.0).abs() < 1e-3);
    let r = hound::WavReader::open(&output).expect("output");
    assert_eq!(r.duration(), 88_200);
}

#[test]
fn bad_presets_and_ranges_are_refused_with_exit_2() {
    let dir = workdir(SUITE, "bad");
    let input = dir.join("in.wav");
    write_tone(&input, 44_100, 1, 0.5, 220.0);
    let out = dir.join("o.wav");
    let (i, o) = (
        input.to_str().unwrap_or_default(),
        out.to_str().unwrap_or_default(),
    );
    let r = son1k_in(
        SUITE,
        &["voice", "transform", i, "-o", o, "--preset", "yodel"],
    );
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("unknown voice preset"));
    let r = son1k_in(SUITE, &["voice", "transform", i, "-o", o, "--stretch", "9"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("stretch must be between"));
    assert!(!out.exists());
}

#[test]
fn conversion_with_an_unknown_profile_is_refused() {
    let dir = workdir(SUITE, "unknown");
    let input = dir.join("in.wav");
    write_tone(&input, 16_000, 1, 0.5, 220.0);
    let out = dir.join("o.wav");
    let r = son1k_in(
        SUITE,
        &[
            "voice",
            "convert",
            input.to_str().unwrap_or_default(),
            "--profile",
            "nobody",
            "-o",
            out.to_str().unwrap_or_default(),
        ],
    );
    assert_eq!(r.status.code(), Some(2));
    let e = stderr(&r);
    assert!(e.contains("no voice profile named \"nobody\""), "{e}");
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(!out.exists());
}

#[test]
fn profiles_need_consent_then_name_the_missing_model() {
    let dir = workdir(SUITE, "consent");
    let input = dir.join("me.wav");
    write_tone(&input, 16_000, 1, 0.5, 220.0);
    let i = input.to_str().unwrap_or_default();
    let r = son1k_in(SUITE, &["voice", "profile", "create", "me", i]);
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("--i-have-the-right"));
    let r = son1k_in(
        SUITE,
        &["voice", "profile", "create", "me", i, "--i-have-the-right"],
    );
    assert_eq!(r.status.code(), Some(1));
    assert!(
        stderr(&r).contains("son1k models install wavlm-large"),
        "{}",
        stderr(&r)
    );
    let r = son1k_in(SUITE, &["voice", "profile", "list", "--json"]);
    assert!(r.status.success());
    assert_eq!(String::from_utf8_lossy(&r.stdout).trim(), "[]");
}

#[test]
fn models_list_json_has_the_wavlm_and_vocoder_manifests() {
    let r = son1k_in(SUITE, &["models", "list", "--json"]);
    assert!(r.status.success(), "{}", stderr(&r));
    let list: serde_json::Value = serde_json::from_slice(&r.stdout).expect("json");
    let names: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"wavlm-large"), "{names:?}");
    assert!(names.contains(&"knnvc-hifigan-prematched"), "{names:?}");
    for m in list.as_array().into_iter().flatten() {
        assert!(m["files"][0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://")));
        assert!(m["licence"].as_str().is_some());
        assert_eq!(m["installed"], false);
    }
    let r = son1k_in(SUITE, &["models", "verify", "wavlm-large"]);
    assert_eq!(r.status.code(), Some(1));
    assert!(stderr(&r).contains("son1k models install wavlm-large"));
    let r = son1k_in(SUITE, &["models", "install", "nope"]);
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("unknown model \"nope\""));
}
