//! The desktop side of the Son1k Studio hosted API (`son1k-api`): a blocking HTTP client with
//! short timeouts, sign-in tokens kept in the OS keyring (or a private file where no keyring
//! service exists), and the check of signed entitlement leases against a pinned Ed25519 key.
//!
//! It is not for local bookkeeping (the outbox, usage counts and settings live in `son1k-store`,
//! and `son1k-app` decides when to call what) and never generates anything: the studio works
//! offline without it. Request and response bodies are the shared `son1k-api-types`, the same
//! definitions the server uses.
#![deny(missing_docs)]

pub mod client;
pub mod credentials;
mod error;
pub mod lease;

pub use client::{Client, DEFAULT_API_URL};
pub use credentials::{CredentialBackend, CredentialStore, Session};
pub use error::SyncError;
pub use lease::{CheckedLease, LeaseError, SavedLease, GRACE_SECS};
pub use son1k_api_types as types;

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
