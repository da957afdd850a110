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

/// What can happen to a case, from an operator or from the mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Send the invitation; `again` allows re-inviting a TLD already invited or decided.
    Invite {
        again: bool,
    },
    /// Send a reminder.
    Remind,
    /// A verified reply (admin_from, admin_cc) arrived.
    Answer,
    /// The invitation or a reminder bounced.
    Bounce,
    /// Approve the proposed contacts. `override_reason` lets an operator approve on an
    /// unverified or suspicious reply; `newer_evidence` lets an approved TLD change its
    /// contacts on a new verified reply.
    Approve {
        override_reason: bool,
        newer_evidence: bool,
    },
    Reject,
    /// A re-confirmation round of an approved case: asked, reminded, or confirmed (DESIGN
    /// §8.4). The case stays approved; nothing else may have one.
    Reconfirm,
    /// Ask the admin contact to authorise a request (DESIGN §8.1): an open case is invited
    /// again by it (the request is its invitation); an approved case stays approved and
    /// its contacts change once the admin answers.
    Ask,
    /// Remind the admin of an approved ccTLD of the request put to them (DESIGN §8.1): the
    /// case stays approved.
    RemindRequest,
}

/// Why an event is refused in a state, in words for the operator: what stands in the way,
/// and what to do instead where there is something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub why: &'static str,
    pub advice: Option<&'static str>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.why)?;
        match self.advice {
            Some(advice) => write!(f, " ({advice})"),
            None => Ok(()),
        }
    }
}

impl CaseState {
    /// The state `event` leads to from `self`, or why it cannot happen. Pure; the store applies
    /// it as a compare-and-set so that concurrent operators get one winner.
    pub fn next(self, event: Event) -> Result<CaseState, Refused> {
        use CaseState::*;
        let refuse = |why| Err(Refused { why, advice: None });
        let advise = |why, advice| {
            Err(Refused {
                why,
                advice: Some(advice),
            })
        };
        match (event, self) {
            (Event::Invite { .. }, Uninvited) => Ok(Invited),
            (Event::Invite { again: true }, _) => Ok(Invited),
            (Event::Invite { again: false }, _) => {
                advise("already invited", "use --again to invite once more")
            }
            (Event::Remind, Invited | Reminded) => Ok(Reminded),
            (Event::Remind, Uninvited) => refuse("not invited yet"),
            (Event::Remind, _) => refuse("no invitation is waiting for an answer"),
            (Event::Answer, Uninvited | Invited | Reminded | Bounced | Answered) => Ok(Answered),
            (Event::Answer, _) => refuse("the case is already decided"),
            (Event::Bounce, Invited | Reminded) => Ok(Bounced),
            (Event::Bounce, _) => refuse("no invitation is out"),
            (Event::Approve { .. }, Answered) => Ok(Approved),
            (
                Event::Approve {
                    override_reason: true,
                    ..
                },
                Invited | Reminded | Bounced,
            ) => Ok(Approved),
            (
                Event::Approve {
                    newer_evidence: true,
                    ..
                },
                Approved,
            ) => Ok(Approved),
            (Event::Approve { .. }, Uninvited) => refuse("the TLD has not been invited"),
            (Event::Approve { .. }, Invited | Reminded | Bounced) => advise(
                "no verified reply",
                "approving on an unverified one needs --override-reason",
            ),
            (Event::Approve { .. }, Approved) => refuse("already approved"),
            (Event::Approve { .. }, Rejected) => advise("rejected", "invite it again first"),
            (Event::Reject, Invited | Reminded | Answered | Bounced) => Ok(Rejected),
            (Event::Reject, Uninvited) => refuse("the TLD has not been invited"),
            (Event::Reject, Approved) => advise("already approved", "remove its contacts instead"),
            (Event::Reject, Rejected) => refuse("already rejected"),
            (Event::Reconfirm, Approved) => Ok(Approved),
            (Event::Reconfirm, _) => refuse("not approved: there are no contacts to re-confirm"),
            (Event::Ask, Approved) => Ok(Approved),
            (Event::Ask, _) => Ok(Invited),
            (Event::RemindRequest, Approved) => Ok(Approved),
            (Event::RemindRequest, _) => {
                refuse("no request to change an approved ccTLD's contacts is waiting")
            }
        }
    }
}

impl FromStr for CaseState {
    type Err = String;

    /// Any case (`Invited`, `INVITED`); the error lists the states.
    fn from_str(s: &str) -> Result<Self, String> {
        CaseState::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let all: Vec<&str> = CaseState::ALL.into_iter().map(CaseState::as_str).collect();
                format!(
                    "unknown case state `{s}` (expected one of {})",
                    all.join(", ")
                )
            })
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

    /// Every (state, event) pair, against a table written out by hand.
    #[test]
    fn transitions_exhaustively() {
        use CaseState::*;
        let events = [
            Event::Invite { again: false },
            Event::Invite { again: true },
            Event::Remind,
            Event::Answer,
            Event::Bounce,
            Event::Approve {
                override_reason: false,
                newer_evidence: false,
            },
            Event::Approve {
                override_reason: true,
                newer_evidence: false,
            },
            Event::Approve {
                override_reason: false,
                newer_evidence: true,
            },
            Event::Reject,
            Event::Reconfirm,
            Event::Ask,
            Event::RemindRequest,
        ];
        // Rows: states in CaseState::ALL order; columns: events above. None = refused.
        let table: [[Option<CaseState>; 12]; 7] = [
            // uninvited
            [
                Some(Invited),
                Some(Invited),
                None,
                Some(Answered),
                None,
                None,
                None,
                None,
                None,
                None,
                Some(Invited),
                None,
            ],
            // invited
            [
                None,
                Some(Invited),
                Some(Reminded),
                Some(Answered),
                Some(Bounced),
                None,
                Some(Approved),
                None,
                Some(Rejected),
                None,
                Some(Invited),
                None,
            ],
            // reminded
            [
                None,
                Some(Invited),
                Some(Reminded),
                Some(Answered),
                Some(Bounced),
                None,
                Some(Approved),
                None,
                Some(Rejected),
                None,
                Some(Invited),
                None,
            ],
            // answered
            [
                None,
                Some(Invited),
                None,
                Some(Answered),
                None,
                Some(Approved),
                Some(Approved),
                Some(Approved),
                Some(Rejected),
                None,
                Some(Invited),
                None,
            ],
            // approved
            [
                None,
                Some(Invited),
                None,
                None,
                None,
                None,
                None,
                Some(Approved),
                None,
                Some(Approved),
                Some(Approved),
                Some(Approved),
            ],
            // rejected
            [
                None,
                Some(Invited),
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                Some(Invited),
                None,
            ],
            // bounced
            [
                None,
                Some(Invited),
                None,
                Some(Answered),
                None,
                None,
                Some(Approved),
                None,
                Some(Rejected),
                None,
                Some(Invited),
                None,
            ],
        ];
        for (state, row) in CaseState::ALL.into_iter().zip(table) {
            for (event, expected) in events.into_iter().zip(row) {
                let got = state.next(event);
                assert_eq!(
                    got.clone().ok(),
                    expected,
                    "{state} + {event:?} gave {got:?}"
                );
                if let Err(Refused { why, advice }) = got {
                    assert!(!why.is_empty() && !why.contains('('), "{why}");
                    assert!(advice.is_none_or(|a| !a.is_empty()));
                }
            }
        }
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
