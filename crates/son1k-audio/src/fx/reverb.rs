//! A Schroeder–Moorer style room reverb (parallel damped combs into series all-passes), the
//! classic "freeverb" topology, with tunings scaled to the sample rate and a stereo spread.

use super::Effect;

const COMBS: [usize; 8] = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASSES: [usize; 4] = [556, 441, 341, 225];
const SPREAD: usize = 23;

struct Comb {
    buf: Vec<f32>,
    pos: usize,
    store: f32,
}

struct Allpass {
    buf: Vec<f32>,
    pos: usize,
}

struct Tank {
    combs: Vec<Comb>,
    allpasses: Vec<Allpass>,
}

/// Room reverb with size, damping and wet level.
pub struct Reverb {
    tanks: Vec<Tank>,
    feedback: f32,
    damp: f32,
    wet: f32,
    dry: f32,
}

impl Reverb {
    /// A reverb for `channels` channels at `sample_rate`.
    pub fn new(sample_rate: f32, room: f32, damping: f32, wet: f32, channels: usize) -> Self {
        let scale = sample_rate / 44_100.0;
        let len = |n: usize, c: usize| (((n + c * SPREAD) as f32 * scale) as usize).max(1);
        let tanks = (0..channels)
            .map(|c| Tank {
                combs: COMBS
                    .iter()
                    .map(|&n| Comb {
                        buf: vec![0.0; len(n, c)],
                        pos: 0,
                        store: 0.0,
                    })
                    .collect(),
                allpasses: ALLPASSES
                    .iter()
                    .map(|&n| Allpass {
                        buf: vec![0.0; len(n, c)],
                        pos: 0,
                    })
                    .collect(),
            })
            .collect();
        Reverb {
            tanks,
            feedback: 0.7 + 0.28 * room,
            damp: damping * 0.4,
            wet,
            dry: 1.0 - wet * 0.5,
        }
    }

    /// The same reverb with the unprocessed sound at `dry` (0–1) instead of 1 − wet/2.
    pub fn with_dry(mut self, dry: f32) -> Self {
        self.dry = dry;
        self
    }
}

impl Effect for Reverb {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        let gain_in = 0.015;
        for (ch, tank) in block.iter_mut().zip(self.tanks.iter_mut()) {
            for s in ch.iter_mut() {
                let input = *s * gain_in;
                let mut out = 0.0;
                for comb in &mut tank.combs {
                    let y = comb.buf[comb.pos];
                    comb.store = y * (1.0 - self.damp) + comb.store * self.damp;
                    comb.buf[comb.pos] = input + comb.store * self.feedback;
                    comb.pos += 1;
                    if comb.pos == comb.buf.len() {
                        comb.pos = 0;
                    }
                    out += y;
                }
                for ap in &mut tank.allpasses {
                    let b = ap.buf[ap.pos];
                    ap.buf[ap.pos] = out + b * 0.5;
                    ap.pos += 1;
                    if ap.pos == ap.buf.len() {
                        ap.pos = 0;
                    }
                    out = b - out;
                }
                *s = *s * self.dry + out * self.wet * 3.0;
            }
        }
    }

    fn reset(&mut self) {
        for t in &mut self.tanks {
            for c in &mut t.combs {
                c.buf.fill(0.0);
                c.store = 0.0;
            }
            for a in &mut t.allpasses {
                a.buf.fill(0.0);
            }
        }
    }
}
