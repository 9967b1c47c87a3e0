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

use serde::{Deserialize, Serialize};
use son1k_core::{Quality, Tier};
use son1k_store::Store;
use son1k_sync::lease::{self, CheckedLease, LeaseError, SavedLease};
use son1k_sync::types::{Claimed, DeviceStart, PoolPage, Reaction, UsageRequest};
use son1k_sync::{unix_now, Client, CredentialStore, Session, SyncError};
use std::time::Duration;

use crate::{AppError, Studio};

const SET_API_URL: &str = "api_url";
const SET_PUBLIC_KEY: &str = "lease_public_key";
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

/// The UTC day holding `t`: (start, end).
fn utc_day(t: i64) -> (i64, i64) {
    let start = t - t.rem_euclid(86_400);
    (start, start + 86_400)
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
        if let Some(l) = &standing.lease {
            if l.in_grace && message.is_none() {
                message = Some(format!(
                    "the entitlement lease expired; {} stays in force offline until {} (Unix time) — go online and run `son1k sync` to renew it",
                    l.tier.name(),
                    l.grace_until
                ));
            }
        }
        if !online && message.is_none() {
            let url = client.map_or_else(|| "?".to_string(), |c| c.base_url().to_string());
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
        })
    }

    /// Whether generations are counted against an account on this device: signed in, or a
    /// lease is saved.
    pub fn quota_applies(&self) -> Result<bool, AppError> {
        Ok(self.credentials()?.load()?.is_some() || self.saved_lease(&self.library()?)?.is_some())
    }

    /// Checks, without the network, that one more generation at `quality` is allowed now: the
    /// lease's tier (FREE when signed out or without a usable lease), the quality that tier
    /// allows, and the period's remaining count.
    pub fn quota_check(&self, quality: Quality) -> Result<Quota, AppError> {
        let store = self.library()?;
        let now = unix_now();
        let session = self.credentials()?.load()?;
        let standing = self.standing(&store, session.as_ref(), now)?;
        standing.tier.check_quality(quality)?;
        let usage = self.usage_of(&store, &standing, now)?;
        if usage.remaining <= 0 {
            let hint = match standing.tier {
                Tier::Free => "upgrade with `son1k upgrade creator` (50 generations a month, $9.99) or claim a song from the community pool with `son1k pool claim`",
                Tier::Creator => "upgrade with `son1k upgrade pro` (200 a month) or wait for the reset",
                Tier::Pro => "upgrade with `son1k upgrade studio` (1000 a month) or wait for the reset",
                Tier::Studio => "wait for the reset",
            };
            return Err(AppError::QuotaReached {
                tier: standing.tier.name(),
                limit: usage.limit,
                period: standing.period,
                resets_at: usage.resets_at,
                hint,
            });
        }
        Ok(Quota {
            tier: standing.tier,
            usage,
        })
    }

    /// Counts a finished generation: signed in, it goes into the outbox (uploaded now if the
    /// server answers, else by the next [`Studio::sync`]); signed out, into the local daily
    /// count. `id` is the generation's UUID (its job id).
    pub fn count_generation(
        &self,
        id: &str,
        request: &son1k_core::GenerationRequest,
    ) -> Result<(), AppError> {
        let store = self.library()?;
        let now = unix_now();
        let session = self.credentials()?.load()?;
        let user = match &session {
            Some(s) => Some(s.user_id.clone()),
            None => self
                .saved_lease(&store)?
                .and_then(|l| self.checked_lease(&store, &l, None, now).ok())
                .map(|c| c.payload.user_id),
        };
        let Some(user) = user else {
            let (_, day_end) = utc_day(now);
            let mut anon = self.anon(&store, now)?;
            anon.used += 1;
            anon.day_end = day_end;
            store.set_setting(SET_ANON, &json_text(&anon))?;
            return Ok(());
        };
        let id = uuid::Uuid::parse_str(id)
            .map(|u| u.hyphenated().to_string())
            .unwrap_or_else(|_| uuid::Uuid::new_v4().to_string());
        let title: String = request.prompt.chars().take(200).collect();
        let payload = serde_json::json!({
            "id": id,
            "quality": request.quality.name(),
            "genre": request.genre,
            "title": title,
            "user_id": user,
            "created_at": now,
        });
        store.outbox_add(&id, USAGE_KIND, &payload)?;
        if session.is_some() {
            // Opportunistic upload; offline is fine, the record waits.
            let _ = self.sync_with(&store, &self.client()?);
        }
        Ok(())
    }

    /// Uploads waiting generation records (each once: the server deduplicates on the UUID),
    /// renews the lease and corrects the local count from the server's answers.
    pub fn sync(&self) -> Result<SyncReport, AppError> {
        let store = self.library()?;
        let client = self.client()?;
        if self.credentials()?.load()?.is_none() {
            return Err(SyncError::NotSignedIn.into());
        }
        self.sync_with(&store, &client)
    }

    fn sync_with(&self, store: &Store, client: &Client) -> Result<SyncReport, AppError> {
        let mut report = SyncReport::default();
        let creds = self.credentials()?;
        let Some(mut session) = creds.load()? else {
            report.pending = self.pending_usage(store)?.len();
            return Ok(report);
        };
        let result = (|| -> Result<(), AppError> {
            for item in self.pending_usage(store)? {
                let p = &item.payload;
                if p["user_id"].as_str() != Some(session.user_id.as_str()) {
                    continue;
                }
                let body = UsageRequest {
                    id: item.id.clone(),
                    quality: p["quality"].as_str().map(str::to_string),
                    genre: p["genre"].as_str().map(str::to_string),
                    title: p["title"].as_str().map(str::to_string),
                };
                match self.authed(client, &creds, &mut session, |t| client.usage(t, &body)) {
                    Ok(ans) => {
                        if ans.duplicate {
                            report.duplicates += 1;
                        } else {
                            report.sent += 1;
                            self.raise_baseline(store, ans.period_end, ans.used)?;
                        }
                        store.outbox_sent(&item.id)?;
                    }
                    Err(AppError::Sync(SyncError::Api { status, code, .. }))
                        if (400..500).contains(&status) && status != 401 =>
                    {
                        if code == "limit_reached" {
                            if let Some(l) = self
                                .saved_lease(store)?
                                .and_then(|l| self.checked_lease(store, &l, None, unix_now()).ok())
                            {
                                let limit = i64::from(l.payload.limits.generations);
                                self.raise_baseline(store, l.payload.period_end, limit)?;
                            }
                        }
                        report.refused += 1;
                        store.outbox_sent(&item.id)?;
                    }
                    Err(e) => {
                        store.outbox_failed(&item.id)?;
                        return Err(e);
                    }
                }
            }
            let stale = self
                .saved_lease(store)?
                .and_then(|l| {
                    self.checked_lease(store, &l, Some(&session.user_id), unix_now())
                        .ok()
                })
                .is_none_or(|l| unix_now() - l.payload.issued_at > RENEW_AFTER || report.sent > 0);
            if stale || report.refused > 0 {
                self.renew_lease(store, client, &session)?;
                report.lease_renewed = true;
            }
            Ok(())
        })();
        match result {
            Ok(()) => {}
            Err(AppError::Sync(e)) if e.is_offline() => {
                report.offline = true;
                report.message = offline_message(&e);
            }
            Err(e) => return Err(e),
        }
        report.pending = self.pending_usage(store)?.len();
        Ok(report)
    }

    /// Fetches a fresh lease now (after a checkout, say) and returns the status.
    pub fn refresh_lease(&self) -> Result<AccountStatus, AppError> {
        let store = self.library()?;
        let client = self.client()?;
        let session = self.credentials()?.load()?.ok_or(SyncError::NotSignedIn)?;
        self.renew_lease(&store, &client, &session)?;
        self.account_status_with(&store, Some(&client), true)
    }

    fn renew_lease(
        &self,
        store: &Store,
        client: &Client,
        session: &Session,
    ) -> Result<(), AppError> {
        let creds = self.credentials()?;
        let mut session = session.clone();
        let device = self.device_id(store)?;
        let fresh = self.authed(client, &creds, &mut session, |t| client.lease(t, &device))?;
        let key = self.pinned_key_or_fetch(store, client)?;
        let saved = SavedLease::from(&fresh);
        // Refuse a lease the pinned key does not vouch for: a server other than the one pinned.
        let checked = lease::check(&key, &saved, Some(&session.user_id), unix_now())
            .map_err(SyncError::from)?;
        store.set_setting(SET_LEASE, &json_text(&saved))?;
        store.set_setting(
            SET_BASELINE,
            &json_text(&Baseline {
                period_end: checked.payload.period_end,
                used: checked.payload.used_at_issue,
            }),
        )?;
        Ok(())
    }

    /// Runs `call` with a valid access token, refreshing it first when it is about to expire
    /// and once more when the server says it is no longer valid.
    fn authed<T>(
        &self,
        client: &Client,
        creds: &CredentialStore,
        session: &mut Session,
        call: impl Fn(&str) -> Result<T, SyncError>,
    ) -> Result<T, AppError> {
        if session.access_expires_at - 30 <= unix_now() {
            self.refresh_tokens(client, creds, session)?;
        }
        match call(&session.access_token) {
            Err(SyncError::Api { status: 401, .. }) => {
                self.refresh_tokens(client, creds, session)?;
                Ok(call(&session.access_token)?)
            }
            other => Ok(other?),
        }
    }

    fn refresh_tokens(
        &self,
        client: &Client,
        creds: &CredentialStore,
        session: &mut Session,
    ) -> Result<(), AppError> {
        let tokens = client.refresh(&session.refresh_token).map_err(|e| match e {
            SyncError::Api { status: 401, .. } => AppError::Account {
                code: "session_expired",
                message: "the saved sign-in has expired or was revoked; sign in again with `son1k account login`".into(),
            },
            other => other.into(),
        })?;
        let email = session.email.clone();
        *session = Session::from_tokens(tokens, email, &session.api_url, unix_now());
        creds.save(session)?;
        Ok(())
    }

    fn saved_lease(&self, store: &Store) -> Result<Option<SavedLease>, AppError> {
        Ok(store
            .setting(SET_LEASE)?
            .and_then(|t| serde_json::from_str(&t).ok()))
    }

    fn forget_lease(&self, store: &Store) -> Result<(), AppError> {
        store.set_setting(SET_LEASE, "")?;
        store.set_setting(SET_BASELINE, "")?;
        Ok(())
    }

    /// The pinned key: `SON1K_LEASE_PUBLIC_KEY`, else the `lease_public_key` setting.
    fn pinned_key(&self, store: &Store) -> Result<Option<ed25519_dalek::VerifyingKey>, AppError> {
        let text = std::env::var("SON1K_LEASE_PUBLIC_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
            .or(store
                .setting(SET_PUBLIC_KEY)?
                .filter(|k| !k.trim().is_empty()));
        Ok(text
            .map(|t| lease::parse_public_key(&t))
            .transpose()
            .map_err(SyncError::from)?)
    }

    /// The pinned key, pinning the server's on first use when none is configured.
    fn pinned_key_or_fetch(
        &self,
        store: &Store,
        client: &Client,
    ) -> Result<ed25519_dalek::VerifyingKey, AppError> {
        if let Some(k) = self.pinned_key(store)? {
            return Ok(k);
        }
        let served = client.public_key()?;
        let key = lease::parse_public_key(&served.public_key).map_err(SyncError::from)?;
        store.set_setting(SET_PUBLIC_KEY, &served.public_key)?;
        Ok(key)
    }

    fn checked_lease(
        &self,
        store: &Store,
        saved: &SavedLease,
        user: Option<&str>,
        now: i64,
    ) -> Result<CheckedLease, AppError> {
        let key = self
            .pinned_key(store)?
            .ok_or(SyncError::Lease(LeaseError::Tampered))?;
        Ok(lease::check(&key, saved, user, now).map_err(SyncError::from)?)
    }

    fn standing(
        &self,
        store: &Store,
        session: Option<&Session>,
        now: i64,
    ) -> Result<Standing, AppError> {
        let saved = self.saved_lease(store)?;
        let user = session.map(|s| s.user_id.clone());
        let Some(saved) = saved else {
            return Ok(Standing::free(user, now, None));
        };
        let checked = match self.checked_lease(store, &saved, user.as_deref(), now) {
            Ok(c) => c,
            Err(AppError::Sync(SyncError::Lease(e))) => {
                return Ok(Standing::free(user, now, Some(e)));
            }
            Err(e) => return Err(e),
        };
        let user = Some(checked.payload.user_id.clone());
        let p = &checked.payload;
        let limit = i64::from(p.limits.generations);
        let (period, start, end) = if p.limits.period == "day" {
            let (s, e) = if now < p.period_end && now >= p.period_start {
                (p.period_start, p.period_end)
            } else {
                utc_day(now)
            };
            ("day", s, e)
        } else if now < p.period_end {
            ("month", p.period_start, p.period_end)
        } else {
            // The billing period rolled over offline: a new one started at the old end.
            ("month", p.period_end, p.period_end + 30 * 86_400)
        };
        Ok(Standing {
            user,
            tier: checked.tier,
            limit,
            period,
            period_start: start,
            period_end: end,
            lease: Some(checked),
            lease_error: None,
        })
    }

    fn usage_of(&self, store: &Store, st: &Standing, now: i64) -> Result<Usage, AppError> {
        let used = match &st.user {
            None => self.anon(store, now)?.used,
            Some(user) => {
                let baseline = store
                    .setting(SET_BASELINE)?
                    .and_then(|t| serde_json::from_str::<Baseline>(&t).ok())
                    .filter(|b| b.period_end == st.period_end)
                    .map_or(0, |b| b.used);
                let pending = self
                    .pending_usage(store)?
                    .iter()
                    .filter(|i| {
                        let at = i.payload["created_at"].as_i64().unwrap_or(0);
                        i.payload["user_id"].as_str() == Some(user.as_str())
                            && at >= st.period_start
                            && at < st.period_end
                    })
                    .count() as i64;
                baseline + pending
            }
        };
        Ok(Usage {
            used,
            limit: st.limit,
            remaining: (st.limit - used).max(0),
            period: st.period.to_string(),
            resets_at: st.period_end,
        })
    }

    fn anon(&self, store: &Store, now: i64) -> Result<AnonCount, AppError> {
        let (_, day_end) = utc_day(now);
        Ok(store
            .setting(SET_ANON)?
            .and_then(|t| serde_json::from_str::<AnonCount>(&t).ok())
            .filter(|a| a.day_end == day_end)
            .unwrap_or(AnonCount { day_end, used: 0 }))
    }

    fn raise_baseline(&self, store: &Store, period_end: i64, used: i64) -> Result<(), AppError> {
        let old = store
            .setting(SET_BASELINE)?
            .and_then(|t| serde_json::from_str::<Baseline>(&t).ok());
        let used = match old {
            Some(b) if b.period_end == period_end => b.used.max(used),
            _ => used,
        };
        store.set_setting(SET_BASELINE, &json_text(&Baseline { period_end, used }))?;
        Ok(())
    }

    fn pending_usage(&self, store: &Store) -> Result<Vec<son1k_store::OutboxItem>, AppError> {
        Ok(store
            .outbox_pending(100_000)?
            .into_iter()
            .filter(|i| i.kind == USAGE_KIND)
            .collect())
    }

    /// A Stripe Checkout page for `tier`, to open in the system browser.
    pub fn checkout_url(&self, tier: Tier) -> Result<String, AppError> {
        if !tier.is_paid() {
            return Err(AppError::Account {
                code: "invalid_tier",
                message: "FREE needs no checkout; choose creator, pro or studio".into(),
            });
        }
        let client = self.client()?;
        let creds = self.credentials()?;
        let mut session = creds.load()?.ok_or(SyncError::NotSignedIn)?;
        let s = self.authed(&client, &creds, &mut session, |t| {
            client.checkout(t, tier.name())
        })?;
        Ok(s.url)
    }

    /// One page of the community pool (public; no sign-in needed).
    pub fn pool_list(&self, genre: Option<&str>, page: u32) -> Result<PoolPage, AppError> {
        Ok(self.client()?.pool_list(genre, page.max(1), 20)?)
    }

    /// The contributors' ranking (public), within `genre` when given.
    pub fn pool_ranking(
        &self,
        genre: Option<&str>,
    ) -> Result<son1k_sync::types::RankingPage, AppError> {
        Ok(self.client()?.ranking(genre)?)
    }

    /// Claims a pool item (a given one, or the oldest not yet claimed). FREE: 3 a day; the
    /// server's answer is the truth.
    pub fn pool_claim(&self, item_id: Option<&str>) -> Result<Claimed, AppError> {
        let client = self.client()?;
        let creds = self.credentials()?;
        let mut session = creds.load()?.ok_or(SyncError::NotSignedIn)?;
        self.authed(&client, &creds, &mut session, |t| {
            client.pool_claim(t, item_id)
        })
    }

    /// Likes a pool item (once per account).
    pub fn pool_like(&self, item_id: &str) -> Result<Reaction, AppError> {
        let client = self.client()?;
        let creds = self.credentials()?;
        let mut session = creds.load()?.ok_or(SyncError::NotSignedIn)?;
        self.authed(&client, &creds, &mut session, |t| {
            client.pool_like(t, item_id)
        })
    }
}

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
