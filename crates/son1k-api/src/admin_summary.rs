//! `GET /admin/summary`: the operator's numbers, computed from the business tables in a few
//! aggregate queries (each a scan of one time range, on the indexes of migration 10).
//!
//! * **Active users**: distinct accounts that recorded a generation, sent an analytics event
//!   (by when the server received it) or claimed from the pool in the last 24 hours (daily) and
//!   30 days (monthly).
//! * **Generations per tier**: generations recorded in the last 30 days, grouped by each
//!   account's tier *now* (its best `active`/`trialing` subscription, else FREE).
//! * **Funnel**: of the accounts (signed up in the last `days` days, or all), how many signed up,
//!   then also recorded a first generation, then also started a checkout, then also paid (a
//!   subscription that is `active`, `past_due`, `unpaid` or `canceled`: it was billed). Each step
//!   counts only accounts that passed the steps before it, so the numbers never grow.
//! * **Subscriptions and churn**: subscriptions `active` or `trialing` now, those whose last
//!   status change (the Stripe event's time) made them `canceled` in the last 30 days, and churn
//!   = canceled / (active + canceled).
//! * **Pool**: claims and contributions (items that entered the pool) in the last 30 days, and
//!   the distinct accounts behind them.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use son1k_core::Tier;
use utoipa::{IntoParams, ToSchema};

use crate::admin::AdminUser;
use crate::auth::AuthError;
use crate::db::now;
use crate::error::{ApiQuery, ErrorBody};
use crate::AppState;

/// A day in seconds.
const DAY: i64 = 86_400;

/// The funnel's cohort.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// Only accounts created in the last `days` days (1 to 3650); all accounts when left out.
    pub days: Option<i64>,
}

/// Distinct active accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActiveUsers {
    /// In the last 24 hours.
    pub daily: i64,
    /// In the last 30 days.
    pub monthly: i64,
}

/// Generations of one tier's accounts in the last 30 days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TierGenerations {
    /// `FREE`, `CREATOR`, `PRO` or `STUDIO`.
    pub tier: String,
    /// Generations recorded.
    pub generations: i64,
    /// Distinct accounts that recorded them.
    pub users: i64,
}

/// The conversion funnel; each step is a subset of the one before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Funnel {
    /// The cohort's size in days (`None`: every account).
    pub days: Option<i64>,
    /// Accounts in the cohort.
    pub signed_up: i64,
    /// … that recorded at least one generation.
    pub first_generation: i64,
    /// … and started a checkout.
    pub checkout_started: i64,
    /// … and paid.
    pub paid: i64,
}

/// Subscriptions now and cancellations in the last 30 days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Churn {
    /// Subscriptions `active` or `trialing` now.
    pub active: i64,
    /// Subscriptions that became `canceled` in the last 30 days.
    pub canceled_30d: i64,
    /// `canceled_30d / (active + canceled_30d)`; 0 when both are 0.
    pub churn_rate_30d: f64,
}

/// The community pool in the last 30 days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PoolActivity {
    /// Claims made.
    pub claims: i64,
    /// Distinct accounts that claimed.
    pub claimers: i64,
    /// Items that entered the pool.
    pub contributions: i64,
    /// Distinct accounts whose generations entered it.
    pub contributors: i64,
}

/// What `GET /admin/summary` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    /// When it was computed (Unix seconds).
    pub generated_at: i64,
    /// Daily and monthly active accounts.
    pub active_users: ActiveUsers,
    /// One entry per tier, in the tier table's order, zeros included.
    pub generations_per_tier: Vec<TierGenerations>,
    /// Sign-up → first generation → checkout started → paid.
    pub funnel: Funnel,
    /// Subscriptions and churn.
    pub subscriptions: Churn,
    /// Pool claims and contributions.
    pub pool: PoolActivity,
}

/// The rank of each tier, as SQL: `CASE tier WHEN 'CREATOR' THEN 1 … ELSE 0 END`.
fn tier_rank_sql() -> String {
    let mut sql = String::from("CASE tier");
    for (rank, tier) in Tier::ALL.iter().enumerate() {
        sql.push_str(&format!(" WHEN '{}' THEN {rank}", tier.name()));
    }
    sql.push_str(" ELSE 0 END");
    sql
}

async fn active_since(state: &AppState, since: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (\
           SELECT user_id FROM usage_records WHERE created_at >= $1 \
           UNION SELECT user_id FROM analytics_events WHERE received_at >= $1 \
           UNION SELECT user_id FROM pool_claims WHERE claimed_at >= $1\
         ) active",
    )
    .bind(since)
    .fetch_one(&state.db.pool)
    .await
}

