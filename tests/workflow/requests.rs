//! Requests after the first invitation (DESIGN §8.1): an unanswered request is chased like an
//! invitation.

use super::*;

/// An approved .be (Jan Peeters) whose colleague Ann asked to join, and the admin contact
/// asked to authorise it; the message's number.
fn be_asked(i: &Install) -> i64 {
    approved(
        i,
        "be",
        "admin@dnsbelgium.example",
        &["jan@dnsbelgium.example, Jan Peeters"],
    );
    i.db()
        .execute_batch(
            "UPDATE cases SET decided_at = '2025-01-02T10:00:00Z', confirmed_at = '2025-01-02T10:00:00Z'
                 WHERE tld = 'be';
             UPDATE messages SET ingested_at = '2025-01-01T10:00:00Z' WHERE tld = 'be';",
        )
        .unwrap();
    poll(
        i,
        &[letter(
            "Ann Claes <ann@dnsbelgium.example>",
            "Access to TLD-OPS",
            "Hi, could you please add me to the TLD-OPS list? I joined the CERT team.\r\n\r\n\
             Ann Claes\r\n+32 16 28 49 71",
        )],
    );
    let m = message_number(i, "ann@dnsbelgium.example");
    i.ok(&["ask", "be", "--message", &m.to_string()]);
    m
}

/// DESIGN §8.1 "no verified answer: chased like an invitation": the request to the admin of
/// an approved ccTLD is reminded after `[chase] after` (the request again, in its thread), up
/// to `max_reminders` (the last copied to the technical contact), then dormant; a verified
/// answer ends the chase. A request to a ccTLD not on the list is its invitation, chased so.
#[test]
fn an_unanswered_request_is_chased_like_an_invitation() {
    let i = fresh();
    be_asked(&i);
    assert_eq!(case_state(&i, "be"), "approved");
    assert!(!queue_kinds(&i, "be").contains(&"chase".to_string()));
    assert!(i.ok(&["chase", "--due"]).contains("nothing to do"));

    // Three weeks without an answer.
    i.db()
        .execute(
            "UPDATE cases SET round_sent_at = '2026-01-01T09:00:00Z' WHERE tld = 'be'",
            [],
        )
        .unwrap();
    let why = queue_why(&i, "be", "chase");
    assert!(
        why.contains(
            "request to authorise a change sent 2026-01-01, no answer: reminder 1 of 3 is due"
        ),
        "{why}"
    );
    let plan = i.ok(&["chase", "--due", "--dry-run"]);
    assert!(
        plan.contains("Mail: the request for authorisation to admin@dnsbelgium.example"),
        "{plan}"
    );
    assert!(
        plan.contains(".be: reminder 1 of the request to authorise a change (sent 2026-01-01)"),
        "{plan}"
    );
    assert!(!plan.contains("approved →"), "{plan}");
    let first: String = i.scalar("SELECT round_message_id FROM cases WHERE tld = 'be'");
    let requests_before = sent(&i).len();
    i.ok(&["chase", "--due"]);
    assert_eq!(sent(&i).len(), requests_before + 1);
    let (reminder, _) = mail_of(&i, "request", "admin@dnsbelgium.example");
    assert_eq!(reminder.in_reply_to, std::slice::from_ref(&first));
    assert!(
        reminder.subject.contains("[TLD-OPS .be #"),
        "{}",
        reminder.subject
    );
    assert!(
        reminder
            .text
            .contains("ann@dnsbelgium.example asks to join"),
        "{}",
        reminder.text
    );
    assert!(
        reminder
            .text
            .contains("+ Ann Claes <ann@dnsbelgium.example>"),
        "{}",
        reminder.text
    );
    assert_eq!(case_state(&i, "be"), "approved");
    let reminders: i64 = i.scalar("SELECT round_reminders FROM cases WHERE tld = 'be'");
    assert_eq!(reminders, 1);
    assert!(!queue_kinds(&i, "be").contains(&"chase".to_string()));
    assert!(i.ok(&["chase", "--due"]).contains("nothing to do"));

    // The last reminder allowed copies the technical contact; after it, dormant.
    i.db()
        .execute(
            "UPDATE cases SET round_reminders = 2, round_reminded_at = '2026-01-20T09:00:00Z'
             WHERE tld = 'be'",
            [],
        )
        .unwrap();
    let out = i.ok(&["chase", "--tld", "be"]);
    assert!(out.contains("(cc tech@dnsbelgium.example)"), "{out}");
    let (last, _) = mail_of(&i, "request", "admin@dnsbelgium.example");
    assert_eq!(last.in_reply_to, [first]);
    i.db()
        .execute(
            "UPDATE cases SET round_reminded_at = '2026-01-20T09:00:00Z' WHERE tld = 'be'",
            [],
        )
        .unwrap();
    let why = queue_why(&i, "be", "dormant");
    assert!(why.contains("no answer after 3 reminders"), "{why}");
    let out = i.ok(&["chase", "--tld", "be"]);
    assert!(
        out.contains("skipped .be: dormant: 3 reminders sent"),
        "{out}"
    );

    // The admin answers: nothing to chase any more, an update to decide.
    poll(
        &i,
        &[round_reply(
            &i,
            "be",
            "admin@dnsbelgium.example",
            "Yes, please add Ann.",
        )],
    );
    let kinds = queue_kinds(&i, "be");
    assert!(kinds.contains(&"update".to_string()), "{kinds:?}");
    assert!(!kinds.contains(&"dormant".to_string()), "{kinds:?}");
    let out = i.ok(&["chase", "--tld", "be"]);
    assert!(
        out.contains("no invitation or request is waiting for an answer"),
        "{out}"
    );
    let log = i.json(&["log", "--json", "--tld", "be"]);
    let reminded = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "request_reminded")
        .count();
    assert_eq!(reminded, 2, "{log}");
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));

    // A request for a ccTLD not on the list invites it: chased as its invitation.
    poll(
        &i,
        &[letter(
            "Marie Dupont <marie.dupont@gmail.example>",
            "Inscription à la liste",
            "Bonjour,\r\n\r\nJe suis responsable de la sécurité de .fr et je souhaite m'inscrire \
             à la liste TLD-OPS.\r\n\r\nMarie Dupont",
        )],
    );
    let n = message_number(&i, "marie.dupont@gmail.example");
    i.ok(&["ask", "fr", "--message", &n.to_string()]);
    i.db()
        .execute(
            "UPDATE cases SET invited_at = '2026-01-01T09:00:00Z' WHERE tld = 'fr'",
            [],
        )
        .unwrap();
    let why = queue_why(&i, "fr", "chase");
    assert!(why.contains("invited 2026-01-01, no answer"), "{why}");
    let asked: String = i.scalar("SELECT invitation_message_id FROM cases WHERE tld = 'fr'");
    i.ok(&["chase", "--due"]);
    let (reminder, _) = mail_of(&i, "reminder", "hostmaster@afnic.example");
    assert_eq!(reminder.in_reply_to, [asked]);
    assert_eq!(case_state(&i, "fr"), "reminded");
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}
