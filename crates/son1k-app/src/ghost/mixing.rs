//! A project open for editing: its state in son1k-ghost's [`Editor`], every change one
//! [`Edit`] saved at once, and renders made from the open state.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use son1k_audio::mixdown::Clip;
use son1k_audio::SampleFormat;
use son1k_core::{Knobs, Quality};
use son1k_ghost::editor::{Edit, Editor};
use son1k_ghost::Session;

use super::live::{FrameSink, LiveOutput, LivePlayer, PlaybackFrame, Update};
use super::metronome::{Metronome, METRONOME_TRACK};
use super::views::{view_of, ProjectView, TrackAudio, TrackEdit};
use super::{edit_error, export, ghost_err, open, Backing, OpenProject};
use crate::project;
use crate::{AppError, Studio};

/// A project open for editing: its session, knobs and master effects in an [`Editor`], so every
/// edit — import, produced backing, knobs, clip and track edits, the mix, effect chains — can be
/// undone and redone in one history. Every edit, undo and redo is saved at once (atomically).
/// Renders and exports made through it use the state it holds, not a new read of the file.
/// Changes made to the project file by other means (another program) are seen after
/// [`Mixing::reload`], which starts a fresh history.
#[derive(Debug)]
pub struct Mixing {
    /// The folder, the document as last saved and whether loading it found damage.
    pub(super) project: OpenProject,
    pub(super) editor: Editor,
    /// Lengths in seconds of the clip files measured so far, by absolute path.
    pub(super) lengths: HashMap<PathBuf, f64>,
    /// The session playing through the engine, when it has been played.
    pub(super) live: Option<LivePlayer>,
    /// The metronome, when it is on (not saved with the project).
    pub(super) metronome: Option<Metronome>,
    /// The take being recorded, if any (its session is what `live` plays meanwhile).
    pub(super) tracking: Option<super::tracking::Tracking>,
}

impl Mixing {
    /// Opens `project` (a name or a project folder) for editing.
    pub fn open(studio: &Studio, project: &str) -> Result<Self, AppError> {
        let project = open(studio, project)?;
        // The undo history saved with the project comes back with it.
        let editor = project.doc.editor();
        Ok(Mixing {
            project,
            editor,
            lengths: HashMap::new(),
            live: None,
            metronome: None,
            tracking: None,
        })
    }

    /// Reads the project again from disk, starting a fresh history.
    pub fn reload(&mut self) -> Result<ProjectView, AppError> {
        let loaded = project::load(&self.project.folder)?;
        self.editor = Editor::with_state(loaded.doc.state());
        self.project.doc = loaded.doc;
        self.project.damaged = loaded.damaged;
        self.sync_live()?;
        Ok(self.view())
    }

    /// The project's folder.
    pub fn folder(&self) -> &Path {
        &self.project.folder
    }

    /// The session as it stands.
    pub fn session(&self) -> &Session {
        self.editor.session()
    }

    /// The project as it stands (a copy, to render or export without holding this one).
    pub fn project(&self) -> OpenProject {
        let mut p = self.project.clone();
        p.doc.set_state(self.editor.state());
        p
    }

    /// What the screen shows.
    pub fn view(&self) -> ProjectView {
        let mut v = view_of(
            &self.project.folder,
            &self.project.doc,
            self.editor.state(),
            (self.editor.undo_len(), self.editor.redo_len()),
        );
        v.damaged = self.project.damaged.clone();
        v
    }

    pub(super) fn save(&mut self) -> Result<ProjectView, AppError> {
        // Heard first, then written: the playing session changes without waiting for the
        // disk (a save flushes the project and its history to disk). A player that could not
        // follow (its device gone) still lets the edit be saved; its error comes after.
        let heard = self.sync_live();
        self.project.doc.set_editor(&self.editor);
        self.project.doc = project::save(&self.project.folder, &self.project.doc)?;
        self.editor.mark_saved();
        heard?;
        Ok(self.view())
    }

