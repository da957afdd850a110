//! The IMAP conversation: tagged commands out, responses in (RFC 3501 §2.2).
//!
//! Framing is done here, in one pass over the bytes: a response is a line, plus the literals
//! (`{n}` and n raw bytes) it announces and the line after each. Only complete responses are
//! handed on, to a callback, as they arrive — a 50,000-message FETCH is never held whole —
//! and each is parsed at most once, by imap-proto, by the caller that needs its content.
//! (The `imap` crate, used before, re-parsed a response from its start after every line of a
//! literal and buffered whole answers: that cost more than all the rest of a first poll.)

use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use super::failure::Failure;
use super::transport::{Stream, read_timeout};
use crate::mail::wake::{Ready, Wait, Wakeup};

/// Longest line accepted outside literals: a `UID SEARCH` answer of a huge mailbox is long,
/// but a server must not make us buffer without end.
const MAX_LINE: u64 = 64 * 1024 * 1024;
/// Largest literal accepted; the callers' own size caps are far below.
const MAX_LITERAL: u64 = 1024 * 1024 * 1024;

pub struct Session<S: Read + Write> {
    stream: BufReader<S>,
    tag: u32,
    io_timeout: Duration,
    /// One response's bytes, reused: no allocation per message in a long FETCH.
    buf: Vec<u8>,
}

/// How a command ended: OK with its text, or what NO / BAD said.
enum Completion {
    Ok(String),
    Refused { why: String, no: bool },
}

impl<S: Read + Write> Session<S> {
    pub fn new(stream: S, io_timeout: Duration) -> Session<S> {
        Session {
            stream: BufReader::with_capacity(64 * 1024, stream),
            tag: 0,
            io_timeout,
            buf: Vec::new(),
        }
    }

    /// LOGIN. User name and password go as quoted strings, or as literals when they hold
    /// characters a quoted string cannot (8-bit, CR, LF); neither ever appears in an error.
    /// Returns the text of the server's OK (it may carry new capabilities).
    pub fn login(&mut self, user: &str, password: &str, doing: &str) -> Result<String, Failure> {
        self.command(
            &[
                Arg::Atom("LOGIN"),
                Arg::Str(user.as_bytes()),
                Arg::Str(password.as_bytes()),
            ],
            doing,
            |_| Ok(()),
        )
    }

    /// CAPABILITY: the words of the server's `* CAPABILITY` answer.
    pub fn capability(&mut self) -> Result<String, Failure> {
        let mut words = String::new();
        self.run(
            "CAPABILITY",
            "asking the server's capabilities failed",
            |r| {
                if let Some(text) = status_text(r, b"* CAPABILITY ") {
                    words = text;
                }
                Ok(())
            },
        )?;
        Ok(words)
    }

    /// AUTHENTICATE `mechanism` (RFC 3501 §6.2.2) with one client response, `response`: in the
    /// command line when the server offers SASL-IR (RFC 4959), else after its first `+`.
    /// A challenge after our response is the server's error report (XOAUTH2, OAUTHBEARER send
    /// one as base64 JSON): it is answered with `after_error` so the server can say NO, and
    /// its decoded text is kept for the failure. Nothing of `response` ever reaches an error.
    pub fn authenticate(
        &mut self,
        mechanism: &str,
        response: &[u8],
        sasl_ir: bool,
        after_error: &[u8],
        doing: &str,
    ) -> Result<String, Failure> {
        use base64::Engine as _;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        let mut line = format!("{tag} AUTHENTICATE {mechanism}");
        let mut sent = sasl_ir;
        if sasl_ir {
            line.push(' ');
            line.push_str(&if response.is_empty() {
                "=".to_string()
            } else {
                b64(response)
            });
        }
        line.push_str("\r\n");
        self.write(line.as_bytes(), doing)?;
        let mut server_error = None;
        let mut buf = Vec::new();
        for _ in 0..8 {
            buf.clear();
            self.read_line(&mut buf, doing)?;
            match classify(&buf, &tag) {
                Kind::Continuation if !sent => {
                    sent = true;
                    self.write(format!("{}\r\n", b64(response)).as_bytes(), doing)?;
                }
                Kind::Continuation => {
                    let challenge = first_line(&buf[1..]).trim().to_string();
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(challenge.as_bytes())
                        .map(|d| String::from_utf8_lossy(&d).into_owned())
                        .unwrap_or(challenge);
                    server_error = Some(decoded);
                    self.write(format!("{}\r\n", b64(after_error)).as_bytes(), doing)?;
                }
                Kind::Untagged => {
                    if let Some(text) = status_text(&buf, b"* BYE") {
                        return Err(Failure::lost(format!(
                            "{doing}: server closed the connection: {text}"
                        )));
                    }
                }
                Kind::Tagged => {
                    return match completion(&buf, &tag) {
                        Completion::Ok(text) => Ok(text),
                        Completion::Refused { why, no } => {
                            let why = match server_error {
                                Some(e) if !e.is_empty() => format!("{why} (server said: {e})"),
                                _ => why,
                            };
                            let message = format!("{doing}: {why}");
                            Err(if no {
                                Failure::refused(message)
                            } else {
                                Failure::new(message)
                            })
                        }
                    };
                }
                Kind::Other => {
                    return Err(Failure::new(format!(
                        "{doing}: unexpected server response `{}`",
                        first_line(&buf)
                    )));
                }
            }
        }
        Err(Failure::new(format!(
            "{doing}: the server kept asking for more"
        )))
    }

