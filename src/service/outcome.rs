//! What a command does and did: its [`Effects`] (the same record for a plan and for a run),
//! the [`Plan`] shown before it runs, and the [`Outcome`] after — with what became of each
//! mail once delivered. The front ends render these; they restate no rule.

use anyhow::Result;

use super::command::{Command, label};
use super::mailer::{INTERRUPTED, Planned};
use super::workflow::describe;
use super::{SendReport, Service};
use crate::domain::case::CaseState;
use crate::domain::template::Kind;
use crate::domain::triage::Contact;
use crate::outgoing::Transport;

/// What a command does: the same record for a plan and for what was done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effects {
    /// Cases moved: (TLD, from, to).
    pub transitions: Vec<(String, CaseState, CaseState)>,
    /// Mail written to the outbox.
    pub mails: Vec<Planned>,
    /// Members subscribed, removed, or updated, by TLD.
    pub subscribe: Vec<(String, Contact)>,
    pub remove: Vec<(String, Contact)>,
    pub update: Vec<(String, Contact)>,
    /// Contacts proposed (an operator's list, an assigned message's).
    pub propose: Vec<(String, Contact)>,
    /// Proposals dropped (a rejected reply's).
    pub discard: Vec<(String, Contact)>,
    /// TLDs left alone, and why (a batch goes on past them).
    pub skipped: Vec<(String, String)>,
    /// Anything else an operator should read first (an override being logged, a message's
    /// new verdict, an outbox change).
    pub notes: Vec<String>,
    /// The ccTLD a command keyed by a message (remove, dismiss) turned out to be about: its
    /// result line names it.
    pub tld: Option<String>,
}

impl Effects {
    /// Whether the command does anything at all.
    pub fn is_empty(&self) -> bool {
        self.transitions.is_empty()
            && self.mails.is_empty()
            && self.subscribe.is_empty()
            && self.remove.is_empty()
            && self.update.is_empty()
            && self.propose.is_empty()
            && self.discard.is_empty()
            && self.notes.is_empty()
    }

    /// The effects in words, a line each: the body of a confirmation, a dry run, a result.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for note in &self.notes {
            out.push(note.clone());
        }
        for (tld, from, to) in &self.transitions {
            out.push(format!("{}: {from} → {to}", label(tld)));
        }
        let people = |what: &str, list: &[(String, Contact)], out: &mut Vec<String>| {
            for (tld, c) in list {
                out.push(format!("{what} {}: {}", label(tld), describe(c)));
            }
        };
        people("Subscribe to", &self.subscribe, &mut out);
        people("Remove from", &self.remove, &mut out);
        people("Update in", &self.update, &mut out);
        people("Propose for", &self.propose, &mut out);
        people("Drop proposal for", &self.discard, &mut out);
        for m in &self.mails {
            let cc = if m.cc.is_empty() {
                String::new()
            } else {
                format!(" (cc {})", m.cc.join(", "))
            };
            out.push(format!(
                "Mail: {} to {}{cc}",
                kind_words(m.kind),
                m.to.join(", ")
            ));
        }
        for (tld, why) in &self.skipped {
            out.push(format!(
                "Skip {}: {}",
                label(tld),
                why.trim_start_matches(&format!(".{tld}: "))
            ));
        }
        if out.is_empty() {
            out.push("Nothing to do.".into());
        }
        out
    }
}

fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::Invitation => "the invitation",
        Kind::Reminder => "a reminder",
        Kind::Escalation => "a reminder",
        Kind::Approval => "the approval notice",
        Kind::Welcome => "a welcome",
        Kind::Rejection => "the rejection",
        Kind::Digest => "the digest",
        Kind::Reconfirm => "the re-confirmation request",
        Kind::Request => "the request for authorisation",
        Kind::Removal => "the removal notice",
    }
}

/// What a command will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub command: Command,
    pub effects: Effects,
}

impl Plan {
    pub fn title(&self) -> String {
        self.command.title()
    }

    /// Why the plan does nothing at all, when every ccTLD it names is left alone: a reason
    /// to show instead of a confirmation with nothing to confirm. (A batch from the command
    /// line still says what it skips.)
    pub fn nothing_to_do(&self) -> Option<String> {
        let e = &self.effects;
        if !e.is_empty() || e.skipped.is_empty() {
            return None;
        }
        Some(
            e.skipped
                .iter()
                .map(|(tld, why)| {
                    let why = why.trim_start_matches(&format!(".{tld}: "));
                    format!("{}: {why}", label(tld))
                })
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    pub fn lines(&self) -> Vec<String> {
        self.effects.lines()
    }
}

/// What happened to one mail of a performed command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// In the outbox: to be sent later (why), or sending was not tried.
    Queued(String),
    Failed(String),
}

/// What a command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub command: Command,
    pub effects: Effects,
    /// What the members backend did (subscriptions, removals, failures to retry).
    pub members: Vec<super::Synced>,
    /// Each mail's fate, by Message-ID, once [`Service::deliver`] has run.
    pub deliveries: Vec<(String, Delivery)>,
}

