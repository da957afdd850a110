//! The operator's actions on cases: invite, chase, approve, reject. Each is one transaction
//! holding the compare-and-set of the case, its audit event and the mail it sends, so two
//! operators acting at once get one winner and one clear refusal.

use anyhow::{Result, bail};
use serde_json::json;

use super::mailer::{Compose, Planned};
use super::{NeedsOverride, Service, UsageError, usage};
use crate::domain::approval;
use crate::domain::case::{CaseState, Event, Refused};
use crate::domain::member::ContactState;
use crate::domain::region::Region;
use crate::domain::roster::Tld;
use crate::domain::template::Kind;
use crate::domain::triage::{Contact, Verdict};
use crate::outgoing::compose::random_u64;
use crate::store::{
    CaseRow, CaseRows, CaseUpdate, ContactQueries, MessageQueries, MessageRow, RosterQueries, Tx,
};

/// Which TLDs an action is about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub tlds: Vec<String>,
    pub region: Option<Region>,
    pub all: bool,
    /// Only the first N (by code) of the selection: a pilot batch.
    pub limit: Option<usize>,
}

/// The result of an action over several TLDs: what was (or would be) sent, what was skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub mails: Vec<Planned>,
    pub skipped: Vec<(String, String)>,
    /// The cases moved: (TLD, from, to).
    pub transitions: Vec<(String, CaseState, CaseState)>,
    /// What else an operator should know before it goes (members of a re-invited TLD).
    pub notes: Vec<String>,
}

impl Batch {
    /// Adds one TLD's outcome: its mail and its case's move, or why it was skipped (a
    /// refusal, not a failure).
    pub(super) fn record(
        &mut self,
        code: String,
        result: Result<(Planned, Option<(CaseState, CaseState)>)>,
    ) -> Result<()> {
        match result {
            Ok((mail, moved)) => {
                self.mails.push(mail);
                if let Some((from, to)) = moved {
                    self.transitions.push((code, from, to));
                }
            }
            Err(e) if e.is::<UsageError>() => self.skipped.push((code, e.to_string())),
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

/// What an approval did (or, rehearsed, would do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    pub tld: String,
    /// The case before.
    pub from: CaseState,
    /// The approved contacts, described.
    pub contacts: Vec<String>,
    /// New members, to subscribe.
    pub subscribe: Vec<Contact>,
    /// Current members the reply no longer names: removed.
    pub remove: Vec<Contact>,
    /// Current members named again with other details: updated.
    pub update: Vec<Contact>,
    /// The override reason, when the evidence was not a verified reply.
    pub override_reason: Option<String>,
    pub mails: Vec<Planned>,
    /// What the members backend did with each pending contact.
    pub members: Vec<super::Synced>,
}

/// What a rejection did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub from: CaseState,
    pub mail: Planned,
    /// Proposed contacts dropped with the reply.
    pub discarded: Vec<Contact>,
}

/// "Jan Jansen <jan@x> +31 …"
pub fn describe(c: &crate::domain::triage::Contact) -> String {
    let mut s = match &c.name {
        Some(n) => format!("{n} <{}>", c.email),
        None => c.email.clone(),
    };
    if let Some(p) = &c.phone {
        s.push_str(", ");
        s.push_str(p);
    }
    s
}

/// The alphabet of subject-tag tokens: no 0/o, 1/l/i confusions.
const TOKEN_CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Why a refused transition is refused, with who decided it and when where that helps:
/// "already approved by bob at … (remove its contacts instead)".
pub(super) fn refusal(tld: &str, case: &CaseRow, refused: Refused) -> anyhow::Error {
    let by = match (&case.decided_by, &case.decided_at) {
        (Some(by), Some(at)) if matches!(case.state, CaseState::Approved | CaseState::Rejected) => {
            format!(" by {by} at {at}")
        }
        _ => String::new(),
    };
    let advice = refused
        .advice
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    UsageError(format!(".{tld}: {}{by}{advice}", refused.why)).into()
}

impl Service {
    /// The TLDs a selection names, in code order, validated.
    fn select(&self, sel: &Selection) -> Result<Vec<Tld>> {
        let roster: Vec<Tld> = self
            .store
            .roster()?
            .into_iter()
            .map(|r| r.tld)
            .filter(|t| !t.retired)
            .collect();
        let mut chosen: Vec<Tld> = if sel.all {
            roster
        } else if let Some(region) = sel.region {
            roster
                .into_iter()
                .filter(|t| t.region == Some(region))
                .collect()
        } else if !sel.tlds.is_empty() {
            let mut out = Vec::new();
            for input in &sel.tlds {
                let row = self.tld(input)?;
                if row.tld.retired {
                    return usage(format!(
                        "{} is retired from the roster",
                        row.tld.code.display()
                    ));
                }
                out.push(row.tld);
            }
            out
        } else {
            return usage("say which TLDs: --tld T…, --region R or --all");
        };
        chosen.sort_by(|a, b| a.code.cmp(&b.code));
        chosen.dedup_by(|a, b| a.code == b.code);
        if let Some(n) = sel.limit {
            chosen.truncate(n);
        }
        Ok(chosen)
    }

