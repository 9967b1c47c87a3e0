//! Versioned schema migrations, recorded in SQLite's `user_version`.
//!
//! Each step runs in its own transaction; a database is brought up from whatever version it has
//! (0 for a new file). A database from a newer build is refused rather than damaged.

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// The steps, in order; step `i` takes the schema from version `i` to `i + 1`.
const STEPS: &[&str] = &[
    // 1: the library.
    "CREATE TABLE projects (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, folder TEXT NOT NULL,
        created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
     CREATE TABLE tracks (
        id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL, position INTEGER NOT NULL);
     CREATE TABLE takes (
        id TEXT PRIMARY KEY, track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        file TEXT NOT NULL, seconds REAL NOT NULL, created_ms INTEGER NOT NULL);
     CREATE TABLE generations (
        id TEXT PRIMARY KEY, project_id TEXT REFERENCES projects(id) ON DELETE SET NULL,
        request TEXT NOT NULL, seed INTEGER NOT NULL, engine TEXT NOT NULL, files TEXT NOT NULL,
        created_ms INTEGER NOT NULL);
     CREATE TABLE jobs (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled')),
        priority INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
        progress REAL NOT NULL DEFAULT 0, error TEXT,
        created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
     CREATE INDEX jobs_queue ON jobs (status, priority DESC, created_ms);
     CREATE TABLE outbox (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL,
        created_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, sent_ms INTEGER);
     CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 2: local analytics events (opt-in upload through the outbox).
    "CREATE TABLE analytics_events (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, props TEXT NOT NULL,
        created_ms INTEGER NOT NULL, uploaded INTEGER NOT NULL DEFAULT 0);",
    // 3: retries with backoff: a queued job may wait until a time.
    "ALTER TABLE jobs ADD COLUMN not_before_ms INTEGER NOT NULL DEFAULT 0;",
    // 4: what a finished job produced (JSON), for callers that wait on it.
    "ALTER TABLE jobs ADD COLUMN result TEXT;",
    // 5: Nova Post Pilot's release plans: a release of a song and its calendar events.
    "CREATE TABLE releases (
        id TEXT PRIMARY KEY, song TEXT NOT NULL, title TEXT NOT NULL,
        release_date TEXT NOT NULL, folder TEXT NOT NULL, created_ms INTEGER NOT NULL);
     CREATE TABLE release_events (
        id TEXT PRIMARY KEY, release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
        kind TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
        date TEXT NOT NULL, updated_ms INTEGER NOT NULL);
     CREATE INDEX release_events_date ON release_events (date);",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

/// Brings `conn` up to [`SCHEMA_VERSION`].
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Brings `conn` up to `target` (tests use this to build older schemas). Each step takes the
/// write lock first and re-reads the version, so two processes opening a new library at once
/// cannot both run the same step.
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: current,
                known: SCHEMA_VERSION,
            });
        }
        if current >= target.min(SCHEMA_VERSION) {
            tx.commit()?;
            return Ok(());
        }
        tx.execute_batch(STEPS[current as usize])?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}
