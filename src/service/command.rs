//! Operator actions as values: a [`Command`] is planned (what it will do, or why it cannot —
//! the action rehearsed in a transaction that is rolled back, so the plan is exactly what the
//! real run would do) and performed (done, with what happened). The TUI's confirmation
//! dialog, the CLI's `--dry-run` and both front ends' result lines are renderings of these
//! two; no front end restates a rule.

use crate::domain::case::CaseState;
use crate::domain::triage::Contact;

use anyhow::Result;

use super::Service;
use super::mailer::INTERRUPTED;
use super::messages::Reopen;
use super::outcome::{Effects, Outcome, Plan};
use super::workflow::describe;

/// Every operator action the front ends offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Invite {
        selection: super::Selection,
        again: bool,
    },
    /// Reminders to `tlds`, or with `due_only` to every case that is due.
    Chase {
        tlds: Vec<String>,
        due_only: bool,
    },
    /// The proposed contacts (all, or those listed); an override reason for a reply that is
    /// not verified.
    Approve {
        tld: String,
        contacts: Vec<String>,
        override_reason: Option<String>,
    },
    Reject {
        tld: String,
        reason: String,
    },
    /// A message (`#ID` or Message-ID) filed under a TLD.
    Assign {
        message: String,
        tld: String,
    },
    SetContacts {
        tld: String,
        contacts: Vec<Contact>,
    },
    RemoveContact {
        tld: String,
        email: String,
        reason: Option<String>,
    },
    /// The re-confirmation round (DESIGN §8.4): `tlds` now, or with `due_only` every ccTLD
    /// that is due a request or a reminder.
    Reconfirm {
        tlds: Vec<String>,
        due_only: bool,
    },
    /// Records that the admin contact confirmed the contacts (a verified reply to the
    /// re-confirmation).
    Confirm {
        tld: String,
    },
    /// Asks the TLD's IANA admin contact to authorise the requests `messages` (DESIGN §8.1).
    Ask {
        tld: String,
        messages: Vec<String>,
    },
    /// Removes the member who asked to leave in `message` (DESIGN §8.2).
    Remove {
        message: String,
    },
    /// Closes the request `message` without mailing anyone (spam, or handled another way),
    /// for a reason that is logged.
    Dismiss {
        message: String,
        reason: Option<String>,
    },
    RetryMail {
        message_id: String,
    },
    ResendMail {
        message_id: String,
    },
    MarkMailSent {
        message_id: String,
    },
}

impl Command {
    /// The question a confirmation asks: `Approve .nl?`
    pub fn title(&self) -> String {
        match self {
            Command::Invite { selection, again } => {
                let what = if *again { "Invite again" } else { "Invite" };
                format!("{what} {}?", selection_words(selection))
            }
            Command::Chase { tlds, .. } if tlds.is_empty() => "Chase every due ccTLD?".into(),
            Command::Chase { tlds, .. } => format!("Remind {}?", dotted(tlds)),
            Command::Approve { tld, .. } => format!("Approve {}?", label(tld)),
            Command::Reject { tld, .. } => format!("Reject {}?", label(tld)),
            Command::Assign { message, tld } => format!("Assign {message} to {}?", label(tld)),
            Command::SetContacts { tld, .. } => {
                format!("Set the proposed contacts of {}?", label(tld))
            }
            Command::RemoveContact { tld, email, .. } => {
                format!("Remove {email} from {}?", label(tld))
            }
            Command::Reconfirm { tlds, .. } if tlds.is_empty() => {
                "Re-confirm every due ccTLD?".into()
            }
            Command::Reconfirm { tlds, .. } => format!("Ask {} to re-confirm?", dotted(tlds)),
            Command::Confirm { tld } => format!("Record {}'s contacts as confirmed?", label(tld)),
            Command::Ask { tld, .. } => format!("Ask the admin contact of {}?", label(tld)),
            Command::Remove { message } => {
                format!("Remove the member who asks to leave in {message}?")
            }
            Command::Dismiss { message, .. } => {
                format!("Dismiss the request {message}, mailing nobody?")
            }
            Command::RetryMail { .. } => "Queue the failed mail again?".into(),
            Command::ResendMail { .. } => "Send the interrupted mail again?".into(),
            Command::MarkMailSent { .. } => "Record the interrupted mail as sent?".into(),
        }
    }

