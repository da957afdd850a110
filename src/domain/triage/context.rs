//! The world triage judges a message against, built by the caller from the roster, the members
//! and the mail tldops sent: who vouches for which ccTLD, which Message-IDs, subject tokens
//! and VERP addresses are ours, the registries' countries and mail domains. Only read by
//! triage: its fields are visible to triage's modules, not beyond.

use std::collections::{HashMap, HashSet};

use crate::domain::message::Mailbox;
use crate::domain::tld::TldCode;

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
    pub(super) vouchers: HashMap<String, Vec<TldCode>>,
    /// Sent Message-ID → the mail.
    pub(super) sent: HashMap<String, SentMail>,
    /// Recipient address → TLDs we sent mail to there.
    pub(super) recipients: HashMap<String, Vec<TldCode>>,
    /// Subject-tag token → TLD.
    pub(super) tokens: HashMap<String, TldCode>,
    /// VERP token (`crate::domain::verp`) → sent Message-ID.
    pub(super) verp: HashMap<String, String>,
    /// Our own addresses (Secretariat, list): never a voucher, never a contact.
    pub(super) own: HashSet<String>,
    /// Every TLD in the roster.
    pub(super) tlds: HashSet<TldCode>,
    /// The list name of the subject tag (`TLD-OPS`).
    pub(super) list_name: String,
    /// Country names (lowercase) → TLD, for requests naming their country.
    pub(super) countries: HashMap<String, Vec<TldCode>>,
    /// The registries' mail domains, as the roster's admin and tech addresses show them.
    pub(super) domains: HashMap<String, Vec<TldCode>>,
    /// Members' addresses (comparison form) → their TLDs: who may ask to leave.
    pub(super) members: HashMap<String, Vec<TldCode>>,
    /// The only authserv-id whose Authentication-Results are believed.
    pub(super) authserv_id: Option<String>,
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

    /// No TLD known: every message would be judged to concern no ccTLD.
    pub fn knows_no_tld(&self) -> bool {
        self.tlds.is_empty()
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

    pub(super) fn vouched_tlds(&self, mailbox: &Mailbox) -> &[TldCode] {
        mailbox
            .key()
            .and_then(|k| self.vouchers.get(&k))
            .map_or(&[], Vec::as_slice)
    }

    pub(super) fn known(&self, tld: &TldCode) -> bool {
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