    /// The case's subject-tag token, or a new one no other case has.
    pub(super) fn token_of(tx: &Tx, case: &CaseRow) -> Result<String> {
        if let Some(t) = &case.token {
            return Ok(t.clone());
        }
        for _ in 0..100 {
            let mut n = random_u64();
            let token: String = (0..4)
                .map(|_| {
                    let c = TOKEN_CHARS[(n % TOKEN_CHARS.len() as u64) as usize] as char;
                    n /= TOKEN_CHARS.len() as u64;
                    c
                })
                .collect();
            if !tx.token_taken(&token)? {
                return Ok(token);
            }
        }
        bail!("cannot find a free subject token")
    }

    /// Invites the selected TLDs' admin contacts. Never twice unless `again`. A region or
    /// `--all` with a limit is a batch of the next N not yet invited: pilot batches move on.
    pub fn invite(&self, sel: &Selection, again: bool, dry_run: bool) -> Result<Batch> {
        self.secretariat()?;
        let mut batch = Batch::default();
        let batchwise = sel.limit.is_some() && sel.tlds.is_empty() && !again;
        let chosen = if batchwise {
            let uninvited: std::collections::HashSet<String> = self
                .store
                .cases()?
                .into_iter()
                .filter(|c| c.state == CaseState::Uninvited)
                .map(|c| c.tld)
                .collect();
            let mut all = self.select(&Selection {
                limit: None,
                ..sel.clone()
            })?;
            all.retain(|t| uninvited.contains(t.code.as_str()));
            all.truncate(sel.limit.unwrap_or(usize::MAX));
            all
        } else {
            self.select(sel)?
        };
        for tld in chosen {
            let code = tld.code.to_string();
            let operator = self.operator.clone();
            let mut note = None;
            let result = self.act(dry_run, |tx| {
                let case = tx.existing_case(&code)?;
                case.state
                    .next(Event::Invite { again })
                    .map_err(|r| refusal(&code, &case, r))?;
                let token = Service::token_of(tx, &case)?;
                // What inviting again leaves, sets aside or repeats, said before it is done.
                let count = |state: ContactState| -> Result<usize> {
                    Ok(tx.contacts(&code)?.iter().filter(|c| c.state == state).count())
                };
                let plural = |n: usize, one: &'static str, many: &'static str| {
                    if n == 1 { one } else { many }
                };
                note = match case.state {
                    CaseState::Approved => {
                        let members = count(ContactState::Subscribed)?;
                        Some(format!(
                            ".{code} is approved: its {members} {} subscribed, but it counts as \
                             on the list again only once a new reply is approved",
                            plural(members, "member stays", "members stay")
                        ))
                    }
                    CaseState::Answered => {
                        let proposed = count(ContactState::Proposed)?;
                        Some(format!(
                            ".{code} was answered: its reply ({proposed} proposed {}) is set \
                             aside undecided, and the case waits for a new one",
                            plural(proposed, "contact", "contacts")
                        ))
                    }
                    CaseState::Bounced => Some(format!(
                        ".{code}: the last invitation to {} bounced; the roster still has that \
                         address (a roster import brings IANA's current one)",
                        tld.admin.email
                    )),
                    _ => None,
                };
                let at = self.now();
                let mut values = self.common_values(Some(&tld));
                values.insert("admin_email", tld.admin.email.to_string());
                let mail = self.queue(
                    tx,
                    Compose {
                        kind: Kind::Invitation,
                        tld: Some(&tld),
                        token: Some(&token),
                        to: vec![tld.admin.email.to_string()],
                        cc: vec![],
                        in_reply_to: None,
                        values,
                    },
                    at,
                )?;
                let update = CaseUpdate {
                    state: Some(CaseState::Invited),
                    token: Some(&token),
                    invitation_message_id: Some(&mail.message_id),
                    invited: true,
                    ..CaseUpdate::default()
                };
                tx.update_case(&code, case.version, &update, at)?;
                tx.append_event(at, &operator, Some(&code), "invited",
                    &json!({ "to": tld.admin.email, "message_id": mail.message_id, "again": again && case.state != CaseState::Uninvited }))?;
                Ok((mail, Some((case.state, CaseState::Invited))))
            });
            if result.is_ok() {
                batch.notes.extend(note);
            }
            batch.record(code, result)?;
        }
        Ok(batch)
    }

