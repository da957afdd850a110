//! A poll pass: new mail from a source → parse → triage → store, in one transaction with the
//! case transitions, the audit events and the mailbox checkpoint. Killed at any moment, a pass
//! either happened entirely or not at all; run again, it stores each message once.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Result;
use serde_json::json;

use super::{Service, now};
use crate::config::{DEFAULT_MAX_MESSAGE_SIZE, VouchingRole};
use crate::domain::audit::sha256_hex;
use crate::domain::case::CaseState;
use crate::domain::email::address_key;
use crate::domain::message::{Inbound, parse_keeping};
use crate::domain::tld::TldCode;
use crate::domain::triage::{self, Context, Decision, SentKind, SentMail, Verdict};
use crate::mail::{Checkpoint, MailSource};
use crate::store::{CaseQueries, MessageQueries, NewMessage, RosterQueries, Tx};

/// What a pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestReport {
    pub source: String,
    /// New messages the source reported.
    pub seen: usize,
    pub stored: usize,
    /// Already stored (same Message-ID, or same content without one).
    pub duplicates: usize,
    /// Stored with headers only: not needed for triage, or over the size cap.
    pub headers_only: usize,
    pub verdicts: BTreeMap<String, usize>,
    /// Cases moved by this pass: (TLD, from, to).
    pub transitions: Vec<(String, CaseState, CaseState)>,
    /// UIDVALIDITY changed: the mailbox was scanned again from the start.
    pub rescan: bool,
}

impl Service {
    /// The triage context of the current roster, cases and sent mail.
    pub fn triage_context(&self) -> Result<Context> {
        let c = &self.config;
        let mut ctx = Context::new(
            &c.list.name,
            c.trust.authserv_id.as_deref(),
            c.list.max_contacts as usize,
        );
        let tech_vouches = c.trust.vouching_roles.contains(&VouchingRole::Tech);
        let admin_vouches = c.trust.vouching_roles.contains(&VouchingRole::Admin);
        for row in self.store.roster()?.into_iter().filter(|r| !r.tld.retired) {
            if admin_vouches {
                ctx.add_voucher(row.tld.admin.email.as_str(), &row.tld.code);
            }
            if tech_vouches {
                ctx.add_voucher(row.tld.tech.email.as_str(), &row.tld.code);
            }
        }
        for sent in self.store.sent_mail()? {
            let recipients: Vec<String> =
                serde_json::from_str(&sent.recipients).unwrap_or_default();
            ctx.add_sent(
                SentMail {
                    kind: match sent.kind.as_str() {
                        "invitation" => SentKind::Invitation,
                        "reminder" => SentKind::Reminder,
                        _ => SentKind::Notice,
                    },
                    tld: TldCode::from_stored(sent.tld),
                    message_id: sent.message_id,
                    sent_on: sent.created_at.chars().take(10).collect(),
                    to: recipients.iter().filter_map(|r| address_key(r)).collect(),
                },
                None,
            );
        }
        for (token, tld) in self.store.case_tokens()? {
            ctx.add_token(&token, &TldCode::from_stored(tld));
        }
        for own in [&c.list.address, &c.list.secretariat].into_iter().flatten() {
            ctx.add_own_address(own);
        }
        Ok(ctx)
    }

