//! Issue 19 item 9: the pool's 5% is chosen by the server (an HMAC under its secret), not by the
//! client's choice of generation ids.

use crate::helpers::*;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The rule before the fix, public and keyless: what an attacker used to pick ids.
fn old_public_rule(id: &str) -> bool {
    let digest = Sha256::digest(format!("son1k-pool-v1:{id}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % 10_000 < 500
}

/// Item 9: 40 ids chosen to pass the old public rule enter the pool at about 5%, not 40/40;
/// the server's answer is the HMAC under its key; the selection route only answers for the
/// caller's own recorded generations, so it cannot be used to try ids first; a server with
/// another `SON1K_POOL_SECRET` selects other ids.
#[tokio::test]
async fn pool_selection_is_chosen_by_the_server() {
    let app = TestApp::spawn().await;
    let paid = app.signup().await;
    app.make_paid(&paid, "STUDIO").await;
    let key = pool_key(&app);
    let mut chosen = Vec::new();
    while chosen.len() < 40 {
        let id = uuid::Uuid::new_v4().to_string();
        if old_public_rule(&id) {
            chosen.push(id);
        }
    }
    let mut entered = 0;
    for id in &chosen {
        let res = app
            .post("/api/usage", Some(&paid.token), json!({"id": id}))
            .await;
        assert_eq!(res.status(), 201);
        let selected = json(res).await["pool_selected"].as_bool().unwrap();
        assert_eq!(
            selected,
            son1k_api::pool::selected(&key, &paid.id, id),
            "the server's HMAC decides"
        );
        entered += usize::from(selected);
    }
    eprintln!("{entered}/40 ids chosen by the old rule entered the pool");
    // Binomial(40, 5%): mean 2; 9 or more has a probability below 1e-4.
    assert!(entered <= 8, "{entered}/40 chosen ids entered the pool");
    let pool = json(app.get("/api/community/pool?per_page=100", None).await).await;
    assert_eq!(pool["total"].as_u64(), Some(entered as u64));

    // Not an oracle: an id nobody recorded, or someone else's, is 404; anonymous is 401.
    let fresh = uuid::Uuid::new_v4();
    let path = format!("/api/community/pool/selection/{fresh}");
    assert_eq!(app.get(&path, Some(&paid.token)).await.status(), 404);
    assert_eq!(app.get(&path, None).await.status(), 401);
    let other = app.signup().await;
    let theirs = format!("/api/community/pool/selection/{}", chosen[0]);
    assert_eq!(app.get(&theirs, Some(&other.token)).await.status(), 404);
    let mine = json(app.get(&theirs, Some(&paid.token)).await).await;
    assert_eq!(
        mine["selected"].as_bool(),
        Some(son1k_api::pool::selected(&key, &paid.id, &chosen[0]))
    );

    // SON1K_POOL_SECRET keys the selection: ids the derived key would select (and not) get the
    // configured key's answer instead.
    let configured = TestApp::spawn_with(|c| c.pool_secret = Some("another secret".into())).await;
    let u = configured.signup().await;
    configured.make_paid(&u, "STUDIO").await;
    let keys = son1k_api::Keys::load(None, configured.home.path()).unwrap();
    let derived = keys.pool;
    let own = keys.with_pool_secret("another secret").pool;
    let (mut only_own, mut only_derived) = (Vec::new(), Vec::new());
    while only_own.len() < 3 || only_derived.len() < 3 {
        let id = uuid::Uuid::new_v4().to_string();
        match (
            son1k_api::pool::selected(&own, &u.id, &id),
            son1k_api::pool::selected(&derived, &u.id, &id),
        ) {
            (true, false) if only_own.len() < 3 => only_own.push(id),
            (false, true) if only_derived.len() < 3 => only_derived.push(id),
            _ => {}
        }
    }
    for (ids, expected) in [(only_own, true), (only_derived, false)] {
        for id in ids {
            let res = configured
                .post("/api/usage", Some(&u.token), json!({"id": id}))
                .await;
            assert_eq!(json(res).await["pool_selected"].as_bool(), Some(expected));
        }
    }
}
