//! Requests (DESIGN §8.1, §8.2). Someone who is not an admin contact asks to join or to
//! change a ccTLD's contacts: the operator asks the ccTLD's IANA admin contact to authorise it
//! ([`Service::ask`]), and the admin's verified reply makes the requested contacts proposals
//! (see ingest). A member asks to leave: one action removes them ([`Service::remove_on_request`]),
//! with a notice to them and a copy to the admin contact.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::json;

use super::mailer::{Compose, Planned};
use super::workflow::describe;
use super::{Service, UsageError, usage};
use crate::domain::case::{CaseState, Event};
use crate::domain::email::same_address;
use crate::domain::member::ContactState;
use crate::domain::roster::Tld;
use crate::domain::template::Kind;
use crate::domain::triage::intent::Intent;
use crate::domain::triage::{Contact, Verdict};
use crate::store::{
    CaseRows, CaseUpdate, ContactQueries, ContactRow, MessageQueries, MessageRow, Round,
};

/// What asking the admin did (or would do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asking {
    pub tld: String,
    pub from: CaseState,
    pub to: CaseState,
    /// The contacts the ccTLD would have if the admin agrees, and the changes.
    pub contacts: Vec<Contact>,
    pub added: Vec<Contact>,
    pub removed: Vec<Contact>,
    pub mail: Planned,
}

/// What dismissing a request did (or would do): nothing but closing it, logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dismissal {
    pub message: i64,
    pub tld: Option<String>,
    pub from: Option<String>,
    pub subject: String,
    pub reason: Option<String>,
}

/// What a removal on a member's request did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaving {
    pub tld: String,
    pub member: Contact,
    pub mail: Planned,
    pub backend: Vec<super::Synced>,
}

/// A stored request by `#ID` or Message-ID, not yet acted on, read through `r`.
fn open_request_in(r: &impl MessageQueries, reference: &str) -> Result<MessageRow> {
    let Some((m, _)) = r.message_by_ref(reference)? else {
        return usage(format!("no message {reference}"));
    };
    if m.verdict != Verdict::Request {
        return usage(format!(
            "#{} is {}, not a request (assign it first if it is one)",
            m.id, m.verdict
        ));
    }
    if let Some(at) = &m.settled_at {
        return usage(format!("#{}: the request was acted on at {at}", m.id));
    }
    Ok(m)
}

fn people(list: &[Contact]) -> String {
    list.iter().map(describe).collect::<Vec<_>>().join(", ")
}

impl Service {
    /// A stored request by `#ID` or Message-ID, not yet acted on.
    fn open_request(&self, reference: &str) -> Result<MessageRow> {
        open_request_in(&self.store, reference)
    }

