//! The local library: one SQLite database (bundled SQLite, WAL, foreign keys, busy timeout) with
//! versioned migrations, holding projects, tracks, takes, generations, jobs, local analytics
//! events, the sync outbox, settings and release plans.
//!
//! Writes are transactions; a job is claimed by one atomic statement so two workers can never
//! run the same job; interrupted jobs are found on the next open. It is not for audio files (they
//! live in project folders) nor for scheduling policy (that is `son1k-app`'s).
#![deny(missing_docs)]

pub mod migrations;
pub mod releases;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use migrations::SCHEMA_VERSION;
pub use releases::{Release, ReleaseEvent};

/// Library errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("library database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer Son1k Studio.
    #[error("the library was created by a newer Son1k Studio (schema {found}, this version knows {known}); update the app")]
    TooNew {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// A stored JSON value could not be read.
    #[error("library record is damaged: {0}")]
    Json(#[from] serde_json::Error),
    /// No such record.
    #[error("no {kind} with id {id}")]
    NotFound {
        /// Record kind.
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
}

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// Claimed by a worker.
    Running,
    /// Finished successfully.
    Done,
    /// Gave up (see the error).
    Failed,
    /// Cancelled by the user.
    Cancelled,
}

impl JobStatus {
    /// The lower-case name stored in the database and printed by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> JobStatus {
        match s {
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            _ => JobStatus::Queued,
        }
    }
}

/// A job row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Client-made UUID.
    pub id: String,
    /// What kind of work (`generate`, `analyze`, `render`, …).
    pub kind: String,
    /// The work's parameters.
    pub payload: serde_json::Value,
    /// State.
    pub status: JobStatus,
    /// Higher runs first.
    pub priority: i64,
    /// Times a worker started it.
    pub attempts: i64,
    /// Progress 0–1.
    pub progress: f64,
    /// Why it failed.
    pub error: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
}

/// A project row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Folder holding its audio and project file.
    pub folder: String,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
}

/// A song the library knows about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// The id of the job that made it.
    pub id: String,
    /// The project it belongs to, if any.
    pub project_id: Option<String>,
    /// The request, as JSON.
    pub request: serde_json::Value,
    /// The seed.
    pub seed: i64,
    /// Engine id and version.
    pub engine: String,
    /// Where its files are (`dir`, `mix`, `stems`, `midi`, `json`).
    pub files: serde_json::Value,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
}

