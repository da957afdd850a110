//! The outbox: every mail is written here in the transaction of the action that causes it,
//! then sent. States: `queued` → `sending` → `sent`; a temporary failure goes back to `queued`
//! with a later `next_attempt_at`; a permanent one ends in `failed`. A row in `sending` names
//! the process sending it; left there by a process that died, it may or may not have reached
//! the server (SMTP cannot be exactly-once), so it is never sent again by itself: an operator
//! resends it ([`Tx::resend_mail`]) or marks it sent ([`Tx::mark_sent_by_operator`]).

use anyhow::Result;
use rusqlite::params;

use super::{Read, Tx};
use crate::domain::outbox::MailKind;
use crate::domain::time::Timestamp;

/// A mail to queue.
pub struct NewMail<'a> {
    pub message_id: &'a str,
    pub kind: MailKind,
    pub tld: Option<&'a str>,
    pub recipients: &'a [String],
    pub subject: &'a str,
    pub raw: &'a [u8],
    pub at: Timestamp,
}

/// A queued or sent mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailRow {
    pub id: i64,
    pub message_id: String,
    pub kind: MailKind,
    pub tld: Option<String>,
    pub recipients: Vec<String>,
    pub subject: String,
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// For a `sending` row: the PID of the process sending it, and since when.
    pub claimed_by: Option<u32>,
    pub claimed_at: Option<Timestamp>,
}

impl Tx<'_> {
    pub fn queue_mail(&self, m: &NewMail) -> Result<i64> {
        self.execute(
            "INSERT INTO outbox (message_id, kind, tld, recipients, subject, raw, state, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
            params![
                m.message_id,
                m.kind.as_str(),
                m.tld,
                serde_json::to_string(m.recipients)?,
                m.subject,
                m.raw,
                m.at
            ],
        )?;
        Ok(self.last_insert_rowid())
    }

    /// Claims a queued mail for sending by process `pid`; false when another sender got it
    /// first.
    pub fn claim_mail(&self, id: i64, pid: u32, at: Timestamp) -> Result<bool> {
        Ok(self.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_by = ?2, claimed_at = ?3
             WHERE id = ?1 AND state = 'queued'",
            params![id, pid, at],
        )? == 1)
    }

    /// An interrupted mail the operator wants sent again: queued, due now.
    pub fn resend_mail(&self, id: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE outbox SET state = 'queued', next_attempt_at = NULL, claimed_by = NULL, claimed_at = NULL
             WHERE id = ?1 AND state = 'sending'",
            [id],
        )? == 1)
    }

    /// An interrupted mail the operator knows arrived (the receiver has it): sent.
    pub fn mark_sent_by_operator(&self, id: i64, at: Timestamp) -> Result<bool> {
        Ok(self.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?2, claimed_by = NULL, claimed_at = NULL
             WHERE id = ?1 AND state = 'sending'",
            params![id, at],
        )? == 1)
    }

    pub fn mark_sent(&self, id: i64, at: Timestamp) -> Result<()> {
        self.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?2, last_error = NULL, next_attempt_at = NULL
             WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    /// A temporary failure: try again at `next`.
    pub fn mark_retry(&self, id: i64, error: &str, next: Timestamp) -> Result<()> {
        self.execute(
            "UPDATE outbox SET state = 'queued', last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
            params![id, error, next],
        )?;
        Ok(())
    }

    /// Sending could not even be tried (the transport is blocked): back in the queue, due, and
    /// the claim's attempt not counted.
    pub fn release_mail(&self, id: i64, error: &str) -> Result<()> {
        self.execute(
            "UPDATE outbox SET state = 'queued', attempts = max(attempts - 1, 0), last_error = ?2,
                claimed_by = NULL, claimed_at = NULL
             WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    pub fn mark_failed(&self, id: i64, error: &str) -> Result<()> {
        self.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?2, next_attempt_at = NULL WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    /// Puts a permanently failed mail back in the queue (after the operator fixed the cause).
    pub fn requeue_mail(&self, id: i64) -> Result<bool> {
        Ok(self.execute(
            "UPDATE outbox SET state = 'queued', next_attempt_at = NULL WHERE id = ?1 AND state = 'failed'",
            [id],
        )? == 1)
    }
}

const COLUMNS: &str = "id, message_id, kind, tld, recipients, subject, state, attempts, last_error,
    next_attempt_at, created_at, sent_at, claimed_by, claimed_at";

/// The `kind` column at `i`, read as its enum: a spelling this tldops does not know is an
/// error, not a guess.
pub(super) fn mail_kind(r: &rusqlite::Row, i: usize) -> rusqlite::Result<MailKind> {
    let text: String = r.get(i)?;
    MailKind::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown mail kind {text:?}").into(),
        )
    })
}

fn to_row(r: &rusqlite::Row) -> rusqlite::Result<MailRow> {
    let recipients: String = r.get(4)?;
    Ok(MailRow {
        id: r.get(0)?,
        message_id: r.get(1)?,
        kind: mail_kind(r, 2)?,
        tld: r.get(3)?,
        recipients: serde_json::from_str(&recipients).unwrap_or_default(),
        subject: r.get(5)?,
        state: r.get(6)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        next_attempt_at: r.get(9)?,
        created_at: r.get(10)?,
        sent_at: r.get(11)?,
        claimed_by: r.get(12)?,
        claimed_at: r.get(13)?,
    })
}

pub trait OutboxQueries: Read {
    /// Mail to send now: queued and due.
    fn due_mail(&self, now: Timestamp) -> Result<Vec<(MailRow, Vec<u8>)>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS}, raw FROM outbox
             WHERE state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
             ORDER BY id"
        ))?;
        let rows = stmt.query_map([now], |r| Ok((to_row(r)?, r.get::<_, Vec<u8>>(14)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn outbox(&self, state: Option<&str>) -> Result<Vec<MailRow>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE ?1 IS NULL OR state = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([state], to_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the next queued mail is due: `None` with nothing queued, `Some(None)` when some
    /// mail is due already (never tried, or given back by a blocked transport).
    fn first_due(&self) -> Result<Option<Option<Timestamp>>> {
        let (queued, retries, first): (i64, i64, Option<Timestamp>) = self.conn().query_row(
            "SELECT count(*), count(next_attempt_at), min(next_attempt_at) FROM outbox
             WHERE state = 'queued'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(match (queued, retries) {
            (0, _) => None,
            (q, r) if r < q => Some(None),
            _ => Some(first),
        })
    }

    /// How many mails wait to be sent.
    fn outbox_backlog(&self) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')",
            [],
            |r| r.get(0),
        )?)
    }
}

impl<T: Read + ?Sized> OutboxQueries for T {}
