//! Videos through the system's ffmpeg: size, frame rate and audio length as ffprobe reads them,
//! the same frames for the same seed, cancel leaving nothing. Without ffmpeg these tests print
//! SKIPPED, except under CI=true (where `make test` has installed it), where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use son1k_visual::video::{encode, find_ffmpeg, Job};
use son1k_visual::{analyse, Look, SceneKind, Timeline, VisualError};

const RATE: u32 = 44_100;

fn ffmpeg() -> Option<PathBuf> {
    match find_ffmpeg() {
        Ok(p) => Some(p),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("{e}"),
        Err(e) => {
            eprintln!("SKIPPED: {e}");
            None
        }
    }
}

/// A stereo 16-bit WAV of a pulsing chord, `seconds` long.
fn song(dir: &Path, seconds: f64) -> (PathBuf, Vec<f32>) {
    let n = (seconds * f64::from(RATE)) as usize;
    let mono: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let pulse = 0.3 + 0.7 * (-(t % 0.5) * 8.0).exp();
            0.4 * pulse
                * [220.0f32, 277.2, 329.6]
                    .iter()
                    .map(|f| (std::f32::consts::TAU * f * t).sin())
                    .sum::<f32>()
                / 3.0
        })
        .collect();
    let mut bytes = Vec::with_capacity(44 + n * 4);
    let data = (n * 4) as u32;
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&RATE.to_le_bytes());
    bytes.extend_from_slice(&(RATE * 4).to_le_bytes());
    bytes.extend_from_slice(&4u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data.to_le_bytes());
    for s in &mono {
        let v = (s * 32767.0) as i16;
        bytes.extend_from_slice(&v.to_le_bytes());
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let path = dir.join("song.wav");
    std::fs::write(&path, bytes).expect("write wav");
    (path, mono)
}

fn probe(path: &Path, entries: &str, stream: &str) -> Vec<String> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            stream,
            "-show_entries",
            entries,
        ])
        .args(["-of", "default=noprint_wrappers=1:nokey=1"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn make(
    ffmpeg: &Path,
    dir: &Path,
    name: &str,
    look: &Look,
    seconds: f64,
    start: f64,
) -> Result<PathBuf, VisualError> {
    let (audio, mono) = song(dir, 4.0);
    let from = (start * f64::from(RATE)) as usize;
    let frames = (seconds * f64::from(look.fps)).ceil() as usize;
    let beats = (0..16).map(|k| k as f64 * 0.5).collect();
    let track = analyse(
        &mono[from..],
        RATE,
        look.fps,
        frames,
        &Timeline {
            beats,
            sections: vec![],
        },
    );
    let job = Job {
        audio,
        start,
        seconds,
        output: dir.join(name),
    };
    let video = encode(
        ffmpeg,
        &job,
        &track,
        look,
        &mut |_, _| {},
        &AtomicBool::new(false),
    )?;
    assert_eq!(video.frames, frames);
    Ok(video.path)
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "son1k-visual-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn an_mp4_probes_as_1080p30_with_the_songs_audio_length() {
    let Some(ffmpeg) = ffmpeg() else { return };
    let dir = tempdir();
    let look = Look::hd(SceneKind::Auto, 3, false);
    let path = make(&ffmpeg, &dir, "clip.mp4", &look, 3.2, 0.5).expect("encode");
    assert_eq!(
        probe(&path, "stream=codec_name,width,height,r_frame_rate", "v:0"),
        ["h264", "1920", "1080", "30/1"]
    );
    assert_eq!(probe(&path, "stream=nb_frames", "v:0"), ["96"]);
    let audio = probe(&path, "stream=codec_name,duration", "a:0");
    assert_eq!(audio[0], "aac");
    let seconds: f64 = audio[1].parse().expect("duration");
    assert!(
        (seconds - 3.2).abs() <= 0.05,
        "audio lasts {seconds} s, not 3.2 s"
    );
    // No partial file is left beside it.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_seed_gives_the_same_video_frames_and_vertical_webm_works() {
    let Some(ffmpeg) = ffmpeg() else { return };
    let dir = tempdir();
    let small = |seed| Look {
        width: 480,
        height: 270,
        fps: 30,
        scene: SceneKind::Particles,
        seed,
    };
    let a = make(&ffmpeg, &dir, "a.mp4", &small(5), 1.5, 0.0).expect("a");
    let b = make(&ffmpeg, &dir, "b.mp4", &small(5), 1.5, 0.0).expect("b");
    let c = make(&ffmpeg, &dir, "c.mp4", &small(6), 1.5, 0.0).expect("c");
    let hashes = |p: &Path| {
        let out = Command::new(&ffmpeg)
            .args(["-v", "error", "-i"])
            .arg(p)
            .args(["-map", "0:v", "-f", "framemd5", "-"])
            .output()
            .expect("framemd5");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.rsplit(',').next().unwrap_or("").trim().to_string())
            .collect::<Vec<_>>()
    };
    let (ha, hb, hc) = (hashes(&a), hashes(&b), hashes(&c));
    assert_eq!(ha.len(), 45);
    assert_eq!(ha, hb, "the same seed gave other frames");
    assert_ne!(ha, hc, "another seed gave the same frames");

    let vertical = Look::hd(SceneKind::Rain, 1, true);
    let w = make(&ffmpeg, &dir, "short.webm", &vertical, 1.0, 1.0).expect("webm");
    assert_eq!(
        probe(&w, "stream=codec_name,width,height", "v:0"),
        ["vp9", "1080", "1920"]
    );
    assert_eq!(probe(&w, "stream=codec_name", "a:0"), ["opus"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cancel_and_a_failing_encoder_leave_nothing_behind() {
    let Some(ffmpeg) = ffmpeg() else { return };
    let dir = tempdir();
    let (audio, mono) = song(&dir, 2.0);
    let look = Look {
        width: 320,
        height: 180,
        fps: 30,
        scene: SceneKind::Spectrum,
        seed: 1,
    };
    let track = analyse(&mono, RATE, 30, 60, &Timeline::default());
    let cancel = AtomicBool::new(false);
    let out = dir.join("v.mp4");
    let job = Job {
        audio: audio.clone(),
        start: 0.0,
        seconds: 2.0,
        output: out.clone(),
    };
    let r = encode(
        &ffmpeg,
        &job,
        &track,
        &look,
        &mut |done, _| {
            if done == 10 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
        &cancel,
    );
    assert!(matches!(r, Err(VisualError::Cancelled)), "{r:?}");
    // An audio file ffmpeg cannot read: its own words come back.
    let bad = dir.join("bad.wav");
    std::fs::write(&bad, b"not audio at all").expect("write");
    let job = Job {
        audio: bad,
        start: 0.0,
        seconds: 2.0,
        output: out.clone(),
    };
    let r = encode(
        &ffmpeg,
        &job,
        &track,
        &look,
        &mut |_, _| {},
        &AtomicBool::new(false),
    );
    let text = r.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.contains("ffmpeg could not encode") && text.contains("bad.wav"),
        "{text}"
    );
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 2, "only the two inputs are left: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
