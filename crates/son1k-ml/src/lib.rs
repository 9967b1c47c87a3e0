//! Son1k Studio's neural models, in Candle, and the manager of their weights.
//!
//! Voice conversion follows kNN-VC (Baas, van Niekerk & Kamper 2023): a WavLM encoder turns 16 kHz
//! speech into one feature vector per 20 ms ([`wavlm`]); each source frame is replaced by the mean of
//! its k nearest frames (cosine distance) in a target speaker's feature set ([`knn`], [`profile`]);
//! a HiFi-GAN vocoder turns the matched features back into sound ([`hifigan`]). [`vc`] ties them
//! together. [`manager`] reads `models/*.json` manifests and installs, imports, verifies and removes
//! weights. Weights load from safetensors or PyTorch checkpoints; weight-normalised layers are folded
//! at load time.
//!
//! It is not for audio I/O or resampling (callers hand it 16 kHz mono samples) nor for file-layout
//! policy beyond the model and profile folders it is given.
#![deny(missing_docs)]

mod conv;
pub mod error;
pub mod hifigan;
pub mod knn;
pub mod manager;
pub mod profile;
pub mod vc;
pub mod wavlm;
pub mod weights;

pub use error::MlError;
pub use son1k_core::Progress;

/// The sample rate every model here works at.
pub const SAMPLE_RATE: u32 = 16_000;
