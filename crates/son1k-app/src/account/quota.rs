//! Quota: whether one more generation is allowed now, offline, and counting the ones made.

use super::*;

impl Studio {
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

    pub(super) fn standing(
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

    pub(super) fn usage_of(
        &self,
        store: &Store,
        st: &Standing,
        now: i64,
    ) -> Result<Usage, AppError> {
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

    pub(super) fn anon(&self, store: &Store, now: i64) -> Result<AnonCount, AppError> {
        let (_, day_end) = utc_day(now);
        Ok(store
            .setting(SET_ANON)?
            .and_then(|t| serde_json::from_str::<AnonCount>(&t).ok())
            .filter(|a| a.day_end == day_end)
            .unwrap_or(AnonCount { day_end, used: 0 }))
    }

    pub(super) fn raise_baseline(
        &self,
        store: &Store,
        period_end: i64,
        used: i64,
    ) -> Result<(), AppError> {
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
}
