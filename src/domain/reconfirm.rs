//! Where an approved ccTLD stands in its re-confirmation (DESIGN §8.4): its contacts were
//! confirmed recently, or a round is due (a year has passed, or the IANA admin address
//! changed), asked and waiting, due a reminder, answered, or lapsed (no answer after every
//! reminder). Pure: the times come in as values, now among them.

use super::time::Timestamp;

/// The settings of `[reconfirm]`, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// How long a confirmation holds.
    pub every: u64,
    /// Remind this long after the request (or the last reminder).
    pub after: u64,
    pub max_reminders: u32,
}

/// What the case knows about its confirmations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// When the contacts were last confirmed (an approval counts).
    pub confirmed_at: Option<Timestamp>,
    /// A re-confirmation is due at once (the admin address changed), since then.
    pub due_at: Option<Timestamp>,
    /// The open round: when its request went out, its reminders, the last one's time.
    pub asked_at: Option<Timestamp>,
    pub reminders: u32,
    pub reminded_at: Option<Timestamp>,
    /// A verified reply came after the request.
    pub answered: bool,
}

/// Why a round is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Due {
    /// The IANA admin address changed on that date: the new admin should vouch.
    AdminChanged(String),
    /// Last confirmed on that date (or never: `None`), longer ago than `every`.
    Yearly(Option<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Confirmed on that date; the next round is due on the second.
    Current {
        confirmed: String,
        next: String,
    },
    Due(Due),
    /// Asked on that date; no answer yet, no reminder due.
    Asked {
        on: String,
        reminders: u32,
    },
    /// Asked, no answer: reminder `n` (1-based) is due.
    ReminderDue {
        on: String,
        n: u32,
    },
    /// A verified reply to the round waits for the operator.
    Answered,
    /// No answer after every reminder: the contacts are not confirmed since `since` (the last
    /// confirmation's date, if any).
    Lapsed {
        since: Option<String>,
        asked: String,
    },
}

impl Standing {
    /// Where a case with `record` stands at `now`.
    pub fn of(record: &Record, rules: Rules, now: Timestamp) -> Standing {
        if let Some(asked) = record.asked_at {
            if record.answered {
                return Standing::Answered;
            }
            let last = record.reminded_at.unwrap_or(asked);
            let waited = now.seconds_since(last) >= rules.after;
            return match (waited, record.reminders >= rules.max_reminders) {
                (true, true) => Standing::Lapsed {
                    since: record.confirmed_at.map(Timestamp::date),
                    asked: asked.date(),
                },
                (true, false) => Standing::ReminderDue {
                    on: asked.date(),
                    n: record.reminders + 1,
                },
                (false, _) => Standing::Asked {
                    on: asked.date(),
                    reminders: record.reminders,
                },
            };
        }
        if let Some(at) = record.due_at {
            return Standing::Due(Due::AdminChanged(at.date()));
        }
        match record.confirmed_at {
            Some(t) if now.seconds_since(t) < rules.every => {
                let next = t
                    .checked_add(jiff::SignedDuration::from_secs(rules.every as i64))
                    .map_or_else(|| "-".into(), Timestamp::date);
                Standing::Current {
                    confirmed: t.date(),
                    next,
                }
            }
            _ => Standing::Due(Due::Yearly(record.confirmed_at.map(Timestamp::date))),
        }
    }

    /// A new round may start (nothing is open).
    pub fn is_due(&self) -> bool {
        matches!(self, Standing::Due(_))
    }

    pub fn is_lapsed(&self) -> bool {
        matches!(self, Standing::Lapsed { .. })
    }

    /// In words, for the queue and the case view.
    pub fn words(&self) -> String {
        match self {
            Standing::Current { confirmed, next } => {
                format!("contacts confirmed {confirmed}; next re-confirmation {next}")
            }
            Standing::Due(Due::AdminChanged(on)) => format!(
                "the IANA admin address changed on {on}: re-confirmation by the new admin is due"
            ),
            Standing::Due(Due::Yearly(Some(on))) => {
                format!("contacts last confirmed {on}: the re-confirmation is due")
            }
            Standing::Due(Due::Yearly(None)) => {
                "contacts never confirmed: the re-confirmation is due".into()
            }
            Standing::Asked { on, reminders } => format!(
                "re-confirmation asked {on}, {reminders} reminder{} sent, waiting",
                if *reminders == 1 { "" } else { "s" }
            ),
            Standing::ReminderDue { on, n } => {
                format!("re-confirmation asked {on}, no answer: reminder {n} is due")
            }
            Standing::Answered => "the admin contact answered the re-confirmation".into(),
            Standing::Lapsed { since, asked } => match since {
                Some(s) => format!(
                    "lapsed: not confirmed since {s} (asked {asked}, no answer after every reminder)"
                ),
                None => format!("lapsed: never confirmed (asked {asked}, no answer)"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400;
    const RULES: Rules = Rules {
        every: 365 * DAY,
        after: 14 * DAY,
        max_reminders: 2,
    };

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_year_after_the_confirmation_a_round_is_due() {
        let r = Record {
            confirmed_at: Some(at("2025-03-01T10:00:00Z")),
            ..Record::default()
        };
        assert_eq!(
            Standing::of(&r, RULES, at("2026-02-01T00:00:00Z")),
            Standing::Current {
                confirmed: "2025-03-01".into(),
                next: "2026-03-01".into()
            }
        );
        let due = Standing::of(&r, RULES, at("2026-03-02T00:00:00Z"));
        assert_eq!(due, Standing::Due(Due::Yearly(Some("2025-03-01".into()))));
        assert!(due.is_due());
    }

    #[test]
    fn a_changed_admin_makes_it_due_at_once() {
        let r = Record {
            confirmed_at: Some(at("2026-01-01T10:00:00Z")),
            due_at: Some(at("2026-02-01T10:00:00Z")),
            ..Record::default()
        };
        let s = Standing::of(&r, RULES, at("2026-02-01T11:00:00Z"));
        assert_eq!(s, Standing::Due(Due::AdminChanged("2026-02-01".into())));
        assert!(s.words().contains("admin address changed"));
    }

    #[test]
    fn an_unanswered_round_is_reminded_then_lapses() {
        let mut r = Record {
            confirmed_at: Some(at("2025-01-01T10:00:00Z")),
            asked_at: Some(at("2026-01-10T10:00:00Z")),
            ..Record::default()
        };
        let now = at("2026-01-12T00:00:00Z");
        assert!(matches!(
            Standing::of(&r, RULES, now),
            Standing::Asked { .. }
        ));
        let later = at("2026-01-30T00:00:00Z");
        assert_eq!(
            Standing::of(&r, RULES, later),
            Standing::ReminderDue {
                on: "2026-01-10".into(),
                n: 1
            }
        );
        r.reminders = 2;
        r.reminded_at = Some(at("2026-01-29T00:00:00Z"));
        assert!(matches!(
            Standing::of(&r, RULES, later),
            Standing::Asked { .. }
        ));
        let lapsed = Standing::of(&r, RULES, at("2026-03-01T00:00:00Z"));
        assert_eq!(
            lapsed,
            Standing::Lapsed {
                since: Some("2025-01-01".into()),
                asked: "2026-01-10".into()
            }
        );
        assert!(lapsed.words().contains("not confirmed since 2025-01-01"));
        r.answered = true;
        assert_eq!(
            Standing::of(&r, RULES, at("2026-03-01T00:00:00Z")),
            Standing::Answered
        );
    }
}
