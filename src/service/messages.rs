//! Listing ingested messages and filing the ones triage could not place.

use anyhow::Result;
use serde_json::json;

use super::ingest::act_on;
use super::{Service, usage};
use crate::domain::audit::sha256_hex;
use crate::domain::message::parse;
use crate::domain::triage::{self, Verdict};
use crate::mail::MailSource;
use crate::mail::local::header_block;
use crate::store::{MessageFilter, MessageQueries, MessageQuery, MessageRow};

/// Opens the mailbox a stored message came from, given the source's name (`imap:…`,
/// `maildir:…`, `mbox:…`); `Ok(None)` when this installation does not read it.
pub type Reopen<'a> = dyn FnMut(&str) -> Result<Option<Box<dyn MailSource + Send>>> + 'a;

/// What [`Service::assign`] did.
#[derive(Clone, Debug)]
pub struct Assignment {
    pub message: MessageRow,
    /// Set when the message was stored without its body (mail first judged unrelated on its
    /// headers) and the body could not be fetched: why, and so no contacts from it.
    pub without_body: Option<String>,
    /// The contacts it proposes for the TLD.
    pub contacts: Vec<crate::domain::triage::Contact>,
    /// The case it moved: (TLD, from, to).
    pub transition: Option<(
        String,
        crate::domain::case::CaseState,
        crate::domain::case::CaseState,
    )>,
}

impl Assignment {
    /// What the assignment made of the message, in words: its new verdict (or that it stays
    /// a request, and whom it asks for), and why it has no contacts when it was filed without
    /// its body.
    pub fn notes(&self) -> Vec<String> {
        let m = &self.message;
        let code = m.tld.as_deref().unwrap_or_default();
        let mut out = Vec::new();
        if m.verdict == Verdict::Request {
            out.push(format!(
                "#{} stays a request, now for .{code}: ask its admin next (`tldops ask {code} --message {}`)",
                m.id, m.id
            ));
            if !m.contacts.is_empty() {
                let named: Vec<String> = m.contacts.iter().map(super::describe).collect();
                out.push(format!("It asks for {}", named.join(", ")));
            }
        } else {
            out.push(format!("#{} becomes {} for .{code}", m.id, m.verdict));
        }
        if let Some(why) = &self.without_body {
            out.push(format!("Without its body (so no contacts): {why}"));
        }
        out
    }
}

/// One page of a message search: what a list of 50,000 messages loads at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessagePage {
    pub query: MessageQuery,
    /// Where `rows` start among all the matches (newest first).
    pub offset: usize,
    pub rows: Vec<MessageRow>,
    /// How many messages match in all.
    pub total: usize,
}

impl Service {
    pub fn messages(&self, filter: &MessageFilter) -> Result<Vec<MessageRow>> {
        self.store.messages(filter)
    }

    /// Up to `limit` messages matching `query`, newest first, from the `offset`-th, and how
    /// many match (both as of one moment).
    pub fn message_page(
        &self,
        query: &MessageQuery,
        offset: usize,
        limit: usize,
    ) -> Result<MessagePage> {
        self.store.snapshot(|s| {
            Ok(MessagePage {
                query: query.clone(),
                offset,
                rows: s.message_page(query, offset, limit)?,
                total: s.message_count(query)?,
            })
        })
    }

