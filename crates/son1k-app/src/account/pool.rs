//! Checkout and the community pool.

use super::*;

impl Studio {
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
    pub fn pool_ranking(&self, genre: Option<&str>) -> Result<RankingPage, AppError> {
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

    /// Claims the first item of `genre` this account can still claim (items it already claimed
    /// or that went away meanwhile are skipped). Fails naming the genre when none is left.
    pub fn pool_claim_genre(&self, genre: &str) -> Result<Claimed, AppError> {
        let page = self.pool_list(Some(genre), 1)?;
        for item in page.items {
            match self.pool_claim(Some(&item.id)) {
                Err(AppError::Sync(SyncError::Api { code, .. }))
                    if code == "already_claimed" || code == "not_found" => {}
                other => return other,
            }
        }
        Err(AppError::Invalid(son1k_core::ValidationError::new(
            "genre",
            genre,
            format!("the pool has no {genre} song you have not claimed yet"),
        )))
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
