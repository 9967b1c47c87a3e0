//! Son1k Studio's voice transform: DSP that changes a voice without a model.
//!
//! A phase vocoder with identity phase locking (Laroche & Dolson) stretches time; pitch shifting is a
//! stretch followed by band-limited resampling, and a cepstral spectral envelope, measured on every
//! analysis frame, is put back where it was (or moved on purpose: the formant shift) so a shifted voice
//! keeps its vowels instead of sounding like a chipmunk. Presets (deeper, brighter, whisper, robot,
//! choir-double) are combinations of those controls plus excitation changes made in the same vocoder.
//! [`correct`] pulls a voice's pitch to the notes of a key (pitch-synchronous overlap-add).
//!
//! It is not for neural voice conversion (that is `son1k-ml`) and does no file I/O: it takes and
//! returns [`son1k_audio::AudioBuffer`]s.
#![deny(missing_docs)]

pub mod correct;
mod envelope;
pub mod preset;
mod resample;
mod vocoder;

pub use correct::{correct_pitch, CorrectionReport, PitchCorrection};
pub use preset::Preset;
pub use vocoder::{shift_channel, Excitation};

use serde::{Deserialize, Serialize};
use son1k_audio::AudioBuffer;

/// What can go wrong in a voice transform.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum VoiceError {
    /// A control is outside its range.
    #[error("{name} must be between {min} and {max} (got {value})")]
    OutOfRange {
        /// The control (`semitones`, `formant`, `stretch`).
        name: &'static str,
        /// Its value.
        value: f64,
        /// The smallest accepted value.
        min: f64,
        /// The largest accepted value.
        max: f64,
    },
    /// The preset name is not known.
    #[error("unknown voice preset \"{0}\"; choose one of: deeper, brighter, whisper, robot, choir-double")]
    UnknownPreset(String),
    /// The input has no samples.
    #[error("the input audio is empty")]
    Empty,
}

/// The controls of a transform. `Default` is the identity (no change).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TransformParams {
    /// Pitch shift in semitones (−24…24); formants stay where they were.
    pub semitones: f64,
    /// Formant (spectral envelope) shift in semitones (−12…12), independent of pitch.
    pub formant: f64,
    /// Length factor (0.25…4): 2 makes it twice as long at the same pitch.
    pub stretch: f64,
    /// The preset on top of the controls, if any.
    pub preset: Option<Preset>,
    /// Pitch correction first: the voice is pulled to this key's scale notes (see [`correct`]).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<String>, optional))]
    pub key: Option<son1k_core::Key>,
    /// Pitch correction strength, 0…1 (used with `key`).
    #[serde(default = "full_strength")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub correct: f64,
    /// How fast the correction follows a new note, 0…1000 ms (used with `key`).
    #[serde(default = "default_retune_ms")]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub retune_ms: f64,
}

fn full_strength() -> f64 {
    1.0
}

fn default_retune_ms() -> f64 {
    50.0
}

impl Default for TransformParams {
    fn default() -> Self {
        TransformParams {
            semitones: 0.0,
            formant: 0.0,
            stretch: 1.0,
            preset: None,
            key: None,
            correct: full_strength(),
            retune_ms: default_retune_ms(),
        }
    }
}

impl TransformParams {
    /// Checks every control's range.
    pub fn validate(&self) -> Result<(), VoiceError> {
        check("semitones", self.semitones, -24.0, 24.0)?;
        check("formant", self.formant, -12.0, 12.0)?;
        check("stretch", self.stretch, 0.25, 4.0)?;
        self.correction().map_or(Ok(()), |c| c.validate())
    }

    /// The pitch correction these controls ask for, if any.
    pub fn correction(&self) -> Option<PitchCorrection> {
        self.key.map(|key| PitchCorrection {
            key,
            strength: self.correct,
            retune_ms: self.retune_ms,
        })
    }
}

/// Transforms every channel of `input` with `params`: pitch correction first when a key is set,
/// then the controls (the preset's settings added to the explicit ones). The output has the same
/// rate and channel count and `stretch` × the length.
pub fn transform(input: &AudioBuffer, params: &TransformParams) -> Result<AudioBuffer, VoiceError> {
    params.validate()?;
    if input.frames() == 0 {
        return Err(VoiceError::Empty);
    }
    let corrected;
    let input = match params.correction() {
        Some(c) => {
            corrected = correct_pitch(input, &c)?.0;
            &corrected
        }
        None => input,
    };
    let identity = params.semitones == 0.0
        && params.formant == 0.0
        && params.stretch == 1.0
        && params.preset.is_none();
    if identity {
        return Ok(input.clone());
    }
    let rate = input.sample_rate;
    let out_len = ((input.frames() as f64) * params.stretch).round().max(1.0) as usize;
    let channels = match params.preset {
        Some(preset) => preset.render(input, params, out_len),
        None => input
            .channels
            .iter()
            .map(|ch| {
                shift_channel(
                    ch,
                    rate,
                    params.semitones,
                    params.formant,
                    params.stretch,
                    Excitation::Voice,
                    out_len,
                )
            })
            .collect(),
    };
    Ok(AudioBuffer {
        sample_rate: rate,
        channels,
    })
}

/// `Ok` when `value` is finite and within `min…max`, else the range error naming the control.
pub(crate) fn check(name: &'static str, value: f64, min: f64, max: f64) -> Result<(), VoiceError> {
    if value.is_finite() && value >= min && value <= max {
        Ok(())
    } else {
        Err(VoiceError::OutOfRange {
            name,
            value,
            min,
            max,
        })
    }
}

/// Semitones to a frequency ratio.
pub(crate) fn ratio(semitones: f64) -> f64 {
    (semitones / 12.0).exp2()
}
