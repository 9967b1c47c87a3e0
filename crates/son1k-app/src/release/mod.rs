//! Nova Post Pilot: a song's release. A plan is a folder per release (`DATA/releases/…`) holding
//! `posts.json`, the clips named by platform (`clips/<platform>-<seconds>s.wav`) and
//! `release.ics`, plus the calendar in the library (SQLite), where events are listed by month,
//! moved, exported and imported. Posting stays with the user: nothing here talks to a platform;
//! the only network is the local Ollama, and without it the calendar and clips are still made.

pub mod clips;
pub mod ics;
pub mod posts;
pub mod song;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::Serialize;
use son1k_core::platform::Platform;
use son1k_core::release::{default_plan, Month};
use son1k_core::{Date, EventKind, Lang, ValidationError};
use son1k_lyrics::posts::PostEvent;
use son1k_store::{Release, ReleaseEvent};

pub use clips::{Anchor, ClipCut};
pub use posts::{PostView, Posts};

use crate::{AppError, NextStep, Studio};

/// The file of a release folder with its posts.
pub const POSTS_FILE: &str = "posts.json";
/// The file of a release folder with its calendar.
pub const ICS_FILE: &str = "release.ics";
/// The folder of a release folder with its clips.
pub const CLIPS_DIR: &str = "clips";

/// A release as the front ends show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReleaseView {
    /// Its id.
    pub id: String,
    /// The song (a take's folder name, or a folder's path).
    pub song: String,
    /// The title it is released under.
    pub title: String,
    /// Release day.
    pub date: Date,
    /// Its folder.
    pub folder: PathBuf,
}

/// One day of a release's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EventView {
    /// Its id (the calendar file's UID without its domain).
    pub id: String,
    /// Its release.
    pub release_id: String,
    /// What it is for.
    pub kind: EventKind,
    /// Its title.
    pub title: String,
    /// What to do that day.
    pub description: String,
    /// Its day.
    pub date: Date,
}

/// A clip written for a platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClipFile {
    /// The platform it is for.
    pub platform: Platform,
    /// The file.
    pub path: PathBuf,
    /// Where it was cut.
    pub cut: ClipCut,
}

/// Why the posts were not written, and what to do (start Ollama, pull a model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostsFailure {
    /// What happened, with the next step in words.
    pub message: String,
    /// The next steps as actions.
    pub next_steps: Vec<NextStep>,
}

/// What to plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlanOptions {
    /// The song: a take's folder name or title, a folder with `song.json`, or an audio file.
    pub song: String,
    /// Release day.
    pub date: Date,
    /// Platforms to write posts and clips for.
    pub platforms: Vec<Platform>,
    /// Languages of the posts (the first one also names the calendar's events).
    pub langs: Vec<Lang>,
    /// The Ollama model (the default when absent).
    pub model: Option<String>,
    /// Whether to write posts (without them no model is asked).
    pub posts: bool,
}

/// A planned release: its folder, calendar, clips and posts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlanReport {
    /// The release.
    pub release: ReleaseView,
    /// Its calendar, by day.
    pub events: Vec<EventView>,
    /// `release.ics`.
    pub ics: PathBuf,
    /// The clips, one per platform.
    pub clips: Vec<ClipFile>,
    /// The posts (`posts.json`), when they were written.
    pub posts: Option<Posts>,
    /// `posts.json`, when written.
    pub posts_file: Option<PathBuf>,
    /// Why the posts were not written (Ollama absent, …), if they were asked for.
    pub posts_failure: Option<PostsFailure>,
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> AppError {
    let path = path.to_path_buf();
    move |source| AppError::Io {
        action,
        path,
        source,
    }
}

fn stored_date(field: &str, s: &str) -> Result<Date, AppError> {
    s.parse::<Date>().map_err(|_| {
        AppError::Invalid(ValidationError::new(
            field,
            s,
            "the library holds a date it cannot read",
        ))
    })
}

fn release_view(r: Release) -> Result<ReleaseView, AppError> {
    Ok(ReleaseView {
        date: stored_date("release date", &r.release_date)?,
        id: r.id,
        song: r.song,
        title: r.title,
        folder: PathBuf::from(r.folder),
    })
}

