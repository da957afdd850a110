//! The audit log: listing it, and verifying it — the hash chain, its append-only guards, that
//! it explains every case and member, and that a head recorded elsewhere is still in it.

use anyhow::Result;

use super::{Service, usage};
use crate::domain::audit::{self, EventRecord, Facts, Finding, HeadFound, Member};
use crate::store::{APPEND_ONLY_TRIGGERS, CaseRows, ContactQueries, EventFilter, EventQueries};

/// The result of `log --verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogReport {
    pub events: usize,
    /// The last event's hash: written down elsewhere, it also proves nothing was cut off the end.
    pub head: Option<String>,
    /// How many cases and members the events were checked against.
    pub cases: usize,
    pub members: usize,
    /// Where the head asked about (`--head`) is in the chain.
    pub given_head: Option<HeadFound>,
    /// Everything wrong, each one line; empty when the log holds.
    pub findings: Vec<Finding>,
}

impl Service {
    pub fn log(&self, filter: &EventFilter) -> Result<Vec<EventRecord>> {
        self.store.events(filter)
    }

    /// Verifies the log, and with `head` that this hash (recorded elsewhere: a digest, a note)
    /// is still in the chain.
    pub fn verify_log(&self, head: Option<&str>) -> Result<LogReport> {
        let head = match head.map(audit::parse_head).transpose() {
            Ok(h) => h,
            Err(e) => return usage(e),
        };
        let (events, triggers, cases, members) = self.store.snapshot(|s| {
            let members = s
                .contacts_in(crate::domain::member::ContactState::Subscribed)?
                .into_iter()
                .map(|c| Member {
                    contact: c.id,
                    tld: c.tld,
                    email: c.email,
                    name: c.name,
                    phone: c.phone,
                })
                .collect::<Vec<_>>();
            Ok((
                s.all_events()?,
                s.event_triggers()?,
                s.case_states()?,
                members,
            ))
        })?;
        let mut findings = audit::verify(&Facts {
            events: &events,
            triggers: &triggers,
            append_only: &APPEND_ONLY_TRIGGERS,
            cases: &cases,
            members: &members,
        });
        let given_head = match head.map(|h| audit::locate_head(&events, &h)) {
            Some(Ok(found)) => Some(found),
            Some(Err(finding)) => {
                findings.push(finding);
                None
            }
            None => None,
        };
        Ok(LogReport {
            events: events.len(),
            head: events.last().map(|e| e.hash.clone()),
            cases: cases.len(),
            members: members.len(),
            given_head,
            findings,
        })
    }

    /// The hash of the last event, if any: what a digest carries for its readers to witness.
    pub fn log_head(&self) -> Result<Option<String>> {
        Ok(self
            .store
            .events(&EventFilter {
                limit: Some(1),
                ..EventFilter::default()
            })?
            .pop()
            .map(|e| e.hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::store::Store;

    #[test]
    fn a_fresh_database_verifies_with_its_triggers() {
        let s = Service::new(
            Store::open_in_memory().unwrap(),
            Config::default(),
            "alice".into(),
        );
        let report = s.verify_log(None).unwrap();
        assert_eq!(report.findings, []);
        assert_eq!(report.head, None);
        assert_eq!(s.log_head().unwrap(), None);
        let bad = s.verify_log(Some("nope")).unwrap_err();
        assert!(bad.is::<super::super::UsageError>(), "{bad}");
    }
}
