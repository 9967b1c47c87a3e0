//! `son1k-bench voice`: the DSP voice transform against sox on the same file, and the neural
//! conversion (kNN-VC in Candle) against PyTorch on the same full-size random weights, in one run.
//! Rounds alternate between the two sides so that other load on the machine falls on both.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use son1k_audio::{decode_file, write_file, AudioBuffer, SampleFormat};
use son1k_voice::{transform, Preset, TransformParams};

/// What `son1k-bench voice` measures.
pub struct VoiceBenchOptions {
    /// Seconds of audio for the DSP transform.
    pub dsp_seconds: f64,
    /// Seconds of audio for the neural conversion.
    pub neural_seconds: f64,
    /// The Python with torch, transformers and safetensors (PyTorch's side).
    pub python: String,
    /// `scripts/voice-parity.py`.
    pub script: PathBuf,
    /// Alternating rounds (each: PyTorch, then Candle, 3 timed runs apiece).
    pub rounds: usize,
}

const RATE: u32 = 44_100;

/// A sung "ah": harmonics of a 180 Hz voice with 5 Hz vibrato under two formants, a little breath.
fn voice_like(seconds: f64) -> AudioBuffer {
    let rate = f64::from(RATE);
    let n = (seconds * rate) as usize;
    let mut phase = 0.0f64;
    let mut noise = 0x1234_5678u32;
    let samples = (0..n)
        .map(|i| {
            let t = i as f64 / rate;
            let f0 = 180.0 * (1.0 + 0.01 * (2.0 * std::f64::consts::PI * 5.0 * t).sin());
            phase += f0 / rate;
            let mut v = 0.0;
            let mut h = 1.0;
            while f0 * h < 8000.0 {
                let f = f0 * h;
                let amp = 1.0 / (1.0 + ((f - 700.0) / 90.0).powi(2))
                    + 0.7 / (1.0 + ((f - 1200.0) / 110.0).powi(2))
                    + 0.01;
                v += amp * (2.0 * std::f64::consts::PI * phase * h).sin();
                h += 1.0;
            }
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            (0.25 * v + 0.01 * (f64::from(noise) / f64::from(u32::MAX) - 0.5)) as f32
        })
        .collect();
    AudioBuffer {
        sample_rate: RATE,
        channels: vec![samples],
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Runs both parts; a missing peer (sox, or a Python with torch) skips its comparison with a
/// message saying what to install.
pub fn voice(opts: &VoiceBenchOptions) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    dsp(dir.path(), opts.dsp_seconds)?;
    neural(dir.path(), opts)
}

fn dsp(dir: &Path, seconds: f64) -> Result<(), String> {
    let input = dir.join("voice.wav");
    write_file(&input, &voice_like(seconds), SampleFormat::F32).map_err(|e| e.to_string())?;
    let out = dir.join("ours.wav");
    let cases: [(&str, TransformParams, Option<Vec<&str>>); 3] = [
        (
            "pitch +5 semitones",
            TransformParams {
                semitones: 5.0,
                ..Default::default()
            },
            Some(vec!["pitch", "500"]),
        ),
        (
            "stretch ×1.5",
            TransformParams {
                stretch: 1.5,
                ..Default::default()
            },
            Some(vec!["tempo", "-s", "0.666667"]),
        ),
        (
            "choir-double",
            TransformParams {
                preset: Some(Preset::ChoirDouble),
                ..Default::default()
            },
            None,
        ),
    ];
    let sox = Command::new("sox")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    println!(
        "voice transform (DSP): {seconds:.0} s mono 44.1 kHz, file in → file out, median of 3"
    );
    for (label, params, sox_args) in cases {
        let mut ours = Vec::new();
        let mut peer = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let buf = decode_file(&input).map_err(|e| e.to_string())?;
            let y = transform(&buf, &params).map_err(|e| e.to_string())?;
            write_file(&out, &y, SampleFormat::F32).map_err(|e| e.to_string())?;
            ours.push(start.elapsed().as_secs_f64());
            if let (true, Some(args)) = (sox, &sox_args) {
                peer.push(
                    crate::bench::run(
                        Command::new("sox")
                            .arg(&input)
                            .arg(dir.join("sox.wav"))
                            .args(args),
                    )?
                    .as_secs_f64(),
                );
            }
        }
        let ours = median(ours);
        let line = format!("  {label:<20} ours {:>6.1}× real time", seconds / ours);
        match (sox_args, peer.is_empty()) {
            (Some(args), false) => {
                let peer = median(peer);
                println!(
                    "{line}; sox {} {:>6.1}× → ours {:.2}× sox's speed",
                    args.join(" "),
                    seconds / peer,
                    peer / ours
                );
            }
            (Some(_), true) => println!("{line}; sox not installed (apt install sox), no peer"),
            (None, _) => println!("{line} (no sox equivalent)"),
        }
    }
    Ok(())
}

