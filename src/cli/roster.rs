//! `tldops roster import | list | show`.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use super::output;
use crate::domain::audit::EventRecord;
use crate::domain::case::CaseState;
use crate::domain::email::Email;
use crate::domain::language::Language;
use crate::domain::region::Region;
use crate::domain::roster::{IanaContact, Tld};
use crate::domain::time::Timestamp;
use crate::domain::tld::TldCode;
use crate::service::{ContactRow, RosterRow};
use crate::service::{ImportOptions, ImportReport, RosterFilter, Service};

pub fn import(service: &mut Service, file: &Path, options: ImportOptions) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let report = service
        .import_roster(&file.display().to_string(), &bytes, options)
        .with_context(|| format!("{}: nothing imported", file.display()))?;
    print_report(&report);
    Ok(())
}

fn print_report(r: &ImportReport) {
    for w in &r.warnings {
        println!("warning: {w}");
    }
    let d = &r.diff;
    let verb = if r.dry_run { "would be" } else { "" };
    let say = |n: usize, what: &str| {
        if n > 0 {
            println!(
                "{n} {what}{}",
                if verb.is_empty() {
                    String::new()
                } else {
                    format!(" ({verb})")
                }
            );
        }
    };
    println!(
        "{} {} read ({} format){}",
        if r.dry_run { "dry run:" } else { "imported:" },
        output::count(r.entries, "TLD"),
        r.format,
        if r.dry_run { "; nothing stored" } else { "" }
    );
    say(d.added.len(), "added");
    print_codes("+", &d.added);
    if r.dry_run && !r.pruned && !d.retired.is_empty() {
        println!(
            "{} not in the file: retired only with --prune\n\
             (without --prune or --merge, the import is refused)",
            output::count(d.retired.len(), "TLD")
        );
    } else {
        say(d.retired.len(), "retired (no longer in the file)");
    }
    print_codes("-", &d.retired);
    say(d.admin_changed.len(), "admin address changed");
    for c in &d.admin_changed {
        let flag = if r.invalidated.contains(&c.code) {
            "  ! invitation pending: it went to the old address"
        } else {
            ""
        };
        println!(
            "  ~ {} admin {} → {}{flag}",
            c.code.display(),
            c.old.email,
            c.new.email
        );
    }
    say(d.tech_changed.len(), "tech address changed");
    for c in &d.tech_changed {
        println!(
            "  ~ {} tech {} → {}",
            c.code.display(),
            c.old.email,
            c.new.email
        );
    }
    say(d.details_changed.len(), "other details changed");
    for (code, changes) in &d.details_changed {
        println!("  ~ {} {}", code.display(), changes.join(", "));
    }
    if d.is_empty() {
        println!("no changes");
    } else if d.unchanged > 0 {
        println!("{} unchanged", d.unchanged);
    }
}

/// TLDs added or retired: one per line, or for a long list (a first import adds all ~300)
/// several to a line, IDNs in their Unicode form only, so the counts above stay on the screen.
fn print_codes(mark: &str, codes: &[TldCode]) {
    use unicode_width::UnicodeWidthStr;
    if codes.len() <= 20 {
        for code in codes {
            println!("  {mark} {}", code.display());
        }
        return;
    }
    let width = output::stdout_columns().unwrap_or(80).max(20);
    // Terminals disagree on the width of some scripts' combining signs (Tamil, Devanagari):
    // at least a column per character, so a line never runs over.
    let cols = |s: &str| s.width().max(s.chars().count());
    let mut line = String::new();
    for code in codes {
        let code = format!(
            ".{}",
            code.unicode().unwrap_or_else(|| code.as_str().to_string())
        );
        if !line.is_empty() && cols(&line) + 1 + cols(&code) > width {
            println!("{line}");
            line.clear();
        }
        if line.is_empty() {
            line = format!("  {mark} {code}");
        } else {
            line.push(' ');
            line.push_str(&code);
        }
    }
    if !line.is_empty() {
        println!("{line}");
    }
}

/// The JSON shape of one TLD in `roster list --json` and `roster show --json` (documented in
/// the README; scripts rely on it).
#[derive(Serialize)]
struct TldJson<'a> {
    tld: &'a str,
    unicode: Option<String>,
    country: &'a str,
    region: Option<Region>,
    /// The language its mail is written in, and whether the roster set it or the country did.
    language: Language,
    language_source: &'static str,
    state: CaseState,
    admin: ContactJson<'a>,
    tech: ContactJson<'a>,
    invited_at: Option<Timestamp>,
    reminders: u32,
    answered_at: Option<Timestamp>,
    decided_at: Option<Timestamp>,
    decided_by: Option<&'a str>,
    admin_changed_at: Option<Timestamp>,
    retired: bool,
}

#[derive(Serialize)]
struct ContactJson<'a> {
    name: &'a str,
    email: &'a Email,
}

impl<'a> From<&'a IanaContact> for ContactJson<'a> {
    fn from(c: &'a IanaContact) -> Self {
        ContactJson {
            name: &c.name,
            email: &c.email,
        }
    }
}

