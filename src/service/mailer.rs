//! Writing mail into the outbox (inside an action's transaction) and sending what is due.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;
use serde_json::json;

use super::{Service, usage};
use crate::domain::language::Language;
use crate::domain::roster::Tld;
use crate::domain::template::Kind;
use crate::domain::time::Timestamp;
use crate::mail::backoff::Backoff;
use crate::outgoing::compose::{Draft, build, message_id};
use crate::outgoing::{Envelope, SendError, Transport};
use crate::store::{MailRow, NewMail, OutboxQueries, Tx};

/// A mail an action sends (or, in a dry run, would send): who gets what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub kind: Kind,
    pub tld: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub message_id: String,
}

/// A mail to write: its kind, TLD, recipients, threading and template values.
pub(super) struct Compose<'a> {
    pub kind: Kind,
    pub tld: Option<&'a Tld>,
    /// The case's token, for the subject tag.
    pub token: Option<&'a str>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub in_reply_to: Option<&'a str>,
    pub values: BTreeMap<&'static str, String>,
}

/// What a sending pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub retrying: Vec<(String, String)>,
    pub failed: Vec<(String, String)>,
    /// Mail whose send was interrupted (it may have reached the server): not sent again
    /// without an operator's decision.
    pub interrupted: Vec<String>,
}

/// The outbox state of a mail whose sender died mid-send (see [`Service::outbox`]).
pub const INTERRUPTED: &str = "interrupted";

/// A send taking longer than this is not in progress any more, whatever its PID says (the
/// PID may have been reused).
const SEND_ABANDONED_AFTER: i64 = 3600;

/// Whether process `pid` exists on this machine (SQLite in WAL mode is only ever shared by
/// processes of one machine).
fn process_alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Delay before retry `n` (1-based) of a temporarily failed mail: the back-off schedule from 1
/// minute (1, 2, 4 … minutes), capped at 4 hours.
fn retry_delay(attempt: u32) -> Duration {
    Backoff::new(Duration::from_secs(60), Duration::from_secs(4 * 3600))
        .step(attempt.saturating_sub(1))
}

/// Temporary failures stop being retried after this many attempts.
const MAX_ATTEMPTS: u32 = 10;

impl Service {
    /// The From address of every mail, or a usage error saying it must be configured.
    pub(super) fn secretariat(&self) -> Result<String> {
        match &self.config.list.secretariat {
            Some(s) => Ok(s.clone()),
            None => usage(
                "sending mail needs [list] secretariat (the From of every mail) in the config",
            ),
        }
    }

