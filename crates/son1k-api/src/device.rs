//! Device login for the desktop app, after the OAuth 2.0 device authorization grant (RFC 8628) in
//! this API's JSON shape.
//!
//! 1. The app calls `POST /api/device/start` and gets a secret `device_code` (kept by the app) and a
//!    short `user_code` with a verification URL (shown to the person).
//! 2. The person signs in on the web (`/device`, or any client) and sends the `user_code` to
//!    `POST /api/device/approve` (or denies it). The approval binds the session to *their* account;
//!    the approver never sees the `device_code` or any token of the session.
//! 3. The app polls `POST /api/device/token` with the `device_code` no faster than `interval`
//!    seconds: `authorization_pending` until a decision, `slow_down` (interval + 5 s) when it polls
//!    too fast, `access_denied`, `expired_token` after `expires_in`, and finally the token pair,
//!    handed out once (the session is deleted when it is delivered).
//!
//! Only a hash of the device code is stored. A session can be decided once: a second user cannot
//! re-approve or deny it, so nobody can redirect a session that someone else approved. Approval
//! attempts are rate-limited per account like logins, which keeps guessing user codes (20^8
//! possibilities, valid for minutes) hopeless.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::{issue_tokens, AuthError, AuthUser, Tokens};
use crate::db::{now, now_ms};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::keys::random_bytes;
use crate::server::LocalAddr;
use crate::throttle::{self, ClientIp, Limit};
use crate::AppState;
pub use son1k_api_types::{
    DeviceApproveRequest, DeviceDecision, DeviceStart, DeviceStartRequest, DeviceTokenRequest,
};

/// Letters user codes are made of: consonants only (no words), without look-alikes such as 0/O, 1/I.
pub const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// Letters in a user code (shown as two groups of four: `BCDF-GHJK`).
pub const USER_CODE_LEN: usize = 8;
/// The grant type RFC 8628 names; `grant_type` may be omitted, but if sent it must be this.
pub const DEVICE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The largest poll interval `slow_down` grows to, in seconds.
pub const MAX_INTERVAL: i64 = 60;
/// Expired sessions are kept this long (seconds) so late polls still get `expired_token`.
const EXPIRED_GRACE: i64 = 3600;

/// Errors of the device login routes. The polling errors use RFC 8628's codes.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// A field is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// `grant_type` is not the device grant.
    #[error("grant_type must be {DEVICE_GRANT_TYPE} (or left out)")]
    UnsupportedGrantType,
    /// Nobody has approved or denied the session yet.
    #[error("waiting for the user to approve the code; poll again after the interval")]
    AuthorizationPending,
    /// The app polls faster than its interval.
    #[error("polling too fast; wait {0} s between polls")]
    SlowDown(i64),
    /// The user denied the session.
    #[error("the user denied this device login")]
    AccessDenied,
    /// The session expired before it was approved or collected.
    #[error("the device code has expired; start a new device login")]
    ExpiredToken,
    /// The device code is unknown or its tokens were already handed out.
    #[error(
        "unknown device code, or its tokens were already handed out; start a new device login"
    )]
    InvalidGrant,
    /// No pending session has this user code (wrong, expired, or decided by someone else).
    #[error("no pending device login has this code; check the code shown by the app, or start again there")]
    UnknownCode,
    /// Too many approval attempts by this account, or device logins started from this address.
    #[error("too many device login attempts; try again in {0} s")]
    RateLimited(i64),
    /// The database failed.
    #[error("the database is unavailable; try again shortly")]
    Db(#[from] sqlx::Error),
    /// Issuing the tokens failed.
    #[error("could not issue tokens; try again shortly")]
    Tokens(String),
}

impl From<AuthError> for DeviceError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::RateLimited(s) | AuthError::Throttled(s) => DeviceError::RateLimited(s),
            AuthError::Db(e) => DeviceError::Db(e),
            other => DeviceError::Tokens(other.to_string()),
        }
    }
}

