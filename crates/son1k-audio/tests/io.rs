//! Decode and write round trips through real files, and refusal of bad input.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use son1k_audio::{decode_bytes, decode_file, write_file, AudioBuffer, AudioError, SampleFormat};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-audio-io-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tone(rate: u32, channels: usize, secs: f32) -> AudioBuffer {
    let n = (rate as f32 * secs) as usize;
    let chans = (0..channels)
        .map(|c| {
            (0..n)
                .map(|i| {
                    (2.0 * std::f32::consts::PI * (440.0 + 110.0 * c as f32) * i as f32
                        / rate as f32)
                        .sin()
                        * 0.5
                })
                .collect()
        })
        .collect();
    AudioBuffer::new(rate, chans).unwrap()
}

fn max_diff(a: &AudioBuffer, b: &AudioBuffer) -> f32 {
    a.channels
        .iter()
        .zip(&b.channels)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f32::max)
}

#[test]
fn wav_round_trips_at_every_depth() {
    let d = dir("wav");
    let src = tone(44_100, 2, 0.5);
    for (fmt, tolerance) in [
        (SampleFormat::I16, 2.0 / 32768.0),
        (SampleFormat::I24, 2.0 / 8_388_608.0),
        (SampleFormat::F32, 0.0),
    ] {
        let path = d.join(format!("t{}.wav", fmt.bits()));
        write_file(&path, &src, fmt).unwrap();
        let spec = hound::WavReader::open(&path).unwrap().spec();
        assert_eq!(spec.bits_per_sample, fmt.bits());
        assert_eq!(spec.channels, 2);
        let back = decode_file(&path).unwrap();
        assert_eq!(back.sample_rate, 44_100);
        assert_eq!(back.frames(), src.frames());
        let diff = max_diff(&src, &back);
        assert!(diff <= tolerance + 1e-7, "{fmt:?}: {diff}");
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn dither_is_tpdf_not_truncation() {
    // A constant half-LSB level truncates to 0 or 1 forever; dither averages to the true level.
    let level = 0.5 / 32768.0;
    let q = son1k_audio::write::quantize(&vec![level; 100_000], 16, 7);
    let mean = q.iter().map(|&v| f64::from(v)).sum::<f64>() / q.len() as f64;
    assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
    assert!(
        q.iter().all(|&v| (-1..=2).contains(&v)),
        "TPDF spreads at most ±1 LSB around the value"
    );
}

#[test]
fn flac_round_trips_losslessly_at_its_depth() {
    let d = dir("flac");
    let src = tone(48_000, 2, 0.5);
    let path = d.join("t.flac");
    write_file(&path, &src, SampleFormat::I24).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], b"fLaC");
    let back = decode_file(&path).unwrap();
    assert_eq!(
        (back.sample_rate, back.channel_count(), back.frames()),
        (48_000, 2, src.frames())
    );
    assert!(max_diff(&src, &back) <= 2.0 / 8_388_608.0 + 1e-7);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn unknown_extension_is_refused_before_writing() {
    let d = dir("ext");
    let err = write_file(&d.join("x.mp3"), &tone(8000, 1, 0.1), SampleFormat::I16).unwrap_err();
    assert!(err.to_string().contains("use .wav or .flac"), "{err}");
    assert!(!d.join("x.mp3").exists());
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn bad_input_gives_named_errors_not_panics() {
    let d = dir("bad");
    let empty = d.join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let e = decode_file(&empty).unwrap_err();
    assert!(matches!(e, AudioError::Empty { .. }));
    assert!(e.to_string().contains("empty.wav"), "{e}");

    let garbage = d.join("noise.mp3");
    std::fs::write(
        &garbage,
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let e = decode_file(&garbage).unwrap_err();
    assert!(e.to_string().contains("noise.mp3"), "{e}");

    let missing = d.join("missing.wav");
    let e = decode_file(&missing).unwrap_err();
    assert!(
        e.to_string().contains("missing.wav") && e.to_string().contains("could not open"),
        "{e}"
    );

    // A WAV cut in half: the header promises more frames than the file holds.
    let whole = d.join("whole.wav");
    write_file(&whole, &tone(44_100, 1, 1.0), SampleFormat::I16).unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let cut = d.join("cut.wav");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = decode_file(&cut).unwrap_err();
    assert!(matches!(e, AudioError::Truncated { .. }), "{e}");
    assert!(
        e.to_string().contains("cut.wav") && e.to_string().contains("truncated"),
        "{e}"
    );

    // Only a header.
    let e = decode_bytes(bytes[..44].to_vec(), Some("wav")).unwrap_err();
    assert!(!e.to_string().is_empty());
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn every_prefix_and_bit_flip_of_a_flac_is_handled() {
    // A cheap in-test fuzz: truncations and corruptions never panic.
    let d = dir("fuzz");
    let path = d.join("f.flac");
    write_file(&path, &tone(22_050, 1, 0.2), SampleFormat::I16).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    for cut in (0..bytes.len()).step_by(97) {
        let _ = decode_bytes(bytes[..cut].to_vec(), Some("flac"));
    }
    for i in (0..bytes.len()).step_by(31) {
        let mut b = bytes.clone();
        b[i] ^= 0x5a;
        let _ = decode_bytes(b, Some("flac"));
    }
    std::fs::remove_dir_all(d).unwrap();
}

/// Files made by the reference tools (sox, ffmpeg; installed by `make test`) in every format the
/// studio reads, decoded and measured: rate, channels, length and pitch.
#[test]
fn decodes_every_common_format_made_by_reference_encoders() {
    use std::process::Command;
    let d = dir("formats");
    let wav = d.join("src.wav");
    let ok = Command::new("sox")
        .args(["-n", "-r", "44100", "-c", "2", "-b", "16"])
        .arg(&wav)
        .args(["synth", "2", "sine", "440", "gain", "-6"])
        .status()
        .expect("sox is needed for this test (make test installs it)");
    assert!(ok.success());
    let mut files = vec![wav.clone()];
    for (name, sox_args) in [
        ("s24.aiff", vec!["-b", "24"]),
        ("f32.wav", vec!["-e", "floating-point", "-b", "32"]),
        ("s.flac", vec![]),
    ] {
        let out = d.join(name);
        assert!(Command::new("sox")
            .arg(&wav)
            .args(&sox_args)
            .arg(&out)
            .status()
            .unwrap()
            .success());
        files.push(out);
    }
    for (name, codec) in [
        ("a.mp3", "libmp3lame"),
        ("a.ogg", "libvorbis"),
        ("a.m4a", "aac"),
    ] {
        let out = d.join(name);
        let st = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(&wav)
            .args(["-c:a", codec])
            .arg(&out)
            .status()
            .expect("ffmpeg is needed for this test (make test installs it)");
        assert!(st.success(), "{name}");
        files.push(out);
    }
    for f in files {
        let a = decode_file(&f).unwrap_or_else(|e| panic!("{e}"));
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!((a.sample_rate, a.channel_count()), (44_100, 2), "{name}");
        // AAC in MP4 keeps the encoder's priming unless an edit list is honoured: allow 50 ms.
        assert!(
            (a.duration_secs() - 2.0).abs() < 0.05,
            "{name}: {} s",
            a.duration_secs()
        );
        // Upward crossings with hysteresis, so lossy codecs' ripples near zero are not counted.
        let mut below = false;
        let mut crossings = 0usize;
        for &s in &a.channels[0] {
            if s < -0.1 {
                below = true;
            } else if s > 0.1 && below {
                below = false;
                crossings += 1;
            }
        }
        let ups = crossings as f64 / a.duration_secs();
        assert!((ups - 440.0).abs() < 10.0, "{name}: {ups} Hz");
    }
    std::fs::remove_dir_all(d).unwrap();
}

/// Regression: inputs the fuzzer found that make symphonia 0.5.5 overflow an integer, which
/// panics in builds with overflow checks (such as these tests): the MKV demuxer's EBML reader,
/// the MP3 demuxer's gapless length, the MP4 `stsc` atom, and the WAV channel mask. MKV is no
/// longer compiled in, and decoder panics become errors that name the input.
#[test]
fn fuzz_found_decoder_panics_are_errors() {
    let fixtures = [
        "fuzz-mkv-ebml-overflow.bin",
        "fuzz-mp3-gapless-overflow.bin",
        "fuzz-mp4-stsc-overflow.bin",
        "fuzz-wav-channel-mask-shift.bin",
    ];
    let hints = [
        None,
        Some("wav"),
        Some("aiff"),
        Some("flac"),
        Some("mp3"),
        Some("ogg"),
        Some("m4a"),
        Some("mkv"),
    ];
    for fixture in fixtures {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        let data = std::fs::read(&path).unwrap();
        for hint in hints {
            if let Err(e) = decode_bytes(data[1..].to_vec(), hint) {
                assert!(e.to_string().contains("<memory>"), "{e}");
            }
        }
    }
}
