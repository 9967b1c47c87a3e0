//! Release plans: a release of a song (its day and folder) and the events of its calendar.
//! Dates are stored as `YYYY-MM-DD` text, which sorts and compares as dates do; the façade
//! parses and checks them before they get here.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::{now_ms, Store, StoreError};

/// A planned release of a song.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// UUID.
    pub id: String,
    /// The song released (a take's folder name, or a song folder's path).
    pub song: String,
    /// The title it is released under.
    pub title: String,
    /// Release day, `YYYY-MM-DD`.
    pub release_date: String,
    /// The folder with its posts, clips and calendar file.
    pub folder: String,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
}

/// One day of a release's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseEvent {
    /// Its id, also the calendar file's `UID` (so an import finds it again).
    pub id: String,
    /// The release it belongs to.
    pub release_id: String,
    /// What it is for (`pre-save`, `release`, `follow-up`, …).
    pub kind: String,
    /// Its title.
    pub title: String,
    /// What to do that day.
    pub description: String,
    /// Its day, `YYYY-MM-DD`.
    pub date: String,
}

const EVENT_COLUMNS: &str = "id, release_id, kind, title, description, date";

fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReleaseEvent> {
    Ok(ReleaseEvent {
        id: r.get(0)?,
        release_id: r.get(1)?,
        kind: r.get(2)?,
        title: r.get(3)?,
        description: r.get(4)?,
        date: r.get(5)?,
    })
}

fn release_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Release> {
    Ok(Release {
        id: r.get(0)?,
        song: r.get(1)?,
        title: r.get(2)?,
        release_date: r.get(3)?,
        folder: r.get(4)?,
        created_ms: r.get(5)?,
    })
}

const RELEASE_COLUMNS: &str = "id, song, title, release_date, folder, created_ms";

