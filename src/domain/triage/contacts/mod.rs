//! The security contacts a reply names: in its own text (free text, `Name: / Email: / Phone:`
//! blocks, tables), its HTML body and its vCards — never in the quoted invitation, never in a
//! signature unless the writer names themself, never our own addresses.
//!
//! Linear in what it reads, and what it reads is bounded: a message over the work budget
//! ([`budget`]) is judged on its first lines, and says so.

pub mod budget;
mod fields;
mod labels;
mod names;
mod phone;
pub(in crate::domain::triage) mod quote;
mod vcard;

use std::collections::HashMap;

use serde::Serialize;

use super::Context;
use crate::domain::email::{address_key, find_addresses};
use crate::domain::message::{Inbound, Mailbox};
use crate::domain::tld::TldCode;

use budget::{Limited, MAX_CONTACTS, Work};
pub use phone::find_phone;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Contact {
    /// A contact as an operator types it: `email[, name][, phone]`. The phone is the last
    /// field when the whole field is one, so a name may itself hold commas (`Smith, John`).
    pub fn from_line(line: &str) -> Result<Contact, String> {
        // Typed text is held to the same rule as mail: no controls, bidi or invisible marks.
        let line = crate::domain::message::sanitize(line, false);
        // A line as `contacts list` prints it: its state first, a problem after `  ! `.
        let printed = line.split("  ! ").next().unwrap_or_default().trim();
        let printed = [
            "proposed",
            "approved",
            "subscribed",
            "pending removal",
            "removed",
        ]
        .iter()
        .find_map(|s| {
            printed
                .strip_prefix(s)
                .filter(|rest| rest.starts_with(char::is_whitespace))
        })
        .unwrap_or(printed)
        .trim();
        // `Name <email>[, phone]`, as mail and `contacts list` write a contact — unless the
        // line starts with an address (`email, name`: a `<…>` in a name stays text).
        let first = printed.split(',').next().unwrap_or_default().trim();
        let starts_with_address = crate::domain::email::Email::parse(first).is_ok();
        if !starts_with_address
            && let Some((name, rest)) = printed.split_once('<')
            && let Some((email, after)) = rest.split_once('>')
        {
            let name = name.trim().trim_matches('"').trim();
            let after = after.trim().trim_start_matches(',').trim();
            let mut line = email.trim().to_string();
            for field in [name, after] {
                line.push_str(", ");
                line.push_str(field);
            }
            return Contact::from_fields(&line);
        }
        Contact::from_fields(printed)
    }

    /// `email[, name][, phone]`.
    fn from_fields(line: &str) -> Result<Contact, String> {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let email = fields[0];
        if email.is_empty() {
            return Err(format!("`{}`: give email[, name][, phone]", line.trim()));
        }
        crate::domain::email::Email::parse(email).map_err(|e| e.to_string())?;
        let is_phone = |f: &str| !f.is_empty() && find_phone(f).is_some_and(|p| p == f);
        let (names, phone) = match fields[1..].split_last() {
            Some((last, init)) if is_phone(last) => (init, Some(last.to_string())),
            _ => (&fields[1..], None),
        };
        let names: Vec<&str> = names.iter().copied().filter(|n| !n.is_empty()).collect();
        Ok(Contact {
            email: email.to_string(),
            name: (!names.is_empty()).then(|| names.join(", ")),
            phone,
        })
    }
}

/// What extraction found in a message, and what its work budget left out.
#[derive(Debug, Default)]
pub struct Extraction {
    /// In the order written, each address once, at most [`MAX_CONTACTS`].
    pub contacts: Vec<Contact>,
    pub limited: Limited,
    /// The work it took ([`budget::Work`]).
    pub work: usize,
}

