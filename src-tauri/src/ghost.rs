//! Ghost Studio's commands: projects, import, analysis, knobs, produce, mix edits with
//! undo/redo, render, export, A/B. Each forwards to `son1k_app::ghost`; the project open for
//! mixing (with its edit history) is held in [`Mixer`]. Projects are named by their folder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use son1k_app::ghost::{
    self, latency, Calibration, DemoAnalysis, FrameSink, LatencySettings, LiveOutput, Marker,
    Metronome, Mixing, PlaybackFrame, ProjectTempo, ProjectView, RecordPlan, RecordedTake,
    SpectrumView, TakeRecorder, TrackAudio, TrackEdit,
};
use son1k_app::{AppError, Studio};
use son1k_core::{Knobs, Quality};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_specta::Event;

use crate::commands::UiError;
use crate::events::{InputLevelChanged, PlaybackChanged};
use crate::tasks::{blocking, off_thread, run_task, Running};

/// The URI scheme that serves the projects folder to the webview
/// (`son1k-project://localhost/<project folder>/<file>`).
pub const SCHEME: &str = "son1k-project";

/// The project open for mixing, with its undo history.
#[derive(Default, Clone)]
pub struct Mixer(Arc<Mutex<Option<Mixing>>>);

impl Mixer {
    /// Runs `f` on the mixing state of `project`, opening it first when another (or none) is
    /// open; `reload` re-reads it from disk first (after a change made by other means).
    fn with<T>(
        &self,
        studio: &Studio,
        project: &str,
        reload: bool,
        f: impl FnOnce(&mut Mixing) -> Result<T, AppError>,
    ) -> Result<T, UiError> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_mut() {
            Some(m) if m.folder() == Path::new(project) => {
                if reload {
                    m.reload()?;
                }
            }
            _ => *slot = Some(Mixing::open(studio, project)?),
        }
        match slot.as_mut() {
            Some(m) => Ok(f(m)?),
            None => Err(UiError::new("internal", "no project is open".into())),
        }
    }
}

fn view_after(studio: &Studio, mixer: &Mixer, project: &str) -> Result<ProjectView, UiError> {
    mixer.with(studio, project, true, |m| Ok(m.view()))
}

/// Creates a project and opens it.
#[tauri::command]
#[specta::specta]
pub async fn project_create(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    name: String,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("creating the project", move || {
        let (folder, _) = studio.create_project(&name)?;
        view_after(&studio, &mixer, &folder.to_string_lossy())
    })
    .await
}

/// Opens a project (a folder from the library) for mixing.
#[tauri::command]
#[specta::specta]
pub async fn project_open(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("opening the project", move || {
        mixer.with(&studio, &project, false, |m| Ok(m.view()))
    })
    .await
}

/// Copies an audio file into the project on a new track (undoable).
#[tauri::command]
#[specta::specta]
pub async fn project_import(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    file: PathBuf,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("importing the file", move || {
        mixer.with(&studio, &project, false, |m| {
            m.import(&file)?;
            Ok(m.view())
        })
    })
    .await
}

/// Tempo, key, loudness and sections of the project's demo.
#[tauri::command]
#[specta::specta]
pub async fn project_analyze(
    studio: State<'_, Studio>,
    project: String,
) -> Result<DemoAnalysis, UiError> {
    off_thread(studio, "the analysis", move |studio| {
        Ok(ghost::analyze_demo(&studio, &project)?)
    })
    .await
}

/// Sets the project's knobs (they drive its master chain; undoable).
#[tauri::command]
#[specta::specta]
pub async fn project_set_knobs(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    knobs: Knobs,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("setting the knobs", move || {
        mixer.with(&studio, &project, false, |m| m.set_knobs(knobs))
    })
    .await
}

/// Produces a backing for the demo in its tempo and key, emitting [`crate::events::TaskProgress`] tagged
/// with `id` (which `cancel_task` takes), and places it on new tracks (undoable).
#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
pub async fn project_produce(
    app: AppHandle,
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    running: State<'_, Running>,
    id: String,
    project: String,
    prompt: String,
    seed: u32,
    quality: Quality,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    run_task(
        app,
        &running,
        id,
        "producing the backing",
        move |progress, cancel| {
            let backing = ghost::make_backing(
                &studio,
                &project,
                &prompt,
                u64::from(seed),
                quality,
                &mut |p| progress.report(p),
                cancel,
            )?;
            mixer.with(&studio, &project, false, |m| m.put_backing(&backing))
        },
    )
    .await
}

