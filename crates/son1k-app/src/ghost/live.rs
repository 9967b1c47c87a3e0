//! Ghost Studio playing through the native engine: the project's session — its tracks' clips,
//! gain, pan, mute, solo and effects, and the master chain the four knobs make followed by the
//! user's master effects — in son1k-audio's real-time engine, the very graph the offline
//! render and the export run, so what is heard is what is exported.
//!
//! A [`LivePlayer`] plays one session on an output ([`LiveOutput`]: the default device, or a
//! paced virtual device whose [`Monitor`] keeps what it played). Edits reach it while it plays
//! ([`LivePlayer::update`]): gain, pan, mute and solo as live commands, a track's or the
//! master's changed chain (a knob turned) swapped in whole; a change of clips or tracks needs
//! the session loaded again, which [`super::Mixing`] does at the same position. A reporter
//! thread sends a [`PlaybackFrame`] about 30 times a second: playhead, per-track and master
//! meters, deadline misses, the device and what happened to it.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;
use son1k_audio::engine::{
    play_on, Command, CpalBackend, FxTarget, Meters, Playback, SupervisorOptions,
};
use son1k_audio::mixdown::Renderer;
use son1k_ghost::Session;

pub use son1k_audio::engine::{EngineEvent, Monitor, VirtualOutput};

use crate::AppError;

/// How often the reporter sends a [`PlaybackFrame`] (about 30 Hz).
pub const FRAME_EVERY: Duration = Duration::from_millis(33);

/// The environment variable that sends playback to a [`VirtualOutput`] instead of the default
/// device (`SON1K_AUDIO_OUTPUT=virtual`): for machines without sound hardware and their tests.
pub const OUTPUT_ENV: &str = "SON1K_AUDIO_OUTPUT";

/// Frames per callback of the virtual device (about 5 ms at 48 kHz).
const BUFFER: u32 = son1k_audio::DEFAULT_BUFFER;

/// The buffer asked of a real device: the one chosen in Settings ([`crate::AudioSettings`],
/// 256 frames unless changed), or `SON1K_AUDIO_BUFFER` when set (a size, or `default` for the
/// host's own choice).
fn device_buffer() -> Option<u32> {
    let chosen = son1k_audio::chosen_devices().buffer;
    match std::env::var("SON1K_AUDIO_BUFFER") {
        Ok(v) if v == "default" => None,
        Ok(v) => v.parse().ok().or(chosen),
        Err(_) => chosen,
    }
}

/// Where live playback goes.
#[derive(Debug, Clone)]
pub enum LiveOutput {
    /// The system's default output device (through cpal), followed when it changes.
    Default,
    /// A paced virtual device; its monitor keeps what it played.
    Virtual(VirtualOutput),
}

impl LiveOutput {
    /// The default device, or a virtual one when [`OUTPUT_ENV`] says `virtual`.
    pub fn from_env() -> Self {
        match std::env::var(OUTPUT_ENV) {
            Ok(v) if v.eq_ignore_ascii_case("virtual") => {
                LiveOutput::Virtual(VirtualOutput::new("virtual output", BUFFER))
            }
            _ => LiveOutput::Default,
        }
    }
}

/// One track's meter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrackLevel {
    /// The track.
    pub track: String,
    /// Peak after gain and pan since the last frame, linear.
    pub peak: f32,
}

/// What the screen hears about playback, about every [`FRAME_EVERY`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlaybackFrame {
    /// The playhead on the timeline, seconds.
    pub seconds: f64,
    /// Whether the transport is playing.
    pub playing: bool,
    /// Whether playback reached the session's end (not looping).
    pub finished: bool,
    /// The loop region being played, seconds, if any.
    pub looping: Option<(f64, f64)>,
    /// The master's peaks since the last frame (left, right), linear.
    pub master: (f32, f32),
    /// Each track's meter, in session order.
    pub tracks: Vec<TrackLevel>,
    /// Callbacks that took longer than the audio they produced lasts (each one an underrun
    /// on a real device).
    pub deadline_misses: u32,
    /// The largest share of its time budget one callback used (1 = all of it).
    pub worst_load: f32,
    /// The device playing, or none while it is being opened again.
    pub device: Option<String>,
    /// Errors the stream reported so far.
    pub stream_errors: u32,
    /// What happened to the stream since the last frame (device lost, reopened, …).
    pub events: Vec<EngineEvent>,
}

