use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::HashSet;

/// Has `u` (paid) record generations whose ids the rule selects, so they enter the pool.
async fn contribute(app: &TestApp, u: &User, n: usize, genre: &str, quality: &str) -> Vec<String> {
    let ids = uuids_with_selection(app, u, true, n);
    for id in &ids {
        let res = app
            .post(
                "/api/usage",
                Some(&u.token),
                json!({"id": id, "genre": genre, "quality": quality}),
            )
            .await;
        assert_eq!(res.status(), 201);
        assert_eq!(json(res).await["pool_selected"], true);
    }
    ids
}

#[tokio::test]
async fn only_selected_paid_generations_enter_the_pool() {
    let app = TestApp::spawn().await;
    let free = app.signup().await;
    let paid = app.signup().await;
    app.make_paid(&paid, "PRO").await;
    // A FREE user's selected id does not enter; a paid user's unselected id does not either.
    let sel = uuids_with_selection(&app, &free, true, 1).remove(0);
    let res = app
        .post("/api/usage", Some(&free.token), json!({"id": sel}))
        .await;
    assert_eq!(json(res).await["pool_selected"], false);
    let unsel = uuids_with_selection(&app, &paid, false, 1).remove(0);
    let res = app
        .post("/api/usage", Some(&paid.token), json!({"id": unsel}))
        .await;
    assert_eq!(json(res).await["pool_selected"], false);
    let ids = contribute(&app, &paid, 2, "Rock", "ultra").await;
    let v = json(app.get("/api/community/pool", None).await).await;
    assert_eq!(v["total"], 2);
    let listed: HashSet<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, ids.into_iter().collect());
    // The rule is disclosed; each user can check their own recorded generations.
    let p = json(app.get("/api/community/pool/policy", None).await).await;
    assert_eq!(p["percent"], 5.0);
    let s = json(
        app.get(
            &format!(
                "/api/community/pool/selection/{}",
                listed.iter().next().unwrap()
            ),
            Some(&paid.token),
        )
        .await,
    )
    .await;
    assert_eq!(s["selected"], true);
    // The FREE user's id passed the rule for them, but FREE generations do not enter.
    let s = json(
        app.get(
            &format!("/api/community/pool/selection/{sel}"),
            Some(&free.token),
        )
        .await,
    )
    .await;
    assert_eq!(s["selected"], false);
    assert!(s["value"].as_u64().unwrap() < 500);
}

