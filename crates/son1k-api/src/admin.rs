//! The operator's side: the admin role and the routes only admins may call.
//!
//! The role lives in `user_roles` (`role = 'admin'`). It is granted only from the server's own
//! command line (`son1k-api create-admin EMAIL`, [`crate::ops::create_admin`]); no route grants
//! or revokes it. Deleting the account drops its roles.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::auth::{AuthError, AuthUser};
use crate::db::Db;
use crate::AppState;

/// The role name that opens `/admin` routes.
pub const ADMIN_ROLE: &str = "admin";

/// Whether `user_id` holds the admin role.
pub async fn is_admin(db: &Db, user_id: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 AND role = $2")
            .bind(user_id)
            .bind(ADMIN_ROLE)
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.is_some())
}

/// Grants `role` to `user_id`; `false` when it was held already.
pub async fn grant(db: &Db, user_id: &str, role: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let added = sqlx::query(
        "INSERT INTO user_roles (user_id, role, granted_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, role) DO NOTHING",
    )
    .bind(user_id)
    .bind(role)
    .bind(crate::db::now())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    tx.commit().await?;
    Ok(added)
}

/// The roles `user_id` holds, sorted.
pub async fn roles(db: &Db, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
        .bind(user_id)
        .fetch_all(&db.pool)
        .await
}

/// A signed-in caller who holds the admin role: no token answers 401, a valid token without the
/// role 403 `forbidden`.
#[derive(Debug, Clone)]
pub struct AdminUser {
    /// The admin's user id.
    pub id: String,
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = AuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        if is_admin(&state.db, &user.id).await? {
            Ok(AdminUser { id: user.id })
        } else {
            Err(AuthError::NotAdmin)
        }
    }
}
