//! Music videos through the system's ffmpeg, found at run time (`SON1K_FFMPEG`, else `ffmpeg` on
//! `PATH`). The frames go to its standard input as raw RGB, the song's audio is read from its
//! file, and the two are muxed: H.264 (libx264) + AAC in MP4, or VP9 (libvpx) + Opus in WebM.
//!
//! Why an external program: the mature H.264 and VP9 encoders are C libraries (x264 is GPL), and
//! running ffmpeg as its own process keeps them out of the studio's binary and its licence, uses
//! the machine's own build (hardware and codecs as installed), and leaves the studio working
//! without it — only video export asks for it, with a clear message when it is missing.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::{render, Look, SoundTrack, VisualError};

/// The container and codecs of a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Container {
    /// MP4 with H.264 video and AAC audio: what every platform takes.
    Mp4,
    /// WebM with VP9 video and Opus audio.
    Webm,
}

impl Container {
    /// The container for `path`'s extension (`.mp4`, `.m4v`, `.mov` → MP4; `.webm` → WebM).
    pub fn for_path(path: &Path) -> Result<Container, VisualError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "mp4" | "m4v" | "mov" => Ok(Container::Mp4),
            "webm" => Ok(Container::Webm),
            _ => Err(VisualError::Invalid(format!(
                "{} must end in .mp4 (H.264/AAC) or .webm (VP9/Opus)",
                path.display()
            ))),
        }
    }
}

/// Finds ffmpeg: the `SON1K_FFMPEG` path when set, else `ffmpeg` on `PATH`.
pub fn find_ffmpeg() -> Result<PathBuf, VisualError> {
    find_ffmpeg_with(std::env::var_os("SON1K_FFMPEG"), std::env::var_os("PATH"))
}

/// [`find_ffmpeg`] with the two variables passed in (tests).
pub fn find_ffmpeg_with(
    explicit: Option<std::ffi::OsString>,
    path: Option<std::ffi::OsString>,
) -> Result<PathBuf, VisualError> {
    if let Some(p) = explicit.filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(VisualError::EncoderMissing {
                looked: format!("SON1K_FFMPEG={} is not a file", p.display()),
            })
        };
    }
    let name = if cfg!(windows) {
        "ffmpeg.exe"
    } else {
        "ffmpeg"
    };
    if let Some(path) = &path {
        for dir in std::env::split_paths(path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(VisualError::EncoderMissing {
        looked: "not on PATH".into(),
    })
}

/// One video to make.
#[derive(Debug, Clone)]
pub struct Job {
    /// The song's audio file (any format ffmpeg reads).
    pub audio: PathBuf,
    /// Where in the audio the video starts, seconds.
    pub start: f64,
    /// How long the video is, seconds (the track's frames cover it).
    pub seconds: f64,
    /// The video file to write; replaced only once the new one is complete.
    pub output: PathBuf,
}

/// A video that was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Video {
    /// Its file.
    pub path: PathBuf,
    /// Container and codecs.
    pub container: Container,
    /// Picture width, pixels.
    pub width: usize,
    /// Picture height, pixels.
    pub height: usize,
    /// Frames per second.
    pub fps: u32,
    /// Frames written.
    pub frames: usize,
    /// Its length, seconds.
    pub seconds: f64,
}

