//! Contacts: proposed by a reply (or by an operator), approved, subscribed, removed.

use anyhow::Result;
use rusqlite::params;

use super::{Read, Tx};
use crate::domain::triage::Contact;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRow {
    pub id: i64,
    pub tld: String,
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// `proposed`, `subscribed` or `removed`.
    pub state: String,
    /// The message that named them; `None` when an operator entered them.
    pub message: Option<i64>,
    pub approved_at: Option<String>,
    pub backend_error: Option<String>,
    pub updated_at: String,
}

impl ContactRow {
    /// Approved, but the list server has not confirmed the subscription yet.
    pub fn awaiting_subscription(&self) -> bool {
        self.state == "proposed" && self.approved_at.is_some()
    }

    pub fn contact(&self) -> Contact {
        Contact {
            email: self.email.clone(),
            name: self.name.clone(),
            phone: self.phone.clone(),
        }
    }
}

const COLUMNS: &str =
    "id, tld, email, name, phone, state, message, approved_at, backend_error, updated_at";

fn to_row(r: &rusqlite::Row) -> rusqlite::Result<ContactRow> {
    Ok(ContactRow {
        id: r.get(0)?,
        tld: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        phone: r.get(4)?,
        state: r.get(5)?,
        message: r.get(6)?,
        approved_at: r.get(7)?,
        backend_error: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

impl Tx<'_> {
    /// Replaces the TLD's not-yet-approved proposals with `contacts` entered by an operator.
    pub fn set_proposed(&self, tld: &str, contacts: &[Contact], at: &str) -> Result<()> {
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

    pub fn approve_contact(&self, id: i64, at: &str) -> Result<()> {
        self.execute(
            "UPDATE contacts SET approved_at = ?2, backend_error = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    /// Records the members backend's verdict on a contact: its new state, or the error.
    pub fn contact_backend_result(
        &self,
        id: i64,
        state: Option<&str>,
        error: Option<&str>,
        at: &str,
    ) -> Result<()> {
        self.execute(
            "UPDATE contacts SET state = coalesce(?2, state), backend_error = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, state, error, at],
        )?;
        Ok(())
    }

    /// A member's name and phone, as a newer approved reply gives them.
    pub fn update_member_details(
        &self,
        id: i64,
        name: Option<&str>,
        phone: Option<&str>,
        at: &str,
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
    fn contacts_in(&self, state: &str) -> Result<Vec<ContactRow>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM contacts WHERE state = ?1 ORDER BY tld, id"
        ))?;
        let rows = stmt.query_map([state], to_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
