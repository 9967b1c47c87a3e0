//! The Son1k Studio hosted API: accounts, server-enforced tiers, signed entitlement leases,
//! Stripe checkout and webhook, the community pool, and the landing page.
//!
//! It is the thin service the desktop app syncs with; the app works offline without it. It is
//! not a generation service: songs are made on the user's machine.
//!
//! Start it with [`serve`] (or the `son1k-api serve` binary). SQLite under `SON1K_HOME` is the
//! zero-config default; `DATABASE_URL=postgres://…` selects PostgreSQL.

pub mod admin;
pub mod admin_summary;
pub mod analytics;
pub mod auth;
pub mod config;
pub mod db;
pub mod device;
pub mod entitlement;
pub mod error;
pub mod health;
pub mod idempotency;
pub mod keys;
pub mod lease_keys;
pub mod leases;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod pool;
pub mod routes;
pub mod server;
pub mod stripe;
pub mod throttle;
pub mod tiers;
pub mod usage;

use axum::http::{HeaderName, StatusCode};
use axum::routing::{delete, get, post};
use axum::Router;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use db::Db;
pub use health::{health, Health};
pub use keys::Keys;

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The configuration.
    pub config: Arc<Config>,
    /// Signing keys.
    pub keys: Arc<Keys>,
    /// HTTP client for Stripe.
    pub http: reqwest::Client,
    /// The per-instance limit on sign-in requests ([`throttle::Global`]).
    pub throttle: Arc<throttle::Global>,
    /// This instance's Prometheus metrics ([`metrics`]).
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// Opens the database (creating `home` and the SQLite file when needed), runs migrations and
    /// loads the keys.
    pub async fn open(config: Config) -> anyhow::Result<Self> {
        let db = open_db(&config).await?;
        db.migrate()
            .await
            .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
        let mut keys = Keys::load(config.lease_key.as_deref(), &config.home)?;
        if let Some(secret) = &config.pool_secret {
            keys = keys.with_pool_secret(secret);
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        let throttle = Arc::new(throttle::Global::new(config.global_auth_per_minute));
        Ok(AppState {
            throttle,
            metrics: Arc::new(metrics::Metrics::new()),
            db,
            config: Arc::new(config),
            keys: Arc::new(keys),
            http,
        })
    }
}

/// Opens the database `config` names (creating `home` and the SQLite file when needed) without
/// migrating it.
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    private_dir(&config.home)?;
    let url = match &config.database_url {
        Some(url) => url.clone(),
        None => {
            let file = config.home.join(SQLITE_FILE);
            private_file(&file)?;
            format!("sqlite://{}?mode=rwc", file.display())
        }
    };
    db::connect(&url, config.db_pool_size)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", redact(&url)))
}

/// The SQLite database's file name under `home`.
pub const SQLITE_FILE: &str = "son1k-api.sqlite3";

/// Creates `dir` (and its parents) when missing and makes it owner-only (0700 on Unix): it holds
/// the database, with password hashes, and the dev lease key.
fn private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    let cannot =
        |e: std::io::Error| anyhow::anyhow!("cannot create the data folder {}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(cannot)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
            anyhow::anyhow!("cannot make the data folder {} private: {e}", dir.display())
        })?;
    }
    Ok(())
}

/// Creates the SQLite file owner-only (0600 on Unix; SQLite gives its `-wal` and `-shm` files
/// the same mode), or makes an existing one so.
fn private_file(file: &std::path::Path) -> anyhow::Result<()> {
    let failed =
        |e: std::io::Error| anyhow::anyhow!("cannot prepare the database {}: {e}", file.display());
    let mut open = std::fs::OpenOptions::new();
    open.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    drop(open.open(file).map_err(failed)?);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(failed)?;
            }
        }
    }
    Ok(())
}

/// Hides the password in a database URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

/// The router with every route and the middleware stack.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/", get(pages::landing))
        .route("/health", get(health::health))
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::scrape))
        .route("/admin/summary", get(admin_summary::summary))
        .route("/docs", get(pages::docs))
        .route("/openapi.json", get(openapi::spec))
        .route("/api/auth/signup", post(routes::auth::signup))
        .route("/api/auth/login", post(routes::auth::login))
        .route("/api/auth/refresh", post(routes::auth::refresh))
        .route("/api/auth/logout", post(routes::auth::logout))
        .route("/api/auth/me", get(routes::auth::me))
        .route("/api/account", delete(routes::auth::delete_account))
        .route("/device", get(device::page))
        .route("/api/device/start", post(device::start))
        .route("/api/device/approve", post(device::approve))
        .route("/api/device/token", post(device::token))
        .route("/api/tiers", get(tiers::table))
        .route("/api/tiers/limits/{user}", get(tiers::limits))
        .route("/api/tiers/checkout", post(tiers::checkout))
        .route("/api/tiers/webhook", post(stripe::webhook))
        .route("/api/usage", post(usage::record))
        .route("/api/analytics", post(analytics::ingest))
        .route("/api/leases", post(leases::issue))
        .route("/api/leases/public-key", get(leases::public_key))
        .route("/api/leases/public-keys", get(leases::public_keys))
        .route("/api/community/pool", get(pool::list))
        .route("/api/community/pool/claim", post(pool::claim))
        .route("/api/community/pool/policy", get(pool::policy))
        .route(
            "/api/community/pool/selection/{generation_id}",
            get(pool::selection),
        )
        .route("/api/community/pool/{item_id}", delete(pool::withdraw))
        .route("/api/community/pool/{item_id}/like", post(pool::like))
        .route("/api/community/pool/{item_id}/play", post(pool::play))
        .route("/api/community/ranking", get(pool::ranking))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(error::BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            error::error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error; it has been logged",
            )
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Headers on every answer: no MIME sniffing, no referrer, and no page of ours (the device
/// approval page above all) inside another site's frame.
async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    use axum::http::header::{
        HeaderValue, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
        X_FRAME_OPTIONS,
    };
    let h = res.headers_mut();
    h.entry(X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    h.entry(X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    h.entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
    res
}

/// Triggers a graceful shutdown of [`serve`]: clone it, pass [`Shutdown::wait`] to `serve`, and
/// call [`Shutdown::trigger`] from anywhere (a signal handler, a test). The server then stops
/// accepting connections and finishes the requests it has accepted.
#[derive(Debug, Clone)]
pub struct Shutdown {
    tx: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown::new()
    }
}

impl Shutdown {
    /// A trigger that has not fired.
    pub fn new() -> Self {
        Shutdown {
            tx: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }

    /// Fires the trigger; every [`Shutdown::wait`] future, made before or after, resolves.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Whether [`Shutdown::trigger`] has been called.
    pub fn is_triggered(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once the trigger fires. If every handle is dropped without firing, it never
    /// resolves (nothing can fire it any more).
    pub fn wait(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.tx.subscribe();
        async move {
            if rx.wait_for(|fired| *fired).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Serves on `listener` until `shutdown` resolves, then finishes in-flight requests. The
/// connection limits (header-read and idle timeouts, connection caps) are in [`server`].
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    server::check_public_url(&state.config, local)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let app = router(state.clone());
    let limits = server::Limits::of(&state.config);
    server::run(app, listener, limits, shutdown).await?;
    state.db.pool.close().await;
    Ok(())
}
