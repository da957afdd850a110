//! The approval decision (DESIGN §1 step 3, §8): which reply is the evidence, whether an
//! override reason is needed, which proposed contacts are approved (at most
//! `list.max_contacts`), and what becomes of the current members — subscribed, kept with new
//! details, or replaced. Pure: the service reads the case, hands it here, and writes what
//! comes back, so `plan` and `perform` cannot disagree and the rule is tested without SQLite.

use super::case::{CaseState, Event, Refused};
use super::email::same_address;
use super::triage::{Contact, Verdict};

/// A reply that may be the evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub verdict: Verdict,
    pub why: String,
    /// For an approved case: it is news (answers the open round, or came after the last
    /// approval or confirmation), so the contacts may change on it.
    pub news: bool,
}

/// A stored contact: its row and who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub contact: Contact,
}

/// What the decision is made on.
#[derive(Clone, Copy, Debug)]
pub struct Case<'a> {
    pub tld: &'a str,
    pub state: CaseState,
    /// The latest verified reply (admin_from, admin_cc).
    pub verified: Option<&'a Reply>,
    /// The latest unverified or suspicious reply.
    pub doubtful: Option<&'a Reply>,
    pub override_reason: Option<&'a str>,
    /// The proposed contacts, oldest first (an address may appear more than once).
    pub proposed: &'a [Person],
    /// The subscribed members.
    pub members: &'a [Person],
    /// The addresses the operator keeps (`--contacts`); empty: every proposal.
    pub only: &'a [String],
    pub max_contacts: usize,
}

/// Which reply the approval rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    Verified,
    /// An unverified or suspicious reply, with the operator's override reason.
    Doubtful,
}

/// What the approval does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub evidence: Evidence,
    /// The approved contacts, one per address.
    pub chosen: Vec<Person>,
    /// Chosen contacts who are not members yet: approved, to subscribe and welcome.
    pub new: Vec<Person>,
    /// Members the reply names again with another name or phone: their row, new details.
    pub updated: Vec<Person>,
    /// Members the reply no longer names: removed.
    pub replaced: Vec<Person>,
}

impl Decision {
    /// The evidence is not a verified reply: the override reason is recorded.
    pub fn overridden(&self) -> bool {
        self.evidence == Evidence::Doubtful
    }
}

/// Why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing (or not that) to approve: the operator's to fix.
    Usage(String),
    /// The only reply is unverified or suspicious: an override reason is needed.
    NeedsOverride(String),
    /// The case's lifecycle refuses it, in [`CaseState::next`]'s words.
    Lifecycle(Refused),
}

/// The approval of `case`, or why not.
pub fn decide(case: &Case) -> Result<Decision, Refusal> {
    let code = case.tld;
    let approved = case.state == CaseState::Approved;
    let newer_evidence = approved && case.verified.is_some_and(|v| v.news);
    let evidence = match (case.verified, case.doubtful, case.override_reason) {
        (Some(_), _, _) if !approved || newer_evidence => Evidence::Verified,
        (_, Some(_), Some(_)) => Evidence::Doubtful,
        // Asking for a reason is pointless while there is nothing to approve.
        (_, Some(_), None) if !approved && case.proposed.is_empty() => {
            return Err(Refusal::Usage(no_proposals(code)));
        }
        (_, Some(d), None) if !approved => {
            return Err(Refusal::NeedsOverride(format!(
                ".{code}: the only reply is {} ({}): approving it needs an override reason, \
                 which is logged",
                d.verdict, d.why
            )));
        }
        _ => {
            return Err(
                match case.state.next(Event::Approve {
                    override_reason: false,
                    newer_evidence,
                }) {
                    Err(r) => Refusal::Lifecycle(r),
                    Ok(_) => Refusal::Usage(format!(".{code}: no reply names contacts to approve")),
                },
            );
        }
    };
    let overridden = evidence == Evidence::Doubtful;
    case.state
        .next(Event::Approve {
            override_reason: overridden && case.override_reason.is_some(),
            newer_evidence,
        })
        .map_err(Refusal::Lifecycle)?;

    // One proposal per address (the latest), whatever older versions stored.
    let mut proposed: Vec<&Person> = Vec::new();
    for p in case.proposed {
        proposed.retain(|q| !same_address(&q.contact.email, &p.contact.email));
        proposed.push(p);
    }
    let chosen: Vec<&Person> = if case.only.is_empty() {
        proposed.clone()
    } else {
        let mut out = Vec::new();
        for email in case.only {
            match proposed
                .iter()
                .find(|p| same_address(&p.contact.email, email))
            {
                Some(p) => out.push(*p),
                None => {
                    let known: Vec<&str> =
                        proposed.iter().map(|p| p.contact.email.as_str()).collect();
                    return Err(Refusal::Usage(format!(
                        ".{code}: {email} is not a proposed contact (proposed: {})",
                        known.join(", ")
                    )));
                }
            }
        }
        out
    };
    if chosen.is_empty() {
        return Err(Refusal::Usage(no_proposals(code)));
    }
    if chosen.len() > case.max_contacts {
        return Err(Refusal::Usage(format!(
            ".{code}: {} proposed contacts, more than list.max_contacts ({}): keep the ones to \
             approve (`contacts set`, e in the TUI's case view, or --contacts)",
            chosen.len(),
            case.max_contacts
        )));
    }

    let member = |p: &Person| {
        case.members
            .iter()
            .find(|m| same_address(&m.contact.email, &p.contact.email))
    };
    // A new verified reply replaces the TLD's contacts: the ones it no longer names go.
    let replaced = case
        .members
        .iter()
        .filter(|m| {
            !chosen
                .iter()
                .any(|c| same_address(&c.contact.email, &m.contact.email))
        })
        .cloned()
        .collect();
    let mut new = Vec::new();
    let mut updated = Vec::new();
    for c in &chosen {
        match member(c) {
            None => new.push((*c).clone()),
            // A member named again stays the one member, with the reply's details.
            Some(m) => {
                let name = c.contact.name.clone().or_else(|| m.contact.name.clone());
                let phone = c.contact.phone.clone().or_else(|| m.contact.phone.clone());
                if (&name, &phone) != (&m.contact.name, &m.contact.phone) {
                    updated.push(Person {
                        id: m.id,
                        contact: Contact {
                            email: m.contact.email.clone(),
                            name,
                            phone,
                        },
                    });
                }
            }
        }
    }
    Ok(Decision {
        evidence,
        chosen: chosen.into_iter().cloned().collect(),
        new,
        updated,
        replaced,
    })
}

/// Why there is nothing to approve, and what to do about it in either front end.
pub fn no_proposals(code: &str) -> String {
    format!(
        ".{code}: no proposed contacts to approve: name them first (`tldops contacts set {code} …`, \
         or e in the TUI's case view)"
    )
}

#[cfg(test)]
mod tests;
