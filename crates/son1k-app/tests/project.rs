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
    // No temporary file of the atomic save (`.NAME.PID-N.tmp`) is left beside the project.
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
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

/// A `project.json` as builds with an untyped session wrote it: the session went through
/// `serde_json::Value`, so its keys are sorted and its `f32`s widened to `f64` digits.
const OLD_SHAPE: &str = r#"{
  "version": 1,
  "name": "Vieja",
  "knobs": { "expressivity": 62, "rareza": 10, "garage": 35, "trash": 0 },
  "notes": "",
  "lyrics": "",
  "session": {
    "master": [{ "db": -1.5, "type": "gain" }],
    "sample_rate": 44100,
    "tracks": [
      {
        "clips": [
          {
            "fade_in": 0.25,
            "fade_out": 0.0,
            "file": "audio/voz.wav",
            "gain_db": 0.0,
            "length": null,
            "offset": 1.5,
            "trim_start": 0.0
          }
        ],
        "fx": [],
        "gain_db": -3.0999999046325684,
        "mute": false,
        "name": "voz",
        "pan": 0.5,
        "solo": true
      }
    ]
  },
  "master_fx": [],
  "saved_ms": 1700000000000
}"#;

#[test]
fn a_project_file_with_the_untyped_session_still_loads_and_saves_the_same_session() {
    let dir = folder("old-shape");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(project::FILE), OLD_SHAPE).unwrap();
    let loaded = project::load(&dir).unwrap();
    assert!(loaded.damaged.is_none());
    let s = &loaded.doc.session;
    assert_eq!((s.sample_rate, s.tracks.len()), (44_100, 1));
    let t = &s.tracks[0];
    assert_eq!(
        (t.name.as_str(), t.gain_db, t.pan, t.solo),
        ("voz", -3.1, 0.5, true)
    );
    assert_eq!(t.clips[0].file, std::path::Path::new("audio/voz.wav"));
    assert_eq!((t.clips[0].offset, t.clips[0].fade_in), (1.5, 0.25));
    assert_eq!(s.master, [son1k_audio::fx::FxSpec::Gain { db: -1.5 }]);
    assert_eq!(loaded.doc.knobs.garage.get(), 35);
    // Saved again and read back, nothing changes but the save time.
    project::save(&dir, &loaded.doc).unwrap();
    let again = project::load(&dir).unwrap().doc;
    assert_eq!(again.session, loaded.doc.session);
    assert_eq!(again.knobs, loaded.doc.knobs);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_or_null_session_is_an_empty_one() {
    let dir = folder("no-session");
    std::fs::create_dir_all(&dir).unwrap();
    for session in ["", r#", "session": null"#] {
        let json = format!(r#"{{"version": 1, "name": "Nada"{session}}}"#);
        std::fs::write(dir.join(project::FILE), json).unwrap();
        let loaded = project::load(&dir).unwrap();
        assert!(loaded.damaged.is_none(), "{session}");
        assert_eq!(loaded.doc.session, ProjectDoc::new("Nada").session);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn knobs_outside_their_range_make_the_file_damaged_as_any_bad_value_does() {
    let dir = folder("bad-knobs");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = OLD_SHAPE.replace(r#""rareza": 10"#, r#""rareza": 200"#);
    std::fs::write(dir.join(project::FILE), bad).unwrap();
    let e = project::load(&dir).unwrap_err().to_string();
    assert!(e.contains("damaged") && e.contains("Rareza"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A sine at 220 Hz for `seconds`, written as a 16-bit WAV.
fn tone(path: &std::path::Path, seconds: f32) {
    let rate = 44_100;
    let samples: Vec<f32> = (0..(seconds * rate as f32) as usize)
        .map(|i| 0.4 * (2.0 * std::f32::consts::PI * 220.0 * i as f32 / rate as f32).sin())
        .collect();
    let buf = son1k_audio::AudioBuffer::from_interleaved(rate, 1, &samples).unwrap();
    son1k_audio::write_file(path, &buf, son1k_audio::SampleFormat::I16).unwrap();
}

#[test]
fn reopening_a_project_keeps_its_undo_history() {
    use son1k_app::ghost::{Mixing, TrackEdit};
    let root = folder("undo-history");
    let studio = Studio::with_paths(Paths::under(&root));
    let (dir, _) = studio.create_project("Historia").unwrap();
    let project = dir.to_string_lossy().into_owned();
    let demo = root.join("demo.wav");
    tone(&demo, 1.0);
    let track = {
        let mut m = Mixing::open(&studio, &project).unwrap();
        let track = m.import(&demo).unwrap();
        m.apply(&TrackEdit::Gain {
            track: track.clone(),
            db: -9.0,
        })
        .unwrap();
        m.apply(&TrackEdit::Mute {
            track: track.clone(),
            on: true,
        })
        .unwrap();
        track
    };
    // Closed and opened again (a new Mixing reads project.json): the three steps are still there.
    let mut m = Mixing::open(&studio, &project).unwrap();
    let v = m.view();
    assert!(v.can_undo && !v.can_redo);
    assert_eq!((v.tracks[0].gain_db, v.tracks[0].mute), (-9.0, true));
    let v = m.undo().unwrap();
    assert_eq!((v.tracks[0].gain_db, v.tracks[0].mute), (-9.0, false));
    // The redo step is saved too: reopened again, redo brings the mute back.
    drop(m);
    let mut m = Mixing::open(&studio, &project).unwrap();
    assert!(m.view().can_redo);
    let v = m.undo().unwrap();
    assert_eq!(v.tracks[0].gain_db, 0.0);
    let v = m.undo().unwrap();
    assert!(
        v.tracks.is_empty() && !v.can_undo,
        "the import is undone too"
    );
    let v = m.redo().unwrap();
    assert_eq!(v.tracks[0].name, track);
    // The history lives beside the project file, which stays small; a history that cannot be
    // read is dropped and the project still opens as it was saved.
    let file = dir.join(project::FILE);
    assert!(dir.join(project::HISTORY_FILE).is_file());
    let project_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(project_json.get("history").is_none());
    std::fs::write(
        dir.join(project::HISTORY_FILE),
        b"{\"undo\": \"not a list\"",
    )
    .unwrap();
    let loaded = studio.load_project(&dir).unwrap();
    assert!(loaded.damaged.is_none());
    let v = Mixing::open(&studio, &project).unwrap().view();
    assert!(!v.can_undo && v.tracks.len() == 1);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_take_opened_in_ghost_studio_brings_its_stems_on_tracks_at_zero() {
    use son1k_app::ghost::Mixing;
    use std::sync::atomic::AtomicBool;
    let root = folder("from-take");
    let studio = Studio::with_paths(Paths::under(&root));
    let mut request = son1k_core::GenerationRequest::new("house at 124 bpm in F# minor");
    request.duration_secs = Some(5.0);
    request.lyrics = None;
    request.seed = 8;
    let report = studio
        .generate_song(
            request.clone(),
            son1k_app::InstrumentChoice::BuiltIn,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap();
    let take = report
        .dir
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let (dir, doc) = studio.project_from_take(&take, "Toma 1").unwrap();
    assert_eq!(doc.name, "Toma 1");
    assert_eq!(doc.notes, request.prompt);
    let m = Mixing::open(&studio, &dir.to_string_lossy()).unwrap();
    let v = m.view();
    let names: Vec<&str> = v.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        report.stems.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(report.stems.len() >= 3, "{:?}", report.stems);
    for t in &v.tracks {
        assert_eq!(t.clips.len(), 1);
        assert_eq!(t.clips[0].offset, 0.0, "{} starts at zero", t.name);
        // The project holds its own copy of the stem, bit for bit.
        let copy = std::fs::read(dir.join(&t.clips[0].file)).unwrap();
        let stem = std::fs::read(report.dir.join("stems").join(format!("{}.wav", t.name))).unwrap();
        assert!(copy == stem, "{} is the take's stem", t.name);
    }
    // The stems together play the take in time: as long as the take, and not silent.
    let mix = son1k_audio::mixdown::render(m.session(), m.folder()).unwrap();
    let secs = mix.duration_secs();
    assert!(
        (secs - report.seconds).abs() < 0.05,
        "{secs} s against {} s",
        report.seconds
    );
    let peak = mix
        .channels
        .iter()
        .flatten()
        .fold(0f32, |p, x| p.max(x.abs()));
    assert!(peak > 0.05, "peak {peak}");
    // Nothing to undo back to an empty project; a take that is not there is a clear error.
    assert!(!v.can_undo);
    let e = studio.project_from_take("take-0", "x").unwrap_err();
    assert_eq!(e.field(), Some("take"));
    let _ = std::fs::remove_dir_all(&root);
}