/// One edit (mix, clip, track or effect chain), saved at once and undoable.
#[tauri::command]
#[specta::specta]
pub async fn project_edit(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    edit: TrackEdit,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("the edit", move || {
        mixer.with(&studio, &project, false, |m| m.apply(&edit))
    })
    .await
}

/// Undoes (or with `redo`, redoes) the last edit.
#[tauri::command]
#[specta::specta]
pub async fn project_undo(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    redo: bool,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("undo", move || {
        mixer.with(&studio, &project, false, |m| {
            if redo {
                m.redo()
            } else {
                m.undo()
            }
        })
    })
    .await
}

/// Renders the mix into the project folder; returns its path relative to the folder.
#[tauri::command]
#[specta::specta]
pub async fn project_render(studio: State<'_, Studio>, project: String) -> Result<String, UiError> {
    off_thread(studio, "the render", move |studio| {
        Ok(ghost::render_mix(&studio, &project)?)
    })
    .await
}

/// Exports mix, stems and MIDI into `dir` (default: `export/` in the project folder).
#[tauri::command]
#[specta::specta]
pub async fn project_export(
    studio: State<'_, Studio>,
    project: String,
    dir: Option<PathBuf>,
    quality: Quality,
    normalize: bool,
) -> Result<Vec<PathBuf>, UiError> {
    off_thread(studio, "the export", move |studio| {
        let dir = dir.unwrap_or_else(|| Path::new(&project).join("export"));
        Ok(ghost::export(&studio, &project, &dir, quality, normalize)?)
    })
    .await
}

/// A WAV the page can draw and play for a project file (a WAV copy of other formats).
#[tauri::command]
#[specta::specta]
pub async fn project_playable(
    studio: State<'_, Studio>,
    project: String,
    file: String,
) -> Result<String, UiError> {
    off_thread(studio, "preparing the audio", move |studio| {
        Ok(ghost::playable(&studio, &project, &file)?)
    })
    .await
}

/// Linear gains that play two project files at the same loudness, for A/B.
#[tauri::command]
#[specta::specta]
pub async fn project_ab_gains(
    studio: State<'_, Studio>,
    project: String,
    a: String,
    b: String,
) -> Result<(f32, f32), UiError> {
    off_thread(studio, "matching loudness", move |studio| {
        Ok(ghost::ab_gains(&studio, &project, &a, &b)?)
    })
    .await
}

/// Asks the user for an audio file (or, with `folder`, a folder); None when they cancel.
#[tauri::command]
#[specta::specta]
pub async fn pick_path(app: AppHandle, folder: bool) -> Result<Option<PathBuf>, UiError> {
    blocking("the file dialog", move || {
        let dialog = app.dialog().file();
        let picked = if folder {
            dialog.blocking_pick_folder()
        } else {
            dialog
                .add_filter(
                    "Audio",
                    &["wav", "flac", "mp3", "ogg", "m4a", "aac", "aif", "aiff"],
                )
                .blocking_pick_file()
        };
        chosen_path(picked)
    })
    .await
}

/// What a file dialog returned, as a path (None when the user cancelled).
pub(crate) fn chosen_path(
    picked: Option<tauri_plugin_dialog::FilePath>,
) -> Result<Option<PathBuf>, UiError> {
    picked
        .map(|p| p.into_path())
        .transpose()
        .map_err(|e| UiError::new("dialog", format!("the chosen path cannot be used: {e}")))
}

/// Every track rendered alone (clips and effects; gain, pan, mute and solo are left to the
/// page's player), rendering only tracks that changed. The lock is held only to copy the session.
#[tauri::command]
#[specta::specta]
pub async fn project_track_audio(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
) -> Result<Vec<TrackAudio>, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("rendering the tracks", move || {
        let (folder, session) = mixer.with(&studio, &project, false, |m| {
            Ok((m.folder().to_path_buf(), m.session().clone()))
        })?;
        Ok(ghost::render_tracks(&folder, &session)?)
    })
    .await
}

