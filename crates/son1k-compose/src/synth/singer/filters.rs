//! The singer's filters: Klatt-style resonators and anti-resonators, and a noise band-pass.

use super::*;

/// A two-pole resonator, unity gain at DC (Klatt 1980).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Reso {
    a: f32,
    b: f32,
    c: f32,
    y1: f32,
    y2: f32,
}

impl Reso {
    pub(super) fn coefs(f: f32, bw: f32, sr: f32) -> (f32, f32, f32) {
        let f = f.clamp(50.0, sr * 0.45);
        let r = libm::expf(-PI * bw / sr);
        let c = -r * r;
        let b = 2.0 * r * libm::cosf(2.0 * PI * f / sr);
        (1.0 - b - c, b, c)
    }

    pub(super) fn set(&mut self, f: f32, bw: f32, sr: f32) {
        (self.a, self.b, self.c) = Reso::coefs(f, bw, sr);
    }

    #[inline]
    pub(super) fn step(&mut self, x: f32) -> f32 {
        let y = self.a * x + self.b * self.y1 + self.c * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// A two-zero anti-resonator, unity gain at DC: the inverse of [`Reso`].
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct AntiReso {
    a: f32,
    b: f32,
    c: f32,
    x1: f32,
    x2: f32,
}

impl AntiReso {
    pub(super) fn set(&mut self, f: f32, bw: f32, sr: f32) {
        let (a, b, c) = Reso::coefs(f, bw, sr);
        self.a = 1.0 / a;
        self.b = -b / a;
        self.c = -c / a;
    }

    #[inline]
    pub(super) fn step(&mut self, x: f32) -> f32 {
        let y = self.a * x + self.b * self.x1 + self.c * self.x2;
        self.x2 = self.x1;
        self.x1 = x;
        y
    }
}

/// A constant-peak band-pass biquad (for frication noise).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct BandPass {
    b0: f32,
    a1: f32,
    a2: f32,
    x1: f32,
    x2: f32,
    y1: f32,
    y2: f32,
}

impl BandPass {
    pub(super) fn set(&mut self, f: f32, bw: f32, sr: f32) {
        let f = f.clamp(100.0, sr * 0.45);
        let w = 2.0 * PI * f / sr;
        let q = (f / bw.max(50.0)).max(0.3);
        let alpha = libm::sinf(w) / (2.0 * q);
        let a0 = 1.0 + alpha;
        self.b0 = alpha / a0;
        self.a1 = -2.0 * libm::cosf(w) / a0;
        self.a2 = (1.0 - alpha) / a0;
    }

    #[inline]
    pub(super) fn step(&mut self, x: f32) -> f32 {
        let y = self.b0 * (x - self.x2) - self.a1 * self.y1 - self.a2 * self.y2;
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}
