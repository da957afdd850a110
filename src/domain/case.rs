//! The admission case of one ccTLD and its lifecycle states.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// `uninvited → invited → reminded ×n → answered → approved | rejected`, plus `bounced`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Uninvited,
    Invited,
    Reminded,
    Answered,
    Approved,
    Rejected,
    Bounced,
}

impl CaseState {
    pub const ALL: [CaseState; 7] = [
        CaseState::Uninvited,
        CaseState::Invited,
        CaseState::Reminded,
        CaseState::Answered,
        CaseState::Approved,
        CaseState::Rejected,
        CaseState::Bounced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Uninvited => "uninvited",
            CaseState::Invited => "invited",
            CaseState::Reminded => "reminded",
            CaseState::Answered => "answered",
            CaseState::Approved => "approved",
            CaseState::Rejected => "rejected",
            CaseState::Bounced => "bounced",
        }
    }

    /// An invitation is out and no verified answer has come back yet: a change of the admin
    /// address now means the invitation went to someone who may no longer speak for the TLD.
    pub fn invitation_pending(self) -> bool {
        matches!(self, CaseState::Invited | CaseState::Reminded)
    }
}

impl FromStr for CaseState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        CaseState::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown case state `{s}`"))
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for state in CaseState::ALL {
            assert_eq!(state.as_str().parse::<CaseState>(), Ok(state));
        }
        assert!("dormant".parse::<CaseState>().is_err());
    }

    #[test]
    fn only_outstanding_invitations_are_pending() {
        let pending: Vec<_> = CaseState::ALL
            .into_iter()
            .filter(|s| s.invitation_pending())
            .collect();
        assert_eq!(pending, [CaseState::Invited, CaseState::Reminded]);
    }
}
