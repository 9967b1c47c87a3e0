//! The account side of the studio: sign-in, the entitlement lease, the local quota check, the
//! usage outbox and the hosted API's checkout and community pool.
//!
//! The studio works offline. What it may do comes from a lease signed by the server (checked
//! against a pinned Ed25519 key) and honoured until it expires plus a grace period; signed out,
//! or with no usable lease, it is FREE. Every generation counted against an account goes into
//! the outbox with a client-made UUID and is uploaded idempotently by [`Studio::sync`]; the
//! server's answers correct the local count.
//!
//! Settings used (in the library's settings table): `api_url`, `lease_public_key` (pinned on
//! first sign-in unless `SON1K_LEASE_PUBLIC_KEY` or the setting names one), `device_id`,
//! `account.lease`, `account.baseline` (the server's count for a period) and `quota.anon` (the
//! signed-out daily count).

mod pool;
mod quota;
mod renewal;
mod sync;

use serde::{Deserialize, Serialize};
use son1k_core::tier::utc_day;
use son1k_core::{Quality, Tier};
use son1k_store::Store;
use son1k_sync::lease::{self, CheckedLease, LeaseError, SavedLease};
use son1k_sync::types::{DeviceStart, UsageRequest};

// The pool's answers, for the front ends.
pub use son1k_sync::types::{Claimed, PoolPage, RankingPage, Reaction};
use son1k_sync::{unix_now, Client, CredentialStore, Session, SyncError};
use std::time::Duration;

use crate::{AppError, Studio};

const SET_API_URL: &str = "api_url";
const SET_PUBLIC_KEY: &str = "lease_public_key";
/// Rotated lease keys the pinned key endorsed, as last fetched (JSON list of key and
/// endorsement; each endorsement is checked again whenever the list is read).
const SET_ENDORSED: &str = "lease_endorsed_keys";
const SET_DEVICE: &str = "device_id";
const SET_LEASE: &str = "account.lease";
const SET_BASELINE: &str = "account.baseline";
const SET_ANON: &str = "quota.anon";
/// The outbox kind of a generation record.
pub const USAGE_KIND: &str = "usage";
/// A lease older than this is renewed whenever the server is reachable (seconds).
const RENEW_AFTER: i64 = 3600;

/// The account as the studio sees it now.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountStatus {
    /// Whether a session is saved on this device.
    pub signed_in: bool,
    /// The account's e-mail, when known.
    pub email: Option<String>,
    /// The account's id.
    pub user_id: Option<String>,
    /// The tier in force on this device now.
    pub tier: Tier,
    /// Whether the API answered during this call.
    pub online: bool,
    /// The API server used.
    pub api_url: String,
    /// The lease in force, if any.
    pub lease: Option<LeaseInfo>,
    /// Generations in the current period.
    pub usage: Usage,
    /// Generation records waiting to be uploaded.
    pub pending_uploads: usize,
    /// Something the person should know (offline, lease rejected or about to lapse).
    pub message: Option<String>,
    /// What [`AccountStatus::message`] is about, for a front end that says it in its own
    /// language: `lease-invalid`, `lease-grace`, `offline-lease` or `offline-free` (the values
    /// it needs are in the status: `tier`, `lease.grace_until`, `api_url`).
    pub message_kind: Option<String>,
}

/// The lease in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LeaseInfo {
    /// When it was issued (Unix seconds).
    pub issued_at: i64,
    /// When it expires.
    pub expires_at: i64,
    /// When its offline grace ends; FREE after that.
    pub grace_until: i64,
    /// Expired, but still honoured within the grace period.
    pub in_grace: bool,
}

/// Generations used and allowed in the current period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Usage {
    /// Used so far (the server's count plus records not yet uploaded).
    pub used: i64,
    /// The period's limit.
    pub limit: i64,
    /// Left in the period.
    pub remaining: i64,
    /// `day` (UTC) or `month`.
    pub period: String,
    /// When the count resets (Unix seconds).
    pub resets_at: i64,
}

/// The answer of [`Studio::quota_check`] when a generation may go ahead.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Quota {
    /// The tier in force.
    pub tier: Tier,
    /// Usage before this generation.
    pub usage: Usage,
}

/// What [`Studio::sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncReport {
    /// Records the server counted now.
    pub sent: usize,
    /// Records the server already had (replays; counted once).
    pub duplicates: usize,
    /// Records the server refused (over the limit, or not allowed); they are not retried.
    pub refused: usize,
    /// Records still waiting.
    pub pending: usize,
    /// Whether the lease was renewed.
    pub lease_renewed: bool,
    /// Whether the server could not be reached.
    pub offline: bool,
    /// What went wrong, if anything.
    pub message: Option<String>,
}

