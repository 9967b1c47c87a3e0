//! Accounts and tokens: sign-up and login (argon2id), short-lived access tokens (HMAC-signed,
//! stateless so any instance can check them) and rotating refresh tokens (stored hashed), a login
//! rate limit kept in the database (shared by every instance), and account deletion.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use crate::db::now;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::keys::random_bytes;
use crate::AppState;
pub use son1k_api_types::{Credentials, Me, RefreshRequest, Tokens};

/// Access tokens live this long (seconds).
pub const ACCESS_TTL: i64 = 15 * 60;
/// Refresh tokens live this long (seconds).
pub const REFRESH_TTL: i64 = 30 * 24 * 3600;

/// Errors of the auth routes and of the token check every user-scoped route does.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    #[error("sign in first: send Authorization: Bearer <access token>")]
    MissingToken,
    /// The token is malformed, forged or expired.
    #[error("the access token is invalid or expired; refresh it with POST /api/auth/refresh")]
    InvalidToken,
    /// Wrong e-mail or password.
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// The refresh token is unknown, used already or expired.
    #[error("the refresh token is invalid, expired or already used; sign in again")]
    InvalidRefresh,
    /// The e-mail is taken.
    #[error("an account with this e-mail already exists; sign in instead")]
    EmailTaken,
    /// Input failed validation.
    #[error("{0}")]
    Invalid(String),
    /// Too many login attempts.
    #[error("too many login attempts for this account; try again in {0} s")]
    RateLimited(i64),
    /// The user in the path is not the caller.
    #[error("you can only access your own account")]
    Forbidden,
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
    /// Password hashing failed.
    #[error("internal error while hashing the password")]
    Hash,
}

