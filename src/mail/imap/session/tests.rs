//! The session's framing and IDLE over canned server answers.

use super::*;
use std::io;

/// A server that answers with canned bytes and records what it was sent.
struct Canned {
    answer: io::Cursor<Vec<u8>>,
    sent: Vec<u8>,
}

impl Read for Canned {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Small reads: framing must not depend on a response arriving in one piece.
        let n = buf.len().min(7);
        self.answer.read(&mut buf[..n])
    }
}

impl Write for Canned {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sent.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn session(answer: &str) -> Session<Canned> {
    Session::new(
        Canned {
            answer: io::Cursor::new(answer.as_bytes().to_vec()),
            sent: Vec::new(),
        },
        Duration::from_secs(1),
    )
}

fn sent(s: &Session<Canned>) -> String {
    String::from_utf8_lossy(&s.stream.get_ref().sent).into_owned()
}

#[test]
fn responses_are_framed_with_their_literals() {
    let mut s = session(
        "* 1 FETCH (UID 7 BODY[HEADER] {14}\r\nSubject: a\r\n\r\n)\r\n\
         * 2 FETCH (UID 8 BODY[HEADER] {5}\r\n{3}\r\n BODY[TEXT] {2}\r\nhi)\r\n\
         * 3 EXISTS\r\nt1 OK done\r\n",
    );
    let mut got = Vec::new();
    s.run("UID FETCH 1:* (BODY.PEEK[HEADER])", "fetching", |r| {
        got.push(String::from_utf8_lossy(r).into_owned());
        Ok(())
    })
    .unwrap();
    assert_eq!(
        got,
        [
            "* 1 FETCH (UID 7 BODY[HEADER] {14}\r\nSubject: a\r\n\r\n)\r\n",
            "* 2 FETCH (UID 8 BODY[HEADER] {5}\r\n{3}\r\n BODY[TEXT] {2}\r\nhi)\r\n",
            "* 3 EXISTS\r\n",
        ]
    );
    assert_eq!(sent(&s), "t1 UID FETCH 1:* (BODY.PEEK[HEADER])\r\n");
}

#[test]
fn refusals_and_lost_connections_are_told_apart() {
    let mut s = session("t1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    let f = s
        .login("ccnso", "secret", "login as ccnso failed")
        .unwrap_err();
    assert_eq!(
        f.message,
        "login as ccnso failed: [AUTHENTICATIONFAILED] Authentication failed."
    );
    assert!(!f.lost);
    assert!(f.refused);

    let mut s = session("t1 BAD Error in IMAP command\r\n");
    let f = s.run("NOOP", "noop", |_| Ok(())).unwrap_err();
    assert_eq!(f.message, "noop: server said BAD: Error in IMAP command");

    let mut s = session("* BYE Disconnected for inactivity.\r\n");
    let f = s.run("NOOP", "noop", |_| Ok(())).unwrap_err();
    assert!(f.lost);
    assert!(f.message.contains("Disconnected for inactivity"), "{f}");

    let mut s = session("* 1 FETCH (BODY[] {100}\r\nshort");
    let f = s.run("FETCH 1 BODY[]", "fetching", |_| Ok(())).unwrap_err();
    assert!(f.lost, "{f}");

    let mut s = session("t9 OK someone else's\r\n");
    let f = s.run("NOOP", "noop", |_| Ok(())).unwrap_err();
    assert!(f.message.contains("unexpected server response"), "{f}");
}

#[test]
fn strings_are_quoted_or_sent_as_literals() {
    let mut s = session("t1 OK Logged in\r\n");
    s.login("ccnso", "p\"a\\ss w", "login").unwrap();
    assert_eq!(sent(&s), "t1 LOGIN \"ccnso\" \"p\\\"a\\\\ss w\"\r\n");

    let mut s = session("+ OK\r\nt1 OK Logged in\r\n");
    s.login("ccnso", "pässword", "login").unwrap();
    assert_eq!(sent(&s), "t1 LOGIN \"ccnso\" {9}\r\npässword\r\n");

    let mut s = session("t1 NO too long\r\n");
    let f = s
        .login("ccnso", "pässword", "login as ccnso failed")
        .unwrap_err();
    assert_eq!(f.message, "login as ccnso failed: too long");
    assert!(!f.message.contains("pässword"));
}

#[test]
fn authenticate_with_and_without_sasl_ir() {
    let mut s = session("t1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n");
    let ok = s
        .authenticate("PLAIN", b"\0u\0p", true, b"", "login")
        .unwrap();
    assert_eq!(ok, "[CAPABILITY IMAP4rev1 IDLE] Logged in");
    assert_eq!(sent(&s), "t1 AUTHENTICATE PLAIN AHUAcA==\r\n");

    let mut s = session("+ \r\nt1 OK Logged in\r\n");
    s.authenticate("PLAIN", b"\0u\0p", false, b"", "login")
        .unwrap();
    assert_eq!(sent(&s), "t1 AUTHENTICATE PLAIN\r\nAHUAcA==\r\n");
}

#[test]
fn a_refused_token_reports_the_servers_reason() {
    // {"status":"invalid_token"} in base64, then NO after our dummy answer.
    let mut s = session(
        "+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n\
         t1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
    );
    let f = s
        .authenticate(
            "OAUTHBEARER",
            b"n,a=u,\x01auth=Bearer T\x01\x01",
            true,
            b"\x01",
            "login",
        )
        .unwrap_err();
    assert!(f.refused);
    assert_eq!(
        f.message,
        "login: [AUTHENTICATIONFAILED] Authentication failed. \
         (server said: {\"status\":\"invalid_token\"})"
    );
    assert!(sent(&s).ends_with("\r\nAQ==\r\n"), "{}", sent(&s));
    assert!(!f.message.contains("Bearer"));
}

#[test]
fn exists_is_recognised() {
    assert!(is_exists(b"* 12 EXISTS\r\n"));
    assert!(is_exists(b"* 0 exists\r\n"));
    assert!(!is_exists(b"* 3 EXPUNGE\r\n"));
    assert!(!is_exists(b"* OK Still here\r\n"));
}

#[test]
fn literal_sizes_are_read_from_the_line_end() {
    assert_eq!(literal_size(b"* 1 FETCH (BODY[] {42}\r\n"), Some(42));
    assert_eq!(literal_size(b"* 1 FETCH (BINARY[] ~{7}\r\n"), Some(7));
    assert_eq!(literal_size(b"* OK {no}\r\n"), None);
    assert_eq!(literal_size(b"* OK {}\r\n"), None);
    assert_eq!(literal_size(b"* OK {12} more\r\n"), None);
    assert_eq!(literal_size(b"* OK {99999999999999}\r\n"), None);
}

#[test]
fn a_literal_too_large_is_refused_before_reading_it() {
    let mut s = session("* 1 FETCH (BODY[] {9999999999}\r\n");
    let f = s.run("FETCH 1 BODY[]", "fetching", |_| Ok(())).unwrap_err();
    assert!(f.message.contains("9999999999-byte literal"), "{f}");
}

/// `-vv` logged "LOGOUT failed: … server closed the connection: Logging out" after every
/// poll: the BYE that answers LOGOUT is how it succeeds. A BYE to anything else is a loss.
#[test]
fn the_bye_that_answers_logout_is_no_failure() {
    let mut s = session("* BYE Logging out\r\nt1 OK Logout completed.\r\n");
    s.logout().unwrap();
    assert_eq!(sent(&s), "t1 LOGOUT\r\n");
    let mut s = session("* BYE Server shutting down.\r\n");
    let lost = s.run("NOOP", "noop", |_| Ok(())).unwrap_err();
    assert!(lost.lost, "{lost}");
}
