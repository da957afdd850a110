//! The commands run on the Secretariat's mailbox once logged in: EXAMINE (read-only, so no
//! flag ever changes) and the two UID FETCHes of the two-phase ingest.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use imap_proto::{AttributeValue, Response};

use super::failure::Failure;
use super::session::Session;
use super::uid_set;
use crate::mail::Header;

/// Messages per body FETCH: bounds the memory one answer takes (the caller caps sizes).
const BODIES_PER_COMMAND: usize = 25;

/// What EXAMINE said about the mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selected {
    pub uidvalidity: u32,
    /// The UID the next message will get; absent from some servers' answers.
    pub uid_next: Option<u32>,
    pub exists: u32,
}

impl Selected {
    /// Whether a message with UID `first` or above may exist, judged without a FETCH.
    pub fn may_have_from(&self, first: u32) -> bool {
        self.exists > 0 && self.uid_next.is_none_or(|next| next > first)
    }
}

/// Opens `name` read-only. The untagged answers are read here, leniently: servers send
/// warnings as untagged NO or BAD, and some leave UIDNEXT out.
pub fn examine<S: Read + Write>(session: &mut Session<S>, name: &str) -> Result<Selected, Failure> {
    let doing = format!("cannot open mailbox {name}");
    let mut untagged = Vec::new();
    session.run(&format!("EXAMINE {}", mailbox_arg(name)), &doing, |r| {
        untagged.extend_from_slice(r);
        Ok(())
    })?;
    parse_examine(&untagged)
        .ok_or_else(|| Failure::new(format!("{doing}: the server sent no UIDVALIDITY")))
}

fn parse_examine(untagged: &[u8]) -> Option<Selected> {
    let (mut uidvalidity, mut uid_next, mut exists) = (None, None, 0);
    for line in untagged.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line).to_ascii_uppercase();
        let line = line.trim_end();
        let code = |name: &str| {
            line.strip_prefix(&format!("* OK [{name} "))
                .and_then(|rest| rest.split(']').next())
                .and_then(|n| n.trim().parse::<u32>().ok())
        };
        if let Some(v) = code("UIDVALIDITY") {
            uidvalidity = Some(v);
        } else if let Some(v) = code("UIDNEXT") {
            uid_next = Some(v);
        } else if let Some(n) = line
            .strip_prefix("* ")
            .and_then(|rest| rest.strip_suffix(" EXISTS"))
            .and_then(|n| n.parse::<u32>().ok())
        {
            exists = n;
        }
    }
    Some(Selected {
        uidvalidity: uidvalidity?,
        uid_next,
        exists,
    })
}

/// One message's part of a FETCH answer.
#[derive(Debug, Default, PartialEq, Eq)]
struct Fetched {
    uid: Option<u32>,
    size: Option<u32>,
    /// The requested section (`BODY[HEADER]` or `BODY[]`).
    data: Option<Vec<u8>>,
}

/// Reads a `* n FETCH (…)` response; anything else (EXISTS, FLAGS, …) is `None`. imap-proto
/// does the parsing; a panic inside it (it has had slicing bugs) becomes a refusal of the
/// response rather than a crash of the poller.
fn fetched(response: &[u8]) -> Result<Option<Fetched>, Failure> {
    if !is_fetch(response) {
        return Ok(None);
    }
    let parsed = catch_unwind(AssertUnwindSafe(
        || match imap_proto::parser::parse_response(response) {
            Ok((_, Response::Fetch(_, attributes))) => {
                let mut out = Fetched::default();
                for a in attributes {
                    match a {
                        AttributeValue::Uid(u) => out.uid = Some(u),
                        AttributeValue::Rfc822Size(n) => out.size = Some(n),
                        AttributeValue::BodySection { data, .. }
                        | AttributeValue::Rfc822(data)
                        | AttributeValue::Rfc822Header(data) => {
                            out.data = data.map(|d| d.into_owned())
                        }
                        _ => {}
                    }
                }
                Some(out)
            }
            _ => None,
        },
    ));
    match parsed {
        Ok(Some(f)) => Ok(Some(f)),
        _ => Err(Failure::new(format!(
            "cannot read the server's FETCH response `{}`",
            String::from_utf8_lossy(&response[..response.len().min(80)])
        ))),
    }
}

/// `* <number> FETCH `, checked without parsing the rest.
fn is_fetch(response: &[u8]) -> bool {
    let Some(rest) = response.strip_prefix(b"* ") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0
        && rest[digits..]
            .get(..7)
            .is_some_and(|w| w.eq_ignore_ascii_case(b" FETCH "))
}

