//! Voice profiles: a consenting speaker's WavLM features, kept under the library's data folder as
//! `NAME/profile.json` + `NAME/features.safetensors`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::MlError;

/// The statement a user confirms before a profile is made from someone's recordings.
pub const CONSENT_STATEMENT: &str = "I am this speaker, or this speaker has given me explicit permission to record and convert their voice, and I will not use it to deceive or impersonate.";

/// What a profile records about itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VoiceProfile {
    /// Its name.
    pub name: String,
    /// Seconds since the Unix epoch when it was made.
    pub created_unix: u64,
    /// The consent statement the user confirmed.
    pub consent: String,
    /// The recordings it was built from (file names only).
    pub sources: Vec<String>,
    /// Seconds of speech in it.
    pub seconds: f64,
    /// Feature frames in it.
    pub frames: usize,
    /// Width of each frame.
    pub width: usize,
    /// The encoder model that made the features (features of different models do not mix).
    pub model: String,
}

/// The folder that holds profiles.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    dir: PathBuf,
}

/// Whether a name is usable as a profile name (and a folder name on every platform).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl ProfileStore {
    /// Profiles under `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ProfileStore { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn check_name(name: &str) -> Result<(), MlError> {
        if valid_name(name) {
            Ok(())
        } else {
            Err(MlError::Input(format!(
                "\"{name}\" is not a usable profile name: use 1–64 letters, digits, '-' or '_'"
            )))
        }
    }

    /// Saves a new profile; refuses without `consent` or when the name is taken. Written to a
    /// temporary folder and renamed, so a crash leaves either the whole profile or none.
    pub fn create(
        &self,
        meta: &VoiceProfile,
        features: &Tensor,
        consent: bool,
    ) -> Result<(), MlError> {
        if !consent {
            return Err(MlError::Consent(format!(
                "a voice profile needs the speaker's consent; confirm with --i-have-the-right: \"{CONSENT_STATEMENT}\""
            )));
        }
        Self::check_name(&meta.name)?;
        let target = self.dir.join(&meta.name);
        if target.exists() {
            return Err(MlError::ProfileExists(meta.name.clone()));
        }
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| MlError::io(&self.dir, "could not create", e))?;
        // Half-made profiles of processes that died; the folder is removed if this one fails.
        son1k_fs::remove_abandoned(&target);
        let tmp = son1k_fs::AtomicDir::create(&target)
            .map_err(|e| MlError::io(e.path, "could not create", e.source))?;
        let json = serde_json::to_string_pretty(meta).map_err(|e| MlError::Input(e.to_string()))?;
        let meta_file = tmp.path().join("profile.json");
        std::fs::write(&meta_file, json)
            .map_err(|e| MlError::io(&meta_file, "could not write", e))?;
        let mut map = HashMap::new();
        map.insert("features".to_string(), features.clone());
        candle_core::safetensors::save(&map, tmp.path().join("features.safetensors"))?;
        tmp.commit()
            .map_err(|e| MlError::io(&target, "could not create", e.source))?;
        Ok(())
    }

    /// Every profile, by name.
    pub fn list(&self) -> Result<Vec<VoiceProfile>, MlError> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(MlError::io(&self.dir, "could not list", e)),
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if !valid_name(&name) {
                continue;
            }
            if let Ok(p) = self.meta(&name) {
                out.push(p);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn meta(&self, name: &str) -> Result<VoiceProfile, MlError> {
        let path = self.dir.join(name).join("profile.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MlError::UnknownProfile { name: name.into() })
            }
            Err(e) => return Err(MlError::io(&path, "could not read", e)),
        };
        serde_json::from_str(&text).map_err(|e| MlError::BadFile {
            path,
            detail: format!("damaged profile: {e}"),
        })
    }

    /// A profile and its features.
    pub fn load(&self, name: &str, device: &Device) -> Result<(VoiceProfile, Tensor), MlError> {
        if !valid_name(name) {
            return Err(MlError::UnknownProfile { name: name.into() });
        }
        let meta = self.meta(name)?;
        let path = self.dir.join(name).join("features.safetensors");
        let mut t = candle_core::safetensors::load(&path, device)?;
        let feats = t.remove("features").ok_or_else(|| MlError::MissingTensor {
            file: path.clone(),
            name: "features".into(),
        })?;
        Ok((meta, feats))
    }

    /// Deletes a profile.
    pub fn delete(&self, name: &str) -> Result<(), MlError> {
        if !valid_name(name) || !self.dir.join(name).join("profile.json").exists() {
            return Err(MlError::UnknownProfile { name: name.into() });
        }
        let path = self.dir.join(name);
        std::fs::remove_dir_all(&path).map_err(|e| MlError::io(&path, "could not delete", e))
    }
}
