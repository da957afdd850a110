//! Delivery notices and automatic answers against the precedence of DESIGN §3.

use super::{Context, SentKind, SentMail, Verdict, triage};
use crate::domain::message::parse;
use crate::domain::tld::TldCode;

const ID: &str = "invitation.nl.k3x9.1@ccnso.example.org";

fn ctx() -> Context {
    let mut ctx = Context::new("TLD-OPS", None, 3);
    let nl = TldCode::parse("nl").unwrap();
    ctx.add_voucher("directie@sidn.example", &nl);
    ctx.add_sent(
        SentMail {
            kind: SentKind::Invitation,
            tld: nl,
            message_id: ID.into(),
            sent_on: "2026-03-02".into(),
            to: vec!["directie@sidn.example".into()],
        },
        Some("k3x9"),
    );
    ctx.add_own_address("secretariat@ccnso.example.org");
    ctx
}

fn judge(raw: &str) -> super::Decision {
    triage(&parse(raw.as_bytes(), true), &ctx())
}

#[test]
fn a_failure_with_auto_submitted_is_a_bounce() {
    let d = judge(
        "From: Mail Delivery System <MAILER-DAEMON@mx.sidn.example>\nTo: secretariat@ccnso.example.org\n\
         Auto-Submitted: auto-replied\nSubject: Undelivered Mail Returned to Sender\n\n\
         I'm sorry to have to inform you that your message could not be delivered.\n\
         <directie@sidn.example>: host said: 550 5.1.1 User unknown\n",
    );
    assert_eq!(
        (d.verdict, d.tld.as_ref().map(|t| t.as_str())),
        (Verdict::Bounce, Some("nl"))
    );
    assert!(!d.delivery_delayed);
}

#[test]
fn a_plain_text_notice_is_tied_by_quoted_headers() {
    let d = judge(&format!(
        "From: MAILER-DAEMON <>\nTo: secretariat@ccnso.example.org\nSubject: Mail delivery failed\n\n\
         There was an error delivering your mail to <someone@elsewhere.example>.\n\n\
         Message headers follow.\n\nMessage-Id: <{ID}>\nSubject: x\n"
    ));
    assert_eq!(d.verdict, Verdict::Bounce, "{}", d.why);
    assert_eq!(d.tld.unwrap().as_str(), "nl");
}

#[test]
fn a_delay_warning_does_not_move_the_case() {
    let d = judge(
        "From: MAILER-DAEMON@mx.sidn.example\nSubject: Delivery Status Notification (Delay)\n\n\
         This is a warning only. Delivery to directie@sidn.example has been delayed; we will retry.\n",
    );
    assert_eq!(d.verdict, Verdict::Bounce);
    assert!(d.delivery_delayed && d.why.contains("delayed"), "{}", d.why);
}

#[test]
fn a_success_report_is_no_failure() {
    let d = judge(&format!(
        "From: MAILER-DAEMON@mx.sidn.example\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n\
         --b\nContent-Type: text/plain\n\nYour message was delivered.\n\
         --b\nContent-Type: message/delivery-status\n\n\
         Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; directie@sidn.example\nAction: delivered\nStatus: 2.0.0\n\n\
         --b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <{ID}>\n\n--b--\n"
    ));
    assert_eq!(d.verdict, Verdict::AutoReply, "{}", d.why);
    assert!(!d.delivery_delayed);
}

#[test]
fn a_list_manager_reject_is_automatic() {
    let d = judge(&format!(
        "From: sec-team-owner@sidn.example\nTo: secretariat@ccnso.example.org\nIn-Reply-To: <{ID}>\n\
         Subject: Re: [TLD-OPS .nl #k3x9] Invitation\n\n\
         You are not a member of the sec-team list; your message has been rejected.\n"
    ));
    assert_eq!(d.verdict, Verdict::AutoReply, "{}", d.why);
    assert_eq!(d.tld.unwrap().as_str(), "nl");
}

#[test]
fn a_challenge_from_the_admin_address_is_not_the_answer() {
    let d = judge(
        "From: directie@sidn.example\nTo: secretariat@ccnso.example.org\n\
         Subject: RE: [TLD-OPS .nl #k3x9] Invitation\n\n\
         I am protected by a challenge-response spam filter. Please click the link below to \
         confirm your message.\n",
    );
    assert_eq!(d.verdict, Verdict::AutoReply, "{}", d.why);
}

#[test]
fn bulk_acknowledgements_and_polish_subjects_are_automatic() {
    let d = judge(
        "From: directie@sidn.example\nPrecedence: bulk\nSubject: Re: [TLD-OPS .nl #k3x9] Invitation\n\n\
         Thank you for your e-mail. We will get back to you shortly.\n",
    );
    assert_eq!(d.verdict, Verdict::AutoReply, "{}", d.why);
    let d = judge(
        "From: directie@sidn.example\nSubject: [Automatyczna odpowiedź] [TLD-OPS .nl #k3x9]\n\nDzień dobry\n",
    );
    assert_eq!(d.verdict, Verdict::AutoReply, "{}", d.why);
    let d = judge(
        "From: directie@sidn.example\nSubject: Re: [TLD-OPS .nl #k3x9] Invitation\n\n\
         Our security contact: Jan Jansen <jan@sidn.example>, +31 26 352 5511\n",
    );
    assert_eq!(d.verdict, Verdict::AdminFrom, "{}", d.why);
}

#[test]
fn a_notice_at_the_verp_address_names_the_mail() {
    let verp = crate::domain::verp::address("secretariat@ccnso.example.org", ID).unwrap();
    let d = judge(&format!(
        "Delivered-To: {verp}\nFrom: postmaster@relay.example\nTo: {verp}\nSubject: Mitteilung\n\n\
         Ihre Nachricht an jemand@anders.example wurde abgelehnt.\n"
    ));
    assert_eq!(d.verdict, Verdict::Bounce, "{}", d.why);
    assert_eq!(d.tld.unwrap().as_str(), "nl");
}

#[test]
fn a_notice_for_mail_we_did_not_send_is_unrelated() {
    let d = judge(
        "From: MAILER-DAEMON@hotel.example\nSubject: Undeliverable: booking\n\n\
         Delivery has failed to these recipients: reservations@hotel.example\n\n\
         Message-ID: <handwritten.1@ccnso.example.org>\n",
    );
    assert_eq!(d.verdict, Verdict::Unrelated, "{}", d.why);
}