/// Streams the headers of the messages with UID `first` or above to `each`, in the server's
/// order (ascending UIDs), as they arrive: one `UID FETCH first:*`. That range always includes
/// the highest message even when its UID is below `first` (RFC 3501 §6.4.8): such UIDs are
/// dropped here.
pub fn headers_from<S: Read + Write>(
    session: &mut Session<S>,
    uidvalidity: u32,
    first: u32,
    each: &mut dyn FnMut(Header) -> anyhow::Result<()>,
) -> Result<(), Failure> {
    session.run(
        &format!("UID FETCH {first}:* (UID RFC822.SIZE BODY.PEEK[HEADER])"),
        "fetching headers failed",
        |response| {
            let Some(f) = fetched(response)? else {
                return Ok(());
            };
            match (f.uid.filter(|&u| u >= first), f.data) {
                (Some(uid), Some(bytes)) => {
                    let size = f.size.map_or(bytes.len() as u64, u64::from);
                    // The receiver gave up (its own error is the one reported).
                    each(Header {
                        uidvalidity,
                        uid,
                        size,
                        bytes,
                    })
                    .map_err(|e| Failure::new(format!("fetching headers stopped: {e:#}")))
                }
                (Some(uid), None) => {
                    tracing::warn!("UID {uid}: the server sent no header, message skipped");
                    Ok(())
                }
                // A flag update about another message.
                (None, _) => Ok(()),
            }
        },
    )
}

/// The full bytes of these messages, in UID order; UIDs the server no longer has are missing.
pub fn bodies<S: Read + Write>(
    session: &mut Session<S>,
    uids: &[u32],
) -> Result<Vec<(u32, Vec<u8>)>, Failure> {
    let mut out = BTreeMap::new();
    bodies_into(session, uids, &mut out)?;
    Ok(out.into_iter().collect())
}

/// [`bodies`] into `out`, each as it arrives: what came before a failure stays there.
pub fn bodies_into<S: Read + Write>(
    session: &mut Session<S>,
    uids: &[u32],
    out: &mut BTreeMap<u32, Vec<u8>>,
) -> Result<(), Failure> {
    let wanted: BTreeSet<u32> = uids.iter().copied().collect();
    for set in uid_set::batches(uids, BODIES_PER_COMMAND) {
        session.run(
            &format!("UID FETCH {set} (UID BODY.PEEK[])"),
            "fetching messages failed",
            |response| {
                if let Some(Fetched {
                    uid: Some(uid),
                    data: Some(body),
                    ..
                }) = fetched(response)?
                    && wanted.contains(&uid)
                {
                    out.insert(uid, body);
                }
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// A mailbox name as an IMAP quoted string, in modified UTF-7 (RFC 3501 §5.1.3) so names
/// with accents work and no character can end the command line.
fn mailbox_arg(name: &str) -> String {
    let mut out = String::from("\"");
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush_utf7(&mut pending, &mut out);
            match c {
                '&' => out.push_str("&-"),
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush_utf7(&mut pending, &mut out);
    out.push('"');
    out
}

/// Modified base64 (RFC 3501 §5.1.3): `,` for `/`, no padding.
const MODIFIED_BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &match base64::alphabet::Alphabet::new(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,",
    ) {
        Ok(a) => a,
        Err(_) => panic!("64 distinct printable characters"),
    },
    base64::engine::general_purpose::NO_PAD,
);

/// Writes UTF-16 units as `&` + modified base64 + `-`.
fn flush_utf7(units: &mut Vec<u16>, out: &mut String) {
    use base64::Engine as _;
    if units.is_empty() {
        return;
    }
    let bytes: Vec<u8> = units.drain(..).flat_map(u16::to_be_bytes).collect();
    out.push('&');
    MODIFIED_BASE64.encode_string(bytes, out);
    out.push('-');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examine_answer_is_read() {
        let answer = b"* OK [CLOSED] Previous mailbox closed.\r\n\
            * FLAGS (\\Answered \\Seen)\r\n\
            * OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n\
            * NO [ALERT] Quota almost full\r\n\
            * 12 EXISTS\r\n* 0 RECENT\r\n\
            * OK [UIDVALIDITY 1795240262] UIDs valid\r\n\
            * OK [UIDNEXT 40] Predicted next UID\r\n";
        assert_eq!(
            parse_examine(answer),
            Some(Selected {
                uidvalidity: 1795240262,
                uid_next: Some(40),
                exists: 12
            })
        );
        assert_eq!(parse_examine(b"* 3 EXISTS\r\n"), None);
        let old_server = parse_examine(b"* ok [uidvalidity 7]\r\n").unwrap();
        assert_eq!((old_server.uidvalidity, old_server.uid_next), (7, None));
    }

    #[test]
    fn new_mail_is_judged_from_uidnext() {
        let s = |exists, uid_next| Selected {
            uidvalidity: 1,
            uid_next,
            exists,
        };
        assert!(!s(5, Some(10)).may_have_from(10));
        assert!(s(5, Some(11)).may_have_from(10));
        assert!(
            !s(0, Some(11)).may_have_from(1),
            "an empty mailbox has nothing"
        );
        assert!(s(5, None).may_have_from(10), "without UIDNEXT, ask");
    }

    #[test]
    fn mailbox_names_are_quoted_in_modified_utf7() {
        assert_eq!(mailbox_arg("INBOX"), "\"INBOX\"");
        assert_eq!(mailbox_arg("A&B \"q\" \\"), "\"A&-B \\\"q\\\" \\\\\"");
        assert_eq!(mailbox_arg("Entwürfe"), "\"Entw&APw-rfe\"");
        assert_eq!(
            mailbox_arg("~peter/mail/台北/日本語"),
            "\"~peter/mail/&U,BTFw-/&ZeVnLIqe-\""
        );
        assert_eq!(mailbox_arg("a\r\nb"), "\"a&AA0ACg-b\"");
    }
}
