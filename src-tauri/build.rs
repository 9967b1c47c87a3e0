//! Build script of the desktop shell. Its manifest is the root `Cargo.toml`, so Tauri finds the one
//! `tauri.conf.json` at the repository root; capabilities stay in `src-tauri/capabilities/`. It
//! declares the app's commands (from `src/command_list.rs`, the one list) so capabilities can
//! allow them one by one.

include!("src/command_list.rs");

fn main() {
    let commands: &[&str] = for_each_command!(command_names);
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script can only report by failing; say why in one line.
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
