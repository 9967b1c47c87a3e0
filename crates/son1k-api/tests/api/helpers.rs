//! The API's test helpers: the server itself comes from son1k-testkit (127.0.0.1 port 0, a fresh
//! home; SQLite by default, with `SON1K_TEST_POSTGRES=postgres://…/postgres` every test gets its
//! own freshly created PostgreSQL database instead); what only these tests need lives here.

use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

pub use son1k_testkit::{event, fresh_db_url, now, User, WEBHOOK_SECRET};

/// The API on loopback, on the test's runtime.
pub type TestApp = son1k_testkit::TestServer;

pub async fn json(res: reqwest::Response) -> Value {
    res.json().await.expect("json body")
}

/// A stand-in for Stripe's API on loopback: records form posts to /v1/checkout/sessions and
/// cancellations (`DELETE /v1/subscriptions/{id}`, logged as `("cancel", id)`).
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
    async fn cancel(
        State(log): State<Log>,
        headers: HeaderMap,
        axum::extract::Path(id): axum::extract::Path<String>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        log.lock()
            .expect("lock")
            .push((auth, vec![("cancel".into(), id.clone())]));
        axum::Json(json!({"id": id, "status": "canceled"})).into_response()
    }
    let app = axum::Router::new()
        .route("/v1/checkout/sessions", axum::routing::post(create))
        .route("/v1/subscriptions/{id}", axum::routing::delete(cancel))
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

/// The pool's selection key of `app` (derived from the dev lease key in its home, as the server
/// derives it).
pub fn pool_key(app: &TestApp) -> [u8; 32] {
    son1k_api::Keys::load(None, app.home.path())
        .expect("the server's keys")
        .pool
}

/// UUIDs that `app`'s pool rule selects (or not) for `user`.
pub fn uuids_with_selection(app: &TestApp, user: &User, selected: bool, n: usize) -> Vec<String> {
    let key = pool_key(app);
    let mut out = Vec::new();
    while out.len() < n {
        let id = uuid::Uuid::new_v4().to_string();
        if son1k_api::pool::selected(&key, &user.id, &id) == selected {
            out.push(id);
        }
    }
    out
}

/// `DELETE /api/account` with the password given again.
pub async fn delete_account(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.client
        .delete(app.url("/api/account"))
        .bearer_auth(token)
        .json(&json!({"password": password}))
        .send()
        .await
        .expect("request")
}

/// `POST /api/auth/login` with an e-mail and a password.
pub async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post(
        "/api/auth/login",
        None,
        json!({"email": email, "password": password}),
    )
    .await
}
