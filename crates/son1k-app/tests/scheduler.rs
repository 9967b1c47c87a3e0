//! The job scheduler against a real library file.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use son1k_app::scheduler::{Handler, JobEvent, JobFailure, Policy, Scheduler};
use son1k_store::{JobStatus, Store};

fn db(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("son1k-sched-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d.join("library.db")
}

fn fast() -> Policy {
    Policy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        breaker_threshold: 3,
        breaker_cooldown: Duration::from_secs(60),
        poll: Duration::from_millis(5),
        stale_after: Duration::from_millis(200),
    }
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn statuses(path: &std::path::Path) -> HashMap<String, JobStatus> {
    Store::open(path)
        .unwrap()
        .jobs()
        .unwrap()
        .into_iter()
        .map(|j| (j.id, j.status))
        .collect()
}

#[test]
fn runs_everything_once_within_the_concurrency_limit_with_progress() {
    let path = db("limit");
    let store = Store::open(&path).unwrap();
    for i in 0..24 {
        store
            .enqueue("work", &serde_json::json!({ "i": i }), 0)
            .unwrap();
    }
    let (now, peak, runs) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let (n2, p2, r2) = (now.clone(), peak.clone(), runs.clone());
    let work: Handler = Arc::new(move |_job, ctx| {
        let cur = n2.fetch_add(1, Ordering::SeqCst) + 1;
        p2.fetch_max(cur, Ordering::SeqCst);
        for step in 1..=4 {
            std::thread::sleep(Duration::from_millis(5));
            ctx.progress(step as f64 / 4.0);
        }
        n2.fetch_sub(1, Ordering::SeqCst);
        r2.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let (s, events) = Scheduler::start(
        &path,
        3,
        HashMap::from([("work".to_string(), work)]),
        fast(),
    )
    .unwrap();
    wait_until("all done", || {
        statuses(&path).values().all(|s| *s == JobStatus::Done)
    });
    s.shutdown();
    assert_eq!(runs.load(Ordering::SeqCst), 24, "each job ran exactly once");
    assert!(
        peak.load(Ordering::SeqCst) <= 3,
        "never more than 3 at once"
    );
    let evs: Vec<JobEvent> = events.try_iter().collect();
    assert_eq!(
        evs.iter()
            .filter(|e| matches!(e, JobEvent::Started { .. }))
            .count(),
        24
    );
    assert!(evs
        .iter()
        .any(|e| matches!(e, JobEvent::Progress { fraction, .. } if *fraction == 1.0)));
}

#[test]
fn cancelling_stops_running_work_promptly_and_queued_work_never_starts() {
    let path = db("cancel");
    let store = Store::open(&path).unwrap();
    let long = store.enqueue("long", &serde_json::json!({}), 10).unwrap();
    let queued = store.enqueue("long", &serde_json::json!({}), 0).unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let st = started.clone();
    let handler: Handler = Arc::new(move |_job, ctx| {
        st.fetch_add(1, Ordering::SeqCst);
        for _ in 0..2000 {
            if ctx.is_cancelled() {
                return Err(JobFailure::Cancelled);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    });
    let (s, _events) = Scheduler::start(
        &path,
        1,
        HashMap::from([("long".to_string(), handler)]),
        fast(),
    )
    .unwrap();
    wait_until("the long job to start", || {
        started.load(Ordering::SeqCst) == 1
    });
    assert!(s.cancel(&queued.id).unwrap());
    let t = Instant::now();
    assert!(s.cancel(&long.id).unwrap());
    wait_until("the worker to stop", || {
        store.job(&long.id).unwrap().status == JobStatus::Cancelled
    });
    std::thread::sleep(Duration::from_millis(100));
    s.shutdown();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(
        started.load(Ordering::SeqCst),
        1,
        "the cancelled queued job never started"
    );
    assert_eq!(store.job(&queued.id).unwrap().status, JobStatus::Cancelled);
}

#[test]
fn retryable_failures_back_off_then_succeed_and_fatal_ones_fail_once() {
    let path = db("retry");
    let store = Store::open(&path).unwrap();
    let flaky = store.enqueue("flaky", &serde_json::json!({}), 0).unwrap();
    let broken = store.enqueue("broken", &serde_json::json!({}), 0).unwrap();
    let unknown = store
        .enqueue("teleport", &serde_json::json!({}), 0)
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let flaky_h: Handler = Arc::new(move |_job, _ctx| {
        if c.fetch_add(1, Ordering::SeqCst) < 2 {
            Err(JobFailure::Retryable("endpoint busy".into()))
        } else {
            Ok(())
        }
    });
    let broken_h: Handler = Arc::new(|_job, _ctx| panic!("engine bug"));
    let handlers = HashMap::from([
        ("flaky".to_string(), flaky_h),
        ("broken".to_string(), broken_h),
    ]);
    let (s, _events) = Scheduler::start(&path, 2, handlers, fast()).unwrap();
    wait_until("flaky to succeed", || {
        store.job(&flaky.id).unwrap().status == JobStatus::Done
    });
    wait_until("broken to fail", || {
        store.job(&broken.id).unwrap().status == JobStatus::Failed
    });
    std::thread::sleep(Duration::from_millis(50));
    s.shutdown();
    // A kind no handler runs is left for a scheduler that can run it.
    assert_eq!(store.job(&unknown.id).unwrap().status, JobStatus::Queued);
    assert_eq!(store.job(&flaky.id).unwrap().attempts, 3);
    assert!(store
        .job(&broken.id)
        .unwrap()
        .error
        .unwrap()
        .contains("crashed"));
    assert_eq!(
        store.job(&broken.id).unwrap().attempts,
        1,
        "fatal failures are not retried"
    );
    // The user can queue a failed job again.
    assert!(store.requeue(&broken.id).unwrap());
    assert_eq!(store.job(&broken.id).unwrap().status, JobStatus::Queued);
}

#[test]
fn a_failing_engine_opens_its_breaker_without_blocking_others() {
    let path = db("breaker");
    let store = Store::open(&path).unwrap();
    let bad: Vec<_> = (0..6)
        .map(|_| store.enqueue("bad", &serde_json::json!({}), 5).unwrap())
        .collect();
    let good: Vec<_> = (0..4)
        .map(|_| store.enqueue("good", &serde_json::json!({}), 0).unwrap())
        .collect();
    let bad_h: Handler = Arc::new(|_j, _c| Err(JobFailure::Fatal("model missing".into())));
    let good_h: Handler = Arc::new(|_j, _c| Ok(()));
    let handlers = HashMap::from([("bad".to_string(), bad_h), ("good".to_string(), good_h)]);
    let (s, _events) = Scheduler::start(&path, 1, handlers, fast()).unwrap();
    wait_until("good jobs", || {
        good.iter()
            .all(|g| store.job(&g.id).unwrap().status == JobStatus::Done)
    });
    std::thread::sleep(Duration::from_millis(50));
    s.shutdown();
    let failed = bad
        .iter()
        .filter(|b| store.job(&b.id).unwrap().status == JobStatus::Failed)
        .count();
    assert_eq!(failed, 3, "the breaker opened after 3 failures");
    assert_eq!(
        bad.iter()
            .filter(|b| store.job(&b.id).unwrap().status == JobStatus::Queued)
            .count(),
        3
    );
}

#[test]
fn a_job_interrupted_by_a_crash_is_requeued_and_finished_once() {
    let path = db("crash");
    let store = Store::open(&path).unwrap();
    let j = store.enqueue("work", &serde_json::json!({}), 0).unwrap();
    // A previous process claimed it and died.
    assert_eq!(store.claim_next().unwrap().unwrap().id, j.id);
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let h: Handler = Arc::new(move |_j, _c| {
        r.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let (s, _events) =
        Scheduler::start(&path, 2, HashMap::from([("work".to_string(), h)]), fast()).unwrap();
    wait_until("the recovered job", || {
        store.job(&j.id).unwrap().status == JobStatus::Done
    });
    std::thread::sleep(Duration::from_millis(50));
    s.shutdown();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(store.job(&j.id).unwrap().attempts, 2);
}

#[test]
fn cancelling_through_the_library_reaches_a_running_handler() {
    // As `son1k jobs cancel` does from another process: only the row changes.
    let path = db("remote-cancel");
    let store = Store::open(&path).unwrap();
    let job = store.enqueue("long", &serde_json::json!({}), 0).unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let st = started.clone();
    let handler: Handler = Arc::new(move |_job, ctx| {
        st.fetch_add(1, Ordering::SeqCst);
        for _ in 0..4000 {
            if ctx.is_cancelled() {
                return Err(JobFailure::Cancelled);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(())
    });
    let (s, events) = Scheduler::start(
        &path,
        1,
        HashMap::from([("long".to_string(), handler)]),
        fast(),
    )
    .unwrap();
    wait_until("start", || started.load(Ordering::SeqCst) == 1);
    let t = Instant::now();
    assert!(Store::open(&path)
        .unwrap()
        .finish(&job.id, JobStatus::Cancelled, None)
        .unwrap());
    wait_until("the handler to stop", || {
        events.try_iter().any(|e| {
            matches!(
                e,
                JobEvent::Finished {
                    status: JobStatus::Cancelled,
                    ..
                }
            )
        })
    });
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    s.shutdown();
}
