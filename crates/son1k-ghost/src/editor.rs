//! Session editing with undo and redo. Every edit is checked; a rejected edit changes nothing.
//!
//! One history covers everything the user changes in a project: tracks and clips (import, a
//! produced backing, move, trim, fades, delete, rename), the mix (gain, pan, mute, solo), effect
//! chains on tracks and on the master, and the four knobs. Each step snapshots the whole
//! [`State`], so undo restores exactly what was there.

use son1k_audio::fx::FxSpec;
use son1k_audio::mixdown::{Clip, Session, Track};
use son1k_core::Knobs;

use crate::GhostError;

/// How many edits can be undone.
pub const HISTORY: usize = 500;

/// Seed of the knob chain's random parts (noise, modulation), so a project sounds the same
/// every time it is rendered.
pub const KNOB_SEED: u64 = 0x6057;

/// Longest track name.
pub const MAX_NAME: usize = 120;

/// Most effects in one chain.
pub const MAX_FX: usize = 32;

/// Everything one undo step restores.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The multitrack session. Its master chain is the knob chain followed by `master_fx`
    /// (rebuilt whenever either changes).
    pub session: Session,
    /// The four knobs.
    pub knobs: Knobs,
    /// The user's own master effects, after the knob chain.
    pub master_fx: Vec<FxSpec>,
}

/// Which effect chain an effect edit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FxTarget<'a> {
    /// The named track's chain.
    Track(&'a str),
    /// The user's master chain (after the knob chain).
    Master,
}

impl<'a> FxTarget<'a> {
    /// `Some(name)` is a track, `None` the master.
    pub fn of(track: Option<&'a str>) -> Self {
        match track {
            Some(t) => FxTarget::Track(t),
            None => FxTarget::Master,
        }
    }
}

/// A session being edited.
#[derive(Debug, Clone)]
pub struct Editor {
    state: State,
    undo: Vec<State>,
    redo: Vec<State>,
    dirty: bool,
}

fn err<T>(m: String) -> Result<T, GhostError> {
    Err(GhostError::Edit(m))
}

fn time_ok(v: f64) -> bool {
    v.is_finite() && (0.0..=86_400.0).contains(&v)
}

impl Editor {
    /// Starts editing `session` with neutral knobs and no master effects of the user's own (the
    /// session's master chain is kept as it is until the knobs or the master effects change).
    pub fn new(session: Session) -> Self {
        Self::with_state(State {
            session,
            knobs: Knobs::default(),
            master_fx: Vec::new(),
        })
    }

    /// Starts editing a full state.
    pub fn with_state(state: State) -> Self {
        Editor {
            state,
            undo: Vec::new(),
            redo: Vec::new(),
            dirty: false,
        }
    }

    /// The current session.
    pub fn session(&self) -> &Session {
        &self.state.session
    }

    /// The current state (session, knobs, master effects).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The current knobs.
    pub fn knobs(&self) -> Knobs {
        self.state.knobs
    }

    /// The user's master effects (after the knob chain).
    pub fn master_fx(&self) -> &[FxSpec] {
        &self.state.master_fx
    }

