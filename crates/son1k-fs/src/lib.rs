//! Atomic writes for Son1k Studio: the one place that knows how to replace a file or a folder so
//! that a reader, a crash or a power cut sees the old version or the new one, never a mix.
//!
//! Every write goes to a temporary sibling of the destination (same folder, so the rename never
//! crosses a file system) under a unique hidden name, is flushed to disk (`fsync`), then renamed
//! over the destination; on Unix the folder is flushed too, so the rename itself survives a power
//! cut. On any error, and when an uncommitted guard is dropped, the temporary is removed.
//!
//! - [`atomic_write`] / [`atomic_write_private`]: a whole file from bytes in memory.
//! - [`AtomicFile`]: a streamed write (it is [`Write`] and [`Seek`]); [`AtomicFile::commit`]
//!   renames it into place, dropping it uncommitted removes it.
//! - [`AtomicDir`]: a folder filled under a temporary name and renamed into place whole.
//! - [`replace`]: the last step alone, for a temporary the caller keeps on purpose (a resumable
//!   download's `.part`).
//! - [`remove_abandoned`]: removes temporaries left beside a destination by a process that died.
//!
//! It is **not** a database, a lock or a transaction across several files: two writers of the same
//! destination both succeed and the last rename wins. It does not create missing parent folders,
//! and it does not keep the permissions of the file it replaces: a file written by
//! [`atomic_write`] gets the defaults of a new file, one written by [`atomic_write_private`] is
//! readable by its owner only (0600 on Unix). It uses std only.
//!
//! Temporary names: a file `NAME` is written as `.NAME.PID-N.tmp`, a folder `NAME` as
//! `.NAME.partial-PID-N` (PID the writing process, N a counter), which is what
//! [`remove_abandoned`] recognises.
#![deny(missing_docs)]

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A failed atomic write: what was being done, to which path, and the OS error.
#[derive(Debug)]
pub struct Error {
    /// What failed, as a phrase: `"could not create"`, `"could not write"`, `"could not flush"`,
    /// `"could not replace"`.
    pub action: &'static str,
    /// The path it failed on: the temporary for create/write/flush, the destination for replace.
    pub path: PathBuf,
    /// The OS error.
    pub source: io::Error,
}

impl Error {
    fn new(action: &'static str, path: &Path, source: io::Error) -> Self {
        Error {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.action,
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        io::Error::new(e.source.kind(), e.to_string())
    }
}

/// The result of this crate's functions.
pub type Result<T> = std::result::Result<T, Error>;

/// A counter that makes temporary names unique within the process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The folder `path` sits in (`.` for a bare name) and its file name.
fn split(path: &Path) -> io::Result<(PathBuf, String)> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the destination has no file name",
        )
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Keep temporary names within the usual 255-byte limit.
    let name: String = name.to_string_lossy().chars().take(120).collect();
    Ok((dir, name))
}

/// Tries `make` on fresh temporary names beside `dest` until one does not exist yet.
fn with_unique_temp<T>(
    dest: &Path,
    folder: bool,
    mut make: impl FnMut(&Path) -> io::Result<T>,
) -> Result<(PathBuf, T)> {
    let (dir, name) = split(dest).map_err(|e| Error::new("could not create", dest, e))?;
    let pid = std::process::id();
    let mut last = None;
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = if folder {
            dir.join(format!(".{name}.partial-{pid}-{n}"))
        } else {
            dir.join(format!(".{name}.{pid}-{n}.tmp"))
        };
        match make(&tmp) {
            Ok(t) => return Ok((tmp, t)),
            // A leftover of an earlier process with the same id: take the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((tmp, e)),
            Err(e) => return Err(Error::new("could not create", &tmp, e)),
        }
    }
    let (tmp, e) =
        last.unwrap_or_else(|| (dest.to_path_buf(), io::ErrorKind::AlreadyExists.into()));
    Err(Error::new("could not create", &tmp, e))
}

