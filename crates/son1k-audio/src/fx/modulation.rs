//! Time-based effects: tape wow and flutter, chorus, ring modulation, feedback delay.
//!
//! Like every effect here they allocate only when built and use the pure-Rust `libm` for their
//! oscillators, so they render the same bits on every platform.

use super::Effect;

/// A sine in turns (cycles), from `libm`.
#[inline]
fn sine(turns: f32) -> f32 {
    libm::sinf(2.0 * std::f32::consts::PI * turns)
}

/// A modulated delay line per channel, read with linear interpolation.
struct ModDelay {
    lines: Vec<Vec<f32>>,
    pos: usize,
}

impl ModDelay {
    fn new(channels: usize, max_samples: usize) -> Self {
        ModDelay {
            lines: vec![vec![0.0; max_samples.max(4) + 2]; channels],
            pos: 0,
        }
    }

    fn len(&self) -> usize {
        self.lines.first().map_or(0, |l| l.len())
    }

    /// Writes `x` on `ch` and returns the sample `delay` samples ago (fractional).
    #[inline]
    fn tap(&mut self, ch: usize, x: f32, delay: f32) -> f32 {
        let n = self.len();
        let line = &mut self.lines[ch];
        line[self.pos] = x;
        let d = delay.clamp(1.0, (n - 2) as f32);
        let read = self.pos as f32 - d;
        let read = if read < 0.0 { read + n as f32 } else { read };
        let i = read as usize % n;
        let frac = read - read.floor();
        let a = line[i];
        let b = line[(i + 1) % n];
        a + (b - a) * frac
    }

    fn advance(&mut self) {
        self.pos += 1;
        if self.pos == self.len() {
            self.pos = 0;
        }
    }

    fn clear(&mut self) {
        for l in &mut self.lines {
            l.fill(0.0);
        }
        self.pos = 0;
    }
}

/// Tape: slow wow and fast flutter of the playback speed (a modulated delay, fully wet).
pub struct Tape {
    delay: ModDelay,
    base: f32,
    swing: f32,
    wow: f32,
    flutter: f32,
    phase: f32,
}

impl Tape {
    /// `depth` 0–1 (1 ≈ a worn cassette).
    pub fn new(sample_rate: f32, depth: f32, channels: usize) -> Self {
        let max = (0.006 * sample_rate) as usize + 4;
        let base = max as f32 * 0.5;
        Tape {
            delay: ModDelay::new(channels, max),
            base,
            swing: depth.clamp(0.0, 1.0) * base * 0.8,
            wow: 0.55 / sample_rate,
            flutter: 6.5 / sample_rate,
            phase: 0.0,
        }
    }
}

impl Effect for Tape {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        let frames = block.first().map_or(0, |c| c.len());
        for i in 0..frames {
            let t = self.phase;
            let m = 0.8 * sine(t * self.wow) + 0.2 * sine(t * self.flutter);
            let d = self.base + self.swing * m;
            for (ch, buf) in block.iter_mut().enumerate() {
                buf[i] = self.delay.tap(ch, buf[i], d);
            }
            self.delay.advance();
            self.phase += 1.0;
            if self.phase >= 1.0e7 {
                self.phase -= 1.0e7; // keep precision; both rates repeat well within this
            }
        }
    }

    fn reset(&mut self) {
        self.delay.clear();
        self.phase = 0.0;
    }

    fn latency(&self) -> usize {
        self.base as usize
    }
}

/// Chorus: a delayed copy swept by a slow oscillator (opposite phases left and right), mixed in.
pub struct Chorus {
    delay: ModDelay,
    center: f32,
    depth: f32,
    rate: f32,
    mix: f32,
    phase: f32,
}

impl Chorus {
    /// `depth` 0–1 of a ±5 ms sweep around 12 ms, `rate_hz`, dry/wet `mix` 0–1.
    pub fn new(sample_rate: f32, depth: f32, rate_hz: f32, mix: f32, channels: usize) -> Self {
        let center = 0.012 * sample_rate;
        let max = (0.02 * sample_rate) as usize;
        Chorus {
            delay: ModDelay::new(channels, max),
            center,
            depth: depth.clamp(0.0, 1.0) * 0.005 * sample_rate,
            rate: rate_hz / sample_rate,
            mix: mix.clamp(0.0, 1.0),
            phase: 0.0,
        }
    }
}

impl Effect for Chorus {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        let frames = block.first().map_or(0, |c| c.len());
        for i in 0..frames {
            for (ch, buf) in block.iter_mut().enumerate() {
                let offset = if ch % 2 == 0 { 0.0 } else { 0.5 };
                let d = self.center + self.depth * sine(self.phase + offset);
                let wet = self.delay.tap(ch, buf[i], d);
                buf[i] += self.mix * (wet - buf[i]) * 0.5;
            }
            self.delay.advance();
            self.phase += self.rate;
            if self.phase >= 1.0 {
                self.phase -= 1.0;
            }
        }
    }

    fn reset(&mut self) {
        self.delay.clear();
        self.phase = 0.0;
    }
}

/// Ring modulation: the signal times a sine carrier, mixed in (metallic, inharmonic).
pub struct RingMod {
    step: f32,
    mix: f32,
    phase: f32,
}

impl RingMod {
    /// Carrier at `freq` Hz, dry/wet `mix` 0–1.
    pub fn new(sample_rate: f32, freq: f32, mix: f32) -> Self {
        RingMod {
            step: freq / sample_rate,
            mix: mix.clamp(0.0, 1.0),
            phase: 0.0,
        }
    }
}

impl Effect for RingMod {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        let frames = block.first().map_or(0, |c| c.len());
        for i in 0..frames {
            let c = sine(self.phase);
            for buf in block.iter_mut() {
                let x = buf[i];
                buf[i] = x + self.mix * (x * c - x);
            }
            self.phase += self.step;
            if self.phase >= 1.0 {
                self.phase -= 1.0;
            }
        }
    }

    fn reset(&mut self) {
        self.phase = 0.0;
    }
}

/// Feedback echo: each echo comes `time` after the last, `feedback` times as loud; the wet signal
/// is mixed with the dry one.
pub struct Delay {
    lines: Vec<Vec<f32>>,
    pos: usize,
    feedback: f32,
    mix: f32,
}

impl Delay {
    /// `time_ms` between echoes, `feedback` 0–0.95, `mix` 0–1.
    pub fn new(sample_rate: f32, time_ms: f32, feedback: f32, mix: f32, channels: usize) -> Self {
        let n = ((time_ms / 1000.0 * sample_rate).round() as usize).max(1);
        Delay {
            lines: vec![vec![0.0; n]; channels],
            pos: 0,
            feedback,
            mix,
        }
    }
}

impl Effect for Delay {
    fn process(&mut self, block: &mut [&mut [f32]]) {
        let frames = block.first().map_or(0, |c| c.len());
        let n = self.lines.first().map_or(1, |l| l.len());
        for i in 0..frames {
            for (c, line) in block.iter_mut().zip(self.lines.iter_mut()) {
                let x = c[i];
                let echo = line[self.pos];
                line[self.pos] = x + echo * self.feedback;
                c[i] = x * (1.0 - self.mix) + echo * self.mix;
            }
            self.pos += 1;
            if self.pos == n {
                self.pos = 0;
            }
        }
    }

    fn reset(&mut self) {
        for l in &mut self.lines {
            l.fill(0.0);
        }
        self.pos = 0;
    }
}
