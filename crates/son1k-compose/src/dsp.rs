//! Deterministic signal-processing primitives for the synthesizer.
//!
//! Everything in the render path is plain `+ - * /` and `sqrt` (exactly rounded by IEEE 754) or
//! the pure-Rust `libm`, never the platform's maths library, so a seed renders the same bits on
//! Linux, macOS and Windows.

/// Wraps a phase that has just passed 1 (or any small value) back into 0..1, without a call
/// into the maths library (`fract` and `floor` are library calls on baseline x86-64).
#[inline]
pub fn wrap(p: f32) -> f32 {
    let t = p - (p as i32) as f32;
    if t < 0.0 {
        t + 1.0
    } else {
        t
    }
}

/// sin(2π·`turns`) for any `turns` within ±2³¹, by a parabola with one refinement step
/// (error < 0.001).
#[inline]
pub fn sin_turns(turns: f32) -> f32 {
    let t = wrap(turns); // 0..1
    let x = 2.0 * t - 1.0; // -1..1 maps to -π..π
    let y = -4.0 * x * (1.0 - x.abs()); // sin(πx)
    0.225 * (y * y.abs() - y) + y
}

/// PolyBLEP residual for a discontinuity at phase 0 (`dt` = phase increment).
#[inline]
fn poly_blep(t: f32, dt: f32) -> f32 {
    if t < dt {
        let t = t / dt;
        t + t - t * t - 1.0
    } else if t > 1.0 - dt {
        let t = (t - 1.0) / dt;
        t * t + t + t + 1.0
    } else {
        0.0
    }
}

/// A band-limited sawtooth (−1…1) at phase `t` (0…1) with increment `dt`.
#[inline]
pub fn saw(t: f32, dt: f32) -> f32 {
    2.0 * t - 1.0 - poly_blep(t, dt)
}

/// A band-limited pulse with duty `width` at phase `t`.
#[inline]
pub fn pulse(t: f32, dt: f32, width: f32) -> f32 {
    let t2 = wrap(t + (1.0 - width));
    saw(t, dt) - saw(t2, dt)
}

/// A smooth saturator: `x / (1 + |x|)` shaped to be near-linear for small signals.
#[inline]
pub fn soft_clip(x: f32) -> f32 {
    let x = x.clamp(-3.0, 3.0);
    x * (27.0 + x * x) / (27.0 + 9.0 * x * x)
}

/// MIDI note number to Hz (equal temperament, A4 = 440 Hz).
pub fn midi_hz(note: f32) -> f32 {
    440.0 * libm::powf(2.0, (note - 69.0) / 12.0)
}

/// Decibels to a linear factor.
pub fn db(db: f32) -> f32 {
    libm::powf(10.0, db / 20.0)
}

/// Per-sample multiplier that decays by 1/e over `seconds`.
pub fn decay_coef(seconds: f32, sample_rate: f32) -> f32 {
    if seconds <= 0.0 {
        0.0
    } else {
        libm::expf(-1.0 / (seconds * sample_rate))
    }
}

/// A state-variable filter (topology-preserving transform), low/band/high outputs.
#[derive(Debug, Clone, Default)]
pub struct Svf {
    ic1: f32,
    ic2: f32,
    a1: f32,
    a2: f32,
    a3: f32,
    k: f32,
}

/// The three outputs of one [`Svf`] step.
#[derive(Debug, Clone, Copy)]
pub struct SvfOut {
    /// Low-pass.
    pub low: f32,
    /// Band-pass.
    pub band: f32,
    /// High-pass.
    pub high: f32,
}

impl Svf {
    /// A filter tuned to `cutoff` Hz with resonance 0 (gentle) … 1 (self-oscillating edge).
    pub fn new(cutoff: f32, resonance: f32, sample_rate: f32) -> Self {
        let mut f = Svf::default();
        f.set(cutoff, resonance, sample_rate);
        f
    }

    /// Retunes (keeps the state, so sweeps are click-free).
    pub fn set(&mut self, cutoff: f32, resonance: f32, sample_rate: f32) {
        let fc = cutoff.clamp(10.0, sample_rate * 0.45);
        let g = libm::tanf(core::f32::consts::PI * fc / sample_rate);
        self.k = 2.0 - 1.95 * resonance.clamp(0.0, 1.0);
        self.a1 = 1.0 / (1.0 + g * (g + self.k));
        self.a2 = g * self.a1;
        self.a3 = g * self.a2;
    }

    /// Filters one sample.
    #[inline]
    pub fn step(&mut self, x: f32) -> SvfOut {
        let v3 = x - self.ic2;
        let v1 = self.a1 * self.ic1 + self.a2 * v3;
        let v2 = self.ic2 + self.a2 * self.ic1 + self.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        SvfOut {
            low: v2,
            band: v1,
            high: x - self.k * v1 - v2,
        }
    }

    /// Low-pass output only.
    #[inline]
    pub fn low(&mut self, x: f32) -> f32 {
        self.step(x).low
    }
}

/// A one-pole smoother / low-pass.
#[derive(Debug, Clone, Default)]
pub struct OnePole {
    a: f32,
    z: f32,
}

impl OnePole {
    /// A low-pass at `cutoff` Hz.
    pub fn new(cutoff: f32, sample_rate: f32) -> Self {
        OnePole {
            a: 1.0 - libm::expf(-2.0 * core::f32::consts::PI * cutoff / sample_rate),
            z: 0.0,
        }
    }

    /// Filters one sample.
    #[inline]
    pub fn step(&mut self, x: f32) -> f32 {
        self.z += self.a * (x - self.z);
        self.z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_sine_is_close_to_the_real_one() {
        let mut worst: f32 = 0.0;
        for i in 0..10_000 {
            let t = i as f32 / 10_000.0 * 3.0 - 1.0;
            let want = libm::sinf(2.0 * core::f32::consts::PI * t);
            worst = worst.max((sin_turns(t) - want).abs());
        }
        assert!(worst < 0.0015, "{worst}");
    }

    #[test]
    fn pitch_and_level_helpers() {
        assert!((midi_hz(69.0) - 440.0).abs() < 1e-3);
        assert!((midi_hz(81.0) - 880.0).abs() < 1e-2);
        assert!((db(-6.0) - 0.501).abs() < 1e-3);
        assert!(soft_clip(10.0) <= 1.0 && soft_clip(0.01) > 0.0099);
    }

    #[test]
    fn the_filter_passes_lows_and_stops_highs() {
        let sr = 48_000.0;
        let rms = |freq: f32| {
            let mut f = Svf::new(500.0, 0.0, sr);
            let mut acc = 0.0;
            for i in 0..48_000 {
                let y = f.low(sin_turns(freq * i as f32 / sr));
                if i > 4_800 {
                    acc += y * y;
                }
            }
            (acc / 43_200.0).sqrt()
        };
        assert!(rms(100.0) > 0.6);
        assert!(rms(8_000.0) < 0.01);
    }
}
