//! The Voice screen's commands: import a recording, DSP transform (semitones, formant, stretch,
//! presets), loudness-matched A/B, voice profiles (with consent) and neural conversion with
//! progress. Recordings and results live in `DATA/voice`, which the page reads through
//! `son1k-voice://localhost/<file>`; commands name them by file name only.

use std::path::PathBuf;

use son1k_app::voice::{self, ConvertReport, TransformParams, TransformReport, VoiceProfile};
use son1k_app::Studio;
use tauri::{AppHandle, State};

use crate::commands::UiError;
use crate::ghost::{level_events, Takes};
use crate::tasks::{blocking, off_thread, run_task, Running};

/// The URI scheme that serves the voice folder to the webview.
pub const SCHEME: &str = "son1k-voice";

/// Copies a recording into the voice folder as a WAV (so the page can draw and play it);
/// returns its name there.
#[tauri::command]
#[specta::specta]
pub async fn voice_import(studio: State<'_, Studio>, file: PathBuf) -> Result<String, UiError> {
    off_thread(studio, "importing the recording", move |studio| {
        Ok(voice::import(&studio, &file)?)
    })
    .await
}

/// Transforms `input` (a file of the voice folder) into a new 24-bit WAV next to it.
#[tauri::command]
#[specta::specta]
pub async fn voice_transform(
    studio: State<'_, Studio>,
    input: String,
    params: TransformParams,
) -> Result<TransformReport, UiError> {
    off_thread(studio, "the transform", move |studio| {
        Ok(voice::transform_in_folder(&studio, &input, &params)?)
    })
    .await
}

/// The key heard in a file of the voice folder ("A minor"), for pitch correction to it.
#[tauri::command]
#[specta::specta]
pub async fn voice_key(studio: State<'_, Studio>, input: String) -> Result<String, UiError> {
    off_thread(studio, "the key analysis", move |studio| {
        let source = voice::voice_file(&studio, &input)?;
        Ok(son1k_app::audio::key_of_file(&source)?.name(son1k_core::Lang::En))
    })
    .await
}

/// Linear gains that play two files of the voice folder at the same loudness (A/B).
#[tauri::command]
#[specta::specta]
pub async fn voice_ab_gains(
    studio: State<'_, Studio>,
    a: String,
    b: String,
) -> Result<(f32, f32), UiError> {
    off_thread(studio, "matching loudness", move |studio| {
        let (a, b) = (
            voice::voice_file(&studio, &a)?,
            voice::voice_file(&studio, &b)?,
        );
        Ok(son1k_app::ghost::ab_gains_of_files(&a, &b)?)
    })
    .await
}

/// The saved voice profiles.
#[tauri::command]
#[specta::specta]
pub async fn voice_profiles(studio: State<'_, Studio>) -> Result<Vec<VoiceProfile>, UiError> {
    off_thread(studio, "listing voice profiles", move |studio| {
        Ok(studio.list_voice_profiles()?)
    })
    .await
}

/// Builds a profile from recordings of the voice folder; refused without `consent`.
#[tauri::command]
#[specta::specta]
pub async fn voice_profile_create(
    app: AppHandle,
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    name: String,
    files: Vec<String>,
    consent: bool,
) -> Result<VoiceProfile, UiError> {
    let studio = studio.inner().clone();
    run_task(
        app,
        &running,
        id,
        "making the voice profile",
        move |progress, _| {
            let paths = files
                .iter()
                .map(|f| voice::voice_file(&studio, f))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(studio.create_voice_profile(&name, &paths, consent, &mut |p| progress.report(p))?)
        },
    )
    .await
}

/// Deletes a voice profile.
#[tauri::command]
#[specta::specta]
pub async fn voice_profile_delete(studio: State<'_, Studio>, name: String) -> Result<(), UiError> {
    off_thread(studio, "deleting the voice profile", move |studio| {
        Ok(studio.delete_voice_profile(&name)?)
    })
    .await
}

/// Converts `input` (a file of the voice folder) to `profile`'s voice as a library job,
/// emitting [`crate::events::TaskProgress`] tagged with `id` ([`crate::commands::cancel_task`]
/// cancels it; no file is left). Missing models fail with the install command.
#[tauri::command]
#[specta::specta]
pub async fn voice_convert(
    app: AppHandle,
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    input: String,
    profile: String,
) -> Result<ConvertReport, UiError> {
    let studio = studio.inner().clone();
    run_task(
        app,
        &running,
        id,
        "the voice conversion",
        move |progress, cancel| {
            Ok(voice::convert_in_folder(
                &studio,
                &input,
                &profile,
                &mut |p| progress.report(p),
                cancel,
            )?)
        },
    )
    .await
}

/// Starts recording the default input into the voice folder (the crash-safe recorder Ghost
/// Studio uses), emitting [`crate::events::InputLevelChanged`] about every 50 ms; returns the
/// input device's name. With no input device the error says so and no file is left.
#[tauri::command]
#[specta::specta]
pub async fn voice_record_start(
    app: AppHandle,
    studio: State<'_, Studio>,
    takes: State<'_, Takes>,
) -> Result<String, UiError> {
    let (studio, takes) = (studio.inner().clone(), takes.inner().clone());
    blocking("starting the recording", move || {
        takes.begin(None, || voice::record_take(&studio, level_events(app)))
    })
    .await
}

/// Stops the Voice screen's take; returns its name in the voice folder.
#[tauri::command]
#[specta::specta]
pub async fn voice_record_stop(takes: State<'_, Takes>) -> Result<String, UiError> {
    let takes = takes.inner().clone();
    blocking("stopping the recording", move || {
        let (_, rec) = takes.end(false)?;
        let file = rec.stop()?;
        file.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .ok_or_else(|| UiError::new("io", format!("{} is not a file", file.display())))
    })
    .await
}

/// The Voice screen's results (transforms and conversions) still in the voice folder, newest
/// first.
#[tauri::command]
#[specta::specta]
pub async fn voice_results(studio: State<'_, Studio>) -> Result<Vec<voice::VoiceResult>, UiError> {
    off_thread(studio, "listing the results", move |studio| {
        Ok(voice::results(&studio))
    })
    .await
}

/// Copies the voice-folder file `file` into the folder `to` (never overwriting); the copy's path.
#[tauri::command]
#[specta::specta]
pub async fn voice_export(
    studio: State<'_, Studio>,
    file: String,
    to: PathBuf,
) -> Result<PathBuf, UiError> {
    off_thread(studio, "exporting the result", move |studio| {
        Ok(voice::export(&studio, &file, &to)?)
    })
    .await
}