    /// Template values every mail has.
    pub(super) fn common_values(&self, tld: Option<&Tld>) -> BTreeMap<&'static str, String> {
        let c = &self.config.list;
        let mut v = BTreeMap::from([
            ("list_name", c.name.clone()),
            (
                "list_address",
                c.address.clone().unwrap_or_else(|| c.name.clone()),
            ),
            ("secretariat", c.secretariat.clone().unwrap_or_default()),
            ("signature", c.signature.clone()),
            ("date", self.now().date()),
            ("max_contacts", c.max_contacts.to_string()),
        ]);
        if let Some(t) = tld {
            v.insert("tld", t.code.display());
            v.insert("country", t.country.clone());
            // "Dear colleague" rather than "Dear POC ADM IANA": with no person's name,
            // `Templates::render` fills `{admin_name}` in for the mail's kind and language.
            match t.admin.personal_name() {
                Some(admin) => v.insert("admin_name", admin.to_string()),
                None if t.admin.name.trim().is_empty() => {
                    v.insert(super::templates::ADMIN_RECORD, t.admin.email.to_string())
                }
                None => v.insert(
                    super::templates::ADMIN_RECORD,
                    t.admin.name.trim().to_string(),
                ),
            };
            v.insert("admin_email", t.admin.email.to_string());
            v.insert(
                "tech_name",
                if t.tech.name.is_empty() {
                    t.tech.email.to_string()
                } else {
                    t.tech.name.clone()
                },
            );
        }
        v
    }

    /// The subject with the list's tag, `[TLD-OPS .nl #k3x9] …`, which replies keep and triage
    /// matches; reminders read as a follow-up (`Re: `) in the invitation's thread.
    pub(super) fn tagged(
        &self,
        kind: Kind,
        tld: Option<&Tld>,
        token: Option<&str>,
        subject: &str,
    ) -> String {
        let list = &self.config.list.name;
        let tag = match (tld, token) {
            (Some(t), Some(token)) => format!("[{list} .{} #{token}] ", t.code),
            (Some(t), None) => format!("[{list} .{}] ", t.code),
            _ => format!("[{list}] "),
        };
        match kind {
            Kind::Reminder | Kind::Escalation => format!("Re: {tag}{subject}"),
            _ => format!("{tag}{subject}"),
        }
    }

    /// Renders `c` and writes it to the outbox in `tx`; returns what will be sent.
    pub(super) fn queue(&self, tx: &Tx, c: Compose, at: Timestamp) -> Result<Planned> {
        let from = self.secretariat()?;
        // The ccTLD's language; the digest (to the whole list) and commands are English.
        let language = c.tld.map_or(Language::En, Tld::language);
        let (subject, body) = self
            .templates
            .render(c.kind, language, &c.values)
            .map_err(anyhow::Error::msg)?;
        let mut subject = self.tagged(c.kind, c.tld, c.token, &subject);
        // A re-confirmation's or a request's reminder is a follow-up in its thread.
        if matches!(c.kind, Kind::Reconfirm | Kind::Request) && c.in_reply_to.is_some() {
            subject = format!("Re: {subject}");
        }
        let code = c.tld.map(|t| t.code.to_string());
        let id = message_id(c.kind.name(), code.as_deref(), &from);
        let raw = build(&Draft {
            from: from.clone(),
            from_name: format!("{} Secretariat", self.config.list.name),
            to: c.to.clone(),
            cc: c.cc.clone(),
            subject: subject.clone(),
            body,
            message_id: id.clone(),
            in_reply_to: c.in_reply_to.map(str::to_string),
            // Invitations are a person's request and want a person's answer; everything
            // that follows from them is generated (RFC 3834: no auto-replies to it, please).
            auto_submitted: c.kind != Kind::Invitation,
        })?;
        let recipients: Vec<String> = c.to.iter().chain(&c.cc).cloned().collect();
        tx.queue_mail(&NewMail {
            message_id: &id,
            kind: c.kind.into(),
            tld: code.as_deref(),
            recipients: &recipients,
            subject: &subject,
            raw: &raw,
            at,
        })?;
        Ok(Planned {
            kind: c.kind,
            tld: code,
            to: c.to,
            cc: c.cc,
            subject,
            message_id: id,
        })
    }

    /// Every outgoing mail, oldest first. A mail left `sending` by a process that is gone is
    /// [`INTERRUPTED`]: it may have been sent.
    pub fn outbox(&self) -> Result<Vec<MailRow>> {
        let mut mails = self.store.outbox(None)?;
        let abandoned = self
            .now()
            .saturating_sub(jiff::SignedDuration::from_secs(SEND_ABANDONED_AFTER));
        for m in mails.iter_mut().filter(|m| m.state == "sending") {
            let in_progress = m.claimed_by.is_some_and(process_alive)
                && m.claimed_at.is_some_and(|at| at > abandoned);
            if !in_progress {
                m.state = INTERRUPTED.into();
            }
        }
        Ok(mails)
    }

    /// Mail whose send was interrupted, waiting for an operator's decision.
    pub fn interrupted_mail(&self) -> Result<Vec<MailRow>> {
        Ok(self
            .outbox()?
            .into_iter()
            .filter(|m| m.state == INTERRUPTED)
            .collect())
    }

    /// The outbox mail with this Message-ID (angle brackets optional).
    pub(super) fn mail(&self, message_id: &str) -> Result<MailRow> {
        let id = message_id.trim().trim_matches(['<', '>']);
        match self.outbox()?.into_iter().find(|m| m.message_id == id) {
            Some(m) => Ok(m),
            None => usage(format!("no mail {id} in the outbox")),
        }
    }

    /// Changes a mail's outbox state if it is in state `from`, logging `action`.
    fn change_mail(
        &self,
        message_id: &str,
        from: &str,
        action: &str,
        change: impl FnOnce(&Tx, i64) -> Result<bool>,
    ) -> Result<()> {
        let mail = self.mail(message_id)?;
        let id = mail.message_id.clone();
        if mail.state != from {
            return usage(format!("mail {id} is {}, not {from}", mail.state));
        }
        let operator = self.operator.clone();
        self.store.write(|tx| {
            if !change(tx, mail.id)? {
                return usage(format!("mail {id} changed meanwhile; look again"));
            }
            tx.append_event(
                self.now(),
                &operator,
                mail.tld.as_deref(),
                action,
                &json!({ "message_id": id }),
            )
            .map(|_| ())
        })
    }

    /// As `change` would do it, or in a dry run only checks that the mail is `from`.
    pub(super) fn change_mail_checked(
        &self,
        message_id: &str,
        from: &str,
        dry_run: bool,
        change: impl FnOnce(&Service) -> Result<()>,
    ) -> Result<()> {
        if !dry_run {
            return change(self);
        }
        let mail = self.mail(message_id)?;
        if mail.state != from {
            return usage(format!(
                "mail {} is {}, not {from}",
                mail.message_id, mail.state
            ));
        }
        Ok(())
    }

    /// Queues a permanently failed mail again, unchanged (same Message-ID).
    pub fn retry_mail(&self, message_id: &str) -> Result<()> {
        self.change_mail(message_id, "failed", "mail_requeued", |tx, id| {
            tx.requeue_mail(id)
        })
    }

    /// Queues an interrupted mail again: the operator accepts that it may arrive twice.
    pub fn resend_mail(&self, message_id: &str) -> Result<()> {
        self.change_mail(message_id, INTERRUPTED, "mail_resend", |tx, id| {
            tx.resend_mail(id)
        })
    }

    /// Records an interrupted mail as sent: the operator knows it arrived.
    pub fn mark_mail_sent(&self, message_id: &str) -> Result<()> {
        let at = self.now();
        self.change_mail(message_id, INTERRUPTED, "mail_marked_sent", |tx, id| {
            tx.mark_sent_by_operator(id, at)
        })
    }

    /// The envelope sender of one mail: the Secretariat, or with `[outgoing] verp` its VERP
    /// address for this mail, which the bounces of this mail come back to.
    fn envelope_sender(&self, secretariat: &str, message_id: &str) -> String {
        let verp = self.config.outgoing.as_ref().is_some_and(|o| o.verp);
        verp.then(|| crate::domain::verp::address(secretariat, message_id))
            .flatten()
            .unwrap_or_else(|| secretariat.to_string())
    }

    /// How long until queued mail is due: `None` with nothing queued, zero when some is due
    /// already. A front end that keeps running sleeps this long before [`Service::send_due`].
    pub fn next_send_in(&self) -> Result<Option<std::time::Duration>> {
        let Some(at) = self.store.first_due()? else {
            return Ok(None);
        };
        let Some(at) = at else {
            return Ok(Some(std::time::Duration::ZERO));
        };
        let left = at.duration_since(self.now());
        Ok(Some(
            std::time::Duration::try_from(left).unwrap_or_default(),
        ))
    }

    /// Sends every due mail through `transport`, recording each outcome. A blocked transport
    /// (see [`SendError::Blocked`]) stops the pass with an error; its mail stays queued.
    pub fn send_due(&self, transport: &mut dyn Transport) -> Result<SendReport> {
        let mut report = SendReport::default();
        let from = match &self.config.list.secretariat {
            Some(s) => s.clone(),
            None => return Ok(report),
        };
        let operator = self.operator.clone();
        report.interrupted = self
            .interrupted_mail()?
            .into_iter()
            .map(|m| m.message_id)
            .collect();
        for (mail, raw) in self.store.due_mail(self.now())? {
            let claimed = self
                .store
                .write(|tx| tx.claim_mail(mail.id, std::process::id(), self.now()))?;
            if !claimed {
                continue;
            }
            let envelope = Envelope {
                from: self.envelope_sender(&from, &mail.message_id),
                to: mail.recipients.clone(),
            };
            let result = transport.send(&envelope, &mail.message_id, &raw);
            let at = self.now();
            self.store.write(|tx| {
                match &result {
                    Ok(()) => tx.mark_sent(mail.id, at)?,
                    Err(SendError::Blocked(e)) => tx.release_mail(mail.id, e)?,
                    Err(SendError::Transient(e)) if mail.attempts + 1 < MAX_ATTEMPTS => {
                        let delay = retry_delay(mail.attempts + 1).as_secs() as i64;
                        let next = at.saturating_add(jiff::SignedDuration::from_secs(delay));
                        tx.mark_retry(mail.id, e, next)?;
                    }
                    Err(e) => {
                        tx.mark_failed(mail.id, &e.to_string())?;
                        tx.append_event(at, &operator, mail.tld.as_deref(), "mail_failed",
                            &json!({ "message_id": mail.message_id, "kind": mail.kind, "error": e.to_string() }))?;
                    }
                }
                Ok(())
            })?;
            match result {
                // The rest would meet the same problem: stop, and say so.
                Err(SendError::Blocked(e)) => {
                    anyhow::bail!(
                        "{e}; the mail stays queued, to be sent once this is fixed \
                         (`tldops outbox send`)"
                    )
                }
                Ok(()) => report.sent += 1,
                Err(SendError::Transient(e)) if mail.attempts + 1 < MAX_ATTEMPTS => {
                    report.retrying.push((mail.message_id, e))
                }
                Err(e) => report.failed.push((mail.message_id, e.to_string())),
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn retries_back_off_to_four_hours() {
        let minutes = |m: u64| std::time::Duration::from_secs(60 * m);
        assert_eq!(retry_delay(1), minutes(1));
        assert_eq!(retry_delay(2), minutes(2));
        assert_eq!(retry_delay(5), minutes(16));
        assert_eq!(retry_delay(8), minutes(128));
        assert_eq!(retry_delay(9), minutes(240));
        assert_eq!(retry_delay(20), minutes(240));
        assert_eq!(retry_delay(u32::MAX), minutes(240));
    }
}
