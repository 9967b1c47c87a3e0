//! Throttles for the routes anyone can call without a token (login, sign-up, device-login start)
//! and for password checks: counters per client address, per account and per address and
//! account, kept in the database so every instance shares them, plus a global limit per
//! instance.
//!
//! Each counter is a fixed window that starts with its first attempt and is never extended by
//! refused attempts, so a lock always expires. A counter whose window ended over its limit
//! opens its next window twice as long (up to 2^[`MAX_STRIKES`] times), which backs off a client
//! that keeps hitting a limit; a window that ends within the limit resets that. Login counters
//! are charged before the password is checked (so parallel guesses cannot overrun them) and
//! refunded when it was right, so they count failures.
//!
//! Which counters a login passes ([`crate::Config`] sets every number):
//! * address + account (`login_attempts` per `login_window`): someone guessing one account from
//!   one address; the account's owner signing in from elsewhere is not affected;
//! * account (`account_login_attempts`): a guess spread over many addresses;
//! * address (`ip_login_attempts`): password spraying, few guesses at many accounts;
//! * global (`global_auth_per_minute`, this instance): a flood from everywhere.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth::AuthError;
use crate::db::{now, Backend};
use crate::AppState;

/// A counter's window doubles at most this many times (a 5-minute window backs off to 80).
pub const MAX_STRIKES: i64 = 4;

/// A budget: at most `max` attempts per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed in one window.
    pub max: u32,
    /// The window's length (before any backoff).
    pub window: Duration,
}

/// The client's address as the throttles see it: the TCP peer, or with
/// [`crate::Config::trust_forwarded_for`] the last address in `X-Forwarded-For` (what the
/// trusted proxy in front saw). IPv6 addresses are grouped by their /64, which one host
/// usually holds whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key this address is counted under.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                    format!("{net}/64")
                }
            },
        }
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        if state.config.trust_forwarded_for {
            // The last address is the one the trusted proxy itself saw; earlier ones are the
            // client's to write.
            let mut forwarded = None;
            for value in parts.headers.get_all("x-forwarded-for") {
                for addr in value.to_str().unwrap_or_default().split(',') {
                    forwarded = addr.trim().parse::<IpAddr>().ok();
                }
            }
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        Ok(ClientIp(peer))
    }
}

/// The per-instance limit on unauthenticated auth requests (login, sign-up, device start).
#[derive(Debug)]
pub struct Global {
    per_minute: u32,
    state: Mutex<(Instant, u32)>,
}

impl Global {
    /// At most `per_minute` requests per minute on this instance.
    pub fn new(per_minute: u32) -> Global {
        Global {
            per_minute,
            state: Mutex::new((Instant::now(), 0)),
        }
    }

    /// Counts one request; refuses with the seconds until the minute ends once it is spent.
    pub fn take(&self) -> Result<(), AuthError> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let elapsed = s.0.elapsed();
        if elapsed >= Duration::from_secs(60) {
            *s = (Instant::now(), 0);
        }
        if s.1 >= self.per_minute {
            let left = Duration::from_secs(60).saturating_sub(s.0.elapsed());
            return Err(AuthError::Throttled(left.as_secs().max(1) as i64));
        }
        s.1 += 1;
        Ok(())
    }
}

