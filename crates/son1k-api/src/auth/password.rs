//! Passwords: the length rule, argon2id hashing, and verification that takes as long for an
//! unknown user (checked against a dummy hash) as for a known one.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

use super::error::AuthError;
use crate::keys::random_bytes;

/// Refuses passwords shorter than 8 or longer than 256 characters.
pub(crate) fn check_password(password: &str) -> Result<(), AuthError> {
    let n = password.chars().count();
    if (8..=256).contains(&n) {
        Ok(())
    } else {
        Err(AuthError::Invalid(
            "password must be 8 to 256 characters long".into(),
        ))
    }
}

/// Hashes `password` with argon2id and a fresh salt (off the async threads).
pub(crate) async fn hash_password(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|_| AuthError::Hash)?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| AuthError::Hash)
    })
    .await
    .map_err(|_| AuthError::Hash)?
}

/// Whether `password` matches `hash`; with no hash (unknown user) it checks a dummy one and says no.
pub(crate) async fn password_matches(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        // Unknown users are checked against a fixed hash so both cases take the same time.
        static DUMMY: OnceLock<String> = OnceLock::new();
        let hash = hash.unwrap_or_else(|| {
            DUMMY
                .get_or_init(|| {
                    let salt = SaltString::encode_b64(b"son1k-dummy-salt").ok();
                    salt.and_then(|s| {
                        Argon2::default()
                            .hash_password(b"not a password", &s)
                            .ok()
                            .map(|h| h.to_string())
                    })
                    .unwrap_or_default()
                })
                .clone()
        });
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}
