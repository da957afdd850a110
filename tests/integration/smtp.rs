//! The outgoing transports against the real world: SMTP against a real aiosmtpd
//! (support/smtp.rs) in every TLS mode, with AUTH, 4xx and 5xx replies, a dead port and
//! a silent server; the file transport on a real directory.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::support::smtp::{Options, PASSWORD, Security, SmtpServer, USER};
use tldops::config::{OutgoingConfig, TlsMode, Transport as Kind};
use tldops::outgoing::file::FileTransport;
use tldops::outgoing::smtp::SmtpTransport;
use tldops::outgoing::{Envelope, SendError, Transport, transport_for};

const TIMEOUT: Duration = Duration::from_secs(5);

fn config(port: u16, tls: TlsMode, ca_file: Option<PathBuf>) -> OutgoingConfig {
    OutgoingConfig {
        transport: Kind::Smtp,
        host: Some("localhost".into()),
        port: Some(port),
        tls,
        ca_file,
        ..OutgoingConfig::default()
    }
}

fn transport(config: &OutgoingConfig, password: Option<&str>) -> SmtpTransport {
    SmtpTransport::new(config, password.map(Into::into))
        .unwrap()
        .with_timeout(TIMEOUT)
}

fn envelope() -> Envelope {
    Envelope {
        from: "tld-ops-secretariat@example.org".into(),
        to: vec!["admin@nic.example".into(), "tech@nic.example".into()],
    }
}

/// An invitation as the outbox renders it: CRLF lines, 8-bit UTF-8, and a body line that
/// starts with a dot (SMTP must stuff and unstuff it).
fn invitation(n: u32) -> Vec<u8> {
    format!(
        "From: TLD-OPS Secretariat <tld-ops-secretariat@example.org>\r\n\
         To: Admin <admin@nic.example>\r\n\
         Cc: tech@nic.example\r\n\
         Subject: [TLD-OPS .example #k3x{n}] Invitation\r\n\
         Message-ID: <inv-{n}@tldops.example>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Dear Zoë,\r\n\
         .example is invited to TLD-OPS.\r\n\
         .\r\n\
         ..\r\n\
         Regards, the ccNSO Secretariat\r\n"
    )
    .into_bytes()
}

