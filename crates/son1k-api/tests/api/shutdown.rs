use crate::prom_text::{parse, value};
use serde_json::{json, Value};
use son1k_api::{AppState, Shutdown};
use son1k_testkit::Home;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "metrics-token-0123456789abcdef";
/// Requests left half-sent when shutdown begins.
const SLOW: usize = 8;

async fn in_flight(client: &reqwest::Client, addr: std::net::SocketAddr) -> f64 {
    let text = client
        .get(format!("http://{addr}/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let exp = parse(&text).unwrap();
    value(
        &exp,
        "http_requests_in_flight",
        "http_requests_in_flight",
        &[],
    )
    .unwrap()
}

/// Shutdown under load: requests the server has accepted (their headers read, their bodies still
/// arriving) are all answered and stored; new connections are refused from the moment shutdown
/// begins; `serve` then returns.
#[tokio::test]
async fn shutdown_drains_accepted_requests_and_refuses_new_ones() {
    let home = Home::new().await;
    let mut config = home.config();
    config.metrics_token = Some(TOKEN.into());
    let state = AppState::open(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = Shutdown::new();
    let server = tokio::spawn(son1k_api::serve(state, listener, shutdown.wait()));
    let client = reqwest::Client::new();
    let email = format!("u{}@example.com", uuid::Uuid::new_v4().simple());
    let signed: Value = client
        .post(format!("http://{addr}/api/auth/signup"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed["access_token"].as_str().unwrap().to_string();

    // SLOW requests: headers and half of each body sent, the rest held back.
    let mut pending = Vec::new();
    for _ in 0..SLOW {
        let id = uuid::Uuid::new_v4().to_string();
        let body = json!({"consent": true, "events": [{"id": id, "name": "generate", "at": 1}]})
            .to_string();
        let head = format!(
            "POST /api/analytics HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let (first, rest) = body.split_at(body.len() / 2);
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(format!("{head}{first}").as_bytes())
            .await
            .unwrap();
        pending.push((stream, rest.to_string()));
    }
    // Wait until the server is handling all of them (plus the scrape asking).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = in_flight(&client, addr).await;
        if n == (SLOW + 1) as f64 {
            break;
        }
        assert!(Instant::now() < deadline, "only {n} requests in flight");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(client);

    shutdown.trigger();
    assert!(shutdown.is_triggered());
    // New connections are refused once the listener is closed.
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(addr).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "still accepting 5 s after shutdown"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !server.is_finished(),
        "serve returned with requests in flight"
    );

    // Every accepted request completes.
    for (mut stream, rest) in pending {
        stream.write_all(rest.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
            .await
            .expect("the answer arrives and the connection closes")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"accepted\":1"), "{answer}");
    }
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("serve returns after draining")
        .unwrap()
        .unwrap();

    // And what they sent is stored.
    let state = AppState::open(home.config()).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM analytics_events")
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, SLOW as i64);
}

#[tokio::test]
async fn a_trigger_fired_before_serving_stops_at_once_and_waits_resolve_after_firing() {
    let shutdown = Shutdown::new();
    let early = shutdown.wait();
    shutdown.trigger();
    tokio::time::timeout(Duration::from_secs(1), early)
        .await
        .expect("a wait made before the trigger resolves");
    tokio::time::timeout(Duration::from_secs(1), shutdown.clone().wait())
        .await
        .expect("a wait made after the trigger resolves");

    // A trigger dropped unfired can never fire: its waits stay pending.
    let orphan = Shutdown::new().wait();
    assert!(tokio::time::timeout(Duration::from_millis(200), orphan)
        .await
        .is_err());

    let home = Home::new().await;
    let state = AppState::open(home.config()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    tokio::time::timeout(
        Duration::from_secs(5),
        son1k_api::serve(state, listener, shutdown.wait()),
    )
    .await
    .expect("serve returns")
    .unwrap();
}
