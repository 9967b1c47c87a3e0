//! Spawns the API on 127.0.0.1 port 0 with a fresh database and hands back a client.
//!
//! SQLite (a temporary SON1K_HOME) by default. With `SON1K_TEST_POSTGRES=postgres://…/postgres`
//! every test gets its own freshly created PostgreSQL database instead.

use serde_json::{json, Value};
use son1k_api::{AppState, Config};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub const WEBHOOK_SECRET: &str = "whsec_test_secret";

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub home: tempfile::TempDir,
    pub shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub struct User {
    pub id: String,
    pub token: String,
    pub refresh: String,
    pub email: String,
}

pub async fn fresh_db_url() -> Option<String> {
    use sqlx::Connection;
    let admin = std::env::var("SON1K_TEST_POSTGRES").ok()?;
    sqlx::any::install_default_drivers();
    // scripts/api-postgres-test.sh gives each run its own prefix so it can drop that run's databases.
    let prefix: String = std::env::var("SON1K_TEST_DB_PREFIX")
        .unwrap_or_else(|_| "son1k_test_".into())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_lowercase();
    let name = format!("{prefix}{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("connect to postgres");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin);
    Some(format!("{base}/{name}"))
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let home = tempfile::tempdir().expect("temp dir");
        let mut config = Config::with_home(home.path());
        config.stripe_webhook_secret = Some(WEBHOOK_SECRET.to_string());
        config.database_url = fresh_db_url().await;
        tweak(&mut config);
        Self::start(config, home).await
    }

    pub async fn start(config: Config, home: tempfile::TempDir) -> TestApp {
        let state = AppState::open(config).await.expect("open state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(son1k_api::serve(state, listener, async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            client: reqwest::Client::new(),
            home,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
        let mut r = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request")
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut r = self.client.delete(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request")
    }

    pub async fn signup(&self) -> User {
        let email = format!("u{}@example.com", uuid::Uuid::new_v4().simple());
        let res = self
            .post(
                "/api/auth/signup",
                None,
                json!({"email": email, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let v: Value = res.json().await.expect("json");
        User {
            id: v["user_id"].as_str().expect("user_id").to_string(),
            token: v["access_token"].as_str().expect("token").to_string(),
            refresh: v["refresh_token"].as_str().expect("refresh").to_string(),
            email,
        }
    }

    /// Sends a correctly signed webhook event.
    pub async fn webhook(&self, event: &Value) -> reqwest::Response {
        let body = serde_json::to_vec(event).expect("json");
        let t = now();
        let sig = son1k_api::stripe::sign(WEBHOOK_SECRET, t, &body);
        self.client
            .post(self.url("/api/tiers/webhook"))
            .header("Stripe-Signature", format!("t={t},v1={sig}"))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Makes `user` a subscriber of `tier` through the webhook, as Stripe would.
    pub async fn make_paid(&self, user: &User, tier: &str) {
        let sub = format!("sub_{}", uuid::Uuid::new_v4().simple());
        let res = self
            .webhook(&event(
                "customer.subscription.created",
                now() - 10,
                json!({"id": sub, "customer": format!("cus_{}", user.id), "status": "active",
                       "metadata": {"user_id": user.id, "tier": tier}}),
            ))
            .await;
        assert_eq!(res.status(), 200);
    }

    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("join").expect("serve");
        }
        self.home
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

pub fn event(kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
        "type": kind,
        "created": created,
        "data": {"object": object},
    })
}

pub async fn json(res: reqwest::Response) -> Value {
    res.json().await.expect("json body")
}

/// A stand-in for Stripe's API on loopback: records form posts to /v1/checkout/sessions.
pub struct FakeStripe {
    pub base: String,
    pub requests: StripeLog,
}

/// (Authorization header, form fields) of each request the stand-in received.
pub type StripeLog = Arc<Mutex<Vec<(String, Vec<(String, String)>)>>>;

pub async fn fake_stripe() -> FakeStripe {
    use axum::extract::State;
    use axum::http::HeaderMap;
    type Log = StripeLog;
    let requests: Log = Arc::default();
    async fn create(
        State(log): State<Log>,
        headers: HeaderMap,
        axum::Form(form): axum::Form<Vec<(String, String)>>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        log.lock().expect("lock").push((auth.clone(), form));
        // Basic base64("sk_test_123:")
        if auth != "Basic c2tfdGVzdF8xMjM6" {
            return (
                axum::http::StatusCode::UNAUTHORIZED,
                axum::Json(json!({"error": {"message": "Invalid API Key provided"}})),
            )
                .into_response();
        }
        axum::Json(
            json!({"id": "cs_test_1", "url": "https://checkout.stripe.test/c/pay/cs_test_1"}),
        )
        .into_response()
    }
    let app = axum::Router::new()
        .route("/v1/checkout/sessions", axum::routing::post(create))
        .with_state(requests.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    FakeStripe {
        base: format!("http://{addr}"),
        requests,
    }
}

/// UUIDs that the pool's rule selects (or not).
pub fn uuids_with_selection(selected: bool, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    while out.len() < n {
        let id = uuid::Uuid::new_v4().to_string();
        if son1k_api::pool::selected(&id) == selected {
            out.push(id);
        }
    }
    out
}
