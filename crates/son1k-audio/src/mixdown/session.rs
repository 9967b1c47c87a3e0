//! The session description a [`super::Renderer`] plays and `SESSION.json` holds: tracks of clips
//! with gain, pan, mute/solo, effects and sends to return buses, and the master chain.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fx::{db_to_gain, FxSpec};
use crate::AudioError;

/// A session description, as stored in `SESSION.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Rate everything is rendered at (clips are resampled to it).
    #[serde(default = "default_rate")]
    pub sample_rate: u32,
    /// The tracks.
    pub tracks: Vec<Track>,
    /// Effects on the stereo master bus.
    #[serde(default)]
    pub master: Vec<FxSpec>,
    /// Return buses (a shared reverb, a delay): what the tracks send them runs through their
    /// effects and joins the master bus.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub returns: Vec<ReturnBus>,
}

/// Most return buses a session holds.
pub const MAX_RETURNS: usize = 8;

/// A return bus: the sum of what tracks send it, through its effects, at its gain, into the
/// master bus (before the master's effects), lined up with the tracks' dry sound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReturnBus {
    /// Its name, unique in the session (sends name it).
    pub name: String,
    /// Its level into the master bus, dB (−120 … 24).
    #[serde(default)]
    pub gain_db: f32,
    /// Effects, in order (typically a reverb or a delay, fully wet).
    #[serde(default)]
    pub fx: Vec<FxSpec>,
}

/// A track's send to a return bus: the track's sound after its fader and pan (so a muted or
/// faded-out track sends nothing), at `level_db`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrackSend {
    /// The return bus's name.
    pub to: String,
    /// The send's level, dB (−120 … 12; −120 sends nothing at all).
    pub level_db: f32,
}

/// A send's linear gain: exactly 0 at the floor (−120 dB), so a send kept at its lowest stays
/// silent (a reverb return fed at 10⁻⁶ would still ring faintly).
pub(super) fn send_gain(db: f32) -> f32 {
    if db <= -120.0 {
        0.0
    } else {
        db_to_gain(db)
    }
}

fn default_rate() -> u32 {
    48_000
}

/// One track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Track gain in dB.
    #[serde(default)]
    pub gain_db: f32,
    /// Constant-power pan, −1 … 1.
    #[serde(default)]
    pub pan: f32,
    /// Silenced.
    #[serde(default)]
    pub mute: bool,
    /// Soloed: when any track is soloed, only soloed tracks play.
    #[serde(default)]
    pub solo: bool,
    /// Effects, in order, before gain and pan.
    #[serde(default)]
    pub fx: Vec<FxSpec>,
    /// The clips.
    #[serde(default)]
    pub clips: Vec<Clip>,
    /// Takes kept beside the clips and not played: each pass of a loop recording, oldest
    /// first, for comping (a region of one is copied into `clips`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub takes: Vec<Clip>,
    /// Sends to the session's return buses, one per bus at most.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sends: Vec<TrackSend>,
}

/// A region of an audio file placed on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// The audio file (relative paths are relative to the session file's folder).
    pub file: PathBuf,
    /// Where the clip starts on the timeline, in seconds.
    #[serde(default)]
    pub offset: f64,
    /// Seconds trimmed from the start of the file.
    #[serde(default)]
    pub trim_start: f64,
    /// Length to play, in seconds (default: to the end of the file).
    #[serde(default)]
    pub length: Option<f64>,
    /// Clip gain in dB.
    #[serde(default)]
    pub gain_db: f32,
    /// Fade-in length in seconds.
    #[serde(default)]
    pub fade_in: f64,
    /// Fade-out length in seconds.
    #[serde(default)]
    pub fade_out: f64,
}

impl Clip {
    /// A whole file placed at `offset` seconds, at unity gain with no trim or fades.
    pub fn whole(file: impl Into<PathBuf>, offset: f64) -> Self {
        Clip {
            file: file.into(),
            offset,
            trim_start: 0.0,
            length: None,
            gain_db: 0.0,
            fade_in: 0.0,
            fade_out: 0.0,
        }
    }
}

impl Track {
    /// A track at unity gain, centred, neither muted nor soloed, with no effects.
    pub fn new(name: impl Into<String>, clips: Vec<Clip>) -> Self {
        Track {
            name: name.into(),
            gain_db: 0.0,
            pan: 0.0,
            mute: false,
            solo: false,
            fx: Vec::new(),
            clips,
            takes: Vec::new(),
            sends: Vec::new(),
        }
    }
}

impl Session {
    /// Reads and validates a session file.
    pub fn load(path: &Path) -> Result<Session, AudioError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| AudioError::io(path, "could not read", e))?;
        let s: Session = serde_json::from_str(&text).map_err(|e| {
            AudioError::Invalid(format!("{}: not a valid session: {e}", path.display()))
        })?;
        s.validate()?;
        Ok(s)
    }

    /// Checks rates, times and levels.
    pub fn validate(&self) -> Result<(), AudioError> {
        let bad = |m: String| Err(AudioError::Invalid(m));
        if !(8_000..=192_000).contains(&self.sample_rate) {
            return bad(format!(
                "session sample rate must be 8000–192000 Hz, not {}",
                self.sample_rate
            ));
        }
        if self.tracks.len() > 256 {
            return bad(format!(
                "a session holds at most 256 tracks, not {}",
                self.tracks.len()
            ));
        }
        for (i, t) in self.tracks.iter().enumerate() {
            let name = if t.name.is_empty() {
                format!("track {}", i + 1)
            } else {
                t.name.clone()
            };
            if !(-1.0..=1.0).contains(&t.pan) || !(-120.0..=24.0).contains(&t.gain_db) {
                return bad(format!("{name}: pan must be −1–1 and gain −120–24 dB"));
            }
            for c in t.clips.iter().chain(&t.takes) {
                let times = [
                    c.offset,
                    c.trim_start,
                    c.fade_in,
                    c.fade_out,
                    c.length.unwrap_or(0.0),
                ];
                if times
                    .iter()
                    .any(|v| !v.is_finite() || *v < 0.0 || *v > 86_400.0)
                {
                    return bad(format!(
                        "{name}: clip {} has a negative or absurd time",
                        c.file.display()
                    ));
                }
                if !(-120.0..=24.0).contains(&c.gain_db) {
                    return bad(format!("{name}: clip gain must be −120–24 dB"));
                }
            }
            for (k, send) in t.sends.iter().enumerate() {
                if !self.returns.iter().any(|r| r.name == send.to) {
                    return bad(format!(
                        "{name}: sends to \"{}\", which is not one of the session's return buses",
                        send.to
                    ));
                }
                if t.sends[..k].iter().any(|o| o.to == send.to) {
                    return bad(format!("{name}: sends to \"{}\" twice", send.to));
                }
                if !(-120.0..=12.0).contains(&send.level_db) {
                    return bad(format!(
                        "{name}: a send's level must be −120–12 dB, not {}",
                        send.level_db
                    ));
                }
            }
        }
        if self.returns.len() > MAX_RETURNS {
            return bad(format!(
                "a session holds at most {MAX_RETURNS} return buses, not {}",
                self.returns.len()
            ));
        }
        for (i, r) in self.returns.iter().enumerate() {
            if r.name.trim().is_empty() || self.returns[..i].iter().any(|o| o.name == r.name) {
                return bad(format!(
                    "return bus {} needs a name of its own, not \"{}\"",
                    i + 1,
                    r.name
                ));
            }
            if !(-120.0..=24.0).contains(&r.gain_db) {
                return bad(format!("{}: return gain must be −120–24 dB", r.name));
            }
        }
        Ok(())
    }
}
