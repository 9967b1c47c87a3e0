//! Tiers, server-authoritative: the table from `son1k-core`, the caller's limits and usage (from
//! [`crate::entitlement`]) and Stripe Checkout.

use axum::extract::State;
use axum::http::StatusCode;
use son1k_core::Tier;

use crate::auth::{AuthError, AuthUser};
use crate::db::now;
pub use crate::entitlement::{entitlement, used_in_period, utc_day, utc_day_key, Entitlement};
use crate::error::{ApiError, ApiJson, ApiPath, ErrorBody};
use crate::AppState;
pub use son1k_api_types::{period_name, CheckoutRequest, CheckoutSession, TierRow, UserLimits};

/// Errors of the tier routes.
#[derive(Debug, thiserror::Error)]
pub enum TiersError {
    /// Auth failed or the path names another user.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// No Stripe secret key on this server.
    #[error("payments not configured: this server has no STRIPE_SECRET_KEY")]
    PaymentsNotConfigured,
    /// FREE cannot be bought, or the tier name is unknown.
    #[error("{0}")]
    InvalidTier(String),
    /// Stripe refused or could not be reached.
    #[error("Stripe could not create the checkout session: {0}")]
    Stripe(String),
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
}

impl ApiError for TiersError {
    fn status(&self) -> StatusCode {
        match self {
            TiersError::Auth(e) => e.status(),
            TiersError::PaymentsNotConfigured => StatusCode::SERVICE_UNAVAILABLE,
            TiersError::InvalidTier(_) => StatusCode::UNPROCESSABLE_ENTITY,
            TiersError::Stripe(_) => StatusCode::BAD_GATEWAY,
            TiersError::Db(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            TiersError::Auth(e) => e.code(),
            TiersError::PaymentsNotConfigured => "payments_not_configured",
            TiersError::InvalidTier(_) => "invalid_tier",
            TiersError::Stripe(_) => "stripe_error",
            TiersError::Db(_) => "database_unavailable",
        }
    }
}
crate::impl_api_error!(TiersError);

/// The pricing table, cheapest first.
#[utoipa::path(get, path = "/api/tiers", tag = "tiers", responses((status = 200, body = [TierRow])))]
pub async fn table() -> axum::Json<Vec<TierRow>> {
    axum::Json(Tier::table().into_iter().map(TierRow::from).collect())
}

/// The caller's tier, limits and usage. `{user}` must be the caller (403 otherwise).
#[utoipa::path(get, path = "/api/tiers/limits/{user}", tag = "tiers", security(("bearer" = [])),
    params(("user" = String, Path, description = "the caller's user id")),
    responses((status = 200, body = UserLimits), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn limits(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiPath(user): ApiPath<String>,
) -> Result<axum::Json<UserLimits>, TiersError> {
    caller.must_be(&user)?;
    let now = now();
    let ent = entitlement(&state.db, &caller.id, now).await?;
    let used = used_in_period(&state.db.pool, &caller.id, &ent).await?;
    let limit = i64::from(ent.tier.limits().generations);
    Ok(axum::Json(UserLimits {
        user_id: caller.id,
        limits: ent.tier.limits().into(),
        subscription_status: ent.status,
        period_start: ent.period_start,
        period_end: ent.period_end,
        used,
        remaining: (limit - used).max(0),
    }))
}

/// The form fields of a Checkout Session for `tier`, bought by `user_id`.
pub fn checkout_form(tier: Tier, user_id: &str, email: &str) -> Vec<(String, String)> {
    let l = tier.limits();
    let f = |k: &str, v: &str| (k.to_string(), v.to_string());
    vec![
        f("mode", "subscription"),
        f("client_reference_id", user_id),
        f("customer_email", email),
        f(
            "success_url",
            "son1k://checkout/success?session_id={CHECKOUT_SESSION_ID}",
        ),
        f("cancel_url", "son1k://checkout/cancel"),
        f("line_items[0][quantity]", "1"),
        f("line_items[0][price_data][currency]", "usd"),
        f(
            "line_items[0][price_data][unit_amount]",
            &l.price_cents.to_string(),
        ),
        f("line_items[0][price_data][recurring][interval]", "month"),
        f(
            "line_items[0][price_data][product_data][name]",
            &format!("Son1k Studio {}", tier.name()),
        ),
        f("metadata[user_id]", user_id),
        f("metadata[tier]", tier.name()),
        f("subscription_data[metadata][user_id]", user_id),
        f("subscription_data[metadata][tier]", tier.name()),
    ]
}

/// Creates a Stripe Checkout session for a paid tier.
#[utoipa::path(post, path = "/api/tiers/checkout", tag = "tiers", security(("bearer" = [])),
    request_body = CheckoutRequest,
    responses((status = 200, body = CheckoutSession), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn checkout(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<CheckoutRequest>,
) -> Result<axum::Json<CheckoutSession>, TiersError> {
    let tier: Tier = body
        .tier
        .parse()
        .map_err(|e: son1k_core::ValidationError| TiersError::InvalidTier(e.to_string()))?;
    if !tier.is_paid() {
        return Err(TiersError::InvalidTier(
            "FREE needs no checkout; choose CREATOR, PRO or STUDIO".into(),
        ));
    }
    let key = state
        .config
        .stripe_secret_key
        .clone()
        .ok_or(TiersError::PaymentsNotConfigured)?;
    let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(&caller.id)
        .fetch_optional(&state.db.pool)
        .await?;
    let email = email.ok_or(TiersError::Auth(AuthError::InvalidToken))?;
    let url = format!("{}/v1/checkout/sessions", state.config.stripe_api_base);
    let res = state
        .http
        .post(&url)
        .basic_auth(&key, Some(""))
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .form(&checkout_form(tier, &caller.id, &email))
        .send()
        .await
        .map_err(|e| TiersError::Stripe(format!("{url} unreachable: {e}")))?;
    let status = res.status();
    let json: serde_json::Value = res
        .json()
        .await
        .map_err(|e| TiersError::Stripe(format!("unreadable answer: {e}")))?;
    if !status.is_success() {
        let msg = json
            .pointer("/error/message")
            .and_then(|m| m.as_str())
            .unwrap_or("no message");
        return Err(TiersError::Stripe(format!("HTTP {status}: {msg}")));
    }
    match (
        json.get("id").and_then(|v| v.as_str()),
        json.get("url").and_then(|v| v.as_str()),
    ) {
        (Some(id), Some(url)) => {
            record_checkout(&state, &caller.id, id, tier).await;
            Ok(axum::Json(CheckoutSession {
                id: id.to_string(),
                url: url.to_string(),
            }))
        }
        _ => Err(TiersError::Stripe("the answer has no id or url".into())),
    }
}

/// Notes that `user_id` started a checkout (the admin funnel's third step). A failure is logged
/// and does not fail the checkout the user is waiting for.
async fn record_checkout(state: &AppState, user_id: &str, session: &str, tier: Tier) {
    let write = async {
        let mut tx = state.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO checkout_sessions (user_id, id, tier, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, id) DO NOTHING",
        )
        .bind(user_id)
        .bind(session)
        .bind(tier.name())
        .bind(crate::db::now())
        .execute(&mut **tx)
        .await?;
        tx.commit().await
    };
    if let Err(e) = write.await {
        tracing::warn!(error = %e, "could not record the checkout session");
    }
}
