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

/// One generated take, as read from its `song.json` (and its `take.json`: number and name).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SongSummary {
    /// The take's folder name (what `son1k-song://localhost/<name>/…` serves).
    pub name: String,
    /// The take's number, distinct among the takes (1 for the first take ever made); its name
    /// is "Take <number>" until it is renamed.
    pub number: u32,
    /// The name the person gave it ([`rename`]); distinct among the takes.
    pub title: Option<String>,
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
    /// Where the take differs from what was asked (length, tempo, key, genre, instruments).
    pub overrides: Vec<son1k_compose::overrides::Override>,
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
    #[serde(default)]
    overrides: Vec<son1k_compose::overrides::Override>,
}

#[derive(Deserialize, Default)]
struct RequestJson {
    #[serde(default)]
    prompt: String,
}

/// A take's own file beside `song.json`: its number and the name the person gave it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct TakeJson {
    #[serde(default)]
    number: Option<u32>,
    #[serde(default)]
    title: Option<String>,
}

/// The file in a take's folder that holds its number and name.
pub const TAKE_FILE: &str = "take.json";

/// The longest name a take may have, in characters.
pub const MAX_TITLE_CHARS: usize = 80;

fn read_take(dir: &Path) -> TakeJson {
    fs::read(dir.join(TAKE_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_take(dir: &Path, take: &TakeJson) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(take).map_err(io::Error::other)?;
    let tmp = dir.join(format!(".{TAKE_FILE}.tmp"));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, dir.join(TAKE_FILE))
}

/// The takes in `songs`, newest first. Folders without a readable `song.json` (a take still being
/// written, something else) are left out; a missing songs folder is an empty list.
pub fn list(songs: &Path) -> io::Result<Vec<SongSummary>> {
    let entries = match fs::read_dir(songs) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out: Vec<(SongSummary, Option<u32>)> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|entry| read_summary(&entry.path()))
        .collect();
    // Oldest first to give numbers: a stored number is kept unless another take already has it;
    // takes without one (made before numbers were stored) count on from the last.
    out.sort_by(|(a, _), (b, _)| {
        a.created_ms
            .total_cmp(&b.created_ms)
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut used = std::collections::BTreeSet::new();
    let mut last = 0;
    for (s, stored) in &mut out {
        let mut n = stored.unwrap_or(last + 1);
        if n == 0 || used.contains(&n) {
            n = used.last().copied().unwrap_or(0).max(last) + 1;
        }
        used.insert(n);
        last = last.max(n);
        s.number = n;
    }
    let mut out: Vec<SongSummary> = out.into_iter().map(|(s, _)| s).collect();
    out.reverse();
    Ok(out)
}

fn read_summary(dir: &Path) -> Option<(SongSummary, Option<u32>)> {
    let name = dir.file_name()?.to_str()?.to_string();
    let file = dir.join("song.json");
    let song: SongJson = serde_json::from_slice(&fs::read(&file).ok()?).ok()?;
    let created_ms = fs::metadata(&file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let take = read_take(dir);
    Some((
        SongSummary {
            mix: dir.join("mix.wav"),
            dir: dir.to_path_buf(),
            name,
            number: 0,
            title: take.title,
            prompt: song.request.prompt,
            genre: song.genre,
            bpm: song.bpm,
            key: song.key,
            seconds: song.seconds,
            seed: song.seed,
            stems: song.stems.into_iter().map(|(n, _)| n).collect(),
            overrides: song.overrides,
            created_ms,
        },
        take.number,
    ))
}

/// Why a take could not be renamed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    /// No finished take has that folder name.
    #[error(
        "there is no take \"{0}\" in the songs folder (it may have been deleted; refresh the list)"
    )]
    NoSuchTake(String),
    /// The new name breaks a rule.
    #[error("{0}")]
    BadName(son1k_core::ValidationError),
    /// The songs folder could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> TakeError + 'a {
    move |source| TakeError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

impl From<TakeError> for crate::AppError {
    fn from(e: TakeError) -> Self {
        match e {
            TakeError::NoSuchTake(name) => crate::AppError::Invalid(son1k_core::ValidationError::new(
                "take",
                &name,
                "there is no such take in the songs folder (it may have been deleted; refresh the list)",
            )),
            TakeError::BadName(v) => crate::AppError::Invalid(v),
            TakeError::Io {
                action,
                path,
                source,
            } => crate::AppError::Io {
                action,
                path,
                source,
            },
        }
    }
}

/// The folder of the finished take `name` (a plain folder name, never a path).
fn take_dir(songs: &Path, name: &str) -> Result<PathBuf, TakeError> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && Path::new(name).components().count() == 1;
    let dir = songs.join(name);
    if !plain || !dir.join("song.json").is_file() {
        return Err(TakeError::NoSuchTake(name.to_string()));
    }
    Ok(dir)
}

