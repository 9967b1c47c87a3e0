//! The library on real database files.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use son1k_store::{JobStatus, Store, StoreError, SCHEMA_VERSION};

fn db(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-store-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join("library.db")
}

#[test]
fn a_new_library_is_migrated_and_persists() {
    let path = db("persist");
    {
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        s.create_project("Demo", "/music/demo").unwrap();
        s.set_setting("lang", "es").unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.projects().unwrap()[0].name, "Demo");
    assert_eq!(s.setting("lang").unwrap().as_deref(), Some("es"));
    assert!(s.jobs().unwrap().is_empty());
}

#[test]
fn each_older_schema_upgrades_and_a_newer_one_is_refused() {
    for from in 0..SCHEMA_VERSION {
        let path = db(&format!("from{from}"));
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            son1k_store_migrate_to(&mut conn, from);
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION, "from {from}");
        if from >= 1 {
            assert_eq!(
                s.setting("kept").unwrap().as_deref(),
                Some("yes"),
                "data survives the upgrade"
            );
        }
    }
    let path = db("newer");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
            .unwrap();
    }
    assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
}

/// Builds the schema an older build left: the real migration steps, stopped at `version`.
fn son1k_store_migrate_to(conn: &mut rusqlite::Connection, version: i64) {
    son1k_store::migrations::migrate_to(conn, version).unwrap();
    if version >= 1 {
        conn.execute("INSERT INTO settings VALUES ('kept', 'yes')", [])
            .unwrap();
    }
}

#[test]
fn two_workers_never_claim_the_same_job() {
    let path = db("claims");
    let s = Store::open(&path).unwrap();
    for i in 0..200 {
        s.enqueue("analyze", &serde_json::json!({ "n": i }), i % 3)
            .unwrap();
    }
    let claimed: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                scope.spawn(move || {
                    let w = Store::open(&path).unwrap();
                    let mut mine = Vec::new();
                    while let Some(job) = w.claim_next().unwrap() {
                        assert_eq!(job.status, JobStatus::Running);
                        assert!(w.finish(&job.id, JobStatus::Done, None).unwrap());
                        mine.push(job.id);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<String> = claimed.into_iter().flatten().collect();
    assert_eq!(all.len(), 200);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 200, "a job ran twice");
    assert!(s
        .jobs()
        .unwrap()
        .iter()
        .all(|j| j.status == JobStatus::Done && j.attempts == 1));
}

#[test]
fn priorities_cancel_and_crash_recovery() {
    let s = Store::open(&db("recover")).unwrap();
    let low = s.enqueue("render", &serde_json::json!({}), 0).unwrap();
    let high = s.enqueue("generate", &serde_json::json!({}), 5).unwrap();
    let cancel_me = s.enqueue("generate", &serde_json::json!({}), 0).unwrap();
    assert!(s.finish(&cancel_me.id, JobStatus::Cancelled, None).unwrap());
    assert!(
        !s.finish(&cancel_me.id, JobStatus::Done, None).unwrap(),
        "a cancelled job cannot complete"
    );
    let first = s.claim_next().unwrap().unwrap();
    assert_eq!(first.id, high.id);
    s.set_progress(&first.id, 0.4).unwrap();
    // The process dies here: the job stays "running". On the next start it is queued again.
    let (requeued, failed) = s.recover_interrupted(3, std::time::Duration::ZERO).unwrap();
    assert_eq!((requeued, failed), (1, 0));
    let again = s.claim_next().unwrap().unwrap();
    assert_eq!(again.id, high.id);
    assert_eq!(again.attempts, 2);
    assert_eq!(again.progress, 0.0);
    // A job interrupted on every attempt eventually fails with a reason instead of looping.
    s.recover_interrupted(2, std::time::Duration::ZERO).unwrap();
    let j = s.job(&high.id).unwrap();
    assert_eq!(j.status, JobStatus::Failed);
    assert!(j.error.unwrap().contains("interrupted"));
    assert_eq!(s.claim_next().unwrap().unwrap().id, low.id);
    assert!(s.claim_next().unwrap().is_none());
    assert!(matches!(s.job("nope"), Err(StoreError::NotFound { .. })));
}

#[test]
fn outbox_is_idempotent() {
    let s = Store::open(&db("outbox")).unwrap();
    let id = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
    assert!(s
        .outbox_add(id, "usage", &serde_json::json!({"generations": 1}))
        .unwrap());
    assert!(!s
        .outbox_add(id, "usage", &serde_json::json!({"generations": 1}))
        .unwrap());
    assert_eq!(s.outbox_pending(10).unwrap().len(), 1);
    s.outbox_failed(id).unwrap();
    assert_eq!(s.outbox_pending(10).unwrap()[0].attempts, 1);
    s.outbox_sent(id).unwrap();
    s.outbox_sent(id).unwrap();
    assert!(s.outbox_pending(10).unwrap().is_empty());
}

#[test]
fn deleting_a_project_cascades() {
    let s = Store::open(&db("cascade")).unwrap();
    let p = s.create_project("X", "/x").unwrap();
    s.delete_project(&p.id).unwrap();
    assert!(s.projects().unwrap().is_empty());
    assert!(matches!(
        s.delete_project(&p.id),
        Err(StoreError::NotFound { .. })
    ));
}