/// The server's count of generations for one period, as last heard.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Baseline {
    period_end: i64,
    used: i64,
}

/// The signed-out count for one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct AnonCount {
    day_end: i64,
    used: i64,
}

/// Who counts, what they may do and over which period.
struct Standing {
    user: Option<String>,
    tier: Tier,
    limit: i64,
    period: &'static str,
    period_end: i64,
    period_start: i64,
    lease: Option<CheckedLease>,
    lease_error: Option<LeaseError>,
}

impl Standing {
    fn free(user: Option<String>, now: i64, lease_error: Option<LeaseError>) -> Standing {
        let (start, end) = utc_day(now);
        Standing {
            user,
            tier: Tier::Free,
            limit: i64::from(Tier::Free.limits().generations),
            period: "day",
            period_start: start,
            period_end: end,
            lease: None,
            lease_error,
        }
    }
}

fn offline_message(e: &SyncError) -> Option<String> {
    e.is_offline().then(|| e.to_string())
}

impl Studio {
    /// The API server: `SON1K_API_URL`, else the `api_url` setting, else
    /// [`son1k_sync::DEFAULT_API_URL`].
    pub fn api_url(&self) -> Result<String, AppError> {
        if let Some(url) = std::env::var("SON1K_API_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            return Ok(url.trim().to_string());
        }
        Ok(self
            .library()?
            .setting(SET_API_URL)?
            .unwrap_or_else(|| son1k_sync::DEFAULT_API_URL.to_string()))
    }

    /// Saves the API server to use when `SON1K_API_URL` is not set (self-hosting).
    pub fn set_api_url(&self, url: &str) -> Result<(), AppError> {
        Client::new(url)?;
        Ok(self.library()?.set_setting(SET_API_URL, url.trim())?)
    }

    fn client(&self) -> Result<Client, AppError> {
        Ok(Client::new(&self.api_url()?)?)
    }

    fn credentials(&self) -> Result<CredentialStore, AppError> {
        self.paths.ensure()?;
        Ok(CredentialStore::new(&self.paths.data_dir))
    }

    fn device_id(&self, store: &Store) -> Result<String, AppError> {
        if let Some(id) = store.setting(SET_DEVICE)? {
            return Ok(id);
        }
        let id = uuid::Uuid::new_v4().to_string();
        store.set_setting(SET_DEVICE, &id)?;
        Ok(id)
    }

    /// Creates an account, signs this device in and fetches its lease.
    pub fn account_signup(&self, email: &str, password: &str) -> Result<AccountStatus, AppError> {
        let client = self.client()?;
        let tokens = client.signup(email, password)?;
        self.signed_in(&client, tokens, Some(email.trim().to_lowercase()))
    }

    /// Signs this device in with e-mail and password and fetches its lease.
    pub fn account_login(&self, email: &str, password: &str) -> Result<AccountStatus, AppError> {
        let client = self.client()?;
        let tokens = client.login(email, password)?;
        self.signed_in(&client, tokens, Some(email.trim().to_lowercase()))
    }

