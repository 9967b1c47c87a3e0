use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn analytics_are_opt_in_batched_and_idempotent() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let ev =
        |id: &str| json!({"id": id, "name": "generate", "at": now(), "props": {"genre": "pop"}});
    let a = uuid::Uuid::new_v4().to_string();
    let b = uuid::Uuid::new_v4().to_string();
    let res = app
        .post(
            "/api/analytics",
            Some(&u.token),
            json!({"consent": false, "events": [ev(&a)]}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["error"]["code"], "consent_required");
    let res = app
        .post(
            "/api/analytics",
            Some(&u.token),
            json!({"consent": true, "events": [ev(&a), ev(&b)]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_eq!(
        (v["accepted"].as_u64(), v["duplicates"].as_u64()),
        (Some(2), Some(0))
    );
    let res = app
        .post(
            "/api/analytics",
            Some(&u.token),
            json!({"consent": true, "events": [ev(&a)]}),
        )
        .await;
    let v = json(res).await;
    assert_eq!(
        (v["accepted"].as_u64(), v["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    let many: Vec<_> = (0..101)
        .map(|_| ev(&uuid::Uuid::new_v4().to_string()))
        .collect();
    let res = app
        .post(
            "/api/analytics",
            Some(&u.token),
            json!({"consent": true, "events": many}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post(
            "/api/analytics",
            None,
            json!({"consent": true, "events": []}),
        )
        .await;
    assert_eq!(res.status(), 401);
}
