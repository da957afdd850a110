//! IANA whois text (`whois -h whois.iana.org nl`), one or more records in one file.
//!
//! A record starts at `domain:`; the sponsoring organisation's block gives the country (its last
//! `address:` line); `contact: administrative` and `contact: technical` blocks give `name:` and
//! `e-mail:`. Blank lines end a block, `%` lines are comments. IANA records carry no region
//! (the import takes it from the ccTLD table, [`super::table`]), and a record without an
//! `address:` line gets its country from there too (or none, with a warning). Errors name
//! whois fields.

use super::{RawEntry, RosterEntry, RosterErrors, validate_all};

#[derive(Default)]
struct Record<'a> {
    line: usize,
    domain: &'a str,
    country: &'a str,
    admin_name: &'a str,
    admin_email: &'a str,
    tech_name: &'a str,
    tech_email: &'a str,
}

#[derive(Clone, Copy, PartialEq)]
enum Block {
    None,
    Organisation,
    Admin,
    Tech,
    OtherContact,
}

pub(super) fn parse(text: &str) -> Result<Vec<RosterEntry>, RosterErrors> {
    let mut records: Vec<Record> = Vec::new();
    let mut block = Block::None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim();
        if trimmed.starts_with('%') || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.is_empty() {
            block = Block::None;
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        if key == "domain" {
            records.push(Record {
                line: line_no,
                domain: value,
                ..Record::default()
            });
            block = Block::None;
            continue;
        }
        let Some(record) = records.last_mut() else {
            continue;
        };
        match (key.as_str(), block) {
            ("organisation", Block::None) => block = Block::Organisation,
            ("address", Block::Organisation) => record.country = value,
            ("contact", _) => {
                block = match value.to_ascii_lowercase().as_str() {
                    "administrative" => Block::Admin,
                    "technical" => Block::Tech,
                    _ => Block::OtherContact,
                }
            }
            ("name", Block::Admin) => record.admin_name = value,
            ("e-mail", Block::Admin) => record.admin_email = value,
            ("name", Block::Tech) => record.tech_name = value,
            ("e-mail", Block::Tech) => record.tech_email = value,
            _ => {}
        }
    }

    let raws = records.iter().map(|r| RawEntry {
        line: r.line,
        tld: r.domain,
        country: if r.country.is_empty() {
            crate::domain::tld::TldCode::parse(r.domain)
                .ok()
                .and_then(|c| super::table::country_of(&c))
                .unwrap_or("")
        } else {
            r.country
        },
        region: None,
        language: None,
        admin_name: r.admin_name,
        admin_email: r.admin_email,
        tech_name: r.tech_name,
        tech_email: r.tech_email,
    });
    validate_all(raws, Vec::new(), &super::IANA_FIELDS)
}

#[cfg(test)]
mod tests {
    use crate::domain::roster::{Format, parse};

    const TWO_RECORDS: &str = "\
% IANA WHOIS server
% for more information on IANA, visit http://www.iana.org
% This query returned 1 object

domain:       NL

organisation: Stichting Internet Domeinregistratie Nederland
address:      P.O. Box 5022
address:      Arnhem 6802 EA
address:      Netherlands

contact:      administrative
name:         Managing Director
organisation: Stichting Internet Domeinregistratie Nederland
address:      Netherlands
phone:        +31 26 352 5500
e-mail:       Director@Registry.NL.example

contact:      technical
name:         Technical Services
organisation: Stichting Internet Domeinregistratie Nederland
address:      Netherlands
e-mail:       support@registry.nl.example

nserver:      NS1.DNS.NL 194.0.28.53
whois:        whois.domain-registry.nl
status:       ACTIVE
created:      1986-04-25
source:       IANA

% IANA WHOIS server
% This query returned 1 object

domain:       XN--P1AI

organisation: Coordination Center for TLD RU
address:      Moscow
address:      Russian Federation

contact:      administrative
name:         Ivan Example
e-mail:       admin@cctld.ru.example

contact:      technical
name:         Petr Example
e-mail:       tech@cctld.ru.example

status:       ACTIVE
";

    #[test]
    fn reads_several_records() {
        let entries = parse(TWO_RECORDS.as_bytes(), None).unwrap();
        assert_eq!(entries.len(), 2);
        let nl = &entries[0];
        assert_eq!(nl.code.as_str(), "nl");
        assert_eq!(nl.country, "Netherlands");
        assert_eq!(nl.admin.name, "Managing Director");
        assert_eq!(nl.admin.email.as_str(), "director@registry.nl.example");
        assert_eq!(nl.tech.email.as_str(), "support@registry.nl.example");
        assert_eq!(nl.region, None, "whois says nothing about regions");
        assert_eq!(nl.line, 5);
        let rf = &entries[1];
        assert_eq!(rf.code.unicode().as_deref(), Some("рф"));
        assert_eq!(rf.country, "Russian Federation");
        assert_eq!(rf.tech.name, "Petr Example");
    }

    #[test]
    fn a_record_without_contacts_is_named_by_line_and_whois_fields() {
        let text = "domain: NL\n\ncontact: administrative\ne-mail: nope\n\ndomain: BE\n\norganisation: DNS Belgium\naddress: Belgium\n";
        let err = parse(text.as_bytes(), Some(Format::Iana)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("line 1: administrative contact's e-mail: `nope` is not an email address: no @; technical contact's e-mail: email address is empty"),
            "{text}"
        );
        assert!(
            text.contains(
                "line 6: administrative contact's e-mail: email address is empty; technical contact's e-mail: email address is empty"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_record_without_an_address_takes_the_country_of_its_code() {
        let record = |domain: &str| {
            format!(
                "domain: {domain}\n\ncontact: administrative\nname: NIC Admin\ne-mail: a@nic.example\n\n\
                 contact: technical\nname: NIC Tech\ne-mail: t@nic.example\n\n"
            )
        };
        let entries = parse(record("MT").as_bytes(), Some(Format::Iana)).unwrap();
        assert_eq!(entries[0].country, "Malta");
        let unknown = parse(record("XN--MGBERP4A5D4AR").as_bytes(), Some(Format::Iana));
        assert_eq!(
            unknown.unwrap()[0].country,
            "Saudi Arabia",
            "an IDN ccTLD of the table"
        );
        let nowhere = parse(record("ZZ").as_bytes(), Some(Format::Iana)).unwrap();
        assert_eq!(nowhere[0].country, "", "imported, without a country");
    }
}
