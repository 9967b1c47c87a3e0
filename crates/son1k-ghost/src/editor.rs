//! Session editing with undo and redo. Every change is one [`Edit`] applied by
//! [`Editor::apply`]; every edit is checked, and a rejected edit changes nothing.
//!
//! One history covers everything the user changes in a project: tracks and clips (import, a
//! produced backing, move, trim, fades, delete, rename), the mix (gain, pan, mute, solo), effect
//! chains on tracks and on the master, and the four knobs. Each step snapshots the whole
//! [`State`], so undo restores exactly what was there.

use son1k_audio::fx::FxSpec;
use son1k_audio::mixdown::{Clip, ReturnBus, Session, Track, TrackSend};
use son1k_core::Knobs;

pub use crate::edit::TrackEdit;
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
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FxTarget {
    /// The named track's chain.
    Track(String),
    /// The user's master chain (after the knob chain).
    Master,
}

impl FxTarget {
    /// `Some(name)` is a track, `None` the master.
    pub fn of(track: Option<String>) -> Self {
        match track {
            Some(t) => FxTarget::Track(t),
            None => FxTarget::Master,
        }
    }
}

/// One edit of a project's session: every change the user makes goes through [`Editor::apply`]
/// as one of these, and each is one undoable step. Clips and effects are numbered from 0 in
/// their track's (or chain's) order.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Adds a track holding `clips` (none for an empty track); names are unique.
    AddTrack {
        /// Its name.
        name: String,
        /// Its clips (an import or a recorded take).
        clips: Vec<Clip>,
    },
    /// Puts `tracks` into the session: a track with the same name as one of them is replaced in
    /// place, the others are appended (a new backing replaces an earlier one).
    PutTracks {
        /// The tracks.
        tracks: Vec<Track>,
        /// The session's rate from now on.
        sample_rate: u32,
    },
    /// Adds a clip to a track.
    AddClip {
        /// Track name.
        track: String,
        /// The clip.
        clip: Clip,
    },
    /// Comps a take: `track` plays its take `take` between `from` and `to` (seconds on the
    /// timeline, inside the take) instead of what it played there, crossfaded at both edges
    /// ([`crate::takes::replace_region`]).
    Comp {
        /// Track name.
        track: String,
        /// Take number, oldest first.
        take: usize,
        /// Start, seconds.
        from: f64,
        /// End, seconds.
        to: f64,
        /// Where each of the track's clips ends on the timeline (their files measured).
        ends: Vec<f64>,
        /// The length of the take's file, seconds.
        take_file_seconds: f64,
    },
    /// Replaces a track's effects.
    TrackFx {
        /// Track name.
        track: String,
        /// Its effects, in order.
        fx: Vec<FxSpec>,
    },
    /// Replaces the session's whole master chain as it is (the knobs and the user's master
    /// effects rebuild it on their next change).
    Master {
        /// The chain.
        fx: Vec<FxSpec>,
    },
    /// Sets the knobs; the master chain becomes their chain followed by the user's master
    /// effects.
    Knobs(Knobs),
    /// An edit as the screen sends it — the mix, clips, tracks and effect chains — with the
    /// length of the file of the clip it names, for trims and fades (the editor reads no files:
    /// its caller measures them).
    Track {
        /// The edit.
        edit: TrackEdit,
        /// The length, seconds, of the named clip's file (needed by trims and fades).
        file_seconds: Option<f64>,
    },
}

/// An editor's undo and redo steps, to keep with the project so that reopening it can still
/// undo ([`Editor::history`], [`Editor::with_history`]). Oldest step first in each list.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct History {
    /// States undo goes back to, the last one first undone.
    #[serde(default)]
    pub undo: Vec<State>,
    /// States redo goes forward to, the last one first redone.
    #[serde(default)]
    pub redo: Vec<State>,
}

