//! Ghost Studio through the façade: the knob chain on a file, and projects as multitrack
//! sessions — add a demo, produce a backing, render, export.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use son1k_audio::fx::FxSpec;
use son1k_audio::mixdown::{Clip, Session};
use son1k_audio::{write::Container, SampleFormat};
use son1k_core::{Knobs, Quality};
use son1k_ghost::editor::Editor;
use son1k_ghost::produce::{produce, ProduceOptions};

use crate::project::{self, ProjectDoc};
use crate::{AppError, Studio};

fn ghost_err(e: son1k_ghost::GhostError) -> AppError {
    match e {
        son1k_ghost::GhostError::Audio(a) => AppError::Audio(a),
        son1k_ghost::GhostError::Analysis(a) => AppError::Analysis(a),
        son1k_ghost::GhostError::Compose(c) => AppError::Compose(c),
        son1k_ghost::GhostError::Invalid(v) => AppError::Invalid(v),
        son1k_ghost::GhostError::Edit(m) => edit_error(m),
    }
}

/// What `ghost` did to a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GhostReport {
    /// The output file.
    pub output: PathBuf,
    /// Effects in the chain (0 at the neutral point).
    pub effects: usize,
    /// Loudness before, LUFS.
    pub lufs_before: Option<f64>,
    /// Loudness after, LUFS.
    pub lufs_after: Option<f64>,
}

/// Applies the knob chain to `input` and writes `output` (WAV or FLAC from its extension).
pub fn apply_file(
    input: &Path,
    output: &Path,
    knobs: &Knobs,
    bits: SampleFormat,
) -> Result<GhostReport, AppError> {
    Container::from_path(output)?;
    let audio = son1k_audio::decode_file(input)?;
    let out = son1k_ghost::knobs::apply(&audio, knobs, 0x6057).map_err(ghost_err)?;
    son1k_audio::write_file(output, &out, bits)?;
    Ok(GhostReport {
        output: output.to_path_buf(),
        effects: son1k_ghost::knobs::chain(knobs, 0).len(),
        lufs_before: son1k_audio::measure(&audio)?.integrated_lufs,
        lufs_after: son1k_audio::measure(&out)?.integrated_lufs,
    })
}

/// A project found by name (the newest with that name) with its loaded document.
pub struct OpenProject {
    /// Its folder.
    pub folder: PathBuf,
    /// Its document.
    pub doc: ProjectDoc,
}

/// Opens the newest project called `name`, or — when `name` is an absolute path to a folder
/// holding a `project.json` — that project (the desktop app refers to projects by folder, so two
/// projects with the same name stay apart).
pub fn open(studio: &Studio, name: &str) -> Result<OpenProject, AppError> {
    let as_folder = Path::new(name);
    if as_folder.is_absolute() && as_folder.join(project::FILE).is_file() {
        let loaded = project::load(as_folder)?;
        return Ok(OpenProject {
            folder: as_folder.to_path_buf(),
            doc: loaded.doc,
        });
    }
    let p = studio
        .library()?
        .projects()?
        .into_iter()
        .find(|p| p.name == name)
        .ok_or_else(|| {
            AppError::Store(son1k_store::StoreError::NotFound {
                kind: "project named",
                id: name.to_string(),
            })
        })?;
    let folder = PathBuf::from(p.folder);
    let loaded = project::load(&folder)?;
    Ok(OpenProject {
        folder,
        doc: loaded.doc,
    })
}

fn session_of(doc: &ProjectDoc) -> Result<Session, AppError> {
    serde_json::from_value(doc.session.clone()).map_err(|e| {
        AppError::Invalid(son1k_core::ValidationError::new(
            "session",
            "project.json",
            format!("the project's session is not valid: {e}"),
        ))
    })
}

fn with_session(doc: &mut ProjectDoc, s: &Session) -> Result<(), AppError> {
    doc.session = serde_json::to_value(s).map_err(|e| AppError::JobFailed {
        kind: "save".into(),
        message: e.to_string(),
    })?;
    Ok(())
}

/// Copies `file` into the project's `audio/` folder and adds it on a new track named after it
/// (one undoable step when done through [`Mixing::import`]).
pub fn add(studio: &Studio, name: &str, file: &Path) -> Result<String, AppError> {
    Mixing::open(studio, name)?.import(file)
}

/// Sets the project's knobs (they drive its master chain).
pub fn set_knobs(studio: &Studio, name: &str, knobs: Knobs) -> Result<(), AppError> {
    Mixing::open(studio, name)?.set_knobs(knobs)?;
    Ok(())
}

/// What producing a backing did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProduceReport {
    /// The demo as measured.
    pub demo: son1k_ghost::produce::DemoReading,
    /// Tracks in the session now.
    pub tracks: Vec<String>,
    /// The backing's MIDI file.
    pub midi: PathBuf,
}

