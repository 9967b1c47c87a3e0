//! Ghost Studio playing through the native engine, measured on a paced virtual device's
//! monitor: what it plays is the offline render bit for bit (knobs' master chain, track
//! effects, gain, pan and mute included), and edits made while it plays — a knob, a mute —
//! are heard within 100 ms.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use son1k_app::ghost::{self, LiveOutput, Mixing, PlaybackFrame, TrackEdit, VirtualOutput};
use son1k_app::{Paths, Studio};
use son1k_audio::fx::{FilterKind, FxSpec};
use son1k_core::Knobs;

const RATE: u32 = 48_000;

fn home(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-live-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A stereo tone of `hz` at `amp` for `seconds`, 32-bit float (so nothing is lost to bits).
fn tone(path: &std::path::Path, hz: f32, amp: f32, seconds: f32) {
    let frames = (seconds * RATE as f32) as usize;
    let l: Vec<f32> = (0..frames)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            amp * (std::f32::consts::TAU * hz * t).sin() * (0.75 + 0.25 * (3.0 * t).sin())
        })
        .collect();
    let r: Vec<f32> = l.iter().map(|s| s * 0.8).collect();
    let buf = son1k_audio::AudioBuffer::new(RATE, vec![l, r]).unwrap();
    son1k_audio::write_file(path, &buf, son1k_audio::SampleFormat::F32).unwrap();
}

fn project_with(dir: &std::path::Path, tones: &[(f32, f32, f32)]) -> (Studio, String) {
    let studio = Studio::with_paths(Paths::under(dir));
    let (folder, _) = studio.create_project("En vivo").unwrap();
    let project = folder.to_string_lossy().into_owned();
    for (i, (hz, amp, secs)) in tones.iter().enumerate() {
        let f = dir.join(format!("t{i}.wav"));
        tone(&f, *hz, *amp, *secs);
        ghost::add(&studio, &project, &f).unwrap();
    }
    (studio, project)
}

fn frames_sink() -> (ghost::FrameSink, Arc<Mutex<Vec<PlaybackFrame>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let sink: ghost::FrameSink = Arc::new(move |f: PlaybackFrame| s.lock().unwrap().push(f));
    (sink, seen)
}

fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|s| s * s).sum::<f32>() / x.len().max(1) as f32).sqrt()
}

fn db(x: f32) -> f32 {
    20.0 * x.max(1e-9).log10()
}

/// Level (dB RMS) and crest factor (dB, peak over RMS) of interleaved stereo.
fn level_and_crest(x: &[f32]) -> (f32, f32) {
    let peak = x.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    (db(rms(x)), db(peak) - db(rms(x)))
}

