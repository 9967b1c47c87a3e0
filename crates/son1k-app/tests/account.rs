//! End to end: the façade's account, lease, quota and outbox against a real `son1k-api` that
//! son1k-testkit starts on 127.0.0.1 port 0 (SQLite in a temporary folder; PostgreSQL under
//! `SON1K_TEST_POSTGRES`). Tokens use the file fallback
//! (`SON1K_CREDENTIALS` is not needed: there is no D-Bus session here, and `file_only` is what
//! the store picks then — the same path CI takes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use son1k_app::{AppError, Paths, Studio};
use son1k_core::{GenerationRequest, Quality, Tier};
use son1k_testkit::{BlockingServer as Server, Home};
use std::path::{Path, PathBuf};

/// What these tests ask the server besides the façade.
trait ServerCount {
    /// The server's own count for a user.
    fn used(&self, studio: &Studio) -> i64;
}

impl ServerCount for Server {
    fn used(&self, studio: &Studio) -> i64 {
        let creds = son1k_sync::CredentialStore::file_only(&studio.paths().data_dir);
        let s = creds.load().unwrap().unwrap();
        let c = son1k_sync::Client::new(&self.base_url()).unwrap();
        match c.limits(&s.access_token, &s.user_id) {
            Ok(l) => l.used,
            Err(_) => {
                let t = c.refresh(&s.refresh_token).unwrap();
                let n = c.limits(&t.access_token, &t.user_id).unwrap().used;
                let fresh = son1k_sync::Session::from_tokens(t, s.email.clone(), &s.api_url, now());
                creds.save(&fresh).unwrap();
                n
            }
        }
    }
}

fn now() -> i64 {
    son1k_sync::unix_now()
}

fn studio(root: &Path, api: &str) -> Studio {
    let s = Studio::with_paths(Paths::under(root));
    s.set_api_url(api).unwrap();
    s
}

fn email() -> String {
    format!("u{}@example.com", uuid_like())
}

fn uuid_like() -> String {
    format!("{:x}{:x}", now(), std::process::id()) + &format!("{:p}", &0u8).replace("0x", "")
}

fn request(quality: Quality) -> GenerationRequest {
    let mut r = GenerationRequest::new("a short lo-fi loop".to_string());
    r.quality = quality;
    r
}

/// A generation as the CLI does it: check, (make the song), count.
fn generate(studio: &Studio, quality: Quality) -> Result<String, AppError> {
    studio.quota_check(quality)?;
    let id = new_id();
    studio.count_generation(&id, &request(quality))?;
    Ok(id)
}

fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let t = now() as u64;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        t as u32,
        std::process::id() & 0xffff,
        n & 0xfff,
        (n >> 12) & 0xfff,
        n ^ ((t << 16) & 0xffff_ffff_ffff)
    )
}

fn upgrade_event(user_id: &str, tier: &str) -> serde_json::Value {
    son1k_testkit::subscription_created(user_id, tier, now() - 5)
}

fn tmp() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().to_path_buf();
    (d, p)
}

#[test]
fn signup_lease_three_free_generations_then_refused_then_creator_after_the_webhook() {
    let sh = Home::blocking();
    let server = Server::start(&sh);
    let (_home, root) = tmp();
    let studio = studio(&root, &server.base_url());

    let status = studio
        .account_signup(&email(), "correct horse battery")
        .unwrap();
    assert!(status.signed_in && status.online);
    assert_eq!(status.tier, Tier::Free);
    let lease = status.lease.expect("a lease is fetched at sign-up");
    assert!(lease.expires_at > now());
    assert_eq!((status.usage.used, status.usage.limit), (0, 3));

    // FREE: standard quality only, 3 a UTC day.
    let e = studio.quota_check(Quality::High).unwrap_err();
    assert!(e.to_string().contains("CREATOR"), "{e}");
    for n in 1..=3 {
        generate(&studio, Quality::Standard).unwrap();
        assert_eq!(server.used(&studio), n, "the server counted generation {n}");
    }
    let e = generate(&studio, Quality::Standard).unwrap_err();
    assert_eq!(e.code(), "quota-reached");
    let text = e.to_string();
    assert!(text.contains("FREE allows 3 generations per day"), "{text}");
    assert!(text.contains("son1k upgrade creator"), "{text}");
    assert_eq!(studio.account_status().unwrap().usage.remaining, 0);

    // Stripe tells the server about a CREATOR subscription; a lease refresh shows it.
    let user_id = studio.account_status().unwrap().user_id.unwrap();
    assert_eq!(
        server.webhook(&upgrade_event(&user_id, "CREATOR")).status(),
        200
    );
    let status = studio.refresh_lease().unwrap();
    assert_eq!(status.tier, Tier::Creator);
    assert_eq!(status.usage.limit, 50);
    assert_eq!(status.usage.period, "month");
    generate(&studio, Quality::High).unwrap();

    // Offline with a valid lease: the tier still applies and generations wait in the outbox.
    server.stop();
    let status = studio.account_status().unwrap();
    assert!(!status.online);
    assert_eq!(status.tier, Tier::Creator);
    generate(&studio, Quality::High).unwrap();
    assert_eq!(studio.account_status().unwrap().pending_uploads, 1);
    let report = studio.sync().unwrap();
    assert!(report.offline);
    assert!(report.message.unwrap().contains("SON1K_API_URL"));
}