    /// Files an ambiguous or unrelated message (or a bounce to a shared address) under a TLD:
    /// it is triaged again for that TLD, its contacts extracted, the case moved, all logged.
    /// Mail stored without its body (judged unrelated on its headers) is first fetched whole
    /// from its mailbox through `reopen`; if that fails it is filed anyway, and says why.
    /// Rehearsed (`dry_run`), nothing is fetched: it is judged on what is stored.
    pub fn assign(
        &self,
        reference: &str,
        tld: &str,
        reopen: &mut Reopen,
        dry_run: bool,
    ) -> Result<Assignment> {
        let Some((row, raw)) = self.store.message_by_ref(reference)? else {
            return usage(format!(
                "no message {reference} (give its Message-ID, or #ID from `tldops messages`)"
            ));
        };
        if row.verdict == Verdict::Request {
            return self.assign_request(row, tld, dry_run);
        }
        let assignable = matches!(row.verdict, Verdict::Ambiguous | Verdict::Unrelated)
            || (row.verdict == Verdict::Bounce && row.tld.is_none());
        if !assignable {
            return usage(format!(
                "message {reference} is already {} for .{}: only ambiguous and unrelated messages are assigned",
                row.verdict,
                row.tld.as_deref().unwrap_or("?")
            ));
        }
        let tld = self.tld(tld)?.tld.code;
        let headers_only = stored_without_body(&raw);
        let (whole, without_body) = if headers_only && !dry_run {
            match self.fetch_whole(row.id, reopen) {
                Ok(whole) => (Some(whole), None),
                Err(why) => (None, Some(why)),
            }
        } else {
            (None, None)
        };
        let msg = parse(
            whole.as_deref().unwrap_or(&raw),
            !headers_only || whole.is_some(),
        );
        let ctx = self.triage_context()?;
        let mut decision = triage::assign(&msg, &ctx, &tld);
        decision.why = format!("assigned to .{tld} by {}: {}", self.operator, decision.why);
        let operator = self.operator.clone();
        let at = self.now();
        let act = |tx: &crate::store::Tx| {
            if let Some(whole) = &whole {
                tx.replace_raw(row.id, whole)?;
            }
            tx.reclassify_message(row.id, decision.verdict, tld.as_str(), &decision.why, at)?;
            for c in &decision.contacts {
                tx.insert_contact(tld.as_str(), c, row.id, at)?;
            }
            tx.append_event(
                at,
                &operator,
                Some(tld.as_str()),
                "message_assigned",
                &json!({ "message": row.id, "message_id": row.message_id,
                         "was": row.verdict, "verdict": decision.verdict,
                         "without_body": without_body }),
            )?;
            let transition = act_on(tx, row.id, &msg, &decision, &operator, at)?;
            let updated = tx.message_by_ref(&format!("#{}", row.id))?;
            Ok((updated, transition))
        };
        let (updated, transition) = self.act(dry_run, act)?;
        Ok(Assignment {
            message: updated.map(|(r, _)| r).unwrap_or(row),
            without_body,
            contacts: decision.contacts,
            transition,
        })
    }

    /// Files an open request under a TLD: it stays a request (its requested contacts too),
    /// now for that TLD, so that its admin can be asked next. Nothing is triaged again: a
    /// request is not a reply, whoever it names.
    fn assign_request(&self, row: MessageRow, tld: &str, dry_run: bool) -> Result<Assignment> {
        if let Some(at) = &row.settled_at {
            return usage(format!(
                "#{}: the request was acted on at {at}; it is not assigned again",
                row.id
            ));
        }
        let tld = self.tld(tld)?.tld.code;
        let why = format!(
            "assigned to .{tld} by {}: {}",
            self.operator,
            row.why
                .split_once(": ")
                .filter(|(head, _)| head.starts_with("assigned to ."))
                .map_or(row.why.as_str(), |(_, rest)| rest)
        );
        let operator = self.operator.clone();
        let at = self.now();
        let updated = self.act(dry_run, |tx| {
            tx.reclassify_message(row.id, Verdict::Request, tld.as_str(), &why, at)?;
            tx.append_event(
                at,
                &operator,
                Some(tld.as_str()),
                "message_assigned",
                &json!({ "message": row.id, "message_id": row.message_id,
                         "was": row.verdict, "verdict": Verdict::Request,
                         "was_tld": row.tld, "without_body": null }),
            )?;
            tx.message_by_ref(&format!("#{}", row.id))
        })?;
        Ok(Assignment {
            message: updated.map(|(r, _)| r).unwrap_or(row),
            without_body: None,
            contacts: Vec::new(),
            transition: None,
        })
    }

    /// The whole of a message stored as its header block, from the mailbox it came from,
    /// recognised by the hash of that block; or why not, in words.
    fn fetch_whole(&self, id: i64, reopen: &mut Reopen) -> Result<Vec<u8>, String> {
        let origin = self
            .store
            .message_origin(id)
            .map_err(|e| format!("{e:#}"))?
            .ok_or("the message is gone")?;
        let mut source = match reopen(&origin.source) {
            Ok(Some(source)) => source,
            Ok(None) => {
                return Err(format!(
                    "it came from {}, which this installation does not read",
                    origin.source
                ));
            }
            Err(e) => return Err(format!("cannot open {}: {e:#}", origin.source)),
        };
        let uid = origin.uid.ok_or("its UID was not recorded")?;
        let is_it = |raw: &[u8]| sha256_hex(header_block(raw)) == origin.content_hash;
        let max_size = self.max_message_size();
        match source.refetch(origin.uidvalidity.unwrap_or(0), uid, &is_it) {
            Ok(Some(whole)) if whole.len() as u64 > max_size => Err(format!(
                "it is over the size cap ({} bytes > imap.max_message_size)",
                whole.len()
            )),
            Ok(Some(whole)) => Ok(whole),
            Ok(None) => Err(format!("{} no longer has it", origin.source)),
            Err(e) => Err(format!("{e:#}")),
        }
    }
}

/// A stored message is its header block alone: stored without its body (mail that concerns
/// no case, or over the size cap); no column says so.
pub(super) fn stored_without_body(raw: &[u8]) -> bool {
    header_block(raw).len() == raw.len()
}
