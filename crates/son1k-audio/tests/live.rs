//! The engine while it plays: tails ring through loop wraps and seeks, a stop clears them, live
//! gain/pan/mute/solo/effect changes land exactly where offline rendering of the changed
//! session would be, and odd device buffer sizes change nothing.
#![allow(clippy::unwrap_used)]

mod common;

use common::{dir, first_difference, rms, session, split, tone, write_stereo, SR};
use son1k_audio::engine::{engine, run_offline, Command, EngineCore, FxTarget};
use son1k_audio::fx::FxSpec;
use son1k_audio::mixdown::{render, Renderer, Session};

/// Runs the core for `frames` frames in buffers cycling through `sizes`.
fn run_sizes(core: &mut EngineCore, frames: usize, sizes: &[usize]) -> Vec<f32> {
    let mut out = vec![0.0; frames * 2];
    let (mut at, mut k) = (0, 0);
    while at < frames {
        let n = sizes[k % sizes.len()].min(frames - at);
        core.process(&mut out[at * 2..(at + n) * 2], 2);
        at += n;
        k += 1;
    }
    out
}

/// A 2 s file, silent but for a 50 ms burst at 0.9 s; tracks with a delay and a reverb.
fn burst_session(d: &std::path::Path) -> Session {
    write_stereo(&d.join("burst.wav"), 2.0, |k| {
        if (43_200..45_600).contains(&k) {
            let s = (k as f32 * 0.07).sin() * 0.5;
            (s, s)
        } else {
            (0.0, 0.0)
        }
    });
    session(
        r#"{"sample_rate":48000,"tracks":[
            {"fx":[{"type":"delay","time_ms":150,"feedback":0.6,"mix":0.5}],"clips":[{"file":"burst.wav"}]},
            {"pan":0.4,"fx":[{"type":"reverb","room":0.8,"damping":0.3,"wet":0.5}],"clips":[{"file":"burst.wav"}]}],
          "master":[{"type":"limiter","ceiling_db":-1}]}"#,
    )
}

#[test]
fn tails_ring_through_a_loop_wrap_as_if_the_timeline_went_on() {
    let d = dir("live", "wrap");
    let s = burst_session(&d);
    // Looping the first second: the source is silent from 0 to 0.9 s, just as from 1.0 to
    // 1.9 s, so after the wrap the output must be what playing straight on gives.
    let (mut looped, mut h) = engine(Renderer::new(&s, &d).unwrap());
    h.send(Command::Loop(Some((0, SR as usize)))).unwrap();
    h.send(Command::Play).unwrap();
    let (mut straight, mut h2) = engine(Renderer::new(&s, &d).unwrap());
    h2.send(Command::Play).unwrap();
    let frames = (SR as f64 * 1.6) as usize;
    let a = run_sizes(&mut looped, frames, &[256, 77, 1000]);
    let b = run_sizes(&mut straight, frames, &[256]);
    assert!(h.meters().position() < SR as usize, "it wrapped");
    let (la, ra) = split(&a);
    let (lb, rb) = split(&b);
    let wrap = SR as usize;
    let after = &la[wrap..wrap + 9_600];
    assert!(
        rms(after) > 0.01,
        "the tail is audible right after the wrap: rms {}",
        rms(after)
    );
    assert_eq!(first_difference(&la, &lb), None);
    assert_eq!(first_difference(&ra, &rb), None);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn seek_keeps_tails_and_stop_clears_them() {
    let d = dir("live", "seek");
    let s = burst_session(&d);
    let (mut core, mut h) = engine(Renderer::new(&s, &d).unwrap());
    h.send(Command::Play).unwrap();
    run_offline(&mut core, 45_600, 256); // through the burst
    h.send(Command::Seek(0)).unwrap(); // silent source from here
    let (l, _) = split(&run_offline(&mut core, 9_600, 256));
    assert!(rms(&l) > 0.01, "a seek keeps the tail: {}", rms(&l));
    // Through the burst again, then stop: the next play starts clean.
    h.send(Command::Seek(40_000)).unwrap();
    run_offline(&mut core, 5_600, 256);
    h.send(Command::Stop).unwrap();
    h.send(Command::Seek(0)).unwrap();
    h.send(Command::Play).unwrap();
    let (l, r) = split(&run_offline(&mut core, 9_600, 256));
    assert!(l.iter().chain(&r).all(|s| *s == 0.0), "stop clears tails");
    std::fs::remove_dir_all(d).unwrap();
}

fn two_tone_session(d: &std::path::Path, extra: &str) -> Session {
    write_stereo(&d.join("a.wav"), 1.0, tone(0));
    write_stereo(&d.join("b.wav"), 1.0, tone(3));
    session(&format!(
        r#"{{"sample_rate":48000,"tracks":[
            {{"fx":[{{"type":"saturation","drive_db":6,"mix":0.5}},{{"type":"eq","kind":"peak","freq":900,"q":1,"gain_db":3}}],"clips":[{{"file":"a.wav"}}]}},
            {{"pan":-0.3,"fx":[{{"type":"compressor","threshold_db":-18,"ratio":3}}],"clips":[{{"file":"b.wav"}}]}}]{extra}}}"#
    ))
}

