//! Contacts after the decision: handing them to the list server (members backend), correcting
//! proposals, removing members, exporting the roster of members, and the monthly digest.

use crate::domain::member::ContactState;
use anyhow::{Context, Result};
use serde_json::json;

use super::mailer::{Compose, Planned};
use super::workflow::describe;
use super::{Service, usage};
use crate::config::ExportFormat;
use crate::domain::email::{Email, address_key};
use crate::domain::region::Region;
use crate::domain::roster::Tld;
use crate::domain::template::Kind;
use crate::domain::triage::Contact;
use crate::members::export::{self, Entry, Export};
use crate::members::{BackendError, Handoff, Member, Outcome};
use crate::outgoing::compose::{Draft, build, message_id};
use crate::store::{CaseRows, ContactQueries, ContactRow, NewMail, OutboxQueries, RosterQueries};

/// The detail of a `subscribed` or `unsubscribed` event: the contact's row and address, and
/// for a subscription the name and phone the member is listed with, so that `log --verify`
/// can tell every member from the events alone (events before these fields carried the
/// address only); `extra` says how.
fn membership_detail(
    c: &ContactRow,
    subscribe: bool,
    extra: serde_json::Value,
) -> serde_json::Value {
    let mut detail = json!({ "contact": c.id, "email": c.email });
    if subscribe {
        detail["name"] = json!(c.name);
        detail["phone"] = json!(c.phone);
    }
    if let (Some(detail), serde_json::Value::Object(extra)) = (detail.as_object_mut(), extra) {
        detail.extend(extra);
    }
    detail
}

/// What one members sync did with one pending change (or with the members file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Synced {
    /// The backend took it: the contact is now `state` (`via` a bulk backend, if so).
    Done {
        tld: String,
        email: String,
        state: ContactState,
        via: Option<String>,
    },
    /// The backend refused or failed: the change stays pending, for `members sync` to retry.
    Failed {
        tld: String,
        email: String,
        error: String,
    },
    /// The export backend's file was written anew.
    FileRewritten(std::path::PathBuf),
}

impl Synced {
    pub fn failed(&self) -> bool {
        matches!(self, Synced::Failed { .. })
    }
}

impl std::fmt::Display for Synced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Synced::Done {
                tld,
                email,
                state,
                via,
            } => {
                write!(f, ".{tld} {email} {state}")?;
                via.as_ref().map_or(Ok(()), |via| write!(f, " ({via})"))
            }
            Synced::Failed { tld, email, error } => write!(
                f,
                ".{tld} {email}: {error} (retry with `tldops members sync`)"
            ),
            Synced::FileRewritten(path) => write!(f, "members file {} rewritten", path.display()),
        }
    }
}

impl Service {
    /// Hands every approved-but-unconfirmed contact (and every unconfirmed removal) to the
    /// members backend. Failures stay visible (queue, `members sync` retries); nothing is
    /// marked subscribed that the backend did not confirm.
    pub fn sync_members(&self) -> Result<Vec<Synced>> {
        let pending = self.store.backend_pending()?;
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let mut backend = (self.members)(&self.config)?;
        let via = backend.via();
        let mut out = Vec::new();
        let mut handed_on = Vec::new();
        for c in &pending {
            let subscribe = c.state == ContactState::Approved;
            let member = Member {
                email: c.email.clone(),
                name: c.name.clone(),
            };
            let result = if subscribe {
                backend.subscribe(&member)
            } else {
                backend.remove(&member)
            };
            match result {
                Ok(Outcome::HandedOn) => handed_on.push(c.clone()),
                result => out.push(self.record_call(c, &via, result)?),
            }
        }
        match backend.handoff() {
            Handoff::Nothing => out.extend(self.record_all(&handed_on, &via, None)?),
            Handoff::Commands { to, lines } => {
                let mail = self.command_mail(&to, &lines)?;
                out.extend(self.record_all(&handed_on, &via, Some(mail))?);
            }
            Handoff::File { path, format } => {
                out.extend(self.record_all(&handed_on, &via, None)?);
                self.write_members_file(&path, format)?;
                out.push(Synced::FileRewritten(path));
            }
        }
        Ok(out)
    }