    /// Brings the playing session (if any) to the session as it stands: live where the engine
    /// can take the change, else loaded again at the same position, playing as it was.
    fn sync_live(&mut self) -> Result<(), AppError> {
        // While a take is recorded the transport plays the recording's own session; edits
        // are heard once it stops.
        if self.live.is_none() || self.tracking.is_some() {
            return Ok(());
        }
        let session = self.live_session()?;
        let Some(p) = self.live.as_mut() else {
            return Ok(());
        };
        if p.update(&session)? == Update::Applied {
            return Ok(());
        }
        let (output, sink, looping) = (p.output().clone(), p.sink(), p.looping());
        let (at, playing) = (p.seconds(), p.is_playing());
        // The old stream goes first: a virtual device's monitor takes one stream at a time.
        self.live = None;
        self.live = Some(LivePlayer::start(
            &session,
            &self.project.folder,
            output,
            at,
            looping,
            playing,
            sink,
        )?);
        Ok(())
    }

    /// Plays the session as it stands through the engine on `output` from `from` seconds
    /// (looping `looping` when given); `sink` hears a [`PlaybackFrame`] about 30 times a
    /// second. A player already open on the same kind of output is reused (moved and
    /// started); edits made while it plays are heard at once.
    pub fn play(
        &mut self,
        output: LiveOutput,
        from: f64,
        looping: Option<(f64, f64)>,
        sink: FrameSink,
    ) -> Result<PlaybackFrame, AppError> {
        self.refuse_while_recording()?;
        let reuse = matches!(
            (self.live.as_ref().map(|p| p.output()), &output),
            (Some(LiveOutput::Default), LiveOutput::Default)
                | (Some(LiveOutput::Virtual(_)), LiveOutput::Virtual(_))
        );
        if !reuse {
            self.live = None;
        }
        let session = self.live_session()?;
        if let Some(p) = self.live.as_mut() {
            if p.update(&session)? == Update::Reload {
                self.live = None;
            }
        }
        match self.live.as_mut() {
            Some(p) => {
                p.set_loop(looping)?;
                p.play_from(match looping {
                    Some((a, b)) if from < a.min(b) || from >= a.max(b) => a.min(b),
                    _ => from,
                })?;
            }
            None => {
                self.live = Some(LivePlayer::start(
                    &session,
                    &self.project.folder,
                    output,
                    from,
                    looping,
                    true,
                    sink,
                )?);
            }
        }
        self.playback_frame()
    }

    fn refuse_while_recording(&self) -> Result<(), AppError> {
        match self.tracking {
            Some(_) => Err(edit_error(
                "a take is being recorded: stop the recording first".into(),
            )),
            None => Ok(()),
        }
    }

    /// Stops playback at the current position (nothing when nothing plays).
    pub fn stop(&mut self) -> Result<Option<PlaybackFrame>, AppError> {
        match self.live.as_mut() {
            Some(p) => {
                p.stop()?;
                Ok(Some(p.frame()))
            }
            None => Ok(None),
        }
    }

    /// Moves the playhead (nothing when the session has not been played).
    pub fn seek(&mut self, seconds: f64) -> Result<(), AppError> {
        self.refuse_while_recording()?;
        match self.live.as_mut() {
            Some(p) => p.seek(seconds),
            None => Ok(()),
        }
    }

    /// Loops a region while playing, or stops looping.
    pub fn set_loop(&mut self, region: Option<(f64, f64)>) -> Result<(), AppError> {
        self.refuse_while_recording()?;
        match self.live.as_mut() {
            Some(p) => p.set_loop(region),
            None => Ok(()),
        }
    }

    /// Sounds `knobs` on the playing master at once without making an edit (while a knob is
    /// being turned; [`Mixing::set_knobs`] then keeps the value). Nothing when nothing plays.
    pub fn preview_knobs(&mut self, knobs: Knobs) -> Result<(), AppError> {
        let Some(p) = self.live.as_mut() else {
            return Ok(());
        };
        let mut next = p.session().clone();
        next.master = son1k_ghost::knobs::chain(&knobs, son1k_ghost::editor::KNOB_SEED);
        next.master.extend(self.editor.master_fx().iter().cloned());
        p.update(&next)?;
        Ok(())
    }