/// Plays `s` live, sending `c` at frame `at`, and checks that from `at` + 5 ms on the output
/// is bit for bit the offline render of `changed`.
fn live_change_matches_offline(s: &Session, changed: &Session, d: &std::path::Path, c: Command) {
    let (mut core, mut h) = engine(Renderer::new(s, d).unwrap());
    h.send(Command::Play).unwrap();
    let at = 12_000;
    let before = run_sizes(&mut core, at, &[333, 17]);
    h.send(c).unwrap();
    let after = run_sizes(&mut core, SR as usize - at, &[129, 1031, 2]);
    let (la, _) = split(&after);
    let (lb, rb) = split(&before);
    let original = render(s, d).unwrap();
    let target = render(changed, d).unwrap();
    assert_eq!(first_difference(&lb, &original.channels[0][..at]), None);
    assert_eq!(first_difference(&rb, &original.channels[1][..at]), None);
    let ramp = SR as usize / 200;
    let (_, ra) = split(&after);
    assert_eq!(
        first_difference(&la[ramp..], &target.channels[0][at + ramp..]),
        None,
        "{c:?}"
    );
    assert_eq!(
        first_difference(&ra[ramp..], &target.channels[1][at + ramp..]),
        None,
        "{c:?}"
    );
    // It glides: no sample of the ramp jumps further than the two ends allow.
    let (o, t) = (&original.channels[0], &target.channels[0]);
    for i in 0..ramp {
        let lo = o[at + i].min(t[at + i]) - 1e-6;
        let hi = o[at + i].max(t[at + i]) + 1e-6;
        assert!(
            (lo..=hi).contains(&la[i]),
            "{c:?} frame {i}: {} not within {lo}…{hi}",
            la[i]
        );
    }
}

