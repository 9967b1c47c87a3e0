//! The Generator's takes through the façade: overrides stated on the take and in `song.json`,
//! distinct numbers, rename and delete.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::AtomicBool;

use son1k_app::songs;
use son1k_app::{InstrumentChoice, Paths, Studio};
use son1k_compose::overrides::{OverrideKind, OverrideReason};
use son1k_core::GenerationRequest;

fn studio(tag: &str) -> (std::path::PathBuf, Studio) {
    let dir = std::env::temp_dir().join(format!("son1k-takes-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = Studio::with_paths(Paths::under(&dir));
    (dir, s)
}

fn take(s: &Studio, request: GenerationRequest) -> son1k_app::GenerateReport {
    s.generate_song(
        request,
        InstrumentChoice::BuiltIn,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap()
}

#[test]
fn an_overridden_request_says_so_in_song_json_and_on_the_take() {
    let (dir, s) = studio("overrides");
    let mut request = GenerationRequest::new("a jazz tune at 90 bpm in D minor");
    request.genre = Some("zydeco-polka".into());
    request.bpm = Some(120);
    request.key = Some("A major".parse().unwrap());
    request.duration_secs = Some(6.0);
    request.seed = 5;
    let report = take(&s, request);
    // The report, song.json and the take's view all carry the same overrides.
    let kinds: Vec<(OverrideKind, OverrideReason)> = report
        .overrides
        .iter()
        .map(|o| (o.kind, o.reason))
        .collect();
    for want in [
        (OverrideKind::Genre, OverrideReason::UnknownGenre),
        (OverrideKind::Bpm, OverrideReason::FieldWins),
        (OverrideKind::Key, OverrideReason::FieldWins),
    ] {
        assert!(kinds.contains(&want), "{want:?} missing from {kinds:?}");
    }
    let genre = report
        .overrides
        .iter()
        .find(|o| o.kind == OverrideKind::Genre)
        .unwrap();
    assert_eq!(genre.asked, "zydeco-polka");
    assert_eq!(genre.got, report.genre);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report.dir.join("song.json")).unwrap()).unwrap();
    let written = json["overrides"].as_array().unwrap();
    assert_eq!(written.len(), report.overrides.len());
    let genre_json = written
        .iter()
        .find(|o| o["kind"] == "genre")
        .unwrap_or_else(|| panic!("no genre override in {written:?}"));
    assert_eq!(genre_json["reason"], "unknown-genre");
    assert_eq!(genre_json["asked"], "zydeco-polka");
    assert_eq!(genre_json["got"], "jazz", "the prompt's genre stands in");
    let takes = s.songs().unwrap();
    assert_eq!(takes.len(), 1);
    assert_eq!(takes[0].overrides, report.overrides);
    assert_eq!(report.number, Some(1));

    // A request followed to the letter has nothing to state.
    let mut plain = GenerationRequest::new("house at 124 bpm in F# minor");
    plain.duration_secs = Some(6.0);
    plain.seed = 2;
    let report = take(&s, plain);
    assert!(report.overrides.is_empty(), "{:?}", report.overrides);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn takes_are_numbered_newest_first_renamed_and_deleted_one_at_a_time() {
    let (dir, s) = studio("rename");
    let mut names = Vec::new();
    for seed in 1..=3 {
        let mut r = GenerationRequest::new("lo-fi 80 bpm in Bb major");
        r.duration_secs = Some(5.0);
        r.seed = seed;
        let report = take(&s, r);
        assert_eq!(report.number, Some(seed as u32));
        names.push(
            report
                .dir
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string(),
        );
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    let list = s.songs().unwrap();
    assert_eq!(
        list.iter().map(|t| t.number).collect::<Vec<_>>(),
        [3, 2, 1],
        "newest on top"
    );
    let renamed = s.rename_take(&names[0], "Idea de la mañana").unwrap();
    assert_eq!(renamed.title.as_deref(), Some("Idea de la mañana"));
    let e = s.rename_take(&names[1], "idea de la MAÑANA").unwrap_err();
    assert_eq!(e.field(), Some("title"));
    assert!(e.to_string().contains("already has this name"), "{e}");
    let e = s.rename_take("take-0", "x").unwrap_err();
    assert_eq!(e.field(), Some("take"));

    s.delete_take(&names[1]).unwrap();
    let list = s.songs().unwrap();
    assert_eq!(
        list.iter()
            .map(|t| (t.number, t.title.as_deref()))
            .collect::<Vec<_>>(),
        [(3, None), (1, Some("Idea de la mañana"))]
    );
    assert!(list.iter().all(|t| t.mix.is_file()));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- The songs folder itself (no generation) ----

fn three_takes(tag: &str) -> (std::path::PathBuf, Vec<String>) {
    let root = std::env::temp_dir().join(format!("son1k-takes-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut names = Vec::new();
    for i in 0..3 {
        let dir = songs::reserve(&root).expect("take folder");
        std::fs::write(
            dir.join("song.json"),
            format!(r#"{{"genre":"pop","bpm":100,"key":"C major","seconds":5.0,"seed":{i}}}"#),
        )
        .expect("song.json");
        std::fs::write(dir.join("mix.wav"), b"RIFF").expect("mix");
        songs::number_new(&root, &dir).expect("number");
        names.push(
            dir.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string(),
        );
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    (root, names)
}

#[test]
fn deleting_a_take_keeps_the_others_and_its_number_is_not_reused() {
    let (root, names) = three_takes("delete");
    songs::delete(&root, &names[1]).expect("delete the middle take");
    let left = songs::list(&root).expect("list");
    assert_eq!(
        left.iter()
            .map(|s| (s.name.as_str(), s.number))
            .collect::<Vec<_>>(),
        [(names[2].as_str(), 3), (names[0].as_str(), 1)]
    );
    assert!(root.join(&names[0]).join("mix.wav").is_file());
    assert!(!root.join(&names[1]).exists());
    // Deleting the newest and making another: the new take is 4, not 3 again.
    songs::delete(&root, &names[2]).expect("delete the newest");
    let dir = songs::reserve(&root).expect("take folder");
    std::fs::write(
        dir.join("song.json"),
        r#"{"genre":"pop","bpm":100,"key":"C major","seconds":5.0,"seed":9}"#,
    )
    .expect("song.json");
    assert_eq!(songs::number_new(&root, &dir).expect("number"), 4);
    // A take that is not there, or a path instead of a name, is a clear error.
    for bad in [names[1].as_str(), "../etc", "", ".take-counter"] {
        let e = songs::delete(&root, bad).expect_err("no such take");
        assert!(matches!(e, songs::TakeError::NoSuchTake(_)), "{bad}: {e}");
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_take_can_be_renamed_but_not_to_an_empty_numbered_or_taken_name() {
    let (root, names) = three_takes("rename");
    let renamed = songs::rename(&root, &names[0], "  Primera idea  ").expect("rename");
    assert_eq!(
        (renamed.title.as_deref(), renamed.number),
        (Some("Primera idea"), 1)
    );
    let rule = |title: &str| match songs::rename(&root, &names[1], title) {
        Err(songs::TakeError::BadName(v)) => v.rule,
        other => panic!("{title:?} was accepted: {other:?}"),
    };
    assert!(rule("   ").contains("empty"));
    assert!(rule(&"x".repeat(81)).contains("80"));
    assert!(rule("two\nlines").contains("line breaks"));
    assert!(rule("Toma 7").contains("numbered"));
    assert!(rule("primera IDEA").contains("already has this name"));
    // The list shows the new name and everything else as it was.
    let all = songs::list(&root).expect("list");
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].title.as_deref(), Some("Primera idea"));
    assert!(all[..2].iter().all(|s| s.title.is_none()));
    // Renaming a take to its own name again is fine.
    songs::rename(&root, &names[0], "primera idea").expect("same take, same name");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_genre_played_by_its_family_and_an_instrument_left_out_are_stated() {
    use son1k_compose::{ProceduralEngine, SongEngine};
    let mut req = GenerationRequest::new("latin song with congas and timbales, 6 seconds");
    req.seed = 4;
    let song = ProceduralEngine::default()
        .generate(&req, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    let o = &song.meta.overrides;
    let family = o
        .iter()
        .find(|x| x.reason == OverrideReason::StyleFamily)
        .unwrap_or_else(|| panic!("no style-family note in {o:?}"));
    assert_eq!(
        (family.asked.as_str(), family.got.as_str()),
        ("latin", "reggaeton")
    );
    // Every instrument the song leaves out is an override too, with the engine's reason.
    for (id, why) in &song.meta.unplayed {
        assert!(
            o.iter()
                .any(|x| x.kind == OverrideKind::Instrument && &x.asked == id && &x.detail == why),
            "{id} not stated in {o:?}"
        );
    }
    assert!(
        !song.meta.unplayed.is_empty(),
        "congas and timbales are not in this groove"
    );
}

#[test]
fn takes_get_distinct_folders_and_list_newest_first() {
    let root = std::env::temp_dir().join(format!("son1k-songs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let a = songs::reserve(&root).expect("first take folder");
    let b = songs::reserve(&root).expect("second take folder");
    assert_ne!(a, b);
    let json = |prompt: &str, seed: u64| {
        format!(
            r#"{{"request":{{"prompt":"{prompt}"}},"genre":"house","bpm":124,"key":"F# minor",
            "seconds":6.0,"seed":{seed},"stems":[["drums","drums"],["bass","saw-bass"]]}}"#
        )
    };
    std::fs::write(a.join("song.json"), json("first", 1)).expect("write a");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(b.join("song.json"), json("second", 2)).expect("write b");
    std::fs::create_dir(root.join("in-progress")).expect("empty folder");
    let songs = songs::list(&root).expect("list");
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(songs.len(), 2);
    assert_eq!(songs[0].prompt, "second");
    assert_eq!((songs[1].bpm, songs[1].key.as_str()), (124, "F# minor"));
    assert_eq!(songs[1].stems, ["drums", "bass"]);
    // Takes made before numbers were stored are numbered by age, oldest 1.
    assert_eq!((songs[0].number, songs[1].number), (2, 1));
    assert!(songs::list(&root).expect("missing folder").is_empty());
}

#[test]
fn a_genre_the_engine_has_no_style_for_is_stated_not_silently_played_as_another() {
    use son1k_compose::{ProceduralEngine, SongEngine};
    let mut req = GenerationRequest::new("un tango triste con bandoneón, 6 segundos");
    req.seed = 2;
    let song = ProceduralEngine::default()
        .generate(&req, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    let o = &song.meta.overrides;
    let tango = o
        .iter()
        .find(|x| x.kind == OverrideKind::Genre && x.asked == "tango")
        .unwrap_or_else(|| panic!("tango not stated in {o:?}"));
    assert_eq!(tango.reason, OverrideReason::UnknownGenre);
    assert_eq!(tango.got, song.meta.genre);
    // A genre the engine plays is not reported, nor a word that merely contains a genre's name.
    let mut req = GenerationRequest::new("a bachata about the ska-free summer, 6 seconds");
    req.seed = 2;
    let song = ProceduralEngine::default()
        .generate(&req, &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    assert!(
        !song
            .meta
            .overrides
            .iter()
            .any(|x| x.kind == OverrideKind::Genre),
        "{:?}",
        song.meta.overrides
    );
}
