//! Build script: reads the one `tauri.conf.json` at the repository root (Tauri's default would be
//! this folder) and declares the app's commands so capabilities can allow them one by one.

fn main() {
    let commands = &["app_info", "build_prompt", "tiers", "presets", "genres"];
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script can only report by failing; say why in one line.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
