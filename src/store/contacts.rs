//! Contacts: proposed by a reply (or by an operator), approved, subscribed, removed.

use anyhow::Result;
use rusqlite::params;

use super::{Read, Tx};
use crate::domain::member::ContactState;
use crate::domain::time::Timestamp;
use crate::domain::triage::Contact;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRow {
    pub id: i64,
    pub tld: String,
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub state: ContactState,
    /// The message that named them; `None` when an operator entered them.
    pub message: Option<i64>,
    pub approved_at: Option<Timestamp>,
    pub backend_error: Option<String>,
    pub updated_at: Timestamp,
}

impl ContactRow {
    /// What the list server last said went wrong with this contact, if anything (a removal
    /// merely waiting for it is its state, not a problem).
    pub fn problem(&self) -> Option<&String> {
        self.backend_error
            .as_ref()
            .filter(|e| e.as_str() != PENDING_REMOVAL)
    }

    pub fn contact(&self) -> Contact {
        Contact {
            email: self.email.clone(),
            name: self.name.clone(),
            phone: self.phone.clone(),
        }
    }
}

/// The mark of a removal the list server has yet to confirm (it is no failure).
const PENDING_REMOVAL: &str = "pending removal";

const COLUMNS: &str =
    "id, tld, email, name, phone, state, message, approved_at, backend_error, updated_at";

fn to_row(r: &rusqlite::Row) -> rusqlite::Result<ContactRow> {
    let column: String = r.get(5)?;
    let approved_at: Option<Timestamp> = r.get(7)?;
    let backend_error: Option<String> = r.get(8)?;
    let state = ContactState::from_columns(&column, approved_at.is_some(), backend_error.is_some())
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                5,
                rusqlite::types::Type::Text,
                format!("unknown contact state `{column}`").into(),
            )
        })?;
    Ok(ContactRow {
        id: r.get(0)?,
        tld: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        phone: r.get(4)?,
        state,
        message: r.get(6)?,
        approved_at,
        backend_error,
        updated_at: r.get(9)?,
    })
}

impl Tx<'_> {
    /// Replaces the TLD's not-yet-approved proposals with `contacts` entered by an operator.
    pub fn set_proposed(&self, tld: &str, contacts: &[Contact], at: Timestamp) -> Result<()> {
        self.execute(
            "DELETE FROM contacts WHERE tld = ?1 AND state = 'proposed' AND approved_at IS NULL",
            [tld],
        )?;
        for c in contacts {
            self.execute(
                "INSERT INTO contacts (tld, name, email, phone, state, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 'proposed', ?5, ?5)",
                params![tld, c.name, c.email, c.phone, at],
            )?;
        }
        Ok(())
    }

    pub fn approve_contact(&self, id: i64, at: Timestamp) -> Result<()> {
        self.execute(
            "UPDATE contacts SET approved_at = ?2, backend_error = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    /// Records the members backend's verdict on a contact: the state it confirmed, or the
    /// error (the contact keeps waiting for the list server).
    pub fn contact_backend_result(
        &self,
        id: i64,
        confirmed: Option<ContactState>,
        error: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        self.execute(
            "UPDATE contacts SET state = coalesce(?2, state), backend_error = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, confirmed.map(ContactState::column), error, at],
        )?;
        Ok(())
    }

    /// A member an operator removed: removed for tldops, pending until the list server confirms.
    pub fn remove_member(&self, id: i64, at: Timestamp) -> Result<()> {
        self.execute(
            "UPDATE contacts SET state = ?2, backend_error = ?3, updated_at = ?4 WHERE id = ?1",
            params![
                id,
                ContactState::PendingRemoval.column(),
                PENDING_REMOVAL,
                at
            ],
        )?;
        Ok(())
    }

    /// A member's name and phone, as a newer approved reply gives them.
    pub fn update_member_details(
        &self,
        id: i64,
        name: Option<&str>,
        phone: Option<&str>,
        at: Timestamp,
    ) -> Result<()> {
        self.execute(
            "UPDATE contacts SET name = ?2, phone = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, name, phone, at],
        )?;
        Ok(())
    }

    /// Drops proposals that were never approved (a decision was taken without them).
    pub fn discard_proposed(&self, tld: &str) -> Result<()> {
        self.execute(
            "DELETE FROM contacts WHERE tld = ?1 AND state = 'proposed' AND approved_at IS NULL",
            [tld],
        )?;
        Ok(())
    }
}

pub trait ContactQueries: Read {
    /// The TLD's contacts, oldest first.
    fn contacts(&self, tld: &str) -> Result<Vec<ContactRow>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM contacts WHERE tld = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([tld], to_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every contact in `state`, by TLD.
    fn contacts_in(&self, state: ContactState) -> Result<Vec<ContactRow>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM contacts WHERE state = ?1 ORDER BY tld, id"
        ))?;
        let rows = stmt.query_map([state.column()], to_row)?;
        let rows: Vec<ContactRow> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().filter(|c| c.state == state).collect())
    }

    /// Contacts whose subscription or removal the list server has not confirmed.
    fn backend_pending(&self) -> Result<Vec<ContactRow>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM contacts
             WHERE (state = 'proposed' AND approved_at IS NOT NULL) OR (state = 'removed' AND backend_error IS NOT NULL)
             ORDER BY tld, id"
        ))?;
        let rows = stmt.query_map([], to_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl<T: Read + ?Sized> ContactQueries for T {}
