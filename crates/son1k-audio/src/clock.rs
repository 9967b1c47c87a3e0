//! Where a stream's frames sit in wall-clock time, so a recording can be lined up with what the
//! engine played on another stream (the input and the output are two streams, possibly two
//! devices, each with its own callbacks).
//!
//! Each callback notes the time it ran beside the frames it moved. A callback's time jitters
//! (the scheduler wakes it late, a sound server delivers in bursts), but physics bounds it on
//! one side: an output callback runs *before* the frames it renders are heard, an input
//! callback *after* the frames it delivers were captured. So the tightest callback seen — the
//! latest for an output, the earliest for an input — pins the stream's frame 0. What is left
//! is the set-up's latency beyond the callbacks (converters, a sound server's own buffers),
//! which a loopback calibration measures. A note is one clock read and one atomic max or min:
//! nothing in a callback allocates or locks. (The delays hosts report through cpal were tried
//! and left out: PulseAudio's ALSA plugin reports only its own few milliseconds.)

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// The process's time origin for every [`StreamClock`] (so two streams' clocks compare).
static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds since the process's first clock was made (monotonic).
pub fn now_ns() -> i64 {
    let epoch = EPOCH.get_or_init(Instant::now);
    i64::try_from(epoch.elapsed().as_nanos()).unwrap_or(i64::MAX)
}

/// Which bound a stream's callbacks give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Output: a callback runs before its frames are heard (the latest callback is tightest).
    Output,
    /// Input: a callback runs after its frames were captured (the earliest is tightest).
    Input,
}

/// The wall-clock time of one stream's frame 0, from its callbacks.
#[derive(Debug)]
pub struct StreamClock {
    direction: Direction,
    /// Nanoseconds (since [`now_ns`]'s origin) of frame 0; `NONE_*` before the first note.
    bound: AtomicI64,
    rate: AtomicU32,
    notes: AtomicU32,
}

const NONE_OUT: i64 = i64::MIN;
const NONE_IN: i64 = i64::MAX;

impl StreamClock {
    /// A clock for a stream of `direction` at `sample_rate` frames a second.
    pub fn new(direction: Direction, sample_rate: u32) -> Self {
        let _ = now_ns();
        let clock = StreamClock {
            direction,
            bound: AtomicI64::new(0),
            rate: AtomicU32::new(1),
            notes: AtomicU32::new(0),
        };
        clock.reset(sample_rate);
        clock
    }

    /// Forgets what was noted (a new stream on another device, at `sample_rate`).
    pub fn reset(&self, sample_rate: u32) {
        self.rate.store(sample_rate.max(1), Ordering::Relaxed);
        self.bound.store(
            match self.direction {
                Direction::Output => NONE_OUT,
                Direction::Input => NONE_IN,
            },
            Ordering::Relaxed,
        );
        self.notes.store(0, Ordering::Relaxed);
    }

    /// Notes a callback that ran at `at_ns` (from [`now_ns`]) and moved the frames from `first`
    /// to `end` (exclusive): an output renders them, an input delivers them. Real-time safe
    /// (one atomic max or min).
    pub fn note(&self, first: u64, end: u64, at_ns: i64) {
        let rate = f64::from(self.rate.load(Ordering::Relaxed));
        let since = |frame: u64| (frame as f64 * 1e9 / rate) as i64;
        match self.direction {
            Direction::Output => self
                .bound
                .fetch_max(at_ns - since(first), Ordering::Relaxed),
            Direction::Input => self.bound.fetch_min(at_ns - since(end), Ordering::Relaxed),
        };
        self.notes.fetch_add(1, Ordering::Relaxed);
    }

    /// Callbacks noted so far.
    pub fn notes(&self) -> u32 {
        self.notes.load(Ordering::Relaxed)
    }

    /// The stream's rate.
    pub fn sample_rate(&self) -> u32 {
        self.rate.load(Ordering::Relaxed)
    }

    /// When frame `frame` (fractional frames allowed) was heard (output) or captured (input),
    /// in seconds on [`now_ns`]'s clock, up to the device's constant latency; `None` before any
    /// callback was noted.
    pub fn time_of(&self, frame: f64) -> Option<f64> {
        let a = self.bound.load(Ordering::Relaxed);
        if a == NONE_OUT || a == NONE_IN {
            return None;
        }
        Some(a as f64 * 1e-9 + frame / f64::from(self.sample_rate()))
    }

    /// The frame (fractional) heard or captured at `seconds` on [`now_ns`]'s clock (inverse of
    /// [`StreamClock::time_of`]).
    pub fn frame_at(&self, seconds: f64) -> Option<f64> {
        let zero = self.time_of(0.0)?;
        Some((seconds - zero) * f64::from(self.sample_rate()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_callback_pins_frame_zero() {
        // An output at 1000 frames/s whose frame 0 is heard at t = 1.000 s and whose callbacks
        // run 2–9 ms before their frames are heard: the latest callback wins.
        let out = StreamClock::new(Direction::Output, 1000);
        assert_eq!(out.time_of(0.0), None);
        for (k, slack_ms) in [9i64, 4, 2, 7, 3].iter().enumerate() {
            let frame = k as u64 * 10;
            let heard_ns = 1_000_000_000 + frame as i64 * 1_000_000;
            out.note(frame, frame + 10, heard_ns - slack_ms * 1_000_000);
        }
        let t0 = out.time_of(0.0).unwrap_or(f64::NAN);
        assert!((t0 - 0.998).abs() < 1e-9, "{t0}");
        // An input whose callbacks come 1–6 ms after their last frame was captured: the
        // earliest wins.
        let inp = StreamClock::new(Direction::Input, 1000);
        for (k, late_ms) in [6i64, 1, 3, 5].iter().enumerate() {
            let after = (k as u64 + 1) * 10;
            let captured_ns = 2_000_000_000 + after as i64 * 1_000_000;
            inp.note(after - 10, after, captured_ns + late_ms * 1_000_000);
        }
        let t0 = inp.time_of(0.0).unwrap_or(f64::NAN);
        assert!((t0 - 2.001).abs() < 1e-9, "{t0}");
        assert_eq!(inp.frame_at(2.011).map(|f| f.round()), Some(10.0));
        inp.reset(48_000);
        assert_eq!(inp.time_of(0.0), None);
        assert_eq!(inp.notes(), 0);
    }
}
