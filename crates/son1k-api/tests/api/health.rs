use crate::helpers::*;
use son1k_api::{AppState, Shutdown};
use son1k_testkit::Home;

/// Serves `state` on 127.0.0.1 port 0; the handle stops it.
async fn serve(
    state: AppState,
) -> (
    std::net::SocketAddr,
    Shutdown,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = Shutdown::new();
    let server = tokio::spawn(son1k_api::serve(state, listener, shutdown.wait()));
    (addr, shutdown, server)
}

#[tokio::test]
async fn ready_checks_the_database_and_live_only_the_process() {
    let home = Home::new().await;
    let state = AppState::open(home.config()).await.unwrap();
    let expected_db = match state.db.backend {
        son1k_api::db::Backend::Sqlite => "sqlite",
        son1k_api::db::Backend::Postgres => "postgres",
    };
    let (addr, shutdown, server) = serve(state.clone()).await;
    let get = |path: &'static str| async move {
        reqwest::get(format!("http://{addr}{path}")).await.unwrap()
    };

    let live = get("/health/live").await;
    assert_eq!(live.status(), 200);
    assert_eq!(json(live).await["status"], "alive");
    let ready = get("/health/ready").await;
    assert_eq!(ready.status(), 200);
    let body = json(ready).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], expected_db);
    assert_eq!(get("/health").await.status(), 200);

    // The database goes away (every connection closed, none can be opened).
    state.db.pool.close().await;
    let ready = get("/health/ready").await;
    assert_eq!(ready.status(), 503);
    assert!(ready
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .starts_with("application/json"));
    let body = json(ready).await;
    assert_eq!(body["error"]["code"], "database_unavailable");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains(expected_db));
    // The old route reports the same, in its own shape.
    let old = get("/health").await;
    assert_eq!(old.status(), 503);
    assert_eq!(json(old).await["status"], "degraded");
    // The process is still alive: an orchestrator must not restart it for a database outage.
    let live = get("/health/live").await;
    assert_eq!(live.status(), 200);
    assert_eq!(json(live).await["status"], "alive");

    shutdown.trigger();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_probes_are_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let spec = json(app.get("/openapi.json", None).await).await;
    for path in ["/health", "/health/live", "/health/ready"] {
        assert!(spec["paths"][path]["get"].is_object(), "{path} missing");
    }
    assert!(spec["paths"]["/health/ready"]["get"]["responses"]["503"].is_object());
}

#[tokio::test]
async fn ready_gives_up_after_its_timeout_when_the_pool_is_exhausted() {
    let home = Home::new().await;
    let state = AppState::open(home.config()).await.unwrap();
    let (addr, shutdown, server) = serve(state.clone()).await;
    // Hold every connection the pool may open, so the probe's query waits for one.
    let max = state.db.pool.options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..max {
        held.push(state.db.pool.acquire().await.unwrap());
    }
    let start = std::time::Instant::now();
    let ready = reqwest::get(format!("http://{addr}/health/ready"))
        .await
        .unwrap();
    let took = start.elapsed();
    assert_eq!(ready.status(), 503);
    assert_eq!(json(ready).await["error"]["code"], "database_unavailable");
    assert!(
        took >= son1k_api::health::READY_TIMEOUT && took < std::time::Duration::from_secs(8),
        "{took:?}"
    );
    drop(held);
    let ready = reqwest::get(format!("http://{addr}/health/ready"))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    shutdown.trigger();
    server.await.unwrap().unwrap();
}