    /// Sounds a gain, pan, mute or solo change, a send's new level or a return's gain on the
    /// playing session at once without making an edit (while a slider moves; [`Mixing::apply`]
    /// then keeps the value). Other edits, an unknown track, a send not made yet, or nothing
    /// playing: nothing happens.
    pub fn preview(&mut self, edit: &TrackEdit) -> Result<(), AppError> {
        let Some(p) = self.live.as_mut() else {
            return Ok(());
        };
        let mut next = p.session().clone();
        match edit {
            TrackEdit::Send {
                track,
                to,
                level_db: Some(db),
            } => {
                let send = next
                    .tracks
                    .iter_mut()
                    .find(|t| &t.name == track)
                    .and_then(|t| t.sends.iter_mut().find(|s| &s.to == to));
                if let Some(send) = send {
                    send.level_db = db.clamp(-120.0, 12.0);
                    p.update(&next)?;
                }
                return Ok(());
            }
            TrackEdit::ReturnGain { name, db } => {
                if let Some(r) = next.returns.iter_mut().find(|r| &r.name == name) {
                    r.gain_db = db.clamp(-120.0, 24.0);
                    p.update(&next)?;
                }
                return Ok(());
            }
            _ => {}
        }
        let name = match edit {
            TrackEdit::Gain { track, .. }
            | TrackEdit::Pan { track, .. }
            | TrackEdit::Mute { track, .. }
            | TrackEdit::Solo { track, .. } => track,
            _ => return Ok(()),
        };
        let Some(t) = next.tracks.iter_mut().find(|t| &t.name == name) else {
            return Ok(());
        };
        match edit {
            TrackEdit::Gain { db, .. } => t.gain_db = db.clamp(-60.0, 12.0),
            TrackEdit::Pan { pan, .. } => t.pan = pan.clamp(-1.0, 1.0),
            TrackEdit::Mute { on, .. } => t.mute = *on,
            TrackEdit::Solo { on, .. } => t.solo = *on,
            _ => {}
        }
        p.update(&next)?;
        Ok(())
    }

    /// [`Mixing::preview`] of `edit` and [`Mixing::preview_knobs`] of `knobs`, each when given.
    pub fn preview_change(
        &mut self,
        edit: Option<&TrackEdit>,
        knobs: Option<Knobs>,
    ) -> Result<(), AppError> {
        if let Some(e) = edit {
            self.preview(e)?;
        }
        if let Some(k) = knobs {
            self.preview_knobs(k)?;
        }
        Ok(())
    }

    /// Moves the playhead (when `seconds` is given) and sets the loop region (`None`: no loop).
    pub fn seek_and_loop(
        &mut self,
        seconds: Option<f64>,
        region: Option<(f64, f64)>,
    ) -> Result<(), AppError> {
        self.set_loop(region)?;
        match seconds {
            Some(s) => self.seek(s),
            None => Ok(()),
        }
    }

    /// Where playback stands (`Err` names why when the session has not been played).
    pub fn playback_frame(&self) -> Result<PlaybackFrame, AppError> {
        self.live
            .as_ref()
            .map(LivePlayer::frame)
            .ok_or_else(|| edit_error("the project is not playing".into()))
    }

    /// The player, when the session has been played (its output's monitor, for tests).
    pub fn player(&self) -> Option<&LivePlayer> {
        self.live.as_ref()
    }

    /// Closes the output stream (the session stops playing).
    pub fn close_playback(&mut self) {
        self.live = None;
    }

    /// Applies `edit` (a refused edit changes nothing) and saves.
    fn commit(&mut self, edit: Edit) -> Result<ProjectView, AppError> {
        self.editor.apply(edit).map_err(ghost_err)?;
        self.save()
    }

    fn path_of(&self, file: &Path) -> PathBuf {
        if file.is_absolute() {
            file.to_path_buf()
        } else {
            self.project.folder.join(file)
        }
    }

    /// The length in seconds of the file under clip `clip` of `track` (decoded once).
    fn clip_file_seconds(&mut self, track: &str, clip: usize) -> Result<f64, AppError> {
        let file = self
            .editor
            .clip(track, clip)
            .map_err(ghost_err)?
            .file
            .clone();
        self.file_seconds(&file)
    }

