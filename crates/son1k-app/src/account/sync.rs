//! Uploading the usage outbox and taking the server's counts.

use super::*;

impl Studio {
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

    pub(super) fn sync_with(&self, store: &Store, client: &Client) -> Result<SyncReport, AppError> {
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

    pub(super) fn pending_usage(
        &self,
        store: &Store,
    ) -> Result<Vec<son1k_store::OutboxItem>, AppError> {
        Ok(store
            .outbox_pending(100_000)?
            .into_iter()
            .filter(|i| i.kind == USAGE_KIND)
            .collect())
    }
}