impl ApiError for AuthError {
    fn status(&self) -> StatusCode {
        match self {
            AuthError::MissingToken
            | AuthError::InvalidToken
            | AuthError::InvalidCredentials
            | AuthError::InvalidRefresh => StatusCode::UNAUTHORIZED,
            AuthError::EmailTaken => StatusCode::CONFLICT,
            AuthError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AuthError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AuthError::Forbidden => StatusCode::FORBIDDEN,
            AuthError::Db(_) => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::Hash => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            AuthError::MissingToken => "missing_token",
            AuthError::InvalidToken => "invalid_token",
            AuthError::InvalidCredentials => "invalid_credentials",
            AuthError::InvalidRefresh => "invalid_refresh_token",
            AuthError::EmailTaken => "email_taken",
            AuthError::Invalid(_) => "invalid_input",
            AuthError::RateLimited(_) => "rate_limited",
            AuthError::Forbidden => "forbidden",
            AuthError::Db(_) => "database_unavailable",
            AuthError::Hash => "internal",
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let mut res = crate::error::respond(&self);
        match &self {
            AuthError::RateLimited(secs) => {
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            AuthError::MissingToken | AuthError::InvalidToken => {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        res
    }
}

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

/// The signed-in caller, taken from the `Authorization: Bearer` header.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The caller's user id.
    pub id: String,
}

impl AuthUser {
    /// Refuses unless `user` is the caller (IDOR guard for `{user}` path segments).
    pub fn must_be(&self, user: &str) -> Result<(), AuthError> {
        if self.id == user {
            Ok(())
        } else {
            Err(AuthError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(AuthError::MissingToken)?;
        let text = value.to_str().map_err(|_| AuthError::InvalidToken)?;
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .ok_or(AuthError::MissingToken)?;
        let id = verify_access(&state.keys.token, token.trim(), now())?;
        Ok(AuthUser { id })
    }
}

fn normalise_email(email: &str) -> Result<String, AuthError> {
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

fn check_password(password: &str) -> Result<(), AuthError> {
    let n = password.chars().count();
    if (8..=256).contains(&n) {
        Ok(())
    } else {
        Err(AuthError::Invalid(
            "password must be 8 to 256 characters long".into(),
        ))
    }
}

async fn hash_password(password: String) -> Result<String, AuthError> {
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

async fn password_matches(password: String, hash: Option<String>) -> bool {
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

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Issues an access token and stores a fresh refresh token.
pub(crate) async fn issue_tokens(state: &AppState, user_id: &str) -> Result<Tokens, AuthError> {
    let now = now();
    let refresh = B64.encode(random_bytes::<32>());
    let mut tx = state.db.begin_write().await?;
    sqlx::query("INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash(&refresh))
        .bind(user_id)
        .bind(now + REFRESH_TTL)
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

/// Creates an account and signs it in.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = Credentials,
    responses((status = 201, body = Tokens), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<(StatusCode, axum::Json<Tokens>), AuthError> {
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

/// Counts one login attempt for `email`; refuses once the window's budget is spent.
async fn count_attempt(state: &AppState, email: &str) -> Result<(), AuthError> {
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

/// Signs in with e-mail and password. At most `login_attempts` tries per address per window.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = Credentials,
    responses((status = 200, body = Tokens), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<axum::Json<Tokens>, AuthError> {
    let email = normalise_email(&body.email).map_err(|_| AuthError::InvalidCredentials)?;
    count_attempt(&state, &email).await?;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&state.db.pool)
            .await?;
    let (id, hash) = match row {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let ok = password_matches(body.password, hash).await;
    match (ok, id) {
        (true, Some(id)) => {
            let mut tx = state.db.begin_write().await?;
            sqlx::query("DELETE FROM login_attempts WHERE bucket = $1")
                .bind(format!("login:{email}"))
                .execute(&mut **tx)
                .await?;
            tx.commit().await?;
            Ok(axum::Json(issue_tokens(&state, &id).await?))
        }
        _ => Err(AuthError::InvalidCredentials),
    }
}

/// Trades a refresh token for a new pair. Each refresh token works once.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = Tokens), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<axum::Json<Tokens>, AuthError> {
    let mut tx = state.db.begin_write().await?;
    let row: Option<(String, i64)> = sqlx::query_as(
        "DELETE FROM refresh_tokens WHERE token_hash = $1 RETURNING user_id, expires_at",
    )
    .bind(token_hash(&body.refresh_token))
    .fetch_optional(&mut **tx)
    .await?;
    tx.commit().await?;
    match row {
        Some((user_id, expires_at)) if expires_at > now() => {
            Ok(axum::Json(issue_tokens(&state, &user_id).await?))
        }
        _ => Err(AuthError::InvalidRefresh),
    }
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
    let ent = crate::tiers::entitlement(&state.db, &user.id, now()).await?;
    Ok(axum::Json(Me {
        user_id: user.id,
        email,
        tier: ent.tier.name().to_string(),
    }))
}

/// Deletes the caller's account and everything stored about it. Pool items they contributed are
/// removed too. Access tokens already issued stop working because the user no longer exists for
/// any route that reads it.
#[utoipa::path(delete, path = "/api/account", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn delete_account(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<StatusCode, AuthError> {
    let mut tx = state.db.begin_write().await?;
    for sql in [
        "DELETE FROM refresh_tokens WHERE user_id = $1",
        "DELETE FROM usage_records WHERE user_id = $1",
        "DELETE FROM usage_counters WHERE user_id = $1",
        "DELETE FROM pool_claims WHERE user_id = $1",
        "DELETE FROM claim_counters WHERE user_id = $1",
        "DELETE FROM pool_likes WHERE user_id = $1",
        "DELETE FROM pool_plays WHERE user_id = $1",
        "DELETE FROM analytics_events WHERE user_id = $1",
        "DELETE FROM device_sessions WHERE user_id = $1",
        "DELETE FROM pool_items WHERE contributor_id = $1",
        "UPDATE subscriptions SET user_id = NULL WHERE user_id = $1",
        "DELETE FROM users WHERE id = $1",
    ] {
        sqlx::query(sql).bind(&user.id).execute(&mut **tx).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
