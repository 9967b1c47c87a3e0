//! Nexus Visual from the façade: a music video of a song (a take, a folder with `song.json`, or
//! an audio file), rendered offscreen by son1k-visual's scenes as a `visual-render` library job
//! (progress, cancel, recovery like every job) and encoded by the system's ffmpeg, with an
//! optional 3000×3000 cover image drawn from the video's loudest frame.
//!
//! The scenes hear the song's mix; its beats come from the bar grid (the Generator's tempo, or the
//! analysis of a plain audio file) and its scene changes from `song.json`'s sections.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use son1k_core::{Progress, ValidationError};
pub use son1k_visual::video::{Container, Video};
pub use son1k_visual::SceneKind;
use son1k_visual::{features, video, Look, Timeline};

use crate::jobs;
use crate::release::song::{self, ReleaseSong};
use crate::scheduler::{JobContext, JobFailure};
use crate::{AppError, Studio};

/// The job kind of a video render.
pub const RENDER_JOB: &str = "visual-render";
/// The side of a cover image, pixels (what streaming services ask for).
pub const COVER_SIDE: usize = 3000;

/// A video to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VisualOptions {
    /// The song: a take's folder name or title, a folder with `song.json`, or an audio file.
    pub song: String,
    /// The scene ([`SceneKind::Auto`]: a new one at each section).
    pub scene: String,
    /// The video file (`.mp4` or `.webm`); empty: `video/<scene>-<seed>.mp4` (`…-vertical.mp4`)
    /// in the song's folder.
    pub output: PathBuf,
    /// 1080×1920 for shorts instead of 1920×1080.
    pub vertical: bool,
    /// Only this stretch of the song, seconds (start, end).
    pub span: Option<(f64, f64)>,
    /// Decides everything left to chance in the scenes.
    pub seed: u64,
    /// Also write a 3000×3000 PNG cover here, from the video's loudest frame (an empty path:
    /// beside the video, with its name and `.png`).
    pub cover: Option<PathBuf>,
}

/// A video that was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VisualReport {
    /// The song, as named.
    pub song: String,
    /// The scene it was drawn with.
    pub scene: String,
    /// The video file.
    pub path: PathBuf,
    /// Picture width and height, pixels.
    pub width: usize,
    /// Picture height, pixels.
    pub height: usize,
    /// Frames per second.
    pub fps: u32,
    /// Frames written.
    pub frames: usize,
    /// Where in the song the video starts, seconds.
    pub start: f64,
    /// Its length, seconds.
    pub seconds: f64,
    /// Beats the scenes pulsed on.
    pub beats: usize,
    /// Sections the scenes changed on.
    pub sections: usize,
    /// The cover image, when one was asked for.
    pub cover: Option<PathBuf>,
    /// Seconds the render and encoding took.
    pub elapsed: f64,
}

fn invalid(field: &str, value: impl std::fmt::Display, rule: &str) -> AppError {
    AppError::Invalid(ValidationError::new(field, value, rule))
}

/// A built-in scene, as the Visual screen lists it (its name in the UI's language comes from
/// the UI's tables, by id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SceneInfo {
    /// Its id (`auto`, `spectrum`, `particles`, `rain`).
    pub id: String,
    /// What it shows, in English (the CLI's text).
    pub about: String,
}

/// The built-in scenes, `auto` first.
pub fn scenes() -> Vec<SceneInfo> {
    SceneKind::ALL
        .iter()
        .map(|s| SceneInfo {
            id: s.name().into(),
            about: s.about().into(),
        })
        .collect()
}

/// The scene named `name`, or a clear refusal listing the scenes.
pub fn scene(name: &str) -> Result<SceneKind, AppError> {
    SceneKind::parse(name).ok_or_else(|| {
        let names: Vec<&str> = SceneKind::ALL.iter().map(|s| s.name()).collect();
        invalid("scene", name, &format!("one of {}", names.join(", ")))
    })
}

/// Parses `A-B` (seconds, e.g. `30-45.5`) into a span.
pub fn parse_span(text: &str) -> Result<(f64, f64), AppError> {
    let bad = || {
        invalid(
            "seconds",
            text,
            "a span A-B in seconds with A < B, e.g. 30-45",
        )
    };
    let (a, b) = text.split_once('-').ok_or_else(bad)?;
    let a: f64 = a.trim().parse().map_err(|_| bad())?;
    let b: f64 = b.trim().parse().map_err(|_| bad())?;
    check_span(a, b)
}

