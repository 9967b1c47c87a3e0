//! [`AuthError`]: the errors of the auth routes and of the token check, with their HTTP status,
//! code and headers (`Retry-After`, `WWW-Authenticate`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

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
    /// Too many attempts from this address, for this account, or both (see [`crate::throttle`]).
    #[error("too many attempts; try again in {0} s")]
    RateLimited(i64),
    /// This instance receives too many sign-in, sign-up and device-login requests overall.
    #[error("the server is receiving too many sign-in requests; try again in {0} s")]
    Throttled(i64),
    /// The user in the path is not the caller.
    #[error("you can only access your own account")]
    Forbidden,
    /// The caller does not hold the admin role.
    #[error("this route is for the server's administrators")]
    NotAdmin,
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
    /// Password hashing failed.
    #[error("internal error while hashing the password")]
    Hash,
    /// Stripe could not cancel the account's subscription, so the account was kept.
    #[error("Stripe could not cancel the subscription, so the account was kept: {0}")]
    Stripe(String),
    /// The account has a subscription but this server has no Stripe secret key to cancel it.
    #[error("payments not configured: this server cannot cancel the subscription, so the account was kept")]
    PaymentsNotConfigured,
    /// Every password-hashing slot is taken and the queue is full; retry after the given seconds.
    #[error("the server is busy checking passwords; try again in {0} s")]
    Busy(i64),
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
            AuthError::RateLimited(_) | AuthError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AuthError::Forbidden | AuthError::NotAdmin => StatusCode::FORBIDDEN,
            AuthError::Db(_) => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::Hash => StatusCode::INTERNAL_SERVER_ERROR,
            AuthError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::Stripe(_) => StatusCode::BAD_GATEWAY,
            AuthError::PaymentsNotConfigured => StatusCode::SERVICE_UNAVAILABLE,
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
            AuthError::RateLimited(_) | AuthError::Throttled(_) => "rate_limited",
            AuthError::Forbidden | AuthError::NotAdmin => "forbidden",
            AuthError::Db(_) => "database_unavailable",
            AuthError::Hash => "internal",
            AuthError::Busy(_) => "busy",
            AuthError::Stripe(_) => "stripe_error",
            AuthError::PaymentsNotConfigured => "payments_not_configured",
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let mut res = crate::error::respond(&self);
        match &self {
            AuthError::RateLimited(secs) | AuthError::Throttled(secs) | AuthError::Busy(secs) => {
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
