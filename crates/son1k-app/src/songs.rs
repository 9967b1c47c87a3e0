//! The songs folder (`DATA/songs`), where the Generator puts its takes: a fresh folder per take,
//! and the list of finished takes that the Generator screen shows.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Creates a new, empty folder for a take: `take-<unix milliseconds>` (with `-1`, `-2`, … when
/// two takes start in the same millisecond). Creating it claims the name atomically.
pub fn reserve(songs: &Path) -> io::Result<PathBuf> {
    fs::create_dir_all(songs)?;
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    for n in 0..100 {
        let name = match n {
            0 => format!("take-{ms}"),
            n => format!("take-{ms}-{n}"),
        };
        let dir = songs.join(name);
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free take folder name",
    ))
}

/// One generated take, as read from its `song.json`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SongSummary {
    /// The take's folder name (what `son1k-song://localhost/<name>/…` serves).
    pub name: String,
    /// The take's folder.
    pub dir: PathBuf,
    /// Its `mix.wav`.
    pub mix: PathBuf,
    /// The prompt it was generated from.
    pub prompt: String,
    /// Genre id.
    pub genre: String,
    /// Tempo.
    pub bpm: u32,
    /// Key, like `F# minor`.
    pub key: String,
    /// Length in seconds.
    pub seconds: f64,
    /// Seed.
    pub seed: u64,
    /// Stem names (`stems/<name>.wav`).
    pub stems: Vec<String>,
    /// When the take was written, in milliseconds since 1970.
    pub created_ms: f64,
}

#[derive(Deserialize)]
struct SongJson {
    #[serde(default)]
    request: RequestJson,
    genre: String,
    bpm: u32,
    key: String,
    seconds: f64,
    seed: u64,
    #[serde(default)]
    stems: Vec<(String, serde_json::Value)>,
}

#[derive(Deserialize, Default)]
struct RequestJson {
    #[serde(default)]
    prompt: String,
}

/// The takes in `songs`, newest first. Folders without a readable `song.json` (a take still being
/// written, something else) are left out; a missing songs folder is an empty list.
pub fn list(songs: &Path) -> io::Result<Vec<SongSummary>> {
    let entries = match fs::read_dir(songs) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out: Vec<SongSummary> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| read_summary(&entry.path()))
        .collect();
    out.sort_by(|a, b| {
        b.created_ms
            .total_cmp(&a.created_ms)
            .then_with(|| b.name.cmp(&a.name))
    });
    Ok(out)
}

fn read_summary(dir: &Path) -> Option<SongSummary> {
    let name = dir.file_name()?.to_str()?.to_string();
    let file = dir.join("song.json");
    let song: SongJson = serde_json::from_slice(&fs::read(&file).ok()?).ok()?;
    let created_ms = fs::metadata(&file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Some(SongSummary {
        mix: dir.join("mix.wav"),
        dir: dir.to_path_buf(),
        name,
        prompt: song.request.prompt,
        genre: song.genre,
        bpm: song.bpm,
        key: song.key,
        seconds: song.seconds,
        seed: song.seed,
        stems: song.stems.into_iter().map(|(n, _)| n).collect(),
        created_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_get_distinct_folders_and_list_newest_first() {
        let root = std::env::temp_dir().join(format!("son1k-songs-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let a = reserve(&root).expect("first take folder");
        let b = reserve(&root).expect("second take folder");
        assert_ne!(a, b);
        let json = |prompt: &str, seed: u64| {
            format!(
                r#"{{"request":{{"prompt":"{prompt}"}},"genre":"house","bpm":124,"key":"F# minor",
                "seconds":6.0,"seed":{seed},"stems":[["drums","drums"],["bass","saw-bass"]]}}"#
            )
        };
        fs::write(a.join("song.json"), json("first", 1)).expect("write a");
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(b.join("song.json"), json("second", 2)).expect("write b");
        fs::create_dir(root.join("in-progress")).expect("empty folder");
        let songs = list(&root).expect("list");
        let _ = fs::remove_dir_all(&root);
        assert_eq!(songs.len(), 2);
        assert_eq!(songs[0].prompt, "second");
        assert_eq!((songs[1].bpm, songs[1].key.as_str()), (124, "F# minor"));
        assert_eq!(songs[1].stems, ["drums", "bass"]);
        assert!(list(&root).expect("missing folder").is_empty());
    }
}
