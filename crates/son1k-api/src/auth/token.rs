//! Tokens: access tokens (HMAC-signed, stateless) issued and verified, and refresh tokens issued
//! and stored by their SHA-256 hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use son1k_api_types::Tokens;

use super::error::AuthError;
use crate::db::now;
use crate::keys::random_bytes;
use crate::AppState;

/// Access tokens live this long (seconds).
pub const ACCESS_TTL: i64 = 15 * 60;
/// Refresh tokens live this long (seconds).
pub const REFRESH_TTL: i64 = 30 * 24 * 3600;

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    typ: String,
}

/// Signs an access token for `user_id`.
pub fn issue_access(key: &[u8; 32], user_id: &str, now: i64) -> String {
    let claims = Claims {
        sub: user_id.to_string(),
        exp: now + ACCESS_TTL,
        typ: "access".to_string(),
    };
    let payload = B64.encode(serde_json::to_vec(&claims).unwrap_or_default());
    let mut mac = hmac_of(key);
    mac.update(payload.as_bytes());
    format!("{payload}.{}", B64.encode(mac.finalize().into_bytes()))
}

fn hmac_of(key: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// Checks an access token and returns its user id.
pub fn verify_access(key: &[u8; 32], token: &str, now: i64) -> Result<String, AuthError> {
    let (payload, sig) = token.split_once('.').ok_or(AuthError::InvalidToken)?;
    let sig = B64.decode(sig).map_err(|_| AuthError::InvalidToken)?;
    let mut mac = hmac_of(key);
    mac.update(payload.as_bytes());
    mac.verify_slice(&sig)
        .map_err(|_| AuthError::InvalidToken)?;
    let bytes = B64.decode(payload).map_err(|_| AuthError::InvalidToken)?;
    let claims: Claims = serde_json::from_slice(&bytes).map_err(|_| AuthError::InvalidToken)?;
    if claims.typ != "access" || claims.exp <= now {
        return Err(AuthError::InvalidToken);
    }
    Ok(claims.sub)
}

/// How a refresh token is stored: the hex SHA-256 of its text.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Issues an access token and stores a fresh refresh token, the first of a new family (a sign-in).
pub(crate) async fn issue_tokens(state: &AppState, user_id: &str) -> Result<Tokens, AuthError> {
    let family = uuid::Uuid::new_v4().to_string();
    issue_tokens_in(state, user_id, &family).await
}

/// Issues an access token and stores a fresh refresh token in `family`: every token rotated from
/// one sign-in shares it, so reuse of a rotated token can revoke the whole chain.
pub(crate) async fn issue_tokens_in(
    state: &AppState,
    user_id: &str,
    family: &str,
) -> Result<Tokens, AuthError> {
    let now = now();
    let refresh = B64.encode(random_bytes::<32>());
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash(&refresh))
    .bind(user_id)
    .bind(now + REFRESH_TTL)
    .bind(family)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    Ok(Tokens {
        user_id: user_id.to_string(),
        access_token: issue_access(&state.keys.token, user_id, now),
        refresh_token: refresh,
        expires_in: ACCESS_TTL,
        token_type: "Bearer".into(),
    })
}