    /// What is being done, for a busy indicator: `approving .nl`.
    pub fn doing(&self) -> String {
        match self {
            Command::Invite { selection, .. } => format!("inviting {}", selection_words(selection)),
            Command::Chase { tlds, .. } if tlds.is_empty() => "chasing the due ccTLDs".into(),
            Command::Chase { tlds, .. } => format!("reminding {}", dotted(tlds)),
            Command::Approve { tld, .. } => format!("approving {}", label(tld)),
            Command::Reject { tld, .. } => format!("rejecting {}", label(tld)),
            Command::Assign { message, tld } => format!("assigning {message} to {}", label(tld)),
            Command::SetContacts { tld, .. } => format!("setting the contacts of {}", label(tld)),
            Command::RemoveContact { tld, email, .. } => {
                format!("removing {email} from {}", label(tld))
            }
            Command::Reconfirm { tlds, .. } if tlds.is_empty() => {
                "re-confirming the due ccTLDs".into()
            }
            Command::Reconfirm { tlds, .. } => format!("re-confirming {}", dotted(tlds)),
            Command::Confirm { tld } => format!("confirming {}", label(tld)),
            Command::Ask { tld, .. } => format!("asking the admin contact of {}", label(tld)),
            Command::Remove { message } => format!("removing the member of {message}"),
            Command::Dismiss { message, .. } => format!("dismissing the request {message}"),
            Command::RetryMail { message_id } => format!("queueing {message_id} again"),
            Command::ResendMail { message_id } => format!("sending {message_id} again"),
            Command::MarkMailSent { message_id } => format!("recording {message_id} as sent"),
        }
    }
}

fn dotted(tlds: &[String]) -> String {
    let list: Vec<String> = tlds.iter().map(|t| label(t)).collect();
    list.join(", ")
}

/// `.nl`, and an IDN ccTLD in the script people read: `.рф`, not `.xn--p1ai`.
pub(super) fn label(tld: &str) -> String {
    let code = crate::domain::tld::TldCode::from_stored(tld.trim_start_matches('.').to_string());
    format!(".{}", code.unicode().unwrap_or_else(|| code.to_string()))
}

fn selection_words(s: &super::Selection) -> String {
    let base = if s.all {
        "every ccTLD".to_string()
    } else if let Some(r) = s.region {
        format!("the ccTLDs of {r}")
    } else {
        dotted(&s.tlds)
    };
    match s.limit {
        Some(n) => format!("{base} (the first {n})"),
        None => base,
    }
}

impl Service {
    /// What `command` will do, or why it cannot (the error): the action rehearsed and rolled
    /// back. Nothing is written, fetched or sent.
    pub fn plan(&self, command: &Command) -> Result<Plan> {
        let effects = self.run(command, true, &mut |_| Ok(None))?.0;
        Ok(Plan {
            command: command.clone(),
            effects,
        })
    }

    /// Does `command` (compare-and-set, as its plan said unless someone else acted first),
    /// then hands its members to the backend. Its mail waits in the outbox: [`Service::deliver`]
    /// sends it. `reopen` opens a mailbox for `Assign` of mail stored as headers only.
    pub fn perform(&self, command: &Command, reopen: &mut Reopen) -> Result<Outcome> {
        let (effects, members) = self.run(command, false, reopen)?;
        Ok(Outcome {
            command: command.clone(),
            effects,
            members,
            deliveries: Vec::new(),
        })
    }

    /// `Mail <id> (the invitation to .nl)`: a mail command's result names the mail's TLD.
    fn mail_words(&self, message_id: &str) -> String {
        let id = message_id.trim().trim_matches(['<', '>']);
        match self.mail(id) {
            Ok(m) => match m.tld.as_deref() {
                Some(t) => format!("Mail {id} (the {} to {})", m.kind, label(t)),
                None => format!("Mail {id} (the {})", m.kind),
            },
            Err(_) => format!("Mail {id}"),
        }
    }

