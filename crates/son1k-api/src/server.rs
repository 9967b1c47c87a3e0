//! The connection layer: accepts TCP connections and serves HTTP/1.1 on them with the limits that
//! keep slow or idle clients from holding the server (slowloris):
//!
//! * **Header-read timeout** ([`Config::header_read_timeout`]): a request's headers must arrive
//!   within it, counted from when the server starts waiting for them (a new connection, or the
//!   next request on a kept-alive one); otherwise hyper closes the connection.
//! * **Idle timeout** ([`Config::idle_timeout`]): a connection on which no byte moved for that
//!   long, with no request being handled, is closed (a client that stops reading its answer).
//! * **Connection caps**: at most [`Config::max_connections`] connections at once (further
//!   clients wait in the kernel's backlog until one closes) and at most
//!   [`Config::max_connections_per_ip`] from one address (further ones are closed at once), so a
//!   single source cannot take every slot.
//!
//! Each request carries its peer address as [`axum::extract::ConnectInfo`], which the throttles
//! read.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::Config;

/// The address a request came in on (this server's end of the connection). Handlers take it
/// as an extractor; it is `None` only for requests that did not come through [`run`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for LocalAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<LocalAddr>()
            .copied()
            .unwrap_or(LocalAddr(None)))
    }
}

/// Checks that a server listening on `local` knows where users reach it: `PUBLIC_URL` must be an
/// `http://` or `https://` URL with a host, and may be left out only on loopback (development),
/// where links use the listening address. Links are never built from a request's `Host` header.
pub fn check_public_url(config: &Config, local: SocketAddr) -> Result<(), String> {
    match config.public_url.as_deref() {
        Some(url) => {
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            let host = rest.map(|r| r.split('/').next().unwrap_or(""));
            match host {
                Some(h)
                    if !h.is_empty()
                        && !url.chars().any(|c| c.is_whitespace() || c.is_control()) =>
                {
                    Ok(())
                }
                _ => Err(format!(
                    "PUBLIC_URL={url:?} is not a URL like https://api.example.com"
                )),
            }
        }
        None if local.ip().is_loopback() => Ok(()),
        None => Err(format!(
            "PUBLIC_URL is not set: a server listening on {local} must be told the address users \
             reach it at (e.g. PUBLIC_URL=https://api.example.com); only a server on loopback \
             (development) may go without"
        )),
    }
}

/// The connection limits, copied out of the [`Config`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// See [`Config::header_read_timeout`].
    pub header_read_timeout: Duration,
    /// See [`Config::idle_timeout`].
    pub idle_timeout: Duration,
    /// See [`Config::max_connections`].
    pub max_connections: usize,
    /// See [`Config::max_connections_per_ip`].
    pub max_connections_per_ip: usize,
    /// How long shutdown waits for open connections to finish their requests.
    pub grace: Duration,
}

impl Limits {
    /// The limits `config` asks for (each cap at least 1).
    pub fn of(config: &Config) -> Limits {
        Limits {
            header_read_timeout: config.header_read_timeout,
            idle_timeout: config.idle_timeout,
            max_connections: config.max_connections.max(1),
            max_connections_per_ip: config.max_connections_per_ip.max(1),
            grace: config.request_timeout + Duration::from_secs(1),
        }
    }
}

/// When bytes last moved on a connection and how many of its requests are being handled.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }
    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }
    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
    /// Resolves once the connection has been idle (no bytes, no request in flight) for `limit`.
    async fn idle_expired(&self, limit: Duration) {
        loop {
            let idle = self.idle_for();
            if idle >= limit && self.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            let wait = limit.saturating_sub(idle).max(Duration::from_millis(100));
            tokio::time::sleep(wait).await;
        }
    }
}

/// Counts a request as in flight until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: &Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A TCP stream that records when bytes last moved on it.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Open connections per peer address.
type PerIp = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One connection's place in the per-address count, given back when dropped.
struct IpSlot {
    map: PerIp,
    ip: IpAddr,
}

impl IpSlot {
    /// Takes a slot for `ip`, or `None` when it already has `cap` connections open.
    fn take(map: &PerIp, ip: IpAddr, cap: usize) -> Option<IpSlot> {
        let mut m = map.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(IpSlot {
            map: map.clone(),
            ip,
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut m = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` with `limits` until `shutdown` resolves; then stops accepting,
/// lets open connections finish their requests (at most [`Limits::grace`]) and returns.
pub async fn run(
    app: Router,
    listener: TcpListener,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    tokio::pin!(shutdown);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let per_ip: PerIp = Arc::default();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    loop {
        while tasks.try_join_next().is_some() {}
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors or a connection reset before accept: wait a little
                // instead of spinning, then carry on.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(slot) = IpSlot::take(&per_ip, peer.ip(), limits.max_connections_per_ip) else {
            tracing::debug!(peer = %peer.ip(), "per-address connection cap reached; closed");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().ok();
        let app = app.clone();
        let stop = stop_rx.clone();
        tasks.spawn(async move {
            serve_connection(app, stream, peer, local, limits, stop).await;
            drop(slot);
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(limits.grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = tasks.len(),
            "connections still open after the shutdown grace; closing them"
        );
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    Ok(())
}

/// Serves HTTP/1.1 on one connection until the client closes it, a limit closes it, or shutdown.
async fn serve_connection(
    app: Router,
    stream: TcpStream,
    peer: SocketAddr,
    local: Option<SocketAddr>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let in_requests = activity.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        let guard = InFlight::new(&in_requests);
        req.extensions_mut().insert(ConnectInfo(peer));
        req.extensions_mut().insert(LocalAddr(local));
        let app = app.clone();
        async move {
            let res = app.oneshot(req).await;
            drop(guard);
            res
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = *stop.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(peer = %peer, error = %e, "connection closed");
                }
                return;
            }
            () = activity.idle_expired(limits.idle_timeout) => {
                tracing::debug!(peer = %peer, "idle connection closed");
                return;
            }
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_err() || *stop.borrow() {
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
