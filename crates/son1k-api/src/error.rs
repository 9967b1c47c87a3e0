//! The error shape every route answers with, and extractors that turn malformed requests into
//! 4xx answers in that shape instead of axum's plain-text rejections.
//!
//! Each route module has its own error enum; it implements [`ApiError`] (a status and a stable
//! machine code) and gets `IntoResponse` from [`impl_api_error!`](crate::impl_api_error).

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
pub use son1k_api_types::{ErrorBody, ErrorDetail};

/// A route module's error: how it maps onto HTTP.
pub trait ApiError: std::fmt::Display {
    /// The HTTP status to answer with.
    fn status(&self) -> StatusCode;
    /// The stable machine code.
    fn code(&self) -> &'static str;
}

/// Builds the JSON error answer.
pub fn error_response(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_string(),
            message: message.into(),
        },
    };
    (status, axum::Json(body)).into_response()
}

/// Answers an [`ApiError`]; server-side failures are logged and their details kept from the caller.
pub fn respond<E: ApiError + std::fmt::Debug>(err: &E) -> Response {
    let status = err.status();
    if status.is_server_error() {
        tracing::error!(code = err.code(), error = ?err, "request failed");
    }
    error_response(status, err.code(), err.to_string())
}

/// Implements `IntoResponse` for a module error that implements [`ApiError`].
#[macro_export]
macro_rules! impl_api_error {
    ($ty:ty) => {
        impl axum::response::IntoResponse for $ty {
            fn into_response(self) -> axum::response::Response {
                $crate::error::respond(&self)
            }
        }
    };
}

/// A request that could not be read: bad JSON, wrong types, oversize bodies, bad paths or queries.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The body is not valid JSON.
    #[error("the request body is not valid JSON: {0}")]
    InvalidJson(String),
    /// The JSON does not have the expected fields or types.
    #[error("the request body has the wrong shape: {0}")]
    InvalidBody(String),
    /// No `Content-Type: application/json`.
    #[error("send the body as JSON with the header Content-Type: application/json")]
    UnsupportedMediaType,
    /// The body is larger than the server accepts.
    #[error("the request body is too large (limit {0} bytes)")]
    TooLarge(usize),
    /// The body could not be read.
    #[error("the request body could not be read: {0}")]
    Unreadable(String),
    /// A path parameter is malformed.
    #[error("invalid path parameter: {0}")]
    InvalidPath(String),
    /// The query string is malformed.
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
}

impl ApiError for RequestError {
    fn status(&self) -> StatusCode {
        match self {
            RequestError::InvalidJson(_)
            | RequestError::InvalidPath(_)
            | RequestError::InvalidQuery(_)
            | RequestError::Unreadable(_) => StatusCode::BAD_REQUEST,
            RequestError::InvalidBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            RequestError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RequestError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            RequestError::InvalidJson(_) => "invalid_json",
            RequestError::InvalidBody(_) => "invalid_body",
            RequestError::UnsupportedMediaType => "unsupported_media_type",
            RequestError::TooLarge(_) => "payload_too_large",
            RequestError::Unreadable(_) => "unreadable_body",
            RequestError::InvalidPath(_) => "invalid_path",
            RequestError::InvalidQuery(_) => "invalid_query",
        }
    }
}
impl_api_error!(RequestError);

/// The body limit every route shares, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

impl From<JsonRejection> for RequestError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => RequestError::InvalidBody(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => RequestError::InvalidJson(e.body_text()),
            JsonRejection::MissingJsonContentType(_) => RequestError::UnsupportedMediaType,
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                RequestError::TooLarge(BODY_LIMIT)
            }
            other => RequestError::Unreadable(other.body_text()),
        }
    }
}

impl From<BytesRejection> for RequestError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            RequestError::TooLarge(BODY_LIMIT)
        } else {
            RequestError::Unreadable(r.body_text())
        }
    }
}

/// The raw body (for the Stripe webhook, whose signature covers the exact bytes), with the
/// rejections (an oversize body: 413 `payload_too_large`) in our error shape.
#[derive(Debug, Clone, Default)]
pub struct ApiBytes(pub axum::body::Bytes);

impl<S> FromRequest<S> for ApiBytes
where
    S: Send + Sync,
{
    type Rejection = RequestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state).await?;
        Ok(ApiBytes(bytes))
    }
}

/// Whether any string (or key) in `v` contains a NUL character.
fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// `axum::Json` whose rejections answer in our error shape; strings holding NUL are refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = RequestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Parsed as a value first so that a NUL in any string is refused the same way on every
        // store (PostgreSQL's TEXT cannot hold one) before a handler sees it.
        let axum::Json(v) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        if has_nul(&v) {
            return Err(RequestError::InvalidBody(
                "strings must not contain the NUL character (\\u0000)".into(),
            ));
        }
        serde_json::from_value::<T>(v).map(ApiJson).map_err(|e| {
            RequestError::InvalidBody(format!(
                "Failed to deserialize the JSON body into the target type: {e}"
            ))
        })
    }
}

/// `axum::extract::Query` whose rejections answer in our error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = RequestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| RequestError::InvalidQuery(e.body_text()))
    }
}

/// `axum::extract::Path` whose rejections answer in our error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = RequestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e: PathRejection| RequestError::InvalidPath(e.body_text()))
    }
}

/// Answer for paths that do not exist.
pub async fn not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; the API is described at /openapi.json and /docs",
    )
}

/// Answer for a known path with the wrong method.
pub async fn method_not_allowed() -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method; see /docs",
    )
}