#[test]
fn a_tampered_lease_is_refused_and_the_device_is_free() {
    let sh = Home::blocking();
    let server = Server::start(&sh);
    let (_home, root) = tmp();
    let studio = studio(&root, &server.base_url());
    let status = studio
        .account_signup(&email(), "correct horse battery")
        .unwrap();
    let user = status.user_id.unwrap();
    assert_eq!(server.webhook(&upgrade_event(&user, "PRO")).status(), 200);
    assert_eq!(studio.refresh_lease().unwrap().tier, Tier::Pro);
    server.stop();

    // Rewrite the saved lease's tier to STUDIO without the server's key.
    // The lease as saved in the library database (the façade never hands out its store).
    let store = son1k_store::Store::open(&studio.paths().library_db()).unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&store.setting("account.lease").unwrap().unwrap()).unwrap();
    let bytes = URL_SAFE_NO_PAD
        .decode(saved["lease"].as_str().unwrap())
        .unwrap();
    let forged = String::from_utf8(bytes)
        .unwrap()
        .replace("\"PRO\"", "\"STUDIO\"");
    let forged = serde_json::json!({
        "lease": URL_SAFE_NO_PAD.encode(forged.as_bytes()),
        "signature": saved["signature"],
    });
    store
        .set_setting("account.lease", &forged.to_string())
        .unwrap();

    let status = studio.account_status().unwrap();
    assert_eq!(status.tier, Tier::Free);
    assert!(status.lease.is_none());
    let msg = status.message.unwrap();
    assert!(msg.contains("signature check"), "{msg}");
    assert!(msg.contains("son1k account login"), "{msg}");
    // FREE rules apply: ultra is refused.
    assert!(studio.quota_check(Quality::Ultra).is_err());
}

#[test]
fn the_outbox_replays_exactly_once_after_a_restart() {
    let sh = Home::blocking();
    let server = Server::start(&sh);
    let (_home, root) = tmp();
    let api = server.base_url();
    let studio = studio(&root, &api);
    studio
        .account_signup(&email(), "correct horse battery")
        .unwrap();
    let user = studio.account_status().unwrap().user_id.unwrap();
    assert_eq!(
        server.webhook(&upgrade_event(&user, "CREATOR")).status(),
        200
    );
    studio.refresh_lease().unwrap();
    server.stop();

    // Offline: two generations wait.
    generate(&studio, Quality::Standard).unwrap();
    let second = generate(&studio, Quality::Standard).unwrap();
    assert_eq!(studio.account_status().unwrap().pending_uploads, 2);

    // The server comes back (same database and key, new port); the app restarts.
    let server = Server::start(&sh);
    let studio = Studio::with_paths(Paths::under(&root));
    studio.set_api_url(&server.base_url()).unwrap();
    // A crash after the server counted one record but before the app marked it sent: the
    // record reaches the server once here, then the replay must not count it again.
    {
        let creds = son1k_sync::CredentialStore::file_only(&studio.paths().data_dir);
        let s = creds.load().unwrap().unwrap();
        let c = son1k_sync::Client::new(&server.base_url()).unwrap();
        let t = c.refresh(&s.refresh_token).unwrap();
        let ans = c
            .usage(
                &t.access_token,
                &son1k_sync::types::UsageRequest {
                    id: second.clone(),
                    quality: Some("standard".into()),
                    genre: None,
                    title: None,
                },
            )
            .unwrap();
        assert!(!ans.duplicate);
        creds
            .save(&son1k_sync::Session::from_tokens(
                t,
                s.email,
                &s.api_url,
                now(),
            ))
            .unwrap();
    }
    let report = studio.sync().unwrap();
    assert!(!report.offline);
    assert_eq!((report.sent, report.duplicates, report.pending), (1, 1, 0));
    assert_eq!(server.used(&studio), 2);
    let again = studio.sync().unwrap();
    assert_eq!((again.sent, again.duplicates, again.pending), (0, 0, 0));
    assert_eq!(server.used(&studio), 2);
    let status = studio.account_status().unwrap();
    assert_eq!(
        status.usage.used, 2,
        "the server's count replaces the local one"
    );
    server.stop();
}

