//! The spectral envelope of one frame by cepstral smoothing: the log magnitude spectrum's low
//! quefrencies (below the shortest pitch period) are the vocal tract's resonances, the rest is the
//! harmonic comb of the voice's pitch.

use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// Rounds of the true-envelope iteration.
const ITERATIONS: usize = 6;

/// Reusable plans and buffers for frames of one size.
pub(crate) struct Envelope {
    n: usize,
    lifter: usize,
    inverse: Arc<dyn ComplexToReal<f32>>,
    forward: Arc<dyn RealToComplex<f32>>,
    spectrum: Vec<Complex32>,
    cepstrum: Vec<f32>,
}

impl Envelope {
    /// Frames of `n` samples at `rate` Hz; resonances finer than ~1.4 ms of quefrency are smoothed away.
    pub(crate) fn new(planner: &mut RealFftPlanner<f32>, n: usize, rate: u32) -> Self {
        let lifter = ((f64::from(rate) * 0.0014).round() as usize).clamp(8, n / 4);
        Envelope {
            n,
            lifter,
            inverse: planner.plan_fft_inverse(n),
            forward: planner.plan_fft_forward(n),
            spectrum: vec![Complex32::new(0.0, 0.0); n / 2 + 1],
            cepstrum: vec![0.0; n],
        }
    }

    /// Writes the envelope (linear magnitude) of `magnitude` (n/2 + 1 bins) into `out`: the "true
    /// envelope" (Röbel & Rodet 2005), cepstral smoothing repeated with the log spectrum raised to the
    /// smoothed curve wherever it fell below it, so the envelope rests on the harmonic peaks rather
    /// than running through the valleys between them.
    pub(crate) fn measure(&mut self, magnitude: &[f32], out: &mut [f32]) {
        let floor = magnitude.iter().fold(0.0f32, |m, &v| m.max(v)) * 1e-5 + 1e-12;
        let log: Vec<f32> = magnitude.iter().map(|&m| m.max(floor).ln()).collect();
        out.copy_from_slice(&log);
        for _ in 0..ITERATIONS {
            self.smooth(out);
            for (o, &l) in out.iter_mut().zip(&log) {
                *o = o.max(l);
            }
        }
        self.smooth(out);
        for o in out.iter_mut() {
            *o = o.exp();
        }
    }

    /// Cepstral smoothing of a log spectrum, in place.
    fn smooth(&mut self, log: &mut [f32]) {
        for (s, &m) in self.spectrum.iter_mut().zip(log.iter()) {
            *s = Complex32::new(m, 0.0);
        }
        // The spectrum of a real, even signal: the transforms cannot fail on these sizes.
        let _ = self.inverse.process(&mut self.spectrum, &mut self.cepstrum);
        let scale = 1.0 / self.n as f32;
        let l = self.lifter;
        for (i, c) in self.cepstrum.iter_mut().enumerate() {
            let keep = i < l || i > self.n - l;
            *c = if keep { *c * scale } else { 0.0 };
        }
        let _ = self.forward.process(&mut self.cepstrum, &mut self.spectrum);
        for (o, s) in log.iter_mut().zip(&self.spectrum) {
            *o = s.re;
        }
    }
}

/// `env` read at fractional bin `pos` (linear interpolation, the last bin beyond the end).
pub(crate) fn at(env: &[f32], pos: f32) -> f32 {
    if pos <= 0.0 {
        return env[0];
    }
    let i = pos as usize;
    if i + 1 >= env.len() {
        return env[env.len() - 1];
    }
    let f = pos - i as f32;
    env[i] * (1.0 - f) + env[i + 1] * f
}
