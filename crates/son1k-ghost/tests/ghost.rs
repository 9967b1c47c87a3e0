//! Ghost Studio on real signals: the knobs measured, the session's undo and rendering, producing
//! a backing for a demo, A/B loudness matching.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use son1k_analysis::corpus::{render, Pattern, SongSpec};
use son1k_audio::fx::{process_buffer, Chain, FilterKind, FxSpec};
use son1k_audio::mixdown::{Clip, Session};
use son1k_audio::{AudioBuffer, SampleFormat};
use son1k_core::{Knobs, Quality};
use son1k_ghost::editor::{Edit, Editor, TrackEdit};
use son1k_ghost::produce::{produce, ProduceOptions};
use son1k_ghost::{ab, knobs};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-ghost-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn demo(seconds: f64) -> AudioBuffer {
    render(&SongSpec {
        bpm: 97.0,
        key: "A minor".parse().unwrap(),
        pattern: Pattern::Backbeat,
        swing: 0.0,
        seconds,
        noise_db: -50.0,
        seed: 5,
    })
}

fn energy(a: &AudioBuffer) -> f64 {
    a.channels
        .iter()
        .flatten()
        .map(|x| (*x as f64).powi(2))
        .sum::<f64>()
}

fn band(a: &AudioBuffer, kind: FilterKind, freq: f32) -> f64 {
    let mut b = a.clone();
    let mut c = Chain::build(
        &[FxSpec::Eq {
            kind,
            freq,
            q: std::f32::consts::FRAC_1_SQRT_2,
            gain_db: 0.0,
        }],
        a.sample_rate,
        a.channel_count(),
    )
    .unwrap();
    process_buffer(&mut c, &mut b, 1024);
    energy(&b) / energy(a).max(1e-30)
}

fn new_track(name: &str) -> Edit {
    Edit::AddTrack {
        name: name.into(),
        clips: vec![],
    }
}

fn gain(track: &str, db: f32) -> Edit {
    screen(TrackEdit::Gain {
        track: track.into(),
        db,
    })
}

/// An edit as the screen sends it (no clip file to measure).
fn screen(edit: TrackEdit) -> Edit {
    Edit::Track {
        edit,
        file_seconds: None,
    }
}

fn pan(track: &str, pan: f32) -> Edit {
    screen(TrackEdit::Pan {
        track: track.into(),
        pan,
    })
}

fn mute(track: &str) -> Edit {
    screen(TrackEdit::Mute {
        track: track.into(),
        on: true,
    })
}

fn k(e: u8, r: u8, g: u8, t: u8) -> Knobs {
    Knobs::new(e as u32, r as u32, g as u32, t as u32).unwrap()
}

#[test]
fn the_neutral_point_is_transparent() {
    let a = demo(6.0);
    let out = knobs::apply(&a, &k(50, 0, 0, 0), 1).unwrap();
    let diff: f64 = a
        .channels
        .iter()
        .flatten()
        .zip(out.channels.iter().flatten())
        .map(|(x, y)| ((x - y) as f64).powi(2))
        .sum();
    let db = 10.0 * (diff / energy(&a)).max(1e-30).log10();
    assert!(db < -60.0, "residual {db} dB");
}

