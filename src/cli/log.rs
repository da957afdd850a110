//! `tldops log [--verify]`.

use anyhow::{Result, bail};
use serde::Serialize;

use super::output;
use crate::domain::audit::{EventRecord, Finding};
use crate::service::EventFilter;
use crate::service::{LogReport, Service};

/// The JSON shape of one event (`log --json`, `roster show --json`).
#[derive(Serialize)]
pub struct EventJson<'a> {
    id: i64,
    at: &'a str,
    operator: &'a str,
    tld: Option<&'a str>,
    action: &'a str,
    detail: serde_json::Value,
    hash: &'a str,
}

impl<'a> From<&'a EventRecord> for EventJson<'a> {
    fn from(e: &'a EventRecord) -> Self {
        EventJson {
            id: e.id,
            at: &e.at,
            operator: &e.operator,
            tld: e.tld.as_deref(),
            action: &e.action,
            detail: serde_json::from_str(&e.detail)
                .unwrap_or_else(|_| serde_json::Value::String(e.detail.clone())),
            hash: &e.hash,
        }
    }
}

pub fn list(service: &Service, filter: &EventFilter, json: bool) -> Result<()> {
    let events = service.log(filter)?;
    if json {
        let out: Vec<EventJson> = events.iter().map(Into::into).collect();
        return output::json(&out);
    }
    if events.is_empty() {
        println!("no events");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.at.clone(),
                e.operator.clone(),
                e.tld.as_ref().map_or("-".into(), |t| format!(".{t}")),
                e.action.clone(),
                // In words, as the TUI shows it; `--json` and `--verify` keep the detail as
                // stored.
                crate::domain::audit::summary(&e.action, &e.detail),
            ]
        })
        .collect();
    output::table(&["ID", "AT", "OPERATOR", "TLD", "ACTION", "DETAIL"], &rows)
}

pub fn verify(service: &Service, head: Option<&str>, json: bool) -> Result<()> {
    let LogReport {
        events,
        head,
        cases,
        members,
        given_head,
        findings,
    } = service.verify_log(head)?;
    let first_break = findings.iter().find(|f| f.event().is_some());
    if json {
        output::json(&serde_json::json!({
            "ok": findings.is_empty(),
            "events": events,
            "head": head,
            "cases": cases,
            "members": members,
            "given_head": given_head.as_ref().map(|h| serde_json::json!({
                "hash": h.hash, "event": h.id, "events_since": h.since,
            })),
            "broken_at": first_break.and_then(Finding::event),
            "problem": first_break.map(ToString::to_string),
            "problems": findings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }))?;
    }
    if !findings.is_empty() {
        // One line per finding; `main` puts `error: ` before the first.
        let lines: Vec<String> = findings.iter().map(|f| format!("audit log: {f}")).collect();
        bail!("{}", lines.join("\nerror: "));
    }
    if !json {
        println!(
            "ok: {}, hash chain intact; {} and {} follow from them",
            output::count(events, "event"),
            output::count(cases, "case"),
            output::count(members, "member"),
        );
        if let Some(h) = head {
            println!("head {h}  (record it elsewhere to detect truncation later)");
        }
        if let Some(g) = given_head {
            let current = if g.since == 0 {
                " (the current head)"
            } else {
                ""
            };
            println!(
                "head {} found at event {}; {} since{current}",
                g.hash,
                g.id,
                output::count(g.since, "event")
            );
        }
    }
    Ok(())
}