/// A backing made for a project but not yet placed in its session (see
/// [`Mixing::put_backing`]): producing takes a while, placing is one quick, undoable edit.
#[derive(Debug, Clone)]
pub struct Backing {
    /// The demo as measured.
    pub demo: son1k_ghost::produce::DemoReading,
    /// The backing's tracks (the demo's own track left out).
    pub tracks: Vec<son1k_audio::mixdown::Track>,
    /// The rate the backing was rendered at.
    pub sample_rate: u32,
    /// The backing's MIDI file.
    pub midi: PathBuf,
}

/// Makes a backing for the project's demo (its first clip) in the demo's tempo and key, with
/// the project's knobs. The session is not changed.
pub fn make_backing(
    studio: &Studio,
    name: &str,
    prompt: &str,
    seed: u64,
    quality: Quality,
    progress: &mut dyn FnMut(f32, &str),
    cancel: &AtomicBool,
) -> Result<Backing, AppError> {
    let p = open(studio, name)?;
    let demo = demo_file(&p)?;
    let opts = ProduceOptions {
        demo,
        prompt: prompt.to_string(),
        knobs: p.doc.knobs,
        seed,
        quality,
        instruments: Default::default(),
    };
    let prod = produce(&opts, &p.folder, progress, cancel).map_err(ghost_err)?;
    Ok(Backing {
        demo: prod.demo,
        tracks: prod
            .session
            .tracks
            .into_iter()
            .filter(|t| t.name != "demo")
            .collect(),
        sample_rate: prod.session.sample_rate,
        midi: prod.midi,
    })
}

/// Produces a backing for the project's demo (its first clip) in the demo's tempo and key and
/// places it on new tracks (replacing an earlier backing's tracks), keeping the user's tracks.
pub fn produce_backing(
    studio: &Studio,
    name: &str,
    prompt: &str,
    seed: u64,
    quality: Quality,
    progress: &mut dyn FnMut(f32, &str),
    cancel: &AtomicBool,
) -> Result<ProduceReport, AppError> {
    let backing = make_backing(studio, name, prompt, seed, quality, progress, cancel)?;
    let mut m = Mixing::open(studio, name)?;
    let view = m.put_backing(&backing)?;
    Ok(ProduceReport {
        demo: backing.demo,
        tracks: view.tracks.iter().map(|t| t.name.clone()).collect(),
        midi: backing.midi,
    })
}

/// Renders the project's mix (its master chain included) to `out`.
pub fn render(
    studio: &Studio,
    name: &str,
    out: &Path,
    bits: SampleFormat,
) -> Result<PathBuf, AppError> {
    Container::from_path(out)?;
    let p = open(studio, name)?;
    let session = session_of(&p.doc)?;
    son1k_ghost::produce::render_to(&session, &p.folder, out, bits).map_err(ghost_err)?;
    Ok(out.to_path_buf())
}

/// Exports the mix, one stem per track (rendered alone, through the master chain) and the
/// backing's MIDI into `dir`; with `normalize`, the mix is brought to −14 LUFS (−1 dBTP).
pub fn export(
    studio: &Studio,
    name: &str,
    dir: &Path,
    quality: Quality,
    normalize: bool,
) -> Result<Vec<PathBuf>, AppError> {
    let p = open(studio, name)?;
    let session = session_of(&p.doc)?;
    let bits = son1k_compose::sample_format(quality);
    std::fs::create_dir_all(dir.join("stems")).map_err(|source| AppError::Io {
        action: "could not create",
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut mix = son1k_audio::mixdown::render(&session, &p.folder)?;
    if mix.sample_rate != quality.sample_rate() {
        mix = son1k_audio::resample(&mix, quality.sample_rate())?;
    }
    if normalize {
        son1k_audio::normalize(&mut mix, -14.0, -1.0)?;
    }
    let mix_path = dir.join("mix.wav");
    son1k_audio::write_file(&mix_path, &mix, bits)?;
    files.push(mix_path);
    for t in &session.tracks {
        let mut solo = session.clone();
        for other in solo.tracks.iter_mut() {
            other.solo = other.name == t.name;
            other.mute = false;
        }
        let mut stem = son1k_audio::mixdown::render(&solo, &p.folder)?;
        if stem.sample_rate != quality.sample_rate() {
            stem = son1k_audio::resample(&stem, quality.sample_rate())?;
        }
        let path = dir
            .join("stems")
            .join(format!("{}.wav", t.name.replace([' ', '/', '\\'], "-")));
        son1k_audio::write_file(&path, &stem, bits)?;
        files.push(path);
    }
    let midi = p.folder.join("backing").join("backing.mid");
    if midi.is_file() {
        let dest = dir.join("backing.mid");
        std::fs::copy(&midi, &dest).map_err(|source| AppError::Io {
            action: "could not copy",
            path: dest.clone(),
            source,
        })?;
        files.push(dest);
    }
    Ok(files)
}

// ---- What the Ghost Studio screen shows and edits ----

/// A project as the Ghost Studio screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProjectView {
    /// Project name.
    pub name: String,
    /// Its folder (what the other Ghost Studio calls take to name it).
    pub folder: PathBuf,
    /// The folder's own name, under which the desktop app serves the project's audio.
    pub dir: String,
    /// The knobs.
    pub knobs: Knobs,
    /// The session's tracks, in order.
    pub tracks: Vec<TrackView>,
    /// The user's master effects (they follow the knobs' chain).
    pub master_fx: Vec<FxSpec>,
    /// Whether an edit can be undone / redone.
    pub can_undo: bool,
    /// See `can_undo`.
    pub can_redo: bool,
    /// Set when the project file was damaged and its last good version was restored.
    pub damaged: Option<String>,
}

/// One track of the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrackView {
    /// Name (unique in the session).
    pub name: String,
    /// Gain in dB.
    pub gain_db: f32,
    /// Pan, −1 … 1.
    pub pan: f32,
    /// Muted.
    pub mute: bool,
    /// Soloed.
    pub solo: bool,
    /// Its effects, in order (before gain and pan).
    pub fx: Vec<FxSpec>,
    /// Its clips.
    pub clips: Vec<ClipView>,
}

