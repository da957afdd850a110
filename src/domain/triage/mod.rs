//! Triage: every ingested message gets exactly one verdict (DESIGN §3), a TLD where one can be
//! determined, the reason in words, and — for replies that vouch — the contacts they name.
//!
//! Pure functions over an [`Inbound`] and a [`Context`] built from the roster and the mail
//! tldops sent; no I/O.

mod auth;
mod autoreply;
mod bounce;
pub mod contacts;
mod context;
mod inputs;
pub mod intent;
mod phrases;
mod request;
mod thread;
mod verdict;
mod words;

pub use contacts::Contact;
pub use context::{Context, SentKind, SentMail};
pub use inputs::{concerns_no_case, digest_fields, headers_read, kept_as_digest, needs_body};
pub use verdict::Verdict;

use crate::domain::message::{Inbound, Mailbox};
use crate::domain::tld::TldCode;

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
    if let Some(d) = request::request(msg, ctx) {
        return d;
    }
    decision(
        Verdict::Unrelated,
        None,
        "no admin address, no thread of ours".into(),
    )
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
            include_str!("inputs.rs"),
            include_str!("context.rs"),
            include_str!("request.rs"),
            include_str!("intent.rs"),
            include_str!("auth.rs"),
            include_str!("autoreply.rs"),
            include_str!("bounce.rs"),
            include_str!("thread.rs"),
            include_str!("contacts/mod.rs"),
            include_str!("contacts/fields.rs"),
            include_str!("contacts/labels.rs"),
            include_str!("contacts/names.rs"),
            include_str!("contacts/phone.rs"),
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
