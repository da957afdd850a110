//! Delivery failure notices: standard DSNs (`multipart/report; report-type=delivery-status`)
//! and the classic MAILER-DAEMON bounces, matched to the mail tldops sent.

use super::Context;
use crate::domain::email::{address_key, find_addresses};
use crate::domain::message::Inbound;
use crate::domain::tld::TldCode;

/// Subject words of classic (non-DSN) bounces, lowercase.
const SUBJECTS: &[&str] = &[
    "undeliver",
    "undelivered mail",
    "delivery status notification (failure)",
    "delivery failure",
    "delivery has failed",
    "failure notice",
    "mail delivery failed",
    "returned mail",
    "returned to sender",
    "mail system error",
    "non remis",
    "non-remis",
    "unzustellbar",
    "nicht zustellbar",
    "no se puede entregar",
    "não entregue",
    "address not found",
];

/// A delivery status notice: the recipients it reports on, and whether delivery failed.
pub struct Bounce {
    recipients: Vec<String>,
    /// False for a warning (`Action: delayed`): the mail may still arrive, the case stays.
    pub failed: bool,
}

/// Whether `msg` is a delivery status notice: a DSN, or a classic MAILER-DAEMON bounce.
pub fn detect(msg: &Inbound) -> Option<Bounce> {
    let is_dsn = msg.content_type == "multipart/report"
        && msg.report_type.as_deref() == Some("delivery-status");
    if is_dsn || !msg.delivery_status.is_empty() {
        let fields = dsn_fields(&msg.delivery_status);
        let failed: Vec<&DsnRecipient> = fields.iter().filter(|r| r.failed).collect();
        let any_failed = fields.is_empty() || !failed.is_empty();
        let reported = if any_failed {
            failed
        } else {
            fields.iter().collect()
        };
        return Some(Bounce {
            recipients: reported.iter().filter_map(|r| r.address.clone()).collect(),
            failed: any_failed,
        });
    }
    let from = msg.from.first();
    let local = from
        .and_then(|m| m.address.split('@').next())
        .unwrap_or("")
        .to_ascii_lowercase();
    let daemon = matches!(
        local.as_str(),
        "mailer-daemon" | "mailer_daemon" | "postmaster" | "mail-daemon" | "maildaemon"
    ) || from
        .and_then(|m| m.name.as_deref())
        .is_some_and(|n| n.to_lowercase().starts_with("mail delivery"));
    let subject = msg.subject.to_lowercase();
    let bounce_subject = SUBJECTS.iter().any(|s| subject.contains(s));
    (daemon && (bounce_subject || mentions_failure(&msg.text))).then(|| Bounce {
        recipients: vec![],
        failed: true,
    })
}

/// Classic bounce bodies say so in the first lines.
fn mentions_failure(text: &str) -> bool {
    let head: String = text.chars().take(2000).collect::<String>().to_lowercase();
    [
        "could not be delivered",
        "delivery to the following recipient",
        "permanent error",
        "user unknown",
        "undeliverable",
        "delivery has failed",
        "message was created automatically by mail delivery software",
        "i'm afraid i wasn't able to deliver",
        "returned to sender",
    ]
    .iter()
    .any(|p| head.contains(p))
}

fn what(bounce: &Bounce) -> &'static str {
    if bounce.failed {
        "delivery failure"
    } else {
        "delivery delay warning (not a failure: the case stays as it is)"
    }
}

struct DsnRecipient {
    address: Option<String>,
    failed: bool,
}

/// Per-recipient fields of `message/delivery-status` parts.
fn dsn_fields(parts: &[String]) -> Vec<DsnRecipient> {
    let mut out = Vec::new();
    for part in parts {
        for block in part.split("\n\n") {
            let mut address = None;
            let mut action = None;
            for line in block.lines() {
                let Some((name, value)) = line.split_once(':') else {
                    continue;
                };
                let value = value.trim();
                match name.trim().to_ascii_lowercase().as_str() {
                    "final-recipient" | "original-recipient" if address.is_none() => {
                        let addr = value.rsplit(';').next().unwrap_or(value).trim();
                        address = address_key(addr.trim_matches(['<', '>']));
                    }
                    "action" => action = Some(value.to_ascii_lowercase()),
                    _ => {}
                }
            }
            if let Some(action) = action {
                out.push(DsnRecipient {
                    address,
                    failed: action.starts_with("failed"),
                });
            }
        }
    }
    out
}

/// The TLD whose mail this bounce returns, with the reason; `None` when the bounce is not about
/// mail tldops sent.
pub fn matched(msg: &Inbound, bounce: &Bounce, ctx: &Context) -> Option<(Option<TldCode>, String)> {
    let by_id = |id: &str| ctx.sent.get(id);
    let attached = msg
        .originals
        .iter()
        .filter_map(|o| o.message_id.as_deref())
        .find_map(by_id);
    let threaded = msg
        .in_reply_to
        .iter()
        .chain(&msg.references)
        .find_map(|id| by_id(id));
    let quoted = || ctx.sent.values().find(|s| msg.text.contains(&s.message_id));
    if let Some(sent) = attached.or(threaded).or_else(quoted) {
        return Some((
            Some(sent.tld.clone()),
            format!(
                "{} of the {} sent {} to .{}",
                what(bounce),
                sent.kind.word(),
                sent.sent_on,
                sent.tld
            ),
        ));
    }
    // No Message-ID to go by: the failed recipient, from the report or the text.
    let mut recipients = bounce.recipients.clone();
    if recipients.is_empty() {
        recipients = find_addresses(&msg.text)
            .into_iter()
            .filter_map(|r| address_key(&msg.text[r]))
            .collect();
    }
    for r in &recipients {
        let Some(tlds) = ctx.recipients.get(r) else {
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
