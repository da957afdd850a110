//! A header block parsed without the MIME parser when it is plain: printable ASCII,
//! addresses, dates and IDs in their everyday forms. Most of a large mailbox is such mail
//! (newsletters, notifications, list traffic), and judging tens of thousands of header blocks
//! with the full parser was the largest cost of a first poll. An address field or Subject with
//! encoded words (most mail from outside the English-speaking world) is read by mail-parser,
//! that field alone, whatever its form. Anything else — a quoted pair, a comment, a group, an
//! obsolete date — is left to mail-parser whole: this answers `None` and never guesses. Tests
//! hold that whatever it answers is what mail-parser gives.

use std::borrow::Cow;

use mail_parser::DateTime;

use super::parse::with_mail_parser;
use super::{Inbound, Mailbox, sanitize};

/// The header block `raw` (which ends at its blank line, or is only header fields) as
/// [`super::parse_keeping`] parses it without a body, or `None` when it is not plain.
pub fn parse_head(raw: &[u8], keep: Option<&[&str]>) -> Option<Inbound> {
    if !raw
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) || matches!(b, b'\r' | b'\n' | b'\t'))
    {
        return None;
    }
    // A last field without its line end is one mail-parser leaves out.
    if !raw.ends_with(b"\n") {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    let fields = fields(text)?;
    if fields.is_empty() {
        return None;
    }
    let mut inbound = Inbound {
        content_type: "text/plain".to_string(),
        ..Inbound::default()
    };
    let mut seen = 0u16; // a bit per STRUCTURED field
    // Fields with encoded words (or a folded Subject): decoded by mail-parser, one small
    // parse of those fields alone instead of the whole block's.
    let (mut decoded, mut left) = (String::new(), 0u16);
    for &(name, value) in &fields {
        if let Some(i) = STRUCTURED.iter().position(|s| name.eq_ignore_ascii_case(s)) {
            let lower = STRUCTURED[i];
            // Which of two the parser takes is its business.
            if seen & (1 << i) != 0 {
                return None;
            }
            seen |= 1 << i;
            // A folded Subject too: the parser joins the lines its own way.
            if value.contains("=?") || (lower == "subject" && value.contains(['\t', '\r', '\n'])) {
                if i >= DECODED {
                    return None;
                }
                decoded.extend([name, ":", value, "\r\n"]);
                left |= 1 << i;
            } else {
                let unfolded = unfold(value);
                let v = unfolded.trim();
                match lower {
                    "from" => inbound.from = addresses(v)?,
                    "sender" => inbound.sender = addresses(v)?.into_iter().next(),
                    "to" => inbound.to = addresses(v)?,
                    "cc" => inbound.cc = addresses(v)?,
                    "reply-to" => inbound.reply_to = addresses(v)?,
                    "subject" => inbound.subject = sanitize(value, false),
                    "date" => inbound.date = Some(date(v)?.to_rfc3339()),
                    "message-id" => inbound.message_id = Some(one_id(v)?),
                    "in-reply-to" => inbound.in_reply_to = ids(v)?,
                    "references" => inbound.references = ids(v)?,
                    "content-type" => {
                        let (ctype, report) = content_type(v)?;
                        inbound.content_type = ctype;
                        inbound.report_type = report;
                    }
                    _ => {}
                }
            }
        }
        if keep.is_none_or(|k| k.iter().any(|w| name.eq_ignore_ascii_case(w))) {
            inbound
                .headers
                .push((name.to_ascii_lowercase(), sanitize(value, false)));
        }
    }
    if left != 0 {
        decoded.push_str("\r\n");
        let mut parsed = with_mail_parser(decoded.as_bytes(), false, Some(&[]));
        if parsed.parse_error.is_some() {
            return None;
        }
        let take = |i: usize| left & (1 << i) != 0;
        if take(0) {
            inbound.from = std::mem::take(&mut parsed.from);
        }
        if take(1) {
            inbound.sender = parsed.sender.take();
        }
        if take(2) {
            inbound.to = std::mem::take(&mut parsed.to);
        }
        if take(3) {
            inbound.cc = std::mem::take(&mut parsed.cc);
        }
        if take(4) {
            inbound.reply_to = std::mem::take(&mut parsed.reply_to);
        }
        if take(5) {
            inbound.subject = std::mem::take(&mut parsed.subject);
        }
    }
    Some(inbound)
}