/// One clip on a track.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClipView {
    /// The file, relative to the project folder with `/` separators (absolute if outside it).
    pub file: String,
    /// Start on the timeline, seconds.
    pub offset: f64,
    /// Seconds trimmed from the file's start.
    pub trim_start: f64,
    /// Length played, seconds (to the file's end when absent).
    pub length: Option<f64>,
    /// Fade-in, seconds.
    pub fade_in: f64,
    /// Fade-out, seconds.
    pub fade_out: f64,
}

/// One edit of the session: the mix, clips, tracks and effect chains. Clips and effects are
/// numbered from 0 in their track's (or chain's) order; `track: null` in the effect edits means
/// the master chain.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrackEdit {
    /// Track gain in dB (−60 … +12).
    Gain {
        /// Track name.
        track: String,
        /// dB.
        db: f32,
    },
    /// Pan, −1 … 1.
    Pan {
        /// Track name.
        track: String,
        /// Pan.
        pan: f32,
    },
    /// Mute on or off.
    Mute {
        /// Track name.
        track: String,
        /// On.
        on: bool,
    },
    /// Solo on or off.
    Solo {
        /// Track name.
        track: String,
        /// On.
        on: bool,
    },
    /// Moves a clip to start at `offset` seconds (0 or later).
    MoveClip {
        /// Track name.
        track: String,
        /// Clip number.
        clip: u32,
        /// New start, seconds.
        offset: f64,
    },
    /// Trims a clip: play its file from `trim_start` for `length` seconds (to the end when
    /// null); the region must lie inside the file. With `offset`, the clip also starts there
    /// (a left-edge drag keeps the audio in place in one edit).
    TrimClip {
        /// Track name.
        track: String,
        /// Clip number.
        clip: u32,
        /// Seconds skipped at the file's start.
        trim_start: f64,
        /// Seconds played.
        length: Option<f64>,
        /// New start on the timeline, seconds.
        #[serde(default)]
        offset: Option<f64>,
    },
    /// Sets a clip's fades (together no longer than the clip).
    Fades {
        /// Track name.
        track: String,
        /// Clip number.
        clip: u32,
        /// Fade-in, seconds.
        fade_in: f64,
        /// Fade-out, seconds.
        fade_out: f64,
    },
    /// Removes a clip.
    DeleteClip {
        /// Track name.
        track: String,
        /// Clip number.
        clip: u32,
    },
    /// Removes a track.
    DeleteTrack {
        /// Track name.
        track: String,
    },
    /// Renames a track (the new name must be free).
    RenameTrack {
        /// Track name.
        track: String,
        /// New name.
        name: String,
    },
    /// Inserts an effect (at the end when `at` is null).
    FxAdd {
        /// Track name; null for the master.
        track: Option<String>,
        /// Position in the chain.
        at: Option<u32>,
        /// The effect.
        fx: FxSpec,
    },
    /// Removes an effect.
    FxRemove {
        /// Track name; null for the master.
        track: Option<String>,
        /// Effect number.
        index: u32,
    },
    /// Moves an effect to another position in its chain.
    FxMove {
        /// Track name; null for the master.
        track: Option<String>,
        /// Effect number.
        from: u32,
        /// Its new position.
        to: u32,
    },
    /// Replaces an effect's parameters (or the effect).
    FxSet {
        /// Track name; null for the master.
        track: Option<String>,
        /// Effect number.
        index: u32,
        /// The effect.
        fx: FxSpec,
    },
}

