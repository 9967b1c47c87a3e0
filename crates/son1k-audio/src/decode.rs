//! Decoding any common audio file to planar f32 through symphonia.
//!
//! WAV/AIFF (16/24/32-bit integer, 32-bit float), FLAC, MP3, Ogg Vorbis and AAC/M4A. Damaged,
//! truncated, empty or unknown files give an [`AudioError`] that names the file; nothing panics
//! (the `fuzz/` target `decode` feeds this module arbitrary bytes).

use std::fs::File;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use crate::{AudioBuffer, AudioError};

/// Longest input accepted: 6 hours at 192 kHz would not fit comfortably in memory anyway.
pub const MAX_FRAMES: u64 = 192_000 * 60 * 60 * 6;
/// Most frames reserved up front from a header's claim (ten minutes at 48 kHz).
const RESERVE_FRAMES: u64 = 48_000 * 600;
/// Damaged packets tolerated in a row before the file is declared corrupt.
const MAX_CONSECUTIVE_ERRORS: usize = 64;

/// What the source file was, beyond its samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourceInfo {
    /// Bits per sample of the source, when the format has a fixed depth (PCM, FLAC).
    pub bits_per_sample: Option<u32>,
}

/// Decodes the file at `path`, guessing the format from its contents and extension.
pub fn decode_file(path: &Path) -> Result<AudioBuffer, AudioError> {
    decode_file_with_info(path).map(|(audio, _)| audio)
}

/// Like [`decode_file`], also saying what the source was (its bit depth, for instance).
pub fn decode_file_with_info(path: &Path) -> Result<(AudioBuffer, SourceInfo), AudioError> {
    let file = File::open(path).map_err(|e| AudioError::io(path, "could not open", e))?;
    let len = file
        .metadata()
        .map_err(|e| AudioError::io(path, "could not read", e))?
        .len();
    if len == 0 {
        return Err(AudioError::Empty { path: path.into() });
    }
    let ext = path.extension().and_then(|e| e.to_str());
    guarded(path, || {
        decode_source(Box::new(file), ext, path.to_path_buf())
    })
}

/// Runs third-party decoding so that a panic inside it (a decoder bug on hostile input) becomes
/// an error naming the file instead of taking the studio down.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, AudioError>) -> Result<T, AudioError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(AudioError::Corrupt {
            path: path.to_path_buf(),
            detail: "the decoder failed on malformed data".into(),
        })
    })
}

/// Decodes an in-memory file; `ext` is an optional format hint such as `"mp3"`.
pub fn decode_bytes(bytes: Vec<u8>, ext: Option<&str>) -> Result<AudioBuffer, AudioError> {
    if bytes.is_empty() {
        return Err(AudioError::Empty {
            path: PathBuf::from("<memory>"),
        });
    }
    let path = PathBuf::from("<memory>");
    guarded(&path.clone(), || {
        decode_source(Box::new(Cursor::new(bytes)), ext, path)
    })
    .map(|(a, _)| a)
}

