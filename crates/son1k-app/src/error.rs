//! Errors the façade returns.

use son1k_core::ValidationError;
use std::path::PathBuf;

/// Everything that can go wrong in a façade call, each with a message that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input broke a product rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// An audio file could not be read, decoded or written.
    #[error(transparent)]
    Audio(#[from] son1k_audio::AudioError),
    /// Analysis failed (unreadable or too short input).
    #[error(transparent)]
    Analysis(#[from] son1k_analysis::AnalysisError),
    /// Song generation failed (bad SoundFont, output folder in the way, cancelled).
    #[error(transparent)]
    Compose(#[from] son1k_compose::ComposeError),
    /// Lyric Studio: Ollama unreachable, no model, an unusable answer, cancelled.
    #[error(transparent)]
    Lyrics(#[from] son1k_lyrics::LyricsError),
    /// The local library database failed.
    #[error(transparent)]
    Store(#[from] son1k_store::StoreError),
    /// A voice transform was asked with bad controls or an empty input.
    #[error(transparent)]
    Voice(#[from] son1k_voice::VoiceError),
    /// Neural models, the model manager or voice profiles failed.
    #[error(transparent)]
    Ml(#[from] son1k_ml::MlError),
    /// A job ended without success.
    #[error("{message}")]
    JobFailed {
        /// The job's kind.
        kind: String,
        /// Why.
        message: String,
    },
    /// The hosted API, the saved sign-in or the lease failed.
    #[error(transparent)]
    Sync(#[from] son1k_sync::SyncError),
    /// The tier's generation limit for the period is used up.
    #[error("{tier} allows {limit} generations per {period} and they are used up (the count resets at {resets_at}, Unix time); {hint}")]
    QuotaReached {
        /// The tier in force.
        tier: &'static str,
        /// Its limit.
        limit: i64,
        /// `day` or `month`.
        period: &'static str,
        /// When the count resets (Unix seconds).
        resets_at: i64,
        /// What to do.
        hint: &'static str,
    },
    /// An account operation could not be done.
    #[error("{message}")]
    Account {
        /// Stable code.
        code: &'static str,
        /// What happened and what to do.
        message: String,
    },
    /// No home directory could be found and `SON1K_HOME` is not set.
    #[error("no home directory found for this user; set SON1K_HOME to the folder Son1k Studio should use")]
    NoHome,
    /// A file or directory could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done, e.g. `could not create`.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl AppError {
    /// A stable machine-readable code for the UI and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid-input",
            AppError::Audio(son1k_audio::AudioError::Io { .. }) => "io",
            AppError::Audio(son1k_audio::AudioError::Device(_)) => "audio-device",
            AppError::Audio(_) => "bad-audio",
            AppError::Analysis(son1k_analysis::AnalysisError::Audio(_)) => "bad-audio",
            AppError::Analysis(_) => "too-short",
            AppError::Compose(son1k_compose::ComposeError::Cancelled) => "cancelled",
            AppError::Compose(son1k_compose::ComposeError::Invalid(_)) => "invalid-input",
            AppError::Compose(_) => "generate",
            AppError::Store(_) => "library",
            AppError::Lyrics(l) => l.code(),
            AppError::JobFailed { .. } => "job-failed",
            AppError::Voice(_) => "invalid-input",
            AppError::Ml(son1k_ml::MlError::NotInstalled { .. }) => "model-missing",
            AppError::Ml(son1k_ml::MlError::UnknownProfile { .. }) => "unknown-profile",
            AppError::Ml(son1k_ml::MlError::Cancelled) => "cancelled",
            AppError::Ml(m) if m.is_user_error() => "invalid-input",
            AppError::Ml(_) => "model",
            AppError::NoHome => "no-home",
            AppError::Sync(e) if e.is_offline() => "offline",
            AppError::Sync(son1k_sync::SyncError::Lease(_)) => "lease",
            AppError::Sync(son1k_sync::SyncError::NotSignedIn) => "not-signed-in",
            AppError::Sync(_) => "account",
            AppError::QuotaReached { .. } => "quota-reached",
            AppError::Account { .. } => "account",
            AppError::Io { .. } => "io",
        }
    }

    /// Whether the caller's input caused the error (CLI exit code 2, not 1): invalid values and
    /// audio files that are empty, damaged or in an unknown format.
    pub fn is_user_error(&self) -> bool {
        use son1k_audio::AudioError as A;
        match self {
            AppError::Invalid(_) => true,
            AppError::Audio(a) => !matches!(a, A::Io { .. } | A::Device(_)),
            AppError::Analysis(son1k_analysis::AnalysisError::Audio(a)) => {
                !matches!(a, A::Io { .. } | A::Device(_))
            }
            AppError::Analysis(_) => true,
            AppError::Lyrics(l) => l.is_user_error(),
            AppError::Voice(_) => true,
            AppError::Ml(m) => m.is_user_error(),
            // Jobs fail on their input (a damaged file); engine and I/O trouble are retried first.
            AppError::JobFailed { .. } => true,
            AppError::Store(son1k_store::StoreError::NotFound { .. }) => true,
            AppError::Sync(e) => e.is_user_error(),
            AppError::Compose(c) => !matches!(
                c,
                son1k_compose::ComposeError::Audio(_) | son1k_compose::ComposeError::Cancelled
            ),
            _ => false,
        }
    }
}
