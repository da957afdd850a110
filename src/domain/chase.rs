//! Chasing: a mail that asks an admin contact for an answer — an invitation, or a request put
//! to the admin of an approved ccTLD (DESIGN §8.1: "no verified answer: chased like an
//! invitation") — is reminded every `chase.after` after it (or its last reminder) went out, up
//! to `chase.max_reminders`; then it lies dormant. The one rule for `chase --due` and the
//! queue's `chase` and `dormant` items. Pure: the times come in as values, now among them.

use super::time::Timestamp;

/// The settings of `[chase]`, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Remind this long after the mail (or the last reminder).
    pub after: u64,
    pub max_reminders: u32,
}

/// What waits for the admin contact's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// The invitation (or a request to a ccTLD not on the list, which invites it).
    Invitation,
    /// A request to authorise a change of an approved ccTLD's contacts.
    Request,
}

impl Asked {
    pub fn words(self) -> &'static str {
        match self {
            Asked::Invitation => "invited",
            Asked::Request => "request to authorise a change sent",
        }
    }
}

/// One mail waiting for an answer: what it asks, when it went out, its reminders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting<'a> {
    pub asked: Asked,
    pub sent_at: Option<Timestamp>,
    pub reminders: u32,
    pub reminded_at: Option<Timestamp>,
    /// The mail reminders thread under.
    pub thread: Option<&'a str>,
}

/// Where a waiting mail stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chase {
    /// Sent on that day (UTC); no reminder due yet.
    Waiting { on: String },
    /// Reminder `n` (1-based) is due.
    Due { on: String, n: u32 },
    /// Every reminder sent, still no answer.
    Dormant { on: String, reminders: u32 },
}

impl Waiting<'_> {
    /// Every reminder allowed has been sent.
    pub fn exhausted(&self, rules: Rules) -> bool {
        self.reminders >= rules.max_reminders
    }

    /// Where it stands at `now`. A mail whose time is unknown is due at once.
    pub fn standing(&self, rules: Rules, now: Timestamp) -> Chase {
        let on = self.sent_at.map_or(String::new(), Timestamp::date);
        let last = self.reminded_at.or(self.sent_at);
        let waited = last.is_none_or(|t| now.seconds_since(t) >= rules.after);
        match (waited, self.exhausted(rules)) {
            (true, true) => Chase::Dormant {
                on,
                reminders: self.reminders,
            },
            (true, false) => Chase::Due {
                on,
                n: self.reminders + 1,
            },
            (false, _) => Chase::Waiting { on },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400;
    const RULES: Rules = Rules {
        after: 14 * DAY,
        max_reminders: 2,
    };

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_mail_is_reminded_every_interval_then_lies_dormant() {
        let mut w = Waiting {
            asked: Asked::Request,
            sent_at: Some(at("2026-01-10T10:00:00Z")),
            reminders: 0,
            reminded_at: None,
            thread: Some("req@x"),
        };
        let on = "2026-01-10".to_string();
        assert_eq!(
            w.standing(RULES, at("2026-01-20T00:00:00Z")),
            Chase::Waiting { on: on.clone() }
        );
        assert_eq!(
            w.standing(RULES, at("2026-01-24T10:00:00Z")),
            Chase::Due {
                on: on.clone(),
                n: 1
            }
        );
        w.reminders = 1;
        w.reminded_at = Some(at("2026-01-24T10:00:00Z"));
        assert_eq!(
            w.standing(RULES, at("2026-01-30T00:00:00Z")),
            Chase::Waiting { on: on.clone() }
        );
        w.reminders = 2;
        assert_eq!(
            w.standing(RULES, at("2026-03-01T00:00:00Z")),
            Chase::Dormant { on, reminders: 2 }
        );
    }

    #[test]
    fn a_mail_of_unknown_time_is_due_at_once() {
        let w = Waiting {
            asked: Asked::Invitation,
            sent_at: None,
            reminders: 0,
            reminded_at: None,
            thread: None,
        };
        assert!(matches!(
            w.standing(RULES, at("2026-01-01T00:00:00Z")),
            Chase::Due { n: 1, .. }
        ));
    }
}
