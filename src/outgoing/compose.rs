//! Turning a rendered template into an RFC 5322 message (lettre's builder: encoded words,
//! line lengths and dates done right) with the headers tldops relies on: a Message-ID it
//! chose, threading under the invitation, and `Auto-Submitted` where the mail is automatic.

use anyhow::{Context, Result};
use lettre::message::header::{ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0};
use lettre::message::{Mailbox, Message};

/// A mail ready to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub from: String,
    pub from_name: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    /// Without angle brackets.
    pub message_id: String,
    /// The mail this one answers or follows (the invitation, for reminders).
    pub in_reply_to: Option<String>,
    pub auto_submitted: bool,
}

fn mailbox(address: &str, name: Option<&str>) -> Result<Mailbox> {
    let email = address
        .parse()
        .with_context(|| format!("`{address}` is not an address lettre can send to"))?;
    Ok(Mailbox::new(name.map(str::to_string), email))
}

/// The message bytes, CRLF line ends, as they are stored in the outbox and sent.
pub fn build(d: &Draft) -> Result<Vec<u8>> {
    let mut b = Message::builder()
        .from(mailbox(&d.from, Some(&d.from_name))?)
        .subject(&d.subject)
        .message_id(Some(format!("<{}>", d.message_id)))
        .date_now();
    for to in &d.to {
        b = b.to(mailbox(to, None)?);
    }
    for cc in &d.cc {
        b = b.cc(mailbox(cc, None)?);
    }
    if let Some(parent) = &d.in_reply_to {
        b = b
            .in_reply_to(format!("<{parent}>"))
            .references(format!("<{parent}>"));
    }
    if d.auto_submitted {
        b = b.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    }
    let message = b
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .body(d.body.clone())
        .context("cannot build the message")?;
    Ok(message.formatted())
}

/// A new Message-ID: `kind.tld.stamp@domain`, unique per mail and readable in a log.
pub fn message_id(kind: &str, tld: Option<&str>, from: &str) -> String {
    let domain = from.rsplit_once('@').map_or("tldops.invalid", |(_, d)| d);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{kind}.{}.{nanos:x}.{:04x}@{domain}",
        tld.unwrap_or("list"),
        random_u64() & 0xffff
    )
}

/// A random number from the standard library's randomly keyed hasher: enough for tokens and
/// Message-IDs, without a crate.
pub fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::parse;

    #[test]
    fn builds_a_threaded_automatic_mail() {
        let d = Draft {
            from: "secretariat@ccnso.example.org".into(),
            from_name: "TLD-OPS Secretariat".into(),
            to: vec!["directie@sidn.example".into()],
            cc: vec!["support@sidn.example".into()],
            subject: "Re: [TLD-OPS .nl #k3x9] Reminder: contacts of .nl — ça va".into(),
            body: "Dear Ann,\n\nplease reply.\n".into(),
            message_id: "reminder.nl.1@ccnso.example.org".into(),
            in_reply_to: Some("invitation.nl.k3x9.1@ccnso.example.org".into()),
            auto_submitted: true,
        };
        let raw = build(&d).unwrap();
        let m = parse(&raw, true);
        assert_eq!(m.subject, d.subject);
        assert_eq!(
            m.message_id.as_deref(),
            Some("reminder.nl.1@ccnso.example.org")
        );
        assert_eq!(m.in_reply_to, ["invitation.nl.k3x9.1@ccnso.example.org"]);
        assert_eq!(m.references, ["invitation.nl.k3x9.1@ccnso.example.org"]);
        assert_eq!(m.header("auto-submitted"), Some("auto-generated"));
        assert_eq!(m.header("mime-version"), Some("1.0"));
        assert_eq!(m.cc[0].address, "support@sidn.example");
        assert_eq!(m.text.trim_end(), "Dear Ann,\n\nplease reply.");
        assert!(raw.windows(2).any(|w| w == b"\r\n"));
    }

    #[test]
    fn message_ids_are_unique_and_ours() {
        let a = message_id("invitation", Some("nl"), "secretariat@ccnso.example.org");
        let b = message_id("invitation", Some("nl"), "secretariat@ccnso.example.org");
        assert_ne!(a, b);
        assert!(
            a.starts_with("invitation.nl.") && a.ends_with("@ccnso.example.org"),
            "{a}"
        );
    }
}
