//! A pass over a mailbox made up here, with a second connection for the bodies: what is
//! fetched where, and what is stored, when the second connection breaks, the pass is stopped
//! or the store fails.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::{Result, bail};

use crate::config::Config;
use crate::mail::{BodyFetch, Checkpoint, Header, MailSource, Scan};
use crate::service::Service;

/// Messages in the made-up mailbox: more than a long scan's first chunks, so the bodies are
/// read alongside.
const N: u32 = 3_000;

/// Every seventh message is a bounce (its body is needed), the rest newsletters.
fn head(uid: u32) -> String {
    if uid.is_multiple_of(7) {
        format!(
            "From: MAILER-DAEMON@mx.example\r\nTo: secretariat@ccnso.example.org\r\n\
             Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b.{uid}@mx.example>\r\n\
             Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
        )
    } else {
        format!(
            "From: News <news@lists.example.net>\r\nTo: secretariat@ccnso.example.org\r\n\
             Subject: Digest {uid}\r\nMessage-ID: <d.{uid}@lists.example.net>\r\n\
             Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nList-Id: <news.lists.example.net>\r\n\r\n"
        )
    }
}

fn whole(uid: u32) -> Vec<u8> {
    let body =
        "--b\r\nContent-Type: text/plain\r\n\r\nDelivery to x@y.example failed.\r\n--b--\r\n";
    format!("{}{body}", head(uid)).into_bytes()
}

/// What the mailbox was asked for, and how it misbehaves.
#[derive(Default)]
struct Server {
    /// Bodies it no longer has.
    expunged: Vec<u32>,
    /// The second connection fails from this command on.
    second_fails_from: Option<usize>,
    /// Set once the scan has handed on its last header.
    stop_after_scan: Option<Arc<AtomicBool>>,
    scans: AtomicUsize,
    second_commands: AtomicUsize,
    fetched_second: AtomicUsize,
    fetched_first: AtomicUsize,
}

impl Server {
    fn bodies(&self, uids: &[u32]) -> Vec<(u32, Vec<u8>)> {
        let there = uids.iter().filter(|u| !self.expunged.contains(u));
        there.map(|&u| (u, whole(u))).collect()
    }
}

struct Mailbox(Arc<Server>);
struct Second(Arc<Server>);

impl BodyFetch for Second {
    fn fetch(&mut self, _uidvalidity: u32, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>> {
        let n = self.0.second_commands.fetch_add(1, Ordering::SeqCst);
        if self.0.second_fails_from.is_some_and(|from| n >= from) {
            bail!("connection reset");
        }
        self.0
            .fetched_second
            .fetch_add(uids.len(), Ordering::SeqCst);
        Ok(self.0.bodies(uids))
    }

    fn close(&mut self) {}
}

impl MailSource for Mailbox {
    fn name(&self) -> String {
        "imap:test".into()
    }

    fn scan_headers(
        &mut self,
        since: Option<Checkpoint>,
        each: &mut dyn FnMut(Header) -> Result<()>,
    ) -> Result<Scan> {
        self.0.scans.fetch_add(1, Ordering::SeqCst);
        for uid in since.map_or(0, |s| s.last_uid) + 1..=N {
            let bytes = head(uid).into_bytes();
            let size = bytes.len() as u64 + 100;
            each(Header {
                uidvalidity: 1,
                uid,
                size,
                bytes,
            })?;
        }
        if let Some(stop) = &self.0.stop_after_scan {
            stop.store(true, Ordering::SeqCst);
        }
        Ok(Scan {
            uidvalidity: 1,
            rescan: false,
        })
    }

    fn fetch_bodies(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>> {
        self.0.fetched_first.fetch_add(uids.len(), Ordering::SeqCst);
        Ok(self.0.bodies(uids))
    }

    fn refetch(&mut self, _: u32, _: u32, _: &dyn Fn(&[u8]) -> bool) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }

