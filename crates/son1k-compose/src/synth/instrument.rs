//! Per-note state of the acoustic stand-ins: a guitar body's resonances, a guitar amp (pre-gain,
//! asymmetric clipping, tone stack, 4×12 cabinet), brass and reed oscillators, bowed strings,
//! marimba bars and an accordion's bellows.

use super::Tone;
use crate::dsp::{pulse, saw, sin_turns, soft_clip, wrap, OnePole, Svf};
use crate::rng::Noise;
use crate::style::Sound;

/// Everything one note of an acoustic stand-in needs besides the shared envelope and filter.
pub(super) struct Body {
    sound: Sound,
    sr: f32,
    /// Body / formant resonators: (filter, gain of its band-pass).
    res: Vec<(Svf, f32)>,
    /// Amp: high-pass before the clipper (tightens palm mutes), tone stack, cabinet.
    amp_in: OnePole,
    amp_gain: f32,
    stack: Svf,
    cab: [Svf; 2],
    cab_low: OnePole,
    ph: [f32; 4],
    /// Vibrato of bowed strings is per sample here (the voice adds its own per block).
    t: usize,
    vel: f32,
    breath: OnePole,
    /// Marimba partials' decay.
    bar: f32,
    bar_k: f32,
}

impl Body {
    pub(super) fn new(sound: Sound, freq: f32, vel: f32, tone: Tone, sr: f32) -> Body {
        let res_of = |bands: &[(f32, f32, f32)]| -> Vec<(Svf, f32)> {
            bands
                .iter()
                .map(|&(f, q, g)| (Svf::new(f, q, sr), g))
                .collect()
        };
        let res = match sound {
            // Guitar tops: the air mode near 100 Hz and the plate near 200 Hz, nylon a bit lower.
            Sound::NylonGuitar => {
                res_of(&[(98.0, 0.8, 0.5), (196.0, 0.7, 0.35), (2800.0, 0.3, 0.1)])
            }
            Sound::SteelGuitar => {
                res_of(&[(105.0, 0.8, 0.45), (220.0, 0.7, 0.35), (3500.0, 0.4, 0.25)])
            }
            Sound::Harp => res_of(&[(180.0, 0.6, 0.3)]),
            // Basses: the upright's wooden body, the electric's pickup mid bump.
            Sound::AcousticBass => res_of(&[(70.0, 0.7, 0.6), (160.0, 0.6, 0.4)]),
            Sound::ElectricBass => res_of(&[(110.0, 0.5, 0.3), (700.0, 0.5, 0.2)]),
            // Violin family bodies: the main air and wood resonances and the bridge hill.
            Sound::Violin => res_of(&[(280.0, 0.6, 0.5), (460.0, 0.6, 0.4), (2500.0, 0.5, 0.5)]),
            Sound::Cello => res_of(&[(100.0, 0.6, 0.5), (220.0, 0.6, 0.4), (1400.0, 0.5, 0.3)]),
            Sound::StringSection => res_of(&[(250.0, 0.4, 0.3), (2200.0, 0.4, 0.3)]),
            // Reeds: the sax's bore formants, the oboe's nasal peaks.
            Sound::Sax => res_of(&[(500.0, 0.6, 0.4), (1500.0, 0.7, 0.5)]),
            Sound::Oboe => res_of(&[(1100.0, 0.8, 0.6), (2900.0, 0.7, 0.3)]),
            Sound::Horn => res_of(&[(400.0, 0.5, 0.4)]),
            Sound::Trumpet => res_of(&[(1300.0, 0.6, 0.4)]),
            _ => Vec::new(),
        };
        let amp_gain = 10.0 + 30.0 * tone.drive;
        Body {
            sound,
            sr,
            res,
            amp_in: OnePole::new(140.0, sr),
            amp_gain,
            stack: Svf::new(650.0, 0.3, sr),
            cab: [Svf::new(4200.0, 0.45, sr), Svf::new(2800.0, 0.2, sr)],
            cab_low: OnePole::new(70.0, sr),
            ph: [0.0; 4],
            t: 0,
            vel,
            breath: OnePole::new(3000.0, sr),
            bar: 1.0,
            bar_k: crate::dsp::decay_coef((0.25 - freq / 8000.0).max(0.05), sr),
        }
    }

    /// Whether the voice's low-pass should open with velocity (brass, bowed strings, reeds).
    pub(super) fn velocity_opens(&self) -> bool {
        matches!(
            self.sound,
            Sound::Brass
                | Sound::Trumpet
                | Sound::Trombone
                | Sound::Horn
                | Sound::Tuba
                | Sound::Violin
                | Sound::Cello
                | Sound::StringSection
                | Sound::Sax
        )
    }