fn transient(result: Result<(), SendError>) -> String {
    match result {
        Err(SendError::Transient(m)) => m,
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

fn permanent(result: Result<(), SendError>) -> String {
    match result {
        Err(SendError::Permanent(m)) => m,
        other => panic!("expected a permanent failure, got {other:?}"),
    }
}

#[test]
fn a_message_arrives_byte_for_byte_with_its_envelope() {
    let server = SmtpServer::start(Options::new(Security::Plain));
    let mut smtp = transport(&config(server.port, TlsMode::None, None), None);
    smtp.send(&envelope(), "inv-1@tldops.example", &invitation(1))
        .unwrap();

    let received = server.received();
    assert_eq!(received.len(), 1, "{}", server.log());
    let got = &received[0];
    assert_eq!(got.raw, invitation(1));
    assert_eq!(got.mail_from, "tld-ops-secretariat@example.org");
    assert_eq!(got.rcpt_tos, ["admin@nic.example", "tech@nic.example"]);
    assert!(got.mail_options.contains(&"BODY=8BITMIME".to_string()));
    assert!(!got.tls);
    assert_eq!(got.login, None);
}

#[test]
fn bare_line_feeds_are_sent_as_crlf() {
    let server = SmtpServer::start(Options::new(Security::Plain));
    let mut smtp = transport(&config(server.port, TlsMode::None, None), None);
    let lf = String::from_utf8(invitation(2))
        .unwrap()
        .replace("\r\n", "\n");
    smtp.send(&envelope(), "inv-2@tldops.example", lf.as_bytes())
        .unwrap();
    assert_eq!(server.received()[0].raw, invitation(2));
}

#[test]
fn starttls_trusts_the_ca_of_ca_file() {
    let server = SmtpServer::start(Options::new(Security::Starttls));
    let mut smtp = transport(
        &config(server.port, TlsMode::Starttls, Some(server.ca_file())),
        None,
    );
    smtp.send(&envelope(), "inv-3@tldops.example", &invitation(3))
        .unwrap();
    let received = server.received();
    assert_eq!(received[0].raw, invitation(3));
    assert!(received[0].tls, "sent without TLS");
}

#[test]
fn starttls_without_the_ca_is_a_certificate_error() {
    let server = SmtpServer::start(Options::new(Security::Starttls));
    let mut smtp = transport(&config(server.port, TlsMode::Starttls, None), None);
    let err = permanent(smtp.send(&envelope(), "inv-4@tldops.example", &invitation(4)));
    assert!(
        err.starts_with(&format!("localhost:{}: ", server.port)),
        "{err}"
    );
    assert!(err.contains("UnknownIssuer"), "{err}");
    assert!(err.contains("outgoing.ca_file"), "{err}");
    assert!(server.received().is_empty());
}

#[test]
fn starttls_configured_but_not_offered_is_an_error_not_plain_text() {
    let server = SmtpServer::start(Options::new(Security::Plain));
    let mut smtp = transport(
        &config(server.port, TlsMode::Starttls, Some(server.ca_file())),
        None,
    );
    let err = permanent(smtp.send(&envelope(), "inv-5@tldops.example", &invitation(5)));
    assert!(err.contains("STARTTLS is not supported"), "{err}");
    assert!(server.received().is_empty());
    let log = server.log();
    assert!(log.contains(">> b'EHLO "), "{log}");
    assert!(!log.contains("MAIL FROM"), "sent in clear:\n{log}");
}

#[test]
fn implicit_tls_works() {
    let server = SmtpServer::start(Options::new(Security::Implicit));
    let mut smtp = transport(
        &config(server.port, TlsMode::Implicit, Some(server.ca_file())),
        None,
    );
    smtp.send(&envelope(), "inv-6@tldops.example", &invitation(6))
        .unwrap();
    let received = server.received();
    assert_eq!(received[0].raw, invitation(6));
    assert!(received[0].tls);
}

#[test]
fn implicit_tls_on_a_plain_port_says_which_setting_to_change() {
    let server = SmtpServer::start(Options::new(Security::Plain));
    let mut smtp = transport(
        &config(server.port, TlsMode::Implicit, Some(server.ca_file())),
        None,
    );
    let err = permanent(smtp.send(&envelope(), "inv-7@tldops.example", &invitation(7)));
    assert!(err.contains("TLS handshake failed"), "{err}");
    assert!(err.contains("outgoing.tls = \"starttls\""), "{err}");
}

#[test]
fn auth_logs_in() {
    let server = SmtpServer::start(Options {
        auth: true,
        ..Options::new(Security::Implicit)
    });
    let mut config = config(server.port, TlsMode::Implicit, Some(server.ca_file()));
    config.username = Some(USER.into());
    let mut smtp = transport(&config, Some(PASSWORD));
    smtp.send(&envelope(), "inv-8@tldops.example", &invitation(8))
        .unwrap();
    assert_eq!(server.received()[0].login.as_deref(), Some(USER));
}

#[test]
fn auth_over_starttls_logs_in() {
    let server = SmtpServer::start(Options {
        auth: true,
        ..Options::new(Security::Starttls)
    });
    let mut config = config(server.port, TlsMode::Starttls, Some(server.ca_file()));
    config.username = Some(USER.into());
    let mut smtp = transport(&config, Some(PASSWORD));
    smtp.send(&envelope(), "inv-9@tldops.example", &invitation(9))
        .unwrap();
    let received = server.received();
    assert_eq!(received[0].login.as_deref(), Some(USER));
    assert!(received[0].tls);
}

/// `outgoing.auth = "xoauth2"`: the token comes from the command; a refused one is asked for
/// once more (a helper may have handed out one that just expired).
#[test]
fn xoauth2_sends_with_a_token_and_asks_again_once_when_refused() {
    let server = SmtpServer::start(Options {
        auth: true,
        token: Some("good-token"),
        ..Options::new(Security::Implicit)
    });
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let mut config = config(server.port, TlsMode::Implicit, Some(server.ca_file()));
    config.username = Some(USER.into());
    config.auth = Some(tldops::config::AuthMethod::Xoauth2);
    config.oauth2_token_command = Some(format!(
        "echo run >> {r}; if [ $(wc -l < {r}) -eq 1 ]; then echo expired-token; \
         else echo good-token; fi",
        r = runs.display()
    ));
    let mut smtp = transport(&config, None);
    smtp.send(&envelope(), "inv-30@tldops.example", &invitation(30))
        .unwrap();
    assert_eq!(server.tokens(), ["expired-token", "good-token"]);
    assert_eq!(server.received()[0].login.as_deref(), Some(USER));
    // The good token is kept for the next message.
    smtp.send(&envelope(), "inv-31@tldops.example", &invitation(31))
        .unwrap();
    assert_eq!(server.tokens().len(), 3);
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 2);

    // A token refused twice is a permanent failure that names the command, not the token.
    config.oauth2_token_command = Some("echo revoked-token".into());
    let mut smtp = transport(&config, None);
    let err = permanent(smtp.send(&envelope(), "inv-32@tldops.example", &invitation(32)));
    assert!(
        err.contains("refused the OAuth2 token (XOAUTH2) twice"),
        "{err}"
    );
    assert!(err.contains("outgoing.oauth2_token_command"), "{err}");
    assert!(!err.contains("revoked-token"), "{err}");
    assert_eq!(server.received().len(), 2);
}

#[test]
fn a_wrong_password_is_permanent_and_not_in_the_message() {
    let server = SmtpServer::start(Options {
        auth: true,
        ..Options::new(Security::Implicit)
    });
    let mut config = config(server.port, TlsMode::Implicit, Some(server.ca_file()));
    config.username = Some(USER.into());
    let wrong = "Wrong-Horse-Battery";
    let mut smtp = transport(&config, Some(wrong));
    let err = permanent(smtp.send(&envelope(), "inv-10@tldops.example", &invitation(10)));
    assert!(err.contains("535 5.7.8"), "{err}");
    assert!(err.contains("check outgoing.username"), "{err}");
    assert!(!err.contains(wrong), "{err}");
    let display = SendError::Permanent(err).to_string();
    assert!(!display.contains(wrong));
    assert!(server.received().is_empty());
}

#[test]
fn no_login_where_one_is_required_is_permanent() {
    let server = SmtpServer::start(Options {
        auth: true,
        ..Options::new(Security::Implicit)
    });
    let mut smtp = transport(
        &config(server.port, TlsMode::Implicit, Some(server.ca_file())),
        None,
    );
    let err = permanent(smtp.send(&envelope(), "inv-11@tldops.example", &invitation(11)));
    assert!(err.contains("530 5.7.0"), "{err}");
    assert!(err.contains("set outgoing.username"), "{err}");
}

#[test]
fn a_4xx_reply_is_transient_and_the_next_attempt_succeeds() {
    let server = SmtpServer::start(Options {
        flaky: 1,
        ..Options::new(Security::Plain)
    });
    let mut smtp = transport(&config(server.port, TlsMode::None, None), None);
    let err = transient(smtp.send(&envelope(), "inv-12@tldops.example", &invitation(12)));
    assert_eq!(
        err,
        format!("localhost:{}: 451 4.3.0 try again later", server.port)
    );
    assert!(server.received().is_empty());

    smtp.send(&envelope(), "inv-12@tldops.example", &invitation(12))
        .unwrap();
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].raw, invitation(12));
}