fn bad_name(value: &str, rule: impl Into<String>) -> TakeError {
    TakeError::BadName(son1k_core::ValidationError::new("title", value, rule))
}

/// Whether `title` reads like a default take name ("Take 3", "toma 3").
fn looks_numbered(title: &str) -> bool {
    let lower = title.to_lowercase();
    let rest = lower
        .strip_prefix("take")
        .or_else(|| lower.strip_prefix("toma"));
    rest.map(str::trim)
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Gives the take `name` a new name: trimmed, 1–80 characters, no control characters, not a
/// default "Take N" name, and not the name of another take (compared without case).
pub fn rename(songs: &Path, name: &str, title: &str) -> Result<SongSummary, TakeError> {
    let dir = take_dir(songs, name)?;
    let title = title.trim();
    if title.is_empty() {
        return Err(bad_name(title, "a take's name cannot be empty"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(bad_name(
            title,
            format!("a take's name is at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(bad_name(
            title,
            "a take's name cannot hold line breaks or control characters",
        ));
    }
    if looks_numbered(title) {
        return Err(bad_name(
            title,
            "\"Take\" and a number is how takes are numbered; choose another name",
        ));
    }
    let all = list(songs).map_err(io_err("could not read", songs))?;
    let key = title.to_lowercase();
    if let Some(other) = all
        .iter()
        .find(|s| s.name != name && s.title.as_deref().map(str::to_lowercase) == Some(key.clone()))
    {
        return Err(bad_name(
            title,
            format!(
                "another take (number {}) already has this name; choose another",
                other.number
            ),
        ));
    }
    let mut take = read_take(&dir);
    if take.number.is_none() {
        take.number = all.iter().find(|s| s.name == name).map(|s| s.number);
    }
    take.title = Some(title.to_string());
    write_take(&dir, &take).map_err(io_err("could not write", &dir))?;
    list(songs)
        .map_err(io_err("could not read", songs))?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| TakeError::NoSuchTake(name.to_string()))
}

/// Deletes the take `name` and only it: the folder is first renamed out of the list (a hidden
/// `.deleting-<name>`), then removed, so a failure half-way never shows half a take.
pub fn delete(songs: &Path, name: &str) -> Result<(), TakeError> {
    let dir = take_dir(songs, name)?;
    let doomed = songs.join(format!(".deleting-{name}"));
    fs::rename(&dir, &doomed).map_err(io_err("could not move", &dir))?;
    fs::remove_dir_all(&doomed).map_err(io_err("could not remove", &doomed))
}

/// Gives the freshly finished take in `dir` the next number (one more than any take's), so
/// numbers stay distinct and a deleted take's number is not reused by the next one.
pub fn number_new(songs: &Path, dir: &Path) -> io::Result<u32> {
    let all = list(songs)?;
    let mine = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let highest_other = all
        .iter()
        .filter(|s| s.name != mine)
        .map(|s| s.number)
        .max()
        .unwrap_or(0);
    let floor = read_counter(songs);
    let n = highest_other.max(floor) + 1;
    let mut take = read_take(dir);
    take.number = Some(n);
    write_take(dir, &take)?;
    write_counter(songs, n)?;
    Ok(n)
}

/// The highest number ever given (so deleting the newest take does not hand its number on).
const COUNTER_FILE: &str = ".take-counter";

fn read_counter(songs: &Path) -> u32 {
    fs::read_to_string(songs.join(COUNTER_FILE))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn write_counter(songs: &Path, n: u32) -> io::Result<()> {
    let tmp = songs.join(format!("{COUNTER_FILE}.tmp"));
    fs::write(&tmp, n.to_string())?;
    fs::rename(&tmp, songs.join(COUNTER_FILE))
}
