//! Entitlement, server-authoritative: what tier a user has right now, the period their usage is
//! counted over (the UTC day for FREE; the subscription's period, else the UTC month, for paid
//! tiers) and the generations counted in it. The auth routes, tiers, usage, leases and the pool
//! all read it from here.
//!
//! A user's tier is never stored as a mutable field; it is derived from their subscriptions,
//! which the webhook keeps up to date. The highest tier among subscriptions that are `active` or
//! `trialing` wins; with none the user is FREE.

use son1k_core::Tier;
use time::OffsetDateTime;

use crate::db::Db;

/// What a user is entitled to right now.
#[derive(Debug, Clone)]
pub struct Entitlement {
    /// The effective tier.
    pub tier: Tier,
    /// Status of the subscription that grants it (`None` for FREE).
    pub status: Option<String>,
    /// Start of the current counting period (Unix seconds).
    pub period_start: i64,
    /// End of the current counting period (exclusive).
    pub period_end: i64,
    /// A name for the period (`day:YYYY-MM-DD` or `month:<start>`), stored with each record.
    pub period_key: String,
}

/// Start and end of the UTC day holding `t`: the one definition, shared with the studio.
pub use son1k_core::tier::utc_day;

/// `YYYY-MM-DD` of the UTC day holding `t`.
pub fn utc_day_key(t: i64) -> String {
    let d = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Start and end of the UTC calendar month holding `t`.
fn utc_month(t: i64) -> (i64, i64) {
    let d = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let first = d
        .date()
        .replace_day(1)
        .unwrap_or(d.date())
        .midnight()
        .assume_utc();
    let (y, m) = if u8::from(d.month()) == 12 {
        (d.year() + 1, time::Month::January)
    } else {
        (d.year(), d.month().next())
    };
    let next = time::Date::from_calendar_date(y, m, 1)
        .map(|n| n.midnight().assume_utc().unix_timestamp())
        .unwrap_or(first.unix_timestamp() + 31 * 86_400);
    (first.unix_timestamp(), next)
}

/// tier, status, period start, period end.
type SubRow = (Option<String>, String, Option<i64>, Option<i64>);

/// Works out the caller's tier and counting period at `now`.
pub async fn entitlement(db: &Db, user_id: &str, now: i64) -> Result<Entitlement, sqlx::Error> {
    let rows: Vec<SubRow> = sqlx::query_as(
        "SELECT tier, status, period_start, period_end FROM subscriptions \
         WHERE user_id = $1 AND status IN ('active', 'trialing') AND tier IS NOT NULL",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    let best = rows
        .into_iter()
        .filter_map(|(tier, status, s, e)| {
            let tier: Tier = tier?.parse().ok()?;
            Some((tier, status, s, e))
        })
        .max_by_key(|(tier, ..)| *tier);
    Ok(match best {
        None => {
            let (start, end) = utc_day(now);
            Entitlement {
                tier: Tier::Free,
                status: None,
                period_start: start,
                period_end: end,
                period_key: format!("day:{}", utc_day_key(now)),
            }
        }
        Some((tier, status, start, end)) => {
            let (start, end) = match (start, end) {
                (Some(s), Some(e)) if s <= now && now < e => (s, e),
                _ => utc_month(now),
            };
            Entitlement {
                tier,
                status: Some(status),
                period_start: start,
                period_end: end,
                period_key: format!("month:{start}"),
            }
        }
    })
}

/// Generations counted in `ent`'s period: the user's records made inside
/// `[period_start, period_end)`, whenever the period itself became known (a billing period that
/// arrives after checkout still counts what was made since it began).
pub async fn used_in_period<'e, E>(
    exec: E,
    user_id: &str,
    ent: &Entitlement,
) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM usage_records WHERE user_id = $1 AND created_at >= $2 AND created_at < $3",
    )
    .bind(user_id)
    .bind(ent.period_start)
    .bind(ent.period_end)
    .fetch_one(exec)
    .await
}