async fn generations_per_tier(
    state: &AppState,
    since: i64,
) -> Result<Vec<TierGenerations>, sqlx::Error> {
    let sql = format!(
        "SELECT CAST(COALESCE(t.tier_rank, 0) AS BIGINT) AS tier_rank, COUNT(*) AS generations, \
                COUNT(DISTINCT r.user_id) AS users \
         FROM usage_records r \
         LEFT JOIN (SELECT user_id, MAX({rank}) AS tier_rank FROM subscriptions \
                    WHERE status IN ('active', 'trialing') AND tier IS NOT NULL \
                      AND user_id IS NOT NULL \
                    GROUP BY user_id) t ON t.user_id = r.user_id \
         WHERE r.created_at >= $1 \
         GROUP BY COALESCE(t.tier_rank, 0)",
        rank = tier_rank_sql()
    );
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(since)
        .fetch_all(&state.db.pool)
        .await?;
    Ok(Tier::ALL
        .iter()
        .enumerate()
        .map(|(rank, tier)| {
            let (generations, users) = rows
                .iter()
                .find(|(r, ..)| *r == rank as i64)
                .map_or((0, 0), |(_, g, u)| (*g, *u));
            TierGenerations {
                tier: tier.name().to_string(),
                generations,
                users,
            }
        })
        .collect())
}

async fn funnel(state: &AppState, days: Option<i64>, now: i64) -> Result<Funnel, sqlx::Error> {
    let since = days.map_or(i64::MIN, |d| now - d * DAY);
    let (signed_up, first_generation, checkout_started, paid): (i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT COUNT(*), \
               CAST(COALESCE(SUM(CASE WHEN g.user_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
               CAST(COALESCE(SUM(CASE WHEN g.user_id IS NOT NULL AND c.user_id IS NOT NULL \
                                 THEN 1 ELSE 0 END), 0) AS BIGINT), \
               CAST(COALESCE(SUM(CASE WHEN g.user_id IS NOT NULL AND c.user_id IS NOT NULL \
                                 AND p.user_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM users u \
             LEFT JOIN (SELECT DISTINCT user_id FROM usage_records) g ON g.user_id = u.id \
             LEFT JOIN (SELECT DISTINCT user_id FROM checkout_sessions) c ON c.user_id = u.id \
             LEFT JOIN (SELECT DISTINCT user_id FROM subscriptions \
                        WHERE status IN ('active', 'past_due', 'unpaid', 'canceled') \
                          AND user_id IS NOT NULL) p ON p.user_id = u.id \
             WHERE u.created_at >= $1",
        )
        .bind(since)
        .fetch_one(&state.db.pool)
        .await?;
    Ok(Funnel {
        days,
        signed_up,
        first_generation,
        checkout_started,
        paid,
    })
}

async fn churn(state: &AppState, since: i64) -> Result<Churn, sqlx::Error> {
    let (active, canceled_30d): (i64, i64) = sqlx::query_as(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN status IN ('active', 'trialing') THEN 1 ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN status = 'canceled' AND state_at >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM subscriptions",
    )
    .bind(since)
    .fetch_one(&state.db.pool)
    .await?;
    let total = active + canceled_30d;
    Ok(Churn {
        active,
        canceled_30d,
        churn_rate_30d: if total == 0 {
            0.0
        } else {
            canceled_30d as f64 / total as f64
        },
    })
}

async fn pool_activity(state: &AppState, since: i64) -> Result<PoolActivity, sqlx::Error> {
    let (claims, claimers): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM pool_claims WHERE claimed_at >= $1",
    )
    .bind(since)
    .fetch_one(&state.db.pool)
    .await?;
    let (contributions, contributors): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT contributor_id) FROM pool_items WHERE created_at >= $1",
    )
    .bind(since)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(PoolActivity {
        claims,
        claimers,
        contributions,
        contributors,
    })
}

/// The operator's summary: active users, generations per tier, the conversion funnel, churn and
/// the pool. Admins
/// only: no token answers 401, a user without the admin role 403.
#[utoipa::path(get, path = "/admin/summary", tag = "admin", security(("bearer" = [])),
    params(SummaryQuery),
    responses((status = 200, body = Summary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn summary(
    State(state): State<AppState>,
    _admin: AdminUser,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> Result<axum::Json<Summary>, AuthError> {
    if let Some(days) = q.days {
        if !(1..=3650).contains(&days) {
            return Err(AuthError::Invalid("days must be 1 to 3650".into()));
        }
    }
    let now = now();
    Ok(axum::Json(Summary {
        generated_at: now,
        active_users: ActiveUsers {
            daily: active_since(&state, now - DAY).await?,
            monthly: active_since(&state, now - 30 * DAY).await?,
        },
        generations_per_tier: generations_per_tier(&state, now - 30 * DAY).await?,
        funnel: funnel(&state, q.days, now).await?,
        subscriptions: churn(&state, now - 30 * DAY).await?,
        pool: pool_activity(&state, now - 30 * DAY).await?,
    }))
}
