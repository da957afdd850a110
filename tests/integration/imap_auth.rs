//! Logging in against a real Dovecot: SASL PLAIN, OAuth2 (XOAUTH2, OAUTHBEARER) checked by
//! Dovecot's `oauth2` passdb through an introspection endpoint the test serves, and
//! LOGINDISABLED seen from a client address that is not the server's own.

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use crate::support::dovecot::{Dovecot, Options, PASSWORD, USER};
use crate::support::oauth2::Introspection;
use crate::support::relay::Relay;
use tldops::config::{AuthMethod, DEFAULT_MAX_MESSAGE_SIZE, ImapConfig, Interval, TlsMode};
use tldops::mail::MailSource;
use tldops::mail::imap::ImapSource;

const TIMEOUT: Duration = Duration::from_secs(10);
const GOOD: &str = "ya29.good-token";

fn config(port: u16, tls: TlsMode) -> ImapConfig {
    ImapConfig {
        host: "127.0.0.1".into(),
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
        ca_file: None,
        max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
    }
}

fn message(n: u32) -> Vec<u8> {
    format!(
        "From: Admin <admin{n}@nic.example>\r\nTo: tld-ops@example.org\r\n\
         Subject: Re: invitation {n}\r\nMessage-ID: <r{n}@nic.example>\r\n\r\nHello\r\n"
    )
    .into_bytes()
}

/// A Dovecot that checks OAuth2 tokens with `endpoint`.
fn oauth2_dovecot(endpoint: &Introspection) -> Dovecot {
    let dovecot = Dovecot::start_with(Options {
        oauth2_introspection_port: Some(endpoint.port),
        ..Options::default()
    });
    dovecot.deliver(&message(1));
    dovecot
}

/// A token command that prints `tokens` one per run (the last one again and again), and
/// counts its runs in `dir/runs`.
fn token_command(dir: &Path, tokens: &[&str]) -> String {
    let script = dir.join("token.sh");
    let mut text = format!(
        "#!/bin/sh\necho run >> {runs}\nn=$(wc -l < {runs})\n",
        runs = dir.join("runs").display()
    );
    for (i, t) in tokens.iter().enumerate() {
        if i + 1 < tokens.len() {
            text += &format!("if [ \"$n\" -eq {} ]; then echo {t}; exit 0; fi\n", i + 1);
        } else {
            text += &format!("echo {t}\n");
        }
    }
    std::fs::write(&script, text).unwrap();
    format!("sh {}", script.display())
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn error_line(e: anyhow::Error) -> String {
    let text = format!("{e:#}");
    assert!(!text.contains('\n'), "multi-line error: {text:?}");
    text
}

#[test]
fn a_good_oauth2_token_logs_in_with_either_mechanism() {
    let endpoint = Introspection::start(GOOD, USER);
    let dovecot = oauth2_dovecot(&endpoint);
    let dir = tempfile::tempdir().unwrap();
    for (auth, mechanism) in [
        (None, "OAUTHBEARER"),
        (Some(AuthMethod::Xoauth2), "XOAUTH2"),
        (Some(AuthMethod::Oauthbearer), "OAUTHBEARER"),
    ] {
        let relay = Relay::start(dovecot.plain_port);
        let mut cfg = config(relay.port, TlsMode::None);
        cfg.oauth2_token_command = Some(token_command(dir.path(), &[GOOD]));
        cfg.auth = auth;
        let mut src = ImapSource::new(&cfg, None).with_timeouts(TIMEOUT, TIMEOUT);
        let batch = src.fetch_headers(None).unwrap();
        assert_eq!(batch.headers.len(), 1, "{auth:?}");
        let commands = relay.take_commands();
        assert_eq!(
            commands[0],
            format!("AUTHENTICATE {mechanism} ***"),
            "{auth:?}: the best offered when imap.auth is unset, SASL-IR: {commands:?}"
        );
    }
    assert_eq!(endpoint.asked(), [GOOD; 3]);
    assert_eq!(runs(dir.path()), 3, "one token per login");
}

#[test]
fn a_refused_token_is_asked_for_again_once() {
    let endpoint = Introspection::start(GOOD, USER);
    let dovecot = oauth2_dovecot(&endpoint);
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dovecot.plain_port, TlsMode::None);
    cfg.oauth2_token_command = Some(token_command(dir.path(), &["expired-token", GOOD]));
    let mut src = ImapSource::new(&cfg, None).with_timeouts(TIMEOUT, TIMEOUT);
    assert_eq!(src.fetch_headers(None).unwrap().headers.len(), 1);
    assert_eq!(
        runs(dir.path()),
        2,
        "the command ran again after the refusal"
    );
    assert_eq!(endpoint.asked(), ["expired-token", GOOD]);

    // The token is kept while it works: a new connection does not run the command again.
    src.reconnect().unwrap();
    assert_eq!(runs(dir.path()), 2);
}

