//! TLS parameters for lettre: the system trust store plus the certificates of
//! `outgoing.ca_file`, the host name always verified. lettre's own default with `rustls-tls` is
//! the compiled-in Mozilla list, which ignores a CA the machine's administrator installed; the
//! IMAP side trusts the system store, so sending does too.

use std::path::Path;

use anyhow::{Context, Result, bail};
use lettre::transport::smtp::client::{Certificate, CertificateStore, TlsParameters};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Parameters for a server named `host` (the name its certificate must carry).
pub fn parameters(host: &str, ca_file: Option<&Path>) -> Result<TlsParameters> {
    let mut builder =
        TlsParameters::builder(host.to_string()).certificate_store(CertificateStore::None);
    for cert in system_roots() {
        builder = builder.add_root_certificate(der(cert)?);
    }
    if let Some(path) = ca_file {
        for cert in ca_file_certs(path)? {
            builder = builder.add_root_certificate(der(cert)?);
        }
    }
    builder
        .build()
        .with_context(|| format!("TLS setup for {host} failed"))
}

/// The system store's certificates that rustls can use as roots. lettre adds each one with an
/// error for any it cannot parse, so the unusable ones (which the IMAP side skips) go first.
fn system_roots() -> Vec<CertificateDer<'static>> {
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::warn!("system trust store: {e}");
    }
    native
        .certs
        .into_iter()
        .filter(|cert| RootCertStore::empty().add(cert.clone()).is_ok())
        .collect()
}

fn ca_file_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let context = || format!("outgoing.ca_file {}", path.display());
    let certs = CertificateDer::pem_file_iter(path)
        .with_context(context)?
        .collect::<Result<Vec<_>, _>>()
        .with_context(context)?;
    if certs.is_empty() {
        bail!("{}: no PEM certificate in it", context());
    }
    for cert in &certs {
        RootCertStore::empty()
            .add(cert.clone())
            .with_context(context)?;
    }
    Ok(certs)
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
