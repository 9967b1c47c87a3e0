//! The Voice screen's commands: import a recording, DSP transform (semitones, formant, stretch,
//! presets), loudness-matched A/B, voice profiles (with consent) and neural conversion with
//! progress. Recordings and results live in `DATA/voice`, which the page reads through
//! `son1k-voice://localhost/<file>`; commands name them by file name only.

use std::path::{Path, PathBuf};

use son1k_app::voice::{self, ConvertReport, TransformReport};
use son1k_app::Studio;
use son1k_audio::SampleFormat;
use son1k_ml::profile::VoiceProfile;
use son1k_voice::TransformParams;
use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::commands::{blocking, end_task, start_task, Running, UiError};
use crate::events::GenerationProgress;
use crate::ghost::{level_events, Takes};

/// The URI scheme that serves the voice folder to the webview.
pub const SCHEME: &str = "son1k-voice";

/// Where the Voice screen keeps recordings and results.
pub fn voice_dir(studio: &Studio) -> PathBuf {
    voice::voice_dir(studio)
}

/// `name` inside the voice folder; a bare file name only.
fn inside(studio: &Studio, name: &str) -> Result<PathBuf, UiError> {
    let plain = Path::new(name)
        .file_name()
        .is_some_and(|f| f == std::ffi::OsStr::new(name));
    if !plain {
        return Err(UiError::new(
            "invalid-input",
            format!("\"{name}\" is not a file of the voice folder"),
        ));
    }
    Ok(voice_dir(studio).join(name))
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> UiError {
    UiError::new("io", format!("could not {what} {}: {e}", path.display()))
}

/// Copies a recording into the voice folder as a WAV (so the page can draw and play it);
/// returns its name there.
#[tauri::command]
#[specta::specta]
pub async fn voice_import(studio: State<'_, Studio>, file: PathBuf) -> Result<String, UiError> {
    let studio = studio.inner().clone();
    blocking("importing the recording", move || {
        let dir = voice_dir(&studio);
        std::fs::create_dir_all(&dir).map_err(|e| io_err("create", &dir, e))?;
        let stem = file
            .file_stem()
            .map(|n| n.to_string_lossy().to_string())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                UiError::new("invalid-input", format!("{} is not a file", file.display()))
            })?;
        let audio = son1k_audio::decode_file(&file).map_err(son1k_app::AppError::from)?;
        let name = format!("{stem}.wav");
        son1k_audio::write_file(&dir.join(&name), &audio, SampleFormat::I24)
            .map_err(son1k_app::AppError::from)?;
        Ok(name)
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
    let studio = studio.inner().clone();
    blocking("the transform", move || {
        let source = inside(&studio, &input)?;
        let stem = source
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "voice".into());
        let output = source.with_file_name(format!("{stem}.transformed.wav"));
        let mut report = voice::transform_file(&source, &output, &params, SampleFormat::I24)?;
        report.output = PathBuf::from(format!("{stem}.transformed.wav"));
        Ok(report)
    })
    .await
}

/// The key heard in a file of the voice folder ("A minor"), for pitch correction to it.
#[tauri::command]
#[specta::specta]
pub async fn voice_key(studio: State<'_, Studio>, input: String) -> Result<String, UiError> {
    let studio = studio.inner().clone();
    blocking("the key analysis", move || {
        let source = inside(&studio, &input)?;
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
    let studio = studio.inner().clone();
    blocking("matching loudness", move || {
        let (a, b) = (inside(&studio, &a)?, inside(&studio, &b)?);
        Ok(son1k_app::ghost::ab_gains_of_files(&a, &b)?)
    })
    .await
}

/// The saved voice profiles.
#[tauri::command]
#[specta::specta]
pub async fn voice_profiles(studio: State<'_, Studio>) -> Result<Vec<VoiceProfile>, UiError> {
    let studio = studio.inner().clone();
    blocking("listing voice profiles", move || {
        Ok(studio
            .voice_profiles()
            .list()
            .map_err(son1k_app::AppError::from)?)
    })
    .await
}

/// Builds a profile from recordings of the voice folder; refused without `consent`.
#[tauri::command]
#[specta::specta]
pub async fn voice_profile_create(
    app: AppHandle,
    studio: State<'_, Studio>,
    id: String,
    name: String,
    files: Vec<String>,
    consent: bool,
) -> Result<VoiceProfile, UiError> {
    let studio = studio.inner().clone();
    blocking("making the voice profile", move || {
        let paths = files
            .iter()
            .map(|f| inside(&studio, f))
            .collect::<Result<Vec<_>, _>>()?;
        let mut progress = progress_to(&app, &id);
        Ok(studio.create_voice_profile(&name, &paths, consent, &mut progress)?)
    })
    .await
}

/// Deletes a voice profile.
#[tauri::command]
#[specta::specta]
pub async fn voice_profile_delete(studio: State<'_, Studio>, name: String) -> Result<(), UiError> {
    let studio = studio.inner().clone();
    blocking("deleting the voice profile", move || {
        Ok(studio
            .voice_profiles()
            .delete(&name)
            .map_err(son1k_app::AppError::from)?)
    })
    .await
}

/// Converts `input` (a file of the voice folder) to `profile`'s voice as a library job,
/// emitting [`GenerationProgress`] tagged with `id` ([`crate::commands::cancel_generation`]
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
    let cancel = start_task(&running, &id)?;
    let studio = studio.inner().clone();
    let task = id.clone();
    let result = blocking("the voice conversion", move || {
        let source = inside(&studio, &input)?;
        let stem = source
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "voice".into());
        let name = format!("{stem}.{profile}.wav");
        let mut progress = progress_to(&app, &task);
        let mut report = studio.convert_voice(
            &source,
            &profile,
            &source.with_file_name(&name),
            &mut |fraction, stage| progress(stage, fraction),
            &cancel,
        )?;
        report.output = PathBuf::from(name);
        Ok(report)
    })
    .await;
    end_task(&running, &id);
    result
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

fn progress_to<'a>(app: &'a AppHandle, id: &'a str) -> impl FnMut(&str, f64) + 'a {
    let mut last = (-1.0, String::new());
    move |stage: &str, fraction: f64| {
        if fraction - last.0 < 0.01 && stage == last.1 && fraction < 1.0 {
            return;
        }
        last = (fraction, stage.to_string());
        let event = GenerationProgress {
            id: id.to_string(),
            fraction,
            stage: stage.to_string(),
        };
        if let Err(e) = event.emit(app) {
            eprintln!("son1k-studio: could not send voice progress: {e}");
        }
    }
}
