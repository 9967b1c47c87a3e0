//! Voice studio: DSP transform of a file, the model manager, voice profiles and neural conversion
//! (kNN-VC) — decoding, resampling to the models' 16 kHz and writing happen here.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use son1k_audio::{write::Container, AudioBuffer, SampleFormat};
use son1k_ml::manager::ModelManager;
use son1k_ml::profile::{ProfileStore, VoiceProfile, CONSENT_STATEMENT};
use son1k_ml::vc::KnnVc;
use son1k_ml::MlError;
use son1k_voice::TransformParams;

use crate::{AppError, Studio};

/// The encoder and vocoder voice conversion uses.
pub const ENCODER: &str = "wavlm-large";
/// The vocoder voice conversion uses.
pub const VOCODER: &str = "knnvc-hifigan-prematched";

/// What a transform did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TransformReport {
    /// The written file.
    pub output: PathBuf,
    /// Seconds in and out.
    pub seconds_in: f64,
    /// Seconds out.
    pub seconds_out: f64,
    /// The controls used.
    pub params: TransformParams,
    /// Processing speed in multiples of real time.
    pub speed_x_realtime: f64,
}

/// Transforms a file: decode, [`son1k_voice::transform`], write (format from the extension).
pub fn transform_file(
    input: &Path,
    output: &Path,
    params: &TransformParams,
    bits: SampleFormat,
) -> Result<TransformReport, AppError> {
    Container::from_path(output)?;
    params.validate()?;
    let audio = son1k_audio::decode_file(input)?;
    let start = Instant::now();
    let out = son1k_voice::transform(&audio, params)?;
    let took = start.elapsed().as_secs_f64().max(1e-9);
    son1k_audio::write_file(output, &out, bits)?;
    Ok(TransformReport {
        output: output.to_path_buf(),
        seconds_in: audio.duration_secs(),
        seconds_out: out.duration_secs(),
        params: *params,
        speed_x_realtime: audio.duration_secs() / took,
    })
}

/// What a conversion did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
// Named for the desktop bindings, apart from `audio::ConvertReport` (JSON is unchanged).
#[serde(rename = "VoiceConvertReport")]
pub struct ConvertReport {
    /// The written file.
    pub output: PathBuf,
    /// The profile used.
    pub profile: String,
    /// Seconds of audio.
    pub seconds: f64,
    /// Wall-clock seconds spent in the models.
    pub model_seconds: f64,
    /// Real-time factor: model seconds per audio second (below 1 is faster than real time).
    pub rtf: f64,
}

impl Studio {
    /// The model manager, installing under `DATA/models`.
    pub fn models(&self) -> ModelManager {
        ModelManager::new(self.paths().data_dir.join("models"))
    }

    /// Voice profiles, under `DATA/voices`.
    pub fn voice_profiles(&self) -> ProfileStore {
        ProfileStore::new(self.paths().data_dir.join("voices"))
    }

    fn load_vc(&self) -> Result<KnnVc, AppError> {
        let models = self.models();
        let enc = models.installed(ENCODER)?;
        let voc = models.installed(VOCODER)?;
        let layer = enc.manifest.r#use["layer"].as_u64().unwrap_or(6) as usize;
        Ok(KnnVc::load_cpu(
            &enc.config,
            &enc.weights,
            layer,
            &voc.config,
            &voc.weights,
        )?)
    }

    /// Builds a profile from a consenting speaker's recordings. Refuses without `consent`, an
    /// unusable or taken name, or no files, before loading any model.
    pub fn create_voice_profile(
        &self,
        name: &str,
        files: &[PathBuf],
        consent: bool,
        progress: &mut dyn FnMut(&str, f64),
    ) -> Result<VoiceProfile, AppError> {
        let store = self.voice_profiles();
        if !consent {
            return Err(MlError::Consent(format!(
                "making a voice profile needs the speaker's consent: add --i-have-the-right to confirm \"{CONSENT_STATEMENT}\""
            ))
            .into());
        }
        if !son1k_ml::profile::valid_name(name) {
            return Err(MlError::Input(format!(
                "\"{name}\" is not a usable profile name: use 1–64 letters, digits, '-' or '_'"
            ))
            .into());
        }
        if store.dir().join(name).exists() {
            return Err(MlError::ProfileExists(name.into()).into());
        }
        if files.is_empty() {
            return Err(MlError::Input("name at least one recording of the speaker".into()).into());
        }
        let mut clips = Vec::new();
        for f in files {
            clips.push(to_16k_mono(&son1k_audio::decode_file(f)?)?);
        }
        let vc = self.load_vc()?;
        let sources = files
            .iter()
            .map(|f| {
                f.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
            })
            .collect();
        Ok(vc.create_profile(&store, name, &clips, sources, ENCODER, consent, progress)?)
    }

    /// Converts a recording to a profile's voice (16 kHz mono, 24-bit). An unknown profile fails
    /// before the input is decoded or a model is loaded.
    pub fn convert_voice(
        &self,
        input: &Path,
        profile: &str,
        output: &Path,
        progress: &mut dyn FnMut(&str, f64),
    ) -> Result<ConvertReport, AppError> {
        Container::from_path(output)?;
        let store = self.voice_profiles();
        if !store.list()?.iter().any(|p| p.name == profile) {
            return Err(MlError::UnknownProfile {
                name: profile.into(),
            }
            .into());
        }
        let audio = to_16k_mono(&son1k_audio::decode_file(input)?)?;
        let vc = self.load_vc()?;
        let start = Instant::now();
        let samples = vc.convert_to_profile(&store, profile, ENCODER, &audio, progress)?;
        let took = start.elapsed().as_secs_f64();
        let seconds = audio.len() as f64 / f64::from(son1k_ml::SAMPLE_RATE);
        let buf = AudioBuffer::new(son1k_ml::SAMPLE_RATE, vec![samples])?;
        son1k_audio::write_file(output, &buf, SampleFormat::I24)?;
        Ok(ConvertReport {
            output: output.to_path_buf(),
            profile: profile.into(),
            seconds,
            model_seconds: took,
            rtf: took / seconds.max(1e-9),
        })
    }
}

/// Mixes to mono and resamples to the models' 16 kHz.
fn to_16k_mono(audio: &AudioBuffer) -> Result<Vec<f32>, AppError> {
    let mono = audio.with_channels(1)?;
    let at16 = if mono.sample_rate == son1k_ml::SAMPLE_RATE {
        mono
    } else {
        son1k_audio::resample(&mono, son1k_ml::SAMPLE_RATE)?
    };
    Ok(at16.channels.into_iter().next().unwrap_or_default())
}
