//! A labelled corpus made on the spot: synthesised songs with a known tempo and key, in varied
//! drum patterns, tempi, swing, keys, noise and levels. The tests and `son1k-bench analysis`
//! measure the analyser on it (nothing is downloaded; the seed reproduces every song).

use son1k_audio::AudioBuffer;
use son1k_core::{Key, Mode, PitchClass};

/// Drum patterns (16th-note grids are built from these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Kick on every beat, offbeat hats (house, techno).
    FourOnFloor,
    /// Kick on 1 and 3, snare on 2 and 4, eighth hats (rock, pop).
    Backbeat,
    /// Kick on 1, snare on 3, eighth hats (half-time hip-hop, ballads).
    HalfTime,
    /// Kick on 1 and the "and" of 2, snare on 2 and 4, sixteenth hats (funk, trap-ish).
    Syncopated,
    /// Kick on 1 and the "and" of 3, snare on 2 and 4, eighth hats (drum & bass, jungle).
    Breakbeat,
}

impl Pattern {
    /// The tempo range the genres using this pattern live in, in BPM.
    pub fn tempo_range(self) -> (f64, f64) {
        match self {
            Pattern::FourOnFloor => (115.0, 150.0),
            Pattern::Backbeat => (70.0, 180.0),
            Pattern::HalfTime => (60.0, 95.0),
            Pattern::Syncopated => (85.0, 125.0),
            Pattern::Breakbeat => (160.0, 200.0),
        }
    }
}

/// One song to synthesise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SongSpec {
    /// Tempo in BPM.
    pub bpm: f64,
    /// Key.
    pub key: Key,
    /// Drum pattern.
    pub pattern: Pattern,
    /// Swing of the off-beat eighths, 0 (straight) … 0.33 (triplet feel).
    pub swing: f64,
    /// Length in seconds.
    pub seconds: f64,
    /// White noise level in dBFS.
    pub noise_db: f64,
    /// Seed for the noise and small variations.
    pub seed: u64,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
}

fn add(out: &mut [f32], at: usize, sound: &[f32], gain: f32) {
    for (o, s) in out.iter_mut().skip(at).zip(sound) {
        *o += s * gain;
    }
}

fn kick(rate: f32) -> Vec<f32> {
    let n = (rate * 0.3) as usize;
    let mut phase = 0.0f32;
    (0..n)
        .map(|i| {
            let t = i as f32 / rate;
            let f = 45.0 + 90.0 * (-t / 0.03).exp();
            phase += 2.0 * std::f32::consts::PI * f / rate;
            phase.sin() * (-t / 0.12).exp()
        })
        .collect()
}

fn noise_hit(rate: f32, decay: f32, tone: f32, rng: &mut Rng) -> Vec<f32> {
    let n = (rate * decay * 6.0) as usize;
    let mut prev = 0.0;
    (0..n)
        .map(|i| {
            let t = i as f32 / rate;
            let w = rng.next();
            let hp = w - prev; // brighten
            prev = w;
            (hp * 0.6 + (2.0 * std::f32::consts::PI * tone * t).sin() * 0.4) * (-t / decay).exp()
        })
        .collect()
}

fn midi_hz(m: f64) -> f64 {
    440.0 * 2f64.powf((m - 69.0) / 12.0)
}