fn relative(folder: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(folder).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn view_of(
    folder: &Path,
    doc: &ProjectDoc,
    state: &son1k_ghost::editor::State,
    history: (usize, usize),
) -> ProjectView {
    ProjectView {
        name: doc.name.clone(),
        folder: folder.to_path_buf(),
        dir: folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        knobs: state.knobs,
        tracks: state
            .session
            .tracks
            .iter()
            .map(|t| TrackView {
                name: t.name.clone(),
                gain_db: t.gain_db,
                pan: t.pan,
                mute: t.mute,
                solo: t.solo,
                fx: t.fx.clone(),
                clips: t
                    .clips
                    .iter()
                    .map(|c| ClipView {
                        file: relative(folder, &c.file),
                        offset: c.offset,
                        trim_start: c.trim_start,
                        length: c.length,
                        fade_in: c.fade_in,
                        fade_out: c.fade_out,
                    })
                    .collect(),
            })
            .collect(),
        master_fx: state.master_fx.clone(),
        can_undo: history.0 > 0,
        can_redo: history.1 > 0,
        damaged: None,
    }
}

fn state_of(doc: &ProjectDoc) -> Result<son1k_ghost::editor::State, AppError> {
    Ok(son1k_ghost::editor::State {
        session: session_of(doc)?,
        knobs: doc.knobs,
        master_fx: doc.master_fx.clone(),
    })
}

/// A project open for editing: its session, knobs and master effects in an [`Editor`], so every
/// edit — import, produced backing, knobs, clip and track edits, the mix, effect chains — can be
/// undone and redone in one history. Every edit, undo and redo is saved at once (atomically).
/// Changes made to the project file by other means (another program) are seen after
/// [`Mixing::reload`], which starts a fresh history.
#[derive(Debug)]
pub struct Mixing {
    folder: PathBuf,
    doc: ProjectDoc,
    editor: Editor,
    damaged: Option<String>,
    /// Lengths in seconds of the clip files measured so far, by absolute path.
    lengths: HashMap<PathBuf, f64>,
}

impl Mixing {
    /// Opens `project` (a name or a project folder) for editing.
    pub fn open(studio: &Studio, project: &str) -> Result<Self, AppError> {
        let p = open(studio, project)?;
        let damaged = project::load(&p.folder)?.damaged;
        let editor = Editor::with_state(state_of(&p.doc)?);
        Ok(Mixing {
            folder: p.folder,
            doc: p.doc,
            editor,
            damaged,
            lengths: HashMap::new(),
        })
    }

    /// Reads the project again from disk, starting a fresh history.
    pub fn reload(&mut self) -> Result<ProjectView, AppError> {
        let loaded = project::load(&self.folder)?;
        self.editor = Editor::with_state(state_of(&loaded.doc)?);
        self.doc = loaded.doc;
        self.damaged = loaded.damaged;
        Ok(self.view())
    }

    /// The project's folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The session as it stands.
    pub fn session(&self) -> &Session {
        self.editor.session()
    }

    /// What the screen shows.
    pub fn view(&self) -> ProjectView {
        let mut v = view_of(
            &self.folder,
            &self.doc,
            self.editor.state(),
            (self.editor.undo_len(), self.editor.redo_len()),
        );
        v.damaged = self.damaged.clone();
        v
    }

    fn save(&mut self) -> Result<ProjectView, AppError> {
        with_session(&mut self.doc, self.editor.session())?;
        self.doc.knobs = self.editor.knobs();
        self.doc.master_fx = self.editor.master_fx().to_vec();
        self.doc = project::save(&self.folder, &self.doc)?;
        self.editor.mark_saved();
        Ok(self.view())
    }

    fn path_of(&self, file: &Path) -> PathBuf {
        if file.is_absolute() {
            file.to_path_buf()
        } else {
            self.folder.join(file)
        }
    }

    /// The length in seconds of the file under clip `clip` of `track` (decoded once).
    fn clip_file_seconds(&mut self, track: &str, clip: u32) -> Result<f64, AppError> {
        let file = self
            .editor
            .session()
            .tracks
            .iter()
            .find(|t| t.name == track)
            .ok_or_else(|| edit_error(format!("no track named {track:?}")))?
            .clips
            .get(clip as usize)
            .ok_or_else(|| edit_error(format!("track {track:?} has no clip {clip}")))?
            .file
            .clone();
        let path = self.path_of(&file);
        if let Some(s) = self.lengths.get(&path) {
            return Ok(*s);
        }
        let audio = son1k_audio::decode_file(&path)?;
        let secs = audio.frames() as f64 / f64::from(audio.sample_rate);
        self.lengths.insert(path, secs);
        Ok(secs)
    }

    /// Copies `file` into the project's `audio/` folder and adds it on a new track named after
    /// it, as one undoable edit; returns the track's name. Anything that is not audio is
    /// refused before anything is copied.
    pub fn import(&mut self, file: &Path) -> Result<String, AppError> {
        let audio = son1k_audio::decode_file(file)?;
        let base = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "audio".into());
        let base: String = base
            .chars()
            .take(son1k_ghost::editor::MAX_NAME - 4)
            .collect();
        let ext = file
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let track = self.free_track_name(&base);
        let dest = self.free_file(&track, &ext)?;
        std::fs::copy(file, &dest).map_err(|source| AppError::Io {
            action: "could not copy into the project",
            path: dest.clone(),
            source,
        })?;
        self.lengths.insert(
            dest.clone(),
            audio.frames() as f64 / f64::from(audio.sample_rate),
        );
        let rel = dest
            .strip_prefix(&self.folder)
            .unwrap_or(&dest)
            .to_path_buf();
        if let Err(e) = self
            .editor
            .add_track_with(&track, vec![Clip::whole(rel, 0.0)])
        {
            let _ = std::fs::remove_file(&dest);
            return Err(ghost_err(e));
        }
        self.save()?;
        Ok(track)
    }

    /// `base`, or `base 2`, `base 3`, … — the first name no track has.
    fn free_track_name(&self, base: &str) -> String {
        let taken = |n: &str| self.editor.session().tracks.iter().any(|t| t.name == n);
        let mut name = base.to_string();
        let mut n = 2;
        while taken(&name) {
            name = format!("{base} {n}");
            n += 1;
        }
        name
    }

    /// A file under `audio/` named after `track` that does not exist yet (earlier files stay:
    /// the history may still refer to them).
    fn free_file(&self, track: &str, ext: &str) -> Result<PathBuf, AppError> {
        let dir = self.folder.join("audio");
        std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
            action: "could not create",
            path: dir.clone(),
            source,
        })?;
        let stem = track.replace([' ', '/', '\\'], "-");
        let mut path = dir.join(format!("{stem}{ext}"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("{stem}-{n}{ext}"));
            n += 1;
        }
        Ok(path)
    }

    /// Adds a recorded (or otherwise made) file that is already inside the project folder on a
    /// new track named `base` (or `base 2`, …), as one undoable edit; returns the track's name.
    pub fn add_take(&mut self, file: &Path, base: &str) -> Result<String, AppError> {
        let rel = file
            .strip_prefix(&self.folder)
            .map_err(|_| edit_error(format!("{} is not inside the project", file.display())))?
            .to_path_buf();
        let track = self.free_track_name(base);
        self.editor
            .add_track_with(&track, vec![Clip::whole(rel, 0.0)])
            .map_err(ghost_err)?;
        self.save()?;
        Ok(track)
    }

    /// Sets the knobs (the master chain follows), as one undoable edit.
    pub fn set_knobs(&mut self, knobs: Knobs) -> Result<ProjectView, AppError> {
        self.editor.set_knobs(knobs).map_err(ghost_err)?;
        self.save()
    }

    /// Places a produced backing: its tracks replace same-named tracks (an earlier backing) or
    /// are added, as one undoable edit.
    pub fn put_backing(&mut self, backing: &Backing) -> Result<ProjectView, AppError> {
        self.editor
            .put_tracks(backing.tracks.clone(), backing.sample_rate)
            .map_err(ghost_err)?;
        self.save()
    }

    /// Applies one edit (rejected edits change nothing) and saves.
    pub fn apply(&mut self, edit: &TrackEdit) -> Result<ProjectView, AppError> {
        use son1k_ghost::editor::FxTarget;
        let ed = &mut self.editor;
        let r = match edit {
            TrackEdit::Gain { track, db } => ed.set_gain(track, db.clamp(-60.0, 12.0)),
            TrackEdit::Pan { track, pan } => ed.set_pan(track, pan.clamp(-1.0, 1.0)),
            TrackEdit::Mute { track, on } => ed.set_mute(track, *on),
            TrackEdit::Solo { track, on } => ed.set_solo(track, *on),
            TrackEdit::MoveClip {
                track,
                clip,
                offset,
            } => ed.move_clip(track, *clip as usize, *offset),
            TrackEdit::TrimClip {
                track,
                clip,
                trim_start,
                length,
                offset,
            } => {
                let secs = self.clip_file_seconds(track, *clip)?;
                self.editor
                    .trim_clip(track, *clip as usize, *trim_start, *length, *offset, secs)
            }
            TrackEdit::Fades {
                track,
                clip,
                fade_in,
                fade_out,
            } => {
                let secs = self.clip_file_seconds(track, *clip)?;
                self.editor
                    .set_fades(track, *clip as usize, *fade_in, *fade_out, secs)
            }
            TrackEdit::DeleteClip { track, clip } => ed.remove_clip(track, *clip as usize),
            TrackEdit::DeleteTrack { track } => ed.remove_track(track),
            TrackEdit::RenameTrack { track, name } => ed.rename_track(track, name.trim()),
            TrackEdit::FxAdd { track, at, fx } => ed.add_fx(
                FxTarget::of(track.as_deref()),
                at.map(|a| a as usize),
                fx.clone(),
            ),
            TrackEdit::FxRemove { track, index } => {
                ed.remove_fx(FxTarget::of(track.as_deref()), *index as usize)
            }
            TrackEdit::FxMove { track, from, to } => {
                ed.move_fx(FxTarget::of(track.as_deref()), *from as usize, *to as usize)
            }
            TrackEdit::FxSet { track, index, fx } => {
                ed.set_fx(FxTarget::of(track.as_deref()), *index as usize, fx.clone())
            }
        };
        r.map_err(ghost_err)?;
        self.save()
    }

    /// Undoes the last edit (nothing when there is none) and saves.
    pub fn undo(&mut self) -> Result<ProjectView, AppError> {
        if self.editor.undo() {
            self.save()
        } else {
            Ok(self.view())
        }
    }

    /// Redoes the last undone edit (nothing when there is none) and saves.
    pub fn redo(&mut self) -> Result<ProjectView, AppError> {
        if self.editor.redo() {
            self.save()
        } else {
            Ok(self.view())
        }
    }

    /// Renders every track alone for live playback (see [`render_tracks`]).
    pub fn track_renders(&self) -> Result<Vec<TrackAudio>, AppError> {
        render_tracks(&self.folder, self.editor.session())
    }
}