impl ApiError for DeviceError {
    fn status(&self) -> StatusCode {
        match self {
            DeviceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DeviceError::UnsupportedGrantType
            | DeviceError::AuthorizationPending
            | DeviceError::SlowDown(_)
            | DeviceError::AccessDenied
            | DeviceError::ExpiredToken
            | DeviceError::InvalidGrant => StatusCode::BAD_REQUEST,
            DeviceError::UnknownCode => StatusCode::NOT_FOUND,
            DeviceError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            DeviceError::Db(_) | DeviceError::Tokens(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            DeviceError::Invalid(_) => "invalid_input",
            DeviceError::UnsupportedGrantType => "unsupported_grant_type",
            DeviceError::AuthorizationPending => "authorization_pending",
            DeviceError::SlowDown(_) => "slow_down",
            DeviceError::AccessDenied => "access_denied",
            DeviceError::ExpiredToken => "expired_token",
            DeviceError::InvalidGrant => "invalid_grant",
            DeviceError::UnknownCode => "unknown_code",
            DeviceError::RateLimited(_) => "rate_limited",
            DeviceError::Db(_) => "database_unavailable",
            DeviceError::Tokens(_) => "token_issue_failed",
        }
    }
}

impl IntoResponse for DeviceError {
    fn into_response(self) -> Response {
        let mut res = crate::error::respond(&self);
        if let DeviceError::SlowDown(secs) | DeviceError::RateLimited(secs) = self {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

fn new_user_code() -> String {
    let mut code = String::with_capacity(USER_CODE_LEN);
    while code.len() < USER_CODE_LEN {
        // Rejection sampling keeps every letter equally likely (240 = 12 × 20).
        for b in random_bytes::<16>() {
            if b < 240 && code.len() < USER_CODE_LEN {
                code.push(char::from(USER_CODE_ALPHABET[usize::from(b % 20)]));
            }
        }
    }
    code
}

/// `BCDFGHJK` → `BCDF-GHJK`.
fn display_code(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

/// Uppercases and drops dashes and spaces; `None` unless the result is a well-formed code.
pub fn normalise_user_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok = code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    ok.then_some(code)
}

fn device_code_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// The approval page's address: under `PUBLIC_URL`, or (a development server on loopback,
/// see [`crate::server::check_public_url`]) the address this request came in on; never the
/// request's `Host` header, which the caller chooses.
fn verification_uri(state: &AppState, local: LocalAddr) -> String {
    let base = match (&state.config.public_url, local.0) {
        (Some(url), _) => url.trim_end_matches('/').to_string(),
        (None, Some(addr)) => format!("http://{addr}"),
        (None, None) => "http://127.0.0.1".to_string(),
    };
    format!("{base}/device")
}

/// Starts a device login for the desktop app: a secret device code for the app and a short user
/// code for the person, who approves it while signed in. No token needed.
#[utoipa::path(post, path = "/api/device/start", tag = "device", request_body = DeviceStartRequest,
    responses((status = 200, body = DeviceStart), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    ip: ClientIp,
    local: LocalAddr,
    ApiJson(body): ApiJson<DeviceStartRequest>,
) -> Result<axum::Json<DeviceStart>, DeviceError> {
    let limit = Limit {
        max: state.config.device_starts_per_ip,
        window: state.config.login_window,
    };
    throttle::charge_anonymous(&state, "device-start", ip, limit).await?;
    let device_name = match body.device_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) if name.chars().count() > 100 || name.chars().any(char::is_control) => {
            return Err(DeviceError::Invalid(
                "device_name must be at most 100 printable characters".into(),
            ))
        }
        Some(name) => Some(name.to_string()),
    };
    let now = now();
    let ttl = state.config.device_code_ttl.as_secs().max(1) as i64;
    let interval = state.config.device_poll_interval.as_secs() as i64;
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM device_sessions WHERE expires_at <= $1")
        .bind(now - EXPIRED_GRACE)
        .execute(&mut **tx)
        .await?;
    // A user code may collide with a live one (1 in 20^8 per live session); draw again then.
    for _ in 0..8 {
        let device_code = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            random_bytes::<32>(),
        );
        let user_code = new_user_code();
        let inserted = sqlx::query(
            "INSERT INTO device_sessions (device_code_hash, user_code, device_name, status, \
             created_at, expires_at, interval_s) VALUES ($1, $2, $3, 'pending', $4, $5, $6) \
             ON CONFLICT DO NOTHING",
        )
        .bind(device_code_hash(&device_code))
        .bind(&user_code)
        .bind(&device_name)
        .bind(now)
        .bind(now + ttl)
        .bind(interval)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            tx.commit().await?;
            let uri = verification_uri(&state, local);
            let shown = display_code(&user_code);
            return Ok(axum::Json(DeviceStart {
                device_code,
                verification_uri_complete: format!("{uri}?code={shown}"),
                verification_uri: uri,
                user_code: shown,
                expires_in: ttl,
                interval,
            }));
        }
    }
    Err(DeviceError::Tokens(
        "could not draw a free user code".into(),
    ))
}