    /// Mails the IANA admin contact of `input` an authorisation request for the requests
    /// `messages` (`#ID`s), naming the requesters and what the contacts would become; the
    /// case records those contacts. An open case is invited by it (and chased as ever); an
    /// approved one keeps its members until the admin answers and the operator approves.
    pub fn ask(&self, input: &str, messages: &[String], dry_run: bool) -> Result<Asking> {
        self.secretariat()?;
        if messages.is_empty() {
            return usage("say which request: --message N");
        }
        let tld = self.tld(input)?.tld;
        let code = tld.code.to_string();
        let mut requests = Vec::new();
        for r in messages {
            let m = self.open_request(r)?;
            if m.intent == Some(Intent::Leave) {
                return usage(format!(
                    "#{}: a member asks to leave: remove them (`tldops remove --message {}`)",
                    m.id, m.id
                ));
            }
            if let Some(t) = m.tld.as_deref().filter(|t| *t != code) {
                return usage(format!("#{} is a request for .{t}, not .{code}", m.id));
            }
            requests.push(m);
        }
        let operator = self.operator.clone();
        let max = self.config.list.max_contacts as usize;
        self.act(dry_run, |tx| {
            let case = tx.existing_case(&code)?;
            let to = case
                .state
                .next(Event::Ask)
                .map_err(|r| UsageError(format!(".{code}: {r}")))?;
            if case.round == Some(Round::Reconfirm) {
                return usage(format!(
                    ".{code}: a re-confirmation waits for the admin's answer; ask after it"
                ));
            }
            let members: Vec<Contact> = tx
                .contacts(&code)?
                .iter()
                .filter(|c| matches!(c.state, ContactState::Subscribed | ContactState::Approved))
                .map(ContactRow::contact)
                .collect();
            // A join adds whom it names; a change removes the members it names and adds
            // the others.
            let (mut added, mut removed): (Vec<Contact>, Vec<Contact>) = (Vec::new(), Vec::new());
            for m in &requests {
                for c in &m.contacts {
                    let member = members.iter().any(|x| same_address(&x.email, &c.email));
                    match (m.intent, member) {
                        (Some(Intent::Change), true) => removed.push(c.clone()),
                        (_, false) if !added.iter().any(|a| same_address(&a.email, &c.email)) => {
                            added.push(c.clone())
                        }
                        _ => {}
                    }
                }
            }
            if added.is_empty() && removed.is_empty() {
                return usage(format!(
                    ".{code}: the request names nobody to add or remove: set who it asks for first"
                ));
            }
            let contacts: Vec<Contact> = members
                .iter()
                .filter(|m| !removed.iter().any(|r| same_address(&r.email, &m.email)))
                .chain(&added)
                .cloned()
                .collect();
            let at = self.now();
            let values = self.request_values(&tld, &requests, &contacts, &added, &removed);
            let token = Service::token_of(tx, &case)?;
            let mail = self.queue(
                tx,
                Compose {
                    kind: Kind::Request,
                    tld: Some(&tld),
                    token: Some(&token),
                    to: vec![tld.admin.email.to_string()],
                    cc: vec![],
                    in_reply_to: None,
                    values,
                },
                at,
            )?;
            let update = if to == CaseState::Approved {
                CaseUpdate {
                    round: Some((Round::Request, mail.message_id.as_str())),
                    ..CaseUpdate::default()
                }
            } else {
                CaseUpdate {
                    state: Some(CaseState::Invited),
                    token: Some(&token),
                    invitation_message_id: Some(&mail.message_id),
                    invited: true,
                    ..CaseUpdate::default()
                }
            };
            tx.update_case(&code, case.version, &update, at)?;
            tx.set_requested(&code, &contacts)?;
            for m in &requests {
                tx.settle_request(m.id, Some(&code), at)?;
            }
            tx.append_event(
                at,
                &operator,
                Some(&code),
                "asked",
                &json!({
                    "from": case.state, "to": to,
                    "messages": requests.iter().map(|m| m.id).collect::<Vec<_>>(),
                    "requesters": requests.iter().map(|m| &m.from).collect::<Vec<_>>(),
                    "added": added.iter().map(|c| &c.email).collect::<Vec<_>>(),
                    "removed": removed.iter().map(|c| &c.email).collect::<Vec<_>>(),
                    "admin": tld.admin.email, "message_id": mail.message_id,
                }),
            )?;
            if contacts.len() > max {
                tracing::info!(tld = %code, "the request would give more than max_contacts");
            }
            Ok(Asking {
                tld: code.clone(),
                from: case.state,
                to,
                contacts,
                added,
                removed,
                mail,
            })
        })
    }

