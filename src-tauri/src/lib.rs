//! The Son1k Studio desktop shell.
//!
//! Tauri commands that parse their arguments and forward to the `son1k-app` façade, the plugins
//! the product needs (opener, dialog, `son1k://` deep links, single instance) and the typed event
//! stream. No domain logic lives here: if a command grows an `if` about music, tiers or files, that
//! code belongs in `son1k-app` or a domain crate. The TypeScript bindings the UI imports are
//! generated from these signatures by [`specta_builder`] (see `tests/bindings.rs`).
#![deny(missing_docs)]

#[macro_use]
mod command_list;

pub mod account;
pub mod commands;
pub mod events;
pub mod ghost;
pub mod library;
pub mod lyrics;
pub mod release;
pub mod songs;
pub mod tasks;
pub mod visual;
pub mod voice;

use son1k_app::{Paths, Studio};
use tauri::{Emitter, Manager};
use tauri_specta::{collect_commands, collect_events, Builder, Event};

/// The command and event registry, shared by the running app and the bindings export.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(for_each_command!(collect_commands))
        .events(collect_events![
            events::DeepLinkOpened,
            events::TaskProgress,
            events::LyricsText,
            events::PostText,
            events::PlaybackChanged,
            events::InputLevelChanged
        ])
        // The only 64-bit integers that cross are seeds, which the UI keeps below 2^32: plain
        // JSON numbers carry them exactly.
        .dangerously_cast_bigints_to_number()
}

/// Writes the TypeScript bindings for every command and event to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    let ts = specta_typescript::Typescript::default().header(
        "// Generated from src-tauri by `make bindings`. Do not edit by hand.\n// @ts-nocheck",
    );
    specta_builder().export(ts, path).map_err(|e| e.to_string())
}

fn forward_links(app: &tauri::AppHandle, urls: Vec<String>) {
    if urls.is_empty() {
        return;
    }
    if let Err(e) = (events::DeepLinkOpened { urls }).emit(app) {
        eprintln!("son1k-studio: could not forward a son1k:// link to the window: {e}");
    }
}

/// Answers a request of one of the file schemes from the folder `folder` names, off the UI thread.
fn serve_folder(
    app: &tauri::AppHandle,
    folder: fn(&Paths) -> std::path::PathBuf,
    request: tauri::http::Request<Vec<u8>>,
    responder: tauri::UriSchemeResponder,
) {
    let root = folder(app.state::<Studio>().paths());
    let path = request.uri().path().to_string();
    tauri::async_runtime::spawn_blocking(move || responder.respond(songs::serve(&root, &path)));
}

/// The script that hands the system's language to the UI (`window.__SON1K_SYSTEM_LANG`).
fn language_script(lang: Option<String>) -> String {
    let value = serde_json::to_string(&lang).unwrap_or_else(|_| "null".into());
    format!("window.__SON1K_SYSTEM_LANG = {value};")
}

/// Starts the desktop app. Exits with a message if the studio's folders cannot be found.
pub fn run() {
    let studio = match Studio::open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("son1k-studio: {e}");
            std::process::exit(1);
        }
    };
    // The audio devices and buffer chosen in Settings, for every stream the app opens.
    if let Err(e) = studio.apply_audio_settings() {
        eprintln!("son1k-studio: the saved audio settings could not be read, the system's devices are used: {e}");
    }
    let builder = specta_builder();
    let app = tauri::Builder::default()
        // Single instance first: a second launch (e.g. from a son1k:// link) hands its arguments
        // to the running window instead of opening another one.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
            let links = argv
                .into_iter()
                .filter(|a| a.starts_with("son1k://"))
                .collect();
            forward_links(app, links);
        }))
        // The system's language for the UI's first choice of language, before the page's
        // scripts run (WebKitGTK's navigator.language ignores a locale that is not installed).
        .plugin(
            tauri::plugin::Builder::<tauri::Wry>::new("son1k-language")
                .js_init_script(language_script(son1k_app::info::system_language()))
                .build(),
        )
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        // The webview reads takes (audio for the waveform and the player) from the songs
        // folder, Ghost Studio's project audio (clips, renders, previews) from the projects
        // folder and the Voice screen's recordings from the voice folder, each through its own
        // scheme; they serve nothing else.
        .register_asynchronous_uri_scheme_protocol(songs::SCHEME, |ctx, request, responder| {
            serve_folder(ctx.app_handle(), Paths::songs_dir, request, responder)
        })
        .register_asynchronous_uri_scheme_protocol(ghost::SCHEME, |ctx, request, responder| {
            serve_folder(ctx.app_handle(), Paths::projects_dir, request, responder)
        })
        .register_asynchronous_uri_scheme_protocol(voice::SCHEME, |ctx, request, responder| {
            serve_folder(ctx.app_handle(), Paths::voice_dir, request, responder)
        })
        .register_asynchronous_uri_scheme_protocol(visual::SCHEME, |ctx, request, responder| {
            visual::serve(ctx.app_handle(), request, responder)
        })
        .manage(studio)
        .manage(son1k_app::visual::Previews::default())
        .manage(son1k_app::visual::Stage::default())
        .manage(tasks::Running::default())
        .manage(ghost::Mixer::default())
        .manage(ghost::Takes::default())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            use tauri_plugin_deep_link::DeepLinkExt;
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                forward_links(
                    &handle,
                    event.urls().iter().map(|u| u.to_string()).collect(),
                );
            });
            // Installed packages register son1k:// through their desktop entry; a development or
            // portable run registers itself. Failing to register is not fatal.
            #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
            if let Err(e) = app.deep_link().register_all() {
                eprintln!("son1k-studio: son1k:// links will not open this app: {e}");
            }
            let _ = app.emit("son1k://ready", ());
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("son1k-studio: could not start the window: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    /// `allow-app-info` for `app_info`: the permission Tauri generates for a command.
    fn permission(command: &str) -> String {
        format!("allow-{}", command.replace('_', "-"))
    }

    #[test]
    fn the_capabilities_allow_exactly_the_registered_commands() {
        let names: &[&str] = for_each_command!(command_names);
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src-tauri/capabilities/default.json"
        );
        let text = std::fs::read_to_string(file).expect("the capabilities file");
        let caps: serde_json::Value = serde_json::from_str(&text).expect("capabilities are JSON");
        let allowed: Vec<&str> = caps["permissions"]
            .as_array()
            .expect("a permissions list")
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.contains(':'))
            .collect();
        let expected: Vec<String> = names.iter().map(|n| permission(n)).collect();
        assert_eq!(
            allowed, expected,
            "{file} must allow each command of command_list.rs, in order"
        );
        let mut unique = names.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a command is listed twice");
    }
}