fn event_view(e: ReleaseEvent) -> Result<EventView, AppError> {
    Ok(EventView {
        date: stored_date("event date", &e.date)?,
        kind: EventKind::from_id(&e.kind),
        id: e.id,
        release_id: e.release_id,
        title: e.title,
        description: e.description,
    })
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A file-name-safe form of `s`: letters, digits, `-` and `_`, others as `-`.
fn slug(s: &str) -> String {
    let s = crate::project::file_safe(s);
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "song".into()
    } else {
        s.chars().take(60).collect()
    }
}

/// A new folder for a release of `title` on `date` in `releases`: `<title>-<date>`, then `-2`, …
fn reserve(releases: &Path, title: &str, date: Date) -> Result<PathBuf, AppError> {
    std::fs::create_dir_all(releases).map_err(io("could not create", releases))?;
    let base = format!("{}-{date}", slug(title));
    for n in 1..1000 {
        let dir = match n {
            1 => releases.join(&base),
            n => releases.join(format!("{base}-{n}")),
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io("could not create", &dir)(e)),
        }
    }
    Err(AppError::Invalid(ValidationError::new(
        "release",
        base,
        "there are already 999 releases of this song on this day",
    )))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(io("could not write", &tmp))?;
    std::fs::rename(&tmp, path).map_err(io("could not write", path))
}

/// Writes the clip for each of `platforms` into `dir` (see [`clips`]).
pub fn write_clips(
    song: &song::ReleaseSong,
    platforms: &[Platform],
    dir: &Path,
) -> Result<Vec<ClipFile>, AppError> {
    if platforms.is_empty() {
        return Ok(Vec::new());
    }
    let mix = son1k_audio::decode_file(&song.mix)?;
    let seconds = song.seconds.min(mix.duration_secs());
    let energy = clips::bar_energy(&mix, &song.grid);
    std::fs::create_dir_all(dir).map_err(io("could not create", dir))?;
    let mut out = Vec::new();
    for &p in platforms {
        let cut = clips::plan(
            &song.grid,
            &song.sections,
            seconds,
            p.clip_seconds(),
            &energy,
        );
        let audio = clips::render(&mix, &cut)?;
        let path = dir.join(format!("{}-{}s.wav", p.id(), p.clip_seconds()));
        son1k_audio::write_file(&path, &audio, son1k_audio::SampleFormat::I16)?;
        out.push(ClipFile {
            platform: p,
            path,
            cut,
        });
    }
    Ok(out)
}

fn ics_events(events: &[EventView]) -> Vec<ics::IcsEvent> {
    events
        .iter()
        .map(|e| ics::IcsEvent {
            uid: format!("{}{}", e.id, ics::UID_DOMAIN),
            date: e.date,
            summary: e.title.clone(),
            description: e.description.clone(),
            kind: e.kind,
        })
        .collect()
}

