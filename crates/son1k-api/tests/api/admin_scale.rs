//! The admin summary on a large table, a million analytics events: the daily-active query ranges
//! over the `received_at` index instead of reading the table (shown with the database's own plan:
//! `EXPLAIN` on PostgreSQL, `EXPLAIN QUERY PLAN` on SQLite), and the whole summary answers in
//! bounded time.

use crate::helpers::*;
use son1k_api::db::Backend;
use son1k_api::{ops, AppState};
use std::time::Instant;

const DAY: i64 = 86_400;

#[tokio::test]
async fn the_daily_active_query_uses_the_time_index_on_a_large_table() {
    let app = TestApp::spawn().await;
    let admin = app.signup().await;
    let state = AppState::open(app.home.config()).await.unwrap();
    ops::create_admin(&state, &admin.email).await.unwrap();
    let now = now();
    let pg = state.db.backend == Backend::Postgres;
    let events: i64 = 1_000_000;
    // Spread over about 23 days (one event every 2 s, newest first), 5 000 accounts.
    let seed_events = if pg {
        "INSERT INTO analytics_events (user_id, id, name, at, received_at) \
         SELECT 'u' || (g % 5000), 'e' || g, 'screen_view', $1 - g * 2, $1 - g * 2 \
         FROM generate_series(1, $2) g"
    } else {
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $2) \
         INSERT INTO analytics_events (user_id, id, name, at, received_at) \
         SELECT 'u' || (n % 5000), 'e' || n, 'screen_view', $1 - n * 2, $1 - n * 2 FROM g"
    };
    let start = Instant::now();
    sqlx::query(seed_events)
        .bind(now)
        .bind(events)
        .execute(&state.db.pool)
        .await
        .unwrap();
    sqlx::query("ANALYZE")
        .execute(&state.db.pool)
        .await
        .unwrap();
    println!(
        "seeded {events} analytics events in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let query = "SELECT user_id FROM analytics_events WHERE received_at >= $1";
    let plan: Vec<String> = if pg {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {query}")))
            .bind(now - DAY)
            .fetch_all(&state.db.pool)
            .await
            .unwrap()
    } else {
        use sqlx::Row;
        sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {query}")))
            .bind(now - DAY)
            .fetch_all(&state.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect()
    };
    let plan = plan.join("\n");
    println!("plan of the daily-active scan:\n{plan}");
    assert!(plan.contains("analytics_events_received"), "{plan}");
    assert!(!plan.contains("Seq Scan"), "{plan}");

    let start = Instant::now();
    let res = app.get("/admin/summary", Some(&admin.token)).await;
    let took = start.elapsed();
    assert_eq!(res.status(), 200);
    let s = json(res).await;
    println!(
        "GET /admin/summary over {events} events: {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    // One event every 2 s: 43 200 in the last day, from all 5 000 accounts.
    assert_eq!(s["active_users"]["daily"], 5000);
    assert_eq!(s["active_users"]["monthly"], 5000);
    assert!(took.as_secs() < 20, "{took:?}");
}
