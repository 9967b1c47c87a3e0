//! A virtual output device: a thread that asks the engine for audio at the pace of a real
//! device (a fixed buffer, at the session's rate, on an absolute clock so it does not drift)
//! and keeps what it was given on a [`Monitor`] — what a loudspeaker would have played, for
//! tests, benchmarks and machines without sound hardware to measure.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::stream::{DataCallback, ErrorCallback, OpenedStream, OutputBackend};
use crate::AudioError;

/// What a [`VirtualOutput`] played: the interleaved stereo it was given, the newest
/// [`Monitor::KEEP_SECONDS`] of it kept.
#[derive(Debug, Default)]
pub struct Monitor {
    captured: Mutex<Vec<f32>>,
    /// Frames played since the device opened (never reset).
    frames: AtomicU64,
    /// Frames dropped from the front of `captured` to keep it short.
    dropped: AtomicU64,
    rate: AtomicU64,
}

impl Monitor {
    /// How much audio the monitor keeps.
    pub const KEEP_SECONDS: usize = 120;

    /// Frames the device has played so far.
    pub fn frames(&self) -> u64 {
        self.frames.load(Ordering::Acquire)
    }

    /// The device's sample rate (0 before it opened).
    pub fn sample_rate(&self) -> u32 {
        self.rate.load(Ordering::Relaxed) as u32
    }

    /// Interleaved stereo frames `from .. to` of what was played (frame numbers as counted by
    /// [`Monitor::frames`]); the part no longer kept, or not played yet, is left out.
    pub fn range(&self, from: u64, to: u64) -> Vec<f32> {
        let c = self.captured.lock().unwrap_or_else(|p| p.into_inner());
        let dropped = self.dropped.load(Ordering::Relaxed);
        let have = (c.len() / 2) as u64;
        let a = from.saturating_sub(dropped).min(have) as usize;
        let b = to.saturating_sub(dropped).min(have) as usize;
        if b <= a {
            return Vec::new();
        }
        c[a * 2..b * 2].to_vec()
    }

    /// Everything kept so far (interleaved stereo), and the frame number it starts at.
    pub fn all(&self) -> (u64, Vec<f32>) {
        let c = self.captured.lock().unwrap_or_else(|p| p.into_inner());
        (self.dropped.load(Ordering::Relaxed), c.clone())
    }

    /// Blocks until at least `frames` frames have been played or `timeout` passes; whether
    /// they were.
    pub fn wait_for(&self, frames: u64, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while self.frames() < frames {
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    }

    fn push(&self, out: &[f32]) {
        let mut c = self.captured.lock().unwrap_or_else(|p| p.into_inner());
        c.extend_from_slice(out);
        let keep = Self::KEEP_SECONDS * self.sample_rate().max(1) as usize * 2;
        if c.len() > keep + keep / 4 {
            let cut = c.len() - keep;
            c.drain(..cut);
            self.dropped.fetch_add((cut / 2) as u64, Ordering::Relaxed);
        }
        drop(c);
        self.frames
            .fetch_add((out.len() / 2) as u64, Ordering::Release);
    }
}

/// A paced stereo output device that plays into a [`Monitor`].
#[derive(Debug, Clone)]
pub struct VirtualOutput {
    name: String,
    buffer: u32,
    monitor: Arc<Monitor>,
}

impl VirtualOutput {
    /// A device called `name` asking for `buffer` frames per callback (when the engine asks
    /// for none in particular); what it plays lands on [`VirtualOutput::monitor`].
    pub fn new(name: &str, buffer: u32) -> Self {
        VirtualOutput {
            name: name.to_string(),
            buffer: buffer.max(1),
            monitor: Arc::new(Monitor::default()),
        }
    }

    /// What the device played.
    pub fn monitor(&self) -> Arc<Monitor> {
        self.monitor.clone()
    }
}

/// The running device thread; dropping it stops the thread.
struct Running {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl OutputBackend for VirtualOutput {
    fn open(
        &mut self,
        sample_rate: u32,
        buffer: Option<u32>,
        mut data: DataCallback,
        _error: ErrorCallback,
    ) -> Result<OpenedStream, AudioError> {
        let frames = buffer.unwrap_or(self.buffer).max(1) as usize;
        let rate = f64::from(sample_rate.max(1));
        self.monitor
            .rate
            .store(u64::from(sample_rate), Ordering::Relaxed);
        let monitor = self.monitor.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name("son1k-virtual-output".into())
            .spawn(move || {
                let mut buf = vec![0.0f32; frames * 2];
                let start = Instant::now();
                let mut played: u64 = 0;
                while !s.load(Ordering::Relaxed) {
                    // The device asks for the next buffer when the previous one has played.
                    let due = start + Duration::from_secs_f64(played as f64 / rate);
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                    data(&mut buf, 2);
                    monitor.push(&buf);
                    played += frames as u64;
                }
            })
            .map_err(|e| AudioError::Device(format!("could not start the virtual device: {e}")))?;
        Ok(OpenedStream {
            device: self.name.clone(),
            channels: 2,
            stream: Box::new(Running {
                stop,
                thread: Some(thread),
            }),
        })
    }

    fn default_device(&mut self) -> Option<(String, u32)> {
        None
    }
}
