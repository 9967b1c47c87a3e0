//! Prometheus metrics, served at `GET /metrics` in the Prometheus text format (version 0.0.4),
//! built with the `prometheus-client` crate (the Prometheus project's Rust client).
//!
//! * `http_requests_total{method, route, status}`: answered requests. `route` is the matched
//!   route template (`/api/community/pool/{item_id}`), never the raw path, so ids do not make
//!   new series; requests that match no route count as `route="unmatched"`, and methods outside
//!   the standard set as `method="OTHER"`.
//! * `http_request_duration_seconds{method, route}`: a histogram of the time until the answer's
//!   head is ready (1 ms to 10 s buckets).
//! * `http_requests_in_flight`: requests being handled now.
//! * `stripe_webhook_events_total{outcome}`: webhook deliveries by outcome: `processed`,
//!   `duplicate`, `ignored` (a type this server does not act on), or the error code answered
//!   (`bad_signature`, `payments_not_configured`, …).
//! * `db_pool_connections{state}` (`idle`, `in_use`) and `db_pool_max_connections`: the
//!   database pool, read when scraped.
//!
//! **Protection**: `/metrics` answers only with `Authorization: Bearer <SON1K_METRICS_TOKEN>`
//! (compared in constant time); a missing or wrong token gets 401. Without `SON1K_METRICS_TOKEN`
//! the route answers 404 `metrics_disabled`, so nothing is exposed by default.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sha2::{Digest, Sha256};
use std::time::Instant;
use subtle::ConstantTimeEq;

use crate::{db, error, AppState};

/// The `route` label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// Upper bounds (seconds) of the latency histogram's buckets.
pub const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// Every metric of this instance, and the registry that encodes them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    webhooks: Family<OutcomeLabels, Counter>,
    pool: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Fresh metrics, all at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Answered HTTP requests, by method, matched route template and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time until the answer's head was ready, by method and matched route template",
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being handled now",
            in_flight.clone(),
        );
        let webhooks = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "stripe_webhook_events",
            "Stripe webhook deliveries, by outcome",
            webhooks.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Open database connections, idle or in use",
            pool.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "The most connections the database pool opens",
            pool_max.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
            webhooks,
            pool,
            pool_max,
        }
    }

    /// Counts one webhook delivery with `outcome`.
    pub fn webhook(&self, outcome: &'static str) {
        self.webhooks
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// Reads the pool's gauges from `db`.
    fn observe_pool(&self, db: &db::Db) {
        let open = i64::from(db.pool.size());
        let idle = i64::try_from(db.pool.num_idle()).unwrap_or(i64::MAX);
        self.pool
            .get_or_create(&PoolLabels { state: "idle" })
            .set(idle.min(open));
        self.pool
            .get_or_create(&PoolLabels { state: "in_use" })
            .set((open - idle).max(0));
        self.pool_max
            .set(i64::from(db.pool.options().get_max_connections()));
    }

    /// The metrics in the Prometheus text format, with the pool's gauges read from `db` first.
    pub fn encode(&self, db: &db::Db) -> Result<String, std::fmt::Error> {
        self.observe_pool(db);
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// The `method` label: the standard methods by name, anything else `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Lowers the in-flight gauge when a request ends, also when its future is dropped.
struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware: counts and times every request by its matched route template.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| UNMATCHED.to_string());
    let method = method_label(req.method());
    let metrics = &state.metrics;
    metrics.in_flight.inc();
    let guard = InFlight(metrics.in_flight.clone());
    let start = Instant::now();
    let res = next.run(req).await;
    let elapsed = start.elapsed().as_secs_f64();
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status: res.status().as_u16().to_string(),
        })
        .inc();
    metrics
        .latency
        .get_or_create(&RouteLabels { method, route })
        .observe(elapsed);
    drop(guard);
    res
}

/// Whether `headers` carry `Authorization: Bearer <expected>`, compared in constant time.
fn bearer_matches(headers: &HeaderMap, expected: &str) -> Option<bool> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?
        .trim();
    let a = Sha256::digest(token.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    Some(bool::from(a.ct_eq(&b)))
}

/// `GET /metrics`: the Prometheus text exposition, for `Authorization: Bearer
/// <SON1K_METRICS_TOKEN>` only (401 otherwise; 404 `metrics_disabled` when no token is set).
#[utoipa::path(get, path = "/metrics", tag = "meta", security(("bearer" = [])),
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.config.metrics_token.as_deref() else {
        return error::error_response(
            StatusCode::NOT_FOUND,
            "metrics_disabled",
            "metrics are not enabled on this server (SON1K_METRICS_TOKEN is not set)",
        );
    };
    match bearer_matches(&headers, expected) {
        Some(true) => {}
        found => {
            let (code, message) = match found {
                None => (
                    "missing_token",
                    "send Authorization: Bearer <SON1K_METRICS_TOKEN>",
                ),
                Some(_) => ("invalid_token", "the metrics token is wrong"),
            };
            let mut res = error::error_response(StatusCode::UNAUTHORIZED, code, message);
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return res;
        }
    }
    match state.metrics.encode(&state.db) {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
                ),
            )],
            body,
        )
            .into_response(),
        Err(_) => error::error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the metrics could not be encoded",
        ),
    }
}
