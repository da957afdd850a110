//! Triage: every ingested message gets exactly one verdict (DESIGN §3), a TLD where one can be
//! determined, the reason in words, and — for replies that vouch — the contacts they name.
//!
//! Pure functions over an [`Inbound`] and a [`Context`] built from the roster and the mail
//! tldops sent; no I/O.

mod auth;
mod autoreply;
mod bounce;
pub mod contacts;
pub mod intent;
mod phrases;
mod thread;
mod words;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use contacts::Contact;

use crate::domain::message::{Inbound, Mailbox};
use crate::domain::tld::TldCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    AdminFrom,
    AdminCc,
    Unverified,
    Ambiguous,
    AutoReply,
    Bounce,
    Suspicious,
    /// Someone who is not an admin contact asks to join, or to change or remove contacts;
    /// or a member asks to leave (DESIGN §8.1, §8.2).
    Request,
    Unrelated,
}

impl Verdict {
    pub const ALL: [Verdict; 9] = [
        Verdict::Bounce,
        Verdict::AutoReply,
        Verdict::Suspicious,
        Verdict::AdminFrom,
        Verdict::AdminCc,
        Verdict::Ambiguous,
        Verdict::Unverified,
        Verdict::Request,
        Verdict::Unrelated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::AdminFrom => "admin_from",
            Verdict::AdminCc => "admin_cc",
            Verdict::Unverified => "unverified",
            Verdict::Ambiguous => "ambiguous",
            Verdict::AutoReply => "auto_reply",
            Verdict::Bounce => "bounce",
            Verdict::Suspicious => "suspicious",
            Verdict::Request => "request",
            Verdict::Unrelated => "unrelated",
        }
    }

    /// Replies whose text may name contacts.
    pub fn carries_contacts(self) -> bool {
        matches!(
            self,
            Verdict::AdminFrom | Verdict::AdminCc | Verdict::Unverified
        )
    }

    /// Messages whose contacts are only requested (not proposed until an admin agrees).
    pub fn requests_contacts(self) -> bool {
        self == Verdict::Request
    }
}

impl FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<_> = Verdict::ALL.iter().map(|v| v.as_str()).collect();
                format!("unknown verdict `{s}` (expected one of {})", all.join(", "))
            })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every header triage reads (`Inbound::headers`; the decoded fields aside): ingest keeps
/// only these. A test checks the list against what the triage code asks for.
pub fn headers_read() -> Vec<&'static str> {
    let mut h = vec![
        "auto-submitted",
        "precedence",
        "authentication-results",
        "from",
        "list-id",
        "list-unsubscribe",
    ];
    h.extend(autoreply::MARKER_HEADERS);
    h.extend(autoreply::OTHER_HEADERS);
    h.extend(bounce::DELIVERY_HEADERS);
    h.extend(bounce::NOTICE_HEADERS);
    h
}

/// The header fields a message is judged by on its headers alone: those parsing decodes
/// (addresses, dates, threading, content type) and those triage reads. Parsing only these
/// gives the same judgement as parsing the whole block (a corpus test holds that), at a
/// fraction of the cost; it is also what is kept of mail that concerns no case.
pub fn digest_fields() -> Vec<&'static str> {
    [crate::domain::message::DIGEST_FIELDS, &headers_read()].concat()
}

/// Whether a message decided by its headers is kept as their digest: mail that concerns no
/// case (unrelated, no TLD). An unreadable one is kept whole: its bytes are the only evidence
/// of what came.
pub fn kept_as_digest(verdict: Verdict, tld: Option<&str>, parse_error: Option<&str>) -> bool {
    verdict == Verdict::Unrelated && tld.is_none() && parse_error.is_none()
}