#[tokio::test]
async fn a_thousand_parallel_claims_give_exactly_three() {
    // A thousand connections from one address: more than the per-address cap allows.
    let app = TestApp::spawn_with(|c| c.max_connections_per_ip = 2048).await;
    let paid = app.signup().await;
    app.make_paid(&paid, "STUDIO").await;
    contribute(&app, &paid, 6, "pop", "standard").await;
    let free = app.signup().await;
    let futs =
        (0..1000).map(|_| app.post("/api/community/pool/claim", Some(&free.token), json!({})));
    let results = futures::future::join_all(futs).await;
    let mut claimed = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for r in results {
        *statuses.entry(r.status().as_u16()).or_insert(0) += 1;
        if r.status() == 201 {
            claimed.push(json(r).await["item"]["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(claimed.len(), 3, "{statuses:?}");
    assert_eq!(statuses.get(&429), Some(&997), "{statuses:?}");
    let distinct: HashSet<_> = claimed.iter().collect();
    assert_eq!(distinct.len(), 3, "an item was claimed twice");
}

#[tokio::test]
async fn parallel_claims_of_one_item_succeed_once() {
    let app = TestApp::spawn().await;
    let paid = app.signup().await;
    app.make_paid(&paid, "PRO").await;
    let ids = contribute(&app, &paid, 1, "pop", "standard").await;
    let claimer = app.signup().await;
    app.make_paid(&claimer, "PRO").await; // paid: no daily limit, only the per-item rule
    let futs = (0..100).map(|_| {
        app.post(
            "/api/community/pool/claim",
            Some(&claimer.token),
            json!({"item_id": ids[0]}),
        )
    });
    let results = futures::future::join_all(futs).await;
    let ok = results.iter().filter(|r| r.status() == 201).count();
    let dup = results.iter().filter(|r| r.status() == 409).count();
    assert_eq!((ok, dup), (1, 99));
    let res = app
        .post(
            "/api/community/pool/claim",
            Some(&claimer.token),
            json!({"item_id": "missing"}),
        )
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn withdraw_is_for_the_contributor_only() {
    let app = TestApp::spawn().await;
    let owner = app.signup().await;
    app.make_paid(&owner, "PRO").await;
    let ids = contribute(&app, &owner, 1, "jazz", "high").await;
    let other = app.signup().await;
    let res = app
        .delete(
            &format!("/api/community/pool/{}", ids[0]),
            Some(&other.token),
        )
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        json(app.get("/api/community/pool", None).await).await["total"],
        1
    );
    let res = app
        .delete(
            &format!("/api/community/pool/{}", ids[0]),
            Some(&owner.token),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        json(app.get("/api/community/pool", None).await).await["total"],
        0
    );
    // Withdrawn items cannot be claimed.
    let res = app
        .post(
            "/api/community/pool/claim",
            Some(&other.token),
            json!({"item_id": ids[0]}),
        )
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn likes_and_plays_count_once_per_user() {
    let app = TestApp::spawn().await;
    let owner = app.signup().await;
    app.make_paid(&owner, "PRO").await;
    let id = contribute(&app, &owner, 1, "pop", "standard")
        .await
        .remove(0);
    let a = app.signup().await;
    let b = app.signup().await;
    for _ in 0..3 {
        app.post(
            &format!("/api/community/pool/{id}/like"),
            Some(&a.token),
            json!({}),
        )
        .await;
        app.post(
            &format!("/api/community/pool/{id}/play"),
            Some(&a.token),
            json!({}),
        )
        .await;
    }
    let v = json(
        app.post(
            &format!("/api/community/pool/{id}/like"),
            Some(&b.token),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(v["counted"], true);
    assert_eq!(v["item"]["likes"], 2);
    assert_eq!(v["item"]["plays"], 1);
    let res = app
        .post("/api/community/pool/nope/like", Some(&a.token), json!({}))
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn ranking_by_points_with_genre_filter_and_pages() {
    let app = TestApp::spawn().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let c = app.signup().await;
    for u in [&a, &b, &c] {
        app.make_paid(u, "PRO").await;
    }
    contribute(&app, &a, 2, "rock", "standard").await; // rock 2
    contribute(&app, &b, 1, "rock", "ultra").await; // rock 3
    contribute(&app, &b, 1, "pop", "high").await; // pop 2
    contribute(&app, &c, 1, "pop", "ultra").await; // pop 3
    let all: Value = json(app.get("/api/community/ranking", None).await).await;
    let e = all["entries"].as_array().unwrap();
    assert_eq!(e[0]["contributor_id"], b.id.as_str());
    assert_eq!(e[0]["points"], 5);
    assert_eq!(all["total"], 3);
    let rock: Value = json(app.get("/api/community/ranking?genre=ROCK", None).await).await;
    let e = rock["entries"].as_array().unwrap();
    assert_eq!(e.len(), 2);
    assert_eq!(
        (e[0]["contributor_id"].as_str(), e[0]["points"].as_i64()),
        (Some(b.id.as_str()), Some(3))
    );
    assert_eq!(
        (e[1]["contributor_id"].as_str(), e[1]["points"].as_i64()),
        (Some(a.id.as_str()), Some(2))
    );
    let page2: Value = json(
        app.get("/api/community/ranking?per_page=2&page=2", None)
            .await,
    )
    .await;
    let e = page2["entries"].as_array().unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["rank"], 3);
    let pop_items: Value = json(
        app.get("/api/community/pool?genre=pop&per_page=1", None)
            .await,
    )
    .await;
    assert_eq!(pop_items["total"], 2);
    assert_eq!(pop_items["items"].as_array().unwrap().len(), 1);
}
