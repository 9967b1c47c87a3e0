//! Generation records: the desktop app reports each generation (through its outbox) with a
//! client-made UUID. Recording is idempotent by that UUID and counts against the tier's limit for
//! the current billing period inside one transaction that holds the user's write lock (the
//! user's row on PostgreSQL, the single writer on SQLite): the records made inside
//! `[period_start, period_end)` are counted with the new one, and over the limit the transaction
//! is rolled back, so parallel requests can never go over it, and a period that becomes known
//! after checkout still counts what was made in it.

use axum::extract::State;
use axum::http::StatusCode;
use son1k_core::Quality;

use crate::auth::{AuthError, AuthUser};
use crate::db::now;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::{entitlement, pool, tiers, AppState};
pub use son1k_api_types::{UsageRecorded, UsageRequest};

/// Errors of the usage route.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// Not signed in.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The body is well-formed JSON but a field is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The tier does not allow the quality.
    #[error("{0}")]
    QualityNotAllowed(String),
    /// The period's limit is used up.
    #[error("{tier} allows {limit} generations per {period}; the limit resets at {reset} (Unix time). Upgrade at /api/tiers/checkout{free_hint}")]
    LimitReached {
        /// Tier name.
        tier: &'static str,
        /// The limit.
        limit: u32,
        /// `day` or `month`.
        period: &'static str,
        /// When it resets.
        reset: i64,
        /// Extra hint for FREE users.
        free_hint: &'static str,
    },
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
}

impl ApiError for UsageError {
    fn status(&self) -> StatusCode {
        match self {
            UsageError::Auth(e) => e.status(),
            UsageError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            UsageError::QualityNotAllowed(_) => StatusCode::FORBIDDEN,
            UsageError::LimitReached { .. } => StatusCode::TOO_MANY_REQUESTS,
            UsageError::Db(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            UsageError::Auth(e) => e.code(),
            UsageError::Invalid(_) => "invalid_input",
            UsageError::QualityNotAllowed(_) => "quality_not_allowed",
            UsageError::LimitReached { .. } => "limit_reached",
            UsageError::Db(_) => "database_unavailable",
        }
    }
}
crate::impl_api_error!(UsageError);

fn clean(s: Option<String>, max: usize, what: &str) -> Result<Option<String>, UsageError> {
    match s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => Err(UsageError::Invalid(format!(
            "{what} must be at most {max} characters"
        ))),
        other => Ok(other),
    }
}

/// The refusal once `ent`'s period has no generation left.
fn limit_reached(ent: &entitlement::Entitlement) -> UsageError {
    let limits = ent.tier.limits();
    UsageError::LimitReached {
        tier: ent.tier.name(),
        limit: limits.generations,
        period: tiers::period_name(limits.period),
        reset: ent.period_end,
        free_hint: if ent.tier.is_paid() {
            ""
        } else {
            " or claim a song from the community pool (POST /api/community/pool/claim)"
        },
    }
}

/// Records a generation against the caller's limit. 201 when counted, 200 for a replay of an id
/// already recorded, 429 when the period's limit is used up.
#[utoipa::path(post, path = "/api/usage", tag = "usage", security(("bearer" = [])),
    request_body = UsageRequest,
    responses((status = 201, body = UsageRecorded), (status = 200, body = UsageRecorded),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<UsageRequest>,
) -> Result<(StatusCode, axum::Json<UsageRecorded>), UsageError> {
    let id = uuid::Uuid::parse_str(body.id.trim())
        .map_err(|_| UsageError::Invalid("id must be a UUID made by the client".into()))?
        .hyphenated()
        .to_string();
    let quality: Quality = match body.quality.as_deref() {
        None => Quality::Standard,
        Some(q) => q
            .parse()
            .map_err(|e: son1k_core::ValidationError| UsageError::Invalid(e.to_string()))?,
    };
    let genre = clean(body.genre, 64, "genre")?.map(|g| g.to_lowercase());
    let title = clean(body.title, 200, "title")?;
    let now = now();
    let ent = entitlement::entitlement(&state.db, &caller.id, now).await?;
    let limits = ent.tier.limits();
    let limit = i64::from(limits.generations);
    ent.tier
        .check_quality(quality)
        .map_err(|e| UsageError::QualityNotAllowed(e.to_string()))?;
    let selected = ent.tier.is_paid() && pool::selected(&state.keys.pool, &caller.id, &id);

    // Once the period's generations are spent, refuse without queueing for the user's lock: the
    // records in a period only grow, so a count at the limit now is at the limit at any later
    // commit. A retry of a recorded id is not refused here (it is answered below as a duplicate).
    let (spent, known): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM usage_records WHERE user_id = $1 AND created_at >= $2 AND created_at < $3), \
                (SELECT COUNT(*) FROM usage_records WHERE user_id = $1 AND id = $4)",
    )
    .bind(&caller.id)
    .bind(ent.period_start)
    .bind(ent.period_end)
    .bind(&id)
    .fetch_one(&state.db.pool)
    .await?;
    if known == 0 && spent >= limit {
        return Err(limit_reached(&ent));
    }

    let mut tx = state.db.begin_write().await?;
    // One writer per user from here to the commit: SQLite has a single writer already
    // (`begin_write`); PostgreSQL locks the user's row, so the count below cannot race.
    if state.db.backend == crate::db::Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(&caller.id)
            .execute(&mut **tx)
            .await?;
    }
    let inserted = sqlx::query(
        "INSERT INTO usage_records (user_id, id, period_key, quality, genre, used_after, pool_selected, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7) ON CONFLICT (user_id, id) DO NOTHING",
    )
    .bind(&caller.id)
    .bind(&id)
    .bind(&ent.period_key)
    .bind(quality.name())
    .bind(genre.clone())
    .bind(i64::from(selected))
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        let (used_after, was_selected): (i64, i64) = sqlx::query_as(
            "SELECT used_after, pool_selected FROM usage_records WHERE user_id = $1 AND id = $2",
        )
        .bind(&caller.id)
        .bind(&id)
        .fetch_one(&mut **tx)
        .await?;
        tx.commit().await?;
        return Ok((
            StatusCode::OK,
            axum::Json(UsageRecorded {
                id,
                duplicate: true,
                used: used_after,
                limit,
                remaining: (limit - used_after).max(0),
                period_end: ent.period_end,
                pool_selected: was_selected != 0,
            }),
        ));
    }
    // The records inside the billing period, this one included; over the limit, the
    // transaction is rolled back and the record with it.
    let used = entitlement::used_in_period(&mut **tx, &caller.id, &ent).await?;
    if used > limit {
        tx.rollback().await?;
        return Err(limit_reached(&ent));
    }
    sqlx::query("UPDATE usage_records SET used_after = $3 WHERE user_id = $1 AND id = $2")
        .bind(&caller.id)
        .bind(&id)
        .bind(used)
        .execute(&mut **tx)
        .await?;
    if selected {
        sqlx::query(
            "INSERT INTO pool_items (id, contributor_id, title, genre, quality, points, withdrawn, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&id)
        .bind(&caller.id)
        .bind(title)
        .bind(genre)
        .bind(quality.name())
        .bind(i64::from(quality.pool_points()))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(UsageRecorded {
            id,
            duplicate: false,
            used,
            limit,
            remaining: (limit - used).max(0),
            period_end: ent.period_end,
            pool_selected: selected,
        }),
    ))
}
