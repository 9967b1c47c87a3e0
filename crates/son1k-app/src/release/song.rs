//! What the studio knows about a song it releases: read from the take's `song.json` (and its
//! `take.json` name), for the posts, the clips and the calendar.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use son1k_lyrics::posts::SongFacts;
use son1k_lyrics::SectionKind;

use super::clips::{BarGrid, SectionSpan, BEATS_PER_BAR};
use super::io;
use crate::{AppError, Studio};

#[derive(Deserialize, Default)]
struct RequestJson {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    lyrics: Option<String>,
    #[serde(default)]
    mood: Option<String>,
}

#[derive(Deserialize)]
struct SectionJson {
    kind: String,
    start: f64,
    end: f64,
    #[serde(default)]
    bar: u32,
}

#[derive(Deserialize)]
struct SongJson {
    #[serde(default)]
    request: RequestJson,
    #[serde(default)]
    genre: String,
    bpm: f64,
    #[serde(default)]
    key: String,
    seconds: f64,
    #[serde(default)]
    sections: Vec<SectionJson>,
}

/// A song being released.
#[derive(Debug, Clone)]
pub struct ReleaseSong {
    /// How it is named in the library: the take's folder name, or the folder's path.
    pub id: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Its mix.
    pub mix: PathBuf,
    /// The facts its posts are written from.
    pub facts: SongFacts,
    /// Where its bars fall.
    pub grid: BarGrid,
    /// Its sections.
    pub sections: Vec<SectionSpan>,
    /// Its length, seconds.
    pub seconds: f64,
}

fn not_a_song(song: &str) -> AppError {
    AppError::Invalid(son1k_core::ValidationError::new(
        "song",
        format!("{song:?}"),
        "name a take (its folder name or title, as `son1k takes list` prints them), a folder holding song.json and mix.wav, or an audio file",
    ))
}

/// Finds `song`: a take's folder name or title in the songs folder, or a folder with `song.json`.
pub fn resolve(studio: &Studio, song: &str) -> Result<ReleaseSong, AppError> {
    let wanted = song.trim();
    let takes = studio.songs()?;
    let take = takes.iter().find(|t| t.name == wanted).or_else(|| {
        takes.iter().find(|t| {
            t.title
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(wanted))
        })
    });
    let (id, dir, title) = match take {
        Some(t) => (
            t.name.clone(),
            t.dir.clone(),
            t.title
                .clone()
                .unwrap_or_else(|| format!("Take {}", t.number)),
        ),
        None => {
            let dir = PathBuf::from(wanted);
            if !wanted.is_empty() && dir.is_file() {
                return from_audio(&dir);
            }
            if wanted.is_empty() || !dir.join("song.json").is_file() {
                return Err(not_a_song(song));
            }
            let dir = std::path::absolute(&dir).unwrap_or(dir);
            let title = std::fs::read(dir.join(crate::songs::TAKE_FILE))
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|v| v["title"].as_str().map(str::to_string))
                .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "Untitled".into());
            (dir.display().to_string(), dir, title)
        }
    };
    read(&id, &dir, &title)
}

/// A finished mix without `song.json` (a Ghost Studio render, a file of the person's own): its
/// tempo, meter, downbeats and key come from son1k-analysis, and its bar grid is the one that
/// best fits the downbeats heard ([`fit_bars`]), from the earliest bar line at or after 0 s. Its
/// sections have no kinds, so its clips take the loudest stretch.
pub fn from_audio(path: &Path) -> Result<ReleaseSong, AppError> {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let a = son1k_analysis::analyze_file(&path)?;
    if !(a.bpm.is_finite() && a.bpm > 0.0) {
        return Err(AppError::Invalid(son1k_core::ValidationError::new(
            "song",
            path.display(),
            "no tempo could be heard in it, so its bars are unknown",
        )));
    }
    let beats_per_bar = if a.meter == 0 { BEATS_PER_BAR } else { a.meter };
    let (first, bar) = fit_bars(&a.downbeats, 60.0 / a.bpm * f64::from(beats_per_bar));
    let title = path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Untitled".into());
    Ok(ReleaseSong {
        id: path.display().to_string(),
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        mix: path.clone(),
        facts: SongFacts {
            title,
            genre: String::new(),
            mood: None,
            about: None,
            bpm: Some(a.bpm.round() as u32),
            key: (!a.key.is_empty()).then_some(a.key),
            hook: None,
            lyrics: Vec::new(),
            release_date: None,
        },
        grid: BarGrid {
            bpm: 60.0 * f64::from(beats_per_bar) / bar,
            beats_per_bar,
            first_downbeat: first - (first / bar).floor() * bar,
        },
        sections: Vec::new(),
        seconds: a.seconds,
    })
}

