//! The UI's TypeScript bindings must match the shell's commands and events.
//!
//! Fails when `ui/src/lib/bindings.ts` is stale; `make bindings` (or running this test with
//! `SON1K_UPDATE_BINDINGS=1`) rewrites it.

use std::path::PathBuf;

#[test]
fn typescript_bindings_are_up_to_date() {
    let checked_in = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings.ts");
    let fresh = std::env::temp_dir().join(format!("son1k-bindings-{}.ts", std::process::id()));
    son1k_studio::export_bindings(&fresh).unwrap();
    let generated = std::fs::read_to_string(&fresh).unwrap();
    let _ = std::fs::remove_file(&fresh);
    assert!(generated.contains("buildPrompt") && generated.contains("DeepLinkOpened"));
    if std::env::var_os("SON1K_UPDATE_BINDINGS").is_some() {
        std::fs::write(&checked_in, &generated).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&checked_in).unwrap_or_default();
    assert!(
        current == generated,
        "ui/src/lib/bindings.ts is out of date with src-tauri's commands; run `make bindings` and commit the result"
    );
}
