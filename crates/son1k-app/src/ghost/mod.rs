//! Ghost Studio through the façade: the knob chain on a file, and projects as multitrack
//! sessions — add a demo, produce a backing, render, export.
//!
//! The session model and its edits are son1k-ghost's (`Editor`, `Edit`); this module opens
//! projects, turns the screen's edits into the editor's ([`Mixing`]), and returns views. Its
//! files: `views` (what the screen shows and sends: [`ProjectView`], [`TrackEdit`], …),
//! `mixing` (a project open for editing, saved at each step), `export` (renders of the session
//! as it stands: the mix, the export, tracks for playback), `live` (the session playing
//! through the native engine, edits heard while it plays), `recorder` (takes recorded from
//! the default input, for Ghost Studio and the Voice screen), `tracking` (recording onto armed
//! tracks while the session plays: count-in, punch, loop takes) and `latency` (the measured
//! round trip that puts a take on the beat).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use son1k_audio::{write::Container, SampleFormat};
use son1k_core::{Knobs, Quality};
use son1k_ghost::editor::KNOB_SEED;
use son1k_ghost::produce::{produce, ProduceOptions};

use crate::paths::contained;
use crate::project::{self, ProjectDoc};
use crate::{AppError, Studio};

mod export;
pub mod latency;
mod live;
mod metronome;
mod mixing;
mod recorder;
mod tracking;
mod views;

pub use crate::project::{Marker, ProjectTempo};
pub use export::{render_tracks, MIX, TRACK_RENDERS};
pub use latency::{Calibration, LatencySettings, Measured};
pub use live::{
    EngineEvent, FrameSink, LiveOutput, LivePlayer, Monitor, PlaybackFrame, TrackLevel, Update,
    VirtualOutput, FRAME_EVERY, OUTPUT_ENV,
};
pub use metronome::{Metronome, METRONOME_TRACK};
pub use mixing::Mixing;
pub use recorder::{InputLevel, TakeRecorder, LEVEL_EVERY};
pub use tracking::{Arm, Compensation, RecordPlan, RecordedTake, Tracking};
pub use views::{
    ClipView, DemoAnalysis, GhostReport, ProduceReport, ProjectView, SectionView, SpectrumView,
    TrackAudio, TrackEdit, TrackView,
};

fn ghost_err(e: son1k_ghost::GhostError) -> AppError {
    match e {
        son1k_ghost::GhostError::Audio(a) => AppError::Audio(a),
        son1k_ghost::GhostError::Analysis(a) => AppError::Analysis(a),
        son1k_ghost::GhostError::Compose(c) => AppError::Compose(c),
        son1k_ghost::GhostError::Invalid(v) => AppError::Invalid(v),
        son1k_ghost::GhostError::Edit(m) => edit_error(m),
    }
}

fn edit_error(m: String) -> AppError {
    AppError::Invalid(son1k_core::ValidationError::new("edit", "", m))
}

/// Applies the knob chain to `input` and writes `output` (WAV or FLAC from its extension).
/// The knobs are in range by their type; the chain takes them as they are.
pub fn apply_file(
    input: &Path,
    output: &Path,
    knobs: &Knobs,
    bits: SampleFormat,
) -> Result<GhostReport, AppError> {
    Container::from_path(output)?;
    let audio = son1k_audio::decode_file(input)?;
    let out = son1k_ghost::knobs::apply(&audio, knobs, KNOB_SEED)?;
    son1k_audio::write_file(output, &out, bits)?;
    Ok(GhostReport {
        output: output.to_path_buf(),
        effects: son1k_ghost::knobs::chain(knobs, 0).len(),
        lufs_before: son1k_audio::measure(&audio)?.integrated_lufs,
        lufs_after: son1k_audio::measure(&out)?.integrated_lufs,
    })
}

/// A project found by name (the newest with that name) with its loaded document — as read
/// from disk by [`open`], or as it stands in an open [`Mixing`] ([`Mixing::project`]).
#[derive(Debug, Clone)]
pub struct OpenProject {
    /// Its folder.
    pub folder: PathBuf,
    /// Its document.
    pub doc: ProjectDoc,
    /// Set when the project file was damaged and its last good version was restored.
    pub damaged: Option<String>,
}

impl OpenProject {
    /// Renders the project's mix (its master chain included) to `out`.
    pub fn render(&self, out: &Path, bits: SampleFormat) -> Result<PathBuf, AppError> {
        export::render(&self.folder, &self.doc.session, out, bits)
    }