fn neural(dir: &Path, opts: &VoiceBenchOptions) -> Result<(), String> {
    let has_torch = Command::new(&opts.python)
        .args(["-c", "import torch, transformers, safetensors"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_torch || !opts.script.is_file() {
        println!(
            "neural conversion: skipped — PyTorch's side needs {} and a Python with torch, transformers and safetensors:\n  python3 -m venv .venv-parity && .venv-parity/bin/pip install torch transformers safetensors numpy\n  son1k-bench voice --python .venv-parity/bin/python",
            opts.script.display()
        );
        return Ok(());
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let weights = dir.join("weights");
    let secs = opts.neural_seconds;
    println!(
        "neural conversion (kNN-VC: WavLM-Large to layer 6, k=4 over 3000 frames, HiFi-GAN), {secs:.0} s of audio, {threads} threads, full-size random weights (≈1.3 GB, written once), rounds alternate PyTorch / Candle, median of 3 runs each"
    );
    let mut torch_times = Vec::new();
    let mut candle_times = Vec::new();
    let mut vc = None;
    let n = (secs * 16_000.0) as usize;
    let wav: Vec<f32> = (0..n)
        .map(|i| 0.1 * ((i as f32 * 12.9898).sin() * 43_758.547).fract())
        .collect();
    let device = candle_core::Device::Cpu;
    let pool =
        candle_core::Tensor::randn(0f32, 1.0, (3000, 1024), &device).map_err(|e| e.to_string())?;
    for round in 1..=opts.rounds.max(1) {
        let text = crate::bench::stdout_of(
            Command::new(&opts.python)
                .arg(&opts.script)
                .arg("--bench")
                .arg(&weights)
                .args(["--seconds", &secs.to_string()])
                .args(["--threads", &threads.to_string(), "--repeat", "3"]),
        )?;
        let torch = text
            .lines()
            .last()
            .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .and_then(|v| v["torch_seconds"].as_f64())
            .ok_or_else(|| format!("PyTorch's side printed no timing: {text}"))?;
        if vc.is_none() {
            vc = Some(
                son1k_ml::vc::KnnVc::load(
                    &weights.join("wavlm-large/config.json"),
                    &weights.join("wavlm-large/model.safetensors"),
                    6,
                    &weights.join("knnvc-hifigan-prematched/config_v1_wavlm.json"),
                    &weights.join("knnvc-hifigan-prematched/prematch_g_02500000.pt"),
                    &device,
                )
                .map_err(|e| e.to_string())?,
            );
        }
        let Some(model) = vc.as_ref() else {
            return Err("the model did not load".into());
        };
        let mut quiet = |_: son1k_ml::Progress| {};
        model
            .convert(&wav, &pool, &mut quiet)
            .map_err(|e| e.to_string())?; // warm-up
        let mut runs = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            model
                .convert(&wav, &pool, &mut quiet)
                .map_err(|e| e.to_string())?;
            runs.push(start.elapsed().as_secs_f64());
        }
        let candle = median(runs);
        println!(
            "  round {round}: PyTorch {torch:.3} s (RTF {:.3}), Candle {candle:.3} s (RTF {:.3})",
            torch / secs,
            candle / secs
        );
        torch_times.push(torch);
        candle_times.push(candle);
    }
    let (torch, candle) = (median(torch_times), median(candle_times));
    println!(
        "  median: PyTorch RTF {:.3}, Candle RTF {:.3} (goal ≤ 0.5) → Candle at {:.2}× PyTorch's speed (goal ≥ 1.0×)",
        torch / secs,
        candle / secs,
        torch / candle
    );
    Ok(())
}
