//! The state of one installation: a single SQLite file in the data dir.
//!
//! Opening creates the file private (0600, or 0660 in a setgid team directory), turns on WAL,
//! a busy timeout and foreign keys, and applies pending migrations. Writes go through
//! [`Store::write`], one `BEGIN IMMEDIATE` transaction each, so concurrent operators serialise.
//! This module knows SQL and nothing of terminals or mail servers.

mod cases;
mod contacts;
mod events;
mod messages;
mod migrations;
mod outbox;
mod roster;
mod time;

use std::ops::Deref;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::private::Create;

pub use cases::{CaseQueries, CaseRow, CaseRows, CaseUpdate, Round, SentRow};
pub use contacts::{ContactQueries, ContactRow};
pub use events::{APPEND_ONLY_TRIGGERS, EventFilter, EventQueries};
pub use messages::{MessageFilter, MessageQueries, MessageQuery, MessageRow, NewMessage};
pub use outbox::{MailRow, NewMail, OutboxQueries};
pub use roster::{CaseSummary, RosterQueries, RosterRow};

pub struct Store {
    conn: Connection,
}

/// An open write transaction; dropped without [`Store::write`] returning `Ok`, it rolls back.
pub struct Tx<'a>(Transaction<'a>);

impl Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.0
    }
}

/// Queries that work both on the store and inside a write transaction.
pub trait Read {
    fn conn(&self) -> &Connection;
}

impl Read for Store {
    fn conn(&self) -> &Connection {
        &self.conn
    }
}

impl Read for Tx<'_> {
    fn conn(&self) -> &Connection {
        &self.0
    }
}

/// A read transaction: every query in it sees the database as of one moment.
pub struct Snapshot<'a>(Transaction<'a>);

impl Read for Snapshot<'_> {
    fn conn(&self) -> &Connection {
        &self.0
    }
}

/// How long a write waits for another process's transaction before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A failed write in words an operator can act on; the SQLite text stays as its cause.
fn storage_error(e: anyhow::Error) -> anyhow::Error {
    use rusqlite::ErrorCode::*;
    let code = match e.downcast_ref::<rusqlite::Error>() {
        Some(rusqlite::Error::SqliteFailure(f, _)) => f.code,
        _ => return e,
    };
    let what = match code {
        DatabaseBusy | DatabaseLocked => format!(
            "the database stayed locked by another process for {} s (try again)",
            BUSY_TIMEOUT.as_secs()
        ),
        DiskFull => "the disk holding the database is full".into(),
        SystemIoFailure => "cannot write the database (disk full, or a file-size limit?)".into(),
        ReadOnly | PermissionDenied => "the database is read-only for this account".into(),
        _ => return e,
    };
    e.context(what)
}

