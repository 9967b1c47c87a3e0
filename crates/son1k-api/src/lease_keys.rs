//! Lease signing keys and their rotation.
//!
//! The **root** key is `SON1K_LEASE_KEY` (or the dev key in `SON1K_HOME`); it signs leases until
//! the first rotation, and the access-token and pool keys are always derived from it, so rotating
//! the lease key signs nobody out and moves no pool selection.
//!
//! `son1k-api rotate-lease-key` ([`rotate`]) makes a new random Ed25519 key and stores it in the
//! `lease_keys` table, sealed with a key derived from the root (so the database alone does not
//! hold a usable signing key, and every instance that shares `SON1K_LEASE_KEY` can open it). The
//! newest key signs from then on: each instance reads it when it issues a lease, so a rotation
//! reaches a running fleet without a restart. A replaced key stays **published** at
//! `GET /api/leases/public-keys` for [`LEASE_TTL`] after it was replaced, the longest a lease it
//! signed can live, so every lease issued before a rotation stays verifiable until it expires;
//! [`verify_lease_with_any`](crate::leases::verify_lease_with_any) checks a lease against that set.
//! Each rotated key is published with the root key's **endorsement** ([`endorse`]): a desktop
//! pins the root key once (`root_public_key`) and trusts the keys it endorsed, so a rotation
//! never strands a desktop, and a server without the root key cannot sign leases it accepts.
//!
//! Sealing: `wrapped = seed XOR HMAC-SHA256(w, "stream\0" ‖ id)` and
//! `tag = HMAC-SHA256(w, "tag\0" ‖ id ‖ "\0" ‖ wrapped)`, with
//! `w = SHA-256("son1k-lease-key-wrap-v1\0" ‖ root seed)`; stored as hex of `wrapped ‖ tag`. Each
//! key has its own random id, so no two keys share a keystream.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::db::{now, Db};
use crate::keys::{random_bytes, Keys};
use crate::leases::LEASE_TTL;

/// The id of the root key (`SON1K_LEASE_KEY`).
pub const ROOT_KEY_ID: &str = "root";

pub use son1k_api_types::{PublicKeys, PublishedKey, LEASE_KEY_ENDORSEMENT_CONTEXT};

/// Why the signing key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
    /// A stored key does not open with this server's root key, or does not match its public key.
    #[error("lease key {0} cannot be opened with SON1K_LEASE_KEY (was the root key changed?)")]
    Sealed(String),
}

/// One key of the ring, oldest first, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingEntry {
    /// Key id.
    pub id: String,
    /// Its public key.
    pub public: VerifyingKey,
    /// When it began signing.
    pub created_at: i64,
}

type HmacSha256 = Hmac<Sha256>;

fn wrap_key(root: &SigningKey) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"son1k-lease-key-wrap-v1\0");
    h.update(root.to_bytes());
    h.finalize().into()
}

fn hmac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length.
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("any length"));
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Seals `seed` (key `id`) under `root`: hex of `wrapped ‖ tag`.
pub fn seal(root: &SigningKey, id: &str, seed: &[u8; 32]) -> String {
    let w = wrap_key(root);
    let stream = hmac(&w, &[b"stream\0", id.as_bytes()]);
    let mut wrapped = [0u8; 32];
    for (i, b) in wrapped.iter_mut().enumerate() {
        *b = seed[i] ^ stream[i];
    }
    let tag = hmac(&w, &[b"tag\0", id.as_bytes(), b"\0", &wrapped]);
    format!("{}{}", hex::encode(wrapped), hex::encode(tag))
}

/// Opens what [`seal`] made; `None` when it was sealed under another root or altered.
pub fn open(root: &SigningKey, id: &str, sealed: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(sealed.trim()).ok()?;
    if bytes.len() != 64 {
        return None;
    }
    let (wrapped, tag) = bytes.split_at(32);
    let w = wrap_key(root);
    let expected = hmac(&w, &[b"tag\0", id.as_bytes(), b"\0", wrapped]);
    if !bool::from(expected.ct_eq(tag)) {
        return None;
    }
    let stream = hmac(&w, &[b"stream\0", id.as_bytes()]);
    let mut seed = [0u8; 32];
    for (i, b) in seed.iter_mut().enumerate() {
        *b = wrapped[i] ^ stream[i];
    }
    Some(seed)
}

