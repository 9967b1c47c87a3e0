//! Songs in the library: recorded once per job, listed newest first, deleted by id.
#![allow(clippy::unwrap_used)]

use son1k_store::{Generation, Store, StoreError};

fn song(id: &str, created_ms: i64) -> Generation {
    Generation {
        id: id.into(),
        project_id: None,
        request: serde_json::json!({"prompt": format!("song {id}"), "seed": 1}),
        seed: 1,
        engine: "procedural test".into(),
        files: serde_json::json!({"dir": format!("/songs/{id}")}),
        created_ms,
    }
}

#[test]
fn a_job_records_its_song_once() {
    let s = Store::open_in_memory().unwrap();
    assert!(s.add_generation(&song("a", 1)).unwrap());
    assert!(
        !s.add_generation(&song("a", 2)).unwrap(),
        "a re-run job must not add a second row"
    );
    assert!(s.add_generation(&song("b", 3)).unwrap());
    let all = s.generations().unwrap();
    assert_eq!(
        all.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["b", "a"]
    );
    assert_eq!(all[1].created_ms, 1, "the first record wins");
    assert_eq!(s.generation("a").unwrap().request["prompt"], "song a");
    s.delete_generation("a").unwrap();
    assert!(matches!(
        s.generation("a"),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.delete_generation("a"),
        Err(StoreError::NotFound { .. })
    ));
}
