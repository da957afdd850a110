//! The members as a file for a list server's import, a person's address book or a regional
//! organisation's database: CSV, Mailman's mass-subscription lines, vCards, or the versioned
//! JSON of `docs/members-export.md`. Names and phones come from mail, so every
//! format writes them as inert text: a CSV cell a spreadsheet would run as a formula starts
//! with `'` (OWASP's advice: a phone number reads `'+31 …`), a name cannot add a line of its
//! own to Mailman's list, and vCard values are escaped and folded as RFC 6350 says. Pure
//! text in, text out: the caller writes the file.

use std::borrow::Cow;

use serde_json::json;

use crate::config::ExportFormat;
use crate::domain::region::Region;
use crate::domain::tld::TldCode;

/// The version of the JSON export's schema (`docs/members-export.md`): raised whenever a key
/// changes meaning or goes away; keys may be added within a version.
pub const SCHEMA_VERSION: u32 = 1;

/// One member, as exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub tld: &'a str,
    /// The ccTLD's country or territory, as the roster names it.
    pub country: &'a str,
    pub region: Option<Region>,
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// What an export holds: the members (in TLD order), and for the JSON its context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export<'a> {
    /// The list's name (`[list] name`).
    pub list: &'a str,
    /// When the export was made, UTC (`2026-03-04T10:12:00Z`).
    pub generated_at: crate::domain::time::Timestamp,
    /// The regional organisation the export was limited to, if any.
    pub region: Option<Region>,
    pub members: Vec<Entry<'a>>,
}

pub fn render(format: ExportFormat, export: &Export) -> String {
    let members = &export.members;
    match format {
        ExportFormat::Csv => csv(members),
        ExportFormat::Mailman => mailman(members),
        ExportFormat::Vcard => vcard(members),
        ExportFormat::Json => json(export),
    }
}