fn parse_public(text: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(text).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// The ring, oldest first: the root key, then every rotated key.
pub async fn ring(db: &Db, keys: &Keys) -> Result<Vec<RingEntry>, KeyError> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT id, public_key, created_at FROM lease_keys ORDER BY created_at, id")
            .fetch_all(&db.pool)
            .await?;
    let mut out = vec![RingEntry {
        id: ROOT_KEY_ID.into(),
        public: keys.lease.verifying_key(),
        created_at: 0,
    }];
    for (id, public, created_at) in rows {
        let public = parse_public(&public).ok_or_else(|| KeyError::Sealed(id.clone()))?;
        out.push(RingEntry {
            id,
            public,
            created_at,
        });
    }
    Ok(out)
}

/// The root key's endorsement of `public` (base64url): its signature of
/// [`LEASE_KEY_ENDORSEMENT_CONTEXT`] followed by the key's bytes.
pub fn endorse(root: &SigningKey, public: &VerifyingKey) -> String {
    let mut message = LEASE_KEY_ENDORSEMENT_CONTEXT.to_vec();
    message.extend_from_slice(&public.to_bytes());
    B64.encode(root.sign(&message).to_bytes())
}

/// The keys of `ring` (oldest first) that verify a lease valid at `now`, newest first: the last
/// one, and each replaced one until [`LEASE_TTL`] after its replacement; each rotated key
/// endorsed by `root`.
pub fn published(ring: &[RingEntry], now: i64, root: &SigningKey) -> Vec<PublishedKey> {
    let mut out = Vec::new();
    for (i, key) in ring.iter().enumerate() {
        let retired_at = ring.get(i + 1).map(|next| next.created_at);
        let verify_until = retired_at.map(|r| r + LEASE_TTL);
        if verify_until.is_some_and(|until| until <= now) {
            continue;
        }
        let bytes = key.public.to_bytes();
        out.push(PublishedKey {
            id: key.id.clone(),
            algorithm: "ed25519".into(),
            public_key: B64.encode(bytes),
            public_key_hex: hex::encode(bytes),
            created_at: key.created_at,
            retired_at,
            verify_until,
            endorsement: (key.id != ROOT_KEY_ID).then(|| endorse(root, &key.public)),
        });
    }
    out.reverse();
    out
}

/// The key that signs new leases now, and its id: the newest rotated key, else the root key.
pub async fn signer(db: &Db, keys: &Keys) -> Result<(String, SigningKey), KeyError> {
    let newest: Option<(String, String, String)> = sqlx::query_as(
        "SELECT id, public_key, wrapped FROM lease_keys ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, public, sealed)) = newest else {
        return Ok((ROOT_KEY_ID.into(), keys.lease.clone()));
    };
    let seed = open(&keys.lease, &id, &sealed).ok_or_else(|| KeyError::Sealed(id.clone()))?;
    let key = SigningKey::from_bytes(&seed);
    if parse_public(&public) != Some(key.verifying_key()) {
        return Err(KeyError::Sealed(id));
    }
    Ok((id, key))
}

/// Makes a new random key the signing one (see the module docs) and returns it as published.
pub async fn rotate(db: &Db, keys: &Keys) -> Result<PublishedKey, KeyError> {
    let seed: [u8; 32] = random_bytes();
    let id = format!("k{}", hex::encode(random_bytes::<8>()));
    let key = SigningKey::from_bytes(&seed);
    let public = key.verifying_key();
    let mut tx = db.begin_write().await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(created_at) FROM lease_keys")
        .fetch_one(&mut **tx)
        .await?;
    // Strictly after the previous key, so the order of the ring is the order of rotation.
    let created_at = now().max(last.map_or(0, |l| l + 1));
    sqlx::query(
        "INSERT INTO lease_keys (id, public_key, wrapped, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(hex::encode(public.to_bytes()))
    .bind(seal(&keys.lease, &id, &seed))
    .bind(created_at)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    tracing::info!(key = %id, "lease signing key rotated");
    let bytes = public.to_bytes();
    Ok(PublishedKey {
        id,
        algorithm: "ed25519".into(),
        public_key: B64.encode(bytes),
        public_key_hex: hex::encode(bytes),
        created_at,
        retired_at: None,
        verify_until: None,
        endorsement: Some(endorse(&keys.lease, &public)),
    })
}
