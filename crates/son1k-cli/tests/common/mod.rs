//! Helpers shared by the CLI's integration tests.
#![allow(clippy::unwrap_used, dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `son1k` with `args`, its data under a per-suite temporary `SON1K_HOME`.
pub fn son1k_in(suite: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_son1k"))
        .args(args)
        .env(
            "SON1K_HOME",
            std::env::temp_dir().join(format!("son1k-cli-{suite}-home")),
        )
        .output()
        .unwrap()
}

/// A fresh folder for one test.
pub fn workdir(suite: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-cli-{suite}-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes a 16-bit sine at half scale, on every channel.
pub fn write_tone(path: &Path, rate: u32, channels: u16, secs: f32, hz: f32) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(rate as f32 * secs) as usize {
        let s = (2.0 * std::f32::consts::PI * hz * i as f32 / rate as f32).sin() * 0.5;
        for _ in 0..channels {
            w.write_sample((s * 32767.0) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
}