/// Plans a release (see [`PlanOptions`]): folder, calendar (library and `release.ics`), clips,
/// and posts unless Ollama is not there — then [`PlanReport::posts_failure`] says how to start it.
pub fn plan(
    studio: &Studio,
    opts: &PlanOptions,
    on_event: &mut (dyn FnMut(PostEvent) + Send),
    cancel: &AtomicBool,
) -> Result<PlanReport, AppError> {
    if opts.langs.is_empty() {
        return Err(AppError::Invalid(ValidationError::new(
            "lang",
            "(none)",
            "name es, en or both",
        )));
    }
    let mut song = song::resolve(studio, &opts.song)?;
    song.facts.release_date = Some(opts.date.to_string());
    let folder = reserve(&studio.paths().releases_dir(), &song.facts.title, opts.date)?;
    let release = Release {
        id: uuid::Uuid::new_v4().to_string(),
        song: song.id.clone(),
        title: song.facts.title.clone(),
        release_date: opts.date.to_string(),
        folder: folder.display().to_string(),
        created_ms: now_seconds() * 1000,
    };
    let mut events = Vec::new();
    for step in default_plan(&song.facts.title, opts.langs[0]) {
        let date = opts.date.add_days(step.offset_days).ok_or_else(|| {
            AppError::Invalid(ValidationError::new(
                "date",
                opts.date,
                "the plan's days must fall within years 1–9999",
            ))
        })?;
        events.push(ReleaseEvent {
            id: uuid::Uuid::new_v4().to_string(),
            release_id: release.id.clone(),
            kind: step.kind.id().to_string(),
            title: step.title,
            description: step.description,
            date: date.to_string(),
        });
    }
    let built = (|| {
        let store = studio.library()?;
        store.add_release(&release, &events)?;
        let clips = write_clips(&song, &opts.platforms, &folder.join(CLIPS_DIR))?;
        Ok::<_, AppError>((store, clips))
    })();
    let (store, clips) = match built {
        Ok(b) => b,
        Err(e) => {
            if let Ok(s) = studio.library() {
                let _ = s.delete_release(&release.id);
            }
            let _ = std::fs::remove_dir_all(&folder);
            return Err(e);
        }
    };
    let events: Vec<EventView> = store
        .release_events(&release.id)?
        .into_iter()
        .map(event_view)
        .collect::<Result<_, _>>()?;
    let ics = folder.join(ICS_FILE);
    write_atomic(
        &ics,
        ics::export(&release.title, &ics_events(&events), now_seconds()).as_bytes(),
    )?;
    let (mut posts, mut posts_file, mut posts_failure) = (None, None, None);
    if opts.posts && !opts.platforms.is_empty() {
        match posts::write(
            &song.facts,
            &opts.platforms,
            &opts.langs,
            opts.model.as_deref(),
            on_event,
            cancel,
        ) {
            Ok(p) => {
                let file = folder.join(POSTS_FILE);
                let json = serde_json::to_vec_pretty(&p).map_err(|e| AppError::JobFailed {
                    kind: "release".into(),
                    message: format!("the posts could not be written as JSON: {e}"),
                })?;
                write_atomic(&file, &json)?;
                posts = Some(p);
                posts_file = Some(file);
            }
            Err(AppError::Lyrics(son1k_lyrics::LyricsError::Cancelled)) => {}
            Err(e) => {
                posts_failure = Some(PostsFailure {
                    message: e.to_string(),
                    next_steps: e.next_steps(),
                })
            }
        }
    }
    Ok(PlanReport {
        release: release_view(release)?,
        events,
        ics,
        clips,
        posts,
        posts_file,
        posts_failure,
    })
}

/// What to write posts for, without planning a release (the screen's "regenerate one" asks for
/// one platform in one language).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostsRequest {
    /// The song: a take's folder name or title, or a folder with `song.json`.
    pub song: String,
    /// The release day the posts may name.
    pub date: Option<Date>,
    /// The platforms.
    pub platforms: Vec<Platform>,
    /// The languages.
    pub langs: Vec<Lang>,
    /// The Ollama model (the default when absent).
    pub model: Option<String>,
}

/// Posts for a song (see [`PostsRequest`]).
pub fn write_posts(
    studio: &Studio,
    req: &PostsRequest,
    on_event: &mut (dyn FnMut(PostEvent) + Send),
    cancel: &AtomicBool,
) -> Result<Posts, AppError> {
    let mut s = song::resolve(studio, &req.song)?;
    s.facts.release_date = req.date.map(|d| d.to_string());
    posts::write(
        &s.facts,
        &req.platforms,
        &req.langs,
        req.model.as_deref(),
        on_event,
        cancel,
    )
}

/// Every release, newest first.
pub fn releases(studio: &Studio) -> Result<Vec<ReleaseView>, AppError> {
    studio
        .library()?
        .releases()?
        .into_iter()
        .map(release_view)
        .collect()
}

