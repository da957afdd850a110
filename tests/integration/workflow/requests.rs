//! Requests after the first invitation (DESIGN §8.1): an unanswered request is chased like an
//! invitation, a request can be dismissed without mail, and assigning a request keeps it one.

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

/// A request that is spam, or handled another way, is dismissed: no mail, the queue item
/// gone, the request closed for `ask`, the reason logged, the log still verified.
#[test]
fn a_request_is_dismissed_without_mail() {
    let i = fresh();
    poll(
        &i,
        &[letter(
            "Marie Dupont <marie.dupont@gmail.example>",
            "Inscription à la liste",
            "Bonjour,\r\n\r\nJe suis responsable de la sécurité de .fr et je souhaite m'inscrire \
             à la liste TLD-OPS.\r\n\r\nMarie Dupont",
        )],
    );
    let n = message_number(&i, "marie.dupont@gmail.example").to_string();
    assert!(queue_kinds(&i, "fr").contains(&"request".to_string()));

    let plan = i.ok(&[
        "dismiss",
        "--message",
        &n,
        "--reason",
        "not the registry",
        "--dry-run",
    ]);
    assert!(
        plan.contains(&format!(
            "#{n}: the request for .fr from marie.dupont@gmail.example (\"Inscription à la liste\") is closed; nobody is mailed"
        )),
        "{plan}"
    );
    assert!(plan.contains("Reason: not the registry"), "{plan}");
    let dry = i.json(&["dismiss", "--message", &n, "--dry-run", "--json"]);
    assert_eq!(dry["dry_run"], true, "{dry}");
    assert_eq!(dry["settled_at"], serde_json::Value::Null, "{dry}");
    assert!(queue_kinds(&i, "fr").contains(&"request".to_string()));

    let done = i.json(&[
        "dismiss",
        "--message",
        &format!("#{n}"),
        "--reason",
        "not the registry",
        "--json",
    ]);
    assert_eq!(done["dry_run"], false, "{done}");
    assert_eq!(done["message"], n.parse::<i64>().unwrap(), "{done}");
    assert_eq!(done["tld"], "fr", "{done}");
    assert_eq!(done["from"], "marie.dupont@gmail.example", "{done}");
    assert!(done["settled_at"].is_string(), "{done}");
    assert!(sent(&i).is_empty(), "nobody is mailed");
    let outbox: i64 = i.scalar("SELECT count(*) FROM outbox");
    assert_eq!(outbox, 0);
    assert!(
        queue_kinds(&i, "fr").is_empty(),
        "{:?}",
        queue_kinds(&i, "fr")
    );
    assert_eq!(case_state(&i, "fr"), "uninvited");

    // Closed: neither asked about nor dismissed again.
    let ask = i.run(&["ask", "fr", "--message", &n]);
    assert_eq!(ask.code, 2, "{}", ask.stderr);
    assert!(
        ask.stderr.contains("the request was acted on"),
        "{}",
        ask.stderr
    );
    let again = i.run(&["dismiss", "--message", &n]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    // Only requests are dismissed.
    i.ok(&["invite", "--tld", "de"]);
    poll(
        &i,
        &[reply(
            &i,
            "de",
            "admin-c@denic.example",
            "",
            "Contact: x@denic.example",
        )],
    );
    let reply_n = message_number(&i, "admin-c@denic.example").to_string();
    let refused = i.run(&["dismiss", "--message", &reply_n]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("not a request"),
        "{}",
        refused.stderr
    );

    let log = i.json(&["log", "--json", "--tld", "fr"]);
    let event = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "request_dismissed")
        .unwrap_or_else(|| panic!("no request_dismissed in {log}"));
    let detail = &event["detail"];
    let detail: serde_json::Value = match detail {
        serde_json::Value::String(s) => serde_json::from_str(s).unwrap(),
        other => other.clone(),
    };
    assert_eq!(detail["reason"], "not the registry", "{event}");
    assert_eq!(detail["message"], n.parse::<i64>().unwrap(), "{event}");
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// A request naming no ccTLD is assigned to one: it stays a request (with whom it asks
/// for), now for that ccTLD, so asking its admin works next.
#[test]
fn an_assigned_request_stays_a_request() {
    let i = fresh();
    poll(
        &i,
        &[letter(
            "Sam Lee <sam.lee@gmail.example>",
            "Joining TLD-OPS",
            "Hello,\r\n\r\nI run security for our registry and would like to join the TLD-OPS \
             mailing list, please.\r\n\r\nSam Lee\r\n+1 555 0100",
        )],
    );
    let n = message_number(&i, "sam.lee@gmail.example");
    let listed = i.json(&["messages", "--json", "--verdict", "request"]);
    assert_eq!(listed[0]["tld"], serde_json::Value::Null, "{listed}");
    let queue = i.json(&["queue", "--json"]);
    let item = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["message"] == n)
        .unwrap_or_else(|| panic!("no item for #{n}: {queue}"));
    assert_eq!(item["kind"], "request", "{item}");

    let plan = i.ok(&["assign", &format!("#{n}"), "de", "--dry-run"]);
    assert!(
        plan.contains(&format!("#{n} stays a request, now for .de")),
        "{plan}"
    );
    i.ok(&["assign", &format!("#{n}"), "de"]);
    let listed = i.json(&["messages", "--json", "--verdict", "request"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["tld"], "de", "{listed}");
    assert_eq!(
        listed[0]["contacts"][0]["email"], "sam.lee@gmail.example",
        "{listed}"
    );
    let proposed: i64 = i.scalar("SELECT count(*) FROM contacts WHERE tld = 'de'");
    assert_eq!(
        proposed, 0,
        "a request proposes nobody before the admin agrees"
    );
    assert_eq!(case_state(&i, "de"), "uninvited");
    assert!(
        i.ok(&["queue"])
            .contains(&format!("`tldops ask de --message {n}`"))
    );

    // Asking the admin works next, and names the requester.
    i.ok(&["ask", "de", "--message", &n.to_string()]);
    assert_eq!(case_state(&i, "de"), "invited");
    let (ask, _) = mail_of(&i, "request", "admin-c@denic.example");
    assert!(
        ask.text.contains("+ Sam Lee <sam.lee@gmail.example>"),
        "{}",
        ask.text
    );
    // A request acted on is not assigned again.
    let again = i.run(&["assign", &format!("#{n}"), "fr"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// What the case view says under the case's own line (DESIGN §8): the requests waiting, the
/// request put to the admin and its chase, the contacts it would give, the re-confirmation.
#[test]
fn the_case_view_says_where_requests_and_the_confirmation_stand() {
    let i = fresh();
    let lines = |tld: &str| -> Vec<String> {
        service(&i)
            .rounds_of(tld)
            .unwrap()
            .into_iter()
            .map(|r| format!("{}: {}", r.label, r.text))
            .collect()
    };
    assert!(lines("be").is_empty(), "{:?}", lines("be"));
    be_asked(&i);
    i.db()
        .execute(
            "UPDATE cases SET round_sent_at = '2026-01-01T09:00:00Z' WHERE tld = 'be'",
            [],
        )
        .unwrap();
    let be = lines("be");
    assert!(
        be.contains(
            &"request: request to authorise a change sent 2026-01-01, no answer: reminder 1 is due"
                .to_string()
        ),
        "{be:?}"
    );
    assert!(
        be.contains(
            &"request: if the admin agrees: Jan Peeters <jan@dnsbelgium.example>, Ann Claes <ann@dnsbelgium.example>, +32 16 28 49 71"
                .to_string()
        ),
        "{be:?}"
    );
    assert!(
        be.iter()
            .any(|l| l.starts_with("confirm: contacts confirmed 2025-01-02")
                || l.starts_with("confirm: contacts last confirmed 2025-01-02")),
        "{be:?}"
    );

    // A request waiting for the operator, and one that invites a ccTLD not on the list.
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
    assert_eq!(
        lines("fr"),
        [format!(
            "request: #{n} open: marie.dupont@gmail.example asks to join"
        )]
    );
    i.ok(&["ask", "fr", "--message", &n.to_string()]);
    let fr = lines("fr");
    assert!(
        fr.iter().any(
            |l| l.starts_with("request: request for authorisation sent ")
                && l.ends_with("no answer yet")
        ),
        "{fr:?}"
    );
}
