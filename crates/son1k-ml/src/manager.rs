//! The model manager: manifests (`models/*.json`, compiled in), and the installed files under a
//! models folder — install (download with progress, resume and checksum), import (local files),
//! verify, remove, and the paths a loader needs.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::MlError;

/// The manifests shipped with the studio.
const BUILTIN: [&str; 3] = [
    include_str!("../../../models/wavlm-large.json"),
    include_str!("../../../models/wavlm-base-plus.json"),
    include_str!("../../../models/knnvc-hifigan-prematched.json"),
];

/// One file of a model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestFile {
    /// File name once installed.
    pub name: String,
    /// What it is (`weights`).
    pub role: String,
    /// Where to download it.
    pub url: String,
    /// Its SHA-256 in hex, when recorded.
    pub sha256: Option<String>,
    /// Its size, when recorded.
    pub bytes: Option<u64>,
    /// A remark (e.g. why a hash is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A model's manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Its name.
    pub name: String,
    /// `wavlm` or `hifigan`.
    pub kind: String,
    /// What it is.
    pub description: String,
    /// The weights' licence.
    pub licence: String,
    /// Where the weights come from.
    pub source: String,
    /// Its files.
    pub files: Vec<ManifestFile>,
    /// File name of the configuration written at install time.
    pub config_file: String,
    /// The configuration.
    pub config: serde_json::Value,
    /// How the studio uses it.
    #[serde(default)]
    pub r#use: serde_json::Value,
}

/// An installed file's state.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileState {
    /// File name.
    pub name: String,
    /// Whether it is there.
    pub present: bool,
    /// Its size when present.
    pub bytes: Option<u64>,
}

/// A model with its install state, as `son1k models list` shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelState {
    /// The manifest.
    #[serde(flatten)]
    pub manifest: Manifest,
    /// Whether every file is present.
    pub installed: bool,
    /// The folder it installs into.
    pub dir: PathBuf,
    /// Each file's state.
    pub installed_files: Vec<FileState>,
}

/// What `verify` found for one file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Verified {
    /// File name.
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256.
    pub sha256: String,
    /// `ok`, or `unchecked` when the manifest records no hash.
    pub status: String,
}

/// The paths a loader needs for an installed model.
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    /// The configuration file.
    pub config: PathBuf,
    /// The weights file.
    pub weights: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
}

/// Download progress: (bytes so far, total when known).
pub type DownloadProgress<'a> = &'a mut dyn FnMut(u64, Option<u64>);

/// Manifests plus the folder models install into (one sub-folder per model).
#[derive(Debug, Clone)]
pub struct ModelManager {
    manifests: Vec<Manifest>,
    dir: PathBuf,
}

