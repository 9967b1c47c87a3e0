//! The guarantees of son1k-fs: old or new content, never a partial; no temporary left behind after
//! success, error or drop; private files stay private.
#![allow(clippy::unwrap_used)]

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use son1k_fs::{
    atomic_write, atomic_write_private, remove_abandoned, replace, AtomicDir, AtomicFile,
};

fn folder(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-fs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every name in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn writes_and_replaces_leaving_only_the_destination() {
    let d = folder("replace");
    let p = d.join("a.json");
    atomic_write(&p, b"first").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"first");
    atomic_write(&p, b"second, longer").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"second, longer");
    atomic_write(&p, b"").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"");
    assert_eq!(names(&d), ["a.json"]);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_reader_sees_the_old_content_or_the_new_never_a_mix() {
    let d = folder("race");
    let p = d.join("big.bin");
    let a = vec![b'a'; 1 << 20];
    let b = vec![b'b'; (1 << 20) + 4096];
    atomic_write(&p, &a).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (p, a, b, stop) = (p.clone(), a.clone(), b.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let got = match std::fs::read(&p) {
                    Ok(got) => got,
                    // Windows may refuse to open a file while it is being replaced.
                    Err(_) if cfg!(windows) => continue,
                    Err(e) => panic!("{e}"),
                };
                assert!(
                    got == a || got == b,
                    "a partial file of {} bytes",
                    got.len()
                );
                reads += 1;
            }
            reads
        })
    };
    for i in 0..100 {
        atomic_write(&p, if i % 2 == 0 { &b } else { &a }).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    assert_eq!(names(&d), ["big.bin"]);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn an_error_leaves_no_temporary_and_the_destination_as_it_was() {
    let d = folder("error");
    // The destination is a folder: the rename fails.
    let p = d.join("taken");
    std::fs::create_dir(&p).unwrap();
    std::fs::write(p.join("inside"), b"keep").unwrap();
    let e = atomic_write(&p, b"new").unwrap_err();
    assert_eq!(e.action, "could not replace");
    assert_eq!(e.path, p);
    assert!(e.to_string().contains("taken"), "{e}");
    assert_eq!(names(&d), ["taken"]);
    assert_eq!(std::fs::read(p.join("inside")).unwrap(), b"keep");
    // The folder does not exist: nothing can be created.
    let e = atomic_write(&d.join("missing/a.txt"), b"x").unwrap_err();
    assert_eq!(e.action, "could not create");
    assert_eq!(names(&d), ["taken"]);
    // A destination with no file name.
    assert!(atomic_write(Path::new("/"), b"x").is_err());
    std::fs::remove_dir_all(d).unwrap();
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_fails_cleanly() {
    use std::os::unix::fs::PermissionsExt;
    let d = folder("readonly");
    let p = d.join("a.txt");
    atomic_write(&p, b"old").unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores permissions; then there is nothing to test.
    let probe = d.join("probe");
    let writable = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(&probe);
    if !writable {
        let e = atomic_write(&p, b"new").unwrap_err();
        assert_eq!(e.action, "could not create");
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(names(&d), ["a.txt"]);
    }
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_streamed_file_is_invisible_until_committed() {
    let d = folder("stream");
    let p = d.join("take.wav");
    std::fs::write(&p, b"old take").unwrap();
    let mut f = AtomicFile::create(&p).unwrap();
    assert_eq!(f.dest(), p);
    assert_eq!(f.path().parent(), Some(d.as_path()));
    let tmp_name = f.path().file_name().unwrap().to_string_lossy().into_owned();
    assert!(tmp_name.starts_with(".take.wav."), "{tmp_name}");
    assert!(tmp_name.ends_with(".tmp"), "{tmp_name}");
    f.write_all(b"XXXX new take").unwrap();
    f.seek(SeekFrom::Start(0)).unwrap();
    f.write_all(b"the ").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"old take");
    // Two writers of the same destination never share a temporary.
    let other = AtomicFile::create(&p).unwrap();
    assert_ne!(other.path(), f.path());
    drop(other);
    f.commit().unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"the  new take");
    assert_eq!(names(&d), ["take.wav"]);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_dropped_file_leaves_nothing() {
    let d = folder("drop");
    let p = d.join("a.flac");
    {
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"half").unwrap();
        assert!(f.path().exists());
    }
    assert!(names(&d).is_empty(), "{:?}", names(&d));
    std::fs::write(&p, b"old").unwrap();
    drop(AtomicFile::create(&p).unwrap());
    assert_eq!(std::fs::read(&p).unwrap(), b"old");
    assert_eq!(names(&d), ["a.flac"]);
    std::fs::remove_dir_all(d).unwrap();
}

#[cfg(unix)]
#[test]
fn private_files_are_owner_only_from_the_start() {
    use std::os::unix::fs::PermissionsExt;
    let d = folder("private");
    let p = d.join("credentials.json");
    std::fs::write(&p, b"old").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let f = AtomicFile::create_private(&p).unwrap();
    let mode = std::fs::metadata(f.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, 0o600,
        "the temporary is {mode:o} before a byte is written"
    );
    drop(f);
    atomic_write_private(&p, b"secret").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"secret");
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    assert_eq!(names(&d), ["credentials.json"]);
    // A plain write gets a new file's default mode, not the private one.
    let q = d.join("song.json");
    atomic_write(&q, b"{}").unwrap();
    let mode = std::fs::metadata(&q).unwrap().permissions().mode() & 0o777;
    assert_ne!(mode, 0o600, "{mode:o}");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn replace_moves_a_kept_temporary_into_place() {
    let d = folder("part");
    let part = d.join("w.bin.part");
    let target = d.join("w.bin");
    std::fs::write(&part, b"weights").unwrap();
    std::fs::write(&target, b"old").unwrap();
    replace(&part, &target).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"weights");
    assert_eq!(names(&d), ["w.bin"]);
    // A missing source fails and touches nothing.
    let e = replace(&part, &target).unwrap_err();
    assert_eq!(e.action, "could not flush");
    assert_eq!(std::fs::read(&target).unwrap(), b"weights");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_folder_appears_whole_or_not_at_all() {
    let d = folder("dir");
    let dest = d.join("song");
    let a = AtomicDir::create(&dest).unwrap();
    assert_eq!(a.dest(), dest);
    std::fs::create_dir(a.path().join("stems")).unwrap();
    std::fs::write(a.path().join("mix.wav"), b"mix").unwrap();
    std::fs::write(a.path().join("stems/bass.wav"), b"bass").unwrap();
    assert!(!dest.exists());
    a.commit().unwrap();
    assert_eq!(std::fs::read(dest.join("stems/bass.wav")).unwrap(), b"bass");
    assert_eq!(names(&d), ["song"]);

    // Dropped: nothing is left, the existing folder is untouched.
    let a = AtomicDir::create(&dest).unwrap();
    std::fs::write(a.path().join("mix.wav"), b"half").unwrap();
    drop(a);
    assert_eq!(names(&d), ["song"]);

    // A folder that is not empty is never replaced.
    let a = AtomicDir::create(&dest).unwrap();
    std::fs::write(a.path().join("mix.wav"), b"other").unwrap();
    let e = a.commit().unwrap_err();
    assert_eq!(e.action, "could not replace");
    assert_eq!(std::fs::read(dest.join("mix.wav")).unwrap(), b"mix");
    assert_eq!(names(&d), ["song"]);

    // An empty one is.
    let empty = d.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let a = AtomicDir::create(&empty).unwrap();
    std::fs::write(a.path().join("x"), b"x").unwrap();
    a.commit().unwrap();
    assert_eq!(std::fs::read(empty.join("x")).unwrap(), b"x");
    assert_eq!(names(&d), ["empty", "song"]);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn abandoned_temporaries_are_removed_live_ones_kept() {
    let d = folder("abandoned");
    let dest = d.join("song");
    // A process id above every pid_max, with an old mtime: dead on every platform.
    let dead = d.join(".song.4000000000-0.tmp");
    std::fs::write(&dead, b"x").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&dead)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let dead_dir = d.join(".song.partial-4000000000");
    if cfg!(target_os = "linux") {
        std::fs::create_dir(&dead_dir).unwrap();
        std::fs::write(dead_dir.join("mix.wav"), b"x").unwrap();
    }
    // This process's own temporaries are live; other names are not this crate's.
    let live = AtomicDir::create(&dest).unwrap();
    std::fs::write(d.join(".song.4000000000-0.bak"), b"x").unwrap();
    std::fs::write(d.join(".other.4000000000-0.tmp"), b"x").unwrap();
    remove_abandoned(&dest);
    assert!(!dead.exists());
    assert!(!dead_dir.exists());
    assert!(live.path().is_dir());
    drop(live);
    assert_eq!(
        names(&d),
        [".other.4000000000-0.tmp", ".song.4000000000-0.bak"]
    );
    std::fs::remove_dir_all(d).unwrap();
}
