//! Raw bytes to [`Inbound`] with `mail-parser`, guarded: no input may panic the ingest.

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use mail_parser::{
    Address, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use super::{Inbound, Mailbox, Original, html_to_text, sanitize};

/// mail-parser, told to decode only the headers triage reads (addresses, dates, Message-IDs,
/// MIME, Subject) and keep the rest raw: structured parsing of every `Received:` line was a
/// large share of a first poll's time.
fn parser() -> &'static MessageParser {
    static PARSER: std::sync::LazyLock<MessageParser> = std::sync::LazyLock::new(|| {
        MessageParser::new()
            .with_mime_headers()
            .with_date_headers()
            .with_address_headers()
            .with_message_ids()
            .header_text(mail_parser::HeaderName::Subject)
    });
    &PARSER
}

/// A header's value as people read it: RFC 2047 encoded words decoded (`=?UTF-8?B?…?=` in a
/// Subject, a From name, any field), sanitised. For showing headers; triage reads them raw.
pub fn decoded_header(value: &str) -> String {
    if !value.contains("=?") {
        return sanitize(value, false);
    }
    // Carried as a Subject: mail-parser decodes the encoded words of text fields it knows
    // (an unknown field stays raw whatever the parser is told).
    let raw = format!("Subject: {}\r\n\r\n", value.trim());
    let decoded = parser()
        .parse(raw.as_bytes())
        .and_then(|m| m.subject().map(str::to_string));
    sanitize(decoded.as_deref().unwrap_or(value), false)
}

/// Parses a message. `body_fetched` says whether `raw` is the whole message or only its header
/// block. Never panics; unparseable input gives an `Inbound` with `parse_error` set.
pub fn parse(raw: &[u8], body_fetched: bool) -> Inbound {
    parse_keeping(raw, body_fetched, None)
}

/// As [`parse`], keeping in `headers` only those named in `keep` (case-insensitive): ingest
/// needs only the few triage reads, and sanitising every `Received:` and `DKIM-Signature:` of
/// tens of thousands of messages was a tenth of a first poll. Everything else is the same.
pub fn parse_keeping(raw: &[u8], body_fetched: bool, keep: Option<&[&str]>) -> Inbound {
    if !body_fetched && let Some(inbound) = super::plain::parse_head(raw, keep) {
        return inbound;
    }
    with_mail_parser(raw, body_fetched, keep)
}

/// [`parse_keeping`] by mail-parser alone (what the plain path must agree with).
pub(super) fn with_mail_parser(raw: &[u8], body_fetched: bool, keep: Option<&[&str]>) -> Inbound {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return failed("empty message");
    }
    let raw = header_controls_removed(raw);
    match catch_unwind(AssertUnwindSafe(|| {
        parse_unguarded(&raw, body_fetched, keep)
    })) {
        Ok(Some(inbound)) => inbound,
        Ok(None) => failed("not a mail message (no headers found)"),
        Err(_) => failed("the MIME parser failed on this message"),
    }
}

