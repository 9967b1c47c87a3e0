//! The Stripe webhook: signature check on the raw body, each event stored once, and the
//! subscription lifecycle folded into `subscriptions` rows so repeated or out-of-order events
//! converge.
//!
//! Ordering: every part of a subscription row carries the `created` time of the event that set
//! it (`state_at` for the status, `tier_at` for the tier, `period_at` for the billing period); an
//! event older than a part does not overwrite it, but fills it in when it is missing, so the
//! order events arrive in does not matter. The tier comes from the subscription's price (a plan
//! change is a new price); the tier written into metadata at checkout only stands in until a
//! price is seen. The tier a user gets is derived from those rows (see
//! [`crate::entitlement::entitlement`]).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use son1k_core::Tier;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use crate::db::now;
use crate::error::{ApiBytes, ApiError, ErrorBody};
use crate::AppState;

/// How far a signature's timestamp may be from our clock, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// Errors of the webhook.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// No webhook secret configured.
    #[error("payments not configured: this server has no STRIPE_WEBHOOK_SECRET")]
    NotConfigured,
    /// The `Stripe-Signature` header is missing or malformed.
    #[error("missing or malformed Stripe-Signature header")]
    MissingSignature,
    /// No `v1` signature matches.
    #[error("the Stripe-Signature does not match the payload")]
    BadSignature,
    /// The timestamp is outside the tolerance.
    #[error("the Stripe-Signature timestamp is more than 300 s from the server clock")]
    Stale,
    /// The body is not a Stripe event.
    #[error("the body is not a Stripe event: {0}")]
    BadEvent(String),
    /// The database failed; Stripe will retry.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
}

impl ApiError for WebhookError {
    fn status(&self) -> StatusCode {
        match self {
            WebhookError::NotConfigured | WebhookError::Db(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebhookError::MissingSignature | WebhookError::BadEvent(_) => StatusCode::BAD_REQUEST,
            WebhookError::BadSignature | WebhookError::Stale => StatusCode::UNAUTHORIZED,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            WebhookError::NotConfigured => "payments_not_configured",
            WebhookError::MissingSignature => "missing_signature",
            WebhookError::BadSignature => "bad_signature",
            WebhookError::Stale => "stale_signature",
            WebhookError::BadEvent(_) => "bad_event",
            WebhookError::Db(_) => "database_unavailable",
        }
    }
}
crate::impl_api_error!(WebhookError);

/// Computes the `v1` signature Stripe would send for `payload` at time `t` (hex).
pub fn sign(secret: &str, t: i64, payload: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

fn mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!())
}

/// Verifies a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`) against the raw `payload`.
pub fn verify(secret: &str, header: &str, payload: &[u8], now: i64) -> Result<(), WebhookError> {
    let mut t: Option<i64> = None;
    let mut sigs: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or(WebhookError::MissingSignature)?;
        match k {
            "t" => t = Some(v.parse().map_err(|_| WebhookError::MissingSignature)?),
            "v1" => {
                if let Ok(bytes) = hex::decode(v) {
                    sigs.push(bytes);
                }
            }
            _ => {}
        }
    }
    let t = t.ok_or(WebhookError::MissingSignature)?;
    if sigs.is_empty() {
        return Err(WebhookError::BadSignature);
    }
    let mut mac = mac(secret);
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    let expected = mac.finalize().into_bytes();
    let mut ok = subtle::Choice::from(0u8);
    for s in &sigs {
        if s.len() == expected.len() {
            ok |= s.as_slice().ct_eq(expected.as_slice());
        }
    }
    if !bool::from(ok) {
        return Err(WebhookError::BadSignature);
    }
    if (now - t).abs() > TOLERANCE_SECS {
        return Err(WebhookError::Stale);
    }
    Ok(())
}

/// The webhook's answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookAck {
    /// Always true on 2xx.
    pub received: bool,
    /// True when the event id had been processed before (a replay), so nothing changed.
    pub duplicate: bool,
    /// True when the event type is not one we act on.
    pub ignored: bool,
}

