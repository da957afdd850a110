//! Which kind of mail the outbox holds. The store spells it as text in its `kind` column and
//! JSON spells it the same way; everything in between uses [`MailKind`].

use std::fmt;

use serde::Serialize;

use super::template::Kind;
use super::triage::SentKind;

/// The kind of an outgoing mail: one of the templates, or the membership commands the
/// `email-command` members backend mails to the list server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    Template(Kind),
    Command,
}

impl MailKind {
    /// As the outbox's `kind` column and JSON spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Template(k) => k.name(),
            MailKind::Command => "command",
        }
    }

    /// From [`MailKind::as_str`]'s spelling.
    pub fn parse(name: &str) -> Option<MailKind> {
        if name == "command" {
            return Some(MailKind::Command);
        }
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .map(MailKind::Template)
    }
}

impl From<Kind> for MailKind {
    fn from(k: Kind) -> MailKind {
        MailKind::Template(k)
    }
}

impl PartialEq<Kind> for MailKind {
    fn eq(&self, k: &Kind) -> bool {
        *self == MailKind::Template(*k)
    }
}

/// What triage makes of a mail tldops sent: replies and bounces match invitations and
/// reminders by name; everything else (the escalation to the tech contact included) is a
/// notice.
impl From<MailKind> for SentKind {
    fn from(k: MailKind) -> SentKind {
        match k {
            MailKind::Template(Kind::Invitation) => SentKind::Invitation,
            MailKind::Template(Kind::Reminder) => SentKind::Reminder,
            _ => SentKind::Notice,
        }
    }
}

impl fmt::Display for MailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MailKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_written() {
        let all = Kind::ALL
            .into_iter()
            .map(MailKind::Template)
            .chain([MailKind::Command]);
        for k in all {
            assert_eq!(MailKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(MailKind::parse("invitation"), Some(Kind::Invitation.into()));
        assert_eq!(MailKind::parse("command"), Some(MailKind::Command));
        assert_eq!(MailKind::parse("postcard"), None);
        assert!(MailKind::from(Kind::Digest) == Kind::Digest);
    }

    #[test]
    fn triage_knows_invitations_and_reminders_and_the_rest_are_notices() {
        assert_eq!(
            SentKind::from(MailKind::from(Kind::Invitation)),
            SentKind::Invitation
        );
        assert_eq!(
            SentKind::from(MailKind::from(Kind::Reminder)),
            SentKind::Reminder
        );
        for k in [Kind::Escalation, Kind::Approval, Kind::Request] {
            assert_eq!(SentKind::from(MailKind::from(k)), SentKind::Notice);
        }
        assert_eq!(SentKind::from(MailKind::Command), SentKind::Notice);
    }
}
