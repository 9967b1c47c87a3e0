//! `Idempotency-Key` for requests whose retry must not act twice (pool claims): the first request
//! with a key stores its answer in the same transaction as its effect; a retry with the same key
//! gets that answer back. Keys are per user and kept for [`KEEP_SECS`].

use axum::http::HeaderMap;

use crate::db::WriteTx;

/// How long a key's answer is kept, in seconds.
pub const KEEP_SECS: i64 = 24 * 3600;

/// The `Idempotency-Key` header: `None` when absent; 1 to 255 visible ASCII characters.
pub fn key(headers: &HeaderMap) -> Result<Option<String>, String> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let ok = |s: &str| (1..=255).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic());
    match v.to_str() {
        Ok(s) if ok(s) => Ok(Some(s.to_string())),
        _ => Err("Idempotency-Key must be 1 to 255 visible ASCII characters".into()),
    }
}

/// What a key held when a request reserved it.
#[derive(Debug)]
pub enum Reserved {
    /// Unused: this request goes ahead (and [`store`]s its answer before committing).
    Fresh,
    /// Used before for the same request: its stored answer.
    Replay(String),
    /// Used before for a different request.
    OtherRequest,
}

/// Reserves `key` for `user_id`'s request (described by `request`) inside `tx`. On PostgreSQL a
/// concurrent request with the same key waits here until the first one commits or rolls back;
/// on SQLite writers are serialised already.
pub async fn reserve(
    tx: &mut WriteTx,
    user_id: &str,
    key: &str,
    request: &str,
    now: i64,
) -> Result<Reserved, sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(now - KEEP_SECS)
        .execute(&mut ***tx)
        .await?;
    let fresh = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, request, answer, created_at) \
         VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (user_id, idem_key) DO NOTHING",
    )
    .bind(user_id)
    .bind(key)
    .bind(request)
    .bind(now)
    .execute(&mut ***tx)
    .await?
    .rows_affected()
        == 1;
    if fresh {
        return Ok(Reserved::Fresh);
    }
    let (stored_request, answer): (String, Option<String>) = sqlx::query_as(
        "SELECT request, answer FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_one(&mut ***tx)
    .await?;
    Ok(match answer {
        Some(answer) if stored_request == request => Reserved::Replay(answer),
        _ => Reserved::OtherRequest,
    })
}

/// Stores the answer of the request that reserved `key`, in its transaction.
pub async fn store(
    tx: &mut WriteTx,
    user_id: &str,
    key: &str,
    answer: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE idempotency_keys SET answer = $3 WHERE user_id = $1 AND idem_key = $2")
        .bind(user_id)
        .bind(key)
        .bind(answer)
        .execute(&mut ***tx)
        .await?;
    Ok(())
}
