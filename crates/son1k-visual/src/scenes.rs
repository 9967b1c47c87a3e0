//! The built-in scenes. Each keeps its state in the picture's proportions (not its pixels), so
//! the same scene draws a 1920×1080 video, a 1080×1920 short and a 3000×3000 cover alike, and
//! every motion is paced by the sound: time advances a scene only while something is heard, so
//! silence holds the picture still.
//!
//! - **spectrum**: a terrain of the last spectra, newest in front, each band a column in its hue.
//! - **particles**: bursts from the centre on each beat and onset, falling away; a pulse on the beat.
//! - **rain**: columns of glyphs falling at the music's pace — the original platform's
//!   Matrix-style launcher, made to listen.
//! - **auto**: a new scene at each section of the song.

use serde::Serialize;

use crate::canvas::{Canvas, Rgb};
use crate::features::{Features, BANDS};

/// A scene to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SceneKind {
    /// Spectrum terrain.
    Spectrum,
    /// Particles on the beat.
    Particles,
    /// Glyph rain.
    Rain,
    /// One scene per section, in turn.
    Auto,
}

impl SceneKind {
    /// Every scene, as named on the command line.
    pub const ALL: [SceneKind; 4] = [
        SceneKind::Auto,
        SceneKind::Spectrum,
        SceneKind::Particles,
        SceneKind::Rain,
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            SceneKind::Spectrum => "spectrum",
            SceneKind::Particles => "particles",
            SceneKind::Rain => "rain",
            SceneKind::Auto => "auto",
        }
    }

    /// What it shows, in English.
    pub fn about(self) -> &'static str {
        match self {
            SceneKind::Spectrum => "a terrain of the last spectra, newest in front",
            SceneKind::Particles => "bursts of light on each beat and onset",
            SceneKind::Rain => "columns of glyphs falling at the music's pace",
            SceneKind::Auto => "a new scene at each section of the song",
        }
    }

    /// The scene named `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<SceneKind> {
        let n = name.trim().to_ascii_lowercase();
        SceneKind::ALL.into_iter().find(|s| s.name() == n)
    }
}

/// A small, fast, seedable generator (SplitMix64): the scenes' only source of chance.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How fast a scene moves at this frame: nothing in silence, a little at the quietest sound and
/// full speed at full scale.
fn pace(f: &Features) -> f32 {
    if f.level > 0.0 {
        0.25 + 0.75 * f.level
    } else {
        0.0
    }
}

const HISTORY: usize = 28;

#[derive(Debug, Clone)]
struct Terrain {
    rows: Vec<[f32; BANDS]>,
    hue: f32,
}

#[derive(Debug, Clone)]
struct Particle {
    x: f32,
    y: f32,
    vx: f32,
    vy: f32,
    life: f32,
    hue: f32,
}

const MAX_PARTICLES: usize = 6000;

#[derive(Debug, Clone)]
struct Particles {
    rng: Rng,
    all: Vec<Particle>,
    beats: u32,
    hue: f32,
}

const RAIN_COLUMNS: usize = 72;

#[derive(Debug, Clone)]
struct Column {
    head: f32,
    length: f32,
    speed: f32,
    salt: u64,
}

#[derive(Debug, Clone)]
struct Rain {
    rng: Rng,
    columns: Vec<Column>,
    flicker: u64,
    beats: u32,
}

/// A scene and its state: call [`Scene::step`] once per frame, then [`Scene::draw`].
#[derive(Debug, Clone)]
pub struct Scene {
    kind: SceneKind,
    terrain: Terrain,
    particles: Particles,
    rain: Rain,
}

impl Scene {
    /// A scene of `kind`; `seed` decides everything left to chance (the same seed and sound give
    /// the same pictures).
    pub fn new(kind: SceneKind, seed: u64) -> Self {
        let mut rng = Rng(seed ^ 0x005E_ED0F_5011);
        let columns = (0..RAIN_COLUMNS)
            .map(|_| Column {
                head: rng.unit() * 1.4 - 0.2,
                length: 0.15 + 0.45 * rng.unit(),
                speed: 0.12 + 0.4 * rng.unit(),
                salt: rng.next(),
            })
            .collect();
        Scene {
            kind,
            terrain: Terrain {
                rows: vec![[0.0; BANDS]; HISTORY],
                hue: 0.0,
            },
            particles: Particles {
                rng: Rng(seed.wrapping_mul(31).wrapping_add(7)),
                all: Vec::new(),
                beats: 0,
                hue: (seed % 360) as f32 / 360.0,
            },
            rain: Rain {
                rng: Rng(seed.rotate_left(17)),
                columns,
                flicker: 0,
                beats: 0,
            },
        }
    }

