//! A contact's place on the list: proposed by a reply or an operator, approved by an operator,
//! subscribed once the list server confirms, and removed the same way.

use std::fmt;

use serde::Serialize;

/// Where a contact stands. The list server confirms subscriptions and removals, so an
/// approved contact is not yet a member, and a member being removed still is one to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactState {
    /// Named by a reply (or an operator), waiting for a decision.
    Proposed,
    /// Approved; the list server has not confirmed the subscription yet.
    Approved,
    Subscribed,
    /// Removed by an operator; the list server has not confirmed it yet.
    PendingRemoval,
    Removed,
}

impl ContactState {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactState::Proposed => "proposed",
            ContactState::Approved => "approved",
            ContactState::Subscribed => "subscribed",
            ContactState::PendingRemoval => "pending_removal",
            ContactState::Removed => "removed",
        }
    }

    /// The stored `state` column: approval and a pending removal are recorded beside it
    /// (`approved_at`, `backend_error`), so the column keeps its three values.
    pub fn column(self) -> &'static str {
        match self {
            ContactState::Proposed | ContactState::Approved => "proposed",
            ContactState::Subscribed => "subscribed",
            ContactState::PendingRemoval | ContactState::Removed => "removed",
        }
    }

    /// From the stored columns: the state, whether it was approved, whether the list server
    /// still has something to confirm.
    pub fn from_columns(state: &str, approved: bool, unconfirmed: bool) -> Option<ContactState> {
        Some(match (state, approved, unconfirmed) {
            ("proposed", false, _) => ContactState::Proposed,
            ("proposed", true, _) => ContactState::Approved,
            ("subscribed", _, _) => ContactState::Subscribed,
            ("removed", _, true) => ContactState::PendingRemoval,
            ("removed", _, false) => ContactState::Removed,
            _ => return None,
        })
    }

    /// Whether the list server has a change of this contact to confirm.
    pub fn awaits_list_server(self) -> bool {
        matches!(self, ContactState::Approved | ContactState::PendingRemoval)
    }
}

impl fmt::Display for ContactState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContactState::PendingRemoval => "pending removal",
            s => s.as_str(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ContactState::{self, *};

    #[test]
    fn every_state_survives_its_columns() {
        for s in [Proposed, Approved, Subscribed, PendingRemoval, Removed] {
            let approved = matches!(s, Approved);
            let unconfirmed = matches!(s, PendingRemoval);
            assert_eq!(
                ContactState::from_columns(s.column(), approved, unconfirmed),
                Some(s)
            );
        }
        assert_eq!(ContactState::from_columns("bogus", false, false), None);
    }
}
