//! An ingested message as the rest of tldops sees it: every field decoded and sanitised at the
//! parsing boundary, so nothing downstream ever handles raw mail text.

mod digest;
mod html;
mod parse;
mod plain;
mod sanitize;

pub use digest::{DIGEST_FIELDS, header_digest};
pub use html::html_to_text;
pub use parse::{decoded_header, parse, parse_keeping};
pub use sanitize::{bounded_line, sanitize, unsafe_char};

use crate::domain::email::address_key;

/// A mailbox from an address header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// The comparison form of the address (lowercase, ASCII domain).
    pub fn key(&self) -> Option<String> {
        address_key(&self.address)
    }
}

/// What a bounce tells about the message it returns (an attached `message/rfc822` or
/// `text/rfc822-headers` part).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Original {
    pub message_id: Option<String>,
    pub to: Vec<Mailbox>,
    pub subject: String,
}

/// A parsed, sanitised message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inbound {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub from: Vec<Mailbox>,
    pub sender: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub subject: String,
    /// RFC 3339, UTC.
    pub date: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Every header as (lowercase name, single-line value), in order.
    pub headers: Vec<(String, String)>,
    /// The top-level MIME type, lowercase (`multipart/report`).
    pub content_type: String,
    /// `report-type` of a `multipart/report` (`delivery-status`).
    pub report_type: Option<String>,
    /// The text body: the `text/plain` parts, or the HTML converted when there is none.
    pub text: String,
    /// The HTML body converted to text, when there is one.
    pub html_text: Option<String>,
    /// `text/vcard` attachments.
    pub vcards: Vec<String>,
    /// `message/delivery-status` parts.
    pub delivery_status: Vec<String>,
    /// Messages attached to a bounce or a forward.
    pub originals: Vec<Original>,
    /// Every text the message carries, for the search of a delivery notice: each text part
    /// (nested ones too), attached messages and header parts as written, and the raw body, in
    /// which a broken MIME structure cannot hide a quoted Message-ID or address. Empty when
    /// only the headers were fetched.
    pub whole_text: String,
    /// False when only the headers were fetched (over the size cap, or not needed).
    pub body_fetched: bool,
    /// Why the message could not be parsed; the message is then kept as `unrelated`.
    pub parse_error: Option<String>,
}

impl Inbound {
    /// Values of every header called `name` (case-insensitive).
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.header_values(name).next()
    }

    /// The sender's address as written in From (the first one).
    pub fn from_address(&self) -> Option<&str> {
        self.from.first().map(|m| m.address.as_str())
    }

    /// The first From as people read it: `Marie Dupont <marie@example.org>`.
    pub fn from_display(&self) -> Option<String> {
        self.from.first().map(|m| match m.name.as_deref() {
            Some(name) if !name.is_empty() => format!("{name} <{}>", m.address),
            _ => m.address.clone(),
        })
    }
}