impl Outcome {
    /// One line for a status bar: what was done and what became of its mail.
    pub fn summary(&self) -> String {
        let text = self.headline();
        let e = &self.effects;
        if !e.skipped.is_empty() && e.mails.is_empty() {
            let (tld, why) = &e.skipped[0];
            return format!(
                "{text}: nothing done for {}: {}",
                label(tld),
                why.trim_start_matches(&format!(".{tld}: "))
            );
        }
        let sent = self.count(|d| matches!(d, Delivery::Sent));
        let mut parts = Vec::new();
        // A mail's fate names the mail and its TLD.
        if matches!(
            self.command,
            Command::RetryMail { .. } | Command::ResendMail { .. } | Command::MarkMailSent { .. }
        ) {
            parts.extend(e.notes.iter().cloned());
        }
        if let Command::Assign { .. } = self.command {
            // `#12 becomes unverified for .de`, and what it proposes.
            let request = e.notes.iter().any(|n| n.contains(" stays a request"));
            parts.extend(
                e.notes
                    .iter()
                    .take(if request { 1 } else { usize::MAX })
                    .cloned(),
            );
            if !request {
                parts.push(format!(
                    "{} contact{} proposed",
                    e.propose.len(),
                    if e.propose.len() == 1 { "" } else { "s" }
                ));
            }
        }
        if !e.subscribe.is_empty() {
            parts.push(format!("{} subscribed", e.subscribe.len()));
        }
        if !e.remove.is_empty() {
            parts.push(format!("{} removed", e.remove.len()));
        }
        if sent > 0 {
            parts.push(format!(
                "{sent} mail{} sent",
                if sent == 1 { "" } else { "s" }
            ));
        }
        for (id, d) in &self.deliveries {
            match d {
                Delivery::Queued(why) => parts.push(format!("mail {id} queued: {why}")),
                Delivery::Failed(why) => parts.push(format!("mail {id} failed: {why}")),
                Delivery::Sent => {}
            }
        }
        if let Some(problem) = self.members.iter().find(|m| m.failed()) {
            parts.push(problem.to_string());
        }
        if parts.is_empty() {
            text
        } else {
            format!("{text}; {}", parts.join("; "))
        }
    }

    /// What was done, in the past tense, naming its ccTLD: `approved .nl`, `dismissed the
    /// request #16 (.fr)`.
    pub fn headline(&self) -> String {
        let doing = self.command.doing();
        let done = DONE
            .iter()
            .find_map(|(ing, ed)| doing.strip_prefix(ing).map(|rest| format!("{ed}{rest}")))
            .unwrap_or(doing);
        match &self.effects.tld {
            Some(tld) => format!("{done} ({})", label(tld)),
            None => done,
        }
    }

    fn count(&self, f: impl Fn(&Delivery) -> bool) -> usize {
        self.deliveries.iter().filter(|(_, d)| f(d)).count()
    }

    /// Whether any of its mail could not be sent.
    pub fn failed(&self) -> bool {
        self.deliveries
            .iter()
            .any(|(_, d)| matches!(d, Delivery::Failed(_)))
    }
}

/// `approving .nl` → `approved .nl`.
const DONE: &[(&str, &str)] = &[
    ("inviting", "invited"),
    ("reminding", "reminded"),
    ("chasing", "chased"),
    ("approving", "approved"),
    ("rejecting", "rejected"),
    ("assigning", "assigned"),
    ("setting", "set"),
    ("removing", "removed"),
    ("re-confirming", "re-confirmation asked of"),
    ("confirming", "confirmed"),
    ("asking", "asked"),
    ("dismissing", "dismissed"),
    ("queueing", "queued"),
    ("sending", "queued"),
    ("recording", "recorded"),
];

impl Service {
    /// Sends what is due through `transport` and records what became of `outcome`'s mail.
    pub fn deliver(
        &self,
        outcome: &mut Outcome,
        transport: &mut dyn Transport,
    ) -> Result<SendReport> {
        let report = self.send_due(transport);
        let outbox = self.outbox()?;
        outcome.deliveries = outcome
            .effects
            .mails
            .iter()
            .map(|m| {
                let row = outbox.iter().find(|r| r.message_id == m.message_id);
                let delivery = match row.map(|r| r.state.as_str()) {
                    Some("sent") => Delivery::Sent,
                    Some("failed") => {
                        Delivery::Failed(row.and_then(|r| r.last_error.clone()).unwrap_or_default())
                    }
                    Some(s) if s == INTERRUPTED => {
                        Delivery::Queued("its send was interrupted".into())
                    }
                    _ => {
                        Delivery::Queued(match (&report, row.and_then(|r| r.last_error.clone())) {
                            (Err(e), _) => format!("{e:#}"),
                            (Ok(_), Some(e)) => format!("{e}; will retry"),
                            (Ok(_), None) => "waiting to be sent".into(),
                        })
                    }
                };
                (m.message_id.clone(), delivery)
            })
            .collect();
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reminder to a bounced ccTLD is planned as a skip: nothing to confirm, a reason.
    #[test]
    fn a_plan_that_only_skips_has_nothing_to_do() {
        let chase = |effects| Plan {
            command: Command::Chase {
                tlds: vec!["ar".into()],
                due_only: false,
            },
            effects,
        };
        let skipped = Effects {
            skipped: vec![(
                "ar".into(),
                ".ar: bounced: no invitation or request is waiting for an answer".into(),
            )],
            ..Effects::default()
        };
        assert_eq!(
            chase(skipped.clone()).nothing_to_do().as_deref(),
            Some(".ar: bounced: no invitation or request is waiting for an answer")
        );
        let mut some = skipped;
        some.notes.push("Override (logged): phoned".into());
        assert_eq!(chase(some).nothing_to_do(), None, "it does something");
        assert_eq!(
            chase(Effects::default()).nothing_to_do(),
            None,
            "nothing skipped"
        );
    }
}