/// The first fields of [`STRUCTURED`], whose encoded words mail-parser decodes here: the
/// address fields and the Subject (anywhere else an encoded word leaves the whole block to it).
const DECODED: usize = 6;

/// The fields whose values are parsed (and that must appear at most once here); the first
/// [`DECODED`] are those mail-parser may decode.
const STRUCTURED: &[&str] = &[
    "from",
    "sender",
    "to",
    "cc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "content-type",
];

/// (name, raw value) of each field, values with their folding but without the line end that
/// closes them; `None` for a line that is neither a field nor a continuation.
fn fields(text: &str) -> Option<Vec<(&str, &str)>> {
    // (name, where the value starts, where it ends)
    let mut spans: Vec<(&str, usize, usize)> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = &text[at..end];
        if line == "\r\n" || line == "\n" {
            break;
        }
        if line.starts_with([' ', '\t']) {
            spans.last_mut()?.2 = end; // the value runs on
        } else {
            let colon = line.find(':')?;
            let name = &line[..colon];
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return None;
            }
            spans.push((name, at + colon + 1, end));
        }
        at = end;
    }
    Some(
        spans
            .into_iter()
            .map(|(name, start, end)| {
                let value = &text[start..end];
                let value = value
                    .strip_suffix('\n')
                    .map_or(value, |v| v.strip_suffix('\r').unwrap_or(v));
                (name, value)
            })
            .collect(),
    )
}

/// A folded value on one line (RFC 5322 §2.2.3: the line breaks go, the white space stays).
fn unfold(value: &str) -> Cow<'_, str> {
    if value.contains('\n') {
        Cow::Owned(value.replace("\r\n", "").replace('\n', ""))
    } else {
        Cow::Borrowed(value)
    }
}

/// An address list of plain mailboxes: `local@domain`, `Name <local@domain>`, or
/// `"Quoted Name" <local@domain>`, separated by commas.
fn addresses(value: &str) -> Option<Vec<Mailbox>> {
    if value.is_empty() {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    for item in split_commas(value)? {
        let item = item.trim();
        let (name, address) = match item.strip_suffix('>') {
            Some(head) => {
                let (name, address) = head.rsplit_once('<')?;
                (display_name(name.trim())?, address)
            }
            None => (None, item),
        };
        if !addr_spec(address) {
            return None;
        }
        out.push(Mailbox {
            name: name.map(|n| sanitize(&n, false)).filter(|n| !n.is_empty()),
            address: sanitize(address, false),
        });
    }
    Some(out)
}

/// The commas between addresses: none inside a quoted name.
fn split_commas(value: &str) -> Option<Vec<&str>> {
    let mut items = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(&value[start..i]);
                start = i + 1;
            }
            '\\' | '(' | ')' | ';' | ':' | '[' | ']' => return None,
            _ => {}
        }
    }
    if quoted {
        return None;
    }
    items.push(&value[start..]);
    Some(items)
}

/// A display name of plain words (single spaces between them), or one quoted string without
/// escapes; `None` (not plain) for anything else. `Some(None)`: no name.
fn display_name(name: &str) -> Option<Option<String>> {
    if name.is_empty() {
        return Some(None);
    }
    if let Some(inner) = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        let plain = !inner.contains('"')
            && !inner.starts_with(' ')
            && !inner.ends_with(' ')
            && !inner.contains("  ")
            && !inner.contains('\t')
            && !inner.contains(['<', '>']);
        return plain.then(|| Some(inner.to_string()));
    }
    let plain = name
        .split(' ')
        .all(|w| !w.is_empty() && w.bytes().all(is_atext));
    plain.then(|| Some(name.to_string()))
}