/// Whether a message judged on its header block alone needs its body: replies whose text may
/// name contacts or the TLD (admin_from, admin_cc, unverified, ambiguous), and anything that
/// may be a delivery notice (a report, a daemon or null sender, a notice's subject, VERP).
/// Automatic answers, suspicious and unrelated mail are otherwise decided by their headers
/// (nothing above them in the precedence looks at a body but bounces).
pub fn needs_body(head: &Inbound, decision: &Decision, ctx: &Context) -> bool {
    matches!(
        decision.verdict,
        Verdict::AdminFrom
            | Verdict::AdminCc
            | Verdict::Unverified
            | Verdict::Ambiguous
            | Verdict::Request
            // The operator must read a suspicious reply to judge it (no contacts are taken
            // from it, but its text is the evidence).
            | Verdict::Suspicious
    ) || decision.verdict == Verdict::Bounce
        // A request may be in the body alone (a member's "please remove me").
        || (decision.verdict == Verdict::Unrelated && may_be_request(head, ctx))
        // An automatic answer the body may tie to our mail (a list manager's reject) — not the
        // mass of machine mail (tickets, monitoring, calendars) that answers nothing of ours.
        || (decision.verdict == Verdict::AutoReply
            && decision.tld.is_none()
            && may_answer_us(head, ctx))
        || bounce::may_be_notice(head, ctx)
}

/// Whether an automatic message may be an answer to mail of ours: it is threaded under
/// something, names the list, or comes from a list manager (whose rejects quote what they
/// refuse).
fn may_answer_us(head: &Inbound, ctx: &Context) -> bool {
    let subject = head.subject.to_lowercase();
    let manager = head.from.first().is_some_and(|f| {
        let a = f.address.to_lowercase();
        [
            "-owner@",
            "-bounces@",
            "-request@",
            "mailman@",
            "sympa@",
            "listserv@",
            "majordomo@",
        ]
        .iter()
        .any(|m| a.contains(m))
    });
    !head.in_reply_to.is_empty()
        || !head.references.is_empty()
        || subject.contains(&ctx.list_name.to_lowercase())
        || manager
}

/// Whether mail judged unrelated on its headers may be a request its body reveals: from a
/// member, from a registry's domain, or with a subject about joining, leaving or the list.
fn may_be_request(head: &Inbound, ctx: &Context) -> bool {
    let Some(key) = head.from.first().and_then(Mailbox::key) else {
        return false;
    };
    // Decided by the headers already: no body to fetch for list, bulk and internal mail.
    if from_a_list(head) || ctx.is_internal_key(&key) {
        return false;
    }
    if ctx.members.contains_key(&key) {
        return true;
    }
    let from_registry = key.rsplit_once('@').is_some_and(|(_, d)| {
        ctx.domains
            .keys()
            .any(|r| d == r || d.ends_with(&format!(".{r}")))
    });
    let subject = head.subject.to_lowercase();
    from_registry
        || intent::request(&subject).is_some()
        || intent::about_the_list(&subject, &ctx.list_name)
}

/// What kind of mail tldops sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SentKind {
    Invitation,
    Reminder,
    /// Approval, rejection, welcome and other notices.
    Notice,
}

impl SentKind {
    pub fn word(self) -> &'static str {
        match self {
            SentKind::Invitation => "invitation",
            SentKind::Reminder => "reminder",
            SentKind::Notice => "notice",
        }
    }
}

/// A mail tldops sent about a TLD, as triage needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMail {
    pub kind: SentKind,
    pub tld: TldCode,
    /// Without angle brackets.
    pub message_id: String,
    /// The date part of the send time (`2026-03-02`), for the reason shown to the operator.
    pub sent_on: String,
    /// Recipient addresses in comparison form.
    pub to: Vec<String>,
}

