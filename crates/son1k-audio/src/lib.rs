//! Son1k Studio's sound path.
//!
//! Today this crate lists the audio hosts and devices the machine offers (for `son1k info` and the
//! Settings screen), with a time limit so a wedged driver never hangs the caller. Decoding, WAV
//! and FLAC writing, resampling, effects, loudness, mixdown and the real-time engine arrive with
//! the audio engine issue. It is not for domain rules (those live in `son1k-core`).
#![deny(missing_docs)]

pub mod devices;

pub use devices::{probe_devices, AudioReport, DeviceInfo};
