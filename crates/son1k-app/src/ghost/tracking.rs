//! Tracking: recording onto armed tracks while the session plays through the engine, the way a
//! musician overdubs — a count-in, the backing (and the metronome when it is on) from the
//! playhead, then the take placed on the beat: the clocks of the output and the input line it
//! up, and the measured round trip ([`super::latency`]) compensates what they cannot see.
//!
//! - **Punch** (`punch: (a, b)`): the take replaces only what the armed tracks played between
//!   `a` and `b`, crossfaded at both edges; the rest of each track plays as before.
//! - **Loop recording** (`cycle: (a, b)`): the transport loops the region; every full pass is
//!   kept as a take on the track's take lane (for comping, [`TrackEdit::UseTake`]), and the last
//!   one plays.
//! - **Record-arm**: several tracks at once, each from its own input channel.
//!
//! The whole result is one edit: one undo removes the take from every track.
//!
//! [`TrackEdit::UseTake`]: super::TrackEdit::UseTake

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use son1k_audio::mixdown::{Clip, Track};
use son1k_audio::{AudioBuffer, SampleFormat};
use son1k_ghost::editor::Edit;
use son1k_ghost::takes::{region_clip, replace_region};

use super::latency::{self, Alignment};
use super::live::{FrameSink, LiveOutput, LivePlayer, PlaybackFrame};
use super::metronome::{Metronome, METRONOME_TRACK};
use super::recorder::{InputLevel, TakeRecorder};
use super::views::ProjectView;
use super::{edit_error, ghost_err, Mixing};
use crate::{AppError, Studio};

/// The track a count-in plays on while a take is recorded.
const COUNT_IN_TRACK: &str = "count-in";
/// How long past the session's end the metronome keeps clicking while recording, seconds.
const CLICK_TAIL: f64 = 60.0;

/// A track armed for recording and the input channel it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Arm {
    /// The track (made when the session has none by that name).
    pub track: String,
    /// The input channel, from 1; `null`: the input's first two channels (stereo), or its only
    /// one.
    pub channel: Option<u16>,
}

/// How a take is recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordPlan {
    /// Where the take starts on the timeline, seconds (the playhead); with `cycle`, its start.
    pub from: f64,
    /// Bars of count-in before `from` (0, 1 or 2), clicked by `metronome`.
    pub count_in: u32,
    /// The count-in's tempo and bar (needed when `count_in` is above 0).
    pub metronome: Option<Metronome>,
    /// Punch in at the first time and out at the second (seconds): only that region is kept.
    pub punch: Option<(f64, f64)>,
    /// Loop this region (seconds) and keep every full pass as a take.
    pub cycle: Option<(f64, f64)>,
    /// The armed tracks; none: one new stereo track.
    pub arms: Vec<Arm>,
    /// Hear the input through the engine over the session while recording (use headphones:
    /// speakers the microphone hears feed back). Needs the input at the session's rate.
    #[serde(default)]
    pub monitor: bool,
}

/// A take being recorded into an open project.
pub struct Tracking {
    plan: RecordPlan,
    /// Seconds the transport runs ahead of the timeline (the count-in).
    pre: f64,
    rate: u32,
    /// Taken when the take stops.
    recorder: Option<TakeRecorder>,
    align: Alignment,
    /// Tracks that will get the take (names resolved when it started).
    arms: Vec<Arm>,
    /// Whether a calibration was in force, and the manual nudge (seconds).
    calibrated: bool,
    manual: f64,
}

impl std::fmt::Debug for Tracking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracking")
            .field("plan", &self.plan)
            .field("recorder", &self.recorder)
            .finish()
    }
}

/// What recording a take did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordedTake {
    /// The project now.
    pub project: ProjectView,
    /// The tracks that got the take.
    pub tracks: Vec<String>,
    /// Full passes kept as takes (loop recording; 0 otherwise).
    pub passes: u32,
    /// Where the take's audio starts on the timeline, seconds.
    pub start: f64,
    /// Seconds of it placed.
    pub seconds: f64,
    /// The latency compensation applied, milliseconds.
    pub compensation_ms: f64,
    /// Where it came from.
    pub compensation: Compensation,
    /// The recorded file, relative to the project folder.
    pub file: String,
}

