//! Project files: a folder per project (`project.json`, `audio/`, `stems/`) plus its row in the
//! library. Saves are atomic (temporary file, fsync, rename, fsync of the folder), the previous
//! good version is kept as `project.last-good.json`, and a damaged file is reported, set aside
//! and never overwrites the last good copy. An [`Autosaver`] saves in the background.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use son1k_core::Knobs;
use son1k_ghost::editor::{Edit, Editor, History, State};
use son1k_ghost::Session;

use crate::{AppError, Studio};

/// The project file's name inside its folder.
pub const FILE: &str = "project.json";
/// The last version that was read or written successfully.
pub const LAST_GOOD: &str = "project.last-good.json";
/// Format version written by this build.
pub const VERSION: u32 = 1;

/// What a project file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectDoc {
    /// Format version.
    pub version: u32,
    /// Project name.
    pub name: String,
    /// The Ghost Studio knobs (checked when the file is read: a value outside 0–100 makes the
    /// file damaged, as a value that is not a number does).
    #[serde(default)]
    pub knobs: Knobs,
    /// The user's notes for the generator.
    #[serde(default)]
    pub notes: String,
    /// Lyrics.
    #[serde(default)]
    pub lyrics: String,
    /// The multitrack session (son1k-audio's session format). Its master chain is the knobs'
    /// chain followed by [`ProjectDoc::master_fx`]. Missing or `null` in a file, it is empty.
    #[serde(default = "empty_session", deserialize_with = "session_or_empty")]
    pub session: Session,
    /// The user's own master effects (after the knob chain).
    #[serde(default)]
    pub master_fx: Vec<son1k_audio::fx::FxSpec>,
    /// The project's tempo and time signature as the musician set them (absent: the demo's
    /// analysis proposes them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tempo: Option<ProjectTempo>,
    /// Markers on the timeline, in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<Marker>,
    /// Milliseconds since the Unix epoch of the last save.
    #[serde(default)]
    pub saved_ms: i64,
    /// Ghost Studio's undo and redo steps, so reopening the project can still undo (at most
    /// [`SAVED_HISTORY`] of each). Kept beside the project file in [`HISTORY_FILE`], not in it:
    /// every edit saves, and the project file (read back for its last good copy at each save)
    /// stays small. A history that cannot be read is dropped, never the project.
    #[serde(skip)]
    pub history: History,
}

/// A project's tempo and time signature, checked when made or read (20–300 BPM, 1–16 beats).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProjectTempo {
    /// Beats per minute.
    pub bpm: f64,
    /// Beats in a bar.
    pub beats: u32,
}

impl<'de> Deserialize<'de> for ProjectTempo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The values as written, checked by [`ProjectTempo::new`].
        #[derive(Deserialize)]
        struct Written {
            bpm: f64,
            beats: u32,
        }
        let w = Written::deserialize(d)?;
        ProjectTempo::new(w.bpm, w.beats).map_err(serde::de::Error::custom)
    }
}

impl ProjectTempo {
    /// A tempo after checking its range.
    pub fn new(bpm: f64, beats: u32) -> Result<Self, AppError> {
        if !(bpm.is_finite() && (20.0..=300.0).contains(&bpm)) {
            return Err(AppError::Invalid(son1k_core::ValidationError::new(
                "bpm",
                bpm.to_string(),
                "must be 20–300 beats per minute",
            )));
        }
        if !(1..=16).contains(&beats) {
            return Err(AppError::Invalid(son1k_core::ValidationError::new(
                "beats",
                beats.to_string(),
                "must be 1–16 beats in a bar",
            )));
        }
        Ok(ProjectTempo { bpm, beats })
    }
}

/// A named place on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Marker {
    /// Its name (1–60 characters).
    pub name: String,
    /// Where, seconds (0 or later).
    pub seconds: f64,
}

/// Most markers a project keeps.
pub const MAX_MARKERS: usize = 999;