    /// The cases of `tlds`, or with none named and `due_only` every case (the caller keeps
    /// those due): what `--tld T…` and `--due` select.
    pub(super) fn cases_named(&self, tlds: &[String], due_only: bool) -> Result<Vec<CaseRow>> {
        if tlds.is_empty() {
            if !due_only {
                return usage("say which TLDs: --tld T… or --due");
            }
            return self.store.cases();
        }
        let mut out = Vec::new();
        for t in tlds {
            let code = self.tld(t)?.tld.code.to_string();
            out.extend(self.store.case(&code)?);
        }
        Ok(out)
    }

    /// Approves a TLD's proposed contacts (all, or those in `only`), sends the approval notice
    /// and the welcomes, and hands the contacts to the members backend. A reply that is not
    /// verified (unverified, suspicious) needs `override_reason`, which is logged.
    pub fn approve(
        &self,
        input: &str,
        only: &[String],
        override_reason: Option<&str>,
        dry_run: bool,
    ) -> Result<Approval> {
        self.secretariat()?;
        if override_reason.is_some_and(|r| r.trim().is_empty()) {
            return usage("an override needs a reason (--override-reason): it is logged");
        }
        let tld = self.tld(input)?.tld;
        let code = tld.code.to_string();
        let operator = self.operator.clone();
        let max = self.config.list.max_contacts as usize;
        let approval = self.act(dry_run, |tx| {
            let case = tx.existing_case(&code)?;
            let verified = tx.latest_message(&code, &[Verdict::AdminFrom, Verdict::AdminCc])?;
            let doubtful = tx.latest_message(&code, &[Verdict::Unverified, Verdict::Suspicious])?;
            let reply = |m: &MessageRow| approval::Reply {
                verdict: m.verdict,
                why: m.why.clone(),
                news: case.answered_by(m.filed_at),
            };
            let (verified_reply, doubtful_reply) =
                (verified.as_ref().map(reply), doubtful.as_ref().map(reply));
            let contacts = tx.contacts(&code)?;
            let people = |state: ContactState| -> Vec<approval::Person> {
                contacts
                    .iter()
                    .filter(|c| c.state == state)
                    .map(|c| approval::Person {
                        id: c.id,
                        contact: c.contact(),
                    })
                    .collect()
            };
            let (proposed, members) = (
                people(ContactState::Proposed),
                people(ContactState::Subscribed),
            );
            let decision = approval::decide(&approval::Case {
                tld: &code,
                state: case.state,
                verified: verified_reply.as_ref(),
                doubtful: doubtful_reply.as_ref(),
                override_reason,
                proposed: &proposed,
                members: &members,
                only,
                max_contacts: max,
            })
            .map_err(|refused| match refused {
                approval::Refusal::Usage(why) => UsageError(why).into(),
                approval::Refusal::NeedsOverride(why) => NeedsOverride(why).into(),
                approval::Refusal::Lifecycle(why) => refusal(&code, &case, why),
            })?;
            let evidence = match decision.evidence {
                approval::Evidence::Verified => verified.as_ref(),
                approval::Evidence::Doubtful => doubtful.as_ref(),
            }
            .expect("the decision rests on a reply it was given");
            let overridden = decision.overridden();
            let at = self.now();
            for c in &decision.replaced {
                tx.remove_member(c.id, at)?;
            }
            for m in &decision.updated {
                let (name, phone) = (&m.contact.name, &m.contact.phone);
                tx.update_member_details(m.id, name.as_deref(), phone.as_deref(), at)?;
                tx.append_event(
                    at,
                    &operator,
                    Some(&code),
                    "member_updated",
                    &json!({
                        "contact": m.id, "email": m.contact.email, "name": name, "phone": phone,
                    }),
                )?;
            }
            for c in &decision.new {
                tx.approve_contact(c.id, at)?;
            }
            tx.discard_proposed(&code)?;
            let update = CaseUpdate {
                state: Some(CaseState::Approved),
                decided_by: Some(&operator),
                override_reason: override_reason.filter(|_| overridden),
                confirmed: true,
                ..CaseUpdate::default()
            };
            tx.update_case(&code, case.version, &update, at)?;
            let list: Vec<String> = decision
                .chosen
                .iter()
                .map(|c| describe(&c.contact))
                .collect();
            let mut values = self.common_values(Some(&tld));
            values.insert(
                "contacts",
                list.iter()
                    .map(|l| format!("  {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            let mut mails = vec![self.queue(
                tx,
                Compose {
                    kind: Kind::Approval,
                    tld: Some(&tld),
                    token: case.token.as_deref(),
                    to: vec![tld.admin.email.to_string()],
                    cc: vec![],
                    in_reply_to: None,
                    values,
                },
                at,
            )?];
            for c in decision.new.iter().map(|p| &p.contact) {
                let mut values = self.common_values(Some(&tld));
                values.insert(
                    "contact_name",
                    c.name.clone().unwrap_or_else(|| c.email.clone()),
                );
                values.insert("contact_email", c.email.clone());
                mails.push(self.queue(
                    tx,
                    Compose {
                        kind: Kind::Welcome,
                        tld: Some(&tld),
                        token: None,
                        to: vec![c.email.clone()],
                        cc: vec![],
                        in_reply_to: None,
                        values,
                    },
                    at,
                )?);
            }
            tx.append_event(at, &operator, Some(&code), "approved", &json!({
                "contacts": decision.chosen.iter().map(|c| &c.contact.email).collect::<Vec<_>>(),
                "replaced": decision.replaced.iter().map(|c| &c.contact.email).collect::<Vec<_>>(),
                "replaced_contacts": decision.replaced.iter().map(|c| c.id).collect::<Vec<_>>(),
                "evidence": { "message": evidence.id, "message_id": evidence.message_id,
                              "verdict": evidence.verdict, "why": evidence.why },
                "override_reason": override_reason.filter(|_| overridden),
                "mails": mails.iter().map(|m| &m.message_id).collect::<Vec<_>>(),
            }))?;
            Ok(Approval {
                tld: code.clone(),
                from: case.state,
                contacts: list,
                subscribe: decision.new.into_iter().map(|p| p.contact).collect(),
                remove: decision.replaced.into_iter().map(|p| p.contact).collect(),
                update: decision.updated.into_iter().map(|p| p.contact).collect(),
                override_reason: override_reason.filter(|_| overridden).map(str::to_string),
                mails,
                members: Vec::new(),
            })
        })?;
        let mut approval = approval;
        if !dry_run {
            approval.members = self.sync_members()?;
        }
        Ok(approval)
    }

    /// Rejects a TLD's reply with a reason, which the admin contact receives.
    pub fn reject(&self, input: &str, reason: &str, dry_run: bool) -> Result<Rejection> {
        self.secretariat()?;
        if reason.trim().is_empty() {
            return usage("a rejection needs a reason (--reason)");
        }
        let tld = self.tld(input)?.tld;
        let code = tld.code.to_string();
        let operator = self.operator.clone();
        self.act(dry_run, |tx| {
            let case = tx.existing_case(&code)?;
            case.state
                .next(Event::Reject)
                .map_err(|r| refusal(&code, &case, r))?;
            // What is rejected is a reply: an unverified or suspicious one leaves the case
            // invited, so look for one filed since the invitation.
            let replies = [
                Verdict::AdminFrom,
                Verdict::AdminCc,
                Verdict::Unverified,
                Verdict::Suspicious,
            ];
            let replied = tx
                .latest_message(&code, &replies)?
                .is_some_and(|m| case.invited_at.is_none_or(|invited| m.filed_at >= invited));
            if !replied && case.state != CaseState::Answered {
                return usage(format!(
                    ".{code} has no reply to reject (it is {}): chase it instead",
                    case.state
                ));
            }
            let at = self.now();
            let mut values = self.common_values(Some(&tld));
            values.insert("reason", reason.trim().to_string());
            let mail = self.queue(
                tx,
                Compose {
                    kind: Kind::Rejection,
                    tld: Some(&tld),
                    token: case.token.as_deref(),
                    to: vec![tld.admin.email.to_string()],
                    cc: vec![],
                    in_reply_to: case.invitation_message_id.as_deref(),
                    values,
                },
                at,
            )?;
            let discarded = tx
                .contacts(&code)?
                .iter()
                .filter(|c| c.state == ContactState::Proposed)
                .map(|c| c.contact())
                .collect();
            tx.discard_proposed(&code)?;
            let update = CaseUpdate {
                state: Some(CaseState::Rejected),
                decided_by: Some(&operator),
                reason: Some(reason.trim()),
                ..CaseUpdate::default()
            };
            tx.update_case(&code, case.version, &update, at)?;
            tx.append_event(
                at,
                &operator,
                Some(&code),
                "rejected",
                &json!({ "reason": reason.trim(), "message_id": mail.message_id }),
            )?;
            Ok(Rejection {
                from: case.state,
                mail,
                discarded,
            })
        })
    }

    /// Runs `f` in a write transaction, or rehearses it (rolled back) in a dry run.
    pub(super) fn act<T>(&self, dry_run: bool, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        if dry_run {
            self.store.rehearse(f)
        } else {
            self.store.write(f)
        }
    }
}
