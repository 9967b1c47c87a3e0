//! Issue 19 item 10, the smaller findings: security headers, private SQLite files, a JSON 413 from
//! the webhook, query parameters documented as such, no `Host` reflection, a `Config` whose
//! `Debug` keeps its secrets, and idempotent pool claims.

use crate::helpers::*;
use serde_json::{json, Value};

/// Item 10: every answer (pages, JSON, errors) says nosniff, no referrer, and may not be framed
/// (`X-Frame-Options: DENY` and CSP `frame-ancestors 'none'`), the device page above all.
#[tokio::test]
async fn security_headers_on_every_answer() {
    let app = TestApp::spawn().await;
    for path in [
        "/device?code=BCDF-GHJK",
        "/",
        "/docs",
        "/api/tiers",
        "/no/such/route",
    ] {
        let res = app.get(path, None).await;
        let h = res.headers();
        let get = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(get("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(get("x-frame-options"), "DENY", "{path}");
        assert!(
            get("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}: {}",
            get("content-security-policy")
        );
    }
}

/// Item 10: the data folder the server creates is 0700 and the SQLite database (with password
/// hashes) 0600, whatever the umask.
#[cfg(unix)]
#[tokio::test]
async fn sqlite_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = son1k_testkit::Home::new().await;
    let mut config = home.config();
    config.home = home.path().join("fresh").join("data");
    let data = config.home.clone();
    let app = TestApp::start(config, home).await;
    app.signup().await;
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    assert_eq!(mode(&data), 0o700, "the data folder");
    if app.home.database_url().is_none() {
        let db = data.join(son1k_api::SQLITE_FILE);
        assert_eq!(mode(&db), 0o600, "the database");
        for suffix in ["-wal", "-shm"] {
            let side = data.join(format!("{}{suffix}", son1k_api::SQLITE_FILE));
            if side.exists() {
                assert_eq!(mode(&side) & 0o077, 0, "{}", side.display());
            }
        }
    }
    let key = data.join("lease-key.dev");
    assert_eq!(mode(&key), 0o600, "the dev lease key");
}

/// Item 10: an oversize webhook body gets the documented JSON error, not plain text.
#[tokio::test]
async fn oversize_webhook_is_json_413() {
    let app = TestApp::spawn().await;
    let body = vec![b'x'; 70 * 1024];
    let res = app
        .client
        .post(app.url("/api/tiers/webhook"))
        .header("Stripe-Signature", "t=1,v1=00")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_eq!(json(res).await["error"]["code"], "payload_too_large");
    let spec = json(app.get("/openapi.json", None).await).await;
    let documented = &spec["paths"]["/api/tiers/webhook"]["post"]["responses"]["413"];
    assert!(documented.is_object(), "413 is documented: {documented}");
}

/// Item 10: `genre`, `page`, `per_page` and `lang` are documented as query parameters.
#[tokio::test]
async fn openapi_query_params_are_in_query() {
    let app = TestApp::spawn().await;
    let spec: Value = json(app.get("/openapi.json", None).await).await;
    let params = |path: &str| -> Vec<(String, String)> {
        spec["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} has parameters"))
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["in"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for path in ["/api/community/pool", "/api/community/ranking"] {
        let got = params(path);
        for name in ["genre", "page", "per_page"] {
            assert!(
                got.contains(&(name.to_string(), "query".to_string())),
                "{path}: {got:?}"
            );
        }
    }
    assert_eq!(params("/"), vec![("lang".to_string(), "query".to_string())]);
}

/// Item 10: the device link never reflects the `Host` header: without `PUBLIC_URL` it uses the
/// address the server listens on, and a server off loopback refuses to start without one.
#[tokio::test]
async fn public_url_required_outside_development() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/device/start"))
        .header("host", "evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let v = json(res).await;
    assert_eq!(
        v["verification_uri"],
        format!("http://{}/device", app.addr).as_str()
    );

    use son1k_api::server::check_public_url;
    let mut config = son1k_api::Config::with_home("unused");
    let public: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
    let err = check_public_url(&config, public).unwrap_err();
    assert!(err.contains("PUBLIC_URL"), "{err}");
    assert!(check_public_url(&config, "127.0.0.1:8080".parse().unwrap()).is_ok());
    assert!(check_public_url(&config, "[::1]:8080".parse().unwrap()).is_ok());
    config.public_url = Some("https://api.son1k.test".into());
    assert!(check_public_url(&config, public).is_ok());
    config.public_url = Some("api.son1k.test".into());
    assert!(check_public_url(&config, public).is_err());
}

/// Item 10: `Config`'s `Debug` output hides its secrets and the database password.
#[test]
fn config_debug_redacts_secrets() {
    let mut c = son1k_api::Config::with_home("/srv/son1k");
    c.database_url = Some("postgres://son1k:hunter2-db@db.internal/son1k".into());
    c.stripe_secret_key = Some("sk_live_supersecret".into());
    c.stripe_webhook_secret = Some("whsec_supersecret".into());
    c.lease_key = Some("11".repeat(32));
    c.pool_secret = Some("pool-supersecret".into());
    let shown = format!("{c:?}");
    for secret in [
        "hunter2-db",
        "sk_live_supersecret",
        "whsec_supersecret",
        &"11".repeat(32),
        "pool-supersecret",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("<redacted>"));
    assert!(
        shown.contains("db.internal"),
        "non-secret parts stay: {shown}"
    );
    assert!(shown.contains("/srv/son1k"));
}

async fn claim_with_key(app: &TestApp, token: &str, key: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/community/pool/claim"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Item 10: a claim retried with the same `Idempotency-Key` (an answer lost on the way, or
/// parallel retries) replays the stored answer and costs one claim; a new key claims again; a key
/// reused for another item is refused.
#[tokio::test]
async fn pool_claim_idempotency_key_replays() {
    let app = TestApp::spawn().await;
    let paid = app.signup().await;
    app.make_paid(&paid, "STUDIO").await;
    for id in uuids_with_selection(&app, &paid, true, 3) {
        let res = app
            .post("/api/usage", Some(&paid.token), json!({"id": id}))
            .await;
        assert_eq!(res.status(), 201);
    }
    let free = app.signup().await;
    let first = claim_with_key(&app, &free.token, "retry-1", json!({})).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = json(first).await;
    assert_eq!(first["claims_today"], 1);

    let retries = (0..8).map(|_| claim_with_key(&app, &free.token, "retry-1", json!({})));
    for res in futures::future::join_all(retries).await {
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["idempotent-replayed"], "true");
        assert_eq!(json(res).await, first, "the stored answer");
    }
    let second = json(claim_with_key(&app, &free.token, "retry-2", json!({})).await).await;
    assert_eq!(second["claims_today"], 2);
    assert_ne!(second["item"]["id"], first["item"]["id"]);

    let other_item = json!({"item_id": second["item"]["id"]});
    let reused = claim_with_key(&app, &free.token, "retry-1", other_item).await;
    assert_eq!(reused.status(), 422);
    let bad = claim_with_key(&app, &free.token, "", json!({})).await;
    assert_eq!(bad.status(), 422);
    // Another user's identical key is their own.
    let other = app.signup().await;
    let theirs = json(claim_with_key(&app, &other.token, "retry-1", json!({})).await).await;
    assert_eq!(theirs["claims_today"], 1);
    let third = json(
        app.post("/api/community/pool/claim", Some(&free.token), json!({}))
            .await,
    )
    .await;
    assert_eq!(third["claims_today"], 3, "two claims were spent, not ten");
}
