//! Nexus Visual's commands (the Visual screen): the scenes, a music video rendered as a task
//! (progress, `cancel_task`), and the `son1k-visual://` scheme through which the page reads the
//! frame at the playhead. Each is one call into `son1k-app`.

use son1k_app::visual::{Previews, SceneInfo, Stage, StageStatus};
use son1k_app::{Studio, VisualOptions, VisualReport};
use tauri::{AppHandle, Manager, State};

use crate::commands::UiError;
use crate::tasks::{off_thread, run_task, Running};

/// The URI scheme of the live frames
/// (`son1k-visual://localhost/<take>/<scene>/<seed>/<w>x<h>/<ms>`).
pub const SCHEME: &str = "son1k-visual";

/// Answers one frame request off the UI thread.
pub fn serve(
    app: &AppHandle,
    request: tauri::http::Request<Vec<u8>>,
    responder: tauri::UriSchemeResponder,
) {
    let studio = app.state::<Studio>().inner().clone();
    let previews = app.state::<Previews>().inner().clone();
    let path = request.uri().path().to_string();
    tauri::async_runtime::spawn_blocking(move || {
        responder.respond(crate::songs::answer(previews.serve(&studio, &path)))
    });
}

/// The built-in scenes.
#[tauri::command]
#[specta::specta]
pub fn visual_scenes() -> Vec<SceneInfo> {
    son1k_app::visual::scenes()
}

/// Renders a music video of a take; cancellable with `id`.
#[tauri::command]
#[specta::specta]
pub async fn visual_render(
    app: AppHandle,
    studio: State<'_, Studio>,
    running: State<'_, Running>,
    id: String,
    options: VisualOptions,
) -> Result<VisualReport, UiError> {
    let studio = studio.inner().clone();
    run_task(
        app,
        &running,
        id,
        "rendering the video",
        move |task, cancel| Ok(studio.visual_render(&options, &mut |p| task.report(p), cancel)?),
    )
    .await
}

/// Plays a take through the audio engine from `from` seconds (the Visual screen's stage).
#[tauri::command]
#[specta::specta]
pub async fn visual_play(
    studio: State<'_, Studio>,
    stage: State<'_, Stage>,
    song: String,
    from: f64,
) -> Result<StageStatus, UiError> {
    let stage = stage.inner().clone();
    off_thread(studio, "starting playback", move |studio| {
        Ok(stage.play(&studio, &song, from)?)
    })
    .await
}

/// Stops the Visual screen's playback.
#[tauri::command]
#[specta::specta]
pub fn visual_stop(stage: State<'_, Stage>) -> StageStatus {
    stage.stop()
}

/// Where the Visual screen's playback stands (its position drives the frames).
#[tauri::command]
#[specta::specta]
pub fn visual_status(stage: State<'_, Stage>) -> StageStatus {
    stage.status()
}