/// Where a take's latency compensation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Compensation {
    /// The input heard the count-in (a loopback, or speakers the microphone hears): the round
    /// trip was measured on this very take from its clicks (plus the manual nudge).
    CountIn,
    /// The round trip saved by the last calibration (plus the nudge).
    Calibration,
    /// Nothing measured: the nudge alone.
    None,
}

fn invalid(field: &str, value: String, why: &str) -> AppError {
    AppError::Invalid(son1k_core::ValidationError::new(field, value, why))
}

fn region_ok(r: Option<(f64, f64)>, field: &str) -> Result<(), AppError> {
    match r {
        Some((a, b)) if !(a.is_finite() && b.is_finite() && a >= 0.0 && b > a + 0.05) => {
            Err(invalid(
                field,
                format!("{a}–{b}"),
                "must be a region of 0 s or later, at least 50 ms long",
            ))
        }
        _ => Ok(()),
    }
}

impl RecordPlan {
    fn check(&self) -> Result<(), AppError> {
        if !(self.from.is_finite() && (0.0..=86_400.0).contains(&self.from)) {
            return Err(invalid(
                "from",
                self.from.to_string(),
                "must be 0 s or later",
            ));
        }
        if self.count_in > 2 {
            return Err(invalid(
                "count_in",
                self.count_in.to_string(),
                "must be 0, 1 or 2 bars",
            ));
        }
        if self.count_in > 0 && self.metronome.is_none() {
            return Err(invalid(
                "metronome",
                "none".into(),
                "a count-in needs the metronome's tempo and bar",
            ));
        }
        region_ok(self.punch, "punch")?;
        region_ok(self.cycle, "cycle")?;
        if self.punch.is_some() && self.cycle.is_some() {
            return Err(invalid(
                "cycle",
                "with punch".into(),
                "record either a punch or a loop, not both",
            ));
        }
        if let Some((a, _)) = self.punch {
            if a < self.from {
                return Err(invalid(
                    "punch",
                    a.to_string(),
                    "must start at or after where the take starts",
                ));
            }
        }
        for (i, arm) in self.arms.iter().enumerate() {
            if self.arms[..i].iter().any(|x| x.track == arm.track) {
                return Err(invalid(
                    "arms",
                    arm.track.clone(),
                    "a track can be armed once",
                ));
            }
            if arm.track == METRONOME_TRACK
                || arm.track == COUNT_IN_TRACK
                || arm.track.trim().is_empty()
            {
                return Err(invalid(
                    "arms",
                    arm.track.clone(),
                    "is not a name a recorded track can have",
                ));
            }
        }
        Ok(())
    }

    /// Where the transport starts on the timeline, seconds.
    fn start(&self) -> f64 {
        self.cycle.map_or(self.from, |(a, _)| a)
    }
}

impl Mixing {
    /// Whether a take is being recorded.
    pub fn is_recording(&self) -> bool {
        self.tracking.is_some()
    }

