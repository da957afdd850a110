//! The byte stream under the IMAP session: TCP with timeouts we set, then TLS from the first
//! byte, TLS after STARTTLS, or plaintext when the config says so.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::failure::{Failure, secs};
use super::tls::TlsStream;

/// Added when a plaintext greeting never comes and the port may wait for a TLS handshake.
pub const IMPLICIT_TLS_HINT: &str =
    " (is this an implicit-TLS port? then set imap.tls = \"implicit\")";
/// Added when a plaintext greeting never came and the port answered a TLS handshake.
pub const SPEAKS_TLS_HINT: &str = " (this port speaks TLS: set imap.tls = \"implicit\")";
/// Added when a plaintext greeting never came and the port answered a TLS handshake with
/// something else (a web server's error page).
pub const NEITHER_HINT: &str =
    " (this port answers neither as IMAP nor with TLS: check imap.port and imap.host)";
/// Added when the implicit-TLS handshake succeeded but no IMAP greeting followed.
pub const TLS_BUT_NO_IMAP_HINT: &str =
    " (the port speaks TLS, but not IMAP over it: check imap.port and imap.host)";
/// How long a plaintext greeting is waited for: servers greet at once, and a port that waits
/// for a TLS handshake instead would otherwise hold the operator for the whole I/O timeout.
pub const GREETING_WAIT: Duration = Duration::from_secs(10);

pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Stream {
    /// The socket under either kind.
    pub fn socket(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }
}

impl std::os::fd::AsRawFd for Stream {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.socket().as_raw_fd()
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Connects to the first address of `host` that answers within `connect_timeout`; every later
/// read and write gives up after `io_timeout`, so a dead server never hangs a poll.
pub fn connect(
    host: &str,
    port: u16,
    connect_timeout: Duration,
    io_timeout: Duration,
) -> Result<TcpStream, Failure> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| Failure::new(format!("cannot resolve {host}: {e} (check imap.host)")))?;
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, connect_timeout) {
            Ok(tcp) => {
                let setup = tcp
                    .set_read_timeout(Some(io_timeout))
                    .and_then(|()| tcp.set_write_timeout(Some(io_timeout)))
                    .and_then(|()| tcp.set_nodelay(true));
                setup.map_err(|e| Failure::new(format!("cannot set up the socket: {e}")))?;
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        None => Failure::new(format!("cannot resolve {host}: no address")),
        Some(e) if e.kind() == io::ErrorKind::TimedOut => Failure::new(format!(
            "cannot connect: no answer within {}",
            secs(connect_timeout)
        )),
        Some(e) if e.kind() == io::ErrorKind::ConnectionRefused => Failure::new(format!(
            "cannot connect: {e} (nothing listens on port {port}: check imap.port, and that \
             the server runs)"
        )),
        Some(e) => Failure::new(format!("cannot connect: {e}")),
    })
}

/// Sets how long a read on `tcp` may wait (a greeting is waited for less than the rest).
pub fn read_timeout(tcp: &TcpStream, wait: Duration) -> Result<(), Failure> {
    tcp.set_read_timeout(Some(wait))
        .map_err(|e| Failure::new(format!("cannot set up the socket: {e}")))
}

/// A connection of its own to `addr`, every step bounded by `wait`, for a hint that asks the
/// port what it speaks; `None` when it cannot be had.
pub fn probe(addr: SocketAddr, wait: Duration) -> Option<TcpStream> {
    let tcp = TcpStream::connect_timeout(&addr, wait).ok()?;
    tcp.set_read_timeout(Some(wait)).ok()?;
    tcp.set_write_timeout(Some(wait)).ok()?;
    Some(tcp)
}

/// Checks the server's first line: `* OK` (or `* PREAUTH`) lets us in, `* BYE` turns us away.
pub fn check_greeting(line: &[u8]) -> Result<(), Failure> {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end();
    let upper = text.to_ascii_uppercase();
    if upper.starts_with("* OK") || upper.starts_with("* PREAUTH") {
        Ok(())
    } else if let Some(reason) = upper.strip_prefix("* BYE").map(|_| &text[5..]) {
        Err(Failure::new(format!(
            "server refused the connection:{reason}"
        )))
    } else {
        Err(Failure::new(format!(
            "unexpected greeting `{text}` (is this an IMAP port?)"
        )))
    }
}

/// Reads the plaintext greeting (waiting [`GREETING_WAIT`] at most; a silent port gets
/// `silent`'s hint), checks that the server offers STARTTLS and asks for it; the caller then
/// runs the TLS handshake on the same socket. Nothing is sent in clear but CAPABILITY and
/// STARTTLS.
pub fn starttls(
    tcp: &TcpStream,
    io_timeout: Duration,
    silent: impl FnOnce() -> &'static str,
) -> Result<(), Failure> {
    let wait = io_timeout.min(GREETING_WAIT);
    read_timeout(tcp, wait)?;
    let mut reader = BufReader::new(tcp);
    let greeting =
        read_line(&mut reader, "no greeting from the server", wait).map_err(|mut f| {
            if !f.lost {
                f.message += silent();
            }
            f
        })?;
    read_timeout(tcp, io_timeout)?;
    check_greeting(&greeting)?;
    if !offers_starttls(tcp, &mut reader, io_timeout)? {
        return Err(Failure::new(
            "the server does not offer STARTTLS: use its implicit-TLS port with \
             imap.tls = \"implicit\" (tls = \"none\" would send the login in clear)",
        ));
    }

    send(tcp, b"s2 STARTTLS\r\n", io_timeout)?;
    let lines = read_tagged(&mut reader, "s2", io_timeout)?;
    let done = lines
        .last()
        .map(|l| String::from_utf8_lossy(l).into_owned());
    if !done
        .as_deref()
        .is_some_and(|l| l.to_ascii_uppercase().starts_with("S2 OK"))
    {
        return Err(Failure::new(format!(
            "server refused STARTTLS: {}",
            done.unwrap_or_default().trim_end()
        )));
    }
    if !reader.buffer().is_empty() {
        // Bytes sent before the handshake could be injected by anyone on the path.
        return Err(Failure::new(
            "server sent data after agreeing to STARTTLS; refusing the connection",
        ));
    }
    Ok(())
}

