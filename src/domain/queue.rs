//! What a queue item asks of the operator, and how urgent each kind is. JSON and the CLI spell
//! the kinds as README documents them (`decide`, `admin_changed` …); everything in between
//! uses the enum.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A verified reply for an answered case: approve or reject.
    Decide,
    /// A verified reply for an approved ccTLD naming other contacts: the diff.
    Update,
    /// A verified answer to the re-confirmation that confirms the contacts.
    Confirm,
    /// A member asked to leave.
    Remove,
    /// A reply to read before deciding (unverified, suspicious, or saying nothing clear).
    Review,
    /// Someone asked to join or change contacts: ask the admin.
    Request,
    /// Mail of no known ccTLD: assign it to one.
    Assign,
    /// The invitation bounced.
    Bounced,
    /// The IANA admin address changed.
    AdminChanged,
    /// A mail that could not be sent.
    MailFailed,
    /// A mail whose send was interrupted: resend or mark sent.
    MailInterrupted,
    /// A change the list server did not confirm.
    Members,
    /// A reminder is due.
    Chase,
    /// A re-confirmation (or its reminder) is due.
    Reconfirm,
    /// The re-confirmation went unanswered.
    Lapsed,
    /// No answer after the last reminder.
    Dormant,
}

impl ItemKind {
    pub const ALL: [ItemKind; 16] = [
        ItemKind::Decide,
        ItemKind::Update,
        ItemKind::Confirm,
        ItemKind::Remove,
        ItemKind::Review,
        ItemKind::Request,
        ItemKind::Assign,
        ItemKind::Bounced,
        ItemKind::AdminChanged,
        ItemKind::MailFailed,
        ItemKind::MailInterrupted,
        ItemKind::Members,
        ItemKind::Chase,
        ItemKind::Reconfirm,
        ItemKind::Lapsed,
        ItemKind::Dormant,
    ];

    /// As the CLI and JSON spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Decide => "decide",
            ItemKind::Update => "update",
            ItemKind::Confirm => "confirm",
            ItemKind::Remove => "remove",
            ItemKind::Review => "review",
            ItemKind::Request => "request",
            ItemKind::Assign => "assign",
            ItemKind::Bounced => "bounced",
            ItemKind::AdminChanged => "admin_changed",
            ItemKind::MailFailed => "mail_failed",
            ItemKind::MailInterrupted => "mail_interrupted",
            ItemKind::Members => "members",
            ItemKind::Chase => "chase",
            ItemKind::Reconfirm => "reconfirm",
            ItemKind::Lapsed => "lapsed",
            ItemKind::Dormant => "dormant",
        }
    }

    /// What the queue's TODO word asks of the operator, for the help screen.
    pub fn meaning(self) -> &'static str {
        match self {
            ItemKind::Decide => "a verified reply names contacts: approve or reject",
            ItemKind::Update => {
                "an approved ccTLD's admin names other contacts: approve the change"
            }
            ItemKind::Confirm => "the admin confirmed the contacts: record the re-confirmation",
            ItemKind::Remove => "a member asked to leave: remove them",
            ItemKind::Review => "a reply to read first (unverified, suspicious, unclear)",
            ItemKind::Request => "someone asks to join or change contacts: ask the admin",
            ItemKind::Assign => "mail of no known ccTLD: file it under one",
            ItemKind::Bounced => "the invitation bounced: check the address, invite again",
            ItemKind::AdminChanged => "the IANA admin address changed: invite again",
            ItemKind::MailFailed => "a mail could not be sent: retry it",
            ItemKind::MailInterrupted => "a send was interrupted: resend, or mark it sent",
            ItemKind::Members => "the list server did not confirm a change: sync again",
            ItemKind::Chase => "no answer yet: a reminder is due",
            ItemKind::Reconfirm => "the yearly re-confirmation (or its reminder) is due",
            ItemKind::Lapsed => "the re-confirmation went unanswered",
            ItemKind::Dormant => "no answer after the last reminder",
        }
    }

    /// Urgency: lower comes first.
    pub fn rank(self) -> u8 {
        use ItemKind::*;
        match self {
            Decide | Update | Confirm | Remove => 0,
            Review | Request => 1,
            Assign => 2,
            Bounced | AdminChanged => 3,
            MailFailed | MailInterrupted | Members => 4,
            Chase | Reconfirm | Lapsed => 5,
            Dormant => 6,
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ItemKind {
    type Err = String;

    fn from_str(s: &str) -> Result<ItemKind, String> {
        ItemKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown queue item kind {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_spelled_as_documented_and_read_back() {
        for k in ItemKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!(k.as_str().parse::<ItemKind>(), Ok(k));
        }
        assert_eq!(
            serde_json::to_value(ItemKind::AdminChanged).unwrap(),
            "admin_changed"
        );
        assert!("postcard".parse::<ItemKind>().is_err());
    }

    #[test]
    fn decisions_come_before_chores() {
        let mut kinds = ItemKind::ALL.to_vec();
        kinds.sort_by_key(|k| k.rank());
        assert_eq!(kinds.first(), Some(&ItemKind::Decide));
        assert_eq!(kinds.last(), Some(&ItemKind::Dormant));
        assert!(ItemKind::Request.rank() < ItemKind::Assign.rank());
        assert!(ItemKind::Members.rank() < ItemKind::Chase.rank());
    }
}
