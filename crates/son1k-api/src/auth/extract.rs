//! The request extractor that authenticates a bearer token: [`AuthUser`], the signed-in caller.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::error::AuthError;
use super::token::verify_access;
use crate::db::now;
use crate::AppState;

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
        // A signature proves who the token was issued to, not that the account still exists: a
        // deleted account's tokens stop working at once.
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM users WHERE id = $1")
            .bind(&id)
            .fetch_optional(&state.db.pool)
            .await?;
        if exists.is_none() {
            return Err(AuthError::InvalidToken);
        }
        Ok(AuthUser { id })
    }
}
