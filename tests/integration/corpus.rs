//! The triage corpus: realistic messages, each with the verdict, TLD and contacts it must get
//! (`tests/corpus/expected*.toml`; see `tests/corpus/README.md`). Every mismatch is listed.

use std::collections::HashMap;
use std::path::Path;

use crate::support;
use crate::support::corpus::{DIR, context};
use serde::Deserialize;
use tldops::domain::email::address_key;
use tldops::domain::message::{header_digest, parse, parse_keeping};
use tldops::domain::triage;

#[derive(Deserialize)]
struct Expected {
    #[serde(default)]
    message: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    file: String,
    verdict: String,
    tld: Option<String>,
    #[serde(default)]
    contacts: Vec<ExpectedContact>,
    #[serde(default)]
    too_many_contacts: bool,
    duplicate_of: Option<String>,
    #[serde(default)]
    parse_error: bool,
    /// What a `request` asks: join, change or leave (checked when given).
    intent: Option<String>,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ExpectedContact {
    email: String,
    name: Option<String>,
    phone: Option<String>,
}

fn entries() -> Vec<Entry> {
    let mut all = Vec::new();
    for file in std::fs::read_dir(DIR).unwrap() {
        let path = file.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("expected") && name.ends_with(".toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed: Expected = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            all.extend(parsed.message);
        }
    }
    all
}

fn digits(phone: &str) -> String {
    phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

fn fold(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn corpus() {
    let ctx = context();
    let entries = entries();
    let mut failures = Vec::new();
    let mut by_file: HashMap<&str, &Entry> = HashMap::new();
    for e in &entries {
        assert!(
            by_file.insert(&e.file, e).is_none(),
            "{} listed twice",
            e.file
        );
        let raw = std::fs::read(Path::new(DIR).join(&e.file))
            .unwrap_or_else(|err| panic!("{}: {err}", e.file));
        let msg = parse(&raw, true);
        let d = triage::triage(&msg, &ctx);
        // `TLDOPS_CORPUS_SHOW=name cargo test --test integration corpus:: -- --nocapture` shows
        // what triage saw.
        if std::env::var("TLDOPS_CORPUS_SHOW").is_ok_and(|f| e.file.contains(&f)) {
            println!(
                "== {}
{}
-- html:
{}
-- {d:#?}",
                e.file,
                msg.text,
                msg.html_text.as_deref().unwrap_or("")
            );
        }
        let mut problems = Vec::new();
        if d.verdict.as_str() != e.verdict {
            problems.push(format!("verdict {} (want {})", d.verdict, e.verdict));
        }
        if let Some(want) = &e.intent {
            let got = d.intent.map(|i| i.as_str());
            if got != Some(want.as_str()) {
                problems.push(format!("intent {got:?} (want {want})"));
            }
        }
        let tld = d.tld.as_ref().map(|t| t.to_string());
        if tld != e.tld {
            problems.push(format!("tld {tld:?} (want {:?})", e.tld));
        }
        if e.parse_error != msg.parse_error.is_some() {
            problems.push(format!(
                "parse_error {:?} (want {})",
                msg.parse_error, e.parse_error
            ));
        }
        if d.too_many_contacts != e.too_many_contacts {
            problems.push(format!(
                "too_many_contacts {} (want {})",
                d.too_many_contacts, e.too_many_contacts
            ));
        }
        let got: Vec<String> = d
            .contacts
            .iter()
            .map(|c| address_key(&c.email).unwrap_or_default())
            .collect();
        let want: Vec<String> = e
            .contacts
            .iter()
            .map(|c| address_key(&c.email).unwrap_or_default())
            .collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        if got_sorted != want_sorted {
            problems.push(format!("contacts {got:?} (want {want:?})"));
        } else {
            for w in &e.contacts {
                let g = d
                    .contacts
                    .iter()
                    .find(|c| address_key(&c.email) == address_key(&w.email))
                    .unwrap();
                if w.name.as_deref().map(fold) != g.name.as_deref().map(fold) {
                    problems.push(format!(
                        "{}: name {:?} (want {:?})",
                        w.email, g.name, w.name
                    ));
                }
                if w.phone.as_deref().map(digits) != g.phone.as_deref().map(digits) {
                    problems.push(format!(
                        "{}: phone {:?} (want {:?})",
                        w.email, g.phone, w.phone
                    ));
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n    why: {}",
                e.file,
                problems.join("; "),
                d.why
            ));
        }
    }
    // Every message file has an expectation (the real-world ones in `real/`).
    for (dir, prefix) in [(DIR.to_string(), ""), (format!("{DIR}/real"), "real/")] {
        for file in std::fs::read_dir(dir).unwrap() {
            let name = format!("{prefix}{}", file.unwrap().file_name().to_string_lossy());
            if name.ends_with(".eml") && !by_file.contains_key(name.as_str()) {
                failures.push(format!("{name}: no entry in expected*.toml"));
            }
        }
    }
    for e in &entries {
        if let Some(first) = &e.duplicate_of {
            assert!(
                by_file.contains_key(first.as_str()),
                "{}: duplicate_of unknown {first}",
                e.file
            );
        }
    }
    let total = entries.len();
    assert!(
        failures.is_empty(),
        "{} of {total} corpus messages are triaged wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The first pass judges a header block by its digest (only the fields judging reads): for
/// every corpus message that must be exactly the judgement of the whole block.
#[test]
fn a_header_digest_is_judged_like_the_whole_header_block() {
    let ctx = context();
    let keep = triage::headers_read();
    let fields = triage::digest_fields();
    let mut checked = 0;
    for (file, raw, _) in support::corpus::messages() {
        let block = tldops::mail::local::header_block(&raw);
        let whole = parse_keeping(block, false, Some(&keep));
        let digest = parse_keeping(&header_digest(block, &fields), false, Some(&keep));
        assert_eq!(digest, whole, "{file}: parsed");
        assert_eq!(
            triage::triage(&digest, &ctx),
            triage::triage(&whole, &ctx),
            "{file}: judged"
        );
        checked += 1;
    }
    assert!(checked >= 90, "{checked}");
}

/// Ingest judges a header block first and fetches the body only when the headers say it may
/// matter (`triage::needs_body`): the two passes must reach the judgement of the whole
/// message for every corpus message, real-world notices included.
#[test]
fn judging_the_headers_first_reaches_the_same_verdict() {
    let ctx = context();
    let keep = triage::headers_read();
    let mut wrong = Vec::new();
    for (file, raw, _) in support::corpus::messages() {
        let whole = triage::triage(&parse(&raw, true), &ctx);
        let block = tldops::mail::local::header_block(&raw);
        let head = parse_keeping(block, false, Some(&keep));
        let first = triage::triage(&head, &ctx);
        let two_pass = if triage::needs_body(&head, &first, &ctx) {
            whole.clone()
        } else {
            first
        };
        if (two_pass.verdict, &two_pass.tld) != (whole.verdict, &whole.tld) {
            wrong.push(format!(
                "{file}: {} {:?} on its headers, {} {:?} whole",
                two_pass.verdict, two_pass.tld, whole.verdict, whole.tld
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
