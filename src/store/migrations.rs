//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//!
//! Append new migrations at the end; never edit one that has shipped. Each runs in its own
//! transaction together with the version bump.

use anyhow::{Context, Result, bail};
use rusqlite::Connection;

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the DESIGN §2 model.
    r#"
CREATE TABLE tlds (
    code        TEXT PRIMARY KEY,          -- lowercase, no dot; IDN ccTLDs as xn-- A-labels
    country     TEXT NOT NULL,
    region      TEXT CHECK (region IN ('AFTLD', 'APTLD', 'CENTR', 'LACTLD')),
    admin_name  TEXT NOT NULL,
    admin_email TEXT NOT NULL,             -- lowercase
    tech_name   TEXT NOT NULL,
    tech_email  TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    retired_at  TEXT                       -- no longer in the roster; history kept
) STRICT;
CREATE INDEX tlds_admin_email ON tlds (admin_email);
CREATE INDEX tlds_tech_email ON tlds (tech_email);

CREATE TABLE cases (
    tld                   TEXT PRIMARY KEY REFERENCES tlds (code),
    state                 TEXT NOT NULL DEFAULT 'uninvited' CHECK (state IN
                          ('uninvited', 'invited', 'reminded', 'answered', 'approved', 'rejected', 'bounced')),
    token                 TEXT UNIQUE,     -- the #k3x9 of the subject tag
    invitation_message_id TEXT,
    invited_at            TEXT,
    reminders             INTEGER NOT NULL DEFAULT 0,
    last_reminded_at      TEXT,
    answered_at           TEXT,
    decided_at            TEXT,
    decided_by            TEXT,
    reason                TEXT,
    admin_changed_at      TEXT,            -- admin address changed while the invitation was pending
    version               INTEGER NOT NULL DEFAULT 0,  -- bumped by every transition (compare-and-set)
    updated_at            TEXT NOT NULL
) STRICT;
CREATE INDEX cases_state ON cases (state);

CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT,                     -- without angle brackets; NULL when missing
    content_hash TEXT NOT NULL,            -- SHA-256 of the raw bytes
    source       TEXT NOT NULL,            -- e.g. imap:INBOX, maildir:/path
    uidvalidity  INTEGER,
    uid          INTEGER,
    received_at  TEXT,
    date         TEXT,
    from_addr    TEXT,
    subject      TEXT,
    verdict      TEXT NOT NULL CHECK (verdict IN ('admin_from', 'admin_cc', 'unverified', 'ambiguous',
                 'auto_reply', 'bounce', 'suspicious', 'unrelated')),
    tld          TEXT REFERENCES tlds (code),
    why          TEXT NOT NULL,
    parse_error  TEXT,
    raw          BLOB NOT NULL,
    ingested_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX messages_message_id ON messages (message_id) WHERE message_id IS NOT NULL;
CREATE UNIQUE INDEX messages_content_hash ON messages (content_hash) WHERE message_id IS NULL;
CREATE INDEX messages_tld ON messages (tld);
CREATE INDEX messages_verdict ON messages (verdict);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    tld        TEXT NOT NULL REFERENCES tlds (code),
    name       TEXT,
    email      TEXT NOT NULL,
    phone      TEXT,
    state      TEXT NOT NULL CHECK (state IN ('proposed', 'subscribed', 'removed')),
    message    INTEGER REFERENCES messages (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX contacts_tld ON contacts (tld);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,  -- stable across retries: a resend is visible as such
    kind            TEXT NOT NULL,         -- invitation, reminder, approval, welcome, rejection, digest, command
    tld             TEXT REFERENCES tlds (code),
    recipients      TEXT NOT NULL,         -- JSON array
    subject         TEXT NOT NULL,
    raw             BLOB NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
) STRICT;
CREATE INDEX outbox_state ON outbox (state);

