//! A poll pass: new mail from a source → parse → triage → store, with the case transitions,
//! the audit events and the mailbox checkpoint.
//!
//! Three stages run at once, so a first poll of a large mailbox costs little more than its
//! download: the source streams header blocks (one thread), judges parse and triage them (one
//! per core), and this thread stores them, committing four times a second. The bodies the
//! judges ask for are fetched and read on a second connection while a long scan goes on (else
//! by the scanner after it); each of those messages is stored once its body has come.
//! Each commit moves the mailbox checkpoint with it, up to the first message still waiting for
//! its body, so a pass killed at any moment loses nothing and leaves its progress; nothing is
//! stored twice either: a message stored by an interrupted pass is recognised (Message-ID, or
//! content hash) when the next pass sees it again.

mod stages;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use super::Service;
use crate::config::VouchingRole;
use crate::domain::case::{CaseState, Event};
use crate::domain::email::address_key;
use crate::domain::member::ContactState;
use crate::domain::message::Inbound;
use crate::domain::time::Timestamp;
use crate::domain::tld::TldCode;
use crate::domain::triage::{self, Context, Decision, SentMail, Verdict};
use crate::mail::{Checkpoint, Header, MailSource};
use crate::store::{CaseQueries, ContactQueries, MessageQueries, NewMessage, RosterQueries, Tx};
use stages::{
    ALONGSIDE_FROM_CHUNK, Arrival, InOrder, Judged, Whole, fetch_alongside, hand_on, judge, judges,
    next_chunk, par_map, read_whole, scan_in_chunks,
};

/// The store stage commits at least this often. A commit that takes the WAL past SQLite's
/// automatic checkpoint (1,000 pages: 16 MiB) ends in that checkpoint, during which the store
/// takes nothing: short transactions keep the pause short (a second's worth, ~45 MB at a first
/// poll, stalled the scan for 0.2 s), and the chunks queued meanwhile ([`QUEUED`]) keep the
/// scan and the judges going through it.
const COMMIT_EVERY: Duration = Duration::from_millis(250);

