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

/// Opens the newest project called `name`.
pub fn open(studio: &Studio, name: &str) -> Result<OpenProject, AppError> {
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
        Clip {
            file: PathBuf::from("audio").join(&dest_name),
            offset: 0.0,
            trim_start: 0.0,
            length: None,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        },
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
    let demo_clip = session
        .tracks
        .iter()
        .flat_map(|t| t.clips.iter())
        .next()
        .ok_or_else(|| {
            AppError::Invalid(son1k_core::ValidationError::new(
                "project",
                name,
                "the project has no audio yet: add a demo first (son1k project add NAME FILE)",
            ))
        })?;
    let demo = if demo_clip.file.is_absolute() {
        demo_clip.file.clone()
    } else {
        p.folder.join(&demo_clip.file)
    };
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