CREATE TABLE mailbox_sync (
    source      TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    operator  TEXT NOT NULL,               -- the OS login of the process
    tld       TEXT,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,               -- JSON object: details and evidence
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX events_tld ON events (tld);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"#,
    // 2: the workflow: which contacts an operator approved, and members-backend failures.
    r#"
ALTER TABLE contacts ADD COLUMN approved_at TEXT;      -- approved; subscribed once the backend confirms
ALTER TABLE contacts ADD COLUMN backend_error TEXT;    -- the last members-backend failure, for the queue
ALTER TABLE cases ADD COLUMN override_reason TEXT;     -- why an unverified or suspicious reply was accepted
CREATE INDEX contacts_state ON contacts (state);
"#,
    // 3: listing messages with their contacts without scanning the contacts table per row.
    r#"
CREATE INDEX contacts_message ON contacts (message);
"#,
    // 4: most mail concerns no TLD; indexing its NULLs only slowed a first poll (`tld = ?`
    // queries use the partial index all the same).
    r#"
DROP INDEX messages_tld;
CREATE INDEX messages_tld ON messages (tld) WHERE tld IS NOT NULL;
"#,
    // 5: an assigned message is news for its case from the assignment on, not from its ingest.
    r#"
ALTER TABLE messages ADD COLUMN filed_at TEXT;         -- when an operator filed it (assign); NULL: at ingest
"#,
    // 6: who is sending a mail: a row left `sending` by a process that is gone may have been
    // sent, and waits for an operator instead of being sent again.
    r#"
ALTER TABLE outbox ADD COLUMN claimed_by INTEGER;      -- the PID of the process sending it
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;         -- when that process took it
"#,
    // 7: the language a ccTLD's mail is written in (DESIGN §9); NULL: the default by country.
    r#"
ALTER TABLE tlds ADD COLUMN language TEXT CHECK (language IN ('en', 'fr', 'es', 'ar', 'ru', 'zh'));
"#,
    // 8: after the first invitation (DESIGN §8): re-confirmation of an approved case's
    // contacts, and the round of mail (a re-confirmation, or a request put to the admin of an
    // approved ccTLD) that waits for the admin's answer.
    r#"
ALTER TABLE cases ADD COLUMN confirmed_at TEXT;      -- the contacts last confirmed (an approval counts)
ALTER TABLE cases ADD COLUMN reconfirm_due_at TEXT;  -- due at once: the admin address of an approved case changed
ALTER TABLE cases ADD COLUMN round TEXT CHECK (round IN ('reconfirm', 'request'));  -- open round of an approved case
ALTER TABLE cases ADD COLUMN round_message_id TEXT;  -- its first mail (replies and reminders thread under it)
ALTER TABLE cases ADD COLUMN round_sent_at TEXT;
ALTER TABLE cases ADD COLUMN round_reminders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN round_reminded_at TEXT;
UPDATE cases SET confirmed_at = decided_at WHERE state = 'approved';
"#,
    // 9: requests and self-removal (DESIGN §8.1, §8.2): the `request` verdict (the verdict
    // check is rebuilt with the table, foreign keys off while it is), what a request asks and
    // whom it names, when an operator acted on it; the contacts a case's open request would
    // give the ccTLD once its admin agrees.
    r#"-- foreign keys off
CREATE TABLE messages_new (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT,
    content_hash TEXT NOT NULL,
    source       TEXT NOT NULL,
    uidvalidity  INTEGER,
    uid          INTEGER,
    received_at  TEXT,
    date         TEXT,
    from_addr    TEXT,
    subject      TEXT,
    verdict      TEXT NOT NULL CHECK (verdict IN ('admin_from', 'admin_cc', 'unverified', 'ambiguous',
                 'auto_reply', 'bounce', 'suspicious', 'request', 'unrelated')),
    tld          TEXT REFERENCES tlds (code),
    why          TEXT NOT NULL,
    parse_error  TEXT,
    raw          BLOB NOT NULL,
    ingested_at  TEXT NOT NULL,
    filed_at     TEXT,
    intent       TEXT CHECK (intent IN ('join', 'change', 'leave')),  -- what a request asks
    requested    TEXT,                     -- JSON array of the contacts a request names
    settled_at   TEXT                      -- an operator acted on the request (asked the admin, removed the member)
) STRICT;
INSERT INTO messages_new (id, message_id, content_hash, source, uidvalidity, uid, received_at, date,
    from_addr, subject, verdict, tld, why, parse_error, raw, ingested_at, filed_at)
SELECT id, message_id, content_hash, source, uidvalidity, uid, received_at, date,
    from_addr, subject, verdict, tld, why, parse_error, raw, ingested_at, filed_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE UNIQUE INDEX messages_message_id ON messages (message_id) WHERE message_id IS NOT NULL;
CREATE UNIQUE INDEX messages_content_hash ON messages (content_hash) WHERE message_id IS NULL;
CREATE INDEX messages_tld ON messages (tld) WHERE tld IS NOT NULL;
CREATE INDEX messages_verdict ON messages (verdict);
ALTER TABLE cases ADD COLUMN requested TEXT;           -- JSON: the contacts an open request would give the ccTLD
"#,
    // 10: the TUI's message search reads what it filters on from this index, in row order,
    // not from the table, whose rows are mostly message bytes (50,000 messages: 25 ms, not
    // 300 ms).
    r#"
CREATE INDEX messages_search ON messages (id, verdict, tld, from_addr, subject, message_id, why);
"#,
    // 11: the verdict and intent lists live in the domain's enums, not in checks: SQLite
    // builds a temporary table for each `IN (…)` check of every row written, two per message
    // (a fifth of a first poll's storing), and a check must be rebuilt with its table to grow.
    r#"-- foreign keys off
CREATE TABLE messages_new (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT,
    content_hash TEXT NOT NULL,
    source       TEXT NOT NULL,
    uidvalidity  INTEGER,
    uid          INTEGER,
    received_at  TEXT,
    date         TEXT,
    from_addr    TEXT,
    subject      TEXT,
    verdict      TEXT NOT NULL,            -- domain::triage::Verdict
    tld          TEXT REFERENCES tlds (code),
    why          TEXT NOT NULL,
    parse_error  TEXT,
    raw          BLOB NOT NULL,
    ingested_at  TEXT NOT NULL,
    filed_at     TEXT,
    intent       TEXT,                     -- what a request asks: domain::triage::intent::Intent
    requested    TEXT,                     -- JSON array of the contacts a request names
    settled_at   TEXT                      -- an operator acted on the request (asked the admin, removed the member)
) STRICT;
INSERT INTO messages_new SELECT id, message_id, content_hash, source, uidvalidity, uid, received_at,
    date, from_addr, subject, verdict, tld, why, parse_error, raw, ingested_at, filed_at, intent,
    requested, settled_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE UNIQUE INDEX messages_message_id ON messages (message_id) WHERE message_id IS NOT NULL;
CREATE UNIQUE INDEX messages_content_hash ON messages (content_hash) WHERE message_id IS NULL;
CREATE INDEX messages_tld ON messages (tld) WHERE tld IS NOT NULL;
CREATE INDEX messages_verdict ON messages (verdict);
CREATE INDEX messages_search ON messages (id, verdict, tld, from_addr, subject, message_id, why);
"#,
    // 12: the case states live in domain::case::CaseState, not in a check that repeats them
    // and must be rebuilt with its table to grow: cases rebuilt without it (same columns in
    // the same order, defaults, token uniqueness, reference to tlds and index).
    r#"-- foreign keys off
CREATE TABLE cases_new (
    tld                   TEXT PRIMARY KEY REFERENCES tlds (code),
    state                 TEXT NOT NULL DEFAULT 'uninvited',  -- domain::case::CaseState
    token                 TEXT UNIQUE,     -- the #k3x9 of the subject tag
    invitation_message_id TEXT,
    invited_at            TEXT,
    reminders             INTEGER NOT NULL DEFAULT 0,
    last_reminded_at      TEXT,
    answered_at           TEXT,
    decided_at            TEXT,
    decided_by            TEXT,
    reason                TEXT,
    admin_changed_at      TEXT,            -- admin address changed while the invitation was pending
    version               INTEGER NOT NULL DEFAULT 0,  -- bumped by every transition (compare-and-set)
    updated_at            TEXT NOT NULL,
    override_reason       TEXT,            -- why an unverified or suspicious reply was accepted
    confirmed_at          TEXT,            -- the contacts last confirmed (an approval counts)
    reconfirm_due_at      TEXT,            -- due at once: the admin address of an approved case changed
    round                 TEXT CHECK (round IN ('reconfirm', 'request')),  -- open round of an approved case
    round_message_id      TEXT,            -- its first mail (replies and reminders thread under it)
    round_sent_at         TEXT,
    round_reminders       INTEGER NOT NULL DEFAULT 0,
    round_reminded_at     TEXT,
    requested             TEXT             -- JSON: the contacts an open request would give the ccTLD
) STRICT;
INSERT INTO cases_new SELECT tld, state, token, invitation_message_id, invited_at, reminders,
    last_reminded_at, answered_at, decided_at, decided_by, reason, admin_changed_at, version,
    updated_at, override_reason, confirmed_at, reconfirm_due_at, round, round_message_id,
    round_sent_at, round_reminders, round_reminded_at, requested FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_state ON cases (state);
"#,
];

/// The first line of a migration that rebuilds a table others refer to.
const FOREIGN_KEYS_OFF: &str = "-- foreign keys off";

/// Brings the schema up to date. A database from a newer tldops is refused, not touched.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Applies migrations up to `target` (tests build databases at every earlier version this way).
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        bail!(
            "the database is at schema version {current}, newer than this tldops knows ({}): \
             upgrade tldops",
            MIGRATIONS.len()
        );
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().take(target).skip(current) {
        // A table rebuilt (SQLite's way to change a check) drops and renames the table other
        // tables refer to: foreign keys are off meanwhile, and checked before the commit.
        let rebuild = sql.starts_with(FOREIGN_KEYS_OFF);
        let enforced: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        if rebuild {
            conn.pragma_update(None, "foreign_keys", false)?;
        }
        let result = (|| -> Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)
                .with_context(|| format!("schema migration {} failed", i + 1))?;
            if rebuild {
                let broken: i64 =
                    tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                        r.get(0)
                    })?;
                if broken > 0 {
                    bail!("schema migration {} would break {broken} references", i + 1);
                }
            }
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
            Ok(())
        })();
        if rebuild {
            conn.pragma_update(None, "foreign_keys", enforced != 0)?;
        }
        result?;
    }
    Ok(())
}
