//! `son1k-bench engine`: the real-time engine under a studio-sized session — N stereo tracks,
//! each with a two-band EQ, a compressor and a send to a shared reverb return, and a knob chain
//! at full tilt on the master — at
//! 128- and 256-frame buffers: callback cost (deadline misses, median, 99th percentile and worst
//! callback as % of the buffer's time budget) on the offline backend run flat out, on a paced
//! clock (the thread sleeping until each next buffer is due, as a device's audio thread does),
//! and on the paced default device; and sox mixing the same files through the same per-track
//! chain (and one reverb on the sum, the return) as a throughput peer.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use son1k_audio::engine::{engine, play, Command as Transport, Meters};
use son1k_audio::fx::{FilterKind, FxSpec};
use son1k_audio::mixdown::{render_with, Clip, Renderer, ReturnBus, Session, Track, TrackSend};
use son1k_audio::{write_file, AudioBuffer, SampleFormat};
use son1k_core::Knobs;

use crate::bench::run;

/// What to run.
pub struct EngineBenchOptions {
    /// Stereo tracks.
    pub tracks: usize,
    /// Seconds on the paced device per buffer size (0 skips the device).
    pub device_seconds: u32,
    /// Keep every core busy with spinning threads during the device runs.
    pub hog: bool,
}

const RATE: u32 = 48_000;
/// Seconds of material per track (the device runs loop over it).
const CLIP_SECONDS: u32 = 10;
const BUFFERS: [usize; 2] = [128, 256];

/// A stereo track: two partials with a tremolo and a little noise, different per track.
fn material(i: usize) -> AudioBuffer {
    crate::bench::tone_track(
        i,
        &crate::bench::ToneTrack {
            rate: RATE,
            frames: (RATE * CLIP_SECONDS) as usize,
            base_hz: 80.0,
            spread: 0.29,
            seed: (0x2545_f491, 7),
            tremolo_hz: 0.7,
            partials: (2.01, 0.25, 0.1),
            right: 0.85,
        },
    )
}

/// The per-track chain: low shelf, presence peak, compressor.
fn track_fx() -> Vec<FxSpec> {
    vec![
        FxSpec::Eq {
            kind: FilterKind::LowShelf,
            freq: 120.0,
            q: std::f32::consts::FRAC_1_SQRT_2,
            gain_db: -2.0,
        },
        FxSpec::Eq {
            kind: FilterKind::Peak,
            freq: 1000.0,
            q: 1.0,
            gain_db: 3.0,
        },
        FxSpec::Compressor {
            threshold_db: -20.0,
            ratio: 4.0,
            attack_ms: 10.0,
            release_ms: 100.0,
            makeup_db: 2.0,
        },
    ]
}

/// The knob chain at Expressivity 75, Rareza 60, Garage 70, Trash 60 (every stage on), then
/// the export limiter.
fn knob_master() -> Vec<FxSpec> {
    let mut fx = son1k_knobs::chain(
        &Knobs::new(75, 60, 70, 60).expect("knob values in range"),
        0, // any seed: the noise stages cost the same
    );
    fx.push(FxSpec::Limiter {
        ceiling_db: -1.0,
        release_ms: 50.0,
        true_peak: true,
    });
    fx
}

/// The return bus every track sends to.
const RETURN: &str = "room";

fn session(tracks: usize) -> Session {
    Session {
        sample_rate: RATE,
        tracks: (0..tracks)
            .map(|i| {
                let mut t =
                    Track::new(format!("t{i}"), vec![Clip::whole(format!("t{i}.wav"), 0.0)]);
                t.gain_db = -12.0;
                t.pan = (i as f32 / tracks.max(2) as f32) * 1.6 - 0.8;
                t.fx = track_fx();
                t.sends = vec![TrackSend {
                    to: RETURN.into(),
                    level_db: -12.0,
                }];
                t
            })
            .collect(),
        master: knob_master(),
        returns: vec![ReturnBus {
            name: RETURN.into(),
            gain_db: -6.0,
            fx: vec![FxSpec::Reverb {
                room: 0.8,
                damping: 0.4,
                wet: 1.0,
                dry: Some(0.0),
            }],
        }],
    }
}

fn pct(x: f32) -> String {
    format!("{:.1}%", x * 100.0)
}

