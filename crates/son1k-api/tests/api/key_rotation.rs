use crate::helpers::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::VerifyingKey;
use serde_json::{json, Value};
use son1k_api::leases::{verify_lease, verify_lease_with_any, LeaseError, LEASE_TTL};
use son1k_api::{lease_keys, ops, AppState};

fn key_of(b64: &str) -> VerifyingKey {
    let bytes: [u8; 32] = B64.decode(b64).unwrap().try_into().unwrap();
    VerifyingKey::from_bytes(&bytes).unwrap()
}

async fn signing_key(app: &TestApp) -> VerifyingKey {
    let v = json(app.get("/api/leases/public-key", None).await).await;
    key_of(v["public_key"].as_str().unwrap())
}

async fn published(app: &TestApp) -> Vec<Value> {
    let v = json(app.get("/api/leases/public-keys", None).await).await;
    v["keys"].as_array().unwrap().clone()
}

/// (lease, signature, expires_at)
async fn issue(app: &TestApp, u: &User, device: &str) -> (String, String, i64) {
    let res = app
        .post("/api/leases", Some(&u.token), json!({"device_id": device}))
        .await;
    assert_eq!(res.status(), 201);
    let v = json(res).await;
    (
        v["lease"].as_str().unwrap().into(),
        v["signature"].as_str().unwrap().into(),
        v["payload"]["expires_at"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn rotation_keeps_old_leases_valid_and_signs_new_ones_with_the_new_key() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let k1 = signing_key(&app).await;
    let (l1, s1, exp1) = issue(&app, &u, "laptop").await;
    assert!(verify_lease(&k1, &l1, &s1, now()).is_ok());
    let before = published(&app).await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["id"], "root");
    assert!(before[0]["retired_at"].is_null());

    // The operator rotates while the server runs (another process would do the same).
    let state = AppState::open(app.home.config()).await.unwrap();
    let new = ops::rotate_lease_key(&state).await.unwrap();
    let k2 = signing_key(&app).await;
    assert_ne!(k1, k2);
    assert_eq!(hex::encode(k2.to_bytes()), new.public_key_hex);

    let (l2, s2, _) = issue(&app, &u, "desktop").await;
    assert!(verify_lease(&k2, &l2, &s2, now()).is_ok());
    assert!(matches!(
        verify_lease(&k1, &l2, &s2, now()),
        Err(LeaseError::BadSignature)
    ));
    assert!(matches!(
        verify_lease(&k2, &l1, &s1, now()),
        Err(LeaseError::BadSignature)
    ));

    // The old key stays published for as long as its leases can live.
    let keys = published(&app).await;
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["id"], new.id.as_str());
    assert!(keys[0]["verify_until"].is_null());
    assert_eq!(keys[1]["id"], "root");
    assert_eq!(keys[1]["retired_at"], new.created_at);
    assert!(keys[1]["verify_until"].as_i64().unwrap() >= exp1);
    let set: Vec<VerifyingKey> = keys
        .iter()
        .map(|k| key_of(k["public_key"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verify_lease_with_any(&set, &l1, &s1, now())
            .unwrap()
            .user_id,
        u.id
    );
    assert_eq!(
        verify_lease_with_any(&set, &l2, &s2, now())
            .unwrap()
            .user_id,
        u.id
    );
    // Tampering still fails against the whole set, and expiry still applies.
    assert!(matches!(
        verify_lease_with_any(&set, &l2, &s1, now()),
        Err(LeaseError::BadSignature)
    ));
    assert!(matches!(
        verify_lease_with_any(&set, &l1, &s1, exp1 + 1),
        Err(LeaseError::Expired(_))
    ));

    // A second rotation: three keys published, the first lease still verifies.
    let third = ops::rotate_lease_key(&state).await.unwrap();
    assert!(third.created_at > new.created_at);
    let keys = published(&app).await;
    let ids: Vec<&str> = keys.iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [third.id.as_str(), new.id.as_str(), "root"]);
    // Each rotated key carries the root key's endorsement (what a desktop that pinned the root
    // key checks before trusting it); the root key itself needs none.
    let doc = json(app.get("/api/leases/public-keys", None).await).await;
    let root = key_of(doc["root_public_key"].as_str().unwrap());
    assert_eq!(root, k1);
    for k in &keys {
        let public = key_of(k["public_key"].as_str().unwrap());
        match k["endorsement"].as_str() {
            None => assert_eq!(k["id"], "root"),
            Some(e) => {
                let sig: [u8; 64] = B64.decode(e).unwrap().try_into().unwrap();
                let mut message = lease_keys::LEASE_KEY_ENDORSEMENT_CONTEXT.to_vec();
                message.extend_from_slice(&public.to_bytes());
                assert!(root
                    .verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&sig))
                    .is_ok());
                // Not a signature of some other key.
                message[lease_keys::LEASE_KEY_ENDORSEMENT_CONTEXT.len()] ^= 1;
                assert!(root
                    .verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&sig))
                    .is_err());
            }
        }
    }
    assert_eq!(
        third.endorsement.as_deref(),
        keys[0]["endorsement"].as_str()
    );
    let set: Vec<VerifyingKey> = keys
        .iter()
        .map(|k| key_of(k["public_key"].as_str().unwrap()))
        .collect();
    assert!(verify_lease_with_any(&set, &l1, &s1, now()).is_ok());

    // A lease lifetime after a key was replaced, it is no longer published.
    let ring = lease_keys::ring(&state.db, &state.keys).await.unwrap();
    let later = lease_keys::published(&ring, third.created_at + LEASE_TTL, &state.keys.lease);
    let ids: Vec<&str> = later.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, [third.id.as_str()]);
    let just_before =
        lease_keys::published(&ring, new.created_at + LEASE_TTL - 1, &state.keys.lease);
    assert_eq!(just_before.len(), 3);
}