/// `markers` checked (names 1–60 characters, times 0–86 400 s, at most [`MAX_MARKERS`]) and in
/// time order.
pub fn checked_markers(mut markers: Vec<Marker>) -> Result<Vec<Marker>, AppError> {
    let bad = |v: String, why: &str| {
        AppError::Invalid(son1k_core::ValidationError::new("markers", v, why))
    };
    if markers.len() > MAX_MARKERS {
        return Err(bad(
            markers.len().to_string(),
            "a project keeps at most 999 markers",
        ));
    }
    for m in &mut markers {
        m.name = m.name.trim().to_string();
        if m.name.is_empty() || m.name.chars().count() > 60 {
            return Err(bad(
                m.name.clone(),
                "a marker's name must be 1–60 characters",
            ));
        }
        if !(m.seconds.is_finite() && (0.0..=86_400.0).contains(&m.seconds)) {
            return Err(bad(
                m.seconds.to_string(),
                "a marker must be at 0 s or later",
            ));
        }
    }
    markers.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    Ok(markers)
}

/// How many undo (and redo) steps a project keeps when it is closed.
pub const SAVED_HISTORY: usize = 50;

/// The undo history's file inside the project folder (compact JSON).
pub const HISTORY_FILE: &str = "history.json";

/// Writes the history beside the project file (temporary file and rename: a reader sees the
/// old history or the new one; a lost history costs undo steps, never the project), or removes
/// it when there is none.
fn save_history(folder: &Path, history: &History) -> Result<(), AppError> {
    let path = folder.join(HISTORY_FILE);
    if history.is_empty() {
        return match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(io("could not remove", &path)(e))
            }
            _ => Ok(()),
        };
    }
    let bytes = serde_json::to_vec(history).map_err(|e| AppError::JobFailed {
        kind: "save".into(),
        message: e.to_string(),
    })?;
    let tmp = folder.join(format!(".{HISTORY_FILE}.tmp"));
    fs::write(&tmp, bytes).map_err(io("could not write", &tmp))?;
    fs::rename(&tmp, &path).map_err(io("could not write", &path))
}

/// The saved history, or an empty one when there is none or it cannot be read.
fn load_history(folder: &Path) -> History {
    fs::read(folder.join(HISTORY_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

impl ProjectDoc {
    /// An empty project.
    pub fn new(name: &str) -> Self {
        ProjectDoc {
            version: VERSION,
            name: name.to_string(),
            knobs: Knobs::default(),
            notes: String::new(),
            lyrics: String::new(),
            session: empty_session(),
            master_fx: Vec::new(),
            tempo: None,
            markers: Vec::new(),
            saved_ms: 0,
            history: History::default(),
        }
    }

    /// An editor on the document's state with the undo history saved with it.
    pub fn editor(&self) -> Editor {
        Editor::with_history(self.state(), self.history.clone())
    }

    /// Takes the editor's state and its undo history (the newest [`SAVED_HISTORY`] steps).
    pub fn set_editor(&mut self, editor: &Editor) {
        self.set_state(editor.state());
        self.history = editor.history(SAVED_HISTORY);
    }

    /// What Ghost Studio edits: the session, the knobs and the user's master effects.
    pub fn state(&self) -> State {
        State {
            session: self.session.clone(),
            knobs: self.knobs,
            master_fx: self.master_fx.clone(),
        }
    }

    /// Takes `state` as the document's session, knobs and master effects.
    pub fn set_state(&mut self, state: &State) {
        self.session = state.session.clone();
        self.knobs = state.knobs;
        self.master_fx = state.master_fx.clone();
    }
}

/// The session of a new project: no tracks, 48 kHz.
fn empty_session() -> Session {
    Session {
        sample_rate: 48_000,
        tracks: Vec::new(),
        master: Vec::new(),
        returns: Vec::new(),
    }
}

/// Older files may hold `"session": null`; that is an empty session.
fn session_or_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Session, D::Error> {
    Ok(Option::<Session>::deserialize(d)?.unwrap_or_else(empty_session))
}

/// A project as loaded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loaded {
    /// The document.
    pub doc: ProjectDoc,
    /// Set when `project.json` was damaged: what was wrong, and where the damaged file was put.
    /// The document then comes from the last good copy.
    pub damaged: Option<String>,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> AppError + 'a {
    move |source| AppError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// `s` with every character but letters, digits, `-` and `_` replaced by `-` (for file names).
pub(crate) fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Writes `bytes` to `path` atomically: a reader sees the old file or the new one, never a mix,
/// even if the process is killed or the machine loses power mid-save.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    son1k_fs::atomic_write(path, bytes).map_err(|e| AppError::Io {
        action: e.action,
        path: e.path,
        source: e.source,
    })
}