/// Renders `track` with `look` and encodes it with the audio of `job` through `ffmpeg`.
/// `progress` hears (frames done, frames in all); `cancel` stops it between frames, and then
/// nothing is left at `job.output` (a file already there is kept).
pub fn encode(
    ffmpeg: &Path,
    job: &Job,
    track: &SoundTrack,
    look: &Look,
    progress: &mut dyn FnMut(usize, usize),
    cancel: &AtomicBool,
) -> Result<Video, VisualError> {
    look.check()?;
    let container = Container::for_path(&job.output)?;
    if !(job.seconds.is_finite() && job.seconds > 0.0 && job.start.is_finite() && job.start >= 0.0)
    {
        return Err(VisualError::Invalid(format!(
            "the video must start at 0 s or later and last more than 0 s (start {}, {} s)",
            job.start, job.seconds
        )));
    }
    let name = job
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "video".into());
    let partial = job.output.with_file_name(format!(".{name}.part"));
    let mut cmd = Command::new(ffmpeg);
    cmd.args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24"])
        .arg("-video_size")
        .arg(format!("{}x{}", look.width, look.height))
        .arg("-framerate")
        .arg(look.fps.to_string())
        .args(["-i", "pipe:0"])
        .arg("-ss")
        .arg(format!("{:.6}", job.start))
        .arg("-t")
        .arg(format!("{:.6}", job.seconds))
        .arg("-i")
        .arg(&job.audio)
        .args(["-map", "0:v:0", "-map", "1:a:0"]);
    match container {
        Container::Mp4 => cmd
            .args(["-c:v", "libx264", "-preset", "veryfast", "-crf", "20"])
            .args(["-pix_fmt", "yuv420p", "-movflags", "+faststart"])
            .args(["-c:a", "aac", "-b:a", "192k", "-f", "mp4"]),
        Container::Webm => cmd
            .args([
                "-c:v",
                "libvpx-vp9",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
            ])
            .args(["-row-mt", "1", "-b:v", "6M", "-pix_fmt", "yuv420p"])
            .args(["-c:a", "libopus", "-b:a", "160k", "-f", "webm"]),
    };
    cmd.arg(&partial)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| VisualError::Io {
        action: "could not start",
        path: ffmpeg.to_path_buf(),
        source: e,
    })?;
    let mut stderr = child.stderr.take();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_string(&mut text);
        }
        text
    });
    let total = track.frames.len();
    let mut stdin = child.stdin.take();
    let result = render(track, look, |i, canvas| {
        if cancel.load(Ordering::Relaxed) {
            return Err(VisualError::Cancelled);
        }
        let pipe = stdin
            .as_mut()
            .ok_or_else(|| VisualError::Encoder("its input closed".into()))?;
        pipe.write_all(canvas.pixels())
            .map_err(|e| VisualError::Encoder(format!("it stopped reading frames ({e})")))?;
        progress(i + 1, total);
        Ok(())
    });
    drop(stdin);
    let outcome = match result {
        Err(e) => {
            stop(&mut child);
            Err(e)
        }
        Ok(()) => match child.wait() {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(VisualError::Encoder(format!("it exited with {status}"))),
            Err(e) => Err(VisualError::Encoder(e.to_string())),
        },
    };
    let said = errors.join().unwrap_or_default();
    if let Err(e) = outcome {
        let _ = std::fs::remove_file(&partial);
        return Err(match e {
            VisualError::Encoder(why) if !said.trim().is_empty() => {
                VisualError::Encoder(format!("{why}: {}", last_lines(&said)))
            }
            other => other,
        });
    }
    std::fs::rename(&partial, &job.output).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        VisualError::Io {
            action: "could not write",
            path: job.output.clone(),
            source: e,
        }
    })?;
    Ok(Video {
        path: job.output.clone(),
        container,
        width: look.width,
        height: look.height,
        fps: look.fps,
        frames: total,
        seconds: job.seconds,
    })
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffmpeg_is_looked_for_where_asked_and_its_absence_says_what_to_do() {
        let missing = find_ffmpeg_with(Some("/nowhere/ffmpeg".into()), None);
        let text = missing
            .map(|_| ())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(text.contains("SON1K_FFMPEG=/nowhere/ffmpeg"), "{text}");
        assert!(text.contains("apt install ffmpeg"), "{text}");
        let none = find_ffmpeg_with(None, Some("/nowhere:/neither".into()));
        assert!(matches!(none, Err(VisualError::EncoderMissing { .. })));
        assert_eq!(
            Container::for_path(Path::new("a/b.WEBM")).ok(),
            Some(Container::Webm)
        );
        assert!(Container::for_path(Path::new("b.avi")).is_err());
    }
}