/// Approves (or denies) a device login by its user code, for the signed-in caller's account. A
/// session is decided once; the answer never contains a token.
#[utoipa::path(post, path = "/api/device/approve", tag = "device", request_body = DeviceApproveRequest,
    security(("bearer" = [])),
    responses((status = 200, body = DeviceDecision), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<DeviceApproveRequest>,
) -> Result<axum::Json<DeviceDecision>, DeviceError> {
    crate::auth::count_in_bucket(&state, &format!("device-approve:{}", user.id)).await?;
    let code = normalise_user_code(&body.user_code).ok_or(DeviceError::UnknownCode)?;
    let status = if body.approve.unwrap_or(true) {
        "approved"
    } else {
        "denied"
    };
    let now = now();
    let mut tx = state.db.begin_write().await?;
    let decided: Option<(Option<String>,)> = sqlx::query_as(
        "UPDATE device_sessions SET status = $1, user_id = $2 \
         WHERE user_code = $3 AND status = 'pending' AND expires_at > $4 RETURNING device_name",
    )
    .bind(status)
    .bind(&user.id)
    .bind(&code)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let device_name = match decided {
        Some((name,)) => name,
        None => {
            // Repeating one's own decision is harmless; anything else looks like a wrong code,
            // so nobody learns which codes exist or who decided them.
            let row: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT status, user_id, device_name FROM device_sessions \
                 WHERE user_code = $1 AND expires_at > $2",
            )
            .bind(&code)
            .bind(now)
            .fetch_optional(&mut **tx)
            .await?;
            match row {
                Some((s, Some(uid), name)) if s == status && uid == user.id => name,
                _ => return Err(DeviceError::UnknownCode),
            }
        }
    };
    tx.commit().await?;
    Ok(axum::Json(DeviceDecision {
        status: status.to_string(),
        device_name,
    }))
}

/// Polls a device login: `authorization_pending`, `slow_down`, `access_denied`, `expired_token`
/// and `invalid_grant` are 400 answers with those codes (RFC 8628); once approved, the token pair
/// of the approving account, handed out once.
#[utoipa::path(post, path = "/api/device/token", tag = "device", request_body = DeviceTokenRequest,
    responses((status = 200, body = Tokens), (status = 400, body = ErrorBody)))]
