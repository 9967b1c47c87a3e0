use crate::helpers::*;
use crate::prom_text::{parse, value, Exposition};
use serde_json::json;

const TOKEN: &str = "metrics-token-0123456789abcdef";

async fn with_metrics() -> TestApp {
    TestApp::spawn_with(|c| c.metrics_token = Some(TOKEN.into())).await
}

async fn scrape(app: &TestApp) -> Exposition {
    let res = app.get("/metrics", Some(TOKEN)).await;
    assert_eq!(res.status(), 200);
    let ct = res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let text = res.text().await.unwrap();
    parse(&text).unwrap_or_else(|e| panic!("/metrics does not parse: {e}\n{text}"))
}

fn requests(exp: &Exposition, method: &str, route: &str, status: &str) -> f64 {
    value(
        exp,
        "http_requests_total",
        "http_requests_total",
        &[("method", method), ("route", route), ("status", status)],
    )
    .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = with_metrics().await;
    let u = app.signup().await;
    let limits = format!("/api/tiers/limits/{}", u.id);
    for _ in 0..3 {
        assert_eq!(app.get(&limits, Some(&u.token)).await.status(), 200);
    }
    assert_eq!(app.get(&limits, None).await.status(), 401);
    assert_eq!(app.get("/no/such/route", None).await.status(), 404);
    let purge = reqwest::Method::from_bytes(b"PURGE").unwrap();
    let res = app
        .client
        .request(purge, app.url("/api/tiers"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);

    let exp = scrape(&app).await;
    let route = "/api/tiers/limits/{user}";
    assert_eq!(requests(&exp, "GET", route, "200"), 3.0);
    assert_eq!(requests(&exp, "GET", route, "401"), 1.0);
    assert_eq!(requests(&exp, "POST", "/api/auth/signup", "201"), 1.0);
    assert_eq!(requests(&exp, "GET", "unmatched", "404"), 1.0);
    // A method outside the standard set is counted under one label, not by its name.
    assert_eq!(requests(&exp, "OTHER", "/api/tiers", "405"), 1.0);
    // No series is named after a raw path: the user's id appears nowhere.
    for fam in exp.values() {
        for s in &fam.samples {
            assert!(
                s.labels.values().all(|v| !v.contains(&u.id)),
                "raw path in {s:?}"
            );
        }
    }
    let hist = "http_request_duration_seconds";
    let count = value(
        &exp,
        hist,
        "http_request_duration_seconds_count",
        &[("method", "GET"), ("route", route)],
    );
    assert_eq!(count, Some(4.0));
    let sum = value(
        &exp,
        hist,
        "http_request_duration_seconds_sum",
        &[("method", "GET"), ("route", route)],
    )
    .unwrap();
    assert!(sum > 0.0 && sum < 60.0, "{sum}");
    assert_eq!(exp[hist].kind, "histogram");
    let bounds: Vec<String> = exp[hist]
        .samples
        .iter()
        .filter(|s| s.name == "http_request_duration_seconds_bucket" && s.labels["route"] == route)
        .map(|s| s.labels["le"].clone())
        .collect();
    let mut expected: Vec<String> = son1k_api::metrics::LATENCY_BUCKETS
        .iter()
        .map(|b| b.to_string())
        .collect();
    expected.push("+Inf".into());
    assert_eq!(bounds, expected);
    // The scrape itself is the one request in flight.
    assert_eq!(
        value(
            &exp,
            "http_requests_in_flight",
            "http_requests_in_flight",
            &[]
        ),
        Some(1.0)
    );
    let max = value(
        &exp,
        "db_pool_max_connections",
        "db_pool_max_connections",
        &[],
    )
    .unwrap();
    // The default pool of the store the test runs on (SQLite's, or PostgreSQL's from the cores).
    let defaults = [
        son1k_api::db::default_pool_size(son1k_api::db::Backend::Sqlite),
        son1k_api::db::default_pool_size(son1k_api::db::Backend::Postgres),
    ];
    assert!(
        defaults.iter().any(|d| f64::from(*d) == max),
        "{max} is not one of {defaults:?}"
    );
    let idle = value(
        &exp,
        "db_pool_connections",
        "db_pool_connections",
        &[("state", "idle")],
    )
    .unwrap();
    let in_use = value(
        &exp,
        "db_pool_connections",
        "db_pool_connections",
        &[("state", "in_use")],
    )
    .unwrap();
    assert!(
        idle + in_use >= 1.0 && idle + in_use <= max,
        "{idle} {in_use}"
    );

    // The counter moves with more requests, and the first scrape is counted too.
    for _ in 0..2 {
        app.get(&limits, Some(&u.token)).await;
    }
    let exp = scrape(&app).await;
    assert_eq!(requests(&exp, "GET", route, "200"), 5.0);
    assert_eq!(requests(&exp, "GET", "/metrics", "200"), 1.0);
}

#[tokio::test]
async fn webhook_outcomes_are_counted() {
    let app = with_metrics().await;
    let u = app.signup().await;
    let created = son1k_testkit::subscription_created(&u.id, "PRO", now() - 10);
    assert_eq!(app.webhook(&created).await.status(), 200);
    assert_eq!(app.webhook(&created).await.status(), 200);
    let unknown = event("charge.refunded", now(), json!({"id": "ch_1"}));
    assert_eq!(app.webhook(&unknown).await.status(), 200);
    let forged = app
        .client
        .post(app.url("/api/tiers/webhook"))
        .header(
            "Stripe-Signature",
            format!("t={},v1={}", now(), "00".repeat(32)),
        )
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&unknown).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let exp = scrape(&app).await;
    let outcome = |o: &str| {
        value(
            &exp,
            "stripe_webhook_events_total",
            "stripe_webhook_events_total",
            &[("outcome", o)],
        )
    };
    assert_eq!(outcome("processed"), Some(1.0));
    assert_eq!(outcome("duplicate"), Some(1.0));
    assert_eq!(outcome("ignored"), Some(1.0));
    assert_eq!(outcome("bad_signature"), Some(1.0));
    assert_eq!(exp["stripe_webhook_events_total"].kind, "counter");
}

#[tokio::test]
async fn metrics_need_the_configured_token() {
    let app = TestApp::spawn().await;
    let res = app.get("/metrics", Some(TOKEN)).await;
    assert_eq!(res.status(), 404);
    assert_eq!(json(res).await["error"]["code"], "metrics_disabled");

    let app = with_metrics().await;
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(json(res).await["error"]["code"], "missing_token");
    let res = app
        .get("/metrics", Some("metrics-token-0123456789abcdeX"))
        .await;
    assert_eq!(res.status(), 401);
    assert_eq!(json(res).await["error"]["code"], "invalid_token");
    // A user's access token is not the metrics token.
    let u = app.signup().await;
    assert_eq!(app.get("/metrics", Some(&u.token)).await.status(), 401);
    scrape(&app).await;
}

#[test]
fn a_short_metrics_token_is_refused_at_start() {
    // from_env reads the process environment; only this test sets these variables.
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_son1k-api"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env_clear()
        .env("SON1K_HOME", home.path())
        .env("SON1K_METRICS_TOKEN", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SON1K_METRICS_TOKEN must be at least 16"),
        "{err}"
    );
}