fn line(what: &str, m: &Meters) -> String {
    format!(
        "{what}: {} callbacks, {} deadline misses, median {}, p99 {}, worst {} of budget",
        m.callbacks(),
        m.deadline_misses(),
        pct(m.load_quantile(0.5)),
        pct(m.load_quantile(0.99)),
        pct(m.worst_load())
    )
}

/// Runs the engine benchmark and prints its figures.
pub fn engine_bench(opts: &EngineBenchOptions) -> Result<(), String> {
    crate::bench::in_temp_dir("son1k-bench-engine", |dir| engine_in(dir, opts))
}

fn engine_in(dir: &Path, opts: &EngineBenchOptions) -> Result<(), String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "son1k-bench engine — {} stereo tracks × {CLIP_SECONDS} s at {RATE} Hz, each EQ (2 bands) + compressor; \
         one send each (−12 dB, after the fader) to a shared reverb return; \
         master: the knob chain at full tilt ({} effects, true-peak limiter last); {cores} cores",
        opts.tracks,
        knob_master().len()
    );
    eprintln!("generating test material in {} …", dir.display());
    for i in 0..opts.tracks {
        write_file(
            &dir.join(format!("t{i}.wav")),
            &material(i),
            SampleFormat::F32,
        )
        .map_err(|e| e.to_string())?;
    }
    let s = session(opts.tracks);
    let err = |e: son1k_audio::AudioError| e.to_string();

    println!(
        "\n## Callback cost on the offline backend (one core, unpaced, {CLIP_SECONDS} s each)"
    );
    for buffer in BUFFERS {
        let (mut core, mut h) = engine(Renderer::new(&s, dir).map_err(err)?);
        h.send(Transport::Play).map_err(err)?;
        let mut out = vec![0.0f32; buffer * 2];
        for _ in 0..(RATE * CLIP_SECONDS) as usize / buffer {
            core.process(&mut out, 2);
        }
        let budget_ms = buffer as f64 * 1000.0 / f64::from(RATE);
        println!(
            "{}",
            line(
                &format!("{buffer:>4} frames ({budget_ms:.2} ms)"),
                h.meters()
            )
        );
    }

    println!(
        "(an unpaced loop never sleeps, so on a shared machine the scheduler preempts it now and \
         then: its tail is the machine's, not the engine's; the paced clock below sleeps between \
         buffers as a device's audio thread does)"
    );

    let hogs = Hogs::start(opts.hog);
    println!(
        "\n## Callback cost on a paced clock: exact buffer sizes, the thread (at normal priority) \
         sleeping until each next buffer is due, {CLIP_SECONDS} s each{}",
        hogs.label()
    );
    for buffer in BUFFERS {
        let (mut core, mut h) = engine(Renderer::new(&s, dir).map_err(err)?);
        h.send(Transport::Play).map_err(err)?;
        let mut out = vec![0.0f32; buffer * 2];
        let period = Duration::from_secs_f64(buffer as f64 / f64::from(RATE));
        let start = Instant::now();
        let mut late = 0u32;
        for k in 1..=(RATE * CLIP_SECONDS) as usize / buffer {
            core.process(&mut out, 2);
            let due = start + period * k as u32;
            match due.checked_duration_since(Instant::now()) {
                Some(wait) => std::thread::sleep(wait),
                None => late += 1,
            }
        }
        let budget_ms = buffer as f64 * 1000.0 / f64::from(RATE);
        println!(
            "{}; {late} finished after the next buffer was due",
            line(
                &format!("{buffer:>4} frames ({budget_ms:.2} ms)"),
                h.meters()
            )
        );
    }
    drop(hogs);

    println!("\n## Throughput: the whole session rendered offline, against sox");
    let mut r = Renderer::new(&s, dir).map_err(err)?;
    let t = Instant::now();
    let audio = render_with(&mut r).map_err(err)?;
    let ours = t.elapsed().as_secs_f64();
    println!(
        "ours  render {:.1} s of audio in {ours:.2} s = {:.0}× real time",
        audio.duration_secs(),
        audio.duration_secs() / ours
    );
    match sox_peer(dir, opts.tracks) {
        Ok(sox) => println!(
            "sox   same per-track chain (bass −2, equalizer +3, compand), mixed, compand limiter, one reverb on the sum: {sox:.2} s\n\
             ratio sox/ours {:.2}× (sox has none of the master's knob stages: ours does more work)",
            sox / ours
        ),
        Err(e) => println!("sox   skipped: {e}"),
    }

    if opts.device_seconds > 0 {
        device_runs(dir, &s, opts)?;
    }
    Ok(())
}