#[test]
fn a_5xx_reply_is_permanent_with_the_reply_text() {
    let server = SmtpServer::start(Options {
        reject: true,
        ..Options::new(Security::Plain)
    });
    let mut smtp = transport(&config(server.port, TlsMode::None, None), None);
    let err = permanent(smtp.send(&envelope(), "inv-13@tldops.example", &invitation(13)));
    assert_eq!(
        err,
        format!("localhost:{}: 550 5.1.1 user unknown", server.port)
    );
    let shown = SendError::Permanent(err).to_string();
    assert!(!shown.contains('\n'));
    assert!(server.received().is_empty());
}

#[test]
fn an_unreachable_port_is_transient() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut smtp = transport(&config(port, TlsMode::None, None), None);
    let err = transient(smtp.send(&envelope(), "inv-14@tldops.example", &invitation(14)));
    assert!(err.contains("connection failed"), "{err}");
    assert!(err.contains("refused"), "{err}");
}

#[test]
fn a_silent_server_times_out_as_transient() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = config(port, TlsMode::None, None);
    config.host = Some("127.0.0.1".into());
    let mut smtp = SmtpTransport::new(&config, None)
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = transient(smtp.send(&envelope(), "inv-15@tldops.example", &invitation(15)));
    assert!(err.contains("no answer within 0.3 s"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(listener);
}

#[test]
fn transport_for_picks_smtp_only_when_configured() {
    let data = tempfile::tempdir().unwrap();
    let mut file = transport_for(None, data.path(), None).unwrap();
    file.send(&envelope(), "inv-16@tldops.example", &invitation(16))
        .unwrap();
    assert!(
        data.path()
            .join("sent-mail/inv-16@tldops.example.eml")
            .is_file()
    );

    let server = SmtpServer::start(Options::new(Security::Plain));
    let mut smtp = transport_for(
        Some(&config(server.port, TlsMode::None, None)),
        data.path(),
        None,
    )
    .unwrap();
    smtp.send(&envelope(), "inv-17@tldops.example", &invitation(17))
        .unwrap();
    assert_eq!(server.received().len(), 1);

    let no_host = OutgoingConfig {
        transport: Kind::Smtp,
        ..OutgoingConfig::default()
    };
    assert!(transport_for(Some(&no_host), data.path(), None).is_err());
}

// The file transport.

#[test]
fn files_are_private_in_a_private_new_directory() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("out/sent-mail");
    let mut file = FileTransport::new(&dir);
    file.send(&envelope(), "inv-20@tldops.example", &invitation(20))
        .unwrap();
    let path = file.path_for("inv-20@tldops.example");
    assert_eq!(path, dir.join("inv-20@tldops.example.eml"));
    assert_eq!(std::fs::read(&path).unwrap(), invitation(20));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir), 0o700);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["inv-20@tldops.example.eml"], "leftover files");
}

