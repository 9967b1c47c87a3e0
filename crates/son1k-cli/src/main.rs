//! `son1k`: Son1k Studio from the command line.
//!
//! Every command calls the `son1k-app` façade, exactly as the desktop app does. Output is text for
//! people or `--json` for scripts. Exit codes: 0 success, 2 bad arguments or input, 1 anything else.

mod account;
mod bench;
mod bench_voice;
mod lyrics;
mod voice;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use son1k_app::{AppError, ConvertOptions, Studio, StudioInfo};
use son1k_core::{Knob, Knobs, Lang, Period, Preset, PromptInput, ValidationError};

#[derive(Parser)]
#[command(
    name = "son1k",
    version,
    about = "Son1k Studio: an offline music studio",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Version, data and cache directories, engines, Ollama and audio devices.
    Info {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Build a generation prompt from genre, mood, tempo, key, instruments and the four knobs.
    Prompt(Box<PromptArgs>),
    /// Generate a song offline: mix.wav, stems/*.wav, song.mid and song.json in a new folder.
    Generate(Box<GenerateArgs>),
    /// Ghost Studio's four knobs on an audio file (transparent at Expressivity 50, others 0).
    Ghost(Box<GhostArgs>),
    /// Ghost Studio projects: a demo, a produced backing, render and export.
    Project {
        #[command(subcommand)]
        action: ProjectAction,
    },
    /// Convert an audio file: format from OUT's extension (.wav, .flac), optional rate, depth, channels.
    Convert {
        /// Input file (WAV, AIFF, FLAC, MP3, Ogg Vorbis, AAC/M4A).
        input: PathBuf,
        /// Output file (.wav or .flac).
        output: PathBuf,
        /// Output sample rate in Hz.
        #[arg(long)]
        rate: Option<u32>,
        /// Output bit depth: 16, 24 or 32f (32-bit float; WAV only).
        #[arg(long)]
        bits: Option<String>,
        /// Output channel count.
        #[arg(long)]
        channels: Option<usize>,
        /// Normalise loudness to this many LUFS (−14 when given without a value), true peak ≤ −1 dBTP.
        #[arg(long, num_args = 0..=1, default_missing_value = "-14", allow_negative_numbers = true, value_name = "LUFS")]
        normalize: Option<f64>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Render a session (JSON: tracks of clips with gain, pan, mute/solo, effects; master chain).
    Mix {
        /// The session file.
        session: PathBuf,
        /// Output file (.wav or .flac).
        #[arg(short, long)]
        output: PathBuf,
        /// Output bit depth: 16, 24 or 32f.
        #[arg(long, default_value = "24")]
        bits: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Play an audio file on the default output device.
    Play {
        /// The audio file.
        file: PathBuf,
        /// Stop after this many seconds.
        #[arg(long)]
        seconds: Option<f64>,
        /// Frames per device buffer (latency); the device's default when omitted.
        #[arg(long)]
        buffer: Option<u32>,
    },
    /// Record the default input into a WAV file (Ctrl+C stops; a crash loses at most 1 s).
    Record {
        /// Output file (.wav).
        output: PathBuf,
        /// Stop after this many seconds.
        #[arg(long)]
        seconds: Option<f64>,
    },
    /// List audio hosts and devices.
    Devices {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Analyse audio files: tempo, beats, meter, key, tuning, loudness, features, sections.
    Analyze {
        /// One or more audio files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON: one object for one file, an array for several.
        #[arg(long)]
        json: bool,
    },
    /// Measure a file's loudness: integrated LUFS, loudness range, true peak (EBU R128).
    Loudness {
        /// The audio file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Benchmarks against peer tools (sox, ffmpeg), printed as ratios.
    Bench {
        /// What to benchmark.
        #[arg(value_parser = ["audio", "analysis", "generate", "voice"])]
        what: String,
        /// Seconds per track.
        #[arg(long, default_value_t = 180)]
        seconds: u32,
        /// Stereo tracks in the mixdown.
        #[arg(long, default_value_t = 16)]
        tracks: usize,
        /// Seconds of real-time playback for the xrun check (0 skips it).
        #[arg(long, default_value_t = 20)]
        realtime_seconds: u32,
        /// voice: the Python with torch, transformers and safetensors for PyTorch's side
        /// (default: $SON1K_BENCH_PYTHON, else python3).
        #[arg(long)]
        python: Option<String>,
        /// voice: PyTorch's side of the benchmark.
        #[arg(long, default_value = "scripts/voice-parity.py")]
        script: PathBuf,
    },
    /// Jobs in the local library (long work: generate, analyse, render, …).
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
    /// Songs and projects in the local library.
    Library {
        #[command(subcommand)]
        action: LibraryAction,
    },
    /// Lyric Studio: write with a local Ollama, check metre and rhyme, rhyme suggestions.
    Lyrics {
        #[command(subcommand)]
        action: lyrics::LyricsAction,
    },
    /// Your Son1k account on the hosted API: sign up, log in or out, tier and usage.
    Account {
        #[command(subcommand)]
        action: account::AccountAction,
    },
    /// Buy a paid tier: opens Stripe Checkout in the system browser.
    Upgrade {
        /// The tier: creator, pro or studio.
        tier: String,
        /// Only print the checkout URL, do not open a browser.
        #[arg(long)]
        print_url: bool,
    },
    /// The community pool: browse, claim and like songs.
    Pool {
        #[command(subcommand)]
        action: account::PoolAction,
    },
    /// Upload waiting generation records and renew the entitlement lease.
    Sync {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Voice studio: transform (DSP), voice profiles, conversion to a profile's voice.
    Voice {
        #[command(subcommand)]
        action: voice::VoiceAction,
    },
    /// Neural model weights: list, install, import, verify, remove.
    Models {
        #[command(subcommand)]
        action: voice::ModelsAction,
    },
    /// The tier table: price, generations, export quality, cloud storage.
    Tiers {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum JobsAction {
    /// List them, newest first.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// One job in full.
    Show {
        /// The job's id.
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a queued or running job (a running one stops promptly, wherever it runs).
    Cancel {
        /// The job's id.
        id: String,
    },
    /// Queue a failed or cancelled job again.
    Retry {
        /// The job's id.
        id: String,
    },
    /// Run every queued job, including jobs a crash interrupted, until none is left.
    Run,
}

#[derive(Subcommand)]
enum LibraryAction {
    /// List songs and projects, newest first.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// One entry in full (an id or its first characters).
    Show {
        /// The entry's id.
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Remove an entry and delete its folder (asks first unless --yes).
    Delete {
        /// The entry's id.
        id: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Open an entry's folder in the file manager (prints it when none is available).
    Open {
        /// The entry's id.
        id: String,
    },
}

#[derive(Args)]
struct PromptArgs {
    /// Genre (pop, rock, reggaeton, "hip hop", …, or free text).
    #[arg(long)]
    genre: Option<String>,
    /// Extra mood words.
    #[arg(long)]
    mood: Option<String>,
    /// Tempo in BPM (40–240).
    #[arg(long, allow_negative_numbers = true)]
    bpm: Option<i64>,
    /// Key, e.g. "F# minor", "Am", "La menor".
    #[arg(long)]
    key: Option<String>,
    /// An instrument to feature; repeat for more.
    #[arg(long = "instrument", value_name = "NAME")]
    instruments: Vec<String>,
    /// Your own notes for the generator.
    #[arg(long)]
    notes: Option<String>,
    /// No vocals.
    #[arg(long)]
    instrumental: bool,
    #[command(flatten)]
    knobs: KnobArgs,
    /// Language of the prompt: es or en.
    #[arg(long, default_value = "en")]
    lang: String,
    /// Print JSON (prompt, length, knob descriptions) instead of the prompt alone.
    #[arg(long)]
    json: bool,
}

/// The four knobs and a preset, shared by `ghost` and `project knobs`.
#[derive(Args, Clone)]
struct KnobArgs {
    /// Start from a preset (Triste, Neutral, Alegre, Agresivo); knob flags override it.
    #[arg(long)]
    preset: Option<String>,
    /// Expressivity 0–100 (0 deeply sad, 50 balanced, 100 ecstatic).
    #[arg(long, allow_negative_numbers = true)]
    expressivity: Option<i64>,
    /// Rareza 0–100 (departure from the usual: arrangement in songs, timbre in the chain).
    #[arg(long, allow_negative_numbers = true)]
    rareza: Option<i64>,
    /// Garage 0–100 (pristine → analog → tape → lo-fi → noise).
    #[arg(long, allow_negative_numbers = true)]
    garage: Option<i64>,
    /// Trash 0–100 (clean → saturated → bitcrushed).
    #[arg(long, allow_negative_numbers = true)]
    trash: Option<i64>,
}

impl KnobArgs {
    fn knobs(&self) -> Result<Knobs, Failure> {
        knobs_from(
            self.preset.as_deref(),
            [
                (Knob::Expressivity, self.expressivity),
                (Knob::Rareza, self.rareza),
                (Knob::Garage, self.garage),
                (Knob::Trash, self.trash),
            ],
        )
    }
}

#[derive(Args)]
struct GhostArgs {
    /// Input audio file.
    input: PathBuf,
    /// Output file (.wav or .flac).
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    knobs: KnobArgs,
    /// Output bit depth: 16, 24 or 32f.
    #[arg(long, default_value = "24")]
    bits: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ProjectAction {
    /// Create a project (a folder under the data directory and a library entry).
    New {
        /// Its name.
        name: String,
    },
    /// Copy an audio file into the project on a new track (the first one is the demo).
    Add {
        /// The project's name.
        name: String,
        /// The audio file.
        file: PathBuf,
    },
    /// Set the project's knobs (its master chain).
    Knobs {
        /// The project's name.
        name: String,
        #[command(flatten)]
        knobs: KnobArgs,
    },
    /// Produce a backing for the demo in its tempo and key, on new tracks aligned to its beats.
    Produce {
        /// The project's name.
        name: String,
        /// Extra words for the Generator (genre, instruments, mood).
        #[arg(long, default_value = "")]
        prompt: String,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Render the project's mix.
    Render {
        /// The project's name.
        name: String,
        /// Output file (.wav or .flac).
        #[arg(short, long)]
        output: PathBuf,
        /// Output bit depth: 16, 24 or 32f.
        #[arg(long, default_value = "24")]
        bits: String,
    },
    /// Export the mix, one stem per track and the backing's MIDI into a folder.
    Export {
        /// The project's name.
        name: String,
        /// The folder.
        #[arg(short, long)]
        output: PathBuf,
        /// Quality: standard, high or ultra.
        #[arg(long, default_value = "high")]
        quality: String,
        /// Bring the mix to −14 LUFS (true peak ≤ −1 dBTP).
        #[arg(long)]
        normalize: bool,
    },
    /// List projects.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct GenerateArgs {
    /// What to make, in Spanish or English: genre, mood, tempo ("124 bpm"), key ("F# minor",
    /// "en la menor"), instruments, length ("30 seconds"). At most 2000 characters.
    prompt: String,
    /// The song folder to create (must not exist, or be empty).
    #[arg(short, long)]
    output: PathBuf,
    /// A lyrics file; `[Verse]`/`[Chorus]` tags shape the song and the melody follows the syllables.
    #[arg(long)]
    lyrics: Option<PathBuf>,
    /// No sung guide melody (the lyrics still shape the form).
    #[arg(long)]
    instrumental: bool,
    /// Genre (overrides the prompt).
    #[arg(long)]
    genre: Option<String>,
    /// Tempo in BPM, 40–240 (overrides the prompt).
    #[arg(long, allow_negative_numbers = true)]
    bpm: Option<i64>,
    /// Key, e.g. "F# minor", "Am", "la menor" (overrides the prompt).
    #[arg(long)]
    key: Option<String>,
    /// Length in seconds, 5–600 (overrides the prompt).
    #[arg(long, allow_negative_numbers = true)]
    seconds: Option<f64>,
    /// Seed: the same request and seed give the same song (random when omitted, and printed).
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    knobs: KnobArgs,
    /// Export quality: standard (44.1 kHz/16-bit), high (48 kHz/24-bit), ultra (96 kHz/32-bit float).
    #[arg(long, default_value = "standard")]
    quality: String,
    /// Instruments: builtin (default), gm (the installed General MIDI SoundFont) or a .sf2 file.
    #[arg(long, default_value = "builtin")]
    instruments: String,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// A failure with its exit code; printed as one line on stderr.
struct Failure {
    code: u8,
    message: String,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure {
            code: if e.is_user_error() { 2 } else { 1 },
            message: e.to_string(),
        }
    }
}

impl From<ValidationError> for Failure {
    fn from(e: ValidationError) -> Self {
        Failure {
            code: 2,
            message: e.to_string(),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure {
            code: 1,
            message: format!("could not write output: {e}"),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    return ExitCode::SUCCESS;
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    return ExitCode::from(2);
                }
                _ => {
                    // One line, not clap's multi-line usage block.
                    let text = e.render().to_string();
                    let first = text
                        .lines()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("invalid arguments");
                    eprintln!("son1k: {}", first.trim_start_matches("error: "));
                    return ExitCode::from(2);
                }
            }
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("son1k: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let studio = Studio::open()?;
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Info { json } => {
            let info = studio.info();
            if json {
                writeln!(out, "{}", to_json(&info)?)?;
            } else {
                write!(out, "{}", info_text(&info))?;
            }
        }
        Command::Prompt(args) => {
            let json = args.json;
            let input = prompt_input(*args)?;
            let built = studio.build_prompt(&input, input.lang)?;
            if json {
                writeln!(out, "{}", to_json(&built)?)?;
            } else {
                writeln!(out, "{}", built.prompt)?;
            }
        }
        Command::Ghost(args) => {
            let knobs = args.knobs.knobs()?;
            let bits = son1k_audio::SampleFormat::parse(&args.bits).map_err(AppError::from)?;
            let r = son1k_app::ghost::apply_file(&args.input, &args.output, &knobs, bits)?;
            if args.json {
                writeln!(out, "{}", to_json(&r)?)?;
            } else {
                let lufs = |l: Option<f64>| {
                    l.map(|v| format!("{v:.1} LUFS"))
                        .unwrap_or_else(|| "silent".into())
                };
                writeln!(
                    out,
                    "{}: {} effects, {} → {}",
                    r.output.display(),
                    r.effects,
                    lufs(r.lufs_before),
                    lufs(r.lufs_after)
                )?;
            }
        }
        Command::Project { action } => project_command(&studio, action, &mut out)?,
        Command::Generate(args) => {
            let json = args.json;
            let options = generate_options(*args)?;
            let seed = options.request.seed;
            // Counted against the account's lease (FREE: 3 a UTC day), checked locally first.
            if studio.quota_applies()? {
                studio.quota_check(options.request.quality)?;
            }
            let bar = indicatif::ProgressBar::new(1000).with_message("queued");
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg:18} [{bar:40}] {percent}% {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let stop = interrupted();
            let result = studio.generate(
                &options,
                &mut |fraction, stage| {
                    bar.set_position((fraction * 1000.0) as u64);
                    bar.set_message(stage.to_string());
                },
                &stop,
            );
            bar.finish_and_clear();
            let report = result?;
            studio.count_generation(&report.job_id, &options.request)?;
            if json {
                writeln!(out, "{}", to_json(&report)?)?;
            } else {
                writeln!(
                    out,
                    "{}: {} at {} BPM in {}, {:.1} s, seed {seed}",
                    report.dir.display(),
                    report.genre,
                    report.bpm,
                    report.key,
                    report.seconds
                )?;
                writeln!(out, "  form: {}", report.sections.join(" → "))?;
                writeln!(
                    out,
                    "  files: mix.wav, song.mid, song.json, stems/{{{}}}.wav",
                    report.stems.join(",")
                )?;
                writeln!(
                    out,
                    "  instruments {}, loudness {}, rendered in {:.2} s ({:.0}× real time)",
                    report.instruments,
                    report
                        .loudness_lufs
                        .map(|l| format!("{l:.1} LUFS"))
                        .unwrap_or_else(|| "silent".into()),
                    report.render_seconds,
                    report.realtime_factor
                )?;
            }
        }
        Command::Convert {
            input,
            output,
            rate,
            bits,
            channels,
            normalize,
            json,
        } => {
            let format = bits
                .as_deref()
                .map(son1k_audio::SampleFormat::parse)
                .transpose()
                .map_err(AppError::from)?;
            let opts = ConvertOptions {
                rate,
                format,
                channels,
                normalize_lufs: normalize,
            };
            let report = studio.convert(&input, &output, opts)?;
            if json {
                writeln!(out, "{}", to_json(&report)?)?;
            } else {
                writeln!(
                    out,
                    "wrote {}: {} Hz, {} ch, {}-bit, {:.2} s",
                    report.output.display(),
                    report.sample_rate,
                    report.channels,
                    report.bits_per_sample,
                    report.seconds
                )?;
                if let Some(g) = report.normalize_gain_db {
                    let note = if report.normalize_limited_by_peak {
                        " (stopped by the −1 dBTP ceiling before the target)"
                    } else {
                        ""
                    };
                    writeln!(out, "normalised by {g:+.1} dB{note}")?;
                }
            }
        }
        Command::Mix {
            session,
            output,
            bits,
            json,
        } => {
            let format = son1k_audio::SampleFormat::parse(&bits).map_err(AppError::from)?;
            let bar = indicatif::ProgressBar::new(1000).with_message("rendering");
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {percent}% {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let r = studio.mix(&session, &output, format, &mut |f| {
                bar.set_position((f * 1000.0) as u64)
            });
            bar.finish_and_clear();
            let r = r?;
            if json {
                writeln!(out, "{}", to_json(&r)?)?;
            } else {
                let lufs = r
                    .loudness
                    .integrated_lufs
                    .map_or("-inf".into(), |v| format!("{v:.1}"));
                writeln!(
                    out,
                    "wrote {}: {:.2} s at {} Hz, {lufs} LUFS",
                    r.output.display(),
                    r.seconds,
                    r.sample_rate
                )?;
            }
        }
        Command::Play {
            file,
            seconds,
            buffer,
        } => {
            let p = studio.play(&file, buffer)?;
            let stop = interrupted();
            let started = std::time::Instant::now();
            let meters = p.handle.meters();
            while !meters.finished() && !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if seconds.is_some_and(|s| started.elapsed().as_secs_f64() >= s) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            writeln!(
                out,
                "played {:.2} s of {} on {} at {} Hz ({} deadline misses)",
                meters.position() as f64 / f64::from(p.sample_rate),
                file.display(),
                p.device,
                p.sample_rate,
                meters.deadline_misses()
            )?;
        }
        Command::Record { output, seconds } => {
            let (recovered, rec) = studio.record(&output)?;
            for r in &recovered {
                writeln!(
                    out,
                    "recovered an interrupted take: {} ({:.2} s)",
                    r.path.display(),
                    r.seconds
                )?;
            }
            writeln!(
                out,
                "recording {} from {} ({} Hz, {} ch); Ctrl+C stops",
                output.display(),
                rec.device,
                rec.format.sample_rate,
                rec.format.channels
            )?;
            out.flush()?;
            let stop = interrupted();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if seconds.is_some_and(|s| rec.seconds() >= s) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let secs = rec.seconds();
            let lost = rec.overflows();
            let path = rec.stop().map_err(AppError::from)?;
            writeln!(
                out,
                "wrote {}: {secs:.2} s ({lost} samples dropped)",
                path.display()
            )?;
        }
        Command::Devices { json } => {
            let report = studio.devices();
            if json {
                writeln!(out, "{}", to_json(&report)?)?;
            } else {
                writeln!(out, "{} ({})", report.host, report.status)?;
                for (kind, list) in [("output", &report.outputs), ("input", &report.inputs)] {
                    for d in list {
                        let rate = d.sample_rate.map_or(String::new(), |r| format!(", {r} Hz"));
                        let ch = d.channels.map_or(String::new(), |c| format!(", {c} ch"));
                        let def = if d.is_default { " (default)" } else { "" };
                        writeln!(out, "  {kind:<6} {}{def}{rate}{ch}", d.name)?;
                    }
                }
                if let Some(m) = &report.message {
                    writeln!(out, "  {m}")?;
                }
            }
        }
        Command::Analyze { files, json } => {
            let bar = indicatif::ProgressBar::new(files.len() as u64).with_message("analysing");
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} {pos}/{len} [{bar:30}] {wide_msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            // Each file is a job in the library: persisted, listed by `son1k jobs`, cancellable.
            let results =
                studio.analyze_files(&files, &mut |done, _| bar.set_position(done as u64));
            bar.finish_and_clear();
            let results = results?;
            // One unreadable file fails the command, after the others were analysed.
            let mut ok = Vec::new();
            for r in results {
                ok.push(r?);
            }
            if json {
                if ok.len() == 1 {
                    writeln!(out, "{}", to_json(&ok[0])?)?;
                } else {
                    writeln!(out, "{}", to_json(&ok)?)?;
                }
            } else {
                for a in &ok {
                    writeln!(out, "{}", a.file.display())?;
                    writeln!(
                        out,
                        "  tempo {:.1} BPM ({:.0}% sure; half {:.1}, double {:.1}), {}/4, {} beats",
                        a.bpm,
                        a.bpm_confidence * 100.0,
                        a.bpm_alternatives[0],
                        a.bpm_alternatives[1],
                        a.meter,
                        a.beats.len()
                    )?;
                    writeln!(
                        out,
                        "  key {} ({:.0}% sure), tuned to A = {:.1} Hz",
                        a.key,
                        a.key_confidence * 100.0,
                        a.tuning_hz
                    )?;
                    let lufs = a.lufs.map_or("-inf".into(), |v| format!("{v:.1}"));
                    writeln!(out, "  loudness {lufs} LUFS, length {:.1} s", a.seconds)?;
                    let sections: Vec<String> = a
                        .sections
                        .iter()
                        .map(|s| format!("{} {:.1}–{:.1}", s.label, s.start, s.end))
                        .collect();
                    writeln!(out, "  sections {}", sections.join(", "))?;
                }
            }
        }
        Command::Loudness { file, json } => {
            let r = studio.loudness(&file)?;
            if json {
                writeln!(out, "{}", to_json(&r)?)?;
            } else {
                let db = |v: Option<f64>, unit: &str| {
                    v.map_or("-inf".to_string(), |v| format!("{v:.1} {unit}"))
                };
                writeln!(out, "{}", r.file.display())?;
                writeln!(
                    out,
                    "  integrated: {}",
                    db(r.loudness.integrated_lufs, "LUFS")
                )?;
                writeln!(out, "  range:      {:.1} LU", r.loudness.range_lu)?;
                writeln!(
                    out,
                    "  true peak:  {}",
                    db(r.loudness.true_peak_dbtp, "dBTP")
                )?;
                writeln!(
                    out,
                    "  length:     {:.2} s, {} Hz, {} ch",
                    r.seconds, r.sample_rate, r.channels
                )?;
            }
        }
        Command::Bench {
            what,
            seconds,
            tracks,
            realtime_seconds,
            python,
            script,
        } => {
            if what == "voice" {
                // `--seconds` is the neural conversion's length here (default 5), `--tracks` the
                // alternating rounds (default 3).
                return bench_voice::voice(&bench_voice::VoiceBenchOptions {
                    dsp_seconds: 30.0,
                    neural_seconds: if seconds == 180 {
                        5.0
                    } else {
                        f64::from(seconds.clamp(1, 60))
                    },
                    python: python
                        .or_else(|| std::env::var("SON1K_BENCH_PYTHON").ok())
                        .unwrap_or_else(|| "python3".into()),
                    script,
                    rounds: if tracks == 16 { 3 } else { tracks.clamp(1, 20) },
                })
                .map_err(|message| Failure { code: 1, message });
            }
            if what == "generate" {
                // `--tracks` is the number of random songs here, `--seconds` their length.
                let songs = if tracks == 16 { 100 } else { tracks };
                let secs = if seconds == 180 {
                    30.0
                } else {
                    f64::from(seconds)
                };
                return bench::generate(songs, secs)
                    .map_err(|message| Failure { code: 1, message });
            }
            if what == "analysis" {
                // `--tracks` is the number of songs here, `--seconds` their length.
                let songs = if tracks == 16 { 100 } else { tracks };
                let secs = if seconds == 180 {
                    30.0
                } else {
                    f64::from(seconds)
                };
                return bench::analysis(songs, secs)
                    .map_err(|message| Failure { code: 1, message });
            }
            if !(1..=3600).contains(&seconds) || !(1..=256).contains(&tracks) {
                return Err(Failure {
                    code: 2,
                    message: "bench: seconds must be 1–3600 and tracks 1–256".into(),
                });
            }
            bench::audio(&bench::BenchOptions {
                seconds,
                tracks,
                realtime_seconds,
            })
            .map_err(|message| Failure { code: 1, message })?;
        }
        Command::Jobs {
            action: JobsAction::Show { id, json },
        } => {
            let job = studio.library()?.job(&id).map_err(not_found)?;
            if json {
                writeln!(out, "{}", to_json(&job)?)?;
            } else {
                writeln!(out, "job      {}", job.id)?;
                writeln!(out, "kind     {}", job.kind)?;
                writeln!(out, "status   {}", job.status.as_str())?;
                writeln!(out, "attempts {}", job.attempts)?;
                writeln!(out, "progress {:.0}%", job.progress * 100.0)?;
                if let Some(e) = &job.error {
                    writeln!(out, "error    {e}")?;
                }
                writeln!(out, "payload  {}", job.payload)?;
            }
        }
        Command::Jobs {
            action: JobsAction::Cancel { id },
        } => {
            change_job(
                &studio,
                &id,
                "queued or running; nothing to cancel",
                |lib| lib.finish(&id, son1k_store::JobStatus::Cancelled, None),
            )?;
            writeln!(out, "cancelled {id}")?;
        }
        Command::Jobs {
            action: JobsAction::Retry { id },
        } => {
            change_job(
                &studio,
                &id,
                "failed or cancelled; only those can be retried",
                |lib| lib.requeue(&id),
            )?;
            writeln!(out, "queued {id} again")?;
        }
        Command::Jobs {
            action: JobsAction::Run,
        } => {
            let (requeued, failed) = studio.recover_jobs()?;
            if requeued + failed > 0 {
                writeln!(
                    out,
                    "found {requeued} interrupted job(s) to run again, {failed} failed after too many interruptions"
                )?;
            }
            let stop = interrupted();
            let finished = studio.resume_jobs(
                &mut |done, left| {
                    eprint!("\r{done} finished, {left} left   ");
                },
                &stop,
            )?;
            eprintln!();
            writeln!(out, "{finished} job(s) finished")?;
        }
        Command::Jobs {
            action: JobsAction::List { json },
        } => {
            // A job whose process died shows as queued again (it resumes with `son1k jobs run`,
            // the app, or the next command that runs jobs), not as running forever.
            studio.recover_jobs()?;
            let jobs = studio.library()?.jobs().map_err(AppError::from)?;
            if json {
                writeln!(out, "{}", to_json(&jobs)?)?;
            } else if jobs.is_empty() {
                writeln!(out, "no jobs")?;
            } else {
                for j in jobs {
                    writeln!(
                        out,
                        "{}  {:<9} {:<10} {:>3.0}%  {}",
                        j.id,
                        j.status.as_str(),
                        j.kind,
                        j.progress * 100.0,
                        j.error.unwrap_or_default()
                    )?;
                }
            }
        }
        Command::Library {
            action: LibraryAction::List { json },
        } => {
            let entries = studio.library_entries()?;
            if json {
                writeln!(out, "{}", to_json(&entries)?)?;
            } else if entries.is_empty() {
                writeln!(out, "the library is empty")?;
            } else {
                for e in entries {
                    writeln!(out, "{}", entry_line(&e))?;
                }
            }
        }
        Command::Library {
            action: LibraryAction::Show { id, json },
        } => {
            let e = studio.library_show(&id)?;
            if json {
                writeln!(out, "{}", to_json(&e)?)?;
            } else {
                writeln!(out, "{}", entry_line(&e))?;
                writeln!(out, "folder {}", e.folder().display())?;
                if let son1k_app::library::Entry::Song { mix, engine, .. } = &e {
                    writeln!(out, "mix    {}", mix.display())?;
                    writeln!(out, "engine {engine}")?;
                }
            }
        }
        Command::Library {
            action: LibraryAction::Delete { id, yes },
        } => {
            let e = studio.library_show(&id)?;
            if !yes {
                use std::io::IsTerminal;
                if !std::io::stdin().is_terminal() {
                    return Err(Failure {
                        code: 2,
                        message: format!(
                            "deleting {} removes {}; run again with --yes to confirm",
                            e.id(),
                            e.folder().display()
                        ),
                    });
                }
                write!(
                    out,
                    "delete {} and its folder {}? [y/N] ",
                    e.id(),
                    e.folder().display()
                )?;
                out.flush()?;
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !matches!(answer.trim(), "y" | "Y" | "yes" | "sí" | "si") {
                    writeln!(out, "kept")?;
                    return Ok(());
                }
            }
            let e = studio.library_delete(e.id())?;
            writeln!(out, "deleted {} ({})", e.id(), e.folder().display())?;
        }
        Command::Library {
            action: LibraryAction::Open { id },
        } => {
            let e = studio.library_show(&id)?;
            let folder = e.folder();
            let opener = if cfg!(target_os = "macos") {
                "open"
            } else if cfg!(windows) {
                "explorer"
            } else {
                "xdg-open"
            };
            let opened = std::process::Command::new(opener)
                .arg(folder)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !opened {
                writeln!(out, "{}", folder.display())?;
            }
        }
        Command::Lyrics { action } => lyrics::run(&studio, action, &mut out)?,
        Command::Account { action } => account::account(&studio, action, &mut out)?,
        Command::Upgrade { tier, print_url } => {
            account::upgrade(&studio, &tier, print_url, &mut out)?
        }
        Command::Pool { action } => account::pool(&studio, action, &mut out)?,
        Command::Sync { json } => account::sync(&studio, json, &mut out)?,
        Command::Voice { action } => voice::run_voice(&studio, action, &mut out)?,
        Command::Models { action } => voice::run_models(&studio, action, &mut out)?,
        Command::Tiers { json } => {
            let tiers = studio.tiers();
            if json {
                writeln!(out, "{}", to_json(&tiers)?)?;
            } else {
                writeln!(
                    out,
                    "{:<8} {:>7}  {:<18} {:<9} storage",
                    "tier", "price", "generations", "quality"
                )?;
                for t in tiers {
                    let per = match t.period {
                        Period::Day => "day",
                        Period::Month => "month",
                    };
                    let storage = t
                        .storage_gb
                        .map_or("unlimited".to_string(), |g| format!("{g} GB"));
                    writeln!(
                        out,
                        "{:<8} {:>7}  {:<18} {:<9} {storage}",
                        t.tier.name(),
                        t.price_label(),
                        format!("{} per {per}", t.generations),
                        t.max_quality.name(),
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// A flag set by Ctrl+C (the first press stops cleanly; the default handler is replaced once).
pub(crate) fn interrupted() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let f = flag.clone();
    // If a handler is already set (never in this program), Ctrl+C simply ends the process and the
    // next `son1k record` repairs the take.
    let _ = ctrlc::set_handler(move || f.store(true, std::sync::atomic::Ordering::Relaxed));
    flag
}

/// Applies a state change to a job; `needs` says which states allow it, for the error when the
/// job is in another one.
fn change_job(
    studio: &Studio,
    id: &str,
    needs: &str,
    change: impl FnOnce(&son1k_store::Store) -> Result<bool, son1k_store::StoreError>,
) -> Result<(), Failure> {
    let lib = studio.library()?;
    let job = lib.job(id).map_err(not_found)?;
    if change(&lib).map_err(AppError::from)? {
        Ok(())
    } else {
        Err(Failure {
            code: 2,
            message: format!("job {id} is {}, not {needs}", job.status.as_str()),
        })
    }
}

fn quality_of(s: &str) -> Result<son1k_core::Quality, Failure> {
    match s.to_lowercase().as_str() {
        "standard" => Ok(son1k_core::Quality::Standard),
        "high" => Ok(son1k_core::Quality::High),
        "ultra" => Ok(son1k_core::Quality::Ultra),
        other => Err(Failure {
            code: 2,
            message: format!("invalid quality {other:?}: use standard, high or ultra"),
        }),
    }
}

fn project_command(
    studio: &Studio,
    action: ProjectAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    use son1k_app::ghost;
    match action {
        ProjectAction::New { name } => {
            let (folder, _) = studio.create_project(&name)?;
            writeln!(out, "created {name} in {}", folder.display())?;
        }
        ProjectAction::Add { name, file } => {
            let track = ghost::add(studio, &name, &file)?;
            writeln!(out, "added {} to {name} as track {track:?}", file.display())?;
        }
        ProjectAction::Knobs { name, knobs } => {
            let k = knobs.knobs()?;
            ghost::set_knobs(studio, &name, k)?;
            writeln!(
                out,
                "{name}: Expressivity {} Rareza {} Garage {} Trash {}",
                k.expressivity, k.rareza, k.garage, k.trash
            )?;
        }
        ProjectAction::Produce { name, prompt, seed } => {
            let bar = indicatif::ProgressBar::new(1000);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg:22} [{bar:40}] {percent}%")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let stop = interrupted();
            let r = ghost::produce_backing(
                studio,
                &name,
                &prompt,
                seed,
                son1k_core::Quality::High,
                &mut |f, stage| {
                    bar.set_position((f * 1000.0) as u64);
                    bar.set_message(stage.to_string());
                },
                &stop,
            );
            bar.finish_and_clear();
            let r = r?;
            writeln!(
                out,
                "demo: {:.1} BPM in {}, {:.1} s, first downbeat at {:.2} s",
                r.demo.bpm, r.demo.key, r.demo.seconds, r.demo.first_downbeat
            )?;
            writeln!(out, "tracks: {}", r.tracks.join(", "))?;
        }
        ProjectAction::Render { name, output, bits } => {
            let bits = son1k_audio::SampleFormat::parse(&bits).map_err(AppError::from)?;
            let path = ghost::render(studio, &name, &output, bits)?;
            writeln!(out, "{}", path.display())?;
        }
        ProjectAction::Export {
            name,
            output,
            quality,
            normalize,
        } => {
            let files = ghost::export(studio, &name, &output, quality_of(&quality)?, normalize)?;
            for f in files {
                writeln!(out, "{}", f.display())?;
            }
        }
        ProjectAction::List { json } => {
            let projects = studio.library()?.projects().map_err(AppError::from)?;
            if json {
                writeln!(out, "{}", to_json(&projects)?)?;
            } else if projects.is_empty() {
                writeln!(out, "no projects")?;
            } else {
                for p in projects {
                    writeln!(out, "{}  {}", p.name, p.folder)?;
                }
            }
        }
    }
    Ok(())
}

fn entry_line(e: &son1k_app::library::Entry) -> String {
    use son1k_app::library::Entry;
    let missing = |present: bool| if present { "" } else { "  (folder missing)" };
    match e {
        Entry::Song {
            id,
            prompt,
            dir,
            seed,
            present,
            ..
        } => format!(
            "{id}  song     {prompt:?} seed {seed}  {}{}",
            dir.display(),
            missing(*present)
        ),
        Entry::Project {
            id,
            name,
            folder,
            present,
            ..
        } => format!(
            "{id}  project  {name}  {}{}",
            folder.display(),
            missing(*present)
        ),
    }
}

/// A missing record is the caller's mistake (exit 2); anything else is the library's.
fn not_found(e: son1k_store::StoreError) -> Failure {
    let code = if matches!(e, son1k_store::StoreError::NotFound { .. }) {
        2
    } else {
        1
    };
    Failure {
        code,
        message: e.to_string(),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure {
        code: 1,
        message: format!("could not encode JSON: {e}"),
    })
}

/// Checks a command-line number for a field whose rule is `rule`, then hands it to the domain
/// check (which reports out-of-range values with the same wording).
fn non_negative(field: &str, rule: &str, v: i64) -> Result<u32, ValidationError> {
    u32::try_from(v).map_err(|_| ValidationError::new(field, v, rule))
}

fn knobs_from(preset: Option<&str>, values: [(Knob, Option<i64>); 4]) -> Result<Knobs, Failure> {
    let mut knobs = match preset {
        Some(p) => p.parse::<Preset>()?.knobs(),
        None => Knobs::default(),
    };
    for (knob, value) in values {
        if let Some(v) = value {
            let rule = format!("{} must be 0–100", knob.label(Lang::En));
            knobs.set(knob, non_negative(knob.id(), &rule, v)?)?;
        }
    }
    Ok(knobs)
}

fn generate_options(a: GenerateArgs) -> Result<son1k_app::GenerateOptions, Failure> {
    let knobs = a.knobs.knobs()?;
    let mut req = son1k_core::GenerationRequest::new(a.prompt);
    req.knobs = knobs;
    req.instrumental = a.instrumental;
    req.genre = a.genre;
    req.bpm = a
        .bpm
        .map(|v| non_negative("bpm", "BPM must be 40–240", v))
        .transpose()?;
    req.key = a.key.as_deref().map(str::parse).transpose()?;
    req.duration_secs = a.seconds.map(|s| s as f32);
    req.quality = quality_of(&a.quality)?;
    req.seed = a.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 % 1_000_000)
            .unwrap_or(1)
    });
    if let Some(path) = &a.lyrics {
        let text = std::fs::read_to_string(path).map_err(|e| Failure {
            code: 2,
            message: format!("could not read lyrics {}: {e}", path.display()),
        })?;
        req.lyrics = Some(text);
    }
    req.validate()?;
    Ok(son1k_app::GenerateOptions {
        request: req,
        out_dir: a.output,
        instruments: son1k_app::InstrumentChoice::parse(&a.instruments),
    })
}

fn prompt_input(a: PromptArgs) -> Result<PromptInput, Failure> {
    let lang: Lang = a.lang.parse()?;
    let knobs = a.knobs.knobs()?;
    let bpm = a
        .bpm
        .map(|v| non_negative("bpm", "BPM must be 40–240", v))
        .transpose()?;
    Ok(PromptInput {
        genre: a.genre,
        mood: a.mood,
        bpm,
        key: a.key,
        instruments: a.instruments,
        knobs,
        notes: a.notes,
        instrumental: a.instrumental,
        lang,
    })
}

fn info_text(info: &StudioInfo) -> String {
    let mut s = String::new();
    let exists = |e: bool| if e { "" } else { " (not created yet)" };
    let default = |d: bool| if d { " (default)" } else { "" };
    s.push_str(&format!("Son1k Studio {}\n", info.version));
    s.push_str(&format!(
        "data:    {}{}\n",
        info.data_dir.path,
        exists(info.data_dir.exists)
    ));
    s.push_str(&format!(
        "cache:   {}{}\n",
        info.cache_dir.path,
        exists(info.cache_dir.exists)
    ));
    s.push_str("engines:\n");
    for e in &info.engines {
        let mark = if e.available { "ready" } else { "unavailable" };
        s.push_str(&format!("  {:<11} {mark}: {}\n", e.id, e.status));
    }
    match (&info.ollama.version, &info.ollama.message) {
        (Some(v), _) if info.ollama.reachable => s.push_str(&format!(
            "ollama:  reachable at {} (version {v})\n",
            info.ollama.address
        )),
        (_, Some(m)) => s.push_str(&format!("ollama:  {m}\n")),
        _ => s.push_str(&format!(
            "ollama:  not reachable at {}\n",
            info.ollama.address
        )),
    }
    s.push_str(&format!(
        "audio:   {} via {}\n",
        info.audio.status, info.audio.host
    ));
    for d in &info.audio.outputs {
        s.push_str(&format!("  out {}{}\n", d.name, default(d.is_default)));
    }
    for d in &info.audio.inputs {
        s.push_str(&format!("  in  {}{}\n", d.name, default(d.is_default)));
    }
    if let Some(m) = &info.audio.message {
        s.push_str(&format!("  {m}\n"));
    }
    s
}
