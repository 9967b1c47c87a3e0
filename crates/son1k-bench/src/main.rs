//! `son1k-bench`: Son1k Studio's benchmarks, kept out of the shipped `son1k` CLI.
//!
//! Each benchmark runs our code and a peer tool on the same input in the same run and prints
//! `ours/peer` ratios (absolute seconds on a shared machine are noise). It calls the domain
//! crates directly, since measuring them is its whole job; it is not a front end of the studio.

mod bench;
mod bench_analysis;
mod bench_engine;
mod bench_generate;
mod bench_visual;
mod bench_voice;
mod metrics;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// What to benchmark.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum What {
    /// Decode, mixdown and real-time playback against sox and ffmpeg.
    Audio,
    /// Tempo, beats and key on a labelled synthetic corpus and on the real set
    /// (scripts/make-real-analysis-set.py) against librosa and madmom.
    Analysis,
    /// Whether the Generator makes songs, genre by genre (harmonic rhythm, progressions, lead
    /// recurrence, chorus lift, sung consonants and scale, each genre's defining pattern), its
    /// honesty (tempo/key heard) and its speed against fluidsynth.
    Generate,
    /// The DSP voice transform against sox; kNN-VC in Candle against PyTorch.
    Voice,
    /// The real-time engine: 32 tracks with EQ + compressor + a send to a reverb return and the
    /// knob chain on the master at 128/256-frame buffers, offline and on the paced device
    /// (seconds = per buffer size, default 30); sox as the throughput peer.
    Engine,
    /// Nexus Visual's video export (180 s song, 1080p30 H.264/AAC) against ffmpeg's
    /// showspectrum + avectorscope graph (rounds = --tracks, default 2).
    Visual,
}

/// Benchmarks against peer tools, printed as ratios.
#[derive(Parser)]
#[command(name = "son1k-bench", version)]
struct Args {
    /// What to benchmark.
    #[arg(value_enum)]
    what: What,
    /// Seconds per track (audio; default 180), per song (analysis, generate; default 30) or of the
    /// neural conversion (voice; default 5).
    #[arg(long)]
    seconds: Option<u32>,
    /// Stereo tracks in the mixdown (audio; default 16), synthetic songs (analysis; default 100, 0 runs only the real set), songs per
    /// genre (generate; default 2) or alternating rounds (voice; default 3).
    #[arg(long, alias = "songs")]
    tracks: Option<usize>,
    /// generate: only these genres, comma-separated (`cumbia,jazz`; default all).
    #[arg(long, value_delimiter = ',')]
    genres: Vec<String>,
    /// generate: skip the 180 s speed check and the fluidsynth comparison.
    #[arg(long)]
    no_speed: bool,
    /// audio: seconds of real-time playback for the xrun check (0 skips it).
    #[arg(long, default_value_t = 20)]
    realtime_seconds: u32,
    /// voice: the Python with torch, transformers and safetensors for PyTorch's side
    /// (default: $SON1K_BENCH_PYTHON, else python3).
    #[arg(long)]
    python: Option<String>,
    /// engine: keep every core busy during the device runs.
    #[arg(long)]
    hog: bool,
    /// voice: PyTorch's side of the benchmark.
    #[arg(long, default_value = "scripts/voice-parity.py")]
    script: PathBuf,
}

fn run(args: Args) -> Result<(), String> {
    match args.what {
        What::Engine => bench_engine::engine_bench(&bench_engine::EngineBenchOptions {
            tracks: args.tracks.unwrap_or(32).clamp(1, 256),
            device_seconds: args.seconds.unwrap_or(30).min(600),
            hog: args.hog,
        }),
        What::Visual => bench_visual::visual(&bench_visual::VisualBenchOptions {
            seconds: f64::from(args.seconds.unwrap_or(180).clamp(5, 600)),
            rounds: args.tracks.unwrap_or(2).clamp(1, 9),
        }),
        What::Voice => bench_voice::voice(&bench_voice::VoiceBenchOptions {
            dsp_seconds: 30.0,
            neural_seconds: f64::from(args.seconds.unwrap_or(5).clamp(1, 60)),
            python: args
                .python
                .or_else(|| std::env::var("SON1K_BENCH_PYTHON").ok())
                .unwrap_or_else(|| "python3".into()),
            script: args.script,
            rounds: args.tracks.unwrap_or(3).clamp(1, 20),
        }),
        What::Generate => {
            let (songs, seconds) = (args.tracks.unwrap_or(2), args.seconds.unwrap_or(30));
            if !(1..=50).contains(&songs) || !(5..=600).contains(&seconds) {
                return Err("generate: songs per genre must be 1–50 and seconds 5–600".into());
            }
            bench_generate::generate(&bench_generate::GenerateOptions {
                songs,
                seconds: f64::from(seconds),
                genres: args.genres,
                speed: !args.no_speed,
            })
        }
        What::Analysis => bench_analysis::analysis(
            args.tracks.unwrap_or(100),
            f64::from(args.seconds.unwrap_or(30)),
        ),
        What::Audio => {
            let (seconds, tracks) = (args.seconds.unwrap_or(180), args.tracks.unwrap_or(16));
            if !(1..=3600).contains(&seconds) || !(1..=256).contains(&tracks) {
                return Err("seconds must be 1–3600 and tracks 1–256".into());
            }
            bench::audio(&bench::BenchOptions {
                seconds,
                tracks,
                realtime_seconds: args.realtime_seconds,
            })
        }
    }
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("son1k-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
