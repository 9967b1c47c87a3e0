//! Biquad filters (RBJ audio EQ cookbook) in direct form I.

use serde::{Deserialize, Serialize};

use super::Effect;

/// Filter shapes of the parametric EQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FilterKind {
    /// Bell around `freq`.
    Peak,
    /// Shelf below `freq`.
    LowShelf,
    /// Shelf above `freq`.
    HighShelf,
    /// 12 dB/octave low-pass.
    LowPass,
    /// 12 dB/octave high-pass.
    HighPass,
}

/// One biquad band with per-channel state.
pub struct Biquad {
    b: [f32; 3],
    a: [f32; 2],
    /// Per channel: x[n−1], x[n−2], y[n−1], y[n−2].
    z: Vec<[f32; 4]>,
}

impl Biquad {
    /// Designs the band for `sample_rate`.
    pub fn new(
        kind: FilterKind,
        sample_rate: f32,
        freq: f32,
        q: f32,
        gain_db: f32,
        channels: usize,
    ) -> Self {
        let a = libm::powf(10.0, gain_db / 40.0);
        let w0 = 2.0 * std::f32::consts::PI * freq / sample_rate;
        let (sin, cos) = libm::sincosf(w0);
        let alpha = sin / (2.0 * q);
        let (b0, b1, b2, a0, a1, a2) = match kind {
            FilterKind::Peak => (
                1.0 + alpha * a,
                -2.0 * cos,
                1.0 - alpha * a,
                1.0 + alpha / a,
                -2.0 * cos,
                1.0 - alpha / a,
            ),
            FilterKind::LowShelf => {
                let s = 2.0 * a.sqrt() * alpha;
                (
                    a * ((a + 1.0) - (a - 1.0) * cos + s),
                    2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
                    a * ((a + 1.0) - (a - 1.0) * cos - s),
                    (a + 1.0) + (a - 1.0) * cos + s,
                    -2.0 * ((a - 1.0) + (a + 1.0) * cos),
                    (a + 1.0) + (a - 1.0) * cos - s,
                )
            }
            FilterKind::HighShelf => {
                let s = 2.0 * a.sqrt() * alpha;
                (
                    a * ((a + 1.0) + (a - 1.0) * cos + s),
                    -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                    a * ((a + 1.0) + (a - 1.0) * cos - s),
                    (a + 1.0) - (a - 1.0) * cos + s,
                    2.0 * ((a - 1.0) - (a + 1.0) * cos),
                    (a + 1.0) - (a - 1.0) * cos - s,
                )
            }
            FilterKind::LowPass => (
                (1.0 - cos) / 2.0,
                1.0 - cos,
                (1.0 - cos) / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
            FilterKind::HighPass => (
                (1.0 + cos) / 2.0,
                -(1.0 + cos),
                (1.0 + cos) / 2.0,
                1.0 + alpha,
                -2.0 * cos,
                1.0 - alpha,
            ),
        };
        Biquad {
            b: [b0 / a0, b1 / a0, b2 / a0],
            a: [a1 / a0, a2 / a0],
            z: vec![[0.0; 4]; channels],
        }
    }

    /// Magnitude response in dB at `freq` (for tests and the EQ display).
    pub fn response_db(&self, freq: f32, sample_rate: f32) -> f32 {
        let w = 2.0 * std::f64::consts::PI * f64::from(freq) / f64::from(sample_rate);
        let (c1, s1) = (w.cos(), -w.sin());
        let (c2, s2) = ((2.0 * w).cos(), -(2.0 * w).sin());
        let [b0, b1, b2] = self.b.map(f64::from);
        let [a1, a2] = self.a.map(f64::from);
        let nr = b0 + b1 * c1 + b2 * c2;
        let ni = b1 * s1 + b2 * s2;
        let dr = 1.0 + a1 * c1 + a2 * c2;
        let di = a1 * s1 + a2 * s2;
        (10.0 * ((nr * nr + ni * ni) / (dr * dr + di * di)).log10()) as f32
    }
}

impl Effect for Biquad {
    // Direct form I: the feedback path holds one multiply-add per sample (the feed-forward part
    // and the a2 term do not depend on the previous output), half the latency of transposed
    // form II, which is what bounds a recursive filter's speed. Stereo runs both channels in one
    // loop so their recursions overlap.
    fn process(&mut self, block: &mut [&mut [f32]]) {
        let [b0, b1, b2] = self.b;
        let [a1, a2] = self.a;
        if let ([l, r], [zl, zr]) = (&mut *block, self.z.as_mut_slice()) {
            let (mut sl, mut sr) = (*zl, *zr);
            for (xl, xr) in l.iter_mut().zip(r.iter_mut()) {
                let (il, ir) = (*xl, *xr);
                let pl = b0 * il + b1 * sl[0] + b2 * sl[1] - a2 * sl[3];
                let pr = b0 * ir + b1 * sr[0] + b2 * sr[1] - a2 * sr[3];
                let yl = pl - a1 * sl[2];
                let yr = pr - a1 * sr[2];
                sl = [il, sl[0], yl, sl[2]];
                sr = [ir, sr[0], yr, sr[2]];
                *xl = yl;
                *xr = yr;
            }
            *zl = flush(sl);
            *zr = flush(sr);
            return;
        }
        for (ch, z) in block.iter_mut().zip(self.z.iter_mut()) {
            let mut st = *z;
            for x in ch.iter_mut() {
                let i = *x;
                let y = b0 * i + b1 * st[0] + b2 * st[1] - a2 * st[3] - a1 * st[2];
                st = [i, st[0], y, st[2]];
                *x = y;
            }
            *z = flush(st);
        }
    }
    fn reset(&mut self) {
        for z in &mut self.z {
            *z = [0.0; 4];
        }
    }
}

/// Flushes denormal state so silence after a loud passage stays cheap.
fn flush(st: [f32; 4]) -> [f32; 4] {
    st.map(|v| if v.abs() < 1e-20 { 0.0 } else { v })
}
