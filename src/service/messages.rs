//! Listing ingested messages and filing the ones triage could not place.

use anyhow::Result;
use serde_json::json;

use super::ingest::act_on;
use super::{Service, now, usage};
use crate::domain::message::parse;
use crate::domain::triage::{self, Verdict};
use crate::store::{MessageFilter, MessageQueries, MessageRow};

impl Service {
    pub fn messages(&self, filter: &MessageFilter) -> Result<Vec<MessageRow>> {
        self.store.messages(filter)
    }

    /// Files an ambiguous or unrelated message (or a bounce to a shared address) under a TLD:
    /// it is triaged again for that TLD, its contacts extracted, the case moved, all logged.
    pub fn assign(&self, reference: &str, tld: &str) -> Result<MessageRow> {
        let Some((row, raw)) = self.store.message_by_ref(reference)? else {
            return usage(format!(
                "no message {reference} (give its Message-ID, or #ID from `tldops messages`)"
            ));
        };
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
        let msg = parse(&raw, true);
        let ctx = self.triage_context()?;
        let mut decision = triage::assign(&msg, &ctx, &tld);
        decision.why = format!("assigned to .{tld} by {}: {}", self.operator, decision.why);
        let operator = self.operator.clone();
        let at = now();
        self.store.write(|tx| {
            tx.reclassify_message(row.id, decision.verdict, tld.as_str(), &decision.why)?;
            for c in &decision.contacts {
                tx.insert_contact(tld.as_str(), c, row.id, &at)?;
            }
            tx.append_event(
                &at,
                &operator,
                Some(tld.as_str()),
                "message_assigned",
                &json!({ "message": row.id, "message_id": row.message_id,
                         "was": row.verdict, "verdict": decision.verdict }),
            )?;
            act_on(tx, row.id, &msg, &decision, &operator, &at)
        })?;
        let updated = self.store.message_by_ref(&format!("#{}", row.id))?;
        Ok(updated.map(|(r, _)| r).unwrap_or(row))
    }
}
