//! Mail sources: where ingested messages come from (IMAP, Maildir, mbox), behind one trait so
//! the ingest pipeline does not care which, and the IMAP library can be swapped.
//!
//! Sources deliver bytes; they never parse, classify or store. Fetching is two-phase: headers
//! of new messages first, then full bodies only for the messages triage needs.

pub mod backoff;
pub mod imap;
pub mod local;

use anyhow::Result;

/// Where a mailbox's last pass ended: IMAP's UIDVALIDITY and the highest UID ingested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub uidvalidity: u32,
    pub last_uid: u32,
}

/// The header block of one new message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub uid: u32,
    /// The whole message's size in bytes, as the server reports it.
    pub size: u64,
    /// The raw header block (up to and including the blank line).
    pub bytes: Vec<u8>,
}

/// The result of asking a source for what is new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderBatch {
    pub uidvalidity: u32,
    /// Messages with UID above the checkpoint's (all of them after a rescan), in UID order.
    pub headers: Vec<Header>,
    /// UIDVALIDITY differs from the checkpoint's: UIDs were renumbered, so this is a full
    /// rescan; already-stored messages are recognised by Message-ID or content hash.
    pub rescan: bool,
}

pub trait MailSource {
    /// A stable name for the mailbox, the key of its sync state: `imap:user@host:port/INBOX`,
    /// `maildir:/path`, `mbox:/path`.
    fn name(&self) -> String;

    /// Headers of the messages newer than `since` (all messages when `None` or on rescan).
    fn fetch_headers(&mut self, since: Option<Checkpoint>) -> Result<HeaderBatch>;

    /// The full raw bytes of these messages (the caller leaves out those over its size cap).
    /// A message that vanished meanwhile (expunged) is simply missing from the result.
    fn fetch_bodies(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>>;
}
