//! Analytics ingest: opt-in, batched, idempotent by client event UUID. The app only sends when
//! the user has agreed; the server refuses batches that do not say so.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{AuthError, AuthUser};
use crate::db::now;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::AppState;

/// Most events per batch.
pub const MAX_BATCH: usize = 100;

/// Errors of the analytics route.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// Not signed in.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The batch does not carry the user's consent.
    #[error("analytics are opt-in: send \"consent\": true only when the user has agreed")]
    ConsentRequired,
    /// A field is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
}

impl ApiError for AnalyticsError {
    fn status(&self) -> StatusCode {
        match self {
            AnalyticsError::Auth(e) => e.status(),
            AnalyticsError::ConsentRequired | AnalyticsError::Invalid(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AnalyticsError::Db(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            AnalyticsError::Auth(e) => e.code(),
            AnalyticsError::ConsentRequired => "consent_required",
            AnalyticsError::Invalid(_) => "invalid_input",
            AnalyticsError::Db(_) => "database_unavailable",
        }
    }
}
crate::impl_api_error!(AnalyticsError);

/// One event.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Event {
    /// Client-made UUID; resending it changes nothing.
    pub id: String,
    /// Event name, 1 to 64 characters.
    pub name: String,
    /// When it happened (Unix seconds, client clock).
    pub at: i64,
    /// Small JSON object of properties (at most 4 KiB serialised).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub props: Option<serde_json::Value>,
}

/// A batch of events.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Batch {
    /// Must be true: the user opted in.
    pub consent: bool,
    /// Up to 100 events.
    pub events: Vec<Event>,
}

/// What was stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Ingested {
    /// New events stored.
    pub accepted: u64,
    /// Events already stored before (ignored).
    pub duplicates: u64,
}

/// Stores a batch of opt-in analytics events.
#[utoipa::path(post, path = "/api/analytics", tag = "analytics", security(("bearer" = [])),
    request_body = Batch,
    responses((status = 200, body = Ingested), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ingest(
    State(state): State<AppState>,
    caller: AuthUser,
    ApiJson(batch): ApiJson<Batch>,
) -> Result<axum::Json<Ingested>, AnalyticsError> {
    if !batch.consent {
        return Err(AnalyticsError::ConsentRequired);
    }
    if batch.events.len() > MAX_BATCH {
        return Err(AnalyticsError::Invalid(format!(
            "at most {MAX_BATCH} events per batch"
        )));
    }
    let mut rows = Vec::with_capacity(batch.events.len());
    for e in batch.events {
        let id = uuid::Uuid::parse_str(e.id.trim())
            .map_err(|_| AnalyticsError::Invalid("each event id must be a UUID".into()))?
            .hyphenated()
            .to_string();
        let name = e.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AnalyticsError::Invalid(
                "event name must be 1 to 64 characters".into(),
            ));
        }
        let props = match e.props {
            None | Some(serde_json::Value::Null) => None,
            Some(v @ serde_json::Value::Object(_)) => {
                let text = v.to_string();
                if text.len() > 4096 {
                    return Err(AnalyticsError::Invalid(
                        "props must be at most 4 KiB".into(),
                    ));
                }
                Some(text)
            }
            Some(_) => {
                return Err(AnalyticsError::Invalid(
                    "props must be a JSON object".into(),
                ))
            }
        };
        rows.push((id, name, e.at, props));
    }
    let total = rows.len() as u64;
    let mut accepted = 0;
    let received = now();
    let mut tx = state.db.begin_write().await?;
    for (id, name, at, props) in rows {
        accepted += sqlx::query(
            "INSERT INTO analytics_events (user_id, id, name, at, props, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, id) DO NOTHING",
        )
        .bind(&caller.id)
        .bind(id)
        .bind(name)
        .bind(at)
        .bind(props)
        .bind(received)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(axum::Json(Ingested {
        accepted,
        duplicates: total - accepted,
    }))
}