#[tokio::test]
async fn a_rotated_key_does_not_open_under_another_root_key() {
    let app = TestApp::spawn().await;
    let u = app.signup().await;
    let state = AppState::open(app.home.config()).await.unwrap();
    ops::rotate_lease_key(&state).await.unwrap();
    let home = app.stop().await;
    // Same database, another SON1K_LEASE_KEY: the stored key cannot be opened, and no lease is
    // signed with a key nobody publishes.
    let mut config = home.config();
    config.lease_key = Some(hex::encode([7u8; 32]));
    let app = TestApp::start(config, home).await;
    let res = app
        .post(
            "/api/leases",
            Some(&u.token),
            json!({"device_id": "laptop"}),
        )
        .await;
    // The access token was signed under the old root, so sign in again first.
    assert_eq!(res.status(), 401);
    let res = login(&app, &u.email, "correct horse battery").await;
    let token = json(res).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post("/api/leases", Some(&token), json!({"device_id": "laptop"}))
        .await;
    assert_eq!(res.status(), 503);
    assert_eq!(json(res).await["error"]["code"], "lease_key_unavailable");
}

#[test]
fn sealing_round_trips_and_refuses_other_roots_and_changes() {
    let root = ed25519_dalek::SigningKey::from_bytes(&[1u8; 32]);
    let other = ed25519_dalek::SigningKey::from_bytes(&[2u8; 32]);
    let seed = [42u8; 32];
    let sealed = lease_keys::seal(&root, "k1", &seed);
    assert!(!sealed.contains(&hex::encode(seed)));
    assert_eq!(lease_keys::open(&root, "k1", &sealed), Some(seed));
    assert_eq!(lease_keys::open(&other, "k1", &sealed), None);
    assert_eq!(lease_keys::open(&root, "k2", &sealed), None);
    let mut bytes = hex::decode(&sealed).unwrap();
    for i in [0, 31, 32, 63] {
        bytes[i] ^= 1;
        assert_eq!(
            lease_keys::open(&root, "k1", &hex::encode(&bytes)),
            None,
            "byte {i}"
        );
        bytes[i] ^= 1;
    }
    // Two keys sealed under one root do not share a keystream.
    let a = hex::decode(lease_keys::seal(&root, "ka", &seed)).unwrap();
    let b = hex::decode(lease_keys::seal(&root, "kb", &seed)).unwrap();
    assert_ne!(a[..32], b[..32]);
}