/// Reads a project file: its JSON, its format version and its knobs' range, once, here.
fn parse(bytes: &[u8]) -> Result<ProjectDoc, String> {
    let doc: ProjectDoc = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if doc.version > VERSION {
        return Err(format!(
            "written by a newer Son1k Studio (format {}, this version reads {VERSION})",
            doc.version
        ));
    }
    Ok(doc)
}

/// Saves `doc` into `folder`. The file being replaced, if it is good, becomes the last good copy
/// first, so a save interrupted at any point leaves a readable project.
pub fn save(folder: &Path, doc: &ProjectDoc) -> Result<ProjectDoc, AppError> {
    fs::create_dir_all(folder).map_err(io("could not create", folder))?;
    let path = folder.join(FILE);
    if let Ok(current) = fs::read(&path) {
        if parse(&current).is_ok() {
            write_atomic(&folder.join(LAST_GOOD), &current)?;
        }
    }
    let mut doc = doc.clone();
    doc.version = VERSION;
    doc.saved_ms = now_ms();
    let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| AppError::JobFailed {
        kind: "save".into(),
        message: e.to_string(),
    })?;
    write_atomic(&path, &bytes)?;
    save_history(folder, &doc.history)?;
    Ok(doc)
}

/// Loads the project in `folder`. A damaged `project.json` is moved aside (kept for inspection)
/// and the last good copy is loaded instead, with [`Loaded::damaged`] saying so; with no good
/// copy either, the error names both files.
pub fn load(folder: &Path) -> Result<Loaded, AppError> {
    let path = folder.join(FILE);
    let bytes = fs::read(&path).map_err(io("could not read", &path))?;
    let loaded = match parse(&bytes) {
        Ok(doc) => Ok(Loaded { doc, damaged: None }),
        Err(why) => {
            let aside = folder.join(format!("project.damaged-{}.json", now_ms()));
            let last_good = folder.join(LAST_GOOD);
            let good = fs::read(&last_good).ok().and_then(|b| parse(&b).ok());
            match good {
                Some(doc) => {
                    fs::rename(&path, &aside).map_err(io("could not move aside", &path))?;
                    // The last good copy becomes the project file again.
                    let restored = serde_json::to_vec_pretty(&doc).map_err(|e| {
                        AppError::JobFailed {
                            kind: "load".into(),
                            message: e.to_string(),
                        }
                    })?;
                    write_atomic(&path, &restored)?;
                    Ok(Loaded {
                        doc,
                        damaged: Some(format!(
                            "{} was damaged ({why}); it was moved to {} and the last good version was restored",
                            path.display(),
                            aside.display()
                        )),
                    })
                }
                None => Err(AppError::Invalid(son1k_core::ValidationError::new(
                    "project",
                    path.display().to_string(),
                    format!("the project file is damaged ({why}) and there is no good copy in {LAST_GOOD}"),
                ))),
            }
        }
    };
    // The undo history comes back with a sound project (a restored last good copy starts a
    // fresh one: the saved steps led up to the damaged file, not to it).
    let mut loaded = loaded?;
    if loaded.damaged.is_none() {
        loaded.doc.history = load_history(folder);
    }
    Ok(loaded)
}

/// Creates a project: its folder under the data directory, its first save and its library row.
pub fn create(studio: &Studio, name: &str) -> Result<(PathBuf, ProjectDoc), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::Invalid(son1k_core::ValidationError::new(
            "name",
            format!("{name:?}"),
            "a project name must be 1–120 characters",
        )));
    }
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let folder =
        studio
            .paths()
            .projects_dir()
            .join(format!("{}-{}", slug.trim_matches('-'), now_ms()));
    for sub in ["audio", "stems"] {
        fs::create_dir_all(folder.join(sub)).map_err(io("could not create", &folder))?;
    }
    let doc = save(&folder, &ProjectDoc::new(name))?;
    studio
        .library()?
        .create_project(name, &folder.to_string_lossy())?;
    Ok((folder, doc))
}

