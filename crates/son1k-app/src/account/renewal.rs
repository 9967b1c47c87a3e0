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
        // Refuse a lease the pinned key does not vouch for (a server other than the one
        // pinned), itself or through a rotated key it endorsed; after a rotation the new key's
        // endorsement is fetched once.
        let user = Some(session.user_id.as_str());
        let checked =
            match lease::check_any(&self.trusted_keys(store, &key)?, &saved, user, unix_now()) {
                Err(LeaseError::Tampered) => {
                    self.fetch_endorsed(store, client, &key)?;
                    lease::check_any(&self.trusted_keys(store, &key)?, &saved, user, unix_now())
                }
                other => other,
            }
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
        // The root key, which endorses every rotated key (a server older than endorsements
        // names none: then the key that signs now).
        let root = client
            .public_keys()
            .ok()
            .map(|k| k.root_public_key)
            .filter(|k| !k.trim().is_empty());
        let served = match root {
            Some(k) => k,
            None => client.public_key()?.public_key,
        };
        let key = lease::parse_public_key(&served).map_err(SyncError::from)?;
        store.set_setting(SET_PUBLIC_KEY, &served)?;
        Ok(key)
    }

    /// The pinned key and every rotated key it endorsed (as last fetched; an endorsement that
    /// does not verify is left out).
    pub(super) fn trusted_keys(
        &self,
        store: &Store,
        pinned: &ed25519_dalek::VerifyingKey,
    ) -> Result<Vec<ed25519_dalek::VerifyingKey>, AppError> {
        let endorsed: Vec<EndorsedKey> = store
            .setting(SET_ENDORSED)?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let mut keys = vec![*pinned];
        keys.extend(
            endorsed
                .iter()
                .filter_map(|e| lease::endorsed_key(pinned, &e.public_key, &e.endorsement).ok()),
        );
        Ok(keys)
    }

    /// Fetches the server's keys and keeps those the pinned key endorsed.
    pub(super) fn fetch_endorsed(
        &self,
        store: &Store,
        client: &Client,
        pinned: &ed25519_dalek::VerifyingKey,
    ) -> Result<(), AppError> {
        let keys = client.public_keys()?;
        let endorsed: Vec<EndorsedKey> = keys
            .keys
            .into_iter()
            .filter_map(|k| {
                let endorsement = k.endorsement?;
                lease::endorsed_key(pinned, &k.public_key, &endorsement).ok()?;
                Some(EndorsedKey {
                    public_key: k.public_key,
                    endorsement,
                })
            })
            .collect();
        store.set_setting(SET_ENDORSED, &json_text(&endorsed))?;
        Ok(())
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
        Ok(
            lease::check_any(&self.trusted_keys(store, &key)?, saved, user, now)
                .map_err(SyncError::from)?,
        )
    }
}

/// A rotated lease key and the pinned key's endorsement of it, as kept in the settings.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct EndorsedKey {
    public_key: String,
    endorsement: String,
}