/// The release `id_or_song` names: a release id, or the newest release of a song (take name,
/// title or folder).
pub fn find(studio: &Studio, id_or_song: &str) -> Result<ReleaseView, AppError> {
    let all = releases(studio)?;
    let wanted = id_or_song.trim();
    if let Some(r) = all.iter().find(|r| r.id == wanted) {
        return Ok(r.clone());
    }
    // The song as stored (a take's name, a folder's or file's absolute path) or its title first:
    // resolving a plain audio file would analyse it again.
    let absolute = std::path::absolute(wanted)
        .map(|p| p.display().to_string())
        .ok();
    let direct = |r: &&ReleaseView| {
        r.song == wanted
            || Some(&r.song) == absolute.as_ref()
            || r.title.eq_ignore_ascii_case(wanted)
    };
    if let Some(r) = all.iter().find(direct) {
        return Ok(r.clone());
    }
    let song_id = song::resolve(studio, wanted).map(|s| s.id).ok();
    all.into_iter()
        .find(|r| Some(&r.song) == song_id.as_ref())
        .ok_or_else(|| {
            AppError::Invalid(ValidationError::new(
                "release",
                format!("{wanted:?}"),
                "no release of that song is planned; plan one with `son1k release plan SONG --date YYYY-MM-DD`",
            ))
        })
}

/// A release's events, by day.
pub fn events(studio: &Studio, release_id: &str) -> Result<Vec<EventView>, AppError> {
    studio
        .library()?
        .release_events(release_id)?
        .into_iter()
        .map(event_view)
        .collect()
}

/// Every release's events in `month`, by day.
pub fn month(studio: &Studio, month: Month) -> Result<Vec<EventView>, AppError> {
    studio
        .library()?
        .events_between(&month.first().to_string(), &month.last().to_string())?
        .into_iter()
        .map(event_view)
        .collect()
}

/// Moves an event to `date`, then rewrites its release's `release.ics`.
pub fn reschedule(studio: &Studio, event_id: &str, date: Date) -> Result<EventView, AppError> {
    let e = event_view(
        studio
            .library()?
            .reschedule_event(event_id, &date.to_string())?,
    )?;
    let release = release_view(studio.library()?.release(&e.release_id)?)?;
    if release.folder.is_dir() {
        export_ics(studio, &release.id, &release.folder.join(ICS_FILE))?;
    }
    Ok(e)
}

/// A release's calendar as iCalendar text.
pub fn ics_text(studio: &Studio, release_id: &str) -> Result<String, AppError> {
    let release = release_view(studio.library()?.release(release_id)?)?;
    Ok(ics::export(
        &release.title,
        &ics_events(&events(studio, release_id)?),
        now_seconds(),
    ))
}

/// Writes a release's calendar to `path` as iCalendar; returns its text.
pub fn export_ics(studio: &Studio, release_id: &str, path: &Path) -> Result<String, AppError> {
    let text = ics_text(studio, release_id)?;
    write_atomic(path, text.as_bytes())?;
    Ok(text)
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportReport {
    /// Events new to the release.
    pub added: u32,
    /// Events of the release that the file moved or renamed.
    pub updated: u32,
    /// Events the file holds that belong to another release (left alone).
    pub skipped: u32,
}

/// Reads an iCalendar file into a release's calendar: events of this release (by UID) are
/// updated, others added; an event that is another release's is skipped.
pub fn import_ics(
    studio: &Studio,
    release_id: &str,
    path: &Path,
) -> Result<ImportReport, AppError> {
    let store = studio.library()?;
    store.release(release_id)?;
    let text = std::fs::read_to_string(path).map_err(io("could not read", path))?;
    let found = ics::import(&text)?;
    let mut report = ImportReport {
        added: 0,
        updated: 0,
        skipped: 0,
    };
    for e in found {
        let id = e
            .uid
            .strip_suffix(ics::UID_DOMAIN)
            .unwrap_or(&e.uid)
            .to_string();
        let row = ReleaseEvent {
            id,
            release_id: release_id.to_string(),
            kind: e.kind.id().to_string(),
            title: e.summary,
            description: e.description,
            date: e.date.to_string(),
        };
        match store.upsert_event(&row)? {
            Some(true) => report.added += 1,
            Some(false) => report.updated += 1,
            None => report.skipped += 1,
        }
    }
    Ok(report)
}
