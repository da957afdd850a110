//! What a case's requests and re-confirmations stand at (DESIGN §8), in words, for the case
//! view: the requests waiting for the operator, the request put to the admin and its chase,
//! the contacts it would give, and the re-confirmation (current, due, asked, lapsed).

use anyhow::Result;

use super::Service;
use super::workflow::describe;
use crate::domain::case::CaseState;
use crate::domain::chase::{Asked, Chase};
use crate::domain::triage::Verdict;
use crate::domain::triage::intent::Intent;
use crate::store::{CaseRows, MessageFilter, MessageQueries};

/// One line of a case's §8 summary: a label (`request`, `confirm`) and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundLine {
    pub label: &'static str,
    pub text: String,
}

impl Service {
    /// The requests and re-confirmation of `tld`'s case, a line each; none for a case that
    /// has neither.
    pub fn rounds_of(&self, tld: &str) -> Result<Vec<RoundLine>> {
        let Some(case) = self.store.case(tld)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let line = |label, text| RoundLine { label, text };
        for m in self.store.messages(&MessageFilter {
            verdict: Some(Verdict::Request),
            tld: Some(tld.to_string()),
        })? {
            if m.settled_at.is_none() {
                out.push(line(
                    "request",
                    format!(
                        "#{} open: {} {}",
                        m.id,
                        m.from.as_deref().unwrap_or("?"),
                        m.intent.map_or("asks", Intent::words)
                    ),
                ));
            }
        }
        let asked_invitation = case.state.invitation_pending()
            && self
                .mail(case.invitation_message_id.as_deref().unwrap_or(""))
                .is_ok_and(|m| m.kind == crate::domain::template::Kind::Request);
        match self.chase_standing(&case)? {
            Some((Asked::Request, standing)) => out.push(line(
                "request",
                chase_words(Asked::Request.words(), &standing),
            )),
            // A request to a ccTLD not on the list is its invitation.
            Some((Asked::Invitation, standing)) if asked_invitation => out.push(line(
                "request",
                chase_words("request for authorisation sent", &standing),
            )),
            _ => {}
        }
        let requested = self.store.requested(tld)?;
        if !requested.is_empty() {
            out.push(line(
                "request",
                format!(
                    "if the admin agrees: {}",
                    requested
                        .iter()
                        .map(describe)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if case.state == CaseState::Approved {
            out.push(line("confirm", self.standing(&case)?.words()));
        }
        Ok(out)
    }
}

/// `request to authorise a change sent 2026-03-01, no answer: reminder 1 is due`.
fn chase_words(what: &str, standing: &Chase) -> String {
    match standing {
        Chase::Waiting { on } => format!("{what} {on}, no answer yet"),
        Chase::Due { on, n } => format!("{what} {on}, no answer: reminder {n} is due"),
        Chase::Dormant { on, reminders } => {
            format!("{what} {on}, no answer after {reminders} reminders: dormant")
        }
    }
}
