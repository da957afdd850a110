//! What the events say the database holds — each case's state, replayed through the case's
//! state machine, and the members, from their subscriptions and removals — and where the
//! cases and contacts tables disagree with it.
//!
//! The events this reads, and what they carry:
//! - `tld_added`: the TLD has a case, uninvited;
//! - `invited`, `reminded`, `case_answered`, `case_bounced`, `approved`, `rejected`: one
//!   transition each ([`CaseState::next`]);
//! - `reconfirm_requested`, `reconfirm_reminded`, `confirmed`: the re-confirmation of an
//!   approved case, which stays approved (anything else is refused);
//! - `asked`: a request put to the admin, which invites an open case and leaves an approved
//!   one approved; `request_reminded`: a reminder of such a request to an approved case,
//!   which stays approved (anything else is refused);
//! - `subscribed` (`email`; newer events also `contact`, `name`, `phone`): the contact became
//!   a member;
//! - `contact_removed` (`email`; newer also `contact`) and `approved` (`replaced`; newer also
//!   `replaced_contacts`): members removed. `unsubscribed` only confirms such a removal to the
//!   list server, and changes nothing here.
//!
//! Older events, without the contact's row, are matched by TLD and address, and the names and
//! phones they did not carry are not compared.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{EventRecord, Finding};
use crate::domain::case::{CaseState, Event};
use crate::domain::email::address_key;

/// A member as the contacts table holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub contact: i64,
    pub tld: String,
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// A member as the events describe them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedMember {
    /// The contact's row; `None` for subscriptions logged before events carried it.
    pub contact: Option<i64>,
    pub tld: String,
    pub email: String,
    /// Name and phone, when the subscription carried them.
    pub details: Option<(Option<String>, Option<String>)>,
}

/// The state the events lead to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    /// Every case an event concerns, in the state the events leave it.
    pub cases: BTreeMap<String, CaseState>,
    /// The TLDs some event added to the roster.
    pub added: BTreeSet<String>,
    pub members: Vec<LoggedMember>,
    /// Events that cannot happen after the ones before them.
    pub findings: Vec<Finding>,
}

