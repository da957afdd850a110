//! What triage reads of a message, for ingest to know what to fetch and keep: the headers it
//! looks at, the fields a header-only judgement needs, whether a message decided on its
//! headers needs its body, and which mail is kept as a digest. Apart from the decision itself
//! because ingest asks these before (and instead of) triaging a whole message.

use super::request::from_a_list;
use super::{Context, Decision, Verdict, autoreply, bounce, intent};
use crate::domain::message::{Inbound, Mailbox};

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

/// Whether a message concerns no case: unrelated mail, and automatic mail (tickets,
/// monitoring, calendars, out-of-office notes) tied to no TLD. Such mail moves nothing, so it
/// is neither in the audit log nor kept whole; at a first poll it is most of the mailbox.
pub fn concerns_no_case(verdict: Verdict, tld: Option<&str>) -> bool {
    matches!(verdict, Verdict::Unrelated | Verdict::AutoReply) && tld.is_none()
}

/// Whether a message decided by its headers is kept as their digest: mail that concerns no
/// case. An unreadable one is kept whole: its bytes are the only evidence of what came.
pub fn kept_as_digest(verdict: Verdict, tld: Option<&str>, parse_error: Option<&str>) -> bool {
    concerns_no_case(verdict, tld) && parse_error.is_none()
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
