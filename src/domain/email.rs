//! Email addresses as the roster and triage compare them: case-insensitively, display names aside.

use std::fmt;

use serde::{Serialize, Serializer};

/// A syntactically checked address, stored in lowercase so that comparisons are plain equality.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(String);

impl Email {
    /// Checks the shape `local@domain.tld` strictly enough to catch typos and pasted junk
    /// (spaces, display names, missing domain) without rejecting real-world addresses.
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Err("email address is empty".into());
        }
        let bad = |why: &str| Err(format!("`{input}` is not an email address: {why}"));
        let Some((local, domain)) = input.rsplit_once('@') else {
            return bad("no @");
        };
        if local.is_empty() || local.len() > 64 {
            return bad("the part before @ is empty or too long");
        }
        if local.contains('@') {
            return bad("more than one @");
        }
        if input
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
        {
            return bad("it contains spaces, brackets or other characters addresses cannot hold");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return bad("misplaced dot before @");
        }
        let Ok(ascii_domain) = idna::domain_to_ascii(domain) else {
            return bad("invalid domain");
        };
        let labels: Vec<&str> = ascii_domain.split('.').collect();
        if labels.len() < 2 {
            return bad("the domain has no dot");
        }
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if !labels.iter().all(label_ok) {
            return bad("invalid domain");
        }
        Ok(Self(format!(
            "{}@{}",
            local.to_lowercase(),
            domain.to_lowercase()
        )))
    }

    /// Wraps an address read back from our own store, which only ever holds parsed addresses.
    pub fn from_stored(address: String) -> Self {
        Self(address)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_world_addresses_and_lowercases() {
        for (input, stored) in [
            ("Admin@NIC.nl", "admin@nic.nl"),
            (
                " iana-admin+tld@registry.co.uk ",
                "iana-admin+tld@registry.co.uk",
            ),
            ("o'brien@example.ie", "o'brien@example.ie"),
            ("admin@nic.рф", "admin@nic.рф"),
            ("hostmaster@xn--p1ai.example", "hostmaster@xn--p1ai.example"),
        ] {
            assert_eq!(Email::parse(input).unwrap().as_str(), stored);
        }
    }

    #[test]
    fn rejects_typos_and_junk() {
        for bad in [
            "",
            "admin",
            "admin@",
            "@nic.nl",
            "admin@nic",
            "admin@@nic.nl",
            "Admin <admin@nic.nl>",
            "admin @nic.nl",
            "admin@nic..nl",
            "admin@-nic.nl",
            "admin.@nic.nl",
            "a,b@nic.nl",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
