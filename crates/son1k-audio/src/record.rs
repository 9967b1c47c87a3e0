//! The crash-safe recorder.
//!
//! The input callback only pushes samples into a lock-free ring; a writer thread streams them to
//! a WAV file (32-bit float) in chunks, rewriting the header's sizes and flushing to disk at least
//! once per second. While a take is being recorded a small `TAKE.wav.recording` marker sits beside
//! it; after a crash or `kill -9` the next start finds the marker, repairs the header from the
//! file's real length (dropping a partial last frame) and offers the take. At most one second of
//! audio is lost.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};
use serde::{Deserialize, Serialize};

use crate::clock::{Direction, StreamClock};
use crate::AudioError;

/// Bytes of the WAV header this recorder writes: RIFF, an 18-byte `fmt ` chunk for IEEE float,
/// the `fact` chunk float WAVs carry, and the `data` chunk header.
const HEADER: u64 = 58;
/// Longest gap between flushes to disk.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);

/// What the marker file records about a take in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeFormat {
    /// Frames per second.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
}

fn marker_of(path: &Path) -> PathBuf {
    let mut m = path.as_os_str().to_owned();
    m.push(".recording");
    PathBuf::from(m)
}

fn header(format: TakeFormat, data_bytes: u32) -> [u8; HEADER as usize] {
    let mut h = [0u8; HEADER as usize];
    let block_align = u32::from(format.channels) * 4;
    let frames = data_bytes / block_align.max(1);
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&((HEADER as u32 - 8).saturating_add(data_bytes)).to_le_bytes());
    h[8..12].copy_from_slice(b"WAVE");
    h[12..16].copy_from_slice(b"fmt ");
    h[16..20].copy_from_slice(&18u32.to_le_bytes());
    h[20..22].copy_from_slice(&3u16.to_le_bytes()); // WAVE_FORMAT_IEEE_FLOAT
    h[22..24].copy_from_slice(&format.channels.to_le_bytes());
    h[24..28].copy_from_slice(&format.sample_rate.to_le_bytes());
    h[28..32].copy_from_slice(&(format.sample_rate * block_align).to_le_bytes());
    h[32..34].copy_from_slice(&(block_align as u16).to_le_bytes());
    h[34..36].copy_from_slice(&32u16.to_le_bytes());
    // h[36..38]: cbSize = 0
    h[38..42].copy_from_slice(b"fact");
    h[42..46].copy_from_slice(&4u32.to_le_bytes());
    h[46..50].copy_from_slice(&frames.to_le_bytes());
    h[50..54].copy_from_slice(b"data");
    h[54..58].copy_from_slice(&data_bytes.to_le_bytes());
    h
}

/// Streams interleaved f32 frames into a WAV file with periodic header updates and flushes.
pub struct TakeWriter {
    file: BufWriter<File>,
    path: PathBuf,
    format: TakeFormat,
    data_bytes: u64,
    last_flush: Instant,
}

impl TakeWriter {
    /// Creates `path` and its marker.
    pub fn create(path: &Path, format: TakeFormat) -> Result<Self, AudioError> {
        if format.channels == 0 || format.sample_rate == 0 {
            return Err(AudioError::Invalid(
                "a take needs at least one channel and a sample rate".into(),
            ));
        }
        let marker = marker_of(path);
        std::fs::write(&marker, serde_json::to_vec(&format).unwrap_or_default())
            .map_err(|e| AudioError::io(&marker, "could not create", e))?;
        let mut file =
            File::create(path).map_err(|e| AudioError::io(path, "could not create", e))?;
        file.write_all(&header(format, 0))
            .map_err(|e| AudioError::io(path, "could not write", e))?;
        Ok(TakeWriter {
            file: BufWriter::with_capacity(1 << 16, file),
            path: path.to_path_buf(),
            format,
            data_bytes: 0,
            last_flush: Instant::now(),
        })
    }

    /// Appends samples (interleaved); flushes header and data when the flush interval has passed.
    pub fn write(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        for s in samples {
            self.file
                .write_all(&s.to_le_bytes())
                .map_err(|e| AudioError::io(&self.path, "could not write", e))?;
        }
        self.data_bytes += samples.len() as u64 * 4;
        if self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes buffered data, updates the header's sizes and syncs to disk.
    pub fn flush(&mut self) -> Result<(), AudioError> {
        let err = |e| AudioError::io(&self.path, "could not write", e);
        self.file.flush().map_err(err)?;
        let f = self.file.get_mut();
        let size = u32::try_from(self.data_bytes).unwrap_or(u32::MAX);
        f.seek(SeekFrom::Start(0)).map_err(err)?;
        f.write_all(&header(self.format, size)).map_err(err)?;
        f.seek(SeekFrom::End(0)).map_err(err)?;
        f.sync_data().map_err(err)?;
        self.last_flush = Instant::now();
        Ok(())
    }

    /// Seconds written so far.
    pub fn seconds(&self) -> f64 {
        self.data_bytes as f64
            / (f64::from(self.format.channels) * 4.0 * f64::from(self.format.sample_rate))
    }

    /// Final flush; removes the marker.
    pub fn finish(mut self) -> Result<PathBuf, AudioError> {
        self.flush()?;
        let marker = marker_of(&self.path);
        std::fs::remove_file(&marker)
            .map_err(|e| AudioError::io(&marker, "could not remove", e))?;
        Ok(self.path)
    }
}

/// A take found after a crash and repaired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveredTake {
    /// The repaired file.
    pub path: PathBuf,
    /// Its length in seconds.
    pub seconds: f64,
}