/// RFC 5322 atext.
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// `local@domain`, both dot-atoms.
fn addr_spec(address: &str) -> bool {
    let dot_atom = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|w| !w.is_empty() && w.bytes().all(is_atext))
    };
    address
        .split_once('@')
        .is_some_and(|(local, domain)| dot_atom(local) && dot_atom(domain))
}

/// `<id@host>`, nothing else around it.
fn one_id(value: &str) -> Option<String> {
    let inner = value.strip_prefix('<')?.strip_suffix('>')?;
    let plain = !inner.is_empty()
        && inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    plain.then(|| inner.to_string())
}

/// `<a@b> <c@d> …`, separated by white space.
fn ids(value: &str) -> Option<Vec<String>> {
    let ids: Option<Vec<String>> = value.split_ascii_whitespace().map(one_id).collect();
    ids.filter(|ids| !ids.is_empty())
}

/// `type/subtype` (lowercase) and the `report-type` parameter, of a value with plain
/// `; name=value` or `; name="value"` parameters.
fn content_type(value: &str) -> Option<(String, Option<String>)> {
    let mut parts = value.split(';');
    let (ctype, subtype) = parts.next()?.trim().split_once('/')?;
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| is_atext(b) && b != b'/');
    if !token(ctype) || !token(subtype) {
        return None;
    }
    let mut report = None;
    for param in parts {
        let param = param.trim();
        if param.is_empty() {
            return None;
        }
        let (name, val) = param.split_once('=')?;
        let val = match val.strip_prefix('"') {
            Some(q) => q.strip_suffix('"').filter(|v| !v.contains(['"', '\\']))?,
            None if token(val) => val,
            None => return None,
        };
        if !token(name) {
            return None;
        }
        if name.eq_ignore_ascii_case("report-type") {
            report = Some(val.to_ascii_lowercase());
        }
    }
    Some((format!("{ctype}/{subtype}").to_ascii_lowercase(), report))
}

