//! The community pool: 5% of paid users' generations, picked by an HMAC under a server secret
//! over the user and generation ids (so no client can choose ids that get in or stay out); FREE users claim up to 3 items per UTC day; likes and plays count once per
//! user; contributors rank by points (standard 1, high 2, ultra 3 per item).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{AuthError, AuthUser};
use crate::db::now;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::{entitlement, idempotency, AppState};
pub use son1k_api_types::{
    ClaimRequest, Claimed, PoolItem, PoolPage, RankEntry, RankingPage, Reaction,
};

/// Share of paid generations that enter the pool, in basis points (500 = 5%).
pub const SELECTION_BASIS_POINTS: u64 = 500;
/// Claims a FREE user may make per UTC day.
pub const FREE_CLAIMS_PER_DAY: i64 = 3;

/// Whether generation `id` (a UUID, lower-case hyphenated) of `user_id` enters the pool (for a
/// paid tier): the first 8 bytes of HMAC-SHA256(`key`, `son1k-pool-v2:` + user id + `:` + id),
/// read as a big-endian integer, modulo 10 000, below 500. `key` is the server's
/// ([`crate::Keys::pool`]), so a client cannot know in advance which ids are selected.
pub fn selected(key: &[u8; 32], user_id: &str, id: &str) -> bool {
    selection_value(key, user_id, id) < SELECTION_BASIS_POINTS
}

fn selection_value(key: &[u8; 32], user_id: &str, id: &str) -> u64 {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(b"son1k-pool-v2:");
    mac.update(user_id.as_bytes());
    mac.update(b":");
    mac.update(id.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % 10_000
}

/// Errors of the pool routes.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// Not signed in.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// No such item (or it was withdrawn, or it is not yours to withdraw).
    #[error("no such pool item")]
    NotFound,
    /// Nothing left to claim.
    #[error("the pool has no item you have not claimed yet; try again later")]
    Empty,
    /// The item was claimed by this user before.
    #[error("you have already claimed this item")]
    AlreadyClaimed,
    /// Daily claim limit reached.
    #[error("FREE accounts can claim 3 pool items per UTC day; the limit resets at {0} (Unix time), or upgrade at /api/tiers/checkout")]
    ClaimLimit(i64),
    /// A parameter is out of range.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
}

impl ApiError for PoolError {
    fn status(&self) -> StatusCode {
        match self {
            PoolError::Auth(e) => e.status(),
            PoolError::NotFound | PoolError::Empty => StatusCode::NOT_FOUND,
            PoolError::AlreadyClaimed => StatusCode::CONFLICT,
            PoolError::ClaimLimit(_) => StatusCode::TOO_MANY_REQUESTS,
            PoolError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PoolError::Db(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            PoolError::Auth(e) => e.code(),
            PoolError::NotFound => "not_found",
            PoolError::Empty => "pool_empty",
            PoolError::AlreadyClaimed => "already_claimed",
            PoolError::ClaimLimit(_) => "claim_limit_reached",
            PoolError::Invalid(_) => "invalid_input",
            PoolError::Db(_) => "database_unavailable",
        }
    }
}
crate::impl_api_error!(PoolError);

/// Filters and pagination (query parameters).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this genre (case-insensitive).
    pub genre: Option<String>,
    /// 1-based page, default 1.
    pub page: Option<u32>,
    /// Items per page, 1 to 100, default 20.
    pub per_page: Option<u32>,
}

impl ListQuery {
    fn window(&self) -> Result<(i64, i64, i64, i64), PoolError> {
        let page = self.page.unwrap_or(1);
        let per = self.per_page.unwrap_or(20);
        if page == 0 || !(1..=100).contains(&per) {
            return Err(PoolError::Invalid(
                "page starts at 1 and per_page must be 1 to 100".into(),
            ));
        }
        let (page, per) = (i64::from(page), i64::from(per));
        Ok((page, per, per, (page - 1) * per))
    }
    fn genre(&self) -> Option<String> {
        self.genre
            .as_deref()
            .map(|g| g.trim().to_lowercase())
            .filter(|g| !g.is_empty())
    }
}

type ItemRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    i64,
    i64,
    i64,
);

fn item_of(r: ItemRow) -> PoolItem {
    PoolItem {
        id: r.0,
        contributor_id: r.1,
        title: r.2,
        genre: r.3,
        quality: r.4,
        points: r.5,
        created_at: r.6,
        likes: r.7,
        plays: r.8,
    }
}

const ITEM_COLUMNS: &str =
    "p.id, p.contributor_id, p.title, p.genre, p.quality, p.points, p.created_at, \
     (SELECT COUNT(*) FROM pool_likes l WHERE l.item_id = p.id), \
     (SELECT COUNT(*) FROM pool_plays q WHERE q.item_id = p.id)";

async fn load_item<'e, E>(exec: E, id: &str) -> Result<PoolItem, PoolError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql =
        format!("SELECT {ITEM_COLUMNS} FROM pool_items p WHERE p.id = $1 AND p.withdrawn = 0");
    let row: Option<ItemRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(exec)
        .await?;
    row.map(item_of).ok_or(PoolError::NotFound)
}

/// Lists pool items, newest first, with an optional genre filter.
#[utoipa::path(get, path = "/api/community/pool", tag = "community", params(ListQuery),
    responses((status = 200, body = PoolPage), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<axum::Json<PoolPage>, PoolError> {
    let (page, per_page, limit, offset) = q.window()?;
    let genre = q.genre();
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM pool_items p WHERE p.withdrawn = 0 \
         AND (CAST($1 AS TEXT) IS NULL OR p.genre = $1) \
         ORDER BY p.created_at DESC, p.id LIMIT $2 OFFSET $3"
    );
    let rows: Vec<ItemRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(genre.clone())
        .bind(limit)
        .bind(offset)
        .fetch_all(&state.db.pool)
        .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pool_items WHERE withdrawn = 0 AND (CAST($1 AS TEXT) IS NULL OR genre = $1)",
    )
    .bind(genre)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(axum::Json(PoolPage {
        items: rows.into_iter().map(item_of).collect(),
        page,
        per_page,
        total,
    }))
}

/// Claims a pool item. FREE accounts: at most 3 per UTC day. An item is claimed once per user.
/// With an `Idempotency-Key` header, a retry with the same key (within 24 h) gets the stored
/// answer again, marked `Idempotent-Replayed: true`, instead of making a second claim.
#[utoipa::path(post, path = "/api/community/pool/claim", tag = "community", security(("bearer" = [])),
    request_body = ClaimRequest,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "1 to 255 visible ASCII characters; a retry with the same key replays the first answer")),
    responses((status = 201, body = Claimed), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    caller: AuthUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ClaimRequest>,
) -> Result<Response, PoolError> {
    let key = idempotency::key(&headers).map_err(PoolError::Invalid)?;
    let request = body.item_id.as_deref().map(str::trim).unwrap_or("");
    let now = now();
    let ent = entitlement::entitlement(&state.db, &caller.id, now).await?;
    let free = !ent.tier.is_paid();
    let limit = if free { FREE_CLAIMS_PER_DAY } else { i64::MAX };
    let day = entitlement::utc_day_key(now);

    // Once the day's claims are spent, answer without queueing for the counter's row lock (the
    // statement below still decides, so this read cannot let a claim through).
    let spent: Option<i64> =
        sqlx::query_scalar("SELECT used FROM claim_counters WHERE user_id = $1 AND day = $2")
            .bind(&caller.id)
            .bind(&day)
            .fetch_optional(&state.db.pool)
            .await?;
    if key.is_none() && spent.is_some_and(|used| used >= limit) {
        return Err(PoolError::ClaimLimit(entitlement::utc_day(now).1));
    }
    // Likewise for an item claimed already.
    if let (None, Some(item)) = (&key, body.item_id.as_deref().map(str::trim)) {
        let claimed: Option<String> = sqlx::query_scalar(
            "SELECT item_id FROM pool_claims WHERE user_id = $1 AND item_id = $2",
        )
        .bind(&caller.id)
        .bind(item)
        .fetch_optional(&state.db.pool)
        .await?;
        if claimed.is_some() {
            return Err(PoolError::AlreadyClaimed);
        }
    }

    let mut tx = state.db.begin_write().await?;
    if let Some(key) = &key {
        match idempotency::reserve(&mut tx, &caller.id, key, request, now).await? {
            idempotency::Reserved::Fresh => {}
            idempotency::Reserved::Replay(answer) => {
                tx.commit().await?;
                let claimed: Claimed = serde_json::from_str(&answer)
                    .map_err(|e| PoolError::Invalid(format!("stored answer unreadable: {e}")))?;
                let mut res = (StatusCode::CREATED, axum::Json(claimed)).into_response();
                res.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
                return Ok(res);
            }
            idempotency::Reserved::OtherRequest => {
                return Err(PoolError::Invalid(
                    "this Idempotency-Key was used for a claim of another item; use a new key"
                        .into(),
                ))
            }
        }
    }
    let claimed = match claim_in(
        &mut tx,
        &caller.id,
        &day,
        now,
        free,
        body.item_id.as_deref(),
    )
    .await
    {
        Ok(claimed) => claimed,
        Err(e) => {
            // Now, not when the connection is next used: the counter's row lock goes with it.
            let _ = tx.rollback().await;
            return Err(e);
        }
    };
    if let Some(key) = &key {
        let answer = serde_json::to_string(&claimed)
            .map_err(|e| PoolError::Invalid(format!("cannot store the answer: {e}")))?;
        idempotency::store(&mut tx, &caller.id, key, &answer).await?;
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(claimed)).into_response())
}

