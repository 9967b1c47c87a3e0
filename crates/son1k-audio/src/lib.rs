//! Son1k Studio's sound path.
//!
//! Decoding any common file to planar f32 ([`decode`]), writing WAV/FLAC atomically with dither
//! ([`write`]), resampling and channel mixing ([`resample`], [`AudioBuffer::with_channels`]),
//! EBU R128 loudness and normalisation ([`loudness`]), and the audio hosts and devices the machine
//! offers ([`devices`]). It is not for domain rules (those live in `son1k-core`) and holds no UI or
//! file-layout policy (that is `son1k-app`'s).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod buffer;
pub mod clock;
pub mod decode;
pub mod devices;
pub mod engine;
pub mod error;
pub mod fx;
pub mod loudness;
pub mod mixdown;
pub mod record;
pub mod resample;
pub mod write;

pub use buffer::AudioBuffer;
pub use decode::{decode_bytes, decode_file, decode_file_with_info, SourceInfo};
pub use devices::{
    choose_devices, chosen_devices, probe_devices, AudioReport, DeviceChoice, DeviceInfo,
    DEFAULT_BUFFER,
};
pub use error::AudioError;
pub use loudness::{measure, normalize, Loudness};
pub use resample::resample;
pub use write::{write_file, SampleFormat};
