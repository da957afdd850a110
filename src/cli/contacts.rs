//! `contacts list` and the members part of `roster show`: a TLD's contacts as text (each line
//! one that `contacts set` takes back) or JSON.

use anyhow::Result;
use serde::Serialize;

use super::output;
use crate::domain::member::ContactState;
use crate::domain::time::Timestamp;
use crate::service::ContactRow;
use crate::service::{Service, describe};

/// One contact in `contacts list --json` and `roster show --json` (`members`).
#[derive(Serialize)]
pub struct ContactJson<'a> {
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// proposed, approved, subscribed, pending_removal, removed
    pub state: &'static str,
    /// The message that named them; null when an operator entered them.
    pub message: Option<i64>,
    pub approved_at: Option<Timestamp>,
    /// What the list server last said went wrong, if anything.
    pub problem: Option<&'a str>,
    pub updated_at: Timestamp,
}

impl<'a> From<&'a ContactRow> for ContactJson<'a> {
    fn from(c: &'a ContactRow) -> Self {
        ContactJson {
            email: &c.email,
            name: c.name.as_deref(),
            phone: c.phone.as_deref(),
            state: c.state.as_str(),
            message: c.message,
            approved_at: c.approved_at,
            problem: c.problem().map(String::as_str),
            updated_at: c.updated_at,
        }
    }
}

/// `proposed   Jan Jansen <jan@nic.nl.example>, +31 26 352 5511`, then `  ! problem`.
pub fn line(c: &ContactRow) -> String {
    let problem = c.problem().map(|e| format!("  ! {e}")).unwrap_or_default();
    output::clean(&format!(
        "{:<10} {}{problem}",
        c.state.to_string(),
        describe(&c.contact())
    ))
}

pub fn list(service: &Service, tld: &str, json: bool) -> Result<()> {
    let contacts = service.contacts_of(tld)?;
    if json {
        let rows: Vec<ContactJson> = contacts.iter().map(Into::into).collect();
        return output::json(&rows);
    }
    for c in &contacts {
        println!("{}", line(c));
    }
    Ok(())
}

/// The members of a ccTLD: on the list, or on their way on or off it.
pub fn is_member(c: &ContactRow) -> bool {
    matches!(
        c.state,
        ContactState::Subscribed | ContactState::Approved | ContactState::PendingRemoval
    )
}
