//! Secrets the TUI started without. A password that cannot be had (its variable unset, its
//! command failing) does not keep the TUI from opening: the queue, roster, log and coverage
//! need none. The status bar says what is missing, and only an action that needs the secret
//! is refused, saying which setting to fix.

use crate::service::{Command, Plan};

/// A secret an installation may need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    /// `[imap]`: polling, and fetching a stored message whole for an assignment.
    Imap,
    /// `[outgoing]` (SMTP): every action that sends mail.
    Outgoing,
    /// `[members.mailman3]`: every action that changes the list's members.
    Mailman,
}

impl Secret {
    /// For the status bar: `SMTP`.
    pub fn short(self) -> &'static str {
        match self {
            Secret::Imap => "IMAP",
            Secret::Outgoing => "SMTP",
            Secret::Mailman => "Mailman",
        }
    }

    /// The config section whose password it is.
    pub fn section(self) -> &'static str {
        match self {
            Secret::Imap => "[imap]",
            Secret::Outgoing => "[outgoing]",
            Secret::Mailman => "[members.mailman3]",
        }
    }

    fn stops(self) -> &'static str {
        match self {
            Secret::Imap => "the mailbox is not polled",
            Secret::Outgoing => "actions that send mail are refused",
            Secret::Mailman => "actions that change the list's members are refused",
        }
    }
}

/// Every secret the TUI runs without, each with why it could not be had (the variable or
/// command named, as the config's resolver says it: `password_env: $X is not set`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Missing {
    pub secrets: Vec<(Secret, String)>,
}

impl Missing {
    pub fn add(&mut self, secret: Secret, why: impl Into<String>) {
        self.secrets.push((secret, why.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Why `secret` is missing, if it is.
    pub fn why(&self, secret: Secret) -> Option<&str> {
        self.secrets
            .iter()
            .find(|(s, _)| *s == secret)
            .map(|(_, why)| why.as_str())
    }

    /// What to do about `secret`: `[outgoing] password_env: $X is not set; fix it and restart
    /// tldops` (a variable to set, or a command that failed).
    pub fn fix(&self, secret: Secret) -> Option<String> {
        self.why(secret)
            .map(|why| format!("{} {why}; fix it and restart tldops", secret.section()))
    }

    /// One status line per missing secret, said once at the start (the notifications view
    /// keeps them): what is off, and what to set.
    pub fn announcements(&self) -> Vec<String> {
        self.secrets
            .iter()
            .map(|(s, _)| {
                format!(
                    "no {} password: {}. {}",
                    s.short(),
                    s.stops(),
                    self.fix(*s).unwrap_or_default()
                )
            })
            .collect()
    }

    /// Why `plan` cannot be done without a missing secret, if it needs one: its mail needs
    /// the SMTP password, its member changes the Mailman one (only missing when the members
    /// backend is Mailman 3).
    pub fn refusal(&self, plan: &Plan) -> Option<String> {
        let e = &plan.effects;
        let sends = !e.mails.is_empty()
            || matches!(
                plan.command,
                Command::RetryMail { .. } | Command::ResendMail { .. }
            );
        let members = !(e.subscribe.is_empty() && e.remove.is_empty() && e.update.is_empty());
        let (secret, what) = if sends && self.why(Secret::Outgoing).is_some() {
            (Secret::Outgoing, "sends mail")
        } else if members && self.why(Secret::Mailman).is_some() {
            (Secret::Mailman, "changes the list's members")
        } else {
            return None;
        };
        Some(format!(
            "cannot do it: {} {what}, and the {} password is missing: {}",
            plan.command.doing(),
            secret.short(),
            self.fix(secret).unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::template::Kind;
    use crate::service::{Effects, Planned};

    fn plan(command: Command, effects: Effects) -> Plan {
        Plan { command, effects }
    }

    fn mail() -> Planned {
        Planned {
            kind: Kind::Rejection,
            tld: Some("nl".into()),
            to: vec!["admin@nic.nl.example".into()],
            cc: vec![],
            subject: "TLD-OPS".into(),
            message_id: "x@example".into(),
        }
    }

    #[test]
    fn only_the_action_that_needs_the_secret_is_refused() {
        let mut missing = Missing::default();
        missing.add(
            Secret::Outgoing,
            "password_env: $TLDOPS_SMTP_PASSWORD is not set",
        );
        let reject = plan(
            Command::Reject {
                tld: "nl".into(),
                reason: "no".into(),
            },
            Effects {
                mails: vec![mail()],
                ..Effects::default()
            },
        );
        let why = missing.refusal(&reject).expect("refused");
        assert_eq!(
            why,
            "cannot do it: rejecting .nl sends mail, and the SMTP password is missing: \
             [outgoing] password_env: $TLDOPS_SMTP_PASSWORD is not set; fix it and restart tldops"
        );
        let set = plan(
            Command::SetContacts {
                tld: "nl".into(),
                contacts: vec![],
            },
            Effects::default(),
        );
        assert_eq!(missing.refusal(&set), None, "no mail, no secret needed");
        assert_eq!(Missing::default().refusal(&reject), None);
    }

    #[test]
    fn member_changes_need_the_mailman_password() {
        let mut missing = Missing::default();
        missing.add(Secret::Mailman, "password_command `pass mm` failed");
        let remove = plan(
            Command::RemoveContact {
                tld: "nl".into(),
                email: "a@nic.nl.example".into(),
                reason: None,
            },
            Effects {
                remove: vec![(
                    "nl".into(),
                    crate::domain::triage::Contact {
                        email: "a@nic.nl.example".into(),
                        name: None,
                        phone: None,
                    },
                )],
                ..Effects::default()
            },
        );
        let why = missing.refusal(&remove).unwrap();
        assert!(why.contains("changes the list's members"), "{why}");
        assert!(why.contains("[members.mailman3] password_command"), "{why}");
        assert_eq!(
            missing.announcements(),
            [
                "no Mailman password: actions that change the list's members are refused. \
              [members.mailman3] password_command `pass mm` failed; fix it and restart tldops"
            ]
        );
    }
}
