//! The certificates tldops verifies servers against: the system trust store (where an
//! administrator installs an internal CA), plus the CA file a config section names. IMAP,
//! SMTP and Mailman's REST API all trust the same roots.

use std::path::Path;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The system store's certificates that rustls can use as roots (problems reading the store
/// are logged; unusable certificates are skipped).
pub fn system_roots() -> Vec<CertificateDer<'static>> {
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

/// The certificates of a CA file, each checked as a root. Errors name the config `key`
/// and the file: `imap.ca_file /etc/ca.pem: no PEM certificate in it`.
pub fn ca_file_certs(key: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let bad = |e: &dyn std::fmt::Display| format!("{key} {}: {e}", path.display());
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(&e))?;
    if certs.is_empty() {
        return Err(bad(&"no PEM certificate in it"));
    }
    for cert in &certs {
        RootCertStore::empty()
            .add(cert.clone())
            .map_err(|e| bad(&e))?;
    }
    Ok(certs)
}
