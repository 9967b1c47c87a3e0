//! `son1k info`: what this installation has and what it can reach.

use serde::Serialize;
use std::time::Duration;

use son1k_audio::AudioReport;

use crate::{ollama, OllamaStatus, Paths};

/// Time allowed for each environment probe; they run in parallel.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// A song engine and whether it can run here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EngineInfo {
    /// Stable identifier, e.g. `procedural`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Whether it can generate on this machine now.
    pub available: bool,
    /// Why not, or what it is.
    pub status: String,
}

/// A directory and whether it exists yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DirInfo {
    /// The path.
    pub path: String,
    /// Whether it exists (it is created on first write).
    pub exists: bool,
}

/// Everything `son1k info` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StudioInfo {
    /// The studio's version.
    pub version: String,
    /// Where projects and the library live.
    pub data_dir: DirInfo,
    /// Where re-creatable files live.
    pub cache_dir: DirInfo,
    /// Song engines and their status.
    pub engines: Vec<EngineInfo>,
    /// The local Ollama used by Lyric Studio.
    pub ollama: OllamaStatus,
    /// Audio host and devices.
    pub audio: AudioReport,
}

fn dir(path: &std::path::Path) -> DirInfo {
    DirInfo {
        path: path.display().to_string(),
        exists: path.is_dir(),
    }
}

/// The song engines this build knows about: the procedural engine is built in; neural engines
/// are not built yet, and say so instead of pretending.
pub fn engines() -> Vec<EngineInfo> {
    vec![
        EngineInfo {
            id: "procedural".into(),
            name: "Procedural composer + synthesizer".into(),
            available: true,
            status: "built in (son1k-compose): works offline on any machine, deterministic by seed"
                .into(),
        },
        EngineInfo {
            id: "neural".into(),
            name: "Neural song engine (Candle)".into(),
            available: false,
            status: "not built yet: needs son1k-ml and installed model weights".into(),
        },
    ]
}

/// Runs the probes in parallel, each bounded by [`PROBE_TIMEOUT`].
pub fn gather(paths: &Paths) -> StudioInfo {
    let host = std::env::var("OLLAMA_HOST")
        .ok()
        .filter(|h| !h.trim().is_empty());
    let ollama_probe = std::thread::spawn(move || ollama::probe(host.as_deref(), PROBE_TIMEOUT));
    let audio = son1k_audio::probe_devices(PROBE_TIMEOUT);
    let ollama = ollama_probe.join().unwrap_or_else(|_| OllamaStatus {
        address: ollama::DEFAULT_OLLAMA.into(),
        reachable: false,
        version: None,
        message: Some("the Ollama probe failed unexpectedly".into()),
    });
    StudioInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_dir: dir(&paths.data_dir),
        cache_dir: dir(&paths.cache_dir),
        engines: engines(),
        ollama,
        audio,
    }
}

/// The system's language as a tag (`es-ES`, `en`), from the POSIX locale variables in their
/// order of precedence (`LANGUAGE`'s first entry, `LC_ALL`, `LC_MESSAGES`, `LANG`); `None` when
/// none names a language (unset, `C` or `POSIX`: then the webview's own `navigator.language`
/// decides, which on Windows and macOS follows the system). WebKitGTK does not read these when
/// the locale is not installed, so the desktop hands this to the UI at start.
pub fn system_language() -> Option<String> {
    language_from(|name| std::env::var(name).ok())
}

/// [`system_language`] over any source of variables (tests pass their own).
pub fn language_from(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    for name in ["LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"] {
        let Some(value) = var(name) else { continue };
        let first = value.split(':').next().unwrap_or_default().trim();
        // `es_ES.UTF-8@euro` → `es-ES`.
        let tag = first
            .split(['.', '@'])
            .next()
            .unwrap_or_default()
            .replace('_', "-");
        if tag.is_empty() {
            continue;
        }
        if tag == "C" || tag == "POSIX" {
            return None;
        }
        if tag.len() <= 35 && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Some(tag);
        }
    }
    None
}

#[cfg(test)]
mod language_tests {
    use super::language_from;

    fn with(pairs: &[(&str, &str)]) -> Option<String> {
        language_from(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        })
    }

    #[test]
    fn the_locale_variables_name_the_language_in_their_order() {
        assert_eq!(with(&[("LANG", "es_ES.UTF-8")]).as_deref(), Some("es-ES"));
        assert_eq!(
            with(&[("LANG", "en_US.UTF-8"), ("LC_ALL", "es_MX.UTF-8@euro")]).as_deref(),
            Some("es-MX")
        );
        assert_eq!(
            with(&[("LANGUAGE", "es:en"), ("LANG", "en_GB.UTF-8")]).as_deref(),
            Some("es")
        );
        assert_eq!(
            with(&[("LANGUAGE", ""), ("LANG", "fr_FR.UTF-8")]).as_deref(),
            Some("fr-FR")
        );
        assert_eq!(
            with(&[("LC_ALL", "C"), ("LANG", "es_ES.UTF-8")]),
            None,
            "C overrides"
        );
        assert_eq!(with(&[("LANG", "C.UTF-8")]), None);
        assert_eq!(with(&[]), None);
        assert_eq!(
            with(&[("LANG", "es\"><script>")]),
            None,
            "only a tag's characters"
        );
    }
}
