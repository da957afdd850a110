//! Case state changes and the mail tldops sent, as triage needs them.

use anyhow::Result;
use rusqlite::params;

use super::{Read, Tx};
use crate::domain::case::{CaseState, Event};

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
    /// Applies `event` to the case of `tld` as the case's lifecycle ([`CaseState::next`])
    /// allows, as a compare-and-set so a concurrent change wins cleanly. Returns the move
    /// (from, to); `None` when the lifecycle refuses it or it changes nothing.
    pub fn apply_event(
        &self,
        tld: &str,
        event: Event,
        at: &str,
    ) -> Result<Option<(CaseState, CaseState)>> {
        let current: Option<String> = rusqlite::OptionalExtension::optional(self.query_row(
            "SELECT state FROM cases WHERE tld = ?1",
            [tld],
            |r| r.get(0),
        ))?;
        let Some(current) = current.and_then(|s| s.parse::<CaseState>().ok()) else {
            return Ok(None);
        };
        let Ok(to) = current.next(event) else {
            return Ok(None);
        };
        if to == current {
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
        Ok((changed == 1).then_some((current, to)))
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

/// A case as the workflow needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub tld: String,
    pub state: CaseState,
    pub token: Option<String>,
    pub invitation_message_id: Option<String>,
    pub invited_at: Option<String>,
    pub reminders: u32,
    pub last_reminded_at: Option<String>,
    pub answered_at: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    pub admin_changed_at: Option<String>,
    pub version: i64,
}

/// What a workflow step changes on a case, applied only if nobody changed it meanwhile.
#[derive(Clone, Debug, Default)]
pub struct CaseUpdate<'a> {
    pub state: Option<CaseState>,
    pub token: Option<&'a str>,
    pub invitation_message_id: Option<&'a str>,
    /// A new invitation: invited now, reminders and decisions cleared.
    pub invited: bool,
    pub reminded: bool,
    /// A decision (approve, reject) by an operator, with its reason.
    pub decided_by: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub override_reason: Option<&'a str>,
}

const CASE_COLUMNS: &str = "tld, state, token, invitation_message_id, invited_at, reminders,
    last_reminded_at, answered_at, decided_at, decided_by, reason, admin_changed_at, version";

fn to_case(r: &rusqlite::Row) -> rusqlite::Result<CaseRow> {
    let state: String = r.get(1)?;
    Ok(CaseRow {
        tld: r.get(0)?,
        state: state.parse().map_err(|e: String| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, e.into())
        })?,
        token: r.get(2)?,
        invitation_message_id: r.get(3)?,
        invited_at: r.get(4)?,
        reminders: r.get(5)?,
        last_reminded_at: r.get(6)?,
        answered_at: r.get(7)?,
        decided_at: r.get(8)?,
        decided_by: r.get(9)?,
        reason: r.get(10)?,
        admin_changed_at: r.get(11)?,
        version: r.get(12)?,
    })
}

impl Tx<'_> {
    /// Applies `u` if the case is still at `version` (compare-and-set); an error when someone
    /// else changed it since it was read.
    pub fn update_case(&self, tld: &str, version: i64, u: &CaseUpdate, at: &str) -> Result<()> {
        let changed = self.execute(
            "UPDATE cases SET
                state = coalesce(?3, state),
                token = coalesce(?4, token),
                invitation_message_id = coalesce(?5, invitation_message_id),
                invited_at = CASE WHEN ?6 THEN ?11 ELSE invited_at END,
                reminders = CASE WHEN ?6 THEN 0 WHEN ?7 THEN reminders + 1 ELSE reminders END,
                last_reminded_at = CASE WHEN ?6 THEN NULL WHEN ?7 THEN ?11 ELSE last_reminded_at END,
                admin_changed_at = CASE WHEN ?6 THEN NULL ELSE admin_changed_at END,
                answered_at = CASE WHEN ?6 THEN NULL ELSE answered_at END,
                decided_by = CASE WHEN ?6 THEN NULL ELSE coalesce(?8, decided_by) END,
                decided_at = CASE WHEN ?6 THEN NULL WHEN ?8 IS NOT NULL THEN ?11 ELSE decided_at END,
                reason = CASE WHEN ?6 THEN NULL WHEN ?8 IS NOT NULL THEN ?9 ELSE reason END,
                override_reason = CASE WHEN ?8 IS NOT NULL THEN ?10 ELSE override_reason END,
                updated_at = ?11, version = version + 1
             WHERE tld = ?1 AND version = ?2",
            params![
                tld,
                version,
                u.state.map(CaseState::as_str),
                u.token,
                u.invitation_message_id,
                u.invited,
                u.reminded,
                u.decided_by,
                u.reason,
                u.override_reason,
                at
            ],
        )?;
        if changed != 1 {
            anyhow::bail!(".{tld} changed meanwhile (another operator?); try again");
        }
        Ok(())
    }
}

pub trait CaseRows: Read {
    fn case(&self, tld: &str) -> Result<Option<CaseRow>> {
        Ok(rusqlite::OptionalExtension::optional(
            self.conn().query_row(
                &format!("SELECT {CASE_COLUMNS} FROM cases WHERE tld = ?1"),
                [tld],
                to_case,
            ),
        )?)
    }

    fn cases(&self) -> Result<Vec<CaseRow>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN tlds t ON t.code = c.tld
             WHERE t.retired_at IS NULL ORDER BY tld"
        ))?;
        let rows = stmt.query_map([], to_case)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every case's state, retired TLDs' too.
    fn case_states(&self) -> Result<Vec<(String, CaseState)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT tld, state FROM cases ORDER BY tld")?;
        let rows = stmt.query_map([], |r| {
            let state: String = r.get(1)?;
            Ok((r.get::<_, String>(0)?, state))
        })?;
        rows.map(|row| {
            let (tld, state) = row?;
            let state = state.parse().map_err(anyhow::Error::msg)?;
            Ok((tld, state))
        })
        .collect()
    }

    fn token_taken(&self, token: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM cases WHERE token = ?1",
            [token],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }
}

impl<T: Read + ?Sized> CaseRows for T {}
