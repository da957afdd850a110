//! The writes of messages: a polled message stored once, the contacts it proposes, the
//! mailbox's checkpoint (all in the poll's transaction), and the operator's re-filing and
//! settling of a message. Apart from the queries because they run only inside a [`Tx`], where
//! the reads serve every front end.

use anyhow::Result;
use rusqlite::params;

use super::NewMessage;
use super::contacts_json;
use crate::domain::email::address_key;
use crate::domain::time::Timestamp;
use crate::domain::triage::intent::Intent;
use crate::domain::triage::{Contact, Verdict};
use crate::mail::Checkpoint;
use crate::store::Tx;

impl Tx<'_> {
    /// Stores a message unless one with the same Message-ID (or, without one, the same
    /// content) is already stored; returns its row id when it was new.
    pub fn insert_message(&self, m: &NewMessage) -> Result<Option<i64>> {
        // Cached: a first poll inserts tens of thousands of rows with this one statement.
        let inserted = self
            .prepare_cached(
                "INSERT INTO messages (message_id, content_hash, source, uidvalidity, uid, date,
                from_addr, subject, verdict, tld, why, parse_error, raw, ingested_at, intent, requested)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                m.message_id,
                m.content_hash,
                m.source,
                m.uidvalidity,
                m.uid,
                m.date,
                m.from,
                m.subject,
                m.verdict.as_str(),
                m.tld,
                m.why,
                m.parse_error,
                m.raw,
                m.at,
                m.intent.map(Intent::as_str),
                (!m.requested.is_empty()).then(|| contacts_json(m.requested)),
            ])?;
        Ok((inserted == 1).then(|| self.last_insert_rowid()))
    }

    /// Proposes `c` for `tld`, as `message` names them. An address already proposed (and not
    /// yet approved) stays one proposal: the later message's name and phone win where it
    /// gives them, and the proposal points at that message.
    pub fn insert_contact(
        &self,
        tld: &str,
        c: &Contact,
        message: i64,
        at: Timestamp,
    ) -> Result<()> {
        let key = address_key(&c.email);
        let proposed: Vec<(i64, String)> = self
            .prepare_cached(
                "SELECT id, email FROM contacts
                 WHERE tld = ?1 AND state = 'proposed' AND approved_at IS NULL",
            )?
            .query_map([tld], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        match proposed
            .iter()
            .find(|(_, e)| key.is_some() && address_key(e) == key)
        {
            Some((id, _)) => self
                .prepare_cached(
                    "UPDATE contacts SET email = ?2, name = coalesce(?3, name),
                        phone = coalesce(?4, phone), message = ?5, updated_at = ?6
                     WHERE id = ?1",
                )?
                .execute(params![id, c.email, c.name, c.phone, message, at])?,
            None => self
                .prepare_cached(
                    "INSERT INTO contacts (tld, name, email, phone, state, message, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 'proposed', ?5, ?6, ?6)",
                )?
                .execute(params![tld, c.name, c.email, c.phone, message, at])?,
        };
        Ok(())
    }

    /// Marks a request as acted on (the admin asked, the member removed, dismissed), filed
    /// under `tld` when given.
    pub fn settle_request(&self, id: i64, tld: Option<&str>, at: Timestamp) -> Result<()> {
        self.execute(
            "UPDATE messages SET settled_at = ?2, tld = coalesce(?3, tld) WHERE id = ?1",
            params![id, at, tld],
        )?;
        Ok(())
    }

    /// Re-files a message under a TLD with a new verdict (operator assignment, at `at`).
    pub fn reclassify_message(
        &self,
        id: i64,
        verdict: Verdict,
        tld: &str,
        why: &str,
        at: Timestamp,
    ) -> Result<()> {
        self.execute(
            "UPDATE messages SET verdict = ?2, tld = ?3, why = ?4, filed_at = ?5 WHERE id = ?1",
            params![id, verdict.as_str(), tld, why, at],
        )?;
        self.execute(
            "DELETE FROM contacts WHERE message = ?1 AND state = 'proposed'",
            [id],
        )?;
        Ok(())
    }

    /// The whole message, fetched again to assign mail first stored as its header block: the
    /// content hash stays the block's, which is what a rescan recognises it by.
    pub fn replace_raw(&self, id: i64, raw: &[u8]) -> Result<()> {
        self.execute(
            "UPDATE messages SET raw = ?2 WHERE id = ?1",
            params![id, raw],
        )?;
        Ok(())
    }

    pub fn set_checkpoint(&self, source: &str, cp: Checkpoint, at: Timestamp) -> Result<()> {
        self.execute(
            "INSERT INTO mailbox_sync (source, uidvalidity, last_uid, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (source) DO UPDATE SET uidvalidity = excluded.uidvalidity,
                last_uid = excluded.last_uid, updated_at = excluded.updated_at",
            params![source, cp.uidvalidity, cp.last_uid, at],
        )?;
        Ok(())
    }
}