/// Renders every track of `session` alone — its clips and effects, at unity gain, centred,
/// without the master chain — into `renders/tracks/` of `folder` for live playback, where the
/// screen applies gain, pan, mute and solo itself. A render is named after a hash of what it depends on, so an
/// unchanged track is not rendered again; renders no track uses any more are removed.
pub fn render_tracks(folder: &Path, session: &Session) -> Result<Vec<TrackAudio>, AppError> {
    let dir = folder.join(TRACK_RENDERS);
    std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
        action: "could not create",
        path: dir.clone(),
        source,
    })?;
    let mut out = Vec::new();
    let mut keep = std::collections::HashSet::new();
    for t in &session.tracks {
        if t.clips.is_empty() {
            out.push(TrackAudio {
                track: t.name.clone(),
                file: None,
            });
            continue;
        }
        let mut alone = son1k_audio::mixdown::Track::new(t.name.clone(), t.clips.clone());
        alone.fx = t.fx.clone();
        let alone = Session {
            sample_rate: session.sample_rate,
            tracks: vec![alone],
            master: Vec::new(),
        };
        let key = serde_json::to_vec(&alone).map_err(|e| AppError::JobFailed {
            kind: "render".into(),
            message: e.to_string(),
        })?;
        let name = format!("{:016x}.wav", fnv1a(&key));
        let path = dir.join(&name);
        if !path.is_file() {
            let audio = son1k_audio::mixdown::render(&alone, folder)?;
            son1k_audio::write_file(&path, &audio, SampleFormat::I16)?;
        }
        keep.insert(name);
        out.push(TrackAudio {
            track: t.name.clone(),
            file: Some(relative(folder, &path)),
        });
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.ends_with(".wav") && !keep.contains(&n) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(out)
}

