//! Build script of the desktop shell. Its manifest is the root `Cargo.toml`, so Tauri finds the one
//! `tauri.conf.json` at the repository root; capabilities stay in `src-tauri/capabilities/`. It
//! declares the app's commands so capabilities can allow them one by one.

fn main() {
    let commands = &[
        "app_info",
        "build_prompt",
        "tiers",
        "presets",
        "genres",
        "generate",
        "cancel_generation",
        "list_songs",
        "reveal_song",
        "project_create",
        "project_open",
        "project_import",
        "project_analyze",
        "project_set_knobs",
        "project_produce",
        "project_edit",
        "project_undo",
        "project_render",
        "project_export",
        "project_playable",
        "project_ab_gains",
        "pick_path",
        "project_track_audio",
        "project_spectrum",
        "record_start",
        "record_stop",
        "library_entries",
        "jobs_list",
        "job_cancel",
        "lyrics_models",
        "lyrics_check",
        "lyrics_write",
        "lyrics_rewrite",
        "lyrics_tagged",
        "account_status",
        "account_sign_in",
        "account_logout",
        "account_refresh",
        "account_checkout",
        "pool_list",
        "pool_ranking",
        "pool_claim",
        "pool_like",
        "voice_import",
        "voice_transform",
        "voice_key",
        "voice_ab_gains",
        "voice_profiles",
        "voice_profile_create",
        "voice_profile_delete",
        "voice_convert",
        "voice_record_start",
        "voice_record_stop",
    ];
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script can only report by failing; say why in one line.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
