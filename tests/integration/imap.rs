//! The IMAP source against a real Dovecot (support/dovecot.rs): sync, UIDVALIDITY,
//! reconnects, TLS modes, errors, and the cost of a pass with no new mail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::dovecot::{Dovecot, PASSWORD, USER};
use crate::support::relay::Relay;
use tldops::config::{DEFAULT_MAX_MESSAGE_SIZE, ImapConfig, Interval, TlsMode};
use tldops::mail::imap::ImapSource;
use tldops::mail::local::header_block;
use tldops::mail::{Checkpoint, HeaderBatch, MailSource};

const TIMEOUT: Duration = Duration::from_secs(5);

fn config(host: &str, port: u16, tls: TlsMode, ca_file: Option<PathBuf>) -> ImapConfig {
    ImapConfig {
        host: host.into(),
        port: Some(port),
        tls,
        username: USER.into(),
        password_command: None,
        password_env: None,
        password: None,
        auth: None,
        oauth2_token_command: None,
        mailbox: "INBOX".into(),
        poll_interval: Interval(Duration::from_secs(60)),
        ca_file,
        max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
    }
}

fn source(config: &ImapConfig) -> ImapSource {
    ImapSource::new(config, Some(PASSWORD.into())).with_timeouts(TIMEOUT, TIMEOUT)
}

/// The error of connecting to `port` on loopback with `tls`, within the given connect and
/// I/O timeouts (no login is reached in the tests that use it).
fn connect_error(port: u16, tls: TlsMode, connect: Duration, io: Duration) -> String {
    connect_error_trusting(port, tls, None, (connect, io))
}

/// [`connect_error`] with `ca_file` trusted.
fn connect_error_trusting(
    port: u16,
    tls: TlsMode,
    ca_file: Option<PathBuf>,
    (connect, io): (Duration, Duration),
) -> String {
    let mut src = ImapSource::new(
        &config("127.0.0.1", port, tls, ca_file),
        Some(PASSWORD.into()),
    )
    .with_timeouts(connect, io);
    error_line(src.connect().unwrap_err())
}

/// The hint when a port sent no greeting and answered a TLS handshake.
const SPEAKS_TLS: &str = "(this port speaks TLS: set imap.tls = \"implicit\")";

/// A plaintext source on the server's plain port.
fn plain(dovecot: &Dovecot) -> ImapSource {
    source(&config(
        "127.0.0.1",
        dovecot.plain_port,
        TlsMode::None,
        None,
    ))
}

/// A reply to an invitation, with CRLF line ends as IMAP serves them (so bytes compare).
fn message(n: u32) -> Vec<u8> {
    format!(
        "From: Admin {n} <admin{n}@nic.example>\r\n\
         To: TLD-OPS <tld-ops@example.org>\r\n\
         Subject: Re: TLD-OPS invitation {n}\r\n\
         Message-ID: <reply-{n}@nic.example>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\
         \r\n\
         Our security contact is sec{n}@nic.example.\r\n"
    )
    .into_bytes()
}

fn checkpoint(batch: &HeaderBatch) -> Checkpoint {
    Checkpoint {
        uidvalidity: batch.uidvalidity,
        last_uid: batch.headers.last().map_or(0, |h| h.uid),
    }
}

fn uids(batch: &HeaderBatch) -> Vec<u32> {
    batch.headers.iter().map(|h| h.uid).collect()
}

/// The error's text, checked to be one line.
fn error_line(e: anyhow::Error) -> String {
    let text = format!("{e:#}");
    assert!(!text.contains('\n'), "multi-line error: {text:?}");
    text
}

#[test]
fn first_sync_gets_every_header_and_exact_bodies() {
    let dovecot = Dovecot::start();
    let messages: Vec<Vec<u8>> = (1..=3).map(message).collect();
    for m in &messages {
        dovecot.deliver(m);
    }
    let mut src = plain(&dovecot);
    assert_eq!(
        src.name(),
        format!("imap:{USER}@127.0.0.1:{}/INBOX", dovecot.plain_port)
    );
    assert!(!src.is_connected(), "connects lazily");

    let batch = src.fetch_headers(None).unwrap();
    assert!(!batch.rescan);
    assert_eq!(uids(&batch), [1, 2, 3], "UIDs follow delivery order");
    for (h, m) in batch.headers.iter().zip(&messages) {
        assert_eq!(h.bytes, header_block(m));
        assert_eq!(h.size, m.len() as u64);
    }

    let bodies = src.fetch_bodies(&[3, 1, 99]).unwrap();
    assert_eq!(
        bodies,
        [(1, messages[0].clone()), (3, messages[2].clone())],
        "UID order, byte-identical, the unknown UID 99 simply missing"
    );
    assert_eq!(dovecot.seen_count(), 0, "reading never marks mail as seen");
}

