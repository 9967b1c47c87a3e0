//! Per-stage timings of the voice conversion on the benchmark's weights (a development aid):
//! `cargo run --release -p son1k-ml --example profile_vc -- DIR SECONDS`.

use std::path::PathBuf;
use std::time::Instant;

use candle_core::{Device, Tensor};
use son1k_ml::hifigan::HifiGan;
use son1k_ml::wavlm::WavLm;

/// This process's user + system CPU seconds (Linux), which other load on the machine disturbs less
/// than wall time.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            let ticks: f64 =
                rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: profile_vc DIR SECONDS")?);
    let seconds: f64 = args.next().unwrap_or_else(|| "5".into()).parse()?;
    let dev = Device::Cpu;
    let wavlm = WavLm::load(
        &dir.join("wavlm-large/config.json"),
        &dir.join("wavlm-large/model.safetensors"),
        6,
        &dev,
    )?;
    let voc = HifiGan::load(
        &dir.join("knnvc-hifigan-prematched/config_v1_wavlm.json"),
        &dir.join("knnvc-hifigan-prematched/prematch_g_02500000.pt"),
        &dev,
    )?;
    let n = (seconds * 16_000.0) as usize;
    let wav: Vec<f32> = (0..n)
        .map(|i| 0.1 * ((i as f32 * 12.9898).sin() * 43_758.547).fract())
        .collect();
    for round in 0..2 {
        let t = Instant::now();
        let c = cpu_seconds();
        let f = wavlm.features(&wav)?;
        let t_enc = t.elapsed().as_secs_f64();
        let c_enc = cpu_seconds() - c;
        let frames = f.dim(0)?;
        let x = Tensor::randn(0f32, 1.0, (frames, 1024), &dev)?;
        let t = Instant::now();
        let c = cpu_seconds();
        let y = voc.vocode(&x)?;
        let t_voc = t.elapsed().as_secs_f64();
        let c_voc = cpu_seconds() - c;
        println!(
            "round {round}: wavlm {t_enc:.3} s (cpu {c_enc:.2} s), hifigan {t_voc:.3} s (cpu {c_voc:.2} s), {} samples",
            y.len()
        );
    }
    Ok(())
}