    /// Renders the project's mix to [`MIX`] (see [`render_mix`]).
    pub fn render_mix(&self) -> Result<String, AppError> {
        export::render_mix(&self.folder, &self.doc.session)
    }

    /// Makes a backing for the demo (the first clip) in its tempo and key, with the project's
    /// knobs (see [`make_backing`]). The session is not changed.
    pub fn make_backing(
        &self,
        prompt: &str,
        seed: u64,
        quality: Quality,
        progress: &mut dyn FnMut(son1k_core::Progress),
        cancel: &AtomicBool,
    ) -> Result<Backing, AppError> {
        let opts = ProduceOptions {
            demo: demo_file(self)?,
            prompt: prompt.to_string(),
            knobs: self.doc.knobs,
            seed,
            quality,
            instruments: Default::default(),
        };
        let prod = produce(&opts, &self.folder, progress, cancel).map_err(ghost_err)?;
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

    /// Exports the mix, its stems and the backing's MIDI (see [`export()`]).
    pub fn export(
        &self,
        dir: &Path,
        quality: Quality,
        normalize: bool,
    ) -> Result<Vec<PathBuf>, AppError> {
        export::export(&self.folder, &self.doc.session, dir, quality, normalize)
    }
}

/// Opens the newest project called `name`, or — when `name` is an absolute path to a folder
/// holding a `project.json` — that project (the desktop app refers to projects by folder, so two
/// projects with the same name stay apart). The project file is read once.
pub fn open(studio: &Studio, name: &str) -> Result<OpenProject, AppError> {
    let as_folder = Path::new(name);
    let folder = if as_folder.is_absolute() && as_folder.join(project::FILE).is_file() {
        as_folder.to_path_buf()
    } else {
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
        PathBuf::from(p.folder)
    };
    let loaded = project::load(&folder)?;
    Ok(OpenProject {
        folder,
        doc: loaded.doc,
        damaged: loaded.damaged,
    })
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
    progress: &mut dyn FnMut(son1k_core::Progress),
    cancel: &AtomicBool,
) -> Result<Backing, AppError> {
    open(studio, name)?.make_backing(prompt, seed, quality, progress, cancel)
}

/// Produces a backing for the project's demo (its first clip) in the demo's tempo and key and
/// places it on new tracks (replacing an earlier backing's tracks), keeping the user's tracks.
pub fn produce_backing(
    studio: &Studio,
    name: &str,
    prompt: &str,
    seed: u64,
    quality: Quality,
    progress: &mut dyn FnMut(son1k_core::Progress),
    cancel: &AtomicBool,
) -> Result<ProduceReport, AppError> {
    let mut m = Mixing::open(studio, name)?;
    let backing = m
        .project()
        .make_backing(prompt, seed, quality, progress, cancel)?;
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
    open(studio, name)?.render(out, bits)
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
    open(studio, name)?.export(dir, quality, normalize)
}

/// Renders the project's mix to `renders/mix.wav` in its folder (24-bit), for listening and A/B;
/// returns that path relative to the folder.
pub fn render_mix(studio: &Studio, project: &str) -> Result<String, AppError> {
    open(studio, project)?.render_mix()
}

/// The project as the screen shows it, without an edit history.
pub fn view(studio: &Studio, project: &str) -> Result<ProjectView, AppError> {
    let p = open(studio, project)?;
    let mut v = views::view_of(&p.folder, &p.doc, &p.doc.state(), (0, 0));
    v.damaged = p.damaged;
    Ok(v)
}

fn demo_file(p: &OpenProject) -> Result<PathBuf, AppError> {
    let clip = p
        .doc
        .session
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
        file: views::relative(&p.folder, &file),
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
        return Ok(views::relative(&p.folder, &src));
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
    Ok(views::relative(&p.folder, &out))
}

/// `file` (relative, `/`-separated) inside `folder`; refuses anything that would leave it.
fn inside(folder: &Path, file: &str) -> Result<PathBuf, AppError> {
    contained(folder, file).ok_or_else(|| {
        AppError::Invalid(son1k_core::ValidationError::new(
            "file",
            file,
            "must be a path inside the project folder",
        ))
    })
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

/// The project's demo (its first clip) as a magnitude spectrum on `bands` log-spaced bands
/// from 30 Hz up.
pub fn demo_spectrum(studio: &Studio, project: &str, bands: u32) -> Result<SpectrumView, AppError> {
    let p = open(studio, project)?;
    let audio = son1k_audio::decode_file(&demo_file(&p)?)?;
    let s = son1k_analysis::spectrum::log_spectrum(&audio, bands as usize, 30.0)?;
    Ok(SpectrumView { hz: s.hz, db: s.db })
}
