//! **For tests only** (`publish = false`, a dev-dependency and nothing else): starts a real
//! `son1k-api` on 127.0.0.1 port 0 with a fresh home, for the API's own tests, the façade's
//! (son1k-app) and the CLI's.
//!
//! * [`Home`]: a temporary `SON1K_HOME` (SQLite in it) or, with `SON1K_TEST_POSTGRES` set to an
//!   admin URL (`postgres://…/postgres`), a freshly created PostgreSQL database as well, named
//!   with the `SON1K_TEST_DB_PREFIX` prefix (`son1k_test_` unless set).
//! * [`TestServer`]: the server on the caller's runtime, for `#[tokio::test]`s, with an async
//!   client and request helpers.
//! * [`BlockingServer`]: the server on its own thread and runtime, for plain `#[test]`s that
//!   call it with blocking clients; [`BlockingServer::stop`] joins the thread.
//! * [`stripe_signature`], [`event`], [`subscription_created`]: Stripe-style webhooks signed
//!   with [`WEBHOOK_SECRET`], which every server started here accepts.
//!
//! Everything listens on loopback only.
#![deny(missing_docs)]

use serde_json::{json, Value};
use son1k_api::{AppState, Config};
use std::net::SocketAddr;
use std::path::Path;

/// The Stripe webhook secret every server started here is configured with.
pub const WEBHOOK_SECRET: &str = "whsec_test_secret";

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .expect("the clock is after 1970")
}

/// With `SON1K_TEST_POSTGRES` set (an admin URL such as `postgres://…/postgres`): creates a new,
/// empty database named `SON1K_TEST_DB_PREFIX` (default `son1k_test_`) plus a UUID and returns
/// its URL. Without it: `None`, which means SQLite under the server's home.
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

/// A server's data: a temporary folder (its `SON1K_HOME`: the SQLite database and the dev lease
/// key) and, under `SON1K_TEST_POSTGRES`, its own PostgreSQL database. A server restarted on the
/// same `Home` finds its accounts and its key again. The folder is removed on drop.
pub struct Home {
    dir: tempfile::TempDir,
    database_url: Option<String>,
}

impl Home {
    /// A fresh home (and database, see [`fresh_db_url`]).
    pub async fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
            database_url: fresh_db_url().await,
        }
    }

    /// [`Home::new`] for code without a runtime (plain `#[test]`s).
    pub fn blocking() -> Home {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(Home::new())
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The PostgreSQL database's URL; `None` means SQLite in [`Home::path`].
    pub fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref()
    }

    /// The configuration the tests run with: defaults, data here, the webhook secret
    /// [`WEBHOOK_SECRET`].
    pub fn config(&self) -> Config {
        let mut config = Config::with_home(self.path());
        config.stripe_webhook_secret = Some(WEBHOOK_SECRET.to_string());
        config.database_url = self.database_url.clone();
        config
    }
}

/// Opens the state and serves it on 127.0.0.1 port 0 on the current runtime until `stop` fires.
async fn serve(
    config: Config,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let state = AppState::open(config).await.expect("open state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(son1k_api::serve(state, listener, async move {
        let _ = rx.await;
    }));
    (addr, tx, server)
}

/// The value of a `Stripe-Signature` header for `body` sent at `t`: `t=…,v1=…`, the HMAC-SHA256
/// of `t.body` under `secret` ([`son1k_api::stripe::sign`]).
pub fn stripe_signature(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", son1k_api::stripe::sign(secret, t, body))
}

/// A Stripe event of type `kind` created at `created` around `object`, with a fresh id.
pub fn event(kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
        "type": kind,
        "created": created,
        "data": {"object": object},
    })
}

/// A `customer.subscription.created` event, created at `created`, that makes `user_id` an active
/// subscriber of `tier` (`"CREATOR"`, `"PRO"`, …).
pub fn subscription_created(user_id: &str, tier: &str, created: i64) -> Value {
    event(
        "customer.subscription.created",
        created,
        json!({
            "id": format!("sub_{}", uuid::Uuid::new_v4().simple()),
            "customer": format!("cus_{user_id}"),
            "status": "active",
            "metadata": {"user_id": user_id, "tier": tier},
        }),
    )
}

/// An account made with [`TestServer::signup`].
pub struct User {
    /// The user's id.
    pub id: String,
    /// The access token.
    pub token: String,
    /// The refresh token.
    pub refresh: String,
    /// The e-mail address it signed up with.
    pub email: String,
}