/// The claim itself, inside `tx` (which the caller commits, or rolls back on an error): the
/// day's counter (the limit, and on PostgreSQL this user's lock), then the item.
async fn claim_in(
    tx: &mut crate::db::WriteTx,
    caller_id: &str,
    day: &str,
    now: i64,
    free: bool,
    item_id: Option<&str>,
) -> Result<Claimed, PoolError> {
    let limit = if free { FREE_CLAIMS_PER_DAY } else { i64::MAX };
    // The counter row is both the limit (checked in the same statement as the increment) and,
    // on PostgreSQL, a per-user lock: this user's other claims wait here until we commit.
    let used: Option<i64> = sqlx::query_scalar(
        "INSERT INTO claim_counters (user_id, day, used) VALUES ($1, $2, 1) \
         ON CONFLICT (user_id, day) DO UPDATE SET used = claim_counters.used + 1 \
         WHERE claim_counters.used < $3 RETURNING used",
    )
    .bind(caller_id)
    .bind(day)
    .bind(limit)
    .fetch_optional(&mut ***tx)
    .await?;
    let Some(used) = used else {
        return Err(PoolError::ClaimLimit(entitlement::utc_day(now).1));
    };
    let item_id: Option<String> = match item_id.map(str::trim) {
        Some(id) => {
            let exists: Option<String> = sqlx::query_scalar(
                "SELECT id FROM pool_items WHERE id = $1 AND withdrawn = 0",
            )
            .bind(id)
            .fetch_optional(&mut ***tx)
            .await?;
            if exists.is_none() {
                return Err(PoolError::NotFound);
            }
            let got: Option<String> = sqlx::query_scalar(
                "INSERT INTO pool_claims (user_id, item_id, day, claimed_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, item_id) DO NOTHING RETURNING item_id",
            )
            .bind(caller_id)
            .bind(id)
            .bind(day)
            .bind(now)
            .fetch_optional(&mut ***tx)
            .await?;
            if got.is_none() {
                return Err(PoolError::AlreadyClaimed);
            }
            got
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO pool_claims (user_id, item_id, day, claimed_at) \
                 SELECT $1, p.id, $2, $3 FROM pool_items p \
                 WHERE p.withdrawn = 0 AND p.contributor_id <> $1 \
                   AND NOT EXISTS (SELECT 1 FROM pool_claims c WHERE c.user_id = $1 AND c.item_id = p.id) \
                 ORDER BY p.created_at, p.id LIMIT 1 \
                 ON CONFLICT (user_id, item_id) DO NOTHING RETURNING item_id",
            )
            .bind(caller_id)
            .bind(day)
            .bind(now)
            .fetch_optional(&mut ***tx)
            .await?
        }
    };
    let Some(item_id) = item_id else {
        return Err(PoolError::Empty);
    };
    Ok(Claimed {
        item: load_item(&mut ***tx, &item_id).await?,
        claims_today: used,
        remaining_today: free.then(|| FREE_CLAIMS_PER_DAY - used),
    })
}

