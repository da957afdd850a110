//! The audit log's hash chain: each event commits to its own content and to its predecessor,
//! so editing, deleting or reordering a stored event breaks the chain at that point. And what
//! `log --verify` checks besides: that the log is still append-only, that it explains every
//! case and member, and that a head recorded elsewhere is still in it.

mod chain;
mod finding;
mod replay;
mod words;

use sha2::{Digest, Sha256};

pub use chain::check_chain;
pub use finding::Finding;
pub use replay::{LoggedMember, Member, Replay, compare, replay};
pub use words::{event_fields, summary, words};

use crate::domain::case::CaseState;

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event as it is hashed and stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    pub id: i64,
    pub at: String,
    pub operator: String,
    pub tld: Option<String>,
    pub action: String,
    /// JSON object with the action's details and evidence.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over the predecessor's hash and every field, each length-prefixed so that no two
/// different events can serialise to the same bytes.
pub fn event_hash(
    prev_hash: &str,
    id: i64,
    at: &str,
    operator: &str,
    tld: Option<&str>,
    action: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    let id = id.to_string();
    for field in [
        prev_hash,
        &id,
        at,
        operator,
        tld.unwrap_or("\0"),
        action,
        detail,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex(&h.finalize())
}

/// The SHA-256 of `bytes` in lowercase hex (messages without a Message-ID are known by it).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex without a `format!` per byte: a first poll hashes every message.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Everything `log --verify` looks at, read from one snapshot of the database.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    /// Every event, in id order.
    pub events: &'a [EventRecord],
    /// The triggers on the events table, as (name, SQL).
    pub triggers: &'a [(String, String)],
    /// The triggers that make the table append-only, as created: (name, SQL).
    pub append_only: &'a [(&'a str, &'a str)],
    /// Every case, retired TLDs' too.
    pub cases: &'a [(String, CaseState)],
    /// Every member (contact in state subscribed).
    pub members: &'a [Member],
}

/// Every finding, in the order: the chain, its guards, then what the events fail to explain.
pub fn verify(facts: &Facts) -> Vec<Finding> {
    let mut findings = check_chain(facts.events);
    findings.extend(check_triggers(facts.append_only, facts.triggers));
    let replayed = replay(facts.events);
    findings.extend(replayed.findings.iter().cloned());
    findings.extend(compare(&replayed, facts.cases, facts.members));
    findings
}

/// SQL with its layout ignored.
fn normalise(sql: &str) -> String {
    sql.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(';')
        .trim_end()
        .to_string()
}

/// Each expected trigger must exist as it was created.
pub fn check_triggers(expected: &[(&str, &str)], found: &[(String, String)]) -> Vec<Finding> {
    expected
        .iter()
        .filter_map(
            |(name, sql)| match found.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                None => Some(Finding::TriggerMissing(name.to_string())),
                Some((_, have)) if normalise(have) != normalise(sql) => {
                    Some(Finding::TriggerAltered(name.to_string()))
                }
                Some(_) => None,
            },
        )
        .collect()
}

/// A head recorded elsewhere, as found in the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadFound {
    pub hash: String,
    /// The event whose hash it is.
    pub id: i64,
    /// Events appended after it.
    pub since: usize,
}

/// A head as an operator gives it (from a digest, a note): 64 hex digits, any case.
pub fn parse_head(text: &str) -> Result<String, String> {
    let head = text.trim().to_ascii_lowercase();
    if head.len() == 64 && head.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(head)
    } else {
        Err(format!(
            "`{}` is not a head: a head is the 64 hex digits `log --verify` prints",
            text.trim()
        ))
    }
}

/// Where `head` is in the chain: the current head, or an earlier event's hash if the log has
/// grown since; not in it at all when the log was cut short or rewritten.
pub fn locate_head(events: &[EventRecord], head: &str) -> Result<HeadFound, Finding> {
    events
        .iter()
        .position(|e| e.hash == head)
        .map(|i| HeadFound {
            hash: head.to_string(),
            id: events[i].id,
            since: events.len() - i - 1,
        })
        .ok_or_else(|| Finding::HeadUnknown(head.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_UPDATE: (&str, &str) = (
        "events_no_update",
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'no'); END",
    );
    const NO_DELETE: (&str, &str) = (
        "events_no_delete",
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'no'); END",
    );

    #[test]
    fn triggers_must_exist_as_created() {
        let expected = [NO_UPDATE, NO_DELETE];
        let stored = |(n, s): (&str, &str)| (n.to_string(), s.replace(" BEGIN", "\n    BEGIN"));
        assert_eq!(
            check_triggers(&expected, &[stored(NO_UPDATE), stored(NO_DELETE)]),
            []
        );
        let lines: Vec<String> = check_triggers(
            &expected,
            &[(
                "events_no_update".into(),
                NO_UPDATE.1.replace("RAISE(ABORT, 'no')", "1"),
            )],
        )
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            lines,
            [
                "trigger events_no_update altered (it is not the one tldops created)",
                "trigger events_no_delete missing (the events table is no longer append-only)",
            ]
        );
    }

    #[test]
    fn a_head_is_found_where_it_is() {
        let events = chain::tests::chain(5);
        let current = &events[4].hash;
        assert_eq!(
            locate_head(&events, current),
            Ok(HeadFound {
                hash: current.clone(),
                id: 5,
                since: 0
            })
        );
        assert_eq!(locate_head(&events, &events[1].hash).unwrap().since, 3);
        let unknown = "f".repeat(64);
        assert_eq!(
            locate_head(&events[..3], current),
            Err(Finding::HeadUnknown(current.clone()))
        );
        assert!(locate_head(&events, &unknown).is_err());
        assert_eq!(
            parse_head(&format!(" {} ", current.to_uppercase())).as_ref(),
            Ok(current)
        );
        assert!(parse_head("abc").is_err());
    }

    #[test]
    fn an_empty_database_verifies() {
        let facts = Facts {
            events: &[],
            triggers: &[
                (NO_UPDATE.0.into(), NO_UPDATE.1.into()),
                (NO_DELETE.0.into(), NO_DELETE.1.into()),
            ],
            append_only: &[NO_UPDATE, NO_DELETE],
            cases: &[],
            members: &[],
        };
        assert_eq!(verify(&facts), []);
    }
}
