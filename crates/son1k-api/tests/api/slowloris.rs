//! Issue 19 item 2 (slowloris): connections that never finish their headers, or go idle, are
//! closed, and a flood of them from one address cannot keep another client from being answered.

use crate::helpers::*;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A partial request line and header, never finished.
const PARTIAL: &[u8] = b"GET /health HTTP/1.1\r\nHost: loc";

/// A TCP connection to `addr` from `from` that sends `bytes` and never finishes.
async fn half_open(addr: SocketAddr, from: Ipv4Addr, bytes: &[u8]) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(IpAddr::V4(from), 0))
        .expect("bind a loopback source address");
    let mut stream = socket.connect(addr).await.expect("connect");
    if !bytes.is_empty() {
        stream.write_all(bytes).await.expect("write");
    }
    stream
}

/// Whether the server closes `stream` within `within` (end of file or a reset; any bytes it
/// sends first, such as an error answer, are read past).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// A client whose connections come from `from` (another loopback address than the flood's).
fn client_from(from: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(from))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// With the real defaults: 300 half-open connections from one address do not stop a normal
/// request from another address being answered within 1 s; the ones over the per-address cap
/// are closed at once, the rest stay counted against that address only.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slowloris_300_half_open_connections_do_not_block_a_request() {
    let app = TestApp::spawn().await;
    let defaults = son1k_api::Config::with_home(".");
    let cap = defaults.max_connections_per_ip;
    assert!(cap < 300, "the per-address cap ({cap}) is below the flood");
    let flood_from = Ipv4Addr::new(127, 0, 0, 1);
    let mut flood = Vec::new();
    for _ in 0..300 {
        flood.push(half_open(app.addr, flood_from, PARTIAL).await);
    }
    let started = Instant::now();
    let res = client_from(Ipv4Addr::new(127, 0, 0, 2))
        .get(app.url("/health"))
        .send()
        .await
        .expect("the normal request is answered");
    let took = started.elapsed();
    assert_eq!(res.status(), 200);
    eprintln!("/health answered in {took:?} beside 300 half-open connections");
    assert!(
        took < Duration::from_secs(1),
        "answered after {took:?} beside 300 half-open connections"
    );
    // Exactly the connections over the per-address cap were closed.
    let mut closed = 0;
    for s in &mut flood {
        if closed_within(s, Duration::from_millis(20)).await {
            closed += 1;
        }
    }
    assert_eq!(
        closed,
        300 - cap,
        "connections closed by the per-address cap"
    );
}

/// A connection that does not finish its headers within the header-read timeout is closed, even
/// while it trickles a byte at a time; a finished request on a new connection is still answered.
#[tokio::test]
async fn slowloris_unfinished_headers_are_cut_off() {
    let app = TestApp::spawn_with(|c| c.header_read_timeout = Duration::from_secs(1)).await;
    let started = Instant::now();
    let mut partial = half_open(app.addr, Ipv4Addr::LOCALHOST, PARTIAL).await;
    // A byte every 300 ms keeps bytes moving but never finishes the headers.
    let trickle = async {
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if partial.write_all(b"a").await.is_err() {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(3), trickle)
        .await
        .expect("the trickled header is cut off within 3 s");
    let took = started.elapsed();
    assert!(closed_within(&mut partial, Duration::from_millis(500)).await);
    assert!(
        took >= Duration::from_millis(900),
        "closed after {took:?}, before the 1 s header-read timeout"
    );
    assert_eq!(app.get("/health", None).await.status(), 200);
}

/// A connection on which nothing moves is closed by the idle timeout, long before the header-read
/// timeout would; a kept-alive connection that goes quiet after its answer is closed too.
#[tokio::test]
async fn slowloris_idle_connections_are_closed() {
    let app = TestApp::spawn_with(|c| {
        c.header_read_timeout = Duration::from_secs(30);
        c.idle_timeout = Duration::from_millis(500);
    })
    .await;
    let started = Instant::now();
    let mut silent = half_open(app.addr, Ipv4Addr::LOCALHOST, b"").await;
    assert!(
        closed_within(&mut silent, Duration::from_secs(5)).await,
        "a silent connection stays open"
    );
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(400), "closed after {took:?}");

    let mut kept = half_open(
        app.addr,
        Ipv4Addr::LOCALHOST,
        b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    let mut head = [0u8; 12];
    kept.read_exact(&mut head).await.expect("an answer");
    assert_eq!(&head, b"HTTP/1.1 200");
    assert!(
        closed_within(&mut kept, Duration::from_secs(5)).await,
        "an idle kept-alive connection stays open"
    );
}

/// With the global cap reached, a further client waits until a slot frees (the header-read
/// timeout closes the stalled ones) and is then answered.
#[tokio::test]
async fn slowloris_connection_cap_queues_then_answers() {
    let app = TestApp::spawn_with(|c| {
        c.header_read_timeout = Duration::from_secs(1);
        c.max_connections = 20;
    })
    .await;
    let mut flood = Vec::new();
    for _ in 0..20 {
        flood.push(half_open(app.addr, Ipv4Addr::LOCALHOST, PARTIAL).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let res = client_from(Ipv4Addr::new(127, 0, 0, 3))
        .get(app.url("/health"))
        .send()
        .await
        .expect("answered once a slot frees");
    let took = started.elapsed();
    assert_eq!(res.status(), 200);
    assert!(
        took >= Duration::from_millis(500),
        "answered after {took:?}: the cap of 20 did not hold"
    );
    assert!(took < Duration::from_secs(4), "answered after {took:?}");
    drop(flood);
}
