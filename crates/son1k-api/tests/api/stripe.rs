use crate::helpers::*;
use serde_json::{json, Value};

async fn tier_of(app: &TestApp, u: &User) -> String {
    let v = json(
        app.get(&format!("/api/tiers/limits/{}", u.id), Some(&u.token))
            .await,
    )
    .await;
    v["limits"]["tier"].as_str().unwrap().to_string()
}

async fn send_raw(app: &TestApp, body: &[u8], header: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/tiers/webhook"))
        .header("Stripe-Signature", header)
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn checkout_without_a_secret_key_is_503() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let res = app
        .post(
            "/api/tiers/checkout",
            Some(&u.token),
            json!({"tier": "PRO"}),
        )
        .await;
    assert_eq!(res.status(), 503);
    let v = json(res).await;
    assert_eq!(v["error"]["code"], "payments_not_configured");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("payments not configured"));
}

#[tokio::test]
async fn checkout_creates_a_session_at_the_stripe_stand_in() {
    let stripe = fake_stripe().await;
    let base = stripe.base.clone();
    let app = TestApp::spawn_with(move |c| {
        c.stripe_secret_key = Some("sk_test_123".into());
        c.stripe_api_base = base;
    })
    .await;
    let u = app.signup().await;
    let res = app
        .post(
            "/api/tiers/checkout",
            Some(&u.token),
            json!({"tier": "creator"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_eq!(v["id"], "cs_test_1");
    assert!(v["url"].as_str().unwrap().starts_with("https://"));
    let log = stripe.requests.lock().unwrap().clone();
    assert_eq!(log.len(), 1);
    let form = &log[0].1;
    let field = |k: &str| form.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone());
    assert_eq!(field("mode").as_deref(), Some("subscription"));
    assert_eq!(field("client_reference_id").as_deref(), Some(u.id.as_str()));
    assert_eq!(
        field("line_items[0][price_data][unit_amount]").as_deref(),
        Some("999")
    );
    assert!(field("success_url")
        .unwrap()
        .starts_with("son1k://checkout/"));
    assert!(field("cancel_url")
        .unwrap()
        .starts_with("son1k://checkout/"));

    let res = app
        .post(
            "/api/tiers/checkout",
            Some(&u.token),
            json!({"tier": "FREE"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post(
            "/api/tiers/checkout",
            Some(&u.token),
            json!({"tier": "GOLD"}),
        )
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn stripe_errors_are_reported_as_502() {
    let stripe = fake_stripe().await;
    let base = stripe.base.clone();
    let app = TestApp::spawn_with(move |c| {
        c.stripe_secret_key = Some("sk_wrong".into());
        c.stripe_api_base = base;
    })
    .await;
    let u = app.signup().await;
    let res = app
        .post(
            "/api/tiers/checkout",
            Some(&u.token),
            json!({"tier": "PRO"}),
        )
        .await;
    assert_eq!(res.status(), 502);
    assert!(json(res).await["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Invalid API Key"));
}

#[tokio::test]
async fn forged_stale_and_missing_signatures_are_refused() {
    let app = TestApp::spawn().await;
    let body = serde_json::to_vec(&event("invoice.paid", now(), json!({}))).unwrap();
    let t = now();
    let good = son1k_api::stripe::sign(WEBHOOK_SECRET, t, &body);
    let forged = son1k_api::stripe::sign("whsec_other", t, &body);
    assert_eq!(
        send_raw(&app, &body, &format!("t={t},v1={forged}"))
            .await
            .status(),
        401
    );
    // The right signature over a different body.
    let mut other = body.clone();
    other.push(b' ');
    assert_eq!(
        send_raw(&app, &other, &format!("t={t},v1={good}"))
            .await
            .status(),
        401
    );
    // Stale: signed 301 s ago.
    let old = t - 301;
    let stale = son1k_api::stripe::sign(WEBHOOK_SECRET, old, &body);
    let res = send_raw(&app, &body, &format!("t={old},v1={stale}")).await;
    assert_eq!(res.status(), 401);
    assert_eq!(json(res).await["error"]["code"], "stale_signature");
    // Missing or garbage header.
    let res = app
        .client
        .post(app.url("/api/tiers/webhook"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(send_raw(&app, &body, "garbage").await.status(), 400);
    // Several v1 values, one of them right (key rotation): accepted.
    let res = send_raw(&app, &body, &format!("t={t},v1={forged},v1={good}")).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_valid_event_is_processed_once_and_replays_are_harmless() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let ev = event(
        "checkout.session.completed",
        now(),
        json!({"client_reference_id": u.id, "customer": "cus_1", "subscription": "sub_1",
               "payment_status": "paid", "metadata": {"tier": "PRO", "user_id": u.id}}),
    );
    let first = app.webhook(&ev).await;
    assert_eq!(first.status(), 200);
    assert_eq!(json(first).await["duplicate"], false);
    assert_eq!(tier_of(&app, &u).await, "PRO");
    let replay = app.webhook(&ev).await;
    assert_eq!(replay.status(), 200);
    assert_eq!(json(replay).await["duplicate"], true);
    assert_eq!(tier_of(&app, &u).await, "PRO");
}

#[tokio::test]
async fn unknown_event_types_are_acknowledged_and_ignored() {
    let app = TestApp::spawn().await;
    let res = app
        .webhook(&event("charge.refunded", now(), json!({"id": "ch_1"})))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["ignored"], true);
}

#[tokio::test]
async fn out_of_order_lifecycle_converges() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let t0 = now() - 1000;
    let sub = |status: &str, tier: &str| {
        json!({"id": "sub_9", "customer": "cus_9", "status": status,
               "metadata": {"user_id": u.id, "tier": tier},
               "items": {"data": [{"price": {"unit_amount": 2999}}]}})
    };
    // Deleted (newest) arrives first, then the older created/updated: stays FREE.
    app.webhook(&event(
        "customer.subscription.deleted",
        t0 + 300,
        sub("canceled", "PRO"),
    ))
    .await;
    app.webhook(&event(
        "customer.subscription.updated",
        t0 + 200,
        sub("active", "STUDIO"),
    ))
    .await;
    app.webhook(&event(
        "customer.subscription.created",
        t0 + 100,
        sub("active", "PRO"),
    ))
    .await;
    assert_eq!(tier_of(&app, &u).await, "FREE");

    // A second subscription: failed payment drops to FREE, a later paid invoice restores it,
    // an older failure arriving late changes nothing.
    let s2 = json!({"id": "sub_10", "customer": "cus_9", "status": "active",
                    "metadata": {"user_id": u.id},
                    "items": {"data": [{"price": {"unit_amount": 999}}]}});
    app.webhook(&event("customer.subscription.created", t0 + 400, s2))
        .await;
    assert_eq!(tier_of(&app, &u).await, "CREATOR");
    let inv = json!({"subscription": "sub_10", "customer": "cus_9",
                     "lines": {"data": [{"period": {"start": now() - 100, "end": now() + 86_400 * 30}}]}});
    app.webhook(&event("invoice.payment_failed", t0 + 500, inv.clone()))
        .await;
    assert_eq!(tier_of(&app, &u).await, "FREE");
    app.webhook(&event("invoice.paid", t0 + 700, inv.clone()))
        .await;
    assert_eq!(tier_of(&app, &u).await, "CREATOR");
    app.webhook(&event("invoice.payment_failed", t0 + 600, inv))
        .await;
    assert_eq!(tier_of(&app, &u).await, "CREATOR");
    // The billing period from the invoice is the counting period.
    let v: Value = json(
        app.get(&format!("/api/tiers/limits/{}", u.id), Some(&u.token))
            .await,
    )
    .await;
    assert!(v["period_end"].as_i64().unwrap() > now() + 86_400 * 29);
}

#[tokio::test]
async fn subscription_before_checkout_finds_its_user_later() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    // No metadata: the subscription only names the customer, unknown until checkout completes.
    app.webhook(&event(
        "customer.subscription.created",
        now() - 5,
        json!({"id": "sub_x", "customer": "cus_x", "status": "active",
               "items": {"data": [{"price": {"unit_amount": 9999}}]}}),
    ))
    .await;
    assert_eq!(tier_of(&app, &u).await, "FREE");
    app.webhook(&event(
        "checkout.session.completed",
        now() - 10,
        json!({"client_reference_id": u.id, "customer": "cus_x", "payment_status": "paid"}),
    ))
    .await;
    assert_eq!(tier_of(&app, &u).await, "STUDIO");
}
