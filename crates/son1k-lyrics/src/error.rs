//! What can go wrong when writing lyrics with a local model.

/// Errors from the Ollama client and the writing tools, each saying what to do next.
#[derive(Debug, thiserror::Error)]
pub enum LyricsError {
    /// Nothing answered at the address (refused, unresolvable, or no answer in time).
    #[error("Ollama is not reachable at {address} ({why}) — start it with \"ollama serve\", then \"ollama pull qwen2.5\"; set OLLAMA_HOST if it runs elsewhere")]
    Unreachable {
        /// The address tried.
        address: String,
        /// What the connection attempt said.
        why: String,
    },
    /// Ollama runs but has no model installed.
    #[error(
        "Ollama at {address} has no models installed — run \"ollama pull qwen2.5\", then try again"
    )]
    NoModels {
        /// The address asked.
        address: String,
    },
    /// The model asked for is not installed.
    #[error("model {model:?} is not installed in Ollama at {address} (installed: {installed}) — run \"ollama pull {model}\" or pick one with --model")]
    ModelMissing {
        /// The model asked for.
        model: String,
        /// The address asked.
        address: String,
        /// The installed models, comma-separated.
        installed: String,
    },
    /// Ollama answered with an error.
    #[error("Ollama at {address} answered with an error: {message}")]
    Server {
        /// The address asked.
        address: String,
        /// Ollama's message (e.g. the model is not found, out of memory).
        message: String,
    },
    /// The server stopped answering mid-way or sent something that is not Ollama's protocol.
    #[error("Ollama at {address} broke off the answer: {why}")]
    Protocol {
        /// The address asked.
        address: String,
        /// What went wrong.
        why: String,
    },
    /// No answer within the time limit.
    #[error("Ollama at {address} sent nothing for {seconds} s — the model may still be loading; try again, or a smaller model with --model")]
    Timeout {
        /// The address asked.
        address: String,
        /// The limit that passed.
        seconds: u64,
    },
    /// The model's answer was not the structure asked for, even after a repair attempt.
    #[error("the model's answer was not valid {what} after a repair attempt ({why}); it began: {start:?}")]
    InvalidAnswer {
        /// What was expected, e.g. `lyrics JSON`.
        what: &'static str,
        /// Why the last answer was rejected.
        why: String,
        /// The start of the last answer.
        start: String,
    },
    /// The caller's input is unusable (empty theme, empty line, bad address).
    #[error("{0}")]
    Invalid(String),
    /// The user cancelled.
    #[error("cancelled")]
    Cancelled,
}

impl LyricsError {
    /// A stable machine-readable code for the UI and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            LyricsError::Unreachable { .. } => "ollama-unreachable",
            LyricsError::NoModels { .. } => "ollama-no-models",
            LyricsError::ModelMissing { .. } => "ollama-model-missing",
            LyricsError::Server { .. } => "ollama-error",
            LyricsError::Protocol { .. } => "ollama-protocol",
            LyricsError::Timeout { .. } => "ollama-timeout",
            LyricsError::InvalidAnswer { .. } => "invalid-answer",
            LyricsError::Invalid(_) => "invalid-input",
            LyricsError::Cancelled => "cancelled",
        }
    }

    /// Whether the caller's input caused it (an unusable argument or a model name not installed).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            LyricsError::Invalid(_) | LyricsError::ModelMissing { .. }
        )
    }
}