/// Where [`Mixing::track_renders`] writes, relative to the project folder.
pub const TRACK_RENDERS: &str = "renders/tracks";

/// One track rendered alone for live playback.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrackAudio {
    /// The track.
    pub track: String,
    /// Its render relative to the project folder (a WAV starting at timeline 0); null when the
    /// track has no clips.
    pub file: Option<String>,
}

/// 64-bit FNV-1a: a stable name for a render from the JSON it was made from.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn edit_error(m: String) -> AppError {
    AppError::Invalid(son1k_core::ValidationError::new("edit", "", m))
}

/// The project as the screen shows it, without an edit history.
pub fn view(studio: &Studio, project: &str) -> Result<ProjectView, AppError> {
    let p = open(studio, project)?;
    Ok(view_of(&p.folder, &p.doc, &state_of(&p.doc)?, (0, 0)))
}

/// The demo's analysis as the screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DemoAnalysis {
    /// The demo, relative to the project folder.
    pub file: String,
    /// Length, seconds.
    pub seconds: f64,
    /// Tempo.
    pub bpm: f64,
    /// Tempo confidence, 0–1.
    pub bpm_confidence: f64,
    /// Beats per bar.
    pub meter: u32,
    /// Key, like `A minor`.
    pub key: String,
    /// Key confidence, 0–1.
    pub key_confidence: f64,
    /// Integrated loudness, LUFS.
    pub lufs: Option<f64>,
    /// True peak, dBTP.
    pub true_peak_db: Option<f64>,
    /// Sections (start, end seconds; sections that sound alike share a label).
    pub sections: Vec<SectionView>,
}

/// One section of the demo.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SectionView {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// `A`, `B`, …
    pub label: String,
}

