use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn start(app: &TestApp) -> Value {
    let res = app
        .post(
            "/api/device/start",
            None,
            json!({"device_name": "Son1k Studio on test-box"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    json(res).await
}

async fn poll(app: &TestApp, device_code: &str) -> reqwest::Response {
    app.post(
        "/api/device/token",
        None,
        json!({"device_code": device_code, "grant_type": "urn:ietf:params:oauth:grant-type:device_code"}),
    )
    .await
}

async fn poll_error(app: &TestApp, device_code: &str) -> (u16, String) {
    let res = poll(app, device_code).await;
    let status = res.status().as_u16();
    let v = json(res).await;
    assert!(v.get("access_token").is_none(), "{v}");
    (
        status,
        v["error"]["code"].as_str().unwrap_or("").to_string(),
    )
}

async fn approve(app: &TestApp, user: &User, code: &str, yes: bool) -> reqwest::Response {
    app.post(
        "/api/device/approve",
        Some(&user.token),
        json!({"user_code": code, "approve": yes}),
    )
    .await
}

fn fast(c: &mut son1k_api::Config) {
    c.device_poll_interval = Duration::ZERO;
}

#[tokio::test]
async fn device_login_hands_the_approvers_tokens_to_the_app_once() {
    let app = TestApp::spawn_with(fast).await;
    let a = app.signup().await;
    let s = start(&app).await;
    let code = s["user_code"].as_str().unwrap();
    let device_code = s["device_code"].as_str().unwrap();
    assert_eq!(code.len(), 9);
    assert_eq!(&code[4..5], "-");
    assert!(code
        .chars()
        .filter(|c| *c != '-')
        .all(|c| "BCDFGHJKLMNPQRSTVWXZ".contains(c)));
    assert!(device_code.len() >= 40);
    let uri = s["verification_uri"].as_str().unwrap();
    assert_eq!(uri, format!("http://{}/device", app.addr));
    assert_eq!(
        s["verification_uri_complete"],
        format!("{uri}?code={code}").as_str()
    );
    assert_eq!(s["expires_in"], 600);
    assert_eq!(s["interval"], 0);

    assert_eq!(
        poll_error(&app, device_code).await,
        (400, "authorization_pending".into())
    );

    // The code is accepted however the person types it.
    let typed = code.replace('-', " ").to_lowercase();
    let res = approve(&app, &a, &typed, true).await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let decision: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(decision["status"], "approved");
    assert_eq!(decision["device_name"], "Son1k Studio on test-box");
    assert!(
        !text.contains(device_code) && !text.contains("token"),
        "{text}"
    );

    let res = poll(&app, device_code).await;
    assert_eq!(res.status(), 200);
    let tokens = json(res).await;
    assert_eq!(tokens["user_id"], a.id.as_str());
    assert_eq!(tokens["token_type"], "Bearer");
    let access = tokens["access_token"].as_str().unwrap();
    let me = json(app.get("/api/auth/me", Some(access)).await).await;
    assert_eq!(me["user_id"], a.id.as_str());
    assert_eq!(me["email"], a.email.as_str());
    let res = app
        .post(
            "/api/auth/refresh",
            None,
            json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // Handed out once.
    assert_eq!(
        poll_error(&app, device_code).await,
        (400, "invalid_grant".into())
    );
    // The session is gone, so its user code is no longer known either.
    assert_eq!(approve(&app, &a, code, true).await.status(), 404);
}

#[tokio::test]
async fn polling_faster_than_the_interval_is_slowed_down() {
    let app = TestApp::spawn().await;
    let a = app.signup().await;
    let s = start(&app).await;
    assert_eq!(s["interval"], 5);
    let device_code = s["device_code"].as_str().unwrap();
    assert_eq!(
        poll_error(&app, device_code).await,
        (400, "authorization_pending".into())
    );
    let res = poll(&app, device_code).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["retry-after"], "10");
    assert_eq!(json(res).await["error"]["code"], "slow_down");
    // Every early poll adds 5 s more, even once the session is approved.
    approve(&app, &a, s["user_code"].as_str().unwrap(), true).await;
    let res = poll(&app, device_code).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["retry-after"], "15");
    assert_eq!(json(res).await["error"]["code"], "slow_down");
}

#[tokio::test]
async fn device_codes_expire() {
    let app = TestApp::spawn_with(|c| {
        c.device_poll_interval = Duration::ZERO;
        // Long enough for the approval below to land in time on a loaded machine (a sign-up
        // and two starts come first), short enough to wait out.
        c.device_code_ttl = Duration::from_secs(3);
    })
    .await;
    let a = app.signup().await;
    let never = start(&app).await;
    let late = start(&app).await;
    assert_eq!(never["expires_in"], 3);
    // Approved in time but never collected in time.
    let res = approve(&app, &a, late["user_code"].as_str().unwrap(), true).await;
    assert_eq!(res.status(), 200);
    tokio::time::sleep(Duration::from_millis(4100)).await;

    let res = approve(&app, &a, never["user_code"].as_str().unwrap(), true).await;
    assert_eq!(res.status(), 404);
    assert_eq!(json(res).await["error"]["code"], "unknown_code");
    for s in [&never, &late] {
        let device_code = s["device_code"].as_str().unwrap();
        assert_eq!(
            poll_error(&app, device_code).await,
            (400, "expired_token".into())
        );
        assert_eq!(
            poll_error(&app, device_code).await,
            (400, "invalid_grant".into())
        );
    }
}

#[tokio::test]
async fn another_user_cannot_take_over_or_redirect_a_session() {
    let app = TestApp::spawn_with(fast).await;
    let a = app.signup().await;
    let b = app.signup().await;
    let s = start(&app).await;
    let code = s["user_code"].as_str().unwrap();
    let device_code = s["device_code"].as_str().unwrap();

    // Approving needs a signed-in user.
    let res = app
        .post("/api/device/approve", None, json!({"user_code": code}))
        .await;
    assert_eq!(res.status(), 401);

    assert_eq!(approve(&app, &a, code, true).await.status(), 200);
    // Repeating one's own decision is harmless.
    assert_eq!(approve(&app, &a, code, true).await.status(), 200);
    // B can neither re-approve (to get the app signed in as B) nor deny A's decision, and the
    // answer is the same as for a code that does not exist.
    for yes in [true, false] {
        let res = approve(&app, &b, code, yes).await;
        assert_eq!(res.status(), 404);
        assert_eq!(json(res).await["error"]["code"], "unknown_code");
    }
    // A user code is not a device code: knowing it does not let anyone collect the tokens.
    for guess in [code.to_string(), code.replace('-', "")] {
        assert_eq!(
            poll_error(&app, &guess).await,
            (400, "invalid_grant".into())
        );
    }
    // The app gets A's tokens, never B's.
    let tokens = json(poll(&app, device_code).await).await;
    assert_eq!(tokens["user_id"], a.id.as_str());
    let me = json(
        app.get("/api/auth/me", tokens["access_token"].as_str())
            .await,
    )
    .await;
    assert_eq!(me["user_id"], a.id.as_str());

    // B approving a session of their own works and yields B's tokens only.
    let s2 = start(&app).await;
    assert_eq!(
        approve(&app, &b, s2["user_code"].as_str().unwrap(), true)
            .await
            .status(),
        200
    );
    let t2 = json(poll(&app, s2["device_code"].as_str().unwrap()).await).await;
    assert_eq!(t2["user_id"], b.id.as_str());
}

#[tokio::test]
async fn a_denied_session_gets_no_tokens() {
    let app = TestApp::spawn_with(fast).await;
    let a = app.signup().await;
    let b = app.signup().await;
    let s = start(&app).await;
    let code = s["user_code"].as_str().unwrap();
    let device_code = s["device_code"].as_str().unwrap();
    let res = approve(&app, &a, code, false).await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["status"], "denied");
    // Nobody can turn a denial into an approval.
    assert_eq!(approve(&app, &a, code, true).await.status(), 404);
    assert_eq!(approve(&app, &b, code, true).await.status(), 404);
    assert_eq!(
        poll_error(&app, device_code).await,
        (400, "access_denied".into())
    );
    assert_eq!(
        poll_error(&app, device_code).await,
        (400, "invalid_grant".into())
    );
}

#[tokio::test]
async fn approval_attempts_are_rate_limited_per_account() {
    let app = TestApp::spawn_with(|c| {
        c.login_attempts = 3;
        c.device_poll_interval = Duration::ZERO;
    })
    .await;
    let a = app.signup().await;
    let b = app.signup().await;
    for wrong in ["BBBB-BBBB", "CCCC-CCCC", "not a code"] {
        assert_eq!(approve(&app, &b, wrong, true).await.status(), 404);
    }
    let s = start(&app).await;
    let res = approve(&app, &b, s["user_code"].as_str().unwrap(), true).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(json(res).await["error"]["code"], "rate_limited");
    // The limit is per account: A is not affected, and B's refused attempt decided nothing.
    assert_eq!(
        approve(&app, &a, s["user_code"].as_str().unwrap(), true)
            .await
            .status(),
        200
    );
    let tokens = json(poll(&app, s["device_code"].as_str().unwrap()).await).await;
    assert_eq!(tokens["user_id"], a.id.as_str());
}

#[tokio::test]
async fn deleting_the_account_cancels_its_uncollected_approvals() {
    let app = TestApp::spawn_with(fast).await;
    let a = app.signup().await;
    let s = start(&app).await;
    assert_eq!(
        approve(&app, &a, s["user_code"].as_str().unwrap(), true)
            .await
            .status(),
        200
    );
    assert_eq!(
        delete_account(&app, &a.token, "correct horse battery")
            .await
            .status(),
        204
    );
    assert_eq!(
        poll_error(&app, s["device_code"].as_str().unwrap()).await,
        (400, "invalid_grant".into())
    );
}

#[tokio::test]
async fn device_input_is_validated_and_the_page_is_served() {
    let app = TestApp::spawn_with(|c| c.public_url = Some("https://api.son1k.test/".into())).await;
    let res = app
        .post(
            "/api/device/start",
            None,
            json!({"device_name": "x".repeat(101)}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["error"]["code"], "invalid_input");
    let res = app
        .post("/api/device/start", None, json!({"device_name": 5}))
        .await;
    assert_eq!(res.status(), 422);
    // No name is fine, and PUBLIC_URL decides the verification address.
    let s = json(app.post("/api/device/start", None, json!({})).await).await;
    assert_eq!(s["verification_uri"], "https://api.son1k.test/device");
    let res = app
        .post(
            "/api/device/token",
            None,
            json!({"device_code": s["device_code"], "grant_type": "password"}),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["code"], "unsupported_grant_type");
    let res = app.post("/api/device/token", None, json!({})).await;
    assert_eq!(res.status(), 422);

    let page = app.get("/device?code=BCDF-GHJK", None).await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/device/approve") && html.contains("Código"));
}
