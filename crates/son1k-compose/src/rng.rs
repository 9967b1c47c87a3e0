//! Seeded randomness: one ChaCha stream per purpose, so adding a part never changes another.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A deterministic random stream.
pub struct Rng(ChaCha8Rng);

impl Rng {
    /// The stream for `label` under `seed` (FNV-1a of the label mixed into the seed).
    pub fn stream(seed: u64, label: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Rng(ChaCha8Rng::seed_from_u64(seed ^ h.rotate_left(17)))
    }

    /// A uniform integer in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            0
        } else {
            self.0.random_range(0..n)
        }
    }

    /// A uniform float in `0..1`.
    pub fn unit(&mut self) -> f32 {
        // 24 random bits: exact in f32, identical everywhere.
        (self.0.random::<u32>() >> 8) as f32 / (1u32 << 24) as f32
    }

    /// A uniform float in `-1..1`.
    pub fn signed(&mut self) -> f32 {
        self.unit() * 2.0 - 1.0
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f32) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u32) as usize]
    }

    /// A raw 64-bit value (to seed a noise generator).
    pub fn next_u64(&mut self) -> u64 {
        self.0.random()
    }
}

/// A tiny xorshift noise source for the render path (per-sample noise must be cheap).
#[derive(Debug, Clone)]
pub struct Noise(u64);

impl Noise {
    /// A noise source from a seed (0 is replaced: xorshift must not start at 0).
    pub fn new(seed: u64) -> Self {
        Noise(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// White noise in `-1..1`.
    #[inline]
    pub fn sample(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        ((x >> 40) as f32 / (1u32 << 23) as f32) - 1.0
    }
}