#[test]
fn incremental_sync_gets_only_new_uids() {
    let dovecot = Dovecot::start();
    for n in 1..=3 {
        dovecot.deliver(&message(n));
    }
    let mut src = plain(&dovecot);
    let first = src.fetch_headers(None).unwrap();
    let cp = checkpoint(&first);
    assert_eq!(cp.last_uid, 3);

    let nothing = src.fetch_headers(Some(cp)).unwrap();
    assert_eq!((nothing.headers.len(), nothing.rescan), (0, false));
    assert_eq!(nothing.uidvalidity, cp.uidvalidity);

    dovecot.deliver(&message(4));
    dovecot.deliver(&message(5));
    let new = src.fetch_headers(Some(cp)).unwrap();
    assert_eq!(uids(&new), [4, 5]);
    assert_eq!(new.headers[0].bytes, header_block(&message(4)));
    assert!(!new.rescan);
}

/// `UID FETCH 5:*` answers with the highest message even when its UID is below 5: after the
/// newest message is expunged, UIDNEXT says "maybe new mail", the SEARCH runs, and its one
/// answer (UID 4, already seen) must be dropped.
#[test]
fn the_highest_message_of_n_star_is_not_new_mail() {
    let dovecot = Dovecot::start();
    for n in 1..=4 {
        dovecot.deliver(&message(n));
    }
    let relay = Relay::start(dovecot.plain_port);
    let mut src = source(&config("127.0.0.1", relay.port, TlsMode::None, None));
    let cp = checkpoint(&src.fetch_headers(None).unwrap());
    assert_eq!(cp.last_uid, 4);

    // UID 5 is given (another client looks) and expunged before our next pass.
    let fifth = dovecot.deliver(&message(5));
    let mut other = plain(&dovecot);
    assert_eq!(uids(&other.fetch_headers(Some(cp)).unwrap()), [5]);
    dovecot.discard(&fifth);

    relay.take_commands();
    let batch = src.fetch_headers(Some(cp)).unwrap();
    let commands = relay.take_commands();
    assert!(
        commands
            .iter()
            .any(|c| c == "UID FETCH 5:* (UID RFC822.SIZE BODY.PEEK[HEADER])"),
        "{commands:?}"
    );
    assert_eq!(
        batch.headers,
        [],
        "UID 4 came back from 5:* and was dropped"
    );
}

#[test]
fn a_new_uidvalidity_means_a_full_rescan() {
    let mut dovecot = Dovecot::start();
    for n in 1..=2 {
        dovecot.deliver(&message(n));
    }
    let mut src = plain(&dovecot);
    let cp = checkpoint(&src.fetch_headers(None).unwrap());

    dovecot.bump_uidvalidity();
    let batch = src.fetch_headers(Some(cp)).unwrap();
    assert!(batch.rescan);
    assert_ne!(batch.uidvalidity, cp.uidvalidity);
    assert_eq!(
        batch.headers.len(),
        2,
        "all messages, not just UIDs above the checkpoint"
    );
    assert_eq!(batch.headers[1].bytes, header_block(&message(2)));

    // Bodies are refused under a UIDVALIDITY other than their headers': UIDs were renumbered.
    dovecot.bump_uidvalidity();
    let err = error_line(src.fetch_bodies(&[1]).unwrap_err());
    assert!(err.contains("UIDVALIDITY of INBOX changed"), "{err}");
    assert!(err.ends_with("the next pass rescans it"), "{err}");
}