/// An outbox entry waiting to reach the hosted API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxItem {
    /// Client-made UUID: the server deduplicates on it, so replays are harmless.
    pub id: String,
    /// What it is (`usage`, `pool-contribution`, `analytics`).
    pub kind: String,
    /// The body to send.
    pub payload: serde_json::Value,
    /// Send attempts so far.
    pub attempts: i64,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A connection to the library.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating and migrating if needed) the library at `path`. Another process opening
    /// or migrating it at the same moment is waited for (up to about 10 s).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut tries = 0;
        loop {
            match Store::open_once(path) {
                Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                    if tries < 100
                        && matches!(
                            e.code,
                            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                        ) =>
                {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20 + tries * 2));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        // Wait for other processes (the app and the CLI share the library) rather than fail.
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Store::setup(conn)
    }

    /// An in-memory library (tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(5))?;
        migrations::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    // ---- projects ----

    /// Creates a project.
    pub fn create_project(&self, name: &str, folder: &str) -> Result<Project, StoreError> {
        let p = Project {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_string(),
            folder: folder.to_string(),
            created_ms: now_ms(),
        };
        self.conn.execute(
            "INSERT INTO projects (id, name, folder, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![p.id, p.name, p.folder, p.created_ms],
        )?;
        Ok(p)
    }

    /// Every project, newest first.
    pub fn projects(&self) -> Result<Vec<Project>, StoreError> {
        let mut st = self.conn.prepare("SELECT id, name, folder, created_ms FROM projects ORDER BY created_ms DESC, rowid DESC")?;
        let rows = st.query_map([], |r| {
            Ok(Project {
                id: r.get(0)?,
                name: r.get(1)?,
                folder: r.get(2)?,
                created_ms: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes a project and (by cascade) its tracks and takes.
    pub fn delete_project(&self, id: &str) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM projects WHERE id = ?1", params![id])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "project",
                id: id.into(),
            });
        }
        Ok(())
    }

    // ---- generations ----

    /// Records a finished song. The id is the job's, so a job that is re-run after a crash
    /// records its song once: returns whether a new row was written.
    pub fn add_generation(&self, g: &Generation) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "INSERT INTO generations (id, project_id, request, seed, engine, files, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
            params![
                g.id,
                g.project_id,
                serde_json::to_string(&g.request)?,
                g.seed,
                g.engine,
                serde_json::to_string(&g.files)?,
                g.created_ms
            ],
        )?;
        Ok(n == 1)
    }

    fn generation_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Generation, String, String)> {
        Ok((
            Generation {
                id: r.get(0)?,
                project_id: r.get(1)?,
                request: serde_json::Value::Null,
                seed: r.get(3)?,
                engine: r.get(4)?,
                files: serde_json::Value::Null,
                created_ms: r.get(6)?,
            },
            r.get(2)?,
            r.get(5)?,
        ))
    }

    fn finish_generation(row: (Generation, String, String)) -> Result<Generation, StoreError> {
        let (mut g, request, files) = row;
        g.request = serde_json::from_str(&request)?;
        g.files = serde_json::from_str(&files)?;
        Ok(g)
    }

    /// Every recorded song, newest first.
    pub fn generations(&self) -> Result<Vec<Generation>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, project_id, request, seed, engine, files, created_ms FROM generations
             ORDER BY created_ms DESC, rowid DESC",
        )?;
        let rows = st.query_map([], Self::generation_row)?;
        rows.map(|r| Self::finish_generation(r?)).collect()
    }

    /// One recorded song.
    pub fn generation(&self, id: &str) -> Result<Generation, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, project_id, request, seed, engine, files, created_ms FROM generations WHERE id = ?1",
                params![id],
                Self::generation_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "generation",
                id: id.into(),
            })?;
        Self::finish_generation(row)
    }

    /// Forgets a recorded song (its files are the caller's business).
    pub fn delete_generation(&self, id: &str) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM generations WHERE id = ?1", params![id])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "generation",
                id: id.into(),
            });
        }
        Ok(())
    }

    // ---- jobs ----

    /// Persists a job before anything runs it.
    pub fn enqueue(
        &self,
        kind: &str,
        payload: &serde_json::Value,
        priority: i64,
    ) -> Result<Job, StoreError> {
        let job = Job {
            id: uuid::Uuid::new_v4().to_string(),
            kind: kind.to_string(),
            payload: payload.clone(),
            status: JobStatus::Queued,
            priority,
            attempts: 0,
            progress: 0.0,
            error: None,
            created_ms: now_ms(),
        };
        self.conn.execute(
            "INSERT INTO jobs (id, kind, payload, status, priority, attempts, progress, created_ms, updated_ms)
             VALUES (?1, ?2, ?3, 'queued', ?4, 0, 0, ?5, ?5)",
            params![job.id, job.kind, serde_json::to_string(payload)?, priority, job.created_ms],
        )?;
        Ok(job)
    }

    /// Claims the most urgent queued job for this worker, atomically: two workers never get the same job.
    pub fn claim_next(&self) -> Result<Option<Job>, StoreError> {
        self.claim_next_among(None, &[])
    }

    /// Like [`Store::claim_next`], only among `allowed` kinds (the ones a worker can run; `None`
    /// for any), skipping `excluded` kinds (an open circuit breaker) and jobs waiting out a retry
    /// delay.
    pub fn claim_next_among(
        &self,
        allowed: Option<&[String]>,
        excluded: &[String],
    ) -> Result<Option<Job>, StoreError> {
        let excluded = serde_json::to_string(excluded)?;
        let allowed = allowed.map(serde_json::to_string).transpose()?;
        let id: Option<String> = self
            .conn
            .query_row(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_ms = ?1
                 WHERE id = (SELECT id FROM jobs
                             WHERE status = 'queued' AND not_before_ms <= ?1
                               AND kind NOT IN (SELECT value FROM json_each(?2))
                               AND (?3 IS NULL OR kind IN (SELECT value FROM json_each(?3)))
                             ORDER BY priority DESC, created_ms, rowid LIMIT 1)
                   AND status = 'queued'
                 RETURNING id",
                params![now_ms(), excluded, allowed],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.job(&id).map(Some),
            None => Ok(None),
        }
    }

    /// One job.
    pub fn job(&self, id: &str) -> Result<Job, StoreError> {
        self.conn
            .query_row(
                "SELECT id, kind, payload, status, priority, attempts, progress, error, created_ms FROM jobs WHERE id = ?1",
                params![id],
                row_to_job,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound { kind: "job", id: id.into() })?
    }

    /// Every job, newest first.
    pub fn jobs(&self) -> Result<Vec<Job>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, kind, payload, status, priority, attempts, progress, error, created_ms FROM jobs ORDER BY created_ms DESC, rowid DESC",
        )?;
        let rows = st.query_map([], row_to_job)?;
        rows.map(|r| r?).collect()
    }

    /// Stores what a running job produced (JSON); call before finishing it.
    pub fn set_result(&self, id: &str, result: &serde_json::Value) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE jobs SET result = ?2, updated_ms = ?3 WHERE id = ?1 AND status = 'running'",
            params![id, serde_json::to_string(result)?, now_ms()],
        )?;
        Ok(())
    }

    /// What a job produced, if it stored anything.
    pub fn result(&self, id: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<Option<String>> = self
            .conn
            .query_row("SELECT result FROM jobs WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()?;
        match text {
            None => Err(StoreError::NotFound {
                kind: "job",
                id: id.into(),
            }),
            Some(None) => Ok(None),
            Some(Some(t)) => Ok(Some(serde_json::from_str(&t)?)),
        }
    }

    /// Records progress of a running job.
    pub fn set_progress(&self, id: &str, progress: f64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE jobs SET progress = ?2, updated_ms = ?3 WHERE id = ?1 AND status = 'running'",
            params![id, progress.clamp(0.0, 1.0), now_ms()],
        )?;
        Ok(())
    }

    /// Moves a job to a final state; only a running (or, for cancel, queued) job can move.
    pub fn finish(
        &self,
        id: &str,
        status: JobStatus,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let from = if status == JobStatus::Cancelled {
            "('queued','running')"
        } else {
            "('running')"
        };
        let n = self.conn.execute(
            &format!("UPDATE jobs SET status = ?2, error = ?3, updated_ms = ?4 WHERE id = ?1 AND status IN {from}"),
            params![id, status.as_str(), error, now_ms()],
        )?;
        Ok(n == 1)
    }

    /// Puts a running job back in the queue to be retried after `delay`, recording why.
    pub fn retry_later(&self, id: &str, delay: Duration, error: &str) -> Result<bool, StoreError> {
        let now = now_ms();
        let n = self.conn.execute(
            "UPDATE jobs SET status = 'queued', progress = 0, error = ?2, not_before_ms = ?3, updated_ms = ?4
             WHERE id = ?1 AND status = 'running'",
            params![id, error, now + delay.as_millis() as i64, now],
        )?;
        Ok(n == 1)
    }

    /// Queues a failed or cancelled job again (the user's "retry").
    pub fn requeue(&self, id: &str) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE jobs SET status = 'queued', progress = 0, error = NULL, not_before_ms = 0, updated_ms = ?2
             WHERE id = ?1 AND status IN ('failed','cancelled')",
            params![id, now_ms()],
        )?;
        Ok(n == 1)
    }

    /// Marks running jobs as alive (their worker's heartbeat).
    pub fn heartbeat(&self, ids: &[String]) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE jobs SET updated_ms = ?1 WHERE status = 'running' AND id IN (SELECT value FROM json_each(?2))",
            params![now_ms(), serde_json::to_string(ids)?],
        )?;
        Ok(())
    }

    /// After a crash: jobs left `running` whose worker stopped beating for `stale_after` (their
    /// process died; a live process in another window keeps beating) go back to the queue, or fail
    /// once they have been started `max_attempts` times. Returns (requeued, failed).
    pub fn recover_interrupted(
        &self,
        max_attempts: i64,
        stale_after: Duration,
    ) -> Result<(usize, usize), StoreError> {
        let now = now_ms();
        let cutoff = now - stale_after.as_millis() as i64;
        let tx = self.conn.unchecked_transaction()?;
        let failed = tx.execute(
            "UPDATE jobs SET status = 'failed', error = 'interrupted too many times', updated_ms = ?2
             WHERE status = 'running' AND attempts >= ?1 AND updated_ms <= ?3",
            params![max_attempts, now, cutoff],
        )?;
        let requeued = tx.execute(
            "UPDATE jobs SET status = 'queued', progress = 0, updated_ms = ?1 WHERE status = 'running' AND updated_ms <= ?2",
            params![now, cutoff],
        )?;
        tx.commit()?;
        Ok((requeued, failed))
    }

    // ---- outbox ----

    /// Adds an entry to send; the same id added twice is stored once.
    pub fn outbox_add(
        &self,
        id: &str,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "INSERT INTO outbox (id, kind, payload, created_ms, attempts) VALUES (?1, ?2, ?3, ?4, 0)
             ON CONFLICT(id) DO NOTHING",
            params![id, kind, serde_json::to_string(payload)?, now_ms()],
        )?;
        Ok(n == 1)
    }

    /// Entries not yet acknowledged, oldest first.
    pub fn outbox_pending(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, kind, payload, attempts FROM outbox WHERE sent_ms IS NULL ORDER BY created_ms, rowid LIMIT ?1",
        )?;
        let rows = st.query_map(params![limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, payload, attempts) = row?;
            out.push(OutboxItem {
                id,
                kind,
                payload: serde_json::from_str(&payload)?,
                attempts,
            });
        }
        Ok(out)
    }

    /// Marks an entry acknowledged by the server (idempotent).
    pub fn outbox_sent(&self, id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET sent_ms = ?2 WHERE id = ?1 AND sent_ms IS NULL",
            params![id, now_ms()],
        )?;
        Ok(())
    }

    /// Counts a failed send attempt.
    pub fn outbox_failed(&self, id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?1",
            params![id],
        )?;
        Ok(())
    }

    // ---- settings ----

    /// Reads a setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Writes a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

fn row_to_job(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Job, StoreError>> {
    let payload: String = r.get(2)?;
    let status: String = r.get(3)?;
    let parsed = serde_json::from_str(&payload);
    let job = |payload| Job {
        id: r.get(0).unwrap_or_default(),
        kind: r.get(1).unwrap_or_default(),
        payload,
        status: JobStatus::parse(&status),
        priority: r.get(4).unwrap_or_default(),
        attempts: r.get(5).unwrap_or_default(),
        progress: r.get(6).unwrap_or_default(),
        error: r.get(7).unwrap_or_default(),
        created_ms: r.get(8).unwrap_or_default(),
    };
    Ok(parsed.map(job).map_err(StoreError::from))
}
