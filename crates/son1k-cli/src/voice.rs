//! `son1k voice` (transform, profiles, conversion) and `son1k models` (the model manager).

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use son1k_app::voice::{Preset, TransformParams};
use son1k_app::{AppError, SampleFormat, Studio};

use crate::{to_json, Failure};

#[derive(Subcommand)]
pub enum VoiceAction {
    /// Pitch (formants kept), formant and length changes, and character presets — no model needed.
    Transform {
        /// Input audio file.
        input: PathBuf,
        /// Output file (.wav or .flac).
        #[arg(short, long)]
        output: PathBuf,
        /// Pitch shift in semitones, −24…24 (formants stay put).
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        semitones: f64,
        /// Formant shift in semitones, −12…12 (a longer or shorter vocal tract).
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        formant: f64,
        /// Length factor, 0.25…4 (2 = twice as long, same pitch).
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        stretch: f64,
        /// A character: deeper, brighter, whisper, robot, choir-double.
        #[arg(long)]
        preset: Option<String>,
        /// Pitch correction first: pull the voice to this key's scale notes ("A minor", "sol
        /// mayor", …), or "auto" to use the key heard in the input.
        #[arg(long)]
        key: Option<String>,
        /// Pitch correction strength in percent, 0…100 (with --key).
        #[arg(long, default_value_t = 100.0)]
        correct: f64,
        /// How fast the correction follows a new note, in ms, 0…1000 (0: the hard, robotic sound).
        #[arg(long, default_value_t = 50.0)]
        retune_ms: f64,
        /// Output bit depth: 16, 24 or 32f.
        #[arg(long, default_value = "24")]
        bits: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Voice profiles: a consenting speaker's voice, for conversion.
    Profile {
        #[command(subcommand)]
        action: ProfileAction,
    },
    /// Convert a recording to a profile's voice (kNN-VC: WavLM + HiFi-GAN, on the CPU), as a library
    /// job (`son1k jobs`); Ctrl+C cancels it and no output is written.
    Convert {
        /// Input audio file (speech or singing).
        input: PathBuf,
        /// The voice profile.
        #[arg(long)]
        profile: String,
        /// Output file (.wav or .flac; 16 kHz mono).
        #[arg(short, long)]
        output: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ProfileAction {
    /// Make a profile from a few minutes of one speaker's recordings (needs their consent).
    Create {
        /// Its name (letters, digits, '-', '_').
        name: String,
        /// The speaker's recordings.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Confirm you are this speaker or have their explicit permission to use their voice.
        #[arg(long = "i-have-the-right")]
        i_have_the_right: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List profiles.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Delete a profile.
    Delete {
        /// Its name.
        name: String,
    },
}

#[derive(Subcommand)]
pub enum ModelsAction {
    /// Every known model, whether it is installed, its licence and files.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Download a model's files (progress, resume, checksum).
    Install {
        /// The model's name.
        name: String,
    },
    /// Install a model from local files (offline).
    Import {
        /// The model's name.
        name: String,
        /// Its files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Hash installed files and compare with the manifest.
    Verify {
        /// The model's name.
        name: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Delete a model's files.
    Remove {
        /// The model's name.
        name: String,
    },
}

/// A progress bar for a long task: its stage and percentage.
pub(crate) fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(1000);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:8} [{bar:40}] {percent}%")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

pub fn run_voice(
    studio: &Studio,
    action: VoiceAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match action {
        VoiceAction::Transform {
            input,
            output,
            semitones,
            formant,
            stretch,
            preset,
            key,
            correct,
            retune_ms,
            bits,
            json,
        } => {
            let preset = match preset {
                Some(p) => Some(p.parse::<Preset>().map_err(AppError::from)?),
                None => None,
            };
            let key = match key.as_deref() {
                None => None,
                Some(k) if k.eq_ignore_ascii_case("auto") => {
                    Some(son1k_app::audio::key_of_file(&input)?)
                }
                Some(k) => Some(k.parse::<son1k_core::Key>().map_err(|e| Failure {
                    code: 2,
                    message: format!("--key: {e}"),
                })?),
            };
            let params = TransformParams {
                semitones,
                formant,
                stretch,
                preset,
                key,
                correct: correct / 100.0,
                retune_ms,
            };
            let bits = SampleFormat::parse(&bits).map_err(AppError::from)?;
            let r = son1k_app::voice::transform_file(&input, &output, &params, bits)?;
            if json {
                writeln!(out, "{}", to_json(&r)?)?;
            } else {
                writeln!(
                    out,
                    "{}: {:.2} s → {:.2} s ({:.0}× real time)",
                    r.output.display(),
                    r.seconds_in,
                    r.seconds_out,
                    r.speed_x_realtime
                )?;
            }
        }
        VoiceAction::Profile { action } => match action {
            ProfileAction::Create {
                name,
                files,
                i_have_the_right,
                json,
            } => {
                let bar = progress_bar();
                let p = studio.create_voice_profile(&name, &files, i_have_the_right, &mut |p| {
                    bar.set_message(p.stage.to_string());
                    bar.set_position((p.fraction * 1000.0) as u64);
                });
                bar.finish_and_clear();
                let p = p?;
                if json {
                    writeln!(out, "{}", to_json(&p)?)?;
                } else {
                    writeln!(
                        out,
                        "profile {}: {:.1} s of speech, {} frames",
                        p.name, p.seconds, p.frames
                    )?;
                }
            }
            ProfileAction::List { json } => {
                let list = studio.list_voice_profiles()?;
                if json {
                    writeln!(out, "{}", to_json(&list)?)?;
                } else if list.is_empty() {
                    writeln!(out, "no voice profiles; create one with: son1k voice profile create NAME FILES… --i-have-the-right")?;
                } else {
                    for p in list {
                        writeln!(
                            out,
                            "{:20} {:7.1} s  {} files  {}",
                            p.name,
                            p.seconds,
                            p.sources.len(),
                            p.model
                        )?;
                    }
                }
            }
            ProfileAction::Delete { name } => {
                studio.delete_voice_profile(&name)?;
                writeln!(out, "deleted voice profile {name}")?;
            }
        },
        VoiceAction::Convert {
            input,
            profile,
            output,
            json,
        } => {
            // A library job (listed by `son1k jobs`); Ctrl+C cancels it and leaves no file.
            let bar = progress_bar();
            bar.set_message("queued");
            let stop = crate::interrupted();
            let r = studio.convert_voice(
                &input,
                &profile,
                &output,
                &mut |p| {
                    bar.set_message(p.stage.to_string());
                    bar.set_position((p.fraction * 1000.0) as u64);
                },
                &stop,
            );
            bar.finish_and_clear();
            let r = r?;
            if json {
                writeln!(out, "{}", to_json(&r)?)?;
            } else {
                writeln!(
                    out,
                    "{}: {:.1} s in {}'s voice (RTF {:.2})",
                    r.output.display(),
                    r.seconds,
                    r.profile,
                    r.rtf
                )?;
            }
        }
    }
    Ok(())
}

pub fn run_models(
    studio: &Studio,
    action: ModelsAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match action {
        ModelsAction::List { json } => {
            let list = studio.list_models()?;
            if json {
                writeln!(out, "{}", to_json(&list)?)?;
            } else {
                for m in list {
                    writeln!(
                        out,
                        "{:28} {:9} {:8} {}",
                        m.manifest.name,
                        if m.installed { "installed" } else { "missing" },
                        m.manifest.kind,
                        m.manifest.licence
                    )?;
                }
            }
        }
        ModelsAction::Install { name } => {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bytes}/{total_bytes} [{bar:40}] {bytes_per_sec}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let r = studio.install_model(&name, &mut |done, total| {
                if let Some(t) = total {
                    bar.set_length(t);
                }
                bar.set_position(done);
            });
            bar.finish_and_clear();
            r?;
            writeln!(
                out,
                "installed {name} in {}",
                studio.paths().models_dir().join(&name).display()
            )?;
        }
        ModelsAction::Import { name, files } => {
            let done = studio.import_model(&name, &files)?;
            writeln!(out, "imported {} into {name}", done.join(", "))?;
        }
        ModelsAction::Verify { name, json } => {
            let v = studio.verify_model(&name)?;
            if json {
                writeln!(out, "{}", to_json(&v)?)?;
            } else {
                for f in v {
                    writeln!(
                        out,
                        "{:24} {:>12} bytes  sha256 {}  {}",
                        f.name, f.bytes, f.sha256, f.status
                    )?;
                }
            }
        }
        ModelsAction::Remove { name } => {
            if studio.remove_model(&name)? {
                writeln!(out, "removed {name}")?;
            } else {
                writeln!(out, "{name} was not installed")?;
            }
        }
    }
    Ok(())
}
