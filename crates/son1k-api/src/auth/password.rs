//! Passwords: the length rule, argon2id hashing, and verification that takes as long for an
//! unknown user (checked against a dummy hash) as for a known one.
//!
//! Argon2 is memory-hard on purpose (19 MiB per hash with the default parameters), so an
//! unbounded number of parallel logins would be an unbounded amount of memory. Every hash and
//! verification therefore runs under [`HASHERS`]: a semaphore with one permit per core (at most
//! [`MAX_HASHERS`]), each permit owning one reusable block buffer, so the memory argon2 uses is
//! `permits × 19 MiB` however many requests arrive. Requests beyond the permits wait in a bounded
//! queue; one that waits longer than [`QUEUE_WAIT`] (or arrives when [`MAX_QUEUE`] are already
//! waiting) gets 503 with `Retry-After`.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

use super::error::AuthError;
use crate::keys::random_bytes;

/// The most argon2 computations that run at once, whatever the core count.
pub const MAX_HASHERS: usize = 8;
/// The most requests that wait for a hashing permit; more get 503 at once.
pub const MAX_QUEUE: usize = 256;
/// How long a request waits for a hashing permit before it gets 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);

/// The hashing permits and their reusable argon2 memory.
struct Hashers {
    permits: Semaphore,
    size: usize,
    buffers: Mutex<Vec<Vec<Block>>>,
    waiting: AtomicUsize,
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// The process-wide hashing permits.
static HASHERS: OnceLock<Hashers> = OnceLock::new();

fn hashers() -> &'static Hashers {
    HASHERS.get_or_init(|| {
        let size = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, MAX_HASHERS);
        Hashers {
            permits: Semaphore::new(size),
            size,
            buffers: Mutex::new(Vec::new()),
            waiting: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    })
}

/// How many argon2 computations may run at once (one per core, at most [`MAX_HASHERS`]).
pub fn hashing_permits() -> usize {
    hashers().size
}

/// The most argon2 computations that have run at the same time since the process started; never
/// more than [`hashing_permits`].
pub fn hashing_peak() -> usize {
    hashers().peak.load(Ordering::SeqCst)
}

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

/// Runs `job` on a blocking thread under a hashing permit, with a reused block buffer.
async fn with_permit<T: Send + 'static>(
    job: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> Result<T, AuthError> {
    let h = hashers();
    if h.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_QUEUE {
        h.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(AuthError::Busy(1));
    }
    let permit = tokio::time::timeout(QUEUE_WAIT, h.permits.acquire()).await;
    h.waiting.fetch_sub(1, Ordering::SeqCst);
    let permit = match permit {
        Ok(Ok(p)) => p,
        _ => return Err(AuthError::Busy(QUEUE_WAIT.as_secs().max(1) as i64)),
    };
    let res = tokio::task::spawn_blocking(move || {
        let n = h.running.fetch_add(1, Ordering::SeqCst) + 1;
        h.peak.fetch_max(n, Ordering::SeqCst);
        let mut buf = h
            .buffers
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .unwrap_or_default();
        let out = job(&mut buf);
        if let Ok(mut b) = h.buffers.lock() {
            if b.len() < h.size {
                b.push(buf);
            }
        }
        h.running.fetch_sub(1, Ordering::SeqCst);
        out
    })
    .await
    .map_err(|_| AuthError::Hash);
    drop(permit);
    res
}

/// Argon2 of `password` with `salt` into `out`, in `buf` (grown to the parameters' size once).
fn argon2_into(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    buf: &mut Vec<Block>,
) -> Result<(), argon2::Error> {
    let blocks = params.block_count();
    if buf.len() < blocks {
        buf.resize(blocks, Block::new());
    }
    argon.hash_password_into_with_memory(password, salt, out, &mut buf[..blocks])
}

/// Hashes `password` with argon2id and a fresh salt (off the async threads, under a permit).
pub(crate) async fn hash_password(password: String) -> Result<String, AuthError> {
    with_permit(move |buf| {
        let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|_| AuthError::Hash)?;
        let params = Params::default();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut salt_bytes = [0u8; 64];
        let salt_raw = salt
            .as_salt()
            .decode_b64(&mut salt_bytes)
            .map_err(|_| AuthError::Hash)?;
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        argon2_into(
            &argon,
            &params,
            password.as_bytes(),
            salt_raw,
            &mut out,
            buf,
        )
        .map_err(|_| AuthError::Hash)?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|_| AuthError::Hash)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|_| AuthError::Hash)?),
        };
        Ok(hash.to_string())
    })
    .await?
}

/// Checks `password` against the PHC string `hash` in `buf`.
fn verify(password: &[u8], hash: &str, buf: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    // Refuse stored parameters that would take more memory than the buffers are sized for.
    if params.m_cost() > Params::DEFAULT_M_COST * 4 {
        return false;
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    if argon2_into(&argon, &params, password, salt_raw, &mut out, buf).is_err() {
        return false;
    }
    bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

/// Whether `password` matches `hash`; with no hash (unknown user) it checks a dummy one and says
/// no. Errs only with [`AuthError::Busy`] when every hashing permit stays taken.
pub(crate) async fn password_matches(
    password: String,
    hash: Option<String>,
) -> Result<bool, AuthError> {
    with_permit(move |buf| {
        // Unknown users are checked against a fixed hash so both cases take the same time.
        static DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29uMWstZHVtbXktc2FsdA$\
                              dGltaW5nIG9ubHk6IGl0IG5ldmVyIG1hdGNoZXMhISE";
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY.to_string());
        verify(password.as_bytes(), &hash, buf) && known
    })
    .await
}
