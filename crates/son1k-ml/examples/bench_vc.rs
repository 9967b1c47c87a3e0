//! Candle's side of the voice-conversion benchmark: loads the full-size random weights that
//! `scripts/voice-parity.py --bench DIR` wrote, converts SECONDS of noise against a 3000-frame
//! random matching set (as the PyTorch side does), and prints one JSON line.
//!
//! `cargo run --release -p son1k-ml --example bench_vc -- DIR SECONDS` (see scripts/voice-bench.sh).

use std::path::PathBuf;
use std::time::Instant;

use candle_core::{Device, Tensor};
use son1k_ml::vc::KnnVc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: bench_vc DIR SECONDS")?);
    let seconds: f64 = args.next().unwrap_or_else(|| "5".into()).parse()?;
    let vc = KnnVc::load(
        &dir.join("wavlm-large/config.json"),
        &dir.join("wavlm-large/model.safetensors"),
        6,
        &dir.join("knnvc-hifigan-prematched/config_v1_wavlm.json"),
        &dir.join("knnvc-hifigan-prematched/prematch_g_02500000.pt"),
        &Device::Cpu,
    )?;
    let n = (seconds * 16_000.0) as usize;
    let wav: Vec<f32> = (0..n)
        .map(|i| 0.1 * ((i as f32 * 12.9898).sin() * 43_758.547).fract())
        .collect();
    let pool = Tensor::randn(0f32, 1.0, (3000, 1024), &Device::Cpu)?;
    let mut quiet = |_: &str, _: f64| {};
    vc.convert(&wav, &pool, &mut quiet)?; // warm-up
    let start = Instant::now();
    let out = vc.convert(&wav, &pool, &mut quiet)?;
    let took = start.elapsed().as_secs_f64();
    println!(
        "{{\"candle_seconds\": {took}, \"audio_seconds\": {seconds}, \"samples\": {}}}",
        out.len()
    );
    Ok(())
}
