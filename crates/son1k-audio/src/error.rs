//! The audio error type: every variant names the file (when there is one) and what is wrong.

use std::path::PathBuf;

/// What can go wrong on the sound path.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The file could not be opened, read or written.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done (`could not open`, `could not write`, …).
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{path}: the file is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// No decoder recognises the format.
    #[error("{path}: unsupported or unrecognised audio format ({detail}); supported: WAV, AIFF, FLAC, MP3, Ogg Vorbis, AAC/M4A")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// The decoder's explanation.
        detail: String,
    },
    /// The data is damaged.
    #[error("{path}: corrupt audio data: {detail}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the decoder found.
        detail: String,
    },
    /// The file ends before the length its header promises.
    #[error("{path}: the file is truncated: it holds {got} of the {expected} frames its header promises")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Frames decoded.
        got: u64,
        /// Frames promised.
        expected: u64,
    },
    /// A parameter is outside what the operation supports.
    #[error("{0}")]
    Invalid(String),
    /// Audio devices: none found, or the device refused.
    #[error("{0}")]
    Device(String),
}

impl AudioError {
    /// An I/O error on `path` while doing `action`.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: std::io::Error) -> Self {
        AudioError::Io {
            path: path.into(),
            action,
            source,
        }
    }
}