/// Everything triage knows about the world.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Vouching address (comparison form) → the TLDs it vouches for.
    vouchers: HashMap<String, Vec<TldCode>>,
    /// Sent Message-ID → the mail.
    sent: HashMap<String, SentMail>,
    /// Recipient address → TLDs we sent mail to there.
    recipients: HashMap<String, Vec<TldCode>>,
    /// Subject-tag token → TLD.
    tokens: HashMap<String, TldCode>,
    /// VERP token (`crate::domain::verp`) → sent Message-ID.
    verp: HashMap<String, String>,
    /// Our own addresses (Secretariat, list): never a voucher, never a contact.
    own: HashSet<String>,
    /// Every TLD in the roster.
    tlds: HashSet<TldCode>,
    /// The list name of the subject tag (`TLD-OPS`).
    list_name: String,
    /// Country names (lowercase) → TLD, for requests naming their country.
    countries: HashMap<String, Vec<TldCode>>,
    /// The registries' mail domains, as the roster's admin and tech addresses show them.
    domains: HashMap<String, Vec<TldCode>>,
    /// Members' addresses (comparison form) → their TLDs: who may ask to leave.
    members: HashMap<String, Vec<TldCode>>,
    /// The only authserv-id whose Authentication-Results are believed.
    authserv_id: Option<String>,
    pub max_contacts: usize,
}

impl Context {
    pub fn new(list_name: &str, authserv_id: Option<&str>, max_contacts: usize) -> Context {
        Context {
            list_name: list_name.to_string(),
            authserv_id: authserv_id.map(|s| s.to_ascii_lowercase()),
            max_contacts,
            ..Context::default()
        }
    }

    /// Records that `address` vouches for `tld` (its admin address, or tech when configured).
    pub fn add_voucher(&mut self, address: &str, tld: &TldCode) {
        self.tlds.insert(tld.clone());
        if let Some(key) = crate::domain::email::address_key(address) {
            let tlds = self.vouchers.entry(key).or_default();
            if !tlds.contains(tld) {
                tlds.push(tld.clone());
            }
        }
    }

    pub fn add_sent(&mut self, mail: SentMail, token: Option<&str>) {
        for to in &mail.to {
            let tlds = self.recipients.entry(to.clone()).or_default();
            if !tlds.contains(&mail.tld) {
                tlds.push(mail.tld.clone());
            }
        }
        if let Some(token) = token {
            self.tokens
                .insert(token.to_ascii_lowercase(), mail.tld.clone());
        }
        self.verp.insert(
            crate::domain::verp::token(&mail.message_id),
            mail.message_id.clone(),
        );
        self.sent.insert(mail.message_id.clone(), mail);
    }

    /// Records a TLD's country name and its registry's mail domains (from its IANA
    /// addresses), by which a request names its ccTLD.
    pub fn add_registry(&mut self, tld: &TldCode, country: &str, addresses: &[&str]) {
        self.tlds.insert(tld.clone());
        let name = country.trim().to_lowercase();
        if name.chars().count() >= 4 {
            push_once(self.countries.entry(name).or_default(), tld);
        }
        for a in addresses {
            if let Some(domain) = crate::domain::email::address_key(a)
                .and_then(|k| k.rsplit_once('@').map(|(_, d)| d.to_string()))
            {
                push_once(self.domains.entry(domain).or_default(), tld);
            }
        }
    }

    /// Records a member of `tld`'s list (who may ask to leave).
    pub fn add_member(&mut self, address: &str, tld: &TldCode) {
        if let Some(key) = crate::domain::email::address_key(address) {
            push_once(self.members.entry(key).or_default(), tld);
        }
    }

    pub fn add_token(&mut self, token: &str, tld: &TldCode) {
        self.tokens.insert(token.to_ascii_lowercase(), tld.clone());
    }

    pub fn add_own_address(&mut self, address: &str) {
        if let Some(key) = crate::domain::email::address_key(address) {
            self.own.insert(key);
        }
    }

    fn vouched_tlds(&self, mailbox: &Mailbox) -> &[TldCode] {
        mailbox
            .key()
            .and_then(|k| self.vouchers.get(&k))
            .map_or(&[], Vec::as_slice)
    }

    fn known(&self, tld: &TldCode) -> bool {
        self.tlds.contains(tld)
    }

    pub(crate) fn is_own(&self, address: &str) -> bool {
        crate::domain::email::address_key(address).is_some_and(|k| self.is_own_key(&k))
    }

    pub(crate) fn is_voucher(&self, address: &str) -> bool {
        crate::domain::email::address_key(address).is_some_and(|k| self.is_voucher_key(&k))
    }