/// Charges one attempt to `bucket`; refuses (with the seconds until its window ends) when its
/// window's budget is spent. `subject` names the account a bucket is about, so deleting the
/// account forgets it ([`forget_subject`]).
pub(crate) async fn charge(
    state: &AppState,
    bucket: &str,
    subject: Option<&str>,
    limit: Limit,
) -> Result<(), AuthError> {
    let now = now();
    let base = limit.window.as_secs().max(1) as i64;
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO login_attempts (bucket, attempts, window_end, strikes, subject) \
         VALUES ($1, 0, $2, 0, $3) ON CONFLICT (bucket) DO NOTHING",
    )
    .bind(bucket)
    .bind(now + base)
    .bind(subject)
    .execute(&mut **tx)
    .await?;
    let lock = match state.db.backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let (attempts, window_end, strikes): (i64, i64, Option<i64>) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT attempts, window_end, strikes FROM login_attempts WHERE bucket = $1{lock}"
        )))
        .bind(bucket)
        .fetch_one(&mut **tx)
        .await?;
    let max = i64::from(limit.max);
    let (attempts, window_end, strikes) = if window_end <= now {
        // A new window: longer after one that ended over its budget, reset after one within it.
        let strikes = if attempts > max {
            (strikes.unwrap_or(0) + 1).min(MAX_STRIKES)
        } else {
            0
        };
        (1, now + (base << strikes), strikes)
    } else {
        (attempts + 1, window_end, strikes.unwrap_or(0))
    };
    sqlx::query(
        "UPDATE login_attempts SET attempts = $2, window_end = $3, strikes = $4 WHERE bucket = $1",
    )
    .bind(bucket)
    .bind(attempts)
    .bind(window_end)
    .bind(strikes)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    if attempts > max {
        return Err(AuthError::RateLimited((window_end - now).max(1)));
    }
    Ok(())
}

/// Gives back one attempt charged to `bucket` (a login whose password was right).
pub(crate) async fn refund(state: &AppState, bucket: &str) -> Result<(), AuthError> {
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "UPDATE login_attempts SET attempts = attempts - 1 WHERE bucket = $1 AND attempts > 0",
    )
    .bind(bucket)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets every counter about the account `subject` (its e-mail address).
pub(crate) async fn forget_subject(
    tx: &mut crate::db::WriteTx,
    subject: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE subject = $1")
        .bind(subject)
        .execute(&mut ***tx)
        .await?;
    Ok(())
}

/// The counters a password check for `email` from `ip` goes through, in order.
fn login_buckets(
    state: &AppState,
    email: &str,
    ip: ClientIp,
) -> [(String, Option<String>, Limit); 3] {
    let c = &state.config;
    let window = c.login_window;
    let ip = ip.key();
    [
        (
            format!("login-ip:{ip}"),
            None,
            Limit {
                max: c.ip_login_attempts,
                window,
            },
        ),
        (
            format!("login-account:{email}"),
            Some(email.to_string()),
            Limit {
                max: c.account_login_attempts,
                window,
            },
        ),
        (
            format!("login:{email}|{ip}"),
            Some(email.to_string()),
            Limit {
                max: c.login_attempts,
                window,
            },
        ),
    ]
}

/// Charges a password check for `email` from `ip` to every login counter; refuses when one is
/// spent (the ones before it are refunded, so a refused attempt does not count twice).
pub(crate) async fn charge_login(
    state: &AppState,
    email: &str,
    ip: ClientIp,
) -> Result<(), AuthError> {
    let buckets = login_buckets(state, email, ip);
    for (i, (bucket, subject, limit)) in buckets.iter().enumerate() {
        if let Err(e) = charge(state, bucket, subject.as_deref(), *limit).await {
            for (earlier, _, _) in &buckets[..i] {
                refund(state, earlier).await?;
            }
            return Err(e);
        }
    }
    Ok(())
}

/// After a right password: the address + account counter is cleared (and its backoff with it),
/// the others get their attempt back, so only failures count against them.
pub(crate) async fn login_succeeded(
    state: &AppState,
    email: &str,
    ip: ClientIp,
) -> Result<(), AuthError> {
    let [(by_ip, ..), (by_account, ..), (pair, ..)] = login_buckets(state, email, ip);
    refund(state, &by_ip).await?;
    refund(state, &by_account).await?;
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM login_attempts WHERE bucket = $1")
        .bind(&pair)
        .execute(&mut **tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Charges one unauthenticated request of `kind` (`signup`, `device-start`) from `ip` to the
/// global limit and to that kind's per-address counter.
pub(crate) async fn charge_anonymous(
    state: &AppState,
    kind: &str,
    ip: ClientIp,
    limit: Limit,
) -> Result<(), AuthError> {
    state.throttle.take()?;
    charge(state, &format!("{kind}-ip:{}", ip.key()), None, limit).await
}
