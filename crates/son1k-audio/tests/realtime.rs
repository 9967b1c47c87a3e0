//! The engine's real-time promise, proven: a counting global allocator watches the audio
//! callback and the renderer, and not one allocation, reallocation or free happens in them
//! while playing, seeking, looping and changing gain, pan, mute, solo and effects.
#![allow(clippy::unwrap_used)]
// The counting allocator below is the only unsafe code of this crate.
#![allow(unsafe_code)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::{dir, session, tone, write_stereo, Fake, SR};
use son1k_audio::engine::{engine, play_on, Command, FxTarget, SupervisorOptions};
use son1k_audio::fx::{FilterKind, FxSpec};
use son1k_audio::mixdown::{Renderer, Session};

/// Counts what the current thread asks of the allocator while its window is open.
struct Counting;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static SEEN: Cell<u64> = const { Cell::new(0) };
}

fn note() {
    let _ = WATCHING.try_with(|w| {
        if w.get() {
            let _ = SEEN.try_with(|s| s.set(s.get() + 1));
        }
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; the bookkeeping touches
// only const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        note();
        // SAFETY: `p` came from this allocator with layout `l`.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        note();
        // SAFETY: `p` came from this allocator with layout `l`.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` with the window open; returns its result and the allocator calls it made.
fn counted<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = SEEN.with(|s| s.get());
    WATCHING.with(|w| w.set(true));
    let r = f();
    WATCHING.with(|w| w.set(false));
    (r, SEEN.with(|s| s.get()) - before)
}

/// Allocator calls seen inside the stand-in device's callbacks.
static IN_STREAM: AtomicU64 = AtomicU64::new(0);
/// Device callbacks watched.
static WATCHED: AtomicU64 = AtomicU64::new(0);

fn around_callback(f: &mut dyn FnMut()) {
    let ((), n) = counted(f);
    IN_STREAM.fetch_add(n, Ordering::Relaxed);
    WATCHED.fetch_add(1, Ordering::Relaxed);
}

/// Four busy tracks with every kind of effect, and a master chain like the knobs' at full tilt.
fn heavy_session(d: &std::path::Path) -> Session {
    for i in 0..4 {
        write_stereo(&d.join(format!("t{i}.wav")), 1.5, tone(i));
    }
    let track = |i: usize, fx: &str| {
        format!(
            r#"{{"name":"t{i}","gain_db":-6,"fx":[{fx}],"clips":[{{"file":"t{i}.wav","offset":0.1,"fade_in":0.05}}],
                "sends":[{{"to":"room","level_db":-{}}}{}]}}"#,
            4 + 3 * i,
            if i == 1 {
                r#",{"to":"echo","level_db":-6}"#
            } else {
                ""
            }
        )
    };
    let tracks = [
        track(
            0,
            r#"{"type":"eq","kind":"peak","freq":1000,"q":1,"gain_db":3},{"type":"compressor","threshold_db":-20,"ratio":4}"#,
        ),
        track(
            1,
            r#"{"type":"delay","time_ms":120,"feedback":0.5,"mix":0.3},{"type":"reverb","room":0.7,"damping":0.4,"wet":0.3}"#,
        ),
        track(
            2,
            r#"{"type":"tape","depth":0.6},{"type":"chorus","depth":0.5,"rate_hz":0.8,"mix":0.4},{"type":"ring_mod","freq":300,"mix":0.2}"#,
        ),
        track(
            3,
            r#"{"type":"bitcrusher","bits":8,"downsample":3},{"type":"noise","level_db":-50,"pink":true},{"type":"limiter","ceiling_db":-3,"true_peak":true}"#,
        ),
    ];
    session(&format!(
        r#"{{"sample_rate":48000,"tracks":[{}],"master":[
            {{"type":"saturation","drive_db":9,"mix":0.6}},{{"type":"tape","depth":0.4}},
            {{"type":"eq","kind":"high_shelf","freq":7000,"gain_db":-4}},{{"type":"eq","kind":"low_pass","freq":9000,"q":0.8}},
            {{"type":"noise","level_db":-60,"pink":true}},{{"type":"reverb","room":0.15,"damping":0.7,"wet":0.15}},
            {{"type":"chorus","depth":0.3,"rate_hz":0.5,"mix":0.3}},{{"type":"ring_mod","freq":200,"mix":0.1}},
            {{"type":"compressor","threshold_db":-16,"ratio":3,"makeup_db":2}},{{"type":"limiter","ceiling_db":-1,"true_peak":true}}],
            "returns":[{{"name":"room","gain_db":-3,"fx":[{{"type":"reverb","room":0.8,"damping":0.3,"wet":1,"dry":0}}]}},
            {{"name":"echo","fx":[{{"type":"delay","time_ms":250,"feedback":0.4,"mix":1}},{{"type":"limiter","ceiling_db":-6,"true_peak":true}}]}}]}}"#,
        tracks.join(",")
    ))
}

