//! The Account and Pool screens' commands: status, sign up / in / out, checkout in the system
//! browser, lease refresh after `son1k://checkout/success`, and the community pool. Each forwards
//! to `son1k_app::Studio` off the UI thread; the façade's short timeouts keep offline answers
//! quick.

use son1k_app::account::AccountStatus;
use son1k_app::account::{Claimed, PoolPage, RankingPage, Reaction};
use son1k_app::Studio;
use son1k_core::Tier;
use tauri::State;

use crate::commands::UiError;
use crate::tasks::off_thread;

/// Tier, lease, usage and whether the API answered.
#[tauri::command]
#[specta::specta]
pub async fn account_status(studio: State<'_, Studio>) -> Result<AccountStatus, UiError> {
    off_thread(studio, "reading the account", move |studio| {
        Ok(studio.account_status()?)
    })
    .await
}

/// Creates an account (`signup`) or signs in, then fetches the lease.
#[tauri::command]
#[specta::specta]
pub async fn account_sign_in(
    studio: State<'_, Studio>,
    email: String,
    password: String,
    signup: bool,
) -> Result<AccountStatus, UiError> {
    off_thread(studio, "signing in", move |studio| {
        Ok(if signup {
            studio.account_signup(&email, &password)?
        } else {
            studio.account_login(&email, &password)?
        })
    })
    .await
}

/// Signs this device out (FREE afterwards) and returns the new status.
#[tauri::command]
#[specta::specta]
pub async fn account_logout(studio: State<'_, Studio>) -> Result<AccountStatus, UiError> {
    off_thread(studio, "signing out", move |studio| {
        studio.account_logout()?;
        Ok(studio.account_status()?)
    })
    .await
}

/// Fetches a fresh lease (after `son1k://checkout/success`) and returns the status.
#[tauri::command]
#[specta::specta]
pub async fn account_refresh(studio: State<'_, Studio>) -> Result<AccountStatus, UiError> {
    off_thread(studio, "refreshing the lease", move |studio| {
        Ok(studio.refresh_lease()?)
    })
    .await
}

/// Asks the API for a Checkout page for `tier` and opens it in the system browser; returns the
/// URL (shown too, in case no browser opens).
#[tauri::command]
#[specta::specta]
pub async fn account_checkout(studio: State<'_, Studio>, tier: Tier) -> Result<String, UiError> {
    off_thread(studio, "starting the checkout", move |studio| {
        let url = studio.checkout_url(tier)?;
        tauri_plugin_opener::open_url(&url, None::<&str>).map_err(|e| {
            UiError::new(
                "open",
                format!("could not open the browser ({e}); open this address yourself: {url}"),
            )
        })?;
        Ok(url)
    })
    .await
}

/// One page of the community pool, within `genre` when given.
#[tauri::command]
#[specta::specta]
pub async fn pool_list(
    studio: State<'_, Studio>,
    genre: Option<String>,
    page: u32,
) -> Result<PoolPage, UiError> {
    off_thread(studio, "reading the pool", move |studio| {
        Ok(studio.pool_list(genre.as_deref(), page)?)
    })
    .await
}

/// The contributors' ranking, within `genre` when given.
#[tauri::command]
#[specta::specta]
pub async fn pool_ranking(
    studio: State<'_, Studio>,
    genre: Option<String>,
) -> Result<RankingPage, UiError> {
    off_thread(studio, "reading the ranking", move |studio| {
        Ok(studio.pool_ranking(genre.as_deref())?)
    })
    .await
}

/// Claims a pool item; the server's answer (claims left today) is the truth.
#[tauri::command]
#[specta::specta]
pub async fn pool_claim(studio: State<'_, Studio>, item: String) -> Result<Claimed, UiError> {
    off_thread(studio, "claiming the song", move |studio| {
        Ok(studio.pool_claim(Some(&item))?)
    })
    .await
}

/// Likes a pool item (once per account).
#[tauri::command]
#[specta::specta]
pub async fn pool_like(studio: State<'_, Studio>, item: String) -> Result<Reaction, UiError> {
    off_thread(studio, "liking the song", move |studio| {
        Ok(studio.pool_like(&item)?)
    })
    .await
}
