//! The security contacts a reply names: in its own text (free text, `Name: / Email: / Phone:`
//! blocks, tables), its HTML body and its vCards — never in the quoted invitation, never in a
//! signature unless the writer names themself, never our own addresses.

mod fields;
mod quote;
mod vcard;

use serde::Serialize;

use super::Context;
use crate::domain::email::{address_key, find_addresses};
use crate::domain::message::{Inbound, Mailbox};
use crate::domain::tld::TldCode;

pub use fields::find_phone;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Contacts named in `msg` for `tld`, in the order written, each address once.
pub fn extract(msg: &Inbound, ctx: &Context, _tld: &TldCode) -> Vec<Contact> {
    let forwarded = quote::is_forward(&msg.subject);
    let list = ctx.list_name.to_lowercase();
    let ours = |line: &str| {
        line.to_lowercase().contains(&list)
            || find_addresses(line)
                .into_iter()
                .any(|r| ctx.is_own(&line[r]))
    };
    let plain = quote::own_text(&msg.text, forwarded, ours);
    let mut found: Vec<Contact> = msg.vcards.iter().flat_map(|v| vcard::parse(v)).collect();
    found.extend(fields::find(&plain.body));
    if let Some(html) = msg.html_text.as_deref().filter(|h| *h != msg.text) {
        let html = quote::own_text(html, forwarded, ours);
        let from_html = fields::find(&html.body);
        let had_any = !found.is_empty();
        for c in from_html {
            match found.iter_mut().find(|f| same(&f.email, &c.email)) {
                Some(f) => {
                    f.name = f.name.take().or(c.name);
                    // A number the plain text wrapped and cut short is whole in the HTML.
                    f.phone = match (f.phone.take(), c.phone) {
                        (Some(p), Some(h)) if extends(&h, &p) => Some(h),
                        (p, h) => p.or(h),
                    };
                }
                None if !had_any => found.push(c),
                None => {}
            }
        }
    }

    let self_named = quote::names_self(&plain.body);
    let writer = msg.from.first().filter(|_| self_named);
    if let Some(w) = writer {
        found.push(writer_contact(w, &plain, ctx));
    }

    let mut out: Vec<Contact> = Vec::new();
    for c in found {
        // An admin (role) address is the voucher, not a contact, unless the writer put it forward.
        let writer_address = writer.is_some_and(|w| same(&w.address, &c.email));
        if ctx.is_own(&c.email) || (ctx.is_voucher(&c.email) && !writer_address) {
            continue;
        }
        match out.iter_mut().find(|o| same(&o.email, &c.email)) {
            Some(o) => {
                o.name = o.name.take().or(c.name);
                o.phone = o.phone.take().or(c.phone);
            }
            None => out.push(c),
        }
    }
    out
}

/// The writer as a contact, when they name themself: their details from their signature (a
/// personal address there beats a role address in From), else from From.
fn writer_contact(writer: &Mailbox, own: &quote::OwnText, ctx: &Context) -> Contact {
    // The signature, and the sign-off paragraph that starts with the writer's name (phones are
    // often there when the signature marker is only "Sent from my phone").
    let blocks = [
        own.signature.clone(),
        quote::trailing_block(&own.body, writer.name.as_deref()),
    ];
    let personal = blocks.iter().find_map(|b| {
        find_addresses(b)
            .into_iter()
            .map(|r| b[r].to_string())
            .find(|a| !ctx.is_own(a) && !ctx.is_voucher(a))
    });
    Contact {
        email: personal.unwrap_or_else(|| writer.address.clone()),
        name: blocks
            .iter()
            .find_map(|b| quote::signature_name(b))
            .or_else(|| writer.name.clone()),
        phone: blocks.iter().find_map(|b| find_phone(b)),
    }
}

/// Whether phone `long` is `short` with more digits after it.
fn extends(long: &str, short: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let (l, s) = (digits(long), digits(short));
    l.len() > s.len() && l.starts_with(&s)
}

fn same(a: &str, b: &str) -> bool {
    address_key(a) == address_key(b)
}
