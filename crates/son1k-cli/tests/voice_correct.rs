//! `son1k voice transform --key`: pitch correction through the real binary.

mod common;

use common::{son1k_in, workdir, write_tone};

const SUITE: &str = "voice-correct";

fn median_pitch(path: &std::path::Path) -> f64 {
    let mut r = hound::WavReader::open(path).expect("output");
    let spec = r.spec();
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Int => {
            let scale = (1i64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>()
                .map(|s| s.expect("sample") as f32 / scale)
                .collect()
        }
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.expect("sample")).collect(),
    };
    let mid = &samples[samples.len() / 4..3 * samples.len() / 4];
    let mut hz: Vec<f64> = son1k_analysis::pitch::yin(mid, spec.sample_rate, 70.0, 1000.0, 512)
        .into_iter()
        .filter_map(|f| f.hz)
        .collect();
    assert!(!hz.is_empty(), "no pitch in {}", path.display());
    hz.sort_by(f64::total_cmp);
    hz[hz.len() / 2]
}

/// `son1k voice transform IN -o OUT EXTRA…`.
fn transform(
    input: &std::path::Path,
    output: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let (i, o) = (input.to_string_lossy(), output.to_string_lossy());
    let mut args = vec!["voice", "transform", &i, "-o", &o];
    args.extend_from_slice(extra);
    son1k_in(SUITE, &args)
}

#[test]
fn a_flat_a_is_corrected_to_the_key_and_bad_keys_are_refused() {
    let dir = workdir(SUITE, "key");
    let input = dir.join("in.wav");
    let output = dir.join("out.wav");
    // 425 Hz: 60 cents flat of A4. In A minor (no G#) it goes to 440 Hz.
    write_tone(&input, 44_100, 1, 1.5, 425.0);
    let o = transform(&input, &output, &["--key", "La menor", "--retune-ms", "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = median_pitch(&output);
    assert!(
        (1200.0 * (got / 440.0).log2()).abs() < 5.0,
        "corrected to {got:.1} Hz"
    );

    let o = transform(&input, &dir.join("bad.wav"), &["--key", "H minor"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--key"));
    assert!(!dir.join("bad.wav").exists());

    let o = transform(
        &input,
        &dir.join("strong.wav"),
        &["--key", "A minor", "--correct", "150"],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("strength"));
}

#[test]
fn auto_key_uses_the_key_heard_in_the_input() {
    let dir = workdir(SUITE, "auto");
    let input = dir.join("in.wav");
    let output = dir.join("out.wav");
    write_tone(&input, 44_100, 1, 2.0, 440.0);
    let o = transform(&input, &output, &["--key", "auto", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    // The key the analyzer heard is recorded with the controls; an A stays an A in it.
    let key = report["params"]["key"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!key.is_empty(), "{report}");
    let got = median_pitch(&output);
    assert!(
        (1200.0 * (got / 440.0).log2()).abs() < 5.0,
        "{key}: {got:.1} Hz"
    );
}