#[test]
fn sending_the_same_message_again_succeeds_and_a_different_one_does_not_overwrite() {
    let data = tempfile::tempdir().unwrap();
    let mut file = FileTransport::new(data.path());
    file.send(&envelope(), "inv-21@tldops.example", &invitation(21))
        .unwrap();
    file.send(&envelope(), "inv-21@tldops.example", &invitation(21))
        .unwrap();
    let err = permanent(file.send(&envelope(), "inv-21@tldops.example", &invitation(22)));
    assert!(err.contains("different message"), "{err}");
    let path = file.path_for("inv-21@tldops.example");
    assert_eq!(std::fs::read(path).unwrap(), invitation(21));
    assert_eq!(std::fs::read_dir(data.path()).unwrap().count(), 1);
}

#[test]
fn a_reader_never_sees_half_a_file() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let big: Vec<u8> = invitation(23).into_iter().cycle().take(8 << 20).collect();
    let expected = big.len();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watching = done.clone();
    let reader = std::thread::spawn(move || {
        let mut seen = 0;
        while !watching.load(std::sync::atomic::Ordering::SeqCst) {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "eml") {
                    let len = std::fs::read(&path).map(|b| b.len()).unwrap_or(expected);
                    assert_eq!(len, expected, "{} read half-written", path.display());
                    seen += 1;
                }
            }
        }
        seen
    });
    let mut file = FileTransport::new(data.path());
    for n in 0..10 {
        file.send(&envelope(), &format!("big-{n}@tldops.example"), &big)
            .unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(reader.join().unwrap() > 0);
}

#[test]
fn odd_message_ids_stay_inside_the_directory() {
    let data = tempfile::tempdir().unwrap();
    let mut file = FileTransport::new(data.path().join("out"));
    file.send(&envelope(), "../../escape@x", &invitation(24))
        .unwrap();
    let names: Vec<String> = std::fs::read_dir(data.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 1);
    assert!(
        names[0].ends_with(".eml") && !names[0].starts_with('.'),
        "{names:?}"
    );
    let err = permanent(file.send(&envelope(), "", &invitation(25)));
    assert!(err.contains("Message-ID"), "{err}");
}
