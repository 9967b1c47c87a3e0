//! Writing WAV (16/24-bit integer with TPDF dither, 32-bit float) and FLAC, atomically.
//!
//! Every write goes to a temporary file in the destination folder, is flushed to disk, then renamed
//! over the destination: a crash or a full disk never leaves a half-written file under the real name.

use std::io::{BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{AudioBuffer, AudioError};

/// Sample formats the studio writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum SampleFormat {
    /// 16-bit integer (dithered).
    I16,
    /// 24-bit integer (dithered).
    I24,
    /// 32-bit IEEE float.
    F32,
}

impl SampleFormat {
    /// Parses `16`, `24`, `32f` (also `32`, `f32`).
    pub fn parse(s: &str) -> Result<Self, AudioError> {
        match s.trim().to_lowercase().as_str() {
            "16" | "i16" | "s16" => Ok(SampleFormat::I16),
            "24" | "i24" | "s24" => Ok(SampleFormat::I24),
            "32f" | "f32" | "32" | "float" => Ok(SampleFormat::F32),
            _ => Err(AudioError::Invalid(format!(
                "bit depth must be 16, 24 or 32f, not {s:?}"
            ))),
        }
    }

    /// Bits per sample.
    pub fn bits(self) -> u16 {
        match self {
            SampleFormat::I16 => 16,
            SampleFormat::I24 => 24,
            SampleFormat::F32 => 32,
        }
    }
}

/// File containers the studio writes, chosen from the destination's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// RIFF WAVE.
    Wav,
    /// Free Lossless Audio Codec.
    Flac,
}

impl Container {
    /// The container for `path`'s extension (`.wav`, `.flac`).
    pub fn from_path(path: &Path) -> Result<Self, AudioError> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref()
        {
            Some("wav") | Some("wave") => Ok(Container::Wav),
            Some("flac") => Ok(Container::Flac),
            other => Err(AudioError::Invalid(format!(
                "{}: cannot write {} files; use .wav or .flac",
                path.display(),
                other.map_or("extension-less".to_string(), |e| format!(".{e}"))
            ))),
        }
    }
}

/// Converts float samples to integers of `bits` with TPDF dither (the difference of two uniform
/// variables: triangular, ±1 LSB), clipping to the integer range. `seed` makes the dither
/// reproducible. The two uniforms come from one xorshift64* draw: dither needs no cryptographic
/// quality, and this keeps writing far faster than the disk.
pub fn quantize(samples: &[f32], bits: u16, seed: u64) -> Vec<i32> {
    let max = ((1i64 << (bits - 1)) - 1) as f64;
    let min = -(1i64 << (bits - 1)) as f64;
    // SplitMix64 of the seed gives a well-mixed, non-zero starting state.
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let mut state = (z ^ (z >> 31)) | 1;
    const SCALE: f64 = 1.0 / 4_294_967_296.0;
    samples
        .iter()
        .map(|&s| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
            let dither = (f64::from((r >> 32) as u32) - f64::from(r as u32)) * SCALE;
            let s = if s.is_finite() { f64::from(s) } else { 0.0 };
            (s * max + dither).round().clamp(min, max) as i32
        })
        .collect()
}

/// A failed step of the atomic write, as this crate reports it.
fn fs_err(e: son1k_fs::Error) -> AudioError {
    AudioError::io(e.path, e.action, e.source)
}

/// Writes `buf` to `path` as WAV or FLAC (by extension) in `format`, atomically.
/// FLAC stores integers, so `F32` is written to FLAC as 24-bit.
pub fn write_file(path: &Path, buf: &AudioBuffer, format: SampleFormat) -> Result<(), AudioError> {
    let container = Container::from_path(path)?;
    if buf.frames() == 0 {
        return Err(AudioError::Invalid(format!(
            "{}: nothing to write (no frames)",
            path.display()
        )));
    }
    // A temporary sibling of `path`, removed unless committed (son1k-fs).
    let mut atomic = son1k_fs::AtomicFile::create(path).map_err(fs_err)?;
    let tmp = atomic.path().to_path_buf();
    match container {
        Container::Wav => write_wav(&mut atomic, &tmp, buf, format)?,
        Container::Flac => write_flac(&mut atomic, &tmp, buf, format)?,
    }
    atomic.commit().map_err(fs_err)
}

fn write_wav(
    file: &mut son1k_fs::AtomicFile,
    tmp: &Path,
    buf: &AudioBuffer,
    format: SampleFormat,
) -> Result<(), AudioError> {
    let spec = hound::WavSpec {
        channels: buf.channel_count() as u16,
        sample_rate: buf.sample_rate,
        bits_per_sample: format.bits(),
        sample_format: match format {
            SampleFormat::F32 => hound::SampleFormat::Float,
            _ => hound::SampleFormat::Int,
        },
    };
    let err = |e: hound::Error| match e {
        hound::Error::IoError(io) => AudioError::io(tmp, "could not write", io),
        other => AudioError::Invalid(format!("{}: {other}", tmp.display())),
    };
    let mut w = hound::WavWriter::new(BufWriter::new(file), spec).map_err(err)?;
    let samples = buf.interleaved();
    match format {
        SampleFormat::F32 => {
            for s in samples {
                w.write_sample(if s.is_finite() { s } else { 0.0 })
                    .map_err(err)?;
            }
        }
        SampleFormat::I16 => {
            for s in quantize(&samples, 16, 0x5eed) {
                w.write_sample(s as i16).map_err(err)?;
            }
        }
        SampleFormat::I24 => {
            for s in quantize(&samples, 24, 0x5eed) {
                w.write_sample(s).map_err(err)?;
            }
        }
    }
    w.finalize().map_err(err)
}

fn write_flac(
    file: &mut son1k_fs::AtomicFile,
    tmp: &Path,
    buf: &AudioBuffer,
    format: SampleFormat,
) -> Result<(), AudioError> {
    use flacenc::component::BitRepr;
    use flacenc::error::Verify;
    let bits: u16 = match format {
        SampleFormat::I16 => 16,
        _ => 24,
    };
    let samples = quantize(&buf.interleaved(), bits, 0x5eed);
    let config = flacenc::config::Encoder::default()
        .into_verified()
        .map_err(|(_, e)| AudioError::Invalid(format!("FLAC encoder configuration: {e:?}")))?;
    let source = flacenc::source::MemSource::from_samples(
        &samples,
        buf.channel_count(),
        bits as usize,
        buf.sample_rate as usize,
    );
    let stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
        .map_err(|e| {
            AudioError::Invalid(format!("{}: FLAC encoding failed: {e:?}", tmp.display()))
        })?;
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream.write(&mut sink).map_err(|e| {
        AudioError::Invalid(format!("{}: FLAC encoding failed: {e:?}", tmp.display()))
    })?;
    let mut bytes = sink.as_slice().to_vec();
    // STREAMINFO's minimum block size must exclude the final, shorter block of a fixed-block-size
    // stream (FLAC format, METADATA_BLOCK_STREAMINFO); the encoder counts it, which makes some
    // decoders (symphonia among them) refuse the file. Bytes 8–9 hold the minimum, 10–11 the maximum.
    if bytes.len() > 12 && &bytes[..4] == b"fLaC" && bytes[4] & 0x7f == 0 {
        let (min, max) = bytes.split_at_mut(10);
        min[8..10].copy_from_slice(&max[..2]);
    }
    file.write_all(&bytes)
        .map_err(|e| AudioError::io(tmp, "could not write", e))
}
