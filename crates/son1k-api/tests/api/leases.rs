use crate::helpers::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{json, Value};

async fn public_key(app: &TestApp) -> ed25519_dalek::VerifyingKey {
    let v = json(app.get("/api/leases/public-key", None).await).await;
    let bytes: [u8; 32] = B64
        .decode(v["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).unwrap()
}

#[tokio::test]
async fn a_lease_verifies_and_any_tampering_breaks_it() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    app.post(
        "/api/usage",
        Some(&u.token),
        json!({"id": uuid::Uuid::new_v4().to_string()}),
    )
    .await;
    let res = app
        .post(
            "/api/leases",
            Some(&u.token),
            json!({"device_id": "laptop-1"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let v: Value = json(res).await;
    let key = public_key(&app).await;
    let lease = v["lease"].as_str().unwrap();
    let sig = v["signature"].as_str().unwrap();
    let payload = son1k_api::leases::verify_lease(&key, lease, sig, now()).unwrap();
    assert_eq!(payload.user_id, u.id);
    assert_eq!(payload.device_id, "laptop-1");
    assert_eq!(payload.limits.tier, "FREE");
    assert_eq!(payload.used_at_issue, 1);
    assert!(payload.expires_at > payload.issued_at);

    // Flip every byte of the payload in turn, and every byte of the signature.
    let bytes = B64.decode(lease).unwrap();
    for i in 0..bytes.len() {
        let mut t = bytes.clone();
        t[i] ^= 0x01;
        assert!(
            son1k_api::leases::verify_lease(&key, &B64.encode(&t), sig, now()).is_err(),
            "payload byte {i}"
        );
    }
    let sig_bytes = B64.decode(sig).unwrap();
    for i in 0..sig_bytes.len() {
        let mut t = sig_bytes.clone();
        t[i] ^= 0x80;
        assert!(
            son1k_api::leases::verify_lease(&key, lease, &B64.encode(&t), now()).is_err(),
            "signature byte {i}"
        );
    }
    // Expired.
    assert!(matches!(
        son1k_api::leases::verify_lease(&key, lease, sig, payload.expires_at + 1),
        Err(son1k_api::leases::LeaseError::Expired(_))
    ));
}

#[tokio::test]
async fn the_dev_key_persists_across_restarts_and_a_configured_key_wins() {
    let app = TestApp::spawn().await;
    let first = public_key(&app).await;
    let home = app.stop().await;
    assert!(home.path().join("lease-key.dev").exists());
    let mut config = son1k_api::Config::with_home(home.path());
    config.database_url = fresh_db_url().await;
    let app = TestApp::start(config, home).await;
    assert_eq!(public_key(&app).await, first);

    let seed = [9u8; 32];
    let app2 = TestApp::spawn_with(move |c| c.lease_key = Some(hex::encode(seed))).await;
    let expected = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    assert_eq!(public_key(&app2).await, expected);
}

#[tokio::test]
async fn lease_input_is_validated() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let res = app
        .post("/api/leases", Some(&u.token), json!({"device_id": ""}))
        .await;
    assert_eq!(res.status(), 422);
    let res = app.post("/api/leases", Some(&u.token), json!({})).await;
    assert_eq!(res.status(), 422);
}
