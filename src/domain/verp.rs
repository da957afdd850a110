//! Per-mail envelope senders (VERP): with `[outgoing] verp = true` each mail tldops sends
//! leaves with the envelope sender `local+token@domain` of the Secretariat's address, the
//! token naming that one mail. A bounce goes to the envelope sender, so one delivered to such
//! an address names the mail it returns, whatever the reporting server wrote in it.
//!
//! The token is derived from the mail's Message-ID (no state to keep): the first 65 bits of
//! its SHA-256 in lowercase base32, 13 characters a server may lowercase without harm.

use sha2::{Digest, Sha256};

use crate::domain::email::address_key;

/// The separator between the Secretariat's local part and the token.
pub const DELIMITER: char = '+';

/// The VERP token of the mail with this Message-ID (without angle brackets).
pub fn token(message_id: &str) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let digest = Sha256::digest(message_id.trim_matches(['<', '>']).as_bytes());
    let mut bits: u128 = 0;
    for b in &digest[..9] {
        bits = (bits << 8) | u128::from(*b);
    }
    // 72 bits read, 65 used: 13 characters of 5 bits.
    (0..13)
        .map(|i| ALPHABET[((bits >> (72 - 5 * (i + 1))) & 31) as usize] as char)
        .collect()
}

/// The envelope sender for the mail with this Message-ID: `local+token@domain` of
/// `secretariat`. `None` when `secretariat` is not an address.
pub fn address(secretariat: &str, message_id: &str) -> Option<String> {
    let (local, domain) = secretariat.trim().rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    // A Secretariat address that already carries a subaddress keeps its base.
    let base = local.split(DELIMITER).next().unwrap_or(local);
    Some(format!("{base}{DELIMITER}{}@{domain}", token(message_id)))
}

/// Splits a VERP address into the base address (comparison form) and the token.
pub fn parse(address: &str) -> Option<(String, String)> {
    // Most addresses carry no subaddress: no need to work out their comparison form.
    if !address.contains(DELIMITER) {
        return None;
    }
    let key = address_key(address)?;
    let (local, domain) = key.rsplit_once('@')?;
    let (base, token) = local.split_once(DELIMITER)?;
    let token = token.trim();
    (!base.is_empty() && token.len() == 13 && token.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| (format!("{base}@{domain}"), token.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_names_the_mail_and_parses_back() {
        let id = "invitation.nl.k3x9.1@ccnso.example.org";
        let a = address("secretariat@ccnso.example.org", id).unwrap();
        assert!(
            a.starts_with("secretariat+") && a.ends_with("@ccnso.example.org"),
            "{a}"
        );
        assert_eq!(token(id), token(&format!("<{id}>")));
        assert_ne!(token(id), token("invitation.de.p7qm.1@ccnso.example.org"));
        let (base, t) = parse(&a.to_uppercase()).unwrap();
        assert_eq!(base, "secretariat@ccnso.example.org");
        assert_eq!(t, token(id));
        assert_eq!(parse("secretariat@ccnso.example.org"), None);
        assert_eq!(parse("jan+news@sidn.example"), None);
        assert_eq!(
            address("secretariat+tldops@ccnso.example.org", id).unwrap(),
            a,
            "an existing subaddress is replaced"
        );
    }
}
