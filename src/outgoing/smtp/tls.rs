//! TLS parameters for lettre: the system trust store plus the certificates of
//! `outgoing.ca_file`, the host name always verified. lettre's own default with `rustls-tls` is
//! the compiled-in Mozilla list, which ignores a CA the machine's administrator installed; the
//! roots are [`crate::trust`]'s, as for IMAP.

use std::path::Path;

use anyhow::{Context, Error, Result};
use lettre::transport::smtp::client::{Certificate, CertificateStore, TlsParameters};
use rustls::pki_types::CertificateDer;

/// Parameters for a server named `host` (the name its certificate must carry).
pub fn parameters(host: &str, ca_file: Option<&Path>) -> Result<TlsParameters> {
    let mut builder =
        TlsParameters::builder(host.to_string()).certificate_store(CertificateStore::None);
    for cert in crate::trust::system_roots() {
        builder = builder.add_root_certificate(der(cert)?);
    }
    if let Some(path) = ca_file {
        for cert in crate::trust::ca_file_certs("outgoing.ca_file", path).map_err(Error::msg)? {
            builder = builder.add_root_certificate(der(cert)?);
        }
    }
    builder
        .build()
        .with_context(|| format!("TLS setup for {host} failed"))
}

fn der(cert: CertificateDer<'static>) -> Result<Certificate> {
    Certificate::from_der(cert.to_vec()).context("unusable certificate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_file_problems_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = format!("{:#}", parameters("h", Some(&missing)).err().unwrap());
        assert!(err.starts_with("outgoing.ca_file "), "{err}");
        assert!(err.contains("missing.pem"), "{err}");

        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = format!("{:#}", parameters("h", Some(&empty)).err().unwrap());
        assert!(err.ends_with("no PEM certificate in it"), "{err}");
    }
}
