//! `son1k visual`: Nexus Visual from the command line — render a song's music video (MP4 or
//! WebM, 1920×1080 or vertical 1080×1920, 30 fps, the song's audio muxed) with one of the
//! built-in audio-reactive scenes, and a 3000×3000 cover image from its loudest frame.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use son1k_app::visual::{parse_span, scene};
use son1k_app::{SceneKind, Studio, VisualOptions};

use crate::{interrupted, to_json, Failure};

#[derive(Subcommand)]
pub(crate) enum VisualAction {
    /// Render a music video of a song (needs ffmpeg on PATH or SON1K_FFMPEG).
    Render {
        /// The song: a take's folder name or title (`son1k takes list`), a folder with
        /// song.json, or an audio file.
        song: String,
        /// The scene (`son1k visual scenes` lists them); `auto` changes scene at each section.
        #[arg(long, default_value = "auto")]
        scene: String,
        /// The video file: .mp4 (H.264/AAC) or .webm (VP9/Opus).
        #[arg(short, long)]
        output: PathBuf,
        /// 1080×1920 for shorts instead of 1920×1080.
        #[arg(long)]
        vertical: bool,
        /// Only a stretch of the song, A-B in seconds (e.g. 30-45).
        #[arg(long)]
        seconds: Option<String>,
        /// Seed of the scenes' chance (the same seed gives the same video).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write a 3000×3000 PNG cover from the video's loudest frame.
        #[arg(long)]
        cover: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the scenes.
    Scenes,
}

/// Runs one `son1k visual` action.
pub(crate) fn run(
    studio: &Studio,
    action: VisualAction,
    out: &mut impl Write,
) -> Result<(), Failure> {
    match action {
        VisualAction::Scenes => {
            for s in SceneKind::ALL {
                writeln!(out, "{:<10} {}", s.name(), s.about())?;
            }
        }
        VisualAction::Render {
            song,
            scene: name,
            output,
            vertical,
            seconds,
            seed,
            cover,
            json,
        } => {
            scene(&name)?;
            let span = seconds.as_deref().map(parse_span).transpose()?;
            let opts = VisualOptions {
                song,
                scene: name,
                output,
                vertical,
                span,
                seed,
                cover,
            };
            let bar = crate::voice::progress_bar();
            bar.set_message("queued");
            let stop = interrupted();
            let report = studio.visual_render(
                &opts,
                &mut |p| {
                    bar.set_message(p.stage.to_string());
                    bar.set_position((p.fraction * 1000.0) as u64);
                },
                &stop,
            );
            bar.finish_and_clear();
            let r = report?;
            if json {
                writeln!(out, "{}", to_json(&r)?)?;
            } else {
                writeln!(
                    out,
                    "{}: {}×{} at {} fps, {:.2} s from {:.2} s ({} frames, scene {}, {} beats, {} section changes) in {:.1} s",
                    r.path.display(),
                    r.width,
                    r.height,
                    r.fps,
                    r.seconds,
                    r.start,
                    r.frames,
                    r.scene,
                    r.beats,
                    r.sections,
                    r.elapsed
                )?;
                if let Some(c) = &r.cover {
                    writeln!(out, "cover: {}", c.display())?;
                }
            }
        }
    }
    Ok(())
}