/// Finds takes interrupted in `dir` (their markers), repairs their headers and removes the markers.
pub fn recover_takes(dir: &Path) -> Result<Vec<RecoveredTake>, AudioError> {
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(AudioError::io(dir, "could not list", e)),
    };
    for entry in entries.flatten() {
        let marker = entry.path();
        let Some(name) = marker.to_str().and_then(|s| s.strip_suffix(".recording")) else {
            continue;
        };
        let take = PathBuf::from(name);
        let format: TakeFormat = match std::fs::read(&marker)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            Some(f) => f,
            None => continue,
        };
        let Ok(mut file) = OpenOptions::new().read(true).write(true).open(&take) else {
            let _ = std::fs::remove_file(&marker);
            continue;
        };
        let len = file
            .metadata()
            .map_err(|e| AudioError::io(&take, "could not read", e))?
            .len();
        let frame = u64::from(format.channels) * 4;
        let data = len.saturating_sub(HEADER) / frame * frame;
        let size = u32::try_from(data).unwrap_or(u32::MAX);
        let err = |e| AudioError::io(&take, "could not repair", e);
        file.set_len(HEADER + u64::from(size)).map_err(err)?;
        file.seek(SeekFrom::Start(0)).map_err(err)?;
        file.write_all(&header(format, size)).map_err(err)?;
        file.sync_all().map_err(err)?;
        std::fs::remove_file(&marker)
            .map_err(|e| AudioError::io(&marker, "could not remove", e))?;
        found.push(RecoveredTake {
            seconds: f64::from(size) / (frame as f64 * f64::from(format.sample_rate)),
            path: take,
        });
    }
    Ok(found)
}

/// A recording in progress from the default input device.
pub struct Recording {
    _stream: cpal::Stream,
    stop: Arc<AtomicBool>,
    overflows: Arc<AtomicU64>,
    writer: Option<std::thread::JoinHandle<Result<TakeWriter, AudioError>>>,
    /// The device recorded from.
    pub device: String,
    /// The take's format.
    pub format: TakeFormat,
    frames: Arc<AtomicU64>,
    /// Bits of the largest absolute sample since the last [`Recording::take_peak`].
    peak: Arc<AtomicU32>,
    /// When the take's frames were captured (see [`crate::clock`]).
    clock: Arc<StreamClock>,
    /// Errors the input stream reported.
    errors: Arc<AtomicU64>,
}

impl Recording {
    /// The input's peak level (0–1, linear) since the last call, for an input meter.
    pub fn take_peak(&self) -> f32 {
        f32::from_bits(self.peak.swap(0, Ordering::Relaxed))
    }

    /// Seconds captured so far.
    pub fn seconds(&self) -> f64 {
        self.frames.load(Ordering::Relaxed) as f64 / f64::from(self.format.sample_rate)
    }

    /// When the take's frames were captured, up to the input's constant latency (shared: it
    /// stays readable after the recording stops).
    pub fn clock(&self) -> Arc<StreamClock> {
        self.clock.clone()
    }

    /// Errors the input stream reported (a device unplugged mid-take, an overrun the host saw).
    pub fn stream_errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Samples the writer could not keep up with (should stay 0).
    pub fn overflows(&self) -> u64 {
        self.overflows.load(Ordering::Relaxed)
    }

    /// Stops, flushes and closes the take.
    pub fn stop(mut self) -> Result<PathBuf, AudioError> {
        self.stop.store(true, Ordering::Relaxed);
        let handle = self
            .writer
            .take()
            .ok_or_else(|| AudioError::Device("the recorder already stopped".into()))?;
        let writer = handle.join().map_err(|_| {
            AudioError::Device("the recording thread stopped unexpectedly".into())
        })??;
        writer.finish()
    }
}

/// Starts recording the default input into `path` (WAV, 32-bit float).
pub fn record(path: &Path) -> Result<Recording, AudioError> {
    record_monitored(path, None, None)
}

