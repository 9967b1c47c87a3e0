//! The library as the user sees it: songs and projects, newest first, with their files.

use std::path::{Path, PathBuf};

use serde::Serialize;
use son1k_store::{Generation, Project, Store, StoreError};

use crate::AppError;

/// One thing in the library.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Entry {
    /// A generated song.
    Song {
        /// Id (the job that made it).
        id: String,
        /// The prompt.
        prompt: String,
        /// The song's folder.
        dir: PathBuf,
        /// The mix.
        mix: PathBuf,
        /// Seed.
        seed: i64,
        /// Engine.
        engine: String,
        /// Milliseconds since the Unix epoch.
        created_ms: i64,
        /// Whether the folder is still there.
        present: bool,
    },
    /// A project folder.
    Project {
        /// Id.
        id: String,
        /// Name.
        name: String,
        /// Folder.
        folder: PathBuf,
        /// Milliseconds since the Unix epoch.
        created_ms: i64,
        /// Whether the folder is still there.
        present: bool,
    },
}

impl Entry {
    /// Its id.
    pub fn id(&self) -> &str {
        match self {
            Entry::Song { id, .. } | Entry::Project { id, .. } => id,
        }
    }

    /// Its folder.
    pub fn folder(&self) -> &Path {
        match self {
            Entry::Song { dir, .. } => dir,
            Entry::Project { folder, .. } => folder,
        }
    }

    fn created_ms(&self) -> i64 {
        match self {
            Entry::Song { created_ms, .. } | Entry::Project { created_ms, .. } => *created_ms,
        }
    }
}

fn song(g: Generation) -> Entry {
    let dir = PathBuf::from(g.files["dir"].as_str().unwrap_or_default());
    Entry::Song {
        prompt: g.request["prompt"].as_str().unwrap_or_default().to_string(),
        mix: PathBuf::from(g.files["mix"].as_str().unwrap_or_default()),
        present: dir.join("mix.wav").is_file(),
        dir,
        id: g.id,
        seed: g.seed,
        engine: g.engine,
        created_ms: g.created_ms,
    }
}

fn project(p: Project) -> Entry {
    let folder = PathBuf::from(&p.folder);
    Entry::Project {
        present: folder.is_dir(),
        id: p.id,
        name: p.name,
        folder,
        created_ms: p.created_ms,
    }
}

/// Songs and projects, newest first.
pub fn entries(store: &Store) -> Result<Vec<Entry>, AppError> {
    let mut all: Vec<Entry> = store.generations()?.into_iter().map(song).collect();
    all.extend(store.projects()?.into_iter().map(project));
    all.sort_by_key(|e| std::cmp::Reverse(e.created_ms()));
    Ok(all)
}

/// One entry by id (or unique id prefix, as printed by `library list`).
pub fn show(store: &Store, id: &str) -> Result<Entry, AppError> {
    let matches: Vec<Entry> = entries(store)?
        .into_iter()
        .filter(|e| e.id() == id || (id.len() >= 4 && e.id().starts_with(id)))
        .collect();
    match matches.len() {
        1 => Ok(matches.into_iter().next().ok_or_else(|| not_found(id))?),
        0 => Err(not_found(id)),
        _ => Err(AppError::Invalid(son1k_core::ValidationError::new(
            "id",
            id,
            "matches more than one library entry; give more of the id",
        ))),
    }
}

fn not_found(id: &str) -> AppError {
    AppError::Store(StoreError::NotFound {
        kind: "library entry",
        id: id.into(),
    })
}

/// Forgets an entry and deletes its folder.
pub fn delete(store: &Store, id: &str) -> Result<Entry, AppError> {
    let e = show(store, id)?;
    match &e {
        Entry::Song { id, .. } => store.delete_generation(id)?,
        Entry::Project { id, .. } => store.delete_project(id)?,
    }
    let dir = e.folder();
    if dir.is_dir() {
        std::fs::remove_dir_all(dir).map_err(|source| AppError::Io {
            action: "could not delete",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    Ok(e)
}
