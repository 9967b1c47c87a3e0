//! Simple per-sample processors: gain, pan, saturation, bitcrusher, noise.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{db_to_gain, Effect};

/// A fixed gain.
pub struct Gain {
    g: f32,
}

impl Gain {
    /// Gain of `db` decibels.
    pub fn new(db: f32) -> Self {
        Gain { g: db_to_gain(db) }
    }
}

impl Effect for Gain {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        for ch in block.iter_mut() {
            for s in ch.iter_mut() {
                *s *= self.g;
            }
        }
    }
    fn reset(&mut self) {}
}

/// Constant-power pan for stereo (mono passes through; channels beyond 2 untouched).
pub struct Pan {
    l: f32,
    r: f32,
}

impl Pan {
    /// Position −1 (left) … +1 (right). Centre gives −3 dB on each side.
    pub fn new(position: f32) -> Self {
        let theta = (position.clamp(-1.0, 1.0) + 1.0) * std::f32::consts::FRAC_PI_4;
        Pan {
            l: libm::cosf(theta),
            r: libm::sinf(theta),
        }
    }

    /// The (left, right) gains.
    pub fn gains(&self) -> (f32, f32) {
        (self.l, self.r)
    }
}

impl Effect for Pan {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        if block.len() < 2 {
            return;
        }
        for s in block[0].iter_mut() {
            *s *= self.l;
        }
        for s in block[1].iter_mut() {
            *s *= self.r;
        }
    }
    fn reset(&mut self) {}
}

/// Soft clipping with a tanh curve, level-compensated, with dry/wet mix.
pub struct Saturation {
    drive: f32,
    mix: f32,
    norm: f32,
}

impl Saturation {
    /// `drive_db` of gain into the curve, `mix` 0 (dry) … 1 (wet).
    pub fn new(drive_db: f32, mix: f32) -> Self {
        let drive = db_to_gain(drive_db);
        Saturation {
            drive,
            mix,
            // Full scale stays full scale; quieter signals gain level as the curve compresses.
            norm: 1.0 / libm::tanhf(drive),
        }
    }
}

impl Effect for Saturation {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        for ch in block.iter_mut() {
            for s in ch.iter_mut() {
                let wet = libm::tanhf(*s * self.drive) * self.norm;
                *s = *s + self.mix * (wet - *s);
            }
        }
    }
    fn reset(&mut self) {}
}

/// Quantises to fewer bits and holds samples to lower the effective rate.
pub struct Bitcrusher {
    step: f32,
    hold: u32,
    counter: Vec<u32>,
    held: Vec<f32>,
}

impl Bitcrusher {
    /// Keep `bits` bits; hold each sample for `downsample` samples.
    pub fn new(bits: u32, downsample: u32, channels: usize) -> Self {
        Bitcrusher {
            step: 2.0 / (1u32 << bits.clamp(1, 24)) as f32,
            hold: downsample.max(1),
            counter: vec![0; channels],
            held: vec![0.0; channels],
        }
    }
}

impl Effect for Bitcrusher {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        for (c, ch) in block.iter_mut().enumerate() {
            if c >= self.held.len() {
                break;
            }
            for s in ch.iter_mut() {
                if self.counter[c] == 0 {
                    self.held[c] = (*s / self.step).round() * self.step;
                }
                self.counter[c] = (self.counter[c] + 1) % self.hold;
                *s = self.held[c];
            }
        }
    }
    fn reset(&mut self) {
        self.counter.fill(0);
        self.held.fill(0.0);
    }
}

/// Adds seeded white or pink noise.
pub struct Noise {
    level: f32,
    pink: bool,
    seed: u64,
    /// One generator per channel, so the sequence does not depend on block sizes.
    rngs: Vec<ChaCha8Rng>,
    // Paul Kellet's economy pink filter state per channel.
    state: Vec<[f32; 3]>,
}

impl Noise {
    /// Noise at `level_db` dBFS RMS (approximately), reproducible from `seed`.
    pub fn new(level_db: f32, pink: bool, seed: u64, channels: usize) -> Self {
        Noise {
            level: db_to_gain(level_db) * 3f32.sqrt(), // uniform ±a has RMS a/√3
            pink,
            seed,
            rngs: (0..channels as u64)
                .map(|c| ChaCha8Rng::seed_from_u64(seed ^ (c << 32)))
                .collect(),
            state: vec![[0.0; 3]; channels],
        }
    }
}

impl Effect for Noise {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        for (c, ch) in block.iter_mut().enumerate() {
            let Some(rng) = self.rngs.get_mut(c) else {
                break;
            };
            for s in ch.iter_mut() {
                let white: f32 = rng.random::<f32>() * 2.0 - 1.0;
                let n = if self.pink {
                    let st = &mut self.state[c];
                    st[0] = 0.99765 * st[0] + white * 0.099_046;
                    st[1] = 0.963 * st[1] + white * 0.296_516_4;
                    st[2] = 0.57 * st[2] + white * 1.052_691_3;
                    (st[0] + st[1] + st[2] + white * 0.1848) * 0.25
                } else {
                    white
                };
                *s += n * self.level;
            }
        }
    }
    fn reset(&mut self) {
        for (c, rng) in self.rngs.iter_mut().enumerate() {
            *rng = ChaCha8Rng::seed_from_u64(self.seed ^ ((c as u64) << 32));
        }
        for st in &mut self.state {
            *st = [0.0; 3];
        }
    }
}