/// The JSON of `docs/members-export.md`: one object per ccTLD with its members. JSON strings
/// are escaped by serde_json, and a regional organisation's importer reads values, never
/// formulas, so names and phones are as the members gave them.
fn json(export: &Export) -> String {
    let mut tlds: Vec<serde_json::Value> = Vec::new();
    let mut members = export.members.iter().peekable();
    while let Some(first) = members.next() {
        let mut contacts = vec![first];
        while let Some(m) = members.next_if(|m| m.tld == first.tld) {
            contacts.push(m);
        }
        let code = TldCode::from_stored(first.tld.to_string());
        tlds.push(json!({
            "tld": first.tld,
            "unicode": code.unicode(),
            "country": first.country,
            "region": first.region,
            "contacts": contacts.iter().map(|c| json!({
                "name": c.name,
                "email": c.email,
                "phone": c.phone,
            })).collect::<Vec<_>>(),
        }));
    }
    let doc = json!({
        "schema": "tldops-members",
        "schema_version": SCHEMA_VERSION,
        "list": export.list,
        "generated_at": export.generated_at,
        "region": export.region,
        "tld_count": tlds.len(),
        "member_count": export.members.len(),
        "tlds": tlds,
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialise") + "\n"
}

fn csv(members: &[Entry]) -> String {
    let mut out = String::from("tld,email,name,phone\n");
    for m in members {
        let cells = [m.tld, m.email, m.name.unwrap_or(""), m.phone.unwrap_or("")];
        let cells: Vec<Cow<str>> = cells.into_iter().map(csv_cell).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A CSV cell that stays text in a spreadsheet. One starting with `=`, `+`, `-`, `@`, a tab or
/// a carriage return would be read as a formula: it gets a leading `'` and quotes. A cell
/// holding a separator (`,`, or `;` and tab, which spreadsheets in some locales split on), a
/// quote or a line break is quoted, so no part of it becomes a cell of its own.
fn csv_cell(value: &str) -> Cow<'_, str> {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || value.contains([',', ';', '\t', '"', '\n', '\r']);
    if !quote {
        return Cow::Borrowed(value);
    }
    let prefix = if formula { "'" } else { "" };
    Cow::Owned(format!("\"{prefix}{}\"", value.replace('"', "\"\"")))
}

/// `"Name" <address>` lines (Mailman's mass subscription reads them with Python's
/// `parseaddr`): the name is one quoted string on the member's own line.
fn mailman(members: &[Entry]) -> String {
    let mut out = String::new();
    for m in members {
        match m.name {
            Some(name) => {
                let name: String = name
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect();
                let name = name.replace('\\', "\\\\").replace('"', "'");
                out.push_str(&format!("\"{name}\" <{}>\n", m.email));
            }
            None => out.push_str(&format!("{}\n", m.email)),
        }
    }
    out
}

fn vcard(members: &[Entry]) -> String {
    let mut out = String::new();
    for m in members {
        let mut lines = vec![
            "BEGIN:VCARD".to_string(),
            "VERSION:4.0".to_string(),
            format!("FN:{}", vcard_text(m.name.unwrap_or(m.email))),
            format!("EMAIL:{}", vcard_text(m.email)),
        ];
        if let Some(phone) = m.phone {
            lines.push(format!("TEL:{}", vcard_text(phone)));
        }
        lines.push(format!("ORG:.{}", vcard_text(m.tld)));
        lines.push(format!(
            "NOTE:{}",
            vcard_text(&format!("TLD-OPS contact of .{}", m.tld))
        ));
        lines.push("END:VCARD".to_string());
        for line in lines {
            out.push_str(&fold(&line));
            out.push_str("\r\n");
        }
    }
    out
}

/// A vCard text value (RFC 6350 §3.4): backslash, comma and semicolon escaped, a line break
/// written `\n`; other control characters, which a value may not hold, become spaces.
fn vcard_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Longest line of a vCard, in octets, without its CRLF (RFC 6350 §3.2).
const MAX_LINE: usize = 75;

/// Folds a content line longer than [`MAX_LINE`] octets: CRLF and a space before the octet
/// that would pass it, never inside a UTF-8 sequence.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / MAX_LINE * 3);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > MAX_LINE {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(name: Option<&'a str>, phone: Option<&'a str>) -> Entry<'a> {
        Entry {
            tld: "nl",
            country: "Netherlands",
            region: Some(Region::Centr),
            email: "jan@sidn.example",
            name,
            phone,
        }
    }

    fn export<'a>(members: &[Entry<'a>]) -> Export<'a> {
        Export {
            list: "TLD-OPS",
            generated_at: "2026-03-04T10:12:00Z".parse().unwrap(),
            region: None,
            members: members.to_vec(),
        }
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_stay_text() {
        for (value, cell) in [
            ("=1+2", "\"'=1+2\""),
            ("+31 26 352 5511", "\"'+31 26 352 5511\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\t=1+2", "\"'\t=1+2\""),
            ("\r=1+2", "\"'\r=1+2\""),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            // Split on `;` (or a tab), the second half would be a formula.
            ("Jan;=1+2", "\"Jan;=1+2\""),
            ("Jan\t=1+2", "\"Jan\t=1+2\""),
            ("Jansen, Jan", "\"Jansen, Jan\""),
            ("Jan \"JJ\" Jansen", "\"Jan \"\"JJ\"\" Jansen\""),
            ("Jan\nJansen", "\"Jan\nJansen\""),
            ("Jan Jansen", "Jan Jansen"),
            ("jan-jansen@sidn.example", "jan-jansen@sidn.example"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(value), cell, "{value:?}");
        }
        let text = render(
            ExportFormat::Csv,
            &export(&[entry(Some("=1+2"), Some("+31 6 1")), entry(None, None)]),
        );
        assert_eq!(
            text,
            "tld,email,name,phone\nnl,jan@sidn.example,\"'=1+2\",\"'+31 6 1\"\nnl,jan@sidn.example,,\n"
        );
        // What a CSV reader gets back is the value behind its `'`.
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let first = reader.records().next().unwrap().unwrap();
        assert_eq!(&first[2], "'=1+2");
    }

    #[test]
    fn vcard_values_are_escaped_as_rfc_6350_says() {
        assert_eq!(
            vcard_text("Jansen, Jan; \\ Sr.\r\nNew\nline\rend\u{7}"),
            "Jansen\\, Jan\\; \\\\ Sr.\\nNew\\nline\\nend "
        );
        let card = render(
            ExportFormat::Vcard,
            &export(&[entry(Some("Jansen; Jan"), Some("+31 6 1"))]),
        );
        assert_eq!(
            card,
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jansen\\; Jan\r\nEMAIL:jan@sidn.example\r\n\
             TEL:+31 6 1\r\nORG:.nl\r\nNOTE:TLD-OPS contact of .nl\r\nEND:VCARD\r\n"
        );
    }

    #[test]
    fn long_vcard_lines_fold_at_75_octets_between_characters() {
        let short = "FN:Jan Jansen";
        assert_eq!(fold(short), short);
        let exact = "x".repeat(75);
        assert_eq!(fold(&exact), exact);
        let long = format!("FN:{}", "é".repeat(60)); // 123 octets
        let folded = fold(&long);
        for line in folded.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let lines: Vec<&str> = folded.split("\r\n").collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[1].starts_with(' '));
        assert_eq!(folded.replace("\r\n ", ""), long);
    }

    #[test]
    fn a_mailman_line_holds_one_member_whatever_the_name() {
        let text = render(
            ExportFormat::Mailman,
            &export(&[
                entry(Some("Jan \"JJ\" \\ Jansen\r\nevil@attacker.example"), None),
                entry(None, None),
            ]),
        );
        assert_eq!(
            text,
            "\"Jan 'JJ' \\\\ Jansen  evil@attacker.example\" <jan@sidn.example>\njan@sidn.example\n"
        );
    }

    #[test]
    fn json_groups_members_by_tld_under_a_versioned_schema() {
        let rf = Entry {
            tld: "xn--p1ai",
            country: "Russia",
            region: Some(Region::Centr),
            email: "ivan@cctld.example",
            name: Some("Иван \"Ваня\" Иванов"),
            phone: None,
        };
        let mut e = export(&[
            entry(Some("=1+2"), Some("+31 6 1")),
            Entry {
                email: "piet@sidn.example",
                ..entry(None, None)
            },
            rf,
        ]);
        e.region = Some(Region::Centr);
        let doc: serde_json::Value = serde_json::from_str(&render(ExportFormat::Json, &e)).unwrap();
        assert_eq!(
            doc,
            json!({
                "schema": "tldops-members",
                "schema_version": 1,
                "list": "TLD-OPS",
                "generated_at": "2026-03-04T10:12:00Z",
                "region": "CENTR",
                "tld_count": 2,
                "member_count": 3,
                "tlds": [
                    {"tld": "nl", "unicode": null, "country": "Netherlands", "region": "CENTR",
                     "contacts": [
                        {"name": "=1+2", "email": "jan@sidn.example", "phone": "+31 6 1"},
                        {"name": null, "email": "piet@sidn.example", "phone": null},
                     ]},
                    {"tld": "xn--p1ai", "unicode": "рф", "country": "Russia", "region": "CENTR",
                     "contacts": [
                        {"name": "Иван \"Ваня\" Иванов", "email": "ivan@cctld.example", "phone": null},
                     ]},
                ],
            })
        );
        let empty: serde_json::Value =
            serde_json::from_str(&render(ExportFormat::Json, &export(&[]))).unwrap();
        assert_eq!(empty["tlds"], json!([]));
        assert_eq!(empty["region"], json!(null));
    }
}
