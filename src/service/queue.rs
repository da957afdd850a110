//! The queue: what waits for an operator, most urgent first, each with why and since when.

use anyhow::Result;
use serde::Serialize;

use super::Service;
use super::reconfirm::diff;
use super::workflow::describe;
use crate::domain::case::CaseState;
use crate::domain::chase::Chase;
use crate::domain::member::ContactState;
use crate::domain::message::parse;
pub use crate::domain::queue::ItemKind;
use crate::domain::reconfirm::Standing;
use crate::domain::time::Timestamp;
use crate::domain::triage::intent::{Intent, confirms};
use crate::domain::triage::{Contact, Verdict};
use crate::store::{
    CaseRow, CaseRows, ContactQueries, MessageFilter, MessageQueries, MessageRow, OutboxQueries,
    RosterQueries, Round,
};

/// One thing to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    /// What to do: `decide`, `update`, `confirm`, `remove`, `review`, `request`, `assign`,
    /// `bounced`, `admin_changed`, `mail_failed`, `mail_interrupted`, `members`, `chase`,
    /// `reconfirm`, `lapsed`, `dormant`.
    pub kind: ItemKind,
    pub tld: Option<String>,
    pub country: Option<String>,
    pub state: Option<CaseState>,
    pub why: String,
    /// Since when it waits; `None` when its case holds no time (written `""` in JSON).
    #[serde(serialize_with = "unknown_as_empty")]
    pub since: Option<Timestamp>,
    /// The message it is about, as `tldops messages` numbers it.
    pub message: Option<i64>,
    /// The outgoing mail it is about (its Message-ID), as `tldops outbox` lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<String>,
}

/// A time, or `""` when none is known (what the queue's JSON always said).
fn unknown_as_empty<S: serde::Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(t),
        None => s.serialize_str(""),
    }
}

/// `Jan <jan@x>, Els <els@y>`
fn people(list: &[Contact]) -> String {
    list.iter().map(describe).collect::<Vec<_>>().join(", ")
}

impl Service {
    /// What a verified reply about an approved ccTLD asks of the operator: `confirm` (it
    /// answers the re-confirmation naming the members again, or nobody with confirming words),
    /// `update` (it names other contacts: the diff), or `review` (it names nobody and does not
    /// say it confirms).
    fn approved_reply(&self, c: &CaseRow, m: &MessageRow) -> Result<(ItemKind, String)> {
        let members: Vec<Contact> = self
            .store
            .contacts(&c.tld)?
            .iter()
            .filter(|c| matches!(c.state, ContactState::Subscribed | ContactState::Approved))
            .map(|c| c.contact())
            .collect();
        let (added, removed) = diff(&m.contacts, &members);
        let answers_round =
            c.round == Some(Round::Reconfirm) && c.round_sent_at <= Some(m.filed_at);
        let what = if answers_round {
            "answer to the re-confirmation"
        } else {
            "new verified reply for an approved TLD"
        };
        if answers_round && m.contacts.is_empty() {
            let confirms = self
                .store
                .message_by_ref(&format!("#{}", m.id))?
                .is_some_and(|(_, raw)| confirms(&parse(&raw, true)));
            return Ok(if confirms {
                (
                    ItemKind::Confirm,
                    format!("{what} says the contacts are right: {}", m.why),
                )
            } else {
                (
                    ItemKind::Review,
                    format!(
                        "{what} names no contacts and does not say it confirms: read it; {}",
                        m.why
                    ),
                )
            });
        }
        if answers_round && added.is_empty() && removed.is_empty() {
            return Ok((
                ItemKind::Confirm,
                format!(
                    "{what} names the {} members again: {}",
                    members.len(),
                    m.why
                ),
            ));
        }
        let mut change = Vec::new();
        if !added.is_empty() {
            change.push(format!("adds {}", people(&added)));
        }
        if !removed.is_empty() {
            change.push(format!("removes {}", people(&removed)));
        }
        if change.is_empty() {
            change.push("names the members again".into());
        }
        Ok((
            ItemKind::Update,
            format!("{what} {}: {}", change.join("; "), m.why),
        ))
    }

