//! `son1k`: Son1k Studio from the command line.
//!
//! Every command calls the `son1k-app` façade, exactly as the desktop app does; each subcommand
//! has its own module, and this file only parses the command line and dispatches. Output is text
//! for people or `--json` for scripts. Exit codes: 0 success, 2 bad arguments or input, 1
//! anything else.

mod account;
mod audio;
mod generate;
mod info;
mod library;
mod lyrics;
mod project;
mod release;
mod takes;
mod visual;
mod voice;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use son1k_app::{AppError, Studio};
use son1k_core::ValidationError;

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
    Prompt(Box<generate::PromptArgs>),
    /// Generate a song offline: mix.wav, stems/*.wav, song.mid and song.json in a new folder.
    Generate(Box<generate::GenerateArgs>),
    /// Ghost Studio's four knobs on an audio file (transparent at Expressivity 50, others 0).
    Ghost(Box<generate::GhostArgs>),
    /// Ghost Studio projects: a demo, a produced backing, render and export.
    Project {
        #[command(subcommand)]
        action: project::ProjectAction,
    },
    /// Convert an audio file: format from OUT's extension (.wav, .flac), optional rate, depth, channels.
    Convert(audio::ConvertArgs),
    /// Render a session (JSON: tracks of clips with gain, pan, mute/solo, effects; master chain).
    Mix(audio::MixArgs),
    /// Play an audio file on the default output device.
    Play(audio::PlayArgs),
    /// Record the default input into a WAV file (Ctrl+C stops; a crash loses at most 1 s).
    Record(audio::RecordArgs),
    /// List audio hosts and devices.
    Devices(audio::DevicesArgs),
    /// Analyse audio files: tempo, beats, meter, key, tuning, loudness, features, sections.
    Analyze(audio::AnalyzeArgs),
    /// Measure a file's loudness: integrated LUFS, loudness range, true peak (EBU R128).
    Loudness(audio::LoudnessArgs),
    /// Jobs in the local library (long work: generate, analyse, render, …).
    Jobs {
        #[command(subcommand)]
        action: library::JobsAction,
    },
    /// The Generator's takes (the songs folder): list with overrides, rename, delete.
    Takes {
        #[command(subcommand)]
        action: takes::TakesAction,
    },
    /// Songs and projects in the local library.
    Library {
        #[command(subcommand)]
        action: library::LibraryAction,
    },
    /// Lyric Studio: write with a local Ollama, check metre and rhyme, rhyme suggestions.
    Lyrics {
        #[command(subcommand)]
        action: lyrics::LyricsAction,
    },
    /// Nova Post Pilot: plan a song's release (posts, clips, calendar), export or import its .ics.
    Release {
        #[command(subcommand)]
        action: release::ReleaseAction,
    },
    /// Nexus Visual: a song's music video with audio-reactive scenes, and a cover image.
    Visual {
        #[command(subcommand)]
        action: visual::VisualAction,
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

/// A failure with its exit code; printed as one line on stderr.
pub(crate) struct Failure {
    /// The exit code.
    pub(crate) code: u8,
    /// The line printed on stderr.
    pub(crate) message: String,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        // The next steps as commands, on the same line, unless the message already names them.
        let mut message = e.to_string();
        for step in e.next_steps() {
            let command = step.command();
            if !message.contains(&command) {
                message.push_str(&format!("; next: `{command}`"));
            }
        }
        Failure {
            code: if e.is_user_error() { 2 } else { 1 },
            message,
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
    // The devices and buffer chosen with `son1k devices` (or in the desktop's Settings), for
    // the commands that open a stream.
    if matches!(
        cli.command,
        Command::Play(_) | Command::Record(_) | Command::Project { .. }
    ) {
        if let Err(e) = studio.apply_audio_settings() {
            eprintln!("son1k: the saved audio settings could not be read, the system's devices are used: {e}");
        }
    }
    let studio = &studio;
    let out = &mut std::io::stdout().lock();
    match cli.command {
        Command::Info { json } => info::info(studio, json, out),
        Command::Tiers { json } => info::tiers(studio, json, out),
        Command::Prompt(args) => generate::prompt(studio, *args, out),
        Command::Generate(args) => generate::generate(studio, *args, out),
        Command::Ghost(args) => generate::ghost(studio, *args, out),
        Command::Project { action } => project::run(studio, action, out),
        Command::Convert(args) => audio::convert(studio, args, out),
        Command::Mix(args) => audio::mix(studio, args, out),
        Command::Play(args) => audio::play(studio, args, out),
        Command::Record(args) => audio::record(studio, args, out),
        Command::Devices(args) => audio::devices(studio, args, out),
        Command::Analyze(args) => audio::analyze(studio, args, out),
        Command::Loudness(args) => audio::loudness(studio, args, out),
        Command::Jobs { action } => library::jobs(studio, action, out),
        Command::Library { action } => library::library(studio, action, out),
        Command::Takes { action } => takes::run(studio, action, out),
        Command::Lyrics { action } => lyrics::run(studio, action, out),
        Command::Release { action } => release::run(studio, action, out),
        Command::Visual { action } => visual::run(studio, action, out),
        Command::Account { action } => account::account(studio, action, out),
        Command::Upgrade { tier, print_url } => account::upgrade(studio, &tier, print_url, out),
        Command::Pool { action } => account::pool(studio, action, out),
        Command::Sync { json } => account::sync(studio, json, out),
        Command::Voice { action } => voice::run_voice(studio, action, out),
        Command::Models { action } => voice::run_models(studio, action, out),
    }
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

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure {
        code: 1,
        message: format!("could not encode JSON: {e}"),
    })
}