#[test]
fn each_knob_does_what_it_says_on_real_signals() {
    let sr = 48_000;
    // A pure 220 Hz tone: anything above 2 kHz is added by the processing.
    let tone: Vec<f32> = (0..sr * 3)
        .map(|i| 0.3 * (2.0 * std::f32::consts::PI * 220.0 * i as f32 / sr as f32).sin())
        .collect();
    let sine = AudioBuffer::new(sr as u32, vec![tone.clone(), tone]).unwrap();
    let neutral = k(50, 0, 0, 0);
    let hf = |a: &AudioBuffer| band(a, FilterKind::HighPass, 2000.0);
    // Trash adds harmonics (energy far above the tone).
    let trashed = knobs::apply(&sine, &k(50, 0, 0, 90), 1).unwrap();
    assert!(
        hf(&trashed) > hf(&sine) * 10.0,
        "{} vs {}",
        hf(&trashed),
        hf(&sine)
    );

    let music = demo(8.0);
    let base_hf = band(&music, FilterKind::HighPass, 6000.0);
    // Low Expressivity darkens, high brightens.
    let sad = knobs::apply(&music, &k(5, 0, 0, 0), 1).unwrap();
    let happy = knobs::apply(&music, &k(95, 0, 0, 0), 1).unwrap();
    let (s, h) = (
        band(&sad, FilterKind::HighPass, 6000.0),
        band(&happy, FilterKind::HighPass, 6000.0),
    );
    assert!(
        s < base_hf * 0.5 && h > base_hf * 1.5,
        "sad {s} base {base_hf} happy {h}"
    );
    // Garage band-limits and adds hiss and room: silence is no longer silent.
    let garage = knobs::apply(&music, &k(50, 0, 90, 0), 1).unwrap();
    assert!(band(&garage, FilterKind::HighPass, 6000.0) < base_hf * 0.5);
    assert!(band(&garage, FilterKind::LowPass, 80.0) < band(&music, FilterKind::LowPass, 80.0));
    let silence = AudioBuffer::silent(48_000, 2, 48_000);
    let hiss = knobs::apply(&silence, &k(50, 0, 90, 0), 1).unwrap();
    assert!(
        energy(&hiss) / 96_000.0 > 1e-7,
        "no hiss: {}",
        energy(&hiss)
    );
    assert_eq!(energy(&knobs::apply(&silence, &neutral, 1).unwrap()), 0.0);
    // Rareza changes the timbre: the spectrum moves away from the original.
    let odd = knobs::apply(&sine, &k(50, 90, 0, 0), 1).unwrap();
    let diff: f64 = sine.channels[0]
        .iter()
        .zip(&odd.channels[0])
        .map(|(a, b)| ((a - b) as f64).powi(2))
        .sum();
    assert!(diff / energy(&sine) > 0.05);
    // Every knob keeps the length.
    for x in [&trashed, &sad, &happy, &garage, &odd] {
        assert!(x.frames() == music.frames() || x.frames() == sine.frames());
    }
}

#[test]
fn undo_redo_and_rejected_edits() {
    let session = Session {
        sample_rate: 48_000,
        tracks: vec![],
        master: vec![],
        returns: Vec::new(),
    };
    let mut ed = Editor::new(session.clone());
    ed.apply(new_track("demo")).unwrap();
    ed.apply(gain("demo", -3.0)).unwrap();
    ed.apply(pan("demo", 0.5)).unwrap();
    assert!(ed.is_dirty());
    assert!(
        ed.apply(new_track("demo")).is_err(),
        "duplicate names are refused"
    );
    assert!(ed.apply(pan("nope", 0.0)).is_err());
    let snapshot = ed.session().clone();
    assert!(
        ed.apply(pan("demo", 7.0)).is_err(),
        "an invalid value is refused"
    );
    assert_eq!(ed.session(), &snapshot, "a refused edit changes nothing");
    assert!(ed.undo() && ed.undo());
    assert_eq!(ed.session().tracks[0].gain_db, 0.0);
    assert!(ed.redo());
    assert_eq!(ed.session().tracks[0].gain_db, -3.0);
    assert!(ed.undo() && ed.undo());
    assert_eq!(ed.session(), &session);
    assert!(!ed.undo());
    // Save and load: the JSON round trip is exact.
    ed.redo();
    let json = serde_json::to_string(ed.session()).unwrap();
    let back: Session = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, ed.session());
}

