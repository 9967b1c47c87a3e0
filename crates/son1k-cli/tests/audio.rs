//! `son1k convert` and `son1k loudness` on real files.
#![allow(clippy::unwrap_used)]

mod common;

use common::workdir as dir;

fn son1k(args: &[&str]) -> std::process::Output {
    common::son1k_in("audio", args)
}

fn workdir(name: &str) -> std::path::PathBuf {
    dir("audio", name)
}

fn write_tone(path: &std::path::Path, rate: u32, secs: f32, hz: f32) {
    common::write_tone(path, rate, 1, secs, hz)
}

/// Frequency from upward zero crossings over the whole file.
fn frequency(samples: &[f64], rate: u32) -> f64 {
    let ups = samples
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    ups as f64 / (samples.len() as f64 / f64::from(rate))
}

#[test]
fn converting_a_44k1_16_bit_tone_to_48k_24_bit_keeps_length_and_pitch() {
    let d = workdir("convert");
    let src = d.join("tone.wav");
    let dst = d.join("tone48.wav");
    write_tone(&src, 44_100, 3.0, 440.0);
    let o = son1k(&[
        "convert",
        src.to_str().unwrap(),
        dst.to_str().unwrap(),
        "--rate",
        "48000",
        "--bits",
        "24",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = hound::WavReader::open(&dst).unwrap();
    let spec = r.spec();
    assert_eq!(
        (spec.sample_rate, spec.bits_per_sample, spec.channels),
        (48_000, 24, 1)
    );
    assert_eq!(spec.sample_format, hound::SampleFormat::Int);
    let samples: Vec<f64> = r
        .samples::<i32>()
        .map(|s| f64::from(s.unwrap()) / 8_388_608.0)
        .collect();
    assert_eq!(samples.len(), 144_000, "3 s at 48 kHz");
    let f = frequency(&samples, 48_000);
    assert!((f - 440.0).abs() < 1.0, "{f} Hz");
    let peak = samples.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    assert!((peak - 0.5).abs() < 0.01, "level kept: {peak}");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn convert_to_flac_and_back_with_channels() {
    let d = workdir("flac");
    let src = d.join("tone.wav");
    write_tone(&src, 22_050, 1.0, 330.0);
    let flac = d.join("tone.flac");
    let o = son1k(&[
        "convert",
        src.to_str().unwrap(),
        flac.to_str().unwrap(),
        "--channels",
        "2",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["channels"], 2);
    assert_eq!(
        v["bits_per_sample"], 16,
        "a 16-bit source stays 16-bit by default"
    );
    let back = d.join("back.wav");
    let o = son1k(&[
        "convert",
        flac.to_str().unwrap(),
        back.to_str().unwrap(),
        "--bits",
        "32f",
    ]);
    assert!(o.status.success());
    let spec = hound::WavReader::open(&back).unwrap().spec();
    assert_eq!(
        (spec.channels, spec.bits_per_sample, spec.sample_format),
        (2, 32, hound::SampleFormat::Float)
    );
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn garbage_is_refused_with_a_message_and_nothing_is_written() {
    let d = workdir("garbage");
    let junk = d.join("junk.wav");
    std::fs::write(&junk, b"RIFF\x10\x00\x00\x00WAVEthis is not audio at all").unwrap();
    let out = d.join("out.wav");
    let o = son1k(&["convert", junk.to_str().unwrap(), out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("junk.wav"), "{err}");
    assert!(!out.exists());
    for bad in [
        vec!["--bits", "12"],
        vec!["--rate", "0"],
        vec!["--channels", "0"],
    ] {
        let mut args = vec!["convert", "x.wav", "y.wav"];
        args.extend(bad.iter());
        let src = d.join("ok.wav");
        write_tone(&src, 8000, 0.1, 440.0);
        args[1] = src.to_str().unwrap();
        let dst = d.join("y.wav");
        args[2] = dst.to_str().unwrap();
        let o = son1k(&args);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(!dst.exists());
    }
    let o = son1k(&[
        "convert",
        junk.to_str().unwrap(),
        d.join("out.ogg").to_str().unwrap(),
    ]);
    assert_ne!(o.status.code(), Some(0));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn loudness_reports_lufs_and_true_peak() {
    let d = workdir("loud");
    let src = d.join("tone.wav");
    write_tone(&src, 48_000, 3.0, 997.0);
    let o = son1k(&["loudness", src.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // A −6 dBFS sine in mono reads about −9 LUFS (mono counts one channel).
    let lufs = v["integrated_lufs"].as_f64().unwrap();
    assert!((lufs + 9.0).abs() < 0.5, "{lufs}");
    let tp = v["true_peak_dbtp"].as_f64().unwrap();
    assert!((tp + 6.0).abs() < 0.3, "{tp}");
    assert!((v["seconds"].as_f64().unwrap() - 3.0).abs() < 1e-6);
    let text =
        String::from_utf8_lossy(&son1k(&["loudness", src.to_str().unwrap()]).stdout).into_owned();
    assert!(text.contains("LUFS") && text.contains("dBTP"), "{text}");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn mix_renders_a_session_file() {
    let d = workdir("mix");
    write_tone(&d.join("a.wav"), 44_100, 1.0, 440.0);
    write_tone(&d.join("b.wav"), 44_100, 1.0, 660.0);
    let session = d.join("song.json");
    std::fs::write(
        &session,
        r#"{"sample_rate":48000,"tracks":[
            {"name":"lead","pan":-0.5,"fx":[{"type":"eq","kind":"peak","freq":1000,"gain_db":3}],"clips":[{"file":"a.wav"}]},
            {"name":"pad","gain_db":-6,"clips":[{"file":"b.wav","offset":0.5}]}],
          "master":[{"type":"limiter","ceiling_db":-1}]}"#,
    )
    .unwrap();
    let out = d.join("mix.flac");
    let o = son1k(&[
        "mix",
        session.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!((v["seconds"].as_f64().unwrap() - 1.5).abs() < 1e-3);
    assert!(v["true_peak_dbtp"].as_f64().unwrap() < 0.0);
    assert_eq!(&std::fs::read(&out).unwrap()[..4], b"fLaC");
    std::fs::write(&session, "{not json").unwrap();
    let o = son1k(&[
        "mix",
        session.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a valid session"));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn convert_can_normalise_loudness() {
    let d = workdir("norm");
    let src = d.join("quiet.wav");
    write_tone(&src, 48_000, 3.0, 997.0); // about −9 LUFS
    let dst = d.join("norm.wav");
    let o = son1k(&[
        "convert",
        src.to_str().unwrap(),
        dst.to_str().unwrap(),
        "--normalize",
        "-16",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        (v["normalize_gain_db"].as_f64().unwrap() + 7.0).abs() < 0.6,
        "{v}"
    );
    let o = son1k(&["loudness", dst.to_str().unwrap(), "--json"]);
    let l: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        (l["integrated_lufs"].as_f64().unwrap() + 16.0).abs() < 0.3,
        "{l}"
    );
    std::fs::remove_dir_all(d).unwrap();
}