    /// Starts recording a take as `plan` says: opens the default input, then plays the
    /// session on `output` from the count-in before the take's start (the count-in's clicks,
    /// the session, the metronome when it is on; looping `cycle`), so the musician plays along.
    /// `on_level` hears the input level, `sink` the playback frames (timeline seconds; the
    /// count-in reads as the seconds before the start). Returns the input device's name.
    pub fn record_start(
        &mut self,
        studio: &Studio,
        plan: RecordPlan,
        output: LiveOutput,
        on_level: impl FnMut(InputLevel) + Send + 'static,
        sink: FrameSink,
    ) -> Result<String, AppError> {
        if self.tracking.is_some() {
            return Err(AppError::JobFailed {
                kind: "record".into(),
                message: "a take is already being recorded".into(),
            });
        }
        plan.check()?;
        let rate = self.editor.session().sample_rate;
        let pre = plan
            .metronome
            .map_or(0.0, |m| m.bar_seconds() * f64::from(plan.count_in));
        let mut arms = plan.arms.clone();
        if arms.is_empty() {
            arms.push(Arm {
                track: self.free_track_name("take"),
                channel: None,
            });
        }
        let settings = latency::settings(studio);
        let offset = settings.offset_seconds(rate);
        let session = self.recording_session(&plan, pre)?;
        // The engine's stream goes first: a device (or a virtual one's monitor) takes one.
        self.live = None;
        // The input at the session's rate when it offers it (no resampling between the two
        // streams), feeding the engine too when monitored.
        let (monitor, heard) = match plan.monitor {
            true => {
                let (tx, rx) = son1k_audio::engine::monitor_ring(rate, 8, 0.5);
                (Some(tx), Some(rx))
            }
            false => (None, None),
        };
        let recorder = TakeRecorder::start_in_with(
            &self.folder().join("audio"),
            Some(rate),
            monitor,
            on_level,
        )?
        .wait_for_audio()?;
        let channels = recorder.format().channels;
        if plan.monitor && recorder.format().sample_rate != rate {
            let input_rate = recorder.format().sample_rate;
            discard(recorder);
            return Err(invalid(
                "monitor",
                format!("{input_rate} Hz"),
                &format!("input monitoring needs the input at the session's {rate} Hz, and this input records at {input_rate} Hz: monitor on the interface, or record without monitoring"),
            ));
        }
        if let Some(bad) = arms
            .iter()
            .find(|a| a.channel.is_some_and(|c| c == 0 || c > channels))
        {
            discard(recorder);
            return Err(invalid(
                "channel",
                format!("{} for {}", bad.channel.unwrap_or(0), bad.track),
                &format!("the input has channels 1–{channels}"),
            ));
        }
        let shifted: FrameSink = Arc::new(move |mut f: PlaybackFrame| {
            f.seconds -= pre;
            f.looping = f.looping.map(|(a, b)| (a - pre, b - pre));
            sink(f)
        });
        let start = plan.start();
        let mut player = LivePlayer::start(
            &session,
            &self.project.folder,
            output,
            start,
            None,
            true,
            shifted,
        )?;
        if let Some((a, b)) = plan.cycle {
            player.set_loop(Some((a + pre, b + pre)))?;
        }
        if let Some(rx) = heard {
            // At most 20 ms waiting beyond a callback's own: the monitor never lags further.
            let tap = son1k_audio::engine::InputTap::new(rx, channels, 0.0, rate as usize / 50);
            player.set_input_tap(Some(tap))?;
        }
        let align = Alignment::start(&player, recorder.clock(), offset)?;
        let device = recorder.device().to_string();
        self.live = Some(player);
        self.tracking = Some(Tracking {
            plan,
            pre,
            rate,
            recorder: Some(recorder),
            align,
            arms,
            calibrated: !settings.measured.is_empty(),
            manual: settings.manual_ms / 1000.0,
        });
        Ok(device)
    }

    /// The session the transport plays while recording: the project's (and the metronome when
    /// it is on, clicking on past the end), everything `pre` seconds later, with the count-in's
    /// clicks in front of the take's start.
    fn recording_session(
        &mut self,
        plan: &RecordPlan,
        pre: f64,
    ) -> Result<son1k_ghost::Session, AppError> {
        let mut session = self.editor.session().clone();
        let rate = session.sample_rate;
        if let Some(m) = self.metronome {
            let seconds = (self.session_seconds()?.max(plan.start()) + CLICK_TAIL).ceil();
            let file = self.metronome_file(&m, seconds, 0, rate)?;
            // From the take's start on; the count-in clicks before it.
            let mut clip = Clip::whole(file, plan.start());
            clip.trim_start = plan.start();
            session.tracks.push(Track::new(METRONOME_TRACK, vec![clip]));
        }
        for t in &mut session.tracks {
            for c in &mut t.clips {
                c.offset += pre;
            }
        }
        if let (Some(m), true) = (plan.metronome, plan.count_in > 0) {
            let file = self.metronome_file(&m, 0.0, plan.count_in, rate)?;
            session.tracks.push(Track::new(
                COUNT_IN_TRACK,
                vec![Clip::whole(file, plan.start())],
            ));
        }
        Ok(session)
    }

