//! A header block reduced to the fields worth keeping for mail that concerns no case: who,
//! to whom, when, what about, which thread — and whatever triage judged it by. Trace fields
//! (`Received`, `DKIM-Signature`, `ARC-*`, most `X-*`) are most of a header block's bytes and
//! say nothing to the Secretariat about a newsletter; the message itself stays on the server.

/// The fields a digest always keeps, lowercase (the caller adds the ones triage read).
pub const DIGEST_FIELDS: &[&str] = &[
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "date",
    "subject",
    "message-id",
    "in-reply-to",
    "references",
    "list-id",
    "content-type",
];

/// The fields of `block` named in `keep` (lowercase), each with its continuation lines, in
/// their original order and bytes, then the blank line. Anything before the first field (an
/// mbox `From ` line) is dropped.
pub fn header_digest(block: &[u8], keep: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(block.len() / 3);
    let mut keeping = false;
    let mut newline: &[u8] = b"\r\n";
    let mut rest = block;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        if line == b"\r\n" || line == b"\n" {
            break; // end of the header block
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if keeping {
                out.extend_from_slice(line);
            }
            continue;
        }
        keeping = memchr::memchr(b':', line).is_some_and(|colon| {
            let name = line[..colon].trim_ascii();
            keep.iter().any(|k| name.eq_ignore_ascii_case(k.as_bytes()))
        });
        if keeping {
            if line.ends_with(b"\n") && !line.ends_with(b"\r\n") {
                newline = b"\n";
            }
            out.extend_from_slice(line);
        }
    }
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(newline);
    }
    out.extend_from_slice(newline);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_named_fields_with_their_continuations() {
        let block = b"Received: from mx1.example.org\r\n\tby mx2.example.org; Tue\r\n\
            From: \"Newsletter\" <news@centr.example>\r\n\
            DKIM-Signature: v=1; a=rsa-sha256;\r\n b=abcdef\r\n\
            Subject: Quarterly\r\n  report\r\n\
            X-Mailer: Mass Mailer 3\r\n\
            to: ops@ccnso.example.org\r\n\r\n";
        let digest = header_digest(block, &["from", "subject", "to"]);
        assert_eq!(
            String::from_utf8(digest).unwrap(),
            "From: \"Newsletter\" <news@centr.example>\r\nSubject: Quarterly\r\n  report\r\n\
             to: ops@ccnso.example.org\r\n\r\n"
        );
    }

    #[test]
    fn bare_newlines_and_odd_input_stay_well_formed() {
        assert_eq!(
            header_digest(b"From: a@b.example\nX: y\n\nbody", &["from"]),
            b"From: a@b.example\n\n"
        );
        assert_eq!(
            header_digest(b"Subject: no end", &["subject"]),
            b"Subject: no end\r\n\r\n"
        );
        assert_eq!(header_digest(b"", &["from"]), b"\r\n");
        assert_eq!(
            header_digest(
                b"From nobody Tue\r\n Subject x\r\nTo: a@b.example\r\n",
                &["to"]
            ),
            b"To: a@b.example\r\n\r\n"
        );
    }

    #[test]
    fn the_digest_parses_to_the_same_display_fields() {
        let raw = b"Received: from x\r\nFrom: =?UTF-8?B?SsO8cmdlbg==?= <j@example.de>\r\n\
              Subject: =?ISO-8859-1?Q?R=E9sum=E9?=\r\nMessage-ID: <1@example.de>\r\n\
              Date: Tue, 3 Nov 2026 10:00:00 +0100\r\n\r\n";
        let block = crate::domain::message::parse(raw, false);
        let digest = crate::domain::message::parse(&header_digest(raw, DIGEST_FIELDS), false);
        assert_eq!(digest.from, block.from);
        assert_eq!(digest.subject, "Résumé");
        assert_eq!(digest.message_id, block.message_id);
        assert_eq!(digest.date, block.date);
    }
}