    /// [`Context::is_own`] of an address already in comparison form.
    pub(crate) fn is_own_key(&self, key: &str) -> bool {
        self.own.contains(key)
    }

    /// Whether an address (comparison form) is of the Secretariat's own mail domains (those of
    /// its own addresses, or below them): internal mail, tickets, monitoring — none of it a
    /// request from outside.
    pub(crate) fn is_internal_key(&self, key: &str) -> bool {
        let Some((_, domain)) = key.rsplit_once('@') else {
            return false;
        };
        self.own
            .iter()
            .filter_map(|o| o.rsplit_once('@'))
            .any(|(_, own)| domain == own || domain.ends_with(&format!(".{own}")))
    }

    /// [`Context::is_voucher`] of an address already in comparison form.
    pub(crate) fn is_voucher_key(&self, key: &str) -> bool {
        self.vouchers.contains_key(key)
    }
}

fn push_once(list: &mut Vec<TldCode>, tld: &TldCode) {
    if !list.contains(tld) {
        list.push(tld.clone());
    }
}

/// The outcome for one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub tld: Option<TldCode>,
    /// Why, in words, for the operator ("From is the IANA admin address of .nl; ...").
    pub why: String,
    pub contacts: Vec<Contact>,
    /// The reply names more contacts than `list.max_contacts`: flagged, none dropped.
    pub too_many_contacts: bool,
    /// A bounce that only warns of a delay: shown, but the case does not move to `bounced`.
    pub delivery_delayed: bool,
    /// What a request asks.
    pub intent: Option<intent::Intent>,
}

/// Classifies a message. Precedence, first match wins: bounce, auto_reply, suspicious,
/// admin_from, admin_cc, ambiguous, unverified, unrelated.
pub fn triage(msg: &Inbound, ctx: &Context) -> Decision {
    if let Some(error) = &msg.parse_error {
        return decision(
            Verdict::Unrelated,
            None,
            format!("unreadable message: {error}"),
        );
    }
    let thread = thread::Evidence::of(msg, ctx);

    // A delivery notice, unless it is a list manager's or a challenge system's answer that
    // only its sender and wording made look like one.
    let notice = bounce::detect(msg, ctx)
        .filter(|b| b.by_format || autoreply::list_or_challenge(msg, ctx).is_none());
    if let Some(b) = notice {
        return match bounce::matched(msg, &b, ctx) {
            Some((tld, why)) if b.outcome == bounce::Outcome::Delivered => {
                decision(Verdict::AutoReply, tld, why)
            }
            Some((tld, why)) => Decision {
                delivery_delayed: b.outcome == bounce::Outcome::Delayed,
                ..decision(Verdict::Bounce, tld, why)
            },
            None => decision(
                Verdict::Unrelated,
                None,
                "delivery notice for mail tldops did not send".into(),
            ),
        };
    }
    let verp = bounce::verp_mail(msg, ctx);
    if let Some(signal) = autoreply::detect(msg, ctx) {
        let from_tld = msg.from.first().and_then(|m| match ctx.vouched_tlds(m) {
            [one] => Some(one.clone()),
            many => thread.decide_among(many).map(|(t, _)| t),
        });
        let tld = verp
            .map(|s| s.tld.clone())
            .or(from_tld)
            .or_else(|| thread.tld().map(|(t, _)| t))
            .or_else(|| bounce::tld_of_ours(msg, ctx));
        return decision(
            Verdict::AutoReply,
            tld,
            format!("automatic reply: {signal}"),
        );
    }
    if let Some(sent) = verp {
        // Only servers write to the envelope sender: a notice in words we do not know.
        return decision(
            Verdict::Bounce,
            Some(sent.tld.clone()),
            format!(
                "delivered to the VERP address of the {} sent {} to .{}: a delivery notice",
                sent.kind.word(),
                sent.sent_on,
                sent.tld
            ),
        );
    }

    let from = msg.from.first();
    let from_tlds = from.map_or(&[][..], |m| ctx.vouched_tlds(m));
    if let Some(from) = from.filter(|_| !from_tlds.is_empty()) {
        if let Some(failure) = auth::failure(msg, ctx.authserv_id.as_deref()) {
            let tld = match from_tlds {
                [one] => Some(one.clone()),
                many => thread.decide_among(many).map(|(t, _)| t),
            };
            return decision(
                Verdict::Suspicious,
                tld,
                format!(
                    "From is an IANA admin address ({}), but {failure}",
                    from.address
                ),
            );
        }
        return vouched(msg, ctx, &thread, Verdict::AdminFrom, from_tlds, |tld| {
            format!(
                "From is the IANA admin address of .{tld} ({})",
                from.address
            )
        });
    }

    // Someone else writes; does an admin address in To or Cc vouch?
    let copied: Vec<&Mailbox> = msg
        .to
        .iter()
        .chain(&msg.cc)
        .filter(|m| !ctx.vouched_tlds(m).is_empty())
        .collect();
    if !copied.is_empty() {
        let mut tlds: Vec<TldCode> = Vec::new();
        for m in &copied {
            for t in ctx.vouched_tlds(m) {
                if !tlds.contains(t) {
                    tlds.push(t.clone());
                }
            }
        }
        let field = |m: &Mailbox| if msg.cc.contains(m) { "Cc" } else { "To" };
        return vouched(msg, ctx, &thread, Verdict::AdminCc, &tlds, |tld| {
            let m = copied
                .iter()
                .find(|m| ctx.vouched_tlds(m).iter().any(|t| t.as_str() == tld))
                .copied()
                .unwrap_or(copied[0]);
            format!("admin address of .{tld} ({}) in {}", m.address, field(m))
        });
    }

    if let Some((tld, why)) = thread.tld() {
        let d = decision(
            Verdict::Unverified,
            Some(tld.clone()),
            format!("{why}, but the admin address is in none of From, To, Cc"),
        );
        return with_contacts(d, msg, ctx, &tld);
    }
    if let Some(d) = request(msg, ctx) {
        return d;
    }
    decision(
        Verdict::Unrelated,
        None,
        "no admin address, no thread of ours".into(),
    )
}

