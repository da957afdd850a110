//! A second real IMAP server: GNU Mailutils imap4d (support/imap4d.rs). The source and
//! `tldops poll` against it: first poll, incremental polls, a UIDVALIDITY change,
//! LOGINDISABLED before STARTTLS, and an IDLE that never reports (the interval bounds it).

use std::time::Duration;

use crate::support;
use crate::support::imap4d::{Imap4d, PASSWORD, USER};
use crate::support::install::{CORPUS_CONFIG, Install};
use tldops::config::{DEFAULT_MAX_MESSAGE_SIZE, ImapConfig, Interval, TlsMode};
use tldops::mail::MailSource;
use tldops::mail::imap::ImapSource;
use tldops::mail::local::header_block;

const TIMEOUT: Duration = Duration::from_secs(10);

fn config(server: &Imap4d, tls: TlsMode) -> ImapConfig {
    ImapConfig {
        host: "127.0.0.1".into(),
        port: Some(server.port),
        tls,
        username: USER.into(),
        password_command: None,
        password_env: None,
        password: None,
        auth: None,
        oauth2_token_command: None,
        mailbox: "INBOX".into(),
        poll_interval: Interval(Duration::from_secs(60)),
        ca_file: None,
        max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
    }
}

fn source(config: &ImapConfig) -> ImapSource {
    ImapSource::new(config, Some(PASSWORD.into())).with_timeouts(TIMEOUT, TIMEOUT)
}

/// A reply to an invitation, CRLF as IMAP serves it.
fn message(n: u32) -> Vec<u8> {
    format!(
        "From: Nic Admin <hostmaster@nic.example>\r\nTo: secretariat@ccnso.example.org\r\n\
         Subject: Re: TLD-OPS invitation {n}\r\nMessage-ID: <m4-{n}@nic.example>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nOur security contact is sec{n}@nic.example.\r\n"
    )
    .into_bytes()
}

fn error_line(e: anyhow::Error) -> String {
    let text = format!("{e:#}");
    assert!(!text.contains('\n'), "multi-line error: {text:?}");
    text
}

#[test]
fn the_source_reads_imap4d() {
    let server = Imap4d::start();
    for n in 1..=3 {
        server.deliver(&message(n));
    }
    let mut src = source(&config(&server, TlsMode::None));
    let batch = src.fetch_headers(None).unwrap();
    assert_eq!(batch.headers.len(), 3);
    for (h, n) in batch.headers.iter().zip(1..) {
        assert_eq!(h.bytes, header_block(&message(n)));
        assert_eq!(h.size, message(n).len() as u64);
    }
    let uids: Vec<u32> = batch.headers.iter().map(|h| h.uid).collect();
    let bodies = src.fetch_bodies(&uids).unwrap();
    assert_eq!(bodies.len(), 3);
    assert_eq!(bodies[1].1, message(2), "byte for byte, CRLF as served");
    src.disconnect(); // Mailutils writes its `.mu-prop` when the session ends
    assert_eq!(Some(batch.uidvalidity), server.uidvalidity());
}

/// The installation's view: whatever imap4d does with UIDs (it numbers messages left in
/// `new/` afresh in every read-only session), every message is stored once.
fn world(server: &Imap4d, tls: &str) -> Install {
    let config = format!(
        "{CORPUS_CONFIG}\n[imap]\nhost = \"127.0.0.1\"\nport = {}\n{tls}\nusername = \"{USER}\"\n\
         password_env = \"TEST_IMAP_PASSWORD\"\n",
        server.port
    );
    let i = Install::corpus_world();
    std::fs::write(i.path("config.toml"), config).unwrap();
    i
}

fn poll(i: &Install) -> support::install::Output {
    i.run_env(&[("TEST_IMAP_PASSWORD", PASSWORD)], &["poll"])
}

fn stored(i: &Install) -> i64 {
    i.scalar("SELECT count(*) FROM messages")
}