/// Chunks of header blocks waiting for a judge (headers only: about a megabyte each), and
/// judged chunks or read bodies (each up to `imap.max_message_size`) waiting for the store, at
/// most: enough to ride out a checkpoint, few enough to bound memory.
const QUEUED: (usize, usize) = (8, 16);

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
    /// Stopped on request before the end: what was stored stays, with the checkpoint of its
    /// last commit, and the next pass goes on from there.
    pub stopped: bool,
    /// The pass committed something (messages, moves, its checkpoint): views showing the
    /// database are out of date. A pass with nothing new writes nothing.
    pub wrote: bool,
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
            ctx.add_registry(
                &row.tld.code,
                &row.tld.country,
                &[row.tld.admin.email.as_str(), row.tld.tech.email.as_str()],
            );
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
                    kind: sent.kind.into(),
                    tld: TldCode::from_stored(sent.tld),
                    message_id: sent.message_id,
                    sent_on: sent.created_at.date(),
                    to: recipients.iter().filter_map(|r| address_key(r)).collect(),
                },
                None,
            );
        }
        for m in self.store.contacts_in(ContactState::Subscribed)? {
            ctx.add_member(&m.email, &TldCode::from_stored(m.tld));
        }
        for (token, tld) in self.store.case_tokens()? {
            ctx.add_token(&token, &TldCode::from_stored(tld));
        }
        for own in [&c.list.address, &c.list.secretariat].into_iter().flatten() {
            ctx.add_own_address(own);
        }
        Ok(ctx)
    }

    /// One pass over `source`: everything new is stored, classified and acted on. A pass
    /// that fails (mailbox or database) ends with that error at once; it keeps what it
    /// committed, and the next pass goes on from the checkpoint, recognising what is stored.
    pub fn ingest(&self, source: &mut (dyn MailSource + Send)) -> Result<IngestReport> {
        self.ingest_until(source, &AtomicBool::new(false))
    }

    /// [`Service::ingest`], stopping early once `stop` is set (a signal): what was scanned is
    /// stored (a message that needs its body, if its body came), nothing more is fetched, and
    /// the report says `stopped`.
    pub fn ingest_until(
        &self,
        source: &mut (dyn MailSource + Send),
        stop: &AtomicBool,
    ) -> Result<IngestReport> {
        let name = source.name();
        let max_size = self.max_message_size();
        let since = self.store.checkpoint(&name)?;
        let ctx = self.triage_context()?;
        // A pass never judges again what it stored: polled without a roster, every reply would
        // stay filed as unrelated.
        if ctx.knows_no_tld() {
            anyhow::bail!(
                "the roster is empty: import it first (tldops roster import FILE); polled \
                 now, every reply would be filed as unrelated to any ccTLD"
            );
        }
        self.store.for_large_transactions()?;
        let mut pass = Pass {
            report: IngestReport {
                source: name.clone(),
                ..IngestReport::default()
            },
            at: self.now(),
            operator: self.operator.clone(),
            last_uid: 0,
            waiting: BTreeMap::new(),
            bodies: BTreeMap::new(),
            deferred_ids: HashSet::new(),
            uidvalidity: None,
            checkpointed: 0,
        };

        // Scan, judge, store. The bodies the judges ask for are fetched and read alongside a
        // long scan on a second connection; the scanner fetches the rest (all of them after a
        // short scan). The store takes each message once it can: at once when its headers
        // decide, else when its body has come.
        let scanning = &mut *source;
        let scanned = std::thread::scope(|scope| -> Result<_> {
            let (raw_out, raw_in) = sync_channel::<(usize, Vec<Header>)>(QUEUED.0);
            let (arrival_out, arrivals) = sync_channel::<Arrival>(QUEUED.1);
            let (wanted_out, wanted_in) = channel::<(u32, u32)>();
            let ctx = &ctx;
            // The judges start with the first chunk: a pass with nothing new (the poll timer's,
            // once a minute while IDLE waits) starts one thread, not three.
            let raw_in = Arc::new(Mutex::new(raw_in));
            let judged_out = arrival_out.clone();
            let mut judges = Some(move || {
                for _ in 0..judges() {
                    let (raw_in, judged_out) = (raw_in.clone(), judged_out.clone());
                    let wanted_out = wanted_out.clone();
                    scope.spawn(move || {
                        while let Some((seq, chunk)) = next_chunk(&raw_in) {
                            let judged: Vec<Judged> =
                                chunk.into_iter().map(|h| judge(h, ctx, max_size)).collect();
                            for j in judged.iter().filter(|j| j.wants_body) {
                                let _ = wanted_out.send((j.header.uidvalidity, j.header.uid));
                            }
                            if judged_out.send(Arrival::Chunk(seq, judged)).is_err() {
                                return;
                            }
                        }
                    });
                }
                // Only the judges may hold the chunk receiver: when a failed store stops them,
                // the scanner's next send fails and the scan ends, instead of waiting for ever.
            });
            let scanner = scope.spawn(move || -> Result<_> {
                let mut alongside = scanning.alongside(); // connects only when first used
                let mut wanted = Some(wanted_in);
                let mut fetcher = None;
                let mut before = |seq: usize| {
                    if let Some(start) = judges.take() {
                        start();
                    }
                    if seq == ALONGSIDE_FROM_CHUNK
                        && let Some(second) = alongside.take()
                        && let Some(wanted) = wanted.take()
                    {
                        let out = arrival_out.clone();
                        fetcher = Some(
                            scope.spawn(move || fetch_alongside(second, wanted, out, ctx, stop)),
                        );
                    }
                };
                let scan = scan_in_chunks(scanning, since, raw_out, stop, &mut before);
                // Judges never started hold senders the waits below would wait on for ever.
                drop(judges);
                let left: Vec<u32> = match (fetcher, wanted) {
                    (Some(fetcher), _) => fetcher.join().expect("the fetcher does not panic"),
                    // Until the judges are done.
                    (None, Some(wanted)) => wanted.iter().map(|w| w.1).collect(),
                    (None, None) => unreachable!("the receiver went to a fetcher"),
                };
                let scan = match scan {
                    // (A source may wrap the error: the flag is what tells.)
                    Err(_) if stop.load(Ordering::Relaxed) => return Ok(None),
                    scan => scan?,
                };
                // Stopped after the scan's end: the bodies still to fetch wait for the next pass.
                if stop.load(Ordering::Relaxed) {
                    return Ok(None);
                }
                if !left.is_empty() {
                    let fetched = scanning.fetch_bodies(&left)?;
                    let read = par_map(fetched, |(uid, body)| (uid, read_whole(body, ctx)));
                    // A failed store has its own error to tell.
                    hand_on(&left, read, &arrival_out);
                }
                Ok(Some(scan))
            });
            let stored = self.store_as_it_comes(&arrivals, &mut pass);
            drop(arrivals); // a failed store stops the judges, and through them the scan
            let scanned = scanner.join().expect("the scanner does not panic");
            stored?;
            scanned
        })?;

        let Some(scan) = scanned else {
            pass.report.stopped = true;
            return Ok(pass.report);
        };

        // Last, the checkpoint. Every body asked for has come by now, or the mailbox said it
        // had it no more (then the message was stored as judged on its headers).
        debug_assert!(
            pass.waiting.is_empty(),
            "messages still wait for their bodies"
        );
        pass.report.rescan = scan.rescan;
        let last_uid = pass.last_uid.max(
            since
                .filter(|s| s.uidvalidity == scan.uidvalidity)
                .map_or(0, |s| s.last_uid),
        );
        let checkpoint = Checkpoint {
            uidvalidity: scan.uidvalidity,
            last_uid: pass.stored_up_to(last_uid),
        };
        // A pass with no news writes nothing: a commit would wake every TUI on this database
        // to reload (the poll timer's pass while IDLE waits, once a minute, at any size).
        if self.store.checkpoint(&name)? != Some(checkpoint) {
            self.store
                .write(|tx| tx.set_checkpoint(&name, checkpoint, pass.at))?;
            pass.report.wrote = true;
        }
        let report = pass.report;
        // A pass with nothing new is not worth a line a minute in the log (a write in the data
        // directory, which also wakes every TUI watching it for commits).
        if report.wrote || report.seen > 0 {
            tracing::info!(
                source = %report.source,
                seen = report.seen,
                stored = report.stored,
                duplicates = report.duplicates,
                "poll pass"
            );
        } else {
            tracing::debug!(source = %report.source, "poll pass: nothing new");
        }
        Ok(report)
    }

    /// The store stage: takes the judged chunks in scan order and stores every message its
    /// headers decide, and the others as their bodies come, committing at least every
    /// [`COMMIT_EVERY`]: other operators' actions are not held up by a long first poll, and
    /// transactions of many chunks write each index page once rather than once per chunk.
    fn store_as_it_comes(&self, arrivals: &Receiver<Arrival>, pass: &mut Pass) -> Result<()> {
        let mut arriving = InOrder {
            arrivals,
            early: BTreeMap::new(),
            next: 0,
        };
        // The transaction opens only once there is something to store.
        while let Some(first) = arriving.next(None) {
            let deadline = Instant::now() + COMMIT_EVERY;
            self.store.write(|tx| {
                let mut arrival = Some(first);
                while let Some(a) = arrival {
                    match a {
                        Arrival::Chunk(_, chunk) => {
                            for j in chunk {
                                pass.take(tx, j)?;
                            }
                        }
                        Arrival::Body(uid, whole) => {
                            pass.bodies.insert(uid, whole);
                        }
                    }
                    pass.store_bodied(tx)?;
                    arrival = arriving.next(Some(deadline));
                }
                pass.checkpoint(tx)
            })?;
            pass.report.wrote = true;
        }
        Ok(())
    }
}