    /// One pass over `source`: everything new is stored, classified and acted on.
    pub fn ingest(&self, source: &mut dyn MailSource) -> Result<IngestReport> {
        let name = source.name();
        let max_size = self
            .config
            .imap
            .as_ref()
            .map_or(DEFAULT_MAX_MESSAGE_SIZE, |i| i.max_message_size);
        let since = self.store.checkpoint(&name)?;
        let batch = source.fetch_headers(since)?;
        let ctx = self.triage_context()?;

        // Headers first: only what triage needs gets its body fetched. Messages judged on
        // their headers alone keep that judgement (they are not parsed twice).
        let heads = judge_headers(&batch.headers, &ctx);
        let mut wanted = Vec::new();
        let mut skip: HashSet<u32> = HashSet::new();
        let mut judged: HashMap<u32, (Inbound, Decision)> = HashMap::new();
        for (h, (head, decision)) in batch.headers.iter().zip(heads) {
            if head
                .message_id
                .as_deref()
                .map(|id| self.store.message_id_stored(id))
                .transpose()?
                .unwrap_or(false)
            {
                skip.insert(h.uid);
            } else if h.size <= max_size && needs_body(&head, &decision) {
                wanted.push(h.uid);
            } else {
                judged.insert(h.uid, (head, decision));
            }
        }
        let bodies: HashMap<u32, Vec<u8>> = if wanted.is_empty() {
            HashMap::new()
        } else {
            source.fetch_bodies(&wanted)?.into_iter().collect()
        };

        let mut report = IngestReport {
            source: name.clone(),
            seen: batch.headers.len(),
            duplicates: skip.len(),
            rescan: batch.rescan,
            ..IngestReport::default()
        };
        let at = now();
        let operator = self.operator.clone();
        let last_uid = batch
            .headers
            .iter()
            .map(|h| h.uid)
            .max()
            .max(
                since
                    .filter(|s| s.uidvalidity == batch.uidvalidity)
                    .map(|s| s.last_uid),
            )
            .unwrap_or(0);
        let keep = triage::headers_read();
        self.store.write(|tx| {
            for h in batch.headers.iter().filter(|h| !skip.contains(&h.uid)) {
                let (raw, full) = match bodies.get(&h.uid) {
                    Some(body) => (body.as_slice(), true),
                    None => (h.bytes.as_slice(), false),
                };
                let (msg, decision) = match judged.remove(&h.uid) {
                    Some(judgement) if !full => judgement,
                    _ => {
                        let msg = parse_keeping(raw, full, Some(&keep));
                        let decision = triage::triage(&msg, &ctx);
                        (msg, decision)
                    }
                };
                let stored = store_message(
                    tx,
                    &name,
                    batch.uidvalidity,
                    h.uid,
                    raw,
                    &msg,
                    &decision,
                    &at,
                )?;
                let Some(id) = stored else {
                    report.duplicates += 1;
                    continue;
                };
                report.stored += 1;
                report.headers_only += usize::from(!full);
                *report
                    .verdicts
                    .entry(decision.verdict.to_string())
                    .or_default() += 1;
                if let Some(t) = act_on(tx, id, &msg, &decision, &operator, &at)? {
                    report.transitions.push(t);
                }
            }
            tx.set_checkpoint(
                &name,
                Checkpoint {
                    uidvalidity: batch.uidvalidity,
                    last_uid,
                },
                &at,
            )
        })?;
        tracing::info!(
            source = %report.source,
            seen = report.seen,
            stored = report.stored,
            duplicates = report.duplicates,
            "poll pass"
        );
        Ok(report)
    }
}

/// Parses and triages every header block, on all cores (a first poll judges tens of
/// thousands): what a message judged on its headers alone keeps is only what storing needs.
fn judge_headers(headers: &[crate::mail::Header], ctx: &Context) -> Vec<(Inbound, Decision)> {
    let keep = triage::headers_read();
    let judge = |h: &crate::mail::Header| {
        let head = parse_keeping(&h.bytes, false, Some(&keep));
        let decision = triage::triage(&head, ctx);
        if needs_body(&head, &decision) {
            return (head, decision);
        }
        let slim = Inbound {
            message_id: head.message_id,
            from: head.from.into_iter().take(1).collect(),
            subject: head.subject,
            date: head.date,
            parse_error: head.parse_error,
            headers: head
                .headers
                .into_iter()
                .filter(|(n, _)| n == "authentication-results")
                .collect(),
            ..Inbound::default()
        };
        (slim, decision)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || headers.len() < 1000 {
        return headers.iter().map(judge).collect();
    }
    let per_thread = headers.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = headers
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || chunk.iter().map(judge).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("triage does not panic (fuzzed)"))
            .collect()
    })
}

