//! `son1k jobs` and `son1k library`: the long work in the local library, and the songs and
//! projects it holds.

use std::io::Write;

use clap::Subcommand;
use son1k_app::{library::Entry, Studio};

use crate::{interrupted, to_json, Failure};

#[derive(Subcommand)]
pub(crate) enum JobsAction {
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
pub(crate) enum LibraryAction {
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

/// Runs one `son1k jobs` action.
pub(crate) fn jobs(
    studio: &Studio,
    action: JobsAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match action {
        JobsAction::Show { id, json } => {
            let job = studio.job(&id)?;
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
        JobsAction::Cancel { id } => {
            son1k_app::jobs::cancel(studio, &id)?;
            writeln!(out, "cancelled {id}")?;
        }
        JobsAction::Retry { id } => {
            son1k_app::jobs::retry(studio, &id)?;
            writeln!(out, "queued {id} again")?;
        }
        JobsAction::Run => {
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
        JobsAction::List { json } => {
            // A job whose process died shows as queued again (it resumes with `son1k jobs run`,
            // the app, or the next command that runs jobs), not as running forever.
            studio.recover_jobs()?;
            let jobs = studio.jobs()?;
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
    }
    Ok(())
}

/// Runs one `son1k library` action.
pub(crate) fn library(
    studio: &Studio,
    action: LibraryAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match action {
        LibraryAction::List { json } => {
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
        LibraryAction::Show { id, json } => {
            let e = studio.library_show(&id)?;
            if json {
                writeln!(out, "{}", to_json(&e)?)?;
            } else {
                writeln!(out, "{}", entry_line(&e))?;
                writeln!(out, "folder {}", e.folder().display())?;
                if let Entry::Song { mix, engine, .. } = &e {
                    writeln!(out, "mix    {}", mix.display())?;
                    writeln!(out, "engine {engine}")?;
                }
            }
        }
        LibraryAction::Delete { id, yes } => {
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
        LibraryAction::Open { id } => {
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
    }
    Ok(())
}

fn entry_line(e: &Entry) -> String {
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
