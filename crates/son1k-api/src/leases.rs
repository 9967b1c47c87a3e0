//! Entitlement leases: a signed statement of what a user may do offline until it expires.
//!
//! A lease is the JSON [`LeasePayload`] encoded as bytes (sent base64url) plus an Ed25519
//! signature over exactly those bytes. The desktop app pins the public key
//! (`GET /api/leases/public-key`) and checks leases with [`verify_lease`]; changing any byte of
//! the payload or the signature makes the check fail.

use axum::extract::State;
use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};

use crate::auth::{AuthError, AuthUser};
use crate::db::now;
use crate::entitlement;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::AppState;
pub use son1k_api_types::{Lease, LeasePayload, LeaseRequest, PublicKey};

/// How long a lease is valid (seconds): 7 days, capped at the end of a paid billing period plus
/// a day's grace so a cancelled subscription does not live on for long offline.
pub const LEASE_TTL: i64 = 7 * 24 * 3600;

/// Errors of the lease routes and of [`verify_lease`].
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// Not signed in.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A field is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The signature does not match (tampered, or signed by another key).
    #[error("the lease signature is invalid: the lease was altered or signed by another server")]
    BadSignature,
    /// The lease has expired.
    #[error("the lease expired at {0} (Unix time); go online to renew it")]
    Expired(i64),
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
    /// The signing key could not be loaded ([`crate::lease_keys`]); the reason is logged, not
    /// sent.
    #[error("lease signing is unavailable on this server; try again later")]
    Key(crate::lease_keys::KeyError),
}

impl From<crate::lease_keys::KeyError> for LeaseError {
    fn from(e: crate::lease_keys::KeyError) -> Self {
        match e {
            crate::lease_keys::KeyError::Db(e) => LeaseError::Db(e),
            other => LeaseError::Key(other),
        }
    }
}

impl ApiError for LeaseError {
    fn status(&self) -> StatusCode {
        match self {
            LeaseError::Auth(e) => e.status(),
            LeaseError::Invalid(_) | LeaseError::BadSignature | LeaseError::Expired(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            LeaseError::Db(_) | LeaseError::Key(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            LeaseError::Auth(e) => e.code(),
            LeaseError::Invalid(_) => "invalid_input",
            LeaseError::BadSignature => "bad_signature",
            LeaseError::Expired(_) => "lease_expired",
            LeaseError::Db(_) => "database_unavailable",
            LeaseError::Key(_) => "lease_key_unavailable",
        }
    }
}
crate::impl_api_error!(LeaseError);

/// Checks `lease` + `signature` (both base64url, as [`Lease`] carries them) against `public_key`
/// and returns the payload if it is authentic and not expired at `now`.
pub fn verify_lease(
    public_key: &VerifyingKey,
    lease: &str,
    signature: &str,
    now: i64,
) -> Result<LeasePayload, LeaseError> {
    let bytes = B64.decode(lease).map_err(|_| LeaseError::BadSignature)?;
    let sig = B64
        .decode(signature)
        .map_err(|_| LeaseError::BadSignature)?;
    let sig = Signature::from_slice(&sig).map_err(|_| LeaseError::BadSignature)?;
    public_key
        .verify(&bytes, &sig)
        .map_err(|_| LeaseError::BadSignature)?;
    let payload: LeasePayload =
        serde_json::from_slice(&bytes).map_err(|_| LeaseError::BadSignature)?;
    if payload.expires_at <= now {
        return Err(LeaseError::Expired(payload.expires_at));
    }
    Ok(payload)
}

/// [`verify_lease`] against each of `keys` (the set `GET /api/leases/public-keys` lists, so a
/// lease signed before a key rotation still verifies until it expires): the payload under the
/// first key whose signature matches, or [`LeaseError::BadSignature`] when none does.
pub fn verify_lease_with_any(
    keys: &[VerifyingKey],
    lease: &str,
    signature: &str,
    now: i64,
) -> Result<LeasePayload, LeaseError> {
    for key in keys {
        match verify_lease(key, lease, signature, now) {
            Err(LeaseError::BadSignature) => continue,
            answer => return answer,
        }
    }
    Err(LeaseError::BadSignature)
}

/// Issues a signed entitlement lease for the caller's device.
#[utoipa::path(post, path = "/api/leases", tag = "leases", security(("bearer" = [])),
    request_body = LeaseRequest,
    responses((status = 201, body = Lease), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<LeaseRequest>,
) -> Result<(StatusCode, axum::Json<Lease>), LeaseError> {
    let device = body.device_id.trim();
    if device.is_empty() || device.chars().count() > 128 {
        return Err(LeaseError::Invalid(
            "device_id must be 1 to 128 characters".into(),
        ));
    }
    let now = now();
    let ent = entitlement::entitlement(&state.db, &caller.id, now).await?;
    let used = entitlement::used_in_period(&state.db.pool, &caller.id, &ent).await?;
    let mut expires = now + LEASE_TTL;
    if ent.tier.is_paid() {
        expires = expires.min(ent.period_end + 24 * 3600);
    }
    let payload = LeasePayload {
        version: 1,
        user_id: caller.id,
        device_id: device.to_string(),
        limits: ent.tier.limits().into(),
        used_at_issue: used,
        period_start: ent.period_start,
        period_end: ent.period_end,
        issued_at: now,
        expires_at: expires,
    };
    let bytes = serde_json::to_vec(&payload)
        .map_err(|e| LeaseError::Invalid(format!("cannot encode the lease: {e}")))?;
    let (_, signer) = crate::lease_keys::signer(&state.db, &state.keys).await?;
    let sig = signer.sign(&bytes);
    Ok((
        StatusCode::CREATED,
        axum::Json(Lease {
            lease: B64.encode(&bytes),
            signature: B64.encode(sig.to_bytes()),
            payload,
        }),
    ))
}

/// The Ed25519 public key that signs new leases (after a key rotation, the newest key; leases
/// signed before it verify with the keys at `/api/leases/public-keys`).
#[utoipa::path(get, path = "/api/leases/public-key", tag = "leases",
    responses((status = 200, body = PublicKey), (status = 503, body = ErrorBody)))]
pub async fn public_key(
    State(state): State<AppState>,
) -> Result<axum::Json<PublicKey>, LeaseError> {
    let (_, signer) = crate::lease_keys::signer(&state.db, &state.keys).await?;
    let key = signer.verifying_key().to_bytes();
    Ok(axum::Json(PublicKey {
        algorithm: "ed25519".into(),
        public_key: B64.encode(key),
        public_key_hex: hex::encode(key),
    }))
}

/// Every key that verifies a lease still valid: the signing key first, then keys replaced by a
/// rotation less than a lease lifetime ago.
#[utoipa::path(get, path = "/api/leases/public-keys", tag = "leases",
    responses((status = 200, body = crate::lease_keys::PublicKeys), (status = 503, body = ErrorBody)))]
pub async fn public_keys(
    State(state): State<AppState>,
) -> Result<axum::Json<crate::lease_keys::PublicKeys>, LeaseError> {
    let ring = crate::lease_keys::ring(&state.db, &state.keys).await?;
    Ok(axum::Json(crate::lease_keys::PublicKeys {
        keys: crate::lease_keys::published(&ring, now(), &state.keys.lease),
        root_public_key: B64.encode(state.keys.lease.verifying_key().to_bytes()),
    }))
}