    fn alongside(&self) -> Option<Box<dyn BodyFetch>> {
        Some(Box::new(Second(self.0.clone())))
    }
}

fn service() -> Service {
    Service::in_memory_polling(Config::default(), "test".into()).unwrap()
}

#[test]
fn a_pass_without_a_roster_is_refused_and_stores_nothing() {
    let s = Service::in_memory(Config::default(), "test".into()).unwrap();
    let server = Arc::new(Server::default());
    let err = s.ingest(&mut Mailbox(server.clone())).unwrap_err();
    assert!(
        format!("{err:#}").contains("the roster is empty"),
        "{err:#}"
    );
    assert_eq!(count(&s, "SELECT count(*) FROM messages"), 0);
    assert_eq!(
        server.scans.load(Ordering::SeqCst),
        0,
        "the mailbox was not read"
    );
}

fn count(s: &Service, sql: &str) -> i64 {
    s.store
        .write(|tx| Ok(tx.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

const WITH_BODIES: &str =
    "SELECT count(*) FROM messages WHERE CAST(raw AS TEXT) LIKE '%Delivery to%'";

#[test]
fn bodies_come_on_the_second_connection_and_a_missing_one_is_stored_as_judged() {
    let s = service();
    let server = Arc::new(Server {
        expunged: vec![7, 1407],
        ..Server::default()
    });
    let report = s.ingest(&mut Mailbox(server.clone())).unwrap();
    assert_eq!((report.seen, report.stored), (N as usize, N as usize));
    assert_eq!(count(&s, "SELECT count(*) FROM messages"), i64::from(N));
    assert_eq!(count(&s, WITH_BODIES), i64::from(N / 7) - 2);
    assert_eq!(
        count(&s, "SELECT max(last_uid) FROM mailbox_sync"),
        i64::from(N)
    );
    assert!(server.fetched_second.load(Ordering::SeqCst) > 0);
}

#[test]
fn a_broken_second_connection_leaves_its_bodies_to_the_scanner() {
    let s = service();
    let server = Arc::new(Server {
        second_fails_from: Some(1),
        ..Server::default()
    });
    s.ingest(&mut Mailbox(server.clone())).unwrap();
    assert_eq!(count(&s, WITH_BODIES), i64::from(N / 7));
    assert!(server.fetched_first.load(Ordering::SeqCst) > 0);
    assert_eq!(
        count(&s, "SELECT max(last_uid) FROM mailbox_sync"),
        i64::from(N)
    );
}

/// Stopped once the scan is over: the bodies still to come are not fetched on the first
/// connection (which took as long as the scan again); they wait for the next pass, behind the
/// checkpoint.
#[test]
fn a_pass_stopped_after_its_scan_fetches_nothing_more() {
    let s = service();
    let stop = Arc::new(AtomicBool::new(false));
    let server = Arc::new(Server {
        second_fails_from: Some(0),
        stop_after_scan: Some(stop.clone()),
        ..Server::default()
    });
    let report = s.ingest_until(&mut Mailbox(server.clone()), &stop).unwrap();
    assert!(report.stopped);
    assert_eq!(server.fetched_first.load(Ordering::SeqCst), 0);
    let checkpoint = count(&s, "SELECT coalesce(max(last_uid), 0) FROM mailbox_sync");
    assert!(
        checkpoint < 7,
        "checkpoint {checkpoint} passed a message not stored"
    );
    // The next pass stores the rest, nothing twice.
    let again = Arc::new(Server::default());
    s.ingest(&mut Mailbox(again)).unwrap();
    assert_eq!(count(&s, "SELECT count(*) FROM messages"), i64::from(N));
    assert_eq!(count(&s, WITH_BODIES), i64::from(N / 7));
}

/// A store that fails ends the pass with its error, and no body is fetched for nothing.
#[test]
fn a_failed_store_fetches_no_more_bodies() {
    let s = service();
    s.store
        .write(|tx| {
            tx.execute_batch(
                "CREATE TRIGGER fail BEFORE INSERT ON messages WHEN NEW.uid = 350
                 BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
            )?;
            Ok(())
        })
        .unwrap();
    let server = Arc::new(Server::default());
    let err = s.ingest(&mut Mailbox(server.clone())).unwrap_err();
    assert!(format!("{err:#}").contains("disk full"), "{err:#}");
    assert_eq!(server.fetched_first.load(Ordering::SeqCst), 0);
    assert!(count(&s, "SELECT coalesce(max(last_uid), 0) FROM mailbox_sync") < 350);
}