/// Receives the frames (from the reporter thread).
pub type FrameSink = Arc<dyn Fn(PlaybackFrame) + Send + Sync>;

/// What [`LivePlayer::update`] could do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// Every change is playing now.
    Applied,
    /// The tracks or their clips changed: the session must be loaded again.
    Reload,
}

/// A session playing on an output.
pub struct LivePlayer {
    playback: Playback,
    session: Session,
    output: LiveOutput,
    sink: FrameSink,
    /// The loop region (shared with the reporter).
    looping: Arc<Mutex<Option<(f64, f64)>>>,
    playing: bool,
    stop: Arc<AtomicBool>,
    reporter: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for LivePlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LivePlayer")
            .field("device", &self.playback.device)
            .field("tracks", &self.session.tracks.len())
            .field("playing", &self.playing)
            .finish()
    }
}

fn frames(seconds: f64, rate: u32) -> usize {
    (seconds.max(0.0) * f64::from(rate)).round() as usize
}

impl LivePlayer {
    /// Loads `session` (clips relative to `folder`), opens `output` and — when `playing` —
    /// plays from `from` seconds, looping `looping` when given. `sink` hears a
    /// [`PlaybackFrame`] about every [`FRAME_EVERY`] until the player is dropped. With no
    /// output device the error says so (code `audio-device`).
    pub fn start(
        session: &Session,
        folder: &Path,
        output: LiveOutput,
        from: f64,
        looping: Option<(f64, f64)>,
        playing: bool,
        sink: FrameSink,
    ) -> Result<LivePlayer, AppError> {
        let mut renderer = Renderer::new(session, folder)?;
        let rate = renderer.sample_rate();
        let start = match looping {
            Some((a, b)) if from < a || from >= b => a,
            _ => from,
        };
        renderer.seek(frames(start, rate));
        let options = SupervisorOptions::default();
        let mut playback = match &output {
            LiveOutput::Default => play_on(CpalBackend, renderer, device_buffer(), options)?,
            LiveOutput::Virtual(v) => play_on(v.clone(), renderer, Some(BUFFER), options)?,
        };
        if let Some(region) = looping {
            playback
                .handle
                .send(Command::Loop(Some(Self::region(region, rate))))?;
        }
        if !playing {
            playback.handle.send(Command::Stop)?;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let names: Vec<String> = session.tracks.iter().map(|t| t.name.clone()).collect();
        let meters = playback.handle.shared_meters();
        let shared_loop = Arc::new(Mutex::new(looping));
        let (s, sk, lp) = (stop.clone(), sink.clone(), shared_loop.clone());
        let reporter = std::thread::Builder::new()
            .name("son1k-playback-frames".into())
            .spawn(move || report(&meters, &names, rate, &lp, &s, &sk))
            .map_err(|e| AppError::JobFailed {
                kind: "playback".into(),
                message: format!("could not start the playback reporter: {e}"),
            })?;
        Ok(LivePlayer {
            playback,
            session: session.clone(),
            output,
            sink,
            looping: shared_loop,
            playing,
            stop,
            reporter: Some(reporter),
        })
    }

    fn region((a, b): (f64, f64), rate: u32) -> (usize, usize) {
        (frames(a.min(b), rate), frames(a.max(b), rate))
    }

    /// The session playing.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The output it plays on (a virtual one's monitor included).
    pub fn output(&self) -> &LiveOutput {
        &self.output
    }

    /// Who hears its frames.
    pub fn sink(&self) -> FrameSink {
        self.sink.clone()
    }

    /// The loop region, seconds.
    pub fn looping(&self) -> Option<(f64, f64)> {
        *lock(&self.looping)
    }

    /// Whether it was last told to play (it may since have reached the end: see
    /// [`LivePlayer::frame`]).
    pub fn is_playing(&self) -> bool {
        self.playing && !self.playback.handle.meters().finished()
    }

    /// The device it opened on.
    pub fn device(&self) -> &str {
        &self.playback.device
    }

    /// Frames the output lags the timeline by (the effects' look-ahead).
    pub fn latency_frames(&self) -> usize {
        self.playback.handle.latency()
    }

    /// Mixes `tap` (the input, monitored) into what plays, or stops monitoring (`None`).
    pub fn set_input_tap(
        &mut self,
        tap: Option<son1k_audio::engine::InputTap>,
    ) -> Result<(), AppError> {
        Ok(self.playback.handle.set_input_tap(tap)?)
    }

    /// The engine's published state (its clock places what it played in time).
    pub fn shared_meters(&self) -> Arc<Meters> {
        self.playback.handle.shared_meters()
    }

    /// The session's (and the stream's) sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.playback.sample_rate
    }

