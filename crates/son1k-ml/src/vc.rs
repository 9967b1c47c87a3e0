//! kNN-VC end to end: features of the source, matched against a target set, vocoded.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use candle_core::{Device, Tensor};

use crate::hifigan::HifiGan;
use crate::knn::knn_regress;
use crate::profile::{ProfileStore, VoiceProfile, CONSENT_STATEMENT};
use crate::wavlm::WavLm;
use crate::MlError;
pub use son1k_core::Progress;

/// Seconds of audio WavLM sees at once (attention is quadratic in length).
const ENCODE_CHUNK_SECONDS: usize = 20;
/// Frames the vocoder renders at once, and the context frames added on each side.
const VOCODE_CHUNK: usize = 400;
const VOCODE_CONTEXT: usize = 12;

/// What a conversion reports as it goes: the fraction of the call's whole work done and its stage
/// (`encode`, `match`, `vocode`).
pub type OnProgress<'a> = &'a mut dyn FnMut(Progress);

/// A flag that is never set, for the calls that cannot be cancelled.
static NEVER: AtomicBool = AtomicBool::new(false);

/// [`MlError::Cancelled`] once `cancel` is set; checked between chunks of work.
fn check(cancel: &AtomicBool) -> Result<(), MlError> {
    if cancel.load(Ordering::Relaxed) {
        Err(MlError::Cancelled)
    } else {
        Ok(())
    }
}

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
    pub fn features(&self, samples: &[f32], progress: OnProgress<'_>) -> Result<Tensor, MlError> {
        self.features_until(samples, progress, &NEVER)
    }

    /// [`KnnVc::features`] that stops with [`MlError::Cancelled`] once `cancel` is set (checked
    /// before each 20 s chunk).
    pub fn features_until(
        &self,
        samples: &[f32],
        progress: OnProgress<'_>,
        cancel: &AtomicBool,
    ) -> Result<Tensor, MlError> {
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
            check(cancel)?;
            parts.push(self.wavlm.features(piece)?);
            start = end;
            progress(Progress::new(start as f32 / samples.len() as f32, "encode"));
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
        progress: OnProgress<'_>,
    ) -> Result<Vec<f32>, MlError> {
        self.convert_until(samples, target, progress, &NEVER)
    }

    /// [`KnnVc::convert`] that stops with [`MlError::Cancelled`] once `cancel` is set: it is
    /// checked before each encoder chunk, before and after matching, and before each vocoder chunk,
    /// so a cancel takes effect within one chunk's time.
    pub fn convert_until(
        &self,
        samples: &[f32],
        target: &Tensor,
        progress: OnProgress<'_>,
        cancel: &AtomicBool,
    ) -> Result<Vec<f32>, MlError> {
        // Encoding is most of the first half of the work, vocoding the second.
        let source =
            self.features_until(samples, &mut |p| progress(p.within(0.0, 0.45)), cancel)?;
        check(cancel)?;
        let matched = knn_regress(&source, target, self.k)?;
        progress(Progress::new(0.5, "match"));
        self.vocode_until(&matched, &mut |p| progress(p.within(0.5, 1.0)), cancel)
    }

    /// Vocodes (frames, width) features in overlapping chunks, so memory stays bounded.
    pub fn vocode(&self, feats: &Tensor, progress: OnProgress<'_>) -> Result<Vec<f32>, MlError> {
        self.vocode_until(feats, progress, &NEVER)
    }

    /// [`KnnVc::vocode`] that stops with [`MlError::Cancelled`] once `cancel` is set (checked
    /// before each chunk).
    pub fn vocode_until(
        &self,
        feats: &Tensor,
        progress: OnProgress<'_>,
        cancel: &AtomicBool,
    ) -> Result<Vec<f32>, MlError> {
        let (frames, _) = feats.dims2()?;
        let hop = self.vocoder.config().hop();
        let mut out = Vec::with_capacity(frames * hop);
        let mut start = 0;
        while start < frames {
            check(cancel)?;
            let len = VOCODE_CHUNK.min(frames - start);
            let lo = start.saturating_sub(VOCODE_CONTEXT);
            let hi = (start + len + VOCODE_CONTEXT).min(frames);
            let wav = self.vocoder.vocode(&feats.narrow(0, lo, hi - lo)?)?;
            let skip = ((start - lo) * hop).min(wav.len());
            let end = (skip + len * hop).min(wav.len());
            out.extend_from_slice(&wav[skip..end]);
            start += len;
            progress(Progress::new(start as f32 / frames as f32, "vocode"));
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
        progress: OnProgress<'_>,
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
        let n = clips.len() as f32;
        for (i, clip) in clips.iter().enumerate() {
            let (start, end) = (i as f32 / n, (i + 1) as f32 / n);
            parts.push(self.features(clip, &mut |p| progress(p.within(start, end)))?);
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
        progress: OnProgress<'_>,
    ) -> Result<Vec<f32>, MlError> {
        self.convert_to_profile_until(store, name, model, samples, progress, &NEVER)
    }

    /// [`KnnVc::convert_to_profile`] that stops with [`MlError::Cancelled`] once `cancel` is set
    /// (see [`KnnVc::convert_until`]).
    pub fn convert_to_profile_until(
        &self,
        store: &ProfileStore,
        name: &str,
        model: &str,
        samples: &[f32],
        progress: OnProgress<'_>,
        cancel: &AtomicBool,
    ) -> Result<Vec<f32>, MlError> {
        let (meta, target) = store.load(name, &self.device)?;
        if meta.model != model {
            return Err(MlError::Input(format!(
                "profile \"{name}\" was made with {}, conversion uses {model}; create it again",
                meta.model
            )));
        }
        self.convert_until(samples, &target, progress, cancel)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    /// The tiny random-weight WavLM (3 layers, 32 wide, 20-sample hop) and HiFi-GAN.
    fn tiny() -> KnnVc {
        KnnVc::load_cpu(
            &fixture("wavlm_large_tiny.json"),
            &fixture("wavlm_large_tiny.safetensors"),
            2,
            &fixture("hifigan_tiny.json"),
            &fixture("hifigan_tiny.pt"),
        )
        .unwrap()
    }

    fn tone(seconds: f32, hz: f32) -> Vec<f32> {
        (0..(seconds * crate::SAMPLE_RATE as f32) as usize)
            .map(|i| {
                (i as f32 * hz * std::f32::consts::TAU / crate::SAMPLE_RATE as f32).sin() * 0.3
            })
            .collect()
    }

    #[test]
    fn a_cancel_between_vocoder_chunks_stops_the_conversion() {
        let vc = tiny();
        let target = vc.features(&tone(1.0, 180.0), &mut |_| {}).unwrap();
        let source = tone(1.5, 220.0);
        // Uncancelled, the vocoder reports several chunks and the output has the input's length.
        let mut stages = Vec::new();
        let whole = vc
            .convert_until(
                &source,
                &target,
                &mut |p| stages.push((p.stage.to_string(), p.fraction)),
                &AtomicBool::new(false),
            )
            .unwrap();
        let vocoded = stages.iter().filter(|(s, _)| s == "vocode").count();
        assert!(vocoded >= 2, "{stages:?}");
        assert!((whole.len() as isize - source.len() as isize).abs() < 400);
        // Cancelled after the first vocoder chunk: no further chunk runs.
        let cancel = AtomicBool::new(false);
        let mut seen = Vec::new();
        let r = vc.convert_until(
            &source,
            &target,
            &mut |p| {
                seen.push((p.stage.to_string(), p.fraction));
                if p.stage == "vocode" {
                    cancel.store(true, Ordering::Relaxed);
                }
            },
            &cancel,
        );
        assert!(matches!(r, Err(MlError::Cancelled)), "{r:?}");
        assert_eq!(seen.iter().filter(|(s, _)| s == "vocode").count(), 1);
        // Cancelled before it starts: nothing is encoded.
        let mut calls = 0;
        let r = vc.convert_until(&source, &target, &mut |_| calls += 1, &cancel);
        assert!(matches!(r, Err(MlError::Cancelled)));
        assert_eq!(calls, 0);
    }
}