    /// For changes handed on in bulk: each recorded as done, in one transaction with the mail
    /// that carries them (if any), so neither is ever stored without the other.
    fn record_all(
        &self,
        pending: &[ContactRow],
        via: &str,
        mail: Option<(String, Vec<u8>, String)>,
    ) -> Result<Vec<Synced>> {
        // Nothing handed on (Mailman 3 answers each call itself): no transaction to open.
        if pending.is_empty() && mail.is_none() {
            return Ok(Vec::new());
        }
        let operator = self.operator.clone();
        self.store.write(|tx| {
            let at = self.now();
            if let Some((id, raw, to)) = &mail {
                tx.queue_mail(&NewMail {
                    message_id: id,
                    kind: crate::domain::outbox::MailKind::Command,
                    tld: None,
                    recipients: std::slice::from_ref(to),
                    subject: "membership commands",
                    raw,
                    at,
                })?;
            }
            let mut out = Vec::new();
            for c in pending {
                let subscribe = c.state == ContactState::Approved;
                let state = if subscribe {
                    ContactState::Subscribed
                } else {
                    ContactState::Removed
                };
                tx.contact_backend_result(c.id, Some(state), None, at)?;
                tx.append_event(
                    at,
                    &operator,
                    Some(&c.tld),
                    if subscribe {
                        "subscribed"
                    } else {
                        "unsubscribed"
                    },
                    &membership_detail(c, subscribe, json!({ "via": via })),
                )?;
                out.push(Synced::Done {
                    tld: c.tld.clone(),
                    email: c.email.clone(),
                    state,
                    via: Some(via.to_string()),
                });
            }
            Ok(out)
        })
    }

    /// For `email-command`: the mail of commands to the list server's request address, as
    /// (Message-ID, raw message, recipient).
    fn command_mail(&self, to: &str, lines: &[String]) -> Result<(String, Vec<u8>, String)> {
        let from = self.secretariat()?;
        let id = message_id("command", None, &from);
        let raw = build(&Draft {
            from: from.clone(),
            from_name: format!("{} Secretariat", self.config.list.name),
            to: vec![to.to_string()],
            cc: vec![],
            subject: format!("{} membership commands", self.config.list.name),
            body: lines.join("\n") + "\n",
            message_id: id.clone(),
            in_reply_to: None,
            auto_submitted: true,
        })?;
        Ok((id, raw, to.to_string()))
    }

    /// For a live backend: one call's result, recorded as it comes.
    fn record_call(
        &self,
        c: &ContactRow,
        via: &str,
        result: Result<Outcome, BackendError>,
    ) -> Result<Synced> {
        let operator = self.operator.clone();
        let subscribe = c.state == ContactState::Approved;
        let at = self.now();
        self.store.write(|tx| {
            match &result {
                Ok(outcome) => {
                    let state = if subscribe { ContactState::Subscribed } else { ContactState::Removed };
                    tx.contact_backend_result(c.id, Some(state), None, at)?;
                    tx.append_event(at, &operator, Some(&c.tld), if subscribe { "subscribed" } else { "unsubscribed" },
                        &membership_detail(c, subscribe, json!({ "via": via, "already": *outcome == Outcome::AlreadyThere })))?;
                }
                Err(e) => {
                    tx.contact_backend_result(c.id, None, Some(&e.message), at)?;
                    tx.append_event(at, &operator, Some(&c.tld), "members_backend_failed",
                        &json!({ "email": c.email, "subscribe": subscribe, "error": e.message, "retry": e.retry }))?;
                }
            }
            Ok(())
        })?;
        let (tld, email) = (c.tld.clone(), c.email.clone());
        Ok(match result {
            Ok(_) => Synced::Done {
                tld,
                email,
                state: if subscribe {
                    ContactState::Subscribed
                } else {
                    ContactState::Removed
                },
                via: None,
            },
            Err(e) => Synced::Failed {
                tld,
                email,
                error: e.message,
            },
        })
    }