/// `(a, b)` when it is a span of seconds (finite, 0 ≤ a < b), else a clear refusal.
fn check_span(a: f64, b: f64) -> Result<(f64, f64), AppError> {
    if !(a.is_finite() && b.is_finite() && a >= 0.0 && a < b) {
        return Err(invalid(
            "seconds",
            format!("{a}-{b}"),
            "a span A-B in seconds with A < B, e.g. 30-45",
        ));
    }
    Ok((a, b))
}

impl Studio {
    /// Renders a music video of `opts.song` (see the module's documentation) as a library job.
    pub fn visual_render(
        &self,
        opts: &VisualOptions,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<VisualReport, AppError> {
        // Everything that can be refused is refused before a job is queued.
        scene(&opts.scene)?;
        if !opts.output.as_os_str().is_empty() {
            video::Container::for_path(&opts.output)?;
        }
        video::find_ffmpeg()?;
        if let Some((a, b)) = opts.span {
            check_span(a, b)?;
        }
        let s = song::resolve(self, &opts.song)?;
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut job = opts.clone();
        job.output = if opts.output.as_os_str().is_empty() {
            let dir = s.dir.join("video");
            std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
                action: "could not create",
                path: dir.clone(),
                source,
            })?;
            let vertical = if opts.vertical { "-vertical" } else { "" };
            dir.join(format!("{}-{}{vertical}.mp4", opts.scene.trim(), opts.seed))
        } else {
            abs(&opts.output)
        };
        job.cover = opts.cover.as_deref().map(|c| {
            if c.as_os_str().is_empty() {
                job.output.with_extension("png")
            } else {
                abs(c)
            }
        });
        jobs::run_one(
            self,
            RENDER_JOB,
            &job,
            render_work(self),
            progress,
            cancel,
            || son1k_visual::VisualError::Cancelled.into(),
        )
    }
}

/// The work of a `visual-render` job.
pub fn render_work(studio: &Studio) -> jobs::Work {
    let studio = studio.clone();
    Arc::new(move |job, ctx| {
        let opts: VisualOptions = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobFailure::Fatal(format!("the job's request could not be read: {e}")))?;
        match render(&studio, &opts, ctx) {
            Ok(report) => {
                serde_json::to_value(report).map_err(|e| JobFailure::Fatal(e.to_string()))
            }
            Err(AppError::Visual(son1k_visual::VisualError::Cancelled)) => {
                Err(JobFailure::Cancelled)
            }
            Err(e) => Err(JobFailure::Fatal(e.to_string())),
        }
    })
}

/// The beat times of `s` from `from` to `to`, seconds from `from`.
fn beats(s: &ReleaseSong, from: f64, to: f64) -> Vec<f64> {
    let beat = 60.0 / s.grid.bpm;
    if !(beat.is_finite() && beat > 0.0) {
        return Vec::new();
    }
    let first = s.grid.first_downbeat - (s.grid.first_downbeat / beat).floor() * beat;
    let skip = ((from - first) / beat).ceil().max(0.0);
    (0..)
        .map(|k| first + (skip + f64::from(k)) * beat)
        .take_while(|t| *t < to)
        .map(|t| t - from)
        .collect()
}

/// A song's sound as the scenes read it: where it is, the stretch rendered and its features.
struct Heard {
    song: ReleaseSong,
    start: f64,
    seconds: f64,
    timeline: Timeline,
    track: features::SoundTrack,
}

/// Decodes `song`'s mix and computes its features at `fps` over `span` (default: all of it).
fn listen(
    studio: &Studio,
    name: &str,
    span: Option<(f64, f64)>,
    fps: u32,
) -> Result<Heard, AppError> {
    let s = song::resolve(studio, name)?;
    let audio = son1k_audio::decode_file(&s.mix)?;
    let rate = audio.sample_rate;
    let length = audio.channels.first().map_or(0, Vec::len);
    let song_seconds = length as f64 / f64::from(rate.max(1));
    let (start, end) = span.unwrap_or((0.0, song_seconds));
    if start >= song_seconds || end > song_seconds + 0.01 {
        return Err(invalid(
            "seconds",
            format!("{start}-{end}"),
            &format!("a span inside the song, which lasts {song_seconds:.2} s"),
        ));
    }
    let end = end.min(song_seconds);
    let from = (start * f64::from(rate)) as usize;
    let to = ((end * f64::from(rate)) as usize).min(length);
    let channels = audio.channels.len().max(1) as f32;
    let mono: Vec<f32> = (from..to)
        .map(|i| audio.channels.iter().map(|c| c[i]).sum::<f32>() / channels)
        .collect();
    let seconds = end - start;
    let frames = (seconds * f64::from(fps)).ceil() as usize;
    let timeline = Timeline {
        beats: beats(&s, start, end),
        sections: s
            .sections
            .iter()
            .filter(|x| x.start > start && x.start < end)
            .map(|x| x.start - start)
            .collect(),
    };
    let track = features::analyse(&mono, rate, fps, frames, &timeline);
    Ok(Heard {
        song: s,
        start,
        seconds,
        timeline,
        track,
    })
}