#[test]
fn a_bad_token_is_a_clear_error() {
    let endpoint = Introspection::start(GOOD, USER);
    let dovecot = oauth2_dovecot(&endpoint);
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dovecot.plain_port, TlsMode::None);
    cfg.oauth2_token_command = Some(token_command(dir.path(), &["revoked-token"]));
    cfg.auth = Some(AuthMethod::Xoauth2);
    let mut src = ImapSource::new(&cfg, None).with_timeouts(TIMEOUT, TIMEOUT);
    let err = error_line(src.fetch_headers(None).unwrap_err());
    let port = dovecot.plain_port;
    assert!(
        err.starts_with(&format!(
            "127.0.0.1:{port}: login as {USER} with an OAuth2 token failed (XOAUTH2): \
             [AUTHENTICATIONFAILED] Authentication failed."
        )),
        "{err}"
    );
    assert!(err.contains("imap.oauth2_token_command"), "{err}");
    assert!(!err.contains("revoked-token"), "{err}");
    assert_eq!(runs(dir.path()), 2, "asked once more, not forever");
    assert!(!src.is_connected());

    // A token command that fails says so, with its own error.
    cfg.oauth2_token_command = Some("echo 'oama: no refresh token' >&2; exit 1".into());
    let mut src = ImapSource::new(&cfg, None).with_timeouts(TIMEOUT, TIMEOUT);
    let err = error_line(src.fetch_headers(None).unwrap_err());
    assert!(
        err.ends_with("failed with exit status 1: oama: no refresh token"),
        "{err}"
    );
    assert!(err.contains(": imap.oauth2_token_command `echo"), "{err}");
}

#[test]
fn passwords_go_by_authenticate_plain_or_login_as_configured() {
    let dovecot = Dovecot::start();
    dovecot.deliver(&message(1));
    for (auth, expected) in [
        (None, "AUTHENTICATE PLAIN ***"),
        (Some(AuthMethod::Plain), "AUTHENTICATE PLAIN ***"),
        (Some(AuthMethod::Login), "LOGIN ***"),
    ] {
        let relay = Relay::start(dovecot.plain_port);
        let mut cfg = config(relay.port, TlsMode::None);
        cfg.auth = auth;
        let mut src = ImapSource::new(&cfg, Some(PASSWORD.into())).with_timeouts(TIMEOUT, TIMEOUT);
        assert_eq!(src.fetch_headers(None).unwrap().headers.len(), 1);
        assert_eq!(relay.take_commands()[0], expected, "{auth:?}");
    }

    // A mechanism the server does not offer is named, with what it does offer, and what to
    // set instead when leaving imap.auth out would not help.
    let mut cfg = config(dovecot.plain_port, TlsMode::None);
    cfg.auth = Some(AuthMethod::Xoauth2);
    cfg.oauth2_token_command = Some("echo t".into());
    let mut src = ImapSource::new(&cfg, None).with_timeouts(TIMEOUT, TIMEOUT);
    let err = error_line(src.connect().unwrap_err());
    assert!(
        err.contains(
            "imap.auth = \"xoauth2\", but the server offers no OAuth2 login (AUTH=OAUTHBEARER or \
             AUTH=XOAUTH2; it offers AUTH=LOGIN AUTH=PLAIN): set imap.password_command"
        ),
        "{err}"
    );
}

/// Dovecot announces LOGINDISABLED only to a client whose address is not its own: the relay
/// connects from 127.0.0.2.
#[test]
fn no_password_is_sent_in_clear_under_logindisabled() {
    let dovecot = Dovecot::start_with(Options {
        login_disabled: true,
        ..Options::default()
    });
    dovecot.deliver(&message(1));
    let relay = Relay::start_from(dovecot.plain_port, Ipv4Addr::new(127, 0, 0, 2));
    for auth in [None, Some(AuthMethod::Login), Some(AuthMethod::Plain)] {
        let mut cfg = config(relay.port, TlsMode::None);
        cfg.auth = auth;
        let mut src = ImapSource::new(&cfg, Some(PASSWORD.into())).with_timeouts(TIMEOUT, TIMEOUT);
        let err = error_line(src.fetch_headers(None).unwrap_err());
        assert!(err.contains("LOGINDISABLED"), "{err}");
        assert!(err.contains("set imap.tls = \"starttls\""), "{err}");
    }
    let commands = relay.take_commands();
    assert!(
        commands
            .iter()
            .all(|c| !c.starts_with("LOGIN") && !c.starts_with("AUTHENTICATE") && c != "***"),
        "nothing but {commands:?}"
    );

    // As the error says: STARTTLS on the same port logs in.
    let mut cfg = config(relay.port, TlsMode::Starttls);
    cfg.ca_file = Some(dovecot.ca_file());
    let mut src = ImapSource::new(&cfg, Some(PASSWORD.into())).with_timeouts(TIMEOUT, TIMEOUT);
    assert_eq!(src.fetch_headers(None).unwrap().headers.len(), 1);
}
