//! What the engine publishes: meters and counters the audio thread writes with atomics only, and
//! the events and last error the stream supervisor (a control thread) adds for the UI.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use crate::clock::{Direction, StreamClock};

/// Load histogram resolution: buckets of 0.5 % of the callback's time budget, 0 … 128 %.
const BUCKETS: usize = 256;
const PER_UNIT: f32 = 200.0;
/// Events kept for the UI before the oldest are dropped.
const MAX_EVENTS: usize = 64;

/// Something that happened to the audio stream, for the UI to say.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EngineEvent {
    /// The stream reported an error (repeats of the same text within a second are counted, not
    /// repeated here).
    StreamError {
        /// The host's words.
        message: String,
    },
    /// The output device went away (unplugged, or the sound server dropped the stream).
    DeviceLost {
        /// The device that was playing.
        device: String,
        /// Why the supervisor thinks so.
        message: String,
    },
    /// The stream was opened again, on the (possibly new) default device.
    Restarted {
        /// The device now playing.
        device: String,
        /// The stream's sample rate.
        sample_rate: u32,
        /// Why it restarted.
        reason: String,
    },
    /// Opening the stream again failed; the supervisor keeps trying about once a second.
    RestartFailed {
        /// The host's words.
        message: String,
    },
}

/// A snapshot of the engine for the UI (about 30 times a second is cheap).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EngineStatus {
    /// Frame position of the transport.
    pub position: u64,
    /// Whether the transport is playing.
    pub playing: bool,
    /// Whether playback reached the end (and is not looping).
    pub finished: bool,
    /// Callbacks served so far.
    pub callbacks: u64,
    /// Callbacks that took longer than the audio they produced lasts.
    pub deadline_misses: u64,
    /// The largest share of its time budget one callback used (1.0 = the whole buffer period).
    pub worst_load: f32,
    /// The median share of the budget a callback used (0.5 % resolution).
    pub median_load: f32,
    /// Errors the stream reported.
    pub stream_errors: u64,
    /// Times the stream was opened again after a device loss or change.
    pub restarts: u64,
    /// The last stream error's text, if any.
    pub last_error: Option<String>,
    /// The device playing, if a device stream is running.
    pub device: Option<String>,
    /// The stream's sample rate, if a device stream is running.
    pub sample_rate: Option<u32>,
    /// Whether the device's audio thread runs at real-time priority: `true` when the engine
    /// raised it (SCHED_FIFO on Linux), `false` when the system refused (it then competes with
    /// every other busy thread), `null` before the first callback or where the system's audio
    /// service schedules its thread itself (macOS, Windows).
    pub realtime: Option<bool>,
}

/// State the engine publishes, readable from any thread. The audio thread only touches the
/// atomics; the mutexes are written by the supervisor and read by the UI.
#[derive(Debug)]
pub struct Meters {
    pub(super) position: AtomicU64,
    pub(super) playing: AtomicBool,
    pub(super) finished: AtomicBool,
    pub(super) peak_l: AtomicU32,
    pub(super) peak_r: AtomicU32,
    /// Each track's peak after gain and pan (linear, as f32 bits), since the last read.
    pub(super) track_peaks: Box<[AtomicU32]>,
    pub(super) callbacks: AtomicU64,
    /// Frames handed to the device (silence included).
    pub(super) frames: AtomicU64,
    pub(super) deadline_misses: AtomicU64,
    worst_load: AtomicU32,
    loads: [AtomicU64; BUCKETS],
    pub(super) stream_errors: AtomicU64,
    pub(super) restarts: AtomicU64,
    /// Callbacks answered with silence because the core was being handed to a new stream.
    pub(super) skipped: AtomicU64,
    /// The callback thread's priority: 0 not known, 1 real-time, 2 refused.
    pub(super) realtime: AtomicU8,
    /// When the frames handed to the device are heard (see [`crate::clock`]).
    pub(super) clock: StreamClock,
    /// The renderer's position minus the frames served when the transport last started or
    /// jumped (loop wraps leave it alone: the timeline it maps is unrolled; reaching the end
    /// leaves it too); `i64::MIN` once stopped.
    pub(super) origin: AtomicI64,
    last_error: Mutex<Option<String>>,
    device: Mutex<Option<(String, u32)>>,
    events: Mutex<VecDeque<EngineEvent>>,
}

