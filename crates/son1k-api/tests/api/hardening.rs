//! Regression tests for what an attack suite broke (issue 19), one per item, named after it.

use crate::helpers::*;
use serde_json::json;

/// The resident memory of this process (the test binary runs the server in-process), in KiB.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Item 1: 64 parallel logins of unknown e-mails run argon2 at most one per core (each with a
/// reused buffer), so memory stays bounded; each is answered 401, or 503 with `Retry-After`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logins_exhaust_memory() {
    // 64 failed logins from one address: more than its spraying budget, which is not under test.
    let app = TestApp::spawn_with(|c| c.ip_login_attempts = 1000).await;
    let before = rss_kib();
    let mut calls = Vec::new();
    for i in 0..64 {
        let client = app.client.clone();
        let url = app.url("/api/auth/login");
        calls.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .json(&json!({"email": format!("nobody{i}-{}@example.com", uuid::Uuid::new_v4().simple()), "password": "guess guess guess"}))
                .send()
                .await
                .expect("request");
            let status = res.status().as_u16();
            let retry = res.headers().contains_key("retry-after");
            (status, retry)
        }));
    }
    for call in futures::future::join_all(calls).await {
        let (status, retry) = call.expect("join");
        assert!(
            status == 401 || (status == 503 && retry),
            "an unknown login answered {status}"
        );
    }
    let after = rss_kib();
    assert!(son1k_api::auth::hashing_peak() <= son1k_api::auth::hashing_permits());
    assert!(son1k_api::auth::hashing_permits() <= son1k_api::auth::MAX_HASHERS);
    if let (Some(b), Some(a)) = (before, after) {
        let grown_mib = a.saturating_sub(b) / 1024;
        eprintln!(
            "RSS {} MiB -> {} MiB during 64 parallel logins",
            b / 1024,
            a / 1024
        );
        assert!(
            grown_mib < 300,
            "64 parallel logins grew RSS by {grown_mib} MiB"
        );
    }
    // A real account still signs in (the reused buffers hash correctly).
    let u = app.signup().await;
    let ok = login(&app, &u.email, "correct horse battery").await;
    assert_eq!(ok.status(), 200);
    let bad = login(&app, &u.email, "correct horse batterY").await;
    assert_eq!(bad.status(), 401);
}

/// Item 3: deleting an account needs the password again, cancels its Stripe subscription first,
/// forgets its login attempts, and its access token stops working at once (usage, leases and
/// claims after deletion are 401, not recreated data).
#[tokio::test]
async fn deleted_account_token_stops_working() {
    let stripe = fake_stripe().await;
    let base = stripe.base.clone();
    let app = TestApp::spawn_with(move |c| {
        c.stripe_secret_key = Some("sk_test_123".into());
        c.stripe_api_base = base;
        c.login_attempts = 3;
    })
    .await;
    let u = app.signup().await;
    let sub = son1k_testkit::subscription_created(&u.id, "PRO", now() - 10);
    assert_eq!(app.webhook(&sub).await.status(), 200);
    let sub_id = sub["data"]["object"]["id"].as_str().unwrap().to_string();

    // A bearer token alone does not delete the account.
    let bare = app.delete("/api/account", Some(&u.token)).await.status();
    assert!(
        bare == 415 || bare == 422,
        "a bodiless deletion answered {bare}"
    );
    let wrong = delete_account(&app, &u.token, "not the password").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(app.get("/api/auth/me", Some(&u.token)).await.status(), 200);
    assert!(stripe.requests.lock().unwrap().is_empty());

    let gone = delete_account(&app, &u.token, "correct horse battery").await;
    assert_eq!(gone.status(), 204);
    {
        let log = stripe.requests.lock().unwrap();
        assert_eq!(log.len(), 1, "one cancellation: {log:?}");
        assert_eq!(log[0].0, "Basic c2tfdGVzdF8xMjM6");
        assert_eq!(log[0].1, vec![("cancel".to_string(), sub_id)]);
    }

    let t = Some(u.token.as_str());
    assert_eq!(app.get("/api/auth/me", t).await.status(), 401);
    let id = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        app.post("/api/usage", t, json!({"id": id})).await.status(),
        401
    );
    assert_eq!(
        app.post("/api/leases", t, json!({"device_id": "laptop-1"}))
            .await
            .status(),
        401
    );
    assert_eq!(
        app.post("/api/community/pool/claim", t, json!({}))
            .await
            .status(),
        401
    );
    assert_eq!(
        app.get(&format!("/api/tiers/limits/{}", u.id), t)
            .await
            .status(),
        401
    );

    // The login-attempt row went with the account: the same address signed up again has its
    // whole budget (3 tries; the deleted account spent 2 with the wrong and the right password).
    let again = app
        .post(
            "/api/auth/signup",
            None,
            json!({"email": u.email, "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(again.status(), 201);
    for _ in 0..2 {
        let bad = login(&app, &u.email, "wrong password").await;
        assert_eq!(bad.status(), 401);
    }
    let ok = login(&app, &u.email, "correct horse battery").await;
    assert_eq!(ok.status(), 200);
}

/// Item 6: reuse of a rotated refresh token (a thief's copy) revokes the whole family: the
/// thief's new token stops working too; another sign-in's family is untouched.
#[tokio::test]
async fn refresh_token_reuse_revokes_family() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let other = json(login(&app, &u.email, "correct horse battery").await).await;
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.post("/api/auth/refresh", None, json!({"refresh_token": token}))
                .await
        }
    };
    let thief = refresh(u.refresh.clone()).await;
    assert_eq!(thief.status(), 200);
    let thief_next = json(thief).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    // The owner presents the token the thief already rotated: refused, and the family revoked.
    let reuse = refresh(u.refresh.clone()).await;
    assert_eq!(reuse.status(), 401);
    assert_eq!(json(reuse).await["error"]["code"], "invalid_refresh_token");
    assert_eq!(refresh(thief_next).await.status(), 401);
    // The other sign-in still refreshes, and its chain rotates normally.
    let ok = refresh(other["refresh_token"].as_str().unwrap().to_string()).await;
    assert_eq!(ok.status(), 200);
    let next = json(ok).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(refresh(next).await.status(), 200);
}

/// Item 7: a NUL byte in any JSON string is refused with 422 and the documented error on both
/// stores (PostgreSQL's TEXT cannot hold one), authenticated or not.
#[tokio::test]
async fn nul_byte_in_string_is_422() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    for (path, token, body) in [
        (
            "/api/auth/login",
            None,
            json!({"email": "a\u{0}@example.com", "password": "x\u{0}yyyyyyyy"}),
        ),
        (
            "/api/auth/signup",
            None,
            json!({"email": "b@example.com", "password": "nul\u{0}password"}),
        ),
        (
            "/api/leases",
            Some(u.token.as_str()),
            json!({"device_id": "laptop\u{0}"}),
        ),
    ] {
        let res = app.post(path, token, body).await;
        assert_eq!(res.status(), 422, "{path}");
        let v = json(res).await;
        assert_eq!(v["error"]["code"], "invalid_body", "{path}: {v}");
    }
}