    /// Stops the take and places it: on every armed track at the position the clocks and the
    /// latency compensation give, a punch replacing only its region, a loop recording's passes
    /// on the take lane — all as one undoable edit. A take with nothing in the region is
    /// refused and its file removed.
    pub fn record_stop(&mut self) -> Result<RecordedTake, AppError> {
        let mut t = self
            .tracking
            .take()
            .ok_or_else(|| edit_error("nothing is being recorded".into()))?;
        self.live = None;
        let file = t
            .recorder
            .take()
            .ok_or_else(|| edit_error("nothing is being recorded".into()))?
            .stop()?;
        let placed = self.place(&mut t, &file);
        if placed.is_err() {
            let _ = std::fs::remove_file(&file);
        }
        placed
    }

    fn place(&mut self, t: &mut Tracking, file: &Path) -> Result<RecordedTake, AppError> {
        let audio = son1k_audio::decode_file(file)?;
        let compensation = match count_in_offset(t, &audio, self.metronome) {
            Some(measured) => {
                t.align.set_offset(measured + t.manual);
                Compensation::CountIn
            }
            None if t.calibrated => Compensation::Calibration,
            None => Compensation::None,
        };
        let file_seconds = audio.frames() as f64 / f64::from(audio.sample_rate);
        let rate = f64::from(t.rate);
        let at = |timeline: f64, pass: f64| -> Result<f64, AppError> {
            let loop_frames = t.plan.cycle.map_or(0.0, |(a, b)| ((b - a) * rate).round());
            t.align
                .take_seconds(((timeline + t.pre) * rate).round() + pass * loop_frames)
                .ok_or_else(|| edit_error("the output or the input never reported time".into()))
        };
        // The region placed, where the file holds it, and the passes kept.
        let (a, b, in_file, passes) = match (t.plan.cycle, t.plan.punch) {
            (Some((a, b)), _) => {
                let mut passes = Vec::new();
                loop {
                    let s = at(a, passes.len() as f64)?;
                    if s + (b - a) > file_seconds || passes.len() >= 999 {
                        break;
                    }
                    passes.push(s);
                }
                match passes.last() {
                    Some(&s) => (a, b, s, passes),
                    None => {
                        let s = at(a, 0.0)?;
                        (a, a + (file_seconds - s), s, passes)
                    }
                }
            }
            (None, Some((a, b))) => {
                let s = at(a, 0.0)?;
                (a, b.min(a + (file_seconds - s)), s, Vec::new())
            }
            (None, None) => {
                let a = t.plan.from;
                let s = at(a, 0.0)?;
                (a, a + (file_seconds - s), s, Vec::new())
            }
        };
        if b - a < 0.01 || in_file < 0.0 {
            return Err(AppError::Invalid(son1k_core::ValidationError::new(
                "take",
                file.display().to_string(),
                "the take stopped before its region began: nothing was recorded there",
            )));
        }
        let mut tracks = Vec::new();
        let mut names = Vec::new();
        let stamp = crate::project::now_ms();
        for arm in &t.arms {
            let own = if t.arms.len() == 1 && arm.channel.is_none() {
                file.to_path_buf()
            } else {
                let picked = pick_channels(&audio, arm.channel)?;
                let name = format!("{}-{stamp}.wav", crate::project::file_safe(&arm.track));
                let path = self.project.folder.join("audio").join(name);
                son1k_audio::write_file(&path, &picked, SampleFormat::F32)?;
                path
            };
            let rel = own
                .strip_prefix(&self.project.folder)
                .map_err(|_| edit_error(format!("{} is not inside the project", own.display())))?
                .to_path_buf();
            self.lengths.insert(own.clone(), file_seconds);
            let existing = self
                .editor
                .session()
                .tracks
                .iter()
                .find(|x| x.name == arm.track);
            let mut track = match existing {
                Some(x) => x.clone(),
                None => Track::new(arm.track.clone(), Vec::new()),
            };
            let ends = if existing.is_some() {
                self.clip_ends(&arm.track)?
            } else {
                Vec::new()
            };
            track.takes.extend(passes.iter().map(|&s| {
                let mut c = Clip::whole(rel.clone(), a);
                c.trim_start = s;
                c.length = Some(b - a);
                c
            }));
            let new = region_clip(&rel, in_file, file_seconds, a, b);
            track.clips = replace_region(&track.clips, &ends, a, b, new);
            names.push(track.name.clone());
            tracks.push(track);
        }
        self.editor
            .apply(Edit::PutTracks {
                tracks,
                sample_rate: t.rate,
            })
            .map_err(ghost_err)?;
        let project = self.save()?;
        Ok(RecordedTake {
            project,
            tracks: names,
            passes: passes.len() as u32,
            start: a,
            seconds: b - a,
            compensation_ms: t.align.offset_seconds() * 1000.0,
            compensation,
            file: file
                .strip_prefix(&self.project.folder)
                .unwrap_or(file)
                .to_string_lossy()
                .replace('\\', "/"),
        })
    }
}

