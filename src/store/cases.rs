//! Case state changes and the mail tldops sent, as triage needs them.

use anyhow::Result;
use rusqlite::params;

use super::{Read, Tx};
use crate::domain::case::{CaseState, Event};
use crate::domain::time::Timestamp;

/// One sent (or queued) outgoing mail about a TLD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentRow {
    pub kind: crate::domain::outbox::MailKind,
    pub tld: String,
    pub message_id: String,
    pub created_at: Timestamp,
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
        at: Timestamp,
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
                kind: super::outbox::mail_kind(r, 0)?,
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
    pub invited_at: Option<Timestamp>,
    pub reminders: u32,
    pub last_reminded_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
    pub admin_changed_at: Option<Timestamp>,
    pub version: i64,
    /// Re-confirmation (DESIGN §8.4) and the open round of an approved case.
    pub confirmed_at: Option<Timestamp>,
    pub reconfirm_due_at: Option<Timestamp>,
    pub round: Option<Round>,
    pub round_message_id: Option<String>,
    pub round_sent_at: Option<Timestamp>,
    pub round_reminders: u32,
    pub round_reminded_at: Option<Timestamp>,
}

/// What an approved case's open round asks its admin contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Round {
    /// To confirm or correct the contacts (the yearly re-confirmation).
    Reconfirm,
    /// To authorise a request to change them.
    Request,
}

impl Round {
    pub fn as_str(self) -> &'static str {
        match self {
            Round::Reconfirm => "reconfirm",
            Round::Request => "request",
        }
    }

    fn parse(s: &str) -> Option<Round> {
        match s {
            "reconfirm" => Some(Round::Reconfirm),
            "request" => Some(Round::Request),
            _ => None,
        }
    }
}

impl CaseRow {
    /// Whether a verified reply filed at `filed_at` is news for this approved case: it
    /// answers its open round, or came after its last approval or confirmation.
    pub fn answered_by(&self, filed_at: Timestamp) -> bool {
        match self.round_sent_at {
            Some(sent) if self.round.is_some() => sent <= filed_at,
            _ => self.decided_at.max(self.confirmed_at) < Some(filed_at),
        }
    }

    /// The mail that waits for its admin contact's answer and is chased: the invitation of
    /// an invited case, or the request put to the admin of an approved one.
    pub fn waiting(&self) -> Option<crate::domain::chase::Waiting<'_>> {
        use crate::domain::chase::{Asked, Waiting};
        match self.state {
            CaseState::Invited | CaseState::Reminded => Some(Waiting {
                asked: Asked::Invitation,
                sent_at: self.invited_at,
                reminders: self.reminders,
                reminded_at: self.last_reminded_at,
                thread: self.invitation_message_id.as_deref(),
            }),
            CaseState::Approved if self.round == Some(Round::Request) => Some(Waiting {
                asked: Asked::Request,
                sent_at: self.round_sent_at,
                reminders: self.round_reminders,
                reminded_at: self.round_reminded_at,
                thread: self.round_message_id.as_deref(),
            }),
            _ => None,
        }
    }

    /// Its re-confirmation record, `answered` saying whether a verified reply came after the
    /// round's request.
    pub fn reconfirm_record(&self, answered: bool) -> crate::domain::reconfirm::Record {
        let reconfirming = self.round == Some(Round::Reconfirm);
        crate::domain::reconfirm::Record {
            confirmed_at: self.confirmed_at.or(self.decided_at),
            due_at: self.reconfirm_due_at,
            asked_at: self.round_sent_at.filter(|_| reconfirming),
            reminders: self.round_reminders,
            reminded_at: self.round_reminded_at,
            answered,
        }
    }
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
    /// The contacts confirmed now (an approval, a confirmation): the open round closes and
    /// the next re-confirmation counts from now.
    pub confirmed: bool,
    /// A round opens with this first mail.
    pub round: Option<(Round, &'a str)>,
    pub round_reminded: bool,
}