/// sox through the same per-track chain, one process per track then the mix: seconds taken.
fn sox_peer(dir: &Path, tracks: usize) -> Result<f64, String> {
    let mut total = Duration::ZERO;
    let mut processed = Vec::new();
    for i in 0..tracks {
        let out = dir.join(format!("sox{i}.wav"));
        total += run(Command::new("sox")
            .arg(dir.join(format!("t{i}.wav")))
            .args(["-e", "floating-point"])
            .arg(&out)
            .args([
                "gain",
                "-12",
                "bass",
                "-2",
                "120",
                "equalizer",
                "1000",
                "1q",
                "3",
                "compand",
                "0.01,0.1",
                "6:-70,-70,-20,-20,0,-15",
                "2",
                "-90",
                "0",
            ]))?;
        processed.push(out);
    }
    total += run(&mut crate::bench::sox_mix(&processed, &dir.join("sox.wav")))?;
    // The return: one reverb over the sum (sox has no sends; this is its share of the work).
    total += run(Command::new("sox")
        .arg(dir.join("sox.wav"))
        .arg(dir.join("sox-room.wav"))
        .args(["reverb", "-w", "80", "40"]))?;
    Ok(total.as_secs_f64())
}

fn device_runs(dir: &Path, s: &Session, opts: &EngineBenchOptions) -> Result<(), String> {
    println!(
        "\n## Paced default device, {} s per buffer size, looping the {CLIP_SECONDS} s session{}",
        opts.device_seconds,
        Hogs::label_for(opts.hog)
    );
    let hogs = Hogs::start(opts.hog);
    let mut result = Ok(());
    for buffer in BUFFERS {
        let r = match Renderer::new(s, dir) {
            Ok(r) => r,
            Err(e) => {
                result = Err(e.to_string());
                break;
            }
        };
        match play(r, Some(buffer as u32)) {
            Ok(mut p) => {
                let _ = p
                    .handle
                    .send(Transport::Loop(Some((0, (RATE * CLIP_SECONDS) as usize))));
                let started = Instant::now();
                std::thread::sleep(Duration::from_secs(u64::from(opts.device_seconds)));
                let st = p.handle.status();
                let m = p.handle.meters();
                let secs = started.elapsed().as_secs_f64();
                let served = m.frames_served() as f64;
                println!(
                    "{buffer:>4} frames asked, {:.0} per callback given by the device ({} at {} Hz); \
                     it took {:.1} s of audio in {secs:.1} s ({:.0}% of real time), audio thread {}\n      {}; stream errors {}, restarts {}",
                    served / st.callbacks.max(1) as f64,
                    p.device,
                    p.sample_rate,
                    served / f64::from(RATE),
                    served / f64::from(RATE) / secs * 100.0,
                    match st.realtime {
                        Some(true) => "at real-time priority (SCHED_FIFO)",
                        Some(false) => "at normal priority (real-time refused)",
                        None => "scheduled by the system",
                    },
                    line("", m).trim_start_matches(": "),
                    st.stream_errors,
                    st.restarts
                );
                for e in p.handle.events() {
                    println!("      event: {e:?}");
                }
            }
            Err(e) => {
                println!("{buffer:>4} frames: no device ({e}); run scripts/virtual-audio.sh");
            }
        }
    }
    drop(hogs);
    result
}

/// Spinning threads, one per core, while held.
struct Hogs {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Hogs {
    fn start(on: bool) -> Hogs {
        let stop = Arc::new(AtomicBool::new(false));
        let n = if on {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            0
        };
        let threads = (0..n)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        std::hint::black_box(x);
                    }
                })
            })
            .collect();
        Hogs { stop, threads }
    }

    fn label(&self) -> &'static str {
        Self::label_for(!self.threads.is_empty())
    }

    fn label_for(on: bool) -> &'static str {
        if on {
            ", every core kept busy by spinning threads"
        } else {
            " (no CPU hog: others share this machine)"
        }
    }
}

impl Drop for Hogs {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
