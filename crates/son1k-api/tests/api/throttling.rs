//! Issue 19 item 8: throttles per address, per account and per instance, with windows that
//! always expire and back off, instead of a per-e-mail lockout anyone could keep up forever.

use crate::helpers::*;
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// A client whose connections come from the loopback address 127.0.0.`n`.
fn from(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()
        .expect("client")
}

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .expect("request")
}

async fn login_from(client: &reqwest::Client, app: &TestApp, email: &str, pw: &str) -> u16 {
    post(
        client,
        app,
        "/api/auth/login",
        json!({"email": email, "password": pw}),
    )
    .await
    .status()
    .as_u16()
}

fn retry_after(res: &reqwest::Response) -> i64 {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds")
}

/// With the real defaults: 11 bad logins from an attacker's address get the 11th refused, but
/// the owner signs in at once from their own address; the attacker's lock is no longer than
/// the 5-minute window.
#[tokio::test]
async fn throttling_bad_logins_do_not_lock_the_owner_out() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let attacker = from(10);
    for _ in 0..10 {
        assert_eq!(
            login_from(&attacker, &app, &u.email, "wrong password").await,
            401
        );
    }
    let res = post(
        &attacker,
        &app,
        "/api/auth/login",
        json!({"email": u.email, "password": "correct horse battery"}),
    )
    .await;
    assert_eq!(res.status(), 429);
    let wait = retry_after(&res);
    assert!((1..=300).contains(&wait), "locked for {wait} s");
    assert_eq!(json(res).await["error"]["code"], "rate_limited");
    let owner = from(11);
    assert_eq!(
        login_from(&owner, &app, &u.email, "correct horse battery").await,
        200
    );
}

/// The lock expires: after the window the same address signs in with the right password; an
/// address that keeps hitting the limit gets a window twice as long next time.
#[tokio::test]
async fn throttling_backoff_expires_and_doubles() {
    let app = TestApp::spawn_with(|c| {
        c.login_attempts = 1;
        c.login_window = Duration::from_secs(3);
    })
    .await;
    let u = app.signup().await;
    let me = from(20);
    let attempt = |pw: &'static str| {
        post(
            &me,
            &app,
            "/api/auth/login",
            json!({"email": u.email, "password": pw}),
        )
    };
    assert_eq!(attempt("wrong password").await.status(), 401);
    let first = attempt("correct horse battery").await;
    assert_eq!(first.status(), 429);
    let first_wait = retry_after(&first);
    assert!(first_wait <= 3, "locked for {first_wait} s");
    tokio::time::sleep(Duration::from_secs(first_wait as u64) + Duration::from_millis(100)).await;
    // The window ended over its budget: the next one is 6 s long instead of 3.
    assert_eq!(attempt("wrong password").await.status(), 401);
    let second = attempt("correct horse battery").await;
    assert_eq!(second.status(), 429);
    let wait = retry_after(&second);
    assert!(
        (4..=6).contains(&wait),
        "backed off for {wait} s, not longer than the 3 s window"
    );
    tokio::time::sleep(Duration::from_secs(wait as u64) + Duration::from_millis(100)).await;
    assert_eq!(attempt("correct horse battery").await.status(), 200);
}

/// With the real defaults: one address trying one password on many accounts (spraying) is
/// refused after 30 failures, whichever accounts; another address is not affected. A guess
/// spread over many addresses at one account meets that account's own budget.
#[tokio::test]
async fn throttling_password_spraying_from_one_ip_is_limited() {
    let app = TestApp::spawn().await;
    let sprayer = from(30);
    for i in 0..30 {
        let email = format!("victim{i}@example.com");
        assert_eq!(login_from(&sprayer, &app, &email, "Summer2026!").await, 401);
    }
    assert_eq!(
        login_from(&sprayer, &app, "victim99@example.com", "Summer2026!").await,
        429
    );
    assert_eq!(
        login_from(&from(31), &app, "victim99@example.com", "Summer2026!").await,
        401
    );

    let app = TestApp::spawn_with(|c| c.account_login_attempts = 4).await;
    let u = app.signup().await;
    for n in 40..44 {
        assert_eq!(
            login_from(&from(n), &app, &u.email, "wrong password").await,
            401
        );
    }
    assert_eq!(
        login_from(&from(44), &app, &u.email, "wrong password").await,
        429
    );
}

/// With the real defaults: sign-up (which tells whether an address is taken) allows 20 per
/// address per hour and device-login start 20 per address per 5 minutes; other addresses are
/// not affected.
#[tokio::test]
async fn throttling_signup_and_device_start_per_ip() {
    let app = TestApp::spawn().await;
    let prober = from(50);
    let signup = |n: u32| {
        json!({"email": format!("probe{n}-{}@example.com", uuid::Uuid::new_v4().simple()),
               "password": "correct horse battery"})
    };
    for n in 0..20 {
        let res = post(&prober, &app, "/api/auth/signup", signup(n)).await;
        assert_eq!(res.status(), 201);
    }
    let refused = post(&prober, &app, "/api/auth/signup", signup(20)).await;
    assert_eq!(refused.status(), 429);
    assert!(retry_after(&refused) <= 3600);
    let other = post(&from(51), &app, "/api/auth/signup", signup(21)).await;
    assert_eq!(other.status(), 201);

    for _ in 0..20 {
        let res = post(&prober, &app, "/api/device/start", json!({})).await;
        assert_eq!(res.status(), 200);
    }
    let refused = post(&prober, &app, "/api/device/start", json!({})).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(json(refused).await["error"]["code"], "rate_limited");
    let other = post(&from(51), &app, "/api/device/start", json!({})).await;
    assert_eq!(other.status(), 200);
}

/// The global limit counts every address together; behind a trusted proxy clients are told
/// apart by `X-Forwarded-For`, and without that setting the header is ignored.
#[tokio::test]
async fn throttling_global_limit_and_forwarded_addresses() {
    let app = TestApp::spawn_with(|c| c.global_auth_per_minute = 3).await;
    for n in 60..63 {
        assert_eq!(
            login_from(&from(n), &app, "x@example.com", "wrong password").await,
            401
        );
    }
    let res = post(
        &from(63),
        &app,
        "/api/auth/login",
        json!({"email": "y@example.com", "password": "wrong password"}),
    )
    .await;
    assert_eq!(res.status(), 429);
    assert!(retry_after(&res) <= 60);

    let spoofed = |app: &TestApp, last_octet: u8| {
        let req = from(70)
            .post(app.url("/api/device/start"))
            .header("x-forwarded-for", format!("203.0.113.{last_octet}"))
            .json(&json!({}));
        async move { req.send().await.expect("request").status().as_u16() }
    };
    let proxied = TestApp::spawn_with(|c| {
        c.trust_forwarded_for = true;
        c.device_starts_per_ip = 1;
    })
    .await;
    assert_eq!(spoofed(&proxied, 1).await, 200);
    assert_eq!(spoofed(&proxied, 1).await, 429);
    assert_eq!(spoofed(&proxied, 2).await, 200);
    let direct = TestApp::spawn_with(|c| c.device_starts_per_ip = 1).await;
    assert_eq!(spoofed(&direct, 1).await, 200);
    assert_eq!(spoofed(&direct, 2).await, 429);
}