/// The round trip measured on the take's own count-in, seconds (what the clocks do not see);
/// see [`heard_in`]. When the metronome (`playing`) goes on clicking into the take at the
/// count-in's beat, its first three clicks inside the take are looked for too, near where the
/// count-in says: a sound server can change its latency between the count-in and the take (it
/// grows its buffer by a fragment after an underrun), and those clicks are what the take holds.
fn count_in_offset(t: &Tracking, audio: &AudioBuffer, playing: Option<Metronome>) -> Option<f64> {
    let m = t.plan.metronome.filter(|_| t.plan.count_in > 0)?;
    let beat = m.beat_seconds();
    let place = |timeline: f64| {
        t.align
            .clock_seconds(((timeline + t.pre) * f64::from(t.rate)).round())
    };
    let predicted = (0..m.beats_per_bar * t.plan.count_in)
        .map(|k| place(t.plan.start() - t.pre + f64::from(k) * beat))
        .collect::<Option<Vec<f64>>>()?;
    let mono = mono_of(audio);
    let counted = heard_in(&m, &predicted, &mono, audio.sample_rate)?;
    let in_take = playing
        .filter(|p| (p.beat_seconds() - beat).abs() < 1e-9 && p.beats_per_bar == m.beats_per_bar)
        .and_then(|p| {
            // The session's metronome clicks from the timeline's zero, accented on its bars.
            let first = (t.plan.start() / beat - 1e-6).ceil().max(0.0);
            let clicks = (0..3)
                .map(|j| {
                    let n = first + f64::from(j);
                    let beat_in_bar = (n as u64 % u64::from(p.beats_per_bar)) as usize;
                    Some((place(n * beat)?, beat_in_bar))
                })
                .collect::<Option<Vec<(f64, usize)>>>()?;
            // Within the near search's reach of the count-in's figure (less than half a beat:
            // the clicks repeat every beat).
            measure_clicks(
                &p,
                &mono,
                audio.sample_rate,
                &clicks,
                counted,
                (0.45 * beat).min(0.3),
            )
        });
    Some(in_take.unwrap_or(counted))
}

/// All of `audio`'s channels summed.
fn mono_of(audio: &AudioBuffer) -> Vec<f32> {
    (0..audio.frames())
        .map(|i| audio.channels.iter().map(|c| c[i]).sum::<f32>())
        .collect()
}

/// Looks for `clicks` (each: where the clocks place it, seconds into `mono`, and its beat in the
/// bar) within `reach` of that place moved by `shift`: how far after their places they were
/// heard, the mean, when every one is found clearly and they agree to within a millisecond.
fn measure_clicks(
    m: &Metronome,
    mono: &[f32],
    rate: u32,
    clicks: &[(f64, usize)],
    shift: f64,
    reach: f64,
) -> Option<f64> {
    let r = f64::from(rate);
    let bar = m.clicks(m.bar_seconds(), rate);
    let length = (0.03 * r) as usize;
    let frame = |seconds: f64| (seconds * r).max(0.0) as usize;
    let mut readings = Vec::with_capacity(clicks.len());
    for &(p, beat_in_bar) in clicks {
        let at = (beat_in_bar as f64 * m.beat_seconds() * r).round() as usize;
        let reference = bar.channels[0].get(at..at + length)?;
        let near = p + shift;
        match latency::find(mono, reference, frame(near - reach), frame(near + reach)) {
            Some((pos, score)) if score > 0.6 => readings.push(pos / r - p),
            _ => return None,
        }
    }
    if readings.is_empty() {
        return None;
    }
    let (_, spread) = latency::median_spread(&readings);
    (spread <= 0.001).then(|| readings.iter().sum::<f64>() / readings.len() as f64)
}

