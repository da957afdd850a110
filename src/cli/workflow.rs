//! The operator's actions from the command line: invite, chase, approve, reject, contacts,
//! members, digest, queue, stats, outbox. Each action queues its mail; the mail is then sent
//! at once through the configured transport (the outbox keeps what could not go).

use std::path::Path;

use anyhow::Result;

use super::output;
use crate::config::ExportFormat;
use crate::domain::region::Region;
use crate::installation::Installation;
use crate::service::{
    Command, Delivery, Effects, ItemKind, Outcome, Planned, QueueItem, SendReport, Service,
};

/// Does `command` and sends its mail, printing nothing (for `--json`): the outcome says
/// what became of each mail.
pub fn perform_quietly(
    service: &mut Service,
    install: &Installation,
    command: &Command,
) -> Result<Outcome> {
    let mut outcome = service.perform(command, &mut |_| Ok(None))?;
    if !outcome.effects.mails.is_empty() {
        let mut transport = install.transport()?;
        service.deliver(&mut outcome, transport.as_mut())?;
    }
    Ok(outcome)
}

/// Sends what is due and says what happened.
pub fn send(service: &mut Service, install: &Installation) -> Result<SendReport> {
    let mut transport = install.transport()?;
    let report = service.send_due(transport.as_mut())?;
    if report.sent > 0 {
        println!(
            "sent {} mail{}",
            report.sent,
            if report.sent == 1 { "" } else { "s" }
        );
    }
    for id in &report.interrupted {
        eprintln!(
            "warning: mail {id} may have been sent: its send was interrupted; \
             `tldops outbox resend {id}` or `tldops outbox mark-sent {id}`"
        );
    }
    for (id, e) in &report.retrying {
        println!("  {id}: {e}; will retry");
    }
    for (id, e) in &report.failed {
        eprintln!("error: mail {id} not sent: {e}");
    }
    Ok(report)
}

fn print_mail(prefix: &str, m: &Planned) {
    let cc = if m.cc.is_empty() {
        String::new()
    } else {
        format!(" (cc {})", m.cc.join(", "))
    };
    println!(
        "{prefix}{} → {}{cc}: {}",
        m.kind,
        m.to.join(", "),
        m.subject
    );
}

/// `--dry-run`: the plan, as the TUI's confirmation shows it; nothing changes.
pub fn print_plan(service: &Service, command: &Command) -> Result<()> {
    let plan = service.plan(command)?;
    println!("{}", plan.title());
    for line in plan.lines() {
        println!("  {line}");
    }
    println!("dry run: nothing changed, nothing sent");
    Ok(())
}

/// Does `command`, says what it did (batches say it mail by mail: [`print_batch`]), then
/// sends its mail and says how that went.
pub fn perform(
    service: &mut Service,
    install: &Installation,
    command: &Command,
) -> Result<Outcome> {
    let outcome = service.perform(command, &mut |name| install.reopen(name))?;
    if matches!(
        command,
        Command::Invite { .. } | Command::Chase { .. } | Command::Reconfirm { .. }
    ) {
        print_batch(&outcome.effects);
    } else {
        println!("{}", outcome.headline());
        for line in outcome.effects.lines() {
            println!("  {line}");
        }
    }
    for line in &outcome.members {
        println!("  {line}");
    }
    if !outcome.effects.mails.is_empty() {
        send(service, install)?;
    }
    Ok(outcome)
}

/// A command's effects as JSON (`reconfirm --json`): the mails (kind, TLD, to, cc, subject,
/// Message-ID), the lines in words, what was skipped and why.
pub fn print_effects_json(
    effects: &Effects,
    deliveries: Option<&[(String, Delivery)]>,
) -> Result<()> {
    let mails: Vec<serde_json::Value> = effects
        .mails
        .iter()
        .map(|m| {
            let delivery = deliveries
                .and_then(|d| d.iter().find(|(id, _)| *id == m.message_id))
                .map(|(_, d)| match d {
                    Delivery::Sent => serde_json::json!({ "state": "sent" }),
                    Delivery::Queued(why) => serde_json::json!({ "state": "queued", "why": why }),
                    Delivery::Failed(why) => serde_json::json!({ "state": "failed", "why": why }),
                });
            serde_json::json!({
                "kind": m.kind.name(), "tld": m.tld, "to": m.to, "cc": m.cc,
                "subject": m.subject, "message_id": m.message_id, "delivery": delivery,
            })
        })
        .collect();
    let skipped: Vec<serde_json::Value> = effects
        .skipped
        .iter()
        .map(|(tld, why)| serde_json::json!({ "tld": tld, "why": why }))
        .collect();
    output::json(&serde_json::json!({
        "dry_run": deliveries.is_none(),
        "mails": mails,
        "notes": effects.notes,
        "skipped": skipped,
    }))
}

/// `dismiss --json`: the request (its number, TLD, sender, subject), whether it was a dry
/// run, and the effects in words.
pub fn print_dismissal_json(
    service: &Service,
    message: &str,
    dry_run: bool,
    effects: &Effects,
) -> Result<()> {
    let row = service.message(message)?.map(|(row, _)| row);
    output::json(&serde_json::json!({
        "dry_run": dry_run,
        "message": row.as_ref().map(|r| r.id),
        "tld": row.as_ref().and_then(|r| r.tld.clone()),
        "from": row.as_ref().and_then(|r| r.from.clone()),
        "subject": row.as_ref().map(|r| r.subject.clone()),
        "settled_at": row.as_ref().and_then(|r| r.settled_at),
        "notes": effects.notes,
    }))
}

