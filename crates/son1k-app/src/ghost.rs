//! Ghost Studio through the façade: the knob chain on a file, and projects as multitrack
//! sessions — add a demo, produce a backing, render, export.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::Serialize;

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
        son1k_ghost::GhostError::Edit(m) => {
            AppError::Invalid(son1k_core::ValidationError::new("edit", "", m))
        }
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

/// Copies `file` into the project's `audio/` folder and adds it on a new track named after it.
pub fn add(studio: &Studio, name: &str, file: &Path) -> Result<String, AppError> {
    let mut p = open(studio, name)?;
    // Decoding first refuses what is not audio before anything is copied.
    son1k_audio::decode_file(file)?;
    let base = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audio".into());
    let ext = file
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let mut session = session_of(&p.doc)?;
    let mut track = base.clone();
    let mut n = 2;
    while session.tracks.iter().any(|t| t.name == track) {
        track = format!("{base} {n}");
        n += 1;
    }
    let dest_name = format!("{}{}", track.replace(' ', "-"), ext);
    let dest = p.folder.join("audio").join(&dest_name);
    std::fs::create_dir_all(p.folder.join("audio")).map_err(|source| AppError::Io {
        action: "could not create",
        path: p.folder.join("audio"),
        source,
    })?;
    std::fs::copy(file, &dest).map_err(|source| AppError::Io {
        action: "could not copy into the project",
        path: dest.clone(),
        source,
    })?;
    let mut ed = Editor::new(session);
    ed.add_track(&track).map_err(ghost_err)?;
    ed.add_clip(
        &track,
        Clip::whole(PathBuf::from("audio").join(&dest_name), 0.0),
    )
    .map_err(ghost_err)?;
    session = ed.session().clone();
    with_session(&mut p.doc, &session)?;
    project::save(&p.folder, &p.doc)?;
    Ok(track)
}

