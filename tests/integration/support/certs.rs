//! A throwaway CA and a server certificate it signed, for TLS tests against a local server.
//! Two certificates, not one self-signed: rustls refuses a CA presented as a server's own
//! certificate (`CaUsedAsEndEntity`).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

pub struct TestCerts {
    pub ca_pem: String,
    pub server_pem: String,
    pub server_key_pem: String,
}

/// A CA, and a certificate for `localhost` and `127.0.0.1` (CA:FALSE, serverAuth) signed by it.
pub fn generate() -> TestCerts {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, "tldops test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca, ca_key);

    let server_key = KeyPair::generate().expect("server key");
    let mut server = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .expect("server params");
    server.is_ca = IsCa::ExplicitNoCa;
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_cert = server
        .signed_by(&server_key, &issuer)
        .expect("server certificate");

    TestCerts {
        ca_pem: ca_cert.pem(),
        server_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
    }
}
