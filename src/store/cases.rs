//! Case state changes and the mail tldops sent, as triage needs them.

use anyhow::Result;
use rusqlite::params;

use super::{Read, Tx};
use crate::domain::case::CaseState;

/// One sent (or queued) outgoing mail about a TLD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentRow {
    pub kind: String,
    pub tld: String,
    pub message_id: String,
    pub created_at: String,
    /// JSON array of addresses.
    pub recipients: String,
}

impl Tx<'_> {
    /// Moves the case of `tld` to `to` if it is in one of `from`: a compare-and-set, so a
    /// concurrent change wins cleanly. Returns the state it was in when it moved.
    pub fn transition(
        &self,
        tld: &str,
        from: &[CaseState],
        to: CaseState,
        at: &str,
    ) -> Result<Option<CaseState>> {
        let current: Option<String> = rusqlite::OptionalExtension::optional(self.query_row(
            "SELECT state FROM cases WHERE tld = ?1",
            [tld],
            |r| r.get(0),
        ))?;
        let Some(current) = current.and_then(|s| s.parse::<CaseState>().ok()) else {
            return Ok(None);
        };
        if !from.contains(&current) {
            return Ok(None);
        }
        let stamp = match to {
            CaseState::Answered => ", answered_at = ?3",
            _ => "",
        };
        let changed = self.execute(
            &format!(
                "UPDATE cases SET state = ?2, updated_at = ?3, version = version + 1{stamp}
                 WHERE tld = ?1 AND state = ?4"
            ),
            params![tld, to.as_str(), at, current.as_str()],
        )?;
        Ok((changed == 1).then_some(current))
    }
}

pub trait CaseQueries: Read {
    /// Mail tldops has sent or queued, with its TLD, for matching replies and bounces.
    fn sent_mail(&self) -> Result<Vec<SentRow>> {
        let mut stmt = self.conn().prepare(
            "SELECT kind, tld, message_id, created_at, recipients FROM outbox
             WHERE tld IS NOT NULL AND state != 'failed' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SentRow {
                kind: r.get(0)?,
                tld: r.get(1)?,
                message_id: r.get(2)?,
                created_at: r.get(3)?,
                recipients: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Subject-tag tokens of every case that has one.
    fn case_tokens(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT token, tld FROM cases WHERE token IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl<T: Read + ?Sized> CaseQueries for T {}