/// The message with control characters (and whole escape sequences) taken out of its header
/// block: no header may hold them (RFC 5322), and the MIME parser, meeting one inside a quoted
/// local part, drops the visible characters around it (`"jo\x01hn"@example.org` became
/// `@example.org`). The body is left as it is; the stored message is never changed.
fn header_controls_removed(raw: &[u8]) -> Cow<'_, [u8]> {
    let end = memchr::memmem::find(raw, b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| memchr::memmem::find(raw, b"\n\n").map(|p| p + 2))
        .unwrap_or(raw.len());
    let control = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || b == 0x7f;
    let (head, body) = raw.split_at(end);
    if !head.iter().copied().any(control) {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = head.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        match b {
            0x1b => match bytes.next() {
                // CSI: up to its final byte.
                Some(b'[') => {
                    for b in bytes.by_ref() {
                        if (0x40..=0x7e).contains(&b) || !(0x20..=0x3f).contains(&b) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: up to BEL or ESC \ (a line break ends it too).
                Some(b']' | b'P' | b'X' | b'^' | b'_') => {
                    while let Some(b) = bytes.next_if(|&b| b != b'\r' && b != b'\n') {
                        if b == 0x07 || (b == 0x1b && bytes.next_if_eq(&b'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            b if control(b) => {}
            b => out.push(b),
        }
    }
    out.extend_from_slice(body);
    Cow::Owned(out)
}

fn failed(why: &str) -> Inbound {
    Inbound {
        parse_error: Some(why.to_string()),
        ..Inbound::default()
    }
}

fn parse_unguarded(raw: &[u8], body_fetched: bool, keep: Option<&[&str]>) -> Option<Inbound> {
    let message = parser().parse(raw)?;
    if message.headers().is_empty() {
        return None;
    }
    let content_type = message.root_part().content_type();
    let mut inbound = Inbound {
        message_id: message.message_id().map(clean_id).filter(|s| !s.is_empty()),
        from: mailboxes(message.from()),
        sender: mailboxes(message.sender()).into_iter().next(),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        reply_to: mailboxes(message.reply_to()),
        subject: message
            .subject()
            .map(|s| sanitize(s, false))
            .unwrap_or_default(),
        date: message.date().map(|d| d.to_rfc3339()),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        headers: message
            .headers_raw()
            .filter(|(name, _)| keep.is_none_or(|k| k.iter().any(|w| name.eq_ignore_ascii_case(w))))
            .map(|(name, value)| (name.to_ascii_lowercase(), sanitize(value, false)))
            .collect(),
        content_type: content_type.map_or_else(
            || "text/plain".to_string(),
            |ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase(),
        ),
        report_type: content_type
            .and_then(|ct| ct.attribute("report-type"))
            .map(|r| r.to_ascii_lowercase()),
        body_fetched,
        ..Inbound::default()
    };
    if body_fetched {
        read_body(&message, &mut inbound);
        inbound.whole_text = whole_text(&message, raw);
    }
    Some(inbound)
}

/// Message-IDs without angle brackets or spaces.
fn clean_id(id: &str) -> String {
    sanitize(id, false)
        .trim_matches(|c| c == '<' || c == '>' || char::is_whitespace(c))
        .to_string()
}

fn ids(value: &HeaderValue) -> Vec<String> {
    let list: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.as_ref()).collect(),
        _ => vec![],
    };
    list.into_iter()
        .map(clean_id)
        .filter(|s| !s.is_empty())
        .collect()
}

fn mailboxes(address: Option<&Address>) -> Vec<Mailbox> {
    let Some(address) = address else {
        return vec![];
    };
    address
        .iter()
        .filter_map(|a| {
            let addr = sanitize(a.address.as_deref()?, false);
            let name = a
                .name
                .as_deref()
                .map(|n| sanitize(n, false))
                .filter(|n| !n.is_empty());
            // mail-parser reads a quoted local part (`"john"@example.org`) as a display name
            // followed by `@example.org`: put the address back together.
            if addr.starts_with('@')
                && let Some(local) = &name
            {
                return Some(Mailbox {
                    address: format!("{}{addr}", quoted_local_part(local)),
                    name: None,
                });
            }
            (!addr.is_empty()).then_some(Mailbox {
                name,
                address: addr,
            })
        })
        .collect()
}

/// A local part as written in an address: as it is when it is a dot-atom, else quoted.
fn quoted_local_part(local: &str) -> String {
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = local
        .split('.')
        .all(|w| !w.is_empty() && w.chars().all(atext));
    if dot_atom {
        local.to_string()
    } else {
        let escaped = local.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

/// Text bodies, the HTML body, vCards, delivery reports and attached messages.
fn read_body(message: &Message, inbound: &mut Inbound) {
    let mut plain = Vec::new();
    for part in message.text_bodies().filter(|p| !p.is_text_html()) {
        if let Some(text) = part.text_contents() {
            plain.push(text.to_string());
        }
    }
    let html: Vec<String> = message
        .html_bodies()
        .filter(|p| p.is_text_html())
        .filter_map(|p| p.text_contents().map(html_to_text))
        .collect();
    let html = (!html.is_empty()).then(|| sanitize(&html.join("\n"), true));
    inbound.text = if plain.is_empty() {
        html.clone().unwrap_or_default()
    } else {
        sanitize(&plain.join("\n"), true)
    };
    inbound.html_text = html;

    for part in message.parts.iter() {
        let mime = mime_of(part);
        match mime.as_str() {
            "text/vcard" | "text/x-vcard" | "text/directory" => {
                if let Some(text) = part_text(part) {
                    inbound.vcards.push(sanitize(&text, true));
                }
            }
            "message/delivery-status" | "message/global-delivery-status" => {
                if let Some(text) = part_text(part) {
                    inbound.delivery_status.push(sanitize(&text, true));
                }
            }
            "text/rfc822-headers" | "message/rfc822-headers" => {
                let text = part_text(part).unwrap_or_default();
                if let Some(m) = parser().parse_headers(text.as_bytes()) {
                    inbound.originals.push(original(&m));
                }
            }
            _ => {
                if let PartType::Message(inner) = &part.body {
                    inbound.originals.push(original(inner));
                }
            }
        }
    }
}

/// At most this many bytes of text are kept for the search of a delivery notice.
const WHOLE_TEXT_CAP: usize = 512 * 1024;

/// Every leaf part's text, attached messages recursively, then the raw body after the header
/// block (decoded as UTF-8 where it is, byte by byte where not), sanitised and capped.
fn whole_text(message: &Message, raw: &[u8]) -> String {
    fn collect(message: &Message, out: &mut String, depth: usize) {
        for part in message.parts.iter() {
            if out.len() > WHOLE_TEXT_CAP {
                return;
            }
            match &part.body {
                PartType::Message(inner) if depth < 4 => collect(inner, out, depth + 1),
                PartType::Multipart(_) => {}
                _ => {
                    if let Some(text) = part_text(part) {
                        out.push_str(&text);
                        out.push('\n');
                    }
                }
            }
        }
    }
    let mut out = String::new();
    collect(message, &mut out, 0);
    let end = [b"\n\n".as_slice(), b"\n\r\n"]
        .iter()
        .filter_map(|sep| memchr::memmem::find(raw, sep))
        .min();
    let body = end.map_or(raw, |i| &raw[i..]);
    let room = WHOLE_TEXT_CAP.saturating_sub(out.len());
    out.push_str(&String::from_utf8_lossy(&body[..body.len().min(room)]));
    sanitize(&out, true)
}

fn mime_of(part: &MessagePart) -> String {
    part.content_type()
        .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")))
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// A part's content as text, whatever mail-parser made of it.
fn part_text<'a>(part: &'a MessagePart) -> Option<Cow<'a, str>> {
    match &part.body {
        PartType::Text(t) | PartType::Html(t) => Some(Cow::Borrowed(t.as_ref())),
        PartType::Binary(b) | PartType::InlineBinary(b) => Some(String::from_utf8_lossy(b)),
        PartType::Message(m) => Some(String::from_utf8_lossy(m.raw_message())),
        PartType::Multipart(_) => None,
    }
}

fn original(m: &Message) -> Original {
    Original {
        message_id: m.message_id().map(clean_id).filter(|s| !s.is_empty()),
        to: mailboxes(m.to()),
        subject: m.subject().map(|s| sanitize(s, false)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_headers_have_their_encoded_words_decoded_and_sanitised() {
        assert_eq!(
            decoded_header("=?ISO-8859-1?Q?Ren=E9_Dupr=E9?= <rene@nic.fr.example>"),
            "René Dupré <rene@nic.fr.example>"
        );
        assert_eq!(
            decoded_header("Re: =?UTF-8?B?0JrQvtC90YLQsNC60YLRiw==?= .рф"),
            "Re: Контакты .рф"
        );
        assert_eq!(
            decoded_header("=?UTF-8?B?G1sySkNsZWFyZWQ=?="),
            "Cleared",
            "escape sequences in an encoded word are dropped"
        );
        assert_eq!(decoded_header("plain <a@b.example>"), "plain <a@b.example>");
    }

    #[test]
    fn decodes_and_sanitises_headers() {
        let raw = b"From: =?UTF-8?B?SmFuIBtbMkpKYW5zZW4=?= <Jan@SIDN.example>\r\n\
            To: secretariat@ccnso.example.org, \"Ann\" <directie@sidn.example>\r\n\
            Subject: =?ISO-8859-1?Q?R=E9ponse_=1B]0;x=07ok?=\r\n\
            Message-ID: <abc@mail.example>\r\n\
            In-Reply-To: <invitation.nl.k3x9.1@ccnso.example.org>\r\n\
            References: <a@x.example> <invitation.nl.k3x9.1@ccnso.example.org>\r\n\
            Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n\
            Auto-Submitted: no\r\n\r\nHello\r\n";
        let m = parse(raw, true);
        assert_eq!(m.parse_error, None);
        assert_eq!(m.from[0].name.as_deref(), Some("Jan Jansen"));
        assert_eq!(m.from[0].key().as_deref(), Some("jan@sidn.example"));
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.subject, "Réponse ok");
        assert_eq!(m.message_id.as_deref(), Some("abc@mail.example"));
        assert_eq!(m.in_reply_to, ["invitation.nl.k3x9.1@ccnso.example.org"]);
        assert_eq!(m.references.len(), 2);
        assert_eq!(m.date.as_deref(), Some("2026-03-02T10:00:00+01:00"));
        assert_eq!(m.header("auto-submitted"), Some("no"));
        assert_eq!(m.text.trim(), "Hello");
    }

    #[test]
    fn keeping_only_some_headers() {
        let raw = b"From: a@b.example\r\nReceived: from x by y\r\nAuto-Submitted: auto-replied\r\nSubject: Hi\r\n\r\nbody\r\n";
        let m = parse_keeping(raw, true, Some(&["auto-submitted"]));
        assert_eq!(
            m.headers,
            [("auto-submitted".to_string(), "auto-replied".to_string())]
        );
        assert_eq!(m.subject, "Hi", "the decoded fields are all there");
        assert_eq!(parse(raw, true).headers.len(), 4);
    }

    #[test]
    fn html_only_mail_is_converted() {
        let raw = b"From: a@b.example\nContent-Type: text/html; charset=utf-8\n\n<p>Jan Jansen</p><p>jan@sidn.example</p>";
        let m = parse(raw, true);
        assert_eq!(m.text, "Jan Jansen\njan@sidn.example");
        assert!(m.html_text.is_some());
    }

    #[test]
    fn delivery_report_parts_are_read() {
        let raw = b"From: MAILER-DAEMON@mx.example\n\
            Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n\
            --B\nContent-Type: text/plain\n\nUndeliverable\n\
            --B\nContent-Type: message/delivery-status\n\n\
            Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; directie@sidn.example\nAction: failed\nStatus: 5.1.1\n\n\
            --B\nContent-Type: text/rfc822-headers\n\n\
            Message-ID: <invitation.nl.k3x9.1@ccnso.example.org>\nTo: directie@sidn.example\nSubject: [TLD-OPS .nl #k3x9] Invitation\n\n\
            --B--\n";
        let m = parse(raw, true);
        assert_eq!(m.content_type, "multipart/report");
        assert_eq!(m.report_type.as_deref(), Some("delivery-status"));
        assert!(
            m.delivery_status[0].contains("Final-Recipient: rfc822; directie@sidn.example"),
            "{:?}",
            m.delivery_status
        );
        assert_eq!(
            m.originals[0].message_id.as_deref(),
            Some("invitation.nl.k3x9.1@ccnso.example.org")
        );
    }

    #[test]
    fn garbage_never_panics() {
        assert!(parse(b"", true).parse_error.is_some());
        assert!(parse(b"\r\n\r\n", true).parse_error.is_some());
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let alphabet = b"From: <>\r\n:;=?Q?B?\x1b\xff\x00-boundary--";
                    alphabet[seed as usize % alphabet.len()]
                })
                .collect();
            let _ = parse(&bytes, true);
        }
    }
}

#[cfg(test)]
mod control_tests {
    use super::parse;

    #[test]
    fn a_quoted_local_part_with_control_characters_keeps_its_visible_characters() {
        let raw = b"From: \"jo\x01hn\x1b[2J\"@example.org\r\nTo: a@b.example\r\n\
            Subject: x\x1b]52;c;aGk=\x07y\r\n\r\nbody\x01\r\n";
        let m = parse(raw, true);
        assert_eq!(m.from[0].address, "john@example.org");
        let quoted = parse(b"From: \"jo hn\"@example.org\r\n\r\n", true);
        assert_eq!(quoted.from[0].address, "\"jo hn\"@example.org");
        assert_eq!(m.subject, "xy");
    }

    #[test]
    fn line_and_paragraph_separators_are_line_breaks() {
        let raw =
            "From: a@b.example\r\nSubject: one\u{2028}two\r\n\r\nbody\u{2029}line\u{85}end\r\n";
        let m = parse(raw.as_bytes(), true);
        assert_eq!(m.subject, "one two");
        assert_eq!(m.text.trim_end(), "body\nline\nend");
    }
}
