//! Renders of a project's session as it stands — the open one when the project is being
//! mixed, never a second read of `project.json`: the mix to a file, the export (mix, stems and
//! MIDI), and each track alone for live playback.

use std::path::{Path, PathBuf};

use son1k_audio::write::Container;
use son1k_audio::SampleFormat;
use son1k_core::Quality;
use son1k_ghost::Session;

use super::views::{relative, TrackAudio};
use crate::AppError;

/// Where [`render_mix`] writes, relative to the project folder.
pub const MIX: &str = "renders/mix.wav";

/// Where [`super::Mixing::track_renders`] writes, relative to the project folder.
pub const TRACK_RENDERS: &str = "renders/tracks";

/// Where [`render_tracks`] writes/// Renders `session` (files relative to `folder`; its master chain included) to `out`, WAV or
/// FLAC from its extension.
pub(super) fn render(
    folder: &Path,
    session: &Session,
    out: &Path,
    bits: SampleFormat,
) -> Result<PathBuf, AppError> {
    Container::from_path(out)?;
    son1k_ghost::produce::render_to(session, folder, out, bits).map_err(super::ghost_err)?;
    Ok(out.to_path_buf())
}

/// Renders `session` to [`MIX`] in `folder` (24-bit), for listening and A/B; returns that path
/// relative to the folder.
pub(super) fn render_mix(folder: &Path, session: &Session) -> Result<String, AppError> {
    let out = folder.join(MIX);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
            action: "could not create",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    render(folder, session, &out, SampleFormat::I24)?;
    Ok(MIX.to_string())
}

/// Exports the mix, one stem per track (rendered alone, through the master chain) and the
/// backing's MIDI into `dir`; with `normalize`, the mix is brought to −14 LUFS (−1 dBTP).
pub(super) fn export(
    folder: &Path,
    session: &Session,
    dir: &Path,
    quality: Quality,
    normalize: bool,
) -> Result<Vec<PathBuf>, AppError> {
    let bits = son1k_compose::sample_format(quality);
    std::fs::create_dir_all(dir.join("stems")).map_err(|source| AppError::Io {
        action: "could not create",
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut mix = son1k_audio::mixdown::render(session, folder)?;
    if mix.sample_rate != quality.sample_rate() {
        mix = son1k_audio::resample(&mix, quality.sample_rate())?;
    }
    if normalize {
        son1k_audio::normalize(&mut mix, -14.0, -1.0)?;
    }
    let mix_path = dir.join("mix.wav");
    son1k_audio::write_file(&mix_path, &mix, bits)?;
    files.push(mix_path);
    for t in &session.tracks {
        let mut solo = session.clone();
        for other in solo.tracks.iter_mut() {
            other.solo = other.name == t.name;
            other.mute = false;
        }
        let mut stem = son1k_audio::mixdown::render(&solo, folder)?;
        if stem.sample_rate != quality.sample_rate() {
            stem = son1k_audio::resample(&stem, quality.sample_rate())?;
        }
        let path = dir
            .join("stems")
            .join(format!("{}.wav", t.name.replace([' ', '/', '\\'], "-")));
        son1k_audio::write_file(&path, &stem, bits)?;
        files.push(path);
    }
    let midi = folder.join("backing").join("backing.mid");
    if midi.is_file() {
        let dest = dir.join("backing.mid");
        std::fs::copy(&midi, &dest).map_err(|source| AppError::Io {
            action: "could not copy",
            path: dest.clone(),
            source,
        })?;
        files.push(dest);
    }
    Ok(files)
}

/// Renders every track of `session` alone — its clips and effects, at unity gain, centred,
/// without the master chain — into [`TRACK_RENDERS`] of `folder` for live playback, where the
/// screen applies gain, pan, mute and solo itself. A render is named after a hash of what it
/// depends on, so an unchanged track is not rendered again; renders no track uses any more are
/// removed.
pub fn render_tracks(folder: &Path, session: &Session) -> Result<Vec<TrackAudio>, AppError> {
    let dir = folder.join(TRACK_RENDERS);
    std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
        action: "could not create",
        path: dir.clone(),
        source,
    })?;
    let mut out = Vec::new();
    let mut keep = std::collections::HashSet::new();
    for t in &session.tracks {
        if t.clips.is_empty() {
            out.push(TrackAudio {
                track: t.name.clone(),
                file: None,
            });
            continue;
        }
        let mut alone = son1k_audio::mixdown::Track::new(t.name.clone(), t.clips.clone());
        alone.fx = t.fx.clone();
        let alone = Session {
            sample_rate: session.sample_rate,
            tracks: vec![alone],
            master: Vec::new(),
            returns: Vec::new(),
        };
        let key = serde_json::to_vec(&alone).map_err(|e| AppError::JobFailed {
            kind: "render".into(),
            message: e.to_string(),
        })?;
        let name = format!("{:016x}.wav", fnv1a(&key));
        let path = dir.join(&name);
        if !path.is_file() {
            let audio = son1k_audio::mixdown::render(&alone, folder)?;
            son1k_audio::write_file(&path, &audio, SampleFormat::I16)?;
        }
        keep.insert(name);
        out.push(TrackAudio {
            track: t.name.clone(),
            file: Some(relative(folder, &path)),
        });
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.ends_with(".wav") && !keep.contains(&n) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(out)
}

/// 64-bit FNV-1a: a stable name for a render from the JSON it was made from.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
