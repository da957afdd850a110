//! Delivery status notices, and the mail of ours they return.
//!
//! A notice is recognised by its format (`multipart/report; report-type=delivery-status`, the
//! RFC 3464 fields wherever they are written, `X-Failed-Recipients`), or by who sends it (a
//! mailer daemon or postmaster, a null return path) together with what it says (its subject or
//! its first lines, in many languages). It is tied to our mail by what we control: the VERP
//! address it was delivered to, the Message-IDs, subject tags and recipients of the mail we
//! sent, searched for in every part of it and in its raw text.

use super::{Context, SentMail, phrases};
use crate::domain::email::{address_key, find_addresses};
use crate::domain::message::Inbound;
use crate::domain::tld::TldCode;

/// What a delivery status notice reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The mail did not reach (some of) its recipients.
    Failed,
    /// A warning: the server keeps trying; the case stays as it is.
    Delayed,
    /// Delivered, relayed or expanded: not a failure at all.
    Delivered,
}

/// A delivery status notice: the recipients it reports on and what happened.
pub struct Bounce {
    recipients: Vec<String>,
    pub outcome: Outcome,
    /// Recognised by its format (a report, RFC 3464 fields, `X-Failed-Recipients`), not only
    /// by its sender and wording.
    pub by_format: bool,
}

/// Headers that say to which address a message was delivered (the envelope recipient).
pub(super) const DELIVERY_HEADERS: &[&str] = &[
    "delivered-to",
    "x-original-to",
    "envelope-to",
    "x-envelope-to",
    "x-delivered-to",
];

/// Other headers the notice is recognised by.
pub(super) const NOTICE_HEADERS: &[&str] = &["return-path", "x-failed-recipients"];

/// Whether `msg` is a delivery status notice, and what it reports.
pub fn detect(msg: &Inbound, ctx: &Context) -> Option<Bounce> {
    let report = msg.content_type == "multipart/report"
        && msg
            .report_type
            .as_deref()
            .is_some_and(|r| r.ends_with("delivery-status"));
    let mut fields = dsn_fields(msg.delivery_status.iter().map(String::as_str), false);
    if fields.is_empty() {
        // RFC 3464 fields written into a plain-text notice or a mislabelled part.
        let text = text_of(msg);
        // Most mail has no such field: the whole text is split into blocks only when it does.
        if ["-Recipient:", "-recipient:", "-RECIPIENT:"]
            .iter()
            .any(|f| text.contains(f))
        {
            fields = dsn_fields(std::iter::once(text), true);
        }
    }
    let x_failed: Vec<String> = msg
        .header_values("x-failed-recipients")
        .flat_map(|v| v.split(','))
        .filter_map(|a| address_key(a.trim().trim_matches(['<', '>'])))
        .collect();
    let ses = ses_notification(msg);
    let by_format = report || !fields.is_empty() || !x_failed.is_empty() || ses.is_some();

    let head = head_of(msg);
    let subject = msg.subject.to_lowercase();
    let says_bounce = phrases::BOUNCE_SUBJECTS.any_in(&subject);
    let says_failure = phrases::FAILURE_PHRASES.any_in(&head) || has_smtp_error(&head);
    let from_system = from_daemon(msg, ctx) || null_return_path(msg);
    // A copy of our own mail comes back: with any sign of a notice, it is one.
    let returns_ours = || {
        msg.originals
            .iter()
            .filter_map(|o| o.message_id.as_deref())
            .chain(ids_in(text_of(msg)))
            .any(|id| ctx.sent.contains_key(id))
    };
    let recognised = by_format
        || (from_system && (says_bounce || says_failure))
        || (says_bounce && says_failure)
        || ((from_system || says_bounce || says_failure) && returns_ours());
    if !recognised {
        return None;
    }

    let outcome = if let Some(outcome) = ses {
        outcome
    } else if fields.iter().any(|r| r.action == Action::Failed) {
        Outcome::Failed
    } else if fields.iter().any(|r| r.action == Action::Delayed) {
        Outcome::Delayed
    } else if !fields.is_empty() && fields.iter().all(|r| r.action == Action::Delivered) {
        Outcome::Delivered
    } else {
        let warns = phrases::DELAY_PHRASES
            .first_in(&[&head, &subject])
            .is_some()
            || subject.contains("(delay)")
            || subject.contains("delayed");
        let last = phrases::FINAL_PHRASES.any_in(&head);
        if warns && !last {
            Outcome::Delayed
        } else {
            Outcome::Failed
        }
    };
    let wanted = match outcome {
        Outcome::Failed => Action::Failed,
        Outcome::Delayed => Action::Delayed,
        Outcome::Delivered => Action::Delivered,
    };
    let mut recipients: Vec<String> = fields
        .iter()
        .filter(|r| r.action == wanted)
        .filter_map(|r| r.address.clone())
        .collect();
    recipients.extend(x_failed);
    Some(Bounce {
        recipients,
        outcome,
        by_format,
    })
}