#[test]
fn the_counter_sees_allocations() {
    let (v, n) = counted(|| vec![1u8; 100]);
    assert!(n >= 1, "{n}");
    let ((), n) = counted(|| drop(v));
    assert_eq!(n, 1);
}

#[test]
fn the_callback_never_allocates_while_playing_seeking_looping_and_mixing() {
    let d = dir("rt", "core");
    let s = heavy_session(&d);
    let (mut core, mut h) = engine(Renderer::new(&s, &d).unwrap());
    let len = (SR as f64 * 1.6) as usize;
    let mut buf = vec![0.0f32; 10_000 * 2];
    let sizes = [128usize, 256, 17, 1031, 64, 9_000, 1];
    let (mut total, mut callbacks) = (0u64, 0u64);
    for step in 0..400usize {
        // Control side, outside the window: the commands a mixing session sends.
        match step % 20 {
            0 => h.send(Command::Play).unwrap(),
            2 => h
                .send(Command::Gain {
                    track: step / 20 % 4,
                    db: -12.0 + (step % 7) as f32,
                })
                .unwrap(),
            4 => h
                .send(Command::Pan {
                    track: 1,
                    position: ((step % 11) as f32 / 5.0) - 1.0,
                })
                .unwrap(),
            6 => h
                .send(Command::Mute {
                    track: 2,
                    on: step % 40 == 6,
                })
                .unwrap(),
            8 => h
                .send(Command::Solo {
                    track: 3,
                    on: step % 60 == 8,
                })
                .unwrap(),
            10 => h.send(Command::Seek((step * 7_919) % len)).unwrap(),
            12 => h
                .send(Command::Loop(Some((4_800, 4_800 + 3_000 + step * 13))))
                .unwrap(),
            13 => h
                .set_fx(
                    FxTarget::Track(0),
                    0,
                    &FxSpec::Eq {
                        kind: FilterKind::Peak,
                        freq: 500.0 + step as f32,
                        q: 1.0,
                        gain_db: 4.0,
                    },
                )
                .unwrap(),
            14 => h
                .set_fx(
                    FxTarget::Master,
                    0,
                    &FxSpec::Saturation {
                        drive_db: (step % 24) as f32,
                        mix: 0.5,
                    },
                )
                .unwrap(),
            15 => h
                .set_fx(
                    FxTarget::Track(1),
                    1,
                    &FxSpec::Reverb {
                        room: 0.5,
                        damping: 0.5,
                        wet: (step % 10) as f32 / 10.0,
                        dry: None,
                    },
                )
                .unwrap(),
            // A knob turned: the master's whole chain changes length and kind.
            17 => {
                let mut chain = vec![FxSpec::Saturation {
                    drive_db: 6.0,
                    mix: 0.5,
                }];
                if step % 40 == 17 {
                    chain.push(FxSpec::Tape { depth: 0.4 });
                    chain.push(FxSpec::Bitcrusher {
                        bits: 8,
                        downsample: 2,
                    });
                }
                h.set_chain(FxTarget::Master, &chain).unwrap()
            }
            // A send and a return turned, and the echo's time changed.
            3 => h
                .send(Command::Send {
                    track: step / 20 % 4,
                    send: 0,
                    db: -30.0 + (step % 13) as f32,
                })
                .unwrap(),
            11 => h
                .send(Command::ReturnGain {
                    bus: step / 20 % 2,
                    db: -((step % 9) as f32),
                })
                .unwrap(),
            9 => h
                .set_fx(
                    FxTarget::Return(1),
                    0,
                    &FxSpec::Delay {
                        time_ms: 100.0 + (step % 300) as f32,
                        feedback: 0.4,
                        mix: 1.0,
                    },
                )
                .unwrap(),
            16 if step % 80 == 16 => h.send(Command::Loop(None)).unwrap(),
            18 if step % 100 == 18 => h.send(Command::Stop).unwrap(),
            _ => {}
        }
        let n = sizes[step % sizes.len()];
        let ((), a) = counted(|| core.process(&mut buf[..n * 2], 2));
        total += a;
        callbacks += 1;
        assert_eq!(
            a, 0,
            "step {step}: {a} allocator calls in one callback of {n} frames"
        );
    }
    assert_eq!(total, 0);
    assert_eq!(h.meters().callbacks(), callbacks);
    assert!(
        h.collect_garbage() > 0,
        "effects were swapped and handed back"
    );
    let (peak, _) = h.meters().take_peaks();
    assert!(peak > 0.01, "it played: peak {peak}");
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn the_renderer_never_allocates() {
    let d = dir("rt", "renderer");
    let s = heavy_session(&d);
    let mut r = Renderer::new(&s, &d).unwrap();
    let (mut l, mut rr) = (vec![0.0f32; 5_000], vec![0.0f32; 5_000]);
    let ((), n) = counted(|| {
        for k in 0..200usize {
            let n = [1usize, 64, 1024, 1025, 4_999][k % 5];
            r.render(&mut l[..n], &mut rr[..n]);
            match k % 9 {
                0 => r.seek((k * 3_301) % 70_000),
                3 => r.set_gain(k % 4, -3.0),
                4 => r.set_pan(k % 4, 0.25),
                5 => r.set_mute(1, k % 2 == 0),
                6 => r.set_solo(2, k % 4 == 2),
                8 if k % 27 == 8 => r.reset(),
                _ => {}
            }
        }
    });
    assert_eq!(n, 0, "{n} allocator calls while rendering");
    assert!(l.iter().any(|s| *s != 0.0));
    std::fs::remove_dir_all(d).unwrap();
}

#[test]
fn the_device_callback_never_allocates() {
    let d = dir("rt", "stream");
    let s = heavy_session(&d);
    let (fake, control) = Fake::new("fake-rt");
    let _ = control.around.set(around_callback);
    let mut p = play_on(
        fake,
        Renderer::new(&s, &d).unwrap(),
        Some(256),
        SupervisorOptions::default(),
    )
    .unwrap();
    let h = &mut p.handle;
    h.send(Command::Loop(Some((2_000, 20_000)))).unwrap();
    for k in 0..30u32 {
        std::thread::sleep(Duration::from_millis(10));
        h.send(Command::Gain {
            track: (k % 4) as usize,
            db: -(k as f32),
        })
        .unwrap();
        h.set_fx(
            FxTarget::Master,
            0,
            &FxSpec::Saturation {
                drive_db: (k % 20) as f32,
                mix: 0.4,
            },
        )
        .unwrap();
        if k % 10 == 5 {
            h.send(Command::Seek(9_000)).unwrap();
        }
    }
    // Enough callbacks to have exercised the commands above (a loaded machine paces the stand-in
    // device more slowly: wait for them rather than for a fixed time).
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while h.meters().callbacks() < 20 && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    let callbacks = h.meters().callbacks();
    assert!(
        callbacks >= 20,
        "the stand-in device called back {callbacks} times"
    );
    drop(p);
    assert_eq!(
        IN_STREAM.load(Ordering::Relaxed),
        0,
        "allocator calls in device callbacks"
    );
    std::fs::remove_dir_all(d).unwrap();
}