    /// One command, rehearsed or done: its effects, and what the members backend did.
    fn run(
        &self,
        command: &Command,
        dry_run: bool,
        reopen: &mut Reopen,
    ) -> Result<(Effects, Vec<super::Synced>)> {
        let mut e = Effects::default();
        let mut members = Vec::new();
        match command {
            Command::Invite { selection, again } => {
                let b = self.invite(selection, *again, dry_run)?;
                (e.mails, e.skipped, e.transitions) = (b.mails, b.skipped, b.transitions);
                e.notes = b.notes;
            }
            Command::Chase { tlds, due_only } => {
                let b = self.chase(tlds, *due_only, dry_run)?;
                (e.mails, e.skipped, e.transitions) = (b.mails, b.skipped, b.transitions);
                e.notes = b.notes;
            }
            Command::Approve {
                tld,
                contacts,
                override_reason,
            } => {
                let a = self.approve(tld, contacts, override_reason.as_deref(), dry_run)?;
                let code = a.tld.clone();
                let with =
                    |list: Vec<Contact>| list.into_iter().map(|c| (code.clone(), c)).collect();
                if let Some(reason) = &a.override_reason {
                    e.notes.push(format!("Override (logged): {reason}"));
                }
                e.transitions
                    .push((code.clone(), a.from, CaseState::Approved));
                e.subscribe = with(a.subscribe);
                e.remove = with(a.remove);
                e.update = with(a.update);
                e.mails = a.mails;
                members = a.members;
            }
            Command::Reject { tld, reason } => {
                let r = self.reject(tld, reason, dry_run)?;
                let code = r.mail.tld.clone().unwrap_or_default();
                e.notes.push(format!("Reason: {}", reason.trim()));
                e.transitions
                    .push((code.clone(), r.from, CaseState::Rejected));
                e.discard = r.discarded.into_iter().map(|c| (code.clone(), c)).collect();
                e.mails.push(r.mail);
            }
            Command::Assign { message, tld } => {
                let a = self.assign(message, tld, reopen, dry_run)?;
                let m = &a.message;
                let code = m.tld.clone().unwrap_or_default();
                e.notes = a.notes();
                e.propose = a
                    .contacts
                    .iter()
                    .map(|c| (code.clone(), c.clone()))
                    .collect();
                e.transitions.extend(a.transition);
            }
            Command::SetContacts { tld, contacts } => {
                self.set_contacts(tld, contacts, dry_run)?;
                let code = self.tld(tld)?.tld.code.to_string();
                let n = contacts.len();
                e.notes.push(match n {
                    1 => format!("The proposed contacts of .{code} become this one"),
                    n => format!("The proposed contacts of .{code} become these {n}"),
                });
                // Said now, not first when approving is refused for it.
                let max = self.config.list.max_contacts as usize;
                if n > max {
                    e.notes.push(format!(
                        "{n} contacts are more than list.max_contacts ({max}): approving them \
                         will be refused until some are taken out"
                    ));
                }
                e.propose = contacts.iter().map(|c| (code.clone(), c.clone())).collect();
            }
            Command::RemoveContact { tld, email, reason } => {
                let (c, backend) = self.remove_contact(tld, email, reason.as_deref(), dry_run)?;
                let code = self.tld(tld)?.tld.code.to_string();
                if let Some(r) = reason {
                    e.notes.push(format!("Reason: {r}"));
                }
                e.remove.push((code, c));
                members = backend;
            }
            Command::Reconfirm { tlds, due_only } => {
                let r = self.reconfirm(tlds, *due_only, dry_run)?;
                (e.mails, e.skipped, e.notes) = (r.mails, r.skipped, r.notes);
            }
            Command::Confirm { tld } => {
                let c = self.confirm(tld, dry_run)?;
                e.notes.push(format!(
                    ".{}: the admin contact confirmed {} contact{}{}",
                    c.tld,
                    c.members.len(),
                    if c.members.len() == 1 { "" } else { "s" },
                    c.evidence.map_or(String::new(), |id| format!(" (#{id})"))
                ));
                for m in &c.members {
                    e.notes.push(format!("Confirmed: {}", describe(m)));
                }
                e.discard = c.discard_pairs();
            }
            Command::Ask { tld, messages } => {
                let a = self.ask(tld, messages, dry_run)?;
                e.notes = a.notes();
                if a.from != a.to {
                    e.transitions.push((a.tld.clone(), a.from, a.to));
                }
                e.mails.push(a.mail);
            }
            Command::Remove { message } => {
                let l = self.remove_on_request(message, dry_run)?;
                e.notes
                    .push(format!("{} asked to leave .{}", l.member.email, l.tld));
                e.tld = Some(l.tld.clone());
                e.remove.push((l.tld, l.member));
                e.mails.push(l.mail);
                members = l.backend;
            }
            Command::Dismiss { message, reason } => {
                let d = self.dismiss(message, reason.as_deref(), dry_run)?;
                e.notes = d.notes();
                e.tld = d.tld;
            }
            Command::RetryMail { message_id } => {
                let what = self.mail_words(message_id);
                self.change_mail_checked(message_id, "failed", dry_run, |s| {
                    s.retry_mail(message_id)
                })?;
                e.notes
                    .push(format!("{what} is queued again (same Message-ID)"));
            }
            Command::ResendMail { message_id } => {
                let what = self.mail_words(message_id);
                self.change_mail_checked(message_id, INTERRUPTED, dry_run, |s| {
                    s.resend_mail(message_id)
                })?;
                e.notes.push(format!(
                    "{what} is sent again: its receiver may get it twice"
                ));
            }
            Command::MarkMailSent { message_id } => {
                let what = self.mail_words(message_id);
                self.change_mail_checked(message_id, INTERRUPTED, dry_run, |s| {
                    s.mark_mail_sent(message_id)
                })?;
                e.notes
                    .push(format!("{what} is recorded as sent and not sent again"));
            }
        }
        Ok((e, members))
    }
}

#[cfg(test)]
mod tests;
