//! Entitlement leases on the desktop: the server signs a [`LeasePayload`] with Ed25519; the app
//! keeps it, checks it against a pinned public key and honours its tier offline until it expires
//! plus [`GRACE_SECS`]. After that, or when the check fails, the app is FREE.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use son1k_core::Tier;

use crate::types::{Lease, LeasePayload, LEASE_KEY_ENDORSEMENT_CONTEXT};

/// How long after its expiry a lease still grants its tier offline: 3 days.
pub const GRACE_SECS: i64 = 3 * 24 * 3600;

/// Why a lease is not honoured.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LeaseError {
    /// The signature does not match the pinned key.
    #[error("the saved entitlement lease failed its signature check (it was altered, or signed by a server other than the pinned one), so this device is FREE; sign in again with `son1k account login` (self-hosting: set SON1K_LEASE_PUBLIC_KEY to your server's key)")]
    Tampered,
    /// Expired and past the grace period.
    #[error("the entitlement lease expired at {expires_at} (Unix time) and its offline grace ended at {grace_until}, so this device is FREE until it goes online; run `son1k sync` to renew it")]
    Expired {
        /// When it expired.
        expires_at: i64,
        /// When the grace period ended.
        grace_until: i64,
    },
    /// The pinned key is not an Ed25519 public key.
    #[error("the lease public key {0:?} is not an Ed25519 public key (32 bytes as base64url or 64 hex digits); fix SON1K_LEASE_PUBLIC_KEY or the lease_public_key setting")]
    BadKey(String),
    /// The lease names another account.
    #[error(
        "the saved entitlement lease belongs to another account; run `son1k sync` or sign in again"
    )]
    OtherAccount,
}

impl LeaseError {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            LeaseError::Tampered => "lease_tampered",
            LeaseError::Expired { .. } => "lease_expired",
            LeaseError::BadKey(_) => "bad_key",
            LeaseError::OtherAccount => "lease_mismatch",
        }
    }
}

/// A lease as the app keeps it: exactly the signed bytes and the signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedLease {
    /// The payload's JSON bytes, base64url without padding.
    pub lease: String,
    /// The Ed25519 signature, base64url without padding.
    pub signature: String,
}

impl From<&Lease> for SavedLease {
    fn from(l: &Lease) -> Self {
        SavedLease {
            lease: l.lease.clone(),
            signature: l.signature.clone(),
        }
    }
}

/// A lease that passed the check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedLease {
    /// What it grants, read from the signed bytes.
    pub payload: LeasePayload,
    /// The tier it grants.
    pub tier: Tier,
    /// True when it has expired but is still within the grace period.
    pub in_grace: bool,
    /// When the grace period ends (Unix seconds).
    pub grace_until: i64,
}

/// Reads a public key written as base64url (with or without padding), standard base64 or hex.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, LeaseError> {
    let t = text.trim();
    let bytes = if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .ok()
    } else {
        URL_SAFE_NO_PAD
            .decode(t.trim_end_matches('='))
            .or_else(|_| STANDARD.decode(t))
            .ok()
    };
    let arr: [u8; 32] = bytes
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| LeaseError::BadKey(t.to_string()))?;
    VerifyingKey::from_bytes(&arr).map_err(|_| LeaseError::BadKey(t.to_string()))
}

/// Checks the signature and decodes the payload (expiry not considered).
pub fn verify_signature(
    key: &VerifyingKey,
    lease: &SavedLease,
) -> Result<LeasePayload, LeaseError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(&lease.lease)
        .map_err(|_| LeaseError::Tampered)?;
    let sig = URL_SAFE_NO_PAD
        .decode(&lease.signature)
        .map_err(|_| LeaseError::Tampered)?;
    let sig = Signature::from_slice(&sig).map_err(|_| LeaseError::Tampered)?;
    key.verify(&bytes, &sig).map_err(|_| LeaseError::Tampered)?;
    serde_json::from_slice(&bytes).map_err(|_| LeaseError::Tampered)
}

