use crate::helpers::*;
use serde_json::{json, Value};
use son1k_api::{ops, AppState};

const DAY: i64 = 86_400;

/// Records a generation that the pool's rule leaves out (so only seeded items are in the pool).
async fn generate(app: &TestApp, u: &User) {
    let id = uuids_with_selection(app, u, false, 1).remove(0);
    let res = app
        .post("/api/usage", Some(&u.token), json!({"id": id}))
        .await;
    assert_eq!(res.status(), 201);
}

async fn checkout(app: &TestApp, u: &User) {
    let res = app
        .post(
            "/api/tiers/checkout",
            Some(&u.token),
            json!({"tier": "PRO"}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

async fn exec(state: &AppState, sql: &'static str, args: (&str, i64)) {
    sqlx::query(sql)
        .bind(args.0)
        .bind(args.1)
        .execute(&state.db.pool)
        .await
        .unwrap();
}

fn tier<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["generations_per_tier"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tier"] == name)
        .unwrap()
}

/// Seeded accounts: `quiet` only signed up (and generated 40 days ago), `free` generated,
/// `curious` generated and started a checkout, `payer` did all that and paid (PRO), the admin
/// did nothing but send an analytics event 10 days ago.
#[tokio::test]
async fn the_summary_counts_seeded_data_and_only_admins_see_it() {
    let stripe = fake_stripe().await;
    let base = stripe.base.clone();
    let app = TestApp::spawn_with(move |c| {
        c.stripe_secret_key = Some("sk_test_123".into());
        c.stripe_api_base = base;
    })
    .await;
    let admin = app.signup().await;
    let quiet = app.signup().await;
    let free = app.signup().await;
    let curious = app.signup().await;
    let payer = app.signup().await;
    generate(&app, &free).await;
    generate(&app, &curious).await;
    checkout(&app, &curious).await;
    generate(&app, &payer).await;
    checkout(&app, &payer).await;
    app.make_paid(&payer, "PRO").await;
    generate(&app, &payer).await;
    generate(&app, &payer).await;

    let state = AppState::open(app.home.config()).await.unwrap();
    ops::create_admin(&state, &admin.email).await.unwrap();
    let now = now();
    exec(
        &state,
        "INSERT INTO usage_records (user_id, id, period_key, quality, used_after, pool_selected, created_at) \
         VALUES ($1, 'old-gen', 'day:old', 'standard', 1, 0, $2)",
        (&quiet.id, now - 40 * DAY),
    )
    .await;
    exec(
        &state,
        "INSERT INTO analytics_events (user_id, id, name, at, received_at) \
         VALUES ($1, 'old-ev', 'screen_view', 0, $2)",
        (&admin.id, now - 10 * DAY),
    )
    .await;

    // Two cancellations (5 and 40 days ago), pool items (two recent, one old) and a claim.
    for (sub, days) in [("sub_recent", 5), ("sub_old", 40)] {
        sqlx::query(
            "INSERT INTO subscriptions (id, user_id, tier, status, state_at) \
             VALUES ($1, $2, 'CREATOR', 'canceled', $3)",
        )
        .bind(sub)
        .bind(&quiet.id)
        .bind(now - days * DAY)
        .execute(&state.db.pool)
        .await
        .unwrap();
    }
    for (item, who, days) in [
        ("i1", &payer.id, 1),
        ("i2", &payer.id, 2),
        ("i3", &curious.id, 45),
    ] {
        sqlx::query(
            "INSERT INTO pool_items (id, contributor_id, quality, points, created_at) \
             VALUES ($1, $2, 'standard', 1, $3)",
        )
        .bind(item)
        .bind(who)
        .bind(now - days * DAY)
        .execute(&state.db.pool)
        .await
        .unwrap();
    }
    exec(
        &state,
        "INSERT INTO pool_claims (user_id, item_id, day, claimed_at) VALUES ($1, 'i1', 'today', $2)",
        (&free.id, now - 60),
    )
    .await;

    // Who may read it.
    assert_eq!(app.get("/admin/summary", None).await.status(), 401);
    let res = app.get("/admin/summary", Some(&payer.token)).await;
    assert_eq!(res.status(), 403);
    assert_eq!(json(res).await["error"]["code"], "forbidden");
    let res = app.get("/admin/summary", Some(&admin.token)).await;
    assert_eq!(res.status(), 200);
    let s = json(res).await;

    assert_eq!(s["active_users"], json!({"daily": 3, "monthly": 4}));
    assert_eq!(tier(&s, "FREE")["generations"], 2);
    assert_eq!(tier(&s, "FREE")["users"], 2);
    // Counted by the account's tier now: the payer's first generation, made on FREE, counts as PRO.
    assert_eq!(tier(&s, "PRO")["generations"], 3);
    assert_eq!(tier(&s, "PRO")["users"], 1);
    assert_eq!(tier(&s, "CREATOR")["generations"], 0);
    assert_eq!(tier(&s, "STUDIO")["generations"], 0);
    assert_eq!(s["generations_per_tier"].as_array().unwrap().len(), 4);
    assert_eq!(
        s["funnel"],
        json!({"days": null, "signed_up": 5, "first_generation": 4, "checkout_started": 2, "paid": 1})
    );

    assert_eq!(
        s["subscriptions"],
        json!({"active": 1, "canceled_30d": 1, "churn_rate_30d": 0.5})
    );
    assert_eq!(
        s["pool"],
        json!({"claims": 1, "claimers": 1, "contributions": 2, "contributors": 1})
    );

    // A cohort: `quiet` signed up 100 days ago and falls out of the last 30 days.
    exec(
        &state,
        "UPDATE users SET created_at = $2 WHERE id = $1",
        (&quiet.id, now - 100 * DAY),
    )
    .await;
    let s = json(app.get("/admin/summary?days=30", Some(&admin.token)).await).await;
    assert_eq!(
        s["funnel"],
        json!({"days": 30, "signed_up": 4, "first_generation": 3, "checkout_started": 2, "paid": 1})
    );
    for bad in ["0", "3651", "-1", "x"] {
        let res = app
            .get(&format!("/admin/summary?days={bad}"), Some(&admin.token))
            .await;
        assert!(
            res.status() == 422 || res.status() == 400,
            "days={bad}: {}",
            res.status()
        );
    }
    // No route grants the role: the summary stays closed to the payer.
    let res = app.get("/admin/summary", Some(&payer.token)).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn an_empty_server_summarises_to_zeros() {
    let app = TestApp::spawn().await;
    let admin = app.signup().await;
    let state = AppState::open(app.home.config()).await.unwrap();
    ops::create_admin(&state, &admin.email).await.unwrap();
    let s = json(app.get("/admin/summary", Some(&admin.token)).await).await;
    assert_eq!(s["active_users"], json!({"daily": 0, "monthly": 0}));
    assert_eq!(
        s["funnel"],
        json!({"days": null, "signed_up": 1, "first_generation": 0, "checkout_started": 0, "paid": 0})
    );
    for t in s["generations_per_tier"].as_array().unwrap() {
        assert_eq!(t["generations"], 0);
    }
    assert_eq!(
        s["subscriptions"],
        json!({"active": 0, "canceled_30d": 0, "churn_rate_30d": 0.0})
    );
    assert_eq!(s["pool"]["claims"], 0);
}
