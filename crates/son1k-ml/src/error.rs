//! The error type of the models and the model manager.

use std::path::PathBuf;

/// What can go wrong loading or running a model, or managing its files.
#[derive(Debug, thiserror::Error)]
pub enum MlError {
    /// A file could not be read or written.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// A tensor operation failed (shapes, dtypes, a damaged weight file).
    #[error("model error: {0}")]
    Candle(#[from] candle_core::Error),
    /// A configuration or manifest file is not valid JSON of the expected shape.
    #[error("{path}: {detail}")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A weight the architecture needs is not in the checkpoint.
    #[error("{file}: no tensor named \"{name}\" (is this the right checkpoint for the model?)")]
    MissingTensor {
        /// The checkpoint.
        file: PathBuf,
        /// The tensor.
        name: String,
    },
    /// A model's files are not installed.
    #[error("model \"{model}\" is not installed ({missing} missing) — install it with \"son1k models install {model}\", or offline with \"son1k models import {model} FILES…\"")]
    NotInstalled {
        /// The model's name.
        model: String,
        /// The first missing file.
        missing: String,
    },
    /// No manifest has this name.
    #[error("unknown model \"{name}\"; known models: {known}")]
    UnknownModel {
        /// The asked name.
        name: String,
        /// The names there are.
        known: String,
    },
    /// A file's bytes do not match its manifest.
    #[error("{file}: {detail}")]
    Verify {
        /// The file.
        file: String,
        /// What did not match.
        detail: String,
    },
    /// A download failed.
    #[error("download of {url} failed: {detail}")]
    Download {
        /// The address.
        url: String,
        /// What went wrong.
        detail: String,
    },
    /// The input is unusable (too short, empty, wrong shape).
    #[error("{0}")]
    Input(String),
    /// No voice profile has this name.
    #[error("no voice profile named \"{name}\" — list them with \"son1k voice profile list\", create one with \"son1k voice profile create {name} FILES… --i-have-the-right\"")]
    UnknownProfile {
        /// The asked name.
        name: String,
    },
    /// A profile with this name exists already.
    #[error("a voice profile named \"{0}\" exists already; delete it first or pick another name")]
    ProfileExists(String),
    /// The speaker's consent was not confirmed.
    #[error("{0}")]
    Consent(String),
    /// The caller asked the work to stop (between chunks); nothing was produced.
    #[error("cancelled")]
    Cancelled,
}

impl MlError {
    /// True when the caller's input or request is at fault (exit code 2 in the CLI).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            MlError::UnknownModel { .. }
                | MlError::UnknownProfile { .. }
                | MlError::ProfileExists(_)
                | MlError::Consent(_)
                | MlError::Input(_)
        )
    }

    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        MlError::Io {
            path: path.into(),
            action,
            source,
        }
    }
}