fn render(
    studio: &Studio,
    opts: &VisualOptions,
    ctx: &JobContext,
) -> Result<VisualReport, AppError> {
    let started = std::time::Instant::now();
    let kind = scene(&opts.scene)?;
    let ffmpeg = video::find_ffmpeg()?;
    ctx.progress_stage(0.0, Some("listening"));
    let look = Look::hd(kind, opts.seed, opts.vertical);
    let Heard {
        song: s,
        start,
        seconds,
        timeline,
        track,
    } = listen(studio, &opts.song, opts.span, look.fps)?;
    let job = video::Job {
        audio: s.mix.clone(),
        start,
        seconds,
        output: opts.output.clone(),
    };
    let share = if opts.cover.is_some() { 0.95 } else { 1.0 };
    let video = video::encode(
        &ffmpeg,
        &job,
        &track,
        &look,
        &mut |done, total| {
            ctx.progress_stage(share * done as f64 / total.max(1) as f64, Some("rendering"));
        },
        ctx.cancel_flag(),
    )?;
    if let Some(cover) = &opts.cover {
        ctx.progress_stage(share, Some("cover"));
        let at = son1k_visual::loudest_frame(&track);
        let picture = son1k_visual::cover(&track, &look, at, COVER_SIDE, COVER_SIDE);
        son1k_visual::write_png(&picture, cover)?;
    }
    Ok(VisualReport {
        song: s.id,
        scene: kind.name().into(),
        path: video.path,
        width: video.width,
        height: video.height,
        fps: video.fps,
        frames: video.frames,
        start,
        seconds,
        beats: timeline.beats.len(),
        sections: timeline.sections.len(),
        cover: opts.cover.clone(),
        elapsed: started.elapsed().as_secs_f64(),
    })
}

/// The Visual screen's live pictures: the frame of a take at the playhead, drawn by the same
/// scenes as the exported video (so what is seen is what is exported), for the webview's
/// `son1k-visual://` scheme. The last song's features and scene are kept, so following the
/// playhead only steps the scene forward; a jump back replays it from the start (stepping
/// without drawing is cheap).
#[derive(Clone, Default)]
pub struct Previews(Arc<std::sync::Mutex<Option<Preview>>>);

struct Preview {
    key: (String, SceneKind, u64),
    track: features::SoundTrack,
    scene: son1k_visual::Scene,
    at: Option<usize>,
}

/// The largest preview side, pixels.
pub const PREVIEW_MAX: usize = 1920;

impl Previews {
    /// The frame of the take `song` at `seconds`, drawn `width` × `height` (even, 2–1920), as
    /// RGBA bytes row after row.
    #[allow(clippy::too_many_arguments)]
    pub fn frame(
        &self,
        studio: &Studio,
        song: &str,
        scene_name: &str,
        seed: u64,
        seconds: f64,
        width: usize,
        height: usize,
    ) -> Result<Vec<u8>, AppError> {
        let kind = scene(scene_name)?;
        for (name, v) in [("width", width), ("height", height)] {
            if !(2..=PREVIEW_MAX).contains(&v) {
                return Err(invalid(name, v, "2 to 1920 pixels"));
            }
        }
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(invalid("seconds", seconds, "0 or more"));
        }
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (song.to_string(), kind, seed);
        if guard.as_ref().is_none_or(|p| p.key != key) {
            let heard = listen(studio, song, None, 30)?;
            *guard = Some(Preview {
                key,
                track: heard.track,
                scene: son1k_visual::Scene::new(kind, seed),
                at: None,
            });
        }
        let Some(p) = guard.as_mut() else {
            return Err(invalid("song", song, "a take that can be heard"));
        };
        let fps = f64::from(p.track.fps);
        let last = p.track.frames.len().saturating_sub(1);
        let k = ((seconds * fps) as usize).min(last);
        let dt = 1.0 / fps as f32;
        let from = match p.at {
            Some(at) if at <= k => at + 1,
            _ => {
                p.scene = son1k_visual::Scene::new(kind, seed);
                0
            }
        };
        for f in p.track.frames.get(from..=k).unwrap_or(&[]) {
            p.scene.step(f, dt);
        }
        p.at = Some(k);
        let mut canvas = son1k_visual::Canvas::new(width, height);
        let silent = son1k_visual::Features::silent(0.0);
        p.scene
            .draw(p.track.frames.get(k).unwrap_or(&silent), &mut canvas);
        let mut rgba = Vec::with_capacity(width * height * 4);
        for px in canvas.pixels().chunks_exact(3) {
            rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
        Ok(rgba)
    }