    /// Which scene draws at `f`: the scene itself, or for [`SceneKind::Auto`] the section's.
    pub fn showing(&self, f: &Features) -> SceneKind {
        match self.kind {
            SceneKind::Auto => {
                [SceneKind::Spectrum, SceneKind::Particles, SceneKind::Rain][f.section % 3]
            }
            kind => kind,
        }
    }

    /// Advances the scene to frame `f`, `dt` seconds after the last one.
    pub fn step(&mut self, f: &Features, dt: f32) {
        let step = dt * pace(f);
        // Under Auto every scene keeps listening, so a section change lands on a living scene;
        // a fixed scene steps only itself (the others are never drawn).
        let all = self.kind == SceneKind::Auto;
        if all || self.kind == SceneKind::Spectrum {
            self.step_terrain(f, step);
        }
        if all || self.kind == SceneKind::Particles {
            self.step_particles(f, step);
        }
        if all || self.kind == SceneKind::Rain {
            self.step_rain(f, step);
        }
    }

    fn step_terrain(&mut self, f: &Features, step: f32) {
        if step > 0.0 {
            self.terrain.rows.rotate_left(1);
            if let Some(front) = self.terrain.rows.last_mut() {
                *front = f.bands;
            }
            self.terrain.hue = (self.terrain.hue + step * 0.03).rem_euclid(1.0);
        }
    }

    fn step_particles(&mut self, f: &Features, step: f32) {
        let p = &mut self.particles;
        let new_beat = f.beats != p.beats;
        p.beats = f.beats;
        if step > 0.0 {
            p.hue = (p.hue + step * 0.05).rem_euclid(1.0);
            let mut spawn = (f.onset * 40.0 * f.level) as usize;
            if new_beat {
                spawn += (80.0 + 220.0 * f.level) as usize;
            }
            for _ in 0..spawn.min(MAX_PARTICLES.saturating_sub(p.all.len())) {
                let angle = p.rng.unit() * std::f32::consts::TAU;
                let speed = (0.08 + 0.5 * p.rng.unit()) * (0.5 + f.level);
                p.all.push(Particle {
                    x: 0.5,
                    y: 0.5,
                    vx: angle.cos() * speed,
                    vy: angle.sin() * speed,
                    life: 1.0,
                    hue: p.hue + 0.15 * p.rng.unit(),
                });
            }
            for q in &mut p.all {
                q.x += q.vx * step;
                q.y += q.vy * step;
                q.vy += 0.12 * step;
                q.life -= 0.6 * step;
            }
            p.all.retain(|q| {
                q.life > 0.0 && (-0.2..1.2).contains(&q.x) && (-0.2..1.2).contains(&q.y)
            });
        }
    }

    fn step_rain(&mut self, f: &Features, step: f32) {
        let r = &mut self.rain;
        if f.beats != r.beats && f.level > 0.0 {
            r.flicker = r.flicker.wrapping_add(1);
        }
        r.beats = f.beats;
        if step > 0.0 {
            let boost = 1.0 + 2.0 * f.onset;
            for c in &mut r.columns {
                c.head += c.speed * step * boost;
                if c.head - c.length > 1.0 {
                    c.head = -0.05 * r.rng.unit();
                    c.length = 0.15 + 0.45 * r.rng.unit();
                    c.speed = 0.12 + 0.4 * r.rng.unit();
                    c.salt = r.rng.next();
                }
            }
        }
    }

    /// Draws the scene as it stands after the last [`Scene::step`], for frame `f`.
    pub fn draw(&self, f: &Features, canvas: &mut Canvas) {
        match self.showing(f) {
            SceneKind::Particles => self.draw_particles(f, canvas),
            SceneKind::Rain => self.draw_rain(f, canvas),
            _ => self.draw_terrain(f, canvas),
        }
    }