/// A rotated lease key the pinned `root` key vouches for: `public_key` (as
/// [`parse_public_key`] reads it) with `endorsement`, the root's Ed25519 signature (base64url)
/// of [`LEASE_KEY_ENDORSEMENT_CONTEXT`] followed by the key's 32 bytes. A key whose
/// endorsement does not verify is [`LeaseError::Tampered`]: a server that does not hold the
/// root key cannot introduce one.
pub fn endorsed_key(
    root: &VerifyingKey,
    public_key: &str,
    endorsement: &str,
) -> Result<VerifyingKey, LeaseError> {
    let key = parse_public_key(public_key)?;
    let sig = URL_SAFE_NO_PAD
        .decode(endorsement.trim().trim_end_matches('='))
        .map_err(|_| LeaseError::Tampered)?;
    let sig = Signature::from_slice(&sig).map_err(|_| LeaseError::Tampered)?;
    let mut message = LEASE_KEY_ENDORSEMENT_CONTEXT.to_vec();
    message.extend_from_slice(&key.to_bytes());
    root.verify_strict(&message, &sig)
        .map_err(|_| LeaseError::Tampered)?;
    Ok(key)
}

/// Checks a lease at `now`: authentic (signed by `key`), for `user` when given, and not past
/// its expiry plus [`GRACE_SECS`].
pub fn check(
    key: &VerifyingKey,
    lease: &SavedLease,
    user: Option<&str>,
    now: i64,
) -> Result<CheckedLease, LeaseError> {
    check_any(std::slice::from_ref(key), lease, user, now)
}

