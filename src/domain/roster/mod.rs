//! The roster: every ccTLD with its IANA administrative and technical contacts.
//!
//! Parsing turns a file's bytes into validated entries or a list of every bad row with its line
//! number; nothing here decides what to store — `diff` says what would change, the service applies it.

mod csv;
mod diff;
mod iana;
pub mod table;

use std::fmt;
use std::str::FromStr;

pub use diff::{RosterDiff, Tld, diff};

use crate::domain::email::Email;
use crate::domain::language::Language;
use crate::domain::message::sanitize;
use crate::domain::region::Region;
use crate::domain::tld::TldCode;

/// A person as IANA lists them: the name may be empty (some records only carry a role).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IanaContact {
    pub name: String,
    pub email: Email,
}

impl IanaContact {
    /// The name to greet them by: `None` when it is empty or a role rather than a person
    /// (real records say "NIC (Malta) Administrative Contact", "POC ADM IANA", "Technical
    /// Services"), which a salutation would only make odd.
    pub fn personal_name(&self) -> Option<&str> {
        const ROLE_WORDS: &[&str] = &[
            "contact",
            "poc",
            "iana",
            "adm",
            "admin",
            "administrative",
            "administrator",
            "technical",
            "tech",
            "hostmaster",
            "registry",
            "role",
            "department",
            "team",
            "services",
            "support",
            "noc",
            "office",
        ];
        let name = self.name.trim();
        let role = name
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| ROLE_WORDS.contains(&w.to_lowercase().as_str()));
        (!name.is_empty() && !role).then_some(name)
    }
}

/// One ccTLD as a roster file describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterEntry {
    pub code: TldCode,
    pub country: String,
    /// `None` when the format cannot say (IANA whois has no region): the stored one is kept.
    pub region: Option<Option<Region>>,
    /// The mail language the file sets (`Some(None)`: the default by country); `None` when
    /// the file has no such column: the stored one is kept.
    pub language: Option<Option<Language>>,
    pub admin: IanaContact,
    pub tech: IanaContact,
    /// Where the entry starts in its file, for messages.
    pub line: usize,
}

/// The file formats `roster import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Iana,
}

impl Format {
    /// IANA whois text is keyed lines (`domain:`, `% ...` comments); anything else is taken as CSV.
    pub fn detect(text: &str) -> Format {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let keyed = text.lines().any(|l| {
            l.trim_start()
                .to_ascii_lowercase()
                .strip_prefix("domain:")
                .is_some()
        });
        if first.starts_with('%') || (keyed && !first.to_ascii_lowercase().starts_with("tld,")) {
            Format::Iana
        } else {
            Format::Csv
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "iana" => Ok(Format::Iana),
            _ => Err(format!(
                "unknown roster format `{s}` (expected csv or iana)"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::Iana => "iana",
        })
    }
}

/// One bad row: its line and everything wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub problems: Vec<String>,
}

/// A roster file that cannot be imported, with every reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterErrors {
    /// A problem with the file as a whole (header, encoding), if any.
    pub file: Option<String>,
    pub rows: Vec<RowError>,
}

