//! The audit log's hash chain: each event commits to its own content and to its predecessor,
//! so editing, deleting or reordering a stored event breaks the chain at that point.

use sha2::{Digest, Sha256};

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

/// Where a chain stops holding together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    pub id: i64,
    pub problem: String,
}

/// Checks events in id order: each must point at its predecessor's hash and hash to its own.
/// Returns the number of events checked and the first break, if any.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a EventRecord>,
) -> Result<usize, ChainBreak> {
    let mut expected_prev = GENESIS.to_string();
    let mut count = 0;
    for e in events {
        if e.prev_hash != expected_prev {
            return Err(ChainBreak {
                id: e.id,
                problem: "its predecessor was changed or removed (prev_hash does not match)".into(),
            });
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
            return Err(ChainBreak {
                id: e.id,
                problem: "its content was changed (hash does not match)".into(),
            });
        }
        expected_prev = e.hash.clone();
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<EventRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|id| {
                let at = format!("2026-03-0{id}T10:00:00Z");
                let detail = format!("{{\"n\":{id}}}");
                let hash = event_hash(&prev, id, &at, "alice", Some("nl"), "invite", &detail);
                let e = EventRecord {
                    id,
                    at,
                    operator: "alice".into(),
                    tld: Some("nl".into()),
                    action: "invite".into(),
                    detail,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&[]), Ok(0));
    }

    #[test]
    fn edited_field_is_found() {
        let mut events = chain(5);
        events[2].operator = "mallory".into();
        assert_eq!(verify_chain(&events).unwrap_err().id, 3);
    }

    #[test]
    fn removed_event_is_found() {
        let mut events = chain(5);
        events.remove(1);
        let broken = verify_chain(&events).unwrap_err();
        assert_eq!(broken.id, 3);
        assert!(broken.problem.contains("predecessor"));
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