/// One pass's running state, shared by its store steps.
struct Pass {
    report: IngestReport,
    at: Timestamp,
    operator: String,
    /// The highest UID the scan handed on.
    last_uid: u32,
    /// Judged on their headers, waiting for their bodies, by UID.
    waiting: BTreeMap<u32, Judged>,
    /// Bodies read (`None`: the mailbox no longer had it) not yet stored: they are stored in
    /// UID order, as the mailbox has them.
    bodies: BTreeMap<u32, Option<Box<Whole>>>,
    /// The Message-IDs of those that waited for their bodies: a later copy of one is a
    /// duplicate, not a new message.
    deferred_ids: HashSet<String>,
    /// The mailbox's UIDVALIDITY, as the scanned headers carry it.
    uidvalidity: Option<u32>,
    /// The checkpoint as last committed (0: none in this UIDVALIDITY).
    checkpointed: u32,
}

impl Pass {
    /// Moves the mailbox checkpoint, in the transaction that stored them, past every message
    /// stored so far — but not past one still waiting for its body. Headers arrive in UID
    /// order, so everything up to it is stored: a pass killed or cut off later starts again
    /// from here instead of from the start.
    fn checkpoint(&mut self, tx: &Tx) -> Result<()> {
        let Some(uidvalidity) = self.uidvalidity else {
            return Ok(());
        };
        let safe = self.stored_up_to(self.last_uid);
        if safe > self.checkpointed {
            tx.set_checkpoint(
                &self.report.source,
                Checkpoint {
                    uidvalidity,
                    last_uid: safe,
                },
                self.at,
            )?;
            self.checkpointed = safe;
        }
        Ok(())
    }