impl Default for Meters {
    fn default() -> Self {
        Meters {
            position: AtomicU64::new(0),
            playing: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            peak_l: AtomicU32::new(0),
            peak_r: AtomicU32::new(0),
            track_peaks: Box::new([]),
            callbacks: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            deadline_misses: AtomicU64::new(0),
            worst_load: AtomicU32::new(0),
            loads: std::array::from_fn(|_| AtomicU64::new(0)),
            stream_errors: AtomicU64::new(0),
            restarts: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            realtime: AtomicU8::new(0),
            clock: StreamClock::new(Direction::Output, 48_000),
            origin: AtomicI64::new(i64::MIN),
            last_error: Mutex::new(None),
            device: Mutex::new(None),
            events: Mutex::new(VecDeque::new()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Meters {
    /// Meters for a session of `tracks` tracks (all allocation happens here).
    pub fn with_tracks(tracks: usize) -> Self {
        Meters {
            track_peaks: (0..tracks).map(|_| AtomicU32::new(0)).collect(),
            ..Meters::default()
        }
    }
    /// Each track's peak (linear, after gain and pan) since the last call, resetting them.
    pub fn take_track_peaks(&self) -> Vec<f32> {
        self.track_peaks
            .iter()
            .map(|p| f32::from_bits(p.swap(0, Ordering::Relaxed)))
            .collect()
    }
    /// Frame position of the transport.
    pub fn position(&self) -> usize {
        self.position.load(Ordering::Relaxed) as usize
    }
    /// Whether the transport is playing.
    pub fn playing(&self) -> bool {
        self.playing.load(Ordering::Relaxed)
    }
    /// Whether playback reached the end (and is not looping).
    pub fn finished(&self) -> bool {
        self.finished.load(Ordering::Relaxed)
    }
    /// Peak levels since the last call (linear), resetting them.
    pub fn take_peaks(&self) -> (f32, f32) {
        (
            f32::from_bits(self.peak_l.swap(0, Ordering::Relaxed)),
            f32::from_bits(self.peak_r.swap(0, Ordering::Relaxed)),
        )
    }
    /// Callbacks served so far.
    pub fn callbacks(&self) -> u64 {
        self.callbacks.load(Ordering::Relaxed)
    }
    /// Frames handed to the device so far, silence included (how fast it takes them tells
    /// whether it still plays).
    pub fn frames_served(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }
    /// Callbacks whose rendering took longer than the audio they produced lasts: on a paced
    /// device each would be an underrun (xrun).
    pub fn deadline_misses(&self) -> u64 {
        self.deadline_misses.load(Ordering::Relaxed)
    }
    /// The largest fraction of its time budget one callback used (1.0 = the whole buffer period).
    pub fn worst_load(&self) -> f32 {
        f32::from_bits(self.worst_load.load(Ordering::Relaxed))
    }
    /// The fraction of its budget that `q` (0 … 1) of the callbacks stayed within, from a
    /// histogram of 0.5 % buckets (the bucket's middle, capped at the worst load; loads over
    /// 128 % fall in the last bucket); 0 before any.
    pub fn load_quantile(&self, q: f64) -> f32 {
        let counts: Vec<u64> = self
            .loads
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return 0.0;
        }
        let want = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                // The bucket's middle, but never above the worst load seen.
                return ((i as f32 + 0.5) / PER_UNIT).min(self.worst_load());
            }
        }
        self.worst_load()
    }
    /// Errors the output stream reported.
    pub fn stream_errors(&self) -> u64 {
        self.stream_errors.load(Ordering::Relaxed)
    }
    /// Times the stream was opened again after a device loss or change.
    pub fn restarts(&self) -> u64 {
        self.restarts.load(Ordering::Relaxed)
    }
    /// Callbacks answered with silence while the engine moved to a new stream.
    pub fn skipped_callbacks(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }
    /// When the frames handed to the device are heard, up to the device's constant latency.
    pub fn clock(&self) -> &StreamClock {
        &self.clock
    }
    /// The served frame (counted as [`Meters::frames_served`] counts) at which the renderer's
    /// frame `position` comes out, while the transport plays without jumping since it started
    /// (a loop's later passes are `position` plus whole loop lengths; after the end, where it
    /// would have); `None` before it started and once stopped.
    pub fn served_frame_of(&self, position: u64) -> Option<i64> {
        match self.origin.load(Ordering::Relaxed) {
            i64::MIN => None,
            o => Some(position as i64 - o),
        }
    }
    /// The last stream error's text.
    pub fn last_error(&self) -> Option<String> {
        lock(&self.last_error).clone()
    }

    /// Records one callback's load (audio thread: atomics only).
    pub(super) fn record_load(&self, load: f32) {
        let _ = self.worst_load.fetch_max(load.to_bits(), Ordering::Relaxed);
        if load > 1.0 {
            self.deadline_misses.fetch_add(1, Ordering::Relaxed);
        }
        let bucket = ((load * PER_UNIT) as usize).min(BUCKETS - 1);
        self.loads[bucket].fetch_add(1, Ordering::Relaxed);
    }

    /// A snapshot for the UI.
    pub fn status(&self) -> EngineStatus {
        let device = lock(&self.device).clone();
        EngineStatus {
            position: self.position.load(Ordering::Relaxed),
            playing: self.playing(),
            finished: self.finished(),
            callbacks: self.callbacks(),
            deadline_misses: self.deadline_misses(),
            worst_load: self.worst_load(),
            median_load: self.load_quantile(0.5),
            stream_errors: self.stream_errors(),
            restarts: self.restarts(),
            last_error: self.last_error(),
            sample_rate: device.as_ref().map(|d| d.1),
            device: device.map(|d| d.0),
            realtime: match self.realtime.load(Ordering::Relaxed) {
                1 => Some(true),
                2 => Some(false),
                _ => None,
            },
        }
    }

    /// Events since the last call, oldest first.
    pub fn take_events(&self) -> Vec<EngineEvent> {
        lock(&self.events).drain(..).collect()
    }

    /// Supervisor side: adds an event (the oldest goes when 64 are waiting).
    pub(super) fn push_event(&self, e: EngineEvent) {
        let mut q = lock(&self.events);
        if q.len() == MAX_EVENTS {
            q.pop_front();
        }
        q.push_back(e);
    }

    /// Supervisor side: the text of the latest error.
    pub(super) fn set_last_error(&self, text: &str) {
        *lock(&self.last_error) = Some(text.to_string());
    }

    /// Supervisor side: the device now playing.
    pub(super) fn set_device(&self, device: Option<(String, u32)>) {
        *lock(&self.device) = device;
    }
}