    pub fn logout(&mut self) -> Result<(), Failure> {
        self.run("LOGOUT", "LOGOUT failed", |_| Ok(()))
    }

    /// Runs `command` (atoms and already-quoted arguments only) and hands every untagged
    /// response to `each`, as framed bytes (CRLF and literals included).
    pub fn run(
        &mut self,
        command: &str,
        doing: &str,
        each: impl FnMut(&[u8]) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        self.command(&[Arg::Atom(command)], doing, each).map(|_| ())
    }

    /// Sends `args`; returns the text of the server's OK.
    fn command(
        &mut self,
        args: &[Arg],
        doing: &str,
        mut each: impl FnMut(&[u8]) -> Result<(), Failure>,
    ) -> Result<String, Failure> {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        self.send(&tag, args, doing)?;
        // LOGOUT's answer is a BYE, then OK (RFC 3501 §6.1.3): that BYE is no loss.
        let logging_out = matches!(args, [Arg::Atom("LOGOUT")]);
        let mut buf = std::mem::take(&mut self.buf);
        let result = loop {
            if let Err(f) = self.read_response(&mut buf, doing) {
                break Err(f);
            }
            match classify(&buf, &tag) {
                Kind::Untagged => {
                    if let Some(text) = status_text(&buf, b"* BYE").filter(|_| !logging_out) {
                        break Err(Failure::lost(format!(
                            "{doing}: server closed the connection: {text}"
                        )));
                    }
                    if let Err(f) = each(&buf) {
                        break Err(f);
                    }
                }
                Kind::Tagged => {
                    break match completion(&buf, &tag) {
                        Completion::Ok(text) => Ok(text),
                        Completion::Refused { why, no: true } => {
                            Err(Failure::refused(format!("{doing}: {why}")))
                        }
                        Completion::Refused { why, no: false } => {
                            Err(Failure::new(format!("{doing}: {why}")))
                        }
                    };
                }
                Kind::Continuation => {
                    break Err(Failure::new(format!(
                        "{doing}: the server asked for data that was never announced"
                    )));
                }
                Kind::Other => {
                    break Err(Failure::new(format!(
                        "{doing}: unexpected server response `{}`",
                        first_line(&buf)
                    )));
                }
            }
        };
        self.buf = buf;
        if self.buf.capacity() > 1024 * 1024 {
            self.buf = Vec::new(); // do not keep a large message's buffer between passes
        }
        result
    }

    /// Writes the command line; before each literal, waits for the server's go-ahead.
    fn send(&mut self, tag: &str, args: &[Arg], doing: &str) -> Result<(), Failure> {
        let mut line = tag.as_bytes().to_vec();
        for arg in args {
            line.push(b' ');
            match arg {
                Arg::Atom(a) => line.extend_from_slice(a.as_bytes()),
                Arg::Str(s) if quotable(s) => {
                    line.push(b'"');
                    for &b in *s {
                        if b == b'"' || b == b'\\' {
                            line.push(b'\\');
                        }
                        line.push(b);
                    }
                    line.push(b'"');
                }
                Arg::Str(s) => {
                    line.extend_from_slice(format!("{{{}}}\r\n", s.len()).as_bytes());
                    self.write(&line, doing)?;
                    line.clear();
                    let mut answer = Vec::new();
                    self.read_line(&mut answer, doing)?;
                    if !answer.starts_with(b"+") {
                        let why = match classify(&answer, tag) {
                            Kind::Tagged => match completion(&answer, tag) {
                                Completion::Refused { why, .. } => why,
                                Completion::Ok(_) => "the command ended early".into(),
                            },
                            _ => format!("unexpected server response `{}`", first_line(&answer)),
                        };
                        return Err(Failure::new(format!("{doing}: {why}")));
                    }
                    line.extend_from_slice(s);
                }
            }
        }
        line.extend_from_slice(b"\r\n");
        self.write(&line, doing)
    }

