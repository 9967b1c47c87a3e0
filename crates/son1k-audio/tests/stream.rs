//! Stream errors and device changes: nothing is swallowed. The stand-in device loses itself,
//! glitches, stalls and changes rate on command; the supervisor reports each and opens the
//! stream again on the current default device, and the transport carries on where it was. The
//! last test plays through the machine's real default device (a PulseAudio null sink from
//! `scripts/virtual-audio.sh` where there is no sound card).
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{dir, session, tone, write_stereo, Fake};
use son1k_audio::engine::{play, play_on, EngineEvent, Playback, SupervisorOptions};
use son1k_audio::mixdown::Renderer;

fn quick() -> SupervisorOptions {
    SupervisorOptions {
        tick: Duration::from_millis(10),
        stall_after: Duration::from_millis(300),
        device_poll: Some(Duration::from_millis(50)),
        retry_after: Duration::from_millis(100),
    }
}

fn start(name: &str, fake: Fake, options: SupervisorOptions) -> (Playback, std::path::PathBuf) {
    let d = dir("stream", name);
    write_stereo(&d.join("a.wav"), 30.0, tone(1));
    let s = session(r#"{"sample_rate":48000,"tracks":[{"clips":[{"file":"a.wav"}]}]}"#);
    let p = play_on(fake, Renderer::new(&s, &d).unwrap(), Some(256), options).unwrap();
    (p, d)
}

/// Waits up to 3 s for `f` to hold, collecting events meanwhile.
fn wait_for(p: &Playback, events: &mut Vec<EngineEvent>, f: impl Fn(&[EngineEvent]) -> bool) {
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        events.extend(p.handle.events());
        if f(events) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out; events so far: {events:?}");
}

fn restarted(e: &[EngineEvent]) -> Option<(&str, &str)> {
    e.iter().find_map(|e| match e {
        EngineEvent::Restarted { device, reason, .. } => Some((device.as_str(), reason.as_str())),
        _ => None,
    })
}

#[test]
fn a_lost_device_is_reported_and_the_stream_comes_back_on_the_new_default() {
    let (fake, c) = Fake::new("fake-a");
    // No polling of the default device here: the loss alone must bring the stream back.
    let options = SupervisorOptions {
        device_poll: None,
        ..quick()
    };
    let (p, d) = start("lost", fake, options);
    std::thread::sleep(Duration::from_millis(150));
    let before = p.handle.meters().position();
    assert!(before > 0, "it plays");
    assert_eq!(p.handle.status().device.as_deref(), Some("fake-a"));
    *c.device.lock().unwrap() = ("fake-b".into(), 48_000);
    c.lose.store(true, Ordering::Relaxed);
    let mut ev = Vec::new();
    wait_for(&p, &mut ev, |e| restarted(e).is_some());
    assert!(
        ev.iter()
            .any(|e| matches!(e, EngineEvent::DeviceLost { device, .. } if device == "fake-a")),
        "{ev:?}"
    );
    assert_eq!(restarted(&ev).unwrap().0, "fake-b");
    let st = p.handle.status();
    assert_eq!(st.restarts, 1);
    assert!(st.stream_errors >= 1);
    assert!(st.last_error.unwrap().contains("no longer available"));
    assert_eq!(st.device.as_deref(), Some("fake-b"));
    assert_eq!(c.opens.load(Ordering::Relaxed), 2);
    // The transport carries on from where it was, on the new stream.
    let at = p.handle.meters().position();
    assert!(at >= before);
    std::thread::sleep(Duration::from_millis(150));
    assert!(p.handle.meters().position() > at, "playing again");
    assert!(p.handle.meters().playing());
    drop(p);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_failed_reopen_is_reported_and_retried_until_the_device_returns() {
    let (fake, c) = Fake::new("fake-a");
    let (p, d) = start("retry", fake, quick());
    std::thread::sleep(Duration::from_millis(100));
    c.refuse_opens.store(3, Ordering::Relaxed);
    c.lose.store(true, Ordering::Relaxed);
    let mut ev = Vec::new();
    wait_for(&p, &mut ev, |e| restarted(e).is_some());
    let failures = ev
        .iter()
        .filter(|e| matches!(e, EngineEvent::RestartFailed { message } if message.contains("no device right now")))
        .count();
    assert_eq!(failures, 3, "{ev:?}");
    assert_eq!(p.handle.status().restarts, 1);
    drop(p);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_glitch_is_counted_and_told_without_a_restart() {
    let (fake, c) = Fake::new("fake-a");
    let (p, d) = start("glitch", fake, quick());
    c.glitch.store(true, Ordering::Relaxed);
    let mut ev = Vec::new();
    wait_for(&p, &mut ev, |e| {
        e.iter().any(
            |e| matches!(e, EngineEvent::StreamError { message } if message.ends_with("fake: one glitch")),
        )
    });
    std::thread::sleep(Duration::from_millis(200));
    ev.extend(p.handle.events());
    assert!(restarted(&ev).is_none(), "{ev:?}");
    let st = p.handle.status();
    assert_eq!((st.stream_errors, st.restarts), (1, 0));
    assert!(st.last_error.unwrap().ends_with("fake: one glitch"));
    drop(p);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn a_silent_stall_a_new_default_device_and_a_rate_change_each_restart_the_stream() {
    let (fake, c) = Fake::new("fake-a");
    let (p, d) = start("changes", fake, quick());
    let mut ev = Vec::new();
    // The device stops calling back without a word.
    c.stall.store(true, Ordering::Relaxed);
    wait_for(&p, &mut ev, |e| restarted(e).is_some());
    assert!(
        restarted(&ev).unwrap().1.contains("stopped asking"),
        "{ev:?}"
    );
    c.stall.store(false, Ordering::Relaxed);
    // The user picks another default device.
    ev.clear();
    *c.device.lock().unwrap() = ("fake-usb".into(), 48_000);
    wait_for(&p, &mut ev, |e| restarted(e).is_some());
    assert_eq!(
        restarted(&ev).unwrap(),
        ("fake-usb", "the default output device is now fake-usb")
    );
    // The device's rate changes under us.
    ev.clear();
    *c.device.lock().unwrap() = ("fake-usb".into(), 44_100);
    wait_for(&p, &mut ev, |e| restarted(e).is_some());
    assert!(
        restarted(&ev).unwrap().1.contains("48000 Hz to 44100 Hz"),
        "{ev:?}"
    );
    let st = p.handle.status();
    assert_eq!(st.restarts, 3);
    assert_eq!(
        st.sample_rate,
        Some(48_000),
        "the session's rate, resampled by the host"
    );
    drop(p);
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn the_real_default_device_plays_and_reports_its_status() {
    let d = dir("stream", "real");
    write_stereo(&d.join("a.wav"), 1.0, tone(2));
    let s = session(r#"{"sample_rate":48000,"tracks":[{"clips":[{"file":"a.wav"}]}]}"#);
    let p = play(Renderer::new(&s, &d).unwrap(), None).unwrap();
    let start = Instant::now();
    // A loaded machine can starve the sound server well below real time: allow for it.
    while !p.handle.meters().finished() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let st = p.handle.status();
    assert!(st.finished, "{st:?}");
    assert!(
        start.elapsed() >= Duration::from_millis(800),
        "the device paces playback: {:?}",
        start.elapsed()
    );
    assert_eq!(st.device.as_deref(), Some(p.device.as_str()));
    assert_eq!(st.stream_errors, 0, "{st:?}");
    assert_eq!(st.restarts, 0, "{st:?}");
    assert!(
        st.callbacks > 10 && st.median_load > 0.0 && st.median_load < 1.0,
        "{st:?}"
    );
    drop(p);
    std::fs::remove_dir_all(d).unwrap();
}