#[test]
fn live_playback_on_the_virtual_device_is_the_offline_render_bit_for_bit() {
    let dir = home("bits");
    let (studio, project) = project_with(
        &dir,
        &[(220.0, 0.3, 1.5), (330.0, 0.25, 1.2), (97.0, 0.4, 1.0)],
    );
    let mut m = Mixing::open(&studio, &project).unwrap();
    let names: Vec<String> = m.view().tracks.iter().map(|t| t.name.clone()).collect();
    m.set_knobs(Knobs::new(70, 30, 45, 60).unwrap()).unwrap();
    m.apply(&TrackEdit::Gain {
        track: names[0].clone(),
        db: -4.5,
    })
    .unwrap();
    m.apply(&TrackEdit::Pan {
        track: names[1].clone(),
        pan: -0.6,
    })
    .unwrap();
    m.apply(&TrackEdit::Mute {
        track: names[2].clone(),
        on: true,
    })
    .unwrap();
    m.apply(&TrackEdit::FxAdd {
        track: Some(names[1].clone()),
        at: None,
        fx: FxSpec::Eq {
            kind: FilterKind::Peak,
            freq: 900.0,
            q: 1.0,
            gain_db: 5.0,
        },
    })
    .unwrap();
    // A shared room: the first two tracks send to it (the muted third's send stays silent).
    m.apply(&TrackEdit::AddReturn {
        name: "Sala".into(),
        fx: vec![FxSpec::Reverb {
            room: 0.8,
            damping: 0.4,
            wet: 1.0,
            dry: Some(0.0),
        }],
    })
    .unwrap();
    for (name, db) in names.iter().zip([-6.0, -9.0, 0.0]) {
        m.apply(&TrackEdit::Send {
            track: name.clone(),
            to: "Sala".into(),
            level_db: Some(db),
        })
        .unwrap();
    }
    m.apply(&TrackEdit::ReturnGain {
        name: "Sala".into(),
        db: -3.0,
    })
    .unwrap();
    let out = dir.join("offline.wav");
    m.render(&out, son1k_audio::SampleFormat::F32).unwrap();
    let offline = son1k_audio::decode_file(&out).unwrap();
    assert!(
        m.session().master.len() > 3,
        "the knobs make a master chain"
    );

    let device = VirtualOutput::new("test output", 256);
    let monitor = device.monitor();
    let (sink, seen) = frames_sink();
    m.play(LiveOutput::Virtual(device), 0.0, None, sink)
        .unwrap();
    let player = m.player().unwrap();
    let latency = player.latency_frames();
    println!(
        "{} master effects, {latency} frames of latency, {} frames compared",
        m.session().master.len(),
        offline.frames()
    );
    let total = offline.frames() + latency;
    assert!(
        monitor.wait_for(total as u64 + 4096, Duration::from_secs(20)),
        "the virtual device played {} of {total} frames",
        monitor.frames()
    );
    let (start, played) = monitor.all();
    assert_eq!(start, 0, "the monitor kept everything");
    let (l, r): (Vec<f32>, Vec<f32>) = played.chunks(2).map(|f| (f[0], f[1])).unzip();
    for (live, off, side) in [
        (&l, &offline.channels[0], "left"),
        (&r, &offline.channels[1], "right"),
    ] {
        let live = &live[latency..latency + off.len()];
        let first = live
            .iter()
            .zip(off)
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert_eq!(
            first, None,
            "{side}: live and offline differ from frame {first:?}"
        );
    }
    assert!(
        rms(&l[latency..latency + offline.frames()]) > 0.01,
        "it is not silence"
    );
    // After the end the device hears silence and the frames say playback finished.
    assert!(l[total..].iter().all(|s| *s == 0.0));
    let frames = seen.lock().unwrap().clone();
    assert!(
        frames.len() >= 10,
        "about 30 frames a second: {}",
        frames.len()
    );
    let last = frames.last().unwrap();
    assert!(last.finished && !last.playing);
    assert_eq!(last.device.as_deref(), Some("test output"));
    let loud = frames
        .iter()
        .find(|f| f.master.0 > 0.0)
        .expect("a frame with the master's level");
    assert_eq!(loud.tracks.len(), 3);
    assert_eq!(
        loud.tracks[2].peak, 0.0,
        "the muted track's meter stays down"
    );
    assert!(loud.tracks[0].peak > 0.0 && loud.tracks[1].peak > 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits for `ms` milliseconds of audio after frame `from`, then returns the last 50 ms of it.
fn window_after(monitor: &ghost::Monitor, from: u64, ms: u64) -> Vec<f32> {
    let end = from + u64::from(RATE) * ms / 1000;
    assert!(monitor.wait_for(end, Duration::from_secs(5)));
    monitor.range(end - u64::from(RATE) / 20, end)
}

#[test]
fn turning_trash_a_send_or_muting_while_playing_is_heard_within_100_ms() {
    let dir = home("trash");
    let (studio, project) = project_with(&dir, &[(220.0, 0.3, 6.0)]);
    let mut m = Mixing::open(&studio, &project).unwrap();
    let track = m.view().tracks[0].name.clone();
    // An echo return with the track's send all but off (a send made while playing would
    // reload the session; its level then moves live).
    m.apply(&TrackEdit::AddReturn {
        name: "Eco".into(),
        fx: vec![FxSpec::Delay {
            time_ms: 30.0,
            feedback: 0.6,
            mix: 1.0,
        }],
    })
    .unwrap();
    m.apply(&TrackEdit::Send {
        track: track.clone(),
        to: "Eco".into(),
        level_db: Some(-120.0),
    })
    .unwrap();
    let device = VirtualOutput::new("test output", 256);
    let monitor = device.monitor();
    let (sink, _) = frames_sink();
    m.play(LiveOutput::Virtual(device), 0.0, None, sink)
        .unwrap();
    assert!(monitor.wait_for(u64::from(RATE) / 2, Duration::from_secs(5)));

    let f0 = monitor.frames();
    let before = level_and_crest(&monitor.range(f0 - u64::from(RATE) / 20, f0));
    m.set_knobs(Knobs::new(50, 0, 0, 100).unwrap()).unwrap();
    let after = level_and_crest(&window_after(&monitor, f0, 100));
    let (dl, dc) = (after.0 - before.0, after.1 - before.1);
    println!(
        "Trash 0 → 100, 50–100 ms after the call: level {:.2} → {:.2} dB RMS, crest {:.2} → {:.2} dB",
        before.0, after.0, before.1, after.1
    );
    assert!(
        dl.abs() > 1.0 || dc.abs() > 1.0,
        "Trash 0 → 100 changed the level by {dl:.2} dB and the crest factor by {dc:.2} dB \
         within 100 ms (before {before:?}, after {after:?})"
    );

    // The same knob back: the clean sound returns, as live as it left.
    let f1 = monitor.frames();
    m.set_knobs(Knobs::default()).unwrap();
    let clean = level_and_crest(&window_after(&monitor, f1, 100));
    assert!(
        (clean.1 - before.1).abs() < 0.5,
        "crest back to {:.2} dB, was {:.2} dB",
        clean.1,
        before.1
    );

    let f2 = monitor.frames();
    m.apply(&TrackEdit::Mute {
        track: track.clone(),
        on: true,
    })
    .unwrap();
    let muted = rms(&window_after(&monitor, f2, 100));
    assert_eq!(muted, 0.0, "a mute is heard within 100 ms");
    m.apply(&TrackEdit::Mute {
        track: track.clone(),
        on: false,
    })
    .unwrap();
    let f4 = monitor.frames();
    let _ = window_after(&monitor, f4, 100);

    // A send raised while playing (the return was made before): heard within 100 ms, and
    // without a reload (the playhead runs on).
    let f3 = monitor.frames();
    let dry = level_and_crest(&monitor.range(f3 - u64::from(RATE) / 20, f3));
    let meters = m.player().unwrap().shared_meters();
    m.apply(&TrackEdit::Send {
        track,
        to: "Eco".into(),
        level_db: Some(6.0),
    })
    .unwrap();
    let echoed = level_and_crest(&window_after(&monitor, f3, 100));
    println!(
        "send to the echo −120 → +6 dB, 50–100 ms after the call: level {:.2} → {:.2} dB RMS",
        dry.0, echoed.0
    );
    // (A steady tone and its echo add or partly cancel, by the delay's phase: either way, the
    // level moves.)
    assert!((echoed.0 - dry.0).abs() > 1.0, "{dry:?} → {echoed:?}");
    assert!(
        Arc::ptr_eq(&meters, &m.player().unwrap().shared_meters()),
        "the same engine plays on"
    );

    assert!(m.playback_frame().unwrap().playing);
    m.stop().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_edit_of_the_clips_while_playing_reloads_the_session_where_it_was_and_play_moves_it() {
    let dir = home("reload");
    let (studio, project) = project_with(&dir, &[(220.0, 0.3, 4.0), (330.0, 0.3, 4.0)]);
    let mut m = Mixing::open(&studio, &project).unwrap();
    let second = m.view().tracks[1].name.clone();
    let device = VirtualOutput::new("test output", 256);
    let monitor = device.monitor();
    let (sink, _) = frames_sink();
    m.play(LiveOutput::Virtual(device), 1.0, Some((1.0, 3.0)), sink)
        .unwrap();
    assert!(monitor.wait_for(u64::from(RATE) / 4, Duration::from_secs(5)));
    let at = m.playback_frame().unwrap().seconds;
    assert!((1.0..3.0).contains(&at), "playing inside the loop: {at}");
    m.apply(&TrackEdit::DeleteTrack { track: second }).unwrap();
    let f = m.playback_frame().unwrap();
    assert!(f.playing, "still playing after the reload");
    assert_eq!(f.looping, Some((1.0, 3.0)));
    assert!(
        (f.seconds - at).abs() < 0.5,
        "the reload kept the position: {at} → {}",
        f.seconds
    );
    assert_eq!(m.player().unwrap().session().tracks.len(), 1);
    // Stopped, then played again from elsewhere without the loop: the same stream moves there.
    let stopped = m.stop().unwrap().unwrap();
    assert!(!m.player().unwrap().is_playing());
    let (sink, _) = frames_sink();
    let device = VirtualOutput::new("unused", 256);
    m.play(LiveOutput::Virtual(device), 0.25, None, sink)
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let f = m.playback_frame().unwrap();
    assert!(f.playing && f.looping.is_none(), "{f:?}");
    assert!(
        (0.25..0.9).contains(&f.seconds),
        "from 0.25 s, not from where it stopped ({:.2} s): {:.2} s",
        stopped.seconds,
        f.seconds
    );
    assert_eq!(f.device.as_deref(), Some("test output"), "the same stream");
    let _ = std::fs::remove_dir_all(&dir);
}