/// Asks a greeted plaintext connection for its CAPABILITY: whether STARTTLS is among them.
fn offers_starttls(
    tcp: &TcpStream,
    reader: &mut BufReader<&TcpStream>,
    io_timeout: Duration,
) -> Result<bool, Failure> {
    send(tcp, b"s1 CAPABILITY\r\n", io_timeout)?;
    let lines = read_tagged(reader, "s1", io_timeout)?;
    Ok(lines.iter().any(|l| announces_starttls(l)))
}

/// `* CAPABILITY … STARTTLS …`
fn announces_starttls(line: &[u8]) -> bool {
    let l = String::from_utf8_lossy(line).to_ascii_uppercase();
    l.starts_with("* CAPABILITY ") && l.split_ascii_whitespace().any(|w| w == "STARTTLS")
}

/// Whether the plaintext IMAP server at `addr` offers STARTTLS, asked on a connection of its
/// own (nothing but CAPABILITY and LOGOUT is sent) within about `wait`; `None` when it cannot
/// tell. For the hint of an implicit-TLS handshake that met a plain port whose greeting lists
/// no capabilities.
pub fn plain_port_offers_starttls(addr: SocketAddr, wait: Duration) -> Option<bool> {
    let deadline = Instant::now() + wait;
    let tcp = probe(addr, wait)?;
    let mut reader = BufReader::new(&tcp);
    check_greeting(&read_line(&mut reader, "probing", wait).ok()?).ok()?;
    send(&tcp, b"s1 CAPABILITY\r\n", wait).ok()?;
    let mut offered = false;
    while Instant::now() < deadline {
        let line = read_line(&mut reader, "probing", wait).ok()?;
        offered |= announces_starttls(&line);
        if line
            .get(..3)
            .is_some_and(|t| t.eq_ignore_ascii_case(b"s1 "))
        {
            let _ = send(&tcp, b"s2 LOGOUT\r\n", wait);
            return Some(offered);
        }
    }
    None
}

fn send(mut tcp: &TcpStream, bytes: &[u8], io_timeout: Duration) -> Result<(), Failure> {
    tcp.write_all(bytes)
        .map_err(|e| Failure::io("STARTTLS failed", &e, io_timeout))
}

/// One line, at most 64 KiB (a server cannot make us buffer without end).
fn read_line(
    reader: &mut impl BufRead,
    doing: &str,
    io_timeout: Duration,
) -> Result<Vec<u8>, Failure> {
    let mut line = Vec::new();
    let n = reader
        .take(64 * 1024)
        .read_until(b'\n', &mut line)
        .map_err(|e| Failure::io(doing, &e, io_timeout))?;
    if n == 0 {
        let mut f = Failure::new("connection closed by the server");
        f.lost = true;
        return Err(f);
    }
    if !line.ends_with(b"\n") {
        return Err(Failure::new("server sent an overlong line"));
    }
    Ok(line)
}

/// The lines answering command `tag`, the tagged completion last.
fn read_tagged(
    reader: &mut impl BufRead,
    tag: &str,
    io_timeout: Duration,
) -> Result<Vec<Vec<u8>>, Failure> {
    let mut lines = Vec::new();
    for _ in 0..1000 {
        let line = read_line(reader, "STARTTLS failed", io_timeout)?;
        let tagged = line
            .get(..tag.len() + 1)
            .is_some_and(|p| p.eq_ignore_ascii_case(format!("{tag} ").as_bytes()));
        lines.push(line);
        if tagged {
            return Ok(lines);
        }
    }
    Err(Failure::new("server never completed the command"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings() {
        assert!(check_greeting(b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n").is_ok());
        assert!(check_greeting(b"* PREAUTH ready\r\n").is_ok());
        let bye = check_greeting(b"* BYE Too many connections\r\n").unwrap_err();
        assert_eq!(
            bye.message,
            "server refused the connection: Too many connections"
        );
        let other = check_greeting(b"220 smtp.example.org ESMTP\r\n").unwrap_err();
        assert!(other.message.contains("is this an IMAP port?"), "{other}");
    }

    #[test]
    fn tagged_completion_ends_the_answer() {
        let mut input: &[u8] = b"* CAPABILITY IMAP4rev1 STARTTLS\r\ns1 OK done\r\nextra";
        let lines = read_tagged(&mut input, "s1", Duration::from_secs(1)).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(input, b"extra");
        let mut closed: &[u8] = b"* CAPABILITY IMAP4rev1\r\n";
        let err = read_tagged(&mut closed, "s1", Duration::from_secs(1)).unwrap_err();
        assert!(err.lost);
    }

    #[test]
    fn overlong_lines_are_refused() {
        let long = vec![b'x'; 70 * 1024];
        let err = read_line(&mut &long[..], "reading", Duration::from_secs(1)).unwrap_err();
        assert_eq!(err.message, "server sent an overlong line");
    }
}