/// Whether the headers alone say the message may be a delivery notice (its body is then
/// needed to judge it): a report, a daemon or null sender, a notice's subject, VERP.
pub fn may_be_notice(msg: &Inbound, ctx: &Context) -> bool {
    let subject = msg.subject.to_lowercase();
    msg.content_type.starts_with("multipart/report")
        || msg.header("x-failed-recipients").is_some()
        || from_daemon(msg, ctx)
        || null_return_path(msg)
        || phrases::BOUNCE_SUBJECTS.any_in(&subject)
        || subject.contains("aws notification")
        || verp_mail(msg, ctx).is_some()
}

/// The text a notice is read in: the text parts, or the whole text when MIME hid them.
fn text_of(msg: &Inbound) -> &str {
    if msg.whole_text.is_empty() {
        &msg.text
    } else {
        &msg.whole_text
    }
}

/// The first lines of the notice, lowercase: where servers say what happened.
fn head_of(msg: &Inbound) -> String {
    let text = if msg.text.trim().is_empty() {
        &msg.whole_text
    } else {
        &msg.text
    };
    text.chars().take(3000).collect::<String>().to_lowercase()
}

/// Amazon SES event notifications (JSON by mail): a bounce, or a delivery.
fn ses_notification(msg: &Inbound) -> Option<Outcome> {
    let text: String = msg.text.chars().take(2000).collect();
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\\')
        .collect();
    let lower = squeezed.to_ascii_lowercase();
    if lower.contains("\"notificationtype\":\"bounce\"")
        || lower.contains("\"eventtype\":\"bounce\"")
    {
        let transient = lower.contains("\"bouncetype\":\"transient\"");
        Some(if transient {
            Outcome::Delayed
        } else {
            Outcome::Failed
        })
    } else if lower.contains("\"notificationtype\":\"delivery\"")
        || lower.contains("\"eventtype\":\"delivery\"")
    {
        Some(Outcome::Delivered)
    } else {
        None
    }
}

/// A mailer daemon, postmaster or mail system writes (never an admin address: some ccTLDs'
/// admin contact is their postmaster).
fn from_daemon(msg: &Inbound, ctx: &Context) -> bool {
    if msg.from.first().is_some_and(|f| ctx.is_voucher(&f.address)) {
        return false;
    }
    let Some(from) = msg.from.first() else {
        // `From: MAILER-DAEMON <>`: an empty address is a daemon's too.
        return msg
            .header("from")
            .is_some_and(|f| f.to_ascii_lowercase().contains("mailer-daemon"));
    };
    let local = from
        .address
        .rsplit_once('@')
        .map_or(from.address.as_str(), |(l, _)| l)
        .to_ascii_lowercase();
    let daemon_local = local.contains("mailer-daemon")
        || local.contains("mailer_daemon")
        || local.contains("mailerdaemon")
        || local.contains("mail-daemon")
        || local.contains("maildaemon")
        || local.contains("postmaster")
        || local.contains("post_master")
        || local.contains("post-master")
        || local.contains("mdaemon")
        || matches!(
            local.as_str(),
            "mailer"
                | "mail"
                | "smtp"
                | "root"
                | "daemon"
                | "bounce"
                | "bounces"
                | "mailadmin"
                | "mail-admin"
                | "mailadm"
                | "nobody"
                | "sysadmin"
                | "mail.delivery"
        );
    let name = from.name.as_deref().unwrap_or("").to_lowercase();
    daemon_local
        || [
            "mail delivery",
            "mailer-daemon",
            "mailer daemon",
            "postmaster",
            "mail administrator",
            "mail system",
            "mail subsystem",
            "delivery status",
            "delivery subsystem",
            "microsoft outlook",
            "internet mail delivery",
            "mail router",
            "mail transport",
            "mailserver",
            "mail server",
        ]
        .iter()
        .any(|n| name.contains(n))
}

/// `Return-Path: <>`: the null reverse path of a notice.
fn null_return_path(msg: &Inbound) -> bool {
    msg.header("return-path")
        .is_some_and(|r| r.trim().trim_matches(['<', '>']).trim().is_empty())
}