    /// `uid`, or less: never past a message still waiting for its body.
    fn stored_up_to(&self, uid: u32) -> u32 {
        match self.waiting.keys().next() {
            Some(&lowest) => uid.min(lowest.saturating_sub(1)),
            None => uid,
        }
    }

    /// Stores a message its headers decide, or sets it aside for its body.
    fn take(&mut self, tx: &Tx, j: Judged) -> Result<()> {
        self.report.seen += 1;
        self.last_uid = self.last_uid.max(j.header.uid);
        self.uidvalidity = Some(j.header.uidvalidity);
        let id = j.head.message_id.as_deref();
        if j.wants_body {
            self.deferred_ids.extend(id.map(str::to_string));
            self.waiting.insert(j.header.uid, j);
        } else if id.is_some_and(|id| self.deferred_ids.contains(id)) {
            self.report.duplicates += 1; // a copy of one waiting for its body
        } else {
            self.store_as_judged(tx, &j)?;
        }
        Ok(())
    }

    /// Stores a message as its headers were judged, without its body.
    fn store_as_judged(&mut self, tx: &Tx, j: &Judged) -> Result<()> {
        let content = Content {
            raw: &j.header.bytes,
            hash: &j.hash,
            full: false,
        };
        self.store(tx, &j.header, content, &j.head, &j.decision)
    }

    /// Stores the waiting messages whose bodies have come, from the lowest UID up to the first
    /// still waiting: among them, case moves happen in mailbox order whatever order the bodies
    /// come in (those the headers decide are stored as their chunk comes).
    /// One stored by an earlier, interrupted pass or before a rescan is a duplicate when its
    /// insert finds it.
    fn store_bodied(&mut self, tx: &Tx) -> Result<()> {
        while let Some(entry) = self.waiting.first_entry()
            && let Some(whole) = self.bodies.remove(entry.key())
        {
            let j = entry.remove();
            match whole {
                Some(whole) => {
                    let (body, hash, msg, decision) = *whole;
                    let content = Content {
                        raw: &body,
                        hash: &hash,
                        full: true,
                    };
                    self.store(tx, &j.header, content, &msg, &decision)?;
                }
                // Expunged since its header came: what the header said is all there is.
                None => self.store_as_judged(tx, &j)?,
            }
        }
        Ok(())
    }

