//! Nexus Visual: scenes that react to a song's sound, and music videos of them.
//!
//! [`features::analyse`] turns the samples into one [`Features`] per video frame (loudness,
//! spectrum bands, onsets, beats and sections); a [`Scene`] steps through them and draws each
//! frame on a [`Canvas`]; [`video::encode`] pipes the frames and the song's audio into the
//! system's ffmpeg (H.264/AAC in MP4, or VP9/Opus in WebM), and [`cover`] draws one frame at any
//! size for a cover image ([`write_png`]). Everything is deterministic: the same audio, scene
//! and seed give the same frames, at any resolution.

#![deny(missing_docs)]

pub mod canvas;
pub mod features;
pub mod scenes;
pub mod video;

use std::path::{Path, PathBuf};

pub use canvas::{Canvas, Rgb};
pub use features::{analyse, Features, SoundTrack, Timeline};
pub use scenes::{Scene, SceneKind};

/// Why a picture or a video was not made.
#[derive(Debug, thiserror::Error)]
pub enum VisualError {
    /// No ffmpeg to encode with.
    #[error("ffmpeg was not found ({looked}); install it (Debian/Ubuntu: `sudo apt install ffmpeg`, macOS: `brew install ffmpeg`, Windows: `winget install ffmpeg`) or set SON1K_FFMPEG to its path")]
    EncoderMissing {
        /// Where it was looked for.
        looked: String,
    },
    /// ffmpeg failed.
    #[error("ffmpeg could not encode the video: {0}")]
    Encoder(String),
    /// Stopped on request; nothing was left behind.
    #[error("cancelled")]
    Cancelled,
    /// A value out of range (a size, a time span).
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What to draw: picture size, frame rate, scene and seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// Width, pixels.
    pub width: usize,
    /// Height, pixels.
    pub height: usize,
    /// Frames per second.
    pub fps: u32,
    /// The scene.
    pub scene: SceneKind,
    /// Decides everything left to chance.
    pub seed: u64,
}

impl Look {
    /// 1920×1080 at 30 fps (or 1080×1920 when `vertical`, for shorts).
    pub fn hd(scene: SceneKind, seed: u64, vertical: bool) -> Self {
        let (width, height) = if vertical { (1080, 1920) } else { (1920, 1080) };
        Look {
            width,
            height,
            fps: 30,
            scene,
            seed,
        }
    }

    /// Refuses sizes an encoder cannot take (odd, empty or above 8192) and frame rates outside
    /// 1–120.
    pub fn check(&self) -> Result<(), VisualError> {
        for (name, v) in [("width", self.width), ("height", self.height)] {
            if v == 0 || v > 8192 || v % 2 != 0 {
                return Err(VisualError::Invalid(format!(
                    "the video {name} must be an even number of pixels from 2 to 8192, not {v}"
                )));
            }
        }
        if !(1..=120).contains(&self.fps) {
            return Err(VisualError::Invalid(format!(
                "the frame rate must be 1–120 frames per second, not {}",
                self.fps
            )));
        }
        Ok(())
    }
}

/// Draws every frame of `track` in turn, handing each to `sink` with its number; `sink` can stop
/// the run by returning an error.
pub fn render(
    track: &SoundTrack,
    look: &Look,
    mut sink: impl FnMut(usize, &Canvas) -> Result<(), VisualError>,
) -> Result<(), VisualError> {
    look.check()?;
    let mut scene = Scene::new(look.scene, look.seed);
    let mut canvas = Canvas::new(look.width, look.height);
    let dt = 1.0 / track.fps.max(1) as f32;
    for (i, f) in track.frames.iter().enumerate() {
        scene.step(f, dt);
        scene.draw(f, &mut canvas);
        sink(i, &canvas)?;
    }
    Ok(())
}

/// The picture at frame `at` of `track` drawn `width` × `height` (the scene stepped through
/// every frame before it, so it is the video's frame at another size).
pub fn cover(track: &SoundTrack, look: &Look, at: usize, width: usize, height: usize) -> Canvas {
    let mut scene = Scene::new(look.scene, look.seed);
    let dt = 1.0 / track.fps.max(1) as f32;
    let last = at.min(track.frames.len().saturating_sub(1));
    for f in track.frames.iter().take(last + 1) {
        scene.step(f, dt);
    }
    let mut canvas = Canvas::new(width, height);
    let silent = Features::silent(0.0);
    scene.draw(track.frames.get(last).unwrap_or(&silent), &mut canvas);
    canvas
}

/// The loudest frame of `track` (the first of equals): a good moment for a cover.
pub fn loudest_frame(track: &SoundTrack) -> usize {
    track
        .frames
        .iter()
        .enumerate()
        .fold((0, -1.0f32), |best, (i, f)| {
            let score = f.level + 0.5 * f.beat;
            if score > best.1 {
                (i, score)
            } else {
                best
            }
        })
        .0
}

/// Writes `canvas` as an 8-bit RGB PNG.
pub fn write_png(canvas: &Canvas, path: &Path) -> Result<(), VisualError> {
    let io = |source| VisualError::Io {
        action: "could not write",
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut encoder = png::Encoder::new(
        std::io::BufWriter::new(file),
        canvas.width() as u32,
        canvas.height() as u32,
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let to_io = |e: png::EncodingError| io(std::io::Error::other(e.to_string()));
    let mut writer = encoder.write_header().map_err(to_io)?;
    writer.write_image_data(canvas.pixels()).map_err(to_io)?;
    writer.finish().map_err(to_io)
}
