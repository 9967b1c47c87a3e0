//! The server's secrets: the Ed25519 lease signing key and the key that signs access tokens.

use base64::Engine;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The keys loaded at start.
pub struct Keys {
    /// Signs entitlement leases.
    pub lease: SigningKey,
    /// HMAC key for access tokens, derived from the lease key so one secret configures a fleet.
    pub token: [u8; 32],
    /// HMAC key that picks the community pool's 5% ([`crate::pool::selected`]): derived from
    /// the lease key, or from `SON1K_POOL_SECRET` when that is set ([`Keys::with_pool_secret`]).
    pub pool: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

/// Parses a 32-byte seed written as hex (64 digits) or base64.
pub fn parse_seed(text: &str) -> anyhow::Result<[u8; 32]> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(text)?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| {
                anyhow::anyhow!("SON1K_LEASE_KEY must be a 32-byte seed in hex or base64")
            })?
    };
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("SON1K_LEASE_KEY must be exactly 32 bytes (64 hex digits)"))
}

impl Keys {
    /// Builds the keys from a seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let mut h = Sha256::new();
        h.update(b"son1k-access-token-v1\0");
        h.update(seed);
        Keys {
            lease: SigningKey::from_bytes(&seed),
            token: h.finalize().into(),
            pool: pool_key(&seed),
        }
    }

    /// These keys with the pool's selection key derived from `secret` instead of the lease key.
    pub fn with_pool_secret(mut self, secret: &str) -> Self {
        self.pool = pool_key(secret.as_bytes());
        self
    }

    /// Loads `configured` (the `SON1K_LEASE_KEY` value) or, when unset, the dev key under `home`,
    /// generating and persisting it on first start.
    pub fn load(configured: Option<&str>, home: &Path) -> anyhow::Result<Self> {
        if let Some(text) = configured {
            return Ok(Keys::from_seed(parse_seed(text)?));
        }
        let path = home.join("lease-key.dev");
        let seed = if path.exists() {
            parse_seed(&std::fs::read_to_string(&path)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        } else {
            let mut seed = [0u8; 32];
            getrandom::getrandom(&mut seed)
                .map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
            write_private(&path, &hex::encode(seed))?;
            seed
        };
        tracing::warn!(
            path = %path.display(),
            "SON1K_LEASE_KEY is not set: using a development lease key stored on disk; \
             set SON1K_LEASE_KEY (64 hex digits) in production so every instance signs with the same key"
        );
        Ok(Keys::from_seed(seed))
    }
}

/// The pool's selection key for a secret.
fn pool_key(secret: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"son1k-pool-selection-v1\0");
    h.update(secret);
    h.finalize().into()
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Owner-only (0600 on Unix), fsynced, renamed into place.
    son1k_fs::atomic_write_private(path, text.as_bytes())?;
    Ok(())
}

/// Random bytes from the OS.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // getrandom only fails when the OS has no randomness source at all; there is nothing safe to
    // fall back to, so that is fatal.
    #[allow(clippy::expect_used)]
    getrandom::getrandom(&mut b).expect("the operating system provides no randomness");
    b
}