fn demo_file(p: &OpenProject) -> Result<PathBuf, AppError> {
    let session = session_of(&p.doc)?;
    let clip = session
        .tracks
        .iter()
        .flat_map(|t| t.clips.iter())
        .next()
        .ok_or_else(|| {
            AppError::Invalid(son1k_core::ValidationError::new(
                "project",
                p.doc.name.clone(),
                "the project has no audio yet: import a demo first (in Ghost Studio, or son1k project add NAME FILE)",
            ))
        })?;
    Ok(if clip.file.is_absolute() {
        clip.file.clone()
    } else {
        p.folder.join(&clip.file)
    })
}

/// Analyses the project's demo (its first clip): tempo, key, loudness, sections.
pub fn analyze_demo(studio: &Studio, project: &str) -> Result<DemoAnalysis, AppError> {
    let p = open(studio, project)?;
    let file = demo_file(&p)?;
    let a = studio.analyze(&file)?;
    Ok(DemoAnalysis {
        file: relative(&p.folder, &file),
        seconds: a.seconds,
        bpm: a.bpm,
        bpm_confidence: a.bpm_confidence,
        meter: a.meter,
        key: a.key,
        key_confidence: a.key_confidence,
        lufs: a.lufs,
        true_peak_db: a.true_peak_db,
        sections: a
            .sections
            .into_iter()
            .map(|s| SectionView {
                start: s.start,
                end: s.end,
                label: s.label,
            })
            .collect(),
    })
}

/// Where [`render_mix`] writes, relative to the project folder.
pub const MIX: &str = "renders/mix.wav";

/// Renders the project's mix to `renders/mix.wav` in its folder (24-bit), for listening and A/B;
/// returns that path relative to the folder.
pub fn render_mix(studio: &Studio, project: &str) -> Result<String, AppError> {
    let p = open(studio, project)?;
    let out = p.folder.join(MIX);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
            action: "could not create",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    render(studio, project, &out, SampleFormat::I24)?;
    Ok(MIX.to_string())
}

/// A WAV the screen can draw and play for `file` (relative to the project folder): the file
/// itself when it is a WAV, else a WAV copy made once under `preview/`. Returns it relative to
/// the folder.
pub fn playable(studio: &Studio, project: &str, file: &str) -> Result<String, AppError> {
    let p = open(studio, project)?;
    let src = inside(&p.folder, file)?;
    if src
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("wav"))
    {
        return Ok(relative(&p.folder, &src));
    }
    let stem = src
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audio".into());
    let out = p.folder.join("preview").join(format!("{stem}.wav"));
    let fresh = match (std::fs::metadata(&src), std::fs::metadata(&out)) {
        (Ok(a), Ok(b)) => match (a.modified(), b.modified()) {
            (Ok(a), Ok(b)) => b >= a,
            _ => false,
        },
        _ => false,
    };
    if !fresh {
        std::fs::create_dir_all(p.folder.join("preview")).map_err(|source| AppError::Io {
            action: "could not create",
            path: p.folder.join("preview"),
            source,
        })?;
        let audio = son1k_audio::decode_file(&src)?;
        son1k_audio::write_file(&out, &audio, SampleFormat::I16)?;
    }
    Ok(relative(&p.folder, &out))
}

/// `file` (relative, `/`-separated) inside `folder`; refuses anything that would leave it.
fn inside(folder: &Path, file: &str) -> Result<PathBuf, AppError> {
    let ok = !file.is_empty()
        && file
            .split('/')
            .all(|s| !s.is_empty() && s != ".." && s != "." && !s.contains('\\'))
        && !Path::new(file).is_absolute();
    if !ok {
        return Err(AppError::Invalid(son1k_core::ValidationError::new(
            "file",
            file,
            "must be a path inside the project folder",
        )));
    }
    Ok(folder.join(file))
}

/// Linear gains that play two audio files at the same loudness — the quieter one's — for a
/// fair A/B (the Voice screen's original against its transform).
pub fn ab_gains_of_files(a: &Path, b: &Path) -> Result<(f32, f32), AppError> {
    let a = son1k_audio::decode_file(a)?;
    let b = son1k_audio::decode_file(b)?;
    son1k_ghost::ab::matched_gains(&a, &b).map_err(ghost_err)
}

/// Linear gains that play `a` and `b` (files relative to the project folder) at the same
/// loudness — the quieter one's — for a fair A/B.
pub fn ab_gains(studio: &Studio, project: &str, a: &str, b: &str) -> Result<(f32, f32), AppError> {
    let p = open(studio, project)?;
    let a = son1k_audio::decode_file(&inside(&p.folder, a)?)?;
    let b = son1k_audio::decode_file(&inside(&p.folder, b)?)?;
    son1k_ghost::ab::matched_gains(&a, &b).map_err(ghost_err)
}

// ---- Spectrum and recording ----

