//! kNN-VC end to end: features of the source, matched against a target set, vocoded.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use candle_core::{Device, Tensor};

use crate::hifigan::HifiGan;
use crate::knn::knn_regress;
use crate::profile::{ProfileStore, VoiceProfile, CONSENT_STATEMENT};
use crate::wavlm::WavLm;
use crate::MlError;

/// Seconds of audio WavLM sees at once (attention is quadratic in length).
const ENCODE_CHUNK_SECONDS: usize = 20;
/// Frames the vocoder renders at once, and the context frames added on each side.
const VOCODE_CHUNK: usize = 400;
const VOCODE_CONTEXT: usize = 12;

/// What a conversion reports as it goes: (stage, fraction done 0…1).
pub type Progress<'a> = &'a mut dyn FnMut(&str, f64);

/// The encoder and vocoder of kNN-VC, loaded.
pub struct KnnVc {
    wavlm: WavLm,
    vocoder: HifiGan,
    /// Neighbours averaged per frame (kNN-VC's default is 4).
    pub k: usize,
    device: Device,
}

impl KnnVc {
    /// Loads WavLM (keeping layers up to `layer`, whose output is the feature) and the vocoder.
    pub fn load(
        wavlm_config: &Path,
        wavlm_weights: &Path,
        layer: usize,
        vocoder_config: &Path,
        vocoder_weights: &Path,
        device: &Device,
    ) -> Result<Self, MlError> {
        let wavlm = WavLm::load(wavlm_config, wavlm_weights, layer, device)?;
        let vocoder = HifiGan::load(vocoder_config, vocoder_weights, device)?;
        if vocoder.config().hubert_dim != wavlm.config().hidden_size {
            return Err(MlError::BadFile {
                path: vocoder_config.into(),
                detail: format!(
                    "the vocoder takes {}-wide features but WavLM makes {}",
                    vocoder.config().hubert_dim,
                    wavlm.config().hidden_size
                ),
            });
        }
        Ok(KnnVc {
            wavlm,
            vocoder,
            k: 4,
            device: device.clone(),
        })
    }

    /// Loads on the CPU (see [`KnnVc::load`]).
    pub fn load_cpu(
        wavlm_config: &Path,
        wavlm_weights: &Path,
        layer: usize,
        vocoder_config: &Path,
        vocoder_weights: &Path,
    ) -> Result<Self, MlError> {
        Self::load(
            wavlm_config,
            wavlm_weights,
            layer,
            vocoder_config,
            vocoder_weights,
            &Device::Cpu,
        )
    }

    /// Assembles from models already loaded (on the CPU).
    pub fn new(wavlm: WavLm, vocoder: HifiGan) -> Self {
        KnnVc {
            wavlm,
            vocoder,
            k: 4,
            device: Device::Cpu,
        }
    }

    /// Features of 16 kHz mono audio, (frames, width), encoded in chunks of 20 s.
    pub fn features(&self, samples: &[f32], progress: Progress<'_>) -> Result<Tensor, MlError> {
        let hop = self.wavlm.hop();
        let chunk = ENCODE_CHUNK_SECONDS * crate::SAMPLE_RATE as usize / hop * hop;
        let mut parts = Vec::new();
        let mut start = 0;
        while start < samples.len() {
            let end = (start + chunk).min(samples.len());
            let piece = &samples[start..end];
            // A short tail is encoded together with the previous chunk's end.
            let piece = if piece.len() < hop * 4 && start > 0 {
                break;
            } else {
                piece
            };
            parts.push(self.wavlm.features(piece)?);
            start = end;
            progress("encode", start as f64 / samples.len() as f64);
        }
        if parts.is_empty() {
            return Err(MlError::Input("no audio to encode".into()));
        }
        Ok(Tensor::cat(&parts, 0)?)
    }

    /// Converts `samples` (16 kHz mono) to the voice whose features are `target` (frames, width).
    pub fn convert(
        &self,
        samples: &[f32],
        target: &Tensor,
        progress: Progress<'_>,
    ) -> Result<Vec<f32>, MlError> {
        let source = self.features(samples, progress)?;
        let matched = knn_regress(&source, target, self.k)?;
        progress("match", 1.0);
        self.vocode(&matched, progress)
    }

    /// Vocodes (frames, width) features in overlapping chunks, so memory stays bounded.
    pub fn vocode(&self, feats: &Tensor, progress: Progress<'_>) -> Result<Vec<f32>, MlError> {
        let (frames, _) = feats.dims2()?;
        let hop = self.vocoder.config().hop();
        let mut out = Vec::with_capacity(frames * hop);
        let mut start = 0;
        while start < frames {
            let len = VOCODE_CHUNK.min(frames - start);
            let lo = start.saturating_sub(VOCODE_CONTEXT);
            let hi = (start + len + VOCODE_CONTEXT).min(frames);
            let wav = self.vocoder.vocode(&feats.narrow(0, lo, hi - lo)?)?;
            let skip = ((start - lo) * hop).min(wav.len());
            let end = (skip + len * hop).min(wav.len());
            out.extend_from_slice(&wav[skip..end]);
            start += len;
            progress("vocode", start as f64 / frames as f64);
        }
        Ok(out)
    }
}

impl KnnVc {
    /// Builds and saves a voice profile from a consenting speaker's clips (16 kHz mono each).
    /// Refuses without `consent` before encoding anything.
    #[allow(clippy::too_many_arguments)]
    pub fn create_profile(
        &self,
        store: &ProfileStore,
        name: &str,
        clips: &[Vec<f32>],
        sources: Vec<String>,
        model: &str,
        consent: bool,
        progress: Progress<'_>,
    ) -> Result<VoiceProfile, MlError> {
        if !consent {
            return Err(MlError::Consent(format!(
                "making a voice profile needs the speaker's consent: confirm \"{CONSENT_STATEMENT}\""
            )));
        }
        if clips.is_empty() {
            return Err(MlError::Input(
                "name at least one recording of the speaker".into(),
            ));
        }
        let mut parts = Vec::new();
        for clip in clips {
            parts.push(self.features(clip, progress)?);
        }
        let feats = Tensor::cat(&parts, 0)?;
        let (frames, width) = feats.dims2()?;
        let meta = VoiceProfile {
            name: name.into(),
            created_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            consent: CONSENT_STATEMENT.into(),
            sources,
            seconds: clips.iter().map(|c| c.len()).sum::<usize>() as f64
                / f64::from(crate::SAMPLE_RATE),
            frames,
            width,
            model: model.into(),
        };
        store.create(&meta, &feats, consent)?;
        Ok(meta)
    }

    /// Converts 16 kHz mono `samples` to the voice of the profile `name`.
    pub fn convert_to_profile(
        &self,
        store: &ProfileStore,
        name: &str,
        model: &str,
        samples: &[f32],
        progress: Progress<'_>,
    ) -> Result<Vec<f32>, MlError> {
        let (meta, target) = store.load(name, &self.device)?;
        if meta.model != model {
            return Err(MlError::Input(format!(
                "profile \"{name}\" was made with {}, conversion uses {model}; create it again",
                meta.model
            )));
        }
        self.convert(samples, &target, progress)
    }
}