/// The demo's spectrum on `bands` log-spaced bands.
#[tauri::command]
#[specta::specta]
pub async fn project_spectrum(
    studio: State<'_, Studio>,
    project: String,
    bands: u32,
) -> Result<SpectrumView, UiError> {
    off_thread(studio, "the spectrum", move |studio| {
        Ok(ghost::demo_spectrum(&studio, &project, bands)?)
    })
    .await
}

/// The take being recorded, if any (one at a time, from either screen): the project it goes
/// into, or `None` for the Voice screen's folder.
#[derive(Default, Clone)]
pub struct Takes(Arc<Mutex<Option<Take>>>);

/// A take being recorded: the project it goes into (`None`: the Voice screen) and its recorder.
pub(crate) type Take = (Option<String>, TakeRecorder);

impl Takes {
    /// Starts a take with `start` unless one is being recorded; returns the input device.
    pub(crate) fn begin(
        &self,
        project: Option<String>,
        start: impl FnOnce() -> Result<TakeRecorder, AppError>,
    ) -> Result<String, UiError> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_some() {
            return Err(UiError::new(
                "busy",
                "a take is already being recorded".into(),
            ));
        }
        let rec = start()?;
        let device = rec.device().to_string();
        *slot = Some((project, rec));
        Ok(device)
    }

    /// Whether a take is being recorded.
    pub(crate) fn busy(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Takes the take being recorded for a project (`for_project`) or for the Voice screen.
    pub(crate) fn end(&self, for_project: bool) -> Result<Take, UiError> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some((p, _)) if p.is_some() == for_project => {}
            _ => return Err(UiError::new("idle", "nothing is being recorded".into())),
        }
        slot.take()
            .ok_or_else(|| UiError::new("idle", "nothing is being recorded".into()))
    }
}

/// Starts recording a take into the project as `plan` says — the count-in, then the session
/// playing through the engine from the take's start (looping a loop recording's region) while
/// the default input records — emitting [`InputLevelChanged`] about every 50 ms and the
/// playback frames as [`PlaybackChanged`]; returns the input device's name.
#[tauri::command]
#[specta::specta]
pub async fn record_start(
    app: AppHandle,
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    takes: State<'_, Takes>,
    project: String,
    plan: RecordPlan,
) -> Result<String, UiError> {
    let (studio, mixer, takes) = (
        studio.inner().clone(),
        mixer.inner().clone(),
        takes.inner().clone(),
    );
    blocking("starting the recording", move || {
        if takes.busy() {
            return Err(UiError::new(
                "busy",
                "the Voice screen is recording: stop it first".into(),
            ));
        }
        let sink = playback_events(app.clone(), project.clone());
        mixer.with(&studio, &project, false, |m| {
            m.record_start(
                &studio,
                plan,
                LiveOutput::from_env(),
                level_events(app),
                sink,
            )
        })
    })
    .await
}

/// Stops the take and places it on its tracks (one undoable edit): the position from the
/// clocks and the latency compensation, a punch only in its region, a loop's passes as takes.
#[tauri::command]
#[specta::specta]
pub async fn record_stop(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
) -> Result<RecordedTake, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("stopping the recording", move || {
        mixer.with(&studio, &project, false, |m| m.record_stop())
    })
    .await
}

/// Sets the project's tempo and time signature (null: the analysis proposes them) and saves.
#[tauri::command]
#[specta::specta]
pub async fn project_set_tempo(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    tempo: Option<ProjectTempo>,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("saving the tempo", move || {
        mixer.with(&studio, &project, false, |m| m.set_tempo(tempo))
    })
    .await
}

/// Sets the timeline's markers (kept in time order) and saves.
#[tauri::command]
#[specta::specta]
pub async fn project_set_markers(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    markers: Vec<Marker>,
) -> Result<ProjectView, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("saving the markers", move || {
        mixer.with(&studio, &project, false, |m| m.set_markers(markers))
    })
    .await
}

/// The latency compensation in force: the calibrations measured and the manual nudge.
#[tauri::command]
#[specta::specta]
pub async fn latency_settings(studio: State<'_, Studio>) -> Result<LatencySettings, UiError> {
    off_thread(studio, "reading the latency settings", move |studio| {
        Ok(latency::settings(&studio))
    })
    .await
}

