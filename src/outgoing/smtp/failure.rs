//! lettre's errors sorted into "retry later" and "give up", said in one line that carries the
//! server's own reply (`451 4.3.0 try again later`) and what to change in the config, if
//! anything.
//!
//! lettre reports TLS handshake failures as I/O errors (rustls runs the handshake on the
//! first read or write), so the source chain is searched for the rustls error inside.

use std::error::Error as _;
use std::io;
use std::time::Duration;

use lettre::transport::smtp::Error;
use lettre::transport::smtp::response::Severity;
use rustls::CertificateError;

use crate::config::TlsMode;
use crate::domain::message::bounded_line;
use crate::outgoing::SendError;

/// Whether the server refused the credentials of AUTH: a 535 reply, or (XOAUTH2) the error
/// challenge lettre does not expect (`334 <base64 JSON>`).
pub fn token_refused(error: &Error) -> bool {
    if let Some(code) = error.status() {
        return u16::from(code) == 535;
    }
    error.is_client()
        && error
            .source()
            .is_some_and(|s| s.to_string().contains("does not expect a challenge"))
}

/// What `error` means for the message; `host` is the configured server name.
pub fn classify(error: &Error, host: &str, timeout: Duration, mode: TlsMode) -> SendError {
    if let Some(code) = error.status() {
        let text = error.source().map(|s| s.to_string()).unwrap_or_default();
        let reply = format!("{code} {text}{}", reply_hint(u16::from(code)));
        return match code.severity {
            Severity::TransientNegativeCompletion => SendError::Transient(reply),
            _ => SendError::Permanent(reply),
        };
    }
    if let Some(tls) = find::<rustls::Error>(error) {
        return SendError::Permanent(format!(
            "TLS handshake failed: {tls}{}",
            tls_hint(tls, host, mode)
        ));
    }
    if error.is_client() {
        // Raised before anything is sent: a capability the server lacks, or a message it
        // cannot carry. Retrying changes neither.
        let text = error.source().map(|s| s.to_string()).unwrap_or_default();
        let hint = if text.contains("STARTTLS") {
            " (outgoing.tls = \"starttls\" never falls back to plain text: use the server's \
             implicit-TLS port with tls = \"implicit\")"
        } else if text.contains("authentication mechanism") {
            " (it offers no AUTH PLAIN or LOGIN on this connection)"
        } else {
            ""
        };
        return SendError::Permanent(format!("{text}{hint}"));
    }
    if let Some(io) = find::<io::Error>(error) {
        return SendError::Transient(match io.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                format!("no answer within {} s", timeout.as_secs_f64())
            }
            _ => format!("connection failed: {io}"),
        });
    }
    // The server closed the connection mid-reply or said something unparsable; a later
    // attempt may meet a healthier server.
    SendError::Transient(error.to_string())
}

/// The first error of type `E` in `error`'s source chain, looking inside `io::Error`s too
/// (their `source()` skips the error they wrap).
fn find<E: std::error::Error + 'static>(error: &Error) -> Option<&E> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        if let Some(inner) = e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            if let Some(found) = inner.downcast_ref::<E>() {
                return Some(found);
            }
            next = inner.source();
        } else {
            next = e.source();
        }
    }
    None
}

/// Replies that mean the login, not the message, is wrong.
fn reply_hint(code: u16) -> &'static str {
    match code {
        530 => " (the server wants a login: set outgoing.username and password_command)",
        535 => " (check outgoing.username and its password)",
        538 => " (the server wants a login over TLS: set outgoing.tls)",
        _ => "",
    }
}

/// What the operator can do about a handshake error, if anything; a change of `outgoing.tls`
/// only when it differs from the configured `mode`.
fn tls_hint(e: &rustls::Error, host: &str, mode: TlsMode) -> String {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            " (add the server's CA with outgoing.ca_file)".into()
        }
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => format!(" (the certificate is not for {host}: check outgoing.host)"),
        rustls::Error::InvalidMessage(_) if mode == TlsMode::Implicit => {
            " (the server does not speak TLS on this port: for port 587 or 25 set \
             outgoing.tls = \"starttls\")"
                .into()
        }
        rustls::Error::InvalidMessage(_) => " (the server agreed to STARTTLS but did not speak \
             TLS after it: check outgoing.host and outgoing.port)"
            .into(),
        _ => String::new(),
    }
}

/// Server text is untrusted and the password must never show: control characters become
/// spaces, the length is bounded, and the password (if the server echoed it) is masked.
pub fn clean(text: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => bounded_line(&text.replace(p, "[password]")),
        _ => bounded_line(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_one_bounded_line_without_the_password() {
        assert_eq!(
            clean("535 bad\r\nlogin hunter2\x1b[31m", Some("hunter2")),
            "535 bad  login [password] [31m"
        );
        assert_eq!(clean(&"x".repeat(1000), None).chars().count(), 301);
    }

    #[test]
    fn hints_point_at_the_config_key() {
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert!(tls_hint(&unknown, "h", TlsMode::Implicit).contains("outgoing.ca_file"));
        let name = rustls::Error::InvalidCertificate(CertificateError::NotValidForName);
        assert!(
            tls_hint(&name, "smtp.example.org", TlsMode::Implicit)
                .contains("not for smtp.example.org")
        );
        assert!(reply_hint(535).contains("outgoing.username"));
        assert_eq!(reply_hint(550), "");
    }
}