/// Whether a message, judged on its headers, needs its body: replies whose text may name
/// contacts or the TLD (admin_from, admin_cc, unverified, ambiguous), and anything that may be
/// a delivery report. Auto-replies, suspicious and unrelated mail are decided by their headers
/// (nothing above them in the precedence looks at a body but bounces), so their bodies stay
/// on the server: on a real mailbox that is most of the mail.
fn needs_body(head: &Inbound, decision: &Decision) -> bool {
    head.content_type.starts_with("multipart/report")
        || matches!(
            decision.verdict,
            Verdict::AdminFrom
                | Verdict::AdminCc
                | Verdict::Unverified
                | Verdict::Ambiguous
                | Verdict::Bounce
        )
        || head.from.first().is_some_and(|f| {
            let local = f
                .address
                .split('@')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            local == "mailer-daemon" || local == "postmaster"
        })
}

#[allow(clippy::too_many_arguments)]
fn store_message(
    tx: &Tx,
    source: &str,
    uidvalidity: u32,
    uid: u32,
    raw: &[u8],
    msg: &Inbound,
    decision: &Decision,
    at: &str,
) -> Result<Option<i64>> {
    let hash = sha256_hex(raw);
    let id = tx.insert_message(&NewMessage {
        message_id: msg.message_id.as_deref(),
        content_hash: &hash,
        source,
        uidvalidity: Some(uidvalidity),
        uid: Some(uid),
        date: msg.date.as_deref(),
        from: msg.from_address(),
        subject: &msg.subject,
        verdict: decision.verdict,
        tld: decision.tld.as_ref().map(TldCode::as_str),
        why: &decision.why,
        parse_error: msg.parse_error.as_deref(),
        raw,
        at,
    })?;
    if let (Some(id), Some(tld)) = (id, &decision.tld) {
        for c in &decision.contacts {
            tx.insert_contact(tld.as_str(), c, id, at)?;
        }
    }
    Ok(id)
}

/// The case transition a verdict makes, logged with its evidence.
pub(super) fn act_on(
    tx: &Tx,
    id: i64,
    msg: &Inbound,
    decision: &Decision,
    operator: &str,
    at: &str,
) -> Result<Option<(String, CaseState, CaseState)>> {
    use CaseState::*;
    if decision.verdict == Verdict::Unrelated && decision.tld.is_none() {
        return Ok(None);
    }
    let tld = decision.tld.as_ref().map(TldCode::as_str);
    let evidence = json!({
        "message": id,
        "message_id": msg.message_id,
        "from": msg.from_address(),
        "verdict": decision.verdict,
        "why": decision.why,
        "contacts": decision.contacts.len(),
        "too_many_contacts": decision.too_many_contacts,
        "authentication_results": msg.header_values("authentication-results").collect::<Vec<_>>(),
    });
    tx.append_event(at, operator, tld, "message_received", &evidence)?;
    let Some(tld) = tld else {
        return Ok(None);
    };
    let (from, to): (&[CaseState], CaseState) = match decision.verdict {
        Verdict::AdminFrom | Verdict::AdminCc => {
            (&[Uninvited, Invited, Reminded, Bounced], Answered)
        }
        Verdict::Bounce if !decision.delivery_delayed => (&[Invited, Reminded], Bounced),
        _ => return Ok(None),
    };
    let Some(was) = tx.transition(tld, from, to, at)? else {
        return Ok(None);
    };
    tx.append_event(
        at,
        operator,
        Some(tld),
        &format!("case_{to}"),
        &json!({ "from": was, "to": to, "message": id, "message_id": msg.message_id, "why": decision.why }),
    )?;
    Ok(Some((tld.to_string(), was, to)))
}
