//! `son1k takes`: the Generator's takes in the songs folder (`DATA/songs`) — list them with what
//! the engine did differently from the request, rename one, delete one.

use std::io::Write;

use clap::Subcommand;
use son1k_app::Studio;

use crate::{to_json, Failure};

#[derive(Subcommand)]
pub(crate) enum TakesAction {
    /// List the takes, newest first, with their overrides.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Give a take a name (distinct from the other takes').
    Rename {
        /// The take's folder name (`take-…`, as `son1k takes list` prints it).
        take: String,
        /// The new name.
        title: String,
    },
    /// Delete a take and its files (asks first unless --yes); the other takes are untouched.
    Delete {
        /// The take's folder name.
        take: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// Runs one `son1k takes` action.
pub(crate) fn run(
    studio: &Studio,
    action: TakesAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match action {
        TakesAction::List { json } => {
            let takes = studio.songs()?;
            if json {
                writeln!(out, "{}", to_json(&takes)?)?;
            } else if takes.is_empty() {
                writeln!(
                    out,
                    "no takes (the Generator and `son1k generate` without -o make them)"
                )?;
            } else {
                for t in takes {
                    let name = t
                        .title
                        .clone()
                        .unwrap_or_else(|| format!("Take {}", t.number));
                    writeln!(
                        out,
                        "{}  {:<24} {} · {} BPM · {} · {:.1} s",
                        t.name, name, t.genre, t.bpm, t.key, t.seconds
                    )?;
                    for o in &t.overrides {
                        writeln!(out, "    note: {}", o.detail)?;
                    }
                }
            }
        }
        TakesAction::Rename { take, title } => {
            let t = studio.rename_take(&take, &title)?;
            writeln!(out, "{} is now \"{}\"", t.name, t.title.unwrap_or_default())?;
        }
        TakesAction::Delete { take, yes } => {
            if !yes && !confirm(&take, out)? {
                writeln!(out, "kept {take}")?;
                return Ok(());
            }
            studio.delete_take(&take)?;
            writeln!(out, "deleted {take}")?;
        }
    }
    Ok(())
}

/// Asks on the terminal before deleting; without one, says to run again with --yes.
fn confirm(take: &str, out: &mut impl Write) -> Result<bool, Failure> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(Failure {
            code: 2,
            message: format!(
                "deleting take {take} removes its files; run again with --yes to confirm"
            ),
        });
    }
    write!(out, "delete take {take} and its files? [y/N] ")?;
    out.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "sí" | "si"))
}
