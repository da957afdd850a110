//! Mail sources: where ingested messages come from (IMAP, Maildir, mbox), behind one trait so
//! the ingest pipeline does not care which, and the IMAP library can be swapped.
//!
//! Sources deliver bytes; they never parse, classify or store. Fetching is two-phase: headers
//! of new messages first, streamed to the caller as they arrive (so a first poll of a large
//! mailbox is judged and stored while it downloads), then full bodies only for the messages
//! triage needs.

pub mod backoff;
pub mod imap;
pub mod local;
pub mod wake;

use std::time::Instant;

use anyhow::Result;
use wake::{Wait, Wakeup};

/// Where a mailbox's last pass ended: IMAP's UIDVALIDITY and the highest UID ingested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub uidvalidity: u32,
    pub last_uid: u32,
}

/// The header block of one new message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The UID, meaningful with the mailbox's UIDVALIDITY at the time (0 for local files).
    pub uidvalidity: u32,
    pub uid: u32,
    /// The whole message's size in bytes, as the server reports it.
    pub size: u64,
    /// The raw header block (up to and including the blank line).
    pub bytes: Vec<u8>,
}

/// What a header scan learnt about the mailbox itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scan {
    pub uidvalidity: u32,
    /// UIDVALIDITY differs from the checkpoint's: UIDs were renumbered, so this is a full
    /// rescan; already-stored messages are recognised by Message-ID or content hash.
    pub rescan: bool,
}

/// Everything new at once: [`MailSource::fetch_headers`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderBatch {
    pub uidvalidity: u32,
    /// Messages with UID above the checkpoint's (all of them after a rescan), in UID order.
    pub headers: Vec<Header>,
    pub rescan: bool,
}

/// Bodies fetched on a connection of their own ([`MailSource::alongside`]).
pub trait BodyFetch: Send {
    /// As [`MailSource::fetch_bodies`], of the messages the scan under `uidvalidity` found:
    /// an error if the mailbox's UIDVALIDITY is another by now.
    fn fetch(&mut self, uidvalidity: u32, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>>;

    /// Logs out.
    fn close(&mut self);
}

pub trait MailSource {
    /// A stable name for the mailbox, the key of its sync state: `imap:user@host:port/INBOX`,
    /// `maildir:/path`, `mbox:/path`.
    fn name(&self) -> String;

    /// Hands the header of every message newer than `since` (all of them when `None` or on
    /// rescan) to `each`, in UID order, as it arrives. An error from `each` stops the scan.
    fn scan_headers(
        &mut self,
        since: Option<Checkpoint>,
        each: &mut dyn FnMut(Header) -> Result<()>,
    ) -> Result<Scan>;

    /// The full raw bytes of these messages (the caller leaves out those over its size cap).
    /// A message that vanished meanwhile (expunged) is simply missing from the result.
    fn fetch_bodies(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>>;

    /// A message an earlier pass stored, whole: to read the body of mail first judged on its
    /// headers alone. `is_it` recognises it (UIDs alone are not trusted: a local mailbox
    /// numbers its files afresh on every read). `None` when the mailbox no longer has it.
    fn refetch(
        &mut self,
        uidvalidity: u32,
        uid: u32,
        is_it: &dyn Fn(&[u8]) -> bool,
    ) -> Result<Option<Vec<u8>>>;

    /// A second connection to this mailbox, opened on first use, to fetch bodies while a
    /// long scan streams headers on the first; `None` where bodies cost no round trips.
    fn alongside(&self) -> Option<Box<dyn BodyFetch>> {
        None
    }

    /// Waits between passes until `until` (the poll interval's end), `wake` is woken, or —
    /// where the source can tell — new mail arrives. Never fails: a connection that breaks
    /// while waiting (IMAP IDLE) ends the wait as [`Wait::Lost`], and the next pass reconnects
    /// (or reports why it cannot).
    fn wait_for_mail(&mut self, until: Instant, wake: &Wakeup) -> Wait {
        wake.wait_until(until)
    }

    /// Whether [`MailSource::wait_for_mail`] will hear of new mail as it comes (IMAP IDLE on
    /// the last pass's connection), not only wait out the interval: front ends say which.
    fn hears_new_mail(&mut self) -> bool {
        false
    }

    /// The headers of everything new, collected.
    fn fetch_headers(&mut self, since: Option<Checkpoint>) -> Result<HeaderBatch> {
        let mut headers = Vec::new();
        let scan = self.scan_headers(since, &mut |h| {
            headers.push(h);
            Ok(())
        })?;
        Ok(HeaderBatch {
            uidvalidity: scan.uidvalidity,
            headers,
            rescan: scan.rescan,
        })
    }
}