    fn write(&mut self, bytes: &[u8], doing: &str) -> Result<(), Failure> {
        let stream = self.stream.get_mut();
        stream
            .write_all(bytes)
            .and_then(|()| stream.flush())
            .map_err(|e| Failure::io(doing, &e, self.io_timeout))
    }

    /// Appends one line (up to and including LF) to `into`.
    fn read_line(&mut self, into: &mut Vec<u8>, doing: &str) -> Result<(), Failure> {
        let n = (&mut self.stream)
            .take(MAX_LINE)
            .read_until(b'\n', into)
            .map_err(|e| Failure::io(doing, &e, self.io_timeout))?;
        if n == 0 {
            return Err(Failure::lost(format!(
                "{doing}: connection closed by the server"
            )));
        }
        if !into.ends_with(b"\n") {
            return Err(if n as u64 == MAX_LINE {
                Failure::new(format!("{doing}: server sent an overlong line"))
            } else {
                Failure::lost(format!("{doing}: connection closed by the server"))
            });
        }
        Ok(())
    }

    /// One complete response into `buf`: its lines and the literals between them.
    fn read_response(&mut self, buf: &mut Vec<u8>, doing: &str) -> Result<(), Failure> {
        buf.clear();
        loop {
            let start = buf.len();
            self.read_line(buf, doing)?;
            let Some(size) = literal_size(&buf[start..]) else {
                return Ok(());
            };
            if size > MAX_LITERAL {
                return Err(Failure::new(format!(
                    "{doing}: server announced a {size}-byte literal"
                )));
            }
            let before = buf.len();
            (&mut self.stream)
                .take(size)
                .read_to_end(buf)
                .map_err(|e| Failure::io(doing, &e, self.io_timeout))?;
            if ((buf.len() - before) as u64) < size {
                return Err(Failure::lost(format!(
                    "{doing}: connection closed by the server"
                )));
            }
        }
    }
}

impl Session<Stream> {
    /// The server's first line (`* OK …`), for the caller to judge, waited for at most `wait`
    /// (then the I/O timeout again).
    pub fn greeting(&mut self, wait: Duration) -> Result<Vec<u8>, Failure> {
        read_timeout(self.stream.get_ref().socket(), wait)?;
        let io = std::mem::replace(&mut self.io_timeout, wait);
        let mut line = Vec::new();
        let read = self.read_line(&mut line, "no greeting from the server");
        self.io_timeout = io;
        read_timeout(self.stream.get_ref().socket(), io)?;
        read.map(|()| line)
    }
}