#[test]
fn signed_out_is_free_and_counts_locally() {
    let (_home, root) = tmp();
    // A closed port: nothing listens on port 9 on loopback.
    let studio = studio(&root, "http://127.0.0.1:9");
    let started = std::time::Instant::now();
    let status = studio.account_status().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(!status.signed_in && !status.online);
    assert_eq!(status.tier, Tier::Free);
    assert!(status.message.unwrap().contains("SON1K_API_URL"));
    assert!(!studio.quota_applies().unwrap());
    for _ in 0..3 {
        generate(&studio, Quality::Standard).unwrap();
    }
    let e = generate(&studio, Quality::Standard).unwrap_err();
    assert_eq!(e.code(), "quota-reached");
    assert_eq!(studio.account_status().unwrap().usage.used, 3);
    let e = studio.sync().unwrap_err();
    assert!(e.to_string().contains("son1k account login"), "{e}");
    let e = studio.pool_list(None, 1).unwrap_err();
    assert_eq!(e.code(), "offline");
}

#[test]
fn logout_forgets_the_session_and_the_lease() {
    let sh = Home::blocking();
    let server = Server::start(&sh);
    let (_home, root) = tmp();
    let studio = studio(&root, &server.base_url());
    let mail = email();
    studio
        .account_signup(&mail, "correct horse battery")
        .unwrap();
    let creds = son1k_sync::CredentialStore::new(&studio.paths().data_dir);
    assert!(
        creds.file_path().exists(),
        "no keyring here: the 0600 file is used"
    );
    assert!(studio.account_logout().unwrap());
    assert!(!creds.file_path().exists());
    let s = studio.account_status().unwrap();
    assert!(!s.signed_in && s.lease.is_none());
    assert_eq!(s.tier, Tier::Free);
    assert!(!studio.quota_applies().unwrap());
    let e = studio.account_login(&mail, "wrong password!").unwrap_err();
    assert!(e.is_user_error());
    assert!(e.to_string().contains("wrong e-mail or password"), "{e}");
    let s = studio
        .account_login(&mail, "correct horse battery")
        .unwrap();
    assert!(s.signed_in && s.lease.is_some());
    server.stop();
}

#[test]
fn after_a_key_rotation_the_desktop_trusts_the_new_key_through_the_pinned_root_key_only() {
    let sh = Home::blocking();
    let server = Server::start(&sh);
    let (_home, root) = tmp();
    let studio = studio(&root, &server.base_url());
    let status = studio
        .account_signup(&email(), "correct horse battery")
        .unwrap();
    let user = status.user_id.unwrap();
    // What the desktop pinned on first use: the root key, which endorses every rotated one.
    let store = son1k_store::Store::open(&studio.paths().library_db()).unwrap();
    let pinned = store.setting("lease_public_key").unwrap().unwrap();
    let client = son1k_sync::Client::new(&server.base_url()).unwrap();
    assert_eq!(pinned, client.public_keys().unwrap().root_public_key);

    // The operator rotates the key: the next lease is signed by the new one. The desktop
    // renews it, checks the new key's endorsement against its pin and keeps its tier.
    let rotated = son1k_testkit::rotate_lease_key(&sh);
    assert_ne!(rotated.public_key, pinned);
    assert_eq!(server.webhook(&upgrade_event(&user, "PRO")).status(), 200);
    let status = studio.refresh_lease().unwrap();
    assert_eq!(status.tier, Tier::Pro, "{:?}", status.message);
    let kept = store.setting("lease_endorsed_keys").unwrap().unwrap();
    assert!(kept.contains(&rotated.public_key), "{kept}");
    // Offline, the saved lease (signed by the rotated key) still grants PRO.
    server.stop();
    let status = studio.account_status().unwrap();
    assert!(!status.online);
    assert_eq!(status.tier, Tier::Pro, "{:?}", status.message);

    // A key whose endorsement the pinned key did not make is not trusted: the device is FREE.
    let forged = serde_json::json!([{
        "public_key": rotated.public_key,
        "endorsement": URL_SAFE_NO_PAD.encode([7u8; 64]),
    }]);
    store
        .set_setting("lease_endorsed_keys", &forged.to_string())
        .unwrap();
    let status = studio.account_status().unwrap();
    assert_eq!(status.tier, Tier::Free);
    assert!(
        status.message.unwrap().contains("signature check"),
        "a lease only a forged key vouches for is refused"
    );
}