impl ModelManager {
    /// The built-in manifests, installing under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let manifests = BUILTIN
            .iter()
            .filter_map(|text| serde_json::from_str(text).ok())
            .collect();
        ModelManager {
            manifests,
            dir: dir.into(),
        }
    }

    /// Given manifests (tests, or a folder of extra manifests).
    pub fn with_manifests(dir: impl Into<PathBuf>, manifests: Vec<Manifest>) -> Self {
        ModelManager {
            manifests,
            dir: dir.into(),
        }
    }

    /// The models folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A manifest by name.
    pub fn manifest(&self, name: &str) -> Result<&Manifest, MlError> {
        self.manifests
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| MlError::UnknownModel {
                name: name.into(),
                known: self
                    .manifests
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    fn model_dir(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Every model and whether it is installed.
    pub fn list(&self) -> Vec<ModelState> {
        self.manifests
            .iter()
            .map(|m| {
                let dir = self.model_dir(&m.name);
                let installed_files: Vec<FileState> = m
                    .files
                    .iter()
                    .map(|f| {
                        let meta = std::fs::metadata(dir.join(&f.name)).ok();
                        FileState {
                            name: f.name.clone(),
                            present: meta.is_some(),
                            bytes: meta.map(|md| md.len()),
                        }
                    })
                    .collect();
                ModelState {
                    installed: installed_files.iter().all(|f| f.present)
                        && dir.join(&m.config_file).exists(),
                    manifest: m.clone(),
                    dir,
                    installed_files,
                }
            })
            .collect()
    }

    /// The installed paths of a model, or [`MlError::NotInstalled`] naming the command to run.
    pub fn installed(&self, name: &str) -> Result<Installed, MlError> {
        let m = self.manifest(name)?;
        let dir = self.model_dir(name);
        let weights = m
            .files
            .iter()
            .find(|f| f.role == "weights")
            .ok_or_else(|| MlError::BadFile {
                path: PathBuf::from(format!("models/{name}.json")),
                detail: "no weights file in the manifest".into(),
            })?;
        for f in [&weights.name, &m.config_file] {
            if !dir.join(f).exists() {
                return Err(MlError::NotInstalled {
                    model: name.into(),
                    missing: dir.join(f).display().to_string(),
                });
            }
        }
        Ok(Installed {
            config: dir.join(&m.config_file),
            weights: dir.join(&weights.name),
            manifest: m.clone(),
        })
    }

    fn write_config(&self, m: &Manifest) -> Result<(), MlError> {
        let dir = self.model_dir(&m.name);
        std::fs::create_dir_all(&dir).map_err(|e| MlError::io(&dir, "could not create", e))?;
        let path = dir.join(&m.config_file);
        let text =
            serde_json::to_string_pretty(&m.config).map_err(|e| MlError::Input(e.to_string()))?;
        son1k_fs::atomic_write(&path, text.as_bytes())
            .map_err(|e| MlError::io(&path, "could not write", e.source))
    }

    /// Downloads every missing file of a model: resumes a `.part` left by an interrupted download
    /// (HTTP range request), checks size and SHA-256 where the manifest records them, then moves the
    /// file into place. Files already present are kept.
    pub fn install(&self, name: &str, progress: DownloadProgress<'_>) -> Result<(), MlError> {
        let m = self.manifest(name)?.clone();
        self.write_config(&m)?;
        let dir = self.model_dir(name);
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(20))
            .timeout(None)
            .build()
            .map_err(|e| MlError::Download {
                url: String::new(),
                detail: e.to_string(),
            })?;
        for f in &m.files {
            let target = dir.join(&f.name);
            if target.exists() {
                continue;
            }
            let part = dir.join(format!("{}.part", f.name));
            download(&client, f, &part, progress)?;
            check_file(&part, f)?;
            // The `.part` keeps its fixed name (a later install resumes it); only its last step,
            // fsync and rename, is the shared one.
            son1k_fs::replace(&part, &target)
                .map_err(|e| MlError::io(&target, "could not write", e.source))?;
        }
        Ok(())
    }

    /// Copies local files into a model's folder: each is matched to a manifest file by name, or, for
    /// a model with one weights file, a single file of any name is taken as it. Each copy is checked
    /// like a download.
    pub fn import(&self, name: &str, files: &[PathBuf]) -> Result<Vec<String>, MlError> {
        let m = self.manifest(name)?.clone();
        if files.is_empty() {
            return Err(MlError::Input("name at least one file to import".into()));
        }
        let mut plan = Vec::new();
        for src in files {
            if !src.is_file() {
                return Err(MlError::Input(format!("{}: no such file", src.display())));
            }
            let file_name = src
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let entry = m
                .files
                .iter()
                .find(|f| f.name == file_name)
                .or_else(|| (files.len() == 1 && m.files.len() == 1).then(|| &m.files[0]));
            match entry {
                Some(f) => plan.push((src.clone(), f.clone())),
                None => {
                    return Err(MlError::Input(format!(
                        "{}: not a file of {name} (expected: {})",
                        src.display(),
                        m.files
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
        }
        self.write_config(&m)?;
        let dir = self.model_dir(name);
        let mut done = Vec::new();
        for (src, f) in plan {
            // Copied under a temporary name that is removed on any failure, checked, then renamed.
            let target = dir.join(&f.name);
            let mut part = son1k_fs::AtomicFile::create(&target)
                .map_err(|e| MlError::io(&target, "could not write", e.source))?;
            let mut from =
                std::fs::File::open(&src).map_err(|e| MlError::io(&src, "could not copy", e))?;
            let mut to = std::io::BufWriter::with_capacity(1 << 20, &mut part);
            std::io::copy(&mut from, &mut to)
                .and_then(|_| to.flush())
                .map_err(|e| MlError::io(&src, "could not copy", e))?;
            drop(to);
            check_file(part.path(), &f)?;
            part.commit()
                .map_err(|e| MlError::io(&target, "could not write", e.source))?;
            done.push(f.name.clone());
        }
        Ok(done)
    }

    /// Hashes every installed file and compares with the manifest.
    pub fn verify(&self, name: &str) -> Result<Vec<Verified>, MlError> {
        let m = self.manifest(name)?;
        let dir = self.model_dir(name);
        let mut out = Vec::new();
        for f in &m.files {
            let path = dir.join(&f.name);
            if !path.exists() {
                return Err(MlError::NotInstalled {
                    model: name.into(),
                    missing: path.display().to_string(),
                });
            }
            let (bytes, sha) = hash_file(&path)?;
            check_against(f, bytes, &sha)?;
            out.push(Verified {
                name: f.name.clone(),
                bytes,
                sha256: sha,
                status: if f.sha256.is_some() {
                    "ok"
                } else {
                    "unchecked"
                }
                .into(),
            });
        }
        Ok(out)
    }

    /// Deletes a model's folder. Returns whether anything was there.
    pub fn remove(&self, name: &str) -> Result<bool, MlError> {
        self.manifest(name)?;
        let dir = self.model_dir(name);
        if !dir.exists() {
            return Ok(false);
        }
        std::fs::remove_dir_all(&dir).map_err(|e| MlError::io(&dir, "could not delete", e))?;
        Ok(true)
    }
}

fn hash_file(path: &Path) -> Result<(u64, String), MlError> {
    let mut file = std::fs::File::open(path).map_err(|e| MlError::io(path, "could not open", e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| MlError::io(path, "could not read", e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

fn check_against(f: &ManifestFile, bytes: u64, sha: &str) -> Result<(), MlError> {
    if let Some(want) = f.bytes {
        if want != bytes {
            return Err(MlError::Verify {
                file: f.name.clone(),
                detail: format!("size is {bytes} bytes, the manifest says {want}"),
            });
        }
    }
    if let Some(want) = &f.sha256 {
        if !want.eq_ignore_ascii_case(sha) {
            return Err(MlError::Verify {
                file: f.name.clone(),
                detail: format!(
                    "SHA-256 is {sha}, the manifest says {want} (damaged or wrong file)"
                ),
            });
        }
    }
    Ok(())
}

fn check_file(path: &Path, f: &ManifestFile) -> Result<(), MlError> {
    let (bytes, sha) = hash_file(path)?;
    let r = check_against(f, bytes, &sha);
    if r.is_err() {
        let _ = std::fs::remove_file(path);
    }
    r
}

fn download(
    client: &reqwest::blocking::Client,
    f: &ManifestFile,
    part: &Path,
    progress: DownloadProgress<'_>,
) -> Result<(), MlError> {
    let fail = |detail: String| MlError::Download {
        url: f.url.clone(),
        detail,
    };
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut req = client.get(&f.url);
    if have > 0 {
        req = req.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut resp = req.send().map_err(|e| {
        fail(format!(
            "{e} (offline? import the file with \"son1k models import\")"
        ))
    })?;
    let status = resp.status();
    let resumed = status == reqwest::StatusCode::PARTIAL_CONTENT;
    if !status.is_success() {
        return Err(fail(format!("the server answered {status}")));
    }
    let start = if resumed { have } else { 0 };
    let total = resp.content_length().map(|l| l + start).or(f.bytes);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(part)
        .map_err(|e| MlError::io(part, "could not write", e))?;
    let mut done = start;
    let mut buf = vec![0u8; 1 << 16];
    progress(done, total);
    loop {
        let n = resp.read(&mut buf).map_err(|e| fail(e.to_string()))?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n])
            .map_err(|e| MlError::io(part, "could not write", e))?;
        done += n as u64;
        progress(done, total);
    }
    file.sync_all()
        .map_err(|e| MlError::io(part, "could not write", e))?;
    Ok(())
}