    /// The values of the `request` template: who asks what, and what the contacts would
    /// become (`+` added, `-` removed).
    pub(super) fn request_values(
        &self,
        tld: &Tld,
        requests: &[MessageRow],
        contacts: &[Contact],
        added: &[Contact],
        removed: &[Contact],
    ) -> BTreeMap<&'static str, String> {
        let mut values = self.common_values(Some(tld));
        values.insert(
            "requesters",
            requests
                .iter()
                .map(|m| {
                    format!(
                        "  {} {} (message of {}: \"{}\")",
                        m.from.as_deref().unwrap_or("?"),
                        m.intent.map_or("asks", Intent::words),
                        m.filed_at.date(),
                        m.subject
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        );
        values.insert(
            "contacts",
            contacts
                .iter()
                .map(|c| {
                    let new = added.iter().any(|a| same_address(&a.email, &c.email));
                    format!("{} {}", if new { "+" } else { " " }, describe(c))
                })
                .chain(removed.iter().map(|c| format!("- {}", describe(c))))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        values
    }

    /// Removes the member who asked to leave in `reference` (`#ID`): no admin is needed for
    /// a subscriber's own departure. The member is told, with a copy to the admin contact.
    pub fn remove_on_request(&self, reference: &str, dry_run: bool) -> Result<Leaving> {
        self.secretariat()?;
        let m = self.open_request(reference)?;
        if m.intent != Some(Intent::Leave) {
            return usage(format!(
                "#{} asks to {}, not a member's leave: ask the admin (`tldops ask TLD --message {}`)",
                m.id,
                m.intent.map_or("join", |i| i.as_str()),
                m.id
            ));
        }
        let Some(code) = m.tld.clone() else {
            return usage(format!(
                "#{}: the member is on several ccTLDs and the message names none: assign it",
                m.id
            ));
        };
        let tld = self.tld(&code)?.tld;
        let from = m.from.clone().unwrap_or_default();
        let operator = self.operator.clone();
        let leaving = self.act(dry_run, |tx| {
            let contacts = tx.contacts(&code)?;
            let Some(c) = contacts
                .iter()
                .find(|c| c.state == ContactState::Subscribed && same_address(&c.email, &from))
            else {
                return usage(format!("{from} is not a member of .{code} (any more)"));
            };
            let at = self.now();
            tx.remove_member(c.id, at)?;
            let mut values = self.common_values(Some(&tld));
            values.insert(
                "contact_name",
                c.name.clone().unwrap_or_else(|| c.email.clone()),
            );
            values.insert("contact_email", c.email.clone());
            let mail = self.queue(
                tx,
                Compose {
                    kind: Kind::Removal,
                    tld: Some(&tld),
                    token: None,
                    to: vec![c.email.clone()],
                    cc: vec![tld.admin.email.to_string()],
                    in_reply_to: m.message_id.as_deref(),
                    values,
                },
                at,
            )?;
            tx.settle_request(m.id, Some(&code), at)?;
            tx.append_event(
                at,
                &operator,
                Some(&code),
                "contact_removed",
                &json!({ "contact": c.id, "email": c.email, "reason": "asked to leave",
                         "requested_by_member": true, "message": m.id,
                         "message_id": mail.message_id }),
            )?;
            Ok(Leaving {
                tld: code.clone(),
                member: c.contact(),
                mail,
                backend: Vec::new(),
            })
        })?;
        let mut leaving = leaving;
        if !dry_run {
            leaving.backend = self.sync_members()?;
        }
        Ok(leaving)
    }
}

impl Service {
    /// Closes the open request `reference` (`#ID`) without mailing anyone: a join request
    /// that is spam, or one already handled another way. Logged with the operator's reason.
    pub fn dismiss(
        &self,
        reference: &str,
        reason: Option<&str>,
        dry_run: bool,
    ) -> Result<Dismissal> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let operator = self.operator.clone();
        self.act(dry_run, |tx| {
            // Read under the write lock: another operator may have acted on it meanwhile.
            let m = open_request_in(tx, reference)?;
            let at = self.now();
            tx.settle_request(m.id, None, at)?;
            tx.append_event(
                at,
                &operator,
                m.tld.as_deref(),
                "request_dismissed",
                &json!({ "message": m.id, "message_id": m.message_id, "from": m.from,
                         "subject": m.subject, "intent": m.intent.map(Intent::as_str),
                         "reason": reason }),
            )?;
            Ok(Dismissal {
                message: m.id,
                tld: m.tld.clone(),
                from: m.from.clone(),
                subject: m.subject.clone(),
                reason: reason.map(str::to_string),
            })
        })
    }
}

impl Dismissal {
    /// The plan's notes: what is closed, and that nobody is mailed.
    pub fn notes(&self) -> Vec<String> {
        let tld = self
            .tld
            .as_deref()
            .map_or(String::new(), |t| format!(" for .{t}"));
        let mut out = vec![format!(
            "#{}: the request{tld} from {} (\"{}\") is closed; nobody is mailed",
            self.message,
            self.from.as_deref().unwrap_or("?"),
            self.subject
        )];
        if let Some(r) = &self.reason {
            out.push(format!("Reason: {r}"));
        }
        out
    }
}

impl Asking {
    /// The plan's notes: who is asked, and what the contacts would become.
    pub fn notes(&self) -> Vec<String> {
        let mut out = vec![format!(
            ".{}: its IANA admin contact is asked to authorise the request",
            self.tld
        )];
        if !self.added.is_empty() {
            out.push(format!("Requested: add {}", people(&self.added)));
        }
        if !self.removed.is_empty() {
            out.push(format!("Requested: remove {}", people(&self.removed)));
        }
        out
    }
}
