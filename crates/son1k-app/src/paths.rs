//! Where Son1k Studio keeps its files.

use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::AppError;

/// The data and cache directories. `SON1K_HOME` puts both under one folder (portable installs,
/// tests); otherwise the platform's conventions apply (XDG on Linux, `~/Library` on macOS,
/// `%APPDATA%` on Windows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Paths {
    /// Projects, the library database, settings.
    pub data_dir: PathBuf,
    /// Re-creatable files: previews, analysis caches, downloads in progress.
    pub cache_dir: PathBuf,
}

impl Paths {
    /// The local library database.
    pub fn library_db(&self) -> PathBuf {
        self.data_dir.join("library.db")
    }

    /// The Generator's takes, one folder each (`DATA/songs`).
    pub fn songs_dir(&self) -> PathBuf {
        self.data_dir.join("songs")
    }

    /// Ghost Studio projects, one folder each (`DATA/projects`).
    pub fn projects_dir(&self) -> PathBuf {
        self.data_dir.join("projects")
    }

    /// The Voice screen's recordings and results (`DATA/voice`).
    pub fn voice_dir(&self) -> PathBuf {
        self.data_dir.join("voice")
    }

    /// Voice profiles, each with its consent record (`DATA/voices`).
    pub fn profiles_dir(&self) -> PathBuf {
        self.data_dir.join("voices")
    }

    /// Nova Post Pilot's releases, one folder each: posts, clips, calendar (`DATA/releases`).
    pub fn releases_dir(&self) -> PathBuf {
        self.data_dir.join("releases")
    }

    /// Installed model weights and their manifests (`DATA/models`).
    pub fn models_dir(&self) -> PathBuf {
        self.data_dir.join("models")
    }

    /// Reads `SON1K_HOME`, falling back to the platform directories.
    pub fn from_env() -> Result<Self, AppError> {
        match std::env::var_os("SON1K_HOME").filter(|v| !v.is_empty()) {
            Some(home) => Ok(Paths::under(Path::new(&home))),
            None => {
                let dirs = directories::ProjectDirs::from("studio", "Son1k", "Son1k Studio")
                    .ok_or(AppError::NoHome)?;
                Ok(Paths {
                    data_dir: dirs.data_dir().to_path_buf(),
                    cache_dir: dirs.cache_dir().to_path_buf(),
                })
            }
        }
    }

    /// Both directories under one root: `ROOT/data` and `ROOT/cache`.
    pub fn under(root: &Path) -> Self {
        Paths {
            data_dir: root.join("data"),
            cache_dir: root.join("cache"),
        }
    }

    /// Creates both directories if they are missing.
    pub fn ensure(&self) -> Result<(), AppError> {
        for dir in [&self.data_dir, &self.cache_dir] {
            std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
                action: "could not create",
                path: dir.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Whether `segment` is a plain file or folder name: not empty, not starting with a dot (so never
/// `.` or `..`, nor a hidden file), without `/`, `\\`, `:` (a Windows drive) or control characters.
pub fn plain_name(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && !segment
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | ':'))
}

/// `relative` (`/`-separated, leading and doubled `/` ignored) inside `root`, or `None` when any
/// segment is not a [`plain_name`] or nothing is named. The one guard that keeps what a command
/// or the webview names inside the folder it is served from.
pub fn contained(root: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    let mut any = false;
    for segment in relative.split('/').filter(|s| !s.is_empty()) {
        if !plain_name(segment) {
            return None;
        }
        path.push(segment);
        any = true;
    }
    any.then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contained_paths_never_leave_their_folder() {
        let root = Path::new("/data/projects");
        assert_eq!(
            contained(root, "demo/audio/take 1.wav"),
            Some(root.join("demo/audio/take 1.wav"))
        );
        assert_eq!(contained(root, "/a//b"), Some(root.join("a/b")));
        for bad in [
            "",
            "/",
            "..",
            "a/../../x",
            "./a",
            ".hidden",
            "a\\b",
            "c:",
            "a/\u{7}",
        ] {
            assert_eq!(contained(root, bad), None, "{bad:?}");
        }
    }
}
