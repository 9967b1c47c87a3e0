//! What can go wrong talking to the hosted API.

use crate::lease::LeaseError;
use std::path::PathBuf;

/// Errors of the client, the credential store and the lease check. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached in time (no network, wrong URL, server down).
    #[error("offline: the Son1k API at {url} cannot be reached ({detail}); check the connection, or point SON1K_API_URL (or the api_url setting) at a running server")]
    Offline {
        /// The base URL tried.
        url: String,
        /// Why, in a few words.
        detail: String,
    },
    /// The server answered with an error (its stable code and message).
    #[error("{message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The server's stable machine code, e.g. `limit_reached`.
        code: String,
        /// The server's message for people.
        message: String,
    },
    /// The server answered something this version cannot read.
    #[error("the Son1k API at {url} sent an answer this version cannot read ({detail}); is SON1K_API_URL pointing at a Son1k API server?")]
    Protocol {
        /// The base URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// The call needs an account.
    #[error("not signed in: run `son1k account login` (or `son1k account signup`) first")]
    NotSignedIn,
    /// The API URL is not usable.
    #[error("invalid API URL {0:?}: it must start with http:// or https:// (SON1K_API_URL or the api_url setting)")]
    BadUrl(String),
    /// An entitlement lease was rejected.
    #[error(transparent)]
    Lease(#[from] LeaseError),
    /// The saved sign-in could not be read or written.
    #[error("could not {action} the saved sign-in at {path}: {source}")]
    Credentials {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl SyncError {
    /// Whether the server could not be reached (the caller may carry on offline).
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Offline { .. })
    }

    /// A stable machine code: the server's code for API errors, else one of `offline`,
    /// `protocol`, `not_signed_in`, `bad_url`, `lease_tampered`, `lease_expired`, `bad_key`,
    /// `lease_mismatch`, `credentials`.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Offline { .. } => "offline",
            SyncError::Api { code, .. } => code,
            SyncError::Protocol { .. } => "protocol",
            SyncError::NotSignedIn => "not_signed_in",
            SyncError::BadUrl(_) => "bad_url",
            SyncError::Lease(e) => e.code(),
            SyncError::Credentials { .. } => "credentials",
        }
    }

    /// Whether the caller's input caused it (a rejected e-mail or password, a limit, a bad URL),
    /// as opposed to the network or the machine.
    pub fn is_user_error(&self) -> bool {
        match self {
            SyncError::Api { status, .. } => (400..500).contains(status),
            SyncError::NotSignedIn | SyncError::BadUrl(_) | SyncError::Lease(_) => true,
            _ => false,
        }
    }
}