/// Mail from a list or a bulk sender: it asks nothing of us, whatever its footer says (and
/// most of a mailbox is such mail: its bodies are never worth fetching for a request).
fn from_a_list(msg: &Inbound) -> bool {
    msg.header("list-id").is_some()
        || msg.header("list-unsubscribe").is_some()
        || msg.header("precedence").is_some_and(|p| {
            matches!(
                p.trim().to_ascii_lowercase().as_str(),
                "bulk" | "list" | "junk"
            )
        })
}

/// A request (DESIGN §8.1, §8.2), outside any thread of ours and from no admin address: a
/// member asking to leave, or someone asking to join or to change a ccTLD's contacts, about
/// a ccTLD we can name or about the list.
fn request(msg: &Inbound, ctx: &Context) -> Option<Decision> {
    let from = msg.from.first()?;
    if from.key().is_some_and(|k| ctx.is_internal_key(&k)) || from_a_list(msg) {
        return None;
    }
    let text = intent::own_words(msg);
    let member_of = from
        .key()
        .and_then(|k| ctx.members.get(&k))
        .map_or(&[][..], Vec::as_slice);
    if !member_of.is_empty() && intent::asks_to_leave(&text) {
        let (tld, which) = match member_of {
            [one] => (Some(one.clone()), format!(".{one}")),
            many => {
                let named: Vec<&TldCode> = many
                    .iter()
                    .filter(|t| thread::names_tld(&text, t))
                    .collect();
                match named.as_slice() {
                    [one] => (Some((*one).clone()), format!(".{one}")),
                    _ => (None, format!("{} ccTLDs", many.len())),
                }
            }
        };
        return Some(Decision {
            intent: Some(intent::Intent::Leave),
            ..decision(
                Verdict::Request,
                tld,
                format!(
                    "{} is a member for {which} and asks to leave the list",
                    from.address
                ),
            )
        });
    }
    let asks = intent::request(&text)?;
    let (tld, how) = match request_tld(msg, &text, ctx) {
        Some((t, how)) => (Some(t), how),
        None if intent::about_the_list(&text, &ctx.list_name) => {
            (None, "names no ccTLD tldops can tell".into())
        }
        None => return None,
    };
    let why = format!(
        "{} (not an admin contact, outside our threads) {} for {how}",
        from.address,
        asks.words()
    );
    let mut d = Decision {
        intent: Some(asks),
        ..decision(Verdict::Request, tld.clone(), why)
    };
    if let Some(tld) = &tld {
        d = with_contacts(d, msg, ctx, tld);
    }
    // A person asking to join names themself even without a signature block.
    if asks == intent::Intent::Join && d.contacts.is_empty() && !ctx.is_voucher(&from.address) {
        d.contacts.push(Contact {
            email: from.address.clone(),
            name: from.name.clone().filter(|n| !n.trim().is_empty()),
            phone: writer_phone(msg),
        });
    }
    Some(d)
}

