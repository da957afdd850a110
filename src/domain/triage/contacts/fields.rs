//! Finding people in free text: each address with the name and phone number written next to
//! it — on the same line ("Jan Jansen (jan@x, +31 …)"), in a table row, in a labelled block
//! ("Name: … / Email: … / Phone: …"), or on the lines around it.

use std::ops::Range;

use super::Contact;
use super::budget::Work;
use super::labels::{Kind, label_of, strip_bullet};
use super::names::{cell_name, clean_name, name_before, name_like};
use super::phone::find_phone;
use crate::domain::email::find_addresses;

/// A line with more cells, or more addresses, than this is not one person's record (a table
/// row, a dash-separated list item) but free text.
const MAX_RECORD_CELLS: usize = 16;

/// Every address in `text` with the name and phone that go with it. Each line is looked at
/// once (its addresses, its label, whether it is a record), and each address reads only its
/// own stretch of the line and the lines next to it: linear in the text.
pub fn find(text: &str, work: &Work) -> Vec<Contact> {
    let joined = unwrap_prose(text, work);
    let lines: Vec<&str> = joined.iter().map(String::as_str).collect();
    let text = Lines {
        addresses: lines
            .iter()
            .map(|l| {
                work.add(l.len() + 1);
                find_addresses(l)
            })
            .collect(),
        labels: lines.iter().map(|l| label_of(l)).collect(),
        lines,
    };
    let mut out = Vec::new();
    for (i, (line, addresses)) in text.lines.iter().zip(&text.addresses).enumerate() {
        if addresses.is_empty() {
            continue;
        }
        let block = labelled(&text, i, work);
        let record = block
            .is_none()
            .then(|| Record::of(line, addresses.len()))
            .flatten();
        for (k, range) in addresses.iter().enumerate() {
            let email = &line[range.clone()];
            let (name, phone) = if let Some(fields) = &block {
                fields.clone()
            } else if let Some(record) = &record {
                work.add(line.len());
                record.fields(email)
            } else {
                let start = if k == 0 { 0 } else { addresses[k - 1].end };
                let end = addresses.get(k + 1).map_or(line.len(), |r| r.start);
                around(&text, i, start..end, range.clone(), work)
            };
            out.push(Contact {
                email: email.to_string(),
                name,
                phone,
            });
        }
    }
    out
}

/// The lines of a text, with what each holds worked out once.
struct Lines<'a> {
    lines: Vec<&'a str>,
    addresses: Vec<Vec<Range<usize>>>,
    labels: Vec<Option<(Kind, &'a str)>>,
}

/// Rejoins prose that a mail client wrapped at a fixed width ("… +61\n3 8341 4111) and …"): in
/// a paragraph of long lines, a line continues on the next when that one starts like the rest
/// of a sentence (lowercase, a digit, a bracket) rather than a new item.
fn unwrap_prose(text: &str, work: &Work) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut wrapped = false;
    for line in text.lines() {
        work.add(line.len() + 1);
        let t = line.trim();
        let continuation = t
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit() || "()".contains(c));
        let starts_item = t.is_empty()
            || strip_bullet(line).len() != t.len()
            || label_of(line).is_some()
            || is_row(line);
        match out.last_mut() {
            Some(last) if wrapped && continuation && !starts_item => {
                last.push(' ');
                last.push_str(t);
            }
            _ => {
                out.push(line.to_string());
                wrapped = false;
            }
        }
        wrapped = (wrapped || t.chars().count() >= 60) && !is_row(t) && label_of(t).is_none();
    }
    out
}

/// A table row: cells separated by `|`, tabs or runs of spaces.
fn is_row(line: &str) -> bool {
    let t = line.trim();
    t.contains(" | ") || t.contains('\t') || t.contains("   ") || t.matches("  ").count() >= 2
}

