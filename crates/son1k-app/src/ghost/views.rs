//! What the Ghost Studio screen shows and sends: the project, its tracks and clips, the demo's
//! analysis and spectrum, the renders for live playback, and [`TrackEdit`], the screen's edits
//! as they arrive (the editor applies them as son1k-ghost's `Edit`).

use std::path::{Path, PathBuf};

use serde::Serialize;

use son1k_audio::fx::FxSpec;
use son1k_audio::mixdown::{ReturnBus, TrackSend};
use son1k_core::Knobs;
use son1k_ghost::editor::State;

use crate::project::ProjectDoc;

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
    /// The return buses the tracks send to (a shared reverb or delay), in order.
    pub returns: Vec<ReturnBus>,
    /// The user's master effects (they follow the knobs' chain).
    pub master_fx: Vec<FxSpec>,
    /// Whether an edit can be undone / redone.
    pub can_undo: bool,
    /// See `can_undo`.
    pub can_redo: bool,
    /// Set when the project file was damaged and its last good version was restored.
    pub damaged: Option<String>,
    /// The tempo and time signature the musician set (null: the analysis proposes them).
    pub tempo: Option<crate::project::ProjectTempo>,
    /// The timeline's markers, in time order.
    pub markers: Vec<crate::project::Marker>,
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
    /// Its take lane: each full pass of a loop recording, oldest first (not played; comping
    /// plays a region of one).
    pub takes: Vec<ClipView>,
    /// Its sends to the return buses (after its fader and pan).
    pub sends: Vec<TrackSend>,
}

fn clip_view(folder: &Path, c: &son1k_audio::mixdown::Clip) -> ClipView {
    ClipView {
        file: relative(folder, &c.file),
        offset: c.offset,
        trim_start: c.trim_start,
        length: c.length,
        fade_in: c.fade_in,
        fade_out: c.fade_out,
    }
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

/// One edit of the session as the screen sends it: son1k-ghost's own type, which its editor
/// applies (the UI's bindings are generated from it).
pub use son1k_ghost::edit::TrackEdit;

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

/// The demo's long-term spectrum on log-spaced bands, for the analysis panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SpectrumView {
    /// Band centres, Hz.
    pub hz: Vec<f32>,
    /// Band levels, dB relative to a full-scale sine.
    pub db: Vec<f32>,
}

pub(super) fn relative(folder: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(folder).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

pub(super) fn view_of(
    folder: &Path,
    doc: &ProjectDoc,
    state: &State,
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
                clips: t.clips.iter().map(|c| clip_view(folder, c)).collect(),
                takes: t.takes.iter().map(|c| clip_view(folder, c)).collect(),
                sends: t.sends.clone(),
            })
            .collect(),
        returns: state.session.returns.clone(),
        master_fx: state.master_fx.clone(),
        can_undo: history.0 > 0,
        can_redo: history.1 > 0,
        damaged: None,
        tempo: doc.tempo,
        markers: doc.markers.clone(),
    }
}