/// The bar grid that best fits `downbeats` (least squares of each downbeat's time on its bar
/// number, numbered with the tempo's bar length `bar`), as (a bar line, bar length): a small
/// tempo error would otherwise drift the cut points off the bars late in the song. Fewer than
/// two downbeats keep the first one (or 0 s) and `bar`.
fn fit_bars(downbeats: &[f64], bar: f64) -> (f64, f64) {
    let Some(&t0) = downbeats.first() else {
        return (0.0, bar);
    };
    if downbeats.len() < 2 || bar.is_nan() || bar <= 0.0 {
        return (t0, bar);
    }
    let points: Vec<(f64, f64)> = downbeats
        .iter()
        .map(|t| (((t - t0) / bar).round(), *t))
        .collect();
    let n = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(x, y), (i, t)| (x + i / n, y + t / n));
    let sxx: f64 = points.iter().map(|(i, _)| (i - mx).powi(2)).sum();
    if sxx <= 0.0 {
        return (t0, bar);
    }
    let sxy: f64 = points.iter().map(|(i, t)| (i - mx) * (t - my)).sum();
    let slope = sxy / sxx;
    // A fit far from the heard tempo means the downbeats are not one steady bar apart.
    if !(bar * 0.9..bar * 1.1).contains(&slope) {
        return (t0, bar);
    }
    (my - slope * mx, slope)
}

/// Reads the song in `dir`.
pub fn read(id: &str, dir: &Path, title: &str) -> Result<ReleaseSong, AppError> {
    let file = dir.join("song.json");
    let bytes = std::fs::read(&file).map_err(io("could not read", &file))?;
    let song: SongJson = serde_json::from_slice(&bytes).map_err(|e| {
        AppError::Invalid(son1k_core::ValidationError::new(
            "song.json",
            file.display(),
            format!("it could not be read as a song ({e})"),
        ))
    })?;
    if !(song.bpm.is_finite() && song.bpm > 0.0) {
        return Err(AppError::Invalid(son1k_core::ValidationError::new(
            "song.json",
            file.display(),
            "its bpm must be a positive number",
        )));
    }
    let sections: Vec<SectionSpan> = song
        .sections
        .iter()
        .map(|s| SectionSpan {
            kind: s.kind.clone(),
            start: s.start,
            end: s.end,
        })
        .collect();
    let bar = 60.0 / song.bpm * f64::from(BEATS_PER_BAR);
    let first_downbeat = song
        .sections
        .first()
        .map_or(0.0, |s| s.start - f64::from(s.bar) * bar);
    let lyrics = song
        .request
        .lyrics
        .as_deref()
        .map(son1k_lyrics::song::parse_tagged)
        .unwrap_or_default();
    let chorus = lyrics.iter().find(|s| s.kind == SectionKind::Chorus);
    let hook = chorus.and_then(|c| c.lines.first().cloned());
    let mut excerpt: Vec<String> = chorus
        .map(|c| c.lines.iter().take(4).cloned().collect())
        .unwrap_or_default();
    if let Some(first) = lyrics.iter().find(|s| s.kind != SectionKind::Chorus) {
        excerpt.extend(first.lines.iter().take(2).cloned());
    }
    let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let mood = song.request.mood.as_deref().and_then(nonempty);
    let about = nonempty(&song.request.prompt);
    Ok(ReleaseSong {
        id: id.to_string(),
        mix: dir.join("mix.wav"),
        dir: dir.to_path_buf(),
        facts: SongFacts {
            title: title.to_string(),
            genre: song.genre,
            mood,
            about,
            bpm: Some(song.bpm.round() as u32),
            key: (!song.key.is_empty()).then_some(song.key),
            hook,
            lyrics: excerpt,
            release_date: None,
        },
        grid: BarGrid {
            bpm: song.bpm,
            beats_per_bar: BEATS_PER_BAR,
            first_downbeat,
        },
        sections,
        seconds: song.seconds,
    })
}
