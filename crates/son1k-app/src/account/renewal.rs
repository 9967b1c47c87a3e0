//! The entitlement lease: renewing it, the pinned key that checks it, and calls that refresh an expired sign-in.

use super::*;

impl Studio {
    /// Fetches a fresh lease now (after a checkout, say) and returns the status.
    pub fn refresh_lease(&self) -> Result<AccountStatus, AppError> {
        let store = self.library()?;
        let client = self.client()?;
        let session = self.credentials()?.load()?.ok_or(SyncError::NotSignedIn)?;
        self.renew_lease(&store, &client, &session)?;
        self.account_status_with(&store, Some(&client), true)
    }

    pub(super) fn renew_lease(
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
    pub(super) fn authed<T>(
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

    pub(super) fn refresh_tokens(
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

    pub(super) fn saved_lease(&self, store: &Store) -> Result<Option<SavedLease>, AppError> {
        Ok(store
            .setting(SET_LEASE)?
            .and_then(|t| serde_json::from_str(&t).ok()))
    }

    pub(super) fn forget_lease(&self, store: &Store) -> Result<(), AppError> {
        store.set_setting(SET_LEASE, "")?;
        store.set_setting(SET_BASELINE, "")?;
        Ok(())
    }

    /// The pinned key: `SON1K_LEASE_PUBLIC_KEY`, else the `lease_public_key` setting.
    pub(super) fn pinned_key(
        &self,
        store: &Store,
    ) -> Result<Option<ed25519_dalek::VerifyingKey>, AppError> {
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
    pub(super) fn pinned_key_or_fetch(
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

    pub(super) fn checked_lease(
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
}
