//! The URI schemes through which the webview reads the studio's files: `son1k-song://` (the
//! Generator's takes), `son1k-project://` (Ghost Studio's project audio) and `son1k-voice://`
//! (the Voice screen's recordings). Which file a request names, and that it stays inside its
//! folder, is decided by `son1k_app::webview`; this module only answers in HTTP.

use std::path::Path;

use son1k_app::webview::{self, Served};
use tauri::http::{header, Response, StatusCode};

/// The URI scheme that serves the songs folder to the webview
/// (`son1k-song://localhost/<take>/mix.wav`; `http://son1k-song.localhost/…` on Windows).
pub const SCHEME: &str = "son1k-song";

/// Answers one request for a file under `root`: the file's bytes, 404 when it does not exist,
/// 400 for a path outside the folder.
pub fn serve(root: &Path, request_path: &str) -> Response<Vec<u8>> {
    answer(webview::serve(root, request_path))
}

/// The HTTP answer for what the façade served.
pub fn answer(served: Served) -> Response<Vec<u8>> {
    let (status, mime, body) = match served {
        Served::File { bytes, mime } => (StatusCode::OK, mime, bytes),
        Served::BadPath => (StatusCode::BAD_REQUEST, "text/plain", b"bad path".to_vec()),
        Served::Missing(why) => (StatusCode::NOT_FOUND, "text/plain", why.into_bytes()),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static(mime));
    // The page (tauri://localhost) fetches from this scheme, which is another origin.
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    response
}

/// Renames the take `name` (its folder name) to `title`; the take as listed afterwards.
#[tauri::command]
#[specta::specta]
pub async fn take_rename(
    studio: tauri::State<'_, son1k_app::Studio>,
    name: String,
    title: String,
) -> Result<son1k_app::SongSummary, crate::commands::UiError> {
    crate::tasks::off_thread(studio, "renaming the take", move |studio| {
        Ok(studio.rename_take(&name, &title)?)
    })
    .await
}

/// Deletes the take `name` (its folder name) and nothing else.
#[tauri::command]
#[specta::specta]
pub async fn take_delete(
    studio: tauri::State<'_, son1k_app::Studio>,
    name: String,
) -> Result<(), crate::commands::UiError> {
    crate::tasks::off_thread(studio, "deleting the take", move |studio| {
        Ok(studio.delete_take(&name)?)
    })
    .await
}

/// Makes a Ghost Studio project named `project` from the take `name`: its stems on tracks
/// aligned at zero. Returns the project's folder (to open in Ghost Studio).
#[tauri::command]
#[specta::specta]
pub async fn take_to_project(
    studio: tauri::State<'_, son1k_app::Studio>,
    name: String,
    project: String,
) -> Result<String, crate::commands::UiError> {
    crate::tasks::off_thread(studio, "opening the take in Ghost Studio", move |studio| {
        let (folder, _) = studio.project_from_take(&name, &project)?;
        Ok(folder.to_string_lossy().into_owned())
    })
    .await
}