/// Withdraws one of the caller's own contributions. Items of other users answer 404.
#[utoipa::path(delete, path = "/api/community/pool/{item_id}", tag = "community", security(("bearer" = [])),
    params(("item_id" = String, Path, description = "a pool item the caller contributed")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiPath(item_id): ApiPath<String>,
) -> Result<StatusCode, PoolError> {
    let mut tx = state.db.begin_write().await?;
    let n = sqlx::query(
        "UPDATE pool_items SET withdrawn = 1 WHERE id = $1 AND contributor_id = $2 AND withdrawn = 0",
    )
    .bind(&item_id)
    .bind(&caller.id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if n == 0 {
        return Err(PoolError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn react(
    state: &AppState,
    caller: &AuthUser,
    item_id: &str,
    likes: bool,
) -> Result<Reaction, PoolError> {
    load_item(&state.db.pool, item_id).await?;
    let sql = if likes {
        "INSERT INTO pool_likes (user_id, item_id) VALUES ($1, $2) ON CONFLICT (user_id, item_id) DO NOTHING"
    } else {
        "INSERT INTO pool_plays (user_id, item_id) VALUES ($1, $2) ON CONFLICT (user_id, item_id) DO NOTHING"
    };
    let mut tx = state.db.begin_write().await?;
    let n = sqlx::query(sql)
        .bind(&caller.id)
        .bind(item_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(Reaction {
        item: load_item(&state.db.pool, item_id).await?,
        counted: n == 1,
    })
}

/// Likes an item (once per user).
#[utoipa::path(post, path = "/api/community/pool/{item_id}/like", tag = "community", security(("bearer" = [])),
    params(("item_id" = String, Path, description = "pool item")),
    responses((status = 200, body = Reaction), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn like(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiPath(item_id): ApiPath<String>,
) -> Result<axum::Json<Reaction>, PoolError> {
    Ok(axum::Json(react(&state, &caller, &item_id, true).await?))
}

/// Records a play (once per user).
#[utoipa::path(post, path = "/api/community/pool/{item_id}/play", tag = "community", security(("bearer" = [])),
    params(("item_id" = String, Path, description = "pool item")),
    responses((status = 200, body = Reaction), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn play(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiPath(item_id): ApiPath<String>,
) -> Result<axum::Json<Reaction>, PoolError> {
    Ok(axum::Json(react(&state, &caller, &item_id, false).await?))
}

/// Contributors ranked by points (standard 1, high 2, ultra 3 per item), optionally in one genre.
#[utoipa::path(get, path = "/api/community/ranking", tag = "community", params(ListQuery),
    responses((status = 200, body = RankingPage), (status = 422, body = ErrorBody)))]
pub async fn ranking(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<axum::Json<RankingPage>, PoolError> {
    let (page, per_page, limit, offset) = q.window()?;
    let genre = q.genre();
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT contributor_id, CAST(SUM(points) AS BIGINT) AS pts, COUNT(*) AS n FROM pool_items \
         WHERE withdrawn = 0 AND (CAST($1 AS TEXT) IS NULL OR genre = $1) \
         GROUP BY contributor_id ORDER BY pts DESC, contributor_id LIMIT $2 OFFSET $3",
    )
    .bind(genre.clone())
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT contributor_id) FROM pool_items \
         WHERE withdrawn = 0 AND (CAST($1 AS TEXT) IS NULL OR genre = $1)",
    )
    .bind(genre)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(axum::Json(RankingPage {
        entries: rows
            .into_iter()
            .enumerate()
            .map(|(i, (c, p, n))| RankEntry {
                rank: offset + i as i64 + 1,
                contributor_id: c,
                points: p,
                items: n,
            })
            .collect(),
        page,
        per_page,
        total,
    }))
}

/// How generations are selected for the pool.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Policy {
    /// Share of paid generations selected, in percent.
    pub percent: f64,
    /// The rule, so anyone can check a selection.
    pub rule: String,
    /// Daily claim limit of FREE accounts.
    pub free_claims_per_day: i64,
}

/// The selection rule, disclosed.
#[utoipa::path(get, path = "/api/community/pool/policy", tag = "community",
    responses((status = 200, body = Policy)))]
