//! The edits the Ghost Studio screen sends: the wire format of the session's mix, clips, tracks
//! and effect chains, which the desktop's bindings are generated from and the editor applies.

use serde::{Deserialize, Serialize};
use son1k_audio::fx::FxSpec;

/// One edit of the session as the screen sends it: the mix, clips, tracks and effect chains.
/// Clips and effects are numbered from 0 in their track's (or chain's) order; `track: null` in
/// the effect edits means the master chain. The editor applies it as
/// [`Edit::Track`](crate::editor::Edit::Track), refusing values out of range; its caller measures
/// the clip's file for trims and fades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrackEdit {
    /// Track gain in dB (−60 … +12).
    Gain {
        /// Track name.
        track: String,
        /// dB.
        db: f32,
    },
    /// Pan, −1 … 1.
    Pan {
        /// Track name.
        track: String,
        /// Pan.
        pan: f32,
    },
    /// Mute on or off.
    Mute {
        /// Track name.
        track: String,
        /// On.
        on: bool,
    },
    /// Solo on or off.
    Solo {
        /// Track name.
        track: String,
        /// On.
        on: bool,
    },
    /// Moves a clip to start at `offset` seconds (0 or later).
    MoveClip {
        /// Track name.
        track: String,
        /// Clip number.
        clip: u32,
        /// New start, seconds.
        offset: f64,
    },
    /// Trims a clip: play its file from `trim_start` for `length` seconds (to the end when
    /// null); the region must lie inside the file. With `offset`, the clip also starts there
    /// (a left-edge drag keeps the audio in place in one edit).
    TrimClip {
        /// Track name.
        track: String,
        /// Clip number.
        clip: u32,
        /// Seconds skipped at the file's start.
        trim_start: f64,
        /// Seconds played.
        length: Option<f64>,
        /// New start on the timeline, seconds.
        #[serde(default)]
        offset: Option<f64>,
    },
    /// Sets a clip's fades (together no longer than the clip).
    Fades {
        /// Track name.
        track: String,
        /// Clip number.
        clip: u32,
        /// Fade-in, seconds.
        fade_in: f64,
        /// Fade-out, seconds.
        fade_out: f64,
    },
    /// Plays take `take` of `track` (a pass of a loop recording, numbered from 0, oldest
    /// first) between `from` and `to` seconds instead of what the track played there: comping.
    UseTake {
        /// Track name.
        track: String,
        /// Take number.
        take: u32,
        /// Start on the timeline, seconds.
        from: f64,
        /// End on the timeline, seconds.
        to: f64,
    },
    /// Removes a clip.
    DeleteClip {
        /// Track name.
        track: String,
        /// Clip number.
        clip: u32,
    },
    /// Removes a track.
    DeleteTrack {
        /// Track name.
        track: String,
    },
    /// Renames a track (the new name must be free).
    RenameTrack {
        /// Track name.
        track: String,
        /// New name.
        name: String,
    },
    /// Adds a return bus: a shared effect (a reverb, a delay) the tracks send to, its output
    /// joining the master bus.
    AddReturn {
        /// Its name (unique among the returns).
        name: String,
        /// Its effects, in order.
        fx: Vec<FxSpec>,
    },
    /// Removes a return bus and every track's send to it.
    DeleteReturn {
        /// The return's name.
        name: String,
    },
    /// A return bus's level into the master, dB (−120 … 24).
    ReturnGain {
        /// The return's name.
        name: String,
        /// dB.
        db: f32,
    },
    /// Replaces a return bus's effects.
    ReturnFx {
        /// The return's name.
        name: String,
        /// Its effects, in order.
        fx: Vec<FxSpec>,
    },
    /// Sets the level of `track`'s send to the return bus `to` (dB, −120 … 12; the send is
    /// made when the track has none to it), or removes the send (`level_db: null`).
    Send {
        /// Track name.
        track: String,
        /// The return's name.
        to: String,
        /// dB, or null to remove the send.
        level_db: Option<f32>,
    },
    /// Inserts an effect (at the end when `at` is null).
    FxAdd {
        /// Track name; null for the master.
        track: Option<String>,
        /// Position in the chain.
        at: Option<u32>,
        /// The effect.
        fx: FxSpec,
    },
    /// Removes an effect.
    FxRemove {
        /// Track name; null for the master.
        track: Option<String>,
        /// Effect number.
        index: u32,
    },
    /// Moves an effect to another position in its chain.
    FxMove {
        /// Track name; null for the master.
        track: Option<String>,
        /// Effect number.
        from: u32,
        /// Its new position.
        to: u32,
    },
    /// Replaces an effect's parameters (or the effect).
    FxSet {
        /// Track name; null for the master.
        track: Option<String>,
        /// Effect number.
        index: u32,
        /// The effect.
        fx: FxSpec,
    },
}
