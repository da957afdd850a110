//! The yearly re-confirmation (DESIGN §8.4): each approved ccTLD's admin contact is mailed
//! its current contacts and asked to confirm or correct them; unanswered, reminded every
//! `reconfirm.after` up to `max_reminders`, then lapsed. A confirming reply is recorded by
//! [`Service::confirm`]; one naming other contacts is an update, approved as ever.
//! Members are never removed here.

use anyhow::Result;
use serde_json::json;

use super::mailer::{Compose, Planned};
use super::workflow::describe;
use super::{Service, UsageError, usage};
use crate::domain::case::{CaseState, Event};
use crate::domain::email::same_address;
use crate::domain::member::ContactState;
use crate::domain::reconfirm::Standing;
use crate::domain::template::Kind;
use crate::domain::tld::TldCode;
use crate::domain::triage::{Contact, Verdict};
use crate::store::{
    CaseRow, CaseRows, CaseUpdate, ContactQueries, ContactRow, MessageQueries, MessageRow,
    RosterQueries, Round, Tx,
};

/// What a re-confirmation pass did (or would do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconfirmation {
    pub mails: Vec<Planned>,
    /// One line per ccTLD asked or reminded.
    pub notes: Vec<String>,
    pub skipped: Vec<(String, String)>,
}

/// What a confirmation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    pub tld: String,
    /// The members confirmed.
    pub members: Vec<Contact>,
    /// Proposals of the reply dropped (it named the members again, or someone else the
    /// operator chose not to take).
    pub discarded: Vec<Contact>,
    pub evidence: Option<i64>,
}

impl Confirmation {
    pub(super) fn discard_pairs(&self) -> Vec<(String, Contact)> {
        self.discarded
            .iter()
            .map(|c| (self.tld.clone(), c.clone()))
            .collect()
    }
}

/// The contacts a reply names against the members: (added, removed).
pub fn diff(named: &[Contact], members: &[Contact]) -> (Vec<Contact>, Vec<Contact>) {
    let added = named
        .iter()
        .filter(|n| !members.iter().any(|m| same_address(&m.email, &n.email)))
        .cloned()
        .collect();
    let removed = members
        .iter()
        .filter(|m| !named.iter().any(|n| same_address(&m.email, &n.email)))
        .cloned()
        .collect();
    (added, removed)
}

/// The members of a ccTLD as a re-confirmation lists them: subscribed, or approved and
/// waiting for the list server.
fn current(contacts: &[ContactRow]) -> Vec<Contact> {
    contacts
        .iter()
        .filter(|c| matches!(c.state, ContactState::Subscribed | ContactState::Approved))
        .map(ContactRow::contact)
        .collect()
}

impl Service {
    /// The newest verified reply about the case filed after its open round went out.
    pub(super) fn round_answer(&self, case: &CaseRow) -> Result<Option<MessageRow>> {
        let Some(sent) = case.round_sent_at else {
            return Ok(None);
        };
        Ok(self
            .store
            .latest_message(&case.tld, &[Verdict::AdminFrom, Verdict::AdminCc])?
            .filter(|m| m.filed_at >= sent))
    }

    /// Where an approved case stands in its re-confirmation.
    pub fn standing(&self, case: &CaseRow) -> Result<Standing> {
        let answered = self.round_answer(case)?.is_some();
        Ok(Standing::of(
            &case.reconfirm_record(answered),
            self.config.reconfirm.rules(),
            self.now(),
        ))
    }

