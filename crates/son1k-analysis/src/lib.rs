//! Music analysis: what a song's tempo, beats, meter, key and tuning are, how loud and bright it
//! is, where its sections change, and the pitch of a monophonic voice.
//!
//! Everything works on a mono mixdown decimated to about [`ANALYSIS_RATE`], from one short-time Fourier
//! transform shared by the tempo, key and feature extractors. It reads audio through `son1k-audio`
//! and holds no UI or storage policy.
#![deny(missing_docs)]

pub mod corpus;
pub mod eval;
pub mod features;
pub mod key;
pub mod pitch;
pub mod spectrum;
pub mod structure;
pub mod tempo;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use son1k_audio::{AudioBuffer, AudioError};

pub use key::KeyEstimate;
pub use structure::Section;
pub use tempo::TempoEstimate;

/// The rate analysis runs at, approximately: inputs are decimated by the integer factor that
/// comes closest (44.1 kHz → 22.05 kHz, 48 kHz → 24 kHz); enough for onsets and chroma.
pub const ANALYSIS_RATE: u32 = 22_050;

/// Errors analysis can return.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The audio could not be read.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// Too short to analyse.
    #[error("{0}: too short to analyse ({1:.2} s; at least 2 s are needed)")]
    TooShort(String, f64),
}

/// Everything `son1k analyze` reports for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The file analysed.
    pub file: PathBuf,
    /// Length in seconds.
    pub seconds: f64,
    /// Tempo in BPM.
    pub bpm: f64,
    /// Confidence of the tempo, 0–1.
    pub bpm_confidence: f64,
    /// Half and double the tempo, for octave-ambiguous material.
    pub bpm_alternatives: [f64; 2],
    /// Beat times in seconds.
    pub beats: Vec<f64>,
    /// Beats per bar (3 or 4).
    pub meter: u32,
    /// Downbeat times in seconds.
    pub downbeats: Vec<f64>,
    /// The key, written like "F# minor".
    pub key: String,
    /// Confidence of the key, 0–1.
    pub key_confidence: f64,
    /// The reference A the music is tuned to, in Hz.
    pub tuning_hz: f64,
    /// Integrated loudness in LUFS.
    pub lufs: Option<f64>,
    /// True peak in dBTP.
    pub true_peak_db: Option<f64>,
    /// Loudness range in LU.
    pub loudness_range_lu: f64,
    /// Spectral and rhythmic features.
    pub features: features::Features,
    /// Sections with A/B/… labels.
    pub sections: Vec<Section>,
}

/// Analyses a decoded buffer. `file` is only echoed in the result.
pub fn analyze(audio: &AudioBuffer, file: &Path) -> Result<Analysis, AnalysisError> {
    let seconds = audio.duration_secs();
    if seconds < 2.0 {
        return Err(AnalysisError::TooShort(file.display().to_string(), seconds));
    }
    let loud = son1k_audio::loudness::measure(audio)?;
    let (mono, rate) = spectrum::mono_for_analysis(audio)?;
    let Rhythm {
        spec,
        onsets,
        low,
        tempo: t,
        beats,
    } = rhythm(&mono, rate);
    let fps = spec.frames_per_second();
    let (meter, downbeats) = tempo::meter_and_downbeats(&low, &beats, fps);
    let k = key_of(&mono, rate);
    let features = features::compute(&spec, &onsets);
    let sections = structure::sections(&spec, &beats);
    Ok(Analysis {
        file: file.to_path_buf(),
        seconds,
        bpm: round2(t.bpm),
        bpm_confidence: round2(t.confidence),
        bpm_alternatives: [round2(t.bpm / 2.0), round2(t.bpm * 2.0)],
        beats: beats.iter().map(|&f| round3(spec.frame_time(f))).collect(),
        meter,
        downbeats: downbeats
            .iter()
            .map(|&f| round3(spec.frame_time(f)))
            .collect(),
        key: k.key.to_string(),
        key_confidence: round2(k.confidence),
        tuning_hz: round2(k.tuning_hz),
        lufs: loud.integrated_lufs.map(round2),
        true_peak_db: loud.true_peak_dbtp.map(round2),
        loudness_range_lu: round2(loud.range_lu),
        features,
        sections,
    })
}