    /// Replaces the TLD's proposed (not yet approved) contacts with `contacts`, as an operator
    /// corrects what triage extracted.
    pub fn set_contacts(&self, input: &str, contacts: &[Contact], dry_run: bool) -> Result<()> {
        let code = self.tld(input)?.tld.code.to_string();
        let ctx = self.triage_context()?;
        let mut seen = std::collections::HashSet::new();
        for c in contacts {
            if let Err(e) = Email::parse(&c.email) {
                return usage(e);
            }
            if ctx.is_own(&c.email) {
                return usage(format!(
                    "{}: the list's or the Secretariat's own address is never a security contact",
                    c.email
                ));
            }
            if !seen.insert(address_key(&c.email)) {
                return usage(format!("{} is given twice", c.email));
            }
        }
        let operator = self.operator.clone();
        self.act(dry_run, |tx| {
            let at = self.now();
            tx.set_proposed(&code, contacts, at)?;
            tx.append_event(
                at,
                &operator,
                Some(&code),
                "contacts_set",
                &json!({ "contacts": contacts.iter().map(describe).collect::<Vec<_>>() }),
            )?;
            Ok(())
        })
    }

    /// Removes a member of the list (the admin contact asked, or an operator decided).
    /// Removes a member; returns them, and (unless rehearsed) what the backend did.
    pub fn remove_contact(
        &self,
        input: &str,
        email: &str,
        reason: Option<&str>,
        dry_run: bool,
    ) -> Result<(Contact, Vec<Synced>)> {
        let code = self.tld(input)?.tld.code.to_string();
        let operator = self.operator.clone();
        let removed = self.act(dry_run, |tx| {
            let contacts = tx.contacts(&code)?;
            let Some(c) = contacts.iter().find(|c| {
                c.state == ContactState::Subscribed && c.email.eq_ignore_ascii_case(email)
            }) else {
                let members: Vec<&str> = contacts
                    .iter()
                    .filter(|c| c.state == ContactState::Subscribed)
                    .map(|c| c.email.as_str())
                    .collect();
                return usage(format!(
                    ".{code}: {email} is not a member (members: {})",
                    if members.is_empty() {
                        "none".to_string()
                    } else {
                        members.join(", ")
                    }
                ));
            };
            let at = self.now();
            tx.remove_member(c.id, at)?;
            tx.append_event(
                at,
                &operator,
                Some(&code),
                "contact_removed",
                &json!({ "contact": c.id, "email": c.email, "reason": reason }),
            )?;
            Ok(c.contact())
        })?;
        let members = if dry_run {
            Vec::new()
        } else {
            self.sync_members()?
        };
        Ok((removed, members))
    }

    /// A TLD's contacts in every state, oldest first.
    pub fn contacts_of(&self, input: &str) -> Result<Vec<ContactRow>> {
        let code = self.tld(input)?.tld.code.to_string();
        self.store.contacts(&code)
    }

    /// Every member (subscribed contact), by TLD.
    pub fn members(&self) -> Result<Vec<ContactRow>> {
        self.store.contacts_in(ContactState::Subscribed)
    }

    /// Rewrites the `export` backend's file at `path` in `format`: written beside it and
    /// renamed over it, so the list server's import never reads half a file. Owner-only, or
    /// the team's in a setgid directory.
    fn write_members_file(&self, path: &std::path::Path, format: ExportFormat) -> Result<()> {
        let (text, _) = self.export_members(format, None)?;
        crate::private::replace(path, text.as_bytes())
            .with_context(|| format!("cannot write the members file {}", path.display()))?;
        tracing::info!("members file {} rewritten", path.display());
        Ok(())
    }