    pub fn queue_items(&self) -> Result<Vec<QueueItem>> {
        let roster = self.store.roster()?;
        let country = |code: &str| {
            roster
                .iter()
                .find(|r| r.tld.code.as_str() == code)
                .map(|r| r.tld.country.clone())
        };
        let cases = self.store.cases()?;
        let case = |code: &str| cases.iter().find(|c| c.tld == code);
        let mut items = Vec::new();
        let mut item = |kind: ItemKind,
                        tld: Option<&str>,
                        why: String,
                        since: Option<Timestamp>,
                        message: Option<i64>| {
            items.push(QueueItem {
                kind,
                tld: tld.map(str::to_string),
                country: tld.and_then(country),
                state: tld.and_then(case).map(|c| c.state),
                why,
                since,
                message,
                mail: None,
            });
        };
        let messages = |v: Verdict| {
            self.store.messages(&MessageFilter {
                verdict: Some(v),
                tld: None,
            })
        };
        let max = self.config.list.max_contacts as usize;
        // An operator's edit replaces a reply's proposals with contacts of no message: what
        // waits for a decision is then the edited list.
        let proposed = self
            .store
            .contacts_in(crate::domain::member::ContactState::Proposed)?;

        for v in [Verdict::AdminFrom, Verdict::AdminCc] {
            for m in messages(v)? {
                let Some(code) = m.tld.as_deref() else {
                    continue;
                };
                let Some(c) = case(code) else { continue };
                let edits: Vec<_> = proposed.iter().filter(|p| p.tld == code).collect();
                let edited = edits.iter().any(|p| p.message.is_none());
                let count = if edited {
                    edits.len()
                } else {
                    m.contacts.len()
                };
                let cap = if count > max {
                    format!(", more than list.max_contacts ({max})")
                } else {
                    String::new()
                };
                let named = format!("{count} contact{}", if count == 1 { "" } else { "s" });
                let naming = if edited {
                    format!("its contacts edited to {named}")
                } else {
                    format!("naming {named}")
                };
                match c.state {
                    CaseState::Answered if c.answered_at.is_none_or(|a| a <= m.filed_at) => item(
                        ItemKind::Decide,
                        Some(code),
                        format!("verified reply ({}) {naming}{cap}: {}", m.verdict, m.why),
                        Some(m.filed_at),
                        Some(m.id),
                    ),
                    // Of an approved ccTLD, the newest verified reply speaks for it.
                    CaseState::Approved
                        if c.answered_by(m.filed_at)
                            && self
                                .store
                                .latest_message(code, &[Verdict::AdminFrom, Verdict::AdminCc])?
                                .is_some_and(|l| l.id == m.id) =>
                    {
                        let (kind, why) = self.approved_reply(c, &m)?;
                        item(
                            kind,
                            Some(code),
                            format!("{why}{cap}"),
                            Some(m.filed_at),
                            Some(m.id),
                        )
                    }
                    _ => {}
                }
            }
        }
        for v in [Verdict::Suspicious, Verdict::Unverified] {
            for m in messages(v)? {
                let Some(code) = m.tld.as_deref() else {
                    continue;
                };
                let decided_after = case(code)
                    .and_then(|c| c.decided_at)
                    .is_some_and(|d| d >= m.filed_at);
                if !decided_after {
                    item(
                        ItemKind::Review,
                        Some(code),
                        match (v, m.contacts.len()) {
                            // Triage takes no contacts from a suspicious reply.
                            (Verdict::Suspicious, _) | (_, 0) => {
                                format!("{} reply: {}", m.verdict, m.why)
                            }
                            (_, n) => format!(
                                "{} reply naming {}: {}",
                                m.verdict,
                                crate::domain::plural(n, "contact"),
                                m.why
                            ),
                        },
                        Some(m.filed_at),
                        Some(m.id),
                    );
                }
            }
        }
        for m in messages(Verdict::Request)? {
            if m.settled_at.is_some() {
                continue;
            }
            let from = m.from.as_deref().unwrap_or("?");
            if m.intent == Some(Intent::Leave) {
                let still = match m.tld.as_deref() {
                    Some(code) => self.store.contacts(code)?.iter().any(|c| {
                        c.state == ContactState::Subscribed && c.email.eq_ignore_ascii_case(from)
                    }),
                    None => true,
                };
                if still {
                    item(
                        ItemKind::Remove,
                        m.tld.as_deref(),
                        format!("{}: remove them", m.why),
                        Some(m.filed_at),
                        Some(m.id),
                    );
                }
                continue;
            }
            let named = if m.contacts.is_empty() {
                String::new()
            } else {
                format!("; it names {}", people(&m.contacts))
            };
            let how = match m.tld.as_deref() {
                Some(_) => "ask the admin".to_string(),
                None => "which ccTLD? assign it, then ask its admin".to_string(),
            };
            item(
                ItemKind::Request,
                m.tld.as_deref(),
                format!("{}{named}: {how}", m.why),
                Some(m.filed_at),
                Some(m.id),
            );
        }
        for m in messages(Verdict::Ambiguous)? {
            item(
                ItemKind::Assign,
                None,
                format!("from {}: {}", m.from.as_deref().unwrap_or("?"), m.why),
                Some(m.filed_at),
                Some(m.id),
            );
        }
        for m in messages(Verdict::Bounce)? {
            if m.tld.is_none() {
                item(
                    ItemKind::Assign,
                    None,
                    m.why.clone(),
                    Some(m.filed_at),
                    Some(m.id),
                );
            }
        }
        for c in &cases {
            let code = c.tld.as_str();
            if c.state == CaseState::Bounced {
                let last = self.store.latest_message(code, &[Verdict::Bounce])?;
                let (why, since, id) = match &last {
                    Some(m) => (m.why.clone(), Some(m.filed_at), Some(m.id)),
                    None => ("the invitation bounced".to_string(), c.invited_at, None),
                };
                item(
                    ItemKind::Bounced,
                    Some(code),
                    format!("{why}: check the admin address, invite again"),
                    since,
                    id,
                );
            }
            if let Some(at) = c.admin_changed_at
                && c.state.invitation_pending()
            {
                item(
                    ItemKind::AdminChanged,
                    Some(code),
                    "the IANA admin address changed after the invitation: invite again (--again)"
                        .into(),
                    Some(at),
                    None,
                );
            }
        }
        for c in cases.iter().filter(|c| c.state == CaseState::Approved) {
            let standing = self.standing(c)?;
            let since = c
                .round_reminded_at
                .or(c.round_sent_at)
                .or(c.reconfirm_due_at)
                .or(c.confirmed_at)
                .or(c.decided_at);
            match standing {
                Standing::Due(_) | Standing::ReminderDue { .. } => item(
                    ItemKind::Reconfirm,
                    Some(&c.tld),
                    standing.words(),
                    since,
                    None,
                ),
                Standing::Lapsed { .. } => item(
                    ItemKind::Lapsed,
                    Some(&c.tld),
                    standing.words(),
                    since,
                    None,
                ),
                _ => {}
            }
        }
        for mail in self.store.outbox(Some("failed"))? {
            item(
                ItemKind::MailFailed,
                mail.tld.as_deref(),
                format!(
                    "{} to {} failed: {}",
                    mail.kind,
                    mail.recipients.join(", "),
                    mail.last_error.unwrap_or_default()
                ),
                Some(mail.created_at),
                None,
            );
        }
        for c in self.store.backend_pending()? {
            if let Some(err) = &c.backend_error {
                let what = if c.state == crate::domain::member::ContactState::Approved {
                    "subscription"
                } else {
                    "removal"
                };
                item(
                    ItemKind::Members,
                    Some(&c.tld),
                    format!(
                        "{what} of {} not confirmed by the list server: {err} (sync again)",
                        c.email
                    ),
                    Some(c.updated_at),
                    None,
                );
            }
        }
        let max_reminders = self.config.chase.max_reminders;
        for c in &cases {
            let Some((asked, standing)) = self.chase_standing(c)? else {
                continue;
            };
            let since = c.waiting().and_then(|w| w.reminded_at.or(w.sent_at));
            match standing {
                Chase::Waiting { .. } => {}
                Chase::Dormant { on, reminders } => item(
                    ItemKind::Dormant,
                    Some(&c.tld),
                    format!(
                        "{} {on}, no answer after {reminders} reminders (the maximum)",
                        asked.words()
                    ),
                    since,
                    None,
                ),
                Chase::Due { on, n } => item(
                    ItemKind::Chase,
                    Some(&c.tld),
                    format!(
                        "{} {on}, no answer: reminder {n} of {max_reminders} is due",
                        asked.words()
                    ),
                    since,
                    None,
                ),
            }
        }
        for mail in self.interrupted_mail()? {
            let tld = mail.tld.as_deref();
            items.push(QueueItem {
                kind: ItemKind::MailInterrupted,
                tld: mail.tld.clone(),
                country: tld.and_then(country),
                state: tld.and_then(case).map(|c| c.state),
                why: format!(
                    "{} to {}: its send was interrupted, it may have arrived: resend or mark-sent",
                    mail.kind,
                    mail.recipients.join(", "),
                ),
                since: Some(mail.claimed_at.unwrap_or(mail.created_at)),
                message: None,
                mail: Some(mail.message_id),
            });
        }
        items.sort_by_key(|i| (i.kind.rank(), i.since));
        Ok(items)
    }
}
