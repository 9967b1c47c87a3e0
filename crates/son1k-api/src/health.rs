//! Health probes for an orchestrator or a load balancer.
//!
//! * `GET /health/live` (liveness): 200 while the process can answer HTTP at all. It touches
//!   nothing else, so a database outage does not get healthy instances restarted.
//! * `GET /health/ready` (readiness): 200 when the database answers a real query within
//!   [`READY_TIMEOUT`]; otherwise 503 with the usual JSON error body (`database_unavailable`), so
//!   a load balancer stops sending traffic to this instance until the database is back.
//! * `GET /health` (kept from the first version): the readiness check, answered as [`Health`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

use crate::{db, error, AppState};

/// How long the readiness probe waits for the database before it answers 503.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Health report.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// Server version.
    pub version: String,
}

/// Runs `SELECT 1` on the pool, within [`READY_TIMEOUT`]: `Err` says why it failed.
pub async fn check_database(db: &db::Db) -> Result<(), String> {
    let query = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&db.pool);
    match tokio::time::timeout(READY_TIMEOUT, query).await {
        Ok(Ok(1)) => Ok(()),
        Ok(Ok(other)) => Err(format!("the database answered {other} to SELECT 1")),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "the database did not answer within {} s",
            READY_TIMEOUT.as_secs()
        )),
    }
}

fn backend_name(db: &db::Db) -> &'static str {
    match db.backend {
        db::Backend::Sqlite => "sqlite",
        db::Backend::Postgres => "postgres",
    }
}

/// `/health`: 200 when the database answers.
#[utoipa::path(get, path = "/health", tag = "meta",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let ok = check_database(&state.db).await.is_ok();
    let body = Health {
        status: if ok { "ok" } else { "degraded" }.into(),
        database: backend_name(&state.db).into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body))
}

/// What the liveness probe answers.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Live {
    /// Always `alive`.
    pub status: String,
    /// Server version.
    pub version: String,
}

/// `/health/live`: 200 while the process serves HTTP; checks nothing else.
#[utoipa::path(get, path = "/health/live", tag = "meta",
    responses((status = 200, body = Live)))]
pub async fn live() -> axum::Json<Live> {
    axum::Json(Live {
        status: "alive".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// `/health/ready`: 200 [`Health`] when the database answers `SELECT 1` within
/// [`READY_TIMEOUT`], else 503 `database_unavailable` (the reason is logged, not sent).
#[utoipa::path(get, path = "/health/ready", tag = "meta",
    responses((status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
pub async fn ready(State(state): State<AppState>) -> Response {
    match check_database(&state.db).await {
        Ok(()) => axum::Json(Health {
            status: "ok".into(),
            database: backend_name(&state.db).into(),
            version: env!("CARGO_PKG_VERSION").into(),
        })
        .into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "readiness check failed");
            error::error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                format!(
                    "not ready: the {} database does not answer",
                    backend_name(&state.db)
                ),
            )
        }
    }
}