/// The form addresses are matched in.
fn key(email: &str) -> String {
    address_key(email).unwrap_or_else(|| email.trim().to_lowercase())
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// The case event an action records and the state it records the case moving to; `None` for
/// actions that move no case.
fn transition(action: &str, detail: &Value, state: CaseState) -> Option<(Event, CaseState)> {
    use CaseState::*;
    Some(match action {
        "invited" => (
            Event::Invite {
                again: detail["again"].as_bool().unwrap_or(false),
            },
            Invited,
        ),
        "reminded" => (Event::Remind, Reminded),
        "case_answered" => (Event::Answer, Answered),
        "case_bounced" => (Event::Bounce, Bounced),
        // An approval of an approved case is one on newer evidence: nothing else allows it.
        "approved" => (
            Event::Approve {
                override_reason: detail["override_reason"].is_string(),
                newer_evidence: state == Approved,
            },
            Approved,
        ),
        "rejected" => (Event::Reject, Rejected),
        // The re-confirmation of an approved case: it stays approved.
        "reconfirm_requested" | "reconfirm_reminded" | "confirmed" => (Event::Reconfirm, Approved),
        // A request put to the admin: an approved case stays so, any other is invited by it.
        "asked" => (
            Event::Ask,
            if state == Approved { Approved } else { Invited },
        ),
        "request_reminded" => (Event::RemindRequest, Approved),
        _ => return None,
    })
}

/// The actions that add a case, move one, or change who is a member.
const RELEVANT: &[&str] = &[
    "tld_added",
    "invited",
    "reminded",
    "case_answered",
    "case_bounced",
    "approved",
    "rejected",
    "reconfirm_requested",
    "reconfirm_reminded",
    "confirmed",
    "asked",
    "request_reminded",
    "subscribed",
    "member_updated",
    "contact_removed",
];

impl Replay {
    /// Removes the member an event names: by their contact's row when the event carries it,
    /// else (older events) by TLD and address.
    fn remove(&mut self, e: &EventRecord, tld: &str, email: &str, contact: Option<i64>) {
        let k = key(email);
        let same = |m: &LoggedMember| m.tld == tld && key(&m.email) == k;
        let found = match contact {
            Some(id) => self
                .members
                .iter()
                .position(|m| m.contact == Some(id))
                .or_else(|| {
                    self.members
                        .iter()
                        .position(|m| m.contact.is_none() && same(m))
                }),
            None => self.members.iter().position(same),
        };
        match found {
            Some(i) => {
                self.members.remove(i);
            }
            None => self.findings.push(Finding::RemovedNonMember {
                id: e.id,
                tld: tld.into(),
                email: email.into(),
            }),
        }
    }

    fn apply(&mut self, e: &EventRecord) {
        let Some(tld) = e.tld.as_deref() else {
            return;
        };
        // Most of a log is mail received: skip it before parsing its detail.
        if !RELEVANT.contains(&e.action.as_str()) {
            return;
        }
        let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
        if e.action == "tld_added" {
            self.added.insert(tld.into());
            self.cases.entry(tld.into()).or_insert(CaseState::Uninvited);
        }
        let state = self.cases.get(tld).copied().unwrap_or(CaseState::Uninvited);
        if let Some((event, recorded)) = transition(&e.action, &detail, state) {
            if let Err(refused) = state.next(event) {
                self.findings.push(Finding::Refused {
                    id: e.id,
                    tld: tld.into(),
                    action: e.action.clone(),
                    state,
                    why: refused.to_string(),
                });
            }
            // What the event says happened, so that one odd event is one finding.
            self.cases.insert(tld.into(), recorded);
        }
        match e.action.as_str() {
            "subscribed" => self.members.push(LoggedMember {
                contact: detail["contact"].as_i64(),
                tld: tld.into(),
                email: text(&detail["email"]).unwrap_or_default(),
                details: detail
                    .get("name")
                    .map(|name| (text(name), text(&detail["phone"]))),
            }),
            // A member named again by a newer approved reply: their name and phone.
            "member_updated" => {
                let contact = detail["contact"].as_i64();
                match self.members.iter_mut().find(|m| m.contact == contact) {
                    Some(m) => m.details = Some((text(&detail["name"]), text(&detail["phone"]))),
                    None => self.findings.push(Finding::UpdatedNonMember {
                        id: e.id,
                        tld: tld.into(),
                        email: text(&detail["email"]).unwrap_or_default(),
                    }),
                }
            }
            "contact_removed" => {
                let email = text(&detail["email"]).unwrap_or_default();
                self.remove(e, tld, &email, detail["contact"].as_i64());
            }
            "approved" => {
                let emails = detail["replaced"].as_array().cloned().unwrap_or_default();
                for (i, email) in emails.iter().enumerate() {
                    let contact = detail["replaced_contacts"][i].as_i64();
                    self.remove(e, tld, &text(email).unwrap_or_default(), contact);
                }
            }
            _ => {}
        }
    }
}

/// Replays `events` in order.
pub fn replay(events: &[EventRecord]) -> Replay {
    let mut r = Replay::default();
    for e in events {
        r.apply(e);
    }
    r
}

/// Where the cases (every one, retired TLDs too) and the members disagree with the events.
pub fn compare(replay: &Replay, cases: &[(String, CaseState)], members: &[Member]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut unlogged = Vec::new();
    for (tld, stored) in cases {
        if !replay.added.contains(tld) {
            unlogged.push(tld.clone());
        }
        let logged = replay
            .cases
            .get(tld)
            .copied()
            .unwrap_or(CaseState::Uninvited);
        if *stored != logged {
            findings.push(Finding::CaseDiffers {
                tld: tld.clone(),
                stored: *stored,
                logged,
            });
        }
    }
    if !unlogged.is_empty() {
        findings.push(Finding::CasesUnlogged(unlogged));
    }
    for (tld, logged) in &replay.cases {
        if !cases.iter().any(|(t, _)| t == tld) {
            findings.push(Finding::CaseMissing {
                tld: tld.clone(),
                logged: *logged,
            });
        }
    }

    // Each with its address in matching form, worked out once.
    let mut logged: Vec<(&LoggedMember, String)> =
        replay.members.iter().map(|l| (l, key(&l.email))).collect();
    for m in members {
        let k = key(&m.email);
        let found = logged
            .iter()
            .position(|(l, _)| l.contact == Some(m.contact))
            .or_else(|| {
                logged
                    .iter()
                    .position(|(l, lk)| l.contact.is_none() && l.tld == m.tld && *lk == k)
            });
        let Some(i) = found else {
            findings.push(Finding::MemberUnlogged {
                tld: m.tld.clone(),
                email: m.email.clone(),
            });
            continue;
        };
        let (l, lk) = logged.remove(i);
        let mut differs = |field: &'static str, stored: Option<&str>, was: Option<&str>| {
            if stored != was {
                findings.push(Finding::MemberDiffers {
                    tld: m.tld.clone(),
                    email: m.email.clone(),
                    field,
                    stored: stored.unwrap_or_default().into(),
                    logged: was.unwrap_or_default().into(),
                });
            }
        };
        differs("TLD", Some(&m.tld), Some(&l.tld));
        differs("address", Some(&k), Some(&lk));
        if let Some((name, phone)) = &l.details {
            differs("name", m.name.as_deref(), name.as_deref());
            differs("phone", m.phone.as_deref(), phone.as_deref());
        }
    }
    for (l, _) in logged {
        findings.push(Finding::MemberGone {
            tld: l.tld.clone(),
            email: l.email.clone(),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::GENESIS;
    use serde_json::json;

    /// A log of `(tld, action, detail)`.
    fn log(steps: &[(&str, &str, Value)]) -> Vec<EventRecord> {
        let mut prev = GENESIS.to_string();
        steps
            .iter()
            .enumerate()
            .map(|(i, (tld, action, detail))| {
                let e = EventRecord::chained(
                    &prev,
                    i as i64 + 1,
                    "alice",
                    Some(tld),
                    action,
                    &detail.to_string(),
                );
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn admitted_be() -> Vec<(&'static str, &'static str, Value)> {
        vec![
            ("be", "tld_added", json!({})),
            ("nl", "tld_added", json!({})),
            ("be", "invited", json!({ "again": false })),
            (
                "be",
                "case_answered",
                json!({ "from": "invited", "to": "answered" }),
            ),
            (
                "be",
                "approved",
                json!({ "contacts": ["jan@be.example"], "replaced": [], "override_reason": null }),
            ),
            (
                "be",
                "subscribed",
                json!({ "contact": 1, "email": "jan@be.example", "name": "Jan", "phone": null }),
            ),
        ]
    }

    fn jan() -> Member {
        Member {
            contact: 1,
            tld: "be".into(),
            email: "jan@be.example".into(),
            name: Some("Jan".into()),
            phone: None,
        }
    }

    fn cases(be: CaseState) -> Vec<(String, CaseState)> {
        vec![("be".into(), be), ("nl".into(), CaseState::Uninvited)]
    }

    #[test]
    fn an_honest_history_explains_the_tables() {
        let r = replay(&log(&admitted_be()));
        assert_eq!(r.findings, []);
        assert_eq!(compare(&r, &cases(CaseState::Approved), &[jan()]), []);
    }

    #[test]
    fn a_case_changed_behind_the_logs_back_is_named() {
        let mut steps = admitted_be();
        steps.truncate(4);
        let r = replay(&log(&steps));
        assert_eq!(
            compare(&r, &cases(CaseState::Approved), &[])
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["case .be is approved but the events say answered"]
        );
    }

    #[test]
    fn without_events_every_case_and_member_is_unexplained() {
        let lines: Vec<String> = compare(&replay(&[]), &cases(CaseState::Approved), &[jan()])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "case .be is approved but the events say uninvited",
                "2 cases exist that no event added: .be, .nl",
                "jan@be.example is a member for .be but no event subscribed them",
            ]
        );
    }

    #[test]
    fn members_added_removed_or_edited_behind_the_logs_back_are_named() {
        let r = replay(&log(&admitted_be()));
        let eve = Member {
            contact: 7,
            email: "eve@evil.example".into(),
            name: None,
            ..jan()
        };
        assert_eq!(
            compare(&r, &cases(CaseState::Approved), &[jan(), eve]),
            [Finding::MemberUnlogged {
                tld: "be".into(),
                email: "eve@evil.example".into()
            }]
        );
        assert_eq!(
            compare(&r, &cases(CaseState::Approved), &[]),
            [Finding::MemberGone {
                tld: "be".into(),
                email: "jan@be.example".into()
            }]
        );
        let phone = Member {
            phone: Some("+1 555 0100".into()),
            ..jan()
        };
        assert_eq!(
            compare(&r, &cases(CaseState::Approved), &[phone])[0].to_string(),
            "member jan@be.example of .be has phone \"+1 555 0100\" but the events say nothing"
        );
    }

    #[test]
    fn removals_by_contact_and_by_address_both_count() {
        let mut steps = admitted_be();
        steps.push((
            "be",
            "subscribed",
            json!({ "contact": 2, "email": "els@be.example", "name": null, "phone": null }),
        ));
        steps.push((
            "be",
            "contact_removed",
            json!({ "contact": 1, "email": "jan@be.example", "reason": null }),
        ));
        steps.push((
            "be",
            "unsubscribed",
            json!({ "contact": 1, "email": "jan@be.example" }),
        ));
        // An older approval, without contact ids, replacing Els.
        steps.push((
            "be",
            "approved",
            json!({ "contacts": [], "replaced": ["ELS@be.example"] }),
        ));
        let r = replay(&log(&steps));
        assert_eq!(r.findings, []);
        assert_eq!(r.members, []);
        assert_eq!(compare(&r, &cases(CaseState::Approved), &[]), []);
    }

    #[test]
    fn subscriptions_logged_before_contact_ids_match_by_address() {
        let mut steps = admitted_be();
        steps[5].2 = json!({ "email": "jan@be.example", "via": "export" });
        let r = replay(&log(&steps));
        let renamed = Member {
            name: Some("Someone else".into()),
            email: "Jan@BE.example".into(),
            ..jan()
        };
        assert_eq!(compare(&r, &cases(CaseState::Approved), &[renamed]), []);
    }

    #[test]
    fn transitions_the_state_machine_refuses_are_named() {
        let steps = vec![
            ("be", "tld_added", json!({})),
            ("be", "approved", json!({ "replaced": [] })),
            ("be", "contact_removed", json!({ "email": "x@be.example" })),
        ];
        let r = replay(&log(&steps));
        let lines: Vec<String> = r.findings.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "event 2 (approved .be) does not follow from the events before it, which leave \
                 the case uninvited (the TLD has not been invited)",
                "event 3 removes x@be.example from .be, whom no event made a member",
            ]
        );
        assert_eq!(r.cases["be"], CaseState::Approved);
    }
}
