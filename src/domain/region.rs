//! The regional ccTLD organisations TLD-OPS reports coverage by.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Region {
    #[serde(rename = "AFTLD")]
    Aftld,
    #[serde(rename = "APTLD")]
    Aptld,
    #[serde(rename = "CENTR")]
    Centr,
    #[serde(rename = "LACTLD")]
    Lactld,
}

impl Region {
    pub const ALL: [Region; 4] = [Region::Aftld, Region::Aptld, Region::Centr, Region::Lactld];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::Aftld => "AFTLD",
            Region::Aptld => "APTLD",
            Region::Centr => "CENTR",
            Region::Lactld => "LACTLD",
        }
    }

    /// An optional region as written in a roster: empty means "no regional organisation".
    pub fn parse_optional(input: &str) -> Result<Option<Region>, String> {
        let input = input.trim();
        if input.is_empty() {
            Ok(None)
        } else {
            input.parse().map(Some)
        }
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Region::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown region `{s}` (expected CENTR, APTLD, LACTLD, AFTLD or empty)")
            })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_any_case_and_empty() {
        assert_eq!("centr".parse::<Region>(), Ok(Region::Centr));
        assert_eq!(Region::parse_optional(" "), Ok(None));
        assert_eq!(Region::parse_optional("LacTLD"), Ok(Some(Region::Lactld)));
        assert!(
            Region::parse_optional("EU")
                .unwrap_err()
                .contains("unknown region `EU`")
        );
    }
}