/// `[Day, ]D Mon YYYY HH:MM[:SS] ±HHMM`.
fn date(value: &str) -> Option<DateTime> {
    let value = match value.split_once(", ") {
        Some((day, rest)) if DAYS.contains(&day) => rest,
        Some(_) => return None,
        None => value,
    };
    let words: Vec<&str> = value.split(' ').collect();
    let [day, month, year, time, zone] = words.as_slice() else {
        return None;
    };
    let number = |s: &str, len: std::ops::RangeInclusive<usize>| -> Option<u16> {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let day = number(day, 1..=2)?;
    let month = MONTHS.iter().position(|m| m == month)? as u16 + 1;
    let year = number(year, 4..=4)?;
    let mut hms = time.split(':');
    let hour = number(hms.next()?, 2..=2)?;
    let minute = number(hms.next()?, 2..=2)?;
    let second = match hms.next() {
        Some(s) => number(s, 2..=2)?,
        None => 0,
    };
    if hms.next().is_some() {
        return None;
    }
    let (sign, offset) = match *zone {
        "GMT" | "UT" => ("+", "0000"),
        zone => zone.split_at_checked(1)?,
    };
    let offset = number(offset, 4..=4)?;
    let (tz_hour, tz_minute) = (offset / 100, offset % 100);
    let days_in_month = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let valid = (1..=days_in_month).contains(&day)
        && (1970..=2100).contains(&year)
        && hour < 24
        && minute < 60
        && second < 60
        && tz_hour < 24
        && tz_minute < 60
        && matches!(sign, "+" | "-");
    valid.then_some(DateTime {
        year,
        month: month as u8,
        day: day as u8,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        tz_before_gmt: sign == "-",
        tz_hour: tz_hour as u8,
        tz_minute: tz_minute as u8,
    })
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[cfg(test)]
mod tests {
    use super::*;

    const KEEP: &[&str] = &[
        "from",
        "to",
        "subject",
        "list-id",
        "auto-submitted",
        "precedence",
        "content-type",
    ];

    /// Whatever the plain path answers, mail-parser answers the same.
    fn agrees(raw: &str) -> bool {
        for keep in [None, Some(KEEP)] {
            let Some(plain) = parse_head(raw.as_bytes(), keep) else {
                return false;
            };
            assert_eq!(
                plain,
                with_mail_parser(raw.as_bytes(), false, keep),
                "{raw}"
            );
        }
        true
    }

    #[test]
    fn everyday_header_blocks_are_read_as_mail_parser_reads_them() {
        let blocks = [
            "From: News <news@lists.example.net>\r\nTo: secretariat@ccnso.example.org\r\n\
             Subject: Digest 1\r\nMessage-ID: <digest.1@lists.example.net>\r\n\
             Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n",
            "From: \"Example Registry, Ops\" <ops@nic.example>\nTo: a@b.example, \"C D\" <c@d.example>,\n\
             \te@f.example\nCc: G H <g@h.example>\nSubject: A long subject, not folded\n\
             Date: Tue, 03 Mar 2026 09:00:00 GMT\nIn-Reply-To: <x.1@y.example>\n\
             References: <a.1@b.example>\n <x.1@y.example>\nMessage-ID:\n <m.2@nic.example>\n\
             Content-Type: multipart/alternative;\n\tboundary=\"----=_Part_1a2b\"\n\
             List-Unsubscribe: <https://mail.example/u>,\n\t<mailto:u@x.example>\n\n",
            "From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered Mail Returned to Sender\r\n\
             Date: Wed, 4 Mar 2026 23:59:59 -0530\r\nAuto-Submitted: auto-replied\r\n\
             Content-Type: multipart/report; report-type=delivery-status;\r\n\
             \tboundary=\"b1\"\r\n\r\n",
            "From: Secretariat <secretariat@ccnso.example.org>\r\nReply-To: \r\n\
             Sender: \"list\" <list-bounces@lists.example.org>\r\nSubject:\r\n\
             Date: 29 Feb 2028 00:00 +1400\r\nPrecedence: bulk\r\n\r\n",
            "X-Only: a field nobody reads\r\nSubject:  two  spaces  \r\n\r\n",
            "From: <a@b.example>\r\nTo: A <a@b.example>, B <b@c.example>\r\n\
             Date: 2 Mar 2026 10:00 -0000\r\nContent-Type: TEXT/HTML; charset=UTF-8\r\n\r\n",
            "From: o'brien+tag@x-y.example\r\nContent-Type: text/plain\r\n\
             Date: Sun, 31 Dec 2100 23:59:59 -1200\r\n\r\n",
        ];
        for b in blocks {
            assert!(agrees(b), "not read as plain: {b}");
        }
    }

    /// Encoded words in names and the Subject, and folded Subjects, are decoded by mail-parser
    /// for those fields alone: what comes out is what it gives for the whole block.
    #[test]
    fn encoded_words_are_decoded_as_mail_parser_decodes_them() {
        let blocks = [
            "From: =?UTF-8?B?w6k=?= <a@b.example>\r\n\r\n",
            "Subject: folded\r\n subject\r\n\r\n",
            "From: =?utf-8?Q?Petr_P=C5=99=C3=ADklad?= <spravce@nic-cz.example>\r\n\
             To: =?ISO-8859-1?Q?Andr=E9?= <a@b.example>, \"Ops, Team\" <o@b.example>,\r\n\
             \t=?UTF-8?B?5byg5LiJ?= <zhang@cnnic.example>\r\n\
             Subject: =?UTF-8?B?UmU6IFtUTEQtT1BTIC5jel0g?=\r\n =?UTF-8?Q?kontakty_=C4=8D?=\r\n\
             Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <m.1@b.example>\r\n\r\n",
            "Subject: =?UTF-8?B?not base64 at all?=\r\nCc: =?bogus <c@d.example>\r\n\r\n",
            "Reply-To: \"=?UTF-8?Q?quoted_=C3=A9?=\" <r@b.example>\r\n\
             Sender: =?UTF-8?Q?S?= <s@b.example>\r\n\r\n",
            "From: =?x?=@b.example\r\nSubject: =?UTF-8?Q?a?= =?UTF-8?Q?b?= c =?UTF-8?Q?d?=\r\n\r\n",
        ];
        for b in blocks {
            assert!(agrees(b), "not read as plain: {b}");
        }
    }

    /// Every mix of awkward values in the decoded fields: wherever the plain path answers, it
    /// answers as mail-parser does.
    #[test]
    fn mixes_of_encoded_and_plain_fields_agree() {
        let names = [
            "a@b.example",
            "A B <a@b.example>",
            "=?UTF-8?B?w6k=?= <a@b.example>",
            "\"=?UTF-8?Q?x?=\" <a@b.example>",
            "=?UTF-8?Q?a?= =?UTF-8?Q?b?= <a@b.example>, c@d.example",
            "=?broken <a@b.example>",
            "=?UTF-8?B?w6k=?=\r\n <a@b.example>",
        ];
        let subjects = [
            "plain",
            "=?UTF-8?B?w6k=?=",
            "=?UTF-8?Q?a_b?=\r\n\t=?UTF-8?Q?c?=",
            "Re: =?ISO-8859-1?Q?caf=E9?= [TLD-OPS .fr]",
            "folded\r\n\tline",
            "=?UTF-8?B?=?=",
            "",
        ];
        let mut plain = 0;
        for from in names {
            for to in names {
                for subject in subjects {
                    let block = format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n");
                    plain += usize::from(agrees(&block));
                }
            }
        }
        assert!(plain > 200, "{plain} read as plain");
    }

    /// What the plain path leaves to mail-parser, it leaves whole.
    #[test]
    fn anything_else_is_left_to_mail_parser() {
        for b in [
            "Message-ID: <=?UTF-8?B?w6k=?=@b.example>\r\n\r\n",
            "Subject: no line end",
            "From: a@b.example\r\nSubject: =?UTF-8?B?w6k=?=",
            "Content-Type: text/plain; name=\"=?UTF-8?B?w6k=?=\"\r\n\r\n",
            "From: a@b.example (a comment)\r\n\r\n",
            "To: undisclosed-recipients:;\r\n\r\n",
            "From: \"a \\\"b\\\"\" <a@b.example>\r\n\r\n",
            "Date: Mon, 2 Mar 26 10:00:00 EST\r\n\r\n",
            "Date: 31 Apr 2026 10:00:00 +0000\r\n\r\n",
            "Subject: caf\u{e9}\r\n\r\n",
            "Subject: a\r\nSubject: b\r\n\r\n",
            "From nobody Mon Mar  2 10:00:00 2026\r\nFrom: a@b.example\r\n\r\n",
            "Message-ID: m.1@b.example\r\n\r\n",
            "\r\n",
        ] {
            assert!(parse_head(b.as_bytes(), None).is_none(), "{b}");
        }
    }

    /// Every header block of the corpus, as judging reads it (its digest) and whole: wherever
    /// the plain path answers, it answers as mail-parser does — and it answers for most.
    #[test]
    fn the_corpus_agrees() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let (mut plain, mut all) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            let raw = std::fs::read(&path).unwrap();
            let digest = super::super::header_digest(&raw, &crate::domain::triage::digest_fields());
            for block in [digest.as_slice(), &raw] {
                all += 1;
                let keep = crate::domain::triage::headers_read();
                if let Some(p) = parse_head(block, Some(&keep)) {
                    plain += 1;
                    assert_eq!(
                        p,
                        with_mail_parser(block, false, Some(&keep)),
                        "{}",
                        path.display()
                    );
                }
            }
        }
        assert!(
            all > 200 && plain * 4 > all,
            "{plain} of {all} read as plain"
        );
    }
}