/// The mails of an invitation or chasing batch, and the TLDs it skipped.
pub fn print_batch(effects: &Effects) {
    for note in &effects.notes {
        println!("{note}");
    }
    for m in &effects.mails {
        print_mail("queued ", m);
    }
    for (tld, why) in &effects.skipped {
        println!(
            "skipped .{tld}: {}",
            why.trim_start_matches(&format!(".{tld}: "))
        );
    }
    if effects.mails.is_empty() && effects.skipped.is_empty() {
        println!("nothing to do");
    }
}

pub fn export(
    service: &Service,
    format: ExportFormat,
    region: Option<Region>,
    output: Option<&Path>,
) -> Result<()> {
    let (text, count) = service.export_members(format, region)?;
    match output {
        Some(path) => {
            // A new file is owner-only (the team's in a setgid directory): it names people.
            crate::private::write(path, text.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            println!("{count} members written to {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Writes the coverage report to `path`, private (it may name people).
pub fn report(service: &Service, path: &Path, with_contacts: bool) -> Result<()> {
    let html = service.report(with_contacts)?;
    crate::private::replace(path, html.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    let s = service.stats()?;
    println!(
        "report written to {}: {} of {} ccTLDs on the list{}",
        path.display(),
        s.total.on_list,
        s.total.tlds,
        if with_contacts {
            " (names the members: do not publish it)"
        } else {
            ""
        }
    );
    Ok(())
}

pub fn queue(service: &Service, json: bool) -> Result<()> {
    let items = service.queue_items()?;
    if json {
        return output::json(&items);
    }
    if items.is_empty() {
        println!("nothing waits");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                i.kind.to_string(),
                i.tld.as_ref().map_or("-".into(), |t| format!(".{t}")),
                i.state.map_or("-".into(), |s| s.to_string()),
                i.since.map(|t| t.date()).unwrap_or_default(),
                i.message.map_or(String::new(), |m| format!("#{m} "))
                    + &i.why
                    + &next_command(i).map_or(String::new(), |c| format!(": `{c}`")),
            ]
        })
        .collect();
    output::table(&["TODO", "TLD", "STATE", "SINCE", "WHY"], &rows)
}

/// The command that does what a queue item asks, where one command does (the TUI names its
/// key instead, in help).
fn next_command(i: &QueueItem) -> Option<String> {
    let tld = i.tld.as_deref().unwrap_or("TLD");
    match i.kind {
        ItemKind::Remove => i.message.map(|m| format!("tldops remove --message {m}")),
        ItemKind::Request => i.message.map(|m| format!("tldops ask {tld} --message {m}")),
        ItemKind::Reconfirm => Some("tldops reconfirm --due".into()),
        ItemKind::Members => Some("tldops members sync".into()),
        _ => None,
    }
}

pub fn stats(service: &Service, json: bool) -> Result<()> {
    let s = service.stats()?;
    if json {
        return output::json(&s);
    }
    let t = &s.total;
    println!(
        "{} of {} are on the list ({})",
        t.on_list,
        output::count(t.tlds, "ccTLD"),
        output::count(s.contacts, "contact")
    );
    println!(
        "funnel: {} invited → {} answered → {} approved; {} waiting, {} rejected, {} bounced",
        t.invited, t.answered, t.approved, t.waiting, t.rejected, t.bounced
    );
    match s.median_days_to_answer {
        Some(d) => println!("median time to answer: {d} days"),
        None => println!("median time to answer: no answers yet"),
    }
    if !s.approvals_by_month.is_empty() {
        let months: Vec<String> = s
            .approvals_by_month
            .iter()
            .map(|(m, n)| format!("{m}: {n}"))
            .collect();
        println!("approvals per month: {}", months.join(", "));
    }
    let rows: Vec<Vec<String>> = s
        .by_region
        .iter()
        .map(|r| {
            let c = &r.counts;
            vec![
                r.region.map_or("(none)".into(), |g| g.to_string()),
                format!("{}/{}", c.on_list, c.tlds),
                c.invited.to_string(),
                c.answered.to_string(),
                c.waiting.to_string(),
            ]
        })
        .collect();
    output::table(
        &["REGION", "ON LIST", "INVITED", "ANSWERED", "WAITING"],
        &rows,
    )
}

pub fn outbox(service: &Service, json: bool) -> Result<()> {
    let mails = service.outbox()?;
    if json {
        let out: Vec<serde_json::Value> = mails
            .iter()
            .map(|m| {
                serde_json::json!({
                    "message_id": m.message_id, "kind": m.kind, "tld": m.tld, "to": m.recipients,
                    "subject": m.subject, "state": m.state, "attempts": m.attempts,
                    "error": m.last_error, "next_attempt_at": m.next_attempt_at,
                    "created_at": m.created_at, "sent_at": m.sent_at,
                })
            })
            .collect();
        return output::json(&out);
    }
    if mails.is_empty() {
        println!("the outbox is empty");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = mails
        .iter()
        .map(|m| {
            vec![
                m.state.clone(),
                m.kind.to_string(),
                m.tld.as_ref().map_or("-".into(), |t| format!(".{t}")),
                m.recipients.join(", "),
                m.last_error.clone().unwrap_or_else(|| m.message_id.clone()),
            ]
        })
        .collect();
    output::table(&["STATE", "KIND", "TLD", "TO", "MESSAGE-ID / ERROR"], &rows)
}