/// Flushes a folder's entries (a rename in it) to disk. Unix only; a file system that cannot
/// flush folders is not an error.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Writes `bytes` to `path` atomically: a reader sees the old file or the new one, never a mix,
/// even if the process is killed or the machine loses power mid-write. The folder must exist.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)
        .map_err(|e| Error::new("could not write", &f.tmp, e))?;
    f.commit()
}

/// [`atomic_write`] for a secret: the file is readable and writable by its owner only (0600 on
/// Unix, from the moment the temporary exists, whatever the umask or the old file's mode).
pub fn atomic_write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create_private(path)?;
    f.write_all(bytes)
        .map_err(|e| Error::new("could not write", &f.tmp, e))?;
    f.commit()
}

/// A file being written under a temporary name beside its destination. [`commit`](Self::commit)
/// flushes it and renames it over the destination; dropping it uncommitted removes it.
#[derive(Debug)]
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    /// Creates an empty temporary beside `dest` (whose folder must exist).
    pub fn create(dest: &Path) -> Result<Self> {
        Self::open(dest, false)
    }

    /// [`create`](Self::create) for a secret: the temporary, and so the file, is 0600 on Unix.
    pub fn create_private(dest: &Path) -> Result<Self> {
        Self::open(dest, true)
    }

    fn open(dest: &Path, private: bool) -> Result<Self> {
        let (tmp, file) = with_unique_temp(dest, false, |tmp| {
            let mut opts = OpenOptions::new();
            opts.read(true).write(true).create_new(true);
            #[cfg(unix)]
            if private {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            opts.open(tmp)
        })?;
        let guard = AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(file),
        };
        #[cfg(unix)]
        if private {
            // The mode above is narrowed by the umask only; make it exactly 0600.
            use std::os::unix::fs::PermissionsExt;
            guard
                .handle()
                .set_permissions(fs::Permissions::from_mode(0o600))
                .map_err(|e| Error::new("could not create", &guard.tmp, e))?;
        }
        #[cfg(not(unix))]
        let _ = private;
        Ok(guard)
    }

    #[allow(clippy::expect_used)]
    fn handle(&self) -> &File {
        // The handle is only taken in `commit`, which consumes the guard.
        self.file
            .as_ref()
            .expect("an AtomicFile holds its file until commit")
    }

    #[allow(clippy::expect_used)]
    fn handle_mut(&mut self) -> &mut File {
        self.file
            .as_mut()
            .expect("an AtomicFile holds its file until commit")
    }

    /// The temporary's path (for error messages, or for a writer that checks what was written).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The destination.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes the temporary to disk and renames it over the destination (then, on Unix, flushes
    /// the folder). On error the temporary is removed and the destination is untouched.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take();
        if let Some(mut f) = file {
            f.flush()
                .and_then(|()| f.sync_all())
                .map_err(|e| Error::new("could not flush", &self.tmp, e))?;
            // Closed before the rename: Windows renames an open file only in some modes.
        }
        rename_durably(&self.tmp, &self.dest)?;
        // Committed: nothing for Drop to remove.
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.handle_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.handle_mut().flush()
    }
}

impl Seek for AtomicFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.handle_mut().seek(pos)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Close first: Windows cannot remove an open file.
        drop(self.file.take());
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Renames the finished file `from` over `to` durably: flushes `from` to disk, renames, then (on
/// Unix) flushes the folder. `from` must be in `to`'s folder. Unlike the rest of this crate it
/// leaves `from` in place on error: the caller chose that name to keep it (a resumable `.part`).
pub fn replace(from: &Path, to: &Path) -> Result<()> {
    sync_file(from).map_err(|e| Error::new("could not flush", from, e))?;
    rename_durably(from, to)
}

/// Renames `from` over `to`, then flushes the folder so that the rename itself survives a crash.
fn rename_durably(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|e| Error::new("could not replace", to, e))?;
    if let Ok((dir, _)) = split(to) {
        sync_dir(&dir);
    }
    Ok(())
}