/// The demo's long-term spectrum on log-spaced bands, for the analysis panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SpectrumView {
    /// Band centres, Hz.
    pub hz: Vec<f32>,
    /// Band levels, dB relative to a full-scale sine.
    pub db: Vec<f32>,
}

/// The project's demo (its first clip) as a magnitude spectrum on `bands` log-spaced bands
/// from 30 Hz up.
pub fn demo_spectrum(studio: &Studio, project: &str, bands: u32) -> Result<SpectrumView, AppError> {
    let p = open(studio, project)?;
    let audio = son1k_audio::decode_file(&demo_file(&p)?)?;
    let s = son1k_analysis::spectrum::log_spectrum(&audio, bands as usize, 30.0)?;
    Ok(SpectrumView { hz: s.hz, db: s.db })
}

/// The input level while a take is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InputLevel {
    /// Peak since the last report, linear 0–1.
    pub peak: f32,
    /// Seconds recorded so far.
    pub seconds: f64,
}

/// How often a recording reports its input level.
pub const LEVEL_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// A take being recorded from the default input into a project's `audio/` folder with the
/// crash-safe recorder (a crash loses at most a second; the next recording repairs the take).
pub struct TakeRecorder {
    file: PathBuf,
    device: String,
    stop: Option<std::sync::mpsc::Sender<()>>,
    worker: Option<std::thread::JoinHandle<Result<PathBuf, AppError>>>,
}

impl std::fmt::Debug for TakeRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeRecorder")
            .field("file", &self.file)
            .field("device", &self.device)
            .finish()
    }
}

impl TakeRecorder {
    /// Starts recording into `project`; `on_level` hears the input level every
    /// [`LEVEL_EVERY`] from the recorder's thread. With no input device the error says so.
    pub fn start(
        studio: &Studio,
        project: &str,
        on_level: impl FnMut(InputLevel) + Send + 'static,
    ) -> Result<TakeRecorder, AppError> {
        let p = open(studio, project)?;
        Self::start_in(&p.folder.join("audio"), on_level)
    }

    /// Starts recording a take (`take-<ms>.wav`) into the folder `dir`, first repairing takes a
    /// crash left there; `on_level` as for [`TakeRecorder::start`].
    pub fn start_in(
        dir: &Path,
        mut on_level: impl FnMut(InputLevel) + Send + 'static,
    ) -> Result<TakeRecorder, AppError> {
        let dir = dir.to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
            action: "could not create",
            path: dir.clone(),
            source,
        })?;
        // Takes a crash interrupted are repaired before a new one starts.
        son1k_audio::record::recover_takes(&dir)?;
        let file = dir.join(format!("take-{}.wav", project::now_ms()));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let path = file.clone();
        let worker = std::thread::Builder::new()
            .name("son1k-take".into())
            .spawn(move || {
                let rec = match son1k_audio::record::record(&path) {
                    Ok(r) => {
                        let _ = ready_tx.send(Ok(r.device.clone()));
                        r
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return Err(AppError::JobFailed {
                            kind: "record".into(),
                            message: "the recorder did not start".into(),
                        });
                    }
                };
                use std::sync::mpsc::RecvTimeoutError;
                while let Err(RecvTimeoutError::Timeout) = stop_rx.recv_timeout(LEVEL_EVERY) {
                    on_level(InputLevel {
                        peak: rec.take_peak(),
                        seconds: rec.seconds(),
                    });
                }
                Ok(rec.stop()?)
            })
            .map_err(|e| AppError::JobFailed {
                kind: "record".into(),
                message: format!("could not start the recording thread: {e}"),
            })?;
        let device = match ready_rx.recv() {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                let _ = worker.join();
                return Err(AppError::Audio(e));
            }
            Err(_) => {
                return Err(AppError::JobFailed {
                    kind: "record".into(),
                    message: "the recording thread stopped unexpectedly".into(),
                })
            }
        };
        Ok(TakeRecorder {
            file,
            device,
            stop: Some(stop_tx),
            worker: Some(worker),
        })
    }

    /// The input device being recorded.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The take's file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Stops and closes the take; refuses (and removes) a take with no audio in it.
    pub fn stop(mut self) -> Result<PathBuf, AppError> {
        drop(self.stop.take());
        let path = match self.worker.take().map(|w| w.join()) {
            Some(Ok(r)) => r?,
            _ => {
                return Err(AppError::JobFailed {
                    kind: "record".into(),
                    message: "the recording thread stopped unexpectedly".into(),
                })
            }
        };
        match son1k_audio::decode_file(&path) {
            Ok(a) if a.frames() > 0 => Ok(path),
            _ => {
                let _ = std::fs::remove_file(&path);
                Err(AppError::Audio(son1k_audio::AudioError::Device(
                    "nothing was recorded: the input sent no audio (is the microphone connected and allowed?)".into(),
                )))
            }
        }
    }
}

impl Drop for TakeRecorder {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
