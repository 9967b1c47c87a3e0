//! Issue 19 items 4 and 5: the tier follows the subscription's price whatever order Stripe's
//! events arrive in, and usage is counted inside the billing period it belongs to.

use crate::helpers::*;
use serde_json::{json, Value};
use son1k_core::Tier;

async fn tier_of(app: &TestApp, u: &User) -> String {
    let me = json(app.get("/api/auth/me", Some(&u.token)).await).await;
    me["tier"].as_str().expect("tier").to_string()
}

async fn limits(app: &TestApp, u: &User) -> Value {
    json(
        app.get(&format!("/api/tiers/limits/{}", u.id), Some(&u.token))
            .await,
    )
    .await
}

/// A subscription object whose first item is priced as `priced` and whose checkout-time metadata
/// still says `metadata_tier`.
fn subscription(id: &str, user: &User, priced: Tier, metadata_tier: &str) -> Value {
    json!({
        "id": id, "customer": format!("cus_{}", user.id), "status": "active",
        "metadata": {"user_id": user.id, "tier": metadata_tier},
        "items": {"data": [{"price": {"id": format!("price_{}", priced.name()),
            "unit_amount": priced.limits().price_cents, "recurring": {"interval": "month"}}}]},
    })
}

/// Item 4: a newer `invoice.paid` before the older `customer.subscription.created` still gives
/// PRO, with the invoice's (newer) period; a plan change switches the tier by its price even
/// though the checkout metadata still names the old tier; older events arriving late (a stale
/// price, the checkout's metadata) change nothing.
#[tokio::test]
async fn webhooks_out_of_order_keep_the_tier() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let t0 = now() - 1000;
    let (start, end) = (now() - 60, now() + 30 * 86_400);
    let invoice = json!({"subscription": "sub_o", "customer": format!("cus_{}", u.id),
        "lines": {"data": [{"period": {"start": start, "end": end}}]}});
    let paid = app.webhook(&event("invoice.paid", t0 + 20, invoice)).await;
    assert_eq!(paid.status(), 200);
    let created = subscription("sub_o", &u, Tier::Pro, "PRO");
    let mut old_period = created.clone();
    old_period["current_period_start"] = json!(start - 86_400);
    old_period["current_period_end"] = json!(start);
    app.webhook(&event("customer.subscription.created", t0 + 10, old_period))
        .await;
    assert_eq!(tier_of(&app, &u).await, "PRO");
    let l = limits(&app, &u).await;
    assert_eq!(
        (l["period_start"].as_i64(), l["period_end"].as_i64()),
        (Some(start), Some(end))
    );

    // A plan change to STUDIO: the metadata written at checkout still says PRO.
    let upgraded = subscription("sub_o", &u, Tier::Studio, "PRO");
    app.webhook(&event("customer.subscription.updated", t0 + 30, upgraded))
        .await;
    assert_eq!(tier_of(&app, &u).await, "STUDIO");
    // A delayed older update (CREATOR's price) and the checkout's completion arriving last.
    let stale = subscription("sub_o", &u, Tier::Creator, "CREATOR");
    app.webhook(&event("customer.subscription.updated", t0 + 25, stale))
        .await;
    let checkout = json!({"client_reference_id": u.id, "customer": format!("cus_{}", u.id),
        "subscription": "sub_o", "payment_status": "paid",
        "metadata": {"user_id": u.id, "tier": "PRO"}});
    app.webhook(&event("checkout.session.completed", t0 + 40, checkout))
        .await;
    assert_eq!(tier_of(&app, &u).await, "STUDIO");
    // A downgrade by price is followed too.
    let down = subscription("sub_o", &u, Tier::Creator, "PRO");
    app.webhook(&event("customer.subscription.updated", t0 + 50, down))
        .await;
    assert_eq!(tier_of(&app, &u).await, "CREATOR");
}

/// Records `n` generations one after another; returns how many were counted (201).
async fn generate(app: &TestApp, u: &User, n: usize) -> usize {
    let mut counted = 0;
    for _ in 0..n {
        let id = uuid::Uuid::new_v4().to_string();
        let res = app
            .post("/api/usage", Some(&u.token), json!({"id": id}))
            .await;
        match res.status().as_u16() {
            201 => counted += 1,
            429 => {}
            other => panic!("usage answered {other}"),
        }
    }
    counted
}

/// Item 5: a CREATOR (50 a month) whose billing period arrives after checkout cannot make more
/// than 50 in it: what was made since the period began counts. Generations made before a new
/// period began do not.
#[tokio::test]
async fn usage_counted_inside_the_billing_period() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let t0 = now();
    // Checkout: the subscription, with no period yet (counted in the calendar month meanwhile).
    app.webhook(&event(
        "customer.subscription.created",
        t0 - 5,
        subscription("sub_p", &u, Tier::Creator, "CREATOR"),
    ))
    .await;
    assert_eq!(generate(&app, &u, 40).await, 40);
    // The first invoice brings the billing period, which began at checkout.
    let invoice = |start: i64, end: i64| {
        json!({"subscription": "sub_p", "customer": format!("cus_{}", u.id),
            "lines": {"data": [{"period": {"start": start, "end": end}}]}})
    };
    app.webhook(&event(
        "invoice.paid",
        t0 - 4,
        invoice(t0 - 5, t0 + 30 * 86_400),
    ))
    .await;
    assert_eq!(generate(&app, &u, 20).await, 10, "50 in the period, not 60");
    let l = limits(&app, &u).await;
    assert_eq!(
        (l["used"].as_i64(), l["remaining"].as_i64()),
        (Some(50), Some(0))
    );

    // A new period starting after every generation so far: a fresh 50.
    let last = now();
    while now() <= last {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let renewed = now();
    app.webhook(&event(
        "invoice.paid",
        renewed,
        invoice(renewed, renewed + 30 * 86_400),
    ))
    .await;
    let l = limits(&app, &u).await;
    assert_eq!(l["period_start"].as_i64(), Some(renewed));
    assert_eq!(l["used"].as_i64(), Some(0));
    assert_eq!(generate(&app, &u, 3).await, 3);
}