#[test]
fn reconnects_after_the_server_restarts_or_comes_back() {
    let mut dovecot = Dovecot::start();
    dovecot.deliver(&message(1));
    let mut src = plain(&dovecot);
    let cp = checkpoint(&src.fetch_headers(None).unwrap());
    assert!(src.is_connected());

    // The server restarts while the connection idles: the next pass just works.
    dovecot.restart();
    dovecot.deliver(&message(2));
    let batch = src.fetch_headers(Some(cp)).unwrap();
    assert_eq!(uids(&batch), [2]);
    let cp = checkpoint(&batch);
    assert_eq!(src.fetch_bodies(&[2]).unwrap(), [(2, message(2))]);

    // The server is down: a clear error, and no connection kept.
    dovecot.stop();
    let err = error_line(src.fetch_headers(Some(cp)).unwrap_err());
    let prefix = format!("127.0.0.1:{}: cannot connect: ", dovecot.plain_port);
    assert!(err.starts_with(&prefix), "{err}");
    assert!(err.to_lowercase().contains("refused"), "{err}");
    assert!(
        err.contains("check imap.port, and that the server runs"),
        "{err}"
    );
    assert!(!src.is_connected());

    // It comes back: the next call reconnects.
    dovecot.restart();
    dovecot.deliver(&message(3));
    assert_eq!(uids(&src.fetch_headers(Some(cp)).unwrap()), [3]);
    src.disconnect();
    assert!(!src.is_connected());
    src.reconnect().unwrap();
    assert!(src.is_connected());
}

#[test]
fn implicit_tls_trusts_the_ca_of_ca_file() {
    let dovecot = Dovecot::start();
    dovecot.deliver(&message(1));
    let port = dovecot.tls_port.unwrap();
    // By name: the certificate's DNS name is checked (and ::1, where nothing listens, skipped).
    let mut src = source(&config(
        "localhost",
        port,
        TlsMode::Implicit,
        Some(dovecot.ca_file()),
    ));
    let batch = src.fetch_headers(None).unwrap();
    assert_eq!(uids(&batch), [1]);
    assert_eq!(src.fetch_bodies(&[1]).unwrap(), [(1, message(1))]);
}

#[test]
fn implicit_tls_without_the_ca_fails_on_the_certificate() {
    let dovecot = Dovecot::start();
    let port = dovecot.tls_port.unwrap();
    let mut src = source(&config("127.0.0.1", port, TlsMode::Implicit, None));
    let err = error_line(src.connect().unwrap_err());
    assert_eq!(
        err,
        format!(
            "127.0.0.1:{port}: TLS handshake failed: invalid peer certificate: UnknownIssuer \
             (add the server's CA with imap.ca_file)"
        )
    );
    assert!(!src.is_connected());
}

#[test]
fn starttls_upgrades_the_plain_port() {
    let dovecot = Dovecot::start();
    dovecot.deliver(&message(1));
    let cfg = config(
        "127.0.0.1",
        dovecot.plain_port,
        TlsMode::Starttls,
        Some(dovecot.ca_file()),
    );
    let mut src = source(&cfg);
    assert_eq!(uids(&src.fetch_headers(None).unwrap()), [1]);
    assert!(
        dovecot.wait_for_log(|log| log.contains("TLS")),
        "Dovecot logs the session as TLS:\n{}",
        dovecot.log()
    );
}

#[test]
fn starttls_is_required_when_configured() {
    let dovecot = Dovecot::start_without_tls();
    let logins = || dovecot.log().matches("Login: user").count();
    // The harness's own readiness login reaches the log asynchronously: wait for it.
    dovecot.wait_for_log(|log| log.contains("Login: user"));
    let before = logins();
    let port = dovecot.plain_port;
    let mut src = source(&config("127.0.0.1", port, TlsMode::Starttls, None));
    let err = error_line(src.fetch_headers(None).unwrap_err());
    assert!(
        err.starts_with(&format!(
            "127.0.0.1:{port}: the server does not offer STARTTLS"
        )),
        "{err}"
    );
    assert_eq!(logins(), before, "no login was tried");
}