    /// Edits that can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Edits that can be redone.
    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }

    /// Whether anything changed since [`Editor::mark_saved`].
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Records that the current state is saved.
    pub fn mark_saved(&mut self) {
        self.dirty = false;
    }

    /// Applies `f` to the whole state as one undoable edit; if it fails or leaves an invalid
    /// session, nothing changes. An edit that changes nothing is not recorded.
    pub fn edit_state(
        &mut self,
        f: impl FnOnce(&mut State) -> Result<(), GhostError>,
    ) -> Result<(), GhostError> {
        let mut next = self.state.clone();
        f(&mut next)?;
        next.session.validate()?;
        if next == self.state {
            return Ok(());
        }
        let prev = std::mem::replace(&mut self.state, next);
        self.undo.push(prev);
        if self.undo.len() > HISTORY {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.dirty = true;
        Ok(())
    }

    /// Applies `f` to the session as one undoable edit; if it fails or leaves an invalid
    /// session, nothing changes.
    pub fn edit(
        &mut self,
        f: impl FnOnce(&mut Session) -> Result<(), GhostError>,
    ) -> Result<(), GhostError> {
        self.edit_state(|s| f(&mut s.session))
    }

    /// Undoes the last edit; false when there is none.
    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(prev) => {
                let cur = std::mem::replace(&mut self.state, prev);
                self.redo.push(cur);
                self.dirty = true;
                true
            }
            None => false,
        }
    }

    /// Redoes the last undone edit; false when there is none.
    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(next) => {
                let cur = std::mem::replace(&mut self.state, next);
                self.undo.push(cur);
                self.dirty = true;
                true
            }
            None => false,
        }
    }

    fn track_mut<'a>(s: &'a mut Session, name: &str) -> Result<&'a mut Track, GhostError> {
        s.tracks
            .iter_mut()
            .find(|t| t.name == name)
            .ok_or_else(|| GhostError::Edit(format!("no track named {name:?}")))
    }

    fn clip_mut<'a>(
        s: &'a mut Session,
        track: &str,
        index: usize,
    ) -> Result<&'a mut Clip, GhostError> {
        let t = Self::track_mut(s, track)?;
        let n = t.clips.len();
        t.clips.get_mut(index).ok_or_else(|| {
            GhostError::Edit(format!(
                "track {track:?} has no clip {index} (it has {n} clip{})",
                if n == 1 { "" } else { "s" }
            ))
        })
    }

    fn check_name(s: &Session, name: &str) -> Result<(), GhostError> {
        if name.trim().is_empty() || name.chars().count() > MAX_NAME {
            return err(format!(
                "a track name must be 1–{MAX_NAME} characters, not {name:?}"
            ));
        }
        if s.tracks.iter().any(|t| t.name == name) {
            return err(format!("a track named {name:?} exists"));
        }
        Ok(())
    }

    /// Adds an empty track (names are unique).
    pub fn add_track(&mut self, name: &str) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::check_name(s, name)?;
            s.tracks.push(Track::new(name, Vec::new()));
            Ok(())
        })
    }

    /// Adds a track holding `clips`, as one edit (an import or a recorded take).
    pub fn add_track_with(&mut self, name: &str, clips: Vec<Clip>) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::check_name(s, name)?;
            s.tracks.push(Track::new(name, clips));
            Ok(())
        })
    }

    /// Puts `tracks` into the session as one edit: a track with the same name as one of them is
    /// replaced in place, the others are appended (a new backing replaces an earlier one).
    pub fn put_tracks(&mut self, tracks: Vec<Track>, sample_rate: u32) -> Result<(), GhostError> {
        self.edit(|s| {
            for t in tracks {
                match s.tracks.iter_mut().find(|x| x.name == t.name) {
                    Some(x) => *x = t,
                    None => s.tracks.push(t),
                }
            }
            s.sample_rate = sample_rate;
            Ok(())
        })
    }

    /// Removes a track.
    pub fn remove_track(&mut self, name: &str) -> Result<(), GhostError> {
        self.edit(|s| {
            let before = s.tracks.len();
            s.tracks.retain(|t| t.name != name);
            if s.tracks.len() == before {
                return err(format!("no track named {name:?}"));
            }
            Ok(())
        })
    }

    /// Renames a track (the new name must be free).
    pub fn rename_track(&mut self, name: &str, to: &str) -> Result<(), GhostError> {
        self.edit(|s| {
            if name == to {
                Self::track_mut(s, name)?;
                return Ok(());
            }
            Self::check_name(s, to)?;
            Self::track_mut(s, name)?.name = to.to_string();
            Ok(())
        })
    }

    /// Adds a clip to a track.
    pub fn add_clip(&mut self, track: &str, clip: Clip) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::track_mut(s, track)?.clips.push(clip);
            Ok(())
        })
    }

    /// Removes a clip from a track.
    pub fn remove_clip(&mut self, track: &str, index: usize) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::clip_mut(s, track, index)?;
            Self::track_mut(s, track)?.clips.remove(index);
            Ok(())
        })
    }

    /// Moves a clip to a new start time (seconds, not negative).
    pub fn move_clip(&mut self, track: &str, index: usize, offset: f64) -> Result<(), GhostError> {
        if !time_ok(offset) {
            return err(format!(
                "a clip cannot start at {offset} s: the start must be 0 s or later"
            ));
        }
        self.edit(|s| {
            Self::clip_mut(s, track, index)?.offset = offset;
            Ok(())
        })
    }

    /// Trims a clip: it plays `trim_start` seconds into its file for `length` seconds (to the
    /// file's end when `None`), starting on the timeline at `offset` when given (dragging a
    /// clip's left edge moves its start and its trim together, in one edit). `file_seconds` is
    /// the file's length; the region must lie inside it. Fades longer than the new length are
    /// shortened to fit.
    #[allow(clippy::too_many_arguments)]
    pub fn trim_clip(
        &mut self,
        track: &str,
        index: usize,
        trim_start: f64,
        length: Option<f64>,
        offset: Option<f64>,
        file_seconds: f64,
    ) -> Result<(), GhostError> {
        if let Some(o) = offset {
            if !time_ok(o) {
                return err(format!(
                    "a clip cannot start at {o} s: the start must be 0 s or later"
                ));
            }
        }
        if !time_ok(trim_start) {
            return err(format!(
                "the trim start must be 0 s or later, not {trim_start}"
            ));
        }
        if trim_start >= file_seconds {
            return err(format!(
                "cannot trim {trim_start:.3} s from a file of {file_seconds:.3} s: that is past its end"
            ));
        }
        if let Some(len) = length {
            if !len.is_finite() || len <= 0.0 {
                return err(format!("a clip's length must be more than 0 s, not {len}"));
            }
            // A thousandth of a second of slack for rounding in the screen.
            if trim_start + len > file_seconds + 1e-3 {
                return err(format!(
                    "a clip of {len:.3} s from {trim_start:.3} s runs past the end of its {file_seconds:.3} s file"
                ));
            }
        }
        self.edit(|s| {
            let c = Self::clip_mut(s, track, index)?;
            if let Some(o) = offset {
                c.offset = o;
            }
            c.trim_start = trim_start;
            c.length = length.map(|l| l.min(file_seconds - trim_start));
            let plays = c.length.unwrap_or(file_seconds - trim_start);
            let total = c.fade_in + c.fade_out;
            if total > plays && total > 0.0 {
                let k = plays / total;
                c.fade_in *= k;
                c.fade_out *= k;
            }
            Ok(())
        })
    }

    /// Sets a clip's fade-in and fade-out (seconds); together they must fit in the clip, whose
    /// file is `file_seconds` long.
    pub fn set_fades(
        &mut self,
        track: &str,
        index: usize,
        fade_in: f64,
        fade_out: f64,
        file_seconds: f64,
    ) -> Result<(), GhostError> {
        if !time_ok(fade_in) || !time_ok(fade_out) {
            return err(format!(
                "fades must be 0 s or longer, not {fade_in} s in and {fade_out} s out"
            ));
        }
        self.edit(|s| {
            let c = Self::clip_mut(s, track, index)?;
            let plays = c
                .length
                .unwrap_or(file_seconds - c.trim_start)
                .min(file_seconds - c.trim_start)
                .max(0.0);
            if fade_in + fade_out > plays + 1e-6 {
                return err(format!(
                    "fades of {fade_in:.3} s in and {fade_out:.3} s out do not fit in a clip of {plays:.3} s"
                ));
            }
            c.fade_in = fade_in;
            c.fade_out = fade_out;
            Ok(())
        })
    }

    /// Sets a track's level (dB).
    pub fn set_gain(&mut self, track: &str, db: f32) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::track_mut(s, track)?.gain_db = db;
            Ok(())
        })
    }

    /// Sets a track's pan (−1…1).
    pub fn set_pan(&mut self, track: &str, pan: f32) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::track_mut(s, track)?.pan = pan;
            Ok(())
        })
    }

    /// Mutes or unmutes a track.
    pub fn set_mute(&mut self, track: &str, mute: bool) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::track_mut(s, track)?.mute = mute;
            Ok(())
        })
    }

    /// Solos or unsolos a track.
    pub fn set_solo(&mut self, track: &str, solo: bool) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::track_mut(s, track)?.solo = solo;
            Ok(())
        })
    }

    /// Replaces a track's effects.
    pub fn set_track_fx(&mut self, track: &str, fx: Vec<FxSpec>) -> Result<(), GhostError> {
        self.edit(|s| {
            Self::track_mut(s, track)?.fx = fx;
            Ok(())
        })
    }

    /// Replaces the session's whole master chain as it is (the knobs and the user's master
    /// effects rebuild it on their next change).
    pub fn set_master(&mut self, fx: Vec<FxSpec>) -> Result<(), GhostError> {
        self.edit(|s| {
            s.master = fx;
            Ok(())
        })
    }

    fn rebuild_master(s: &mut State) {
        let mut master = crate::knobs::chain(&s.knobs, KNOB_SEED);
        master.extend(s.master_fx.iter().cloned());
        s.session.master = master;
    }

    /// Sets the knobs; the master chain becomes their chain followed by the user's master
    /// effects.
    pub fn set_knobs(&mut self, knobs: Knobs) -> Result<(), GhostError> {
        son1k_core::Knobs::new(
            knobs.expressivity.into(),
            knobs.rareza.into(),
            knobs.garage.into(),
            knobs.trash.into(),
        )?;
        self.edit_state(|s| {
            s.knobs = knobs;
            Self::rebuild_master(s);
            Ok(())
        })
    }

    fn chain_mut<'a>(
        s: &'a mut State,
        target: FxTarget<'_>,
    ) -> Result<&'a mut Vec<FxSpec>, GhostError> {
        match target {
            FxTarget::Master => Ok(&mut s.master_fx),
            FxTarget::Track(t) => Ok(&mut Self::track_mut(&mut s.session, t)?.fx),
        }
    }

    fn where_(target: FxTarget<'_>) -> String {
        match target {
            FxTarget::Master => "the master".into(),
            FxTarget::Track(t) => format!("track {t:?}"),
        }
    }

    /// Applies `f` to one chain, checks that every effect in it builds, and rebuilds the master.
    fn edit_chain(
        &mut self,
        target: FxTarget<'_>,
        f: impl FnOnce(&mut Vec<FxSpec>) -> Result<(), GhostError>,
    ) -> Result<(), GhostError> {
        self.edit_state(|s| {
            let rate = s.session.sample_rate;
            let chain = Self::chain_mut(s, target)?;
            f(chain)?;
            if chain.len() > MAX_FX {
                return err(format!(
                    "{} holds at most {MAX_FX} effects",
                    Self::where_(target)
                ));
            }
            for spec in chain.iter() {
                spec.build(rate, 2)?;
            }
            if target == FxTarget::Master {
                Self::rebuild_master(s);
            }
            Ok(())
        })
    }

    fn check_index(target: FxTarget<'_>, chain: &[FxSpec], i: usize) -> Result<(), GhostError> {
        if i >= chain.len() {
            return err(format!(
                "{} has no effect {i} (it has {})",
                Self::where_(target),
                chain.len()
            ));
        }
        Ok(())
    }

    /// Inserts an effect at `at` (the end when `None` or past it) of a chain.
    pub fn add_fx(
        &mut self,
        target: FxTarget<'_>,
        at: Option<usize>,
        spec: FxSpec,
    ) -> Result<(), GhostError> {
        self.edit_chain(target, |c| {
            let at = at.unwrap_or(c.len()).min(c.len());
            c.insert(at, spec);
            Ok(())
        })
    }

    /// Removes effect `index` from a chain.
    pub fn remove_fx(&mut self, target: FxTarget<'_>, index: usize) -> Result<(), GhostError> {
        self.edit_chain(target, |c| {
            Self::check_index(target, c, index)?;
            c.remove(index);
            Ok(())
        })
    }

    /// Moves effect `from` to position `to` in a chain.
    pub fn move_fx(
        &mut self,
        target: FxTarget<'_>,
        from: usize,
        to: usize,
    ) -> Result<(), GhostError> {
        self.edit_chain(target, |c| {
            Self::check_index(target, c, from)?;
            Self::check_index(target, c, to)?;
            let fx = c.remove(from);
            c.insert(to, fx);
            Ok(())
        })
    }

    /// Replaces effect `index` of a chain (new parameters, or another effect).
    pub fn set_fx(
        &mut self,
        target: FxTarget<'_>,
        index: usize,
        spec: FxSpec,
    ) -> Result<(), GhostError> {
        self.edit_chain(target, |c| {
            Self::check_index(target, c, index)?;
            c[index] = spec;
            Ok(())
        })
    }
}
