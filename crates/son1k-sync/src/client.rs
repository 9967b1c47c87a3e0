//! A blocking client of the hosted API. Every call has a short connect timeout and an overall
//! timeout, so nothing hangs when the network or the server is gone: such failures come back as
//! [`SyncError::Offline`] naming the URL and `SON1K_API_URL`.

use reqwest::blocking::{RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

use crate::types::{
    CheckoutRequest, CheckoutSession, ClaimRequest, Claimed, Credentials, DeviceStart,
    DeviceStartRequest, DeviceTokenRequest, ErrorBody, Lease, LeaseRequest, Me, PoolPage,
    PublicKey, PublicKeys, RankingPage, Reaction, RefreshRequest, Tokens, UsageRecorded,
    UsageRequest, UserLimits,
};
use crate::SyncError;

/// Where the client goes when neither `SON1K_API_URL` nor the `api_url` setting names a server:
/// the address `son1k-api serve` listens on by default.
pub const DEFAULT_API_URL: &str = "http://127.0.0.1:8080";

/// How long to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a whole request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of one API server.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::blocking::Client,
}

impl Client {
    /// A client of the server at `base` (e.g. `https://api.example.com`), with the default
    /// timeouts.
    pub fn new(base: &str) -> Result<Client, SyncError> {
        Client::with_timeouts(base, CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    /// A client with explicit timeouts (a quick probe uses shorter ones).
    pub fn with_timeouts(
        base: &str,
        connect: Duration,
        total: Duration,
    ) -> Result<Client, SyncError> {
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(SyncError::BadUrl(base));
        }
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(connect)
            .timeout(total)
            .user_agent(concat!("son1k-studio/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Offline {
                url: base.clone(),
                detail: format!("the HTTP client could not start: {e}"),
            })?;
        Ok(Client { base, http })
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn offline(&self, e: &reqwest::Error) -> SyncError {
        let detail = if e.is_timeout() {
            "timed out".to_string()
        } else if e.is_connect() {
            "connection failed".to_string()
        } else {
            // The innermost cause is the useful part ("Connection refused", a DNS failure).
            let mut source: &dyn std::error::Error = e;
            while let Some(next) = source.source() {
                source = next;
            }
            source.to_string()
        };
        SyncError::Offline {
            url: self.base.clone(),
            detail,
        }
    }

    fn send(&self, req: RequestBuilder) -> Result<Response, SyncError> {
        let res = req.send().map_err(|e| self.offline(&e))?;
        let status = res.status();
        if status.is_success() {
            return Ok(res);
        }
        let code = status.as_u16();
        let text = res.text().unwrap_or_default();
        Err(match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => SyncError::Api {
                status: code,
                code: body.error.code,
                message: body.error.message,
            },
            Err(_) => SyncError::Api {
                status: code,
                code: format!("http_{code}"),
                message: format!(
                    "the Son1k API at {} answered HTTP {status}{}",
                    self.base,
                    if text.trim().is_empty() {
                        String::new()
                    } else {
                        format!(": {}", text.chars().take(200).collect::<String>())
                    }
                ),
            },
        })
    }

    fn json<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, SyncError> {
        let res = self.send(req)?;
        let bytes = res.bytes().map_err(|e| self.offline(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol {
            url: self.base.clone(),
            detail: e.to_string(),
        })
    }

    fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T, SyncError> {
        let mut req = self.http.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.json(req)
    }

    fn get<T: DeserializeOwned>(&self, path: &str, token: Option<&str>) -> Result<T, SyncError> {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.json(req)
    }

    /// `GET /health`: Ok when the server answers at all.
    pub fn health(&self) -> Result<(), SyncError> {
        self.send(self.http.get(self.url("/health"))).map(drop)
    }

    /// Creates an account and signs it in.
    pub fn signup(&self, email: &str, password: &str) -> Result<Tokens, SyncError> {
        self.post(
            "/api/auth/signup",
            None,
            &Credentials {
                email: email.to_string(),
                password: password.to_string(),
            },
        )
    }

    /// Signs in with e-mail and password.
    pub fn login(&self, email: &str, password: &str) -> Result<Tokens, SyncError> {
        self.post(
            "/api/auth/login",
            None,
            &Credentials {
                email: email.to_string(),
                password: password.to_string(),
            },
        )
    }

    /// Trades a refresh token (single use) for a new pair.
    pub fn refresh(&self, refresh_token: &str) -> Result<Tokens, SyncError> {
        self.post(
            "/api/auth/refresh",
            None,
            &RefreshRequest {
                refresh_token: refresh_token.to_string(),
            },
        )
    }

    /// Revokes a refresh token on the server.
    pub fn logout(&self, refresh_token: &str) -> Result<(), SyncError> {
        let req = self
            .http
            .post(self.url("/api/auth/logout"))
            .json(&RefreshRequest {
                refresh_token: refresh_token.to_string(),
            });
        self.send(req).map(drop)
    }

    /// The signed-in account.
    pub fn me(&self, token: &str) -> Result<Me, SyncError> {
        self.get("/api/auth/me", Some(token))
    }

    /// Starts a device login: show `user_code` and `verification_uri` to the person, then poll
    /// [`Client::device_token`].
    pub fn device_start(&self, device_name: Option<&str>) -> Result<DeviceStart, SyncError> {
        self.post(
            "/api/device/start",
            None,
            &DeviceStartRequest {
                device_name: device_name.map(str::to_string),
            },
        )
    }

    /// Polls a device login once: the tokens once approved, else an [`SyncError::Api`] with
    /// code `authorization_pending`, `slow_down`, `access_denied`, `expired_token` or
    /// `invalid_grant`.
    pub fn device_token(&self, device_code: &str) -> Result<Tokens, SyncError> {
        self.post(
            "/api/device/token",
            None,
            &DeviceTokenRequest {
                device_code: device_code.to_string(),
                grant_type: None,
            },
        )
    }

    /// Approves (or denies) a device login shown by another app, as the signed-in user.
    pub fn device_approve(
        &self,
        token: &str,
        user_code: &str,
        approve: bool,
    ) -> Result<crate::types::DeviceDecision, SyncError> {
        self.post(
            "/api/device/approve",
            Some(token),
            &crate::types::DeviceApproveRequest {
                user_code: user_code.to_string(),
                approve: Some(approve),
            },
        )
    }

    /// The server's lease-signing public key (to pin on first use).
    pub fn public_key(&self) -> Result<PublicKey, SyncError> {
        self.get("/api/leases/public-key", None)
    }

    /// Every key that verifies a lease valid now, each rotated one with the root key's
    /// endorsement, and the root key itself (the one to pin).
    pub fn public_keys(&self) -> Result<PublicKeys, SyncError> {
        self.get("/api/leases/public-keys", None)
    }

    /// A fresh signed entitlement lease for this device.
    pub fn lease(&self, token: &str, device_id: &str) -> Result<Lease, SyncError> {
        self.post(
            "/api/leases",
            Some(token),
            &LeaseRequest {
                device_id: device_id.to_string(),
            },
        )
    }

    /// The caller's tier, limits and usage.
    pub fn limits(&self, token: &str, user_id: &str) -> Result<UserLimits, SyncError> {
        self.get(&format!("/api/tiers/limits/{user_id}"), Some(token))
    }

    /// A Stripe Checkout session for `tier` (`CREATOR`, `PRO`, `STUDIO`).
    pub fn checkout(&self, token: &str, tier: &str) -> Result<CheckoutSession, SyncError> {
        self.post(
            "/api/tiers/checkout",
            Some(token),
            &CheckoutRequest {
                tier: tier.to_string(),
            },
        )
    }

    /// Records one generation (idempotent by its id).
    pub fn usage(&self, token: &str, body: &UsageRequest) -> Result<UsageRecorded, SyncError> {
        self.post("/api/usage", Some(token), body)
    }

    /// One page of the community pool, optionally one genre.
    pub fn pool_list(
        &self,
        genre: Option<&str>,
        page: u32,
        per_page: u32,
    ) -> Result<PoolPage, SyncError> {
        let mut req = self
            .http
            .get(self.url("/api/community/pool"))
            .query(&[("page", page), ("per_page", per_page)]);
        if let Some(g) = genre {
            req = req.query(&[("genre", g)]);
        }
        self.json(req)
    }

    /// Claims a pool item (a given one, or the oldest not yet claimed).
    pub fn pool_claim(&self, token: &str, item_id: Option<&str>) -> Result<Claimed, SyncError> {
        self.post(
            "/api/community/pool/claim",
            Some(token),
            &ClaimRequest {
                item_id: item_id.map(str::to_string),
            },
        )
    }

    /// Likes a pool item (counted once per user).
    pub fn pool_like(&self, token: &str, item_id: &str) -> Result<Reaction, SyncError> {
        self.post(
            &format!("/api/community/pool/{item_id}/like"),
            Some(token),
            &serde_json::json!({}),
        )
    }

    /// Withdraws one of the caller's own pool contributions.
    pub fn pool_withdraw(&self, token: &str, item_id: &str) -> Result<(), SyncError> {
        let req = self
            .http
            .delete(self.url(&format!("/api/community/pool/{item_id}")))
            .bearer_auth(token);
        self.send(req).map(drop)
    }

    /// Contributors ranked by points, optionally in one genre.
    pub fn ranking(&self, genre: Option<&str>) -> Result<RankingPage, SyncError> {
        let mut req = self.http.get(self.url("/api/community/ranking"));
        if let Some(g) = genre {
            req = req.query(&[("genre", g)]);
        }
        self.json(req)
    }
}
