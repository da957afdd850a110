//! TLDs and their cases.

use anyhow::Result;
use rusqlite::{OptionalExtension, params};

use super::{Read, Tx};
use crate::domain::case::CaseState;
use crate::domain::email::Email;
use crate::domain::language::Language;
use crate::domain::region::Region;
use crate::domain::roster::{IanaContact, Tld};
use crate::domain::time::Timestamp;
use crate::domain::tld::TldCode;

/// The case fields the roster shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSummary {
    pub state: CaseState,
    pub invited_at: Option<Timestamp>,
    pub reminders: u32,
    pub answered_at: Option<Timestamp>,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    pub admin_changed_at: Option<Timestamp>,
}

/// One TLD with its case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterRow {
    pub tld: Tld,
    pub case: CaseSummary,
}

const ROW: &str = "t.code, t.country, t.region, t.admin_name, t.admin_email, t.tech_name,
    t.tech_email, t.retired_at IS NOT NULL, c.state, c.invited_at, c.reminders, c.answered_at,
    c.decided_at, c.decided_by, c.admin_changed_at, t.language
    FROM tlds t JOIN cases c ON c.tld = t.code";

fn to_row(r: &rusqlite::Row) -> rusqlite::Result<RosterRow> {
    let text_err = |i, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    let region: Option<String> = r.get(2)?;
    let region = region
        .map(|s| s.parse::<Region>().map_err(|e| text_err(2, e)))
        .transpose()?;
    let state: String = r.get(8)?;
    let language: Option<String> = r.get(15)?;
    let language = language
        .map(|s| s.parse::<Language>().map_err(|e| text_err(15, e)))
        .transpose()?;
    Ok(RosterRow {
        tld: Tld {
            code: TldCode::from_stored(r.get(0)?),
            country: r.get(1)?,
            region,
            language,
            admin: IanaContact {
                name: r.get(3)?,
                email: Email::from_stored(r.get(4)?),
            },
            tech: IanaContact {
                name: r.get(5)?,
                email: Email::from_stored(r.get(6)?),
            },
            retired: r.get(7)?,
        },
        case: CaseSummary {
            state: state.parse().map_err(|e| text_err(8, e))?,
            invited_at: r.get(9)?,
            reminders: r.get(10)?,
            answered_at: r.get(11)?,
            decided_at: r.get(12)?,
            decided_by: r.get(13)?,
            admin_changed_at: r.get(14)?,
        },
    })
}

pub trait RosterQueries: Read {
    /// Every TLD ever imported, retired ones included, in code order.
    fn roster(&self) -> Result<Vec<RosterRow>> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {ROW} ORDER BY t.code"))?;
        let rows = stmt.query_map([], to_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether the TLD's last invitation or reminder went to `admin` (an admin address that
    /// changed back to the one written to leaves nothing pending to fix).
    fn last_invited(&self, code: &TldCode, admin: &str) -> Result<bool> {
        let recipients: Option<String> = self
            .conn()
            .query_row(
                "SELECT recipients FROM outbox WHERE tld = ?1 AND kind IN ('invitation', 'reminder')
                 ORDER BY id DESC LIMIT 1",
                [code.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let to: Vec<String> = recipients
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default();
        Ok(to.iter().any(|a| a.eq_ignore_ascii_case(admin)))
    }

    fn roster_row(&self, code: &TldCode) -> Result<Option<RosterRow>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {ROW} WHERE t.code = ?1"),
                [code.as_str()],
                to_row,
            )
            .optional()?)
    }
}

impl<T: Read + ?Sized> RosterQueries for T {}

impl Tx<'_> {
    /// Inserts or updates a TLD (un-retiring it) and makes sure it has a case.
    pub fn upsert_tld(&self, tld: &Tld, at: Timestamp) -> Result<()> {
        self.execute(
            "INSERT INTO tlds (code, country, region, admin_name, admin_email, tech_name,
                               tech_email, imported_at, retired_at, language)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)
             ON CONFLICT (code) DO UPDATE SET
                country = excluded.country, region = excluded.region,
                admin_name = excluded.admin_name, admin_email = excluded.admin_email,
                tech_name = excluded.tech_name, tech_email = excluded.tech_email,
                imported_at = excluded.imported_at, retired_at = NULL,
                language = excluded.language",
            params![
                tld.code.as_str(),
                tld.country,
                tld.region.map(Region::as_str),
                tld.admin.name,
                tld.admin.email.as_str(),
                tld.tech.name,
                tld.tech.email.as_str(),
                at,
                tld.language.map(Language::as_str)
            ],
        )?;
        self.execute(
            "INSERT INTO cases (tld, updated_at) VALUES (?1, ?2) ON CONFLICT (tld) DO NOTHING",
            params![tld.code.as_str(), at],
        )?;
        Ok(())
    }

    /// Sets (or, with `None`, clears to the default by country) a TLD's mail language.
    pub fn set_language(&self, code: &TldCode, language: Option<Language>) -> Result<()> {
        self.execute(
            "UPDATE tlds SET language = ?2 WHERE code = ?1",
            params![code.as_str(), language.map(Language::as_str)],
        )?;
        Ok(())
    }

    pub fn retire_tld(&self, code: &TldCode, at: Timestamp) -> Result<()> {
        self.execute(
            "UPDATE tlds SET retired_at = ?2 WHERE code = ?1",
            params![code.as_str(), at],
        )?;
        Ok(())
    }

    /// Makes the re-confirmation of an approved case due at once (its admin address changed:
    /// the new admin contact should vouch for the members, who stay meanwhile); returns
    /// whether the case is approved and so marked.
    pub fn flag_reconfirm_due(&self, code: &TldCode, at: Timestamp) -> Result<bool> {
        let changed = self.execute(
            "UPDATE cases SET reconfirm_due_at = ?2, updated_at = ?2, version = version + 1
             WHERE tld = ?1 AND state = 'approved'",
            params![code.as_str(), at],
        )?;
        Ok(changed == 1)
    }

    /// Marks the case when its invitation is still pending and went to another address than
    /// the new `admin`, and unmarks it when it went to that very address (the change was
    /// undone); returns whether the case is marked.
    pub fn flag_admin_changed(&self, code: &TldCode, admin: &str, at: Timestamp) -> Result<bool> {
        if self.last_invited(code, admin)? {
            self.execute(
                "UPDATE cases SET admin_changed_at = NULL, updated_at = ?2, version = version + 1
                 WHERE tld = ?1 AND admin_changed_at IS NOT NULL",
                params![code.as_str(), at],
            )?;
            return Ok(false);
        }
        let pending: Vec<&str> = CaseState::ALL
            .into_iter()
            .filter(|s| s.invitation_pending())
            .map(CaseState::as_str)
            .collect();
        let changed = self.execute(
            &format!(
                "UPDATE cases SET admin_changed_at = ?2, updated_at = ?2, version = version + 1
                 WHERE tld = ?1 AND state IN ({})",
                pending
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            params![code.as_str(), at],
        )?;
        Ok(changed == 1)
    }
}
