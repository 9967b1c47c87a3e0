//! Dynamics: a feed-forward compressor and a look-ahead brick-wall limiter.

use super::{db_to_gain, fast_db_to_gain, fast_gain_to_db, Effect};

/// Sub-block over which the compressor computes its target gain (log/exp once per sub-block).
const SUB: usize = 32;
/// The gain ramp's position inside a sub-block: (k + 1) / SUB.
const RAMP: [f32; SUB] = {
    let mut r = [0.0f32; SUB];
    let mut k = 0;
    while k < SUB {
        r[k] = (k + 1) as f32 / SUB as f32;
        k += 1;
    }
    r
};

/// Stereo-linked feed-forward compressor with peak detection and attack/release smoothing.
///
/// The detector collects the peak of each 32-sample sub-block (0.7 ms at 44.1 kHz); at the sub-block's end the gain
/// computer runs once (one log, one exp) and the gain ramps linearly to the new value over the next
/// sub-block. Sub-blocks are counted in absolute samples, so the output does not depend on how the
/// host slices the stream into blocks.
pub struct Compressor {
    threshold_db: f32,
    slope: f32,
    makeup: f32,
    attack: f32,
    release: f32,
    /// Current gain reduction in dB (≥ 0).
    gr_db: f32,
    /// Peak seen so far in the current sub-block.
    peak: f32,
    /// Position inside the current sub-block.
    i: usize,
    from: f32,
    to: f32,
}

impl Compressor {
    /// A compressor at `sample_rate`.
    pub fn new(
        sample_rate: f32,
        threshold_db: f32,
        ratio: f32,
        attack_ms: f32,
        release_ms: f32,
        makeup_db: f32,
    ) -> Self {
        // Coefficients per sub-block.
        let coef = |ms: f32| {
            if ms <= 0.0 {
                0.0
            } else {
                libm::expf(-(SUB as f32) / (ms * 0.001 * sample_rate))
            }
        };
        Compressor {
            threshold_db,
            slope: 1.0 - 1.0 / ratio,
            makeup: db_to_gain(makeup_db),
            attack: coef(attack_ms),
            release: coef(release_ms),
            gr_db: 0.0,
            peak: 0.0,
            i: 0,
            from: 1.0,
            to: 1.0,
        }
    }

    /// The gain reduction now, in dB.
    pub fn gain_reduction_db(&self) -> f32 {
        self.gr_db
    }

    /// End of a sub-block: run the gain computer once and start the next ramp.
    fn update(&mut self) {
        let level_db = if self.peak > 1e-9 {
            fast_gain_to_db(self.peak)
        } else {
            -180.0
        };
        let target = ((level_db - self.threshold_db) * self.slope).max(0.0);
        let coef = if target > self.gr_db {
            self.attack
        } else {
            self.release
        };
        self.gr_db = target + coef * (self.gr_db - target);
        self.from = self.to;
        self.to = fast_db_to_gain(-self.gr_db);
        self.peak = 0.0;
        self.i = 0;
    }
}