/// The one phone number the writer gives in their own text (signature included: it is
/// theirs), for a requester who names themself; none when there are several.
fn writer_phone(msg: &Inbound) -> Option<String> {
    let text = if msg.text.trim().is_empty() {
        msg.html_text.as_deref().unwrap_or("")
    } else {
        msg.text.as_str()
    };
    let cut = text
        .char_indices()
        .nth(20_000)
        .map_or(text, |(i, _)| &text[..i]);
    let own = contacts::quote::own_text(cut, false, |_| true, &contacts::budget::Work::default());
    let mut found: Vec<(String, String)> = Vec::new();
    for line in own.body.lines().chain(own.signature.lines()) {
        if let Some(phone) = contacts::find_phone(line) {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            if !found.iter().any(|(d, _)| *d == digits) {
                found.push((digits, phone));
            }
        }
    }
    match found.as_slice() {
        [(_, phone)] => Some(phone.clone()),
        _ => None,
    }
}

/// The ccTLD a request is about: the one ccTLD (or country) its subject or text names, else
/// the registry whose mail domain the sender writes from.
fn request_tld(msg: &Inbound, text: &str, ctx: &Context) -> Option<(TldCode, String)> {
    let mut named: Vec<TldCode> = ctx
        .tlds
        .iter()
        .filter(|t| thread::names_tld(text, t))
        .cloned()
        .collect();
    if named.is_empty() {
        for (country, tlds) in &ctx.countries {
            if let [one] = tlds.as_slice()
                && names_word(text, country)
            {
                named.push(one.clone());
            }
        }
    }
    named.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    named.dedup();
    if let [one] = named.as_slice() {
        return Some((one.clone(), format!(".{one}, which the message names")));
    }
    if !named.is_empty() {
        return None;
    }
    let domain = msg
        .from
        .first()?
        .key()?
        .rsplit_once('@')
        .map(|(_, d)| d.to_string())?;
    // The registry's domain, or a subdomain of it (cert.nic.example).
    let mut candidates: Vec<&TldCode> = Vec::new();
    for (d, tlds) in &ctx.domains {
        if (domain == *d || domain.ends_with(&format!(".{d}"))) && tlds.len() == 1 {
            candidates.push(&tlds[0]);
        }
    }
    candidates.dedup();
    match candidates.as_slice() {
        [one] => Some((
            (*one).clone(),
            format!(".{one}, whose registry writes from {domain}"),
        )),
        _ => None,
    }
}

