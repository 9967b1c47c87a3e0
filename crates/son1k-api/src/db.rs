//! The database: SQLite (embedded default) or PostgreSQL, through sqlx's `Any` driver so every
//! query is written once. SQL here sticks to what both accept: `$n` parameters, `TEXT`/`BIGINT`
//! columns, `INSERT … ON CONFLICT`, `RETURNING`.
//!
//! SQLite allows one writer at a time; instead of letting writers spin on `SQLITE_BUSY`, writes go
//! through an in-process lock ([`Db::begin_write`]). PostgreSQL relies on row locks instead.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Transaction};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// The connection pool and, for SQLite, the writer lock.
#[derive(Debug, Clone)]
pub struct Db {
    /// The pool.
    pub pool: AnyPool,
    /// The backend.
    pub backend: Backend,
    writer: Arc<Mutex<()>>,
}

/// A write transaction; on SQLite it also holds the writer lock until dropped.
pub struct WriteTx {
    /// The transaction.
    pub tx: Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTx {
    type Target = Transaction<'static, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx {
    /// Commits.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    /// Rolls back now. Dropping a transaction also rolls it back, but only when its connection is
    /// next used, so on PostgreSQL its row locks stay held until then: a refused request that
    /// locked a counter row rolls back with this before answering.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

/// Connects to `url` (`sqlite://…` or `postgres://…`), tuning SQLite for concurrent readers,
/// with at most `pool_size` connections ([`default_pool_size`] when `None`).
pub async fn connect(url: &str, pool_size: Option<u32>) -> Result<Db, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let backend = if url.starts_with("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let mut opts = AnyPoolOptions::new()
        .max_connections(pool_size.unwrap_or_else(|| default_pool_size(backend)))
        .acquire_timeout(Duration::from_secs(10));
    if backend == Backend::Sqlite {
        opts = opts.after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                )
                .await?;
                Ok(())
            })
        });
    }
    let pool = opts.connect(url).await?;
    Ok(Db {
        pool,
        backend,
        writer: Arc::new(Mutex::new(())),
    })
}

/// The pool size when none is configured: 8 on SQLite (one writer at a time; readers in WAL), and
/// on PostgreSQL twice the cores plus one, at least 4. More connections than the cores can serve
/// do not add throughput: queries then wait inside the database, on its locks and for the CPU,
/// instead of in the pool's queue, and the slowest answers get slower.
pub fn default_pool_size(backend: Backend) -> u32 {
    match backend {
        Backend::Sqlite => 8,
        Backend::Postgres => {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
            (cores * 2 + 1).max(4)
        }
    }
}

impl Db {
    /// Begins a transaction that will write. On SQLite it first takes the writer lock, so
    /// concurrent writers queue here instead of failing with `SQLITE_BUSY`.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _guard: guard })
    }

    /// Runs the migrations that have not run yet. Safe to call from several instances at once
    /// (PostgreSQL takes an advisory lock; SQLite has one writer).
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(5041)")
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .execute(&mut **tx)
        .await?;
        let current: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&mut **tx)
            .await?;
        let current = current.unwrap_or(0);
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            let version = i as i64 + 1;
            if version <= current {
                continue;
            }
            for statement in migration
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                sqlx::query(sqlx::AssertSqlSafe(statement))
                    .execute(&mut **tx)
                    .await?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(version)
                .bind(now())
                .execute(&mut **tx)
                .await?;
            tracing::info!(version, "applied migration");
        }
        tx.commit().await
    }
}

impl Db {
    /// The version of the newest migration applied (0 for an empty database).
    pub async fn schema_version(&self) -> Result<i64, sqlx::Error> {
        let exists: Option<i64> = match self.backend {
            Backend::Sqlite => sqlx::query_scalar(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            ),
            Backend::Postgres => sqlx::query_scalar(
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migrations'",
            ),
        }
        .fetch_optional(&self.pool)
        .await?;
        if exists.is_none() {
            return Ok(0);
        }
        let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Reads an `i64` column that SQLite may return as INTEGER and PostgreSQL as BIGINT.
pub fn get_i64(row: &AnyRow, col: &str) -> Result<i64, sqlx::Error> {
    use sqlx::Row;
    row.try_get::<i64, _>(col)
}

/// The schema, one entry per version. Never edit an entry that has shipped; add a new one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    stripe_customer_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE TABLE login_attempts (
    bucket TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    window_end BIGINT NOT NULL
);
CREATE TABLE stripe_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    customer_id TEXT,
    tier TEXT,
    status TEXT NOT NULL,
    period_start BIGINT,
    period_end BIGINT,
    state_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_user ON subscriptions (user_id);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);
CREATE TABLE usage_records (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    period_key TEXT NOT NULL,
    quality TEXT NOT NULL,
    genre TEXT,
    used_after BIGINT NOT NULL,
    pool_selected BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE TABLE usage_counters (
    user_id TEXT NOT NULL,
    period_key TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (user_id, period_key)
);
CREATE TABLE pool_items (
    id TEXT PRIMARY KEY,
    contributor_id TEXT NOT NULL,
    title TEXT,
    genre TEXT,
    quality TEXT NOT NULL,
    points BIGINT NOT NULL,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX pool_items_genre ON pool_items (genre);
CREATE TABLE pool_claims (
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    day TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE TABLE claim_counters (
    user_id TEXT NOT NULL,
    day TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
CREATE TABLE pool_likes (
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE TABLE pool_plays (
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (user_id, item_id)
)
"#,
    r#"
CREATE TABLE analytics_events (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    at BIGINT NOT NULL,
    props TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
)
"#,
    r#"
CREATE TABLE device_sessions (
    device_code_hash TEXT PRIMARY KEY,
    user_code TEXT NOT NULL UNIQUE,
    device_name TEXT,
    status TEXT NOT NULL,
    user_id TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    interval_s BIGINT NOT NULL,
    last_poll_ms BIGINT,
    slowed BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX device_sessions_expires ON device_sessions (expires_at);
CREATE INDEX device_sessions_user ON device_sessions (user_id)
"#,
    r#"
ALTER TABLE refresh_tokens ADD COLUMN family TEXT;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE TABLE refresh_rotated (
    token_hash TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX refresh_rotated_user ON refresh_rotated (user_id)
"#,
    r#"
ALTER TABLE subscriptions ADD COLUMN tier_at BIGINT;
ALTER TABLE subscriptions ADD COLUMN period_at BIGINT
"#,
    r#"
CREATE INDEX usage_records_user_time ON usage_records (user_id, created_at)
"#,
    r#"
ALTER TABLE login_attempts ADD COLUMN strikes BIGINT;
ALTER TABLE login_attempts ADD COLUMN subject TEXT;
CREATE INDEX login_attempts_subject ON login_attempts (subject)
"#,
    r#"
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request TEXT NOT NULL,
    answer TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)
"#,
    r#"
CREATE TABLE user_roles (
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE TABLE lease_keys (
    id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    wrapped TEXT NOT NULL,
    created_at BIGINT NOT NULL
)
"#,
    r#"
CREATE TABLE checkout_sessions (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    tier TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX users_created ON users (created_at);
CREATE INDEX usage_records_created ON usage_records (created_at);
CREATE INDEX analytics_events_received ON analytics_events (received_at);
CREATE INDEX pool_claims_claimed ON pool_claims (claimed_at);
CREATE INDEX pool_items_created ON pool_items (created_at)
"#,
];

/// The schema version [`Db::migrate`] brings a database to.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