    /// Asks the admin contacts of the due ccTLDs (`due_only`), or of `tlds` whether due or
    /// not, to confirm their contacts; reminds those whose round waits unanswered past
    /// `reconfirm.after`. Lapsed rounds are left to the operator.
    pub fn reconfirm(
        &self,
        tlds: &[String],
        due_only: bool,
        dry_run: bool,
    ) -> Result<Reconfirmation> {
        self.secretariat()?;
        let cases = self.cases_named(tlds, due_only)?;
        let mut pass = Reconfirmation::default();
        for case in cases {
            let code = case.tld.clone();
            if case.state != CaseState::Approved {
                if !tlds.is_empty() {
                    pass.skipped
                        .push((code, format!("{}: not on the list", case.state)));
                }
                continue;
            }
            if case.round == Some(Round::Request) {
                if !tlds.is_empty() {
                    pass.skipped.push((
                        code,
                        "a request waits for the admin's answer (chase it)".into(),
                    ));
                }
                continue;
            }
            let standing = self.standing(&case)?;
            let remind = match &standing {
                Standing::Due(_) => false,
                Standing::Current { .. } if !tlds.is_empty() => false,
                Standing::ReminderDue { .. } => true,
                Standing::Asked { .. } if !tlds.is_empty() => true,
                Standing::Lapsed { .. } | Standing::Answered if !tlds.is_empty() => {
                    pass.skipped.push((code, standing.words()));
                    continue;
                }
                _ => continue,
            };
            let row = self.store.roster_row(&TldCode::from_stored(code.clone()))?;
            let Some(tld) = row.map(|r| r.tld) else {
                continue;
            };
            let operator = self.operator.clone();
            let result = self.act(dry_run, |tx| {
                let case = tx.existing_case(&code)?;
                case.state
                    .next(Event::Reconfirm)
                    .map_err(|r| UsageError(format!(".{code}: {r}")))?;
                let at = self.now();
                let members = current(&tx.contacts(&code)?);
                let mut values = self.common_values(Some(&tld));
                values.insert("contacts", contact_lines(&members));
                let confirmed = case.confirmed_at.or(case.decided_at);
                values.insert(
                    "confirmed_on",
                    confirmed.map_or("-".into(), |d| d.date()),
                );
                let thread = case.round_message_id.clone().filter(|_| remind);
                let mail = self.queue(
                    tx,
                    Compose {
                        kind: Kind::Reconfirm,
                        tld: Some(&tld),
                        token: case.token.as_deref(),
                        to: vec![tld.admin.email.to_string()],
                        cc: vec![],
                        in_reply_to: thread.as_deref(),
                        values,
                    },
                    at,
                )?;
                let update = CaseUpdate {
                    round: (!remind).then_some((Round::Reconfirm, mail.message_id.as_str())),
                    round_reminded: remind,
                    ..CaseUpdate::default()
                };
                tx.update_case(&code, case.version, &update, at)?;
                let note = if remind {
                    tx.append_event(
                        at,
                        &operator,
                        Some(&code),
                        "reconfirm_reminded",
                        &json!({ "reminder": case.round_reminders + 1,
                                 "message_id": mail.message_id, "to": tld.admin.email }),
                    )?;
                    format!(
                        ".{code}: re-confirmation reminder {} ({})",
                        case.round_reminders + 1,
                        standing.words()
                    )
                } else {
                    tx.append_event(
                        at,
                        &operator,
                        Some(&code),
                        "reconfirm_requested",
                        &json!({ "why": standing.words(), "message_id": mail.message_id,
                                 "to": tld.admin.email,
                                 "contacts": members.iter().map(|c| &c.email).collect::<Vec<_>>() }),
                    )?;
                    format!(
                        ".{code}: asked to confirm {} contact{} ({})",
                        members.len(),
                        if members.len() == 1 { "" } else { "s" },
                        standing.words()
                    )
                };
                Ok((mail, note))
            });
            match result {
                Ok((mail, note)) => {
                    pass.mails.push(mail);
                    pass.notes.push(note);
                }
                Err(e) if e.is::<UsageError>() => pass.skipped.push((code, e.to_string())),
                Err(e) => return Err(e),
            }
        }
        Ok(pass)
    }

    /// Records that the admin contact confirmed the ccTLD's contacts (a verified reply to the
    /// re-confirmation): the date, the round closed, the reply's proposals dropped.
    pub fn confirm(&self, input: &str, dry_run: bool) -> Result<Confirmation> {
        let tld = self.tld(input)?.tld;
        let code = tld.code.to_string();
        let operator = self.operator.clone();
        self.act(dry_run, |tx| {
            let case = tx.existing_case(&code)?;
            case.state
                .next(Event::Reconfirm)
                .map_err(|r| UsageError(format!(".{code}: {r}")))?;
            if case.round != Some(Round::Reconfirm) {
                return usage(format!(
                    ".{code}: no re-confirmation is open (`tldops reconfirm --tld {code}` asks)"
                ));
            }
            let Some(evidence) = self.round_answer_in(tx, &case)? else {
                return usage(format!(
                    ".{code}: no verified reply to the re-confirmation yet"
                ));
            };
            let contacts = tx.contacts(&code)?;
            let members = current(&contacts);
            let discarded: Vec<Contact> = contacts
                .iter()
                .filter(|c| c.state == ContactState::Proposed)
                .map(ContactRow::contact)
                .collect();
            let at = self.now();
            tx.discard_proposed(&code)?;
            let update = CaseUpdate {
                confirmed: true,
                ..CaseUpdate::default()
            };
            tx.update_case(&code, case.version, &update, at)?;
            tx.append_event(
                at,
                &operator,
                Some(&code),
                "confirmed",
                &json!({
                    "contacts": members.iter().map(|c| &c.email).collect::<Vec<_>>(),
                    "evidence": { "message": evidence.id, "message_id": evidence.message_id,
                                  "verdict": evidence.verdict, "why": evidence.why },
                }),
            )?;
            Ok(Confirmation {
                tld: code.clone(),
                members,
                discarded,
                evidence: Some(evidence.id),
            })
        })
    }

    fn round_answer_in(&self, tx: &Tx, case: &CaseRow) -> Result<Option<MessageRow>> {
        let Some(sent) = case.round_sent_at else {
            return Ok(None);
        };
        Ok(tx
            .latest_message(&case.tld, &[Verdict::AdminFrom, Verdict::AdminCc])?
            .filter(|m| m.filed_at >= sent))
    }
}

/// `  Jan Jansen <jan@x>, +31 …` a line each, or a line saying there are none.
pub(super) fn contact_lines(contacts: &[Contact]) -> String {
    if contacts.is_empty() {
        return "  (none)".into();
    }
    contacts
        .iter()
        .map(|c| format!("  {}", describe(c)))
        .collect::<Vec<_>>()
        .join("\n")
}
