use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn health_answers_with_a_request_id() {
    let app = TestApp::spawn().await;
    let res = app.get("/health", None).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("x-request-id").is_some());
    let v = json(res).await;
    assert_eq!(v["status"], "ok");
    let expected = if std::env::var("SON1K_TEST_POSTGRES").is_ok() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(v["database"], expected);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let app = TestApp::spawn().await;
    let res = app.get("/nope", None).await;
    assert_eq!(res.status(), 404);
    assert_eq!(json(res).await["error"]["code"], "not_found");
    let res = app.get("/api/tiers/webhook", None).await;
    assert_eq!(res.status(), 405);
    assert_eq!(json(res).await["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn malformed_bodies_are_4xx_with_a_code_never_500() {
    let app = TestApp::spawn().await;
    let send = |body: Vec<u8>, ctype: Option<&'static str>| {
        let mut r = app.client.post(app.url("/api/auth/signup")).body(body);
        if let Some(c) = ctype {
            r = r.header("content-type", c);
        }
        r.send()
    };
    let res = send(b"{not json".to_vec(), Some("application/json"))
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["code"], "invalid_json");

    let res = send(
        br#"{"email": 5, "password": []}"#.to_vec(),
        Some("application/json"),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["error"]["code"], "invalid_body");

    let res = send(
        br#"{"email":"a@b.co","password":"12345678"}"#.to_vec(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 415);

    let mut big = br#"{"email":""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', 200_000));
    big.extend(br#"","password":"x"}"#);
    let res = send(big, Some("application/json")).await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(json(res).await["error"]["code"], "payload_too_large");

    // Bad query and path parameters.
    let res = app.get("/api/community/pool?page=-3", None).await;
    assert_eq!(res.status(), 400);
    assert_eq!(json(res).await["error"]["code"], "invalid_query");
    let res = app.get("/api/community/pool?per_page=1000", None).await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn openapi_lists_every_original_path_and_docs_work_offline() {
    let app = TestApp::spawn().await;
    let spec: Value = json(app.get("/openapi.json", None).await).await;
    let paths = spec["paths"].as_object().unwrap();
    for p in [
        "/",
        "/health",
        "/docs",
        "/openapi.json",
        "/api/tiers/checkout",
        "/api/tiers/webhook",
        "/api/tiers/limits/{user}",
        "/api/community/pool",
        "/api/community/pool/claim",
        "/api/community/ranking",
        "/api/leases",
        "/api/leases/public-key",
        "/api/usage",
        "/api/auth/login",
    ] {
        assert!(paths.contains_key(p), "{p} missing from /openapi.json");
    }
    let res = app.get("/docs", None).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("/openapi.json"));
    assert!(
        !html.contains("<script src"),
        "the docs page must not load remote scripts"
    );
    assert!(!html.contains("https://"));
}

#[tokio::test]
async fn landing_page_shows_the_tier_table_in_both_languages() {
    let app = TestApp::spawn().await;
    let en = app.get("/", None).await.text().await.unwrap();
    for price in ["$9.99", "$29.99", "$99.99"] {
        assert!(en.contains(price), "{price} missing");
    }
    assert!(en.contains("3 generations per day"));
    assert!(en.contains("1000 generations per month"));
    assert!(en.contains("lang=\"en\""));
    let es = app.get("/?lang=es", None).await.text().await.unwrap();
    assert!(es.contains("lang=\"es\""));
    assert!(es.contains("50 generaciones al mes"));
    let res = app
        .client
        .get(app.url("/"))
        .header("accept-language", "es-MX,es;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Precios"));
}

#[tokio::test]
async fn graceful_shutdown_stops_the_server() {
    let app = TestApp::spawn().await;
    let addr = app.addr;
    assert_eq!(app.get("/health", None).await.status(), 200);
    app.stop().await;
    assert!(reqwest::get(format!("http://{addr}/health")).await.is_err());
}
