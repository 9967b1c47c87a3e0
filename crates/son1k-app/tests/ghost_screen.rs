//! The Ghost Studio screen's façade: a project opened by folder, a demo added, mix edits that are
//! saved at once and undo/redo in order, previews of non-WAV clips, loudness-matched A/B.
#![allow(clippy::unwrap_used)]

use son1k_app::ghost::{self, Mixing, TrackEdit};
use son1k_app::{Paths, Studio};

fn home(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-ghost-screen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A sine at `amp` for `seconds`, written as a 16-bit WAV (then re-read by the façade).
fn sine(path: &std::path::Path, amp: f32, seconds: f32) {
    let rate = 44_100;
    let frames = (seconds * rate as f32) as usize;
    let samples: Vec<f32> = (0..frames)
        .map(|i| amp * (2.0 * std::f32::consts::PI * 220.0 * i as f32 / rate as f32).sin())
        .collect();
    let buf = son1k_audio::AudioBuffer::from_interleaved(rate, 1, &samples).unwrap();
    son1k_audio::write_file(path, &buf, son1k_audio::SampleFormat::I16).unwrap();
}

#[test]
fn mix_edits_are_saved_at_once_and_undo_and_redo_in_order() {
    let dir = home("mix");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Mi demo").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let demo = dir.join("voz.wav");
    sine(&demo, 0.5, 3.0);
    ghost::add(&studio, &project, &demo).unwrap();

    let mut m = Mixing::open(&studio, &project).unwrap();
    let v = m.view();
    assert_eq!(v.name, "Mi demo");
    assert_eq!(v.tracks.len(), 1);
    assert_eq!(v.tracks[0].clips[0].file, "audio/voz.wav");
    // The import, made before this opening, is still undoable: the history is saved with it.
    assert!(v.can_undo && !v.can_redo);

    let track = v.tracks[0].name.clone();
    m.apply(&TrackEdit::Gain {
        track: track.clone(),
        db: -6.0,
    })
    .unwrap();
    let v = m
        .apply(&TrackEdit::Mute {
            track: track.clone(),
            on: true,
        })
        .unwrap();
    assert!(v.can_undo && v.tracks[0].mute);
    // Saved at once: a fresh view from disk sees both edits.
    let disk = ghost::view(&studio, &project).unwrap();
    assert_eq!((disk.tracks[0].gain_db, disk.tracks[0].mute), (-6.0, true));

    let v = m.undo().unwrap();
    assert_eq!((v.tracks[0].gain_db, v.tracks[0].mute), (-6.0, false));
    let v = m.undo().unwrap();
    assert_eq!(v.tracks[0].gain_db, 0.0);
    assert!(v.can_undo && v.can_redo, "the import is next to undo");
    assert_eq!(
        ghost::view(&studio, &project).unwrap().tracks[0].gain_db,
        0.0
    );
    let v = m.redo().unwrap();
    assert_eq!(v.tracks[0].gain_db, -6.0);
    // A rejected edit changes nothing.
    assert!(m
        .apply(&TrackEdit::Solo {
            track: "nope".into(),
            on: true
        })
        .is_err());
    assert_eq!(m.view().tracks[0].gain_db, -6.0);
    // Out-of-range values are clamped, not stored.
    let v = m.apply(&TrackEdit::Pan { track, pan: 9.0 }).unwrap();
    assert_eq!(v.tracks[0].pan, 1.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ab_gains_bring_both_sides_to_the_quieter_loudness_and_paths_stay_inside() {
    let dir = home("ab");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("AB").unwrap();
    let project = folder.to_string_lossy().into_owned();
    sine(&folder.join("loud.wav"), 0.5, 3.0);
    sine(&folder.join("quiet.wav"), 0.125, 3.0);
    let (a, b) = ghost::ab_gains(&studio, &project, "loud.wav", "quiet.wav").unwrap();
    assert!((20.0 * a.log10() + 12.04).abs() < 0.2, "loud side gain {a}");
    assert!((b - 1.0).abs() < 1e-3, "quiet side gain {b}");
    for bad in ["../x.wav", "/etc/passwd", "a/../../b.wav", ""] {
        assert!(
            ghost::ab_gains(&studio, &project, bad, "quiet.wav").is_err(),
            "{bad}"
        );
        assert!(ghost::playable(&studio, &project, bad).is_err(), "{bad}");
    }
    assert_eq!(
        ghost::playable(&studio, &project, "loud.wav").unwrap(),
        "loud.wav"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn rms(a: &son1k_audio::AudioBuffer) -> f64 {
    let n = a.channels.iter().map(|c| c.len()).sum::<usize>().max(1);
    (a.channels
        .iter()
        .flatten()
        .map(|x| f64::from(*x).powi(2))
        .sum::<f64>()
        / n as f64)
        .sqrt()
}

fn render(m: &Mixing) -> son1k_audio::AudioBuffer {
    son1k_audio::mixdown::render(m.session(), m.folder()).unwrap()
}

#[test]
fn import_knobs_produce_and_edits_share_one_history_saved_at_each_step() {
    use son1k_analysis::corpus::{render as song, Pattern, SongSpec};
    let dir = home("history");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Historia").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let demo = dir.join("demo.wav");
    let audio = song(&SongSpec {
        bpm: 100.0,
        key: "A minor".parse().unwrap(),
        pattern: Pattern::Backbeat,
        swing: 0.0,
        seconds: 8.0,
        noise_db: -50.0,
        seed: 5,
    });
    son1k_audio::write_file(&demo, &audio, son1k_audio::SampleFormat::I16).unwrap();
    let disk = || ghost::view(&studio, &project).unwrap();

    let mut m = Mixing::open(&studio, &project).unwrap();
    let track = m.import(&demo).unwrap();
    assert_eq!(track, "demo");
    assert!(m.view().can_undo);
    assert_eq!(disk().tracks.len(), 1);

    let warm = son1k_core::Knobs::new(50, 0, 60, 40).unwrap();
    let v = m.set_knobs(warm).unwrap();
    assert_eq!(v.knobs, warm);
    assert!(!m.session().master.is_empty(), "the knobs drive the master");
    assert_eq!(disk().knobs, warm);

    let backing = ghost::make_backing(
        &studio,
        &project,
        "pop",
        3,
        son1k_core::Quality::Standard,
        &mut |_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    let v = m.put_backing(&backing).unwrap();
    assert!(v.tracks.len() > 1, "backing tracks were added");
    let produced = v.tracks.len();

    m.apply(&TrackEdit::MoveClip {
        track: track.clone(),
        clip: 0,
        offset: 1.5,
    })
    .unwrap();
    assert_eq!(disk().tracks[0].clips[0].offset, 1.5);

    // Undo walks back through every kind of step, saving each time.
    let v = m.undo().unwrap();
    assert_eq!(v.tracks[0].clips[0].offset, 0.0);
    assert_eq!(disk().tracks[0].clips[0].offset, 0.0);
    let v = m.undo().unwrap();
    assert_eq!(v.tracks.len(), 1, "the backing is gone");
    assert_eq!(disk().tracks.len(), 1);
    let v = m.undo().unwrap();
    assert_eq!(v.knobs, son1k_core::Knobs::default());
    assert!(m.session().master.is_empty(), "neutral knobs: no chain");
    assert_eq!(disk().knobs, son1k_core::Knobs::default());
    let v = m.undo().unwrap();
    assert!(v.tracks.is_empty() && !v.can_undo && v.can_redo);
    assert!(disk().tracks.is_empty());

    // And redo walks forward again.
    m.redo().unwrap();
    m.redo().unwrap();
    m.redo().unwrap();
    let v = m.redo().unwrap();
    assert_eq!(v.tracks.len(), produced);
    assert_eq!(v.knobs, warm);
    assert_eq!(v.tracks[0].clips[0].offset, 1.5);
    assert!(!v.can_redo);
    // A project opened afresh from disk is the same project.
    let again = Mixing::open(&studio, &project).unwrap();
    assert_eq!(again.session(), m.session());
    assert_eq!(again.view().knobs, warm);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clip_and_track_edits_change_the_render_and_bad_edits_say_why() {
    let dir = home("clips");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Clips").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let a = dir.join("a.wav");
    sine(&a, 0.5, 2.0);
    let mut m = Mixing::open(&studio, &project).unwrap();
    let t = m.import(&a).unwrap();
    let rate = f64::from(m.session().sample_rate);
    let frames = |m: &Mixing| render(m).frames() as f64 / rate;
    assert!((frames(&m) - 2.0).abs() < 0.01);

    // Move: the render starts later and is longer.
    m.apply(&TrackEdit::MoveClip {
        track: t.clone(),
        clip: 0,
        offset: 1.0,
    })
    .unwrap();
    let out = render(&m);
    assert!((out.frames() as f64 / rate - 3.0).abs() < 0.01);
    let first_second = out.channels[0][..(rate as usize - 10)]
        .iter()
        .fold(0.0f32, |x, s| x.max(s.abs()));
    assert_eq!(first_second, 0.0, "silence before the moved clip");

    // Trim: half a second in, one second long.
    m.apply(&TrackEdit::TrimClip {
        track: t.clone(),
        clip: 0,
        trim_start: 0.5,
        length: Some(1.0),
        offset: None,
    })
    .unwrap();
    assert!((frames(&m) - 2.0).abs() < 0.01);

    // Fades: the clip's first sample is silent, the middle is not.
    m.apply(&TrackEdit::Fades {
        track: t.clone(),
        clip: 0,
        fade_in: 0.25,
        fade_out: 0.25,
    })
    .unwrap();
    let out = render(&m);
    let start = rate as usize;
    let peak = |r: std::ops::Range<usize>| {
        out.channels[0][r]
            .iter()
            .fold(0.0f32, |x, s| x.max(s.abs()))
    };
    assert!(peak(start..start + 20) < 0.01, "fade-in starts silent");
    assert!(
        peak(start + 22_000..start + 26_000) > 0.3,
        "full level after it"
    );

    // Refused edits name the problem and change nothing.
    let before = m.session().clone();
    let bad = |m: &mut Mixing, e: TrackEdit, words: &str| {
        let msg = m.apply(&e).unwrap_err().to_string();
        assert!(msg.contains(words), "{msg:?} should mention {words:?}");
    };
    bad(
        &mut m,
        TrackEdit::MoveClip {
            track: t.clone(),
            clip: 0,
            offset: -1.0,
        },
        "0 s or later",
    );
    bad(
        &mut m,
        TrackEdit::TrimClip {
            track: t.clone(),
            clip: 0,
            trim_start: 2.5,
            length: None,
            offset: None,
        },
        "past its end",
    );
    bad(
        &mut m,
        TrackEdit::TrimClip {
            track: t.clone(),
            clip: 0,
            trim_start: 1.5,
            length: Some(1.0),
            offset: None,
        },
        "runs past the end",
    );
    bad(
        &mut m,
        TrackEdit::Fades {
            track: t.clone(),
            clip: 0,
            fade_in: 0.8,
            fade_out: 0.8,
        },
        "do not fit",
    );
    bad(
        &mut m,
        TrackEdit::MoveClip {
            track: t.clone(),
            clip: 7,
            offset: 0.0,
        },
        "no clip 7",
    );
    bad(
        &mut m,
        TrackEdit::DeleteTrack {
            track: "nope".into(),
        },
        "no track named",
    );
    assert_eq!(m.session(), &before);

    // Rename, then a second import may take the old name; names stay unique.
    m.apply(&TrackEdit::RenameTrack {
        track: t.clone(),
        name: "lead".into(),
    })
    .unwrap();
    let t2 = m.import(&a).unwrap();
    assert_eq!(t2, t, "the old name is free again");
    // Both clips still point at their own files.
    let files: Vec<_> = m
        .view()
        .tracks
        .iter()
        .map(|t| t.clips[0].file.clone())
        .collect();
    assert_ne!(files[0], files[1]);
    bad(
        &mut m,
        TrackEdit::RenameTrack {
            track: "lead".into(),
            name: t2.clone(),
        },
        "exists",
    );
    m.apply(&TrackEdit::DeleteClip {
        track: t2.clone(),
        clip: 0,
    })
    .unwrap();
    assert!(m.view().tracks[1].clips.is_empty());
    let v = m.apply(&TrackEdit::DeleteTrack { track: t2 }).unwrap();
    assert_eq!(v.tracks.len(), 1);
    assert_eq!(v.tracks[0].name, "lead");
    // The whole sequence undoes back to the untouched import.
    while m.view().can_undo {
        m.undo().unwrap();
    }
    assert!(m.view().tracks.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn effects_on_tracks_and_master_change_what_is_rendered() {
    use son1k_audio::fx::{FilterKind, FxSpec};
    let dir = home("fx");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("FX").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let a = dir.join("a.wav");
    sine(&a, 0.5, 1.0); // 220 Hz
    let mut m = Mixing::open(&studio, &project).unwrap();
    let t = m.import(&a).unwrap();
    let dry = rms(&render(&m));

    // A low-pass far below 220 Hz takes most of the level away.
    let lp = FxSpec::Eq {
        kind: FilterKind::LowPass,
        freq: 40.0,
        q: 0.707,
        gain_db: 0.0,
    };
    let v = m
        .apply(&TrackEdit::FxAdd {
            track: Some(t.clone()),
            at: None,
            fx: lp,
        })
        .unwrap();
    assert_eq!(v.tracks[0].fx.len(), 1);
    let filtered = rms(&render(&m));
    assert!(
        20.0 * (filtered / dry).log10() < -20.0,
        "{dry} → {filtered}"
    );
    // New parameters: a low-pass far above leaves it nearly as it was.
    m.apply(&TrackEdit::FxSet {
        track: Some(t.clone()),
        index: 0,
        fx: FxSpec::Eq {
            kind: FilterKind::LowPass,
            freq: 10_000.0,
            q: 0.707,
            gain_db: 0.0,
        },
    })
    .unwrap();
    let open = rms(&render(&m));
    assert!((20.0 * (open / dry).log10()).abs() < 0.5, "{dry} → {open}");

    // Order matters: heavy saturation then −20 dB differs from −20 dB then saturation.
    let sat = FxSpec::Saturation {
        drive_db: 24.0,
        mix: 1.0,
    };
    let quiet = FxSpec::Gain { db: -20.0 };
    m.apply(&TrackEdit::FxRemove {
        track: Some(t.clone()),
        index: 0,
    })
    .unwrap();
    for fx in [sat, quiet] {
        m.apply(&TrackEdit::FxAdd {
            track: Some(t.clone()),
            at: None,
            fx,
        })
        .unwrap();
    }
    let sat_first = rms(&render(&m));
    let v = m
        .apply(&TrackEdit::FxMove {
            track: Some(t.clone()),
            from: 1,
            to: 0,
        })
        .unwrap();
    assert!(matches!(v.tracks[0].fx[0], FxSpec::Gain { .. }));
    let gain_first = rms(&render(&m));
    assert!(
        (20.0 * (sat_first / gain_first).log10()).abs() > 3.0,
        "{sat_first} vs {gain_first}"
    );

    // The master chain: −6 dB halves the level; it follows the knobs' chain.
    let before = rms(&render(&m));
    let v = m
        .apply(&TrackEdit::FxAdd {
            track: None,
            at: None,
            fx: FxSpec::Gain { db: -6.0206 },
        })
        .unwrap();
    assert_eq!(v.master_fx.len(), 1);
    let after = rms(&render(&m));
    assert!((after / before - 0.5).abs() < 0.01, "{before} → {after}");
    m.set_knobs(son1k_core::Knobs::new(50, 0, 40, 20).unwrap())
        .unwrap();
    assert!(
        matches!(m.session().master.last(), Some(FxSpec::Gain { .. })),
        "the user's master effects stay after the knobs' chain"
    );
    assert_eq!(ghost::view(&studio, &project).unwrap().master_fx.len(), 1);

    // Bad effects and positions are refused.
    assert!(m
        .apply(&TrackEdit::FxAdd {
            track: Some(t.clone()),
            at: None,
            fx: FxSpec::Reverb {
                room: 3.0,
                damping: 0.5,
                wet: 0.5,
                dry: None,
            },
        })
        .unwrap_err()
        .to_string()
        .contains("reverb"));
    assert!(m
        .apply(&TrackEdit::FxRemove {
            track: None,
            index: 4
        })
        .unwrap_err()
        .to_string()
        .contains("no effect 4"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn track_renders_are_made_once_per_content_and_old_ones_removed() {
    let dir = home("stems");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Stems").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let a = dir.join("a.wav");
    sine(&a, 0.5, 1.0);
    let mut m = Mixing::open(&studio, &project).unwrap();
    let t = m.import(&a).unwrap();
    m.apply(&TrackEdit::Gain {
        track: t.clone(),
        db: -12.0,
    })
    .unwrap();
    let r1 = m.track_renders().unwrap();
    let f1 = r1[0].file.clone().unwrap();
    let audio = son1k_audio::decode_file(&folder.join(&f1)).unwrap();
    // Gain is left to the player: the render is at unity, centred (the constant-power pan law
    // puts a centred track 3 dB down on each side), not at −12 dB.
    let peak = audio.channels[0].iter().fold(0.0f32, |x, s| x.max(s.abs()));
    assert!(
        (peak - 0.5 * std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01,
        "{peak}"
    );
    // Gain changes do not need a new render; a move does, and the old one goes.
    m.apply(&TrackEdit::Gain {
        track: t.clone(),
        db: -3.0,
    })
    .unwrap();
    assert_eq!(m.track_renders().unwrap()[0].file.as_ref(), Some(&f1));
    m.apply(&TrackEdit::MoveClip {
        track: t,
        clip: 0,
        offset: 0.5,
    })
    .unwrap();
    let f2 = m.track_renders().unwrap()[0].file.clone().unwrap();
    assert_ne!(f1, f2);
    assert!(!folder.join(&f1).exists() && folder.join(&f2).is_file());
    let moved = son1k_audio::decode_file(&folder.join(&f2)).unwrap();
    assert_eq!(
        moved.frames(),
        audio.frames() + moved.sample_rate as usize / 2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_demo_spectrum_peaks_at_its_pitch() {
    let dir = home("spectrum");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Spec").unwrap();
    let project = folder.to_string_lossy().into_owned();
    assert!(
        ghost::demo_spectrum(&studio, &project, 64).is_err(),
        "no demo yet"
    );
    let a = dir.join("a.wav");
    sine(&a, 0.5, 2.0); // 220 Hz
    ghost::add(&studio, &project, &a).unwrap();
    let s = ghost::demo_spectrum(&studio, &project, 96).unwrap();
    assert_eq!(s.hz.len(), 96);
    let best = (0..s.db.len())
        .max_by(|&i, &j| s.db[i].total_cmp(&s.db[j]))
        .unwrap();
    assert!((s.hz[best] / 220.0 - 1.0).abs() < 0.1, "{} Hz", s.hz[best]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn renders_and_exports_use_the_open_state_not_a_new_read_of_the_file() {
    let dir = home("open-state");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Abierto").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let a = dir.join("a.wav");
    sine(&a, 0.5, 1.0);
    let mut m = Mixing::open(&studio, &project).unwrap();
    let track = m.import(&a).unwrap();
    m.apply(&TrackEdit::Gain { track, db: -6.0 }).unwrap();
    // Another program breaks the file: what is open still renders as it stands.
    std::fs::write(folder.join(son1k_app::project::FILE), b"{broken").unwrap();
    let mix = m.render_mix().unwrap();
    let heard = son1k_audio::decode_file(&folder.join(&mix)).unwrap();
    assert!((rms(&heard) / rms(&render(&m)) - 1.0).abs() < 1e-3);
    let out = dir.join("export");
    let files = m
        .export(&out, son1k_core::Quality::Standard, false)
        .unwrap();
    assert_eq!(files.len(), 2, "the mix and one stem: {files:?}");
    // A copy of the open project renders the same, without holding the mixer.
    let copy = m.project();
    assert_eq!(&copy.doc.session, m.session());
    assert_eq!(copy.render_mix().unwrap(), mix);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Records a real take from the default input (`scripts/virtual-audio.sh` gives machines without
/// a sound card a PulseAudio null source); with no input device at all, the error must say so.
#[test]
fn a_recorded_take_lands_on_a_new_track_with_level_reports() {
    let dir = home("record");
    let studio = Studio::with_paths(Paths::under(&dir));
    let (folder, _) = studio.create_project("Rec").unwrap();
    let project = folder.to_string_lossy().into_owned();
    let levels = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = levels.clone();
    let rec = match ghost::TakeRecorder::start(&studio, &project, move |l| {
        sink.lock().unwrap().push(l)
    }) {
        Ok(r) => r,
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("input device"),
                "without a device the error names it: {msg}"
            );
            eprintln!("no input device here: {msg}");
            return;
        }
    };
    assert!(rec.file().starts_with(folder.join("audio")));
    // Devices take a moment to deliver their first samples: wait for half a second of audio.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while levels.lock().unwrap().last().map_or(0.0, |l| l.seconds) < 0.5 {
        assert!(std::time::Instant::now() < deadline, "no audio in 15 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let take = rec.stop().unwrap();
    let got = levels.lock().unwrap().clone();
    assert!(got.len() >= 5, "{} level reports", got.len());
    assert!(got.windows(2).all(|w| w[1].seconds >= w[0].seconds));
    assert!(got.iter().all(|l| (0.0..=1.0).contains(&l.peak)));
    let audio = son1k_audio::decode_file(&take).unwrap();
    assert!(audio.frames() > 0);
    let mut m = Mixing::open(&studio, &project).unwrap();
    let track = m.add_take(&take, "take").unwrap();
    let v = m.view();
    assert_eq!(v.tracks[0].name, track);
    assert!(v.tracks[0].clips[0].file.starts_with("audio/take-"));
    // Undoable like every other edit.
    assert!(m.undo().unwrap().tracks.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