impl History {
    /// Nothing to undo or redo.
    pub fn is_empty(&self) -> bool {
        self.undo.is_empty() && self.redo.is_empty()
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

    /// Starts editing `state` with the undo and redo steps of an earlier editing session (as
    /// [`Editor::history`] gave them). Steps whose session is invalid (a damaged file) are
    /// dropped, with every step older than them, so undo never lands on a broken state.
    pub fn with_history(state: State, history: History) -> Self {
        let keep_valid = |steps: Vec<State>| -> Vec<State> {
            let bad = steps.iter().rposition(|s| s.session.validate().is_err());
            match bad {
                Some(i) => steps.into_iter().skip(i + 1).collect(),
                None => steps,
            }
        };
        let mut undo = keep_valid(history.undo);
        if undo.len() > HISTORY {
            undo.drain(..undo.len() - HISTORY);
        }
        // Redo runs from the last entry backwards; a broken step cuts off the ones after it.
        let mut redo: Vec<State> = history
            .redo
            .into_iter()
            .rev()
            .take_while(|s| s.session.validate().is_ok())
            .collect();
        redo.reverse();
        Editor {
            state,
            undo,
            redo,
            dirty: false,
        }
    }

    /// The undo and redo steps, at most `max` of each (the newest undo steps and the nearest
    /// redo steps), to save with the project.
    pub fn history(&self, max: usize) -> History {
        History {
            undo: self.undo[self.undo.len().saturating_sub(max)..].to_vec(),
            redo: self.redo[self.redo.len().saturating_sub(max)..].to_vec(),
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

    /// Applies one edit as one undoable step. The edit is checked first; one that is refused,
    /// or that would leave an invalid session, changes nothing, and one that changes nothing is
    /// not recorded.
    pub fn apply(&mut self, edit: Edit) -> Result<(), GhostError> {
        match edit {
            Edit::AddTrack { name, clips } => self.edit(|s| {
                Self::check_name(s, &name)?;
                s.tracks.push(Track::new(name, clips));
                Ok(())
            }),
            Edit::PutTracks {
                tracks,
                sample_rate,
            } => self.edit(|s| {
                for t in tracks {
                    match s.tracks.iter_mut().find(|x| x.name == t.name) {
                        Some(x) => *x = t,
                        None => s.tracks.push(t),
                    }
                }
                s.sample_rate = sample_rate;
                Ok(())
            }),
            Edit::AddClip { track, clip } => self.edit(|s| {
                Self::track_mut(s, &track)?.clips.push(clip);
                Ok(())
            }),
            Edit::Comp {
                track,
                take,
                from,
                to,
                ends,
                take_file_seconds,
            } => self.edit(|s| {
                let t = Self::track_mut(s, &track)?;
                let Some(tk) = t.takes.get(take) else {
                    return err(format!(
                        "{track:?} has {} takes; there is no take {}",
                        t.takes.len(),
                        take + 1
                    ));
                };
                let span = (tk.offset, crate::takes::clip_end(tk, take_file_seconds));
                if !(from.is_finite() && to.is_finite() && from < to)
                    || from < span.0 - 1e-9
                    || to > span.1 + 1e-9
                {
                    return err(format!(
                        "a comp of take {} must lie inside it ({:.3}–{:.3} s), not {from:.3}–{to:.3} s",
                        take + 1,
                        span.0,
                        span.1
                    ));
                }
                if ends.len() != t.clips.len() {
                    return err(format!(
                        "{} clip ends given for {} clips",
                        ends.len(),
                        t.clips.len()
                    ));
                }
                let new = crate::takes::region_clip(
                    &tk.file,
                    tk.trim_start + (from - tk.offset),
                    take_file_seconds,
                    from,
                    to,
                );
                t.clips = crate::takes::replace_region(&t.clips, &ends, from, to, new);
                Ok(())
            }),
            Edit::TrackFx { track, fx } => self.edit_track(&track, |t| t.fx = fx),
            Edit::Master { fx } => self.edit(|s| {
                s.master = fx;
                Ok(())
            }),
            // A `KnobValue` is 0–100 by construction: the chain takes the values as they are.
            Edit::Knobs(knobs) => self.edit_state(|s| {
                s.knobs = knobs;
                Self::rebuild_master(s);
                Ok(())
            }),
            Edit::Track { edit, file_seconds } => self.apply_track(edit, file_seconds),
        }
    }

    /// Applies an edit the screen sent (trims and fades need the clip's file length).
    fn apply_track(
        &mut self,
        edit: TrackEdit,
        file_seconds: Option<f64>,
    ) -> Result<(), GhostError> {
        let measured = || {
            file_seconds.ok_or_else(|| {
                GhostError::Edit(
                    "the clip's file length is needed to trim it or set its fades".into(),
                )
            })
        };
        match edit {
            TrackEdit::UseTake { .. } => {
                err("comping needs the track's files measured: it arrives as Edit::Comp".into())
            }
            TrackEdit::DeleteTrack { track } => self.edit(|s| {
                let before = s.tracks.len();
                s.tracks.retain(|t| t.name != track);
                if s.tracks.len() == before {
                    return err(format!("no track named {track:?}"));
                }
                Ok(())
            }),
            TrackEdit::RenameTrack { track, name } => self.edit(|s| {
                if track == name {
                    Self::track_mut(s, &track)?;
                    return Ok(());
                }
                Self::check_name(s, &name)?;
                Self::track_mut(s, &track)?.name = name;
                Ok(())
            }),
            TrackEdit::DeleteClip { track, clip } => self.edit(|s| {
                let clip = clip as usize;
                Self::clip_mut(s, &track, clip)?;
                Self::track_mut(s, &track)?.clips.remove(clip);
                Ok(())
            }),
            TrackEdit::MoveClip {
                track,
                clip,
                offset,
            } => {
                check_start(offset)?;
                self.edit(|s| {
                    Self::clip_mut(s, &track, clip as usize)?.offset = offset;
                    Ok(())
                })
            }
            TrackEdit::TrimClip {
                track,
                clip,
                trim_start,
                length,
                offset,
            } => {
                let file_seconds = measured()?;
                check_trim(trim_start, length, offset, file_seconds)?;
                self.edit(|s| {
                    let c = Self::clip_mut(s, &track, clip as usize)?;
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
            TrackEdit::Fades {
                track,
                clip,
                fade_in,
                fade_out,
            } => {
                let file_seconds = measured()?;
                if !time_ok(fade_in) || !time_ok(fade_out) {
                    return err(format!(
                        "fades must be 0 s or longer, not {fade_in} s in and {fade_out} s out"
                    ));
                }
                self.edit(|s| {
                    let c = Self::clip_mut(s, &track, clip as usize)?;
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
            TrackEdit::AddReturn { name, fx } => self.edit(|s| {
                if name.trim().is_empty() || name.chars().count() > MAX_NAME {
                    return err(format!(
                        "a return's name must be 1–{MAX_NAME} characters, not {name:?}"
                    ));
                }
                if s.returns.iter().any(|r| r.name == name) {
                    return err(format!("a return named {name:?} exists"));
                }
                Self::check_chain(&fx, s.sample_rate)?;
                s.returns.push(ReturnBus {
                    name,
                    gain_db: 0.0,
                    fx,
                });
                Ok(())
            }),
            TrackEdit::DeleteReturn { name } => self.edit(|s| {
                Self::return_mut(s, &name)?;
                s.returns.retain(|r| r.name != name);
                for t in &mut s.tracks {
                    t.sends.retain(|x| x.to != name);
                }
                Ok(())
            }),
            TrackEdit::ReturnGain { name, db } => self.edit(|s| {
                Self::return_mut(s, &name)?.gain_db = db;
                Ok(())
            }),
            TrackEdit::ReturnFx { name, fx } => self.edit(|s| {
                Self::check_chain(&fx, s.sample_rate)?;
                Self::return_mut(s, &name)?.fx = fx;
                Ok(())
            }),
            TrackEdit::Send {
                track,
                to,
                level_db,
            } => self.edit(|s| {
                Self::return_mut(s, &to)?;
                let t = Self::track_mut(s, &track)?;
                let at = t.sends.iter().position(|x| x.to == to);
                match (level_db, at) {
                    (Some(db), Some(i)) => t.sends[i].level_db = db,
                    (Some(db), None) => t.sends.push(TrackSend { to, level_db: db }),
                    (None, Some(i)) => {
                        t.sends.remove(i);
                    }
                    (None, None) => {}
                }
                Ok(())
            }),
            TrackEdit::Gain { track, db } => self.edit_track(&track, |t| t.gain_db = db),
            TrackEdit::Pan { track, pan } => self.edit_track(&track, |t| t.pan = pan),
            TrackEdit::Mute { track, on } => self.edit_track(&track, |t| t.mute = on),
            TrackEdit::Solo { track, on } => self.edit_track(&track, |t| t.solo = on),
            TrackEdit::FxAdd { track, at, fx } => self.edit_chain(&FxTarget::of(track), |c| {
                let at = at.map_or(c.len(), |a| a as usize).min(c.len());
                c.insert(at, fx);
                Ok(())
            }),
            TrackEdit::FxRemove { track, index } => {
                let chain = FxTarget::of(track);
                let index = index as usize;
                self.edit_chain(&chain, |c| {
                    Self::check_index(&chain, c, index)?;
                    c.remove(index);
                    Ok(())
                })
            }
            TrackEdit::FxMove { track, from, to } => {
                let chain = FxTarget::of(track);
                let (from, to) = (from as usize, to as usize);
                self.edit_chain(&chain, |c| {
                    Self::check_index(&chain, c, from)?;
                    Self::check_index(&chain, c, to)?;
                    let fx = c.remove(from);
                    c.insert(to, fx);
                    Ok(())
                })
            }
            TrackEdit::FxSet { track, index, fx } => {
                let chain = FxTarget::of(track);
                let index = index as usize;
                self.edit_chain(&chain, |c| {
                    Self::check_index(&chain, c, index)?;
                    c[index] = fx;
                    Ok(())
                })
            }
        }
    }

    /// Applies `f` to the whole state as one undoable edit; if it fails or leaves an invalid
    /// session, nothing changes. An edit that changes nothing is not recorded.
    fn edit_state(
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

    /// [`Editor::edit_state`] on the session alone.
    fn edit(
        &mut self,
        f: impl FnOnce(&mut Session) -> Result<(), GhostError>,
    ) -> Result<(), GhostError> {
        self.edit_state(|s| f(&mut s.session))
    }

    /// [`Editor::edit`] on one track.
    fn edit_track(&mut self, track: &str, f: impl FnOnce(&mut Track)) -> Result<(), GhostError> {
        self.edit(|s| {
            f(Self::track_mut(s, track)?);
            Ok(())
        })
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

    /// Clip `index` of `track` as it stands (the error names what is missing).
    pub fn clip(&self, track: &str, index: usize) -> Result<&Clip, GhostError> {
        let t = self
            .state
            .session
            .tracks
            .iter()
            .find(|t| t.name == track)
            .ok_or_else(|| no_track(track))?;
        t.clips
            .get(index)
            .ok_or_else(|| no_clip(track, index, t.clips.len()))
    }

    fn track_mut<'a>(s: &'a mut Session, name: &str) -> Result<&'a mut Track, GhostError> {
        s.tracks
            .iter_mut()
            .find(|t| t.name == name)
            .ok_or_else(|| no_track(name))
    }

    fn clip_mut<'a>(
        s: &'a mut Session,
        track: &str,
        index: usize,
    ) -> Result<&'a mut Clip, GhostError> {
        let t = Self::track_mut(s, track)?;
        let n = t.clips.len();
        t.clips
            .get_mut(index)
            .ok_or_else(|| no_clip(track, index, n))
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

    fn rebuild_master(s: &mut State) {
        let mut master = crate::knobs::chain(&s.knobs, KNOB_SEED);
        master.extend(s.master_fx.iter().cloned());
        s.session.master = master;
    }

    fn chain_mut<'a>(
        s: &'a mut State,
        target: &FxTarget,
    ) -> Result<&'a mut Vec<FxSpec>, GhostError> {
        match target {
            FxTarget::Master => Ok(&mut s.master_fx),
            FxTarget::Track(t) => Ok(&mut Self::track_mut(&mut s.session, t)?.fx),
        }
    }

    fn where_(target: &FxTarget) -> String {
        match target {
            FxTarget::Master => "the master".into(),
            FxTarget::Track(t) => format!("track {t:?}"),
        }
    }

    /// Applies `f` to one chain, checks that every effect in it builds, and rebuilds the master.
    fn edit_chain(
        &mut self,
        target: &FxTarget,
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
            if *target == FxTarget::Master {
                Self::rebuild_master(s);
            }
            Ok(())
        })
    }

    fn return_mut<'a>(s: &'a mut Session, name: &str) -> Result<&'a mut ReturnBus, GhostError> {
        s.returns
            .iter_mut()
            .find(|r| r.name == name)
            .ok_or_else(|| GhostError::Edit(format!("no return bus named {name:?}")))
    }

    /// A chain a return may hold: at most [`MAX_FX`] effects, each valid.
    fn check_chain(fx: &[FxSpec], rate: u32) -> Result<(), GhostError> {
        if fx.len() > MAX_FX {
            return err(format!("a return holds at most {MAX_FX} effects"));
        }
        for spec in fx {
            spec.build(rate, 2)?;
        }
        Ok(())
    }

    fn check_index(target: &FxTarget, chain: &[FxSpec], i: usize) -> Result<(), GhostError> {
        if i >= chain.len() {
            return err(format!(
                "{} has no effect {i} (it has {})",
                Self::where_(target),
                chain.len()
            ));
        }
        Ok(())
    }
}

fn no_track(name: &str) -> GhostError {
    GhostError::Edit(format!("no track named {name:?}"))
}

fn no_clip(track: &str, index: usize, n: usize) -> GhostError {
    GhostError::Edit(format!(
        "track {track:?} has no clip {index} (it has {n} clip{})",
        if n == 1 { "" } else { "s" }
    ))
}

fn check_start(offset: f64) -> Result<(), GhostError> {
    if time_ok(offset) {
        Ok(())
    } else {
        err(format!(
            "a clip cannot start at {offset} s: the start must be 0 s or later"
        ))
    }
}

/// The checks of [`TrackEdit::TrimClip`] that need only its numbers.
fn check_trim(
    trim_start: f64,
    length: Option<f64>,
    offset: Option<f64>,
    file_seconds: f64,
) -> Result<(), GhostError> {
    if let Some(o) = offset {
        check_start(o)?;
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
    Ok(())
}