    /// The editor's edit for what the screen sent: a slider's gain and pan clamped to their
    /// ranges (the editor refuses values outside them), a new name trimmed, and the clip's file
    /// measured for trims and fades (the editor itself reads no files).
    fn edit_of(&mut self, edit: &TrackEdit) -> Result<Edit, AppError> {
        if let TrackEdit::UseTake {
            track,
            take,
            from,
            to,
        } = edit
        {
            return self.comp_of(track, *take as usize, *from, *to);
        }
        let mut edit = edit.clone();
        let mut file_seconds = None;
        match &mut edit {
            TrackEdit::Gain { db, .. } => *db = db.clamp(-60.0, 12.0),
            TrackEdit::Pan { pan, .. } => *pan = pan.clamp(-1.0, 1.0),
            TrackEdit::RenameTrack { name, .. } => *name = name.trim().to_string(),
            TrackEdit::TrimClip { track, clip, .. } | TrackEdit::Fades { track, clip, .. } => {
                file_seconds = Some(self.clip_file_seconds(track, *clip as usize)?);
            }
            _ => {}
        }
        Ok(Edit::Track { edit, file_seconds })
    }

    /// The editor's comp of take `take` of `track` between `from` and `to`, with the track's
    /// clip files and the take's file measured.
    fn comp_of(&mut self, track: &str, take: usize, from: f64, to: f64) -> Result<Edit, AppError> {
        let ends = self.clip_ends(track)?;
        let t = self.track(track)?;
        let file = t
            .takes
            .get(take)
            .ok_or_else(|| {
                edit_error(format!(
                    "{track:?} has {} takes; there is no take {}",
                    t.takes.len(),
                    take + 1
                ))
            })?
            .file
            .clone();
        let take_file_seconds = self.file_seconds(&file)?;
        Ok(Edit::Comp {
            track: track.to_string(),
            take,
            from,
            to,
            ends,
            take_file_seconds,
        })
    }

