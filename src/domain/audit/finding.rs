//! What `log --verify` can find wrong, each rendered as one line for the operator.

use std::fmt;

use crate::domain::case::CaseState;

/// One way the audit log fails to hold, or fails to explain the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// Ids `first..=last` are absent: between `after` (if any event precedes) and `next`.
    Missing {
        first: i64,
        last: i64,
        after: Option<i64>,
        next: i64,
    },
    /// An id below 1, or otherwise out of the sequence 1, 2, 3 …
    OutOfSequence { id: i64 },
    /// The first event does not point at the genesis value.
    NotFromGenesis { id: i64 },
    /// The event does not point at its predecessor's hash.
    Unlinked { id: i64, prev: i64 },
    /// The event's content does not hash to its stored hash.
    Altered { id: i64 },
    /// A trigger that keeps the events table append-only is gone.
    TriggerMissing(String),
    /// A trigger of that name exists but is not the one tldops created.
    TriggerAltered(String),
    /// The stored case state is not the one the events lead to.
    CaseDiffers {
        tld: String,
        stored: CaseState,
        logged: CaseState,
    },
    /// The events lead the case somewhere, but there is no case.
    CaseMissing { tld: String, logged: CaseState },
    /// Cases exist whose TLD no event added to the roster.
    CasesUnlogged(Vec<String>),
    /// An event records a transition the case's state machine refuses in the state the events
    /// before it lead to.
    Refused {
        id: i64,
        tld: String,
        action: String,
        state: CaseState,
        why: String,
    },
    /// An event removes someone the events never made a member.
    RemovedNonMember { id: i64, tld: String, email: String },
    /// An event updates someone the events never made a member.
    UpdatedNonMember { id: i64, tld: String, email: String },
    /// A member no event subscribed.
    MemberUnlogged { tld: String, email: String },
    /// The events say they are a member; the contacts table does not.
    MemberGone { tld: String, email: String },
    /// A member whose details are not the ones they were subscribed with.
    MemberDiffers {
        tld: String,
        email: String,
        field: &'static str,
        stored: String,
        logged: String,
    },
    /// A head recorded elsewhere is not in the chain.
    HeadUnknown(String),
}

impl Finding {
    /// The event the finding is about, when it is about one.
    pub fn event(&self) -> Option<i64> {
        match self {
            Finding::Missing { first, .. } => Some(*first),
            Finding::OutOfSequence { id }
            | Finding::NotFromGenesis { id }
            | Finding::Unlinked { id, .. }
            | Finding::Altered { id }
            | Finding::Refused { id, .. }
            | Finding::RemovedNonMember { id, .. }
            | Finding::UpdatedNonMember { id, .. } => Some(*id),
            _ => None,
        }
    }
}

/// `.be, .nl, .fr and 12 more`
fn tld_list(tlds: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s: Vec<String> = tlds.iter().take(SHOWN).map(|t| format!(".{t}")).collect();
    if tlds.len() > SHOWN {
        s.push(format!("and {} more", tlds.len() - SHOWN));
    }
    s.join(", ")
}

/// `"text"`, or `nothing` for an empty value.
fn quoted(value: &str) -> String {
    if value.is_empty() {
        "nothing".into()
    } else {
        format!("\"{value}\"")
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Missing {
                first,
                last,
                after,
                next,
            } => {
                if first == last {
                    write!(f, "event {first} missing")?;
                } else {
                    write!(f, "events {first} to {last} missing")?;
                }
                match after {
                    Some(after) => write!(f, " (ids jump from {after} to {next})"),
                    None => write!(f, " (the log starts at event {next})"),
                }
            }
            Finding::OutOfSequence { id } => {
                write!(f, "event {id} is out of sequence (ids run 1, 2, 3 …)")
            }
            Finding::NotFromGenesis { id } => write!(
                f,
                "event {id} does not start the chain (its prev_hash is not the genesis value)"
            ),
            Finding::Unlinked { id, prev } => write!(
                f,
                "event {id} does not follow event {prev} (its prev_hash is not event {prev}'s \
                 hash): one of them was replaced"
            ),
            Finding::Altered { id } => write!(
                f,
                "event {id} was changed (its hash does not match its content)"
            ),
            Finding::TriggerMissing(name) => write!(
                f,
                "trigger {name} missing (the events table is no longer append-only)"
            ),
            Finding::TriggerAltered(name) => write!(
                f,
                "trigger {name} altered (it is not the one tldops created)"
            ),
            Finding::CaseDiffers {
                tld,
                stored,
                logged,
            } => write!(f, "case .{tld} is {stored} but the events say {logged}"),
            Finding::CaseMissing { tld, logged } => {
                write!(f, "case .{tld} is missing but the events say {logged}")
            }
            Finding::CasesUnlogged(tlds) if tlds.len() == 1 => write!(
                f,
                "case {} exists but no event added its TLD",
                tld_list(tlds)
            ),
            Finding::CasesUnlogged(tlds) => write!(
                f,
                "{} cases exist that no event added: {}",
                tlds.len(),
                tld_list(tlds)
            ),
            Finding::Refused {
                id,
                tld,
                action,
                state,
                why,
            } => write!(
                f,
                "event {id} ({action} .{tld}) does not follow from the events before it, \
                 which leave the case {state} ({why})"
            ),
            Finding::RemovedNonMember { id, tld, email } => write!(
                f,
                "event {id} removes {email} from .{tld}, whom no event made a member"
            ),
            Finding::UpdatedNonMember { id, tld, email } => write!(
                f,
                "event {id} updates {email} of .{tld}, whom no event made a member"
            ),
            Finding::MemberUnlogged { tld, email } => {
                write!(
                    f,
                    "{email} is a member for .{tld} but no event subscribed them"
                )
            }
            Finding::MemberGone { tld, email } => write!(
                f,
                "the events say {email} is a member for .{tld}, but the contacts table does not"
            ),
            Finding::MemberDiffers {
                tld,
                email,
                field,
                stored,
                logged,
            } => write!(
                f,
                "member {email} of .{tld} has {field} {} but the events say {}",
                quoted(stored),
                quoted(logged)
            ),
            Finding::HeadUnknown(hash) => write!(
                f,
                "head {hash} not found: the log was cut short or rewritten since it was recorded"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_name_their_neighbours() {
        let one = Finding::Missing {
            first: 7,
            last: 7,
            after: Some(6),
            next: 8,
        };
        assert_eq!(one.to_string(), "event 7 missing (ids jump from 6 to 8)");
        let head = Finding::Missing {
            first: 1,
            last: 4,
            after: None,
            next: 5,
        };
        assert_eq!(
            head.to_string(),
            "events 1 to 4 missing (the log starts at event 5)"
        );
    }

    #[test]
    fn long_lists_of_tlds_are_cut() {
        let tlds: Vec<String> = (0..12).map(|i| format!("t{i}")).collect();
        let line = Finding::CasesUnlogged(tlds).to_string();
        assert!(line.starts_with("12 cases exist that no event added: .t0, .t1"));
        assert!(line.ends_with(".t9, and 2 more"), "{line}");
    }
}
