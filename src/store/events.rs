//! The append-only, hash-chained audit log.

use anyhow::Result;
use rusqlite::{OptionalExtension, params};

use super::{Read, Tx};
use crate::domain::audit::{EventRecord, GENESIS, event_hash};
use crate::domain::time::Timestamp;

/// The triggers that make the events table append-only, as migration 1 created them (name,
/// SQL as SQLite keeps it, layout aside).
pub const APPEND_ONLY_TRIGGERS: [(&str, &str); 2] = [
    (
        "events_no_update",
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events \
         BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    ),
    (
        "events_no_delete",
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events \
         BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END",
    ),
];

/// Which events to list.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub tld: Option<String>,
    pub operator: Option<String>,
    pub limit: Option<usize>,
}

impl Tx<'_> {
    /// Appends an event chained to the last one. Runs inside the caller's transaction, so the
    /// event is stored if and only if the change it records is.
    pub fn append_event(
        &self,
        at: Timestamp,
        operator: &str,
        tld: Option<&str>,
        action: &str,
        detail: &serde_json::Value,
    ) -> Result<EventRecord> {
        // Cached statements: a first poll logs thousands of events (one per auto-reply).
        let last: Option<(i64, String)> = self
            .prepare_cached("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (id, prev_hash) = match last {
            Some((id, hash)) => (id + 1, hash),
            None => (1, GENESIS.to_string()),
        };
        let detail = detail.to_string();
        let at_text = at.to_string();
        let hash = event_hash(&prev_hash, id, &at_text, operator, tld, action, &detail);
        self.prepare_cached(
            "INSERT INTO events (id, at, operator, tld, action, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id, at_text, operator, tld, action, detail, prev_hash, hash
        ])?;
        Ok(EventRecord {
            id,
            at: at_text,
            operator: operator.into(),
            tld: tld.map(Into::into),
            action: action.into(),
            detail,
            prev_hash,
            hash,
        })
    }
}

const COLUMNS: &str = "id, at, operator, tld, action, detail, prev_hash, hash";

fn row_to_event(r: &rusqlite::Row) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        id: r.get(0)?,
        at: r.get(1)?,
        operator: r.get(2)?,
        tld: r.get(3)?,
        action: r.get(4)?,
        detail: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

pub trait EventQueries: Read {
    /// Events matching `filter`, newest first.
    fn events(&self, filter: &EventFilter) -> Result<Vec<EventRecord>> {
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM events
             WHERE (?1 IS NULL OR tld = ?1) AND (?2 IS NULL OR operator = ?2)
             ORDER BY id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![filter.tld, filter.operator, limit], row_to_event)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every event in chain order, for verification.
    fn all_events(&self) -> Result<Vec<EventRecord>> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {COLUMNS} FROM events ORDER BY id"))?;
        let rows = stmt.query_map([], row_to_event)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The triggers on the events table: (name, SQL).
    fn event_triggers(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn().prepare(
            "SELECT name, coalesce(sql, '') FROM sqlite_schema
             WHERE type = 'trigger' AND tbl_name = 'events' ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl<T: Read + ?Sized> EventQueries for T {}
