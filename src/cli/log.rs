//! `tldops log [--verify]`.

use anyhow::{Result, bail};
use serde::Serialize;

use super::output;
use crate::domain::audit::EventRecord;
use crate::service::{LogReport, Service};
use crate::store::EventFilter;

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
                e.detail.clone(),
            ]
        })
        .collect();
    output::table(&["ID", "AT", "OPERATOR", "TLD", "ACTION", "DETAIL"], &rows)
}

pub fn verify(service: &Service, json: bool) -> Result<()> {
    let LogReport {
        events,
        head,
        broken,
    } = service.verify_log()?;
    if json {
        output::json(&serde_json::json!({
            "ok": broken.is_none(),
            "events": events,
            "head": head,
            "broken_at": broken.as_ref().map(|b| b.id),
            "problem": broken.as_ref().map(|b| &b.problem),
        }))?;
    }
    match broken {
        Some(b) => bail!(
            "the audit log is broken at event {}: {} — events from {} on cannot be trusted",
            b.id,
            b.problem,
            b.id
        ),
        None => {
            if !json {
                println!("ok: {events} events, hash chain intact");
                if let Some(h) = head {
                    println!("head {h}  (record it elsewhere to detect truncation later)");
                }
            }
            Ok(())
        }
    }
}
