//! Helpers shared by the engine's test binaries: sessions of synthetic clips, and a stand-in
//! output device whose loss, glitches, stalls and changes the tests control.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use son1k_audio::engine::{DataCallback, ErrorCallback, OpenedStream, OutputBackend};
use son1k_audio::mixdown::Session;
use son1k_audio::{write_file, AudioBuffer, AudioError, SampleFormat};

/// The tests' sample rate.
pub const SR: u32 = 48_000;

/// A fresh folder for one test.
pub fn dir(binary: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-{binary}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes a stereo file of `secs` seconds whose samples come from `f(frame)`.
pub fn write_stereo(path: &Path, secs: f64, f: impl Fn(usize) -> (f32, f32)) {
    let n = (f64::from(SR) * secs) as usize;
    let (l, r): (Vec<f32>, Vec<f32>) = (0..n).map(f).unzip();
    write_file(
        path,
        &AudioBuffer::new(SR, vec![l, r]).unwrap(),
        SampleFormat::F32,
    )
    .unwrap();
}

/// A busy, different tone per index (a chord with tremolo).
pub fn tone(i: usize) -> impl Fn(usize) -> (f32, f32) {
    move |k| {
        let t = k as f32 / SR as f32;
        let f = 110.0 * (1.0 + i as f32 * 0.37);
        let s = (t * f * std::f32::consts::TAU).sin() * 0.3
            + (t * f * 1.5 * std::f32::consts::TAU).sin() * 0.15;
        let trem = 0.7 + 0.3 * (t * 3.0).sin();
        (s * trem, s * (1.0 - trem * 0.2))
    }
}

/// Parses a session.
pub fn session(json: &str) -> Session {
    serde_json::from_str(json).unwrap()
}

/// Interleaved stereo → (left, right).
pub fn split(out: &[f32]) -> (Vec<f32>, Vec<f32>) {
    out.chunks(2).map(|f| (f[0], f[1])).unzip()
}

/// Where two signals first differ bit for bit.
pub fn first_difference(a: &[f32], b: &[f32]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x.to_bits() != y.to_bits())
}

/// Root mean square.
pub fn rms(x: &[f32]) -> f32 {
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|s| s * s).sum::<f32>() / x.len() as f32).sqrt()
}

/// What the tests tell the stand-in device, and what it counts.
#[derive(Default)]
pub struct FakeControl {
    /// The default device's name and rate, as the backend reports them.
    pub device: Mutex<(String, u32)>,
    /// Opens to refuse before the next one succeeds.
    pub refuse_opens: AtomicU32,
    /// Opens that succeeded.
    pub opens: AtomicU32,
    /// The running stream reports the device gone, then stops calling back.
    pub lose: AtomicBool,
    /// The running stream reports one backend error and keeps playing.
    pub glitch: AtomicBool,
    /// The running stream stops calling back, saying nothing.
    pub stall: AtomicBool,
    /// Frames the streams asked for.
    pub frames: AtomicU64,
    /// Runs around each data callback (the allocation test counts inside it).
    pub around: OnceLock<fn(&mut dyn FnMut())>,
}

/// A stand-in output device: a thread that asks for 256-frame stereo buffers about as often as
/// a 48 kHz device would.
pub struct Fake(pub Arc<FakeControl>);

impl Fake {
    /// A device named `name` at 48 kHz, and its controls.
    pub fn new(name: &str) -> (Fake, Arc<FakeControl>) {
        let c = Arc::new(FakeControl::default());
        *c.device.lock().unwrap() = (name.to_string(), SR);
        (Fake(c.clone()), c)
    }
}

struct Running {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl OutputBackend for Fake {
    fn open(
        &mut self,
        _sample_rate: u32,
        _buffer: Option<u32>,
        mut data: DataCallback,
        mut error: ErrorCallback,
    ) -> Result<OpenedStream, AudioError> {
        let c = self.0.clone();
        if c.refuse_opens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(AudioError::Device("fake: no device right now".into()));
        }
        c.opens.fetch_add(1, Ordering::Relaxed);
        let name = c.device.lock().unwrap().0.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0.0f32; 512];
            let mut dead = false;
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_micros(5_333));
                if c.lose.swap(false, Ordering::Relaxed) {
                    error(cpal::StreamError::DeviceNotAvailable);
                    dead = true;
                }
                if c.glitch.swap(false, Ordering::Relaxed) {
                    error(cpal::StreamError::BackendSpecific {
                        err: cpal::BackendSpecificError {
                            description: "fake: one glitch".into(),
                        },
                    });
                }
                if dead || c.stall.load(Ordering::Relaxed) {
                    continue;
                }
                match c.around.get() {
                    Some(around) => around(&mut || data(&mut buf, 2)),
                    None => data(&mut buf, 2),
                }
                c.frames.fetch_add(256, Ordering::Relaxed);
            }
        });
        Ok(OpenedStream {
            device: name,
            channels: 2,
            stream: Box::new(Running {
                stop,
                thread: Some(thread),
            }),
        })
    }

    fn default_device(&mut self) -> Option<(String, u32)> {
        Some(self.0.device.lock().unwrap().clone())
    }
}