/// How far after where the clocks place them (`predicted`: each count-in click, seconds into
/// `mono`, the recording at `rate` summed to mono) the input heard the count-in's clicks. Each of the last three clicks — the nearest
/// to the take, after any change a sound server made while the stream started — is looked for
/// near its prediction (within 45 % of a beat, 300 ms at most). When they are not all there
/// (a sound server that grew its buffer while the stream started moves them further, and
/// clicks repeat every beat, so a wider search would be ambiguous), the first click, the first
/// sound after the silence before the count-in, says how far they moved, and the last three
/// are looked for again within 20 ms of that. Their mean when all three are found clearly and
/// agree to within a millisecond, else `None`.
fn heard_in(m: &Metronome, predicted: &[f64], mono: &[f32], rate: u32) -> Option<f64> {
    let n = predicted.len();
    if n < 3 || mono.is_empty() {
        return None;
    }
    let r = f64::from(rate);
    let beat = m.beat_seconds();
    let bpb = m.beats_per_bar as usize;
    let last: Vec<(f64, usize)> = predicted
        .iter()
        .enumerate()
        .skip(n - 3)
        .map(|(k, &p)| (p, k % bpb))
        .collect();
    let frame = |seconds: f64| (seconds * r).max(0.0) as usize;
    measure_clicks(m, mono, rate, &last, 0.0, (0.45 * beat).min(0.3)).or_else(|| {
        // The first click: the first sample past a third of the count-in's peak, matched to
        // the accent within a few milliseconds of it.
        let end = frame(predicted[n - 1] + beat + 0.3).min(mono.len());
        let peak = mono[..end].iter().fold(0.0f32, |a, &x| a.max(x.abs()));
        if peak <= 1e-4 {
            return None;
        }
        let onset = mono[..end].iter().position(|&x| x.abs() > peak / 3.0)?;
        let bar = m.clicks(m.bar_seconds(), rate);
        let accent = bar.channels[0].get(..(0.03 * r) as usize)?;
        let (pos, score) = latency::find(
            mono,
            accent,
            onset.saturating_sub(frame(0.01)),
            onset + frame(0.005),
        )?;
        (score > 0.6).then_some(())?;
        measure_clicks(m, mono, rate, &last, pos / r - predicted[0], 0.02)
    })
}

/// [`heard_in`] on a recording (summed to mono here).
#[cfg(test)]
fn heard_offset(m: &Metronome, predicted: &[f64], audio: &AudioBuffer) -> Option<f64> {
    heard_in(m, predicted, &mono_of(audio), audio.sample_rate)
}

/// Stops a take that will not be placed and removes its file.
fn discard(recorder: TakeRecorder) {
    if let Ok(file) = recorder.stop() {
        let _ = std::fs::remove_file(file);
    }
}