pub async fn policy() -> axum::Json<Policy> {
    axum::Json(Policy {
        percent: SELECTION_BASIS_POINTS as f64 / 100.0,
        rule: "a paid user's generation enters the pool when the first 8 bytes of \
               HMAC-SHA256(server secret, \"son1k-pool-v2:\" + user id + \":\" + the generation's \
               lower-case hyphenated UUID), read as a big-endian unsigned integer, modulo 10000, are \
               below 500; the secret stays on the server so no client can choose which generations \
               enter; GET /api/community/pool/selection/{id} tells you about your own recorded \
               generations; the contributor can withdraw an item"
            .into(),
        free_claims_per_day: FREE_CLAIMS_PER_DAY,
    })
}

/// Whether one of the caller's recorded generations entered the pool.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Selection {
    /// The generation id as checked.
    pub generation_id: String,
    /// The HMAC value modulo 10 000.
    pub value: u64,
    /// Whether it entered the pool (value below 500 and a paid tier when it was recorded).
    pub selected: bool,
}

/// The selection of one of the caller's recorded generations; 404 for any other id, so the
/// route cannot be used to try ids before recording them.
#[utoipa::path(get, path = "/api/community/pool/selection/{generation_id}", tag = "community",
    security(("bearer" = [])),
    params(("generation_id" = String, Path, description = "a generation UUID the caller recorded")),
    responses((status = 200, body = Selection), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn selection(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiPath(generation_id): ApiPath<String>,
) -> Result<axum::Json<Selection>, PoolError> {
    let id = uuid::Uuid::parse_str(generation_id.trim())
        .map_err(|_| PoolError::Invalid("generation_id must be a UUID".into()))?
        .hyphenated()
        .to_string();
    let recorded: Option<i64> = sqlx::query_scalar(
        "SELECT pool_selected FROM usage_records WHERE user_id = $1 AND id = $2",
    )
    .bind(&caller.id)
    .bind(&id)
    .fetch_optional(&state.db.pool)
    .await?;
    let selected = recorded.ok_or(PoolError::NotFound)? != 0;
    Ok(axum::Json(Selection {
        value: selection_value(&state.keys.pool, &caller.id, &id),
        generation_id: id,
        selected,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_is_deterministic_and_near_five_percent() {
        let key = [7u8; 32];
        let ids: Vec<String> = (0..20_000u32)
            .map(|i| uuid::Uuid::from_u128(u128::from(i) * 0x9E37_79B9_7F4A_7C15).to_string())
            .collect();
        let n = ids.iter().filter(|id| selected(&key, "u1", id)).count();
        // 5% of 20 000 is 1000; the binomial standard deviation is about 31.
        assert!((880..=1120).contains(&n), "{n} selected");
        assert!(ids
            .iter()
            .all(|id| selected(&key, "u1", id) == selected(&key, "u1", id)));
        // Another key or another user picks other ids.
        let other_key = ids
            .iter()
            .filter(|id| selected(&key, "u1", id) != selected(&[8u8; 32], "u1", id))
            .count();
        let other_user = ids
            .iter()
            .filter(|id| selected(&key, "u1", id) != selected(&key, "u2", id))
            .count();
        assert!(
            other_key > 1500 && other_user > 1500,
            "{other_key} {other_user}"
        );
    }
}
