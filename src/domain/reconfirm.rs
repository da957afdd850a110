//! Where an approved ccTLD stands in its re-confirmation (DESIGN §8.4): its contacts were
//! confirmed recently, or a round is due (a year has passed, or the IANA admin address
//! changed), asked and waiting, due a reminder, answered, or lapsed (no answer after every
//! reminder). Pure: the times come in as values, now among them.

use jiff::Timestamp;

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
pub struct Record<'a> {
    /// When the contacts were last confirmed (an approval counts).
    pub confirmed_at: Option<&'a str>,
    /// A re-confirmation is due at once (the admin address changed), since then.
    pub due_at: Option<&'a str>,
    /// The open round: when its request went out, its reminders, the last one's time.
    pub asked_at: Option<&'a str>,
    pub reminders: u32,
    pub reminded_at: Option<&'a str>,
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

fn parse(t: Option<&str>) -> Option<Timestamp> {
    t.and_then(|t| t.parse().ok())
}

fn day(t: &str) -> String {
    t.get(..10).unwrap_or(t).to_string()
}

fn elapsed(now: Timestamp, since: Timestamp) -> u64 {
    now.duration_since(since).as_secs().max(0) as u64
}

impl Standing {
    /// Where a case with `record` stands at `now`.
    pub fn of(record: &Record, rules: Rules, now: Timestamp) -> Standing {
        if let Some(asked) = record.asked_at {
            if record.answered {
                return Standing::Answered;
            }
            let last = parse(record.reminded_at).or(parse(Some(asked)));
            let waited = last.is_none_or(|t| elapsed(now, t) >= rules.after);
            return match (waited, record.reminders >= rules.max_reminders) {
                (true, true) => Standing::Lapsed {
                    since: record.confirmed_at.map(day),
                    asked: day(asked),
                },
                (true, false) => Standing::ReminderDue {
                    on: day(asked),
                    n: record.reminders + 1,
                },
                (false, _) => Standing::Asked {
                    on: day(asked),
                    reminders: record.reminders,
                },
            };
        }
        if let Some(at) = record.due_at {
            return Standing::Due(Due::AdminChanged(day(at)));
        }
        match parse(record.confirmed_at) {
            Some(t) if elapsed(now, t) < rules.every => {
                let next = t
                    .checked_add(jiff::SignedDuration::from_secs(rules.every as i64))
                    .map_or_else(|_| "-".into(), |n| day(&n.to_string()));
                Standing::Current {
                    confirmed: day(record.confirmed_at.unwrap_or_default()),
                    next,
                }
            }
            _ => Standing::Due(Due::Yearly(record.confirmed_at.map(day))),
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
            confirmed_at: Some("2025-03-01T10:00:00Z"),
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
            confirmed_at: Some("2026-01-01T10:00:00Z"),
            due_at: Some("2026-02-01T10:00:00Z"),
            ..Record::default()
        };
        let s = Standing::of(&r, RULES, at("2026-02-01T11:00:00Z"));
        assert_eq!(s, Standing::Due(Due::AdminChanged("2026-02-01".into())));
        assert!(s.words().contains("admin address changed"));
    }

    #[test]
    fn an_unanswered_round_is_reminded_then_lapses() {
        let mut r = Record {
            confirmed_at: Some("2025-01-01T10:00:00Z"),
            asked_at: Some("2026-01-10T10:00:00Z"),
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
        r.reminded_at = Some("2026-01-29T00:00:00Z");
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
