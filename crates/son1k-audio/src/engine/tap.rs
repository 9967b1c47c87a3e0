//! Input monitoring: what the recorder's input callback captures, mixed into the engine's
//! output, so a musician hears themselves over the session while a take records.
//!
//! The input callback writes into a lock-free ring ([`monitor_ring`]); the engine reads it in
//! its own callback. The two streams' callbacks do not come in step, so the ring holds a little
//! slack; when it holds more than [`InputTap::max_queued`] frames beyond what a callback needs
//! (the input ran ahead, or the output stalled), the oldest are dropped so what is heard never
//! lags further behind. When it runs short, the missing frames are silence. Nothing here
//! allocates in a callback.

/// The input callback's end of the monitoring ring.
pub type MonitorSender = rtrb::Producer<f32>;
/// The engine's end of the monitoring ring.
pub type MonitorReceiver = rtrb::Consumer<f32>;

/// The ring between an input callback and the engine: room for `seconds` of `channels`
/// interleaved channels at `rate`.
pub fn monitor_ring(rate: u32, channels: u16, seconds: f64) -> (MonitorSender, MonitorReceiver) {
    let frames = (f64::from(rate) * seconds.clamp(0.01, 10.0)).ceil() as usize;
    rtrb::RingBuffer::new(frames * usize::from(channels.max(1)))
}

/// The engine's side of input monitoring.
pub struct InputTap {
    samples: MonitorReceiver,
    channels: usize,
    gain: f32,
    max_queued: usize,
}

impl std::fmt::Debug for InputTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputTap")
            .field("channels", &self.channels)
            .field("gain", &self.gain)
            .field("max_queued", &self.max_queued)
            .finish()
    }
}

impl InputTap {
    /// Reads `samples` (interleaved, `channels` per frame: one is heard in both ears, the
    /// first two of more as left and right) at `gain_db`, keeping at most `max_queued` frames
    /// waiting beyond a callback's own.
    pub fn new(samples: MonitorReceiver, channels: u16, gain_db: f32, max_queued: usize) -> Self {
        InputTap {
            samples,
            channels: usize::from(channels.max(1)),
            gain: 10f32.powf(gain_db.clamp(-120.0, 12.0) / 20.0),
            max_queued,
        }
    }

    /// The most frames left waiting after a callback.
    pub fn max_queued(&self) -> usize {
        self.max_queued
    }

    /// Adds the next `frames` input frames into `out` (interleaved, `out_channels` a frame).
    /// Real-time safe.
    pub(super) fn mix_into(&mut self, out: &mut [f32], out_channels: usize) {
        let ch = self.channels;
        let frames = out.len() / out_channels.max(1);
        let queued = self.samples.slots() / ch;
        let excess = queued.saturating_sub(frames + self.max_queued);
        if excess > 0 {
            if let Ok(old) = self.samples.read_chunk(excess * ch) {
                old.commit_all();
            }
        }
        let n = frames.min(self.samples.slots() / ch);
        let Ok(chunk) = self.samples.read_chunk(n * ch) else {
            return;
        };
        let (a, b) = chunk.as_slices();
        let at = |i: usize| if i < a.len() { a[i] } else { b[i - a.len()] };
        let g = self.gain;
        for f in 0..n {
            let l = at(f * ch);
            let r = if ch > 1 { at(f * ch + 1) } else { l };
            match &mut out[f * out_channels..(f + 1) * out_channels] {
                [m] => *m += 0.5 * (l + r) * g,
                [x, y, ..] => {
                    *x += l * g;
                    *y += r * g;
                }
                [] => {}
            }
        }
        chunk.commit_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_is_added_and_never_lags_more_than_allowed() {
        let (mut tx, rx) = monitor_ring(48_000, 1, 1.0);
        let mut tap = InputTap::new(rx, 1, 0.0, 4);
        // 20 frames waiting, 8 asked: the oldest 8 beyond 8 + 4 are dropped, the next 8 heard.
        for i in 0..20 {
            let _ = tx.push(i as f32);
        }
        let mut out = vec![1.0f32; 16];
        tap.mix_into(&mut out, 2);
        let left: Vec<f32> = out.chunks(2).map(|f| f[0]).collect();
        assert_eq!(left, (9..17).map(|i| i as f32).collect::<Vec<_>>());
        // Mono is heard in both ears.
        assert!(out.chunks(2).all(|f| f[0] == f[1]));
        // Short of input: what is missing stays as it was (silence added).
        let mut out = vec![0.0f32; 16];
        tap.mix_into(&mut out, 2);
        assert_eq!(out[..8], [16.0, 16.0, 17.0, 17.0, 18.0, 18.0, 19.0, 19.0]);
        assert!(out[8..].iter().all(|&s| s == 0.0));
    }
}