/// The least onset strength a third of a beat after the beats (against on them) that can be the
/// long note of a swung or compound pair.
const SWING_MIN: f64 = 0.5;
/// How much stronger the third must be than the two-thirds point to move the beats.
const SWING_CONTRAST: f64 = 2.0;

/// The rhythm stage: spectrogram, onset envelopes, tempo and beats.
struct Rhythm {
    spec: spectrum::Spectrogram,
    onsets: Vec<f32>,
    low: Vec<f32>,
    tempo: TempoEstimate,
    beats: Vec<usize>,
}

fn rhythm(mono: &[f32], rate: u32) -> Rhythm {
    let spec = spectrum::Spectrogram::compute(mono, rate, 2048, 512);
    let fps = spec.frames_per_second();
    let (onsets, low) = tempo::onset_envelopes(&spec, 200.0);
    let mut t = tempo::estimate(&onsets, &low, fps);
    let mut beats = tempo::track_beats(&onsets, fps, t.bpm);
    // If the bass accents fall between our beats more than on them, we are reading every other
    // beat (the classic drum & bass octave error): double the tempo and track again.
    if tempo::offbeat_ratio(&low, &beats, fps) > 1.0 && t.bpm * 2.0 <= 240.0 {
        // More bass between our beats than on them: either we read every other beat (the
        // classic drum & bass octave error) or the tracker followed the off-beats (a
        // four-on-the-floor kick under syncopated snares). Half a beat later, a phase error
        // shows the bass squarely on the beats and little of anything between them.
        let half = (30.0 * fps / t.bpm).round() as usize;
        let shifted: Vec<usize> = beats
            .iter()
            .map(|b| b + half)
            .filter(|b| *b < low.len())
            .collect();
        let phase_error = tempo::offbeat_ratio(&low, &shifted, fps) < 0.3
            && tempo::offbeat_ratio(&onsets, &shifted, fps) < 0.8;
        if phase_error {
            beats = shifted;
        } else {
            t.bpm *= 2.0;
            beats = tempo::track_beats(&onsets, fps, t.bpm);
        }
    } else if t.bpm < 100.0
        && tempo::offbeat_ratio(&onsets, &beats, fps) > 0.8
        && tempo::offbeat_ratio(&low, &beats, fps) > 0.25
    {
        // A slow reading whose "off-beats" are as strong as its beats, with bass there too (a
        // four-on-the-floor kick, or a backbeat's second kick, read at half speed): the real
        // beat is twice as fast.
        t.bpm *= 2.0;
        beats = tempo::track_beats(&onsets, fps, t.bpm);
    }
    // A swung or compound beat (long–short: onsets on the beat and two thirds of the way to
    // the next) read a third of a beat early shows the opposite pattern: onsets a third after
    // our beats, nothing at two thirds. Move the beats onto the long notes.
    let (third, two_thirds) = (
        tempo::phase_ratio(&onsets, &beats, fps, 1.0 / 3.0),
        tempo::phase_ratio(&onsets, &beats, fps, 2.0 / 3.0),
    );
    if third > SWING_MIN && third > two_thirds * SWING_CONTRAST {
        let shift = (20.0 * fps / t.bpm).round() as usize;
        beats = beats
            .iter()
            .map(|b| b + shift)
            .filter(|b| *b < onsets.len())
            .collect();
    }
    Rhythm {
        spec,
        onsets,
        low,
        tempo: t,
        beats,
    }
}

/// The key stage: long non-overlapping frames, tuning, chroma, profiles.
fn key_of(mono: &[f32], rate: u32) -> KeyEstimate {
    key::estimate(&spectrum::Spectrogram::compute(mono, rate, 8192, 8192))
}

/// Tempo and key only (what the speed benchmark times).
pub fn tempo_and_key(audio: &AudioBuffer) -> Result<(f64, KeyEstimate), AnalysisError> {
    let (mono, rate) = spectrum::mono_for_analysis(audio)?;
    let r = rhythm(&mono, rate);
    Ok((r.tempo.bpm, key_of(&mono, rate)))
}

/// Decodes and analyses a file.
pub fn analyze_file(path: &Path) -> Result<Analysis, AnalysisError> {
    let audio = son1k_audio::decode_file(path)?;
    analyze(&audio, path)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}