impl Store {
    /// Stores a release with its events, all or nothing.
    pub fn add_release(&self, r: &Release, events: &[ReleaseEvent]) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO releases (id, song, title, release_date, folder, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                r.id,
                r.song,
                r.title,
                r.release_date,
                r.folder,
                r.created_ms
            ],
        )?;
        let now = now_ms();
        for e in events {
            tx.execute(
                "INSERT INTO release_events (id, release_id, kind, title, description, date, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![e.id, r.id, e.kind, e.title, e.description, e.date, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every release, newest first.
    pub fn releases(&self) -> Result<Vec<Release>, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {RELEASE_COLUMNS} FROM releases ORDER BY created_ms DESC, rowid DESC"
        ))?;
        let rows = st.query_map([], release_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One release.
    pub fn release(&self, id: &str) -> Result<Release, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {RELEASE_COLUMNS} FROM releases WHERE id = ?1"),
                params![id],
                release_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "release",
                id: id.into(),
            })
    }

    /// Forgets a release and its events.
    pub fn delete_release(&self, id: &str) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM releases WHERE id = ?1", params![id])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "release",
                id: id.into(),
            });
        }
        Ok(())
    }

    /// A release's events by day (then in the order they were planned).
    pub fn release_events(&self, release_id: &str) -> Result<Vec<ReleaseEvent>, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM release_events WHERE release_id = ?1 ORDER BY date, rowid"
        ))?;
        let rows = st.query_map(params![release_id], event_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every release's events from `first` to `last` (`YYYY-MM-DD`, both included), by day.
    pub fn events_between(&self, first: &str, last: &str) -> Result<Vec<ReleaseEvent>, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM release_events WHERE date >= ?1 AND date <= ?2
             ORDER BY date, rowid"
        ))?;
        let rows = st.query_map(params![first, last], event_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One event.
    pub fn release_event(&self, id: &str) -> Result<ReleaseEvent, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {EVENT_COLUMNS} FROM release_events WHERE id = ?1"),
                params![id],
                event_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "release event",
                id: id.into(),
            })
    }

    /// Moves an event to `date`; returns it as it now is.
    pub fn reschedule_event(&self, id: &str, date: &str) -> Result<ReleaseEvent, StoreError> {
        let n = self.conn.execute(
            "UPDATE release_events SET date = ?2, updated_ms = ?3 WHERE id = ?1",
            params![id, date, now_ms()],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "release event",
                id: id.into(),
            });
        }
        self.release_event(id)
    }

    /// Adds `e` to its release, or updates the event with its id if that belongs to the same
    /// release. Returns `Some(true)` when added, `Some(false)` when updated, and `None` (nothing
    /// written) when the id is another release's event.
    pub fn upsert_event(&self, e: &ReleaseEvent) -> Result<Option<bool>, StoreError> {
        let existed = self
            .conn
            .query_row(
                "SELECT release_id FROM release_events WHERE id = ?1",
                params![e.id],
                |r| r.get::<_, String>(0),
            )
            .optional()?;
        match existed {
            Some(owner) if owner != e.release_id => Ok(None),
            Some(_) => {
                self.conn.execute(
                    "UPDATE release_events SET kind = ?2, title = ?3, description = ?4, date = ?5,
                     updated_ms = ?6 WHERE id = ?1",
                    params![e.id, e.kind, e.title, e.description, e.date, now_ms()],
                )?;
                Ok(Some(false))
            }
            None => {
                self.conn.execute(
                    "INSERT INTO release_events (id, release_id, kind, title, description, date, updated_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![e.id, e.release_id, e.kind, e.title, e.description, e.date, now_ms()],
                )?;
                Ok(Some(true))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn release(id: &str, date: &str) -> Release {
        Release {
            id: id.into(),
            song: "take-1".into(),
            title: "Luna".into(),
            release_date: date.into(),
            folder: "/tmp/r".into(),
            created_ms: 1,
        }
    }

    fn event(id: &str, release_id: &str, date: &str) -> ReleaseEvent {
        ReleaseEvent {
            id: id.into(),
            release_id: release_id.into(),
            kind: "follow-up".into(),
            title: format!("event {id}"),
            description: String::new(),
            date: date.into(),
        }
    }

    #[test]
    fn events_are_listed_by_month_moved_and_imported_without_crossing_releases() {
        let s = Store::open_in_memory().unwrap();
        s.add_release(
            &release("r1", "2027-01-15"),
            &[
                event("a", "r1", "2026-12-25"),
                event("b", "r1", "2027-01-15"),
                event("c", "r1", "2027-02-12"),
            ],
        )
        .unwrap();
        s.add_release(
            &release("r2", "2027-01-20"),
            &[event("d", "r2", "2027-01-20")],
        )
        .unwrap();
        let jan: Vec<String> = s
            .events_between("2027-01-01", "2027-01-31")
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(jan, vec!["b", "d"]);
        let moved = s.reschedule_event("c", "2027-01-30").unwrap();
        assert_eq!(moved.date, "2027-01-30");
        assert_eq!(
            s.events_between("2027-01-01", "2027-01-31").unwrap().len(),
            3
        );
        assert!(matches!(
            s.reschedule_event("nope", "2027-01-30"),
            Err(StoreError::NotFound { .. })
        ));
        // An import updates its own release's event, adds a new one, refuses another's.
        let mut b = event("b", "r1", "2027-01-16");
        b.title = "moved".into();
        assert_eq!(s.upsert_event(&b).unwrap(), Some(false));
        assert_eq!(s.release_event("b").unwrap().title, "moved");
        assert_eq!(
            s.upsert_event(&event("e", "r1", "2027-03-01")).unwrap(),
            Some(true)
        );
        assert_eq!(
            s.upsert_event(&event("d", "r1", "2027-03-01")).unwrap(),
            None
        );
        assert_eq!(s.release_event("d").unwrap().release_id, "r2");
        assert_eq!(s.release_events("r1").unwrap().len(), 4);
        // Deleting a release takes its events along.
        s.delete_release("r1").unwrap();
        assert!(s.release_events("r1").unwrap().is_empty());
        assert_eq!(s.releases().unwrap().len(), 1);
    }
}