    /// The playhead, seconds.
    pub fn seconds(&self) -> f64 {
        self.playback.handle.meters().position() as f64 / f64::from(self.playback.sample_rate)
    }

    /// Plays (again from the start when it had reached the end and is not looping).
    pub fn play(&mut self) -> Result<(), AppError> {
        let m = self.playback.handle.meters();
        if m.finished() && self.looping().is_none() {
            self.playback.handle.send(Command::Seek(0))?;
        }
        self.playback.handle.send(Command::Play)?;
        self.playing = true;
        Ok(())
    }

    /// Plays from `seconds` (effect tails ring on from where it was).
    pub fn play_from(&mut self, seconds: f64) -> Result<(), AppError> {
        self.seek(seconds)?;
        self.playback.handle.send(Command::Play)?;
        self.playing = true;
        Ok(())
    }

    /// Stops at the current position (effect tails are cleared).
    pub fn stop(&mut self) -> Result<(), AppError> {
        self.playback.handle.send(Command::Stop)?;
        self.playing = false;
        Ok(())
    }

    /// Moves the playhead to `seconds` (effect tails ring on).
    pub fn seek(&mut self, seconds: f64) -> Result<(), AppError> {
        let f = frames(seconds, self.playback.sample_rate);
        self.playback.handle.send(Command::Seek(f))?;
        Ok(())
    }

    /// Loops between two times (seconds), or stops looping.
    pub fn set_loop(&mut self, region: Option<(f64, f64)>) -> Result<(), AppError> {
        let rate = self.playback.sample_rate;
        let r = region.map(|r| Self::region(r, rate)).filter(|(a, b)| b > a);
        self.playback.handle.send(Command::Loop(r))?;
        *lock(&self.looping) = region.filter(|_| r.is_some());
        Ok(())
    }

