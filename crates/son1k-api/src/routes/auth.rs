//! The account routes: sign-up, login, refresh, logout, the caller's account and its deletion.
//! The mechanism they use (tokens, passwords, the rate limit, the extractor) is [`crate::auth`].

use axum::extract::State;
use axum::http::StatusCode;

use crate::auth::{
    check_password, hash_password, issue_tokens, issue_tokens_in, password_matches, token_hash,
    AuthError, AuthUser, Credentials, Me, RefreshRequest, Tokens,
};
use crate::db::now;
use crate::entitlement::entitlement;
use crate::error::{ApiJson, ErrorBody};
use crate::throttle::{self, ClientIp, Limit};
use crate::AppState;

/// Trims and lower-cases an e-mail address; refuses what does not look like one.
pub(crate) fn normalise_email(email: &str) -> Result<String, AuthError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(AuthError::Invalid(
            "email must be an address like name@example.com".into(),
        ))
    }
}

/// Creates an account and signs it in. At most `signups_per_ip` per address per
/// `signup_window` (an answer tells whether an address is taken).
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = Credentials,
    responses((status = 201, body = Tokens), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<(StatusCode, axum::Json<Tokens>), AuthError> {
    let limit = Limit {
        max: state.config.signups_per_ip,
        window: state.config.signup_window,
    };
    throttle::charge_anonymous(&state, "signup", ip, limit).await?;
    let email = normalise_email(&body.email)?;
    check_password(&body.password)?;
    let hash = hash_password(body.password).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = state.db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(&id)
    .bind(&email)
    .bind(&hash)
    .bind(now())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if inserted == 0 {
        return Err(AuthError::EmailTaken);
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(issue_tokens(&state, &id).await?),
    ))
}

/// Signs in with e-mail and password. Failed tries are limited per address and account, per
/// account and per address, in windows that always expire (see [`crate::throttle`]).
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = Credentials,
    responses((status = 200, body = Tokens), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<axum::Json<Tokens>, AuthError> {
    state.throttle.take()?;
    let email = normalise_email(&body.email).map_err(|_| AuthError::InvalidCredentials)?;
    throttle::charge_login(&state, &email, ip).await?;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&state.db.pool)
            .await?;
    let (id, hash) = match row {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let ok = password_matches(body.password, hash).await?;
    match (ok, id) {
        (true, Some(id)) => {
            throttle::login_succeeded(&state, &email, ip).await?;
            Ok(axum::Json(issue_tokens(&state, &id).await?))
        }
        _ => Err(AuthError::InvalidCredentials),
    }
}

/// Trades a refresh token for a new pair. Each refresh token works once; presenting one that was
/// already rotated (a copy in a thief's hands, or the owner's after the thief used it) revokes
/// every token of its family, so both chains must sign in again.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = Tokens), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<axum::Json<Tokens>, AuthError> {
    let hash = token_hash(&body.refresh_token);
    let mut tx = state.db.begin_write().await?;
    let row: Option<(String, i64, Option<String>)> = sqlx::query_as(
        "DELETE FROM refresh_tokens WHERE token_hash = $1 RETURNING user_id, expires_at, family",
    )
    .bind(&hash)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((user_id, expires_at, family)) = row else {
        let family: Option<String> =
            sqlx::query_scalar("SELECT family FROM refresh_rotated WHERE token_hash = $1")
                .bind(&hash)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(family) = family {
            tracing::warn!("a rotated refresh token was reused; revoking its family");
            sqlx::query("DELETE FROM refresh_tokens WHERE family = $1")
                .bind(&family)
                .execute(&mut **tx)
                .await?;
        }
        tx.commit().await?;
        return Err(AuthError::InvalidRefresh);
    };
    let family = family.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    sqlx::query(
        "INSERT INTO refresh_rotated (token_hash, family, user_id, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (token_hash) DO NOTHING",
    )
    .bind(&hash)
    .bind(&family)
    .bind(&user_id)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM refresh_rotated WHERE expires_at <= $1")
        .bind(now())
        .execute(&mut **tx)
        .await?;
    tx.commit().await?;
    if expires_at <= now() {
        return Err(AuthError::InvalidRefresh);
    }
    Ok(axum::Json(
        issue_tokens_in(&state, &user_id, &family).await?,
    ))
}