impl Effect for Compressor {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        let frames = block.first().map_or(0, |c| c.len());
        let step = 1.0 / SUB as f32;
        if let [l, r] = &mut *block {
            // Stereo: walk sub-block by sub-block; the peak uses four independent accumulators
            // so the max chain does not serialise the loop.
            let mut f = 0;
            while f < frames {
                let take = (SUB - self.i).min(frames - f);
                let (cl, cr) = (&mut l[f..f + take], &mut r[f..f + take]);
                let mut acc = [0.0f32; 4];
                let (mut il, mut ir) = (cl.chunks_exact(4), cr.chunks_exact(4));
                for (a, b) in (&mut il).zip(&mut ir) {
                    for j in 0..4 {
                        acc[j] = acc[j].max(a[j].abs()).max(b[j].abs());
                    }
                }
                for (a, b) in il.remainder().iter().zip(ir.remainder()) {
                    acc[0] = acc[0].max(a.abs()).max(b.abs());
                }
                self.peak = self.peak.max(acc[0].max(acc[1]).max(acc[2].max(acc[3])));
                let (from, delta, makeup) = (self.from, self.to - self.from, self.makeup);
                let ramp = &RAMP[self.i..self.i + take];
                for ((a, b), r) in cl.iter_mut().zip(cr.iter_mut()).zip(ramp) {
                    let g = (from + delta * r) * makeup;
                    *a *= g;
                    *b *= g;
                }
                self.i += take;
                f += take;
                if self.i == SUB {
                    self.update();
                }
            }
            return;
        }
        for f in 0..frames {
            let g =
                (self.from + (self.to - self.from) * ((self.i + 1) as f32 * step)) * self.makeup;
            for ch in block.iter_mut() {
                let x = ch[f];
                self.peak = self.peak.max(x.abs());
                ch[f] = x * g;
            }
            self.i += 1;
            if self.i == SUB {
                self.update();
            }
        }
    }

    fn reset(&mut self) {
        self.gr_db = 0.0;
        self.peak = 0.0;
        self.i = 0;
        self.from = 1.0;
        self.to = 1.0;
    }
}

/// Taps of the 4× true-peak interpolator (windowed sinc, 3 fractional phases × 16 taps: eight
/// taps missed the overshoot of bright transients — a snare roll into a crash — by 0.3 dB).
const TP_TAPS: usize = 16;
/// The interpolated points lie between history samples `TP_CENTRE - 1` and `TP_CENTRE`.
const TP_CENTRE: usize = TP_TAPS / 2;

fn tp_kernel() -> [[f32; TP_TAPS]; 3] {
    let mut k = [[0.0f32; TP_TAPS]; 3];
    for (p, row) in k.iter_mut().enumerate() {
        let frac = (p + 1) as f32 / 4.0;
        for (t, v) in row.iter_mut().enumerate() {
            // Sample positions −7..=8 relative to the current one, evaluated at t = frac.
            let x = (t as f32 - (TP_CENTRE as f32 - 1.0)) - frac;
            let sinc = if x.abs() < 1e-6 {
                1.0
            } else {
                libm::sinf(std::f32::consts::PI * x) / (std::f32::consts::PI * x)
            };
            let w = 0.5 + 0.5 * libm::cosf(std::f32::consts::PI * x / (TP_CENTRE as f32 + 0.5));
            *v = sinc * w;
        }
    }
    k
}

/// Look-ahead brick-wall limiter: the output never exceeds the ceiling (sample peak, or the
/// 4×-oversampled true-peak estimate when `true_peak` is on). Gain moves smoothly: a minimum-hold
/// over the look-ahead window followed by a moving average of the same length, then release.
pub struct Limiter {
    ceiling: f32,
    look: usize,
    release: f32,
    true_peak: bool,
    kernel: [[f32; TP_TAPS]; 3],
    /// Per-channel delay line (ring): `look` samples, plus the interpolator's centre offset in
    /// true-peak mode so each requirement lines up with the samples it was computed from.
    delay: Vec<Vec<f32>>,
    delay_len: usize,
    /// Per-channel history for the true-peak interpolator.
    hist: Vec<[f32; TP_TAPS]>,
    pos: usize,
    /// Monotonic deque (ring) of (sample index, required gain) for the window minimum.
    dq_idx: Vec<u64>,
    dq_val: Vec<f32>,
    dq_head: usize,
    dq_len: usize,
    /// Ring of held minima for the moving average.
    held: Vec<f32>,
    held_pos: usize,
    held_sum: f64,
    n: u64,
    gain: f32,
}