/// Measures the output-to-input round trip for sessions at `sample_rate` with chirps (the
/// output must reach the input: a loopback cable or the interface's loopback).
#[tauri::command]
#[specta::specta]
pub async fn latency_calibrate(
    studio: State<'_, Studio>,
    sample_rate: u32,
) -> Result<Calibration, UiError> {
    off_thread(studio, "calibrating the latency", move |studio| {
        Ok(latency::calibrate(
            &studio,
            LiveOutput::Default,
            sample_rate,
        )?)
    })
    .await
}

/// Sets the manual latency nudge, milliseconds (−500 … 500).
#[tauri::command]
#[specta::specta]
pub async fn latency_set_manual(
    studio: State<'_, Studio>,
    ms: f64,
) -> Result<LatencySettings, UiError> {
    off_thread(studio, "saving the latency nudge", move |studio| {
        Ok(latency::set_manual_offset(&studio, ms)?)
    })
    .await
}

/// Forwards a recorder's input level to the page as [`InputLevelChanged`].
pub(crate) fn level_events(
    app: AppHandle,
) -> impl FnMut(son1k_app::ghost::InputLevel) + Send + 'static {
    move |level| {
        let event = InputLevelChanged {
            peak: level.peak,
            seconds: level.seconds,
        };
        let _ = event.emit(&app);
    }
}

/// Forwards the engine's playback frames to the page as [`PlaybackChanged`].
fn playback_events(app: AppHandle, project: String) -> FrameSink {
    Arc::new(move |frame: PlaybackFrame| {
        let _ = PlaybackChanged {
            project: project.clone(),
            frame,
        }
        .emit(&app);
    })
}

/// Plays the project through the audio engine from `from` seconds (looping `region` when
/// given), emitting [`PlaybackChanged`] about 30 times a second; edits made while it plays are
/// heard at once. With no output device the error's code is `audio-device`.
#[tauri::command]
#[specta::specta]
pub async fn project_play(
    app: AppHandle,
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    from: f64,
    region: Option<(f64, f64)>,
) -> Result<PlaybackFrame, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("starting playback", move || {
        let sink = playback_events(app, project.clone());
        mixer.with(&studio, &project, false, |m| {
            m.play(LiveOutput::from_env(), from, region, sink)
        })
    })
    .await
}

/// Stops the project's playback at the current position (null when it was not playing).
#[tauri::command]
#[specta::specta]
pub async fn project_stop(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
) -> Result<Option<PlaybackFrame>, UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("stopping playback", move || {
        mixer.with(&studio, &project, false, |m| m.stop())
    })
    .await
}

/// Moves the playhead to `seconds`, and sets the loop region (null: no loop).
#[tauri::command]
#[specta::specta]
pub async fn project_seek(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    seconds: Option<f64>,
    region: Option<(f64, f64)>,
) -> Result<(), UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("moving the playhead", move || {
        mixer.with(&studio, &project, false, |m| {
            m.seek_and_loop(seconds, region)
        })
    })
    .await
}

/// Sounds a gain, pan, mute or solo change (`edit`) or the knobs on the playing project at
/// once, without an edit (while a control moves; the edit follows when it is let go).
#[tauri::command]
#[specta::specta]
pub async fn project_preview(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    edit: Option<TrackEdit>,
    knobs: Option<Knobs>,
) -> Result<(), UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("the preview", move || {
        mixer.with(&studio, &project, false, |m| {
            m.preview_change(edit.as_ref(), knobs)
        })
    })
    .await
}

/// Turns the metronome on with `metronome`'s settings (or off with null): heard at once while
/// the project plays, in renders and exports only when its `in_export` says so.
#[tauri::command]
#[specta::specta]
pub async fn project_metronome(
    studio: State<'_, Studio>,
    mixer: State<'_, Mixer>,
    project: String,
    metronome: Option<Metronome>,
) -> Result<(), UiError> {
    let (studio, mixer) = (studio.inner().clone(), mixer.inner().clone());
    blocking("the metronome", move || {
        mixer.with(&studio, &project, false, |m| m.set_metronome(metronome))
    })
    .await
}