    /// The track named `name`.
    fn track(&self, name: &str) -> Result<&son1k_audio::mixdown::Track, AppError> {
        self.editor
            .session()
            .tracks
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| edit_error(format!("no track named {name:?}")))
    }

    /// Where each clip of `track` ends on the timeline (its file measured).
    pub(super) fn clip_ends(&mut self, track: &str) -> Result<Vec<f64>, AppError> {
        let clips = self.track(track)?.clips.clone();
        clips
            .iter()
            .map(|c| Ok(son1k_ghost::takes::clip_end(c, self.file_seconds(&c.file)?)))
            .collect()
    }

    /// The length in seconds of a file of the session (relative to the project folder),
    /// decoded once.
    pub(super) fn file_seconds(&mut self, file: &Path) -> Result<f64, AppError> {
        let path = self.path_of(file);
        if let Some(s) = self.lengths.get(&path) {
            return Ok(*s);
        }
        let audio = son1k_audio::decode_file(&path)?;
        let secs = audio.frames() as f64 / f64::from(audio.sample_rate);
        self.lengths.insert(path, secs);
        Ok(secs)
    }

    /// Copies `file` into the project's `audio/` folder and adds it on a new track named after
    /// it, as one undoable edit; returns the track's name. Anything that is not audio is
    /// refused before anything is copied.
    pub fn import(&mut self, file: &Path) -> Result<String, AppError> {
        let audio = son1k_audio::decode_file(file)?;
        let base = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "audio".into());
        let base: String = base
            .chars()
            .take(son1k_ghost::editor::MAX_NAME - 4)
            .collect();
        let ext = file
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let track = self.free_track_name(&base);
        let dest = self.free_file(&track, &ext)?;
        std::fs::copy(file, &dest).map_err(|source| AppError::Io {
            action: "could not copy into the project",
            path: dest.clone(),
            source,
        })?;
        self.lengths.insert(
            dest.clone(),
            audio.frames() as f64 / f64::from(audio.sample_rate),
        );
        let rel = dest
            .strip_prefix(&self.project.folder)
            .unwrap_or(&dest)
            .to_path_buf();
        let add = Edit::AddTrack {
            name: track.clone(),
            clips: vec![Clip::whole(rel, 0.0)],
        };
        if let Err(e) = self.editor.apply(add) {
            let _ = std::fs::remove_file(&dest);
            return Err(ghost_err(e));
        }
        self.save()?;
        Ok(track)
    }

    /// `base`, or `base 2`, `base 3`, … — the first name no track has.
    pub(super) fn free_track_name(&self, base: &str) -> String {
        let taken = |n: &str| self.editor.session().tracks.iter().any(|t| t.name == n);
        let mut name = base.to_string();
        let mut n = 2;
        while taken(&name) {
            name = format!("{base} {n}");
            n += 1;
        }
        name
    }

    /// A file under `audio/` named after `track` that does not exist yet (earlier files stay:
    /// the history may still refer to them).
    fn free_file(&self, track: &str, ext: &str) -> Result<PathBuf, AppError> {
        let dir = self.project.folder.join("audio");
        std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
            action: "could not create",
            path: dir.clone(),
            source,
        })?;
        let stem = track.replace([' ', '/', '\\'], "-");
        let mut path = dir.join(format!("{stem}{ext}"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("{stem}-{n}{ext}"));
            n += 1;
        }
        Ok(path)
    }

    /// Adds a recorded (or otherwise made) file that is already inside the project folder on a
    /// new track named `base` (or `base 2`, …), as one undoable edit; returns the track's name.
    pub fn add_take(&mut self, file: &Path, base: &str) -> Result<String, AppError> {
        let rel = file
            .strip_prefix(&self.project.folder)
            .map_err(|_| edit_error(format!("{} is not inside the project", file.display())))?
            .to_path_buf();
        let track = self.free_track_name(base);
        self.commit(Edit::AddTrack {
            name: track.clone(),
            clips: vec![Clip::whole(rel, 0.0)],
        })?;
        Ok(track)
    }

    /// Sets the project's tempo and time signature (`None`: the analysis proposes them again)
    /// and saves; not an undo step (nothing in the session changes).
    pub fn set_tempo(
        &mut self,
        tempo: Option<project::ProjectTempo>,
    ) -> Result<ProjectView, AppError> {
        self.project.doc.tempo = tempo;
        self.save()
    }

    /// Sets the timeline's markers (checked, put in time order) and saves; not an undo step.
    pub fn set_markers(&mut self, markers: Vec<project::Marker>) -> Result<ProjectView, AppError> {
        self.project.doc.markers = project::checked_markers(markers)?;
        self.save()
    }

    /// Sets the knobs (the master chain follows), as one undoable edit.
    pub fn set_knobs(&mut self, knobs: Knobs) -> Result<ProjectView, AppError> {
        self.commit(Edit::Knobs(knobs))
    }

    /// Places a produced backing: its tracks replace same-named tracks (an earlier backing) or
    /// are added, as one undoable edit.
    pub fn put_backing(&mut self, backing: &Backing) -> Result<ProjectView, AppError> {
        self.commit(Edit::PutTracks {
            tracks: backing.tracks.clone(),
            sample_rate: backing.sample_rate,
        })
    }

    /// Applies one edit from the screen (rejected edits change nothing) and saves.
    pub fn apply(&mut self, edit: &TrackEdit) -> Result<ProjectView, AppError> {
        let edit = self.edit_of(edit)?;
        self.commit(edit)
    }

    /// Undoes the last edit (nothing when there is none) and saves.
    pub fn undo(&mut self) -> Result<ProjectView, AppError> {
        if self.editor.undo() {
            self.save()
        } else {
            Ok(self.view())
        }
    }

    /// Redoes the last undone edit (nothing when there is none) and saves.
    pub fn redo(&mut self) -> Result<ProjectView, AppError> {
        if self.editor.redo() {
            self.save()
        } else {
            Ok(self.view())
        }
    }

    /// Turns the metronome on (or off with `None`): heard at once when playing, in renders and
    /// exports only when its `in_export` says so.
    pub fn set_metronome(&mut self, metronome: Option<Metronome>) -> Result<(), AppError> {
        self.metronome = metronome;
        self.sync_live()
    }

    /// The metronome, when it is on.
    pub fn metronome(&self) -> Option<Metronome> {
        self.metronome
    }

    /// Seconds until the last clip ends.
    pub(super) fn session_seconds(&mut self) -> Result<f64, AppError> {
        let mut end: f64 = 0.0;
        let clips: Vec<(String, usize, son1k_audio::mixdown::Clip)> = self
            .editor
            .session()
            .tracks
            .iter()
            .flat_map(|t| {
                t.clips
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (t.name.clone(), i, c.clone()))
            })
            .collect();
        for (track, i, c) in clips {
            let file = self.clip_file_seconds(&track, i)?;
            let plays = c
                .length
                .unwrap_or(file - c.trim_start)
                .min(file - c.trim_start);
            end = end.max(c.offset + plays.max(0.0));
        }
        Ok(end)
    }

    /// The session the engine plays: the project's, with the metronome's click track when on
    /// (written once per setting and length under `renders/metronome/`).
    fn live_session(&mut self) -> Result<son1k_ghost::Session, AppError> {
        let mut session = self.editor.session().clone();
        let Some(m) = self.metronome else {
            return Ok(session);
        };
        let seconds = (self.session_seconds()? + m.bar_seconds()).ceil();
        let rel = self.metronome_file(&m, seconds, 0, session.sample_rate)?;
        session.tracks.push(son1k_audio::mixdown::Track::new(
            METRONOME_TRACK,
            vec![Clip::whole(rel, 0.0)],
        ));
        Ok(session)
    }

    /// A file of `metronome`'s clicks under `renders/metronome/` (relative to the project
    /// folder): `seconds` of them, or with `count_in` bars above 0 that count-in alone; written
    /// once per setting and reused after.
    pub(super) fn metronome_file(
        &self,
        m: &Metronome,
        seconds: f64,
        count_in: u32,
        rate: u32,
    ) -> Result<PathBuf, AppError> {
        let dir = self.project.folder.join("renders").join("metronome");
        let name = match count_in {
            0 => format!(
                "{:.3}-{}-{:.1}-{:.0}-{rate}.wav",
                m.bpm, m.beats_per_bar, m.level_db, seconds
            ),
            bars => format!(
                "count-in-{:.3}-{}-{:.1}-{bars}-{rate}.wav",
                m.bpm, m.beats_per_bar, m.level_db
            ),
        };
        let file = dir.join(&name);
        if !file.is_file() {
            std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
                action: "could not create",
                path: dir.clone(),
                source,
            })?;
            let clicks = match count_in {
                0 => m.clicks(seconds, rate),
                bars => m.count_in(bars, rate)?,
            };
            son1k_audio::write_file(&file, &clicks, SampleFormat::F32)?;
        }
        Ok(PathBuf::from("renders").join("metronome").join(name))
    }

    /// The session renders and exports use: the project's, with the metronome when it is on
    /// and asked for in the export.
    fn export_session(&mut self) -> Result<son1k_ghost::Session, AppError> {
        match self.metronome {
            Some(m) if m.in_export => self.live_session(),
            _ => Ok(self.editor.session().clone()),
        }
    }

    /// Renders the mix as it stands (its master chain included; the metronome when it is on
    /// for the export) to `out`.
    pub fn render(&mut self, out: &Path, bits: SampleFormat) -> Result<PathBuf, AppError> {
        let session = self.export_session()?;
        export::render(self.folder(), &session, out, bits)
    }

    /// Renders the mix as it stands to [`export::MIX`] (see [`super::render_mix`]).
    pub fn render_mix(&self) -> Result<String, AppError> {
        export::render_mix(self.folder(), self.session())
    }

    /// Exports the mix as it stands, its stems and the backing's MIDI (see [`super::export`];
    /// the metronome too when it is on for the export).
    pub fn export(
        &mut self,
        dir: &Path,
        quality: Quality,
        normalize: bool,
    ) -> Result<Vec<PathBuf>, AppError> {
        let session = self.export_session()?;
        export::export(self.folder(), &session, dir, quality, normalize)
    }

    /// Renders every track alone for live playback (see [`super::render_tracks`]).
    pub fn track_renders(&self) -> Result<Vec<TrackAudio>, AppError> {
        export::render_tracks(self.folder(), self.session())
    }
}
