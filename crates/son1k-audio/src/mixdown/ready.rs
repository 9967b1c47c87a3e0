//! What a [`super::Renderer`] plays from: clips decoded and made ready, tracks and return buses
//! with their gains gliding between values, effect chains built, and the delay lines that line
//! everything up with the chain that delays most.

use std::path::Path;

use crate::fx::{db_to_gain, Effect, FxSpec};
use crate::{decode_file, resample, AudioError};

use super::Clip;

/// A clip decoded, resampled, trimmed, faded and converted to stereo, ready to mix.
pub(super) struct ReadyClip {
    pub(super) start: usize,
    pub(super) audio: [Vec<f32>; 2],
}

/// A gain that glides to a new value over a few milliseconds (a live change does not click).
#[derive(Debug, Clone, Copy)]
pub(super) struct Glide {
    pub(super) now: f32,
    pub(super) target: f32,
    pub(super) step: f32,
    pub(super) left: usize,
}

impl Glide {
    pub(super) fn at(gain: f32) -> Glide {
        Glide {
            now: gain,
            target: gain,
            step: 0.0,
            left: 0,
        }
    }

    pub(super) fn retarget(&mut self, gain: f32, frames: usize) {
        self.target = gain;
        if gain == self.now {
            self.left = 0;
            return;
        }
        let n = frames.max(1);
        self.step = (gain - self.now) / n as f32;
        self.left = n;
    }

    /// The gain for the next frame.
    pub(super) fn next(&mut self) -> f32 {
        if self.left > 0 {
            self.left -= 1;
            self.now = if self.left == 0 {
                self.target
            } else {
                self.now + self.step
            };
        }
        self.now
    }
}

/// A track's send, resolved to its bus.
pub(super) struct ReadySend {
    pub(super) bus: usize,
    pub(super) gain: Glide,
}

/// A return bus ready to mix.
pub(super) struct ReadyReturn {
    pub(super) fx: Vec<Box<dyn Effect>>,
    pub(super) gain: Glide,
    /// What the tracks sent it this block.
    pub(super) input: [Vec<f32>; 2],
    /// Delay that lines this bus up with the bus of largest effect latency.
    pub(super) comp: Vec<[f32; 2]>,
    pub(super) comp_pos: usize,
}

/// Delays `l`/`r` by the length of `line` (a ring of frames, `pos` its read/write point).
pub(super) fn delay_through(line: &mut [[f32; 2]], pos: &mut usize, l: &mut [f32], r: &mut [f32]) {
    let len = line.len();
    if len == 0 {
        return;
    }
    for (a, b) in l.iter_mut().zip(r.iter_mut()) {
        let slot = &mut line[*pos];
        let out = *slot;
        *slot = [*a, *b];
        *a = out[0];
        *b = out[1];
        *pos = (*pos + 1) % len;
    }
}

pub(super) struct ReadyTrack {
    pub(super) clips: Vec<ReadyClip>,
    pub(super) sends: Vec<ReadySend>,
    pub(super) fx: Vec<Box<dyn Effect>>,
    pub(super) gain_db: f32,
    pub(super) pan: f32,
    pub(super) mute: bool,
    pub(super) solo: bool,
    /// Whether the track is heard (not muted, and soloed when any track is).
    pub(super) audible: bool,
    /// The (left, right) gains applied now, where they are going, and the per-frame step of
    /// the ramp between them (a live gain, pan, mute or solo change glides instead of clicking).
    pub(super) gains: (f32, f32),
    pub(super) target: (f32, f32),
    pub(super) step: (f32, f32),
    pub(super) ramp_left: usize,
    /// Delay that lines this track up with the track of largest effect latency.
    pub(super) comp: Vec<[f32; 2]>,
    pub(super) comp_pos: usize,
    /// The largest sample this track sent to the bus (after gain and pan) since the meter
    /// last read it.
    pub(super) peak: f32,
}

impl ReadyTrack {
    /// The gains the track's settings ask for (zero when it is not heard).
    pub(super) fn wanted_gains(&self) -> (f32, f32) {
        if !self.audible {
            return (0.0, 0.0);
        }
        let pan = crate::fx::Pan::new(self.pan).gains();
        let g = db_to_gain(self.gain_db);
        (pan.0 * g, pan.1 * g)
    }

    /// Starts a ramp of `frames` frames towards the gains the settings ask for.
    pub(super) fn retarget(&mut self, frames: usize) {
        self.target = self.wanted_gains();
        if self.target == self.gains {
            self.ramp_left = 0;
            return;
        }
        let n = frames.max(1);
        self.step = (
            (self.target.0 - self.gains.0) / n as f32,
            (self.target.1 - self.gains.1) / n as f32,
        );
        self.ramp_left = n;
    }
}

pub(super) fn build_fx(specs: &[FxSpec], rate: u32) -> Result<Vec<Box<dyn Effect>>, AudioError> {
    specs.iter().map(|s| s.build(rate, 2)).collect()
}

pub(super) fn fx_latency(fx: &[Box<dyn Effect>]) -> usize {
    fx.iter().map(|e| e.latency()).sum()
}

pub(super) fn run_fx(fx: &mut [Box<dyn Effect>], block: &mut [&mut [f32]]) {
    for e in fx {
        e.process(block);
    }
}

pub(super) fn load_clip(clip: &Clip, base: &Path, rate: u32) -> Result<ReadyClip, AudioError> {
    let path = if clip.file.is_absolute() {
        clip.file.clone()
    } else {
        base.join(&clip.file)
    };
    let mut audio = decode_file(&path)?;
    if audio.channel_count() != 2 {
        audio = audio.with_channels(2)?;
    }
    if audio.sample_rate != rate {
        audio = resample(&audio, rate)?;
    }
    let r = f64::from(rate);
    let from = ((clip.trim_start * r) as usize).min(audio.frames());
    let to = match clip.length {
        Some(len) => (from + (len * r) as usize).min(audio.frames()),
        None => audio.frames(),
    };
    let n = to - from;
    let gain = db_to_gain(clip.gain_db);
    let fade_in = ((clip.fade_in * r) as usize).min(n);
    let fade_out = ((clip.fade_out * r) as usize).min(n);
    let Ok([mut left, mut right]) = <[Vec<f32>; 2]>::try_from(audio.channels) else {
        return Err(AudioError::Invalid("stereo conversion failed".into()));
    };
    left.truncate(to);
    right.truncate(to);
    left.drain(..from);
    right.drain(..from);
    if gain != 1.0 || fade_in > 0 || fade_out > 0 {
        for c in [&mut left, &mut right] {
            for (i, s) in c.iter_mut().enumerate() {
                let mut g = gain;
                if i < fade_in {
                    g *= i as f32 / fade_in as f32;
                }
                if i >= n - fade_out {
                    g *= (n - i) as f32 / fade_out as f32;
                }
                *s *= g;
            }
        }
    }
    let out = [left, right];
    Ok(ReadyClip {
        start: (clip.offset * r) as usize,
        audio: out,
    })
}
