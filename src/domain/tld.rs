//! ccTLD codes: normalised to lowercase ASCII without the dot, IDN ccTLDs in their `xn--` A-label.

use std::fmt;

use serde::{Serialize, Serializer};

/// A ccTLD code as stored: lowercase, no leading dot, IDN ccTLDs as A-labels (`xn--p1ai`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TldCode(String);

impl TldCode {
    /// Accepts what people type or paste: `.NL`, `nl`, ` Nl `, `xn--p1ai`, `рф`, `.РФ`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim().trim_start_matches('.');
        if trimmed.is_empty() {
            return Err("TLD is empty".into());
        }
        let ascii = if trimmed.is_ascii() {
            trimmed.to_ascii_lowercase()
        } else {
            idna::domain_to_ascii(trimmed)
                .map_err(|_| format!("`{trimmed}` is not a valid internationalised TLD"))?
        };
        if ascii.contains('.') {
            return Err(format!("`{trimmed}` has a dot inside: give the TLD alone"));
        }
        let is_two_letter = ascii.len() == 2 && ascii.bytes().all(|b| b.is_ascii_lowercase());
        let is_idn = ascii.starts_with("xn--")
            && ascii.len() > 4
            && ascii
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !(is_two_letter || is_idn) {
            return Err(format!(
                "`{trimmed}` is not a ccTLD (two letters, or an IDN ccTLD such as xn--p1ai)"
            ));
        }
        if is_idn {
            let (unicode, result) = idna::domain_to_unicode(&ascii);
            if result.is_err() || unicode == ascii {
                return Err(format!("`{ascii}` is not a valid IDN A-label"));
            }
        }
        Ok(Self(ascii))
    }

    /// Wraps a code read back from our own store, which only ever holds parsed codes.
    pub fn from_stored(code: String) -> Self {
        Self(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Unicode form of an IDN ccTLD (`рф` for `xn--p1ai`); `None` for ASCII ccTLDs.
    pub fn unicode(&self) -> Option<String> {
        if !self.0.starts_with("xn--") {
            return None;
        }
        let (unicode, result) = idna::domain_to_unicode(&self.0);
        result.ok().map(|_| unicode)
    }

    /// `.nl`, or `.рф (xn--p1ai)` for IDN ccTLDs: how people recognise a TLD.
    pub fn display(&self) -> String {
        match self.unicode() {
            Some(u) => format!(".{u} ({})", self.0),
            None => format!(".{}", self.0),
        }
    }
}

impl fmt::Display for TldCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for TldCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_dot_case_and_space() {
        for input in ["nl", ".nl", "NL", " .Nl "] {
            assert_eq!(TldCode::parse(input).unwrap().as_str(), "nl", "{input}");
        }
    }

    #[test]
    fn idn_in_either_form() {
        let a = TldCode::parse("XN--P1AI").unwrap();
        let u = TldCode::parse(".рф").unwrap();
        assert_eq!(a, u);
        assert_eq!(a.as_str(), "xn--p1ai");
        assert_eq!(a.unicode().as_deref(), Some("рф"));
        assert_eq!(a.display(), ".рф (xn--p1ai)");
        assert_eq!(TldCode::parse("de").unwrap().unicode(), None);
    }

    #[test]
    fn rejects_non_cctlds() {
        for bad in ["", ".", "com", "n", "n1", "co.uk", "xn--", "xn--zz", "-x"] {
            assert!(TldCode::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