#[test]
fn plaintext_on_the_tls_port_says_what_to_change() {
    let dovecot = Dovecot::start();
    let port = dovecot.tls_port.unwrap();
    let quick = Duration::from_millis(300);
    let err = connect_error(port, TlsMode::None, quick, quick);
    assert!(
        err.contains("no answer from the server within 0.3 s"),
        "{err}"
    );
    // Asked on a connection of its own, the port answers TLS (with a certificate this
    // config cannot verify: TLS all the same).
    assert!(err.ends_with(SPEAKS_TLS), "{err}");

    // STARTTLS waits for a plaintext greeting just the same.
    let err = connect_error(port, TlsMode::Starttls, quick, quick);
    assert!(err.ends_with(SPEAKS_TLS), "{err}");
}

/// The greeting is not waited for the whole I/O timeout (30 s by default): servers greet at
/// once, and a TLS port never does.
#[test]
fn a_silent_port_is_given_up_on_after_ten_seconds() {
    let dovecot = Dovecot::start();
    let port = dovecot.tls_port.unwrap();
    let started = std::time::Instant::now();
    let err = connect_error(
        port,
        TlsMode::None,
        Duration::from_secs(5),
        Duration::from_secs(30),
    );
    assert!(started.elapsed() < Duration::from_secs(20), "{err}");
    assert!(
        err.contains("no greeting from the server: no answer from the server within 10 s"),
        "{err}"
    );
    assert!(err.ends_with(SPEAKS_TLS), "{err}");
}

/// Implicit TLS against the plain port: Dovecot's greeting announces STARTTLS, so the error
/// says to use it (imap4d.rs holds the case of a server that offers none).
#[test]
fn implicit_tls_on_the_plain_port_names_the_starttls_it_offers() {
    let dovecot = Dovecot::start();
    let mut src = source(&config(
        "127.0.0.1",
        dovecot.plain_port,
        TlsMode::Implicit,
        Some(dovecot.ca_file()),
    ));
    let err = error_line(src.connect().unwrap_err());
    assert!(err.contains("TLS handshake failed"), "{err}");
    assert!(
        err.ends_with(
            "(the server speaks plain IMAP on this port and offers STARTTLS: set \
             imap.tls = \"starttls\"; or use its TLS port, usually 993)"
        ),
        "{err}"
    );
}

#[test]
fn a_wrong_password_is_a_clear_error() {
    let dovecot = Dovecot::start();
    let cfg = config("127.0.0.1", dovecot.plain_port, TlsMode::None, None);
    let mut src =
        ImapSource::new(&cfg, Some("not-the-password".into())).with_timeouts(TIMEOUT, TIMEOUT);
    let err = error_line(src.fetch_headers(None).unwrap_err());
    assert_eq!(
        err,
        format!(
            "127.0.0.1:{}: login as {USER} failed (PLAIN): [AUTHENTICATIONFAILED] Authentication \
             failed. (check imap.username and the password from imap.password_command / \
             password_env)",
            dovecot.plain_port
        )
    );
    assert!(!err.contains("not-the-password"));
}

#[test]
fn a_missing_mailbox_is_a_clear_error() {
    let dovecot = Dovecot::start();
    let mut cfg = config("127.0.0.1", dovecot.plain_port, TlsMode::None, None);
    cfg.mailbox = "TLD-OPS Replies".into();
    let mut src = source(&cfg);
    let err = error_line(src.fetch_headers(None).unwrap_err());
    assert!(
        err.contains(": cannot open mailbox TLD-OPS Replies: Mailbox doesn't exist"),
        "{err}"
    );
}

#[test]
fn a_large_message_has_its_full_size_in_the_header() {
    let dovecot = Dovecot::start();
    let mut big = message(1);
    let line = format!("{}\r\n", "x".repeat(76));
    while big.len() < 3 * 1024 * 1024 {
        big.extend_from_slice(line.as_bytes());
    }
    dovecot.deliver(&big);
    dovecot.deliver(&message(2));
    let mut src = plain(&dovecot);
    let batch = src.fetch_headers(None).unwrap();
    assert_eq!(batch.headers[0].size, big.len() as u64);
    assert_eq!(batch.headers[0].bytes, header_block(&big));
    assert_eq!(batch.headers[1].size, message(2).len() as u64);
    let bodies = src.fetch_bodies(&[1]).unwrap();
    assert!(bodies[0].1 == big, "the 3 MB body comes back byte for byte");
}