/// Contacts named in `msg` for `tld`, in the order written, each address once, within the
/// work budget ([`budget`]).
pub fn extract(msg: &Inbound, ctx: &Context, _tld: &TldCode) -> Extraction {
    let work = Work::default();
    let mut limited = Limited::default();
    let forwarded = quote::is_forward(&msg.subject);
    let list = ctx.list_name.to_lowercase();
    let ours = |line: &str| {
        line.to_lowercase().contains(&list)
            || find_addresses(line)
                .into_iter()
                .any(|r| ctx.is_own(&line[r]))
    };
    let (text, cut) = budget::examined(&msg.text);
    limited.lines = cut;
    let plain = quote::own_text(text, forwarded, ours, &work);
    let (vcards, cut) = budget::vcards(&msg.vcards);
    limited.vcards = cut;
    let keyed = |c: Contact| (address_key(&c.email), c);
    let mut found: Vec<(Key, Contact)> = vcards
        .into_iter()
        .flat_map(|card| {
            work.add(card.len());
            vcard::parse(card)
        })
        .chain(fields::find(&plain.body, &work))
        .map(keyed)
        .collect();
    if let Some(html) = msg.html_text.as_deref().filter(|h| *h != msg.text) {
        let (html, cut) = budget::examined(html);
        limited.lines = limited.lines.or(cut);
        let html = quote::own_text(html, forwarded, ours, &work);
        let from_html = fields::find(&html.body, &work);
        let had_any = !found.is_empty();
        // Where each address was first found.
        let mut first: HashMap<Key, usize> = HashMap::new();
        for (i, (k, _)) in found.iter().enumerate() {
            first.entry(k.clone()).or_insert(i);
        }
        for (k, c) in from_html.into_iter().map(keyed) {
            work.add(1);
            match first.get(&k) {
                Some(&i) => {
                    let f = &mut found[i].1;
                    f.name = f.name.take().or(c.name);
                    // A number the plain text wrapped and cut short is whole in the HTML.
                    f.phone = match (f.phone.take(), c.phone) {
                        (Some(p), Some(h)) if extends(&h, &p) => Some(h),
                        (p, h) => p.or(h),
                    };
                }
                None if !had_any => {
                    first.insert(k.clone(), found.len());
                    found.push((k, c));
                }
                None => {}
            }
        }
    }

    work.add(plain.body.len());
    let self_named = quote::names_self(&plain.body);
    let writer = msg.from.first().filter(|_| self_named);
    if let Some(w) = writer {
        found.push(keyed(writer_contact(w, &plain, ctx, &work)));
    }
    let writer_key = writer.map(|w| address_key(&w.address));

    let mut out: Vec<Contact> = Vec::new();
    let mut kept: HashMap<Key, usize> = HashMap::new();
    for (k, c) in found {
        work.add(1);
        // An admin (role) address is the voucher, not a contact, unless the writer put it forward.
        let writer_address = writer_key.as_ref() == Some(&k);
        let own = k.as_deref().is_some_and(|k| ctx.is_own_key(k));
        let voucher = k.as_deref().is_some_and(|k| ctx.is_voucher_key(k));
        if own || (voucher && !writer_address) {
            continue;
        }
        match kept.get(&k) {
            Some(&i) => {
                let o = &mut out[i];
                o.name = o.name.take().or(c.name);
                o.phone = o.phone.take().or(c.phone);
            }
            None if out.len() < MAX_CONTACTS => {
                kept.insert(k, out.len());
                out.push(c);
            }
            None => limited.contacts = true,
        }
    }
    Extraction {
        contacts: out,
        limited,
        work: work.done(),
    }
}

/// An address in comparison form ([`address_key`]); addresses that have none compare equal.
type Key = Option<String>;