pub async fn token(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DeviceTokenRequest>,
) -> Result<axum::Json<Tokens>, DeviceError> {
    if body
        .grant_type
        .as_deref()
        .is_some_and(|g| g != DEVICE_GRANT_TYPE)
    {
        return Err(DeviceError::UnsupportedGrantType);
    }
    let hash = device_code_hash(&body.device_code);
    let now_ms = now_ms();
    let mut tx = state.db.begin_write().await?;
    // One statement records the poll and tells whether it came too early (every SET expression
    // sees the row as it was before the update, on SQLite and PostgreSQL alike).
    let row: Option<(String, Option<String>, i64, i64, i64)> = sqlx::query_as(
        "UPDATE device_sessions SET \
           slowed = CASE WHEN last_poll_ms IS NOT NULL AND $2 < last_poll_ms + interval_s * 1000 THEN 1 ELSE 0 END, \
           interval_s = CASE WHEN last_poll_ms IS NOT NULL AND $2 < last_poll_ms + interval_s * 1000 \
             THEN (CASE WHEN interval_s + 5 > $3 THEN $3 ELSE interval_s + 5 END) ELSE interval_s END, \
           last_poll_ms = $2 \
         WHERE device_code_hash = $1 \
         RETURNING status, user_id, expires_at, interval_s, slowed",
    )
    .bind(&hash)
    .bind(now_ms)
    .bind(MAX_INTERVAL)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((status, user_id, expires_at, interval, slowed)) = row else {
        tx.commit().await?;
        return Err(DeviceError::InvalidGrant);
    };
    let forget = "DELETE FROM device_sessions WHERE device_code_hash = $1";
    if expires_at * 1000 <= now_ms {
        sqlx::query(forget).bind(&hash).execute(&mut **tx).await?;
        tx.commit().await?;
        return Err(DeviceError::ExpiredToken);
    }
    if slowed != 0 {
        tx.commit().await?;
        return Err(DeviceError::SlowDown(interval));
    }
    match (status.as_str(), user_id) {
        ("approved", Some(user_id)) => {
            let gone = sqlx::query(forget)
                .bind(&hash)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                .bind(&user_id)
                .fetch_optional(&mut **tx)
                .await?;
            tx.commit().await?;
            if gone != 1 || exists.is_none() {
                return Err(DeviceError::InvalidGrant);
            }
            Ok(axum::Json(issue_tokens(&state, &user_id).await?))
        }
        ("denied", _) => {
            sqlx::query(forget).bind(&hash).execute(&mut **tx).await?;
            tx.commit().await?;
            Err(DeviceError::AccessDenied)
        }
        _ => {
            tx.commit().await?;
            Err(DeviceError::AuthorizationPending)
        }
    }
}

const DEVICE_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Son1k Studio — connect a device / conectar un dispositivo</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:1rem}
label{display:block;margin:.8em 0 .2em}input{width:100%;padding:.5em;font-size:1rem;box-sizing:border-box}
#code{text-transform:uppercase;letter-spacing:.2em;font-family:monospace}button{margin-top:1em;padding:.6em 1.2em;font-size:1rem}
#out{margin-top:1em;font-weight:bold}</style></head>
<body><h1>Connect Son1k Studio</h1>
<p>Enter the code the app shows and sign in to link it to your account.<br>
<i>Introduce el código que muestra la aplicación e inicia sesión para vincularla a tu cuenta.</i></p>
<form id="f">
<label for="code">Code / Código</label><input id="code" autocomplete="off" placeholder="BCDF-GHJK" required>
<label for="email">E-mail</label><input id="email" type="email" autocomplete="username" required>
<label for="pw">Password / Contraseña</label><input id="pw" type="password" autocomplete="current-password" required>
<button id="ok" type="submit">Approve / Aprobar</button> <button id="no" type="button">Deny / Rechazar</button>
</form><p id="out" role="status"></p>
<script>
const q=new URLSearchParams(location.search); if(q.get('code')) document.getElementById('code').value=q.get('code');
async function decide(approve){
  const out=document.getElementById('out'); out.textContent='…';
  const post=(url,body,token)=>fetch(url,{method:'POST',headers:Object.assign({'Content-Type':'application/json'},token?{Authorization:'Bearer '+token}:{}),body:JSON.stringify(body)}).then(async r=>[r.status,await r.json().catch(()=>({}))]);
  const [ls,login]=await post('/api/auth/login',{email:document.getElementById('email').value,password:document.getElementById('pw').value});
  if(ls!==200){out.textContent=(login.error&&login.error.message)||('Sign-in failed ('+ls+')');return;}
  const [ds,d]=await post('/api/device/approve',{user_code:document.getElementById('code').value,approve},login.access_token);
  out.textContent=ds===200?(d.status==='approved'?'Approved: return to the app. / Aprobado: vuelve a la aplicación.':'Denied. / Rechazado.'):((d.error&&d.error.message)||('Failed ('+ds+')'));
}
document.getElementById('f').onsubmit=e=>{e.preventDefault();decide(true);};
document.getElementById('no').onclick=()=>decide(false);
</script></body></html>"#;

/// The page where a person approves a device login (`verification_uri`); `?code=` pre-fills it.
#[utoipa::path(get, path = "/device", tag = "device",
    responses((status = 200, description = "HTML device approval page", content_type = "text/html")))]
pub async fn page() -> Html<&'static str> {
    Html(DEVICE_PAGE)
}