/// Flushes a file's data to disk by path (Windows needs a handle with write access for that).
fn sync_file(path: &Path) -> io::Result<()> {
    let f = if cfg!(windows) {
        OpenOptions::new().write(true).open(path)?
    } else {
        File::open(path)?
    };
    f.sync_all()
}

/// Flushes every file and folder under `dir` to disk.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_tree(&entry.path())?;
        } else if kind.is_file() {
            sync_file(&entry.path())?;
        }
    }
    sync_dir(dir);
    Ok(())
}

/// A folder being filled under a temporary name beside its destination.
/// [`commit`](Self::commit) flushes everything in it and renames it into place whole; dropping it
/// uncommitted removes it and all it holds.
#[derive(Debug)]
pub struct AtomicDir {
    tmp: PathBuf,
    dest: PathBuf,
}

impl AtomicDir {
    /// Creates an empty temporary folder beside `dest` (whose parent folder must exist).
    pub fn create(dest: &Path) -> Result<Self> {
        let (tmp, ()) = with_unique_temp(dest, true, |tmp| fs::create_dir(tmp))?;
        Ok(AtomicDir {
            tmp,
            dest: dest.to_path_buf(),
        })
    }

    /// The temporary folder, to write into.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The destination.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes every file in the temporary folder to disk and renames the folder to the
    /// destination, which must not exist or be an empty folder (it is replaced). Fails, removing
    /// the temporary and leaving the destination as it was, when the destination is a file or a
    /// folder that is not empty.
    pub fn commit(mut self) -> Result<()> {
        sync_tree(&self.tmp).map_err(|e| Error::new("could not flush", &self.tmp, e))?;
        // Unix's rename replaces an empty folder atomically; Windows' needs it gone first.
        #[cfg(not(unix))]
        if self.dest.is_dir() {
            fs::remove_dir(&self.dest)
                .map_err(|e| Error::new("could not replace", &self.dest, e))?;
        }
        rename_durably(&self.tmp, &self.dest)?;
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicDir {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// The process id in a temporary name of this crate for the file or folder `name`, if `entry` is
/// one: `.NAME.PID-N.tmp` or `.NAME.partial-PID-N` (also `.NAME.partial-PID`, an older form).
fn temp_pid(entry: &str, name: &str) -> Option<u32> {
    let rest = entry
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    let ids = match rest.strip_prefix("partial-") {
        Some(ids) => ids,
        None => rest.strip_suffix(".tmp")?,
    };
    let (pid, n) = ids.split_once('-').unwrap_or((ids, "0"));
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Removes the temporaries this crate left beside `dest` in processes that died before they could
/// clean up: on Linux those whose process is gone, elsewhere those untouched for an hour. Errors
/// are ignored; this is housekeeping.
pub fn remove_abandoned(dest: &Path) {
    let Ok((dir, name)) = split(dest) else {
        return;
    };
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let own = std::process::id();
    let proc_fs = cfg!(target_os = "linux") && Path::new("/proc/self").exists();
    for e in entries.flatten() {
        let entry = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_pid(&entry, &name) else {
            continue;
        };
        if pid == own {
            continue;
        }
        let abandoned = if proc_fs {
            !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600)
        };
        if abandoned {
            let path = e.path();
            let _ = if e.file_type().is_ok_and(|t| t.is_dir()) {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised() {
        assert_eq!(temp_pid(".a.wav.12-3.tmp", "a.wav"), Some(12));
        assert_eq!(temp_pid(".song.partial-12-0", "song"), Some(12));
        assert_eq!(temp_pid(".song.partial-12", "song"), Some(12));
        assert_eq!(temp_pid(".song.partial-x", "song"), None);
        assert_eq!(temp_pid(".other.partial-12-0", "song"), None);
        assert_eq!(temp_pid("a.wav", "a.wav"), None);
        assert_eq!(temp_pid(".a.wav.12-.tmp", "a.wav"), None);
    }
}
