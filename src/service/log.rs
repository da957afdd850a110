//! The audit log: listing and verifying the hash chain.

use anyhow::Result;

use super::Service;
use crate::domain::audit::{ChainBreak, EventRecord, verify_chain};
use crate::store::{EventFilter, EventQueries};

/// The result of `log --verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogReport {
    pub events: usize,
    /// The last event's hash: written down elsewhere, it also proves nothing was cut off the end.
    pub head: Option<String>,
    pub broken: Option<ChainBreak>,
}

impl Service {
    pub fn log(&self, filter: &EventFilter) -> Result<Vec<EventRecord>> {
        self.store.events(filter)
    }

    pub fn verify_log(&self) -> Result<LogReport> {
        let events = self.store.all_events()?;
        let head = events.last().map(|e| e.hash.clone());
        Ok(match verify_chain(&events) {
            Ok(n) => LogReport {
                events: n,
                head,
                broken: None,
            },
            Err(b) => LogReport {
                events: events.len(),
                head,
                broken: Some(b),
            },
        })
    }
}