/// DESIGN §7: a poll with no new mail costs a few round trips, not a mailbox scan.
#[test]
fn a_pass_without_new_mail_costs_a_few_small_commands() {
    let dovecot = Dovecot::start();
    for n in 1..=300 {
        dovecot.deliver(&message(n));
    }
    let cp = checkpoint(&plain(&dovecot).fetch_headers(None).unwrap());
    assert_eq!(cp.last_uid, 300);

    let relay = Relay::start(dovecot.plain_port);
    let mut src = source(&config("127.0.0.1", relay.port, TlsMode::None, None));
    let batch = src.fetch_headers(Some(cp)).unwrap();
    assert!(batch.headers.is_empty());
    let commands = relay.take_commands();
    assert_eq!(
        commands,
        ["AUTHENTICATE PLAIN ***", "EXAMINE \"INBOX\""],
        "on a new connection: the capabilities come with the greeting, SASL-IR saves a trip"
    );
    assert!(commands.len() <= 6);

    relay.take_server_bytes();
    src.fetch_headers(Some(cp)).unwrap();
    assert_eq!(
        relay.take_commands(),
        ["EXAMINE \"INBOX\""],
        "on a live connection"
    );
    let bytes = relay.take_server_bytes();
    assert!(bytes < 1024, "{bytes} bytes answered a no-new-mail pass");

    dovecot.deliver(&message(301));
    let batch = src.fetch_headers(Some(cp)).unwrap();
    assert_eq!(uids(&batch), [301]);
    let commands = relay.take_commands();
    assert_eq!(
        commands,
        [
            "EXAMINE \"INBOX\"",
            "UID FETCH 301:* (UID RFC822.SIZE BODY.PEEK[HEADER])"
        ],
        "a pass with new mail: one FETCH of the new headers"
    );
}

/// RFC 2177: between passes the connection waits in IDLE; new mail ends the wait at once, a
/// wake-up ("poll now", a stop signal) too, and the interval stays the upper bound.
#[test]
fn idle_ends_on_new_mail_on_a_wake_up_or_at_the_interval() {
    use std::time::Instant;
    use tldops::mail::wake::{Wait, Wakeup};

    let dovecot = Dovecot::start();
    dovecot.deliver(&message(1));
    let relay = Relay::start(dovecot.plain_port);
    let mut src = source(&config("127.0.0.1", relay.port, TlsMode::None, None));
    let cp = checkpoint(&src.fetch_headers(None).unwrap());
    let wakeup = Wakeup::new().unwrap();

    // The interval passes: a Timeout, and the connection is still usable.
    let started = Instant::now();
    let end = src.wait_for_mail(started + Duration::from_millis(300), &wakeup);
    assert_eq!(end, Wait::Timeout);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let commands = relay.take_commands();
    assert!(
        commands.ends_with(&["IDLE".into(), "DONE".into()]),
        "{commands:?}"
    );

    // New mail: the wait ends long before the interval does.
    let started = Instant::now();
    let far = started + Duration::from_secs(120);
    let name = std::thread::scope(|s| {
        let d = s.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            dovecot.deliver(&message(2))
        });
        let end = src.wait_for_mail(far, &wakeup);
        assert_eq!(end, Wait::NewMail);
        d.join().unwrap()
    });
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "IDLE noticed {name} only after {:?}",
        started.elapsed()
    );
    assert_eq!(uids(&src.fetch_headers(Some(cp)).unwrap()), [2]);

    // A wake-up ends it too.
    let waker = wakeup.waker();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        waker.wake();
    });
    assert_eq!(src.wait_for_mail(far, &wakeup), Wait::Woken);
    t.join().unwrap();
    assert!(src.is_connected(), "IDLE ended cleanly with DONE");
    src.fetch_bodies(&[2]).unwrap();
}

