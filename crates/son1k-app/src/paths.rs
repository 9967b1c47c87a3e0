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