/// The writer as a contact, when they name themself: their details from their signature (a
/// personal address there beats a role address in From), else from From.
fn writer_contact(writer: &Mailbox, own: &quote::OwnText, ctx: &Context, work: &Work) -> Contact {
    // The signature, and the sign-off paragraph that starts with the writer's name (phones are
    // often there when the signature marker is only "Sent from my phone").
    let blocks = [
        own.signature.clone(),
        quote::trailing_block(&own.body, writer.name.as_deref()),
    ];
    work.add(own.body.len() + 4 * blocks.iter().map(String::len).sum::<usize>());
    let personal = blocks.iter().find_map(|b| {
        find_addresses(b)
            .into_iter()
            .map(|r| b[r].to_string())
            .find(|a| !ctx.is_own(a) && !ctx.is_voucher(a))
    });
    Contact {
        email: personal.unwrap_or_else(|| writer.address.clone()),
        name: match (
            blocks.iter().find_map(|b| quote::signature_name(b)),
            writer
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty()),
        ) {
            // A sign-off with the first name only ("Alexei") is the From name cut short.
            (Some(signed), Some(from)) if fuller(from, &signed) => Some(from.to_string()),
            (signed, from) => signed.or_else(|| from.map(str::to_string)),
        },
        phone: blocks.iter().find_map(|b| find_phone(b)),
    }
}

/// Whether display name `long` holds every word of `short` and more (case-insensitively).
fn fuller(long: &str, short: &str) -> bool {
    let words = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_lowercase).collect() };
    let (l, s) = (words(long), words(short));
    l.len() > s.len() && !s.is_empty() && s.iter().all(|w| l.contains(w))
}

/// Whether phone `long` is `short` with more digits after it.
fn extends(long: &str, short: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let (l, s) = (digits(long), digits(short));
    l.len() > s.len() && l.starts_with(&s)
}

#[cfg(test)]
mod tests {
    use super::Contact;

    fn c(email: &str, name: Option<&str>, phone: Option<&str>) -> Contact {
        Contact {
            email: email.into(),
            name: name.map(str::to_string),
            phone: phone.map(str::to_string),
        }
    }

    #[test]
    fn a_typed_contact_line_keeps_commas_in_names() {
        let parse = |l: &str| Contact::from_line(l).unwrap();
        assert_eq!(
            parse("jan@nic.nl.example"),
            c("jan@nic.nl.example", None, None)
        );
        assert_eq!(
            parse(" jan@nic.nl.example , Jan Jansen , +31 26 352 5511 "),
            c(
                "jan@nic.nl.example",
                Some("Jan Jansen"),
                Some("+31 26 352 5511")
            )
        );
        assert_eq!(
            parse("x@za.example, Smith, John Jr, +27 11 314 0077"),
            c(
                "x@za.example",
                Some("Smith, John Jr"),
                Some("+27 11 314 0077")
            )
        );
        assert_eq!(
            parse("x@za.example,+27 11 314 0077"),
            c("x@za.example", None, Some("+27 11 314 0077"))
        );
        assert_eq!(
            parse("b@jp.example,Bob,+81,extra"),
            c("b@jp.example", Some("Bob, +81, extra"), None)
        );
        assert_eq!(parse("b@jp.example,,"), c("b@jp.example", None, None));
        // What `contacts list` prints is accepted back, state and all.
        assert_eq!(
            parse("proposed   Jan Jansen <jan@nic.nl.example>, +31 26 352 5511"),
            c(
                "jan@nic.nl.example",
                Some("Jan Jansen"),
                Some("+31 26 352 5511")
            )
        );
        assert_eq!(
            parse("pending removal Jan <jan@nic.nl.example>  ! list server: 503"),
            c("jan@nic.nl.example", Some("Jan"), None)
        );
        assert_eq!(
            parse("\"Smith, John\" <x@za.example>"),
            c("x@za.example", Some("Smith, John"), None)
        );
        assert_eq!(
            parse("subscribed x@za.example"),
            c("x@za.example", None, None)
        );
        assert_eq!(
            parse("piet@sidn.example, Piet <evil@attacker.example>"),
            c(
                "piet@sidn.example",
                Some("Piet <evil@attacker.example>"),
                None
            ),
            "a line that starts with an address is email, name"
        );
        assert!(Contact::from_line(", Bob").is_err());
        assert!(Contact::from_line("not-an-address, Bob").is_err());
    }
}