impl<'a> From<&'a RosterRow> for TldJson<'a> {
    fn from(r: &'a RosterRow) -> Self {
        TldJson {
            tld: r.tld.code.as_str(),
            unicode: r.tld.code.unicode(),
            country: &r.tld.country,
            region: r.tld.region,
            language: r.tld.language(),
            language_source: language_source(&r.tld),
            state: r.case.state,
            admin: (&r.tld.admin).into(),
            tech: (&r.tld.tech).into(),
            invited_at: r.case.invited_at,
            reminders: r.case.reminders,
            answered_at: r.case.answered_at,
            decided_at: r.case.decided_at,
            decided_by: r.case.decided_by.as_deref(),
            admin_changed_at: r.case.admin_changed_at,
            retired: r.tld.retired,
        }
    }
}

fn language_source(t: &Tld) -> &'static str {
    if t.language.is_some() {
        "roster"
    } else {
        "default"
    }
}

/// `French (fr)`, and where it comes from.
fn language_words(t: &Tld) -> String {
    let l = t.language();
    let from = if t.language.is_some() {
        "set in the roster"
    } else {
        "the default for the country"
    };
    format!("{} ({l}, {from})", l.name())
}

/// `roster set TLD --language L`: the mail language, and what it is now.
pub fn set_language(service: &Service, input: &str, language: Option<Language>) -> Result<()> {
    let row = service.set_language(input, language)?;
    println!(
        "{}: mail in {}",
        row.tld.code.display(),
        language_words(&row.tld)
    );
    Ok(())
}

/// How a TLD is written in tables: `.nl`, or `.рф` for IDN ccTLDs (the A-label is in `show`).
fn short_name(r: &RosterRow) -> String {
    format!(
        ".{}",
        r.tld
            .code
            .unicode()
            .unwrap_or_else(|| r.tld.code.to_string())
    )
}

fn state_word(r: &RosterRow) -> String {
    let mut s = r.case.state.to_string();
    if r.case.admin_changed_at.is_some() {
        s.push_str(" (admin changed)");
    }
    if r.tld.retired {
        s.push_str(" (retired)");
    }
    s
}

pub fn list(service: &Service, filter: &RosterFilter, json: bool) -> Result<()> {
    let rows = service.roster(filter)?;
    if json {
        let out: Vec<TldJson> = rows.iter().map(TldJson::from).collect();
        return output::json(&out);
    }
    if rows.is_empty() {
        println!("no TLDs (import a roster: tldops roster import FILE)");
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                short_name(r),
                r.tld.country.clone(),
                r.tld.region.map_or("-".into(), |g| g.to_string()),
                state_word(r),
                r.tld.admin.email.to_string(),
            ]
        })
        .collect();
    output::table(&["TLD", "COUNTRY", "REGION", "STATE", "ADMIN"], &table)?;
    println!("{}", output::count(rows.len(), "TLD"));
    Ok(())
}

#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    tld: TldJson<'a>,
    /// Subscribed, approved (the list server has not confirmed yet) or being removed.
    members: Vec<super::contacts::ContactJson<'a>>,
    events: Vec<super::log::EventJson<'a>>,
}

pub fn show(service: &Service, input: &str, json: bool) -> Result<()> {
    let row = service.tld(input)?;
    let events = service.log(&crate::service::EventFilter {
        tld: Some(row.tld.code.to_string()),
        ..Default::default()
    })?;
    let members: Vec<ContactRow> = service
        .contacts_of(row.tld.code.as_str())?
        .into_iter()
        .filter(super::contacts::is_member)
        .collect();
    if json {
        return output::json(&ShowJson {
            tld: (&row).into(),
            members: members.iter().map(Into::into).collect(),
            events: events.iter().map(Into::into).collect(),
        });
    }
    print_show(&row, &members, &events);
    Ok(())
}

fn print_show(r: &RosterRow, members: &[ContactRow], events: &[EventRecord]) {
    let t = &r.tld;
    println!("{}  {}", t.code.display(), output::clean(&t.country));
    let field = |k: &str, v: &str| println!("  {k:<10} {}", output::clean(v));
    field("region", t.region.map_or("-", |g| g.as_str()));
    field("language", &language_words(t));
    field("state", &state_word(r));
    let person = |c: &IanaContact| {
        if c.name.is_empty() {
            c.email.to_string()
        } else {
            format!("{} <{}>", c.name, c.email)
        }
    };
    field("admin", &person(&t.admin));
    field("tech", &person(&t.tech));
    if let Some(at) = r.case.invited_at {
        field("invited", &at.to_string());
    }
    if r.case.reminders > 0 {
        field("reminders", &r.case.reminders.to_string());
    }
    if let Some(at) = &r.case.admin_changed_at {
        println!(
            "  ! the admin address changed on {at} while the invitation was pending: \
             the invitation went to the old address; invite again"
        );
    }
    println!("  members");
    if members.is_empty() {
        println!("    (none)");
    }
    for m in members {
        println!("    {}", super::contacts::line(m));
    }
    println!("  history");
    if events.is_empty() {
        println!("    (none)");
    }
    for e in events {
        println!(
            "    {}  {:<12} {:<16} {}",
            e.at,
            e.operator,
            e.action,
            output::clean(&e.detail)
        );
    }
}
