//! `son1k project`: Ghost Studio projects from the command line — a demo, a produced backing,
//! knobs, render and export.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use son1k_app::{AppError, SampleFormat, Studio};

use crate::generate::KnobArgs;
use crate::{interrupted, to_json, Failure};

#[derive(Subcommand)]
pub(crate) enum ProjectAction {
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

/// Runs one `son1k project` action.
pub(crate) fn run(
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
                &mut |p| {
                    bar.set_position((p.fraction * 1000.0) as u64);
                    bar.set_message(p.stage.to_string());
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
            let bits = SampleFormat::parse(&bits).map_err(AppError::from)?;
            let path = ghost::render(studio, &name, &output, bits)?;
            writeln!(out, "{}", path.display())?;
        }
        ProjectAction::Export {
            name,
            output,
            quality,
            normalize,
        } => {
            let files = ghost::export(studio, &name, &output, quality.parse()?, normalize)?;
            for f in files {
                writeln!(out, "{}", f.display())?;
            }
        }
        ProjectAction::List { json } => {
            let projects = studio.projects()?;
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
