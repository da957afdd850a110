//! Coverage and progress: how many ccTLDs are on the list, by region, and how the invitations
//! fare (invited → answered → approved, days to answer).

use anyhow::Result;
use serde::Serialize;

use super::Service;
use crate::domain::case::CaseState;
use crate::domain::region::Region;
use crate::store::{CaseRows, ContactQueries, RosterQueries};

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// ccTLDs in the roster.
    pub tlds: usize,
    /// Approved and with at least one member subscribed: on the list indeed.
    pub on_list: usize,
    pub invited: usize,
    pub answered: usize,
    /// Approved (whether or not the list server has confirmed a member yet, or one is left).
    pub approved: usize,
    pub rejected: usize,
    pub bounced: usize,
    /// Invited and still waiting for an answer.
    pub waiting: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionCounts {
    /// `null` for ccTLDs outside the four regional organisations.
    pub region: Option<Region>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub total: Counts,
    /// Members (subscribed contacts).
    pub contacts: usize,
    pub by_region: Vec<RegionCounts>,
    /// Median days from invitation to a verified answer, over the answered cases.
    pub median_days_to_answer: Option<f64>,
    /// Approvals per month (`2026-03`), oldest first: the pace of the roll-out.
    pub approvals_by_month: Vec<(String, usize)>,
}

fn add(c: &mut Counts, state: CaseState, invited: bool, answered: bool, members: bool) {
    c.tlds += 1;
    c.invited += usize::from(invited);
    c.answered += usize::from(answered);
    c.approved += usize::from(state == CaseState::Approved);
    c.on_list += usize::from(state == CaseState::Approved && members);
    c.rejected += usize::from(state == CaseState::Rejected);
    c.bounced += usize::from(state == CaseState::Bounced);
    c.waiting += usize::from(state.invitation_pending());
}

impl Service {
    pub fn stats(&self) -> Result<Stats> {
        let roster = self.store.roster()?;
        let cases = self.store.cases()?;
        let mut total = Counts::default();
        let mut regions: Vec<RegionCounts> = Region::ALL
            .iter()
            .map(|r| Some(*r))
            .chain([None])
            .map(|region| RegionCounts {
                region,
                counts: Counts::default(),
            })
            .collect();
        let members = self
            .store
            .contacts_in(crate::domain::member::ContactState::Subscribed)?;
        let member_tlds: std::collections::HashSet<&str> =
            members.iter().map(|m| m.tld.as_str()).collect();
        let mut days = Vec::new();
        let mut months: Vec<(String, usize)> = Vec::new();
        for c in &cases {
            let Some(row) = roster.iter().find(|r| r.tld.code.as_str() == c.tld) else {
                continue;
            };
            let answered = c.answered_at.is_some()
                || matches!(c.state, CaseState::Answered | CaseState::Approved);
            let has_members = member_tlds.contains(c.tld.as_str());
            add(
                &mut total,
                c.state,
                c.invited_at.is_some(),
                answered,
                has_members,
            );
            if let Some(r) = regions.iter_mut().find(|r| r.region == row.tld.region) {
                add(
                    &mut r.counts,
                    c.state,
                    c.invited_at.is_some(),
                    answered,
                    has_members,
                );
            }
            if let (Some(i), Some(a)) = (&c.invited_at, &c.answered_at)
                && let (Ok(i), Ok(a)) = (i.parse::<jiff::Timestamp>(), a.parse::<jiff::Timestamp>())
            {
                days.push(a.duration_since(i).as_secs_f64() / 86_400.0);
            }
            if c.state == CaseState::Approved
                && let Some(month) = c.decided_at.as_deref().and_then(|d| d.get(..7))
            {
                match months.iter_mut().find(|(m, _)| m == month) {
                    Some((_, n)) => *n += 1,
                    None => months.push((month.to_string(), 1)),
                }
            }
        }
        months.sort();
        days.sort_by(|a, b| a.total_cmp(b));
        let median = match days.len() {
            0 => None,
            n if n % 2 == 1 => Some(days[n / 2]),
            n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
        };
        Ok(Stats {
            total,
            contacts: members.len(),
            by_region: regions.into_iter().filter(|r| r.counts.tlds > 0).collect(),
            median_days_to_answer: median.map(|d| (d * 10.0).round() / 10.0),
            approvals_by_month: months,
        })
    }
}
