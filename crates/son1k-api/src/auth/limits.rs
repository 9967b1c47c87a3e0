//! The login rate limit: attempts counted per bucket in the database, so every instance shares it.

use super::error::AuthError;
use crate::db::now;
use crate::AppState;

/// Counts one login attempt for `email`; refuses once the window's budget is spent.
pub(crate) async fn count_attempt(state: &AppState, email: &str) -> Result<(), AuthError> {
    count_in_bucket(state, &format!("login:{email}")).await
}

/// Counts one attempt in the rate-limit `bucket` (shared by every instance through the database);
/// refuses once the window's budget (`login_attempts` per `login_window`) is spent.
pub(crate) async fn count_in_bucket(state: &AppState, bucket: &str) -> Result<(), AuthError> {
    let now = now();
    let window = state.config.login_window.as_secs() as i64;
    let mut tx = state.db.begin_write().await?;
    let (attempts, window_end): (i64, i64) = sqlx::query_as(
        "INSERT INTO login_attempts (bucket, attempts, window_end) VALUES ($1, 1, $2) \
         ON CONFLICT (bucket) DO UPDATE SET \
           attempts = CASE WHEN login_attempts.window_end <= $3 THEN 1 ELSE login_attempts.attempts + 1 END, \
           window_end = CASE WHEN login_attempts.window_end <= $3 THEN $2 ELSE login_attempts.window_end END \
         RETURNING attempts, window_end",
    )
    .bind(bucket)
    .bind(now + window)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    tx.commit().await?;
    if attempts > i64::from(state.config.login_attempts) {
        return Err(AuthError::RateLimited((window_end - now).max(1)));
    }
    Ok(())
}