/// Renders `spec` at 44.1 kHz, mono, peak-normalised to −1 dBFS.
pub fn render(spec: &SongSpec) -> AudioBuffer {
    let rate = 44_100.0f32;
    let n = (spec.seconds * f64::from(rate)) as usize;
    let mut out = vec![0.0f32; n];
    let mut rng = Rng(spec.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let beat = 60.0 / spec.bpm;
    let k = kick(rate);
    let snare = noise_hit(rate, 0.06, 190.0, &mut rng);
    let hat = noise_hit(rate, 0.012, 0.0, &mut rng);
    let beats = (spec.seconds / beat).ceil() as usize;
    let at = |b: f64| (b * beat * f64::from(rate)) as usize;
    let swing_eighth = |b: usize| b as f64 + 0.5 + spec.swing * 0.5;
    for b in 0..beats {
        let bar_pos = b % 4;
        match spec.pattern {
            Pattern::FourOnFloor => {
                add(&mut out, at(b as f64), &k, 0.9);
                add(&mut out, at(swing_eighth(b)), &hat, 0.25);
                if bar_pos % 2 == 1 {
                    add(&mut out, at(b as f64), &snare, 0.35);
                }
            }
            Pattern::Backbeat => {
                if bar_pos % 2 == 0 {
                    add(&mut out, at(b as f64), &k, 0.9);
                } else {
                    add(&mut out, at(b as f64), &snare, 0.6);
                }
                add(&mut out, at(b as f64), &hat, 0.2);
                add(&mut out, at(swing_eighth(b)), &hat, 0.15);
            }
            Pattern::HalfTime => {
                match bar_pos {
                    0 => add(&mut out, at(b as f64), &k, 0.9),
                    2 => add(&mut out, at(b as f64), &snare, 0.6),
                    _ => {}
                }
                add(&mut out, at(b as f64), &hat, 0.2);
                add(&mut out, at(swing_eighth(b)), &hat, 0.15);
            }
            Pattern::Syncopated => {
                if bar_pos == 0 {
                    add(&mut out, at(b as f64), &k, 0.9);
                }
                if bar_pos == 1 {
                    add(&mut out, at(swing_eighth(b)), &k, 0.7);
                }
                if bar_pos % 2 == 1 {
                    add(&mut out, at(b as f64), &snare, 0.6);
                }
                for s in 0..4 {
                    add(
                        &mut out,
                        at(b as f64 + s as f64 * 0.25),
                        &hat,
                        if s == 0 { 0.2 } else { 0.1 },
                    );
                }
            }
            Pattern::Breakbeat => {
                if bar_pos == 0 {
                    add(&mut out, at(b as f64), &k, 0.9);
                }
                if bar_pos == 2 {
                    add(&mut out, at(swing_eighth(b)), &k, 0.8);
                }
                if bar_pos % 2 == 1 {
                    add(&mut out, at(b as f64), &snare, 0.7);
                }
                add(&mut out, at(b as f64), &hat, 0.18);
                add(&mut out, at(swing_eighth(b)), &hat, 0.12);
            }
        }
    }
    // Harmony: one chord per bar; minor i–iv–V–i (V with the raised leading tone), major I–IV–V–I.
    // Tonic between E3 and Eb4 (MIDI 52–63) so chords sit in the same register for every key.
    let tonic = 48.0 + f64::from(spec.key.tonic.semitone());
    let tonic = if tonic < 52.0 { tonic + 12.0 } else { tonic };
    let chords: [[f64; 3]; 4] = match spec.key.mode {
        Mode::Minor => [
            [0.0, 3.0, 7.0],
            [5.0, 8.0, 12.0],
            [7.0, 11.0, 14.0],
            [0.0, 3.0, 7.0],
        ],
        Mode::Major => [
            [0.0, 4.0, 7.0],
            [5.0, 9.0, 12.0],
            [7.0, 11.0, 14.0],
            [0.0, 4.0, 7.0],
        ],
    };
    let bar = beat * 4.0;
    for (i, s) in out.iter_mut().enumerate() {
        let t = i as f64 / f64::from(rate);
        let chord = &chords[((t / bar) as usize) % 4];
        let in_bar = t % bar;
        let env = (in_bar / 0.05).min(1.0) * (1.0 - 0.3 * in_bar / bar);
        let mut pad = 0.0;
        for &iv in chord {
            let f = midi_hz(tonic + iv);
            for h in 1..=4 {
                pad += (2.0 * std::f64::consts::PI * f * h as f64 * t).sin() / (h * h) as f64;
            }
        }
        let in_beat = t % beat;
        let root = midi_hz(tonic - 24.0 + chord[0]);
        let bass = (2.0 * std::f64::consts::PI * root * t).sin() * (-in_beat / 0.25).exp();
        *s += (pad * env * 0.06 + bass * 0.3) as f32;
    }
    let noise = 10f32.powf(spec.noise_db as f32 / 20.0);
    for s in out.iter_mut() {
        *s += rng.next() * noise;
    }
    let peak = out.iter().fold(0.0f32, |m, s| m.max(s.abs())).max(1e-9);
    let g = 0.89 / peak;
    out.iter_mut().for_each(|s| *s *= g);
    AudioBuffer {
        sample_rate: rate as u32,
        channels: vec![out],
    }
}

/// The evaluation corpus: `count` songs over five drum patterns, each at tempi spread over its
/// genres' range (together 60–200 BPM), all 24 keys, swing and noise, each `seconds` long.
pub fn corpus(count: usize, seconds: f64) -> Vec<SongSpec> {
    let patterns = [
        Pattern::FourOnFloor,
        Pattern::Backbeat,
        Pattern::HalfTime,
        Pattern::Syncopated,
        Pattern::Breakbeat,
    ];
    (0..count)
        .map(|i| {
            let pattern = patterns[i % patterns.len()];
            let (lo, hi) = pattern.tempo_range();
            // A low-discrepancy walk through the range.
            let frac = ((i / patterns.len()) as f64 * 0.618_034).fract();
            let bpm = ((lo + (hi - lo) * frac) * 10.0).round() / 10.0;
            let key = Key::new(
                PitchClass::new((i * 7) as i32 % 12),
                if (i / 12) % 2 == 0 {
                    Mode::Minor
                } else {
                    Mode::Major
                },
            );
            SongSpec {
                bpm,
                key,
                pattern,
                swing: if i % 7 == 3 { 0.2 } else { 0.0 },
                seconds,
                noise_db: -50.0 + (i % 3) as f64 * 8.0,
                seed: i as u64 + 1,
            }
        })
        .collect()
}

/// Whether `estimate` is within 4% of `truth` (MIREX Acc1).
pub fn acc1(estimate: f64, truth: f64) -> bool {
    (estimate - truth).abs() <= 0.04 * truth
}

/// Whether `estimate` is within 4% of the truth or of its double, half, triple or third (Acc2).
pub fn acc2(estimate: f64, truth: f64) -> bool {
    [1.0, 2.0, 0.5, 3.0, 1.0 / 3.0]
        .iter()
        .any(|m| acc1(estimate, truth * m))
}