impl Limiter {
    /// A limiter with 5 ms look-ahead.
    pub fn new(
        sample_rate: f32,
        ceiling_db: f32,
        release_ms: f32,
        true_peak: bool,
        channels: usize,
    ) -> Self {
        let look = ((sample_rate * 0.005) as usize).max(1);
        let delay_len = if true_peak { look + TP_CENTRE } else { look };
        Limiter {
            ceiling: db_to_gain(ceiling_db),
            look,
            release: libm::expf(-1.0 / (release_ms * 0.001 * sample_rate)),
            true_peak,
            kernel: tp_kernel(),
            delay: vec![vec![0.0; delay_len]; channels],
            delay_len,
            hist: vec![[0.0; TP_TAPS]; channels],
            pos: 0,
            dq_idx: vec![0; look + 1],
            dq_val: vec![1.0; look + 1],
            dq_head: 0,
            dq_len: 0,
            held: vec![1.0; look + 1],
            held_pos: 0,
            held_sum: (look + 1) as f64,
            n: 0,
            gain: 1.0,
        }
    }

    fn push_min(&mut self, idx: u64, v: f32) {
        let cap = self.dq_idx.len();
        let wrap = |i: usize| if i >= cap { i - cap } else { i };
        // Drop larger values from the back, then expired ones from the front.
        while self.dq_len > 0 {
            let back = wrap(self.dq_head + self.dq_len - 1);
            if self.dq_val[back] >= v {
                self.dq_len -= 1;
            } else {
                break;
            }
        }
        let slot = wrap(self.dq_head + self.dq_len);
        self.dq_idx[slot] = idx;
        self.dq_val[slot] = v;
        self.dq_len += 1;
        while self.dq_len > 0 && self.dq_idx[self.dq_head] + (self.look as u64) < idx {
            self.dq_head = wrap(self.dq_head + 1);
            self.dq_len -= 1;
        }
    }
}

impl Effect for Limiter {
    // Frame-major loops over channel-major buffers: indices are the clearest way to walk both.
    #[allow(clippy::needless_range_loop)]
    fn process(&mut self, block: &mut [&mut [f32]]) {
        let frames = block.first().map_or(0, |c| c.len());
        let channels = block.len().min(self.delay.len());
        let window = self.held.len();
        for i in 0..frames {
            let mut peak = 0.0f32;
            for c in 0..channels {
                let x = block[c][i];
                if self.true_peak {
                    // Peaks of the two samples around the interpolator's centre and of the three
                    // points between them; the delay line is longer by the same offset.
                    let h = &mut self.hist[c];
                    h.copy_within(1.., 0);
                    h[TP_TAPS - 1] = x;
                    peak = peak.max(h[TP_CENTRE - 1].abs()).max(h[TP_CENTRE].abs());
                    for row in &self.kernel {
                        let v: f32 = row.iter().zip(h.iter()).map(|(k, s)| k * s).sum();
                        peak = peak.max(v.abs());
                    }
                } else {
                    peak = peak.max(x.abs());
                }
            }
            let required = if peak > self.ceiling {
                self.ceiling / peak
            } else {
                1.0
            };
            self.push_min(self.n, required);
            let hold = self.dq_val[self.dq_head];
            let slot = self.held_pos;
            self.held_pos = if slot + 1 == window { 0 } else { slot + 1 };
            self.held_sum += f64::from(hold) - f64::from(self.held[slot]);
            self.held[slot] = hold;
            let avg = (self.held_sum / window as f64) as f32;
            self.gain = if avg < self.gain {
                avg
            } else {
                avg + self.release * (self.gain - avg)
            };
            self.n += 1;
            for c in 0..channels {
                let delayed = self.delay[c][self.pos];
                self.delay[c][self.pos] = block[c][i];
                // The running average can sit a hair above the held minimum from rounding: clamp.
                block[c][i] = (delayed * self.gain).clamp(-self.ceiling, self.ceiling);
            }
            self.pos = if self.pos + 1 == self.delay_len {
                0
            } else {
                self.pos + 1
            };
        }
    }

    fn reset(&mut self) {
        for d in &mut self.delay {
            d.fill(0.0);
        }
        for h in &mut self.hist {
            *h = [0.0; TP_TAPS];
        }
        self.dq_len = 0;
        self.held.fill(1.0);
        self.held_pos = 0;
        self.held_sum = self.held.len() as f64;
        self.gain = 1.0;
        self.pos = 0;
    }

    fn latency(&self) -> usize {
        self.delay_len
    }
}