/// Receives Stripe events. The raw body is checked against `Stripe-Signature` before anything
/// else; each event id is processed once; unknown event types are acknowledged and ignored.
#[utoipa::path(post, path = "/api/tiers/webhook", tag = "tiers",
    request_body(content = String, content_type = "application/json", description = "a Stripe event, raw"),
    params(("Stripe-Signature" = String, Header, description = "t=…,v1=…")),
    responses((status = 200, body = WebhookAck), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<axum::Json<WebhookAck>, WebhookError> {
    let answer = handle_webhook(&state, &headers, &body).await;
    state.metrics.webhook(match &answer {
        Ok(ack) if ack.duplicate => "duplicate",
        Ok(ack) if ack.ignored => "ignored",
        Ok(_) => "processed",
        Err(e) => e.code(),
    });
    answer
}

/// [`webhook`]'s work; the wrapper counts its outcome.
async fn handle_webhook(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<axum::Json<WebhookAck>, WebhookError> {
    let secret = state
        .config
        .stripe_webhook_secret
        .as_deref()
        .ok_or(WebhookError::NotConfigured)?;
    let header = headers
        .get("stripe-signature")
        .and_then(|h| h.to_str().ok())
        .ok_or(WebhookError::MissingSignature)?;
    verify(secret, header, body, now())?;
    let event: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::BadEvent(e.to_string()))?;
    let id = str_at(&event, "/id").ok_or_else(|| WebhookError::BadEvent("no id".into()))?;
    let kind = str_at(&event, "/type").ok_or_else(|| WebhookError::BadEvent("no type".into()))?;
    let created = event
        .get("created")
        .and_then(Value::as_i64)
        .unwrap_or_else(now);
    let object = event
        .pointer("/data/object")
        .cloned()
        .ok_or_else(|| WebhookError::BadEvent("no data.object".into()))?;

    let mut tx = state.db.begin_write().await?;
    let fresh = sqlx::query(
        "INSERT INTO stripe_events (id, kind, received_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&id)
    .bind(&kind)
    .bind(now())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !fresh {
        tx.commit().await?;
        return Ok(axum::Json(WebhookAck {
            received: true,
            duplicate: true,
            ignored: false,
        }));
    }
    let handled = apply(&mut tx, &kind, &object, created).await?;
    tx.commit().await?;
    tracing::info!(event = %id, kind = %kind, handled, "stripe event");
    Ok(axum::Json(WebhookAck {
        received: true,
        duplicate: false,
        ignored: !handled,
    }))
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn i64_at(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

/// A field that Stripe sends either as an id string or as an expanded object with an `id`.
fn id_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// How far below a price-derived tier's rank a tier read from checkout-time metadata sits: such a
/// tier only fills a subscription whose price has not been seen, and never replaces one derived
/// from a price, whatever the events' ages (metadata set at checkout goes stale on a plan change).
const METADATA_RANK_OFFSET: i64 = 1 << 40;

/// A tier and its rank: the `created` time of the event it came from, lowered by
/// [`METADATA_RANK_OFFSET`] when it came from metadata rather than a price. A higher rank wins.
type RankedTier = (Tier, i64);

/// The tier of a price object: its `metadata.tier` or `lookup_key` (a tier name, e.g. `PRO` or
/// `son1k_pro`), else its `unit_amount` matched against the pricing table.
fn tier_of_price(price: &Value) -> Option<Tier> {
    let named = |s: String| {
        let s = s.trim().to_uppercase();
        let s = s.strip_prefix("SON1K_").unwrap_or(&s).to_string();
        s.parse::<Tier>().ok().filter(|t| t.is_paid())
    };
    if let Some(t) = str_at(price, "/metadata/tier").and_then(named) {
        return Some(t);
    }
    if let Some(t) = str_at(price, "/lookup_key").and_then(named) {
        return Some(t);
    }
    let amount = price.get("unit_amount").and_then(Value::as_i64)?;
    Tier::ALL
        .into_iter()
        .find(|t| t.is_paid() && i64::from(t.limits().price_cents) == amount)
}

/// The tier a subscription object is for, ranked (see [`RankedTier`]): from the price of its
/// first item; only when no price names a tier, from the metadata written at checkout.
fn tier_of_subscription(sub: &Value, created: i64) -> Option<RankedTier> {
    if let Some(t) = sub.pointer("/items/data/0/price").and_then(tier_of_price) {
        return Some((t, created));
    }
    let t = str_at(sub, "/metadata/tier").and_then(|t| t.parse().ok())?;
    Some((t, created - METADATA_RANK_OFFSET))
}

struct SubState {
    id: String,
    user_id: Option<String>,
    customer_id: Option<String>,
    tier: Option<RankedTier>,
    status: String,
    period: Option<(i64, i64)>,
    at: i64,
}

async fn upsert(tx: &mut crate::db::WriteTx, s: SubState) -> Result<(), sqlx::Error> {
    let (ps, pe) = match s.period {
        Some((a, b)) => (Some(a), Some(b)),
        None => (None, None),
    };
    // Each part of the state has its own age: the status (`state_at`, and a canceled
    // subscription stays canceled), the tier (`tier_at`, its rank) and the period (`period_at`).
    // A part the event carries replaces the stored one when it is at least as new, or when none
    // is stored, so an older event arriving late still fills in what a newer one lacked.
    let newer_status =
        "subscriptions.status <> 'canceled' AND subscriptions.state_at <= excluded.state_at";
    let newer_tier = "excluded.tier IS NOT NULL AND (subscriptions.tier IS NULL \
         OR COALESCE(subscriptions.tier_at, subscriptions.state_at) <= excluded.tier_at)";
    let newer_period = "excluded.period_start IS NOT NULL AND (subscriptions.period_start IS NULL \
         OR COALESCE(subscriptions.period_at, subscriptions.state_at) <= excluded.period_at)";
    let pick = |cond: &str, col: &str| {
        format!("{col} = CASE WHEN {cond} THEN excluded.{col} ELSE subscriptions.{col} END")
    };
    let sql = format!(
        "INSERT INTO subscriptions (id, user_id, customer_id, tier, tier_at, status, period_start, period_end, period_at, state_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (id) DO UPDATE SET {}, {}, {}, {}, {}, {}, {}",
        pick(newer_status, "status"),
        pick(newer_status, "state_at"),
        pick(newer_tier, "tier"),
        pick(newer_tier, "tier_at"),
        pick(newer_period, "period_start"),
        pick(newer_period, "period_end"),
        pick(newer_period, "period_at"),
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&s.id)
        .bind(s.user_id.clone())
        .bind(s.customer_id.clone())
        .bind(s.tier.map(|(t, _)| t.name().to_string()))
        .bind(s.tier.map(|(_, rank)| rank))
        .bind(&s.status)
        .bind(ps)
        .bind(pe)
        .bind(s.period.map(|_| s.at))
        .bind(s.at)
        .execute(&mut ***tx)
        .await?;
    // Links are facts, not state: fill them in whatever the event's age.
    sqlx::query("UPDATE subscriptions SET user_id = $2 WHERE id = $1 AND user_id IS NULL AND $2 IS NOT NULL")
        .bind(&s.id)
        .bind(s.user_id)
        .execute(&mut ***tx)
        .await?;
    sqlx::query("UPDATE subscriptions SET customer_id = $2 WHERE id = $1 AND customer_id IS NULL AND $2 IS NOT NULL")
        .bind(&s.id)
        .bind(s.customer_id)
        .execute(&mut ***tx)
        .await?;
    Ok(())
}

async fn user_for_customer(
    tx: &mut crate::db::WriteTx,
    customer: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    let Some(c) = customer else { return Ok(None) };
    sqlx::query_scalar("SELECT id FROM users WHERE stripe_customer_id = $1")
        .bind(c)
        .fetch_optional(&mut ***tx)
        .await
}

/// Applies one event; returns whether its type is one we act on.
async fn apply(
    tx: &mut crate::db::WriteTx,
    kind: &str,
    obj: &Value,
    created: i64,
) -> Result<bool, sqlx::Error> {
    match kind {
        "checkout.session.completed" => {
            let user =
                str_at(obj, "/client_reference_id").or_else(|| str_at(obj, "/metadata/user_id"));
            let customer = id_of(obj, "customer");
            if let (Some(u), Some(c)) = (&user, &customer) {
                sqlx::query("UPDATE users SET stripe_customer_id = $2 WHERE id = $1")
                    .bind(u)
                    .bind(c)
                    .execute(&mut ***tx)
                    .await?;
                // Subscriptions that arrived before the checkout now find their user.
                sqlx::query("UPDATE subscriptions SET user_id = $1 WHERE customer_id = $2 AND user_id IS NULL")
                    .bind(u)
                    .bind(c)
                    .execute(&mut ***tx)
                    .await?;
            }
            if let Some(sub) = id_of(obj, "subscription") {
                let paid = str_at(obj, "/payment_status").is_none_or(|p| p != "unpaid");
                upsert(
                    tx,
                    SubState {
                        id: sub,
                        user_id: user,
                        customer_id: customer,
                        // Checkout-time metadata: provisional until a price is seen.
                        tier: str_at(obj, "/metadata/tier")
                            .and_then(|t| t.parse().ok())
                            .map(|t| (t, created - METADATA_RANK_OFFSET)),
                        status: if paid { "active" } else { "incomplete" }.into(),
                        period: None,
                        at: created,
                    },
                )
                .await?;
            }
            Ok(true)
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            let Some(id) = str_at(obj, "/id") else {
                return Ok(false);
            };
            let customer = id_of(obj, "customer");
            let user = match str_at(obj, "/metadata/user_id") {
                Some(u) => Some(u),
                None => user_for_customer(tx, customer.as_deref()).await?,
            };
            let status = if kind.ends_with("deleted") {
                "canceled".to_string()
            } else {
                str_at(obj, "/status").unwrap_or_else(|| "active".into())
            };
            // Newer API versions carry the period on the item, older ones on the subscription.
            let period = match (
                i64_at(obj, "/current_period_start")
                    .or_else(|| i64_at(obj, "/items/data/0/current_period_start")),
                i64_at(obj, "/current_period_end")
                    .or_else(|| i64_at(obj, "/items/data/0/current_period_end")),
            ) {
                (Some(a), Some(b)) => Some((a, b)),
                _ => None,
            };
            upsert(
                tx,
                SubState {
                    id,
                    user_id: user,
                    customer_id: customer,
                    tier: tier_of_subscription(obj, created),
                    status,
                    period,
                    at: created,
                },
            )
            .await?;
            Ok(true)
        }
        "invoice.paid" | "invoice.payment_failed" => {
            let sub = id_of(obj, "subscription")
                .or_else(|| str_at(obj, "/parent/subscription_details/subscription"));
            let Some(sub) = sub else { return Ok(false) };
            let customer = id_of(obj, "customer");
            let user = user_for_customer(tx, customer.as_deref()).await?;
            let period = match (
                i64_at(obj, "/lines/data/0/period/start"),
                i64_at(obj, "/lines/data/0/period/end"),
            ) {
                (Some(a), Some(b)) => Some((a, b)),
                _ => None,
            };
            let paid = kind == "invoice.paid";
            upsert(
                tx,
                SubState {
                    id: sub,
                    user_id: user,
                    customer_id: customer,
                    tier: None,
                    status: if paid { "active" } else { "past_due" }.into(),
                    period: if paid { period } else { None },
                    at: created,
                },
            )
            .await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}
