//! The CSV roster: `tld,country,admin_name,admin_email,tech_name,tech_email,region`, and
//! optionally `language` (the ccTLD's mail language; empty: the default by country).

use super::{RawEntry, RosterEntry, RosterErrors, RowError, validate_all};

const COLUMNS: [&str; 7] = [
    "tld",
    "country",
    "admin_name",
    "admin_email",
    "tech_name",
    "tech_email",
    "region",
];

/// Columns a roster may have; without one, the stored value is kept.
const OPTIONAL: [&str; 1] = ["language"];

pub(super) fn parse(text: &str) -> Result<Vec<RosterEntry>, RosterErrors> {
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let header_error = |problem: String| RosterErrors {
        file: Some(problem),
        rows: vec![],
    };
    let headers = reader
        .headers()
        .map_err(|e| header_error(format!("cannot read the CSV header: {e}")))?
        .clone();
    let index: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|c| headers.iter().position(|h| h.eq_ignore_ascii_case(c)))
        .collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&index)
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| *c)
        .collect();
    let unknown: Vec<&str> = headers
        .iter()
        .filter(|h| {
            !COLUMNS
                .iter()
                .chain(&OPTIONAL)
                .any(|c| c.eq_ignore_ascii_case(h))
        })
        .collect();
    if !missing.is_empty() || !unknown.is_empty() {
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing columns: {}", missing.join(", ")));
        }
        if !unknown.is_empty() {
            problems.push(format!("unknown columns: {}", unknown.join(", ")));
        }
        return Err(header_error(format!(
            "line 1: bad CSV header ({}); expected {}",
            problems.join("; "),
            COLUMNS.join(",")
        )));
    }
    let index: Vec<usize> = index.into_iter().flatten().collect();
    let language = headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case(OPTIONAL[0]));

    let mut records = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Err(e) => errors.push(RowError {
                line: e.position().map_or(0, |p| p.line() as usize),
                problems: vec![format!("unreadable CSV: {e}")],
            }),
            Ok(r) if r.iter().all(str::is_empty) => {}
            Ok(r) if r.len() != headers.len() => errors.push(RowError {
                line: r.position().map_or(0, |p| p.line() as usize),
                problems: vec![format!(
                    "{} fields where the header has {}",
                    r.len(),
                    headers.len()
                )],
            }),
            Ok(r) => records.push(r),
        }
    }
    let raws = records.iter().map(|r| RawEntry {
        line: r.position().map_or(0, |p| p.line() as usize),
        tld: &r[index[0]],
        country: &r[index[1]],
        admin_name: &r[index[2]],
        admin_email: &r[index[3]],
        tech_name: &r[index[4]],
        tech_email: &r[index[5]],
        region: Some(&r[index[6]]),
        language: language.map(|i| &r[i]),
    });
    validate_all(raws, errors, &super::CSV_FIELDS)
}

#[cfg(test)]
mod tests {
    use crate::domain::region::Region;
    use crate::domain::roster::{Format, parse};

    const HEADER: &str = "tld,country,admin_name,admin_email,tech_name,tech_email,region\n";

    fn csv(rows: &str) -> Vec<u8> {
        format!("{HEADER}{rows}").into_bytes()
    }

    #[test]
    fn reads_rows_in_any_tld_spelling() {
        let entries = parse(
            &csv(
                "NL,Netherlands,Ann de Vries,Admin@nic.nl,Tom,tech@nic.nl,centr\n\
                  .xn--p1ai,Russia,\"Ivanov, Ivan\",admin@cctld.ru,Petr,tech@cctld.ru,CENTR\n\
                  us,United States,A,admin@nic.us,B,tech@nic.us,\n",
            ),
            Some(Format::Csv),
        )
        .unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].code.as_str(), "nl");
        assert_eq!(entries[0].admin.email.as_str(), "admin@nic.nl");
        assert_eq!(entries[0].region, Some(Some(Region::Centr)));
        assert_eq!(entries[1].code.unicode().as_deref(), Some("рф"));
        assert_eq!(entries[1].admin.name, "Ivanov, Ivan");
        assert_eq!(entries[1].line, 3);
        assert_eq!(entries[2].region, Some(None));
    }

    #[test]
    fn columns_may_come_in_any_order() {
        let text = "region,tld,country,admin_email,admin_name,tech_email,tech_name\n\
                    APTLD,jp,Japan,a@nic.jp,A,t@nic.jp,T\n";
        let entries = parse(text.as_bytes(), None).unwrap();
        assert_eq!(entries[0].region, Some(Some(Region::Aptld)));
        assert_eq!(entries[0].tech.name, "T");
    }

    #[test]
    fn every_bad_row_is_named_with_its_line() {
        let err = parse(
            &csv("nl,Netherlands,A,admin@nic.nl,T,tech@nic.nl,CENTR\n\
                  de,Germany,A,not-an-address,T,tech@denic.de,CENTR\n\
                  fr,France,A,admin@afnic.fr,T,tech@afnic.fr,EUROPE\n\
                  NL,Netherlands again,A,admin@nic.nl,T,tech@nic.nl,CENTR\n\
                  com,Commercial,A,a@b.com,T,t@b.com,\n\
                  be,Belgium,A,a@dns.be\n"),
            None,
        )
        .unwrap_err();
        let lines: Vec<usize> = err.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7]);
        let text = err.to_string();
        assert!(text.starts_with("5 bad rows:"), "{text}");
        assert!(
            text.contains("line 3: admin_email: `not-an-address`"),
            "{text}"
        );
        assert!(text.contains("line 4: unknown region `EUROPE`"), "{text}");
        assert!(
            text.contains("line 5: duplicate TLD .nl (first on line 2)"),
            "{text}"
        );
        assert!(text.contains("line 6: `com` is not a ccTLD"), "{text}");
        assert!(
            text.contains("line 7: 4 fields where the header has 7"),
            "{text}"
        );
    }

    #[test]
    fn missing_and_unknown_columns_are_named() {
        let err = parse(b"tld,country,admin_email,emial\nnl,NL,a@b.nl,x\n", None).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("missing columns: admin_name, tech_name, tech_email, region"),
            "{text}"
        );
        assert!(text.contains("unknown columns: emial"), "{text}");
    }
}
