//! The view-models of the case and message views: what a front end shows of one case or one
//! message, assembled here so that the front end only lays it out.

use anyhow::Result;

use super::{RoundLine, Service};
use crate::domain::audit::EventRecord;
use crate::domain::message::parse;
use crate::domain::triage::kept_as_digest;
use crate::store::{ContactQueries, ContactRow, EventFilter, MessageFilter, MessageRow, RosterRow};

/// One TLD's case with its evidence.
#[derive(Clone, Debug)]
pub struct CaseDetail {
    pub row: RosterRow,
    pub messages: Vec<MessageRow>,
    pub contacts: Vec<ContactRow>,
    pub events: Vec<EventRecord>,
    /// Its requests and re-confirmation in words (DESIGN §8), a line each.
    pub rounds: Vec<RoundLine>,
}

/// One message, sanitised, for reading.
#[derive(Clone, Debug)]
pub struct MessageDetail {
    pub row: MessageRow,
    /// The sender with its display name, decoded: `Marie Dupont <marie@example.org>`.
    pub from: String,
    /// Every header, one per line, its encoded words decoded.
    pub headers: String,
    pub body: String,
    /// Authentication-Results, as evidence.
    pub authentication: Vec<String>,
}

impl MessageDetail {
    /// What the message view shows of `m` (stored as `row`), with `body` as its text.
    pub fn new(row: MessageRow, m: &crate::domain::message::Inbound, body: String) -> Self {
        use crate::domain::message::decoded_header;
        MessageDetail {
            from: m
                .from_display()
                .or_else(|| row.from.clone())
                .unwrap_or_default(),
            headers: m
                .headers
                .iter()
                .map(|(n, v)| format!("{n}: {}", decoded_header(v)))
                .collect::<Vec<_>>()
                .join("\n"),
            authentication: m
                .header_values("authentication-results")
                .map(str::to_string)
                .collect(),
            row,
            body,
        }
    }
}

impl Service {
    /// What the case view shows of `tld`: its row, messages (oldest first), contacts, rounds
    /// and events.
    pub fn case_detail(&self, tld: &str) -> Result<CaseDetail> {
        let row = self.tld(tld)?;
        let code = row.tld.code.to_string();
        let mut messages = self.messages(&MessageFilter {
            verdict: None,
            tld: Some(code.clone()),
        })?;
        messages.reverse();
        Ok(CaseDetail {
            row,
            messages,
            contacts: self.store.contacts(&code)?,
            rounds: self.rounds_of(&code)?,
            events: self.log(&EventFilter {
                tld: Some(code),
                ..EventFilter::default()
            })?,
        })
    }

    /// What the message view shows of message `id`: sanitised headers and text, and why the
    /// body is missing when it is.
    pub fn message_detail(&self, id: i64) -> Result<MessageDetail> {
        let Some((row, raw)) = self.message(&format!("#{id}"))? else {
            anyhow::bail!("there is no message #{id}");
        };
        // Parsed as whole, a header block said it had a body, and the view showed nothing.
        let headers_only = super::messages::stored_without_body(&raw);
        let m = parse(&raw, !headers_only);
        let body = if headers_only {
            if kept_as_digest(row.verdict, row.tld.as_deref(), m.parse_error.as_deref()) {
            "(mail that concerns no case: only a digest of its headers is kept; the message is \
             on the server, and assigning it (s) fetches it whole)"
        } else {
            "(only the headers were fetched: triage needed no more, or the message was over the \
             size cap)"
        }
        .to_string()
        } else {
            m.text.clone()
        };
        Ok(MessageDetail::new(row, &m, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::triage::Verdict;
    use crate::store::NewMessage;

    /// A newsletter is stored as a digest of its headers: its view says so, and where the
    /// message is (it showed nothing at all below the headers); a whole one shows its text.
    #[test]
    fn a_message_stored_without_its_body_says_why() {
        let service = Service::in_memory(Config::default(), "alice".into()).unwrap();
        let head = "From: News <news@lists.example.net>\r\nSubject: Weekly digest\r\n\
                    Message-ID: <d.1@lists.example.net>\r\n\r\n";
        let whole = format!("{head}This week in DNS.\r\n");
        for (id, raw) in [("d.1@x", head.to_string()), ("d.2@x", whole)] {
            service
                .store
                .write(|tx| {
                    tx.insert_message(&NewMessage {
                        message_id: Some(id),
                        content_hash: id,
                        source: "test",
                        uidvalidity: None,
                        uid: None,
                        date: None,
                        from: Some("news@lists.example.net"),
                        subject: "Weekly digest",
                        verdict: Verdict::Unrelated,
                        tld: None,
                        why: "list mail",
                        parse_error: None,
                        raw: raw.as_bytes(),
                        at: "2026-03-02T10:00:00Z".parse().unwrap(),
                        intent: None,
                        requested: &[],
                    })
                    .map(|_| ())
                })
                .unwrap();
        }
        let digest = service.message_detail(1).unwrap();
        assert!(
            digest
                .body
                .starts_with("(mail that concerns no case: only a digest"),
            "{}",
            digest.body
        );
        assert_eq!(
            service.message_detail(2).unwrap().body,
            "This week in DNS.\n"
        );
    }
}
