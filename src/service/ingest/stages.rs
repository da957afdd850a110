//! The stages of a pass that run side by side: the scan in chunks, the judges, the bodies
//! fetched alongside the scan, and putting judged chunks back in order for the store.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use anyhow::Result;

use crate::domain::audit::sha256_hex;
use crate::domain::message::{Inbound, header_digest, parse_keeping};
use crate::domain::tld::TldCode;
use crate::domain::triage::{self, Context, Decision};
use crate::mail::{BodyFetch, Checkpoint, Header, MailSource, Scan};

/// Header blocks per chunk between the stages.
pub(super) const CHUNK: usize = 500;
/// A scan that reaches this chunk is long enough to be worth a second login: the bodies the
/// judges ask for are fetched and read on it while the scan goes on, not after.
pub(super) const ALONGSIDE_FROM_CHUNK: usize = 2;
/// Bodies asked for in one command on the second connection, at most.
const ALONGSIDE_BATCH: usize = 64;

/// A whole message read: its bytes and their hash, parsed, triaged.
pub(super) type Whole = (Vec<u8>, String, Inbound, Decision);

/// Hashes, parses and triages a whole message (on the thread that fetched it, not the
/// store's).
pub(super) fn read_whole(body: Vec<u8>, ctx: &Context) -> Whole {
    let msg = parse_keeping(&body, true, Some(&TRIAGE_HEADERS));
    let decision = triage::triage(&msg, ctx);
    let hash = sha256_hex(&body);
    (body, hash, msg, decision)
}

/// What reaches the store stage: judged chunks (numbered in scan order) and the bodies asked
/// for, as they are read — `None` when the mailbox had no such message any more (expunged).
pub(super) enum Arrival {
    Chunk(usize, Vec<Judged>),
    Body(u32, Option<Box<Whole>>),
}

/// Fetches and reads the bodies asked for on `wanted` (UIDVALIDITY, UID) on a connection of
/// its own, until the judges are done, handing each to the store as it is read. Returns the
/// UIDs it could not fetch (its connection failed, or the pass is stopping): the scanner
/// fetches those itself — none once the store is gone (the pass has failed).
pub(super) fn fetch_alongside(
    mut second: Box<dyn BodyFetch>,
    wanted: Receiver<(u32, u32)>,
    out: SyncSender<Arrival>,
    ctx: &Context,
    stop: &AtomicBool,
) -> Vec<u32> {
    let mut left = Vec::new();
    let mut failed = false;
    while let Ok(first) = wanted.recv() {
        let mut batch = vec![first];
        while batch.len() < ALONGSIDE_BATCH
            && let Ok(more) = wanted.try_recv()
        {
            batch.push(more);
        }
        let uids: Vec<u32> = batch.iter().map(|&(_, uid)| uid).collect();
        if failed || stop.load(Ordering::Relaxed) {
            left.extend(uids);
            continue;
        }
        match second.fetch(first.0, &uids) {
            Ok(bodies) => {
                // On all cores: once the scan has ended, the judges are idle while the bodies
                // the fetcher still has to read are the pass's tail.
                let read = par_map(bodies, |(uid, b)| (uid, read_whole(b, ctx)));
                if !hand_on(&uids, read, &out) {
                    left.clear(); // the store failed: nothing more is worth fetching
                    break;
                }
            }
            Err(e) => {
                tracing::info!("bodies on a second connection: {e:#}; fetched after the scan");
                failed = true;
                left.extend(uids);
            }
        }
    }
    second.close();
    left
}

/// Sends the bodies read of those asked for in `uids` to the store, and `None` for each the
/// mailbox did not give (so the store need not wait for it); `false` once the store is gone.
pub(super) fn hand_on(
    uids: &[u32],
    read: impl IntoIterator<Item = (u32, Whole)>,
    out: &SyncSender<Arrival>,
) -> bool {
    let mut given = std::collections::HashSet::new();
    for (uid, whole) in read {
        given.insert(uid);
        if out.send(Arrival::Body(uid, Some(Box::new(whole)))).is_err() {
            return false;
        }
    }
    uids.iter()
        .filter(|u| !given.contains(u))
        .all(|&uid| out.send(Arrival::Body(uid, None)).is_ok())
}

/// What ends a scan stopped on request ([`Service::ingest_until`]).
#[derive(Debug, thiserror::Error)]
#[error("the pass was stopped")]
pub(super) struct Stopped;

/// A message judged on its header block.
pub(super) struct Judged {
    /// Its `bytes` are what gets stored when the headers decide: the block, or for mail that
    /// concerns no case, its digest.
    pub(super) header: Header,
    pub(super) head: Inbound,
    pub(super) decision: Decision,
    /// The content hash of the block as fetched (what is stored without a body).
    pub(super) hash: String,
    /// Its body is needed (and under the size cap): it is stored once that has come.
    pub(super) wants_body: bool,
}