    fn draw_terrain(&self, f: &Features, canvas: &mut Canvas) {
        let (w, h) = (canvas.width() as f32, canvas.height() as f32);
        canvas.fill(Rgb(0, 0, (6.0 + 34.0 * f.level) as u8));
        let horizon = h * 0.3;
        // A glow on the horizon that breathes with the beat.
        let glow = Rgb::hue(self.terrain.hue + 0.6, 0.35 * f.beat);
        canvas.add_rect(
            0,
            (horizon - h * 0.02) as i64,
            w as i64,
            (h * 0.04) as i64,
            glow,
        );
        for (i, row) in self.terrain.rows.iter().enumerate() {
            let near = (i + 1) as f32 / HISTORY as f32;
            let base = horizon + (h - horizon) * near.powf(1.6);
            let span = w * (0.3 + 0.7 * near);
            let left = (w - span) / 2.0;
            let col = span / BANDS as f32;
            let tall = h * 0.5 * near;
            for (b, v) in row.iter().enumerate() {
                if *v <= 0.0 {
                    continue;
                }
                let height = (v * v * tall).max(1.0);
                let x = left + b as f32 * col;
                let hue = self.terrain.hue + b as f32 / BANDS as f32 * 0.8;
                canvas.rect(
                    x as i64,
                    (base - height) as i64,
                    (col * 0.8).max(1.0) as i64,
                    height.ceil() as i64,
                    Rgb::hue(hue, 0.2 + 0.8 * near),
                );
            }
        }
    }

    fn draw_particles(&self, f: &Features, canvas: &mut Canvas) {
        let (w, h) = (canvas.width() as f32, canvas.height() as f32);
        let unit = w.min(h);
        canvas.fill(Rgb(0, 0, 0));
        // The beat's pulse in the centre.
        canvas.add_disc(
            w / 2.0,
            h / 2.0,
            unit * (0.03 + 0.1 * f.level + 0.2 * f.beat),
            Rgb::hue(self.particles.hue, 0.15 + 0.35 * f.level + 0.5 * f.beat),
        );
        // The particles glow with the loudness of the moment.
        let glow = 0.3 + 0.7 * f.level;
        let x0 = (w - unit) / 2.0;
        let y0 = (h - unit) / 2.0;
        for q in &self.particles.all {
            let r = unit * (0.002 + 0.008 * q.life);
            canvas.add_disc(
                x0 + q.x * unit,
                y0 + q.y * unit,
                r,
                Rgb::hue(q.hue, (0.3 + 0.7 * q.life) * glow),
            );
        }
    }

    fn draw_rain(&self, f: &Features, canvas: &mut Canvas) {
        let (w, h) = (canvas.width() as f32, canvas.height() as f32);
        canvas.fill(Rgb(0, (4.0 + 14.0 * f.level) as u8, 0));
        let cell = w / RAIN_COLUMNS as f32;
        let rows = (h / cell).ceil() as i64;
        let dot = (cell / 6.0).max(1.0);
        let light = 0.35 + 0.65 * f.level;
        for (i, c) in self.rain.columns.iter().enumerate() {
            let head = (c.head * rows as f32).floor() as i64;
            let trail = (c.length * rows as f32).ceil() as i64;
            for j in 0..trail {
                let row = head - j;
                if row < 0 || row >= rows {
                    continue;
                }
                let fade = 1.0 - j as f32 / trail as f32;
                let colour = if j == 0 {
                    Rgb(200, 255, 210).scaled(light + 0.3 * f.beat)
                } else {
                    Rgb(20, 255, 70).scaled(fade * light)
                };
                let glyph = mix(c.salt ^ (row as u64).wrapping_mul(0x9E37) ^ self.rain.flicker);
                let gx = i as f32 * cell + cell / 12.0;
                let gy = row as f32 * cell + cell / 12.0;
                for bit in 0..35u32 {
                    if glyph >> bit & 1 == 1 {
                        let (bx, by) = ((bit % 5) as f32, (bit / 5) as f32);
                        canvas.rect(
                            (gx + bx * dot) as i64,
                            (gy + by * dot * 0.75) as i64,
                            (dot * 0.85).max(1.0) as i64,
                            (dot * 0.65).max(1.0) as i64,
                            colour,
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for s in SceneKind::ALL {
            assert_eq!(SceneKind::parse(&s.name().to_uppercase()), Some(s));
        }
        assert_eq!(SceneKind::parse("milkdrop"), None);
    }
}