    /// The members in a format a list server or a regional organisation imports (names and
    /// phones escaped so they stay text: see [`crate::members::export`]), all of them or those
    /// of one region's ccTLDs; with how many members it holds.
    pub fn export_members(
        &self,
        format: ExportFormat,
        region: Option<Region>,
    ) -> Result<(String, usize)> {
        let members = self.members()?;
        let roster = self.store.roster()?;
        let tlds: std::collections::HashMap<&str, &Tld> = roster
            .iter()
            .map(|r| (r.tld.code.as_str(), &r.tld))
            .collect();
        let entries: Vec<Entry> = members
            .iter()
            .map(|m| {
                let tld = tlds.get(m.tld.as_str());
                Entry {
                    tld: &m.tld,
                    country: tld.map_or("", |t| t.country.as_str()),
                    region: tld.and_then(|t| t.region),
                    email: &m.email,
                    name: m.name.as_deref(),
                    phone: m.phone.as_deref(),
                }
            })
            .filter(|e| region.is_none() || e.region == region)
            .collect();
        let count = entries.len();
        let at = self.now();
        let export = Export {
            list: &self.config.list.name,
            generated_at: at,
            region,
            members: entries,
        };
        Ok((export::render(format, &export), count))
    }

    /// The monthly contact-repository mail: (subject, body), and with `send` it is queued to the
    /// list address.
    /// The monthly digest: composed, and with `send` queued to the list — once a month, and
    /// only when it lists someone, unless `again`.
    pub fn digest(&self, send: bool, again: bool) -> Result<(String, String, Option<Planned>)> {
        let members = self.members()?;
        let mut tlds: Vec<&str> = members.iter().map(|m| m.tld.as_str()).collect();
        tlds.dedup();
        let mut block = String::new();
        for code in &tlds {
            let row = self
                .store
                .roster_row(&crate::domain::tld::TldCode::from_stored(code.to_string()))?;
            let mut title = row.map_or(format!(".{code}"), |r| {
                format!("{}  {}", r.tld.code.display(), r.tld.country)
            });
            // A lapsed re-confirmation: the contacts stay, and readers are told (DESIGN §8.4).
            if let Some(case) = self.store.case(code)?
                && let crate::domain::reconfirm::Standing::Lapsed { since, .. } =
                    self.standing(&case)?
            {
                title.push_str(&match since {
                    Some(d) => format!("  (not confirmed since {d})"),
                    None => "  (not confirmed)".to_string(),
                });
            }
            block.push_str(&title);
            block.push('\n');
            for m in members.iter().filter(|m| m.tld == *code) {
                block.push_str(&format!("  {}\n", describe(&m.contact())));
            }
            block.push('\n');
        }
        let mut values = self.common_values(None);
        values.insert("members", block.trim_end().to_string());
        values.insert("member_count", tlds.len().to_string());
        values.insert("month", self.now().month());
        // The members' mailboxes keep it: a witness of the audit log outside this database.
        values.insert(
            "log_head",
            self.log_head()?.unwrap_or_else(|| "(no events yet)".into()),
        );
        let (subject, body) = self
            .templates
            .get(Kind::Digest)
            .render(&values)
            .map_err(anyhow::Error::msg)?;
        if !send {
            return Ok((self.tagged(Kind::Digest, None, None, &subject), body, None));
        }
        let Some(list) = self.config.list.address.clone() else {
            return usage("sending the digest needs [list] address (the list's posting address)");
        };
        if tlds.is_empty() {
            return usage("no members yet: the digest would list nobody");
        }
        let month = self.now().month();
        let sent = self
            .store
            .outbox(None)?
            .into_iter()
            .find(|m| m.kind == Kind::Digest && m.created_at.month() == month);
        if let (Some(m), false) = (sent, again) {
            return usage(format!(
                "the digest of {month} was queued at {} ({}): --again sends another",
                m.created_at, m.state
            ));
        }
        let operator = self.operator.clone();
        let planned = self.store.write(|tx| {
            let at = self.now();
            let mail = self.queue(
                tx,
                Compose {
                    kind: Kind::Digest,
                    tld: None,
                    token: None,
                    to: vec![list.clone()],
                    cc: vec![],
                    in_reply_to: None,
                    values,
                },
                at,
            )?;
            tx.append_event(
                at,
                &operator,
                None,
                "digest_queued",
                &json!({ "member_tlds": tlds.len(), "message_id": mail.message_id }),
            )?;
            Ok(mail)
        })?;
        Ok((planned.subject.clone(), body, Some(planned)))
    }
}