/// The headers parsing keeps: those triage reads.
pub(super) static TRIAGE_HEADERS: LazyLock<Vec<&'static str>> = LazyLock::new(triage::headers_read);

/// What a header block is judged by, and what is kept of mail that concerns no case.
pub(super) static DIGEST: LazyLock<Vec<&'static str>> = LazyLock::new(triage::digest_fields);

/// Judged chunks put back in scan order (judges finish them in any order); bodies pass as
/// they come.
pub(super) struct InOrder<'a> {
    pub(super) arrivals: &'a Receiver<Arrival>,
    pub(super) early: BTreeMap<usize, Vec<Judged>>,
    pub(super) next: usize,
}

impl InOrder<'_> {
    /// The next chunk in order or the next body; `None` at the end, or when `deadline` passes
    /// first.
    pub(super) fn next(&mut self, deadline: Option<Instant>) -> Option<Arrival> {
        loop {
            if let Some(chunk) = self.early.remove(&self.next) {
                self.next += 1;
                return Some(Arrival::Chunk(self.next - 1, chunk));
            }
            let arrival = match deadline {
                None => self.arrivals.recv().ok()?,
                Some(d) => self
                    .arrivals
                    .recv_timeout(d.checked_duration_since(Instant::now())?)
                    .ok()?,
            };
            match arrival {
                Arrival::Chunk(seq, chunk) => {
                    self.early.insert(seq, chunk);
                }
                body => return Some(body),
            }
        }
    }
}

/// Judge threads: one per core (the scanner and the store mostly wait on I/O and SQLite).
pub(super) fn judges() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// The scan: the source's headers, in chunks of [`CHUNK`] to the judges (`before` is told each
/// chunk's number first); the channel closes when the scan ends (so the judges finish).
pub(super) fn scan_in_chunks(
    source: &mut (dyn MailSource + Send),
    since: Option<Checkpoint>,
    out: SyncSender<(usize, Vec<Header>)>,
    stop: &AtomicBool,
    before: &mut dyn FnMut(usize),
) -> Result<Scan> {
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut seq = 0;
    let mut send = |chunk: Vec<Header>| -> Result<()> {
        before(seq);
        out.send((seq, chunk))
            .map_err(|_| anyhow::anyhow!("the pass stopped"))?;
        seq += 1;
        Ok(())
    };
    let scan = source.scan_headers(since, &mut |h| {
        if stop.load(Ordering::Relaxed) {
            return Err(Stopped.into());
        }
        chunk.push(h);
        if chunk.len() == CHUNK {
            send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))?;
        }
        Ok(())
    })?;
    if !chunk.is_empty() {
        send(chunk)?;
    }
    Ok(scan)
}

pub(super) fn next_chunk(
    queue: &Mutex<Receiver<(usize, Vec<Header>)>>,
) -> Option<(usize, Vec<Header>)> {
    queue.lock().ok()?.recv().ok()
}

/// Parses and triages one header block, by its digest (the fields judging reads; parsing
/// every `Received:` and `DKIM-Signature:` was most of the cost). What a message judged on its
/// headers alone keeps is only what storing needs: of mail concerning no case, the digest.
pub(super) fn judge(mut header: Header, ctx: &Context, max_size: u64) -> Judged {
    let digest = header_digest(&header.bytes, &DIGEST);
    let head = parse_keeping(&digest, false, Some(&TRIAGE_HEADERS));
    let decision = triage::triage(&head, ctx);
    let hash = sha256_hex(&header.bytes);
    if triage::needs_body(&head, &decision, ctx) {
        return Judged {
            wants_body: header.size <= max_size,
            header,
            head,
            decision,
            hash,
        };
    }
    let tld = decision.tld.as_ref().map(TldCode::as_str);
    if triage::kept_as_digest(decision.verdict, tld, head.parse_error.as_deref()) {
        header.bytes = digest;
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
    Judged {
        header,
        head: slim,
        decision,
        hash,
        wants_body: false,
    }
}

/// `f` over `items` on all cores, order kept: parsing and triaging full messages (replies with
/// HTML, vCards, long quotes) is the costly part of fetching bodies.
pub(super) fn par_map<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = judges();
    if threads < 2 || items.len() < 16 {
        return items.into_iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let mut chunks = Vec::new();
    let mut items = items.into_iter();
    loop {
        let chunk: Vec<T> = items.by_ref().take(per_thread).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("triage does not panic (fuzzed)"))
            .collect()
    })
}
