//! `son1k-bench audio`: our sound path against sox and ffmpeg on the same input, in one run,
//! printed as ratios (absolute times on a shared machine are noise; ratios are the figures).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use son1k_audio::engine::{engine, play, run_offline};
use son1k_audio::mixdown::{Renderer, Session};
use son1k_audio::{decode_file, write_file, AudioBuffer, SampleFormat};

/// Benchmark sizes.
pub struct BenchOptions {
    /// Length of each track in seconds.
    pub seconds: u32,
    /// Number of stereo tracks in the mixdown.
    pub tracks: usize,
    /// Seconds of real-time playback for the xrun check (0 skips it).
    pub realtime_seconds: u32,
}

const RATE: u32 = 44_100;

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        || Command::new(tool)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Runs `cmd` to completion; how long it took, or its last line of stderr when it failed.
pub(crate) fn run(cmd: &mut Command) -> Result<Duration, String> {
    let start = Instant::now();
    stdout_of(cmd)?;
    Ok(start.elapsed())
}

/// Runs `cmd` to completion; its standard output, or its last line of stderr when it failed.
pub(crate) fn stdout_of(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("could not run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A stereo track: a chord-ish tone with a slow tremolo and a little noise, different per track.
fn track(i: usize, seconds: u32) -> AudioBuffer {
    tone_track(
        i,
        &ToneTrack {
            rate: RATE,
            frames: (RATE * seconds) as usize,
            base_hz: 110.0,
            spread: 0.37,
            seed: (0x9e37_79b9, 1),
            tremolo_hz: 0.5,
            partials: (1.5, 0.3, 0.15),
            right: 0.9,
        },
    )
}

/// sox's side of a mixdown peer: `processed` (tracks already through their chains) summed, with
/// a compander standing in for the master limiter, into a 16-bit `out`.
pub(crate) fn sox_mix(processed: &[PathBuf], out: &Path) -> Command {
    let mut mix = Command::new("sox");
    if processed.len() > 1 {
        mix.arg("-m");
    }
    mix.args(processed).args(["-b", "16"]).arg(out).args([
        "compand",
        "0.001,0.05",
        "-1,-1,0,-1",
        "0",
        "-90",
        "0.005",
    ]);
    mix
}

/// A synthetic stereo track for the benchmarks: two partials with a tremolo and a little noise,
/// different per track number.
pub(crate) struct ToneTrack {
    /// Sample rate.
    pub rate: u32,
    /// Length in frames.
    pub frames: usize,
    /// Track 0's fundamental; track `i` plays `base_hz * (1 + i * spread)`.
    pub base_hz: f32,
    /// Fundamental step per track.
    pub spread: f32,
    /// Noise seed: (multiplier, offset) of the track number.
    pub seed: (u32, u32),
    /// Tremolo rate (radians per second of the sine's argument, as written).
    pub tremolo_hz: f32,
    /// Second partial's ratio, first and second partial's amplitudes.
    pub partials: (f32, f32, f32),
    /// The right channel's level against the left.
    pub right: f32,
}

/// Track `i` of `spec`.
pub(crate) fn tone_track(i: usize, spec: &ToneTrack) -> AudioBuffer {
    let f = spec.base_hz * (1.0 + i as f32 * spec.spread);
    let (ratio, a1, a2) = spec.partials;
    let mut seed = spec.seed.0.wrapping_mul(i as u32 + spec.seed.1);
    let mut l = Vec::with_capacity(spec.frames);
    let mut r = Vec::with_capacity(spec.frames);
    for k in 0..spec.frames {
        let t = k as f32 / spec.rate as f32;
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed as f32 / u32::MAX as f32 - 0.5) * 0.02;
        let trem = 0.6 + 0.4 * (t * spec.tremolo_hz + i as f32).sin();
        let s = ((t * f * std::f32::consts::TAU).sin() * a1
            + (t * f * ratio * std::f32::consts::TAU).sin() * a2)
            * trem;
        l.push(s + noise);
        r.push(s * spec.right - noise);
    }
    AudioBuffer {
        sample_rate: spec.rate,
        channels: vec![l, r],
    }
}

fn session_json(tracks: usize) -> String {
    let t: Vec<String> = (0..tracks)
        .map(|i| {
            format!(
                r#"{{"name":"t{i}","gain_db":-3,"fx":[
                    {{"type":"eq","kind":"peak","freq":1000,"q":1,"gain_db":3}},
                    {{"type":"compressor","threshold_db":-20,"ratio":4,"attack_ms":10,"release_ms":100}}],
                   "clips":[{{"file":"t{i}.wav"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"sample_rate":{RATE},"tracks":[{}],"master":[{{"type":"limiter","ceiling_db":-1}}]}}"#,
        t.join(",")
    )
}

/// Runs every benchmark and prints the results.
pub fn audio(opts: &BenchOptions) -> Result<(), String> {
    in_temp_dir("son1k-bench", |dir| audio_in(dir, opts))
}

/// Runs `f` in a fresh temporary folder named after `prefix` and this process, removed after.
pub(crate) fn in_temp_dir<T>(
    prefix: &str,
    f: impl FnOnce(&Path) -> Result<T, String>,
) -> Result<T, String> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = f(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn audio_in(dir: &Path, opts: &BenchOptions) -> Result<(), String> {
    println!(
        "son1k-bench audio — {} stereo tracks × {} s at {RATE} Hz (peers: sox {}, ffmpeg {})",
        opts.tracks,
        opts.seconds,
        if have("sox") { "found" } else { "missing" },
        if have("ffmpeg") { "found" } else { "missing" }
    );
    eprintln!("generating test material in {} …", dir.display());
    let mut files = Vec::new();
    for i in 0..opts.tracks {
        let p = dir.join(format!("t{i}.wav"));
        write_file(&p, &track(i, opts.seconds), SampleFormat::I16).map_err(|e| e.to_string())?;
        files.push(p);
    }
    let session_path = dir.join("session.json");
    std::fs::write(&session_path, session_json(opts.tracks)).map_err(|e| e.to_string())?;

    mixdown(dir, &session_path, &files, opts)?;
    decode(dir, &files[0])?;
    if opts.realtime_seconds > 0 {
        realtime(dir, &session_path, opts)?;
    }
    Ok(())
}

fn mixdown(
    dir: &Path,
    session_path: &Path,
    files: &[PathBuf],
    opts: &BenchOptions,
) -> Result<(), String> {
    println!("\n## Mixdown: per track gain + EQ + compressor, master limiter, 16-bit WAV out");
    // Ours, whole job: decode every file, render, write. Best of two, as for sox below, so a
    // burst of disk write-back on this shared machine does not decide the ratio.
    let out = dir.join("ours.wav");
    let mut ours_total = Duration::MAX;
    for _ in 0..2 {
        let start = Instant::now();
        son1k_audio::mixdown::mix_file(session_path, &out, SampleFormat::I16)
            .map_err(|e| e.to_string())?;
        ours_total = ours_total.min(start.elapsed());
    }
    // Ours, rendering only (one core), after loading.
    let session = Session::load(session_path).map_err(|e| e.to_string())?;
    let mut r = Renderer::new(&session, dir).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let audio = son1k_audio::mixdown::render_with(&mut r).map_err(|e| e.to_string())?;
    let render = start.elapsed();
    let realtime = audio.duration_secs() / render.as_secs_f64();
    println!(
        "ours  whole job (decode+render+write): {:>8.2} s",
        ours_total.as_secs_f64()
    );
    println!(
        "ours  render only, one core:           {:>8.2} s = {realtime:.0}× real time (goal ≥ 300×)",
        render.as_secs_f64()
    );
    if !have("sox") {
        println!("sox   not installed: ratio skipped (apt-get install sox)");
        return Ok(());
    }
    // sox: each track through the same chain (one process at a time, one core), then the mix
    // through a limiter-like compand with look-ahead.
    let mut best_sox = Duration::MAX;
    for _ in 0..2 {
        let mut sox = Duration::ZERO;
        let mut processed = Vec::new();
        for (i, f) in files.iter().enumerate() {
            let p = dir.join(format!("sox{i}.wav"));
            sox += run(Command::new("sox")
                .args([
                    f.as_os_str(),
                    "-e".as_ref(),
                    "floating-point".as_ref(),
                    p.as_os_str(),
                ])
                .args([
                    "gain",
                    "-3",
                    "equalizer",
                    "1000",
                    "1q",
                    "3",
                    "compand",
                    "0.01,0.1",
                    "6:-70,-70,-20,-20,0,-15",
                    "0",
                    "-90",
                    "0",
                ]))?;
            processed.push(p);
        }
        sox += run(&mut sox_mix(&processed, &dir.join("sox.wav")))?;
        best_sox = best_sox.min(sox);
    }
    let sox = best_sox;
    println!(
        "sox   same chain, sequential:          {:>8.2} s",
        sox.as_secs_f64()
    );
    println!(
        "ratio sox/ours (whole job):            {:>8.2}× faster (goal ≥ 3×)",
        sox.as_secs_f64() / ours_total.as_secs_f64()
    );
    let _ = opts;
    Ok(())
}

fn decode(dir: &Path, wav: &Path) -> Result<(), String> {
    println!("\n## Decode to PCM: ours (symphonia) vs ffmpeg -threads 1 -f null");
    if !have("ffmpeg") {
        println!("ffmpeg not installed: skipped (apt-get install ffmpeg)");
        return Ok(());
    }
    for (ext, args) in [
        ("wav", vec!["-c:a", "pcm_s16le"]),
        ("mp3", vec!["-c:a", "libmp3lame", "-b:a", "192k"]),
        ("flac", vec!["-c:a", "flac"]),
        ("ogg", vec!["-c:a", "libvorbis", "-q:a", "5"]),
    ] {
        let enc = dir.join(format!("decode.{ext}"));
        run(Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(wav)
            .args(&args)
            .arg(&enc))?;
        // Best of three for both, to keep cache effects out of the ratio.
        let mut ours = Duration::MAX;
        let mut peer = Duration::MAX;
        let mut frames = 0;
        for _ in 0..3 {
            let start = Instant::now();
            frames = decode_file(&enc).map_err(|e| e.to_string())?.frames();
            ours = ours.min(start.elapsed());
            peer = peer.min(run(Command::new("ffmpeg")
                .args(["-v", "error", "-threads", "1", "-i"])
                .arg(&enc)
                .args(["-f", "null", "-"]))?);
        }
        println!(
            "{ext:<5} ours {:>6.3} s, ffmpeg {:>6.3} s → speed ours/ffmpeg {:.2}× (goal ≥ 0.9×; {frames} frames)",
            ours.as_secs_f64(),
            peer.as_secs_f64(),
            peer.as_secs_f64() / ours.as_secs_f64()
        );
    }
    Ok(())
}

fn realtime(dir: &Path, session_path: &Path, opts: &BenchOptions) -> Result<(), String> {
    println!(
        "\n## Real time: {} tracks with their chains at 256-frame buffers for {} s under a CPU hog",
        opts.tracks, opts.realtime_seconds
    );
    let session = Session::load(session_path).map_err(|e| e.to_string())?;
    // Offline first: the same engine core without a device, 256-frame callbacks.
    let (mut core, mut handle) = engine(Renderer::new(&session, dir).map_err(|e| e.to_string())?);
    handle
        .send(son1k_audio::engine::Command::Play)
        .map_err(|e| e.to_string())?;
    let _ = run_offline(
        &mut core,
        (RATE * opts.realtime_seconds.min(opts.seconds)) as usize,
        256,
    );
    println!(
        "offline backend: {} callbacks, worst callback used {:.1}% of its 5.8 ms budget, {} over budget",
        handle.meters().callbacks(),
        handle.meters().worst_load() * 100.0,
        handle.meters().deadline_misses()
    );
    // The real device, with every core kept busy by hog threads.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hogs: Vec<_> = (0..std::thread::available_parallelism().map_or(2, |n| n.get()))
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    std::hint::black_box(x);
                }
            })
        })
        .collect();
    let renderer = Renderer::new(&session, dir).map_err(|e| e.to_string())?;
    let result = play(renderer, Some(256));
    let report = match result {
        Ok(p) => {
            std::thread::sleep(Duration::from_secs(u64::from(opts.realtime_seconds)));
            let m = p.handle.meters();
            Ok(format!(
                "device {} at {} Hz: {:.1} s played, {} callbacks (~{} frames each), {} deadline misses (xruns on a paced device; goal 0), worst callback {:.1}% of budget",
                p.device,
                p.sample_rate,
                m.position() as f64 / f64::from(p.sample_rate),
                m.callbacks(),
                m.position() as u64 / m.callbacks().max(1),
                m.deadline_misses(),
                m.worst_load() * 100.0
            ))
        }
        Err(e) => Err(e.to_string()),
    };
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for h in hogs {
        let _ = h.join();
    }
    match report {
        Ok(line) => println!("{line}"),
        Err(e) => println!("no device: {e}"),
    }
    Ok(())
}
