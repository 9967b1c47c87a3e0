//! Project files: atomic saves, the last good copy, damaged files, autosave.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use son1k_app::project::{self, Autosaver, ProjectDoc};
use son1k_app::{Paths, Studio};

fn folder(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-project-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn saves_replace_atomically_and_keep_the_last_good_version() {
    let dir = folder("atomic");
    let mut doc = ProjectDoc::new("Demo");
    doc.notes = "first".into();
    project::save(&dir, &doc).unwrap();
    doc.notes = "second".into();
    project::save(&dir, &doc).unwrap();
    assert_eq!(project::load(&dir).unwrap().doc.notes, "second");
    let last: ProjectDoc =
        serde_json::from_slice(&std::fs::read(dir.join(project::LAST_GOOD)).unwrap()).unwrap();
    assert_eq!(last.notes, "first");
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_file_is_reported_set_aside_and_the_last_good_one_restored() {
    let dir = folder("damaged");
    let mut doc = ProjectDoc::new("Demo");
    doc.lyrics = "la la".into();
    project::save(&dir, &doc).unwrap();
    doc.lyrics = "la la la".into();
    project::save(&dir, &doc).unwrap();
    // A crash mid-write of a careless editor, or a disk error: half a file.
    let full = std::fs::read(dir.join(project::FILE)).unwrap();
    std::fs::write(dir.join(project::FILE), &full[..full.len() / 2]).unwrap();
    let loaded = project::load(&dir).unwrap();
    assert_eq!(loaded.doc.lyrics, "la la");
    let why = loaded.damaged.unwrap();
    assert!(
        why.contains("damaged") && why.contains("project.damaged-"),
        "{why}"
    );
    // The damaged bytes are kept for inspection; the project file is good again.
    let aside = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("project.damaged-")
        })
        .unwrap();
    assert_eq!(
        std::fs::read(aside.path()).unwrap(),
        &full[..full.len() / 2]
    );
    assert!(project::load(&dir).unwrap().damaged.is_none());
    // Saving over a damaged file never replaces the good copy with the damage.
    std::fs::write(dir.join(project::FILE), b"{not json").unwrap();
    project::save(&dir, &doc).unwrap();
    let last: ProjectDoc =
        serde_json::from_slice(&std::fs::read(dir.join(project::LAST_GOOD)).unwrap()).unwrap();
    assert_eq!(last.lyrics, "la la");
    // With no good copy at all, the error says so.
    let lonely = folder("lonely");
    std::fs::create_dir_all(&lonely).unwrap();
    std::fs::write(lonely.join(project::FILE), b"garbage").unwrap();
    let e = project::load(&lonely).unwrap_err();
    assert!(e.to_string().contains("no good copy"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&lonely);
}

#[test]
fn autosave_coalesces_edits_and_flushes_on_drop() {
    let dir = folder("autosave");
    let saver = Autosaver::start(&dir, Duration::from_millis(300));
    let mut doc = ProjectDoc::new("Live");
    for i in 0..50 {
        doc.notes = format!("edit {i}");
        saver.update(&doc);
    }
    saver.flush();
    assert_eq!(project::load(&dir).unwrap().doc.notes, "edit 49");
    doc.notes = "after".into();
    saver.update(&doc);
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(
        project::load(&dir).unwrap().doc.notes,
        "after",
        "saved within the interval"
    );
    doc.notes = "last words".into();
    saver.update(&doc);
    assert!(saver.errors().is_empty());
    drop(saver);
    assert_eq!(project::load(&dir).unwrap().doc.notes, "last words");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn created_projects_are_folders_and_library_rows() {
    let root = folder("create");
    let studio = Studio::with_paths(Paths::under(&root));
    let (dir, doc) = studio.create_project("Mi canción").unwrap();
    assert!(dir.join("audio").is_dir() && dir.join("stems").is_dir());
    assert_eq!(studio.load_project(&dir).unwrap().doc, doc);
    let entries = studio.library_entries().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].folder(), dir.as_path());
    assert!(studio.create_project("   ").is_err());
    studio.library_delete(entries[0].id()).unwrap();
    assert!(!dir.exists());
    let _ = std::fs::remove_dir_all(&root);
}