/// Creates a project from the Generator's take `take` (its folder name in the songs folder),
/// named `name`: each stem is copied into the project's `audio/` folder and put on its own
/// track, every one starting at zero so they play in time as the take did (the mix alone when
/// the take has no stems). The take's prompt and lyrics become the project's notes and lyrics.
pub fn from_take(
    studio: &Studio,
    take: &str,
    name: &str,
) -> Result<(PathBuf, ProjectDoc), AppError> {
    let summary = studio
        .songs()?
        .into_iter()
        .find(|s| s.name == take)
        .ok_or_else(|| crate::songs::TakeError::NoSuchTake(take.to_string()))?;
    let mut files: Vec<(String, PathBuf)> = summary
        .stems
        .iter()
        .map(|s| {
            (
                s.clone(),
                summary.dir.join("stems").join(format!("{s}.wav")),
            )
        })
        .filter(|(_, p)| p.is_file())
        .collect();
    if files.is_empty() {
        files.push(("mix".into(), summary.mix.clone()));
    }
    let (folder, mut doc) = create(studio, name)?;
    let song: serde_json::Value = fs::read(summary.dir.join("song.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    doc.notes = summary.prompt.clone();
    doc.lyrics = song["request"]["lyrics"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut editor = Editor::with_state(doc.state());
    for (track, src) in &files {
        let safe = file_safe(track);
        let dest = folder.join("audio").join(format!("{safe}.wav"));
        fs::copy(src, &dest).map_err(io("could not copy into the project", &dest))?;
        editor
            .apply(Edit::AddTrack {
                name: track.clone(),
                clips: vec![son1k_audio::mixdown::Clip::whole(
                    PathBuf::from("audio").join(format!("{safe}.wav")),
                    0.0,
                )],
            })
            .map_err(|e| AppError::JobFailed {
                kind: "project".into(),
                message: e.to_string(),
            })?;
    }
    // The project starts with the stems in place: nothing to undo back to an empty session.
    doc.set_state(editor.state());
    let doc = save(&folder, &doc)?;
    Ok((folder, doc))
}

/// Saves a project in the background: the newest document handed to [`Autosaver::update`] is
/// written at most once per interval, and on [`Autosaver::flush`] or drop.
pub struct Autosaver {
    tx: Option<Sender<Msg>>,
    worker: Option<JoinHandle<()>>,
    errors: Receiver<String>,
}

enum Msg {
    Update(Box<ProjectDoc>),
    Flush(Sender<()>),
}

impl Autosaver {
    /// Starts autosaving into `folder` every `interval`.
    pub fn start(folder: &Path, interval: Duration) -> Self {
        let (tx, rx) = mpsc::channel::<Msg>();
        let (err_tx, errors) = mpsc::channel();
        let folder = folder.to_path_buf();
        let worker = std::thread::spawn(move || {
            let mut pending: Option<Box<ProjectDoc>> = None;
            let mut last = Instant::now() - interval;
            let write = |doc: &ProjectDoc, last: &mut Instant| {
                if let Err(e) = save(&folder, doc) {
                    let _ = err_tx.send(e.to_string());
                }
                *last = Instant::now();
            };
            loop {
                let wait = interval.saturating_sub(last.elapsed());
                match rx.recv_timeout(if pending.is_some() { wait } else { interval }) {
                    Ok(Msg::Update(doc)) => pending = Some(doc),
                    Ok(Msg::Flush(done)) => {
                        if let Some(doc) = pending.take() {
                            write(&doc, &mut last);
                        }
                        let _ = done.send(());
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => {
                        if let Some(doc) = pending.take() {
                            write(&doc, &mut last);
                        }
                        return;
                    }
                }
                if pending.is_some() && last.elapsed() >= interval {
                    if let Some(doc) = pending.take() {
                        write(&doc, &mut last);
                    }
                }
            }
        });
        Autosaver {
            tx: Some(tx),
            worker: Some(worker),
            errors,
        }
    }

    /// Hands over the newest version of the document (cheap; saving happens later).
    pub fn update(&self, doc: &ProjectDoc) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Update(Box::new(doc.clone())));
        }
    }

    /// Writes what is pending now and waits for it.
    pub fn flush(&self) {
        if let Some(tx) = &self.tx {
            let (done_tx, done_rx) = mpsc::channel();
            if tx.send(Msg::Flush(done_tx)).is_ok() {
                let _ = done_rx.recv();
            }
        }
    }

    /// Save errors since the last call (a full disk, a removed folder).
    pub fn errors(&self) -> Vec<String> {
        self.errors.try_iter().collect()
    }
}

impl Drop for Autosaver {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
