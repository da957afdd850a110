//! TLS with rustls: the system trust store plus the certificates of `imap.ca_file`, the host
//! name always verified. Handshake failures say what to change in the config.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::auth::Capabilities;
use super::failure::Failure;
use crate::config::TlsMode;

pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// How long the hint of a failed connection may spend asking the port what it speaks.
pub const PROBE_WAIT: Duration = Duration::from_secs(5);

/// The client configuration, built once per source (reading the system store is not free).
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, Failure> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(crate::trust::system_roots());
    if let Some(path) = ca_file {
        let certs = crate::trust::ca_file_certs("imap.ca_file", path).map_err(Failure::new)?;
        roots.add_parsable_certificates(certs);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::new(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Runs the handshake to the end, so certificate errors surface here and not on first read.
pub fn handshake(
    config: Arc<ClientConfig>,
    host: &str,
    mut tcp: TcpStream,
    io_timeout: Duration,
    mode: TlsMode,
) -> Result<TlsStream, Failure> {
    let mut conn = client(config, host)?;
    let peer = tcp.peer_addr().ok();
    let mut first = FirstBytes {
        tcp: &mut tcp,
        seen: Vec::new(),
    };
    let mut failed = None;
    while failed.is_none() && conn.is_handshaking() {
        failed = conn.complete_io(&mut first).err();
    }
    let seen = first.seen;
    if let Some(e) = failed {
        let _ = tcp.shutdown(std::net::Shutdown::Both); // before a probe opens another
        let tls = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
        // A port that answered in plaintext is asked what it offers, briefly.
        let ask = || {
            let wait = io_timeout.min(PROBE_WAIT);
            peer.and_then(|a| super::transport::plain_port_offers_starttls(a, wait))
        };
        return Err(match tls {
            Some(tls) => Failure::new(format!(
                "TLS handshake failed: {tls}{}",
                hint(tls, host, mode, &seen, ask)
            )),
            None => Failure::io("TLS handshake failed", &e, io_timeout),
        });
    }
    Ok(StreamOwned::new(conn, tcp))
}

/// The client side of a handshake with `host`.
fn client(config: Arc<ClientConfig>, host: &str) -> Result<ClientConnection, Failure> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| Failure::new(format!("`{host}` is not a valid TLS server name")))?;
    ClientConnection::new(config, name).map_err(|e| Failure::new(format!("TLS setup failed: {e}")))
}

/// Whether the server at `addr` answers a TLS handshake (a certificate it fails to prove
/// still counts), asked on a connection of its own within about `wait`: for the hint when a
/// plaintext greeting never came. `None` when it cannot tell.
pub fn speaks_tls(
    config: Arc<ClientConfig>,
    host: &str,
    addr: SocketAddr,
    wait: Duration,
) -> Option<bool> {
    let mut tcp = super::transport::probe(addr, wait)?;
    let mut conn = client(config, host).ok()?;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            return match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                Some(rustls::Error::InvalidMessage(_)) => Some(false),
                Some(_) => Some(true),
                None => None,
            };
        }
    }
    Some(true)
}

/// The socket during the handshake, keeping the first bytes the server sent: when they are
/// not TLS, they say what the port speaks instead (an IMAP greeting, with or without STARTTLS
/// among its capabilities, or another protocol).
struct FirstBytes<'a> {
    tcp: &'a mut TcpStream,
    seen: Vec<u8>,
}

impl Read for FirstBytes<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.tcp.read(buf)?;
        let room = 1024usize.saturating_sub(self.seen.len());
        self.seen.extend_from_slice(&buf[..n.min(room)]);
        Ok(n)
    }
}

impl Write for FirstBytes<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

/// What the operator can do about a handshake error, if anything. A change of `imap.tls` is
/// suggested only when it differs from the configured `mode`, and `starttls` only where the
/// server offers it: as its greeting (`seen`, what came instead of TLS) says, or else as `ask`
/// finds out.
fn hint(
    e: &rustls::Error,
    host: &str,
    mode: TlsMode,
    seen: &[u8],
    ask: impl FnOnce() -> Option<bool>,
) -> String {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            " (add the server's CA with imap.ca_file)".into()
        }
        // `openssl req -x509`'s self-signed certificate: marked as a CA, which verification
        // refuses as a server's own certificate, in imap.ca_file or not.
        rustls::Error::InvalidCertificate(CertificateError::Other(other))
            if format!("{other:?}").contains("CaUsedAsEndEntity") =>
        {
            " (the server presents a CA certificate as its own, as a self-signed one made with \
             `openssl req -x509` is: TLS verification refuses that even with imap.ca_file; give \
             the server a certificate signed by a CA, and that CA's certificate to imap.ca_file)"
                .into()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(" (the certificate is not for {host}: check imap.host)"),
        rustls::Error::InvalidMessage(_) if mode == TlsMode::Implicit => plain_port(seen, ask),
        rustls::Error::InvalidMessage(_) => {
            " (the server agreed to STARTTLS but did not speak TLS after it: check imap.host and \
             imap.port, or use the implicit-TLS port with imap.tls = \"implicit\")"
                .into()
        }
        _ => String::new(),
    }
}

