//! `tldops poll`, `tldops messages`, `tldops assign`.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::output;
use crate::domain::triage::Contact;
use crate::installation::Installation;
use crate::service::{IngestReport, Service};
use crate::service::{MessageFilter, MessageRow};

pub fn poll_local(
    service: &mut Service,
    maildir: Option<&Path>,
    mbox: Option<&Path>,
) -> Result<()> {
    let mut source = match (maildir, mbox) {
        (Some(dir), _) => Installation::maildir(dir)?,
        (_, Some(file)) => Installation::mbox(file)?,
        (None, None) => unreachable!("the caller picks a local source"),
    };
    let stop = super::poll::StopSignal::install()?;
    let report = service.ingest_until(source.as_mut(), &stop.flag)?;
    print_report(&report);
    stop.say_stopped();
    Ok(())
}

pub fn print_report(r: &IngestReport) {
    let verdicts: Vec<String> = r.verdicts.iter().map(|(v, n)| format!("{n} {v}")).collect();
    println!(
        "{}: {} new, {} stored{}{}{}",
        r.source,
        r.seen,
        r.stored,
        if r.duplicates > 0 {
            format!(", {} already stored", r.duplicates)
        } else {
            String::new()
        },
        if r.headers_only > 0 {
            format!(", {} with headers only", r.headers_only)
        } else {
            String::new()
        },
        match (r.rescan, r.stopped) {
            (_, true) => " (stopped before the end)",
            (true, false) => " (UIDVALIDITY changed: full rescan)",
            (false, false) => "",
        },
    );
    if !verdicts.is_empty() {
        println!("  {}", verdicts.join(", "));
    }
    for (tld, from, to) in &r.transitions {
        println!("  .{tld}: {from} → {to}");
    }
}

/// The JSON shape of `messages --json` (DESIGN §4): exactly these keys.
#[derive(Serialize)]
struct MessageJson<'a> {
    message_id: Option<&'a str>,
    from: Option<&'a str>,
    subject: &'a str,
    tld: Option<&'a str>,
    verdict: &'a str,
    why: &'a str,
    contacts: &'a [Contact],
}

pub fn list(service: &Service, filter: &MessageFilter, json: bool) -> Result<()> {
    let rows = service.messages(filter)?;
    if json {
        let out: Vec<MessageJson> = rows
            .iter()
            .map(|m| MessageJson {
                message_id: m.message_id.as_deref(),
                from: m.from.as_deref(),
                subject: &m.subject,
                tld: m.tld.as_deref(),
                verdict: m.verdict.as_str(),
                why: &m.why,
                contacts: &m.contacts,
            })
            .collect();
        return output::json(&out);
    }
    if rows.is_empty() {
        println!("no messages");
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows.iter().map(row).collect();
    output::table_within(
        &["ID", "VERDICT", "TLD", "CONTACTS", "FROM", "SUBJECT"],
        &table,
        output::stdout_columns(),
    )
}

fn row(m: &MessageRow) -> Vec<String> {
    vec![
        format!("#{}", m.id),
        m.verdict.to_string(),
        m.tld.as_ref().map_or("-".into(), |t| format!(".{t}")),
        m.contacts.len().to_string(),
        m.from.clone().unwrap_or_default(),
        m.subject.clone(),
    ]
}

pub fn assign(
    service: &mut Service,
    install: &Installation,
    command: &crate::service::Command,
) -> Result<()> {
    let crate::service::Command::Assign { message, tld } = command else {
        unreachable!("the caller passes an assignment");
    };
    let a = service.assign(message, tld, &mut |name| install.reopen(name), false)?;
    let m = &a.message;
    println!(
        "#{} is now {} for .{}: {}",
        m.id,
        m.verdict,
        m.tld.as_deref().unwrap_or("?"),
        m.why
    );
    if let Some(why) = &a.without_body {
        eprintln!("warning: assigned without its body, so no contacts from it: {why}");
    }
    Ok(())
}