/// Whether `text` holds `word` with no letter either side.
fn names_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A message vouched for by an admin address of one or more TLDs: pick the TLD or give up.
fn vouched(
    msg: &Inbound,
    ctx: &Context,
    thread: &thread::Evidence,
    verdict: Verdict,
    tlds: &[TldCode],
    why_address: impl Fn(&str) -> String,
) -> Decision {
    let (tld, extra) = match tlds {
        [one] => (
            one.clone(),
            thread.tld().filter(|(t, _)| t == one).map(|(_, w)| w),
        ),
        many => match thread.decide_among(many) {
            Some((tld, why)) => (tld, Some(why)),
            None => {
                let list: Vec<String> = many.iter().map(|t| format!(".{t}")).collect();
                return decision(
                    Verdict::Ambiguous,
                    None,
                    format!(
                        "the admin address is shared by {} and nothing in the message decides which",
                        list.join(", ")
                    ),
                );
            }
        },
    };
    let mut why = why_address(tld.as_str());
    if let Some(extra) = extra {
        why.push_str("; ");
        why.push_str(&extra);
    }
    with_contacts(decision(verdict, Some(tld.clone()), why), msg, ctx, &tld)
}

/// `d` with the contacts `msg` names; its `why` says what the work budget left out, if
/// anything (the one place a message's reason mentions it).
fn with_contacts(mut d: Decision, msg: &Inbound, ctx: &Context, tld: &TldCode) -> Decision {
    let found = contacts::extract(msg, ctx, tld);
    if let Some(note) = found.limited.note() {
        d.why.push_str("; ");
        d.why.push_str(&note);
    }
    d.too_many_contacts = found.contacts.len() > ctx.max_contacts || found.limited.contacts;
    d.contacts = found.contacts;
    d
}

fn decision(verdict: Verdict, tld: Option<TldCode>, why: String) -> Decision {
    Decision {
        verdict,
        tld,
        why,
        contacts: Vec::new(),
        too_many_contacts: false,
        delivery_delayed: false,
        intent: None,
    }
}

/// The decision for a message the operator files under `tld` (an ambiguous or unrelated
/// message): the verdict its addresses earn for that TLD, with its contacts.
pub fn assign(msg: &Inbound, ctx: &Context, tld: &TldCode) -> Decision {
    let vouches = |m: &Mailbox| ctx.vouched_tlds(m).contains(tld);
    if bounce::detect(msg, ctx).is_some_and(|b| b.outcome != bounce::Outcome::Delivered) {
        return decision(
            Verdict::Bounce,
            Some(tld.clone()),
            format!("delivery failure for .{tld}"),
        );
    }
    let (verdict, why) = if msg.from.first().is_some_and(vouches) {
        (
            Verdict::AdminFrom,
            format!("From is the IANA admin address of .{tld}"),
        )
    } else if let Some(m) = msg.to.iter().chain(&msg.cc).find(|m| vouches(m)) {
        (
            Verdict::AdminCc,
            format!("admin address of .{tld} ({}) in To/Cc", m.address),
        )
    } else {
        (
            Verdict::Unverified,
            format!("about .{tld}, but the admin address is in none of From, To, Cc"),
        )
    };
    with_contacts(decision(verdict, Some(tld.clone()), why), msg, ctx, tld)
}

#[cfg(test)]
mod headers_read_tests {
    /// Every `header("…")` / `header_values("…")` in the triage code is in `headers_read()`,
    /// so ingest, which keeps only those, never hides a header from triage.
    #[test]
    fn the_list_covers_every_header_triage_reads() {
        let sources = [
            include_str!("mod.rs"),
            include_str!("auth.rs"),
            include_str!("autoreply.rs"),
            include_str!("bounce.rs"),
            include_str!("thread.rs"),
            include_str!("contacts/mod.rs"),
            include_str!("contacts/fields.rs"),
            include_str!("contacts/quote.rs"),
        ];
        let read = super::headers_read();
        let mut checked = 0;
        for source in sources {
            for call in ["header(\"", "header_values(\""] {
                for (i, _) in source.match_indices(call) {
                    let rest = &source[i + call.len()..];
                    let name = &rest[..rest.find('"').unwrap()];
                    // Header names only (not this module's own prose).
                    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                    {
                        continue;
                    }
                    assert!(
                        read.contains(&name),
                        "triage reads `{name}`, which ingest would drop"
                    );
                    checked += 1;
                }
            }
        }
        assert!(
            checked >= 3,
            "found only {checked} header reads: is the scan still right?"
        );
    }
}

#[cfg(test)]
mod notice_tests;