fn decode_source(
    source: Box<dyn MediaSource>,
    ext: Option<&str>,
    path: PathBuf,
) -> Result<(AudioBuffer, SourceInfo), AudioError> {
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = ext {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| AudioError::Unsupported {
            path: path.clone(),
            detail: describe(&e),
        })?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| AudioError::Unsupported {
            path: path.clone(),
            detail: "no audio track".into(),
        })?;
    let track_id = track.id;
    let expected = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .cloned()
        .ok_or_else(|| AudioError::Unsupported {
            path: path.clone(),
            detail: "the audio track has no codec parameters".into(),
        })?;
    // Gapless: the decoder trims encoder delay and padding (MP3, AAC, Vorbis).
    let opts = AudioDecoderOptions::default().gapless(true);
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &opts)
        .map_err(|e| AudioError::Unsupported {
            path: path.clone(),
            detail: describe(&e),
        })?;
    if expected.is_some_and(|n| n > MAX_FRAMES) {
        return Err(AudioError::Invalid(format!(
            "{}: the file claims {} frames, more than the {MAX_FRAMES} this studio decodes",
            path.display(),
            expected.unwrap_or(0)
        )));
    }

    let mut rate = params.sample_rate;
    let mut channels: Vec<Vec<f32>> = Vec::new();
    let mut errors_in_a_row = 0usize;
    let mut total: u64 = 0;
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(SymError::IoError(e)) => {
                return Err(AudioError::io(path, "could not read", e));
            }
            Err(e) => {
                errors_in_a_row += 1;
                if errors_in_a_row > MAX_CONSECUTIVE_ERRORS {
                    return Err(AudioError::Corrupt {
                        path,
                        detail: describe(&e),
                    });
                }
                continue;
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(decoded) => {
                errors_in_a_row = 0;
                let spec = decoded.spec().clone();
                let ch = spec.channels().count();
                if spec.rate() == 0 || ch == 0 {
                    return Err(AudioError::Corrupt {
                        path,
                        detail: "a packet declares no sample rate or no channels".into(),
                    });
                }
                rate = rate.or(Some(spec.rate()));
                if channels.is_empty() {
                    // Reserve what the header promises, up to ten minutes at 48 kHz: a lying header
                    // must not make us allocate gigabytes up front (pushes grow past this).
                    let hint = expected.unwrap_or(0).min(RESERVE_FRAMES) as usize;
                    channels = (0..ch).map(|_| Vec::with_capacity(hint)).collect();
                } else if channels.len() != ch {
                    return Err(AudioError::Corrupt {
                        path,
                        detail: format!(
                            "channel count changes mid-stream ({} → {ch})",
                            channels.len()
                        ),
                    });
                }
                let frames = decoded.frames();
                if frames == 0 {
                    continue;
                }
                let mut planes: Vec<&mut [f32]> = channels
                    .iter_mut()
                    .map(|c| {
                        let start = c.len();
                        c.resize(start + frames, 0.0);
                        &mut c[start..]
                    })
                    .collect();
                decoded.copy_to_slice_planar::<f32, _>(&mut planes);
                total += frames as u64;
                if total > MAX_FRAMES {
                    return Err(AudioError::Invalid(format!(
                        "{}: longer than the {MAX_FRAMES} frames this studio decodes",
                        path.display()
                    )));
                }
            }
            Err(SymError::DecodeError(e)) => {
                errors_in_a_row += 1;
                if errors_in_a_row > MAX_CONSECUTIVE_ERRORS {
                    return Err(AudioError::Corrupt {
                        path,
                        detail: e.to_string(),
                    });
                }
            }
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => {
                return Err(AudioError::Corrupt {
                    path,
                    detail: describe(&e),
                })
            }
        }
    }
    if total == 0 || channels.is_empty() {
        return Err(AudioError::Corrupt {
            path,
            detail: "no audio could be decoded".into(),
        });
    }
    if let Some(expected) = expected {
        // Codecs with priming/padding may differ by a packet; anything more is a cut-off file.
        if total + 4096 < expected {
            return Err(AudioError::Truncated {
                path,
                got: total,
                expected,
            });
        }
    }
    let rate = rate.filter(|r| *r > 0).ok_or_else(|| AudioError::Corrupt {
        path: path.clone(),
        detail: "the stream declares no sample rate".into(),
    })?;
    // Keep NaN/inf from damaged float streams out of the mix.
    for plane in &mut channels {
        for s in plane.iter_mut() {
            if !s.is_finite() {
                *s = 0.0;
            }
        }
    }
    let info = SourceInfo {
        bits_per_sample: params.bits_per_sample,
    };
    Ok((AudioBuffer::new(rate, channels)?, info))
}

fn describe(e: &SymError) -> String {
    match e {
        SymError::Unsupported(what) => format!("unsupported: {what}"),
        SymError::DecodeError(what) => format!("malformed data: {what}"),
        SymError::LimitError(what) => format!("exceeds a limit: {what}"),
        SymError::IoError(io) => format!("read error: {io}"),
        SymError::SeekError(_) => "seek error".into(),
        SymError::ResetRequired => "decoder reset required".into(),
        other => other.to_string(),
    }
}