/// Channel `channel` (from 1) of `audio` as mono, or its first two channels (`None`).
fn pick_channels(audio: &AudioBuffer, channel: Option<u16>) -> Result<AudioBuffer, AppError> {
    let chans = match channel {
        Some(c) => vec![audio
            .channels
            .get(usize::from(c).saturating_sub(1))
            .cloned()
            .ok_or_else(|| invalid("channel", c.to_string(), "the take has no such channel"))?],
        None => audio.channels.iter().take(2).cloned().collect(),
    };
    Ok(AudioBuffer::new(audio.sample_rate, chans)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recording at 48 kHz: `silence` seconds of nothing, then two bars of count-in and the
    /// metronome going on (clicks every beat from there), `noise` added throughout.
    fn heard(m: &Metronome, silence: f64, seconds: f64, noise: f32) -> AudioBuffer {
        let rate = 48_000;
        let clicks = m.clicks(seconds - silence, rate);
        let lead = (silence * 48_000.0).round() as usize;
        let mut seed = 0x2545_f491_u32;
        let mut out = vec![0.0f32; lead + clicks.frames()];
        for (i, s) in out.iter_mut().enumerate() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let n = noise * (seed as f32 / u32::MAX as f32 - 0.5);
            *s = n + i.checked_sub(lead).map_or(0.0, |j| clicks.channels[0][j]);
        }
        AudioBuffer::new(rate, vec![out]).unwrap()
    }

    fn predicted(m: &Metronome, first: f64) -> Vec<f64> {
        (0..2 * m.beats_per_bar)
            .map(|k| first + f64::from(k) * m.beat_seconds())
            .collect()
    }

    #[test]
    fn the_count_in_is_found_near_the_clocks_and_far_from_them() {
        let m = Metronome::new(240.0, 4, -6.0, false).unwrap();
        // The clocks place the first click at 0.5 s; it was heard 3 ms, 180 ms later and
        // 200 ms earlier (more than 45 % of a beat: the near search alone would miss it).
        for moved in [0.003, -0.004, 0.18, -0.2] {
            let audio = heard(&m, 0.5 + moved, 5.0, 0.002);
            let got = heard_offset(&m, &predicted(&m, 0.5), &audio).unwrap();
            assert!((got - moved).abs() < 1e-4, "moved {moved}: {got}");
        }
    }

    #[test]
    fn the_takes_own_clicks_measure_a_latency_that_moved_after_the_count_in() {
        let m = Metronome::new(240.0, 4, -6.0, false).unwrap();
        let (rate, lead, moved) = (48_000u32, 0.5, 0.026);
        let clicks = m.clicks(5.0, rate);
        let mut out = vec![0.0f32; 6 * 48_000];
        // Two bars of count-in where the clocks place them, then the take's clicks 26 ms
        // later (the sound server grew its buffer by a fragment in between).
        let split = (2.0 * m.bar_seconds() * 48_000.0) as usize;
        for (i, &x) in clicks.channels[0].iter().enumerate() {
            let shift = if i < split { lead } else { lead + moved };
            let at = i + (shift * 48_000.0f64).round() as usize;
            if let Some(o) = out.get_mut(at) {
                *o += x;
            }
        }
        let audio = AudioBuffer::new(rate, vec![out]).unwrap();
        let counted = heard_offset(&m, &predicted(&m, lead), &audio).unwrap();
        assert!(
            counted.abs() < 1e-4,
            "the count-in as the clocks placed it: {counted}"
        );
        let take: Vec<(f64, usize)> = (0..3)
            .map(|j| {
                (
                    lead + 2.0 * m.bar_seconds() + f64::from(j) * m.beat_seconds(),
                    j as usize,
                )
            })
            .collect();
        let got = measure_clicks(&m, &mono_of(&audio), rate, &take, counted, 0.11).unwrap();
        assert!((got - moved).abs() < 1e-4, "the take's clicks: {got}");
        // Clicks that are not in the take (nothing there) measure nothing.
        let silent = AudioBuffer::new(rate, vec![vec![0.0; 6 * 48_000]]).unwrap();
        assert_eq!(
            measure_clicks(&m, &mono_of(&silent), rate, &take, 0.0, 0.11),
            None
        );
    }

    #[test]
    fn no_count_in_heard_measures_nothing() {
        let m = Metronome::new(240.0, 4, -6.0, false).unwrap();
        // Noise alone, silence, and clicks at another tempo.
        let noise = heard(&m, 10.0, 5.0, 0.3);
        assert_eq!(heard_offset(&m, &predicted(&m, 0.5), &noise), None);
        let silent = AudioBuffer::new(48_000, vec![vec![0.0; 240_000]]).unwrap();
        assert_eq!(heard_offset(&m, &predicted(&m, 0.5), &silent), None);
        let other = Metronome::new(97.0, 4, -6.0, false).unwrap();
        let wrong = heard(&other, 0.5, 5.0, 0.0);
        assert_eq!(heard_offset(&m, &predicted(&m, 0.5), &wrong), None);
    }
}