/// A `Name: / Email: / Phone:` block around line `i`, if line `i` is part of one.
fn labelled(text: &Lines, i: usize, work: &Work) -> Option<(Option<String>, Option<String>)> {
    let (kind, _) = text.labels[i]?;
    let lines = &text.lines;
    if is_row(lines[i]) {
        // "姓名：刘洋  邮箱：liu@x  电话：…": several labelled cells on one line.
        return None;
    }
    if kind == Kind::Name && !text.addresses[i].is_empty() {
        // "Contact: Jan Jansen <jan@x>" is a free-text line with a label in front.
        return None;
    }
    // A name opens a person's block: look up to it, and down to the next one.
    let mut seen = vec![kind];
    let mut first = i;
    while first > 0 && !seen.contains(&Kind::Name) {
        match text.labels[first - 1] {
            Some((k, _)) if !seen.contains(&k) => {
                seen.push(k);
                first -= 1;
            }
            _ => break,
        }
    }
    let mut last = i;
    while last + 1 < lines.len() {
        match text.labels[last + 1] {
            Some((k, _)) if !seen.contains(&k) && k != Kind::Name => {
                seen.push(k);
                last += 1;
            }
            _ => break,
        }
    }
    let mut name = None;
    let mut phone = None;
    for (line, label) in lines[first..=last].iter().zip(&text.labels[first..=last]) {
        work.add(line.len());
        match label {
            Some((Kind::Name, v)) => name = clean_name(v),
            Some((Kind::Phone, v)) => phone = find_phone(v),
            _ => {}
        }
    }
    // "Jan Jansen" on its own line just above "Email: ..." names the block.
    if name.is_none() && first > 0 {
        work.add(lines[first - 1].len());
        let above = strip_bullet(lines[first - 1]).trim_end_matches(':');
        if name_like(above) {
            name = Some(above.to_string());
        }
    }
    Some((name, phone))
}

/// A record with one field per cell: a table row (`|`, tab or wide-space separated), or a
/// list item of dash-separated fields ("Jan Jansen – jan@x – +31 …"). Cells may carry labels
/// ("姓名：刘洋  邮箱：liu@x  电话：+86 …").
struct Record {
    cells: Vec<String>,
}

impl Record {
    /// `line` as a record, if it is one: two cells or more, and at most [`MAX_RECORD_CELLS`]
    /// cells and addresses.
    fn of(line: &str, addresses: usize) -> Option<Record> {
        let t = line.trim();
        let dashed;
        let cells: Vec<&str> = if t.contains('|') {
            t.split('|').collect()
        } else if t.contains('\t') {
            t.split('\t').collect()
        } else if t.contains("  ") {
            t.split("  ").collect()
        } else if [" – ", " — ", " - "].iter().any(|d| t.contains(d)) {
            dashed = t.replace(" — ", " – ").replace(" - ", " – ");
            dashed.split(" – ").collect()
        } else {
            return None;
        };
        let cells: Vec<String> = cells
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let fits = |n: usize| n <= MAX_RECORD_CELLS;
        (cells.len() >= 2 && fits(cells.len()) && fits(addresses)).then_some(Record { cells })
    }

    /// The name and phone of the person whose address is `address`: in the other cells.
    fn fields(&self, address: &str) -> (Option<String>, Option<String>) {
        let others = || self.cells.iter().filter(|c| !c.contains(address));
        let labelled = |kind: Kind| {
            others()
                .filter_map(|c| label_of(c))
                .find(|(k, _)| *k == kind)
                .map(|(_, v)| v)
        };
        let name = labelled(Kind::Name).and_then(cell_name).or_else(|| {
            others()
                .filter(|c| label_of(c).is_none())
                .find_map(|c| cell_name(c))
        });
        let phone = labelled(Kind::Phone)
            .and_then(find_phone)
            .or_else(|| others().find_map(|c| find_phone(c)));
        (name, phone)
    }
}