    /// Answers a `son1k-visual://` request path, `/<take>/<scene>/<seed>/<width>x<height>/<ms>`
    /// (segments percent-encoded): the frame's RGBA bytes, or why not.
    pub fn serve(&self, studio: &Studio, request_path: &str) -> crate::webview::Served {
        use crate::webview::{percent_decode, Served};
        let parts: Option<Vec<String>> = request_path
            .trim_start_matches('/')
            .split('/')
            .map(percent_decode)
            .collect();
        let Some([song, scene_name, seed, size, ms]) = parts.as_deref() else {
            return Served::BadPath;
        };
        let (Ok(seed), Some((Ok(w), Ok(h))), Ok(ms)) = (
            seed.parse::<u64>(),
            size.split_once('x')
                .map(|(w, h)| (w.parse::<usize>(), h.parse::<usize>())),
            ms.parse::<u64>(),
        ) else {
            return Served::BadPath;
        };
        match self.frame(studio, song, scene_name, seed, ms as f64 / 1000.0, w, h) {
            Ok(bytes) => Served::File {
                bytes,
                mime: "application/octet-stream",
            },
            Err(e) => Served::Missing(e.to_string()),
        }
    }
}

/// The Visual screen's playback: a take played through the native engine on the default output
/// device; the screen draws the frame at [`Stage::status`]'s position, so the pictures follow what
/// the device plays.
#[derive(Clone, Default)]
pub struct Stage(Arc<std::sync::Mutex<Option<Playing>>>);

struct Playing {
    song: String,
    handle: crate::audio::PlaybackHandle,
}

/// Where the Visual screen's playback stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StageStatus {
    /// The take playing (or last played), if any.
    pub song: Option<String>,
    /// Seconds into it.
    pub seconds: f64,
    /// Whether it is still sounding.
    pub playing: bool,
    /// The output device.
    pub device: String,
}

impl Stage {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Playing>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Plays the take `song` from `from` seconds on the default output device (stopping what
    /// played before).
    pub fn play(
        &self,
        studio: &Studio,
        song_name: &str,
        from: f64,
    ) -> Result<StageStatus, AppError> {
        let s = song::resolve(studio, song_name)?;
        let mut guard = self.lock();
        *guard = None;
        let mut handle = crate::audio::play_file(&s.mix, None)?;
        if from > 0.0 && from.is_finite() {
            handle.seek(from)?;
        }
        *guard = Some(Playing {
            song: song_name.to_string(),
            handle,
        });
        Ok(status_of(guard.as_ref()))
    }

    /// Stops the sound (the position is kept for the status).
    pub fn stop(&self) -> StageStatus {
        let mut guard = self.lock();
        let status = StageStatus {
            playing: false,
            ..status_of(guard.as_ref())
        };
        *guard = None;
        status
    }

    /// Where the playback stands.
    pub fn status(&self) -> StageStatus {
        status_of(self.lock().as_ref())
    }
}

fn status_of(p: Option<&Playing>) -> StageStatus {
    match p {
        Some(p) => StageStatus {
            song: Some(p.song.clone()),
            seconds: p.handle.seconds(),
            playing: !p.handle.finished(),
            device: p.handle.device().to_string(),
        },
        None => StageStatus {
            song: None,
            seconds: 0.0,
            playing: false,
            device: String::new(),
        },
    }
}