#[test]
fn a_render_is_the_sum_of_its_parts() {
    let dir = tmp("sum");
    let a = demo(4.0);
    let b = render(&SongSpec {
        bpm: 120.0,
        key: "C major".parse().unwrap(),
        pattern: Pattern::FourOnFloor,
        swing: 0.0,
        seconds: 4.0,
        noise_db: -60.0,
        seed: 2,
    });
    son1k_audio::write_file(&dir.join("a.wav"), &a, SampleFormat::F32).unwrap();
    son1k_audio::write_file(&dir.join("b.wav"), &b, SampleFormat::F32).unwrap();
    let clip = |f: &str, offset: f64| Clip {
        file: f.into(),
        offset,
        trim_start: 0.0,
        length: None,
        gain_db: 0.0,
        fade_in: 0.0,
        fade_out: 0.0,
    };
    let mut ed = Editor::new(Session {
        sample_rate: a.sample_rate,
        tracks: vec![],
        master: vec![],
        returns: Vec::new(),
    });
    ed.apply(new_track("a")).unwrap();
    ed.apply(Edit::AddClip {
        track: "a".into(),
        clip: clip("a.wav", 0.0),
    })
    .unwrap();
    ed.apply(new_track("b")).unwrap();
    ed.apply(Edit::AddClip {
        track: "b".into(),
        clip: clip("b.wav", 0.5),
    })
    .unwrap();
    ed.apply(gain("b", -6.0)).unwrap();
    let both = son1k_audio::mixdown::render(ed.session(), &dir).unwrap();
    let mut only_a = ed.clone();
    only_a.apply(mute("b")).unwrap();
    let mut only_b = ed.clone();
    only_b.apply(mute("a")).unwrap();
    let ra = son1k_audio::mixdown::render(only_a.session(), &dir).unwrap();
    let rb = son1k_audio::mixdown::render(only_b.session(), &dir).unwrap();
    let worst = both.channels[0]
        .iter()
        .zip(&ra.channels[0])
        .zip(&rb.channels[0])
        .map(|((m, x), y)| (m - (x + y)).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-5, "{worst}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_backing_is_produced_in_the_demos_tempo_and_key_on_its_downbeat() {
    let dir = tmp("produce");
    let demo_path = dir.join("phone-demo.wav");
    son1k_audio::write_file(&demo_path, &demo(20.0), SampleFormat::I16).unwrap();
    let opts = ProduceOptions {
        demo: demo_path.clone(),
        prompt: "pop".into(),
        knobs: k(50, 10, 30, 20),
        seed: 4,
        quality: Quality::Standard,
        instruments: Default::default(),
    };
    let mut stages = Vec::new();
    let p = produce(
        &opts,
        &dir,
        &mut |p| stages.push(p.stage.to_string()),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!((p.demo.bpm - 97.0).abs() < 2.0, "{}", p.demo.bpm);
    assert_eq!(p.demo.key, "A minor");
    assert_eq!(p.request.bpm, Some(97));
    let names: Vec<&str> = p.session.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["demo", "drums", "bass", "keys", "pad"]);
    for t in &p.session.tracks[1..] {
        assert!((t.clips[0].offset - p.demo.first_downbeat).abs() < 1e-9);
    }
    assert!(
        !p.session.master.is_empty(),
        "the knobs' chain is on the master"
    );
    assert!(p.midi.is_file());
    // The backing alone is heard in the demo's tempo and key.
    let mut backing = Editor::new(p.session.clone());
    backing.apply(mute("demo")).unwrap();
    backing.apply(Edit::Master { fx: vec![] }).unwrap();
    let mix = son1k_audio::mixdown::render(backing.session(), &dir).unwrap();
    let (bpm, key) = son1k_analysis::tempo_and_key(&mix).unwrap();
    assert!((bpm - 97.0).abs() <= 97.0 * 0.02, "{bpm}");
    assert_eq!(key.key, "A minor".parse().unwrap());
    assert!(stages.iter().any(|s| s.contains("analysing")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ab_switching_is_loudness_matched() {
    let a = demo(6.0);
    let mut b = a.clone();
    b.apply_gain(0.25); // 12 dB quieter
    let (ga, gb) = ab::matched_gains(&a, &b).unwrap();
    assert!(
        (gb - 1.0).abs() < 1e-3,
        "the quieter side is untouched: {gb}"
    );
    assert!((20.0 * ga.log10() + 12.04).abs() < 0.2, "{ga}");
    let silent = AudioBuffer::silent(48_000, 2, 48_000);
    assert_eq!(ab::matched_gains(&a, &silent).unwrap(), (1.0, 1.0));
}

#[test]
fn knobs_outside_their_range_are_refused_and_the_knobs_drive_the_master() {
    let mut ed = Editor::new(Session {
        sample_rate: 48_000,
        tracks: vec![],
        master: vec![],
        returns: Vec::new(),
    });
    // Knobs out of range cannot be made at all (a `KnobValue` is 0–100); an edit the session
    // cannot take is refused and not recorded.
    assert!(serde_json::from_str::<Knobs>(
        r#"{"expressivity":50,"rareza":101,"garage":0,"trash":0}"#
    )
    .is_err());
    assert!(ed.apply(mute("nobody")).is_err());
    assert_eq!(ed.undo_len(), 0, "a refused edit is not recorded");
    ed.apply(Edit::Knobs(k(50, 0, 60, 40))).unwrap();
    assert_eq!(
        ed.session().master,
        knobs::chain(&k(50, 0, 60, 40), son1k_ghost::editor::KNOB_SEED)
    );
    ed.apply(screen(TrackEdit::FxAdd {
        track: None,
        at: None,
        fx: FxSpec::Gain { db: -6.0 },
    }))
    .unwrap();
    assert_eq!(ed.session().master.last(), Some(&FxSpec::Gain { db: -6.0 }));
    ed.apply(Edit::Knobs(Knobs::default())).unwrap();
    assert_eq!(ed.session().master, [FxSpec::Gain { db: -6.0 }]);
}

#[test]
fn clip_edits_from_the_screen_need_the_file_length() {
    let mut ed = Editor::new(Session {
        sample_rate: 48_000,
        tracks: vec![],
        master: vec![],
        returns: Vec::new(),
    });
    ed.apply(new_track("voz")).unwrap();
    ed.apply(Edit::AddClip {
        track: "voz".into(),
        clip: Clip::whole("voz.wav", 0.0),
    })
    .unwrap();
    // A trim without the clip file's length is refused, and changes nothing.
    let before = ed.undo_len();
    let trim = TrackEdit::TrimClip {
        track: "voz".into(),
        clip: 0,
        trim_start: 0.5,
        length: Some(1.0),
        offset: None,
    };
    let err = ed.apply(screen(trim.clone())).unwrap_err();
    assert!(err.to_string().contains("file length"), "{err}");
    assert_eq!(ed.undo_len(), before);
    let fades = TrackEdit::Fades {
        track: "voz".into(),
        clip: 0,
        fade_in: 0.1,
        fade_out: 0.1,
    };
    assert!(ed.apply(screen(fades)).is_err());
    ed.apply(Edit::Track {
        edit: trim,
        file_seconds: Some(6.0),
    })
    .unwrap();
    let c = &ed.session().tracks[0].clips[0];
    assert_eq!((c.trim_start, c.length), (0.5, Some(1.0)));
    assert_eq!(ed.undo_len(), before + 1);
}

#[test]
fn returns_and_sends_are_edits_like_any_other() {
    let mut ed = Editor::new(Session {
        sample_rate: 48_000,
        tracks: vec![],
        master: vec![],
        returns: Vec::new(),
    });
    ed.apply(new_track("voz")).unwrap();
    ed.apply(new_track("bajo")).unwrap();
    let room = vec![FxSpec::Reverb {
        room: 0.8,
        damping: 0.4,
        wet: 1.0,
        dry: Some(0.0),
    }];
    let add = |name: &str| {
        screen(TrackEdit::AddReturn {
            name: name.into(),
            fx: room.clone(),
        })
    };
    let send = |track: &str, to: &str, db: Option<f32>| {
        screen(TrackEdit::Send {
            track: track.into(),
            to: to.into(),
            level_db: db,
        })
    };
    // A send needs its return; a return needs a free name and effects that build.
    assert!(ed.apply(send("voz", "Sala", Some(-6.0))).is_err());
    ed.apply(add("Sala")).unwrap();
    let e = ed.apply(add("Sala")).unwrap_err().to_string();
    assert!(e.contains("exists"), "{e}");
    let broken = screen(TrackEdit::AddReturn {
        name: "Eco".into(),
        fx: vec![FxSpec::Delay {
            time_ms: 99_999.0,
            feedback: 0.5,
            mix: 1.0,
        }],
    });
    assert!(ed.apply(broken).is_err());
    ed.apply(send("voz", "Sala", Some(-6.0))).unwrap();
    ed.apply(send("bajo", "Sala", Some(-20.0))).unwrap();
    // Setting it again changes the level (one send per bus); out of range is refused.
    ed.apply(send("voz", "Sala", Some(-3.0))).unwrap();
    assert!(ed.apply(send("voz", "Sala", Some(40.0))).is_err());
    let s = ed.session();
    assert_eq!(s.tracks[0].sends.len(), 1);
    assert_eq!(s.tracks[0].sends[0].level_db, -3.0);
    ed.apply(screen(TrackEdit::ReturnGain {
        name: "Sala".into(),
        db: -4.0,
    }))
    .unwrap();
    assert_eq!(ed.session().returns[0].gain_db, -4.0);
    // Removing the return removes every send to it; one undo brings them all back.
    let before = ed.session().clone();
    ed.apply(screen(TrackEdit::DeleteReturn {
        name: "Sala".into(),
    }))
    .unwrap();
    assert!(ed.session().returns.is_empty());
    assert!(ed.session().tracks.iter().all(|t| t.sends.is_empty()));
    assert!(ed.undo());
    assert_eq!(ed.session(), &before);
    // A send removed (level null); the effects replaced whole.
    ed.apply(send("bajo", "Sala", None)).unwrap();
    assert!(ed.session().tracks[1].sends.is_empty());
    ed.apply(screen(TrackEdit::ReturnFx {
        name: "Sala".into(),
        fx: vec![],
    }))
    .unwrap();
    assert!(ed.session().returns[0].fx.is_empty());
    assert!(ed
        .apply(screen(TrackEdit::ReturnGain {
            name: "nada".into(),
            db: 0.0,
        }))
        .is_err());
}