/// Free text: the name just before the address, the phone after it (or before), looking at
/// the neighbouring lines when the address stands alone on its line. Reads only `segment`
/// (the stretch of line `i` between the addresses before and after) and those lines.
fn around(
    text: &Lines,
    i: usize,
    segment: Range<usize>,
    email: Range<usize>,
    work: &Work,
) -> (Option<String>, Option<String>) {
    let lines = &text.lines;
    let line = lines[i];
    work.add(segment.len());
    let before = &line[segment.start..email.start];
    let after = &line[email.end..segment.end];
    let mut name = name_before(before).filter(|_| !before.trim().is_empty());
    // "jan@x (Jan Jansen)" / "jan@x - Jan Jansen"
    if name.is_none() {
        let t = after.trim_start_matches(|c: char| c == '>' || c == ')' || c.is_whitespace());
        let t = t.trim_start_matches(['(', '-', '–', ',', ':']).trim();
        let candidate = t.split([')', ',', ';', '(']).next().unwrap_or("").trim();
        if name_like(candidate) {
            name = Some(candidate.to_string());
        }
    }
    let mut phone = find_phone(after).or_else(|| find_phone(before));
    if text.addresses[i].len() == 1 {
        let rest_of_line = format!("{before}{after}");
        let bare = strip_bullet(&rest_of_line)
            .trim_matches(|c: char| !c.is_alphanumeric())
            .is_empty();
        let same_paragraph = |j: usize| {
            lines.get(j).is_some_and(|l| {
                work.add(l.len());
                !l.trim().is_empty() && text.addresses[j].is_empty()
            })
        };
        if name.is_none() && i > 0 && same_paragraph(i - 1) {
            let above = strip_bullet(lines[i - 1]);
            let above = above
                .split([',', '('])
                .next()
                .unwrap_or("")
                .trim()
                .trim_end_matches(':');
            if name_like(above) && (bare || before.trim().is_empty()) {
                name = Some(above.to_string());
            }
        }
        if phone.is_none() {
            for j in [i + 1, i + 2] {
                if !same_paragraph(j) {
                    break;
                }
                let l = lines[j];
                if let Some(p) = text.labels[j]
                    .filter(|(k, _)| *k == Kind::Phone)
                    .and_then(|(_, v)| find_phone(v))
                    .or_else(|| find_phone(l))
                {
                    phone = Some(p);
                    break;
                }
            }
        }
    }
    (name, phone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<Contact> {
        super::find(text, &Work::default())
    }

    fn one(text: &str) -> (String, Option<String>, Option<String>) {
        let found = find(text);
        assert_eq!(found.len(), 1, "{text:?} gave {found:?}");
        let c = found.into_iter().next().unwrap();
        (c.email, c.name, c.phone)
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn free_text_forms() {
        assert_eq!(
            one("Our security contact is Jan Jansen (jan.jansen@sidn.example, +31 26 352 5511)."),
            (
                "jan.jansen@sidn.example".into(),
                s("Jan Jansen"),
                s("+31 26 352 5511")
            )
        );
        assert_eq!(
            one("- Piet de Boer <piet@sidn.example>, tel. +31 (0)26 352 5522"),
            (
                "piet@sidn.example".into(),
                s("Piet de Boer"),
                s("+31 (0)26 352 5522")
            )
        );
        assert_eq!(one("1. cert@sidn.example (SIDN CERT)").1, s("SIDN CERT"));
    }

    #[test]
    fn two_on_one_line() {
        let found = find("Jan Jansen <jan@sidn.example> and Piet de Boer <piet@sidn.example>");
        let names: Vec<_> = found.iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, [s("Jan Jansen"), s("Piet de Boer")]);
    }

    #[test]
    fn labelled_blocks() {
        let text = "Name: Jan Jansen\nEmail: jan@sidn.example\nPhone: +31 26 352 5511\nName: Piet de Boer\nE-mail: piet@sidn.example\n";
        let found = find(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, s("Jan Jansen"));
        assert_eq!(found[0].phone, s("+31 26 352 5511"));
        assert_eq!(found[1].name, s("Piet de Boer"));
        assert_eq!(found[1].phone, None);
    }

    #[test]
    fn stacked_lines_and_tables() {
        assert_eq!(
            one("Contacts:\n\nJan Jansen\njan@sidn.example\n+31 26 352 5511\n"),
            (
                "jan@sidn.example".into(),
                s("Jan Jansen"),
                s("+31 26 352 5511")
            )
        );
        assert_eq!(
            one("Name | Email | Phone\nJan Jansen | jan@sidn.example | +31 26 352 5511"),
            (
                "jan@sidn.example".into(),
                s("Jan Jansen"),
                s("+31 26 352 5511")
            )
        );
        assert_eq!(
            one("Jan Jansen     jan@sidn.example     +31 26 352 5511").1,
            s("Jan Jansen")
        );
    }
}
#[cfg(test)]
mod label_prefix_tests {
    #[test]
    fn a_label_before_a_free_text_contact() {
        let found = super::find(
            "Contact: Jan Jansen <jan@sidn.example>",
            &super::Work::default(),
        );
        assert_eq!(found[0].name.as_deref(), Some("Jan Jansen"), "{found:?}");
    }
}