const CASE_COLUMNS: &str = "tld, state, token, invitation_message_id, invited_at, reminders,
    last_reminded_at, answered_at, decided_at, decided_by, reason, admin_changed_at, version,
    confirmed_at, reconfirm_due_at, round, round_message_id, round_sent_at, round_reminders,
    round_reminded_at";

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
        confirmed_at: r.get(13)?,
        reconfirm_due_at: r.get(14)?,
        round: r
            .get::<_, Option<String>>(15)?
            .as_deref()
            .and_then(Round::parse),
        round_message_id: r.get(16)?,
        round_sent_at: r.get(17)?,
        round_reminders: r.get(18)?,
        round_reminded_at: r.get(19)?,
    })
}

impl Tx<'_> {
    /// Records the contacts an open request would give the ccTLD (DESIGN §8.1).
    pub fn set_requested(
        &self,
        tld: &str,
        contacts: &[crate::domain::triage::Contact],
    ) -> Result<()> {
        self.execute(
            "UPDATE cases SET requested = ?2 WHERE tld = ?1",
            params![tld, super::messages::contacts_json(contacts)],
        )?;
        Ok(())
    }

    /// The contacts of the case's open request, which its admin's verified reply makes
    /// proposals: taken (the request is answered).
    pub fn take_requested(&self, tld: &str) -> Result<Vec<crate::domain::triage::Contact>> {
        let text: Option<String> = rusqlite::OptionalExtension::optional(self.query_row(
            "SELECT requested FROM cases WHERE tld = ?1",
            [tld],
            |r| r.get(0),
        ))?
        .flatten();
        if text.is_some() {
            self.execute("UPDATE cases SET requested = NULL WHERE tld = ?1", [tld])?;
        }
        Ok(super::messages::contacts_from_json(text.as_deref()))
    }

    /// Applies `u` if the case is still at `version` (compare-and-set); an error when someone
    /// else changed it since it was read.
    pub fn update_case(
        &self,
        tld: &str,
        version: i64,
        u: &CaseUpdate,
        at: Timestamp,
    ) -> Result<()> {
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
                confirmed_at = CASE WHEN ?12 THEN ?11 ELSE confirmed_at END,
                reconfirm_due_at = CASE WHEN ?12 OR ?13 IS NOT NULL THEN NULL ELSE reconfirm_due_at END,
                round = CASE WHEN ?12 OR ?6 THEN NULL ELSE coalesce(?13, round) END,
                round_message_id = CASE WHEN ?12 OR ?6 THEN NULL ELSE coalesce(?14, round_message_id) END,
                round_sent_at = CASE WHEN ?12 OR ?6 THEN NULL WHEN ?13 IS NOT NULL THEN ?11 ELSE round_sent_at END,
                round_reminders = CASE WHEN ?12 OR ?6 OR ?13 IS NOT NULL THEN 0 WHEN ?15 THEN round_reminders + 1 ELSE round_reminders END,
                round_reminded_at = CASE WHEN ?12 OR ?6 OR ?13 IS NOT NULL THEN NULL WHEN ?15 THEN ?11 ELSE round_reminded_at END,
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
                at,
                u.confirmed,
                u.round.map(|(r, _)| r.as_str()),
                u.round.map(|(_, id)| id),
                u.round_reminded
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

    /// The case of a TLD the roster holds (every roster TLD has one): its absence is a fault.
    fn existing_case(&self, tld: &str) -> Result<CaseRow> {
        self.case(tld)?
            .ok_or_else(|| anyhow::anyhow!("no case for .{tld}"))
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

    /// The contacts the case's open request would give it (DESIGN §8.1), not taken.
    fn requested(&self, tld: &str) -> Result<Vec<crate::domain::triage::Contact>> {
        let text: Option<String> = rusqlite::OptionalExtension::optional(self.conn().query_row(
            "SELECT requested FROM cases WHERE tld = ?1",
            [tld],
            |r| r.get(0),
        ))?
        .flatten();
        Ok(super::messages::contacts_from_json(text.as_deref()))
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