impl<S: Read + Write + AsRawFd> Session<S> {
    /// IDLE (RFC 2177) until the server reports new mail (`* n EXISTS`), `wake` is woken, or
    /// `until` passes; then DONE, and the command's end is read. The socket is watched with
    /// poll(2) beside the wake-up, so waiting costs no CPU and no traffic.
    pub fn idle(&mut self, wake: &Wakeup, until: Instant) -> Result<Wait, Failure> {
        let doing = "waiting for new mail (IDLE) failed";
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        self.write(format!("{tag} IDLE\r\n").as_bytes(), doing)?;
        let mut buf = std::mem::take(&mut self.buf);
        let mut new_mail = false;
        // Until the server's go-ahead: untagged news may come first.
        loop {
            self.read_response(&mut buf, doing)?;
            match classify(&buf, &tag) {
                Kind::Continuation => break,
                Kind::Untagged => {
                    if let Some(text) = status_text(&buf, b"* BYE") {
                        return Err(Failure::lost(format!(
                            "{doing}: server closed the connection: {text}"
                        )));
                    }
                    new_mail |= is_exists(&buf);
                }
                Kind::Tagged => {
                    let why = match completion(&buf, &tag) {
                        Completion::Refused { why, .. } => why,
                        Completion::Ok(_) => "the server ended it at once".into(),
                    };
                    return Err(Failure::new(format!("{doing}: {why}")));
                }
                Kind::Other => {
                    return Err(Failure::new(format!(
                        "{doing}: unexpected server response `{}`",
                        first_line(&buf)
                    )));
                }
            }
        }
        let mut end = if new_mail {
            Wait::NewMail
        } else {
            Wait::Timeout
        };
        while !new_mail {
            // What is already buffered comes first: poll(2) knows only the socket.
            if self.stream.buffer().is_empty() {
                let fd = self.stream.get_ref().as_raw_fd();
                match wake.wait_with(Some(fd), until) {
                    Ready::Readable => {}
                    Ready::Woken => {
                        end = Wait::Woken;
                        break;
                    }
                    Ready::Timeout => break,
                }
            }
            self.read_response(&mut buf, doing)?;
            if let Some(text) = status_text(&buf, b"* BYE") {
                return Err(Failure::lost(format!(
                    "{doing}: server closed the connection: {text}"
                )));
            }
            if is_exists(&buf) {
                end = Wait::NewMail;
                new_mail = true;
            }
        }
        self.write(b"DONE\r\n", doing)?;
        loop {
            self.read_response(&mut buf, doing)?;
            match classify(&buf, &tag) {
                Kind::Tagged => break,
                _ if is_exists(&buf) => end = Wait::NewMail,
                _ => {}
            }
        }
        self.buf = buf;
        Ok(end)
    }
}

/// `* <n> EXISTS`: the mailbox grew (or, after expunges, says its size again).
fn is_exists(response: &[u8]) -> bool {
    let line = first_line(response);
    line.strip_prefix("* ")
        .and_then(|rest| rest.split_once(' '))
        .is_some_and(|(n, word)| {
            n.bytes().all(|b| b.is_ascii_digit()) && word.trim().eq_ignore_ascii_case("EXISTS")
        })
}

/// A command argument.
enum Arg<'a> {
    /// Sent as is: command names, sequence sets, already-quoted mailbox names.
    Atom(&'a str),
    /// A string: quoted, or a literal when quoting cannot carry it.
    Str(&'a [u8]),
}

/// Whether a quoted string can carry `s` (RFC 3501: 7-bit, no CR, LF or NUL).
fn quotable(s: &[u8]) -> bool {
    s.iter()
        .all(|&b| (1..0x80).contains(&b) && b != b'\r' && b != b'\n')
}

enum Kind {
    Untagged,
    Tagged,
    Continuation,
    Other,
}

fn classify(response: &[u8], tag: &str) -> Kind {
    if response.starts_with(b"* ") {
        Kind::Untagged
    } else if response.starts_with(b"+") {
        Kind::Continuation
    } else if response
        .strip_prefix(tag.as_bytes())
        .is_some_and(|rest| rest.starts_with(b" "))
    {
        Kind::Tagged
    } else {
        Kind::Other
    }
}

/// The status of our tagged line: OK, or what NO / BAD said.
fn completion(response: &[u8], tag: &str) -> Completion {
    let line = first_line(response);
    let rest = line[tag.len()..].trim_start();
    let (status, text) = rest.split_once(' ').unwrap_or((rest, ""));
    match status.to_ascii_uppercase().as_str() {
        "OK" => Completion::Ok(text.trim().to_string()),
        "BAD" => Completion::Refused {
            why: format!("server said BAD: {}", text.trim()),
            no: false,
        },
        _ => Completion::Refused {
            why: text.trim().to_string(),
            no: true,
        },
    }
}

/// The text after `prefix` (case-insensitive) when the response starts with it.
fn status_text(response: &[u8], prefix: &[u8]) -> Option<String> {
    let head = response.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| first_line(&response[prefix.len()..]).trim().to_string())
}

/// The first line, lossily decoded, without its CRLF (the failure cleans it for display).
fn first_line(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end])
        .trim_end_matches('\r')
        .to_string()
}

/// The size announced by a line ending in `{n}` (or BINARY's `~{n}`), CRLF included.
fn literal_size(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    if digits.is_empty() || digits.len() > 12 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests;