/// [`record`] at `rate` when the device offers it (its default rate otherwise: see
/// [`Recording::format`]), also handing every captured sample to `monitor` (input
/// monitoring: what does not fit is dropped, never waited for).
pub fn record_monitored(
    path: &Path,
    rate: Option<u32>,
    mut monitor: Option<crate::engine::MonitorSender>,
) -> Result<Recording, AudioError> {
    let host = cpal::default_host();
    let device = crate::devices::input_device(&host).ok_or_else(|| {
        AudioError::Device(format!(
            "no audio input device found ({} reports none); connect a microphone or interface",
            host.id().name()
        ))
    })?;
    let name = device.name().unwrap_or_else(|_| "default".into());
    let config = device.default_input_config().map_err(|e| {
        AudioError::Device(format!(
            "no usable audio input device found ({name}: {e}); connect a microphone or interface"
        ))
    })?;
    let offered = |r: u32| {
        device.supported_input_configs().is_ok_and(|mut all| {
            all.any(|c| {
                c.channels() == config.channels()
                    && c.min_sample_rate().0 <= r
                    && r <= c.max_sample_rate().0
                    && c.sample_format() == cpal::SampleFormat::F32
            })
        })
    };
    let format = TakeFormat {
        sample_rate: rate
            .filter(|&r| r != config.sample_rate().0 && offered(r))
            .unwrap_or(config.sample_rate().0),
        channels: config.channels(),
    };
    let mut writer = TakeWriter::create(path, format)?;
    // Two seconds of headroom between the callback and the disk.
    let capacity = format.sample_rate as usize * usize::from(format.channels) * 2;
    let (mut tx, mut rx) = rtrb::RingBuffer::<f32>::new(capacity);
    let overflows = Arc::new(AtomicU64::new(0));
    let frames = Arc::new(AtomicU64::new(0));
    let peak = Arc::new(AtomicU32::new(0));
    let clock = Arc::new(StreamClock::new(Direction::Input, format.sample_rate));
    let errors = Arc::new(AtomicU64::new(0));
    let (cb_over, cb_frames, cb_peak, cb_clock, cb_errors, ch) = (
        overflows.clone(),
        frames.clone(),
        peak.clone(),
        clock.clone(),
        errors.clone(),
        u64::from(format.channels),
    );
    // Frames the device delivered (the take's frame numbers, unless the writer overflowed).
    let mut delivered = 0u64;
    let stream_config = cpal::StreamConfig {
        channels: format.channels,
        sample_rate: cpal::SampleRate(format.sample_rate),
        buffer_size: cpal::BufferSize::Default,
    };
    let stream = device
        .build_input_stream(
            &stream_config,
            move |data: &[f32], _| {
                let at = crate::clock::now_ns();
                let first = delivered;
                delivered += data.len() as u64 / ch.max(1);
                cb_clock.note(first, delivered, at);
                let n = tx.slots().min(data.len());
                if let Ok(chunk) = tx.write_chunk_uninit(n) {
                    chunk.fill_from_iter(data.iter().copied());
                }
                if let Some(m) = monitor.as_mut() {
                    let k = m.slots().min(data.len());
                    if let Ok(chunk) = m.write_chunk_uninit(k) {
                        chunk.fill_from_iter(data.iter().copied());
                    }
                }
                if n < data.len() {
                    cb_over.fetch_add((data.len() - n) as u64, Ordering::Relaxed);
                }
                cb_frames.fetch_add(n as u64 / ch, Ordering::Relaxed);
                // Non-negative floats order like their bits, so the meter is one atomic max.
                let p = data.iter().fold(0.0f32, |m, s| m.max(s.abs()));
                if p.is_finite() {
                    cb_peak.fetch_max(p.to_bits(), Ordering::Relaxed);
                }
            },
            move |_err| {
                cb_errors.fetch_add(1, Ordering::Relaxed);
            },
            None,
        )
        .map_err(|e| AudioError::Device(format!("could not open {name} for recording: {e}")))?;
    stream
        .play()
        .map_err(|e| AudioError::Device(format!("could not start recording from {name}: {e}")))?;
    let stop = Arc::new(AtomicBool::new(false));
    let stop_w = stop.clone();
    let writer_thread = std::thread::Builder::new()
        .name("son1k-take-writer".into())
        .spawn(move || {
            let mut buf = vec![0.0f32; 16_384];
            loop {
                let done = stop_w.load(Ordering::Relaxed);
                let n = rx.slots().min(buf.len());
                if n > 0 {
                    if let Ok(chunk) = rx.read_chunk(n) {
                        let (a, b) = chunk.as_slices();
                        buf[..a.len()].copy_from_slice(a);
                        buf[a.len()..a.len() + b.len()].copy_from_slice(b);
                        chunk.commit_all();
                        writer.write(&buf[..n])?;
                    }
                } else if done {
                    return Ok(writer);
                } else {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        })
        .map_err(|e| AudioError::Device(format!("could not start the recording thread: {e}")))?;
    Ok(Recording {
        _stream: stream,
        stop,
        overflows,
        writer: Some(writer_thread),
        device: name,
        format,
        frames,
        peak,
        clock,
        errors,
    })
}
