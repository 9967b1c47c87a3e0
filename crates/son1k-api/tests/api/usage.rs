use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn usage_is_idempotent_by_client_uuid() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let id = uuid::Uuid::new_v4().to_string();
    let first = app
        .post("/api/usage", Some(&u.token), json!({"id": id}))
        .await;
    assert_eq!(first.status(), 201);
    assert_eq!(json(first).await["used"], 1);
    for _ in 0..3 {
        let again = app
            .post("/api/usage", Some(&u.token), json!({"id": id}))
            .await;
        assert_eq!(again.status(), 200);
        let v = json(again).await;
        assert_eq!(v["duplicate"], true);
        assert_eq!(v["used"], 1);
    }
    let v = json(
        app.get(&format!("/api/tiers/limits/{}", u.id), Some(&u.token))
            .await,
    )
    .await;
    assert_eq!(v["used"], 1);
    assert_eq!(v["remaining"], 2);
    let res = app
        .post("/api/usage", Some(&u.token), json!({"id": "not-a-uuid"}))
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn free_limit_holds_under_parallel_requests() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let futs = (0..60).map(|_| {
        app.post(
            "/api/usage",
            Some(&u.token),
            json!({"id": uuid::Uuid::new_v4().to_string()}),
        )
    });
    let results = futures::future::join_all(futs).await;
    let ok = results.iter().filter(|r| r.status() == 201).count();
    let limited = results.iter().filter(|r| r.status() == 429).count();
    assert_eq!((ok, limited), (3, 57));
    let v = json(
        app.get(&format!("/api/tiers/limits/{}", u.id), Some(&u.token))
            .await,
    )
    .await;
    assert_eq!(v["used"], 3);
    let res = app
        .post(
            "/api/usage",
            Some(&u.token),
            json!({"id": uuid::Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(json(res).await["error"]["code"], "limit_reached");
}

#[tokio::test]
async fn paid_limit_holds_under_parallel_requests() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    app.make_paid(&u, "CREATOR").await;
    let futs = (0..120).map(|_| {
        app.post(
            "/api/usage",
            Some(&u.token),
            json!({"id": uuid::Uuid::new_v4().to_string(), "quality": "high"}),
        )
    });
    let results = futures::future::join_all(futs).await;
    let ok = results.iter().filter(|r| r.status() == 201).count();
    assert_eq!(ok, 50);
    assert!(results
        .iter()
        .all(|r| r.status() == 201 || r.status() == 429));
}

#[tokio::test]
async fn quality_is_gated_by_tier() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let res = app
        .post(
            "/api/usage",
            Some(&u.token),
            json!({"id": uuid::Uuid::new_v4().to_string(), "quality": "ultra"}),
        )
        .await;
    assert_eq!(res.status(), 403);
    let v = json(res).await;
    assert_eq!(v["error"]["code"], "quality_not_allowed");
    assert!(v["error"]["message"].as_str().unwrap().contains("PRO"));
    // Refused requests do not count.
    let v = json(
        app.get(&format!("/api/tiers/limits/{}", u.id), Some(&u.token))
            .await,
    )
    .await;
    assert_eq!(v["used"], 0);
}

#[tokio::test]
async fn a_retry_at_the_limit_is_answered_as_a_duplicate() {
    // The refusal that skips the user's lock once the period is spent must not refuse the retry
    // of a generation that was counted (its answer was lost): that one is a 200 duplicate.
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let ids: Vec<String> = (0..3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    for id in &ids {
        let res = app
            .post("/api/usage", Some(&u.token), json!({"id": id}))
            .await;
        assert_eq!(res.status(), 201);
    }
    let res = app
        .post(
            "/api/usage",
            Some(&u.token),
            json!({"id": uuid::Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(res.status(), 429);
    let again = app
        .post("/api/usage", Some(&u.token), json!({"id": ids[1]}))
        .await;
    assert_eq!(again.status(), 200);
    let v = json(again).await;
    assert_eq!(
        (v["duplicate"].clone(), v["used"].clone()),
        (json!(true), json!(2))
    );
}