    /// Stores one message with its proposed contacts, counts it, and acts on its verdict.
    fn store(
        &mut self,
        tx: &Tx,
        header: &Header,
        content: Content,
        msg: &Inbound,
        decision: &Decision,
    ) -> Result<()> {
        let tld = decision.tld.as_ref().map(TldCode::as_str);
        let stored = tx.insert_message(&NewMessage {
            message_id: msg.message_id.as_deref(),
            content_hash: content.hash,
            source: &self.report.source,
            uidvalidity: Some(header.uidvalidity),
            uid: Some(header.uid),
            date: msg.date.as_deref(),
            from: msg.from_address(),
            subject: &msg.subject,
            verdict: decision.verdict,
            tld,
            why: &decision.why,
            parse_error: msg.parse_error.as_deref(),
            raw: content.raw,
            at: self.at,
            intent: decision.intent,
            requested: if decision.verdict.requests_contacts() {
                &decision.contacts
            } else {
                &[]
            },
        })?;
        let Some(id) = stored else {
            self.report.duplicates += 1;
            return Ok(());
        };
        if let Some(tld) = tld.filter(|_| !decision.verdict.requests_contacts()) {
            for c in &decision.contacts {
                tx.insert_contact(tld, c, id, self.at)?;
            }
        }
        let r = &mut self.report;
        r.stored += 1;
        r.headers_only += usize::from(!content.full);
        *r.verdicts.entry(decision.verdict.to_string()).or_default() += 1;
        if let Some(t) = act_on(tx, id, msg, decision, &self.operator, self.at)? {
            r.transitions.push(t);
        }
        Ok(())
    }
}

/// What is stored of a message: `raw` (the whole message, its header block, or the digest of
/// that), the SHA-256 of what was fetched, and whether that was the whole message.
struct Content<'a> {
    raw: &'a [u8],
    hash: &'a str,
    full: bool,
}

/// The case transition a verdict makes, logged with its evidence.
pub(super) fn act_on(
    tx: &Tx,
    id: i64,
    msg: &Inbound,
    decision: &Decision,
    operator: &str,
    at: Timestamp,
) -> Result<Option<(String, CaseState, CaseState)>> {
    let tld = decision.tld.as_ref().map(TldCode::as_str);
    if triage::concerns_no_case(decision.verdict, tld) {
        return Ok(None);
    }
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
    // Which moves a verdict may make is the case lifecycle's to say (CaseState::next).
    if matches!(decision.verdict, Verdict::AdminFrom | Verdict::AdminCc) {
        // The admin answers a request put to them: its contacts become proposals beside
        // those the reply names (DESIGN §8.1); the operator decides as for an invitation.
        let requested = tx.take_requested(tld)?;
        for c in &requested {
            if !decision
                .contacts
                .iter()
                .any(|d| address_key(&d.email) == address_key(&c.email))
            {
                tx.insert_contact(tld, c, id, at)?;
            }
        }
        if !requested.is_empty() {
            tx.append_event(
                at,
                operator,
                Some(tld),
                "request_answered",
                &json!({ "message": id, "proposed": requested.iter().map(|c| &c.email).collect::<Vec<_>>() }),
            )?;
        }
    }
    let event = match decision.verdict {
        Verdict::AdminFrom | Verdict::AdminCc => Event::Answer,
        Verdict::Bounce if !decision.delivery_delayed => Event::Bounce,
        _ => return Ok(None),
    };
    let Some((was, to)) = tx.apply_event(tld, event, at)? else {
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
