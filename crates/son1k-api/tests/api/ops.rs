use crate::helpers::*;
use serde_json::json;
use son1k_api::{admin, ops, AppState};
use son1k_testkit::Home;

#[tokio::test]
async fn migrate_brings_an_empty_database_to_the_current_schema_once() {
    let home = Home::new().await;
    let (before, after) = ops::migrate(home.config()).await.unwrap();
    assert_eq!((before, after), (0, son1k_api::db::SCHEMA_VERSION));
    let (before, after) = ops::migrate(home.config()).await.unwrap();
    assert_eq!((before, after), (after, son1k_api::db::SCHEMA_VERSION));
    // The new tables exist in both stores.
    let db = son1k_api::open_db(&home.config()).await.unwrap();
    for table in ["user_roles", "lease_keys"] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(n, 0, "{table}");
    }
}

#[tokio::test]
async fn create_admin_grants_the_role_once_to_an_existing_account() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let other = app.signup().await;
    let state = AppState::open(app.home.config()).await.unwrap();
    assert!(!admin::is_admin(&state.db, &u.id).await.unwrap());
    // The e-mail is matched as sign-up stores it (trimmed, lower case).
    let grant = ops::create_admin(&state, &format!("  {}  ", u.email.to_uppercase()))
        .await
        .unwrap();
    assert_eq!(grant.user_id, u.id);
    assert_eq!(grant.email, u.email);
    assert!(grant.granted);
    assert!(!ops::create_admin(&state, &u.email).await.unwrap().granted);
    assert!(admin::is_admin(&state.db, &u.id).await.unwrap());
    assert!(!admin::is_admin(&state.db, &other.id).await.unwrap());
    assert_eq!(admin::roles(&state.db, &u.id).await.unwrap(), ["admin"]);

    let err = ops::create_admin(&state, "nobody@example.com")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no account"), "{err}");
    let err = ops::create_admin(&state, "not an address")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not an e-mail address"), "{err}");

    // Deleting the account drops its role.
    let res = delete_account(&app, &u.token, "correct horse battery").await;
    assert_eq!(res.status(), 204);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE user_id = $1")
        .bind(&u.id)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn export_user_holds_the_accounts_data_and_no_secrets() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let other = app.signup().await;
    let gen_id = uuid::Uuid::new_v4().to_string();
    let res = app
        .post(
            "/api/usage",
            Some(&u.token),
            json!({"id": gen_id, "genre": "Pop"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let other_gen = uuid::Uuid::new_v4().to_string();
    app.post("/api/usage", Some(&other.token), json!({"id": other_gen}))
        .await;
    let ev = uuid::Uuid::new_v4().to_string();
    let res = app
        .post(
            "/api/analytics",
            Some(&u.token),
            json!({"consent": true, "events": [
                {"id": ev, "name": "screen_view", "at": 1_700_000_000, "props": {"screen": "studio"}}
            ]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    app.make_paid(&u, "PRO").await;
    let started = json(
        app.post(
            "/api/device/start",
            None,
            json!({"device_name": "Studio laptop"}),
        )
        .await,
    )
    .await;
    let res = app
        .post(
            "/api/device/approve",
            Some(&u.token),
            json!({"user_code": started["user_code"], "approve": true}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let state = AppState::open(app.home.config()).await.unwrap();
    ops::create_admin(&state, &u.email).await.unwrap();
    let export = ops::export_user(&state, &u.email).await.unwrap();
    assert_eq!(export["account"]["id"], u.id.as_str());
    assert_eq!(export["account"]["email"], u.email.as_str());
    assert_eq!(export["account"]["roles"], json!(["admin"]));
    assert!(export["account"]["created_at"].as_i64().unwrap() > 0);
    let gens = export["generations"].as_array().unwrap();
    assert_eq!(gens.len(), 1);
    assert_eq!(gens[0]["id"], gen_id.as_str());
    assert_eq!(gens[0]["quality"], "standard");
    assert_eq!(gens[0]["genre"], "pop");
    let events = export["analytics_events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["name"], "screen_view");
    assert_eq!(events[0]["props"], json!({"screen": "studio"}));
    let subs = export["subscriptions"].as_array().unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0]["tier"], "PRO");
    assert_eq!(subs[0]["status"], "active");

    let devices = export["device_logins"].as_array().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["device_name"], "Studio laptop");
    assert_eq!(devices[0]["status"], "approved");

    let text = export.to_string();
    assert!(
        !text.contains(started["device_code"].as_str().unwrap()),
        "the device code"
    );
    assert!(
        !text.contains(&other.id) && !text.contains(&other_gen),
        "another user's data"
    );
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "a secret: {text}"
    );
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(&u.id)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert!(!text.contains(&hash));
    let refresh: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM refresh_tokens WHERE user_id = $1")
            .bind(&u.id)
            .fetch_all(&state.db.pool)
            .await
            .unwrap();
    assert!(!refresh.is_empty());
    for h in refresh {
        assert!(!text.contains(&h));
    }
    assert!(ops::export_user(&state, "nobody@example.com")
        .await
        .is_err());
}