/// [`check`] against several trusted keys (the pinned one and those it endorsed): authentic
/// when one of them signed it.
pub fn check_any(
    keys: &[VerifyingKey],
    lease: &SavedLease,
    user: Option<&str>,
    now: i64,
) -> Result<CheckedLease, LeaseError> {
    let payload = keys
        .iter()
        .find_map(|k| verify_signature(k, lease).ok())
        .ok_or(LeaseError::Tampered)?;
    if user.is_some_and(|u| u != payload.user_id) {
        return Err(LeaseError::OtherAccount);
    }
    let grace_until = payload.expires_at + GRACE_SECS;
    if now >= grace_until {
        return Err(LeaseError::Expired {
            expires_at: payload.expires_at,
            grace_until,
        });
    }
    // A tier name this build does not know grants nothing more than FREE.
    let tier = payload.limits.tier.parse().unwrap_or(Tier::Free);
    Ok(CheckedLease {
        in_grace: now >= payload.expires_at,
        tier,
        grace_until,
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn signed(key: &SigningKey, expires_at: i64) -> SavedLease {
        let payload = LeasePayload {
            version: 1,
            user_id: "u1".into(),
            device_id: "d1".into(),
            limits: son1k_core::Tier::Creator.limits().into(),
            used_at_issue: 4,
            period_start: 0,
            period_end: 100,
            issued_at: 0,
            expires_at,
        };
        let bytes = serde_json::to_vec(&payload).expect("json");
        SavedLease {
            lease: URL_SAFE_NO_PAD.encode(&bytes),
            signature: URL_SAFE_NO_PAD.encode(key.sign(&bytes).to_bytes()),
        }
    }

    #[test]
    fn valid_then_grace_then_free() {
        let sk = SigningKey::from_bytes(&[7; 32]);
        let vk = sk.verifying_key();
        let lease = signed(&sk, 1000);
        let ok = check(&vk, &lease, Some("u1"), 999).expect("valid");
        assert_eq!(ok.tier, Tier::Creator);
        assert!(!ok.in_grace);
        let grace = check(&vk, &lease, None, 1000 + GRACE_SECS - 1).expect("grace");
        assert!(grace.in_grace);
        let e = check(&vk, &lease, None, 1000 + GRACE_SECS).expect_err("expired");
        assert_eq!(e.code(), "lease_expired");
        assert!(e.to_string().contains("son1k sync"), "{e}");
    }

    #[test]
    fn altered_bytes_or_another_key_are_refused() {
        let sk = SigningKey::from_bytes(&[7; 32]);
        let vk = sk.verifying_key();
        let lease = signed(&sk, 1000);
        // Upgrade the tier in the payload without re-signing.
        let bytes = URL_SAFE_NO_PAD.decode(&lease.lease).expect("b64");
        let text = String::from_utf8(bytes)
            .expect("utf8")
            .replace("CREATOR", "STUDIO");
        let forged = SavedLease {
            lease: URL_SAFE_NO_PAD.encode(text.as_bytes()),
            signature: lease.signature.clone(),
        };
        assert_eq!(check(&vk, &forged, None, 0), Err(LeaseError::Tampered));
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert_eq!(check(&other, &lease, None, 0), Err(LeaseError::Tampered));
        assert_eq!(
            check(&vk, &lease, Some("someone-else"), 0),
            Err(LeaseError::OtherAccount)
        );
    }

    #[test]
    fn public_keys_parse_in_every_written_form() {
        let vk = SigningKey::from_bytes(&[9; 32]).verifying_key();
        let raw = vk.to_bytes();
        let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        for text in [
            URL_SAFE_NO_PAD.encode(raw),
            STANDARD.encode(raw),
            hex.clone(),
            hex.to_uppercase(),
        ] {
            assert_eq!(parse_public_key(&text).expect("parse"), vk, "{text}");
        }
        assert_eq!(parse_public_key("nope").expect_err("bad").code(), "bad_key");
    }

    #[test]
    fn a_rotated_key_is_trusted_only_with_the_roots_endorsement() {
        let root = SigningKey::from_bytes(&[1; 32]);
        let rotated = SigningKey::from_bytes(&[2; 32]);
        let stranger = SigningKey::from_bytes(&[3; 32]);
        let endorse = |by: &SigningKey, key: &SigningKey| {
            let mut m = LEASE_KEY_ENDORSEMENT_CONTEXT.to_vec();
            m.extend_from_slice(&key.verifying_key().to_bytes());
            URL_SAFE_NO_PAD.encode(by.sign(&m).to_bytes())
        };
        let public = URL_SAFE_NO_PAD.encode(rotated.verifying_key().to_bytes());
        let trusted = endorsed_key(&root.verifying_key(), &public, &endorse(&root, &rotated))
            .expect("endorsed by the root");
        assert_eq!(trusted, rotated.verifying_key());
        // Endorsed by another key, or an endorsement of another key: refused.
        let by_stranger = endorse(&stranger, &rotated);
        assert_eq!(
            endorsed_key(&root.verifying_key(), &public, &by_stranger),
            Err(LeaseError::Tampered)
        );
        let of_stranger = endorse(&root, &stranger);
        assert_eq!(
            endorsed_key(&root.verifying_key(), &public, &of_stranger),
            Err(LeaseError::Tampered)
        );
        assert_eq!(
            endorsed_key(&root.verifying_key(), &public, "not base64 at all!"),
            Err(LeaseError::Tampered)
        );
        // A lease the rotated key signed checks against the root and its endorsed keys, and
        // against neither alone.
        let lease = signed(&rotated, 1_000);
        let keys = [root.verifying_key(), trusted];
        assert_eq!(
            check_any(&keys, &lease, Some("u1"), 0).expect("ok").tier,
            Tier::Creator
        );
        assert_eq!(
            check(&root.verifying_key(), &lease, None, 0),
            Err(LeaseError::Tampered)
        );
        assert_eq!(check_any(&[], &lease, None, 0), Err(LeaseError::Tampered));
        // The other checks still apply after the signature.
        assert_eq!(
            check_any(&keys, &lease, Some("someone-else"), 0),
            Err(LeaseError::OtherAccount)
        );
    }
}