/// `son1k-api` on 127.0.0.1 port 0, on the caller's tokio runtime (for `#[tokio::test]`s).
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// An async client to call it with.
    pub client: reqwest::Client,
    /// Its data.
    pub home: Home,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// A server with a fresh [`Home`] and its [`Home::config`].
    pub async fn spawn() -> TestServer {
        Self::spawn_with(|_| {}).await
    }

    /// [`TestServer::spawn`], with `tweak` applied to the configuration first.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let home = Home::new().await;
        let mut config = home.config();
        tweak(&mut config);
        Self::start(config, home).await
    }

    /// A server with exactly `config`; it keeps `home` alive for as long as it runs.
    pub async fn start(config: Config, home: Home) -> TestServer {
        let (addr, tx, server) = serve(config).await;
        TestServer {
            addr,
            client: reqwest::Client::new(),
            home,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// `http://127.0.0.1:port` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// `GET path`, with `token` as a bearer token if given.
    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request")
    }

    /// `POST path` with `body` as JSON, with `token` as a bearer token if given.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
        let mut r = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request")
    }

    /// `DELETE path`, with `token` as a bearer token if given.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut r = self.client.delete(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request")
    }

    /// Signs up a new account with a random e-mail address (asserts 201).
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

    /// Sends `event` to the webhook, correctly signed.
    pub async fn webhook(&self, event: &Value) -> reqwest::Response {
        let body = serde_json::to_vec(event).expect("json");
        self.client
            .post(self.url("/api/tiers/webhook"))
            .header(
                "Stripe-Signature",
                stripe_signature(WEBHOOK_SECRET, now(), &body),
            )
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Makes `user` a subscriber of `tier` through the webhook, as Stripe would (asserts 200).
    pub async fn make_paid(&self, user: &User, tier: &str) {
        let res = self
            .webhook(&subscription_created(&user.id, tier, now() - 10))
            .await;
        assert_eq!(res.status(), 200);
    }

    /// Shuts the server down gracefully, waits for it and hands its home back (to restart on).
    pub async fn stop(mut self) -> Home {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("join").expect("serve");
        }
        self.home
    }
}

type Started = Result<(SocketAddr, tokio::sync::oneshot::Sender<()>), String>;

/// Rotates the lease signing key of the servers on `home`, as `son1k-api rotate-lease-key` does
/// beside a running fleet (they sign with the new key from their next lease on), and returns
/// the new key as published. For plain (blocking) tests.
pub fn rotate_lease_key(home: &Home) -> son1k_api::lease_keys::PublishedKey {
    let config = home.config();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let state = son1k_api::AppState::open(config).await.expect("state");
        son1k_api::ops::rotate_lease_key(&state)
            .await
            .expect("rotate")
    })
}

/// `son1k-api` on 127.0.0.1 port 0 on its own thread and tokio runtime, so that plain tests and
/// blocking clients can call it. It is told to stop when dropped; [`BlockingServer::stop`] also
/// waits for it.
pub struct BlockingServer {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BlockingServer {
    /// Starts a server on `home` with [`Home::config`]. Several in turn on one home share its
    /// database and lease key.
    pub fn start(home: &Home) -> BlockingServer {
        Self::start_with(home, |_| {})
    }

    /// [`BlockingServer::start`], with `tweak` applied to the configuration first.
    pub fn start_with(home: &Home, tweak: impl FnOnce(&mut Config)) -> BlockingServer {
        let mut config = home.config();
        tweak(&mut config);
        let (tx, rx) = std::sync::mpsc::channel::<Started>();
        let thread = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(format!("runtime: {e}")));
                    return;
                }
            };
            rt.block_on(async move {
                let (addr, stop, server) = serve(config).await;
                let _ = tx.send(Ok((addr, stop)));
                server.await.expect("join").expect("serve");
            });
        });
        let (addr, stop) = match rx.recv() {
            Ok(Ok(started)) => started,
            Ok(Err(e)) => panic!("the test server did not start: {e}"),
            // The thread panicked before it listened: show why.
            Err(_) => match thread.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => panic!("the test server did not start"),
            },
        };
        BlockingServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`, the base URL to hand a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// [`BlockingServer::base_url`] followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sends `event` to the webhook, correctly signed, with a blocking client.
    pub fn webhook(&self, event: &Value) -> reqwest::blocking::Response {
        let body = serde_json::to_vec(event).expect("json");
        reqwest::blocking::Client::new()
            .post(self.url("/api/tiers/webhook"))
            .header(
                "Stripe-Signature",
                stripe_signature(WEBHOOK_SECRET, now(), &body),
            )
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .expect("request")
    }

    /// Shuts the server down gracefully and joins its thread.
    pub fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            if let Err(panic) = t.join() {
                std::panic::resume_unwind(panic);
            }
        }
    }
}

impl Drop for BlockingServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}