    /// Signs in through the browser (device login): `show` gets the code and the page to approve
    /// it at, then this polls until the person approves, denies, or the code expires.
    pub fn account_device_login(
        &self,
        device_name: Option<&str>,
        show: &mut dyn FnMut(&DeviceStart),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<AccountStatus, AppError> {
        let client = self.client()?;
        let start = client.device_start(device_name)?;
        show(&start);
        let deadline = unix_now() + start.expires_in;
        let mut interval = start.interval.max(1);
        loop {
            for _ in 0..interval * 10 {
                if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    return Err(AppError::Account {
                        code: "cancelled",
                        message: "device login cancelled".into(),
                    });
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            match client.device_token(&start.device_code) {
                Ok(tokens) => return self.signed_in(&client, tokens, None),
                Err(SyncError::Api { code, .. }) if code == "authorization_pending" => {}
                Err(SyncError::Api { code, .. }) if code == "slow_down" => interval += 5,
                Err(e) => return Err(e.into()),
            }
            if unix_now() > deadline {
                return Err(AppError::Account {
                    code: "expired_token",
                    message: "the device code expired before it was approved; run the login again"
                        .into(),
                });
            }
        }
    }

    fn signed_in(
        &self,
        client: &Client,
        tokens: son1k_sync::types::Tokens,
        email: Option<String>,
    ) -> Result<AccountStatus, AppError> {
        let now = unix_now();
        let mut session = Session::from_tokens(tokens, email, client.base_url(), now);
        if session.email.is_none() {
            if let Ok(me) = client.me(&session.access_token) {
                session.email = Some(me.email);
            }
        }
        let store = self.library()?;
        // A lease of another account must not carry over.
        if let Some(saved) = self.saved_lease(&store)? {
            let other = lease::verify_signature(&self.pinned_key_or_fetch(&store, client)?, &saved)
                .map(|p| p.user_id != session.user_id)
                .unwrap_or(true);
            if other {
                self.forget_lease(&store)?;
            }
        }
        self.credentials()?.save(&session)?;
        self.renew_lease(&store, client, &session)?;
        self.account_status_with(&store, Some(client), true)
    }

    /// Signs this device out: revokes the refresh token when the server answers, and forgets
    /// the tokens and the lease in any case (the device is FREE afterwards).
    pub fn account_logout(&self) -> Result<bool, AppError> {
        let creds = self.credentials()?;
        let session = creds.load()?;
        if let Some(s) = &session {
            if let Ok(client) = Client::new(&s.api_url) {
                let _ = client.logout(&s.refresh_token);
            }
        }
        creds.clear()?;
        self.forget_lease(&self.library()?)?;
        Ok(session.is_some())
    }

    /// The account, tier, lease and usage. When signed in and the server answers, the lease is
    /// renewed and waiting records are uploaded first; otherwise it answers from what is saved
    /// (within a few seconds even when the server is unreachable).
    pub fn account_status(&self) -> Result<AccountStatus, AppError> {
        let store = self.library()?;
        let client = self.client()?;
        let signed_in = self.credentials()?.load()?.is_some();
        let mut note = None;
        let online = if signed_in {
            match self.sync_with(&store, &client) {
                Ok(report) if report.offline => false,
                Ok(report) if report.lease_renewed => true,
                Ok(_) => {
                    // Nothing needed the server yet: renew the lease, which also says if it
                    // answers.
                    let session = self.credentials()?.load()?.ok_or(SyncError::NotSignedIn)?;
                    match self.renew_lease(&store, &client, &session) {
                        Ok(()) => true,
                        Err(AppError::Sync(e)) if e.is_offline() => false,
                        Err(e) => {
                            note = Some(e.to_string());
                            true
                        }
                    }
                }
                // A revoked sign-in or a refused lease: say so, and answer from what is saved.
                Err(e) => {
                    note = Some(e.to_string());
                    true
                }
            }
        } else {
            // A quick probe, only to say whether the server is there.
            Client::with_timeouts(
                client.base_url(),
                Duration::from_millis(1500),
                Duration::from_secs(2),
            )
            .and_then(|c| c.health())
            .is_ok()
        };
        let mut status = self.account_status_with(&store, Some(&client), online)?;
        if note.is_some() {
            status.message = note;
        }
        Ok(status)
    }

    fn account_status_with(
        &self,
        store: &Store,
        client: Option<&Client>,
        online: bool,
    ) -> Result<AccountStatus, AppError> {
        let now = unix_now();
        let session = self.credentials()?.load()?;
        let standing = self.standing(store, session.as_ref(), now)?;
        let usage = self.usage_of(store, &standing, now)?;
        let pending = self.pending_usage(store)?.len();
        let mut message = standing.lease_error.as_ref().map(ToString::to_string);
        let mut message_kind = message.as_ref().map(|_| "lease-invalid");
        if let Some(l) = &standing.lease {
            if l.in_grace && message.is_none() {
                message_kind = Some("lease-grace");
                message = Some(format!(
                    "the entitlement lease expired; {} stays in force offline until {} (Unix time) — go online and run `son1k sync` to renew it",
                    l.tier.name(),
                    l.grace_until
                ));
            }
        }
        if !online && message.is_none() {
            let url = client.map_or_else(|| "?".to_string(), |c| c.base_url().to_string());
            message_kind = Some(if standing.lease.is_some() {
                "offline-lease"
            } else {
                "offline-free"
            });
            message = Some(if standing.lease.is_some() {
                format!("offline: the Son1k API at {url} cannot be reached; the saved lease applies (set SON1K_API_URL to use another server)")
            } else {
                format!("offline: the Son1k API at {url} cannot be reached; FREE applies (set SON1K_API_URL to use another server)")
            });
        }
        Ok(AccountStatus {
            signed_in: session.is_some(),
            email: session.as_ref().and_then(|s| s.email.clone()),
            user_id: session.as_ref().map(|s| s.user_id.clone()),
            tier: standing.tier,
            online,
            api_url: client.map_or_else(String::new, |c| c.base_url().to_string()),
            lease: standing.lease.as_ref().map(|l| LeaseInfo {
                issued_at: l.payload.issued_at,
                expires_at: l.payload.expires_at,
                grace_until: l.grace_until,
                in_grace: l.in_grace,
            }),
            usage,
            pending_uploads: pending,
            message,
            message_kind: message_kind.map(String::from),
        })
    }
}

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