impl Store {
    /// The database file, unless the database lives in memory.
    pub fn path(&self) -> Option<std::path::PathBuf> {
        let path = self.conn.path().filter(|p| !p.is_empty())?;
        Some(Path::new(path).to_path_buf())
    }

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        let dir = path.parent().unwrap_or(Path::new("."));
        crate::private::create_dir_all(dir)
            .with_context(|| format!("cannot create data directory {}", dir.display()))?;
        // Owner-only, or the team's in a setgid data dir (SQLite gives the -wal and -shm files
        // the database's mode).
        if !path.exists() {
            match crate::private::open(path, Create::New) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", path.display()));
                }
            }
        }
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        Store::setup(conn).map_err(|e| {
            let read_only = matches!(
                e.downcast_ref::<rusqlite::Error>(),
                Some(rusqlite::Error::SqliteFailure(f, _))
                    if matches!(f.code, rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
            );
            if read_only {
                // tldops always writes (WAL, the audit log): name the likely cause.
                anyhow::anyhow!(
                    "database {}: this account cannot write it or its directory (a shared \
                     installation needs the team group and a setgid data dir: README, Shared \
                     installation)",
                    path.display()
                )
            } else {
                e.context(format!("database {}", path.display()))
            }
        })
    }

    /// A private database in memory, for tests.
    #[cfg(test)]
    pub fn open_in_memory() -> Result<Store> {
        Store::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Before the first table: a new database gets pages of 16 KiB (an existing one keeps
        // its own; WAL cannot change it). Rows of 1–6 KB (a header digest, a reply) fill pages
        // of 4 KiB badly and spill to overflow pages: at 50,000 messages a first poll wrote a
        // fifth of its pages empty, and took a tenth longer.
        conn.execute_batch("PRAGMA page_size = 16384")?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if mode != "wal" && mode != "memory" {
            bail!("cannot switch to WAL journal mode (got {mode})");
        }
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        migrations::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Runs `f` in one immediate transaction: all of it is stored, or none of it. Immediate
    /// means the write lock is taken first, so what `f` reads cannot change under it.
    /// A storage failure (locked, disk full, I/O) is an error saying so; the transaction is
    /// rolled back.
    pub fn write<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let tx = Tx(
            Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
                .map_err(|e| storage_error(e.into()))?,
        );
        let value = f(&tx).map_err(storage_error)?;
        tx.0.commit().map_err(|e| storage_error(e.into()))?;
        Ok(value)
    }

    /// Lets this connection's transactions grow to 16 MiB of pages before SQLite spills them
    /// to the WAL (the default is 2 MB). A first poll's transactions (a quarter of a second's
    /// mail, ~12 MB) are larger than that, and each page spilled early was written again, and
    /// read back, at the commit (measured with 4 KiB pages and one-second transactions at
    /// 50,000 messages: 145,000 page writes and 84,000 reads became 97,000 and 37,000).
    pub fn for_large_transactions(&self) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -16384)?;
        Ok(())
    }

    /// Runs `f` as [`Store::write`] would, then rolls everything back: a dry run that shows
    /// exactly what the real run would do.
    pub fn rehearse<T>(&self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let tx = Tx(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        )?);
        let value = f(&tx)?;
        tx.0.rollback()?;
        Ok(value)
    }

    /// Runs the queries of `f` on one snapshot, so that nothing another process commits
    /// meanwhile shows in some of them and not in others. Takes no write lock.
    pub fn snapshot<T>(&self, f: impl FnOnce(&Snapshot) -> Result<T>) -> Result<T> {
        let snapshot = Snapshot(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Deferred,
        )?);
        let value = f(&snapshot)?;
        snapshot.0.rollback()?;
        Ok(value)
    }

    /// Changes whenever another connection commits: how the TUI notices the poller's work and
    /// other operators' actions without a restart.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::migrations::{MIGRATIONS, migrate_to};
    use super::*;

    fn at() -> crate::domain::time::Timestamp {
        "2026-03-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn fresh_database_is_private_wal_and_current() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/tldops.sqlite3");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(pragma::<String>(&store, "journal_mode"), "wal");
        assert_eq!(pragma::<i64>(&store, "foreign_keys"), 1);
        assert_eq!(pragma::<i64>(&store, "page_size"), 16384);
    }

    /// The value of `PRAGMA name` on the store's connection.
    fn pragma<T: rusqlite::types::FromSql>(store: &Store, name: &str) -> T {
        store
            .conn
            .pragma_query_value(None, name, |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn an_existing_database_keeps_its_page_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tldops.sqlite3");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x);",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert_eq!(pragma::<i64>(&store, "page_size"), 4096);
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn setgid_team_directory_gets_a_group_writable_database() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o2770)).unwrap();
        let path = dir.path().join("tldops.sqlite3");
        let store = Store::open(&path).unwrap();
        let detail = serde_json::json!({});
        store
            .write(|tx| {
                tx.append_event(at(), "alice", None, "a", &detail)
                    .map(|_| ())
            })
            .unwrap();
        for file in ["tldops.sqlite3", "tldops.sqlite3-wal", "tldops.sqlite3-shm"] {
            let mode = std::fs::metadata(dir.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o660, "{file}");
        }
    }

    #[test]
    fn every_earlier_version_migrates_cleanly() {
        for version in 0..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("old.sqlite3");
            {
                let mut conn = Connection::open(&path).unwrap();
                migrate_to(&mut conn, version).unwrap();
                let v: i64 = conn
                    .query_row("PRAGMA user_version", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(v, version as i64);
            }
            let store = Store::open(&path).unwrap();
            assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
            // Opening again is a no-op.
            drop(store);
            assert_eq!(
                Store::open(&path).unwrap().schema_version().unwrap(),
                MIGRATIONS.len() as i64
            );
        }
    }

    /// Migration 12 rebuilds `cases` without its state check: every row survives as it was,
    /// the columns keep their order, and only the check is gone.
    #[test]
    fn the_case_state_check_goes_and_every_case_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let columns = |conn: &Connection| -> Vec<String> {
            let mut stmt = conn
                .prepare("SELECT name FROM pragma_table_info('cases')")
                .unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let dump = |conn: &Connection| -> Vec<String> {
            let row = columns(conn)
                .iter()
                .map(|c| format!("quote({c})"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let mut stmt = conn
                .prepare(&format!("SELECT {row} FROM cases ORDER BY tld"))
                .unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let before = {
            let mut conn = Connection::open(&path).unwrap();
            migrate_to(&mut conn, 11).unwrap();
            conn.execute_batch(
                "INSERT INTO tlds (code, country, admin_name, admin_email, tech_name, tech_email, imported_at)
                     VALUES ('nl', 'Netherlands', 'A', 'a@nl.example', 'T', 't@nl.example', 't0'),
                            ('be', 'Belgium', 'A', 'a@be.example', 'T', 't@be.example', 't0');
                 INSERT INTO cases (tld, state, token, invitation_message_id, invited_at, reminders,
                     answered_at, decided_at, decided_by, version, updated_at, override_reason,
                     confirmed_at, round, round_message_id, round_reminders, requested)
                     VALUES ('nl', 'approved', 'k3x9', '<i@x>', 't1', 2, 't2', 't3', 'alice', 5,
                             't3', 'phoned', 't3', 'request', '<r@x>', 1, '[]'),
                            ('be', 'invited', 'ab12', NULL, 't1', 0, NULL, NULL, NULL, 1, 't1',
                             NULL, NULL, NULL, NULL, 0, NULL);",
            )
            .unwrap();
            let err = conn
                .execute("UPDATE cases SET state = 'lapsed' WHERE tld = 'be'", [])
                .unwrap_err();
            assert!(err.to_string().contains("CHECK"), "{err}");
            (columns(&conn), dump(&conn))
        };
        assert_eq!(before.1.len(), 2);
        assert!(before.1[1].contains("'request'|'<r@x>'"), "{:?}", before.1);
        let store = Store::open(&path).unwrap();
        assert_eq!(
            (columns(&store.conn), dump(&store.conn)),
            before,
            "the same columns, in order, and rows"
        );
        store
            .conn
            .execute("UPDATE cases SET state = 'lapsed' WHERE tld = 'be'", [])
            .expect("a state the schema does not list is the domain's business now");
        let duplicate = store
            .conn
            .execute("UPDATE cases SET token = 'k3x9' WHERE tld = 'be'", []);
        assert!(duplicate.is_err(), "tokens stay unique");
        let indexed: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'cases_state'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexed, 1);
    }

    #[test]
    fn newer_database_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = format!("{:#}", Store::open(&path).err().unwrap());
        assert!(err.contains("schema version 99, newer than"), "{err}");
    }

    #[test]
    fn events_are_append_only_and_a_failed_write_leaves_nothing() {
        let store = Store::open_in_memory().unwrap();
        let detail = serde_json::json!({});
        store
            .write(|tx| {
                tx.append_event(at(), "alice", None, "a", &detail)
                    .map(|_| ())
            })
            .unwrap();
        let failed: Result<()> = store.write(|tx| {
            tx.append_event(at(), "alice", None, "b", &detail)?;
            anyhow::bail!("boom")
        });
        assert!(failed.is_err());
        assert_eq!(store.all_events().unwrap().len(), 1);
        for sql in [
            "UPDATE events SET operator = 'mallory'",
            "DELETE FROM events",
        ] {
            let err = store.conn.execute(sql, []).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
    }
}