    /// The accordion's bellows: a slight swell and the air's unsteadiness.
    pub(super) fn bellows(&mut self) -> f32 {
        self.t += 1;
        let s = self.t as f32 / self.sr;
        1.0 + 0.06 * sin_turns(s * 0.9) + 0.03 * sin_turns(s * 5.3)
    }

    /// Post-processing of a plucked string: the body for acoustic guitars, the amp for
    /// electric ones.
    pub(super) fn post(&mut self, x: f32) -> f32 {
        match self.sound {
            Sound::DistortedGuitar => {
                // Pre-gain after a high-pass (a tight low end), two asymmetric clipping stages.
                let hp = x - self.amp_in.step(x);
                let g = hp * self.amp_gain;
                let a = soft_clip(g + 0.3) - soft_clip(0.3);
                let a = if a > 0.0 { a } else { a * 0.8 };
                let b = soft_clip(a * 2.5) * 0.8;
                // Tone stack: the "scooped" mids of a high-gain amp.
                let t = self.stack.step(b);
                let stacked = t.low * 0.9 + t.band * 0.45 + t.high * 0.8;
                // The 4×12 cabinet: a resonant roll-off above ~4 kHz, no fizz, no sub rumble.
                let c = self.cab[0].low(stacked);
                let c = self.cab[1].low(c);
                c - self.cab_low.step(c) * 0.7
            }
            Sound::CleanGuitar => {
                // A clean amp: slight compression and the cabinet's top roll-off.
                let y = soft_clip(x * 1.5) * 0.8;
                self.cab[0].low(y)
            }
            _ => self.resonate(x),
        }
    }

    fn resonate(&mut self, x: f32) -> f32 {
        let mut y = x;
        for (f, g) in self.res.iter_mut() {
            y += f.step(x).band * *g;
        }
        y
    }

    /// One sample of a wind, bowed or struck sound at phase increment `dt`.
    pub(super) fn tick(&mut self, dt: f32, noise: &mut Noise) -> f32 {
        self.t += 1;
        let ph = &mut self.ph;
        let raw = match self.sound {
            Sound::Trumpet | Sound::Trombone | Sound::Horn | Sound::Tuba => {
                // A lip-buzz: a saw with a touch of its octave (brighter when played hard).
                ph[0] = wrap(ph[0] + dt);
                ph[1] = wrap(ph[1] + dt * 2.0);
                let edge = 0.15 + 0.35 * self.vel;
                saw(ph[0], dt) + edge * sin_turns(ph[1])
            }
            Sound::Violin | Sound::Cello | Sound::StringSection => {
                // Bowed: a saw (stick-slip), a section is three players slightly apart.
                ph[0] = wrap(ph[0] + dt);
                let mut y = saw(ph[0], dt);
                if self.sound == Sound::StringSection {
                    ph[1] = wrap(ph[1] + dt * 1.0046);
                    ph[2] = wrap(ph[2] + dt * 0.9959);
                    y = (y + saw(ph[1], dt) + saw(ph[2], dt)) * 0.6;
                }
                y + 0.02 * noise.sample()
            }
            Sound::Sax => {
                ph[0] = wrap(ph[0] + dt);
                saw(ph[0], dt) * 0.7
                    + pulse(ph[0], dt, 0.4) * 0.3
                    + 0.05 * self.breath.step(noise.sample())
            }
            Sound::Oboe => {
                ph[0] = wrap(ph[0] + dt);
                pulse(ph[0], dt, 0.16) + 0.02 * self.breath.step(noise.sample())
            }
            Sound::Clarinet => {
                // Odd harmonics: a square, softened.
                ph[0] = wrap(ph[0] + dt);
                pulse(ph[0], dt, 0.5) * 0.8 + 0.02 * self.breath.step(noise.sample())
            }
            Sound::Marimba => {
                // A tuned bar: the fundamental and its 4th and 10th partials, which die fast,
                // and the mallet's knock.
                ph[0] = wrap(ph[0] + dt);
                ph[1] = wrap(ph[1] + dt * 3.93);
                ph[2] = wrap(ph[2] + dt * 9.2);
                self.bar *= self.bar_k;
                let knock = if self.t < 200 {
                    noise.sample() * 0.3 * (1.0 - self.t as f32 / 200.0)
                } else {
                    0.0
                };
                sin_turns(ph[0])
                    + 0.35 * self.bar * sin_turns(ph[1])
                    + 0.12 * self.bar * self.bar * sin_turns(ph[2])
                    + knock
            }
            _ => 0.0,
        };
        self.resonate(raw)
    }
}