/// An SMTP reply with an enhanced status code (`550 5.1.1`, `554-5.7.1`, `#5.0.0`).
fn has_smtp_error(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(9)).any(|i| {
        (b[i] == b'5' || b[i] == b'4')
            && b[i + 1].is_ascii_digit()
            && b[i + 2].is_ascii_digit()
            && (b[i + 3] == b' ' || b[i + 3] == b'-')
            && b[i + 4] == b[i]
            && b[i + 5] == b'.'
            && b[i + 6].is_ascii_digit()
            && b[i + 7..].iter().find(|c| !c.is_ascii_digit()) == Some(&b'.')
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Failed,
    Delayed,
    Delivered,
}

struct DsnRecipient {
    address: Option<String>,
    action: Action,
}

/// Per-recipient fields of delivery status text. In a report part, a block needs `Action`;
/// written elsewhere (`loose`), a block needs a `Final-Recipient` or `Original-Recipient`
/// with an `Action` or a `Status`.
fn dsn_fields<'a>(parts: impl Iterator<Item = &'a str>, loose: bool) -> Vec<DsnRecipient> {
    let mut out = Vec::new();
    for part in parts {
        let part = part.replace("\r\n", "\n");
        for block in part.split("\n\n") {
            let mut address = None;
            let mut action = None;
            let mut status = None;
            let mut recipient_field = false;
            for line in block.lines() {
                let Some((name, value)) = line.trim_start_matches(['>', ' ']).split_once(':')
                else {
                    continue;
                };
                let value = value.trim();
                match name.trim().to_ascii_lowercase().as_str() {
                    "final-recipient" | "original-recipient" => {
                        recipient_field = true;
                        if address.is_none() {
                            let addr = value.rsplit(';').next().unwrap_or(value).trim();
                            address = address_key(addr.trim_matches(['<', '>']));
                        }
                    }
                    "action" => action = Some(value.to_ascii_lowercase()),
                    "status" => status = value.chars().next(),
                    _ => {}
                }
            }
            if loose && !recipient_field {
                continue;
            }
            let action = match (action.as_deref(), status) {
                (Some(a), _) if a.starts_with("failed") => Action::Failed,
                (Some(a), _) if a.starts_with("delayed") => Action::Delayed,
                (Some(a), _)
                    if ["delivered", "relayed", "expanded"]
                        .iter()
                        .any(|w| a.starts_with(w)) =>
                {
                    Action::Delivered
                }
                (_, Some('5')) => Action::Failed,
                (_, Some('4')) => Action::Delayed,
                (_, Some('2')) => Action::Delivered,
                (Some(_), _) if !loose => Action::Failed,
                _ => continue,
            };
            out.push(DsnRecipient { address, action });
        }
    }
    out
}

fn what(bounce: &Bounce) -> &'static str {
    match bounce.outcome {
        Outcome::Failed => "delivery failure",
        Outcome::Delayed => "delivery delayed (a warning, not a failure: the case stays as it is)",
        Outcome::Delivered => "delivery report (delivered, not a failure)",
    }
}

/// The mail of ours a message was delivered for by its VERP address: To, Delivered-To and
/// the like name `secretariat+token@…`.
pub fn verp_mail<'c>(msg: &Inbound, ctx: &'c Context) -> Option<&'c SentMail> {
    let headers = DELIVERY_HEADERS
        .iter()
        .flat_map(|h| msg.header_values(h))
        // Only a subaddress can be a VERP address: most values need no address search.
        .filter(|v| v.contains(crate::domain::verp::DELIMITER))
        .flat_map(|v| {
            find_addresses(v)
                .into_iter()
                .map(|r| v[r].to_string())
                .collect::<Vec<_>>()
        });
    let to = msg.to.iter().map(|m| m.address.clone());
    headers.chain(to).find_map(|address| {
        let (base, token) = crate::domain::verp::parse(&address)?;
        if !ctx.own.contains(&base) {
            return None;
        }
        ctx.verp.get(&token).and_then(|id| ctx.sent.get(id))
    })
}

fn about(bounce: &Bounce, sent: &SentMail, how: &str) -> (Option<TldCode>, String) {
    (
        Some(sent.tld.clone()),
        format!(
            "{} of the {} sent {} to .{} ({how})",
            what(bounce),
            sent.kind.word(),
            sent.sent_on,
            sent.tld
        ),
    )
}