    /// Brings the playing session to `next`: gain, pan, mute, solo, send levels and return
    /// gains as live commands, a changed track, return or master chain swapped in whole.
    /// Changed tracks or clips, sends made or removed, returns added or removed (or a track
    /// chain of another latency) answer [`Update::Reload`] and change nothing.
    pub fn update(&mut self, next: &Session) -> Result<Update, AppError> {
        let now = &self.session;
        let same_shape = now.sample_rate == next.sample_rate
            && now.tracks.len() == next.tracks.len()
            && now.tracks.iter().zip(&next.tracks).all(|(a, b)| {
                a.name == b.name
                    && a.clips == b.clips
                    && a.sends
                        .iter()
                        .map(|s| &s.to)
                        .eq(b.sends.iter().map(|s| &s.to))
            })
            && now
                .returns
                .iter()
                .map(|r| &r.name)
                .eq(next.returns.iter().map(|r| &r.name));
        if !same_shape {
            return Ok(Update::Reload);
        }
        let h = &mut self.playback.handle;
        for (i, (a, b)) in now.tracks.iter().zip(&next.tracks).enumerate() {
            if a.fx != b.fx && h.set_chain(FxTarget::Track(i), &b.fx).is_err() {
                return Ok(Update::Reload);
            }
        }
        for (i, (a, b)) in now.returns.iter().zip(&next.returns).enumerate() {
            if a.fx != b.fx && h.set_chain(FxTarget::Return(i), &b.fx).is_err() {
                return Ok(Update::Reload);
            }
            if a.gain_db != b.gain_db {
                h.send(Command::ReturnGain {
                    bus: i,
                    db: b.gain_db.clamp(-120.0, 24.0),
                })?;
            }
        }
        for (i, (a, b)) in now.tracks.iter().zip(&next.tracks).enumerate() {
            for (k, (x, y)) in a.sends.iter().zip(&b.sends).enumerate() {
                if x.level_db != y.level_db {
                    h.send(Command::Send {
                        track: i,
                        send: k,
                        db: y.level_db.clamp(-120.0, 12.0),
                    })?;
                }
            }
        }
        for (i, (a, b)) in now.tracks.iter().zip(&next.tracks).enumerate() {
            if a.gain_db != b.gain_db {
                h.send(Command::Gain {
                    track: i,
                    db: b.gain_db.clamp(-120.0, 24.0),
                })?;
            }
            if a.pan != b.pan {
                h.send(Command::Pan {
                    track: i,
                    position: b.pan.clamp(-1.0, 1.0),
                })?;
            }
            if a.mute != b.mute {
                h.send(Command::Mute {
                    track: i,
                    on: b.mute,
                })?;
            }
            if a.solo != b.solo {
                h.send(Command::Solo {
                    track: i,
                    on: b.solo,
                })?;
            }
        }
        if now.master != next.master {
            h.set_chain(FxTarget::Master, &next.master)?;
        }
        self.session = next.clone();
        Ok(Update::Applied)
    }

    /// A frame now (without taking the meters' peaks or the events the reporter sends). It
    /// says playing as soon as play was asked, before the device's next callback starts it.
    pub fn frame(&self) -> PlaybackFrame {
        let st = self.playback.handle.status();
        PlaybackFrame {
            seconds: st.position as f64 / f64::from(self.playback.sample_rate),
            playing: self.playing && !st.finished,
            finished: st.finished,
            looping: self.looping(),
            master: (0.0, 0.0),
            tracks: Vec::new(),
            deadline_misses: count(st.deadline_misses),
            worst_load: st.worst_load,
            device: st.device,
            stream_errors: count(st.stream_errors),
            events: Vec::new(),
        }
    }
}

impl Drop for LivePlayer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(r) = self.reporter.take() {
            let _ = r.join();
        }
    }
}

/// The reporter thread: a frame about every [`FRAME_EVERY`] until `stop` — while stopped, only
/// when something changed (position, device, an event).
fn report(
    meters: &Meters,
    names: &[String],
    rate: u32,
    looping: &Mutex<Option<(f64, f64)>>,
    stop: &AtomicBool,
    sink: &FrameSink,
) {
    let mut last: Option<(u64, Option<String>)> = None;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(FRAME_EVERY);
        let st = meters.status();
        let events = meters.take_events();
        let now = (st.position, st.device.clone());
        if !st.playing && events.is_empty() && last.as_ref() == Some(&now) {
            continue;
        }
        last = if st.playing { None } else { Some(now) };
        let peaks = meters.take_track_peaks();
        sink(PlaybackFrame {
            seconds: st.position as f64 / f64::from(rate),
            playing: st.playing,
            finished: st.finished,
            looping: *lock(looping),
            master: meters.take_peaks(),
            tracks: names
                .iter()
                .zip(peaks)
                .map(|(n, p)| TrackLevel {
                    track: n.clone(),
                    peak: p,
                })
                .collect(),
            deadline_misses: count(st.deadline_misses),
            worst_load: st.worst_load,
            device: st.device,
            stream_errors: count(st.stream_errors),
            events,
        });
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A counter as the UI takes it (32 bits are years of callbacks).
fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