#[test]
fn live_gain_pan_mute_and_solo_land_on_the_offline_render() {
    let d = dir("live", "mix");
    let s = two_tone_session(&d, "");
    let mut gain = s.clone();
    gain.tracks[0].gain_db = -6.0;
    live_change_matches_offline(&s, &gain, &d, Command::Gain { track: 0, db: -6.0 });
    let mut pan = s.clone();
    pan.tracks[1].pan = 0.8;
    live_change_matches_offline(
        &s,
        &pan,
        &d,
        Command::Pan {
            track: 1,
            position: 0.8,
        },
    );
    let mut mute = s.clone();
    mute.tracks[0].mute = true;
    live_change_matches_offline(&s, &mute, &d, Command::Mute { track: 0, on: true });
    let mut solo = s.clone();
    solo.tracks[1].solo = true;
    live_change_matches_offline(&s, &solo, &d, Command::Solo { track: 1, on: true });
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn live_effect_change_swaps_in_the_new_parameters() {
    let d = dir("live", "fx");
    let mut s = two_tone_session(&d, r#","master":[{"type":"gain","db":-2}]"#);
    // The saturation last on its track, so the EQ before it keeps the same history live and
    // offline (a swapped effect starts fresh; one whose input changed would not match).
    s.tracks[0].fx.swap(0, 1);
    let (mut core, mut h) = engine(Renderer::new(&s, &d).unwrap());
    h.send(Command::Play).unwrap();
    let at = 9_000;
    run_sizes(&mut core, at, &[300]);
    // Stateless effects: from the swap on the output is the changed session's, exactly.
    let drive = FxSpec::Saturation {
        drive_db: 18.0,
        mix: 1.0,
    };
    h.set_fx(FxTarget::Track(0), 1, &drive).unwrap();
    h.set_fx(FxTarget::Master, 0, &FxSpec::Gain { db: -9.0 })
        .unwrap();
    let after = run_sizes(&mut core, 6_000, &[301, 5]);
    let mut changed = s.clone();
    changed.tracks[0].fx[1] = drive.clone();
    changed.master[0] = FxSpec::Gain { db: -9.0 };
    let want = render(&changed, &d).unwrap();
    let (l, r) = split(&after);
    assert_eq!(
        first_difference(&l, &want.channels[0][at..at + 6_000]),
        None
    );
    assert_eq!(
        first_difference(&r, &want.channels[1][at..at + 6_000]),
        None
    );
    assert_eq!(
        h.collect_garbage(),
        2,
        "the old effects come back to be freed"
    );
    // Refused: a slot or track that does not exist, a bad value, a latency change.
    assert!(h.set_fx(FxTarget::Track(0), 2, &drive).is_err());
    assert!(h.set_fx(FxTarget::Track(9), 0, &drive).is_err());
    assert!(h
        .set_fx(FxTarget::Master, 0, &FxSpec::Gain { db: 400.0 })
        .is_err());
    let limited = two_tone_session(&d, r#","master":[{"type":"limiter","ceiling_db":-1}]"#);
    let (_c, mut h) = engine(Renderer::new(&limited, &d).unwrap());
    let tp = FxSpec::Limiter {
        ceiling_db: -1.0,
        release_ms: 50.0,
        true_peak: true,
    };
    let e = h.set_fx(FxTarget::Master, 0, &tp).unwrap_err().to_string();
    assert!(e.contains("latency"), "{e}");
    assert!(h.send(Command::Gain { track: 2, db: 0.0 }).is_err());
    assert!(h.send(Command::Gain { track: 0, db: 99.0 }).is_err());
    assert!(h
        .send(Command::Pan {
            track: 0,
            position: -1.5
        })
        .is_err());
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn odd_device_buffers_play_the_offline_render_bit_for_bit() {
    let d = dir("live", "odd");
    let s = two_tone_session(
        &d,
        r#","master":[{"type":"reverb","room":0.4,"damping":0.5,"wet":0.2},{"type":"limiter","ceiling_db":-1,"true_peak":true}]"#,
    );
    let offline = render(&s, &d).unwrap();
    let r = Renderer::new(&s, &d).unwrap();
    let lat = r.latency();
    assert!(lat > 0, "the limiter looks ahead");
    let (mut core, mut h) = engine(r);
    h.send(Command::Play).unwrap();
    let out = run_sizes(
        &mut core,
        offline.frames() + lat + 5_000,
        &[17, 333, 1031, 1, 9_000, 127],
    );
    let (l, r) = split(&out);
    assert_eq!(
        first_difference(&l[lat..lat + offline.frames()], &offline.channels[0]),
        None
    );
    assert_eq!(
        first_difference(&r[lat..lat + offline.frames()], &offline.channels[1]),
        None
    );
    assert!(h.meters().finished());
    assert!(l[lat + offline.frames()..].iter().all(|s| *s == 0.0));
    std::fs::remove_dir_all(d).unwrap();
}
