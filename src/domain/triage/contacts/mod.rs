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

impl Contact {
    /// A contact as an operator types it: `email[, name][, phone]`. The phone is the last
    /// field when the whole field is one, so a name may itself hold commas (`Smith, John`).
    pub fn from_line(line: &str) -> Result<Contact, String> {
        // Typed text is held to the same rule as mail: no controls, bidi or invisible marks.
        let line = crate::domain::message::sanitize(line, false);
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
        assert!(Contact::from_line(", Bob").is_err());
        assert!(Contact::from_line("not-an-address, Bob").is_err());
    }
}