#[test]
fn first_and_incremental_polls_and_a_new_uidvalidity_store_each_message_once() {
    let server = Imap4d::start();
    for n in 1..=2 {
        server.deliver(&message(n));
    }
    let i = world(&server, "tls = \"none\"");

    let first = poll(&i);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains(", 2 stored"), "{}", first.stdout);
    assert_eq!(stored(&i), 2);

    let nothing = poll(&i);
    assert_eq!(nothing.code, 0, "{}", nothing.stderr);
    assert!(nothing.stdout.contains(", 0 stored"), "{}", nothing.stdout);

    server.deliver(&message(3));
    let third = poll(&i);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert!(third.stdout.contains(", 1 stored"), "{}", third.stdout);
    assert_eq!(stored(&i), 3);

    // A restore gives the mailbox a new UIDVALIDITY: a full rescan, no duplicates.
    server.bump_uidvalidity();
    server.deliver(&message(4));
    let rescan = poll(&i);
    assert_eq!(rescan.code, 0, "{}", rescan.stderr);
    assert!(rescan.stdout.contains(", 1 stored"), "{}", rescan.stdout);
    assert!(
        rescan.stdout.contains("3 already stored"),
        "{}",
        rescan.stdout
    );
    assert_eq!(stored(&i), 4);
    let ids: i64 = i.scalar("SELECT count(DISTINCT message_id) FROM messages");
    assert_eq!(ids, 4);
    let verdicts = i.json(&["messages", "--json"]);
    assert_eq!(verdicts.as_array().unwrap().len(), 4);
}

/// Implicit TLS against a plain port: STARTTLS is suggested where the server offers it, not
/// where it does not (it would fail next).
#[test]
fn implicit_tls_on_a_plain_port_suggests_starttls_only_where_offered() {
    let server = Imap4d::start();
    let mut src = source(&config(&server, TlsMode::Implicit));
    let err = error_line(src.fetch_headers(None).unwrap_err());
    assert!(err.contains("TLS handshake failed"), "{err}");
    assert!(!err.contains("\"starttls\""), "{err}");
    assert!(
        err.contains("offers no STARTTLS: use its TLS port"),
        "{err}"
    );

    // Its greeting lists no capabilities: they are asked for on a connection of their own,
    // and one that offers STARTTLS is told to use it.
    let server = Imap4d::start_login_disabled();
    let mut src = source(&config(&server, TlsMode::Implicit));
    let err = error_line(src.fetch_headers(None).unwrap_err());
    assert!(
        err.contains("offers STARTTLS: set imap.tls = \"starttls\""),
        "{err}"
    );
}

#[test]
fn logindisabled_before_starttls_is_respected() {
    let server = Imap4d::start_login_disabled();
    server.deliver(&message(1));
    let mut src = source(&config(&server, TlsMode::None));
    let err = error_line(src.fetch_headers(None).unwrap_err());
    assert_eq!(
        err,
        format!(
            "127.0.0.1:{}: the server refuses logins on this unencrypted connection (it \
             announces LOGINDISABLED), and tldops never sends a password or token in clear: \
             set imap.tls = \"starttls\" (or \"implicit\" with the server's TLS port, 993)",
            server.port
        )
    );

    // As the error says.
    let mut cfg = config(&server, TlsMode::Starttls);
    cfg.ca_file = Some(server.ca_file());
    let mut src = source(&cfg);
    let batch = src.fetch_headers(None).unwrap();
    assert_eq!(batch.headers.len(), 1);
    assert_eq!(batch.headers[0].bytes, header_block(&message(1)));
}

/// imap4d offers IDLE but does not report mail delivered meanwhile (checked: nothing within
/// 60 s): the poll interval is the upper bound, the wait ends with it, and the pass after it
/// finds the mail on the same connection.
#[test]
fn with_imap4d_the_interval_bounds_an_idle_that_never_reports() {
    use std::time::Instant;
    use tldops::mail::wake::{Wait, Wakeup};

    let server = Imap4d::start();
    server.deliver(&message(1));
    let mut src = source(&config(&server, TlsMode::None));
    let first = src.fetch_headers(None).unwrap();
    let cp = tldops::mail::Checkpoint {
        uidvalidity: first.uidvalidity,
        last_uid: first.headers[0].uid,
    };
    let wakeup = Wakeup::new().unwrap();
    let started = Instant::now();
    let interval = Duration::from_secs(2);
    let end = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            server.deliver(&message(2));
        });
        src.wait_for_mail(started + interval, &wakeup)
    });
    assert_eq!(end, Wait::Timeout);
    assert!(started.elapsed() >= interval);
    assert!(src.is_connected(), "IDLE ended cleanly with DONE");
    let next = src.fetch_headers(Some(cp)).unwrap();
    assert!(
        next.headers
            .iter()
            .any(|h| h.bytes == header_block(&message(2))),
        "{next:?}"
    );
}
