//! Chasing unanswered mail (DESIGN §4 `chase`, §8.1): an invitation, or a request put to the
//! admin contact of an approved ccTLD, that has no verified answer is reminded every
//! `[chase] after`, up to `max_reminders` (the last one copied to the technical contact when
//! `escalate_to_tech`), then left dormant. Which mail waits and when it is due is decided in
//! one place, [`Service::waiting_of`] and [`crate::domain::chase`], for `chase` and the queue.

use anyhow::Result;
use serde_json::json;

use super::Service;
use super::mailer::{Compose, Planned};
use super::reconfirm::diff;
use super::workflow::{Batch, refusal};
use crate::domain::case::{CaseState, Event};
use crate::domain::chase::{Asked, Chase, Waiting};
use crate::domain::member::ContactState;
use crate::domain::roster::Tld;
use crate::domain::template::Kind;
use crate::domain::tld::TldCode;
use crate::domain::triage::Contact;
use crate::store::{
    CaseRow, CaseRows, CaseUpdate, ContactQueries, ContactRow, EventFilter, EventQueries,
    MessageQueries, RosterQueries, Tx,
};

impl Service {
    /// The mail of `case` that waits for its admin contact's answer, if any: its invitation,
    /// or the request put to the admin of an approved ccTLD until a verified reply comes.
    pub(super) fn waiting_of<'a>(&self, case: &'a CaseRow) -> Result<Option<Waiting<'a>>> {
        let Some(waiting) = case.waiting() else {
            return Ok(None);
        };
        if waiting.asked == Asked::Request && self.round_answer(case)?.is_some() {
            return Ok(None);
        }
        Ok(Some(waiting))
    }

    /// Where the waiting mail of `case` stands now, if one waits.
    pub(super) fn chase_standing(&self, case: &CaseRow) -> Result<Option<(Asked, Chase)>> {
        Ok(self
            .waiting_of(case)?
            .map(|w| (w.asked, w.standing(self.config.chase.rules(), self.now()))))
    }

    /// Sends reminders: to `tlds`, or with `due_only` to every case whose invitation or
    /// request (or last reminder) is older than `[chase] after`. The last reminder allowed is
    /// copied to the technical contact when `escalate_to_tech`. Cases past `max_reminders`
    /// are left dormant.
    pub fn chase(&self, tlds: &[String], due_only: bool, dry_run: bool) -> Result<Batch> {
        self.secretariat()?;
        let chase = &self.config.chase;
        let rules = chase.rules();
        let candidates = self.cases_named(tlds, due_only)?;
        let now = self.now();
        let mut batch = Batch::default();
        for case in candidates {
            let code = case.tld.clone();
            let Some(waiting) = self.waiting_of(&case)? else {
                if !tlds.is_empty() {
                    batch.skipped.push((
                        code,
                        format!(
                            "{}: no invitation or request is waiting for an answer",
                            case.state
                        ),
                    ));
                }
                continue;
            };
            if waiting.exhausted(rules) {
                batch.skipped.push((
                    code,
                    format!("dormant: {} reminders sent, the maximum", waiting.reminders),
                ));
                continue;
            }
            let due = matches!(waiting.standing(rules, now), Chase::Due { .. });
            if due_only && !due {
                continue;
            }
            let row = self.store.roster_row(&TldCode::from_stored(code.clone()))?;
            let Some(tld) = row.map(|r| r.tld) else {
                continue;
            };
            let escalate = chase.escalate_to_tech
                && waiting.reminders + 1 == chase.max_reminders
                && tld.tech.email != tld.admin.email;
            let asked = waiting.asked;
            let result = self.act(dry_run, |tx| {
                // Re-read under the write lock: another operator may have chased meanwhile.
                let case = tx.existing_case(&code)?;
                match asked {
                    Asked::Invitation => self
                        .remind_invitation(tx, &case, &tld, escalate)
                        .map(|mail| (mail, Some((case.state, CaseState::Reminded)))),
                    Asked::Request => self
                        .remind_request(tx, &case, &tld, escalate)
                        .map(|mail| (mail, None)),
                }
            });
            if result.is_ok() && asked == Asked::Request {
                batch.notes.push(format!(
                    ".{code}: reminder {} of the request to authorise a change (sent {})",
                    waiting.reminders + 1,
                    waiting.sent_at.map_or("-".into(), |t| t.date())
                ));
            }
            batch.record(code, result)?;
        }
        Ok(batch)
    }

    /// A reminder of the invitation, threaded under it.
    fn remind_invitation(
        &self,
        tx: &Tx,
        case: &CaseRow,
        tld: &Tld,
        escalate: bool,
    ) -> Result<Planned> {
        let code = case.tld.as_str();
        case.state
            .next(Event::Remind)
            .map_err(|r| refusal(code, case, r))?;
        let at = self.now();
        let mut values = self.common_values(Some(tld));
        values.insert(
            "invited_on",
            case.invited_at.map(|t| t.date()).unwrap_or_default(),
        );
        values.insert("reminders_sent", case.reminders.to_string());
        let mail = self.queue(
            tx,
            Compose {
                kind: if escalate {
                    Kind::Escalation
                } else {
                    Kind::Reminder
                },
                tld: Some(tld),
                token: case.token.as_deref(),
                to: vec![tld.admin.email.to_string()],
                cc: escalation_cc(tld, escalate),
                in_reply_to: case.invitation_message_id.as_deref(),
                values,
            },
            at,
        )?;
        let update = CaseUpdate {
            state: Some(CaseState::Reminded),
            reminded: true,
            ..CaseUpdate::default()
        };
        tx.update_case(code, case.version, &update, at)?;
        tx.append_event(
            at,
            &self.operator,
            Some(code),
            "reminded",
            &json!({ "reminder": case.reminders + 1, "escalated_to_tech": escalate,
                     "message_id": mail.message_id }),
        )?;
        Ok(mail)
    }

    /// A reminder of the request put to the admin of an approved ccTLD: the request again
    /// (who asks what, what the contacts would become), threaded under the first.
    fn remind_request(
        &self,
        tx: &Tx,
        case: &CaseRow,
        tld: &Tld,
        escalate: bool,
    ) -> Result<Planned> {
        let code = case.tld.as_str();
        case.state
            .next(Event::RemindRequest)
            .map_err(|r| refusal(code, case, r))?;
        let at = self.now();
        let members: Vec<Contact> = tx
            .contacts(code)?
            .iter()
            .filter(|c| matches!(c.state, ContactState::Subscribed | ContactState::Approved))
            .map(ContactRow::contact)
            .collect();
        let contacts = tx.requested(code)?;
        let (added, removed) = diff(&contacts, &members);
        // The requests the admin was asked about, as the log recorded them.
        let asked = tx
            .events(&EventFilter {
                tld: Some(code.to_string()),
                ..EventFilter::default()
            })?
            .into_iter()
            .find(|e| e.action == "asked");
        let mut requests = Vec::new();
        if let Some(e) = asked {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            for id in detail["messages"].as_array().into_iter().flatten() {
                if let Some(id) = id.as_i64()
                    && let Some((m, _)) = tx.message_by_ref(&format!("#{id}"))?
                {
                    requests.push(m);
                }
            }
        }
        let values = self.request_values(tld, &requests, &contacts, &added, &removed);
        let mail = self.queue(
            tx,
            Compose {
                kind: Kind::Request,
                tld: Some(tld),
                token: case.token.as_deref(),
                to: vec![tld.admin.email.to_string()],
                cc: escalation_cc(tld, escalate),
                in_reply_to: case.round_message_id.as_deref(),
                values,
            },
            at,
        )?;
        let update = CaseUpdate {
            round_reminded: true,
            ..CaseUpdate::default()
        };
        tx.update_case(code, case.version, &update, at)?;
        tx.append_event(
            at,
            &self.operator,
            Some(code),
            "request_reminded",
            &json!({ "reminder": case.round_reminders + 1, "escalated_to_tech": escalate,
                     "message_id": mail.message_id, "to": tld.admin.email }),
        )?;
        Ok(mail)
    }
}

/// The technical contact, copied on the last reminder when the chase escalates.
fn escalation_cc(tld: &Tld, escalate: bool) -> Vec<String> {
    if escalate {
        vec![tld.tech.email.to_string()]
    } else {
        vec![]
    }
}