/// The hint for a port that answered an implicit-TLS handshake in plaintext, from what it said:
/// its greeting's capabilities, or else those `ask` gets on a plaintext connection of its own.
fn plain_port(seen: &[u8], ask: impl FnOnce() -> Option<bool>) -> String {
    // A TLS record (a handshake or an alert) that could not be read: the port does speak TLS.
    if seen.first().is_some_and(|&b| (0x14..=0x17).contains(&b)) {
        return String::new();
    }
    let line = seen.split(|&b| b == b'\n').next().unwrap_or_default();
    let upper = String::from_utf8_lossy(line).to_ascii_uppercase();
    let offered = if upper.starts_with("* PREAUTH") {
        Some(false) // logged in already: STARTTLS is no longer possible (RFC 3501 §6.2.1)
    } else if upper.starts_with("* OK") || upper.starts_with("* BYE") {
        match Capabilities::from_greeting(line) {
            Some(caps) => Some(caps.has("STARTTLS")),
            None => ask(),
        }
    } else {
        let text = crate::domain::message::sanitize(&String::from_utf8_lossy(line), false);
        let mut said: String = text.chars().take(40).collect();
        if said.len() < text.len() {
            said = format!("{}…", said.trim_end());
        }
        return if said.is_empty() {
            " (the server does not speak TLS on this port: check imap.port)".into()
        } else {
            format!(
                " (the server on this port does not speak TLS or IMAP, it said `{said}`: check \
                 imap.port)"
            )
        };
    };
    match offered {
        Some(false) => " (the server speaks plain IMAP on this port and offers no STARTTLS: use \
             its TLS port, usually 993)"
            .into(),
        Some(true) => " (the server speaks plain IMAP on this port and offers STARTTLS: set \
             imap.tls = \"starttls\"; or use its TLS port, usually 993)"
            .into(),
        None => " (the server speaks plain IMAP on this port: if it offers STARTTLS, set \
             imap.tls = \"starttls\"; or use its TLS port, usually 993)"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_file_problems_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = client_config(Some(&missing)).unwrap_err().message;
        assert!(err.starts_with("imap.ca_file "), "{err}");
        assert!(err.contains("missing.pem"), "{err}");

        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = client_config(Some(&empty)).unwrap_err().message;
        assert!(err.ends_with("no PEM certificate in it"), "{err}");
    }

    #[test]
    fn hints_point_at_the_config_key() {
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert_eq!(
            format!(
                "{unknown}{}",
                hint(&unknown, "h", TlsMode::Implicit, b"", || None)
            ),
            "invalid peer certificate: UnknownIssuer (add the server's CA with imap.ca_file)"
        );
        let name = rustls::Error::InvalidCertificate(CertificateError::NotValidForName);
        assert!(
            hint(&name, "imap.example.org", TlsMode::Implicit, b"", || None)
                .contains("not for imap.example.org")
        );
        let plain = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        let after = hint(&plain, "h", TlsMode::Starttls, b"", || None);
        assert!(!after.contains("\"starttls\""), "{after}");
        assert!(after.contains("imap.tls = \"implicit\""), "{after}");
    }

    /// What a port said instead of TLS decides whether STARTTLS is worth suggesting.
    #[test]
    fn a_plain_port_is_told_apart_by_its_greeting() {
        let plain = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        let said = |seen: &[u8]| hint(&plain, "h", TlsMode::Implicit, seen, || None);
        let offers = said(b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\n");
        assert!(
            offers.contains("offers STARTTLS: set imap.tls = \"starttls\""),
            "{offers}"
        );
        let lacks = said(b"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] imap4d ready\r\n");
        assert!(
            lacks.contains("offers no STARTTLS: use its TLS port"),
            "{lacks}"
        );
        assert!(!lacks.contains("\"starttls\""), "{lacks}");
        // A greeting without capabilities: asked on a connection of its own.
        let bare = b"* OK Courier-IMAP ready.\r\n";
        let unsaid = said(bare);
        assert!(
            unsaid.contains("if it offers STARTTLS, set imap.tls"),
            "{unsaid}"
        );
        let asked = |offers| hint(&plain, "h", TlsMode::Implicit, bare, || Some(offers));
        assert!(
            asked(true).contains("offers STARTTLS: set"),
            "{}",
            asked(true)
        );
        assert!(
            asked(false).contains("offers no STARTTLS"),
            "{}",
            asked(false)
        );
        // Only then.
        let lacks = hint(
            &plain,
            "h",
            TlsMode::Implicit,
            b"* OK [CAPABILITY IMAP4rev1] x\r\n",
            || panic!("asked although the greeting said"),
        );
        assert!(lacks.contains("offers no STARTTLS"), "{lacks}");
        let smtp = said(b"220 mail.example.org ESMTP\x1b[31m\r\n");
        assert!(
            smtp.contains("does not speak TLS or IMAP, it said `220 mail.example.org ESMTP"),
            "{smtp}"
        );
        assert!(
            smtp.contains("check imap.port") && !smtp.contains('\x1b'),
            "{smtp}"
        );
        assert!(said(b"").contains("check imap.port"));
        assert!(said(b"* PREAUTH logged in\r\n").contains("offers no STARTTLS"));
        assert_eq!(
            said(b"\x15\x03\x03\x00\x02\x02\x28"),
            "",
            "a TLS alert: TLS after all"
        );
        let long = said(b"HTTP/1.1 400 Bad Request to a very long status line here\r\n");
        assert!(
            long.contains("`HTTP/1.1 400 Bad Request to a very long…`"),
            "{long}"
        );
    }
}