/// Sets the project's knobs (they drive its master chain).
pub fn set_knobs(studio: &Studio, name: &str, knobs: Knobs) -> Result<(), AppError> {
    let mut p = open(studio, name)?;
    p.doc.knobs = knobs;
    let mut session = session_of(&p.doc)?;
    session.master = son1k_ghost::knobs::chain(&knobs, 0x6057);
    with_session(&mut p.doc, &session)?;
    project::save(&p.folder, &p.doc)?;
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

/// Produces a backing for the project's demo (its first clip) in the demo's tempo and key.
pub fn produce_backing(
    studio: &Studio,
    name: &str,
    prompt: &str,
    seed: u64,
    quality: Quality,
    progress: &mut dyn FnMut(f32, &str),
    cancel: &AtomicBool,
) -> Result<ProduceReport, AppError> {
    let mut p = open(studio, name)?;
    let session = session_of(&p.doc)?;
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
    // Keep the user's tracks; a new backing replaces an earlier one.
    let backing: Vec<_> = prod
        .session
        .tracks
        .iter()
        .filter(|t| t.name != "demo")
        .cloned()
        .collect();
    let mut merged = session.clone();
    merged
        .tracks
        .retain(|t| !backing.iter().any(|b| b.name == t.name));
    merged.tracks.extend(backing);
    merged.master = prod.session.master.clone();
    merged.sample_rate = prod.session.sample_rate;
    merged.validate()?;
    with_session(&mut p.doc, &merged)?;
    project::save(&p.folder, &p.doc)?;
    Ok(ProduceReport {
        demo: prod.demo,
        tracks: merged.tracks.iter().map(|t| t.name.clone()).collect(),
        midi: prod.midi,
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
    /// Whether a mix edit can be undone / redone.
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
}

/// One mix edit on a track.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "lowercase")]
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
    session: &Session,
    history: (usize, usize),
) -> ProjectView {
    ProjectView {
        name: doc.name.clone(),
        folder: folder.to_path_buf(),
        dir: folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        knobs: doc.knobs,
        tracks: session
            .tracks
            .iter()
            .map(|t| TrackView {
                name: t.name.clone(),
                gain_db: t.gain_db,
                pan: t.pan,
                mute: t.mute,
                solo: t.solo,
                clips: t
                    .clips
                    .iter()
                    .map(|c| ClipView {
                        file: relative(folder, &c.file),
                        offset: c.offset,
                        trim_start: c.trim_start,
                        length: c.length,
                    })
                    .collect(),
            })
            .collect(),
        can_undo: history.0 > 0,
        can_redo: history.1 > 0,
        damaged: None,
    }
}

/// A project open for mixing: its session in an [`Editor`], so gain, pan, mute and solo edits
/// can be undone and redone. Every edit, undo and redo is saved at once (atomically). Calls that
/// change the project on disk by other means (add, produce, knobs) end the history: call
/// [`Mixing::reload`] after them.
#[derive(Debug)]
pub struct Mixing {
    folder: PathBuf,
    doc: ProjectDoc,
    editor: Editor,
    /// Edits that can be undone and redone (the editor keeps the snapshots).
    depth: (usize, usize),
    damaged: Option<String>,
}

impl Mixing {
    /// Opens `project` (a name or a project folder) for mixing.
    pub fn open(studio: &Studio, project: &str) -> Result<Self, AppError> {
        let p = open(studio, project)?;
        let damaged = project::load(&p.folder)?.damaged;
        let session = session_of(&p.doc)?;
        Ok(Mixing {
            folder: p.folder,
            doc: p.doc,
            editor: Editor::new(session),
            depth: (0, 0),
            damaged,
        })
    }

    /// Reads the project again from disk, starting a fresh history.
    pub fn reload(&mut self) -> Result<ProjectView, AppError> {
        let loaded = project::load(&self.folder)?;
        self.editor = Editor::new(session_of(&loaded.doc)?);
        self.depth = (0, 0);
        self.doc = loaded.doc;
        self.damaged = loaded.damaged;
        Ok(self.view())
    }

    /// The project's folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// What the screen shows.
    pub fn view(&self) -> ProjectView {
        let mut v = view_of(&self.folder, &self.doc, self.editor.session(), self.depth);
        v.damaged = self.damaged.clone();
        v
    }

    fn save(&mut self) -> Result<ProjectView, AppError> {
        with_session(&mut self.doc, self.editor.session())?;
        self.doc = project::save(&self.folder, &self.doc)?;
        self.editor.mark_saved();
        Ok(self.view())
    }

    /// Applies one edit (rejected edits change nothing) and saves.
    pub fn apply(&mut self, edit: &TrackEdit) -> Result<ProjectView, AppError> {
        let r = match edit {
            TrackEdit::Gain { track, db } => self.editor.set_gain(track, db.clamp(-60.0, 12.0)),
            TrackEdit::Pan { track, pan } => self.editor.set_pan(track, pan.clamp(-1.0, 1.0)),
            TrackEdit::Mute { track, on } => self.editor.set_mute(track, *on),
            TrackEdit::Solo { track, on } => self.editor.set_solo(track, *on),
        };
        r.map_err(ghost_err)?;
        self.depth = ((self.depth.0 + 1).min(son1k_ghost::editor::HISTORY), 0);
        self.save()
    }

    /// Undoes the last edit (nothing when there is none) and saves.
    pub fn undo(&mut self) -> Result<ProjectView, AppError> {
        if self.editor.undo() {
            self.depth = (self.depth.0.saturating_sub(1), self.depth.1 + 1);
            self.save()
        } else {
            Ok(self.view())
        }
    }

    /// Redoes the last undone edit (nothing when there is none) and saves.
    pub fn redo(&mut self) -> Result<ProjectView, AppError> {
        if self.editor.redo() {
            self.depth = (self.depth.0 + 1, self.depth.1.saturating_sub(1));
            self.save()
        } else {
            Ok(self.view())
        }
    }
}

/// The project as the screen shows it, without an edit history.
pub fn view(studio: &Studio, project: &str) -> Result<ProjectView, AppError> {
    let p = open(studio, project)?;
    Ok(view_of(&p.folder, &p.doc, &session_of(&p.doc)?, (0, 0)))
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