impl fmt::Display for RosterErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(problem) = &self.file {
            write!(f, "{problem}")?;
        }
        if !self.rows.is_empty() {
            if self.file.is_some() {
                writeln!(f)?;
            }
            let n = self.rows.len();
            write!(f, "{n} bad {}:", if n == 1 { "row" } else { "rows" })?;
            for row in &self.rows {
                write!(f, "\n  line {}: {}", row.line, row.problems.join("; "))?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for RosterErrors {}

/// Parses a roster file in the given format (or the detected one) and validates every entry.
pub fn parse(bytes: &[u8], format: Option<Format>) -> Result<Vec<RosterEntry>, RosterErrors> {
    let text = std::str::from_utf8(bytes).map_err(|e| RosterErrors {
        file: Some(format!(
            "the file is not UTF-8 text (bad byte at offset {}): save it as UTF-8",
            e.valid_up_to()
        )),
        rows: vec![],
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let entries = match format.unwrap_or_else(|| Format::detect(text)) {
        Format::Csv => csv::parse(text)?,
        Format::Iana => iana::parse(text)?,
    };
    if entries.is_empty() {
        return Err(RosterErrors {
            file: Some("the file holds no TLDs".into()),
            rows: vec![],
        });
    }
    Ok(entries)
}

/// Field-level checks shared by both formats; `raw` holds the row's text values.
struct RawEntry<'a> {
    line: usize,
    tld: &'a str,
    country: &'a str,
    region: Option<&'a str>,
    language: Option<&'a str>,
    admin_name: &'a str,
    admin_email: &'a str,
    tech_name: &'a str,
    tech_email: &'a str,
}

/// How a format names its fields, for its errors: a whois error names whois fields.
struct FieldNames {
    country: &'static str,
    admin_name: &'static str,
    admin_email: &'static str,
    tech_name: &'static str,
    tech_email: &'static str,
    /// Whether an entry needs a country (a whois record may have no address at all).
    country_required: bool,
}

const CSV_FIELDS: FieldNames = FieldNames {
    country: "country",
    admin_name: "admin_name",
    admin_email: "admin_email",
    tech_name: "tech_name",
    tech_email: "tech_email",
    country_required: true,
};

const IANA_FIELDS: FieldNames = FieldNames {
    country: "address",
    admin_name: "administrative contact's name",
    admin_email: "administrative contact's e-mail",
    tech_name: "technical contact's name",
    tech_email: "technical contact's e-mail",
    country_required: false,
};

/// Validates rows, collecting every problem and flagging duplicate TLDs by line.
fn validate_all<'a>(
    raws: impl IntoIterator<Item = RawEntry<'a>>,
    mut errors: Vec<RowError>,
    names: &FieldNames,
) -> Result<Vec<RosterEntry>, RosterErrors> {
    let mut entries: Vec<RosterEntry> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for raw in raws {
        let mut problems = Vec::new();
        let code = TldCode::parse(raw.tld).map_err(|e| problems.push(e)).ok();
        if let Some(code) = &code
            && let Some(first) = seen.insert(code.clone(), raw.line)
        {
            problems.push(format!("duplicate TLD .{code} (first on line {first})"));
            seen.insert(code.clone(), first);
        }
        if raw.country.trim().is_empty() && names.country_required {
            problems.push(format!("{} is empty", names.country));
        }
        for (field, value) in [
            (names.country, raw.country),
            (names.admin_name, raw.admin_name),
            (names.tech_name, raw.tech_name),
        ] {
            if value.chars().any(char::is_control) {
                problems.push(format!("{field} contains control characters"));
            }
            // Bidi overrides and isolates, zero-width and other invisible characters are
            // dropped below (as from mail): they would reorder or hide what operators read.
        }
        let region = match raw.region.map(Region::parse_optional) {
            Some(Err(e)) => {
                problems.push(e);
                None
            }
            Some(Ok(r)) => Some(r),
            None => None,
        };
        let language = match raw.language.map(Language::parse_optional) {
            Some(Err(e)) => {
                problems.push(format!("language: {e}"));
                None
            }
            Some(Ok(l)) => Some(l),
            None => None,
        };
        let admin = Email::parse(raw.admin_email)
            .map_err(|e| problems.push(format!("{}: {e}", names.admin_email)))
            .ok();
        let tech = Email::parse(raw.tech_email)
            .map_err(|e| problems.push(format!("{}: {e}", names.tech_email)))
            .ok();
        match (code, admin, tech) {
            (Some(code), Some(admin), Some(tech)) if problems.is_empty() => {
                entries.push(RosterEntry {
                    code,
                    country: sanitize(raw.country, false),
                    region,
                    language,
                    admin: IanaContact {
                        name: sanitize(raw.admin_name, false),
                        email: admin,
                    },
                    tech: IanaContact {
                        name: sanitize(raw.tech_name, false),
                        email: tech,
                    },
                    line: raw.line,
                })
            }
            _ => errors.push(RowError {
                line: raw.line,
                problems,
            }),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(RosterErrors {
            file: None,
            rows: errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_not_a_name_to_greet() {
        let named = |name: &str| {
            IanaContact {
                name: name.into(),
                email: Email::parse("a@nic.example").unwrap(),
            }
            .personal_name()
            .map(str::to_string)
        };
        assert_eq!(named("Ann de Vries").as_deref(), Some("Ann de Vries"));
        assert_eq!(
            named("Managing Director").as_deref(),
            Some("Managing Director")
        );
        assert_eq!(named("Nicolás Pérez").as_deref(), Some("Nicolás Pérez"));
        for role in [
            "NIC (Malta) Administrative Contact",
            "POC ADM IANA",
            "Technical Services",
            "Hostmaster",
            "",
        ] {
            assert_eq!(named(role), None, "{role}");
        }
    }

    #[test]
    fn invisible_and_bidi_characters_are_dropped_from_names() {
        let csv = "tld,country,admin_name,admin_email,tech_name,tech_email,region\n\
                   ae,United\u{200b} Arab Emirates,Fatima\u{202e}ecnetsiS\u{202c},admin@tdra.example,\
                   Omar\u{2066}X\u{2069},tech@tdra.example,APTLD\n";
        let e = &parse(csv.as_bytes(), None).unwrap()[0];
        assert_eq!(e.country, "United Arab Emirates");
        assert_eq!(e.admin.name, "FatimaecnetsiS");
        assert_eq!(e.tech.name, "OmarX");
    }

    #[test]
    fn detects_format() {
        assert_eq!(
            Format::detect("tld,country,admin_name\nnl,Netherlands,x"),
            Format::Csv
        );
        assert_eq!(
            Format::detect("% IANA WHOIS server\n\ndomain: NL\n"),
            Format::Iana
        );
        assert_eq!(Format::detect("\n\ndomain:       NL\n"), Format::Iana);
    }

    #[test]
    fn rejects_non_utf8_and_empty_files() {
        let err = parse(b"tld,country\n\xff\xfe", None).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
        let err = parse(
            b"tld,country,admin_name,admin_email,tech_name,tech_email,region\n",
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("no TLDs"), "{err}");
    }
}
