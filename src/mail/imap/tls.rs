//! TLS with rustls: the system trust store plus the certificates of `imap.ca_file`, the host
//! name always verified. Handshake failures say what to change in the config.

use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::failure::Failure;
use crate::config::TlsMode;

pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

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
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| Failure::new(format!("`{host}` is not a valid TLS server name")))?;
    let mut conn = ClientConnection::new(config, name)
        .map_err(|e| Failure::new(format!("TLS setup failed: {e}")))?;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            let tls = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
            return Err(match tls {
                Some(tls) => Failure::new(format!(
                    "TLS handshake failed: {tls}{}",
                    hint(tls, host, mode)
                )),
                None => Failure::io("TLS handshake failed", &e, io_timeout),
            });
        }
    }
    Ok(StreamOwned::new(conn, tcp))
}

/// What the operator can do about a handshake error, if anything. A change of `imap.tls` is
/// suggested only when it differs from the configured `mode`.
fn hint(e: &rustls::Error, host: &str, mode: TlsMode) -> String {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            " (add the server's CA with imap.ca_file)".into()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(" (the certificate is not for {host}: check imap.host)"),
        rustls::Error::InvalidMessage(_) if mode == TlsMode::Implicit => {
            " (the server does not speak TLS on this port: on a plain port such as 143, set \
             imap.tls = \"starttls\"; or use its TLS port, 993)"
                .into()
        }
        rustls::Error::InvalidMessage(_) => {
            " (the server agreed to STARTTLS but did not speak TLS after it: check imap.host and \
             imap.port, or use the implicit-TLS port with imap.tls = \"implicit\")"
                .into()
        }
        _ => String::new(),
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
            format!("{unknown}{}", hint(&unknown, "h", TlsMode::Implicit)),
            "invalid peer certificate: UnknownIssuer (add the server's CA with imap.ca_file)"
        );
        let name = rustls::Error::InvalidCertificate(CertificateError::NotValidForName);
        assert!(
            hint(&name, "imap.example.org", TlsMode::Implicit).contains("not for imap.example.org")
        );
        let plain = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        assert!(hint(&plain, "h", TlsMode::Implicit).contains("imap.tls = \"starttls\""));
        let after = hint(&plain, "h", TlsMode::Starttls);
        assert!(!after.contains("\"starttls\""), "{after}");
        assert!(after.contains("imap.tls = \"implicit\""), "{after}");
    }
}
