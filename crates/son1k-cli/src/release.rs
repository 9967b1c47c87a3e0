//! `son1k release`: Nova Post Pilot from the command line — plan a song's release (a folder with
//! posts.json, clips named by platform and release.ics; the calendar in the library), export or
//! import its calendar, list releases or a month's events, and move an event. Posting stays with
//! the user: nothing here talks to a platform.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use son1k_app::{PlanOptions, PlanReport, PostEvent, Studio};
use son1k_core::platform::{self, Platform};
use son1k_core::release::Month;
use son1k_core::{lang, Date, Lang};

use crate::{interrupted, to_json, Failure};

#[derive(Subcommand)]
pub(crate) enum ReleaseAction {
    /// Plan a release: calendar (pre-save −21 days … follow-ups +3/+7/+14/+28), clips per
    /// platform around the chorus, and posts written with the local Ollama.
    Plan {
        /// The song: a take's folder name or title (`son1k takes list`), a folder with song.json,
        /// or an audio file (its bars and loudest stretch from the analysis).
        song: String,
        /// Release day, YYYY-MM-DD.
        #[arg(long)]
        date: Date,
        /// Platforms, comma-separated: instagram, tiktok, youtube, x, facebook (default: all).
        #[arg(long)]
        platforms: Option<String>,
        /// Language of the posts and the calendar: es, en or both.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Ollama model (default: qwen2.5 if installed, else the first installed).
        #[arg(long)]
        model: Option<String>,
        /// Make the calendar and clips only; ask no model.
        #[arg(long)]
        no_posts: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a release's calendar as an .ics file (RFC 5545), or read one into it with --import.
    Ics {
        /// The release's id, or the song (its newest release).
        song: String,
        /// Where to write it (`-` for standard output; default: release.ics in the release's folder).
        #[arg(short, long, conflicts_with = "import")]
        output: Option<PathBuf>,
        /// Read this .ics file into the release's calendar instead (events are matched by UID).
        #[arg(long)]
        import: Option<PathBuf>,
    },
    /// List the releases, or with --month every release's events that month.
    List {
        /// A month, YYYY-MM.
        #[arg(long)]
        month: Option<Month>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Move an event of a release's calendar to another day (release.ics is rewritten).
    Move {
        /// The event's id (`son1k release list --month …` prints them).
        event: String,
        /// Its new day, YYYY-MM-DD.
        date: Date,
    },
}

/// Runs one `son1k release` action.
pub(crate) fn run(
    studio: &Studio,
    action: ReleaseAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match action {
        ReleaseAction::Plan {
            song,
            date,
            platforms,
            lang,
            model,
            no_posts,
            json,
        } => {
            let opts = PlanOptions {
                song,
                date,
                platforms: match platforms {
                    Some(p) => platform::parse_list(&p)?,
                    None => Platform::ALL.to_vec(),
                },
                langs: lang::parse_list(&lang)?,
                model,
                posts: !no_posts,
            };
            let stop = interrupted();
            let mut writing: Option<(Platform, Lang)> = None;
            let report = studio.release_plan(
                &opts,
                &mut |e| match e {
                    PostEvent::Text { platform, lang, .. } => {
                        if writing != Some((platform, lang)) {
                            writing = Some((platform, lang));
                            eprintln!("writing the {} post ({lang})…", platform.name());
                        }
                    }
                    PostEvent::Retry { platform, why, .. } => {
                        eprintln!("  {}: asked again ({why})", platform.name());
                    }
                },
                &stop,
            )?;
            if json {
                writeln!(out, "{}", to_json(&report)?)?;
            } else {
                print_plan(&report, out)?;
            }
            if let Some(f) = &report.posts_failure {
                let mut message = format!(
                    "the calendar and clips are in {}, but the posts were not written: {}",
                    report.release.folder.display(),
                    f.message
                );
                for step in &f.next_steps {
                    if !message.contains(&step.command()) {
                        message.push_str(&format!("; next: `{}`", step.command()));
                    }
                }
                return Err(Failure { code: 1, message });
            }
        }
        ReleaseAction::Ics {
            song,
            output,
            import,
        } => {
            let release = studio.release_find(&song)?;
            if let Some(file) = import {
                let r = studio.release_import_ics(&release.id, &file)?;
                writeln!(
                    out,
                    "imported {}: {} new, {} updated, {} of other releases left alone",
                    file.display(),
                    r.added,
                    r.updated,
                    r.skipped
                )?;
                return Ok(());
            }
            match output.as_deref() {
                Some(p) if p == std::path::Path::new("-") => {
                    out.write_all(studio.release_ics(&release.id)?.as_bytes())?;
                }
                other => {
                    let path = other
                        .map(PathBuf::from)
                        .unwrap_or_else(|| release.folder.join(son1k_app::release::ICS_FILE));
                    let text = studio.release_export_ics(&release.id, &path)?;
                    let n = text.matches("BEGIN:VEVENT").count();
                    writeln!(out, "wrote {} ({n} events)", path.display())?;
                }
            }
        }
        ReleaseAction::List { month, json } => match month {
            Some(m) => {
                let events = studio.release_month(m)?;
                if json {
                    writeln!(out, "{}", to_json(&events)?)?;
                } else if events.is_empty() {
                    writeln!(out, "nothing planned in {:04}-{:02}", m.year, m.month)?;
                } else {
                    for e in events {
                        writeln!(out, "{}  {:<9}  {}  {}", e.date, e.kind.id(), e.title, e.id)?;
                    }
                }
            }
            None => {
                let releases = studio.releases()?;
                if json {
                    writeln!(out, "{}", to_json(&releases)?)?;
                } else if releases.is_empty() {
                    writeln!(
                        out,
                        "no releases planned (son1k release plan SONG --date YYYY-MM-DD)"
                    )?;
                } else {
                    for r in releases {
                        writeln!(
                            out,
                            "{}  {}  {}  {}",
                            r.date,
                            r.title,
                            r.id,
                            r.folder.display()
                        )?;
                    }
                }
            }
        },
        ReleaseAction::Move { event, date } => {
            let e = studio.release_reschedule(&event, date)?;
            writeln!(out, "moved \"{}\" to {}", e.title, e.date)?;
        }
    }
    Ok(())
}

fn print_plan(r: &PlanReport, out: &mut impl Write) -> Result<(), Failure> {
    writeln!(
        out,
        "release \"{}\" on {} (id {})",
        r.release.title, r.release.date, r.release.id
    )?;
    writeln!(out, "folder   {}", r.release.folder.display())?;
    writeln!(
        out,
        "calendar {} ({} events)",
        r.ics.display(),
        r.events.len()
    )?;
    for e in &r.events {
        writeln!(out, "  {}  {:<9}  {}", e.date, e.kind.id(), e.title)?;
    }
    if !r.clips.is_empty() {
        writeln!(out, "clips")?;
    }
    for c in &r.clips {
        writeln!(
            out,
            "  {:<9}  {}  {} bars, {:.1}–{:.1} s ({})",
            c.platform.id(),
            c.path.display(),
            c.cut.bars,
            c.cut.start,
            c.cut.end,
            match c.cut.anchor {
                son1k_app::release::Anchor::Chorus => "around the chorus",
                son1k_app::release::Anchor::Loudest => "the loudest stretch",
                son1k_app::release::Anchor::Whole => "the whole song",
            }
        )?;
    }
    if let (Some(posts), Some(file)) = (&r.posts, &r.posts_file) {
        writeln!(out, "posts    {} (model {})", file.display(), posts.model)?;
        for p in &posts.posts {
            let how = match (p.regenerated, p.trimmed) {
                (_, true) => "  (asked again, then trimmed)",
                (true, false) => "  (asked again)",
                _ => "",
            };
            writeln!(
                out,
                "  {:<9}  {}  {}/{} {}{how}",
                p.post.platform.id(),
                p.post.lang,
                p.length,
                p.limit,
                serde_json::to_value(p.measure)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )?;
        }
    }
    Ok(())
}
