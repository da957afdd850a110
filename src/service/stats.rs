//! Coverage and progress: how many ccTLDs are on the list, by region, and how the invitations
//! fare (invited → answered → approved, days to answer).

use anyhow::Result;
use serde::Serialize;

use super::Service;
use crate::domain::case::CaseState;
use crate::domain::reconfirm::Standing;
use crate::domain::region::Region;
use crate::report;
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
    /// The days to answer of [`Stats::median_days_to_answer`], counted in buckets: cases that
    /// answered within `max_days` (and after the previous bucket's), the last one unbounded.
    pub answer_times: Vec<AnswerTime>,
    /// Approved ccTLDs whose contacts their admin contact confirmed (by the approved reply,
    /// or answering the re-confirmation) within `reconfirm.every` (a year by default).
    pub confirmed_within_year: usize,
    /// Approved ccTLDs due a re-confirmation: last confirmed longer ago than
    /// `reconfirm.every`, or their IANA admin address changed; a round open and unanswered
    /// counts here until it lapses.
    pub confirmation_due: usize,
    /// Approved ccTLDs whose re-confirmation went unanswered after every reminder: their
    /// contacts stay, marked not confirmed since their last confirmation.
    pub lapsed: usize,
}

/// One bucket of [`Stats::answer_times`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerTime {
    /// Upper bound in days (inclusive); `null` for the last, open bucket.
    pub max_days: Option<u32>,
    pub cases: usize,
}

/// Upper bounds of the answer-time buckets, in days (a last bucket takes the rest).
pub const ANSWER_BUCKETS: [u32; 4] = [7, 14, 30, 60];

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
        let (mut confirmed_within_year, mut confirmation_due, mut lapsed) = (0, 0, 0);
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
            if let (Some(i), Some(a)) = (c.invited_at, c.answered_at) {
                days.push(a.duration_since(i).as_secs_f64() / 86_400.0);
            }
            if c.state == CaseState::Approved {
                match self.standing(c)? {
                    Standing::Current { .. } | Standing::Answered => confirmed_within_year += 1,
                    Standing::Lapsed { .. } => lapsed += 1,
                    Standing::Due(_) | Standing::Asked { .. } | Standing::ReminderDue { .. } => {
                        confirmation_due += 1
                    }
                }
            }
            if c.state == CaseState::Approved
                && let Some(month) = c.decided_at.map(|d| d.month())
            {
                match months.iter_mut().find(|(m, _)| *m == month) {
                    Some((_, n)) => *n += 1,
                    None => months.push((month, 1)),
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
        let mut answer_times: Vec<AnswerTime> = ANSWER_BUCKETS
            .iter()
            .map(|&max| Some(max))
            .chain([None])
            .map(|max_days| AnswerTime { max_days, cases: 0 })
            .collect();
        for d in &days {
            let bucket = answer_times
                .iter_mut()
                .find(|b| b.max_days.is_none_or(|max| *d <= f64::from(max)))
                .expect("the last bucket is open");
            bucket.cases += 1;
        }
        Ok(Stats {
            total,
            contacts: members.len(),
            by_region: regions.into_iter().filter(|r| r.counts.tlds > 0).collect(),
            median_days_to_answer: median.map(|d| (d * 10.0).round() / 10.0),
            approvals_by_month: months,
            answer_times,
            confirmed_within_year,
            confirmation_due,
            lapsed,
        })
    }
}

impl Service {
    /// The coverage report (DESIGN §9): the page [`crate::report`] renders from [`Service::stats`]
    /// and the roster; members named only `with_contacts`.
    pub fn report(&self, with_contacts: bool) -> Result<String> {
        let stats = self.stats()?;
        let roster = self.store.roster()?;
        let cases: std::collections::HashSet<String> =
            self.store.cases()?.into_iter().map(|c| c.tld).collect();
        let members = self
            .store
            .contacts_in(crate::domain::member::ContactState::Subscribed)?;
        let tlds: Vec<report::Entry> = roster
            .iter()
            .filter(|r| cases.contains(r.tld.code.as_str()))
            .map(|r| {
                let code = r.tld.code.as_str();
                let mine = members.iter().filter(|m| m.tld == code);
                let approved = r.case.state == CaseState::Approved;
                report::Entry {
                    code: code.to_string(),
                    unicode: r.tld.code.unicode(),
                    country: r.tld.country.clone(),
                    region: r.tld.region,
                    state: r.case.state,
                    on_list: approved && mine.clone().next().is_some(),
                    confirmed: r.case.decided_at.filter(|_| approved).map(|d| d.date()),
                    contacts: if with_contacts {
                        mine.map(|m| report::Contact {
                            name: m.name.clone(),
                            email: m.email.clone(),
                            phone: m.phone.clone(),
                        })
                        .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        let at = self.now();
        Ok(report::render(&report::Report {
            list: &self.config.list.name,
            generated_at: at,
            stats: &stats,
            tlds: &tlds,
            with_contacts,
        }))
    }
}