/// The TLD whose mail this notice returns, with the reason; `None` when the notice is not
/// about mail tldops sent.
pub fn matched(msg: &Inbound, bounce: &Bounce, ctx: &Context) -> Option<(Option<TldCode>, String)> {
    if let Some(sent) = verp_mail(msg, ctx) {
        return Some(about(bounce, sent, "delivered to its VERP address"));
    }
    let text = text_of(msg);
    let attached: Vec<&str> = msg
        .originals
        .iter()
        .filter_map(|o| o.message_id.as_deref())
        .filter(|id| id.contains('@'))
        .collect();
    let threaded = msg.in_reply_to.iter().chain(&msg.references);
    if let Some(sent) = attached
        .iter()
        .copied()
        .chain(threaded.map(String::as_str))
        .find_map(|id| ctx.sent.get(id))
    {
        return Some(about(bounce, sent, "its Message-ID"));
    }
    if let Some(sent) = ids_in(text).find_map(|id| ctx.sent.get(id)) {
        return Some(about(bounce, sent, "its Message-ID is quoted"));
    }
    // The returned mail names its Message-ID, and it is not one of ours.
    if !attached.is_empty() || quoted_message_id(text) {
        return None;
    }
    let subjects = std::iter::once(msg.subject.as_str())
        .chain(msg.originals.iter().map(|o| o.subject.as_str()))
        .chain(subject_lines(text));
    for subject in subjects {
        if let Some((tld, why)) = super::thread::tag_match(subject, ctx) {
            return Some((Some(tld), format!("{}: {why}", what(bounce))));
        }
    }
    // No Message-ID to go by: the failed recipient, from the report or the text.
    let reported = bounce.recipients.iter().cloned().chain(
        msg.originals
            .iter()
            .flat_map(|o| o.to.iter())
            .filter_map(|m| m.key()),
    );
    let written = find_addresses(text)
        .into_iter()
        .filter_map(|r| address_key(&text[r]));
    for r in reported.chain(written) {
        let Some(tlds) = ctx.recipients.get(&r) else {
            continue;
        };
        return Some(match tlds.as_slice() {
            [one] => (
                Some(one.clone()),
                format!("{} for {r}, where the mail for .{one} went", what(bounce)),
            ),
            many => {
                let list: Vec<String> = many.iter().map(|t| format!(".{t}")).collect();
                (
                    None,
                    format!(
                        "{} for {r}, the address of {}: assign it",
                        what(bounce),
                        list.join(", ")
                    ),
                )
            }
        });
    }
    None
}

/// The TLD of the mail of ours an automatic message answers or returns, found as for a
/// notice (VERP, Message-IDs, tags, recipients): a list manager's reject, a delivery report.
pub fn tld_of_ours(msg: &Inbound, ctx: &Context) -> Option<TldCode> {
    let probe = Bounce {
        recipients: Vec::new(),
        outcome: Outcome::Failed,
        by_format: false,
    };
    matched(msg, &probe, ctx).and_then(|(tld, _)| tld)
}

/// Everything written like a Message-ID (`local@domain`, bracketed or not).
fn ids_in(text: &str) -> impl Iterator<Item = &str> {
    let bracketed = text.split('<').skip(1).filter_map(|s| {
        let id = s.split('>').next()?;
        (id.contains('@') && id.len() < 250 && !id.contains(char::is_whitespace)).then_some(id)
    });
    bracketed.chain(find_addresses(text).into_iter().map(move |r| &text[r]))
}

/// Whether the text quotes a returned mail's `Message-ID:` header.
fn quoted_message_id(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start_matches(['>', ' ']);
        l.get(..11)
            .is_some_and(|h| h.eq_ignore_ascii_case("message-id:"))
            && l.contains('@')
    })
}

/// `Subject:` lines quoted in the text.
fn subject_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| {
        let l = l.trim_start_matches(['>', ' ']);
        l.get(..8)
            .is_some_and(|h| h.eq_ignore_ascii_case("subject:"))
            .then(|| &l[8..])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_errors_with_enhanced_codes() {
        assert!(has_smtp_error("remote said: 550 5.1.1 user unknown"));
        assert!(has_smtp_error("550-5.7.26 unauthenticated"));
        assert!(has_smtp_error("451 4.4.1 try later"));
        assert!(!has_smtp_error("call +31 550 5.1 million"));
        assert!(!has_smtp_error("room 550 floor 5"));
    }

    #[test]
    fn loose_fields_need_a_recipient() {
        let text =
            "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@b.example\nStatus: 5.1.1\n";
        let f = dsn_fields(std::iter::once(text), true);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].action, Action::Failed);
        assert!(dsn_fields(std::iter::once("Action: failed\nStatus: 5.0.0"), true).is_empty());
    }
}
