//! The chain as stored: ids 1, 2, 3 … without gaps, the first pointing at the genesis value,
//! each at its predecessor's hash, and each hashing to its own.

use super::{EventRecord, Finding, GENESIS, event_hash};

/// Checks events in id order and names every break: missing ids, an event that does not point
/// at its predecessor, an event whose content was changed. After a break the check goes on
/// from the stored hashes, so one edited event is one finding, not the rest of the log.
pub fn check_chain(events: &[EventRecord]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut prev: Option<&EventRecord> = None;
    for e in events {
        let expected = prev.map_or(1, |p| p.id + 1);
        if e.id > expected {
            // The gap explains why `e` does not point at the event before it.
            findings.push(Finding::Missing {
                first: expected,
                last: e.id - 1,
                after: prev.map(|p| p.id),
                next: e.id,
            });
        } else if e.id < expected {
            findings.push(Finding::OutOfSequence { id: e.id });
        } else {
            match prev {
                None if e.prev_hash != GENESIS => {
                    findings.push(Finding::NotFromGenesis { id: e.id })
                }
                Some(p) if e.prev_hash != p.hash => findings.push(Finding::Unlinked {
                    id: e.id,
                    prev: p.id,
                }),
                _ => {}
            }
        }
        let actual = event_hash(
            &e.prev_hash,
            e.id,
            &e.at,
            &e.operator,
            e.tld.as_deref(),
            &e.action,
            &e.detail,
        );
        if actual != e.hash {
            findings.push(Finding::Altered { id: e.id });
        }
        prev = Some(e);
    }
    findings
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A well-formed chain of `n` events.
    pub fn chain(n: i64) -> Vec<EventRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|id| {
                let e = EventRecord::chained(
                    &prev,
                    id,
                    "alice",
                    Some("nl"),
                    "invite",
                    &format!("{{\"n\":{id}}}"),
                );
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    impl EventRecord {
        /// An event chained to `prev`, hashed as the store hashes it.
        pub fn chained(
            prev: &str,
            id: i64,
            operator: &str,
            tld: Option<&str>,
            action: &str,
            detail: &str,
        ) -> EventRecord {
            let at = format!("2026-03-01T10:00:{:02}Z", id % 60);
            EventRecord {
                id,
                hash: event_hash(prev, id, &at, operator, tld, action, detail),
                at,
                operator: operator.into(),
                tld: tld.map(Into::into),
                action: action.into(),
                detail: detail.into(),
                prev_hash: prev.into(),
            }
        }

        /// This event hashed again as if honestly written with its current fields.
        pub fn rehashed(mut self) -> EventRecord {
            self.hash = event_hash(
                &self.prev_hash,
                self.id,
                &self.at,
                &self.operator,
                self.tld.as_deref(),
                &self.action,
                &self.detail,
            );
            self
        }
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(check_chain(&chain(5)), []);
        assert_eq!(check_chain(&[]), []);
    }

    #[test]
    fn edited_field_is_found_once() {
        let mut events = chain(5);
        events[2].operator = "mallory".into();
        assert_eq!(check_chain(&events), [Finding::Altered { id: 3 }]);
    }

    #[test]
    fn an_edited_event_rehashed_breaks_the_link_to_the_next() {
        let mut events = chain(5);
        events[2].operator = "mallory".into();
        events[2] = events[2].clone().rehashed();
        assert_eq!(check_chain(&events), [Finding::Unlinked { id: 4, prev: 3 }]);
    }

    #[test]
    fn removed_event_is_a_gap() {
        let mut events = chain(5);
        events.remove(1);
        assert_eq!(
            check_chain(&events),
            [Finding::Missing {
                first: 2,
                last: 2,
                after: Some(1),
                next: 3
            }]
        );
    }

    #[test]
    fn removed_events_renumbered_and_rehashed_are_still_a_gap() {
        // A tamperer who drops events 2 to 3 and rewrites every later hash.
        let mut events = chain(6);
        events.drain(1..3);
        let mut prev = events[0].hash.clone();
        for e in events.iter_mut().skip(1) {
            e.prev_hash = prev.clone();
            *e = e.clone().rehashed();
            prev = e.hash.clone();
        }
        assert_eq!(
            check_chain(&events),
            [Finding::Missing {
                first: 2,
                last: 3,
                after: Some(1),
                next: 4
            }]
        );
    }

    #[test]
    fn the_chain_starts_at_genesis_and_at_one() {
        let mut events = chain(3);
        events.remove(0);
        assert_eq!(
            check_chain(&events),
            [Finding::Missing {
                first: 1,
                last: 1,
                after: None,
                next: 2
            }]
        );
        let forged = EventRecord::chained(&"1".repeat(64), 1, "alice", None, "a", "{}");
        assert_eq!(check_chain(&[forged]), [Finding::NotFromGenesis { id: 1 }]);
        let zero = EventRecord::chained(GENESIS, 0, "alice", None, "a", "{}");
        assert_eq!(check_chain(&[zero]), [Finding::OutOfSequence { id: 0 }]);
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let a = event_hash(GENESIS, 1, "t", "ab", None, "c", "{}");
        let b = event_hash(GENESIS, 1, "t", "a", None, "bc", "{}");
        let c = event_hash(GENESIS, 1, "t", "a", Some(""), "bc", "{}");
        assert_ne!(a, b);
        assert_ne!(b, c);
    }
}
