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

/// The form addresses are compared in: lowercase, the domain as ASCII (punycode), so that
/// `Admin@Координация.example` and `admin@xn--80ahmbgueas8d6e.example` are the same address.
/// `None` for text that is not an address.
pub fn address_key(address: &str) -> Option<String> {
    let (local, domain) = address.trim().rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    // One allocation for the usual ASCII address: triage keys every address of every header
    // block, several times.
    let mut key = String::with_capacity(address.len());
    if local.is_ascii() {
        key.push_str(local);
        key.make_ascii_lowercase();
    } else {
        key.push_str(&local.to_lowercase());
    }
    key.push('@');
    push_domain_key(&mut key, domain.trim_end_matches('.'))?;
    Some(key)
}

/// Whether two addresses are one mailbox (case of the local part and IDN spelling aside).
pub fn same_address(a: &str, b: &str) -> bool {
    match (address_key(a), address_key(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// Appends a domain's comparison form to `key` (`None`: not a domain). Nearly every domain in
/// mail is plain ASCII (letters, digits, `-`, `_`, dots), for which UTS 46 only lowercases;
/// the full mapping (a tenth of the cost of judging a header block when every address went
/// through it) is for the rest.
fn push_domain_key(key: &mut String, domain: &str) -> Option<()> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let punycode = |d: &str| {
        d.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
            || d.as_bytes()
                .windows(5)
                .any(|w| w[0] == b'.' && w[1..].eq_ignore_ascii_case(b"xn--"))
    };
    // Punycode labels are checked by the full path.
    if domain.bytes().all(plain) && !punycode(domain) {
        let start = key.len();
        key.push_str(domain);
        key[start..].make_ascii_lowercase();
    } else {
        key.push_str(&idna::domain_to_ascii(domain).ok()?);
    }
    Some(())
}

#[cfg(test)]
mod key_tests {
    use super::address_key;

    #[test]
    fn idn_and_case_compare_equal() {
        assert_eq!(
            address_key("Admin@Координация.example"),
            address_key("admin@xn--80ahmbgueas8d6e.example")
        );
        assert_eq!(
            address_key("Directie@SIDN.example").as_deref(),
            Some("directie@sidn.example")
        );
        assert_eq!(address_key("nobody"), None);
        assert_eq!(
            address_key(" Ägir.Ström@NIC.example. ").as_deref(),
            Some("ägir.ström@nic.example")
        );
    }

    /// The fast path for plain ASCII domains agrees with UTS 46 on every such domain,
    /// including odd ones (empty labels, leading hyphens, underscores, long labels).
    #[test]
    fn plain_domains_map_as_uts46_does() {
        let alphabet = b"aZ9-_.x";
        let mut domains = vec![
            "NIC.nl".to_string(),
            "a..b".into(),
            ".a".into(),
            "-a-.b".into(),
            "_dmarc.Example.ORG".into(),
            "xn--80ahmbgueas8d6e.example".into(),
            "XN--80ahmbgueas8d6e.example".into(),
            "a.xn--zz".into(),
            "ab--cd.e".into(),
            "a".repeat(70) + ".nl",
            "1.2.3.4".into(),
        ];
        // Every short string over the alphabet (7^1 + ... + 7^4).
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            frontier = frontier
                .iter()
                .flat_map(|p| alphabet.iter().map(move |&c| format!("{p}{}", c as char)))
                .collect();
            domains.extend(frontier.iter().cloned());
        }
        for d in domains {
            let mut key = String::new();
            assert_eq!(
                super::push_domain_key(&mut key, &d).map(|()| key),
                idna::domain_to_ascii(&d).ok(),
                "{d:?}"
            );
        }
    }
}

/// Every email address written in `text`, as byte ranges, in order. Finds bare addresses,
/// `<addr>` and `mailto:addr` alike; ignores `@` that is not part of an address.
pub fn find_addresses(text: &str) -> Vec<std::ops::Range<usize>> {
    let local_char = |c: char| c.is_alphanumeric() || "._%+-'!#$&*/=?^`{|}~".contains(c);
    let domain_char = |c: char| c.is_alphanumeric() || c == '.' || c == '-';
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| local_char(c))
            .last()
            .map_or(at, |(i, _)| i);
        let end = text[at + 1..]
            .char_indices()
            .take_while(|&(_, c)| domain_char(c))
            .last()
            .map_or(at + 1, |(i, c)| at + 1 + i + c.len_utf8());
        let mut range = start..end;
        // Sentence punctuation around an address is not part of it.
        while text[range.clone()].ends_with(['.', '-']) {
            range.end -= 1;
        }
        while text[range.clone()].starts_with(['.', '\'', '-']) {
            range.start += 1;
        }
        if range.start < at
            && range.end > at + 1
            && found
                .last()
                .is_none_or(|r: &std::ops::Range<usize>| r.end <= range.start)
            && Email::parse(&text[range.clone()]).is_ok()
        {
            found.push(range);
        }
    }
    found
}

#[cfg(test)]
mod find_tests {
    use super::find_addresses;

    fn find(text: &str) -> Vec<&str> {
        find_addresses(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_addresses_in_prose_and_markup() {
        assert_eq!(
            find("Jan (jan.jansen@sidn.example, +31) and <Piet@CERT.example>; mailto:x@y.example."),
            [
                "jan.jansen@sidn.example",
                "Piet@CERT.example",
                "x@y.example"
            ]
        );
        assert_eq!(
            find("write to admin@координация.example."),
            ["admin@координация.example"]
        );
        assert!(find("@home, a @ b, user@localhost").is_empty());
    }
}
