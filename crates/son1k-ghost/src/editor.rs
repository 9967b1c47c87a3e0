//! Session editing with undo and redo. Every edit is checked; a rejected edit changes nothing.

use son1k_audio::fx::FxSpec;
use son1k_audio::mixdown::{Clip, Session, Track};

use crate::GhostError;

/// How many edits can be undone.
pub const HISTORY: usize = 500;

/// A session being edited.
#[derive(Debug, Clone)]
pub struct Editor {
    session: Session,
    undo: Vec<Session>,
    redo: Vec<Session>,
    dirty: bool,
}

impl Editor {
    /// Starts editing `session`.
    pub fn new(session: Session) -> Self {
        Editor {
            session,
            undo: Vec::new(),
            redo: Vec::new(),
            dirty: false,
        }
    }

    /// The current session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Whether anything changed since [`Editor::mark_saved`].
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Records that the current state is saved.
    pub fn mark_saved(&mut self) {
        self.dirty = false;
    }

    /// Applies `f` as one undoable edit; if it fails or leaves an invalid session, nothing changes.
    pub fn edit(
        &mut self,
        f: impl FnOnce(&mut Session) -> Result<(), GhostError>,
    ) -> Result<(), GhostError> {
        let mut next = self.session.clone();
        f(&mut next)?;
        next.validate()?;
        let prev = std::mem::replace(&mut self.session, next);
        self.undo.push(prev);
        if self.undo.len() > HISTORY {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.dirty = true;
        Ok(())
    }

    /// Undoes the last edit; false when there is none.
    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(prev) => {
                let cur = std::mem::replace(&mut self.session, prev);
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
                let cur = std::mem::replace(&mut self.session, next);
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

    /// Adds an empty track (names are unique).
    pub fn add_track(&mut self, name: &str) -> Result<(), GhostError> {
        self.edit(|s| {
            if s.tracks.iter().any(|t| t.name == name) {
                return Err(GhostError::Edit(format!("a track named {name:?} exists")));
            }
            s.tracks.push(Track::new(name, Vec::new()));
            Ok(())
        })
    }

    /// Removes a track.
    pub fn remove_track(&mut self, name: &str) -> Result<(), GhostError> {
        self.edit(|s| {
            let before = s.tracks.len();
            s.tracks.retain(|t| t.name != name);
            if s.tracks.len() == before {
                return Err(GhostError::Edit(format!("no track named {name:?}")));
            }
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

    /// Moves a clip to a new start time (seconds).
    pub fn move_clip(&mut self, track: &str, index: usize, offset: f64) -> Result<(), GhostError> {
        self.edit(|s| {
            let t = Self::track_mut(s, track)?;
            let c = t
                .clips
                .get_mut(index)
                .ok_or_else(|| GhostError::Edit(format!("track {track:?} has no clip {index}")))?;
            c.offset = offset;
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

    /// Replaces the master chain (e.g. with the knob chain).
    pub fn set_master(&mut self, fx: Vec<FxSpec>) -> Result<(), GhostError> {
        self.edit(|s| {
            s.master = fx;
            Ok(())
        })
    }
}