/// Revokes a refresh token.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<StatusCode, AuthError> {
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM refresh_tokens WHERE token_hash = $1")
        .bind(token_hash(&body.refresh_token))
        .execute(&mut **tx)
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<axum::Json<Me>, AuthError> {
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(&user.id)
        .fetch_optional(&state.db.pool)
        .await?;
    let email = email.ok_or(AuthError::InvalidToken)?;
    let ent = entitlement(&state.db, &user.id, now()).await?;
    Ok(axum::Json(Me {
        user_id: user.id,
        email,
        tier: ent.tier.name().to_string(),
    }))
}

/// The body of `DELETE /api/account`: the password again, so that a stolen access token alone
/// cannot delete an account.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct DeleteAccount {
    /// The account's password.
    pub password: String,
}

/// Cancels every live Stripe subscription of `user_id` (at once, not at the period's end).
async fn cancel_subscriptions(state: &AppState, user_id: &str) -> Result<(), AuthError> {
    let subs: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM subscriptions WHERE user_id = $1 AND status <> 'canceled'",
    )
    .bind(user_id)
    .fetch_all(&state.db.pool)
    .await?;
    if subs.is_empty() {
        return Ok(());
    }
    let key = state
        .config
        .stripe_secret_key
        .clone()
        .ok_or(AuthError::PaymentsNotConfigured)?;
    for id in subs {
        let url = format!(
            "{}/v1/subscriptions/{}",
            state.config.stripe_api_base,
            url_segment(&id)
        );
        let res = state
            .http
            .delete(&url)
            .basic_auth(&key, Some(""))
            .header("Idempotency-Key", format!("delete-account-{id}"))
            .send()
            .await
            .map_err(|e| AuthError::Stripe(format!("{url} unreachable: {e}")))?;
        let status = res.status();
        // 404: Stripe no longer has it (already cancelled and purged); nothing bills any more.
        if !status.is_success() && status != axum::http::StatusCode::NOT_FOUND {
            return Err(AuthError::Stripe(format!("HTTP {status}")));
        }
        sqlx::query("UPDATE subscriptions SET status = 'canceled' WHERE id = $1")
            .bind(&id)
            .execute(&state.db.pool)
            .await?;
    }
    Ok(())
}

/// Percent-encodes everything but `[A-Za-z0-9_-]` so an id cannot change the URL's path.
fn url_segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Deletes the caller's account and everything stored about it, after the password is given
/// again and any Stripe subscription is cancelled (if Stripe refuses, the account is kept). Pool
/// items they contributed are removed too. Access tokens already issued stop working at once:
/// the token check looks the user up.
#[utoipa::path(delete, path = "/api/account", tag = "auth", security(("bearer" = [])),
    request_body = DeleteAccount,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn delete_account(
    State(state): State<AppState>,
    user: AuthUser,
    ip: ClientIp,
    ApiJson(body): ApiJson<DeleteAccount>,
) -> Result<StatusCode, AuthError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT email, password_hash FROM users WHERE id = $1")
            .bind(&user.id)
            .fetch_optional(&state.db.pool)
            .await?;
    let (email, hash) = row.ok_or(AuthError::InvalidToken)?;
    throttle::charge_login(&state, &email, ip).await?;
    if !password_matches(body.password, Some(hash)).await? {
        return Err(AuthError::InvalidCredentials);
    }
    throttle::login_succeeded(&state, &email, ip).await?;
    cancel_subscriptions(&state, &user.id).await?;
    let mut tx = state.db.begin_write().await?;
    for sql in [
        "DELETE FROM refresh_tokens WHERE user_id = $1",
        "DELETE FROM refresh_rotated WHERE user_id = $1",
        "DELETE FROM usage_records WHERE user_id = $1",
        "DELETE FROM usage_counters WHERE user_id = $1",
        "DELETE FROM pool_claims WHERE user_id = $1",
        "DELETE FROM idempotency_keys WHERE user_id = $1",
        "DELETE FROM claim_counters WHERE user_id = $1",
        "DELETE FROM pool_likes WHERE user_id = $1",
        "DELETE FROM pool_plays WHERE user_id = $1",
        "DELETE FROM analytics_events WHERE user_id = $1",
        "DELETE FROM device_sessions WHERE user_id = $1",
        "DELETE FROM user_roles WHERE user_id = $1",
        "DELETE FROM checkout_sessions WHERE user_id = $1",
        "DELETE FROM pool_items WHERE contributor_id = $1",
        "UPDATE subscriptions SET user_id = NULL, customer_id = NULL WHERE user_id = $1",
        "DELETE FROM users WHERE id = $1",
    ] {
        sqlx::query(sql).bind(&user.id).execute(&mut **tx).await?;
    }
    throttle::forget_subject(&mut tx, &email).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