/// A connection cut mid-FETCH (the server died, a NAT forgot us) is replaced and the scan
/// goes on from the last header handed on: nothing is handed on twice, nothing is missed.
#[test]
fn a_connection_lost_mid_fetch_is_resumed_in_the_same_call() {
    let dovecot = Dovecot::start();
    for n in 1..=196 {
        dovecot.deliver(&message(n));
    }
    let relay = Relay::start_cutting(dovecot.plain_port, 99);
    let mut src = source(&config("127.0.0.1", relay.port, TlsMode::None, None));
    let mut seen = Vec::new();
    let scan = src
        .scan_headers(None, &mut |h| {
            seen.push(h.uid);
            Ok(())
        })
        .unwrap();
    assert!(!scan.rescan);
    assert_eq!(
        seen,
        (1..=196).collect::<Vec<_>>(),
        "each UID once, in order"
    );
    assert_eq!(relay.connections(), 2, "one reconnection");
    let commands = relay.take_commands();
    assert!(
        commands.contains(&"UID FETCH 100:* (UID RFC822.SIZE BODY.PEEK[HEADER])".to_string()),
        "the second connection asks only for the rest: {commands:?}"
    );

    // Bodies too: a cut after the 30th keeps those, and asks for the rest.
    let relay = Relay::start_cutting(dovecot.plain_port, 30);
    let mut src = source(&config("127.0.0.1", relay.port, TlsMode::None, None));
    let uids: Vec<u32> = (1..=60).collect();
    let bodies = src.fetch_bodies(&uids).unwrap();
    assert_eq!(bodies.len(), 60);
    assert_eq!(bodies[59], (60, message(60)));
    assert_eq!(relay.connections(), 2);
}

/// The error of an implicit-TLS connection, trusting `ca`, to `openssl s_server` serving
/// `cert` and `key` on a free loopback port: it completes a TLS handshake, then says nothing.
fn tls_server_error(cert: &Path, key: &Path, ca: PathBuf, io: Duration) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new("openssl")
        .args(["s_server", "-quiet", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(cert)
        .arg("-key")
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run openssl (apt-get install openssl; tests/run does this)");
    let up = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(10),
            "openssl s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let err = connect_error_trusting(port, TlsMode::Implicit, Some(ca), (TIMEOUT, io));
    let _ = server.kill();
    let _ = server.wait();
    err
}

/// Implicit TLS to a port whose TLS works but that sends no IMAP greeting (an HTTPS server):
/// the hint is the port, not "set imap.tls = \"implicit\"", which it already is.
#[test]
fn tls_without_an_imap_greeting_names_the_port() {
    let dir = tempfile::tempdir().unwrap();
    let certs = crate::support::certs::generate();
    let (ca, cert, key) = (
        dir.path().join("ca.pem"),
        dir.path().join("server.pem"),
        dir.path().join("server.key"),
    );
    std::fs::write(&ca, certs.ca_pem).unwrap();
    std::fs::write(&cert, certs.server_pem).unwrap();
    std::fs::write(&key, certs.server_key_pem).unwrap();
    let err = tls_server_error(&cert, &key, ca, Duration::from_millis(500));
    assert!(err.contains("no greeting from the server"), "{err}");
    assert!(
        err.ends_with("(the port speaks TLS, but not IMAP over it: check imap.port and imap.host)"),
        "{err}"
    );
}

/// A server with the certificate `openssl req -x509` makes (self-signed, marked as a CA):
/// verification refuses it as a server's own, even in imap.ca_file, and the error says what
/// to do instead of only `CaUsedAsEndEntity`.
#[test]
fn a_self_signed_ca_certificate_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("run openssl (apt-get install openssl; tests/run does this)");
    assert!(made.success());
    let err = tls_server_error(&cert, &key, cert.clone(), TIMEOUT);
    assert!(err.contains("CaUsedAsEndEntity"), "{err}");
    assert!(
        err.contains("the server presents a CA certificate as its own"),
        "{err}"
    );
    assert!(err.contains("signed by a CA"), "{err}");
}

/// `tls = "none"` against a port that greets no one and answers a TLS handshake with a web
/// server's error: neither IMAP nor TLS, so the hint is the port, not `implicit`.
#[test]
fn a_port_that_is_neither_imap_nor_tls_says_so() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 512];
                if matches!(conn.read(&mut buf), Ok(n) if n > 0) {
                    let _ = conn.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n");
                }
            });
        }
    });
    let quick = Duration::from_millis(300);
    let err = connect_error(port, TlsMode::None, quick, quick);
    assert!(err.contains("no greeting from the server"), "{err}");
    assert!(
        err.ends_with(
            "(this port answers neither as IMAP nor with TLS: check imap.port and imap.host)"
        ),
        "{err}"
    );
}
